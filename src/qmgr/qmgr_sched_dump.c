/*
 * qmgr_sched_dump - the live scheduler state as JSON (posthorn status -j) or text
 * DESCRIPTION
 *	What Postfix's nqmgr never shows: per transport and destination the
 *	concurrency in use, the window, waiting recipients and dead state,
 *	and per job its slot counters. Built from the in-memory state only,
 *	so it is cheap enough to ask for at any time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmgr_sched_int.h"
#include "json.h"
#include "mymalloc.h"

typedef struct SCHED_DUMP {
    DSTR   *out;
    int     first;
    const SCHED *sched;
} SCHED_DUMP;

/* sched_dump_time - Unix seconds or null */

static void sched_dump_time(DSTR *out, double when)
{
    if (when > 0)
	dstr_printf(out, "%ld", (long) when);
    else
	dstr_cats(out, "null");
}

/* sched_dump_queue - one destination */

static void sched_dump_queue(const char *key, void *value, void *ctx)
{
    SCHED_DUMP *d = ctx;
    SCHED_QUEUE *q = value;
    const char *group;

    (void) key;
    dstr_cats(d->out, d->first ? "{\"name\": " : ", {\"name\": ");
    d->first = 0;
    json_str(d->out, q->name);
    dstr_cats(d->out, ", \"nexthop\": ");
    json_str(d->out, q->nexthop);
    dstr_printf(d->out, ", \"concurrency\": %d, \"window\": %d, \"pending_recipients\": %ld, "
		"\"todo_entries\": %d, \"state\": \"%s\", \"feedback_positive\": %g, "
		"\"feedback_negative\": %g, "
		"\"fail_cohorts\": %g, \"dead\": %s, \"dead_until\": ", q->busy,
		q->window > 0 ? q->window : 0, q->todo_rcpts, q->todo,
		q->window > 0 ? "ready" : q->window == SCHED_WINDOW_DEAD ? "dead" : "suspended",
		q->success, q->failure, q->fail_cohorts,
		q->window == SCHED_WINDOW_DEAD ? "true" : "false");
    sched_dump_time(d->out, q->window == SCHED_WINDOW_DEAD ? q->dead_until : 0);
    dstr_cats(d->out, ", \"mx_group\": ");
    if ((group = sched_group_peek(d->sched, q->nexthop)) != NULL)
	json_str(d->out, group);
    else
	dstr_cats(d->out, "null");
    if (q->dead_reason) {
	dstr_cats(d->out, ", \"reason\": ");
	json_str(d->out, q->dead_reason);
    }
    dstr_catc(d->out, '}');
}

/* sched_dump_group_state - "ready", "full", "suspended" or "rate-delayed" */

static const char *sched_dump_group_state(const SCHED_GROUP *g)
{
    return (g->suspended ? "suspended" : g->rate_wait ? "rate-delayed" :
	    sched_group_room(g) > 0 ? "ready" : "full");
}

/* sched_dump_group - one exchanger group (§10a) */

static void sched_dump_group(const char *key, void *value, void *ctx)
{
    SCHED_DUMP *d = ctx;
    const SCHED_GROUP *g = value;

    (void) key;
    dstr_cats(d->out, d->first ? "{\"name\": " : ", {\"name\": ");
    d->first = 0;
    json_str(d->out, g->name);
    dstr_printf(d->out, ", \"members\": %d, \"concurrency\": %d, \"window\": %d, "
		"\"limit\": %d, \"state\": \"%s\", \"cap\": %d, \"ceiling\": %d, "
		"\"spacing\": %g, \"throttle\": ", g->nmembers, g->busy, g->window,
		g->transport->conf.group_concurrency_limit, sched_dump_group_state(g),
		g->cap, g->ceiling_until > d->sched->now ? g->ceiling : 0,
		sched_group_spacing(g));
    if (g->throttle_action && g->throttle_until > d->sched->now) {
	dstr_cats(d->out, "{\"action\": ");
	json_str(d->out, g->throttle_action);
	dstr_cats(d->out, ", \"reply\": ");
	json_str(d->out, g->throttle_reply ? g->throttle_reply : "");
	dstr_cats(d->out, ", \"until\": ");
	sched_dump_time(d->out, g->throttle_until);
	dstr_catc(d->out, '}');
    } else {
	dstr_cats(d->out, "null");
    }
    dstr_catc(d->out, '}');
}

/* sched_dump_job - one job on the scheduler list */

static void sched_dump_job(DSTR *out, const SCHED_JOB *job, int first)
{
    dstr_cats(out, first ? "{\"queue_id\": " : ", {\"queue_id\": ");
    json_str(out, job->message->id ? job->message->id : "");
    dstr_printf(out, ", \"pending_recipients\": %ld, \"slots\": %ld, \"slots_used\": %ld, "
		"\"read_entries\": %ld, \"max_entries\": %ld, \"selected_entries\": %ld, "
		"\"unread_recipients\": %ld, \"level\": %d, \"blocker\": %s, \"current\": %s}",
		job->rcpt_count, job->slots_available, job->slots_used, job->read_entries,
		job->read_entries + job->message->rcpt_unread, job->selected_entries,
		job->message->rcpt_unread, job->level,
		sched_job_is_blocker(job) ? "true" : "false",
		job == job->transport->current ? "true" : "false");
}

