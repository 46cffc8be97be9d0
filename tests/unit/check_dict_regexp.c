/*
 * check_dict_regexp - unit tests for regexp: tables (regexp_table.c,
 *	dict_regexp.c, and the rule engine ptable.c they share with cidr:)
 * DESCRIPTION
 *	Rules are read from memory through ios_open_mem(), as from a file;
 *	one test goes through dict_open("regexp:/path"). Warnings about
 *	skipped rules are captured and asserted.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dict.h"
#include "dstr.h"
#include "ios.h"
#include "msg.h"
#include "regexp_table.h"
#include "unit_table_file.h"
#include "unit_warnings.h"

/* read_table - rules from text; must be readable */

static REGEXP_TABLE *read_table(const char *text)
{
    IOS    *ios = ios_open_mem(text, strlen(text));
    DSTR   *err = dstr_new(100);
    REGEXP_TABLE *table = regexp_table_read(ios, "test.re", err);

    ck_assert_msg(table != 0, "%s", dstr_str(err));
    ios_free(ios);
    dstr_free(err);
    return (table);
}

/* lookup - one key against text; "-" for no match */

static const char *lookup(const char *text, const char *key)
{
    static char result[200];
    REGEXP_TABLE *table = read_table(text);
    DSTR   *out = dstr_new(32);

    snprintf(result, sizeof(result), "%s",
	     regexp_table_lookup(table, key, out) ? dstr_str(out) : "-");
    regexp_table_free(table);
    dstr_free(out);
    return (result);
}

static const char *const providers =
"# Exchanger groups\n"
"/\\.google\\.com$/                 google\n"
"/\\.protection\\.outlook\\.com$/    microsoft\n"
"/^mx[0-9]+\\.([a-z]+)\\.example$/  $1-group\n";

START_TEST(first_match_and_case)
{
    ck_assert_str_eq(lookup(providers, "aspmx.l.google.com"), "google");
    ck_assert_str_eq(lookup(providers, "ASPMX.L.GOOGLE.COM"), "google");	/* i by default */
    ck_assert_str_eq(lookup(providers, "x.mail.protection.outlook.com"), "microsoft");
    ck_assert_str_eq(lookup(providers, "google.com.evil.test"), "-");
    ck_assert_str_eq(lookup("/a/ one\n/a/ two\n", "a"), "one");
}
END_TEST

START_TEST(substitution)
{
    ck_assert_str_eq(lookup(providers, "mx12.Acme.example"), "Acme-group");	/* key as given */
    ck_assert_str_eq(lookup("/^(.)(.)(.)?$/ [$2${1}$(3)]\n", "ab"), "[ba]");	/* unmatched: empty */
    ck_assert_str_eq(lookup("/^(x+)$/ $$1=$1\n", "xx"), "$1=xx");
    ck_assert_str_eq(lookup("/^(.+)@(.+)$/ user $1 at $2\n", "who@example.org"),
		     "user who at example.org");
}
END_TEST

START_TEST(flags_toggle)
{
    ck_assert_str_eq(lookup("/abc/i yes\n", "ABC"), "-");	/* i: now case-sensitive */
    ck_assert_str_eq(lookup("/abc/i yes\n", "abc"), "yes");
    ck_assert_str_eq(lookup("/a+/x yes\n", "a+"), "yes");	/* x: basic syntax, + is literal */
    ck_assert_str_eq(lookup("/a+/x yes\n", "aaa"), "-");
    ck_assert_str_eq(lookup("/^b$/ yes\n", "a\nb"), "-");
    ck_assert_str_eq(lookup("/^b$/m yes\n", "a\nb"), "yes");
}
END_TEST

START_TEST(delimiters_and_escapes)
{
    ck_assert_str_eq(lookup("%^4\\.7\\.28% gmail\n", "4.7.28 unusual rate"), "gmail");
    ck_assert_str_eq(lookup("#^4# comment, not a rule\n", "4"), "-");
    ck_assert_str_eq(lookup("/a\\/b/ slash\n", "xa/by"), "slash");
    ck_assert_str_eq(lookup("|x\\|y| bar\n", "x|y"), "bar");
    ck_assert_str_eq(lookup("/a\\.b/ dot\n", "axb"), "-");
    ck_assert_str_eq(lookup("/a\\.b/ dot\n", "a.b"), "dot");
}
END_TEST

