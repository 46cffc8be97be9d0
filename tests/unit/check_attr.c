/*
 * check_attr - unit tests for the internal attribute protocol codec
 * DESCRIPTION
 *	The encoder (golden bytes, bad names panic), the memory parser
 *	(complete lists, "need more" at every prefix, malformed attributes,
 *	the per-attribute and per-list limits), the stream reader over
 *	memory streams (end of file anywhere inside a list), and the lookups
 *	(last value wins, bounded numbers).
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "dstr.h"
#include "ios.h"
#include "msg.h"

#define BIG_LEN		((size_t) 1 << 20)
#define BIG_COUNT	((size_t) 1 << 20)

/* quiet_sink - keep expected panic lines out of the test output */

static void quiet_sink(int level, const char *text)
{
    (void) level;
    (void) text;
}

/* parse_str - attr_parse() over a C string with generous limits */

static long parse_str(const char *in, ATTR_LIST *list)
{
    return (attr_parse(in, strlen(in), list, BIG_LEN, BIG_COUNT));
}

/* read_mem - attr_read() over a memory stream holding len bytes of in */

static int read_mem(const char *in, size_t len, ATTR_LIST *list,
		            size_t max_len, size_t max_count)
{
    IOS    *ios = ios_open_mem(in, len);
    int     ret = attr_read(ios, list, max_len, max_count);

    ios_free(ios);
    return (ret);
}

/* assert_attr - list entry i is name=value */

static void assert_attr(const ATTR_LIST *list, size_t i, const char *name,
			        const char *value)
{
    ck_assert_uint_gt(list->count, i);
    ck_assert_str_eq(list->attrs[i].name, name);
    ck_assert_str_eq(list->attrs[i].value, value);
}

 /*
  * Encoding.
  */
START_TEST(put_status_and_queue_id_gives_golden_bytes)
{
    DSTR   *out = dstr_new(16);

    attr_put_long(out, "status", 0);
    attr_put_str(out, "queue_id", "4Xb9Kq");
    attr_put_end(out);
    ck_assert_str_eq(dstr_str(out), "8:status=0,15:queue_id=4Xb9Kq,0:,");
    ck_assert_uint_eq(dstr_len(out), strlen("8:status=0,15:queue_id=4Xb9Kq,0:,"));
    dstr_free(out);
}
END_TEST

START_TEST(put_queue_id_x_gives_golden_bytes)
{
    DSTR   *out = dstr_new(16);

    attr_put_long(out, "status", 0);
    attr_put_str(out, "queue_id", "X");
    attr_put_end(out);
    ck_assert_str_eq(dstr_str(out), "8:status=0,10:queue_id=X,0:,");
    dstr_free(out);
}
END_TEST

START_TEST(put_long_encodes_negative_numbers)
{
    DSTR   *out = dstr_new(16);

    attr_put_long(out, "delta", -42);
    ck_assert_str_eq(dstr_str(out), "9:delta=-42,");
    dstr_free(out);
}
END_TEST

START_TEST(put_str_encodes_empty_value)
{
    DSTR   *out = dstr_new(16);

    attr_put_str(out, "sender", "");
    ck_assert_str_eq(dstr_str(out), "7:sender=,");
    dstr_free(out);
}
END_TEST

START_TEST(put_str_keeps_equals_and_comma_in_value)
{
    DSTR   *out = dstr_new(16);

    attr_put_str(out, "a", "b=c,d");
    ck_assert_str_eq(dstr_str(out), "7:a=b=c,d,");
    dstr_free(out);
}
END_TEST

START_TEST(put_str_appends_to_existing_content)
{
    DSTR   *out = dstr_new(16);

    dstr_cats(out, "xyz");
    attr_put_str(out, "a", "1");
    ck_assert_str_eq(dstr_str(out), "xyz3:a=1,");
    dstr_free(out);
}
END_TEST

START_TEST(put_end_appends_empty_netstring)
{
    DSTR   *out = dstr_new(16);

    attr_put_end(out);
    ck_assert_str_eq(dstr_str(out), "0:,");
    dstr_free(out);
}
END_TEST

START_TEST(put_str_panics_on_empty_name)
{
    DSTR   *out = dstr_new(16);

    msg_set_sink(quiet_sink);
    attr_put_str(out, "", "v");
}
END_TEST