/* sched_dump_json_head - the counts both JSON forms start with */

static void sched_dump_json_head(const SCHED *sched, long active_messages, DSTR *out)
{
    dstr_printf(out, "{\"active_messages\": %ld, \"active_recipients\": %ld, "
		"\"active_recipients_peak\": %ld, \"destinations\": %ld, "
		"\"mx_groups_known\": %ld, \"transports\": [",
		active_messages, sched->rcpts, sched->rcpts_peak, sched->queues,
		sched_group_count(sched));
}

/* sched_dump_json - everything */

void    sched_dump_json(const SCHED *sched, long active_messages, DSTR *out)
{
    const SCHED_TRANSPORT *t;
    const SCHED_JOB *job;
    SCHED_DUMP d;
    int     first_t = 1;

    sched_dump_json_head(sched, active_messages, out);
    for (t = sched->transports; t; t = t->next) {
	dstr_cats(out, first_t ? "{\"name\": " : ", {\"name\": ");
	first_t = 0;
	json_str(out, t->name);
	dstr_printf(out, ", \"dead\": %s, \"dead_until\": ", t->dead ? "true" : "false");
	sched_dump_time(out, t->dead ? t->dead_until : 0);
	dstr_printf(out, ", \"rate_locked\": %s, \"pending_agents\": %d, "
		    "\"recipient_pool\": %ld, \"destinations\": [",
		    t->rate_locked ? "true" : "false", t->pending, t->pool);
	d.out = out;
	d.first = 1;
	d.sched = sched;
	htable_walk(t->queues, sched_dump_queue, &d);
	dstr_cats(out, "], \"groups\": [");
	d.first = 1;
	if (t->groups)
	    htable_walk(t->groups, sched_dump_group, &d);
	dstr_cats(out, "], \"jobs\": [");
	for (job = t->jobs_head; job; job = job->next)
	    sched_dump_job(out, job, job == t->jobs_head);
	dstr_cats(out, "]}");
    }
    dstr_cats(out, "]}");
}

/* sched_dump_text_queue - collect destinations for sorting */

typedef struct SCHED_DUMP_LIST {
    const void **item;
    size_t  n;
} SCHED_DUMP_LIST;

/* sched_dump_collect - htable_walk callback: every value into the list */

static void sched_dump_collect(const char *key, void *value, void *ctx)
{
    SCHED_DUMP_LIST *l = ctx;

    (void) key;
    l->item[l->n++] = value;
}

static int sched_dump_cmp(const void *a, const void *b)
{
    return (strcmp((*(const SCHED_QUEUE *const *) a)->name,
		   (*(const SCHED_QUEUE *const *) b)->name));
}

/* sched_dump_busiest_cmp - most waiting recipients first, then by name */

static int sched_dump_busiest_cmp(const void *a, const void *b)
{
    const SCHED_QUEUE *qa = *(const SCHED_QUEUE *const *) a;
    const SCHED_QUEUE *qb = *(const SCHED_QUEUE *const *) b;

    if (qa->todo_rcpts != qb->todo_rcpts)
	return (qa->todo_rcpts > qb->todo_rcpts ? -1 : 1);
    return (strcmp(qa->name, qb->name));
}

/* sched_dump_summary_transport - counts, and the busiest destinations */

static void sched_dump_summary_transport(const SCHED *sched, const SCHED_TRANSPORT *t,
					         size_t limit, DSTR *out)
{
    SCHED_DUMP_LIST l;
    SCHED_DUMP d;
    const SCHED_JOB *job;
    long    jobs = 0;
    size_t  i;

    for (job = t->jobs_head; job; job = job->next)
	jobs++;
    json_str(out, t->name);
    dstr_printf(out, ", \"dead\": %s, \"rate_locked\": %s, \"pending_agents\": %d, "
		"\"recipient_pool\": %ld, \"destinations\": %ld, \"groups\": %ld, "
		"\"jobs\": %ld, \"busiest\": [", t->dead ? "true" : "false",
		t->rate_locked ? "true" : "false", t->pending, t->pool,
		(long) htable_count(t->queues), t->groups ? (long) htable_count(t->groups) : 0L,
		jobs);
    l.item = mymalloc((htable_count(t->queues) + 1) * sizeof(*l.item));
    l.n = 0;
    htable_walk(t->queues, sched_dump_collect, &l);
    qsort(l.item, l.n, sizeof(*l.item), sched_dump_busiest_cmp);
    d.out = out;
    d.first = 1;
    d.sched = sched;
    for (i = 0; i < l.n && i < limit; i++)
	sched_dump_queue(NULL, (void *) l.item[i], &d);
    free(l.item);
    dstr_cats(out, "]}");
}

