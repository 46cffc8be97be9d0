/*
 * check_qmgr_sched_group - unit tests for exchanger group windows and throttles
 * DESCRIPTION
 *	Drives the scheduling core (src/qmgr/qmgr_sched_groupwin.c) with the
 *	injected clock and fake agents of sched_fake.h against
 *	docs/scheduler.md §10a: one window per group beside the destination
 *	windows, slow start per group, one discovery session per new domain,
 *	suspend / concurrency / rate throttles and their ends, the group rate
 *	delay, posthorn flush, the cache's expiry, and the status output.
 */
#include "sched_fake.h"

static void setup(void)
{
    fake_defaults();
}

static void teardown(void)
{
    fake_stop();
}

/* learn - the agent said hop is in group (an hour) */

static void learn(const char *hop, const char *group)
{
    sched_group_learn(fake.s, hop, group, 3600);
}

/* info - a group's state; the group must exist */

static SCHED_GROUP_INFO info(const char *group)
{
    SCHED_GROUP_INFO gi;

    ck_assert_msg(sched_group_info(fake.s, "smtp", group, &gi) == 0, "no group %s", group);
    return (gi);
}

/* group_busy - deliveries in flight to a group (0: it is gone) */

static int group_busy(const char *group)
{
    SCHED_GROUP_INFO gi;

    return (sched_group_info(fake.s, "smtp", group, &gi) == 0 ? gi.busy : 0);
}

/* busy_of - deliveries in flight to a destination (-1: none exists) */

static int busy_of(const char *hop)
{
    SCHED_QUEUE *q = fake_queue("smtp", hop);

    return (q ? q->busy : -1);
}

/* messages - n one-recipient messages for hop */

static void messages(char letter, const char *hop, int n)
{
    int     i;

    for (i = 0; i < n; i++)
	(void) fake_message(letter, fake.now, "smtp", hop, 1);
}

/* domains - n domains d0.test.. in group (NULL: not known), each with m
 * one-recipient messages named letter */

static void domains(int n, const char *group, char letter, int m)
{
    char    hop[32];
    int     i;

    for (i = 0; i < n; i++) {
	snprintf(hop, sizeof(hop), "d%d.test", i);
	if (group)
	    learn(hop, group);
	messages(letter, hop, m);
    }
}

/* throttle - busy entry i met a reply that calls for action; 1 if applied */

static int throttle(int i, const char *action)
{
    THROTTLE_ACTION act;
    DSTR   *why = dstr_new(32);
    SCHED_ENTRY *e = fake.busy[i];
    int     applied;

    ck_assert_int_eq(throttle_action_parse(action, &act, why), 0);
    dstr_free(why);
    applied = sched_group_throttle(fake.s, e, &act, "421 4.7.28 unusual rate");
    fake_done(i, SCHED_DONE_THROTTLED, "4.7.28", NULL);
    return (applied);
}

/* Ten domains of one group never get more sessions than the group limit. */
START_TEST(group_window_bounds_all_members)
{
    SCHED_TRANSPORT *t;
    int     i;

    fake.tconf.group_concurrency_limit = 4;
    fake_start();
    domains(10, "big", 'a', 3);
    t = fake_transport("smtp");
    ck_assert_int_eq(fake_fill(t), 4);		/* initial window 5, limit 4 */
    ck_assert_int_eq(info("big").members, 10);
    ck_assert_int_eq(info("big").busy, 4);
    ck_assert_int_eq(info("big").window, 4);
    /* Nothing to ask an agent for while the group is full. */
    ck_assert_int_eq(sched_transport_wants_agent(t), 0);
    fake_ok();
    ck_assert_int_eq(sched_transport_wants_agent(t), 1);
    ck_assert_int_eq(fake_fill(t), 1);
    ck_assert_int_eq(info("big").busy, 4);
    /* Drain: the bound holds to the end and every message finishes. */
    while (fake.nbusy > 0) {
	fake_ok();
	(void) fake_fill(t);
	ck_assert_int_le(group_busy("big"), 4);
    }
    for (i = 0; i < fake.nmsgs; i++)
	ck_assert(fake.msgs[i]->finished);
}
END_TEST

