/*
 * check_qmgr_sched_select - unit tests for job selection and preemption
 * DESCRIPTION
 *	Drives qmgr_sched_select.c through the public calls (sched_select,
 *	sched_entry_done) with an injected clock and one fake delivery agent
 *	(sched_fake.h), against docs/scheduler.md §6: job order, destination
 *	round robin, the selection strings of §6.8 and §6.9, the preemption
 *	thresholds, the candidate score, starvation bounds, refunds, the
 *	preemption stack when jobs finish out of order, and blockers.
 */
#include "sched_fake.h"

/* setup, teardown - a fresh fake qmgr with Postfix's defaults per test */

static void setup(void)
{
    fake_defaults();
    fake.tconf.dest_recipient_limit = 1;	/* one recipient per entry */
}

static void teardown(void)
{
    fake_stop();
}

/* slot - one agent on smtp selects and delivers at once: the job's letter, '.' if none */

static char slot(void)
{
    SCHED_TRANSPORT *t = fake_transport("smtp");
    SCHED_ENTRY *e;
    char    letter;

    if (!sched_transport_wants_agent(t))
	return ('.');
    sched_agent_asked(t);
    sched_agent_settled(t);
    if ((e = sched_select(fake.s, t)) == NULL) {
	sched_transport_unlock(t);
	return ('.');
    }
    letter = ((FAKE_MSG *) e->message->owner)->letter;
    sched_entry_done(fake.s, e, SCHED_DONE_OK, NULL, NULL);
    return (letter);
}

/* run - n slots; their letters in out */

static const char *run(int n, char *out)
{
    int     i;

    for (i = 0; i < n; i++)
	out[i] = slot();
    out[n] = 0;
    return (out);
}

/* jobs - messages of the given sizes (letters A, B, ...), all read, queued at when[i] */

static void jobs(const int *sizes, const double *when)
{
    int     i;

    fake_start();
    for (i = 0; sizes[i]; i++)
	(void) fake_message((char) ('A' + i), when ? when[i] : 1000, "smtp", "x.test", sizes[i]);
}

/* vector - a §6.9 row: A×10, B×2, C×2 with cost/discount/loan/min_slots */

static const char *vector(int cost, int discount, int loan, int min_slots, char *out)
{
    static const int sizes[] = {10, 2, 2, 0};

    fake.tconf.slot_cost = cost;
    fake.tconf.slot_discount = discount;
    fake.tconf.slot_loan = loan;
    fake.tconf.min_slots = min_slots;
    jobs(sizes, NULL);
    return (run(15, out));
}

/* §6.9 row 1 (cost 2, discount 0, loan 0): AAAABBAAAACCAA */
START_TEST(vector_cost2_discount0_loan0)
{
    char    out[16];

    ck_assert_str_eq(vector(2, 0, 0, 3, out), "AAAABBAAAACCAA.");
}
END_TEST

/* §6.9 row 2 (cost 2, discount 50, loan 0): AABBAAAACCAAAA */
START_TEST(vector_cost2_discount50_loan0)
{
    char    out[16];

    ck_assert_str_eq(vector(2, 50, 0, 3, out), "AABBAAAACCAAAA.");
}
END_TEST

/* §6.9 row 3 (cost 2, discount 50, loan 3): ABBAAAACCAAAAA */
START_TEST(vector_cost2_discount50_loan3)
{
    char    out[16];

    ck_assert_str_eq(vector(2, 50, 3, 3, out), "ABBAAAACCAAAAA.");
}
END_TEST

/* §6.9 row 4 (defaults): AAAAAAAAAABBCC, 10 < 15 so no preemption */
START_TEST(vector_defaults_small_job)
{
    char    out[16];

    ck_assert_str_eq(vector(5, 50, 3, 3, out), "AAAAAAAAAABBCC.");
}
END_TEST

