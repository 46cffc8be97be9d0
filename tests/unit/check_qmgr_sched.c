/*
 * check_qmgr_sched - unit tests for the scheduling core: windows, dead
 *	destinations and transports, rate delays, agents
 * DESCRIPTION
 *	Drives src/qmgr/qmgr_sched*.c with an injected clock and fake agents
 *	(sched_fake.h) against docs/scheduler.md: the feedback arithmetic
 *	of §4 row by row, dead destinations and the destination status cache
 *	(§4.7), dead transports (§4.8), rate delays (§4.9), agent requests
 *	and late binding (§3.1, §3.2). Recipients, slots and the JSON status
 *	are in check_qmgr_sched_rcpt.c, job selection and preemption (§6) in
 *	check_qmgr_sched_select.c.
 */
#include "sched_fake.h"

/* setup, teardown - a fresh fake qmgr with Postfix's defaults per test */

static void setup(void)
{
    fake_defaults();
}

static void teardown(void)
{
    fake_stop();
}

/* feedback - parse a feedback value into a transport setting */

static SCHED_FEEDBACK feedback(const char *text)
{
    SCHED_FEEDBACK fb;

    ck_assert_int_eq(sched_feedback_parse(text, &fb), 0);
    return (fb);
}

/* §4.2 / §10 item 11: the documented feedback forms parse to their values */
START_TEST(feedback_parse_accepts_documented_forms)
{
    SCHED_FEEDBACK fb;

    fb = feedback("1");
    ck_assert_double_eq_tol(fb.value, 1, 1e-12);
    ck_assert_int_eq(fb.per_window, 0);
    fb = feedback("0");
    ck_assert_double_eq_tol(fb.value, 0, 1e-12);
    fb = feedback("1/8");
    ck_assert_double_eq_tol(fb.value, 0.125, 1e-12);
    ck_assert_int_eq(fb.per_window, 0);
    fb = feedback(" 1 / 4 ");
    ck_assert_double_eq_tol(fb.value, 0.25, 1e-12);
    fb = feedback("1/concurrency");
    ck_assert_double_eq_tol(fb.value, 1, 1e-12);
    ck_assert_int_eq(fb.per_window, 1);
    fb = feedback("0.7");			/* the §4.5 trace setting */
    ck_assert_double_eq_tol(fb.value, 0.7, 1e-12);
    ck_assert_int_eq(fb.per_window, 0);
    fb = feedback("7/10");
    ck_assert_double_eq_tol(fb.value, 0.7, 1e-12);
}
END_TEST

/* §4.2 / §10 item 11: malformed feedback values are rejected and act as 1 */
START_TEST(feedback_parse_rejects_malformed_values_as_1)
{
    static const char *bad[] = {
	"2", "1/0", "1/sqrt_concurrency", "", "x", "-1", "1/", "/8", "3/2", "1.5", "1/8x", 0,
    };
    SCHED_FEEDBACK fb;
    int     i;

    for (i = 0; bad[i]; i++) {
	fb.value = 0.5;
	fb.per_window = 1;
	ck_assert_msg(sched_feedback_parse(bad[i], &fb) < 0, "accepted \"%s\"", bad[i]);
	ck_assert_msg(fb.value == 1 && fb.per_window == 0, "\"%s\" does not act as 1", bad[i]);
    }
}
END_TEST

/* trace - n events at full load on smtp:x.test; the window after each */

static void trace(int n, int fail, int *window)
{
    SCHED_TRANSPORT *t;
    SCHED_QUEUE *q;
    int     i;

    fake.tconf.dest_recipient_limit = 2;
    fake_start();
    (void) fake_message('A', 1000, "smtp", "x.test", 2 * 120);
    t = fake_agent();
    ck_assert_ptr_nonnull(t);
    for (i = 0; i < n; i++) {
	(void) fake_fill(t);
	q = fake_queue("smtp", "x.test");
	ck_assert_ptr_nonnull(q);
	if (q->window > 0)			/* full load: no room left */
	    ck_assert_int_ge(q->busy, q->window);
	ck_assert_int_gt(fake.nbusy, 0);
	if (fail)
	    fake_fail();
	else
	    fake_ok();
	window[i] = fake_window("x.test");
    }
}

/* check_trace - the windows of a trace against the expected ones */

static void check_trace(const int *got, const int *want, int n)
{
    int     i;

    for (i = 0; i < n; i++)
	ck_assert_msg(got[i] == want[i], "event #%d: window %d, expected %d",
		      i + 1, got[i], want[i]);
}

