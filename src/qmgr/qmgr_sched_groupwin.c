/*
 * qmgr_sched_groupwin - exchanger groups: one window and one set of throttles per provider
 * DESCRIPTION
 *	A provider counts our sessions across every domain it hosts, so the
 *	destinations of one transport whose mail goes to the same exchanger
 *	group (qmgr_sched_group.c says which) share a window beside their
 *	own: <transport>_mx_group_concurrency_limit bounds it, and it follows
 *	slow start and concurrency feedback like a destination's window.
 *	A destination whose group is not known yet gets one session until its
 *	first delivery reports the group, once the transport's agent is known
 *	to report groups at all (docs/scheduler.md §10a).
 *
 *	A provider's rate-limit reply, matched by smtp against
 *	smtp_reply_throttle_maps, throttles the group: suspend (no session
 *	until a time; what waits is deferred, due again when the suspension
 *	ends, and the group restarts at one session), concurrency (a cap for
 *	a while, then slow start from there) or rate (spacing between the
 *	starts of deliveries). Each throttle is logged once; a second reply
 *	while a throttle at least as strict is in force changes nothing.
 *
 *	A group holds back mail through transport->ready: its share is what
 *	its members could start, bounded by its room, so no agent is asked
 *	for while every destination with mail is in a full group.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qmgr_sched_int.h"
#include "mymalloc.h"
#include "msg.h"
#include "strutil.h"

#define SCHED_GROUP_NO_LIMIT	(INT_MAX / 2)
#define SCHED_GROUP_LINGER	3600	/* seconds a group without members remembers */
#define SCHED_GROUP_CEILING	3600	/* seconds a learned window ceiling lasts */

/* sched_group_room - sessions the group may still start now */

int     sched_group_room(const SCHED_GROUP *g)
{
    int     limit = g->transport->conf.group_concurrency_limit;
    int     w = limit > 0 ? g->window : SCHED_GROUP_NO_LIMIT;

    if (g->suspended || g->rate_wait)
	return (0);
    if (g->cap > 0 && g->cap < w)
	w = g->cap;
    return (w - g->busy);
}

/* sched_group_ready - recount the group's share of transport->ready */

void    sched_group_ready(SCHED_GROUP *g)
{
    SCHED_TRANSPORT *t = g->transport;
    int     room = sched_group_room(g);
    int     ready = room < g->ready_sum ? room : g->ready_sum;

    if (ready < 0)
	ready = 0;
    t->ready += ready - g->ready;
    g->ready = ready;
    /* Jobs skipped because the group was full may go on now (§6.7). */
    if (room > 0 && !g->had_room && g->ready_sum > 0)
	sched_unblock(t);
    g->had_room = room > 0;
}

/* sched_group_throttled - any throttle in force */

static int sched_group_throttled(const SCHED_GROUP *g)
{
    return (g->suspended || g->cap > 0 || g->throttle_spacing > 0);
}

/* sched_group_free_one - htable_free callback */

static void sched_group_free_one(void *value)
{
    SCHED_GROUP *g = value;

    free(g->throttle_action);
    free(g->throttle_reply);
    free(g->suspend_reason);
    free(g->name);
    free(g);
}

/* sched_group_release - forget a group nobody needs */

static void sched_group_release(SCHED *sched, SCHED_GROUP *g)
{
    if (sched->ops.timer) {
	sched->ops.timer(sched->ops.ctx, SCHED_TIMER_GROUP, g, 0);
	sched->ops.timer(sched->ops.ctx, SCHED_TIMER_GROUP_RATE, g, 0);
    }
    (void) htable_delete(g->transport->groups, g->name);
    sched_group_free_one(g);
}

/* sched_group_arm - the timer for the earliest throttle end (or the end of lingering) */

