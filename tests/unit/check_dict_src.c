/*
 * check_dict_src - unit tests for table source files: logical lines
 *	(lline.c) and "key value" entries (dict_src.c)
 * DESCRIPTION
 *	Sources are fed from memory; each test states one rule of the
 *	format postmap(1) reads: comments, continuation lines, key and value
 *	splitting, case folding, quoted keys, and the errors with their line
 *	numbers.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dict_src.h"
#include "dstr.h"
#include "ios.h"
#include "lline.h"

/* entries - every entry of text as "key=value;" (or "ERR:text" at an error) */

static const char *entries(const char *text, size_t len)
{
    static DSTR *out;
    IOS    *ios = ios_open_mem(text, len);
    DICT_SRC *src = dict_src_open(ios, "src");
    DSTR   *key = dstr_new(64);
    DSTR   *val = dstr_new(64);
    DSTR   *err = dstr_new(64);
    long    lineno;
    int     status;

    if (out == NULL)
	out = dstr_new(256);
    DSTR_RESET(out);
    while ((status = dict_src_next(src, key, val, &lineno, err)) > 0)
	dstr_printf(out, "%ld:%s=%s;", lineno, dstr_str(key), dstr_str(val));
    if (status < 0)
	dstr_printf(out, "ERR:%s", dstr_str(err));
    /* After the end or an error the reader stays done. */
    ck_assert_int_eq(dict_src_next(src, key, val, &lineno, err), 0);
    dict_src_free(src);
    ios_free(ios);
    dstr_free(key);
    dstr_free(val);
    dstr_free(err);
    return (dstr_str(out));
}

#define ENTRIES(text) entries((text), sizeof(text) - 1)

START_TEST(key_and_value)
{
    ck_assert_str_eq(ENTRIES("example.com smtp:[192.0.2.1]\n"),
		     "1:example.com=smtp:[192.0.2.1];");
    ck_assert_str_eq(ENTRIES("a\tb c  d \t\n"), "1:a=b c  d;");
    ck_assert_str_eq(ENTRIES("last without newline"), "1:last=without newline;");
}
END_TEST

START_TEST(keys_are_folded_values_are_not)
{
    ck_assert_str_eq(ENTRIES("Example.COM Relay:[MX.Example]\n"),
		     "1:example.com=Relay:[MX.Example];");
}
END_TEST

START_TEST(comments_and_blank_lines_are_skipped)
{
    ck_assert_str_eq(ENTRIES("# one\n\n   \n\t# two\na b\n#x y\nc d\n"), "5:a=b;7:c=d;");
}
END_TEST

START_TEST(continuation_lines_join_the_entry)
{
    ck_assert_str_eq(ENTRIES("a b\n  c\n\td\ne f\n"), "1:a=b  c\td;4:e=f;");
    /* Comments and blank lines do not end the entry. */
    ck_assert_str_eq(ENTRIES("a\n# note\n\n  value\n"), "1:a=value;");
}
END_TEST

START_TEST(crlf_lines_are_accepted)
{
    ck_assert_str_eq(ENTRIES("a b\r\nc d\r\n"), "1:a=b;2:c=d;");
}
END_TEST

START_TEST(quoted_key_holds_white_space)
{
    ck_assert_str_eq(ENTRIES("\"a b\" v\n"), "1:\"a b\"=v;");
    ck_assert_str_eq(ENTRIES("\"x \\\" y\"@Example.com v\n"), "1:\"x \\\" y\"@example.com=v;");
    ck_assert_str_eq(ENTRIES("\"open key\n"),
		     "ERR:src, line 1: missing '\"' in the key");
}
END_TEST

START_TEST(key_without_value_is_an_error)
{
    ck_assert_str_eq(ENTRIES("a b\nlonely\nc d\n"),
		     "1:a=b;ERR:src, line 2: expected format: key whitespace value");
    ck_assert_str_eq(ENTRIES("lonely   \n"),
		     "ERR:src, line 1: expected format: key whitespace value");
}
END_TEST

START_TEST(continuation_first_is_an_error)
{
    ck_assert_str_eq(ENTRIES("# c\n  a b\n"),
		     "ERR:src, line 2: continuation line without a line before it");
}
END_TEST

START_TEST(nul_byte_is_an_error)
{
    ck_assert_str_eq(ENTRIES("a b\nc \0d\n"), "1:a=b;ERR:src, line 2: NUL byte in line");
    ck_assert_str_eq(ENTRIES("a b\n c\0d\n"), "1:a=b;ERR:src, line 2: NUL byte in line");
}
END_TEST

