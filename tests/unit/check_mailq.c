/*
 * check_mailq - unit tests for the queue listing (posthorn queue, showq)
 * DESCRIPTION
 *	Each test builds a queue directory with queue files and defer logs
 *	(unit_spool.h) and compares mailq_print()'s whole output. The text
 *	form lists each delay reason once, in parentheses, over all the
 *	recipients it holds back, reasons in the order of their first
 *	recipient, recipients without a reason last; a recipient's last
 *	record counts; delivered recipients are left out. The JSON form
 *	keeps the file's order and a delay_reason per recipient.
 */
#include <check.h>
#include <stdlib.h>
#include <time.h>

#include "dstr.h"
#include "ios.h"
#include "mailq.h"
#include "unit_spool.h"
#include "unit_warnings.h"

#define QID	"0S44WE80000ABCDE"
#define ARRIVAL	1700000000L			/* Tue Nov 14 22:13:20 2023 UTC */
#define HEAD	"-Queue ID-        --Size-- ----Arrival Time---- -Sender/Recipient-------\n"

static char *spool;

/* setup - a queue directory, TZ=UTC, a log capture */

static void setup(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    spool = unit_spool_make("check_mailq");
    unit_warnings_setup();
}

/* teardown - remove the queue directory */

static void teardown(void)
{
    unit_warnings_teardown();
    spool = unit_tmpdir_remove(spool);
}

/* listing - mailq_print()'s output; the caller frees it */

static DSTR *listing(int json)
{
    IOS    *out = ios_open_mem("", 0);

    mailq_print(out, json);
    return (unit_spool_output(out));
}

/* indented - one recipient or reason line of the text listing */

static void indented(DSTR *out, const char *text)
{
    dstr_printf(out, "%45s%s\n", "", text);
}

/* sample - one message to five recipients, one delivered, with reasons */

static void sample(void)
{
    static const char *const rcpts[] = {"a@x.test", "b@y.test", "c@x.test",
    "d@z.test", "!e@x.test", "f@y.test", 0};

    unit_spool_msg("incoming", QID, ARRIVAL, "alice@example.org", rcpts);
    unit_spool_defer(QID, "b@y.test", "connection refused");
    unit_spool_defer(QID, "a@x.test", "451 greylisted");
    unit_spool_defer(QID, "b@y.test", "451 greylisted");	/* the last one counts */
    unit_spool_defer(QID, "f@y.test", "452 mailbox full");
    unit_spool_defer(QID, "c@x.test", "451 greylisted");
    unit_spool_defer(QID, "e@x.test", "452 mailbox full");	/* delivered since */
}

START_TEST(text_groups_recipients_under_each_reason_once)
{
    DSTR   *want = dstr_new(512);
    DSTR   *got;

    sample();
    got = listing(0);
    dstr_sprintf(want, HEAD QID "         17 Tue Nov 14 22:13:20  alice@example.org\n");
    indented(want, "(451 greylisted)");
    indented(want, "a@x.test");
    indented(want, "b@y.test");
    indented(want, "c@x.test");
    indented(want, "(452 mailbox full)");
    indented(want, "f@y.test");
    indented(want, "d@z.test");
    dstr_cats(want, "\n-- 1 Kbytes in 1 Request.\n");
    ck_assert_str_eq(dstr_str(got), dstr_str(want));
    ck_assert_str_eq(dstr_str(unit_warnings), "");
    dstr_free(want);
    dstr_free(got);
}
END_TEST

START_TEST(text_without_reasons_lists_recipients_in_file_order)
{
    static const char *const rcpts[] = {"b@y.test", "a@x.test", 0};
    DSTR   *want = dstr_new(512);
    DSTR   *got;

    unit_spool_msg("hold", QID, ARRIVAL, "", rcpts);
    got = listing(0);
    dstr_sprintf(want, HEAD QID " !       17 Tue Nov 14 22:13:20  MAILER-DAEMON\n");
    indented(want, "b@y.test");
    indented(want, "a@x.test");
    dstr_cats(want, "\n-- 1 Kbytes in 1 Request.\n");
    ck_assert_str_eq(dstr_str(got), dstr_str(want));
    dstr_free(want);
    dstr_free(got);
}
END_TEST

START_TEST(json_keeps_file_order_with_a_reason_each)
{
    DSTR   *got;

    sample();
    got = listing(1);
    ck_assert_str_eq(dstr_str(got),
		     "{\"queue_name\": \"incoming\", \"queue_id\": \"" QID "\", "
		     "\"arrival_time\": 1700000000, \"message_size\": 17, "
		     "\"forced_expire\": false, \"sender\": \"alice@example.org\", "
		     "\"recipients\": ["
		     "{\"address\": \"a@x.test\", \"delay_reason\": \"451 greylisted\"}, "
		     "{\"address\": \"b@y.test\", \"delay_reason\": \"451 greylisted\"}, "
		     "{\"address\": \"c@x.test\", \"delay_reason\": \"451 greylisted\"}, "
		     "{\"address\": \"d@z.test\"}, "
		     "{\"address\": \"f@y.test\", \"delay_reason\": \"452 mailbox full\"}]}\n");
    dstr_free(got);
}
END_TEST

START_TEST(empty_queue_says_so)
{
    DSTR   *got = listing(0);

    ck_assert_str_eq(dstr_str(got), HEAD "Mail queue is empty\n");
    dstr_free(got);
}
END_TEST

/* mailq_suite - every test above */

static Suite *mailq_suite(void)
{
    Suite  *s = suite_create("mailq");
    TCase  *tc = tcase_create("listing");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, text_groups_recipients_under_each_reason_once);
    tcase_add_test(tc, text_without_reasons_lists_recipients_in_file_order);
    tcase_add_test(tc, json_keeps_file_order_with_a_reason_each);
    tcase_add_test(tc, empty_queue_says_so);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(mailq_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