/* §6.9 row 5 and §6.8 (A×40, B×3, C×1, D×2 at slot 12): ACAAAAABBBA... with A's slots */
START_TEST(vector_worked_example)
{
    static const int sizes[] = {40, 3, 1, 0};
    static const char want[] = "ACAAAAABBBAAAAAAAAAAAAAAADDAAA";
    SCHED_JOB *a;
    char    got[64];
    long    avail[64];
    long    sel[64];
    int     i;

    jobs(sizes, NULL);
    a = fake.msgs[0]->sm.jobs;
    for (i = 0; i < 30; i++) {
	if (i == 12)
	    (void) fake_message('D', 1000, "smtp", "x.test", 2);
	got[i] = slot();
	avail[i] = a->slots_available;
	sel[i] = a->selected_entries;
    }
    got[30] = 0;
    ck_assert_str_eq(got, want);
    ck_assert(strncmp(got, "ACAAAAABBBA", 11) == 0);
    ck_assert_int_eq(sel[0], 1);
    ck_assert_int_eq(avail[0], 1);
    ck_assert_int_eq(avail[1], -4);		/* C: 1 × 5 charged */
    ck_assert_int_eq(sel[6], 6);
    ck_assert_int_eq(avail[6], 1);
    ck_assert_int_eq(avail[7], -14);		/* B: 3 × 5 charged */
    ck_assert_int_eq(avail[9], -14);		/* B used what it was charged: no refund */
    ck_assert_int_eq(sel[24], 21);
    ck_assert_int_eq(avail[24], 1);
    ck_assert_int_eq(avail[26], -9);		/* D: 2 × 5 charged */
}
END_TEST

/* §6.5: a job needing more whole slots than the current job can still reach is no candidate */
START_TEST(candidate_bound_is_whole_slots)
{
    static const int four[] = {17, 4, 0};
    static const int three[] = {17, 3, 0};
    char    want[32];
    char    out[32];

    memset(want, 'A', 17);
    memcpy(want + 17, "BBBB", 5);
    jobs(four, NULL);				/* bound ⌊(17 - 1 + 1) / 5⌋ = 3 < 4 */
    ck_assert_str_eq(run(21, out), want);
    fake_stop();
    fake_defaults();
    fake.tconf.dest_recipient_limit = 1;
    jobs(three, NULL);
    ck_assert_str_eq(run(5, out), "ABBBA");
}
END_TEST

/* §5.3 / §6.6: a preempting job with unread recipients gets ⌊(extra + pool + 1) / 2⌋ slots */
START_TEST(extra_pool_share_on_preemption)
{
    SCHED_JOB *kj;
    FAKE_MSG *k;

    fake.tconf.recipient_limit = 50;
    fake.tconf.extra_recipient_limit = 20;
    fake_start();
    (void) fake_message('A', 1000, "smtp", "x.test", 40);
    ck_assert_int_eq(fake_transport("smtp")->pool, 50 - 40);	/* A's spare came back */
    k = fake_msg('K', 1000);
    fake_rcpt(k, "smtp", "k.test", "k@k.test");
    fake_rcpts(k, "relay", "r.test", 2);
    (void) sched_read_limit(fake.s, &k->sm, 1);
    (void) fake_read(k, 1);
    kj = k->sm.jobs;
    ck_assert_int_eq(kj->rcpt_limit, 10);	/* the pool */
    ck_assert_int_eq(fake_transport("smtp")->pool, 0);
    ck_assert_int_eq(slot(), 'A');
    ck_assert_int_eq(kj->rcpt_limit, 11);	/* A's spare slot went to next_unread */
    ck_assert_int_eq(fake_transport("smtp")->pool, 0);
    ck_assert_ptr_eq(fake_take(fake_transport("smtp"))->message, &k->sm);
    ck_assert_int_eq(fake_transport("smtp")->pool, -10);	/* ⌊(20 + 0 + 1) / 2⌋ */
    ck_assert_int_eq(kj->rcpt_limit, 11 + 10);
    ck_assert_int_eq(k->sm.rcpt_limit, 10 + 11 + 10);
    fake_ok();					/* K reads on, fully read: slots go back */
    while (slot() != '.')
	 /* the rest */ ;
    ck_assert_int_eq(k->finished, 0);		/* its relay entries wait */
    ck_assert_int_eq(fake_transport("smtp")->pool, 50);
}
END_TEST

