/*
 * check_header_addr - unit tests for the From: address reader
 * DESCRIPTION
 *	Plain addresses, display names, comments (nested, with parentheses
 *	inside quotes), quoted local parts, folded values, groups, obsolete
 *	routes, several addresses, and the malformed values that must be
 *	reported as such rather than guessed at.
 */
#include <check.h>
#include <string.h>

#include "header_addr.h"

/* expect - result code and, for one address, the address */

static void expect(const char *value, int want, const char *want_addr)
{
    DSTR   *addr = dstr_new(16);
    int     got = header_addr_one(value, strlen(value), addr);

    ck_assert_msg(got == want, "\"%s\": got %d, want %d", value, got, want);
    ck_assert_msg(strcmp(dstr_str(addr), want_addr ? want_addr : "") == 0,
		  "\"%s\": got address \"%s\"", value, dstr_str(addr));
    dstr_free(addr);
}

START_TEST(one_address_in_its_usual_forms)
{
    expect(" list@example.org", HEADER_ADDR_ONE, "list@example.org");
    expect(" Some List <list@example.org>", HEADER_ADDR_ONE, "list@example.org");
    expect(" \"List, the (best)\" <list@example.org>", HEADER_ADDR_ONE, "list@example.org");
    expect(" list@example.org (The List (really))", HEADER_ADDR_ONE, "list@example.org");
    expect(" Name\n\t<list@Example.ORG>\n", HEADER_ADDR_ONE, "list@Example.ORG");
    expect(" \"odd, local\"@example.org", HEADER_ADDR_ONE, "\"odd, local\"@example.org");
    expect(" <@relay1,@relay2:user@example.org>", HEADER_ADDR_ONE, "user@example.org");
    expect(" Team: one@example.org;", HEADER_ADDR_ONE, "one@example.org");
    expect(" a@example.org,", HEADER_ADDR_ONE, "a@example.org");
}
END_TEST

START_TEST(none_and_many)
{
    expect("", HEADER_ADDR_NONE, NULL);
    expect("  (just a comment) ", HEADER_ADDR_NONE, NULL);
    expect(" undisclosed-recipients:;", HEADER_ADDR_NONE, NULL);
    expect(" a@example.org, b@example.org", HEADER_ADDR_MANY, NULL);
    expect(" A <a@example.org>, \"B\" <b@example.net>", HEADER_ADDR_MANY, NULL);
    expect(" Team: a@example.org, b@example.org;", HEADER_ADDR_MANY, NULL);
}
END_TEST

START_TEST(malformed_is_reported_not_guessed)
{
    expect(" <a@example.org", HEADER_ADDR_BAD, NULL);
    expect(" a@example.org>", HEADER_ADDR_BAD, NULL);
    expect(" <a@example.org> <b@example.org>", HEADER_ADDR_BAD, NULL);
    expect(" \"unterminated <a@example.org>", HEADER_ADDR_BAD, NULL);
    expect(" (unterminated <a@example.org>", HEADER_ADDR_BAD, NULL);
    expect(" <<a@example.org>>", HEADER_ADDR_BAD, NULL);
    expect(" <a@example.org;>", HEADER_ADDR_BAD, NULL);
    expect(" a\001b@example.org", HEADER_ADDR_BAD, NULL);
    expect(" \"a\033\"@example.org", HEADER_ADDR_BAD, NULL);
}
END_TEST

START_TEST(value_need_not_be_terminated)
{
    DSTR   *addr = dstr_new(16);

    ck_assert_int_eq(header_addr_one(" a@example.org, b@example.org", 14, addr), HEADER_ADDR_ONE);
    ck_assert_str_eq(dstr_str(addr), "a@example.org");
    ck_assert_int_eq(header_addr_one(" a@example.org\0x", 16, addr), HEADER_ADDR_BAD);
    dstr_free(addr);
}
END_TEST

static Suite *header_addr_suite(void)
{
    Suite  *s = suite_create("header_addr");
    TCase  *tc = tcase_create("core");

    tcase_add_test(tc, one_address_in_its_usual_forms);
    tcase_add_test(tc, none_and_many);
    tcase_add_test(tc, malformed_is_reported_not_guessed);
    tcase_add_test(tc, value_need_not_be_terminated);
    suite_add_tcase(s, tc);
    return (s);
}

int     main(void)
{
    SRunner *sr = srunner_create(header_addr_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed ? 1 : 0);
}