/* §4.5 row 1 (defaults, failures: 3, 2, dead); §4.4 dead after 3 failures */
START_TEST(trace_defaults_failures_dead_after_three)
{
    static const int want[] = {3, 2, 0, 0, 0};
    int     got[5];

    trace(5, 1, got);			/* only 5 are ever in flight */
    check_trace(got, want, 5);
    /* The todo entries were deferred with the cached reason (§4.7). */
    ck_assert_int_eq(fake.defers, 120 - 5);
    ck_assert_str_eq(fake.defer_dsn, "4.4.1");
    ck_assert_str_eq(fake.defer_reason,
		     "delivery temporarily suspended: connect to x.test: Connection refused");
    ck_assert_ptr_null(sched_select(fake.s, fake_transport("smtp")));
}
END_TEST

/* §4.5 row 2 (defaults, 20 successes: 6, 7, ..., 20, then capped) */
START_TEST(trace_defaults_successes_capped)
{
    int     got[20];
    int     want[20];
    int     i;

    for (i = 0; i < 20; i++)
	want[i] = 6 + i < 20 ? 6 + i : 20;
    trace(20, 0, got);
    check_trace(got, want, 20);
}
END_TEST

/* want_steps - window start + (steps passed) after each event, steps at 1-based events */

static void want_steps(int *want, int n, int start, const int *steps, int delta)
{
    int     i;
    int     j;

    for (i = 0; i < n; i++) {
	want[i] = start;
	for (j = 0; steps[j]; j++)
	    if (i + 1 >= steps[j])
		want[i] += delta;
    }
}

/* §4.5 row 3 (pos 1/concurrency: 6 at #5, 7 at #11, 8 at #18, 9 at #26, 10 at #35) */
START_TEST(trace_positive_1_per_concurrency)
{
    static const int steps[] = {5, 11, 18, 26, 35, 0};
    int     got[35];
    int     want[35];

    fake.tconf.pos_feedback = feedback("1/concurrency");
    want_steps(want, 35, 5, steps, 1);
    trace(35, 0, got);
    check_trace(got, want, 35);
}
END_TEST

/* §4.5 row 4 (pos 1/8: +1 per 8 successes) */
START_TEST(trace_positive_1_8)
{
    static const int steps[] = {8, 16, 24, 32, 40, 0};
    int     got[40];
    int     want[40];

    fake.tconf.pos_feedback = feedback("1/8");
    want_steps(want, 40, 5, steps, 1);
    trace(40, 0, got);
    check_trace(got, want, 40);
}
END_TEST

/* §4.5 row 5 and §10 item 10 (guard): busy = 1, window 6 and no further */
START_TEST(trace_light_load_guard)
{
    SCHED_TRANSPORT *t;
    int     i;

    fake_start();
    for (i = 0; i < 12; i++)
	(void) fake_message('A', 1000 + i, "smtp", "x.test", 1);
    t = fake_agent();
    for (i = 0; i < 10; i++) {
	ck_assert_ptr_nonnull(fake_take(t));
	ck_assert_int_eq(fake_queue("smtp", "x.test")->busy, 1);
	fake_ok();
	ck_assert_int_eq(fake_window("x.test"), 6);
    }
}
END_TEST

/* §10 item 10 (guard): with busy = 2 the window stops at busy + init = 7 */
START_TEST(guard_follows_busy)
{
    SCHED_TRANSPORT *t;
    int     i;

    fake_start();
    for (i = 0; i < 30; i++)
	(void) fake_message('A', 1000 + i, "smtp", "x.test", 1);
    t = fake_agent();
    ck_assert_ptr_nonnull(fake_take(t));
    for (i = 0; i < 20; i++) {
	ck_assert_ptr_nonnull(fake_take(t));
	ck_assert_int_eq(fake_queue("smtp", "x.test")->busy, 2);
	fake_ok();
	ck_assert_int_le(fake_window("x.test"), 7);
    }
    ck_assert_int_eq(fake_window("x.test"), 7);
}
END_TEST

/* §4.5 row 6 (init 10, neg 1/concurrency, cohort 10: 9 at #1, 8 at #9) */
START_TEST(trace_negative_1_per_concurrency)
{
    static const int steps[] = {1, 9, 0};
    int     got[12];
    int     want[12];

    fake.tconf.init_dest_concurrency = 10;
    fake.tconf.neg_feedback = feedback("1/concurrency");
    fake.tconf.cohort_limit = 10;
    want_steps(want, 12, 10, steps, -1);
    trace(12, 1, got);
    check_trace(got, want, 12);
}
END_TEST

/* §4.5 row 7 (init 10, neg 1/8, cohort 0: 9 at #1, 8 at #8, 7 at #16) */
START_TEST(trace_negative_1_8)
{
    static const int steps[] = {1, 8, 16, 0};
    int     got[20];
    int     want[20];

    fake.tconf.init_dest_concurrency = 10;
    fake.tconf.neg_feedback = feedback("1/8");
    fake.tconf.cohort_limit = 0;
    want_steps(want, 20, 10, steps, -1);
    trace(20, 1, got);
    check_trace(got, want, 20);
}
END_TEST