/* §10 item 31 (score): behind a big job a 1-entry job beats a 3-entry one of the same second */
START_TEST(score_prefers_small_jobs)
{
    static const int sizes[] = {40, 3, 1, 0};
    char    out[8];

    jobs(sizes, NULL);
    ck_assert_str_eq(run(6, out), "ACAAAA");
}
END_TEST

/* §10 item 31 (score): a 3-entry job 10 s older than the 1-entry one goes first */
START_TEST(score_prefers_old_jobs)
{
    static const int sizes[] = {40, 3, 1, 0};
    static const double when[] = {990, 990, 1000};
    char    out[16];

    fake_set_now(1000);
    jobs(sizes, when);
    ck_assert_str_eq(run(12, out), "ABBBAAAAAAAA");
}
END_TEST

/* §10 item 30: a 14-entry job (< 3 × 5) is never preempted; 15 entries are */
START_TEST(too_small_to_preempt)
{
    char    out[32];
    int     i;

    for (i = 14; i <= 15; i++) {
	fake_defaults();
	fake.tconf.dest_recipient_limit = 1;
	fake_start();
	(void) fake_message('A', 1000, "smtp", "x.test", i);
	ck_assert_int_eq(slot(), 'A');
	(void) fake_message('X', 1000, "smtp", "y.test", 1);
	(void) run(i, out);
	if (i == 14)
	    ck_assert_str_eq(out, "AAAAAAAAAAAAAX");
	else
	    ck_assert_str_eq(out, "XAAAAAAAAAAAAAA");
	fake_stop();
    }
}
END_TEST

/* §6.3: preemption is off with delivery_slot_cost 0 or 1 (FIFO by message) */
START_TEST(preemption_off_with_cost_0_or_1)
{
    static const int sizes[] = {40, 3, 1, 0};
    char    want[48];
    char    out[48];
    int     cost;

    memset(want, 'A', 40);
    memcpy(want + 40, "BBBC.", 6);
    for (cost = 0; cost <= 1; cost++) {
	fake_defaults();
	fake.tconf.dest_recipient_limit = 1;
	fake.tconf.slot_cost = cost;
	jobs(sizes, NULL);
	ck_assert_str_eq(run(45, out), want);
	fake_stop();
    }
}
END_TEST

/* starve - A×100 and a new 1-entry job every slot (1 s apart): the slot A finishes in */

static int starve(int cost, int *others)
{
    FAKE_MSG *a;
    int     done_a = 0;
    int     i;
    char    c;

    fake.tconf.slot_cost = cost;
    fake_start();
    a = fake_message('A', 1000, "smtp", "x.test", 100);
    *others = 0;
    for (i = 0; i < 300; i++) {
	fake_set_now(1000 + i);
	(void) fake_message('X', fake.now, "smtp", "y.test", 1);
	c = slot();
	ck_assert_int_ne(c, '.');
	if (c != 'A')
	    (*others)++;
	else if (++done_a == 100)
	    break;
    }
    ck_assert_int_eq(a->finished, 1);
    return (i);
}

/* §10 item 33 and §6.9 row 6: with cost 5 the 100-entry job finishes by slot 120 */
START_TEST(no_starvation_cost5)
{
    int     others;
    int     last = starve(5, &others);

    ck_assert_int_lt(last, 120);
    ck_assert_int_le(others, 20);		/* at most ⌈N/k⌉ others interleaved */
    ck_assert_int_ge(others, 15);		/* and preemption did happen */
}
END_TEST

/* §10 item 33: with cost 2 the 100-entry job finishes by slot 150 */
START_TEST(no_starvation_cost2)
{
    int     others;
    int     last = starve(2, &others);

    ck_assert_int_lt(last, 150);
    ck_assert_int_le(others, 50);
    ck_assert_int_ge(others, 40);
}
END_TEST