START_TEST(negation_forms)
{
    const char *text = "!/^ok/ not-ok\n/./ ok\n";
    const char *both = "/@example\\.org$/!/^postmaster@/ member\n";

    ck_assert_str_eq(lookup(text, "bad"), "not-ok");
    ck_assert_str_eq(lookup(text, "okay"), "ok");
    ck_assert_str_eq(lookup(both, "joe@example.org"), "member");
    ck_assert_str_eq(lookup(both, "postmaster@example.org"), "-");
    ck_assert_str_eq(lookup(both, "joe@example.net"), "-");
}
END_TEST

START_TEST(if_endif_blocks)
{
    const char *text =
    "if /^421 /\n"
    "  # continuation lines of the block's rules start at the left\n"
    "/4\\.7\\.28/ suspend 10m\n"
    "if !/TSS04/\n"
    "/./ defer\n"
    "endif\n"
    "/TSS04/ suspend 1h\n"
    "endif\n"
    "/./ other\n";

    ck_assert_str_eq(lookup(text, "421 4.7.28 unusual rate"), "suspend 10m");
    ck_assert_str_eq(lookup(text, "421 4.7.0 [TSS04] later"), "suspend 1h");
    ck_assert_str_eq(lookup(text, "421 4.3.2 shutting down"), "defer");
    ck_assert_str_eq(lookup(text, "451 4.7.28 unusual rate"), "other");
}
END_TEST

START_TEST(bad_rules_are_skipped_with_a_warning)
{
    const char *text =
    "abc nodelim\n"				/* 1 */
    "/abc nothing-closes\n"			/* 2 */
    "/a(/ unbalanced\n"				/* 3 */
    "/abc/q badflag\n"				/* 4 */
    "/abc/\n"					/* 5: no result */
    "/(a)/ $2\n"				/* 6: no such subexpression */
    "!/(a)/ $1\n"				/* 7: $1 in a negated rule */
    "/a/ cost $x\n"				/* 8: bad $ */
    "/a{1,999}/ big\n"				/* 9: repetition */
    "/a/garbage result\n"			/* 10: flag letters, then garbage */
    "endif\n"					/* 11 */
    "/a/ good\n";				/* 12 */

    ck_assert_str_eq(lookup(text, "a"), "good");
    ck_assert_msg(strstr(dstr_str(unit_warnings), "regexp map test.re, line 1: a regular expression must start with a delimiter") != 0, "%s", dstr_str(unit_warnings));
    ck_assert_msg(strstr(dstr_str(unit_warnings), "line 2: no closing delimiter /") != 0, "%s", dstr_str(unit_warnings));
    ck_assert_msg(strstr(dstr_str(unit_warnings), "line 3: bad regular expression \"a(\"") != 0, "%s", dstr_str(unit_warnings));
    ck_assert_msg(strstr(dstr_str(unit_warnings), "line 4: unknown regular expression flag 'q'") != 0, "%s", dstr_str(unit_warnings));
    ck_assert_msg(strstr(dstr_str(unit_warnings), "line 5: no lookup result") != 0, "%s", dstr_str(unit_warnings));
    ck_assert_msg(strstr(dstr_str(unit_warnings), "line 6: $2 in the result, but the pattern has 1 subexpression") != 0, "%s", dstr_str(unit_warnings));
    ck_assert_msg(strstr(dstr_str(unit_warnings), "line 7: $1 in the result of a rule that matches when its pattern does not") != 0, "%s", dstr_str(unit_warnings));
    ck_assert_msg(strstr(dstr_str(unit_warnings), "line 8: bad $ in the result") != 0, "%s", dstr_str(unit_warnings));
    ck_assert_msg(strstr(dstr_str(unit_warnings), "line 9: too much repetition") != 0, "%s", dstr_str(unit_warnings));
    ck_assert_msg(strstr(dstr_str(unit_warnings), "line 10: unknown regular expression flag 'g'") != 0, "%s", dstr_str(unit_warnings));
    ck_assert_msg(strstr(dstr_str(unit_warnings), "line 11: endif without matching if") != 0, "%s", dstr_str(unit_warnings));
    ck_assert_msg(strstr(dstr_str(unit_warnings), "line 12") == 0, "%s", dstr_str(unit_warnings));
}
END_TEST

