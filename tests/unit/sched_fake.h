/*
 * sched_fake - an injected clock, fake delivery agents and fake queue files
 *	for the scheduling core's unit tests (check_qmgr_sched*.c)
 * DESCRIPTION
 *	Plays qmgr's part around src/qmgr/qmgr_sched*.c: it sets the time,
 *	keeps the timers the core arms and fires them when the clock passes
 *	them, reads recipients from an in-memory "queue file" when the core
 *	asks for a refill, reads on or frees a message when it goes idle (as
 *	qmgr_message_idle does), and records every deferral without delivery.
 *	Delivery agents are the test itself: it asks for an agent
 *	(sched_next_transport, sched_agent_asked, sched_agent_settled), takes
 *	an entry (sched_select) and reports (sched_entry_done) when it likes.
 *
 *	The tests look inside the core through qmgr_sched_int.h where the
 *	public API has no observer (recipient pools, job slot counters).
 *	Each check_qmgr_sched*.c includes it once: every function is static.
 */
#ifndef SCHED_FAKE_H
#define SCHED_FAKE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmgr/qmgr_sched.h"
#include "qmgr/qmgr_sched_int.h"

#define FAKE_FN		static __attribute__((unused))

 /*
  * An assertion for hot loops: Check's ck_assert records every passing
  * assertion with a write(2), which makes long simulations slow.
  */
#define FAKE_CHECK(expr) do { \
	if (!(expr)) \
	    ck_abort_msg("%s:%d: assertion failed: %s", __FILE__, __LINE__, #expr); \
    } while (0)

#define FAKE_MSGS	400		/* messages one test may create */
#define FAKE_TIMERS	64
#define FAKE_READS	2000		/* refills remembered */
#define FAKE_BUSY	512		/* entries in the agents' hands */

typedef struct FAKE_RCPT {
    char    transport[32];
    char    nexthop[64];
    char    address[96];
} FAKE_RCPT;

/* A message: the core's part, and the recipients still "in the file". */
typedef struct FAKE_MSG {
    SCHED_MESSAGE sm;
    char    id[16];
    char    letter;			/* its name in selection strings */
    FAKE_RCPT *rcpt;			/* every recipient of the file */
    int     nrcpt;
    int     cap;
    int     nread;			/* how many the core has been given */
    int     idle_calls;
    int     deferred;			/* recipients deferred without delivery */
    int     finished;			/* sched_message_free has been called */
    int     held;			/* idle: finalize without reading on */
    int     jobs_settled;		/* at the final idle every job had 0 slots */
    int     live;			/* scratch: entries found on the queues */
} FAKE_MSG;

typedef struct FAKE_TIMER {
    int     kind;
    void   *obj;
    double  when;
} FAKE_TIMER;

typedef struct FAKE_READ {
    double  now;
    double  since;			/* now - last_refill */
    long    free_slots;			/* message rcpt_limit - rcpt_count */
    long    limit;			/* what the core asked for */
} FAKE_READ;

static struct {
    SCHED  *s;
    SCHED_CONF conf;
    SCHED_TRANSPORT_CONF tconf;		/* every transport without its own */
    char    own_name[4][32];		/* transports with their own settings */
    SCHED_TRANSPORT_CONF own[4];
    int     nown;
    double  now;
    FAKE_TIMER timers[FAKE_TIMERS];
    int     ntimers;
    FAKE_MSG *msgs[FAKE_MSGS];
    int     nmsgs;
    SCHED_ENTRY *busy[FAKE_BUSY];	/* selected, not reported yet */
    int     nbusy;
    int     defers;			/* defer_entry calls */
    long    defer_rcpts;
    char    defer_dsn[32];
    char    defer_reason[256];
    char    defer_nexthop[128];
    FAKE_READ reads[FAKE_READS];
    int     nreads;
    int     logs;
    char    last_log[512];
    int     throttle_ends;		/* throttle_ended calls */
    double  defer_retry_at;		/* sched_entry_retry_at of the last deferral */
} fake;

/* fake_set_now - the injected clock */

FAKE_FN void fake_set_now(double now)
{
    fake.now = now;
    if (fake.s)
	sched_set_now(fake.s, now);
}

/* fake_timer_when - when the timer of obj fires, 0 if none is armed */

FAKE_FN double fake_timer_when(int kind, const void *obj)
{
    int     i;

    for (i = 0; i < fake.ntimers; i++)
	if (fake.timers[i].kind == kind && fake.timers[i].obj == obj)
	    return (fake.timers[i].when);
    return (0);
}