/* §4.5 row 8 (init 10, neg 1/2, cohort 0: 9, 8, 8, 7, 7, 6, 6, 5) */
START_TEST(trace_negative_1_2)
{
    static const int want[] = {9, 8, 8, 7, 7, 6, 6, 5};
    int     got[8];

    fake.tconf.init_dest_concurrency = 10;
    fake.tconf.neg_feedback = feedback("1/2");
    fake.tconf.cohort_limit = 0;
    trace(8, 1, got);
    check_trace(got, want, 8);
}
END_TEST

/* §4.5 row 9 (init 10, neg 0.7, cohort 0: 8, 8, 7, 6, 6, 5, 4, 4) */
START_TEST(trace_negative_0_7)
{
    static const int want[] = {8, 8, 7, 6, 6, 5, 4, 4};
    int     got[8];

    fake.tconf.init_dest_concurrency = 10;
    fake.tconf.neg_feedback = feedback("0.7");
    fake.tconf.cohort_limit = 0;
    trace(8, 1, got);
    check_trace(got, want, 8);
}
END_TEST

/* §4.5 (cohort 0, negative feedback 0): hop failures are ignored completely */
START_TEST(immune_destination_ignores_failures)
{
    int     got[30];
    int     i;

    fake.tconf.neg_feedback = feedback("0");
    fake.tconf.cohort_limit = 0;
    trace(30, 1, got);
    for (i = 0; i < 30; i++)
	ck_assert_int_eq(got[i], 5);
    ck_assert_int_eq(fake.defers, 0);
}
END_TEST

/* §9 destination_concurrency_feedback_debug: every window change is logged */
START_TEST(feedback_debug_logs_window_changes)
{
    SCHED_TRANSPORT *t;
    int     i;

    fake.conf.feedback_debug = 1;
    fake_start();
    for (i = 0; i < 8; i++)
	(void) fake_message('A', 1000 + i, "smtp", "x.test", 1);
    t = fake_agent();
    ck_assert_int_eq(fake_fill(t), 5);
    ck_assert_int_eq(fake.logs, 0);
    fake_ok();
    ck_assert_int_eq(fake.logs, 1);
    ck_assert_ptr_nonnull(strstr(fake.last_log, "x.test"));
    ck_assert_ptr_nonnull(strstr(fake.last_log, "window 6"));
    fake_fail();
    ck_assert_int_eq(fake.logs, 2);
    ck_assert_ptr_nonnull(strstr(fake.last_log, "window 4"));
    ck_assert_ptr_nonnull(strstr(fake.last_log, "fail_cohorts 0.166667"));
}
END_TEST

/* x_queue - n one-recipient messages to smtp:x.test; an agent's transport */

static SCHED_TRANSPORT *x_queue(int n)
{
    int     i;

    fake_start();
    for (i = 0; i < n; i++)
	(void) fake_message('A', 1000 + i, "smtp", "x.test", 1);
    return (fake_agent());
}

/* §10 item 15: dead, 2 in flight, one succeeds: ready with window = busy = 2 */
START_TEST(inflight_success_revives_with_window_busy)
{
    SCHED_TRANSPORT *t = x_queue(10);
    SCHED_QUEUE *q;

    ck_assert_int_eq(fake_fill(t), 5);
    fake_fail();
    fake_fail();
    fake_fail();
    ck_assert_int_eq(fake_window("x.test"), 0);
    q = fake_queue("smtp", "x.test");
    ck_assert_int_eq(q->busy, 2);
    ck_assert_double_gt(fake_timer_when(SCHED_TIMER_QUEUE, q), 0);
    fake_ok();
    ck_assert_int_eq(fake_window("x.test"), 2);
    ck_assert_int_eq(q->busy, 1);
    ck_assert_ptr_null(q->dead_reason);
    ck_assert_double_eq(fake_timer_when(SCHED_TIMER_QUEUE, q), 0);
}
END_TEST