/* §10 item 35 (refund): a preempting job whose MAX overestimated gives back the unused slots */
START_TEST(refund_to_original_parent)
{
    static const int sizes[] = {40, 0};
    SCHED_JOB *a;
    FAKE_MSG *k;
    char    out[16];

    jobs(sizes, NULL);
    a = fake.msgs[0]->sm.jobs;
    ck_assert_int_eq(slot(), 'A');
    ck_assert_int_eq(a->slots_available, 1);
    /* K: 1 recipient here, 3 still in the file that will go to another transport. */
    k = fake_msg('K', 1000);
    fake_rcpt(k, "smtp", "k.test", "k@k.test");
    fake_rcpts(k, "relay", "r.test", 3);
    (void) sched_read_limit(fake.s, &k->sm, 1);
    ck_assert_int_eq(fake_read(k, 1), 1);
    ck_assert_int_eq(k->sm.rcpt_unread, 3);	/* MAX(K) = 1 + 3 */
    ck_assert_int_eq(slot(), 'K');
    ck_assert_int_eq(k->nread, 4);		/* the refill found the 3 */
    /* Charged 4 × 5, used 1: 3 × 5 refunded when K was popped. */
    ck_assert_int_eq(a->slots_available, 1 - 20 + 15);
    ck_assert_str_eq(run(6, out), "AAAAAA");
    ck_assert_int_eq(a->slots_available, 2);
}
END_TEST

/* §6.6: a parent that finishes before its preempting child leaves no dangling stack link */
START_TEST(parent_done_before_child)
{
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *e;
    SCHED_JOB *kj;
    FAKE_MSG *a;
    FAKE_MSG *k;
    int     i;

    fake.tconf.init_dest_concurrency = 1;
    fake.tconf.dest_concurrency_limit = 1;
    fake_start();
    t = fake_transport("smtp");
    a = fake_message('A', 1000, "smtp", "x.test", 15);
    ck_assert_int_eq(slot(), 'A');
    k = fake_msg('K', 1000);
    fake_rcpt(k, "smtp", "k.test", "k@k.test");
    fake_rcpt(k, "smtp", "k.test", "k@k.test");
    (void) fake_read_first(k);
    kj = k->sm.jobs;
    /* K preempts A, and its destination (window 1) stays busy. */
    ck_assert_ptr_nonnull(e = fake_take(t));
    ck_assert_ptr_eq(e->message, &k->sm);
    ck_assert_ptr_eq(kj->parent, a->sm.jobs);
    ck_assert_int_eq(kj->level, 1);
    /* K is a blocker now: A runs to its end, and its message is freed. */
    for (i = 1; i < 15; i++)
	ck_assert_int_eq(slot(), 'A');
    ck_assert_int_eq(a->finished, 1);
    ck_assert_ptr_null(kj->parent);
    fake_ok();					/* K's first delivery */
    ck_assert_int_eq(slot(), 'K');
    ck_assert_int_eq(k->finished, 1);
}
END_TEST