START_TEST(put_str_panics_on_name_with_equals)
{
    DSTR   *out = dstr_new(16);

    msg_set_sink(quiet_sink);
    attr_put_str(out, "a=b", "v");
}
END_TEST

START_TEST(encoded_list_parses_back)
{
    DSTR   *out = dstr_new(16);
    ATTR_LIST *list = attr_list_new();

    attr_put_str(out, "sender", "list-return-12@example.org");
    attr_put_long(out, "size", 123456789L);
    attr_put_str(out, "empty", "");
    attr_put_end(out);
    ck_assert_int_eq(attr_parse(dstr_str(out), dstr_len(out), list, BIG_LEN, BIG_COUNT),
		     (long) dstr_len(out));
    ck_assert_uint_eq(list->count, 3);
    assert_attr(list, 0, "sender", "list-return-12@example.org");
    assert_attr(list, 1, "size", "123456789");
    assert_attr(list, 2, "empty", "");
    attr_list_free(list);
    dstr_free(out);
}
END_TEST

 /*
  * Parsing from memory.
  */
START_TEST(parse_complete_list_returns_bytes_consumed)
{
    ATTR_LIST *list = attr_list_new();
    const char *in = "8:status=0,10:queue_id=X,0:,";

    ck_assert_int_eq(parse_str(in, list), (long) strlen(in));
    ck_assert_uint_eq(list->count, 2);
    assert_attr(list, 0, "status", "0");
    assert_attr(list, 1, "queue_id", "X");
    attr_list_free(list);
}
END_TEST

START_TEST(parse_empty_list_is_just_the_terminator)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(parse_str("0:,", list), 3);
    ck_assert_uint_eq(list->count, 0);
    attr_list_free(list);
}
END_TEST

START_TEST(parse_stops_after_the_terminator)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(parse_str("3:a=1,0:,3:b=2,0:,", list), 9);
    ck_assert_uint_eq(list->count, 1);
    assert_attr(list, 0, "a", "1");
    attr_list_free(list);
}
END_TEST

START_TEST(parse_needs_more_at_every_prefix)
{
    ATTR_LIST *list = attr_list_new();
    const char *in = "8:status=0,10:queue_id=X,7:sender=,0:,";
    size_t  len = strlen(in);
    size_t  i;

    for (i = 0; i < len; i++)
	ck_assert_msg(attr_parse(in, i, list, BIG_LEN, BIG_COUNT) == 0,
		      "prefix of %zu bytes was not \"need more\"", i);
    ck_assert_int_eq(attr_parse(in, len, list, BIG_LEN, BIG_COUNT), (long) len);
    attr_list_free(list);
}
END_TEST

START_TEST(parse_splits_at_the_first_equals)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_gt(parse_str("5:a=b=c,0:,", list), 0);
    assert_attr(list, 0, "a", "b=c");
    attr_list_free(list);
}
END_TEST

START_TEST(parse_accepts_empty_value)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(parse_str("7:sender=,0:,", list), 13);
    assert_attr(list, 0, "sender", "");
    attr_list_free(list);
}
END_TEST

START_TEST(parse_keeps_duplicate_names_in_order)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_gt(parse_str("3:r=a,3:r=b,0:,", list), 0);
    ck_assert_uint_eq(list->count, 2);
    assert_attr(list, 0, "r", "a");
    assert_attr(list, 1, "r", "b");
    attr_list_free(list);
}
END_TEST

START_TEST(parse_rejects_attribute_without_equals)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(parse_str("6:status,0:,", list), ATTR_ERR_FORMAT);
    attr_list_free(list);
}
END_TEST

START_TEST(parse_rejects_empty_name)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(parse_str("2:=0,0:,", list), ATTR_ERR_FORMAT);
    attr_list_free(list);
}
END_TEST

START_TEST(parse_rejects_nul_in_value)
{
    static const char in[] = "3:a=\0,0:,";
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(attr_parse(in, sizeof(in) - 1, list, BIG_LEN, BIG_COUNT),
		     ATTR_ERR_FORMAT);
    attr_list_free(list);
}
END_TEST

START_TEST(parse_rejects_nul_in_name)
{
    static const char in[] = "4:a\0=1,0:,";
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(attr_parse(in, sizeof(in) - 1, list, BIG_LEN, BIG_COUNT),
		     ATTR_ERR_FORMAT);
    attr_list_free(list);
}
END_TEST