/* fake_timer - SCHED_OPS timer: arm (when > 0) or cancel (when == 0) */

static void fake_timer(void *ctx, int kind, void *obj, double when)
{
    int     i;

    (void) ctx;
    for (i = 0; i < fake.ntimers; i++) {
	if (fake.timers[i].kind == kind && fake.timers[i].obj == obj) {
	    fake.timers[i] = fake.timers[--fake.ntimers];
	    break;
	}
    }
    if (when > 0) {
	FAKE_CHECK(fake.ntimers < FAKE_TIMERS);
	fake.timers[fake.ntimers].kind = kind;
	fake.timers[fake.ntimers].obj = obj;
	fake.timers[fake.ntimers].when = when;
	fake.ntimers++;
    }
}

/* fake_advance - move the clock to until, firing due timers in time order */

FAKE_FN void fake_advance(double until)
{
    FAKE_TIMER due;
    int     best;
    int     i;

    for (;;) {
	best = -1;
	for (i = 0; i < fake.ntimers; i++)
	    if (fake.timers[i].when <= until
		&& (best < 0 || fake.timers[i].when < fake.timers[best].when))
		best = i;
	if (best < 0)
	    break;
	due = fake.timers[best];
	fake.timers[best] = fake.timers[--fake.ntimers];
	if (due.when > fake.now)
	    fake_set_now(due.when);
	sched_timer_fired(fake.s, due.kind, due.obj);
    }
    fake_set_now(until);
}

/* fake_read - give the core up to limit more recipients of m, then end the read */

FAKE_FN long fake_read(FAKE_MSG *m, long limit)
{
    long    n = 0;
    FAKE_RCPT *r;

    while (n < limit && m->nread < m->nrcpt) {
	r = m->rcpt + m->nread;
	sched_add_rcpt(fake.s, &m->sm, r->transport, r->nexthop, r->address, 100L + m->nread);
	m->nread++;
	n++;
    }
    sched_read_done(fake.s, &m->sm, m->nrcpt - m->nread);
    return (n);
}

/* fake_read_more - SCHED_OPS read_more: a refill, remembered for the tests */

static void fake_read_more(void *ctx, SCHED_MESSAGE *sm, long limit)
{
    FAKE_MSG *m = sm->owner;
    FAKE_READ *r;

    (void) ctx;
    FAKE_CHECK(fake.nreads < FAKE_READS);
    r = fake.reads + fake.nreads++;
    r->now = fake.now;
    r->since = fake.now - sm->last_refill;
    r->free_slots = sm->rcpt_limit - sm->rcpt_count;
    r->limit = limit;
    (void) fake_read(m, limit);
}

/* fake_jobs_settled - every job of the message holds no recipient slot */

static int fake_jobs_settled(const SCHED_MESSAGE *sm)
{
    const SCHED_JOB *job;

    for (job = sm->jobs; job; job = job->msg_next)
	if (job->rcpt_limit != 0 || job->rcpt_count != 0)
	    return (0);
    return (1);
}

/* fake_idle - SCHED_OPS message_idle: read on, or finalize (qmgr_message_idle) */

static void fake_idle(void *ctx, SCHED_MESSAGE *sm)
{
    FAKE_MSG *m = sm->owner;
    long    limit;

    (void) ctx;
    FAKE_CHECK(sm->refcount == 0);
    FAKE_CHECK(m->finished == 0);
    m->idle_calls++;
    while (!m->held && m->nread < m->nrcpt) {
	limit = sched_read_limit(fake.s, sm, 0);
	(void) fake_read(m, limit > 0 ? limit : 1);
	if (sm->refcount > 0)
	    return;
    }
    m->jobs_settled = fake_jobs_settled(sm);
    m->finished = 1;
    sched_message_free(fake.s, sm);
}

/* fake_defer - SCHED_OPS defer_entry: remember the last deferral */

static void fake_defer(void *ctx, SCHED_ENTRY *e, const char *dsn, const char *reason)
{
    FAKE_MSG *m = e->message->owner;

    (void) ctx;
    fake.defers++;
    fake.defer_rcpts += (long) e->nrcpt;
    m->deferred += (int) e->nrcpt;
    snprintf(fake.defer_dsn, sizeof(fake.defer_dsn), "%s", dsn ? dsn : "(null)");
    snprintf(fake.defer_reason, sizeof(fake.defer_reason), "%s", reason ? reason : "(null)");
    snprintf(fake.defer_nexthop, sizeof(fake.defer_nexthop), "%s", sched_entry_nexthop(e));
    fake.defer_retry_at = sched_entry_retry_at(e);
}

