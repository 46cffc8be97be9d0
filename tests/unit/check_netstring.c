/*
 * check_netstring - unit tests for the netstring encoder and decoders
 * DESCRIPTION
 *	The in-memory parser (complete, need-more, every format error, the
 *	size limit checked before any payload), the encoders, and the
 *	streaming decoders over memory streams and a socketpair, where a
 *	silent peer must end in a timeout, not a hang.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dstr.h"
#include "ios.h"
#include "msg.h"
#include "netstring.h"

#define BIG	((size_t) 1 << 30)		/* a limit that is never reached */

/* parse_str - netstring_parse() over a C string */

static ssize_t parse_str(const char *in, size_t max, const char **p, size_t *n)
{
    return (netstring_parse(in, strlen(in), max, p, n));
}

/* quiet_sink - keep expected panic lines out of the test output */

static void quiet_sink(int level, const char *text)
{
    (void) level;
    (void) text;
}

/* get_from - netstring_get() on a memory stream holding len bytes of in */

static int get_from(const char *in, size_t len, size_t max, DSTR *buf)
{
    IOS    *ios = ios_open_mem(in, len);
    int     ret = netstring_get(ios, buf, max);

    ios_free(ios);
    return (ret);
}

/* Parsing from memory */

START_TEST(parse_complete_returns_bytes_consumed)
{
    const char *p = 0;
    size_t  n = 99;
    const char *in = "5:hello,";

    ck_assert_int_eq(parse_str(in, 100, &p, &n), 8);
    ck_assert_ptr_eq(p, in + 2);
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(memcmp(p, "hello", 5), 0);
}
END_TEST