START_TEST(parse_rejects_bad_netstring)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(parse_str("3:a=1;0:,", list), ATTR_ERR_FORMAT);
    ck_assert_int_eq(parse_str("x:a=1,0:,", list), ATTR_ERR_FORMAT);
    ck_assert_int_eq(parse_str(":,", list), ATTR_ERR_FORMAT);
    attr_list_free(list);
}
END_TEST

START_TEST(parse_accepts_attribute_at_max_len)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(attr_parse("5:ab=cd,0:,", 11, list, 5, BIG_COUNT), 11);
    assert_attr(list, 0, "ab", "cd");
    attr_list_free(list);
}
END_TEST

START_TEST(parse_rejects_attribute_over_max_len)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(attr_parse("5:ab=cd,0:,", 11, list, 4, BIG_COUNT), ATTR_ERR_SIZE);
    attr_list_free(list);
}
END_TEST

START_TEST(parse_rejects_oversize_length_before_its_payload_arrived)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(attr_parse("99999:", 6, list, 4096, BIG_COUNT), ATTR_ERR_SIZE);
    attr_list_free(list);
}
END_TEST

START_TEST(parse_accepts_list_at_max_count)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(attr_parse("3:a=1,3:b=2,0:,", 15, list, BIG_LEN, 2), 15);
    ck_assert_uint_eq(list->count, 2);
    attr_list_free(list);
}
END_TEST

START_TEST(parse_rejects_list_over_max_count)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(attr_parse("3:a=1,3:b=2,3:c=3,0:,", 21, list, BIG_LEN, 2),
		     ATTR_ERR_SIZE);
    attr_list_free(list);
}
END_TEST

START_TEST(parse_replaces_previous_list_content)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_gt(parse_str("3:a=1,3:b=2,0:,", list), 0);
    ck_assert_int_gt(parse_str("3:c=3,0:,", list), 0);
    ck_assert_uint_eq(list->count, 1);
    assert_attr(list, 0, "c", "3");
    ck_assert_ptr_null(attr_get_str(list, "a"));
    attr_list_free(list);
}
END_TEST

 /*
  * Reading from a stream.
  */
START_TEST(read_complete_list)
{
    const char *in = "8:status=0,10:queue_id=X,0:,";
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(read_mem(in, strlen(in), list, BIG_LEN, BIG_COUNT), ATTR_OK);
    ck_assert_uint_eq(list->count, 2);
    assert_attr(list, 0, "status", "0");
    assert_attr(list, 1, "queue_id", "X");
    attr_list_free(list);
}
END_TEST

START_TEST(read_stops_after_the_terminator)
{
    const char *in = "3:a=1,0:,3:b=2,0:,Z";
    IOS    *ios = ios_open_mem(in, strlen(in));
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(attr_read(ios, list, BIG_LEN, BIG_COUNT), ATTR_OK);
    assert_attr(list, 0, "a", "1");
    ck_assert_int_eq(attr_read(ios, list, BIG_LEN, BIG_COUNT), ATTR_OK);
    ck_assert_uint_eq(list->count, 1);
    assert_attr(list, 0, "b", "2");
    ck_assert_int_eq(ios_getc(ios), 'Z');
    attr_list_free(list);
    ios_free(ios);
}
END_TEST

START_TEST(read_eof_inside_list_at_every_prefix)
{
    const char *in = "8:status=0,10:queue_id=X,0:,";
    size_t  len = strlen(in);
    ATTR_LIST *list = attr_list_new();
    size_t  i;

    for (i = 0; i < len; i++)
	ck_assert_msg(read_mem(in, i, list, BIG_LEN, BIG_COUNT) == ATTR_ERR_EOF,
		      "prefix of %zu bytes did not give ATTR_ERR_EOF", i);
    attr_list_free(list);
}
END_TEST

START_TEST(read_rejects_attribute_without_equals)
{
    const char *in = "6:status,0:,";
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(read_mem(in, strlen(in), list, BIG_LEN, BIG_COUNT), ATTR_ERR_FORMAT);
    attr_list_free(list);
}
END_TEST

START_TEST(read_rejects_empty_name)
{
    const char *in = "2:=0,0:,";
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(read_mem(in, strlen(in), list, BIG_LEN, BIG_COUNT), ATTR_ERR_FORMAT);
    attr_list_free(list);
}
END_TEST

