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

#include "dstr.h"
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


START_TEST(dns_names)
{
    DSTR   *long_name = dstr_new(300);

    ck_assert_int_eq(str_dns_name_ok("example.org"), 1);
    ck_assert_int_eq(str_dns_name_ok("sel-2024_a.mail"), 1);
    ck_assert_int_eq(str_dns_name_ok("x"), 1);
    ck_assert_int_eq(str_dns_name_ok(""), 0);
    ck_assert_int_eq(str_dns_name_ok("example..org"), 0);
    ck_assert_int_eq(str_dns_name_ok(".example.org"), 0);
    ck_assert_int_eq(str_dns_name_ok("example.org."), 0);
    ck_assert_int_eq(str_dns_name_ok("exa mple.org"), 0);
    ck_assert_int_eq(str_dns_name_ok("ex\nample"), 0);
    while (dstr_len(long_name) < 63)
	dstr_catc(long_name, 'a');
    ck_assert_int_eq(str_dns_name_ok(dstr_str(long_name)), 1);
    dstr_catc(long_name, 'a');			/* a label of 64 */
    ck_assert_int_eq(str_dns_name_ok(dstr_str(long_name)), 0);
    DSTR_RESET(long_name);
    while (dstr_len(long_name) < 254)
	dstr_cats(long_name, "a.");
    dstr_truncate(long_name, 253);
    ck_assert_int_eq(str_dns_name_ok(dstr_str(long_name)), 1);
    dstr_cats(long_name, "a");			/* 254 in all */
    ck_assert_int_eq(str_dns_name_ok(dstr_str(long_name)), 0);
    dstr_free(long_name);
}
END_TEST
static Suite *strutil_suite(void)
{
    Suite  *s = suite_create("strutil");
    TCase  *tc = tcase_create("core");

    tcase_add_test(tc, one_line_replaces_control_characters);
    tcase_add_test(tc, dns_names);
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