/* Groups and per-destination limits together: the smaller bound wins. */
START_TEST(group_and_destination_limits_together)
{
    SCHED_TRANSPORT *t;

    fake.tconf.group_concurrency_limit = 10;
    fake.tconf.dest_concurrency_limit = 2;
    fake_start();
    learn("a.test", "g");
    learn("b.test", "g");
    learn("c.test", "other");
    messages('a', "a.test", 5);
    messages('b', "b.test", 5);
    messages('c', "c.test", 5);
    t = fake_transport("smtp");
    ck_assert_int_eq(fake_fill(t), 6);
    ck_assert_int_eq(busy_of("a.test"), 2);
    ck_assert_int_eq(busy_of("b.test"), 2);
    ck_assert_int_eq(busy_of("c.test"), 2);
    ck_assert_int_eq(info("g").busy, 4);
    ck_assert_int_eq(info("other").busy, 2);
}
END_TEST

/* Slow start per group: the window grows with good deliveries, shrinks with failures. */
START_TEST(group_slow_start_and_feedback)
{
    SCHED_TRANSPORT *t;

    fake.tconf.group_concurrency_limit = 20;
    fake.tconf.init_dest_concurrency = 1;
    fake_start();
    domains(8, "g", 'a', 4);
    t = fake_transport("smtp");
    ck_assert_int_eq(fake_fill(t), 1);
    fake_ok();					/* window 2 */
    ck_assert_int_eq(info("g").window, 2);
    ck_assert_int_eq(fake_fill(t), 2);
    fake_ok();					/* 2 busy: window 3 */
    fake_ok();					/* 1 busy: not beyond busy + 1 */
    ck_assert_int_eq(info("g").window, 3);
    ck_assert_int_eq(fake_fill(t), 3);
    fake_fail();				/* a hop failure: feedback 1 > 2/3 takes two (§4.4) */
    ck_assert_int_eq(info("g").window, 1);
}
END_TEST

/* A domain whose group is unknown gets one session until its first delivery reports it. */
START_TEST(one_discovery_session_per_new_domain)
{
    SCHED_TRANSPORT *t;

    fake.tconf.group_concurrency_limit = 3;
    fake_start();
    messages('a', "first.test", 5);
    t = fake_transport("smtp");
    /* No agent has reported a group yet: the transport is not known to. */
    ck_assert_int_eq(fake_fill(t), 5);
    learn("first.test", "g");
    fake_ok();					/* reports it: joins g with 4 busy */
    ck_assert_int_eq(info("g").members, 1);
    ck_assert_int_eq(info("g").busy, 4);
    while (fake.nbusy > 0)
	fake_ok();
    /* Now a new domain: one session until its delivery reports the group. */
    messages('b', "new.test", 5);
    ck_assert_int_eq(fake_fill(t), 1);
    ck_assert_int_eq(busy_of("new.test"), 1);
    learn("new.test", "g");
    fake_ok();
    ck_assert_int_eq(info("g").members, 1);	/* first.test is gone: idle */
    ck_assert_int_eq(fake_fill(t), 3);		/* the group's window now */
    ck_assert_int_eq(busy_of("new.test"), 3);
    /* A domain the cache knows joins at once, without discovery. */
    learn("known.test", "g");
    messages('c', "known.test", 2);
    ck_assert_int_eq(fake_fill(t), 0);		/* the group is full */
    ck_assert_int_eq(info("g").members, 2);
    /* An agent that reports no group ends discovery too. */
    messages('d', "nogroup.test", 3);
    ck_assert_int_eq(fake_fill(t), 1);
    fake_done(fake.nbusy - 1, SCHED_DONE_OK, NULL, NULL);
    ck_assert_int_eq(fake_fill(t), 2);
    ck_assert_int_eq(busy_of("nogroup.test"), 2);
}
END_TEST

/* The agent says a new domain's group before connecting; what does not fit goes back. */
START_TEST(agent_asks_and_overflow_goes_back)
{
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *e;
    int     i;
    int     admitted = 0;

    fake.tconf.group_concurrency_limit = 5;
    fake_start();
    domains(8, NULL, 'a', 1);
    t = fake_transport("smtp");
    ck_assert_int_eq(fake_fill(t), 8);		/* nothing known yet */
    for (i = 0; i < 8; i++)
	ck_assert(sched_entry_group_unknown(fake.busy[i]));
    for (i = 0; i < fake.nbusy;) {
	e = fake.busy[i];
	sched_group_learn(fake.s, sched_entry_nexthop(e), "g", 3600);
	if (sched_entry_admit(fake.s, e)) {
	    admitted++;
	    i++;
	} else {				/* the agent touched nothing */
	    memmove(fake.busy + i, fake.busy + i + 1,
		    (size_t) (fake.nbusy - i - 1) * sizeof(e));
	    fake.nbusy--;
	    sched_entry_unselect(fake.s, e);
	}
    }
    ck_assert_int_eq(admitted, 5);
    ck_assert_int_eq(info("g").busy, 5);
    ck_assert_int_eq(info("g").members, 8);
    ck_assert(!sched_entry_group_unknown(fake.busy[0]));
    ck_assert_int_eq(fake_fill(t), 0);
    fake_ok();
    ck_assert_int_eq(fake_fill(t), 1);
    ck_assert_int_eq(info("g").busy, 5);
}
END_TEST