/* §6.6: a popped job's children move to its parent, which they never refund */
START_TEST(adopted_child_refunds_nothing)
{
    SCHED_TRANSPORT *t;
    SCHED_JOB *aj;
    SCHED_JOB *bj;
    SCHED_JOB *cj;
    FAKE_MSG *c;
    long    avail;
    int     i;

    fake.tconf.slot_cost = 2;
    fake.tconf.min_slots = 1;
    fake.tconf.init_dest_concurrency = 1;
    fake.tconf.dest_concurrency_limit = 1;
    fake_start();
    t = fake_transport("smtp");
    aj = fake_message('A', 1000, "smtp", "x.test", 20)->sm.jobs;
    bj = fake_message('B', 1000, "smtp", "x.test", 6)->sm.jobs;
    ck_assert_int_eq(slot(), 'A');
    ck_assert_int_eq(slot(), 'B');		/* need 6: 0 + 3 >= 3 */
    ck_assert_int_eq(aj->slots_available, 1 - 6 * 2);
    /* C: two entries for one busy destination, one recipient more in the file. */
    c = fake_msg('C', 1000);
    fake_rcpt(c, "smtp", "c.test", "c@c.test");
    fake_rcpt(c, "smtp", "c.test", "c@c.test");
    fake_rcpt(c, "relay", "r.test", "r@r.test");
    (void) sched_read_limit(fake.s, &c->sm, 1);
    (void) fake_read(c, 2);
    cj = c->sm.jobs;
    ck_assert_ptr_nonnull(fake_take(t));		/* C preempts B; MAX(C) = 3 */
    ck_assert_ptr_eq(cj->parent, bj);
    ck_assert_int_eq(cj->level, 2);
    ck_assert_int_eq(bj->slots_available, 1 - 3 * 2);
    for (i = 1; i < 6; i++)			/* C blocks; B finishes, is popped, freed */
	ck_assert_int_eq(slot(), 'B');
    ck_assert_ptr_eq(cj->parent, aj);		/* adopted */
    ck_assert_int_eq(cj->level, 2);
    avail = aj->slots_available;
    ck_assert_int_lt(avail, 0);
    fake_ok();					/* C's destination has room again */
    ck_assert_int_eq(slot(), 'C');		/* C retires with used = -1 */
    ck_assert_int_eq(aj->slots_available, avail);	/* no refund to A */
    ck_assert_int_eq(slot(), 'A');
}
END_TEST

/* §6.1: a job is linked in queued-time order; one landing before current becomes current */
START_TEST(older_message_goes_first)
{
    static const int sizes[] = {3, 0};
    char    out[8];

    jobs(sizes, NULL);
    ck_assert_int_eq(slot(), 'A');
    (void) fake_message('B', 990, "smtp", "x.test", 2);	/* older, arrives later */
    (void) fake_message('C', 1000, "smtp", "x.test", 1);	/* same second: after A */
    ck_assert_str_eq(run(6, out), "BBAAC.");
}
END_TEST

/* §6.3: within a message the destinations take turns */
START_TEST(destinations_take_turns_within_a_message)
{
    static const char *want[] = {"a.test", "b.test", "c.test", "a.test", "b.test", "c.test"};
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *e;
    FAKE_MSG *m = fake_msg('A', 1000);
    int     i;

    fake.tconf.dest_recipient_limit = 2;
    fake_start();
    fake_rcpts(m, "smtp", "a.test", 4);
    fake_rcpts(m, "smtp", "b.test", 4);
    fake_rcpts(m, "smtp", "c.test", 4);
    (void) fake_read_first(m);
    t = fake_transport("smtp");
    for (i = 0; i < 6; i++) {
	ck_assert_ptr_nonnull(e = fake_take(t));
	ck_assert_str_eq(sched_entry_nexthop(e), want[i]);
	fake_ok();
    }
}
END_TEST

/* §6.7 / §10 item 34: a job whose destination is full does not hold up another; FIFO per destination */
START_TEST(blockers_are_skipped)
{
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *e;
    FAKE_MSG *x1;
    FAKE_MSG *x2;
    FAKE_MSG *y;

    fake.tconf.init_dest_concurrency = 1;
    fake.tconf.dest_concurrency_limit = 1;
    fake.tconf.dest_recipient_limit = 2;
    fake.tconf.slot_cost = 1;			/* even with preemption off */
    fake_start();
    t = fake_transport("smtp");
    x1 = fake_message('A', 1000, "smtp", "x.test", 20);
    x2 = fake_message('B', 1001, "smtp", "x.test", 2);
    ck_assert_ptr_nonnull(e = fake_take(t));
    ck_assert_ptr_eq(e->message, &x1->sm);
    ck_assert_ptr_null(sched_select(fake.s, t));	/* A and B are blockers */
    y = fake_message('C', 1002, "smtp", "y.test", 1);
    ck_assert_ptr_nonnull(e = fake_take(t));
    ck_assert_ptr_eq(e->message, &y->sm);
    ck_assert_ptr_null(sched_select(fake.s, t));
    fake_ok();					/* x.test has room again */
    ck_assert_ptr_nonnull(e = fake_take(t));
    ck_assert_ptr_eq(e->message, &x1->sm);	/* the older message first */
    ck_assert_ptr_null(sched_select(fake.s, t));
    fake_ok();					/* y.test */
    ck_assert_ptr_null(sched_select(fake.s, t));	/* y.test's room does not unblock x.test */
    fake_ok();
    ck_assert_ptr_nonnull(e = fake_take(t));
    ck_assert_ptr_eq(e->message, &x1->sm);
    ck_assert_int_eq(x2->sm.refcount, 1);
}
END_TEST

