/*
 * check_dict_cidr - unit tests for cidr: tables (cidr_table.c, dict_cidr.c)
 *	and the address parser they share with client lists (cidr_net.c)
 * DESCRIPTION
 *	Rules are read from memory through ios_open_mem(), as from a file;
 *	one test goes through dict_open("cidr:/path") and change detection.
 *	Warnings about skipped rules are captured and asserted.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cidr_net.h"
#include "cidr_table.h"
#include "dict.h"
#include "dstr.h"
#include "ios.h"
#include "msg.h"
#include "mymalloc.h"
#include "unit_table_file.h"
#include "unit_warnings.h"

/* read_table - rules from text; must be readable */

static CIDR_TABLE *read_table(const char *text)
{
    IOS    *ios = ios_open_mem(text, strlen(text));
    DSTR   *err = dstr_new(100);
    CIDR_TABLE *table = cidr_table_read(ios, "test.cidr", err);

    ck_assert_msg(table != 0, "%s", dstr_str(err));
    ios_free(ios);
    dstr_free(err);
    return (table);
}

/* lookup - one key against text; returns "" for no match (static result) */

static const char *lookup(const char *text, const char *key)
{
    static char result[100];
    CIDR_TABLE *table = read_table(text);
    const char *val = cidr_table_lookup(table, key);

    snprintf(result, sizeof(result), "%s", val ? val : "");
    cidr_table_free(table);
    return (result);
}

static const char *const sample =
"# Rule order matters.\n"
"192.168.1.1      OK\n"
"192.168.0.0/16   REJECT\n"
"2001:db8::1      OK\n"
"2001:db8::/32    REJECT\n";

START_TEST(ipv4_exact_and_network)
{
    ck_assert_str_eq(lookup(sample, "192.168.1.1"), "OK");
    ck_assert_str_eq(lookup(sample, "192.168.1.2"), "REJECT");
    ck_assert_str_eq(lookup(sample, "192.168.255.255"), "REJECT");
    ck_assert_str_eq(lookup(sample, "192.169.0.1"), "");
}
END_TEST

START_TEST(ipv6_exact_and_network)
{
    ck_assert_str_eq(lookup(sample, "2001:db8::1"), "OK");
    ck_assert_str_eq(lookup(sample, "2001:DB8:0:0:0:0:0:1"), "OK");
    ck_assert_str_eq(lookup(sample, "2001:db8:ffff::7"), "REJECT");
    ck_assert_str_eq(lookup(sample, "2001:db9::1"), "");
}
END_TEST

START_TEST(first_match_wins)
{
    const char *text = "10.0.0.0/8 wide\n10.1.0.0/16 narrow\n";

    ck_assert_str_eq(lookup(text, "10.1.2.3"), "wide");
    ck_assert_str_eq(lookup("10.1.0.0/16 narrow\n10.0.0.0/8 wide\n", "10.1.2.3"), "narrow");
}
END_TEST

START_TEST(families_do_not_mix)
{
    ck_assert_str_eq(lookup("0.0.0.0/0 v4\n", "::1"), "");
    ck_assert_str_eq(lookup("::/0 v6\n", "127.0.0.1"), "");
    ck_assert_str_eq(lookup("0.0.0.0/0 v4\n::/0 v6\n", "::1"), "v6");
}
END_TEST

START_TEST(mapped_addresses_count_as_ipv4)
{
    ck_assert_str_eq(lookup("192.0.2.0/24 x\n", "::ffff:192.0.2.5"), "x");
    ck_assert_str_eq(lookup("::ffff:192.0.2.0/120 x\n", "192.0.2.5"), "x");
}
END_TEST

START_TEST(brackets_and_zones_are_accepted)
{
    ck_assert_str_eq(lookup("[2001:db8::]/32 x\n", "[2001:db8::5]"), "x");
    ck_assert_str_eq(lookup("[192.0.2.1] y\n", "192.0.2.1"), "y");
    ck_assert_str_eq(lookup("fe80::/10 link\n", "fe80::1%eth0"), "link");
}
END_TEST

