/*
 * qmgr_sched_agent - scheduling core: delivery agents and what they report
 * DESCRIPTION
 *	Which transport wants a delivery agent next (round robin among those
 *	with work, scheduler.md §3.1), the agent requests in flight, and what
 *	comes back: a finished delivery (§3.3), an entry the agent never got
 *	(§3.2), an agent that cannot be reached (§4.8); also the timers the
 *	core asked for, posthorn flush's F trigger and the counts that
 *	status and the tests read. No I/O, like the rest of the core.
 */
#include <stdlib.h>
#include <string.h>

#include "qmgr_sched_int.h"
#include "argv.h"
#include "mymalloc.h"
#include "msg.h"
#include "strutil.h"

/* sched_transport_wants_agent - scheduler.md §3.1 */

int     sched_transport_wants_agent(const SCHED_TRANSPORT *t)
{
    return (!t->dead && !t->rate_locked && t->pending < SCHED_MAX_PENDING
	    && t->ready >= t->pending + 1);
}

/* sched_next_transport - round robin among transports that want an agent */

SCHED_TRANSPORT *sched_next_transport(SCHED *sched)
{
    SCHED_TRANSPORT *t;
    SCHED_TRANSPORT *start = sched->rr ? sched->rr : sched->transports;

    if (start == NULL)
	return (NULL);
    t = start;
    do {
	if (sched_transport_wants_agent(t)) {
	    sched->rr = t->next ? t->next : sched->transports;
	    return (t);
	}
	t = t->next ? t->next : sched->transports;
    } while (t != start);
    return (NULL);
}

const char *sched_transport_name(const SCHED_TRANSPORT *t)
{
    return (t->name);
}

/* sched_agent_asked - one more agent request in flight (§3.1, §4.9) */

void    sched_agent_asked(SCHED_TRANSPORT *t)
{
    t->pending++;
    if (t->conf.transport_rate_delay > 0)
	t->rate_locked = 1;
}

/* sched_agent_settled - the agent said it is ready, or never will */

void    sched_agent_settled(SCHED_TRANSPORT *t)
{
    if (t->pending > 0)
	t->pending--;
}

int     sched_transport_rate_delay(const SCHED_TRANSPORT *t)
{
    return (t->conf.transport_rate_delay);
}

/* sched_transport_unlock - no delivery came of a request: release the lock */

void    sched_transport_unlock(SCHED_TRANSPORT *t)
{
    t->rate_locked = 0;
}

int     sched_queue_backlog(const SCHED_ENTRY *e)
{
    return (e->queue->todo > 0);
}

const char *sched_entry_nexthop(const SCHED_ENTRY *e)
{
    return (e->queue->nexthop);
}

SCHED_TRANSPORT *sched_entry_transport(const SCHED_ENTRY *e)
{
    return (e->queue->transport);
}

/* sched_transport_revive - a dead transport works again */

void    sched_transport_revive(SCHED *sched, SCHED_TRANSPORT *t)
{
    t->rate_locked = 0;				/* §4.9: released on revival too */
    if (!t->dead)
	return;
    t->dead = 0;
    t->dead_reason = myfree(t->dead_reason);
    if (sched->ops.timer)
	sched->ops.timer(sched->ops.ctx, SCHED_TIMER_TRANSPORT, t, 0);
}

/* sched_entry_off_busy - take a busy entry off its queue's busy list */

static void sched_entry_off_busy(SCHED_ENTRY *e)
{
    SCHED_QUEUE *q = e->queue;

    if (e->prev)
	e->prev->next = e->next;
    else
	q->busy_head = e->next;
    if (e->next)
	e->next->prev = e->prev;
    e->next = e->prev = NULL;
    e->busy = 0;
    q->busy--;
    if (q->group)
	q->group->busy--;
    sched_queue_ready(q);
}

/* sched_entry_unselect - the agent never got the entry: back at the head of its lists (§3.2) */

