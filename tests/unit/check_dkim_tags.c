/*
 * check_dkim_tags - unit tests for DKIM tag lists
 * DESCRIPTION
 *	A DKIM-Signature field and a key record as the RFCs show them;
 *	folding white space around and inside values; an empty value; a
 *	final ';'; and every way a list is invalid: a duplicate tag, a bad
 *	name, a missing '=', a bad character, too long, too many tags.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_tags.h"

static ATTR_LIST *test_list;
static DSTR *test_why;

static void setup(void)
{
    test_list = attr_list_new();
    test_why = dstr_new(64);
}

static void teardown(void)
{
    attr_list_free(test_list);
    dstr_free(test_why);
}

/* parse - a list from a C string */

static int parse(const char *text)
{
    return (dkim_tags_parse(text, strlen(text), test_list, test_why));
}

START_TEST(signature_field_with_folding)
{
    ck_assert_int_eq(parse("v=1; a=rsa-sha256; d=example.net; s=brisbane;\r\n"
			   "      c=simple; q=dns/txt; i=@eng.example.net;\r\n"
			   "      t=1117574938; x=1118006938;\r\n"
			   "      h=from:to:subject:date;\r\n"
			   "      bh=MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=;\r\n"
			   "      b=dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZ\r\n"
			   "        VoG4ZHRNiYzR"), 0);
    ck_assert_int_eq(test_list->count, 12);
    ck_assert_str_eq(attr_get_str(test_list, "d"), "example.net");
    ck_assert_str_eq(attr_get_str(test_list, "h"), "from:to:subject:date");
    ck_assert_str_eq(attr_get_str(test_list, "b"),
		     "dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZ\r\n"
		     "        VoG4ZHRNiYzR");
}
END_TEST

START_TEST(key_record_and_small_forms)
{
    ck_assert_int_eq(parse("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="), 0);
    ck_assert_str_eq(attr_get_str(test_list, "k"), "ed25519");
    ck_assert_int_eq(parse(" a = b ; c=; d=e f\tg ;"), 0);
    ck_assert_str_eq(attr_get_str(test_list, "a"), "b");
    ck_assert_str_eq(attr_get_str(test_list, "c"), "");
    ck_assert_str_eq(attr_get_str(test_list, "d"), "e f\tg");
    ck_assert_int_eq(parse(""), 0);
    ck_assert_int_eq(test_list->count, 0);
    ck_assert_int_eq(parse("x_1=2"), 0);
    ck_assert_str_eq(attr_get_str(test_list, "x_1"), "2");
}
END_TEST

START_TEST(invalid_lists)
{
    ck_assert_int_eq(parse("d=a.example; s=x; d=b.example"), -1);
    ck_assert_str_eq(dstr_str(test_why), "tag \"d\" occurs twice");
    ck_assert_int_eq(test_list->count, 0);
    ck_assert_int_eq(parse("1a=b"), -1);
    ck_assert_int_eq(parse("a b=c"), -1);
    ck_assert_str_eq(dstr_str(test_why), "tag \"a\" without '='");
    ck_assert_int_eq(parse("a=b\001c"), -1);
    ck_assert_int_eq(parse("a=b;;c=d"), -1);
    ck_assert_int_eq(parse("a=b\r\nc=d"), -1);		/* a line end not followed by space */
    ck_assert_int_eq(parse("a=caf\xc3\xa9"), -1);
}
END_TEST

START_TEST(limits)
{
    DSTR   *text = dstr_new(100);
    int     i;

    for (i = 0; i < DKIM_TAGS_MAX_COUNT; i++)
	dstr_printf(text, "t%d=%d;", i, i);
    ck_assert_int_eq(parse(dstr_str(text)), 0);
    dstr_printf(text, "t%d=%d", i, i);
    ck_assert_int_eq(parse(dstr_str(text)), -1);
    DSTR_RESET(text);
    dstr_cats(text, "b=");
    for (i = 0; i < DKIM_TAGS_MAX_LEN; i++)
	dstr_catc(text, 'A');
    ck_assert_int_eq(parse(dstr_str(text)), -1);
    ck_assert_str_eq(dstr_str(test_why), "tag list longer than 16384 bytes");
    dstr_free(text);
}
END_TEST

static Suite *dkim_tags_suite(void)
{
    Suite  *s = suite_create("dkim_tags");
    TCase  *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, signature_field_with_folding);
    tcase_add_test(tc, key_record_and_small_forms);
    tcase_add_test(tc, invalid_lists);
    tcase_add_test(tc, limits);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(dkim_tags_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