START_TEST(non_address_key_matches_nothing)
{
    ck_assert_str_eq(lookup("0.0.0.0/0 all\n", "mail.example.com"), "");
    ck_assert_str_eq(lookup("0.0.0.0/0 all\n", ""), "");
    ck_assert_str_eq(lookup("0.0.0.0/0 all\n", "192.0.2.1/32"), "");
}
END_TEST

START_TEST(result_is_rest_of_line_trimmed)
{
    ck_assert_str_eq(lookup("192.0.2.1   smtp:[mx.example]  with blanks  \n", "192.0.2.1"),
		     "smtp:[mx.example]  with blanks");
}
END_TEST

START_TEST(continuation_lines_and_comments)
{
    const char *text = "# head\n\n192.0.2.0/24\n   # inside\n   joined\n  more\n";

    ck_assert_str_eq(lookup(text, "192.0.2.9"), "joined  more");
}
END_TEST

START_TEST(negated_pattern)
{
    const char *text = "!192.0.2.0/24 outside\n192.0.2.0/24 inside\n";

    ck_assert_str_eq(lookup(text, "198.51.100.1"), "outside");
    ck_assert_str_eq(lookup(text, "192.0.2.1"), "inside");
    ck_assert_str_eq(lookup(text, "::1"), "outside");
}
END_TEST

START_TEST(if_endif_blocks_nest)
{
    const char *text =
    "if 10.0.0.0/8\n"
    "if !10.1.0.0/16\n"
    "10.0.0.0/8 ten-not-one\n"
    "endif\n"
    "10.1.2.0/24 ten-one-two\n"
    "endif\n"
    "0.0.0.0/0 rest\n";

    ck_assert_str_eq(lookup(text, "10.2.0.1"), "ten-not-one");
    ck_assert_str_eq(lookup(text, "10.1.2.3"), "ten-one-two");
    ck_assert_str_eq(lookup(text, "10.1.3.3"), "rest");
    ck_assert_str_eq(lookup(text, "11.0.0.1"), "rest");
}
END_TEST

START_TEST(bad_rules_are_skipped_with_a_warning)
{
    const char *text =
    "192.0.2.1/24 hostbits\n"			/* line 1 */
    "192.0.2.300 badaddr\n"			/* line 2 */
    "192.0.2.0/33 badmask\n"			/* line 3 */
    "192.0.2.0/24\n"				/* line 4: no result */
    "if 192.0.2.0/24 junk\n"			/* line 5 */
    "endif\n"					/* line 6: no if open */
    "example.com name\n"			/* line 7 */
    "192.0.2.0/24 good\n";
    CIDR_TABLE *table = read_table(text);
    const char *w = dstr_str(unit_warnings);

    ck_assert_str_eq(cidr_table_lookup(table, "192.0.2.1"), "good");
    ck_assert_int_eq(cidr_table_size(table), 1);
    ck_assert_msg(strstr(w, "cidr map test.cidr, line 1: non-null host address bits in "
			 "\"192.0.2.1/24\", perhaps you should use \"192.0.2.0/24\" instead"
			 ": skipping this rule") != 0, "%s", w);
    ck_assert_msg(strstr(w, "line 2: malformed IP address in \"192.0.2.300\"") != 0, "%s", w);
    ck_assert_msg(strstr(w, "line 3: bad network prefix length in \"192.0.2.0/33\"") != 0, "%s", w);
    ck_assert_msg(strstr(w, "line 4: no lookup result") != 0, "%s", w);
    ck_assert_msg(strstr(w, "line 5: garbage after if pattern") != 0, "%s", w);
    ck_assert_msg(strstr(w, "line 6: endif without matching if") != 0, "%s", w);
    ck_assert_msg(strstr(w, "line 7: malformed IP address in \"example.com\"") != 0, "%s", w);
    cidr_table_free(table);
}
END_TEST

