/*
 * qmgr_sched_select - which entry an agent delivers: job order, preemption, blockers
 * DESCRIPTION
 *	Within a transport, jobs are served in the order their messages
 *	entered the active queue, and a job's destinations take turns
 *	(docs/scheduler.md §6.3). A job that has waiting entries but no
 *	destination with room is a blocker and is skipped until a blocking
 *	destination gets room (§6.7), so one slow destination never holds up
 *	the others. With delivery_slot_cost of 2 or more, a job that has
 *	earned enough delivery slots lets a small or old job go ahead of it
 *	(preemption, §6.4-6.6): a one-recipient message does not wait behind
 *	a 5000-recipient mailing list post, and the big job still gets
 *	k-1 of every k deliveries.
 */
#include <stdlib.h>

#include "qmgr_sched_int.h"
#include "msg.h"

/* sched_job_is_blocker - marked in the current blocker generation */

int     sched_job_is_blocker(const SCHED_JOB *job)
{
    return (job->blocker_tag == job->transport->blocker_tag);
}

/* sched_candidate_reset - anything that may change the best candidate */

void    sched_candidate_reset(SCHED_TRANSPORT *t)
{
    t->cand_valid = 0;
}

/* sched_unblock - clear every blocker mark at once (§6.7) */

void    sched_unblock(SCHED_TRANSPORT *t)
{
    t->blocker_tag += 2;
    t->current = t->jobs_head;
    sched_candidate_reset(t);
}

/* sched_job_max - MAX(j): entries the job may still come to have (§6.2) */

static long sched_job_max(const SCHED_JOB *job)
{
    return (job->read_entries + job->message->rcpt_unread);
}

/* sched_job_pop - off the preemption stack, refunding unused slots (§6.6) */

void    sched_job_pop(SCHED_JOB *job)
{
    SCHED_JOB *p = job->parent;
    SCHED_JOB **cp;
    SCHED_JOB *child;
    int     cost = job->transport->conf.slot_cost;

    if (p) {
	if (job->level == p->level + 1)
	    p->slots_available -= job->slots_used * cost;
	for (cp = &p->children; *cp; cp = &(*cp)->sibling) {
	    if (*cp == job) {
		*cp = job->sibling;
		break;
	    }
	}
    }
    /* Our children go to our parent (they keep their level: no refunds there). */
    while ((child = job->children) != NULL) {
	job->children = child->sibling;
	child->parent = p;
	if (p) {
	    child->sibling = p->children;
	    p->children = child;
	} else {
	    child->sibling = NULL;
	}
    }
    job->parent = NULL;
    job->sibling = NULL;
    job->level = 0;
    sched_candidate_reset(job->transport);
}

/* sched_job_retire - nothing left to select: off the lists, slots back */

void    sched_job_retire(SCHED_JOB *job)
{
    if (!job->linked)
	return;
    if (job->level > 0)
	sched_job_pop(job);
    sched_slots_return_spare(job);
    sched_job_unlink(job);
}

/* sched_candidate - the job that may preempt c (§6.5), cached per second */

static SCHED_JOB *sched_candidate(SCHED *sched, SCHED_TRANSPORT *t, SCHED_JOB *c)
{
    int     cost = t->conf.slot_cost;
    long    bound;
    long    total;
    long    need;
    double  age;
    double  score;
    double  best_score = 0;
    SCHED_JOB *best = NULL;
    SCHED_JOB *k;
    long    second = (long) sched->now;
    long    reach = c->read_entries - c->selected_entries + c->slots_available;

    if (t->cand_valid && t->cand_for == c && t->cand_second == second)
	return (t->cand_job);
    bound = reach > 0 ? reach / cost : 0;	/* whole slots c can still reach */
    if (bound > 0) {
	for (k = c->next; k; k = k->next) {
	    if (k->children || sched_job_is_blocker(k))
		continue;
	    total = sched_job_max(k);
	    need = total - k->selected_entries;
	    age = sched->now - k->message->queued_time + 1;
	    if (total > 0 && need > 0 && need <= bound) {
		score = age / (double) total;
		if (score > best_score) {
		    best = k;
		    best_score = score;
		}
	    }
	    if (age <= best_score && k->level == 0)
		break;				/* younger level-0 jobs cannot win */
	}
    }
    t->cand_job = best;
    t->cand_for = c;
    t->cand_second = second;
    t->cand_valid = 1;
    return (best);
}

/* sched_preempt - k goes ahead of c, and c pays (§6.6) */