static void sched_group_arm(SCHED *sched, SCHED_GROUP *g)
{
    double  when = 0;

    if (g->suspended)
	when = g->suspend_until;
    if (g->cap > 0 && (when == 0 || g->cap_until < when))
	when = g->cap_until;
    if (g->throttle_spacing > 0 && (when == 0 || g->rate_until < when))
	when = g->rate_until;
    if (when == 0 && g->nmembers == 0)
	when = g->linger_until;
    if (sched->ops.timer)
	sched->ops.timer(sched->ops.ctx, SCHED_TIMER_GROUP, g, when);
}

/*
 * sched_group_maybe_release - a group without members goes, unless it has
 * something to remember: a throttle in force, a window below where a new
 * group starts (after a suspension the mail it deferred comes back to one
 * session, not to a fresh group), or a ceiling. That memory lingers for
 * SCHED_GROUP_LINGER seconds at most.
 */
static void sched_group_maybe_release(SCHED *sched, SCHED_GROUP *g)
{
    int     remembers;

    if (g->nmembers > 0 || sched_group_throttled(g))
	return;
    remembers = g->window < g->transport->group_init
	|| (g->ceiling > 0 && g->ceiling_until > sched->now);
    if (!remembers || (g->linger_until > 0 && g->linger_until <= sched->now)) {
	sched_group_release(sched, g);
    } else if (g->linger_until == 0) {
	g->linger_until = sched->now + SCHED_GROUP_LINGER;
	sched_group_arm(sched, g);
    }
}

/* sched_group_get - the transport's group of that name, made when missing */

static SCHED_GROUP *sched_group_get(SCHED_TRANSPORT *t, const char *name)
{
    SCHED_GROUP *g;

    if (t->groups == NULL)
	t->groups = htable_new(16);
    if ((g = htable_find(t->groups, name)) == NULL) {
	g = mycalloc(1, sizeof(*g));
	g->name = mystrdup(name);
	g->transport = t;
	g->window = t->group_init;
	g->had_room = 1;
	htable_enter(t->groups, name, g);
    }
    return (g);
}

/* sched_group_join - q becomes a member of g; its sessions and ready count move along */

static void sched_group_join(SCHED *sched, SCHED_QUEUE *q, SCHED_GROUP *g)
{
    SCHED_TRANSPORT *t = q->transport;

    if (g->linger_until > 0) {			/* wanted again */
	g->linger_until = 0;
	sched_group_arm(sched, g);
    }
    t->ready -= q->ready;			/* now counted through the group */
    q->group = g;
    q->group_prev = NULL;
    q->group_next = g->members;
    if (g->members)
	g->members->group_prev = q;
    g->members = q;
    g->nmembers++;
    g->busy += q->busy;
    g->ready_sum += q->ready;
    q->discovering = 0;
    sched_group_ready(g);
}

/* sched_group_leave - q leaves its group, taking its counts back */

static void sched_group_leave(SCHED_QUEUE *q)
{
    SCHED_GROUP *g = q->group;

    if (q->group_prev)
	q->group_prev->group_next = q->group_next;
    else
	g->members = q->group_next;
    if (q->group_next)
	q->group_next->group_prev = q->group_prev;
    q->group_next = q->group_prev = NULL;
    g->nmembers--;
    g->busy -= q->busy;
    g->ready_sum -= q->ready;
    q->group = NULL;
    sched_group_ready(g);
    q->transport->ready += q->ready;
}

/* sched_group_attach - join (or move to) the group the cache names for q */

int     sched_group_attach(SCHED *sched, SCHED_QUEUE *q)
{
    const char *name = sched_group_of(sched, q->nexthop);
    SCHED_GROUP *old = q->group;

    if (name == NULL || (old && strcmp(old->name, name) == 0))
	return (old != NULL);
    if (old) {
	sched_group_leave(q);
	sched_group_maybe_release(sched, old);
    }
    sched_group_join(sched, q, sched_group_get(q->transport, name));
    return (1);
}

/* sched_group_detach - q is being deleted */

void    sched_group_detach(SCHED *sched, SCHED_QUEUE *q)
{
    SCHED_GROUP *g = q->group;

    if (g == NULL)
	return;
    sched_group_leave(q);
    sched_group_maybe_release(sched, g);
}