START_TEST(if_without_endif_ends_at_end_of_file)
{
    CIDR_TABLE *table = read_table("0.0.0.0/0 first\nif 10.0.0.0/8\n10.0.0.0/8 ten\n");

    ck_assert_msg(strstr(dstr_str(unit_warnings), "line 2: if without matching endif") != 0,
		  "%s", dstr_str(unit_warnings));
    ck_assert_str_eq(cidr_table_lookup(table, "10.1.1.1"), "first");
    cidr_table_free(table);
    ck_assert_str_eq(lookup("if 10.0.0.0/8\n10.0.0.0/8 ten\n", "11.0.0.1"), "");
    ck_assert_str_eq(lookup("if 10.0.0.0/8\n10.0.0.0/8 ten\n", "10.0.0.1"), "ten");
}
END_TEST

START_TEST(unusable_input_is_an_error)
{
    DSTR   *err = dstr_new(100);
    DSTR   *big = dstr_new(CIDR_TABLE_LINE_MAX + 20);
    IOS    *ios;

    ios = ios_open_mem("192.0.2.0/24 a\0b\n", 17);
    ck_assert_ptr_null(cidr_table_read(ios, "nul.cidr", err));
    ck_assert_msg(strstr(dstr_str(err), "nul.cidr, line 1: NUL byte") != 0, "%s", dstr_str(err));
    ios_free(ios);

    dstr_cats(big, "192.0.2.0/24 ");
    while (dstr_len(big) <= CIDR_TABLE_LINE_MAX)
	dstr_catc(big, 'x');
    dstr_catc(big, '\n');
    ios = ios_open_mem(dstr_str(big), dstr_len(big));
    ck_assert_ptr_null(cidr_table_read(ios, "big.cidr", err));
    ck_assert_msg(strstr(dstr_str(err), "big.cidr, line 1: line too long") != 0, "%s",
		  dstr_str(err));
    ios_free(ios);

    dstr_free(big);
    dstr_free(err);
}
END_TEST

START_TEST(continuation_without_a_line_before_it_is_skipped_with_a_warning)
{
    /* As Postfix: an indented rule costs only itself, not the table. */
    CIDR_TABLE *table = read_table("  192.0.2.0/24 indented\n"	/* line 1 */
				   "   and its continuation\n"
				   "# comment\n"
				   "198.51.100.0/24 good\n"		/* line 4 */
				   "    joined\n");
    const char *w = dstr_str(unit_warnings);

    ck_assert_int_eq(cidr_table_size(table), 1);
    ck_assert_ptr_null(cidr_table_lookup(table, "192.0.2.1"));
    ck_assert_str_eq(cidr_table_lookup(table, "198.51.100.1"), "good    joined");
    ck_assert_msg(strstr(w, "cidr map test.cidr, line 1: continuation line without a line "
			 "before it: skipping this rule") != 0, "%s", w);
    ck_assert_msg(strstr(w, "line 2") == 0, "one warning per logical line: %s", w);
    cidr_table_free(table);
}
END_TEST

/* expect_net_error - cidr_net_parse refuses text with code, and why holds want */

static void expect_net_error(const char *text, int code, const char *want)
{
    DSTR   *why = dstr_new(100);
    CIDR_NET net;

    ck_assert_int_eq(cidr_net_parse(text, &net, why), code);
    ck_assert_msg(strstr(dstr_str(why), want) != 0, "\"%s\": \"%s\" lacks \"%s\"",
		  text, dstr_str(why), want);
    dstr_free(why);
}

START_TEST(net_parse_and_match)
{
    DSTR   *why = dstr_new(100);
    CIDR_NET net;
    CIDR_NET addr;

    ck_assert_int_eq(cidr_net_parse("198.51.100.128/25", &net, why), 0);
    ck_assert_int_eq(net.masklen, 25);
    ck_assert_int_eq(cidr_net_parse_addr("198.51.100.200", &addr), 0);
    ck_assert_int_eq(cidr_net_match(&net, &addr), 1);
    ck_assert_int_eq(cidr_net_parse_addr("198.51.100.127", &addr), 0);
    ck_assert_int_eq(cidr_net_match(&net, &addr), 0);
    ck_assert_int_eq(cidr_net_parse_addr("not an address", &addr), -1);
    /* IPv4-mapped IPv6, as pattern or as address, is IPv4. */
    ck_assert_int_eq(cidr_net_parse("[::ffff:198.51.100.0]/120", &net, why), 0);
    ck_assert_int_eq(net.family, AF_INET);
    ck_assert_int_eq(net.masklen, 24);
    ck_assert_int_eq(cidr_net_parse_addr("[::ffff:198.51.100.7]", &addr), 0);
    ck_assert_int_eq(addr.family, AF_INET);
    ck_assert_int_eq(cidr_net_match(&net, &addr), 1);
    dstr_free(why);
}
END_TEST