/* A suspension defers what waits (due when it ends), keeps new mail out, then restarts at one. */
START_TEST(suspension_defers_and_restarts_at_one)
{
    SCHED_TRANSPORT *t;
    FAKE_MSG *late;
    double  start;
    int     i;

    fake.tconf.group_concurrency_limit = 10;
    fake_start();
    start = fake.now;
    domains(3, "google", 'a', 6);
    t = fake_transport("smtp");
    ck_assert_int_eq(fake_fill(t), 5);		/* slow start: initial window */
    fake_ok();
    fake_ok();
    ck_assert_int_eq(fake_fill(t), 4);
    ck_assert_int_eq(throttle(0, "suspend 10m"), 1);
    ck_assert_ptr_nonnull(strstr(fake.last_log, "exchanger group google (smtp): suspend 600s"));
    ck_assert_ptr_nonnull(strstr(fake.last_log, "421 4.7.28 unusual rate"));
    ck_assert_int_eq(info("google").suspended, 1);
    /* The 9 that waited (18 - 2 done - 7 taken) are deferred, due when it ends. */
    ck_assert_int_eq(fake.defer_rcpts, 9);
    ck_assert_double_eq_tol(fake.defer_retry_at, start + 600, 1e-6);
    ck_assert_ptr_nonnull(strstr(fake.defer_reason, "delivery temporarily suspended until"));
    ck_assert_str_eq(fake.defer_dsn, "4.7.0");
    ck_assert_int_eq(sched_transport_wants_agent(t), 0);
    /* A second 421 while suspended changes nothing and logs nothing. */
    i = fake.logs;
    ck_assert_int_eq(throttle(0, "suspend 10m"), 0);
    ck_assert_int_eq(fake.logs, i);
    /* Deliveries in flight finish; no new one starts. */
    while (fake.nbusy > 0)
	fake_ok();
    late = fake_message('z', fake.now, "smtp", "d1.test", 1);
    ck_assert_int_eq(late->deferred, 1);	/* at once, no delivery */
    ck_assert_int_eq(fake_fill(t), 0);
    fake_advance(start + 599);
    ck_assert_int_eq(info("google").suspended, 1);
    ck_assert_int_eq(fake.throttle_ends, 0);
    fake_advance(start + 600);
    ck_assert_int_eq(info("google").suspended, 0);
    ck_assert_int_eq(fake.throttle_ends, 1);	/* qmgr scans deferred/ now */
    ck_assert_int_eq(info("google").window, 1);
    /* The deferred mail comes back: one session first, then slow start. */
    domains(3, NULL, 'b', 4);
    ck_assert_int_eq(fake_fill(t), 1);
    fake_ok();
    ck_assert_int_eq(fake_fill(t), 2);
    fake_ok();
    fake_ok();
    ck_assert_int_eq(fake_fill(t), 3);		/* half of the 7 the provider objected to */
}
END_TEST

/* After a throttle the window grows back only to half of where it was hit, for an hour. */
START_TEST(throttle_leaves_a_window_ceiling)
{
    SCHED_TRANSPORT *t;
    double  start;
    int     i;

    fake.tconf.group_concurrency_limit = 20;
    fake_start();
    start = fake.now;
    learn("a.test", "g");
    learn("b.test", "g");
    messages('a', "a.test", 40);
    messages('b', "b.test", 40);
    t = fake_transport("smtp");
    ck_assert_int_eq(fake_fill(t), 5);
    fake_ok();
    fake_ok();
    ck_assert_int_eq(fake_fill(t), 4);		/* 7 busy when the provider objects */
    ck_assert_int_eq(throttle(0, "suspend 60s"), 1);
    ck_assert_ptr_nonnull(strstr(fake.last_log, "(window at most 3 for 3600s)"));
    ck_assert_int_eq(info("g").ceiling, 3);
    while (fake.nbusy > 0)
	fake_ok();
    fake_advance(start + 60);
    messages('c', "a.test", 60);
    for (i = 0; i < 30; i++) {
	(void) fake_fill(t);
	ck_assert_int_le(info("g").busy, 3);
	fake_ok();
    }
    ck_assert_int_eq(info("g").window, 3);
    /* With nothing queued any more the group still remembers it. */
    for (;;) {
	if (fake_fill(t) == 0 && fake.nbusy == 0)
	    break;
	if (fake.nbusy > 0)
	    fake_ok();
    }
    ck_assert_int_eq(info("g").members, 0);
    ck_assert_int_eq(info("g").ceiling, 3);
    messages('d', "b.test", 30);
    for (i = 0; i < 10; i++) {
	(void) fake_fill(t);
	ck_assert_int_le(info("g").busy, 3);
	fake_ok();
    }
    /* An hour later the ceiling is gone and the window may grow again. */
    fake_advance(start + 3700);
    for (i = 0; i < 10; i++) {
	(void) fake_fill(t);
	fake_ok();
    }
    ck_assert_int_gt(info("g").window, 3);
    ck_assert_int_eq(info("g").ceiling, 0);
}
END_TEST