START_TEST(parse_empty_payload)
{
    const char *p;
    size_t  n = 99;

    ck_assert_int_eq(parse_str("0:,", 0, &p, &n), 3);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(parse_consumes_only_the_first_netstring)
{
    const char *p;
    size_t  n;

    ck_assert_int_eq(parse_str("3:abc,3:def,", 100, &p, &n), 6);
    ck_assert_int_eq(memcmp(p, "abc", 3), 0);
}
END_TEST

START_TEST(parse_payload_may_hold_any_byte)
{
    static const char in[] = "5:\0:,\xff\n,";
    const char *p;
    size_t  n;

    ck_assert_int_eq(netstring_parse(in, sizeof(in) - 1, 100, &p, &n), 8);
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(memcmp(p, "\0:,\xff\n", 5), 0);
}
END_TEST

START_TEST(parse_needs_more_at_every_prefix)
{
    const char *in = "12:hello world!,";
    size_t  len = strlen(in);
    size_t  i;
    const char *p;
    size_t  n;

    for (i = 0; i < len; i++)
	ck_assert_msg(netstring_parse(in, i, 100, &p, &n) == NETSTRING_MORE,
		      "prefix of %zu bytes", i);
    ck_assert_int_eq(netstring_parse(in, len, 100, &p, &n), (ssize_t) len);
}
END_TEST

START_TEST(parse_leaves_outputs_alone_when_incomplete)
{
    const char *p = "untouched";
    size_t  n = 42;

    ck_assert_int_eq(parse_str("5:hel", 100, &p, &n), NETSTRING_MORE);
    ck_assert_str_eq(p, "untouched");
    ck_assert_uint_eq(n, 42);
}
END_TEST

START_TEST(parse_rejects_non_digit_length)
{
    const char *p;
    size_t  n;

    ck_assert_int_eq(parse_str("x:,", 100, &p, &n), NETSTRING_ERR_FORMAT);
    ck_assert_int_eq(parse_str("-1:a,", 100, &p, &n), NETSTRING_ERR_FORMAT);
    ck_assert_int_eq(parse_str("+1:a,", 100, &p, &n), NETSTRING_ERR_FORMAT);
    ck_assert_int_eq(parse_str(" 1:a,", 100, &p, &n), NETSTRING_ERR_FORMAT);
    ck_assert_int_eq(parse_str("1 :a,", 100, &p, &n), NETSTRING_ERR_FORMAT);
}
END_TEST

START_TEST(parse_rejects_bad_byte_before_colon_arrives)
{
    const char *p;
    size_t  n;

    ck_assert_int_eq(parse_str("12x", 100, &p, &n), NETSTRING_ERR_FORMAT);
}
END_TEST

START_TEST(parse_rejects_empty_length)
{
    const char *p;
    size_t  n;

    ck_assert_int_eq(parse_str(":,", 100, &p, &n), NETSTRING_ERR_FORMAT);
}
END_TEST

START_TEST(parse_rejects_missing_comma)
{
    const char *p;
    size_t  n;

    ck_assert_int_eq(parse_str("3:abc;", 100, &p, &n), NETSTRING_ERR_FORMAT);
    ck_assert_int_eq(parse_str("3:abcd,", 100, &p, &n), NETSTRING_ERR_FORMAT);
    ck_assert_int_eq(parse_str("0:x,", 100, &p, &n), NETSTRING_ERR_FORMAT);
}
END_TEST

START_TEST(parse_refuses_oversize_before_payload)
{
    const char *p;
    size_t  n;

    ck_assert_int_eq(parse_str("1000:", 999, &p, &n), NETSTRING_ERR_SIZE);
    ck_assert_int_eq(parse_str("999999999:", 1000, &p, &n), NETSTRING_ERR_SIZE);
}
END_TEST

START_TEST(parse_accepts_length_equal_to_limit)
{
    const char *p;
    size_t  n;

    ck_assert_int_eq(parse_str("3:abc,", 3, &p, &n), 6);
    ck_assert_int_eq(parse_str("4:abcd,", 3, &p, &n), NETSTRING_ERR_SIZE);
}
END_TEST

START_TEST(parse_accepts_leading_zeros)
{
    const char *p;
    size_t  n;

    ck_assert_int_eq(parse_str("005:hello,", 100, &p, &n), 10);
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(parse_str("00:,", 100, &p, &n), 4);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(parse_accepts_nine_digits)
{
    const char *p;
    size_t  n;

    ck_assert_int_eq(parse_str("000000003:abc,", 100, &p, &n), 14);
    ck_assert_int_eq(parse_str("999999999:", BIG, &p, &n), NETSTRING_MORE);
}
END_TEST

START_TEST(parse_rejects_ten_digits)
{
    const char *p;
    size_t  n;

    ck_assert_int_eq(parse_str("0000000003:abc,", 100, &p, &n), NETSTRING_ERR_FORMAT);
    ck_assert_int_eq(parse_str("1000000000:", SIZE_MAX, &p, &n), NETSTRING_ERR_FORMAT);
    ck_assert_int_eq(parse_str("1234567890", SIZE_MAX, &p, &n), NETSTRING_ERR_FORMAT);
}
END_TEST

/* Encoding */

START_TEST(put_encodes_payload)
{
    DSTR   *out = dstr_new(4);

    netstring_put(out, "hello", 5);
    ck_assert_str_eq(dstr_str(out), "5:hello,");
    dstr_free(out);
}
END_TEST

START_TEST(put_encodes_empty_payload)
{
    DSTR   *out = dstr_new(4);

    netstring_put(out, "", 0);
    ck_assert_str_eq(dstr_str(out), "0:,");
    dstr_free(out);
}
END_TEST

START_TEST(put_appends_to_existing_content)
{
    DSTR   *out = dstr_new(4);

    netstring_puts(out, "abc");
    netstring_puts(out, "de");
    ck_assert_str_eq(dstr_str(out), "3:abc,2:de,");
    dstr_free(out);
}
END_TEST

START_TEST(put_then_parse_round_trip)
{
    DSTR   *out = dstr_new(4);
    char    bin[1200];
    size_t  len;
    size_t  i;
    const char *p;
    size_t  n;

    for (i = 0; i < sizeof(bin); i++)
	bin[i] = (char) (i * 7);
    for (len = 0; len <= sizeof(bin); len += (len < 20 ? 1 : 97)) {
	DSTR_RESET(out);
	netstring_put(out, bin, len);
	ck_assert_int_eq(netstring_parse(dstr_str(out), dstr_len(out), len, &p, &n),
			 (ssize_t) dstr_len(out));
	ck_assert_uint_eq(n, len);
	ck_assert_int_eq(memcmp(p, bin, len), 0);
    }
    dstr_free(out);
}
END_TEST

START_TEST(put_panics_when_output_limit_exceeded)
{
    DSTR   *out = dstr_new(4);

    msg_set_sink(quiet_sink);
    dstr_set_limit(out, 5);
    netstring_puts(out, "hello");
}
END_TEST

START_TEST(strerror_names_each_error)
{
    ck_assert_ptr_nonnull(strstr(netstring_strerror(NETSTRING_ERR_FORMAT), "format"));
    ck_assert_ptr_nonnull(strstr(netstring_strerror(NETSTRING_ERR_SIZE), "limit"));
    ck_assert_ptr_nonnull(strstr(netstring_strerror(NETSTRING_ERR_EOF), "lost"));
    ck_assert_ptr_nonnull(strstr(netstring_strerror(NETSTRING_ERR_IO), "timeout"));
    ck_assert_ptr_nonnull(strstr(netstring_strerror(12345), "unknown"));
}
END_TEST

/* Streaming decoders */

START_TEST(get_reads_one_netstring)
{
    DSTR   *buf = dstr_new(4);

    (void) dstr_cats(buf, "stale");
    ck_assert_int_eq(get_from("5:hello,", 8, 100, buf), 0);
    ck_assert_uint_eq(dstr_len(buf), 5);
    ck_assert_str_eq(dstr_str(buf), "hello");
    dstr_free(buf);
}
END_TEST

START_TEST(get_reads_consecutive_netstrings)
{
    IOS    *ios = ios_open_mem("3:a\0c,0:,2:xy,", 14);
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(netstring_get(ios, buf, 100), 0);
    ck_assert_uint_eq(dstr_len(buf), 3);
    ck_assert_int_eq(memcmp(dstr_str(buf), "a\0c", 3), 0);
    ck_assert_int_eq(netstring_get(ios, buf, 100), 0);
    ck_assert_uint_eq(dstr_len(buf), 0);
    ck_assert_int_eq(netstring_get(ios, buf, 100), 0);
    ck_assert_str_eq(dstr_str(buf), "xy");
    ck_assert_int_eq(netstring_get(ios, buf, 100), NETSTRING_ERR_EOF);
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

START_TEST(get_truncated_input_is_eof_at_every_prefix)
{
    const char *in = "11:hello world,";
    size_t  len = strlen(in);
    DSTR   *buf = dstr_new(4);
    size_t  i;

    for (i = 0; i < len; i++)
	ck_assert_msg(get_from(in, i, 100, buf) == NETSTRING_ERR_EOF,
		      "prefix of %zu bytes", i);
    ck_assert_int_eq(get_from(in, len, 100, buf), 0);
    dstr_free(buf);
}
END_TEST

START_TEST(get_refuses_oversize_before_payload)
{
    IOS    *ios = ios_open_mem("1000:Xpayload", 13);
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(netstring_get(ios, buf, 999), NETSTRING_ERR_SIZE);
    ck_assert_uint_eq(dstr_len(buf), 0);
    ck_assert_int_eq(ios_getc(ios), 'X');	/* payload not consumed */
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

START_TEST(get_rejects_bad_comma)
{
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(get_from("3:abc;", 6, 100, buf), NETSTRING_ERR_FORMAT);
    ck_assert_int_eq(get_from("3:abcd,", 7, 100, buf), NETSTRING_ERR_FORMAT);
    dstr_free(buf);
}
END_TEST

START_TEST(get_rejects_bad_length)
{
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(get_from("x:,", 3, 100, buf), NETSTRING_ERR_FORMAT);
    ck_assert_int_eq(get_from(":,", 2, 100, buf), NETSTRING_ERR_FORMAT);
    ck_assert_int_eq(get_from("-1:a,", 5, 100, buf), NETSTRING_ERR_FORMAT);
    dstr_free(buf);
}
END_TEST

START_TEST(get_accepts_leading_zeros_and_nine_digits)
{
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(get_from("000000002:ab,", 13, 100, buf), 0);
    ck_assert_str_eq(dstr_str(buf), "ab");
    dstr_free(buf);
}
END_TEST

START_TEST(get_rejects_ten_digits)
{
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(get_from("0000000002:ab,", 14, 100, buf), NETSTRING_ERR_FORMAT);
    dstr_free(buf);
}
END_TEST

START_TEST(get_len_payload_comma_in_steps)
{
    IOS    *ios = ios_open_mem("4:data,", 7);
    size_t  len = 0;
    char    payload[4];

    ck_assert_int_eq(netstring_get_len(ios, 100, &len), 0);
    ck_assert_uint_eq(len, 4);
    ck_assert_int_eq(ios_read_exact(ios, payload, len), 0);
    ck_assert_int_eq(memcmp(payload, "data", 4), 0);
    ck_assert_int_eq(netstring_get_comma(ios), 0);
    ck_assert_int_eq(netstring_get_comma(ios), NETSTRING_ERR_EOF);
    ios_free(ios);
}
END_TEST

START_TEST(get_len_refuses_oversize)
{
    IOS    *ios = ios_open_mem("101:", 4);
    size_t  len = 7;

    ck_assert_int_eq(netstring_get_len(ios, 100, &len), NETSTRING_ERR_SIZE);
    ck_assert_uint_eq(len, 7);
    ios_free(ios);
}
END_TEST

START_TEST(get_comma_rejects_other_byte)
{
    IOS    *ios = ios_open_mem(";", 1);

    ck_assert_int_eq(netstring_get_comma(ios), NETSTRING_ERR_FORMAT);
    ios_free(ios);
}
END_TEST

START_TEST(write_then_get_round_trip)
{
    IOS    *out = ios_open_mem("", 0);
    IOS    *in;
    const DSTR *wire;
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(netstring_write(out, "first", 5), 0);
    ck_assert_int_eq(netstring_write(out, "\0", 1), 0);
    wire = ios_mem_output(out);
    ck_assert_uint_eq(dstr_len(wire), 12);
    ck_assert_int_eq(memcmp(dstr_str(wire), "5:first,1:\0,", 12), 0);
    in = ios_open_mem(dstr_str(wire), dstr_len(wire));
    ck_assert_int_eq(netstring_get(in, buf, 5), 0);
    ck_assert_str_eq(dstr_str(buf), "first");
    ck_assert_int_eq(netstring_get(in, buf, 5), 0);
    ck_assert_uint_eq(dstr_len(buf), 1);
    ck_assert_int_eq(dstr_str(buf)[0], 0);
    ios_free(in);
    ios_free(out);
    dstr_free(buf);
}
END_TEST

/* failing_read - a transport whose reads fail with EIO */

static ssize_t failing_read(int fd, void *buf, size_t len, int timeout_ms, void *ctx)
{
    (void) fd;
    (void) buf;
    (void) len;
    (void) timeout_ms;
    (void) ctx;
    errno = EIO;
    return (-1);
}

START_TEST(get_read_error_is_io_error)
{
    IOS    *ios = ios_open_mem("", 0);
    IOS_READ_FN mem_read = ios->read_fn;
    DSTR   *buf = dstr_new(4);

    ios_set_io(ios, failing_read, ios->write_fn, ios->ctx);
    ck_assert_int_eq(netstring_get(ios, buf, 100), NETSTRING_ERR_IO);
    ck_assert_int_ne(ios->flags & IOS_FLAG_ERR, 0);
    ck_assert_int_eq(ios_timedout(ios), 0);
    ios_set_io(ios, mem_read, ios->write_fn, ios->ctx);	/* so ios_free() knows it */
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

START_TEST(get_times_out_on_silent_peer)
{
    int     sv[2];
    IOS    *ios;
    DSTR   *buf = dstr_new(4);
    long long start;
    long long elapsed;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(write(sv[1], "5:he", 4), 4);	/* then nothing more */
    ios = ios_open(sv[0]);
    ios_set_timeout(ios, 1);
    start = ios_now_ms();
    ck_assert_int_eq(netstring_get(ios, buf, 100), NETSTRING_ERR_IO);
    elapsed = ios_now_ms() - start;
    ck_assert_int_ne(ios_timedout(ios), 0);
    ck_assert_int_ge(elapsed, 900);
    ck_assert_int_lt(elapsed, 5000);
    (void) ios_close(ios);
    (void) close(sv[1]);
    dstr_free(buf);
}
END_TEST

START_TEST(get_over_socketpair_reads_split_writes)
{
    int     sv[2];
    IOS    *ios;
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(write(sv[1], "5:he", 4), 4);
    ck_assert_int_eq(write(sv[1], "llo,", 4), 4);
    ios = ios_open(sv[0]);
    ios_set_timeout(ios, 5);
    ck_assert_int_eq(netstring_get(ios, buf, 100), 0);
    ck_assert_str_eq(dstr_str(buf), "hello");
    (void) ios_close(ios);
    (void) close(sv[1]);
    dstr_free(buf);
}
END_TEST

/* netstring_suite - every test above */

static Suite *netstring_suite(void)
{
    Suite  *s = suite_create("netstring");
    TCase  *tp = tcase_create("parse");
    TCase  *te = tcase_create("encode");
    TCase  *ts = tcase_create("stream");

    tcase_add_test(tp, parse_complete_returns_bytes_consumed);
    tcase_add_test(tp, parse_empty_payload);
    tcase_add_test(tp, parse_consumes_only_the_first_netstring);
    tcase_add_test(tp, parse_payload_may_hold_any_byte);
    tcase_add_test(tp, parse_needs_more_at_every_prefix);
    tcase_add_test(tp, parse_leaves_outputs_alone_when_incomplete);
    tcase_add_test(tp, parse_rejects_non_digit_length);
    tcase_add_test(tp, parse_rejects_bad_byte_before_colon_arrives);
    tcase_add_test(tp, parse_rejects_empty_length);
    tcase_add_test(tp, parse_rejects_missing_comma);
    tcase_add_test(tp, parse_refuses_oversize_before_payload);
    tcase_add_test(tp, parse_accepts_length_equal_to_limit);
    tcase_add_test(tp, parse_accepts_leading_zeros);
    tcase_add_test(tp, parse_accepts_nine_digits);
    tcase_add_test(tp, parse_rejects_ten_digits);
    suite_add_tcase(s, tp);

    tcase_add_test(te, put_encodes_payload);
    tcase_add_test(te, put_encodes_empty_payload);
    tcase_add_test(te, put_appends_to_existing_content);
    tcase_add_test(te, put_then_parse_round_trip);
    tcase_add_test_raise_signal(te, put_panics_when_output_limit_exceeded, SIGABRT);
    tcase_add_test(te, strerror_names_each_error);
    suite_add_tcase(s, te);

    tcase_add_test(ts, get_reads_one_netstring);
    tcase_add_test(ts, get_reads_consecutive_netstrings);
    tcase_add_test(ts, get_truncated_input_is_eof_at_every_prefix);
    tcase_add_test(ts, get_refuses_oversize_before_payload);
    tcase_add_test(ts, get_rejects_bad_comma);
    tcase_add_test(ts, get_rejects_bad_length);
    tcase_add_test(ts, get_accepts_leading_zeros_and_nine_digits);
    tcase_add_test(ts, get_rejects_ten_digits);
    tcase_add_test(ts, get_len_payload_comma_in_steps);
    tcase_add_test(ts, get_len_refuses_oversize);
    tcase_add_test(ts, get_comma_rejects_other_byte);
    tcase_add_test(ts, write_then_get_round_trip);
    tcase_add_test(ts, get_read_error_is_io_error);
    tcase_add_test(ts, get_times_out_on_silent_peer);
    tcase_add_test(ts, get_over_socketpair_reads_split_writes);
    suite_add_tcase(s, ts);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(netstring_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