/* fake_log - SCHED_OPS log */

static void fake_log(void *ctx, const char *text)
{
    (void) ctx;
    fake.logs++;
    snprintf(fake.last_log, sizeof(fake.last_log), "%s", text);
}

/* fake_throttle_ended - SCHED_OPS throttle_ended */

static void fake_throttle_ended(void *ctx)
{
    (void) ctx;
    fake.throttle_ends++;
}

/* fake_conf - a transport's own settings, starting as a copy of fake.tconf */

FAKE_FN SCHED_TRANSPORT_CONF *fake_conf(const char *name)
{
    int     i;

    for (i = 0; i < fake.nown; i++)
	if (strcmp(fake.own_name[i], name) == 0)
	    return (fake.own + i);
    FAKE_CHECK(fake.nown < 4);
    snprintf(fake.own_name[fake.nown], sizeof(fake.own_name[0]), "%s", name);
    fake.own[fake.nown] = fake.tconf;
    return (fake.own + fake.nown++);
}

/* fake_transport_conf - SCHED_OPS transport_conf */

static void fake_transport_conf(void *ctx, const char *name, SCHED_TRANSPORT_CONF *c)
{
    int     i;

    (void) ctx;
    *c = fake.tconf;
    for (i = 0; i < fake.nown; i++)
	if (strcmp(fake.own_name[i], name) == 0)
	    *c = fake.own[i];
}

/* fake_defaults - Postfix's defaults (scheduler.md §8); tests change them before fake_start */

FAKE_FN void fake_defaults(void)
{
    SCHED_TRANSPORT_CONF *c = &fake.tconf;

    memset(&fake, 0, sizeof(fake));
    fake.conf.rcpt_limit = 20000;
    fake.conf.rcpt_minimum = 10;
    fake.conf.dead_time = 300;
    fake.conf.transport_retry_time = 60;
    sched_transport_conf_defaults(c);
    fake.now = 1000;
}

/* fake_start - a scheduler with the settings in fake.conf and fake.tconf */

FAKE_FN SCHED *fake_start(void)
{
    SCHED_OPS ops = {
	.transport_conf = fake_transport_conf,
	.message_idle = fake_idle,
	.read_more = fake_read_more,
	.defer_entry = fake_defer,
	.timer = fake_timer,
	.log = fake_log,
	.throttle_ended = fake_throttle_ended,
    };

    fake.s = sched_new(&fake.conf, &ops);
    sched_set_now(fake.s, fake.now);
    return (fake.s);
}

/* fake_msg - a message that entered the active queue at queued_time */

FAKE_FN FAKE_MSG *fake_msg(char letter, double queued_time)
{
    FAKE_MSG *m = calloc(1, sizeof(*m));

    FAKE_CHECK(m != NULL);
    FAKE_CHECK(fake.nmsgs < FAKE_MSGS);
    fake.msgs[fake.nmsgs++] = m;
    m->letter = letter;
    snprintf(m->id, sizeof(m->id), "%c%d", letter, fake.nmsgs);
    sched_message_init(&m->sm, m, m->id, queued_time, 0);
    return (m);
}

/* fake_rcpt - one more recipient in the message's file */

FAKE_FN void fake_rcpt(FAKE_MSG *m, const char *transport, const char *nexthop,
		               const char *address)
{
    FAKE_RCPT *r;

    if (m->nrcpt == m->cap) {
	m->cap = m->cap ? 2 * m->cap : 8;
	m->rcpt = realloc(m->rcpt, (size_t) m->cap * sizeof(*m->rcpt));
	FAKE_CHECK(m->rcpt != NULL);
    }
    r = m->rcpt + m->nrcpt++;
    snprintf(r->transport, sizeof(r->transport), "%s", transport);
    snprintf(r->nexthop, sizeof(r->nexthop), "%s", nexthop);
    snprintf(r->address, sizeof(r->address), "%s", address);
}

/* fake_rcpts - n recipients <letter><id>-<i>@nexthop */