/* §4.7: a dead destination defers its todo entries and new recipients at once, until its timer */
START_TEST(dead_destination_is_a_status_cache)
{
    SCHED_TRANSPORT *t = x_queue(30);
    SCHED_QUEUE *q;
    FAKE_MSG *m;
    int     i;

    ck_assert_int_eq(fake_fill(t), 5);
    fake_fail();
    ck_assert_int_eq(fake_window("x.test"), 3);
    fake_fail();
    ck_assert_int_eq(fake_window("x.test"), 2);
    ck_assert_int_eq(fake.defers, 0);
    fake_set_now(1010);
    fake_fail();
    ck_assert_int_eq(fake_window("x.test"), 0);
    /* The 25 waiting messages were deferred without delivery, and went idle. */
    ck_assert_int_eq(fake.defers, 25);
    ck_assert_str_eq(fake.defer_dsn, "4.4.1");
    ck_assert_str_eq(fake.defer_reason,
		     "delivery temporarily suspended: connect to x.test: Connection refused");
    for (i = 5; i < 30; i++) {
	ck_assert_int_eq(fake.msgs[i]->deferred, 1);
	ck_assert_int_eq(fake.msgs[i]->idle_calls, 1);
    }
    q = fake_queue("smtp", "x.test");
    ck_assert_double_eq(fake_timer_when(SCHED_TIMER_QUEUE, q), 1010 + 300);
    /* New mail for it is deferred at once with the cached reason, in any case. */
    m = fake_message('N', 1020, "smtp", "X.Test", 2);
    ck_assert_str_eq(fake.defer_nexthop, "x.test");
    ck_assert_int_eq(fake.defers, 27);
    ck_assert_int_eq(m->deferred, 2);
    ck_assert_int_eq(m->sm.refcount, 0);
    ck_assert_str_eq(fake.defer_dsn, "4.4.1");
    ck_assert_str_eq(fake.defer_reason,
		     "delivery temporarily suspended: connect to x.test: Connection refused");
    ck_assert_ptr_null(sched_next_transport(fake.s));
    /* Deliveries still in flight apply no feedback to a dead queue. */
    fake_fail();
    fake_fail();
    ck_assert_int_eq(fake_window("x.test"), 0);
    ck_assert_int_eq(q->busy, 0);
    fake_advance(1309);
    ck_assert_int_eq(fake_window("x.test"), 0);
    fake_advance(1310);
    ck_assert_int_eq(fake_window("x.test"), -2);	/* revived, empty: deleted */
    m = fake_message('L', 1400, "smtp", "x.test", 1);
    ck_assert_int_eq(m->deferred, 0);
    ck_assert_int_eq(fake_window("x.test"), 5);
    ck_assert_ptr_eq(sched_next_transport(fake.s), t);
}
END_TEST

/* §4.7: the revive timer of a queue with deliveries in flight sets window = busy */
START_TEST(dead_timer_revives_with_window_busy)
{
    SCHED_TRANSPORT *t = x_queue(10);
    SCHED_QUEUE *q;

    ck_assert_int_eq(fake_fill(t), 5);
    fake_fail();
    fake_fail();
    fake_fail();
    q = fake_queue("smtp", "x.test");
    ck_assert_int_eq(q->window, 0);
    fake_advance(1000 + 300);
    ck_assert_int_eq(q->window, 2);
    ck_assert_double_eq(q->fail_cohorts, 0);
}
END_TEST

/* §2.3 F / §4.7 / §4.8: sched_flush_dead revives dead destinations and transports */
START_TEST(flush_revives_dead_destinations_and_transports)
{
    SCHED_TRANSPORT *t;
    SCHED_TRANSPORT *relay;
    FAKE_MSG *m;

    fake.tconf.init_dest_concurrency = 1;
    t = x_queue(3);
    (void) fake_message('R', 1000, "relay", "r.test", 1);
    relay = fake_transport("relay");
    ck_assert_ptr_nonnull(fake_take(t));
    fake_fail();				/* one whole cohort: dead */
    ck_assert_int_eq(fake_window("x.test"), 0);
    sched_transport_dead(fake.s, relay, "mail transport unavailable");
    ck_assert_int_eq(fake.ntimers, 2);
    sched_flush_dead(fake.s);
    ck_assert_int_eq(fake_window("x.test"), -2);	/* empty: deleted */
    ck_assert_int_eq(fake.ntimers, 0);
    m = fake_message('S', 1001, "smtp", "x.test", 1);
    ck_assert_int_eq(m->deferred, 0);
    m = fake_message('T', 1001, "relay", "r.test", 1);
    ck_assert_int_eq(m->deferred, 0);
    ck_assert_int_eq(sched_transport_wants_agent(relay), 1);
}
END_TEST

/* §4.7 / §4.8: a message imported by a flush revives the dead destination and transport it uses */
START_TEST(flushed_message_revives_what_it_uses)
{
    SCHED_TRANSPORT *t;
    SCHED_TRANSPORT *relay;
    FAKE_MSG *m;

    fake.tconf.init_dest_concurrency = 1;
    t = x_queue(1);
    (void) fake_message('R', 1000, "relay", "r.test", 1);
    relay = fake_transport("relay");
    ck_assert_ptr_nonnull(fake_take(t));
    fake_fail();				/* one whole cohort: dead */
    ck_assert_int_eq(fake_window("x.test"), 0);
    sched_transport_dead(fake.s, relay, "mail transport unavailable");
    /* An ordinary message is deferred; a flushed one revives and is queued. */
    m = fake_message('S', 1001, "smtp", "x.test", 1);
    ck_assert_int_eq(m->deferred, 1);
    m = fake_msg('F', 1002);
    m->sm.flush_dead = 1;
    fake_rcpts(m, "smtp", "x.test", 1);
    (void) fake_read_first(m);
    ck_assert_int_eq(m->deferred, 0);
    ck_assert_int_eq(fake_window("x.test"), 1);
    m = fake_msg('G', 1003);
    m->sm.flush_dead = 1;
    fake_rcpts(m, "relay", "r.test", 1);
    (void) fake_read_first(m);
    ck_assert_int_eq(m->deferred, 0);
    ck_assert_int_eq(sched_transport_wants_agent(relay), 1);
}
END_TEST