void    sched_entry_unselect(SCHED *sched, SCHED_ENTRY *e)
{
    SCHED_QUEUE *q = e->queue;
    SCHED_TRANSPORT *t = q->transport;
    SCHED_JOB *job = e->job;
    SCHED_PEER *p;
    char   *why;
    char   *dsn;

    if (!e->busy)
	msg_panic("%s: entry is not busy", __func__);
    sched_entry_off_busy(e);
    e->next = q->todo_head;
    if (q->todo_head)
	q->todo_head->prev = e;
    else
	q->todo_tail = e;
    q->todo_head = e;
    q->todo++;
    q->todo_rcpts += (long) e->nrcpt;
    sched_job_link(job);			/* it may have retired on this selection */
    p = sched_peer_get(job, q);
    e->peer = p;
    e->peer_next = p->head;
    p->head = e;
    if (p->tail == NULL)
	p->tail = e;
    job->selected_entries--;
    sched_queue_ready(q);
    /* The job has work again wherever it is on the list (§6.7). */
    job->blocker_tag = 0;
    t->current = t->jobs_head;
    sched_candidate_reset(t);
    /* Nothing waits for a dead transport or destination (§4.7, §4.8), or a
     * suspended exchanger group (§10a). */
    if (t->dead || q->window == SCHED_WINDOW_DEAD || (q->group && q->group->suspended)) {
	why = mystrdup(t->dead ? t->dead_reason : q->window == SCHED_WINDOW_DEAD ?
		       q->dead_reason : q->group->suspend_reason);
	dsn = mystrdup(t->dead ? "4.3.0" : q->window == SCHED_WINDOW_DEAD ?
		       q->dead_dsn : "4.7.0");
	sched_defer_todo(sched, q, dsn, why);
	sched_queue_gc(sched, q);
	free(why);
	free(dsn);
    }
}

/* sched_entry_done - a delivery finished (§3.3) */

void    sched_entry_done(SCHED *sched, SCHED_ENTRY *e, int status,
			         const char *hop_dsn, const char *hop_reason)
{
    SCHED_QUEUE *q = e->queue;
    SCHED_TRANSPORT *t = q->transport;
    SCHED_MESSAGE *msg = e->message;
    SCHED_JOB *job = e->job;
    DSTR   *why;

    if (!e->busy)
	msg_panic("%s: entry is not busy", __func__);
    /* The agent may have reported the exchanger group (§10a): join it now,
     * while this delivery still counts as busy, so the counts move along. */
    if (sched_group_attach(sched, q))
	t->groups_seen = 1;
    q->discovering = 0;
    if (status == SCHED_DONE_THROTTLED) {
	sched_transport_revive(sched, t);	/* no feedback: the provider asked */
    } else if (status != SCHED_DONE_CRASH) {
	if (q->group)
	    sched_group_feedback(sched, q->group, hop_reason == NULL);
	if (status == SCHED_DONE_DEFER && hop_reason && q->window > 0) {
	    why = dstr_new(128);
	    dstr_sprintf(why, "delivery temporarily suspended: %s", hop_reason);
	    sched_hop_failure(sched, q, hop_dsn && *hop_dsn ? hop_dsn : "4.4.1", dstr_str(why));
	    dstr_free(why);
	}
	sched_transport_revive(sched, t);
	if (hop_reason == NULL)
	    sched_good_completion(sched, q);	/* busy still counts this entry */
    }
    t->rate_locked = 0;				/* on every path, crashes included */
    sched_entry_off_busy(e);
    sched_entry_free(sched, e);
    sched_slots_entry_done(job);
    /* A blocking queue with room again unblocks every blocker (§6.7). */
    if (q->blocker_tag == t->blocker_tag && sched_queue_limit(q) > q->busy && q->todo > 0)
	sched_unblock(t);
    if (sched_queue_limit(q) > q->busy || q->window == SCHED_WINDOW_DEAD)
	q->blocker_tag = 0;
    sched_rate_delay_after(sched, q);
    if (q->window == SCHED_WINDOW_DEAD && q->todo == 0 && q->busy == 0
	&& sched->queues > 2L * sched->conf.rcpt_limit) {
	sched_queue_revive(sched, q);		/* memory guard (§4.7) */
    }
    sched_queue_gc(sched, q);
    sched_message_release(sched, msg);
}

