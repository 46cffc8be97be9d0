/*
 * check_qmgr_sched - unit tests for the queue manager's scheduling core
 * DESCRIPTION
 *	Drives qmgr_sched.c directly: grouping and batching of recipients,
 *	destination windows, job order, turn-taking between destinations and
 *	transports, agent request accounting, and message completion.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmgr/qmgr_sched.h"

static SCHED_TRANSPORT_CONF conf;
static int idle_calls;
static SCHED_MESSAGE *last_idle;

static void test_conf(void *ctx, const char *name, SCHED_TRANSPORT_CONF *c)
{
    (void) ctx;
    (void) name;
    *c = conf;
}

static void test_idle(void *ctx, SCHED_MESSAGE *msg)
{
    (void) ctx;
    idle_calls++;
    last_idle = msg;
}

static SCHED *new_sched(int limit, int rcpt_limit)
{
    static const SCHED_OPS ops = {test_conf, test_idle, NULL};

    conf.dest_concurrency_limit = limit;
    conf.init_dest_concurrency = 5;
    conf.dest_recipient_limit = rcpt_limit;
    idle_calls = 0;
    last_idle = NULL;
    return (sched_new(&ops));
}

static void add_rcpts(SCHED *s, SCHED_MESSAGE *m, const char *transport,
		              const char *domain, int n)
{
    char    addr[128];
    int     i;

    for (i = 0; i < n; i++) {
	snprintf(addr, sizeof(addr), "u%d@%s", i, domain);
	sched_add_rcpt(s, m, transport, domain, addr, 100 + i);
    }
}

START_TEST(recipients_are_batched_by_the_recipient_limit)
{
    SCHED  *s = new_sched(20, 50);
    SCHED_MESSAGE m;
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *e[4];
    int     i;

    sched_message_init(&m, NULL, 1.0, 0);
    add_rcpts(s, &m, "smtp", "a.test", 120);
    ck_assert_int_eq(m.refcount, 3);
    ck_assert_int_eq(sched_active_recipients(s), 120);
    t = sched_next_transport(s);
    ck_assert_ptr_nonnull(t);
    for (i = 0; i < 3; i++)
	ck_assert_ptr_nonnull(e[i] = sched_select(s, t));
    ck_assert_ptr_null(sched_select(s, t));
    ck_assert_int_eq(e[0]->nrcpt, 50);
    ck_assert_int_eq(e[1]->nrcpt, 50);
    ck_assert_int_eq(e[2]->nrcpt, 20);
    ck_assert_str_eq(e[0]->rcpts[0].address, "u0@a.test");
    ck_assert_int_eq(e[2]->rcpts[19].offset, 219);
    for (i = 0; i < 3; i++)
	sched_entry_done(s, e[i], SCHED_DONE_OK);
    ck_assert_int_eq(idle_calls, 1);
    ck_assert_ptr_eq(last_idle, &m);
    ck_assert_int_eq(sched_active_recipients(s), 0);
    sched_free(s);
}
END_TEST

START_TEST(verp_recipients_share_entries_up_to_the_limit)
{
    SCHED  *s = new_sched(20, 2);
    SCHED_MESSAGE m;

    sched_message_init(&m, NULL, 1.0, 1);
    add_rcpts(s, &m, "smtp", "a.test", 5);
    ck_assert_int_eq(m.refcount, 3);
    sched_message_drop_todo(s, &m);
    ck_assert_int_eq(idle_calls, 1);
    sched_free(s);
}
END_TEST

START_TEST(recipient_limit_zero_means_one_entry)
{
    SCHED  *s = new_sched(20, 0);
    SCHED_MESSAGE m;

    sched_message_init(&m, NULL, 1.0, 0);
    add_rcpts(s, &m, "smtp", "a.test", 500);
    ck_assert_int_eq(m.refcount, 1);
    sched_message_drop_todo(s, &m);
    sched_free(s);
}
END_TEST

START_TEST(destinations_get_their_own_entries)
{
    SCHED  *s = new_sched(20, 50);
    SCHED_MESSAGE m;
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *e;
    int     seen_a = 0;
    int     seen_b = 0;
    int     seen_c = 0;

    sched_message_init(&m, NULL, 1.0, 0);
    add_rcpts(s, &m, "smtp", "a.test", 2);
    add_rcpts(s, &m, "smtp", "b.test", 2);
    add_rcpts(s, &m, "smtp", "c.test", 2);
    ck_assert_int_eq(m.refcount, 3);
    t = sched_next_transport(s);
    while ((e = sched_select(s, t)) != NULL) {
	ck_assert_int_eq(e->nrcpt, 2);
	seen_a += strcmp(sched_entry_nexthop(e), "a.test") == 0;
	seen_b += strcmp(sched_entry_nexthop(e), "b.test") == 0;
	seen_c += strcmp(sched_entry_nexthop(e), "c.test") == 0;
	sched_entry_done(s, e, SCHED_DONE_OK);
    }
    ck_assert_int_eq(seen_a + seen_b * 10 + seen_c * 100, 111);
    ck_assert_int_eq(idle_calls, 1);
    sched_free(s);
}
END_TEST

START_TEST(window_caps_deliveries_to_one_destination)
{
    SCHED  *s = new_sched(2, 1);
    SCHED_MESSAGE m;
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *e1;
    SCHED_ENTRY *e2;

    sched_message_init(&m, NULL, 1.0, 0);
    add_rcpts(s, &m, "smtp", "a.test", 5);
    t = sched_next_transport(s);
    ck_assert_ptr_nonnull(e1 = sched_select(s, t));
    ck_assert_ptr_nonnull(e2 = sched_select(s, t));
    ck_assert_ptr_null(sched_select(s, t));
    ck_assert_int_eq(sched_transport_wants_agent(t), 0);
    sched_entry_done(s, e1, SCHED_DONE_OK);
    ck_assert_int_eq(sched_transport_wants_agent(t), 1);
    ck_assert_ptr_nonnull(e1 = sched_select(s, t));
    ck_assert_ptr_null(sched_select(s, t));
    sched_entry_done(s, e1, SCHED_DONE_OK);
    sched_entry_done(s, e2, SCHED_DONE_DEFER);
    sched_message_drop_todo(s, &m);
    ck_assert_int_eq(idle_calls, 1);
    sched_free(s);
}
END_TEST

START_TEST(older_messages_are_served_first)
{
    SCHED  *s = new_sched(20, 50);
    SCHED_MESSAGE young;
    SCHED_MESSAGE old;
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *e;

    sched_message_init(&young, NULL, 20.0, 0);
    sched_message_init(&old, NULL, 10.0, 0);
    add_rcpts(s, &young, "smtp", "a.test", 1);
    add_rcpts(s, &old, "smtp", "a.test", 1);
    t = sched_next_transport(s);
    e = sched_select(s, t);
    ck_assert_ptr_eq(e->message, &old);
    sched_entry_done(s, e, SCHED_DONE_OK);
    e = sched_select(s, t);
    ck_assert_ptr_eq(e->message, &young);
    sched_entry_done(s, e, SCHED_DONE_OK);
    ck_assert_int_eq(idle_calls, 2);
    sched_free(s);
}
END_TEST

START_TEST(a_full_destination_does_not_block_another)
{
    SCHED  *s = new_sched(1, 50);
    SCHED_MESSAGE first;
    SCHED_MESSAGE second;
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *e1;
    SCHED_ENTRY *e2;
    SCHED_ENTRY *e3;

    sched_message_init(&first, NULL, 1.0, 0);
    sched_message_init(&second, NULL, 2.0, 0);
    add_rcpts(s, &first, "smtp", "slow.test", 51);	/* two entries */
    add_rcpts(s, &second, "smtp", "fast.test", 1);
    t = sched_next_transport(s);
    e1 = sched_select(s, t);
    ck_assert_str_eq(sched_entry_nexthop(e1), "slow.test");
    ck_assert(sched_queue_backlog(e1));
    e2 = sched_select(s, t);			/* slow.test is full */
    ck_assert_ptr_nonnull(e2);
    ck_assert_str_eq(sched_entry_nexthop(e2), "fast.test");
    ck_assert_ptr_null(sched_select(s, t));
    sched_entry_done(s, e2, SCHED_DONE_OK);
    sched_entry_done(s, e1, SCHED_DONE_OK);
    e3 = sched_select(s, t);
    ck_assert_ptr_nonnull(e3);
    ck_assert_int_eq(e3->nrcpt, 1);
    sched_entry_done(s, e3, SCHED_DONE_OK);
    ck_assert_int_eq(idle_calls, 2);
    sched_free(s);
}
END_TEST