/* §4.7 memory guard: a dead queue left empty is deleted when > 2 × rcpt_limit queues exist */
START_TEST(dead_queue_memory_guard)
{
    SCHED_TRANSPORT *t;
    int     round;

    for (round = 0; round < 2; round++) {
	fake_defaults();
	fake.conf.rcpt_limit = round == 0 ? 1 : 2;	/* guard: 2, then 4 queues */
	fake.tconf.init_dest_concurrency = 1;
	fake_start();
	(void) fake_message('A', 1000, "smtp", "a.test", 1);
	(void) fake_message('B', 1001, "smtp", "b.test", 1);
	(void) fake_message('C', 1002, "smtp", "c.test", 1);
	t = fake_agent();
	ck_assert_int_eq(fake_fill(t), 3);
	fake_fail();				/* a.test dies with its last entry */
	ck_assert_int_eq(fake_window("a.test"), round == 0 ? -2 : 0);
	fake_stop();
    }
}
END_TEST

/* §3.3: a hop status counts only with a "retry" status; crashes give no feedback */
START_TEST(feedback_only_from_reported_results)
{
    SCHED_TRANSPORT *t = x_queue(20);

    ck_assert_int_eq(fake_fill(t), 5);
    fake_done(0, SCHED_DONE_OK, "4.4.1", "odd hop status");
    ck_assert_int_eq(fake_window("x.test"), 5);
    fake_done(0, SCHED_DONE_CRASH, NULL, NULL);
    ck_assert_int_eq(fake_window("x.test"), 5);
    fake_done(0, SCHED_DONE_DEFER, NULL, NULL);	/* retry, no hop status: good */
    ck_assert_int_eq(fake_window("x.test"), 6);
    fake_done(0, SCHED_DONE_DEFER, "", "greeting: 421 busy");
    ck_assert_int_eq(fake_window("x.test"), 4);
    ck_assert_int_eq(fake.defers, 0);
}
END_TEST

/* §4.8: a dead transport defers with 4.3.0 and asks for no agent until its timer */
START_TEST(dead_transport_defers_until_retry_time)
{
    SCHED_TRANSPORT *t;
    FAKE_MSG *a = fake_msg('A', 1000);
    FAKE_MSG *m;

    fake_start();
    fake_rcpts(a, "smtp", "a.test", 2);
    fake_rcpts(a, "smtp", "b.test", 2);
    fake_rcpts(a, "smtp", "c.test", 2);
    (void) fake_read_first(a);
    t = fake_agent();
    ck_assert_ptr_nonnull(fake_take(t));
    sched_transport_dead(fake.s, t, "mail transport unavailable");
    ck_assert_int_eq(fake.defers, 2);
    ck_assert_int_eq(fake.defer_rcpts, 4);
    ck_assert_str_eq(fake.defer_dsn, "4.3.0");
    ck_assert_str_eq(fake.defer_reason, "mail transport unavailable");
    ck_assert_int_eq(sched_transport_wants_agent(t), 0);
    ck_assert_double_eq(fake_timer_when(SCHED_TIMER_TRANSPORT, t), 1000 + 60);
    m = fake_message('N', 1001, "smtp", "d.test", 1);
    ck_assert_int_eq(m->deferred, 1);
    ck_assert_str_eq(fake.defer_dsn, "4.3.0");
    ck_assert_str_eq(fake.defer_reason, "mail transport unavailable");
    ck_assert_ptr_null(sched_next_transport(fake.s));
    fake_advance(1059);
    m = fake_message('O', 1059, "smtp", "d.test", 1);
    ck_assert_int_eq(m->deferred, 1);
    ck_assert_int_eq(sched_transport_wants_agent(t), 0);
    fake_advance(1060);
    m = fake_message('P', 1060, "smtp", "d.test", 1);
    ck_assert_int_eq(m->deferred, 0);
    ck_assert_int_eq(sched_transport_wants_agent(t), 1);
    ck_assert_ptr_eq(sched_next_transport(fake.s), t);
}
END_TEST