START_TEST(net_parse_errors)
{
    expect_net_error("2001:db8::/129", CIDR_NET_ERR_LEN,
		     "bad network prefix length in \"2001:db8::/129\"");
    expect_net_error("2001:db8::1/64", CIDR_NET_ERR_HOST,
		     "non-null host address bits in \"2001:db8::1/64\", "
		     "perhaps you should use \"[2001:db8::]/64\" instead");
    expect_net_error("[2001:db8::", CIDR_NET_ERR_ADDR, "missing ']' in \"[2001:db8::\"");
    expect_net_error("[2001:db8::]x", CIDR_NET_ERR_ADDR,
		     "garbage after ']' in \"[2001:db8::]x\"");
    expect_net_error("010.0.0.1", CIDR_NET_ERR_ADDR, "malformed IP address in \"010.0.0.1\"");
}
END_TEST

START_TEST(cidr_file_table_through_dict)
{
    char    path[] = "/tmp/check_dict_cidr.XXXXXX";
    DSTR   *spec = dstr_new(100);
    DSTR   *err = dstr_new(100);
    DICT   *dict;

    unit_table_write(path, "127.0.0.0/8 local\n::1 local6\n");
    (void) dstr_sprintf(spec, "cidr:%s", path);
    ck_assert_ptr_nonnull(dict = dict_open(dstr_str(spec), err));
    ck_assert_int_ne(dict_flags(dict) & DICT_FLAG_ADDRESS, 0);
    ck_assert_str_eq(dict_get(dict, "127.0.0.1"), "local");
    ck_assert_str_eq(dict_get(dict, "::1"), "local6");
    ck_assert_ptr_null(dict_get(dict, "LOCALHOST"));
    ck_assert_int_eq(dict_watch_count(), 1);
    /* An edit of the source in place is a change too. */
    unit_table_edit_then_gone(dict, dstr_str(spec), path, "10.0.0.0/8 ten\n");
    dstr_free(spec);
    dstr_free(err);
}
END_TEST

/* dict_cidr_suite - every test above */

static Suite *dict_cidr_suite(void)
{
    Suite  *s = suite_create("dict_cidr");
    TCase  *tc = tcase_create("cidr");

    tcase_add_checked_fixture(tc, unit_warnings_setup, unit_warnings_teardown);
    tcase_add_test(tc, ipv4_exact_and_network);
    tcase_add_test(tc, ipv6_exact_and_network);
    tcase_add_test(tc, first_match_wins);
    tcase_add_test(tc, families_do_not_mix);
    tcase_add_test(tc, mapped_addresses_count_as_ipv4);
    tcase_add_test(tc, brackets_and_zones_are_accepted);
    tcase_add_test(tc, non_address_key_matches_nothing);
    tcase_add_test(tc, result_is_rest_of_line_trimmed);
    tcase_add_test(tc, continuation_lines_and_comments);
    tcase_add_test(tc, negated_pattern);
    tcase_add_test(tc, if_endif_blocks_nest);
    tcase_add_test(tc, bad_rules_are_skipped_with_a_warning);
    tcase_add_test(tc, if_without_endif_ends_at_end_of_file);
    tcase_add_test(tc, unusable_input_is_an_error);
    tcase_add_test(tc, continuation_without_a_line_before_it_is_skipped_with_a_warning);
    tcase_add_test(tc, net_parse_and_match);
    tcase_add_test(tc, net_parse_errors);
    tcase_add_test(tc, cidr_file_table_through_dict);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(dict_cidr_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