START_TEST(read_rejects_nul_inside_attribute)
{
    static const char in[] = "3:a=\0,0:,";
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(read_mem(in, sizeof(in) - 1, list, BIG_LEN, BIG_COUNT), ATTR_ERR_FORMAT);
    attr_list_free(list);
}
END_TEST

START_TEST(read_rejects_missing_comma)
{
    const char *in = "3:a=1;0:,";
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(read_mem(in, strlen(in), list, BIG_LEN, BIG_COUNT), ATTR_ERR_FORMAT);
    attr_list_free(list);
}
END_TEST

START_TEST(read_rejects_attribute_over_max_len)
{
    const char *in = "5:ab=cd,0:,";
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(read_mem(in, strlen(in), list, 4, BIG_COUNT), ATTR_ERR_SIZE);
    ck_assert_int_eq(read_mem(in, strlen(in), list, 5, BIG_COUNT), ATTR_OK);
    attr_list_free(list);
}
END_TEST

START_TEST(read_rejects_oversize_length_without_its_payload)
{
    const char *in = "999999999:";			/* nothing follows */
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(read_mem(in, strlen(in), list, 4096, BIG_COUNT), ATTR_ERR_SIZE);
    attr_list_free(list);
}
END_TEST

START_TEST(read_rejects_list_over_max_count)
{
    const char *in = "3:a=1,3:b=2,3:c=3,0:,";
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(read_mem(in, strlen(in), list, BIG_LEN, 2), ATTR_ERR_SIZE);
    ck_assert_int_eq(read_mem(in, strlen(in), list, BIG_LEN, 3), ATTR_OK);
    attr_list_free(list);
}
END_TEST

START_TEST(read_replaces_previous_list_content)
{
    const char *one = "3:a=1,3:b=2,0:,";
    const char *two = "3:c=3,0:,";
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_eq(read_mem(one, strlen(one), list, BIG_LEN, BIG_COUNT), ATTR_OK);
    ck_assert_int_eq(read_mem(two, strlen(two), list, BIG_LEN, BIG_COUNT), ATTR_OK);
    ck_assert_uint_eq(list->count, 1);
    assert_attr(list, 0, "c", "3");
    attr_list_free(list);
}
END_TEST

 /*
  * Lookups.
  */
START_TEST(get_str_last_value_wins)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_gt(parse_str("3:r=a,3:s=x,3:r=b,0:,", list), 0);
    ck_assert_str_eq(attr_get_str(list, "r"), "b");
    ck_assert_str_eq(attr_get_str(list, "s"), "x");
    attr_list_free(list);
}
END_TEST

START_TEST(get_str_missing_name_is_null)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_gt(parse_str("8:status=0,0:,", list), 0);
    ck_assert_ptr_null(attr_get_str(list, "queue_id"));
    ck_assert_ptr_null(attr_get_str(list, "statu"));
    ck_assert_ptr_null(attr_get_str(list, "status="));
    attr_list_free(list);
}
END_TEST

START_TEST(get_str_names_are_case_sensitive)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_int_gt(parse_str("8:status=0,0:,", list), 0);
    ck_assert_ptr_null(attr_get_str(list, "Status"));
    attr_list_free(list);
}
END_TEST

START_TEST(get_str_on_empty_list_is_null)
{
    ATTR_LIST *list = attr_list_new();

    ck_assert_ptr_null(attr_get_str(list, "status"));
    attr_list_free(list);
}
END_TEST

START_TEST(list_add_values_are_found)
{
    ATTR_LIST *list = attr_list_new();
    int     i;
    char    name[16];

    for (i = 0; i < 100; i++) {			/* past several reallocations */
	snprintf(name, sizeof(name), "n%dXYZ", i);
	attr_list_add(list, name, strlen(name) - 3, name);
    }
    ck_assert_uint_eq(list->count, 100);
    ck_assert_str_eq(attr_get_str(list, "n0"), "n0XYZ");
    ck_assert_str_eq(attr_get_str(list, "n99"), "n99XYZ");
    attr_list_free(list);
}
END_TEST