/* §3.3 step 3 / §4.8: a completion that is not a crash revives a dead transport */
START_TEST(dead_transport_revived_by_completion)
{
    SCHED_TRANSPORT *t = x_queue(3);

    ck_assert_int_eq(fake_fill(t), 3);
    sched_transport_dead(fake.s, t, "mail transport unavailable");
    fake_done(0, SCHED_DONE_CRASH, NULL, NULL);
    ck_assert_double_ne(fake_timer_when(SCHED_TIMER_TRANSPORT, t), 0);
    (void) fake_message('B', 1001, "smtp", "x.test", 1);
    ck_assert_int_eq(fake.msgs[3]->deferred, 1);
    fake_done(0, SCHED_DONE_DEFER, NULL, NULL);
    ck_assert_double_eq(fake_timer_when(SCHED_TIMER_TRANSPORT, t), 0);
    (void) fake_message('C', 1002, "smtp", "x.test", 1);
    ck_assert_int_eq(fake.msgs[4]->deferred, 0);
    ck_assert_int_eq(sched_transport_wants_agent(t), 1);
}
END_TEST

/* §4.9 destination_rate_delay: suspended (window -1) after each delivery, timer restores 1 */
START_TEST(destination_rate_delay_suspends)
{
    SCHED_TRANSPORT *t;
    SCHED_QUEUE *q;
    SCHED_ENTRY *e;

    fake.tconf.dest_rate_delay = 2;
    t = x_queue(3);
    (void) fake_message('Y', 1000, "smtp", "y.test", 1);
    q = fake_queue("smtp", "x.test");
    ck_assert_int_eq(q->window, 1);		/* limit forced to 1 */
    ck_assert_int_eq(fake_fill(t), 2);		/* x.test and y.test in parallel */
    ck_assert_int_eq(fake_window("x.test"), 1);
    fake_set_now(1005);
    fake_ok();					/* the x.test delivery */
    ck_assert_int_eq(q->window, -1);
    ck_assert_double_eq(fake_timer_when(SCHED_TIMER_QUEUE, q), 1007);
    ck_assert_ptr_null(sched_select(fake.s, t));
    ck_assert_int_eq(sched_transport_wants_agent(t), 0);
    fake_advance(1006.9);
    ck_assert_int_eq(q->window, -1);
    fake_advance(1007);
    ck_assert_int_eq(q->window, 1);
    ck_assert_int_eq(sched_transport_wants_agent(t), 1);
    ck_assert_ptr_nonnull(e = fake_take(t));
    ck_assert_str_eq(sched_entry_nexthop(e), "x.test");
    ck_assert_ptr_null(sched_select(fake.s, t));
    /* A hop failure kills it (the waiting entry is deferred), then it is
     * revived and suspended like after any delivery. */
    fake_done(1, SCHED_DONE_DEFER, "4.4.1", "connection refused");
    ck_assert_int_eq(fake.defers, 1);
    ck_assert_int_eq(q->window, -1);
    fake_ok();					/* y.test */
    ck_assert_int_eq(fake_window("y.test"), -1);
    fake_advance(1100);
    ck_assert_int_eq(fake_window("y.test"), -2);	/* empty: deleted when resumed */
    ck_assert_int_eq(fake_window("x.test"), -2);
}
END_TEST

/* §4.9 transport_rate_delay: the rate lock is released on every path */
START_TEST(transport_rate_lock_released_on_every_path)
{
    SCHED_TRANSPORT *t;
    int     i;

    fake.tconf.transport_rate_delay = 3;
    fake_start();
    for (i = 0; i < 6; i++)
	(void) fake_message('A', 1000 + i, "smtp", i % 2 ? "a.test" : "b.test", 1);
    t = sched_next_transport(fake.s);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(sched_transport_rate_delay(t), 3);
    /* Delivered: locked from the request to the completion. */
    sched_agent_asked(t);
    ck_assert_ptr_null(sched_next_transport(fake.s));
    sched_agent_settled(t);
    ck_assert_int_eq(sched_transport_wants_agent(t), 0);
    fake_advance(1003);
    ck_assert_ptr_nonnull(fake_take(t));
    ck_assert_int_eq(sched_transport_wants_agent(t), 0);
    fake_ok();
    ck_assert_ptr_eq(sched_next_transport(fake.s), t);
    /* Crash. */
    sched_agent_asked(t);
    sched_agent_settled(t);
    ck_assert_ptr_nonnull(fake_take(t));
    fake_done(0, SCHED_DONE_CRASH, NULL, NULL);
    ck_assert_ptr_eq(sched_next_transport(fake.s), t);
    /* Nothing to select when the agent is ready. */
    sched_agent_asked(t);
    sched_agent_settled(t);
    for (i = 0; i < 6; i++)
	if (fake.msgs[i]->sm.refcount > 0)
	    sched_message_drop_todo(fake.s, &fake.msgs[i]->sm);
    ck_assert_ptr_null(sched_select(fake.s, t));
    sched_transport_unlock(t);
    (void) fake_message('B', 1010, "smtp", "c.test", 1);
    ck_assert_ptr_eq(sched_next_transport(fake.s), t);
    /* The transport dies meanwhile: reviving it releases the lock. */
    sched_agent_asked(t);
    sched_agent_settled(t);
    sched_transport_dead(fake.s, t, "mail transport unavailable");
    fake_advance(1100);
    (void) fake_message('C', 1100, "smtp", "c.test", 1);
    ck_assert_int_eq(sched_transport_wants_agent(t), 1);
}
END_TEST

