/*
 * check_qid - unit tests for queue ids
 * DESCRIPTION
 *	Shape of a new id (16 upper-case base-36 characters, the pid in the
 *	last five), ordering and uniqueness of many ids from one process,
 *	the arrival second encoded in an id, and the validity check that
 *	guards every path built from an id.
 */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "qid.h"

#define MANY	10000

/* quiet_sink - keep expected panic lines out of the test output */

static void quiet_sink(int level, const char *text)
{
    (void) level;
    (void) text;
}

/* base36 - decode width characters of upper-case base 36 */

static unsigned long base36(const char *s, int width)
{
    unsigned long val = 0;
    int     i;

    for (i = 0; i < width; i++)
	val = val * 36 + (unsigned long) (s[i] <= '9' ? s[i] - '0' : s[i] - 'A' + 10);
    return (val);
}

START_TEST(new_id_has_sixteen_base36_characters)
{
    char    id[QID_SIZE];
    int     i;

    memset(id, 'x', sizeof(id));
    qid_new(id);
    ck_assert_uint_eq(strlen(id), QID_LEN);
    for (i = 0; i < QID_LEN; i++)
	ck_assert_msg((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'A' && id[i] <= 'Z'),
		      "character %d of \"%s\" is not upper-case base 36", i, id);
}
END_TEST

START_TEST(new_id_is_valid)
{
    char    id[QID_SIZE];

    qid_new(id);
    ck_assert_int_ne(qid_valid(id), 0);
}
END_TEST

START_TEST(new_id_ends_with_the_pid)
{
    char    id[QID_SIZE];

    qid_new(id);
    ck_assert_uint_eq(base36(id + 11, 5), (unsigned long) getpid() % (36UL * 36 * 36 * 36 * 36));
}
END_TEST

START_TEST(new_id_microseconds_are_below_one_million)
{
    char    id[QID_SIZE];
    int     i;

    for (i = 0; i < 1000; i++) {
	qid_new(id);
	ck_assert_uint_lt(base36(id + 7, 4), 1000000);
    }
}
END_TEST

START_TEST(many_ids_are_strictly_increasing)
{
    static char ids[MANY][QID_SIZE];
    int     i;

    for (i = 0; i < MANY; i++)
	qid_new(ids[i]);
    for (i = 1; i < MANY; i++)
	ck_assert_msg(strcmp(ids[i - 1], ids[i]) < 0, "id %d \"%s\" does not sort after \"%s\"",
		      i, ids[i], ids[i - 1]);
}
END_TEST

/* cmp_id - qsort comparison */

static int cmp_id(const void *a, const void *b)
{
    return (strcmp(a, b));
}

START_TEST(many_ids_are_unique)
{
    static char ids[MANY][QID_SIZE];
    int     i;

    for (i = 0; i < MANY; i++)
	qid_new(ids[i]);
    qsort(ids, MANY, QID_SIZE, cmp_id);
    for (i = 1; i < MANY; i++)
	ck_assert_str_ne(ids[i - 1], ids[i]);
}
END_TEST

START_TEST(time_round_trips_the_arrival_second)
{
    char    id[QID_SIZE];
    time_t  before = time((time_t *) 0);
    time_t  got;
    time_t  after;

    qid_new(id);
    after = time((time_t *) 0);
    got = qid_time(id);
    ck_assert_int_ge(got, before);
    ck_assert_int_le(got, after + 1);		/* a tie-break may carry into the next second */
}
END_TEST

START_TEST(time_decodes_a_known_id)
{
    /* 1700000000 = base 36 "S44WE8" -> 7 digits "0S44WE8" */
    ck_assert_int_eq(qid_time("0S44WE80000ABCDE"), 1700000000);
    ck_assert_int_eq(qid_time("0000000000000000"), 0);
    ck_assert_int_eq(qid_time("0000001000000000"), 1);
    ck_assert_int_eq(qid_time("000000Z000000000"), 35);
    ck_assert_int_eq(qid_time("0000010000000000"), 36);
}
END_TEST

START_TEST(time_panics_on_invalid_id)
{
    msg_set_sink(quiet_sink);
    (void) qid_time("../../etc/passwd");
}
END_TEST

START_TEST(valid_accepts_digits_and_upper_case)
{
    ck_assert_int_ne(qid_valid("0123456789ABCDEF"), 0);
    ck_assert_int_ne(qid_valid("GHIJKLMNOPQRSTUZ"), 0);
}
END_TEST

START_TEST(valid_rejects_short_id)
{
    ck_assert_int_eq(qid_valid("0123456789ABCDE"), 0);
    ck_assert_int_eq(qid_valid(""), 0);
}
END_TEST

START_TEST(valid_rejects_long_id)
{
    ck_assert_int_eq(qid_valid("0123456789ABCDEF0"), 0);
}
END_TEST

START_TEST(valid_rejects_lower_case)
{
    ck_assert_int_eq(qid_valid("0123456789aBCDEF"), 0);
    ck_assert_int_eq(qid_valid("0123456789ABCDEz"), 0);
}
END_TEST

START_TEST(valid_rejects_slash)
{
    ck_assert_int_eq(qid_valid("0123456/89ABCDEF"), 0);
    ck_assert_int_eq(qid_valid("/123456789ABCDEF"), 0);
}
END_TEST

START_TEST(valid_rejects_dot)
{
    ck_assert_int_eq(qid_valid("..23456789ABCDEF"), 0);
    ck_assert_int_eq(qid_valid("0123456789ABCDE."), 0);
}
END_TEST

START_TEST(valid_rejects_characters_next_to_the_alphabet)
{
    /* one below '0', one above '9', one below 'A', one above 'Z' */
    ck_assert_int_eq(qid_valid("0123456789ABCDE/"), 0);
    ck_assert_int_eq(qid_valid("0123456789ABCDE:"), 0);
    ck_assert_int_eq(qid_valid("0123456789ABCDE@"), 0);
    ck_assert_int_eq(qid_valid("0123456789ABCDE["), 0);
}
END_TEST

/* qid_suite - every test above */

static Suite *qid_suite(void)
{
    Suite  *s = suite_create("qid");
    TCase  *tn = tcase_create("new");
    TCase  *tv = tcase_create("valid");

    tcase_add_test(tn, new_id_has_sixteen_base36_characters);
    tcase_add_test(tn, new_id_is_valid);
    tcase_add_test(tn, new_id_ends_with_the_pid);
    tcase_add_test(tn, new_id_microseconds_are_below_one_million);
    tcase_add_test(tn, many_ids_are_strictly_increasing);
    tcase_add_test(tn, many_ids_are_unique);
    tcase_add_test(tn, time_round_trips_the_arrival_second);
    tcase_add_test(tn, time_decodes_a_known_id);
    tcase_add_test_raise_signal(tn, time_panics_on_invalid_id, SIGABRT);
    suite_add_tcase(s, tn);

    tcase_add_test(tv, valid_accepts_digits_and_upper_case);
    tcase_add_test(tv, valid_rejects_short_id);
    tcase_add_test(tv, valid_rejects_long_id);
    tcase_add_test(tv, valid_rejects_lower_case);
    tcase_add_test(tv, valid_rejects_slash);
    tcase_add_test(tv, valid_rejects_dot);
    tcase_add_test(tv, valid_rejects_characters_next_to_the_alphabet);
    suite_add_tcase(s, tv);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(qid_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