/* sched_group_spacing - seconds between two delivery starts; 0 none */

double  sched_group_spacing(const SCHED_GROUP *g)
{
    double  conf = g->transport->conf.group_rate_delay;

    return (g->throttle_spacing > conf ? g->throttle_spacing : conf);
}

/* sched_group_started - a delivery to the group started: space the next one */

void    sched_group_started(SCHED *sched, SCHED_GROUP *g)
{
    double  spacing = sched_group_spacing(g);

    if (spacing <= 0)
	return;
    g->rate_wait = 1;
    if (sched->ops.timer)
	sched->ops.timer(sched->ops.ctx, SCHED_TIMER_GROUP_RATE, g, sched->now + spacing);
    sched_group_ready(g);
}

/* sched_group_feedback - slow start and feedback, as for a destination (§4) */

void    sched_group_feedback(SCHED *sched, SCHED_GROUP *g, int good)
{
    const SCHED_TRANSPORT_CONF *c = &g->transport->conf;
    int     limit = c->group_concurrency_limit;

    if (limit <= 0 || g->suspended)
	return;					/* a suspension restarts it anyway */
    if (g->cap > 0 && g->cap < limit)
	limit = g->cap;				/* no growth beyond a throttle's cap */
    if (g->ceiling > 0 && g->ceiling_until > sched->now && g->ceiling < limit)
	limit = g->ceiling;			/* nor back to what was throttled */
    if (good) {
	if (g->window < limit && g->window < g->busy + c->init_dest_concurrency)
	    sched_window_grow(&g->window, &g->success, &g->failure,
			      sched_feedback_value(&c->pos_feedback, g->window));
	if (g->window > limit)
	    g->window = limit;
    } else {
	sched_window_shrink(&g->window, &g->success, &g->failure,
			    sched_feedback_value(&c->neg_feedback, g->window));
    }
    if (sched->conf.feedback_debug)
	sched_log(sched, "group %s: %s feedback: limit %d window %d busy %d",
		  g->name, good ? "positive" : "negative", limit, g->window, g->busy);
    sched_group_ready(g);
}

/* sched_group_restart - after a suspension: one session, then slow start */

static void sched_group_restart(SCHED_GROUP *g)
{
    g->window = 1;
    g->success = g->failure = 0;
}

/* sched_group_timer - a throttle or a rate spacing ended */

void    sched_group_timer(SCHED *sched, int kind, SCHED_GROUP *g)
{
    int     resumed = 0;

    if (kind == SCHED_TIMER_GROUP_RATE) {
	g->rate_wait = 0;
	sched_group_ready(g);
	return;
    }
    if (g->suspended && g->suspend_until <= sched->now) {
	g->suspended = 0;
	sched_group_restart(g);
	resumed = 1;
	sched_log(sched, "exchanger group %s (%s): suspension ended, resuming with one session",
		  g->name, g->transport->name);
    }
    if (g->cap > 0 && g->cap_until <= sched->now) {
	g->cap = 0;
	sched_log(sched, "exchanger group %s (%s): concurrency cap ended at window %d",
		  g->name, g->transport->name, g->window);
    }
    if (g->throttle_spacing > 0 && g->rate_until <= sched->now) {
	g->throttle_spacing = 0;
	sched_log(sched, "exchanger group %s (%s): rate throttle ended",
		  g->name, g->transport->name);
    }
    sched_group_arm(sched, g);
    sched_group_ready(g);
    if (resumed && sched->ops.throttle_ended)
	sched->ops.throttle_ended(sched->ops.ctx);
    sched_group_maybe_release(sched, g);
}

/* sched_group_lift - posthorn flush: every throttle of g ends now, its ceiling too */