static void sched_preempt(SCHED_TRANSPORT *t, SCHED_JOB *c, SCHED_JOB *k)
{
    long    need = sched_job_max(k) - k->selected_entries;

    if (k->level > 0)
	sched_job_pop(k);
    /* Move k to just before c on the scheduler list. */
    if (k->prev)
	k->prev->next = k->next;
    else
	t->jobs_head = k->next;
    if (k->next)
	k->next->prev = k->prev;
    else
	t->jobs_tail = k->prev;
    k->prev = c->prev;
    k->next = c;
    if (c->prev)
	c->prev->next = k;
    else
	t->jobs_head = k;
    c->prev = k;
    /* The stack. */
    k->parent = c;
    k->sibling = c->children;
    c->children = k;
    k->level = c->level + 1;
    t->current = k;
    c->slots_available -= need * t->conf.slot_cost;
    k->slots_used = -need;
    sched_slots_extra(t, k);
    sched_candidate_reset(t);
}

/* sched_maybe_preempt - should a job go ahead of the current one? (§6.4) */

static SCHED_JOB *sched_maybe_preempt(SCHED *sched, SCHED_TRANSPORT *t, SCHED_JOB *c)
{
    const SCHED_TRANSPORT_CONF *conf = &t->conf;
    SCHED_JOB *k;
    long    need;

    if (c->slots_available <= 0 || sched_job_max(c) < (long) conf->min_slots * conf->slot_cost)
	return (c);
    if ((k = sched_candidate(sched, t, c)) == NULL)
	return (c);
    need = sched_job_max(k) - k->selected_entries;
    if ((double) (c->slots_available / conf->slot_cost + conf->slot_loan)
	< need * (100.0 - conf->slot_discount) / 100.0)
	return (c);
    sched_preempt(t, c, k);
    return (k);
}

/* sched_pick_peer - the job's next destination with room and an entry */

static SCHED_PEER *sched_pick_peer(SCHED *sched, SCHED_JOB *job)
{
    SCHED_PEER *p;
    SCHED_PEER **pp;
    int     tries;

    for (tries = 0; tries < 2; tries++) {
	if (tries == 0)
	    sched_refill(sched, job);
	else if (!sched_message_fully_read(job->message)
		 && job->message->rcpt_limit > job->message->rcpt_count
		 && sched->ops.read_more)
	    sched->ops.read_more(sched->ops.ctx, job->message,
				 sched_read_limit(sched, job->message, 0));
	else
	    break;
	for (pp = &job->peers; (p = *pp) != NULL; pp = &p->next) {
	    if (!sched_queue_selectable(p->queue) || p->head == NULL)
		continue;
	    /* Round robin: this peer goes to the end of the job's list. */
	    *pp = p->next;
	    p->next = NULL;
	    for (pp = &job->peers; *pp; pp = &(*pp)->next)
		 /* end */ ;
	    *pp = p;
	    return (p);
	}
    }
    return (NULL);
}

/* sched_mark_blocker - a job with entries but no room anywhere (§6.7) */

static void sched_mark_blocker(SCHED_JOB *job)
{
    SCHED_TRANSPORT *t = job->transport;
    SCHED_PEER *p;

    job->blocker_tag = t->blocker_tag;
    for (p = job->peers; p; p = p->next)
	if (p->head && p->queue->window > 0)
	    p->queue->blocker_tag = t->blocker_tag;
    sched_candidate_reset(t);
}

/* sched_select - choose the entry an agent that is ready now delivers (§6.3) */

SCHED_ENTRY *sched_select(SCHED *sched, SCHED_TRANSPORT *t)
{
    SCHED_JOB *job;
    SCHED_JOB *next;
    SCHED_PEER *p;
    SCHED_ENTRY *e;

    if ((job = t->current) == NULL)
	return (NULL);
    if (t->conf.slot_cost >= 2)
	job = sched_maybe_preempt(sched, t, job);
    for (; job; job = next) {
	next = job->next;
	if (sched_job_is_blocker(job))
	    continue;
	if ((p = sched_pick_peer(sched, job)) != NULL) {
	    e = p->head;
	    sched_entry_unlink_todo(sched, e);	/* counts as selected */
	    sched_entry_to_busy(e);
	    if (e->queue->group)
		sched_group_started(sched, e->queue->group);
	    job->slots_available++;
	    job->slots_used++;
	    t->current = job;
	    sched_candidate_reset(t);
	    if (job->selected_entries == job->read_entries
		&& sched_message_fully_read(job->message))
		sched_job_retire(job);
	    return (e);
	}
	next = job->next;			/* a refill may have linked jobs */
	if (job->selected_entries < job->read_entries)
	    sched_mark_blocker(job);
	else
	    sched_job_retire(job);		/* stalled job */
    }
    t->current = NULL;
    return (NULL);
}