/* sched_transport_dead - the agent cannot be reached (§4.8) */

void    sched_transport_dead(SCHED *sched, SCHED_TRANSPORT *t, const char *reason)
{
    ARGV   *names;
    SCHED_QUEUE *q;
    size_t  i;

    if (!t->dead) {
	t->dead = 1;
	t->dead_reason = mystrdup(reason);
	t->dead_until = sched->now + sched->conf.transport_retry_time;
	if (sched->ops.timer)
	    sched->ops.timer(sched->ops.ctx, SCHED_TIMER_TRANSPORT, t, t->dead_until);
    }
    /* Defer what waits; queue names first: deferring may delete queues. */
    names = sched_queue_names(t);
    for (i = 0; i < names->argc; i++) {
	if ((q = htable_find(t->queues, names->argv[i])) == NULL)
	    continue;
	sched_defer_todo(sched, q, "4.3.0", t->dead_reason);
	if ((q = htable_find(t->queues, names->argv[i])) != NULL)
	    sched_queue_gc(sched, q);
    }
    argv_free(names);
}

/* sched_timer_fired - a timer the core asked for */

void    sched_timer_fired(SCHED *sched, int kind, void *obj)
{
    SCHED_QUEUE *q;
    SCHED_TRANSPORT *t;

    if (kind == SCHED_TIMER_TRANSPORT) {
	sched_transport_revive(sched, (SCHED_TRANSPORT *) obj);
	return;
    }
    if (kind == SCHED_TIMER_GROUP || kind == SCHED_TIMER_GROUP_RATE) {
	sched_group_timer(sched, kind, (SCHED_GROUP *) obj);
	return;
    }
    q = obj;
    t = q->transport;
    if (q->window == SCHED_WINDOW_DEAD) {
	sched_queue_revive(sched, q);
    } else if (q->window == SCHED_WINDOW_SUSPENDED) {
	q->window = 1;
	sched_queue_ready(q);
	if (q->todo > 0)
	    sched_unblock(t);
    }
    sched_queue_gc(sched, q);
}

/* sched_flush_dead - the F trigger (§2.3): dead destinations and transports, throttles */

void    sched_flush_dead(SCHED *sched)
{
    SCHED_TRANSPORT *t;
    ARGV   *names;
    SCHED_QUEUE *q;
    size_t  i;

    for (t = sched->transports; t; t = t->next) {
	sched_transport_revive(sched, t);
	names = sched_queue_names(t);
	for (i = 0; i < names->argc; i++) {
	    if ((q = htable_find(t->queues, names->argv[i])) == NULL)
		continue;
	    if (q->window == SCHED_WINDOW_DEAD) {
		sched_queue_revive(sched, q);
		sched_queue_gc(sched, q);
	    }
	}
	argv_free(names);
    }
    sched_group_flush(sched);			/* throttles too (§10a) */
}

/* sched_active_recipients - recipients in memory */

long    sched_active_recipients(const SCHED *sched)
{
    return (sched->rcpts);
}

long    sched_queue_count(const SCHED *sched)
{
    return (sched->queues);
}

/* sched_queue_window - for tests and status; nexthop is the queue name, any case */

int     sched_queue_window(const SCHED *sched, const char *transport, const char *nexthop)
{
    SCHED_TRANSPORT *t;
    SCHED_QUEUE *q;
    char   *name;

    for (t = sched->transports; t; t = t->next)
	if (strcmp(t->name, transport) == 0)
	    break;
    if (t == NULL)
	return (-2);
    name = str_lower(mystrdup(nexthop));
    q = htable_find(t->queues, name);
    free(name);
    return (q ? q->window : -2);
}