static void sched_group_lift(const char *key, void *value, void *ctx)
{
    SCHED_GROUP *g = value;
    SCHED  *sched = ctx;

    (void) key;
    if (!sched_group_throttled(g))
	return;
    sched_log(sched, "exchanger group %s (%s): %s lifted by posthorn flush",
	      g->name, g->transport->name, g->throttle_action ? g->throttle_action : "throttle");
    if (g->suspended)
	sched_group_restart(g);
    g->suspended = 0;
    g->cap = 0;
    g->ceiling = 0;				/* the administrator knows better */
    g->throttle_spacing = 0;
    sched_group_arm(sched, g);
    sched_group_ready(g);
}

/* sched_group_flush - the F trigger lifts every throttle */

void    sched_group_flush(SCHED *sched)
{
    SCHED_TRANSPORT *t;
    ARGV   *names;
    SCHED_GROUP *g;
    size_t  i;

    for (t = sched->transports; t; t = t->next) {
	if (t->groups == NULL)
	    continue;
	htable_walk(t->groups, sched_group_lift, sched);
	names = sched_table_keys(t->groups);
	for (i = 0; i < names->argc; i++)
	    if ((g = htable_find(t->groups, names->argv[i])) != NULL)
		sched_group_maybe_release(sched, g);
	argv_free(names);
    }
}

/* sched_group_time - a time for a log line, UTC */

static const char *sched_group_time(double when, char *buf, size_t len)
{
    time_t  tt = (time_t) when;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
	(void) snprintf(buf, len, "%ld", (long) when);
    return (buf);
}

/* sched_group_suspend_members - defer what the members hold; due when it ends */

static void sched_group_suspend_members(SCHED *sched, SCHED_GROUP *g, const char *reason)
{
    SCHED_QUEUE **list = mymalloc((size_t) (g->nmembers + 1) * sizeof(*list));
    SCHED_QUEUE *q;
    int     n = 0;
    int     i;

    /* Deferring may finalize messages whose next reads land here: pin first. */
    for (q = g->members; q; q = q->group_next) {
	q->pinned++;
	list[n++] = q;
    }
    for (i = 0; i < n; i++)
	sched_defer_todo(sched, list[i], "4.7.0", reason);
    for (i = 0; i < n; i++) {
	list[i]->pinned--;
	sched_queue_gc(sched, list[i]);
    }
    free(list);
}

/* sched_group_stricter - would the action tighten what is in force? */

static int sched_group_stricter(const SCHED_GROUP *g, const THROTTLE_ACTION *act)
{
    switch (act->kind) {
    case THROTTLE_SUSPEND:
	return (!g->suspended);
    case THROTTLE_CONCURRENCY:
	return (!g->suspended && (g->cap == 0 || act->limit < g->cap));
    case THROTTLE_RATE:
	return (!g->suspended && (double) act->per / act->limit > g->throttle_spacing);
    default:
	return (0);
    }
}

/* sched_group_throttle - a provider's rate-limit reply: throttle the group */