/* "concurrency N D" caps the group for D, then the window grows from N. */
START_TEST(concurrency_throttle_caps_then_slow_start)
{
    SCHED_TRANSPORT *t;
    double  start;
    int     i;

    fake.tconf.group_concurrency_limit = 10;
    fake_start();
    start = fake.now;
    domains(4, "ms", 'a', 8);
    t = fake_transport("smtp");
    ck_assert_int_eq(fake_fill(t), 5);
    ck_assert_int_eq(throttle(0, "concurrency 1 5m"), 1);
    ck_assert_int_eq(info("ms").cap, 1);
    ck_assert_int_eq(fake_fill(t), 0);		/* 4 still busy */
    while (fake.nbusy > 0)
	fake_ok();
    for (i = 0; i < 5; i++) {
	ck_assert_int_eq(fake_fill(t), 1);
	ck_assert_int_eq(info("ms").busy, 1);
	fake_ok();
    }
    /* A looser rule while the cap holds changes nothing. */
    ck_assert_int_eq(fake_fill(t), 1);
    ck_assert_int_eq(throttle(0, "concurrency 3 5m"), 0);
    fake_advance(start + 300);
    ck_assert_int_eq(info("ms").cap, 0);
    ck_assert_int_eq(fake_fill(t), 1);		/* window 1, grows from there */
    fake_ok();
    ck_assert_int_eq(fake_fill(t), 2);
}
END_TEST

/* "rate N/P D" and smtp_mx_group_rate_delay space the starts of deliveries. */
START_TEST(rate_throttle_and_rate_delay_space_deliveries)
{
    SCHED_TRANSPORT *t;
    double  start;

    fake.tconf.group_concurrency_limit = 10;
    fake_start();
    start = fake.now;
    learn("a.test", "y");
    learn("b.test", "y");
    messages('a', "a.test", 10);
    messages('b', "b.test", 10);
    t = fake_transport("smtp");
    ck_assert_int_eq(fake_fill(t), 5);
    ck_assert_int_eq(throttle(0, "rate 2/10s 1m"), 1);
    ck_assert_double_eq_tol(info("y").spacing, 5, 1e-9);
    while (fake.nbusy > 0)
	fake_ok();
    ck_assert_int_eq(fake_fill(t), 1);		/* then 5 s to the next */
    ck_assert_int_eq(fake_fill(t), 0);
    fake_advance(fake.now + 4.9);
    ck_assert_int_eq(fake_fill(t), 0);
    fake_advance(fake.now + 0.1);
    ck_assert_int_eq(fake_fill(t), 1);
    ck_assert_int_eq(fake_fill(t), 0);
    fake_advance(start + 60);			/* the throttle ends */
    ck_assert_double_eq_tol(info("y").spacing, 0, 1e-9);
    ck_assert_int_ge(fake_fill(t), 2);
    fake_stop();

    /* The configured delay, without any throttle. */
    fake_defaults();
    fake.tconf.group_rate_delay = 2;
    fake_start();
    learn("a.test", "y");
    messages('a', "a.test", 4);
    t = fake_transport("smtp");
    ck_assert_int_eq(fake_fill(t), 1);
    fake_advance(fake.now + 1);
    ck_assert_int_eq(fake_fill(t), 0);
    fake_advance(fake.now + 1);
    ck_assert_int_eq(fake_fill(t), 1);
}
END_TEST

