/*
 * qmgr_sched_window - destination concurrency: feedback, dead destinations, rate delays
 * DESCRIPTION
 *	A destination starts with initial_destination_concurrency parallel
 *	deliveries and the window follows feedback (docs/scheduler.md §4):
 *	growth at the end of a run of good deliveries, shrinkage at the start
 *	of a run of bad ones, so overload is corrected fast without
 *	oscillation. The arithmetic is Postfix's to the letter (including the
 *	double decrement for feedback above 2/3), because the documented
 *	traces are the tests. Failed pseudo-cohorts up to the cohort limit
 *	make a destination dead: its mail is deferred without connecting
 *	until minimal_backoff_time has passed, a delivery in flight succeeds,
 *	or posthorn flush says so.
 */
#include <stdlib.h>
#include <string.h>

#include "qmgr_sched_int.h"
#include "conc_feedback.h"
#include "mymalloc.h"
#include "strutil.h"

/*
 * sched_feedback_parse - "1", "0.7", "a/b", "x/concurrency" (§4.2), by the
 * parser main.cf's check uses too (conc_feedback.c). On error fb is set to
 * 1, the value the caller then uses.
 */

int     sched_feedback_parse(const char *text, SCHED_FEEDBACK *fb)
{
    if (conc_feedback_parse(text, &fb->value, &fb->per_window) < 0) {
	fb->value = 1;
	fb->per_window = 0;
	return (-1);
    }
    return (0);
}

/* sched_feedback_value - per event, at the current window (§4.2) */

double  sched_feedback_value(const SCHED_FEEDBACK *fb, int window)
{
    double  v = fb->per_window ? fb->value / (window > 0 ? window : 1) : fb->value;

    return (v > 1 ? 1 : v);
}

/*
 * sched_window_grow - add positive feedback g to a window's success count;
 * the window grows by one for each whole success (§4.3). Destinations and
 * exchanger groups share this arithmetic.
 */

void    sched_window_grow(int *window, double *success, double *failure, double g)
{
    *success += g;
    while (*success + g / 2 >= 1) {
	*window += 1;
	*success -= 1;
	*failure = 0;
    }
}

/* sched_window_shrink - negative feedback f; the window stays at least 1 (§4.4) */

void    sched_window_shrink(int *window, double *success, double *failure, double f)
{
    *failure -= f;
    while (*failure - f / 2 < 0) {
	*window -= 1;
	*success = 0;
	*failure += 1;
    }
    if (*window < 1)
	*window = 1;
}

/* sched_window_init - a new or revived destination */

void    sched_window_init(SCHED_QUEUE *q)
{
    q->window = q->transport->conf.init_dest_concurrency;
    q->success = q->failure = q->fail_cohorts = 0;
}

/* sched_feedback_debug - destination_concurrency_feedback_debug */

static void sched_feedback_debug(SCHED *sched, const SCHED_QUEUE *q, const char *what)
{
    if (sched->conf.feedback_debug)
	sched_log(sched, "%s: %s: limit %d window %d success %g failure %g fail_cohorts %g",
		  q->name, what, q->transport->conf.dest_concurrency_limit, q->window,
		  q->success, q->failure, q->fail_cohorts);
}

/*
 * sched_queue_limit - the sessions a destination may have now: its window,
 * or one while its first delivery finds out its exchanger group
 * (docs/scheduler.md §10a).
 */

int     sched_queue_limit(const SCHED_QUEUE *q)
{
    return (q->discovering && q->window > 1 ? 1 : q->window);
}

/* sched_queue_selectable - ready, with room, and room in its group */

int     sched_queue_selectable(const SCHED_QUEUE *q)
{
    return (q->window > 0 && q->busy < sched_queue_limit(q)
	    && (q->group == NULL || sched_group_room(q->group) > 0));
}

/* sched_queue_revive - out of the destination status cache (§4.7) */