FAKE_FN void fake_rcpts(FAKE_MSG *m, const char *transport, const char *nexthop, int n)
{
    char    addr[96];
    int     i;

    for (i = 0; i < n; i++) {
	snprintf(addr, sizeof(addr), "%s-%d@%s", m->id, m->nrcpt, nexthop);
	fake_rcpt(m, transport, nexthop, addr);
    }
}

/* fake_read_first - the import step's first read (§5.2); nothing to deliver: finalize */

FAKE_FN long fake_read_first(FAKE_MSG *m)
{
    long    n = fake_read(m, sched_read_limit(fake.s, &m->sm, 1));

    if (m->sm.refcount == 0)
	fake_idle(NULL, &m->sm);
    return (n);
}

/* fake_message - a message with n recipients for one destination, first read done */

FAKE_FN FAKE_MSG *fake_message(char letter, double queued_time, const char *transport,
			               const char *nexthop, int n)
{
    FAKE_MSG *m = fake_msg(letter, queued_time);

    fake_rcpts(m, transport, nexthop, n);
    (void) fake_read_first(m);
    return (m);
}

/* fake_transport - the transport by name (created with its settings if new) */

FAKE_FN SCHED_TRANSPORT *fake_transport(const char *name)
{
    return (sched_transport_get(fake.s, name));
}

/* fake_queue - a destination by queue name, or NULL */

FAKE_FN SCHED_QUEUE *fake_queue(const char *transport, const char *name)
{
    return (htable_find(fake_transport(transport)->queues, name));
}

/* fake_agent - ask for one agent: the transport the core offers, now ready; or NULL */

FAKE_FN SCHED_TRANSPORT *fake_agent(void)
{
    SCHED_TRANSPORT *t = sched_next_transport(fake.s);

    if (t != NULL) {
	sched_agent_asked(t);
	sched_agent_settled(t);
    }
    return (t);
}

/* fake_take - an agent of t selects an entry and keeps it busy; NULL if none */

FAKE_FN SCHED_ENTRY *fake_take(SCHED_TRANSPORT *t)
{
    SCHED_ENTRY *e = sched_select(fake.s, t);

    if (e != NULL) {
	FAKE_CHECK(fake.nbusy < FAKE_BUSY);
	fake.busy[fake.nbusy++] = e;
    }
    return (e);
}

/* fake_fill - select on t until nothing is selectable; how many were taken */

FAKE_FN int fake_fill(SCHED_TRANSPORT *t)
{
    int     n = 0;

    while (fake_take(t) != NULL)
	n++;
    return (n);
}

/* fake_done - the agent holding busy entry i reports */

FAKE_FN void fake_done(int i, int status, const char *dsn, const char *reason)
{
    SCHED_ENTRY *e;

    FAKE_CHECK(i < fake.nbusy);
    e = fake.busy[i];
    memmove(fake.busy + i, fake.busy + i + 1, (size_t) (fake.nbusy - i - 1) * sizeof(e));
    fake.nbusy--;
    sched_entry_done(fake.s, e, status, dsn, reason);
}

/* fake_ok, fake_fail - the oldest busy entry succeeded / failed at the destination */

FAKE_FN void fake_ok(void)
{
    fake_done(0, SCHED_DONE_OK, NULL, NULL);
}

FAKE_FN void fake_fail(void)
{
    fake_done(0, SCHED_DONE_DEFER, "4.4.1", "connect to x.test: Connection refused");
}

/* fake_stop - report every busy entry, drop what waits, free everything */

FAKE_FN void fake_stop(void)
{
    int     i;

    if (fake.s != NULL) {
	while (fake.nbusy > 0)
	    fake_done(0, SCHED_DONE_OK, NULL, NULL);
	for (i = 0; i < fake.nmsgs; i++) {
	    if (fake.msgs[i]->finished)
		continue;
	    fake.msgs[i]->held = 1;
	    if (fake.msgs[i]->sm.refcount > 0)
		sched_message_drop_todo(fake.s, &fake.msgs[i]->sm);
	    else
		fake_idle(NULL, &fake.msgs[i]->sm);
	}
	sched_free(fake.s);
	fake.s = NULL;
    }
    for (i = 0; i < fake.nmsgs; i++) {
	free(fake.msgs[i]->rcpt);
	free(fake.msgs[i]);
    }
    fake.nmsgs = 0;
}

/* fake_window - a destination's window (0 dead, -1 suspended, -2 none) */

FAKE_FN int fake_window(const char *nexthop)
{
    return (sched_queue_window(fake.s, "smtp", nexthop));
}

#endif