START_TEST(get_long_inside_bounds)
{
    ATTR_LIST *list = attr_list_new();
    long    v = 0;

    ck_assert_int_gt(parse_str("7:size=42,0:,", list), 0);
    ck_assert_int_eq(attr_get_long(list, "size", &v, 0, 100), 0);
    ck_assert_int_eq(v, 42);
    attr_list_free(list);
}
END_TEST

START_TEST(get_long_bounds_are_inclusive)
{
    ATTR_LIST *list = attr_list_new();
    long    v = 0;

    ck_assert_int_gt(parse_str("5:lo=-7,5:hi=10,0:,", list), 0);
    ck_assert_int_eq(attr_get_long(list, "lo", &v, -7, 10), 0);
    ck_assert_int_eq(v, -7);
    ck_assert_int_eq(attr_get_long(list, "hi", &v, -7, 10), 0);
    ck_assert_int_eq(v, 10);
    attr_list_free(list);
}
END_TEST

START_TEST(get_long_below_min_fails_and_keeps_value)
{
    ATTR_LIST *list = attr_list_new();
    long    v = 1234;

    ck_assert_int_gt(parse_str("4:n=-1,0:,", list), 0);
    ck_assert_int_eq(attr_get_long(list, "n", &v, 0, 100), -1);
    ck_assert_int_eq(v, 1234);
    attr_list_free(list);
}
END_TEST

START_TEST(get_long_above_max_fails)
{
    ATTR_LIST *list = attr_list_new();
    long    v = 1234;

    ck_assert_int_gt(parse_str("5:n=101,0:,", list), 0);
    ck_assert_int_eq(attr_get_long(list, "n", &v, 0, 100), -1);
    ck_assert_int_eq(v, 1234);
    attr_list_free(list);
}
END_TEST

START_TEST(get_long_rejects_trailing_garbage)
{
    ATTR_LIST *list = attr_list_new();
    long    v;

    ck_assert_int_gt(parse_str("5:n=12x,0:,", list), 0);
    ck_assert_int_eq(attr_get_long(list, "n", &v, 0, 100), -1);
    attr_list_free(list);
}
END_TEST

START_TEST(get_long_rejects_empty_value)
{
    ATTR_LIST *list = attr_list_new();
    long    v;

    ck_assert_int_gt(parse_str("2:n=,0:,", list), 0);
    ck_assert_int_eq(attr_get_long(list, "n", &v, 0, 100), -1);
    attr_list_free(list);
}
END_TEST

START_TEST(get_long_rejects_leading_space)
{
    ATTR_LIST *list = attr_list_new();
    long    v;

    ck_assert_int_gt(parse_str("4:n= 5,0:,", list), 0);
    ck_assert_int_eq(attr_get_long(list, "n", &v, 0, 100), -1);
    attr_list_free(list);
}
END_TEST

START_TEST(get_long_rejects_overflow)
{
    ATTR_LIST *list = attr_list_new();
    long    v;

    ck_assert_int_gt(parse_str("22:n=99999999999999999999,0:,", list), 0);
    ck_assert_int_eq(attr_get_long(list, "n", &v, 0, 9223372036854775807L), -1);
    attr_list_free(list);
}
END_TEST

START_TEST(get_long_missing_fails)
{
    ATTR_LIST *list = attr_list_new();
    long    v = 5;

    ck_assert_int_eq(attr_get_long(list, "n", &v, 0, 100), -1);
    ck_assert_int_eq(v, 5);
    attr_list_free(list);
}
END_TEST

START_TEST(get_long_uses_last_value)
{
    ATTR_LIST *list = attr_list_new();
    long    v = 0;

    ck_assert_int_gt(parse_str("3:n=1,3:n=2,0:,", list), 0);
    ck_assert_int_eq(attr_get_long(list, "n", &v, 0, 100), 0);
    ck_assert_int_eq(v, 2);
    attr_list_free(list);
}
END_TEST

START_TEST(strerror_describes_every_error)
{
    static const int codes[] = {ATTR_OK, ATTR_ERR_FORMAT, ATTR_ERR_SIZE,
    ATTR_ERR_EOF, ATTR_ERR_IO};
    size_t  i;
    size_t  j;

    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
	ck_assert_str_ne(attr_strerror(codes[i]), attr_strerror(12345));
	for (j = 0; j < i; j++)
	    ck_assert_str_ne(attr_strerror(codes[i]), attr_strerror(codes[j]));
    }
}
END_TEST

/* attr_suite - every test above */