/* sched_dump_json_summary - see qmgr_sched.h */

void    sched_dump_json_summary(const SCHED *sched, long active_messages, size_t limit,
				        DSTR *out)
{
    const SCHED_TRANSPORT *t;

    sched_dump_json_head(sched, active_messages, out);
    for (t = sched->transports; t; t = t->next) {
	dstr_cats(out, t == sched->transports ? "{\"name\": " : ", {\"name\": ");
	sched_dump_summary_transport(sched, t, limit, out);
    }
    dstr_cats(out, "]}");
}

/* sched_dump_text_queue - one line per destination */

static void sched_dump_text_queue(const SCHED *sched, const SCHED_QUEUE *q, DSTR *out)
{
    dstr_printf(out, "  %-40s ", q->name);
    if (q->window == SCHED_WINDOW_DEAD)
	dstr_printf(out, "dead, retry in %lds: %s\n",
		    (long) (q->dead_until > sched->now ? q->dead_until - sched->now : 0),
		    q->dead_reason ? q->dead_reason : "");
    else
	dstr_printf(out, "%-9s %4d/%-4d %8ld\n", q->window > 0 ? "ready" : "suspended",
		    q->busy, q->window > 0 ? q->window : 1, q->todo_rcpts);
}

/* sched_dump_group_cmp - groups by name */

static int sched_dump_group_cmp(const void *a, const void *b)
{
    return (strcmp((*(const SCHED_GROUP *const *) a)->name,
		   (*(const SCHED_GROUP *const *) b)->name));
}

/* sched_dump_text_groups - one line per exchanger group, with its throttle */

static void sched_dump_text_groups(const SCHED *sched, const SCHED_TRANSPORT *t, DSTR *out)
{
    SCHED_DUMP_LIST l;
    const SCHED_GROUP *g;
    size_t  i;

    l.item = mymalloc(htable_count(t->groups) * sizeof(*l.item));
    l.n = 0;
    htable_walk(t->groups, sched_dump_collect, &l);
    qsort(l.item, l.n, sizeof(*l.item), sched_dump_group_cmp);
    dstr_printf(out, "  %-40s %-12s %9s %7s\n", "exchanger group", "state", "busy/wind",
		"members");
    for (i = 0; i < l.n; i++) {
	g = l.item[i];
	dstr_printf(out, "  %-40s %-12s %4d/%-4d %7d", g->name, sched_dump_group_state(g),
		    g->busy, g->window, g->nmembers);
	if (g->throttle_action && g->throttle_until > sched->now)
	    dstr_printf(out, "  %s, %lds left: %s", g->throttle_action,
			(long) (g->throttle_until - sched->now), g->throttle_reply);
	dstr_catc(out, '\n');
    }
    free(l.item);
}

/* sched_dump_text - the same state, for a person (posthorn status) */

void    sched_dump_text(const SCHED *sched, long active_messages, DSTR *out)
{
    const SCHED_TRANSPORT *t;
    const SCHED_JOB *job;
    SCHED_DUMP_LIST l;
    long    jobs;
    size_t  i;

    dstr_printf(out, "active queue: %ld messages, %ld recipients in memory (at most %ld so far)\n",
		active_messages, sched->rcpts, sched->rcpts_peak);
    for (t = sched->transports; t; t = t->next) {
	for (jobs = 0, job = t->jobs_head; job; job = job->next)
	    jobs++;
	dstr_printf(out, "transport %s: %ld destinations, %ld messages scheduled, "
		    "%d agents asked for, %ld recipient slots free", t->name,
		    (long) htable_count(t->queues), jobs, t->pending, t->pool);
	if (t->rate_locked)
	    dstr_cats(out, ", rate-locked");
	if (t->dead)
	    dstr_printf(out, ", dead, retry in %lds: %s",
			(long) (t->dead_until > sched->now ? t->dead_until - sched->now : 0),
			t->dead_reason ? t->dead_reason : "");
	dstr_catc(out, '\n');
	if (htable_count(t->queues) == 0)
	    continue;
	dstr_printf(out, "  %-40s %-9s %9s %8s\n", "destination", "state", "busy/wind", "waiting");
	l.item = mymalloc(htable_count(t->queues) * sizeof(*l.item));
	l.n = 0;
	htable_walk(t->queues, sched_dump_collect, &l);
	qsort(l.item, l.n, sizeof(*l.item), sched_dump_cmp);
	for (i = 0; i < l.n; i++)
	    sched_dump_text_queue(sched, l.item[i], out);
	free(l.item);
	if (t->groups && htable_count(t->groups) > 0)
	    sched_dump_text_groups(sched, t, out);
    }
}
