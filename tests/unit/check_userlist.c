/*
 * check_userlist - unit tests for user lists (authorized_flush_users ...)
 * DESCRIPTION
 *	Names match without regard to case, the first matching pattern
 *	decides, "!" negates, "/file" patterns and type:table patterns work
 *	(static: matches everyone), bad patterns are reported; resolving by
 *	uid uses the password database (root is uid 0 on every test machine)
 *	and treats an unknown uid as the name "unknown".
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "dict.h"
#include "userlist.h"
#include "unit_tmpdir.h"

static DSTR *test_err;

static void setup(void)
{
    test_err = dstr_new(64);
}

static void teardown(void)
{
    dstr_free(test_err);
}

/* list - parse or fail the test */

static USERLIST *list(const char *spec)
{
    USERLIST *ul = userlist_parse(spec, test_err);

    ck_assert_msg(ul != NULL, "%s: %s", spec, dstr_str(test_err));
    return (ul);
}

START_TEST(names_first_match_and_negation)
{
    USERLIST *ul = list("!Mallory, alice bob,!bob");

    ck_assert_int_eq(userlist_match_name(ul, "alice"), 1);
    ck_assert_int_eq(userlist_match_name(ul, "ALICE"), 1);
    ck_assert_int_eq(userlist_match_name(ul, "bob"), 1);	/* first match wins */
    ck_assert_int_eq(userlist_match_name(ul, "mallory"), 0);
    ck_assert_int_eq(userlist_match_name(ul, "carol"), 0);
    userlist_free(ul);
    ul = list("");
    ck_assert_int_eq(userlist_match_name(ul, "alice"), 0);	/* empty: nobody */
    userlist_free(ul);
}
END_TEST

START_TEST(static_table_matches_everyone)
{
    USERLIST *ul = list("static:anyone");

    ck_assert_int_eq(userlist_match_name(ul, "whoever"), 1);
    userlist_resolve(ul);
    ck_assert_int_eq(userlist_match_uid(ul, 12345678), 1);
    userlist_free(ul);
    /* A negation before it still excludes. */
    ul = list("!eve static:anyone");
    ck_assert_int_eq(userlist_match_name(ul, "eve"), 0);
    ck_assert_int_eq(userlist_match_name(ul, "adam"), 1);
    userlist_free(ul);
}
END_TEST

START_TEST(inline_table_and_file_patterns)
{
    char   *dir = unit_tmpdir_make("check_userlist");
    DSTR   *path = dstr_new(64);
    DSTR   *spec = dstr_new(64);
    USERLIST *ul;
    FILE   *fp;

    dstr_sprintf(path, "%s/users", dir);
    ck_assert_ptr_nonnull(fp = fopen(dstr_str(path), "w"));
    fputs("# admins\nroot\n  ops, backup\n", fp);
    fclose(fp);
    dstr_sprintf(spec, "inline:{ listmaster = yes } %s", dstr_str(path));
    ul = list(dstr_str(spec));
    ck_assert_int_eq(userlist_match_name(ul, "listmaster"), 1);
    ck_assert_int_eq(userlist_match_name(ul, "ops"), 1);
    ck_assert_int_eq(userlist_match_name(ul, "backup"), 1);
    ck_assert_int_eq(userlist_match_name(ul, "nobody"), 0);
    userlist_free(ul);
    dstr_sprintf(spec, "!%s static:anyone", dstr_str(path));
    ul = list(dstr_str(spec));
    ck_assert_int_eq(userlist_match_name(ul, "ops"), 0);
    ck_assert_int_eq(userlist_match_name(ul, "nobody"), 1);
    userlist_free(ul);
    dstr_free(path);
    dstr_free(spec);
    unit_tmpdir_remove(dir);
}
END_TEST

START_TEST(bad_patterns_are_reported)
{
    ck_assert_ptr_null(userlist_parse("alice, hash:/nonexistent/table", test_err));
    ck_assert_ptr_nonnull(strstr(dstr_str(test_err), "/nonexistent/table"));
    ck_assert_ptr_null(userlist_parse("/nonexistent/file", test_err));
    ck_assert_ptr_nonnull(strstr(dstr_str(test_err), "open \"/nonexistent/file\""));
    ck_assert_ptr_null(userlist_parse("!", test_err));
    ck_assert_ptr_nonnull(strstr(dstr_str(test_err), "no pattern after '!'"));
}
END_TEST

START_TEST(resolved_by_uid)
{
    USERLIST *ul = list("root");

    ck_assert_int_eq(userlist_match_uid(ul, 0), 0);	/* not resolved yet */
    userlist_resolve(ul);
    ck_assert_int_eq(userlist_match_uid(ul, 0), 1);
    ck_assert_int_eq(userlist_match_uid(ul, 65534), 0);
    ck_assert_int_eq(userlist_match_uid(ul, 3999999999u), 0);	/* no account */
    userlist_free(ul);
    ul = list("unknown");
    userlist_resolve(ul);
    ck_assert_int_eq(userlist_match_uid(ul, 3999999999u), 1);
    ck_assert_int_eq(userlist_match_uid(ul, 0), 0);
    userlist_free(ul);
}
END_TEST

START_TEST(static_table_value_forms)
{
    DICT   *d;

    ck_assert_ptr_nonnull(d = dict_open("static:OK", test_err));
    ck_assert_str_eq(dict_get(d, "anything"), "OK");
    dict_close(d);
    ck_assert_ptr_nonnull(d = dict_open("static:{two words}", test_err));
    ck_assert_str_eq(dict_get(d, "x"), "two words");
    dict_close(d);
    ck_assert_ptr_nonnull(d = dict_open("static:", test_err));
    ck_assert_str_eq(dict_get(d, "x"), "");
    dict_close(d);
    ck_assert_ptr_null(dict_open("static:{open", test_err));
    ck_assert_ptr_nonnull(strstr(dstr_str(test_err), "missing '}'"));
}
END_TEST

static Suite *userlist_suite(void)
{
    Suite  *s = suite_create("userlist");
    TCase  *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, names_first_match_and_negation);
    tcase_add_test(tc, static_table_matches_everyone);
    tcase_add_test(tc, inline_table_and_file_patterns);
    tcase_add_test(tc, bad_patterns_are_reported);
    tcase_add_test(tc, resolved_by_uid);
    tcase_add_test(tc, static_table_value_forms);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(userlist_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