/* §3.2: an entry the agent never got goes back to the head of its lists */
START_TEST(unselect_puts_entry_back)
{
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *e;
    SCHED_ENTRY *e2;
    FAKE_MSG *a;
    FAKE_MSG *b;

    fake.tconf.dest_recipient_limit = 2;
    fake_start();
    a = fake_message('A', 1000, "smtp", "a.test", 6);
    b = fake_message('B', 1001, "smtp", "b.test", 1);
    t = fake_agent();
    ck_assert_ptr_nonnull(e = sched_select(fake.s, t));
    ck_assert_ptr_eq(e->message, &a->sm);
    ck_assert_int_eq(fake_queue("smtp", "a.test")->busy, 1);
    sched_entry_unselect(fake.s, e);
    ck_assert_int_eq(fake_queue("smtp", "a.test")->busy, 0);
    ck_assert_int_eq(fake_queue("smtp", "a.test")->todo, 3);
    ck_assert_ptr_eq(fake_take(t), e);		/* the same entry, first again */
    ck_assert_str_eq(e->rcpts[0].address, "A1-0@a.test");
    (void) fake_take(t);
    ck_assert_ptr_nonnull(e2 = sched_select(fake.s, t));	/* A's last: A retires */
    ck_assert_ptr_eq(e2->message, &a->sm);
    sched_entry_unselect(fake.s, e2);
    ck_assert_ptr_eq(fake_take(t), e2);
    ck_assert_ptr_nonnull(e = sched_select(fake.s, t));
    ck_assert_ptr_eq(e->message, &b->sm);
    /* The agent of B's entry is unreachable: the transport dies, B is deferred. */
    sched_entry_unselect(fake.s, e);
    sched_transport_dead(fake.s, t, "mail transport unavailable");
    ck_assert_int_eq(b->deferred, 1);
    ck_assert_int_eq(b->idle_calls, 1);
    ck_assert_str_eq(fake.defer_dsn, "4.3.0");
    while (fake.nbusy > 0)
	fake_ok();
    ck_assert_int_eq(a->idle_calls, 1);
    ck_assert_int_eq(a->deferred, 0);
    ck_assert_int_eq(sched_active_recipients(fake.s), 0);
}
END_TEST

/* §3.1: at most 2 agent requests pending, and never more than the ready work */
START_TEST(at_most_two_pending_agent_requests)
{
    SCHED_TRANSPORT *t;
    int     i;

    fake_start();
    (void) fake_message('A', 1000, "smtp", "a.test", 1);
    t = sched_next_transport(fake.s);
    ck_assert_ptr_nonnull(t);
    sched_agent_asked(t);
    ck_assert_ptr_null(sched_next_transport(fake.s));	/* ready 1 < pending + 1 */
    for (i = 0; i < 9; i++)
	(void) fake_message('B', 1001 + i, "smtp", i % 3 ? "b.test" : "c.test", 1);
    ck_assert_ptr_eq(sched_next_transport(fake.s), t);
    sched_agent_asked(t);
    ck_assert_ptr_null(sched_next_transport(fake.s));	/* 2 pending */
    ck_assert_int_eq(sched_transport_wants_agent(t), 0);
    sched_agent_settled(t);
    ck_assert_ptr_eq(sched_next_transport(fake.s), t);
    sched_agent_settled(t);
}
END_TEST

/* §3.1: transports with work take turns (round robin) */
START_TEST(transports_take_turns)
{
    const char *prev = "";
    const char *name;
    SCHED_TRANSPORT *t;
    int     i;

    fake_start();
    for (i = 0; i < 10; i++) {
	(void) fake_message('A', 1000 + i, "smtp", "a.test", 1);
	(void) fake_message('B', 1000 + i, "relay", "b.test", 1);
    }
    for (i = 0; i < 8; i++) {
	t = fake_agent();
	ck_assert_ptr_nonnull(t);
	name = sched_transport_name(t);
	ck_assert_str_ne(name, prev);
	prev = name;
	ck_assert_ptr_nonnull(fake_take(t));
	fake_ok();
    }
}
END_TEST

