/*
 * check_verp - unit tests for VERP request parsing and expansion
 * DESCRIPTION
 *	The worked examples of docs/protocols.md §3 (ezmlm's "-@[]" request,
 *	the "+" delimiter, per-recipient expansion), senders that only look
 *	like requests and must stay as they are, a delimiter the filter
 *	refuses, and expansion when either address lacks a domain.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dstr.h"
#include "verp.h"

#define FILTER	"-=+"				/* verp_delimiter_filter default */

/* parse - verp_parse_qmqp() with fresh buffers; stripped/delims filled in */

static int parse(const char *sender, const char *filter, DSTR *stripped, char delims[3])
{
    memcpy(delims, "??", 3);
    return (verp_parse_qmqp(sender, filter, stripped, delims));
}

 /*
  * Recognising a request.
  */
START_TEST(ezmlm_request_strips_suffix_and_dash)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("list-return-12-@example.org-@[]", FILTER, stripped, delims),
		     VERP_REQUEST);
    ck_assert_str_eq(dstr_str(stripped), "list-return-12@example.org");
    ck_assert_str_eq(delims, "-=");
    dstr_free(stripped);
}
END_TEST

START_TEST(ezmlm_testlist_request_as_observed)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("testlist-return-2-@example.org-@[]", FILTER, stripped, delims),
		     VERP_REQUEST);
    ck_assert_str_eq(dstr_str(stripped), "testlist-return-2@example.org");
    ck_assert_str_eq(delims, "-=");
    dstr_free(stripped);
}
END_TEST

START_TEST(plus_before_at_becomes_first_delimiter)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("list-return-7+@example.org-@[]", FILTER, stripped, delims),
		     VERP_REQUEST);
    ck_assert_str_eq(dstr_str(stripped), "list-return-7@example.org");
    ck_assert_str_eq(delims, "+=");
    dstr_free(stripped);
}
END_TEST

START_TEST(shortest_request_is_accepted)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    /* two characters before '@', one after it */
    ck_assert_int_eq(parse("a-@b-@[]", FILTER, stripped, delims), VERP_REQUEST);
    ck_assert_str_eq(dstr_str(stripped), "a@b");
    ck_assert_str_eq(delims, "-=");
    dstr_free(stripped);
}
END_TEST

START_TEST(request_replaces_stripped_content)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    dstr_cats(stripped, "old content");
    ck_assert_int_eq(parse("x-@y.test-@[]", FILTER, stripped, delims), VERP_REQUEST);
    ck_assert_str_eq(dstr_str(stripped), "x@y.test");
    dstr_free(stripped);
}
END_TEST

 /*
  * Senders that are not requests.
  */
START_TEST(ordinary_sender_is_none)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("alice@example.org", FILTER, stripped, delims), VERP_NONE);
    dstr_free(stripped);
}
END_TEST

START_TEST(empty_sender_is_none)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("", FILTER, stripped, delims), VERP_NONE);
    dstr_free(stripped);
}
END_TEST

START_TEST(suffix_alone_is_none)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("-@[]", FILTER, stripped, delims), VERP_NONE);
    dstr_free(stripped);
}
END_TEST

START_TEST(double_bounce_sender_is_none)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("#@[]", FILTER, stripped, delims), VERP_NONE);
    dstr_free(stripped);
}
END_TEST

START_TEST(nothing_before_at_is_none)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("@x-@[]", FILTER, stripped, delims), VERP_NONE);
    dstr_free(stripped);
}
END_TEST

START_TEST(only_the_delimiter_before_at_is_none)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("-@x-@[]", FILTER, stripped, delims), VERP_NONE);
    dstr_free(stripped);
}
END_TEST

START_TEST(empty_origin_is_none)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("a@-@[]", FILTER, stripped, delims), VERP_NONE);
    ck_assert_int_eq(parse("ab@-@[]", FILTER, stripped, delims), VERP_NONE);
    dstr_free(stripped);
}
END_TEST

START_TEST(no_at_before_suffix_is_none)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("list-return-12-example.org-@[]", FILTER, stripped, delims),
		     VERP_NONE);
    dstr_free(stripped);
}
END_TEST

START_TEST(other_suffix_is_none)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("list-@example.org-@[", FILTER, stripped, delims), VERP_NONE);
    ck_assert_int_eq(parse("list-@example.org@[]", FILTER, stripped, delims), VERP_NONE);
    ck_assert_int_eq(parse("list-@example.org-@[]x", FILTER, stripped, delims), VERP_NONE);
    dstr_free(stripped);
}
END_TEST

START_TEST(none_leaves_stripped_untouched)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    dstr_cats(stripped, "keep");
    ck_assert_int_eq(parse("@x-@[]", FILTER, stripped, delims), VERP_NONE);
    ck_assert_str_eq(dstr_str(stripped), "keep");
    dstr_free(stripped);
}
END_TEST

 /*
  * Delimiters the filter refuses.
  */
START_TEST(delimiter_outside_filter_is_bad_with_pair_reported)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("list-7x@example.org-@[]", FILTER, stripped, delims), VERP_BAD);
    ck_assert_str_eq(delims, "x=");
    dstr_free(stripped);
}
END_TEST