static Suite *attr_suite(void)
{
    Suite  *s = suite_create("attr");
    TCase  *te = tcase_create("encode");
    TCase  *tp = tcase_create("parse");
    TCase  *tr = tcase_create("read");
    TCase  *tg = tcase_create("lookup");

    tcase_add_test(te, put_status_and_queue_id_gives_golden_bytes);
    tcase_add_test(te, put_queue_id_x_gives_golden_bytes);
    tcase_add_test(te, put_long_encodes_negative_numbers);
    tcase_add_test(te, put_str_encodes_empty_value);
    tcase_add_test(te, put_str_keeps_equals_and_comma_in_value);
    tcase_add_test(te, put_str_appends_to_existing_content);
    tcase_add_test(te, put_end_appends_empty_netstring);
    tcase_add_test_raise_signal(te, put_str_panics_on_empty_name, SIGABRT);
    tcase_add_test_raise_signal(te, put_str_panics_on_name_with_equals, SIGABRT);
    tcase_add_test(te, encoded_list_parses_back);
    suite_add_tcase(s, te);

    tcase_add_test(tp, parse_complete_list_returns_bytes_consumed);
    tcase_add_test(tp, parse_empty_list_is_just_the_terminator);
    tcase_add_test(tp, parse_stops_after_the_terminator);
    tcase_add_test(tp, parse_needs_more_at_every_prefix);
    tcase_add_test(tp, parse_splits_at_the_first_equals);
    tcase_add_test(tp, parse_accepts_empty_value);
    tcase_add_test(tp, parse_keeps_duplicate_names_in_order);
    tcase_add_test(tp, parse_rejects_attribute_without_equals);
    tcase_add_test(tp, parse_rejects_empty_name);
    tcase_add_test(tp, parse_rejects_nul_in_value);
    tcase_add_test(tp, parse_rejects_nul_in_name);
    tcase_add_test(tp, parse_rejects_bad_netstring);
    tcase_add_test(tp, parse_accepts_attribute_at_max_len);
    tcase_add_test(tp, parse_rejects_attribute_over_max_len);
    tcase_add_test(tp, parse_rejects_oversize_length_before_its_payload_arrived);
    tcase_add_test(tp, parse_accepts_list_at_max_count);
    tcase_add_test(tp, parse_rejects_list_over_max_count);
    tcase_add_test(tp, parse_replaces_previous_list_content);
    suite_add_tcase(s, tp);

    tcase_add_test(tr, read_complete_list);
    tcase_add_test(tr, read_stops_after_the_terminator);
    tcase_add_test(tr, read_eof_inside_list_at_every_prefix);
    tcase_add_test(tr, read_rejects_attribute_without_equals);
    tcase_add_test(tr, read_rejects_empty_name);
    tcase_add_test(tr, read_rejects_nul_inside_attribute);
    tcase_add_test(tr, read_rejects_missing_comma);
    tcase_add_test(tr, read_rejects_attribute_over_max_len);
    tcase_add_test(tr, read_rejects_oversize_length_without_its_payload);
    tcase_add_test(tr, read_rejects_list_over_max_count);
    tcase_add_test(tr, read_replaces_previous_list_content);
    suite_add_tcase(s, tr);

    tcase_add_test(tg, get_str_last_value_wins);
    tcase_add_test(tg, get_str_missing_name_is_null);
    tcase_add_test(tg, get_str_names_are_case_sensitive);
    tcase_add_test(tg, get_str_on_empty_list_is_null);
    tcase_add_test(tg, list_add_values_are_found);
    tcase_add_test(tg, get_long_inside_bounds);
    tcase_add_test(tg, get_long_bounds_are_inclusive);
    tcase_add_test(tg, get_long_below_min_fails_and_keeps_value);
    tcase_add_test(tg, get_long_above_max_fails);
    tcase_add_test(tg, get_long_rejects_trailing_garbage);
    tcase_add_test(tg, get_long_rejects_empty_value);
    tcase_add_test(tg, get_long_rejects_leading_space);
    tcase_add_test(tg, get_long_rejects_overflow);
    tcase_add_test(tg, get_long_missing_fails);
    tcase_add_test(tg, get_long_uses_last_value);
    tcase_add_test(tg, strerror_describes_every_error);
    suite_add_tcase(s, tg);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(attr_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