/* Exchanger groups: learned per next hop, any case, until their TTL runs out. */
START_TEST(group_learned_until_its_ttl)
{
    SCHED  *s = fake_start();
    DSTR   *out = dstr_new(512);

    ck_assert_ptr_null(sched_group_of(s, "example.org"));
    sched_group_learn(s, "Example.ORG", "google", 300);
    sched_group_learn(s, "example.net", "google", 60);
    sched_group_learn(s, "other.test", "mx.other.test", 0);	/* no TTL: not kept */
    ck_assert_str_eq(sched_group_of(s, "example.org"), "google");
    ck_assert_str_eq(sched_group_of(s, "EXAMPLE.net"), "google");
    ck_assert_ptr_null(sched_group_of(s, "other.test"));
    ck_assert_int_eq(sched_group_count(s), 2);
    /* A later answer replaces the group and its TTL. */
    sched_group_learn(s, "example.net", "microsoft", 600);
    ck_assert_str_eq(sched_group_of(s, "example.net"), "microsoft");
    fake_set_now(fake.now + 301);
    ck_assert_ptr_null(sched_group_of(s, "example.org"));	/* expired */
    ck_assert_str_eq(sched_group_of(s, "example.net"), "microsoft");
    ck_assert_int_eq(sched_group_count(s), 1);
    sched_dump_json(s, 0, out);
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\"mx_groups_known\": 1"));
    dstr_free(out);
}
END_TEST

/* The memory is bounded: when full, expired answers make room, else none is kept. */
START_TEST(group_cache_is_bounded)
{
    SCHED  *s = fake_start();
    char    name[32];
    int     i;

    for (i = 0; i < SCHED_GROUP_CACHE_MAX; i++) {
	snprintf(name, sizeof(name), "d%d.test", i);
	sched_group_learn(s, name, i < 10 ? "short" : "long", i < 10 ? 10 : 3600);
    }
    ck_assert_int_eq(sched_group_count(s), SCHED_GROUP_CACHE_MAX);
    sched_group_learn(s, "new.test", "g", 100);
    ck_assert_ptr_null(sched_group_of(s, "new.test"));	/* full, nothing expired */
    ck_assert_str_eq(sched_group_of(s, "d5.test"), "short");
    fake_set_now(fake.now + 11);
    sched_group_learn(s, "new.test", "g", 100);
    ck_assert_str_eq(sched_group_of(s, "new.test"), "g");
    ck_assert_int_eq(sched_group_count(s), SCHED_GROUP_CACHE_MAX - 10 + 1);
}
END_TEST

/* sched_suite - the tests */

static Suite *sched_suite(void)
{
    Suite  *s = suite_create("qmgr_sched");
    TCase  *tw = tcase_create("window");
    TCase  *td = tcase_create("dead");
    TCase  *ta = tcase_create("agents");

    tcase_add_checked_fixture(tw, setup, teardown);
    tcase_add_test(tw, feedback_parse_accepts_documented_forms);
    tcase_add_test(tw, feedback_parse_rejects_malformed_values_as_1);
    tcase_add_test(tw, trace_defaults_failures_dead_after_three);
    tcase_add_test(tw, trace_defaults_successes_capped);
    tcase_add_test(tw, trace_positive_1_per_concurrency);
    tcase_add_test(tw, trace_positive_1_8);
    tcase_add_test(tw, trace_light_load_guard);
    tcase_add_test(tw, guard_follows_busy);
    tcase_add_test(tw, trace_negative_1_per_concurrency);
    tcase_add_test(tw, trace_negative_1_8);
    tcase_add_test(tw, trace_negative_1_2);
    tcase_add_test(tw, trace_negative_0_7);
    tcase_add_test(tw, immune_destination_ignores_failures);
    tcase_add_test(tw, feedback_only_from_reported_results);
    tcase_add_test(tw, feedback_debug_logs_window_changes);
    suite_add_tcase(s, tw);

    tcase_add_checked_fixture(td, setup, teardown);
    tcase_add_test(td, inflight_success_revives_with_window_busy);
    tcase_add_test(td, dead_destination_is_a_status_cache);
    tcase_add_test(td, dead_timer_revives_with_window_busy);
    tcase_add_test(td, flush_revives_dead_destinations_and_transports);
    tcase_add_test(td, flushed_message_revives_what_it_uses);
    tcase_add_test(td, dead_queue_memory_guard);
    tcase_add_test(td, dead_transport_defers_until_retry_time);
    tcase_add_test(td, dead_transport_revived_by_completion);
    suite_add_tcase(s, td);

    tcase_add_checked_fixture(ta, setup, teardown);
    tcase_add_test(ta, destination_rate_delay_suspends);
    tcase_add_test(ta, transport_rate_lock_released_on_every_path);
    tcase_add_test(ta, unselect_puts_entry_back);
    tcase_add_test(ta, at_most_two_pending_agent_requests);
    tcase_add_test(ta, transports_take_turns);
    tcase_add_test(ta, group_learned_until_its_ttl);
    tcase_add_test(ta, group_cache_is_bounded);
    suite_add_tcase(s, ta);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(sched_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
