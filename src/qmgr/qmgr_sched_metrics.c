/*
 * qmgr_sched_metrics - the scheduler's state as Prometheus gauges
 * DESCRIPTION
 *	posthorn metrics shows what posthorn status shows, as numbers a
 *	monitoring system can graph and alert on: the active queue, and per
 *	destination its deliveries in flight, window, waiting recipients,
 *	and whether it is dead or throttled. A list relay can have tens of
 *	thousands of destinations, and a scrape must stay small and quick,
 *	so only the top N by waiting recipients are listed (ties by name,
 *	for stable series); posthorn_destinations says how many there are.
 */
#include <stdlib.h>
#include <string.h>

#include "qmgr_sched_int.h"
#include "htable.h"
#include "mymalloc.h"
#include "prom_text.h"

typedef struct SCHED_METRICS_LIST {
    const SCHED_QUEUE **q;
    size_t  n;
} SCHED_METRICS_LIST;

/* sched_metrics_collect - htable_walk: every destination */

static void sched_metrics_collect(const char *key, void *value, void *ctx)
{
    SCHED_METRICS_LIST *l = ctx;

    (void) key;
    l->q[l->n++] = value;
}

/* sched_metrics_cmp - most waiting recipients first, then by transport and name */

static int sched_metrics_cmp(const void *a, const void *b)
{
    const SCHED_QUEUE *qa = *(const SCHED_QUEUE *const *) a;
    const SCHED_QUEUE *qb = *(const SCHED_QUEUE *const *) b;
    int     c;

    if (qa->todo_rcpts != qb->todo_rcpts)
	return (qa->todo_rcpts > qb->todo_rcpts ? -1 : 1);
    if ((c = strcmp(qa->transport->name, qb->transport->name)) != 0)
	return (c);
    return (strcmp(qa->name, qb->name));
}

/* sched_metrics_throttled - suspended, or its exchanger group is under a throttle */

static int sched_metrics_throttled(const SCHED *sched, const SCHED_QUEUE *q)
{
    return (q->window == SCHED_WINDOW_SUSPENDED
	    || (q->group && q->group->throttle_action && q->group->throttle_until > sched->now));
}

/* sched_metrics_family - one gauge for every listed destination */

static void sched_metrics_family(const SCHED *sched, const SCHED_METRICS_LIST *l, size_t top,
				         DSTR *out, const char *name, const char *help, int which)
{
    const SCHED_QUEUE *q;
    double  v;
    size_t  i;

    prom_family(out, name, "gauge", help);
    for (i = 0; i < top; i++) {
	q = l->q[i];
	switch (which) {
	case 0:
	    v = q->busy;
	    break;
	case 1:
	    v = q->window > 0 ? q->window : 0;
	    break;
	case 2:
	    v = (double) q->todo_rcpts;
	    break;
	case 3:
	    v = q->window == SCHED_WINDOW_DEAD;
	    break;
	default:
	    v = sched_metrics_throttled(sched, q);
	    break;
	}
	prom_sample(out, v, name, "transport", q->transport->name, "destination", q->name, NULL);
    }
}

/* sched_metrics - see qmgr_sched.h */

void    sched_metrics(const SCHED *sched, long active_messages, size_t limit, DSTR *out)
{
    const SCHED_TRANSPORT *t;
    SCHED_METRICS_LIST l;
    size_t  top;

    prom_family(out, "posthorn_active_messages", "gauge", "Messages in the active queue");
    prom_sample(out, (double) active_messages, "posthorn_active_messages", NULL);
    prom_family(out, "posthorn_active_recipients", "gauge",
		"Recipients of active messages in the queue manager's memory");
    prom_sample(out, (double) sched->rcpts, "posthorn_active_recipients", NULL);
    prom_family(out, "posthorn_destinations", "gauge",
		"Destinations the scheduler knows (the top ones by waiting recipients are listed)");
    prom_sample(out, (double) sched->queues, "posthorn_destinations", NULL);
    for (top = 1, t = sched->transports; t; t = t->next)
	top += htable_count(t->queues);
    l.q = mymalloc(top * sizeof(*l.q));
    l.n = 0;
    for (t = sched->transports; t; t = t->next)
	htable_walk(t->queues, sched_metrics_collect, &l);
    qsort(l.q, l.n, sizeof(*l.q), sched_metrics_cmp);
    top = l.n < limit ? l.n : limit;
    sched_metrics_family(sched, &l, top, out, "posthorn_destination_concurrency",
			 "Deliveries in flight to a destination", 0);
    sched_metrics_family(sched, &l, top, out, "posthorn_destination_window",
			 "A destination's concurrency window (0: dead or suspended)", 1);
    sched_metrics_family(sched, &l, top, out, "posthorn_destination_queued_recipients",
			 "Recipients waiting for a destination in the active queue", 2);
    sched_metrics_family(sched, &l, top, out, "posthorn_destination_dead",
			 "1 when the destination is dead (not tried until its retry time)", 3);
    sched_metrics_family(sched, &l, top, out, "posthorn_destination_throttled",
			 "1 when the destination or its exchanger group is under a throttle", 4);
    free(l.q);
}
