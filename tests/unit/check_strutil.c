/*
 * check_strutil - unit tests for the small string helpers
 * DESCRIPTION
 *	str_one_line: one trailing newline goes, every other control
 *	character becomes '?' (TAB a space), so a log datagram can never
 *	make two lines; 8-bit bytes stay.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

/* one_line - run str_one_line on a copy of in (n bytes), return the text */

static const char *one_line(const char *in, size_t n, char *buf)
{
    memcpy(buf, in, n);
    buf[str_one_line(buf, n)] = 0;
    return (buf);
}

START_TEST(one_line_replaces_control_characters)
{
    char    buf[64];

    ck_assert_str_eq(one_line("plain text\n", 11, buf), "plain text");
    ck_assert_str_eq(one_line("two\nlines\n", 10, buf), "two?lines");
    ck_assert_str_eq(one_line("cr\r\nlf\n\n", 8, buf), "cr??lf?");
    ck_assert_str_eq(one_line("nul\0esc\033del\177", 12, buf), "nul?esc?del?");
    ck_assert_str_eq(one_line("tab\there", 8, buf), "tab here");
    ck_assert_str_eq(one_line("caf\xc3\xa9", 5, buf), "caf\xc3\xa9");
    ck_assert_int_eq(str_one_line(buf, 0), 0);
    memcpy(buf, "\n", 1);
    ck_assert_int_eq(str_one_line(buf, 1), 0);
}
END_TEST

static Suite *strutil_suite(void)
{
    Suite  *s = suite_create("strutil");
    TCase  *tc = tcase_create("core");

    tcase_add_test(tc, one_line_replaces_control_characters);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(strutil_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