START_TEST(filter_without_equals_makes_request_bad)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("list-return-12-@example.org-@[]", "-+", stripped, delims),
		     VERP_BAD);
    ck_assert_str_eq(delims, "-=");
    dstr_free(stripped);
}
END_TEST

START_TEST(custom_filter_admits_its_characters)
{
    DSTR   *stripped = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("list-7x@example.org-@[]", "x=", stripped, delims), VERP_REQUEST);
    ck_assert_str_eq(dstr_str(stripped), "list-7@example.org");
    ck_assert_str_eq(delims, "x=");
    dstr_free(stripped);
}
END_TEST

 /*
  * Expansion.
  */
START_TEST(expand_worked_example)
{
    DSTR   *out = dstr_new(64);

    verp_expand(out, "list-return-12@example.org", "-=", "bob@host.test");
    ck_assert_str_eq(dstr_str(out), "list-return-12-bob=host.test@example.org");
    dstr_free(out);
}
END_TEST

START_TEST(expand_observed_plus_example)
{
    DSTR   *out = dstr_new(64);

    verp_expand(out, "list-return-7@example.org", "+=", "good8@host.test");
    ck_assert_str_eq(dstr_str(out), "list-return-7+good8=host.test@example.org");
    dstr_free(out);
}
END_TEST

START_TEST(expand_of_parsed_request_matches_observed_mail_from)
{
    DSTR   *stripped = dstr_new(64);
    DSTR   *out = dstr_new(64);
    char    delims[3];

    ck_assert_int_eq(parse("testlist-return-2-@example.org-@[]", FILTER, stripped, delims),
		     VERP_REQUEST);
    verp_expand(out, dstr_str(stripped), delims, "good2@host.test");
    ck_assert_str_eq(dstr_str(out), "testlist-return-2-good2=host.test@example.org");
    dstr_free(stripped);
    dstr_free(out);
}
END_TEST

START_TEST(expand_recipient_without_domain_omits_second_delimiter)
{
    DSTR   *out = dstr_new(64);

    verp_expand(out, "list-return-12@example.org", "-=", "bob");
    ck_assert_str_eq(dstr_str(out), "list-return-12-bob@example.org");
    dstr_free(out);
}
END_TEST

START_TEST(expand_sender_without_domain_omits_at)
{
    DSTR   *out = dstr_new(64);

    verp_expand(out, "list-return-12", "-=", "bob@host.test");
    ck_assert_str_eq(dstr_str(out), "list-return-12-bob=host.test");
    dstr_free(out);
}
END_TEST

START_TEST(expand_splits_at_the_last_at)
{
    DSTR   *out = dstr_new(64);

    verp_expand(out, "a@b@example.org", "-=", "\"x@y\"@host.test");
    ck_assert_str_eq(dstr_str(out), "a@b-\"x@y\"=host.test@example.org");
    dstr_free(out);
}
END_TEST

START_TEST(expand_replaces_previous_output)
{
    DSTR   *out = dstr_new(64);

    dstr_cats(out, "garbage");
    verp_expand(out, "s@d", "-=", "r@e");
    ck_assert_str_eq(dstr_str(out), "s-r=e@d");
    dstr_free(out);
}
END_TEST

/* verp_suite - every test above */

static Suite *verp_suite(void)
{
    Suite  *s = suite_create("verp");
    TCase  *tp = tcase_create("parse");
    TCase  *tn = tcase_create("none");
    TCase  *tb = tcase_create("bad");
    TCase  *te = tcase_create("expand");

    tcase_add_test(tp, ezmlm_request_strips_suffix_and_dash);
    tcase_add_test(tp, ezmlm_testlist_request_as_observed);
    tcase_add_test(tp, plus_before_at_becomes_first_delimiter);
    tcase_add_test(tp, shortest_request_is_accepted);
    tcase_add_test(tp, request_replaces_stripped_content);
    suite_add_tcase(s, tp);

    tcase_add_test(tn, ordinary_sender_is_none);
    tcase_add_test(tn, empty_sender_is_none);
    tcase_add_test(tn, suffix_alone_is_none);
    tcase_add_test(tn, double_bounce_sender_is_none);
    tcase_add_test(tn, nothing_before_at_is_none);
    tcase_add_test(tn, only_the_delimiter_before_at_is_none);
    tcase_add_test(tn, empty_origin_is_none);
    tcase_add_test(tn, no_at_before_suffix_is_none);
    tcase_add_test(tn, other_suffix_is_none);
    tcase_add_test(tn, none_leaves_stripped_untouched);
    suite_add_tcase(s, tn);

    tcase_add_test(tb, delimiter_outside_filter_is_bad_with_pair_reported);
    tcase_add_test(tb, filter_without_equals_makes_request_bad);
    tcase_add_test(tb, custom_filter_admits_its_characters);
    suite_add_tcase(s, tb);

    tcase_add_test(te, expand_worked_example);
    tcase_add_test(te, expand_observed_plus_example);
    tcase_add_test(te, expand_of_parsed_request_matches_observed_mail_from);
    tcase_add_test(te, expand_recipient_without_domain_omits_second_delimiter);
    tcase_add_test(te, expand_sender_without_domain_omits_at);
    tcase_add_test(te, expand_splits_at_the_last_at);
    tcase_add_test(te, expand_replaces_previous_output);
    suite_add_tcase(s, te);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(verp_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