/* Patterns that make regcomp's automaton explode are refused, plain ones not. */
START_TEST(repetition_is_bounded)
{
    const char *ok[] = {"/a+b*c?/ x\n", "/(ab)+/ x\n", "/a{2,3}b{250}/ x\n", "/[+*]+/ x\n",
    "/\\++/ x\n", "/(a|b)c+/ x\n", 0};
    const char *bad[] = {"/a++/ x\n", "/a+*/ x\n", "/(a+)+/ x\n", "/(a|b*)*/ x\n",
    "/a{200}b{100}/ x\n", "/a{1000}/ x\n", "/((a+))+/ x\n", 0};
    int     i;

    for (i = 0; ok[i]; i++)
	ck_assert_msg(strcmp(lookup(ok[i], "zz"), "-") == 0 && strstr(dstr_str(unit_warnings), "repetition") == 0,
		      "%s: %s", ok[i], dstr_str(unit_warnings));
    for (i = 0; bad[i]; i++) {
	DSTR_RESET(unit_warnings);
	(void) lookup(bad[i], "a");
	ck_assert_msg(strstr(dstr_str(unit_warnings), "line 1: too much repetition") != 0,
		      "%s: %s", bad[i], dstr_str(unit_warnings));
    }
}
END_TEST

START_TEST(if_without_endif_ends_at_end_of_file)
{
    ck_assert_str_eq(lookup("if /^x/\n/./ inside\n", "xy"), "inside");
    ck_assert_str_eq(lookup("if /^x/\n/./ inside\n", "yy"), "-");
    ck_assert_msg(strstr(dstr_str(unit_warnings), "line 1: if without matching endif") != 0,
		  "%s", dstr_str(unit_warnings));
}
END_TEST

START_TEST(unusable_input_is_an_error)
{
    static const char nul[] = "/a/ b\n/c\0/ d\n";
    IOS    *ios = ios_open_mem(nul, sizeof(nul) - 1);
    DSTR   *err = dstr_new(100);

    ck_assert_ptr_null(regexp_table_read(ios, "nul.re", err));
    ck_assert_msg(strstr(dstr_str(err), "nul.re, line 2") != 0, "%s", dstr_str(err));
    ios_free(ios);
    dstr_free(err);
}
END_TEST

START_TEST(regexp_file_table_through_dict)
{
    char    path[] = "/tmp/check_dict_regexp.XXXXXX";
    DSTR   *spec = dstr_new(100);
    DSTR   *err = dstr_new(100);
    DICT   *dict;

    unit_table_write(path, "/^(.*)\\.Example\\.ORG$/ host $1\n");
    (void) dstr_sprintf(spec, "regexp:%s", path);
    ck_assert_ptr_nonnull(dict = dict_open(dstr_str(spec), err));
    ck_assert_int_ne(dict_flags(dict) & DICT_FLAG_RAW_KEY, 0);
    /* The key is not folded: $1 keeps its case; the match ignores case. */
    ck_assert_str_eq(dict_get(dict, "MX1.example.org"), "host MX1");
    ck_assert_ptr_null(dict_get(dict, "example.org"));
    ck_assert_int_eq(dict_walk(dict, NULL, NULL), -1);
    unit_table_edit_then_gone(dict, dstr_str(spec), path, "/x/ y\n");
    dstr_free(spec);
    dstr_free(err);
}
END_TEST

/* dict_regexp_suite - every test above */

static Suite *dict_regexp_suite(void)
{
    Suite  *s = suite_create("dict_regexp");
    TCase  *tc = tcase_create("regexp");

    tcase_add_checked_fixture(tc, unit_warnings_setup, unit_warnings_teardown);
    tcase_add_test(tc, first_match_and_case);
    tcase_add_test(tc, substitution);
    tcase_add_test(tc, flags_toggle);
    tcase_add_test(tc, delimiters_and_escapes);
    tcase_add_test(tc, negation_forms);
    tcase_add_test(tc, if_endif_blocks);
    tcase_add_test(tc, bad_rules_are_skipped_with_a_warning);
    tcase_add_test(tc, repetition_is_bounded);
    tcase_add_test(tc, if_without_endif_ends_at_end_of_file);
    tcase_add_test(tc, unusable_input_is_an_error);
    tcase_add_test(tc, regexp_file_table_through_dict);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(dict_regexp_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