/* posthorn flush lifts every throttle at once. */
START_TEST(flush_lifts_suspension)
{
    SCHED_TRANSPORT *t;

    fake.tconf.group_concurrency_limit = 10;
    fake_start();
    learn("a.test", "g");
    messages('a', "a.test", 3);
    t = fake_transport("smtp");
    ck_assert_int_eq(fake_fill(t), 3);
    ck_assert_int_eq(throttle(0, "suspend 4h"), 1);
    while (fake.nbusy > 0)
	fake_ok();
    ck_assert_int_eq(info("g").suspended, 1);	/* kept: no members, but throttled */
    sched_flush_dead(fake.s);
    ck_assert_int_eq(info("g").suspended, 0);
    ck_assert_int_eq(info("g").window, 1);	/* kept to restart at one session */
    messages('b', "a.test", 3);
    ck_assert_int_eq(fake_fill(t), 1);
    fake_ok();
    ck_assert_int_eq(fake_fill(t), 2);
}
END_TEST

/* A throttle for a destination with no known group makes a group of its own. */
START_TEST(throttle_without_group_uses_the_next_hop)
{
    SCHED_TRANSPORT *t;

    fake_start();
    messages('a', "lonely.test", 3);
    t = fake_transport("smtp");
    ck_assert_int_eq(fake_fill(t), 3);
    ck_assert_int_eq(throttle(0, "suspend 60"), 1);
    ck_assert_int_eq(info("lonely.test").suspended, 1);
    fake_advance(fake.now + 60);
    ck_assert_int_eq(info("lonely.test").suspended, 0);
}
END_TEST

/* When the cache forgets a next hop, a new destination discovers its group again. */
START_TEST(expired_group_is_discovered_again)
{
    SCHED_TRANSPORT *t;

    fake.tconf.group_concurrency_limit = 10;
    fake_start();
    sched_group_learn(fake.s, "a.test", "g", 60);
    messages('a', "a.test", 1);
    t = fake_transport("smtp");
    ck_assert_int_eq(fake_fill(t), 1);
    fake_ok();					/* groups_seen; a.test is gone */
    fake_advance(fake.now + 61);
    messages('b', "a.test", 4);
    ck_assert_ptr_null(fake_queue("smtp", "a.test")->group);
    ck_assert_int_eq(fake_fill(t), 1);		/* discovery again */
}
END_TEST

/* status -j and status show groups, their windows and throttles. */
START_TEST(status_shows_groups)
{
    SCHED_TRANSPORT *t;
    DSTR   *out = dstr_new(1024);

    fake.tconf.group_concurrency_limit = 7;
    fake_start();
    learn("a.test", "google");
    learn("b.test", "google");
    messages('a', "a.test", 2);
    messages('b', "b.test", 2);
    t = fake_transport("smtp");
    ck_assert_int_eq(fake_fill(t), 4);
    ck_assert_int_eq(throttle(0, "concurrency 2 1h"), 1);
    sched_dump_json(fake.s, 4, out);
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\"groups\": [{\"name\": \"google\", "
				 "\"members\": 2, \"concurrency\": 3, \"window\": 2, "
				 "\"limit\": 7, \"state\": \"full\", \"cap\": 2"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\"throttle\": {\"action\": "
				 "\"concurrency 2 3600s\", \"reply\": \"421 4.7.28 unusual rate\""));
    DSTR_RESET(out);
    sched_dump_text(fake.s, 4, out);
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "exchanger group"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "concurrency 2 3600s, 3600s left"));
    dstr_free(out);
}
END_TEST

static Suite *group_suite(void)
{
    Suite  *s = suite_create("qmgr_sched_group");
    TCase  *tc = tcase_create("groups");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, group_window_bounds_all_members);
    tcase_add_test(tc, group_and_destination_limits_together);
    tcase_add_test(tc, group_slow_start_and_feedback);
    tcase_add_test(tc, one_discovery_session_per_new_domain);
    tcase_add_test(tc, agent_asks_and_overflow_goes_back);
    tcase_add_test(tc, suspension_defers_and_restarts_at_one);
    tcase_add_test(tc, throttle_leaves_a_window_ceiling);
    tcase_add_test(tc, concurrency_throttle_caps_then_slow_start);
    tcase_add_test(tc, rate_throttle_and_rate_delay_space_deliveries);
    tcase_add_test(tc, flush_lifts_suspension);
    tcase_add_test(tc, throttle_without_group_uses_the_next_hop);
    tcase_add_test(tc, expired_group_is_discovered_again);
    tcase_add_test(tc, status_shows_groups);
    suite_add_tcase(s, tc);
    return (s);
}

int     main(void)
{
    SRunner *sr = srunner_create(group_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed ? 1 : 0);
}