/* §6.7: assigning new recipients to a blocker job clears its mark */
START_TEST(new_recipients_unblock_a_job)
{
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *e;
    FAKE_MSG *a = fake_msg('A', 1000);

    fake.conf.rcpt_limit = 2;
    fake.conf.rcpt_minimum = 2;
    fake.tconf.recipient_limit = 0;		/* no slots to refill with */
    fake.tconf.init_dest_concurrency = 1;
    fake.tconf.dest_concurrency_limit = 1;
    fake_start();
    t = fake_transport("smtp");
    fake_rcpt(a, "smtp", "x.test", "u@x.test");
    fake_rcpt(a, "smtp", "x.test", "u@x.test");
    fake_rcpt(a, "smtp", "y.test", "v@y.test");
    ck_assert_int_eq(fake_read_first(a), 2);
    ck_assert_ptr_nonnull(fake_take(t));
    ck_assert_ptr_null(sched_select(fake.s, t));	/* A is a blocker now */
    ck_assert_int_eq(fake_read(a, 1), 1);
    ck_assert_ptr_nonnull(e = fake_take(t));
    ck_assert_str_eq(sched_entry_nexthop(e), "y.test");
}
END_TEST

/* select_suite - the tests */

static Suite *select_suite(void)
{
    Suite  *s = suite_create("qmgr_sched_select");
    TCase  *tv = tcase_create("vectors");
    TCase  *tp = tcase_create("preemption");
    TCase  *to = tcase_create("order");

    tcase_add_checked_fixture(tv, setup, teardown);
    tcase_add_test(tv, vector_cost2_discount0_loan0);
    tcase_add_test(tv, vector_cost2_discount50_loan0);
    tcase_add_test(tv, vector_cost2_discount50_loan3);
    tcase_add_test(tv, vector_defaults_small_job);
    tcase_add_test(tv, vector_worked_example);
    suite_add_tcase(s, tv);

    tcase_add_checked_fixture(tp, setup, teardown);
    tcase_add_test(tp, candidate_bound_is_whole_slots);
    tcase_add_test(tp, extra_pool_share_on_preemption);
    tcase_add_test(tp, score_prefers_small_jobs);
    tcase_add_test(tp, score_prefers_old_jobs);
    tcase_add_test(tp, too_small_to_preempt);
    tcase_add_test(tp, preemption_off_with_cost_0_or_1);
    tcase_add_test(tp, no_starvation_cost5);
    tcase_add_test(tp, no_starvation_cost2);
    tcase_add_test(tp, refund_to_original_parent);
    tcase_add_test(tp, parent_done_before_child);
    tcase_add_test(tp, adopted_child_refunds_nothing);
    suite_add_tcase(s, tp);

    tcase_add_checked_fixture(to, setup, teardown);
    tcase_add_test(to, older_message_goes_first);
    tcase_add_test(to, destinations_take_turns_within_a_message);
    tcase_add_test(to, blockers_are_skipped);
    tcase_add_test(to, new_recipients_unblock_a_job);
    suite_add_tcase(s, to);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(select_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