START_TEST(transports_take_turns)
{
    SCHED  *s = new_sched(20, 50);
    SCHED_MESSAGE m;
    SCHED_TRANSPORT *t1;
    SCHED_TRANSPORT *t2;
    SCHED_TRANSPORT *t3;

    sched_message_init(&m, NULL, 1.0, 0);
    add_rcpts(s, &m, "smtp", "a.test", 1);
    add_rcpts(s, &m, "relay", "b.test", 1);
    t1 = sched_next_transport(s);
    t2 = sched_next_transport(s);
    t3 = sched_next_transport(s);
    ck_assert_ptr_ne(t1, t2);
    ck_assert_ptr_eq(t1, t3);
    sched_message_drop_todo(s, &m);
    sched_free(s);
}
END_TEST

START_TEST(at_most_two_agent_requests_are_pending)
{
    SCHED  *s = new_sched(20, 1);
    SCHED_MESSAGE m;
    SCHED_TRANSPORT *t;

    sched_message_init(&m, NULL, 1.0, 0);
    add_rcpts(s, &m, "smtp", "a.test", 10);
    t = sched_next_transport(s);
    sched_agent_asked(t);
    ck_assert_int_eq(sched_transport_wants_agent(t), 1);
    sched_agent_asked(t);
    ck_assert_int_eq(sched_transport_wants_agent(t), 0);
    ck_assert_ptr_null(sched_next_transport(s));
    sched_agent_settled(t);
    ck_assert_int_eq(sched_transport_wants_agent(t), 1);
    sched_agent_settled(t);
    sched_message_drop_todo(s, &m);
    sched_free(s);
}
END_TEST