int     sched_group_throttle(SCHED *sched, SCHED_ENTRY *e, const THROTTLE_ACTION *act,
			             const char *reply)
{
    SCHED_QUEUE *q = e->queue;
    SCHED_GROUP *g;
    DSTR   *text;
    double  until = sched->now + act->duration;
    char    when[40];
    int     ceiling;

    if (!sched_group_attach(sched, q))
	sched_group_join(sched, q, sched_group_get(q->transport, q->nexthop));
    g = q->group;
    if (!sched_group_stricter(g, act))
	return (0);
    /*
     * The provider objected at this many sessions: after the throttle the
     * window grows back only to half of it, for an hour (as a TCP sender
     * halves its threshold where it met congestion). A limit on sessions
     * or on messages per second is thus found in a few throttles, and the
     * group settles below it instead of hitting it again and again.
     */
    if (act->kind != THROTTLE_RATE) {
	ceiling = g->busy > 1 ? g->busy / 2 : 1;
	if (g->ceiling == 0 || g->ceiling_until <= sched->now || ceiling < g->ceiling)
	    g->ceiling = ceiling;
	g->ceiling_until = sched->now + SCHED_GROUP_CEILING;
    }
    text = dstr_new(64);
    throttle_action_format(act, text);
    free(g->throttle_action);
    free(g->throttle_reply);
    g->throttle_action = mystrdup(dstr_str(text));
    g->throttle_reply = mystrdup(reply);
    g->throttle_until = until;
    sched_log(sched, "exchanger group %s (%s): %s until %s after \"%s\" from %s"
	      " (window at most %d for %ds)", g->name, g->transport->name, dstr_str(text),
	      sched_group_time(until, when, sizeof(when)), reply, q->nexthop,
	      g->ceiling > 0 ? g->ceiling : g->window, SCHED_GROUP_CEILING);
    switch (act->kind) {
    case THROTTLE_SUSPEND:
	g->suspended = 1;
	g->suspend_until = until;
	sched_group_restart(g);			/* what status shows meanwhile, too */
	dstr_sprintf(text, "delivery temporarily suspended until %s: exchanger group %s "
		     "throttled after \"%s\"", when, g->name, reply);
	free(g->suspend_reason);
	g->suspend_reason = mystrdup(dstr_str(text));
	sched_group_arm(sched, g);
	sched_group_ready(g);
	sched_group_suspend_members(sched, g, g->suspend_reason);
	break;
    case THROTTLE_CONCURRENCY:
	g->cap = act->limit;
	g->cap_until = until;
	if (g->window > g->cap)
	    g->window = g->cap;			/* slow start from the cap, after */
	sched_group_arm(sched, g);
	sched_group_ready(g);
	break;
    case THROTTLE_RATE:
	g->throttle_spacing = (double) act->per / act->limit;
	g->rate_until = until;
	sched_group_arm(sched, g);
	sched_group_ready(g);
	break;
    }
    dstr_free(text);
    return (1);
}

/* sched_entry_group_unknown - should the agent ask before connecting? */

int     sched_entry_group_unknown(const SCHED_ENTRY *e)
{
    return (e->queue->group == NULL && e->queue->transport->conf.group_concurrency_limit > 0);
}

/* sched_entry_admit - a delivery whose group the agent just found: go on? */

int     sched_entry_admit(SCHED *sched, SCHED_ENTRY *e)
{
    SCHED_QUEUE *q = e->queue;
    SCHED_GROUP *g;
    int     limit;

    if (sched_group_attach(sched, q))
	q->transport->groups_seen = 1;
    q->discovering = 0;
    if ((g = q->group) == NULL)
	return (1);
    if (g->suspended)
	return (0);
    /* The window, not the rate spacing: this delivery has started already. */
    limit = g->transport->conf.group_concurrency_limit > 0 ? g->window : INT_MAX;
    if (g->cap > 0 && g->cap < limit)
	limit = g->cap;
    return (g->busy <= limit);
}

/* sched_entry_retry_at - the end of the suspension of e's group, or 0 */

double  sched_entry_retry_at(const SCHED_ENTRY *e)
{
    const SCHED_GROUP *g = e->queue->group;

    return (g && g->suspended ? g->suspend_until : 0);
}

/* sched_group_info - a group as status and the tests see it */

int     sched_group_info(const SCHED *sched, const char *transport, const char *group,
			         SCHED_GROUP_INFO *info)
{
    const SCHED_TRANSPORT *t;
    const SCHED_GROUP *g;

    for (t = sched->transports; t; t = t->next)
	if (strcmp(t->name, transport) == 0)
	    break;
    if (t == NULL || t->groups == NULL || (g = htable_find(t->groups, group)) == NULL)
	return (-1);
    info->members = g->nmembers;
    info->busy = g->busy;
    info->window = g->window;
    info->suspended = g->suspended;
    info->cap = g->cap;
    info->spacing = sched_group_spacing(g);
    info->ceiling = g->ceiling_until > sched->now ? g->ceiling : 0;
    return (0);
}

/* sched_groups_free - the transport goes (sched_free) */

void    sched_groups_free(SCHED_TRANSPORT *t)
{
    if (t->groups)
	htable_free(t->groups, sched_group_free_one);
    t->groups = NULL;
}