void    sched_queue_revive(SCHED *sched, SCHED_QUEUE *q)
{
    if (q->window != SCHED_WINDOW_DEAD)
	return;
    if (sched->ops.timer)
	sched->ops.timer(sched->ops.ctx, SCHED_TIMER_QUEUE, q, 0);
    q->dead_reason = myfree(q->dead_reason);
    q->dead_dsn = myfree(q->dead_dsn);
    q->dead_until = 0;
    if (q->busy > 0)
	q->window = q->busy;
    else
	q->window = q->transport->conf.init_dest_concurrency;
    q->success = q->failure = q->fail_cohorts = 0;
    sched_queue_ready(q);
    sched_feedback_debug(sched, q, "revived");
}

/* sched_queue_make_dead - stop delivering to a destination for a while */

static void sched_queue_make_dead(SCHED *sched, SCHED_QUEUE *q, const char *dsn,
				          const char *reason)
{
    q->window = SCHED_WINDOW_DEAD;
    q->dead_dsn = mystrdup(dsn);
    q->dead_reason = mystrdup(reason);
    q->dead_until = sched->now + sched->conf.dead_time;
    q->blocker_tag = 0;
    sched_queue_ready(q);
    if (sched->ops.timer)
	sched->ops.timer(sched->ops.ctx, SCHED_TIMER_QUEUE, q, q->dead_until);
    sched_feedback_debug(sched, q, "dead");
    sched_defer_todo(sched, q, dsn, reason);
}

/* sched_good_completion - positive feedback (§4.3); busy still counts the entry */

void    sched_good_completion(SCHED *sched, SCHED_QUEUE *q)
{
    const SCHED_TRANSPORT_CONF *c = &q->transport->conf;
    int     limit = c->dest_concurrency_limit;
    double  g;

    q->fail_cohorts = 0;
    if (q->window == SCHED_WINDOW_DEAD) {
	sched_queue_revive(sched, q);
	return;
    }
    if (q->window <= 0)
	return;					/* suspended: the timer sets it */
    if ((limit == 0 || q->window < limit) && q->window < q->busy + c->init_dest_concurrency) {
	g = sched_feedback_value(&c->pos_feedback, q->window);
	sched_window_grow(&q->window, &q->success, &q->failure, g);
	if (limit > 0 && q->window > limit)
	    q->window = limit;
	sched_queue_ready(q);
	sched_feedback_debug(sched, q, "positive feedback");
    }
}

/* sched_hop_failure - negative feedback and dead-destination detection (§4.4) */

void    sched_hop_failure(SCHED *sched, SCHED_QUEUE *q, const char *dsn, const char *reason)
{
    const SCHED_TRANSPORT_CONF *c = &q->transport->conf;
    double  f;

    if (q->window <= 0)
	return;
    q->fail_cohorts += 1.0 / q->window;
    if (c->cohort_limit > 0 && q->fail_cohorts >= c->cohort_limit) {
	sched_queue_make_dead(sched, q, dsn, reason);
	return;
    }
    f = sched_feedback_value(&c->neg_feedback, q->window);
    sched_window_shrink(&q->window, &q->success, &q->failure, f);
    sched_queue_ready(q);
    sched_feedback_debug(sched, q, "negative feedback");
}

/* sched_rate_delay_after - destination_rate_delay: pause after each delivery (§4.9) */

void    sched_rate_delay_after(SCHED *sched, SCHED_QUEUE *q)
{
    int     delay = q->transport->conf.dest_rate_delay;

    if (delay <= 0)
	return;
    if (q->window == SCHED_WINDOW_DEAD)
	sched_queue_revive(sched, q);
    if (q->window > 0) {
	q->window = SCHED_WINDOW_SUSPENDED;
	sched_queue_ready(q);
	if (sched->ops.timer)
	    sched->ops.timer(sched->ops.ctx, SCHED_TIMER_QUEUE, q, sched->now + delay);
    }
}