START_TEST(pending_requests_count_against_ready_work)
{
    SCHED  *s = new_sched(20, 50);
    SCHED_MESSAGE m;
    SCHED_TRANSPORT *t;

    sched_message_init(&m, NULL, 1.0, 0);
    add_rcpts(s, &m, "smtp", "a.test", 1);	/* one entry: one agent is enough */
    t = sched_next_transport(s);
    sched_agent_asked(t);
    ck_assert_int_eq(sched_transport_wants_agent(t), 0);
    sched_agent_settled(t);
    sched_message_drop_todo(s, &m);
    sched_free(s);
}
END_TEST

static int drained;

static void drain_cb(void *ctx, SCHED_ENTRY *e)
{
    drained += (int) e->nrcpt;
    sched_entry_done((SCHED *) ctx, e, SCHED_DONE_DEFER);
}

START_TEST(drain_hands_over_every_waiting_entry)
{
    SCHED  *s = new_sched(20, 2);
    SCHED_MESSAGE m1;
    SCHED_MESSAGE m2;
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *busy;

    sched_message_init(&m1, NULL, 1.0, 0);
    sched_message_init(&m2, NULL, 2.0, 0);
    add_rcpts(s, &m1, "smtp", "a.test", 5);
    add_rcpts(s, &m2, "smtp", "b.test", 3);
    t = sched_next_transport(s);
    busy = sched_select(s, t);
    drained = 0;
    sched_transport_drain(s, t, drain_cb, s);
    ck_assert_int_eq(drained, 8 - (int) busy->nrcpt);
    ck_assert_int_eq(idle_calls, 1);		/* m2; m1 still has busy */
    sched_entry_done(s, busy, SCHED_DONE_OK);
    ck_assert_int_eq(idle_calls, 2);
    ck_assert_int_eq(sched_transport_wants_agent(t), 0);
    sched_free(s);
}
END_TEST

START_TEST(dropping_todo_keeps_busy_entries)
{
    SCHED  *s = new_sched(20, 1);
    SCHED_MESSAGE m;
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *busy;

    sched_message_init(&m, NULL, 1.0, 0);
    add_rcpts(s, &m, "smtp", "a.test", 4);
    t = sched_next_transport(s);
    busy = sched_select(s, t);
    sched_message_drop_todo(s, &m);
    ck_assert_int_eq(idle_calls, 0);
    ck_assert_int_eq(m.refcount, 1);
    ck_assert_ptr_null(sched_select(s, t));
    sched_entry_done(s, busy, SCHED_DONE_OK);
    ck_assert_int_eq(idle_calls, 1);
    sched_free(s);
}
END_TEST

static Suite *sched_suite(void)
{
    Suite  *s = suite_create("qmgr_sched");
    TCase  *tc = tcase_create("core");

    tcase_add_test(tc, recipients_are_batched_by_the_recipient_limit);
    tcase_add_test(tc, verp_recipients_share_entries_up_to_the_limit);
    tcase_add_test(tc, recipient_limit_zero_means_one_entry);
    tcase_add_test(tc, destinations_get_their_own_entries);
    tcase_add_test(tc, window_caps_deliveries_to_one_destination);
    tcase_add_test(tc, older_messages_are_served_first);
    tcase_add_test(tc, a_full_destination_does_not_block_another);
    tcase_add_test(tc, transports_take_turns);
    tcase_add_test(tc, at_most_two_agent_requests_are_pending);
    tcase_add_test(tc, pending_requests_count_against_ready_work);
    tcase_add_test(tc, drain_hands_over_every_waiting_entry);
    tcase_add_test(tc, dropping_todo_keeps_busy_entries);
    suite_add_tcase(s, tc);
    return (s);
}

int     main(void)
{
    SRunner *sr = srunner_create(sched_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