START_TEST(long_key_is_an_error)
{
    DSTR   *text = dstr_new(DICT_SRC_KEY_MAX + 10);
    const char *got;

    while (dstr_len(text) < DICT_SRC_KEY_MAX)
	dstr_catc(text, 'k');
    dstr_cats(text, " v\n");
    got = entries(dstr_str(text), dstr_len(text));	/* "1:kkk...=v;" */
    ck_assert_int_eq(strncmp(got, "1:kkk", 5), 0);
    ck_assert_int_eq(strlen(got), DICT_SRC_KEY_MAX + 5);
    dstr_truncate(text, DICT_SRC_KEY_MAX);
    dstr_cats(text, "k v\n");
    ck_assert_str_eq(entries(dstr_str(text), dstr_len(text)),
		     "ERR:src, line 1: key longer than 4096 bytes");
    dstr_free(text);
}
END_TEST

START_TEST(long_lines_are_errors)
{
    DSTR   *text = dstr_new(DICT_SRC_LINE_MAX + 10);

    dstr_cats(text, "k ");
    while (dstr_len(text) <= DICT_SRC_LINE_MAX)
	dstr_catc(text, 'v');
    dstr_cats(text, "\n");
    ck_assert_str_eq(entries(dstr_str(text), dstr_len(text)),
		     "ERR:src, line 1: line too long");
    /* Each piece fits, the logical line does not. */
    DSTR_RESET(text);
    dstr_cats(text, "k v\n");
    while (dstr_len(text) <= DICT_SRC_LINE_MAX + DICT_SRC_LINE_MAX / 5)	/* newlines do not count */
	dstr_cats(text, " continued\n");
    ck_assert_str_eq(entries(dstr_str(text), dstr_len(text)),
		     "ERR:src, line 1: logical line too long");
    dstr_free(text);
}
END_TEST

START_TEST(lline_reports_first_line_numbers)
{
    IOS    *ios = ios_open_mem("\n# c\na\n b\nc\n", 12);
    LLINE  *lp = lline_open(ios, "f", 100);
    DSTR   *out = dstr_new(10);
    DSTR   *err = dstr_new(10);
    long    lineno;

    ck_assert_int_eq(lline_get(lp, out, &lineno, err), 1);
    ck_assert_str_eq(dstr_str(out), "a b");
    ck_assert_int_eq(lineno, 3);
    ck_assert_int_eq(lline_get(lp, out, &lineno, err), 1);
    ck_assert_str_eq(dstr_str(out), "c");
    ck_assert_int_eq(lineno, 5);
    ck_assert_int_eq(lline_get(lp, out, &lineno, err), 0);
    ck_assert_int_eq(lline_get(lp, out, &lineno, err), 0);
    lline_free(lp);
    ios_free(ios);
    dstr_free(out);
    dstr_free(err);
}
END_TEST

START_TEST(parse_one_line)
{
    DSTR   *key = dstr_new(10);
    DSTR   *val = dstr_new(10);
    DSTR   *err = dstr_new(10);

    ck_assert_int_eq(dict_src_parse("  K  v w  ", key, val, err), 0);
    ck_assert_str_eq(dstr_str(key), "k");
    ck_assert_str_eq(dstr_str(val), "v w");
    ck_assert_int_eq(dict_src_parse("\"\" v", key, val, err), 0);
    ck_assert_str_eq(dstr_str(key), "\"\"");
    ck_assert_int_eq(dict_src_parse("", key, val, err), -1);
    ck_assert_str_eq(dstr_str(err), "empty key");
    dstr_free(key);
    dstr_free(val);
    dstr_free(err);
}
END_TEST

/* dict_src_suite - every test above */

static Suite *dict_src_suite(void)
{
    Suite  *s = suite_create("dict_src");
    TCase  *tc = tcase_create("source");

    tcase_add_test(tc, key_and_value);
    tcase_add_test(tc, keys_are_folded_values_are_not);
    tcase_add_test(tc, comments_and_blank_lines_are_skipped);
    tcase_add_test(tc, continuation_lines_join_the_entry);
    tcase_add_test(tc, crlf_lines_are_accepted);
    tcase_add_test(tc, quoted_key_holds_white_space);
    tcase_add_test(tc, key_without_value_is_an_error);
    tcase_add_test(tc, continuation_first_is_an_error);
    tcase_add_test(tc, nul_byte_is_an_error);
    tcase_add_test(tc, long_key_is_an_error);
    tcase_add_test(tc, long_lines_are_errors);
    tcase_add_test(tc, lline_reports_first_line_numbers);
    tcase_add_test(tc, parse_one_line);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(dict_src_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
