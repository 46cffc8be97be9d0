/*
 * check_ios - unit tests for buffered streams with deadlines
 * DESCRIPTION
 *	Reads (bytes, blocks, exact counts, bounded lines) over memory
 *	streams, buffered writes over pipes, the error flag a dead peer
 *	leaves, and timeouts and session deadlines over socketpairs, where a
 *	silent peer must end in a timeout rather than a hang. Phase
 *	deadlines against a peer that drips a byte every DRIP_MS: the read
 *	fails at the phase's end, not later, where a per-read timeout alone
 *	would wait as long as the bytes keep coming; a quick exchange, or one
 *	whose phases each end in time, is not disturbed.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dstr.h"
#include "ios.h"
#include "unit_peer.h"
#include "msg.h"

#define BIG_LEN	40000			/* more than one 16 KiB buffer */

/* quiet_sink - keep expected panic lines out of the test output */

static void quiet_sink(int level, const char *text)
{
    (void) level;
    (void) text;
}

/* pattern_byte - deterministic test data */

static unsigned char pattern_byte(size_t i)
{
    return ((unsigned char) ((i * 31 + 7) % 253));
}

/* make_pattern - len bytes of test data (caller frees) */

static char *make_pattern(size_t len)
{
    char   *buf = malloc(len);
    size_t  i;

    ck_assert_ptr_nonnull(buf);
    for (i = 0; i < len; i++)
	buf[i] = (char) pattern_byte(i);
    return (buf);
}

/* mem_str - memory stream over a C string */

static IOS *mem_str(const char *str)
{
    return (ios_open_mem(str, strlen(str)));
}

/* Byte and block reads */

START_TEST(write_direct_leaves_no_copy_in_the_buffer)
{
    IOS    *ios = ios_open_mem("", 0);

    ck_assert_int_eq(ios_write(ios, "abc", 3), 0);
    ck_assert_int_eq(ios_write_direct(ios, "secret", 6), 0);
    ck_assert_uint_eq(dstr_len(ios->wbuf), 0);
    /* The buffered bytes went first, and the secret never passed through. */
    ck_assert_ptr_null(memmem(dstr_data(ios->wbuf), 9, "secret", 6));
    ck_assert_str_eq(dstr_str(ios_mem_output(ios)), "abcsecret");
    ios_free(ios);
}
END_TEST

START_TEST(getc_returns_bytes_then_eof)
{
    IOS    *ios = mem_str("ab");

    ck_assert_int_eq(ios_getc(ios), 'a');
    ck_assert_int_eq(ios_getc(ios), 'b');
    ck_assert_int_eq(ios_getc(ios), IOS_EOF);
    ck_assert_int_eq(ios->flags, IOS_FLAG_EOF);
    ck_assert_int_eq(ios_getc(ios), IOS_EOF);
    ios_free(ios);
}
END_TEST

START_TEST(getc_returns_high_bytes_as_unsigned)
{
    IOS    *ios = ios_open_mem("\xff\x00", 2);

    ck_assert_int_eq(ios_getc(ios), 0xff);
    ck_assert_int_eq(ios_getc(ios), 0);
    ck_assert_int_eq(ios_getc(ios), IOS_EOF);
    ios_free(ios);
}
END_TEST

START_TEST(read_returns_what_is_buffered)
{
    IOS    *ios = mem_str("hello");
    char    buf[10];

    ck_assert_int_eq(ios_read(ios, buf, 3), 3);
    ck_assert_int_eq(memcmp(buf, "hel", 3), 0);
    ck_assert_uint_eq(ios_buffered(ios), 2);
    ck_assert_int_eq(ios_read(ios, buf, sizeof(buf)), 2);
    ck_assert_int_eq(memcmp(buf, "lo", 2), 0);
    ios_free(ios);
}
END_TEST

START_TEST(read_returns_zero_at_eof)
{
    IOS    *ios = mem_str("x");
    char    buf[10];

    ck_assert_int_eq(ios_read(ios, buf, sizeof(buf)), 1);
    ck_assert_int_eq(ios_read(ios, buf, sizeof(buf)), 0);
    ck_assert_int_ne(ios->flags & IOS_FLAG_EOF, 0);
    ios_free(ios);
}
END_TEST

START_TEST(read_of_zero_bytes_returns_zero)
{
    IOS    *ios = mem_str("x");
    char    buf[1];

    ck_assert_int_eq(ios_read(ios, buf, 0), 0);
    ck_assert_int_eq(ios_getc(ios), 'x');
    ios_free(ios);
}
END_TEST

START_TEST(large_read_gets_everything_in_order)
{
    char   *data = make_pattern(BIG_LEN);
    char   *buf = malloc(BIG_LEN);
    IOS    *ios = ios_open_mem(data, BIG_LEN);
    size_t  got = 0;
    ssize_t n;

    while ((n = ios_read(ios, buf + got, BIG_LEN - got)) > 0)
	got += (size_t) n;
    ck_assert_uint_eq(got, BIG_LEN);
    ck_assert_int_eq(memcmp(buf, data, BIG_LEN), 0);
    ck_assert_int_eq(ios->bytes_in, BIG_LEN);
    ios_free(ios);
    free(buf);
    free(data);
}
END_TEST

START_TEST(read_exact_spans_buffer_refills)
{
    char   *data = make_pattern(BIG_LEN);
    char   *buf = malloc(BIG_LEN);
    IOS    *ios = ios_open_mem(data, BIG_LEN);

    ck_assert_int_eq(ios_getc(ios), pattern_byte(0));
    ck_assert_int_eq(ios_read_exact(ios, buf, BIG_LEN - 1), 0);
    ck_assert_int_eq(memcmp(buf, data + 1, BIG_LEN - 1), 0);
    ck_assert_int_eq(ios_getc(ios), IOS_EOF);
    ios_free(ios);
    free(buf);
    free(data);
}
END_TEST

START_TEST(read_exact_fails_on_short_input)
{
    IOS    *ios = mem_str("abc");
    char    buf[4];

    ck_assert_int_eq(ios_read_exact(ios, buf, 4), -1);
    ck_assert_int_eq(ios->flags, IOS_FLAG_EOF);
    ios_free(ios);
}
END_TEST

START_TEST(read_exact_of_zero_bytes_succeeds)
{
    IOS    *ios = mem_str("");
    char    buf[1];

    ck_assert_int_eq(ios_read_exact(ios, buf, 0), 0);
    ck_assert_int_eq(ios->flags, 0);
    ios_free(ios);
}
END_TEST

/* Lines */

START_TEST(get_line_returns_full_line_without_lf)
{
    IOS    *ios = mem_str("first\nsecond\n");
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(ios_get_line(ios, buf, 100, 0), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "first");
    ck_assert_int_eq(ios_get_line(ios, buf, 100, 0), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "second");
    ck_assert_int_eq(ios_get_line(ios, buf, 100, 0), IOS_EOF);
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

START_TEST(discard_input_drops_what_was_read_ahead)
{
    IOS    *ios = mem_str("220 go ahead\r\n250 injected\r\n");
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(ios_get_line(ios, buf, 100, 1), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "220 go ahead");
    ck_assert_uint_eq(ios_discard_input(ios), 14);
    ck_assert_uint_eq(ios_buffered(ios), 0);
    ck_assert_int_eq(ios_get_line(ios, buf, 100, 1), IOS_EOF);
    ck_assert_uint_eq(ios_discard_input(ios), 0);
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

START_TEST(get_line_returns_empty_line)
{
    IOS    *ios = mem_str("\n\r\n");
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(ios_get_line(ios, buf, 100, 1), IOS_LINE_FULL);
    ck_assert_uint_eq(dstr_len(buf), 0);
    ck_assert_int_eq(ios_get_line(ios, buf, 100, 1), IOS_LINE_FULL);
    ck_assert_uint_eq(dstr_len(buf), 0);
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

START_TEST(get_line_strips_cr_when_asked)
{
    IOS    *ios = mem_str("one\r\ntwo\r\n");
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(ios_get_line(ios, buf, 100, 1), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "one");
    ck_assert_int_eq(ios_get_line(ios, buf, 100, 0), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "two\r");
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

START_TEST(get_line_keeps_cr_inside_line)
{
    IOS    *ios = mem_str("a\rb\r\r\n");
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(ios_get_line(ios, buf, 100, 1), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "a\rb\r");
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

START_TEST(get_line_keeps_nul_bytes)
{
    IOS    *ios = ios_open_mem("a\0b\n", 4);
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(ios_get_line(ios, buf, 100, 0), IOS_LINE_FULL);
    ck_assert_uint_eq(dstr_len(buf), 3);
    ck_assert_int_eq(memcmp(dstr_str(buf), "a\0b", 3), 0);
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

START_TEST(get_line_over_limit_returns_part_then_rest)
{
    IOS    *ios = mem_str("abcdefg\nnext\n");
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(ios_get_line(ios, buf, 4, 0), IOS_LINE_PART);
    ck_assert_str_eq(dstr_str(buf), "abcd");
    ck_assert_int_eq(ios_get_line(ios, buf, 4, 0), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "efg");
    ck_assert_int_eq(ios_get_line(ios, buf, 4, 0), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "next");
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

START_TEST(get_line_exactly_at_limit_is_full)
{
    IOS    *ios = mem_str("abcd\n");
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(ios_get_line(ios, buf, 4, 0), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "abcd");
    ck_assert_int_eq(ios_get_line(ios, buf, 4, 0), IOS_EOF);
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

START_TEST(get_line_spans_buffer_refills)
{
    char   *data = make_pattern(BIG_LEN + 6);
    IOS    *ios;
    DSTR   *buf = dstr_new(4);
    size_t  i;

    for (i = 0; i < BIG_LEN; i++)		/* no LF inside the long line */
	if (data[i] == '\n')
	    data[i] = 'n';
    memcpy(data + BIG_LEN, "\nnext\n", 6);
    ios = ios_open_mem(data, BIG_LEN + 6);
    ck_assert_int_eq(ios_get_line(ios, buf, BIG_LEN, 0), IOS_LINE_FULL);
    ck_assert_uint_eq(dstr_len(buf), BIG_LEN);
    ck_assert_int_eq(memcmp(dstr_str(buf), data, BIG_LEN), 0);
    ck_assert_int_eq(ios_get_line(ios, buf, BIG_LEN, 0), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "next");
    ios_free(ios);
    dstr_free(buf);
    free(data);
}
END_TEST

START_TEST(get_line_limit_across_buffer_refills)
{
    DSTR   *line = dstr_new(BIG_LEN + 1);
    IOS    *ios;
    DSTR   *buf = dstr_new(4);

    memset(dstr_space(line, BIG_LEN), 'x', BIG_LEN);
    dstr_addlen(line, BIG_LEN);
    (void) dstr_catc(line, '\n');
    ios = ios_open_mem(dstr_str(line), dstr_len(line));
    ck_assert_int_eq(ios_get_line(ios, buf, BIG_LEN - 1, 0), IOS_LINE_PART);
    ck_assert_uint_eq(dstr_len(buf), BIG_LEN - 1);
    ck_assert_int_eq(ios_get_line(ios, buf, BIG_LEN - 1, 0), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "x");
    ios_free(ios);
    dstr_free(buf);
    dstr_free(line);
}
END_TEST

START_TEST(get_line_last_line_without_lf)
{
    IOS    *ios = mem_str("one\ntail");
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(ios_get_line(ios, buf, 100, 1), IOS_LINE_FULL);
    ck_assert_int_eq(ios_get_line(ios, buf, 100, 1), IOS_LINE_LAST);
    ck_assert_str_eq(dstr_str(buf), "tail");
    ck_assert_int_eq(ios_get_line(ios, buf, 100, 1), IOS_EOF);
    ck_assert_uint_eq(dstr_len(buf), 0);
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

START_TEST(get_line_on_empty_stream_is_eof)
{
    IOS    *ios = mem_str("");
    DSTR   *buf = dstr_new(4);

    (void) dstr_cats(buf, "stale");
    ck_assert_int_eq(ios_get_line(ios, buf, 100, 0), IOS_EOF);
    ck_assert_uint_eq(dstr_len(buf), 0);
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

/* Writes */

START_TEST(writes_collect_in_memory_stream)
{
    IOS    *ios = mem_str("");
    const DSTR *out;

    ck_assert_int_eq(ios_write(ios, "a\0", 2), 0);
    ck_assert_int_eq(ios_puts(ios, "bc"), 0);
    ck_assert_int_eq(ios_printf(ios, "<%d:%s>", 42, "x"), 0);
    out = ios_mem_output(ios);
    ck_assert_uint_eq(dstr_len(out), 10);
    ck_assert_int_eq(memcmp(dstr_str(out), "a\0bc<42:x>", 10), 0);
    ck_assert_int_eq(ios->bytes_out, 10);
    ios_free(ios);
}
END_TEST

START_TEST(write_order_survives_large_writes)
{
    char   *data = make_pattern(BIG_LEN);
    IOS    *ios = mem_str("");
    const DSTR *out;

    ck_assert_int_eq(ios_write(ios, "head", 4), 0);
    ck_assert_int_eq(ios_write(ios, data, BIG_LEN), 0);
    ck_assert_int_eq(ios_write(ios, "tail", 4), 0);
    out = ios_mem_output(ios);
    ck_assert_uint_eq(dstr_len(out), BIG_LEN + 8);
    ck_assert_int_eq(memcmp(dstr_str(out), "head", 4), 0);
    ck_assert_int_eq(memcmp(dstr_str(out) + 4, data, BIG_LEN), 0);
    ck_assert_int_eq(memcmp(dstr_str(out) + 4 + BIG_LEN, "tail", 4), 0);
    ios_free(ios);
    free(data);
}
END_TEST

START_TEST(write_is_buffered_until_flush)
{
    int     pfd[2];
    IOS    *ios;
    char    buf[16];

    ck_assert_int_eq(pipe(pfd), 0);
    ck_assert_int_eq(fcntl(pfd[0], F_SETFL, O_NONBLOCK), 0);
    ios = ios_open(pfd[1]);
    ck_assert_int_eq(ios_write(ios, "hello", 5), 0);
    ck_assert_int_eq(read(pfd[0], buf, sizeof(buf)), -1);
    ck_assert_int_eq(errno, EAGAIN);
    ck_assert_int_eq(ios_flush(ios), 0);
    ck_assert_int_eq(read(pfd[0], buf, sizeof(buf)), 5);
    ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
    ck_assert_int_eq(ios_flush(ios), 0);	/* nothing left: no-op */
    (void) ios_close(ios);
    (void) close(pfd[0]);
}
END_TEST

START_TEST(full_write_buffer_is_flushed_without_asking)
{
    int     pfd[2];
    IOS    *ios;
    char   *data = make_pattern(10000);
    char   *buf = malloc(20000);

    ck_assert_int_eq(pipe(pfd), 0);
    ck_assert_int_eq(fcntl(pfd[0], F_SETFL, O_NONBLOCK), 0);
    ios = ios_open(pfd[1]);
    ck_assert_int_eq(ios_write(ios, data, 10000), 0);
    ck_assert_int_eq(ios_write(ios, data, 10000), 0);	/* no room: first goes */
    ck_assert_int_eq(read(pfd[0], buf, 20000), 10000);
    ck_assert_int_eq(memcmp(buf, data, 10000), 0);
    (void) ios_close(ios);
    (void) close(pfd[0]);
    free(buf);
    free(data);
}
END_TEST

/* drain_and_check - child: read the pattern from fd, exit 0 when all len bytes match */

static void drain_and_check(int fd, size_t len)
{
    char    buf[8192];
    size_t  got = 0;
    ssize_t n;
    ssize_t i;

    while ((n = read(fd, buf, sizeof(buf))) > 0) {
	for (i = 0; i < n; i++)
	    if ((unsigned char) buf[i] != pattern_byte(got + (size_t) i))
		_exit(2);
	got += (size_t) n;
    }
    _exit(got == len ? 0 : 3);
}

START_TEST(large_write_reaches_pipe_reader)
{
    size_t  len = 3 * 1024 * 1024;	/* far more than a pipe holds */
    char   *data = make_pattern(len);
    int     pfd[2];
    int     status;
    pid_t   pid;
    IOS    *ios;

    ck_assert_int_eq(pipe(pfd), 0);
    ck_assert_int_ne(pid = fork(), -1);
    if (pid == 0) {
	(void) close(pfd[1]);
	drain_and_check(pfd[0], len);
    }
    (void) close(pfd[0]);
    ios = ios_open(pfd[1]);
    ios_set_timeout(ios, 10);
    ck_assert_int_eq(ios_write(ios, data, 100), 0);
    ck_assert_int_eq(ios_write(ios, data + 100, len - 100), 0);
    ck_assert_int_eq(ios_flush(ios), 0);
    ck_assert_int_eq(ios->bytes_out, (long long) len);
    ck_assert_int_eq(ios_close(ios), 0);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_int_eq(WIFEXITED(status) && WEXITSTATUS(status) == 0, 1);
    free(data);
}
END_TEST

START_TEST(write_to_closed_pipe_sets_error)
{
    int     pfd[2];
    IOS    *ios;

    ck_assert_ptr_ne(signal(SIGPIPE, SIG_IGN), SIG_ERR);
    ck_assert_int_eq(pipe(pfd), 0);
    (void) close(pfd[0]);
    ios = ios_open(pfd[1]);
    ck_assert_int_eq(ios_write(ios, "lost", 4), 0);	/* only buffered */
    ck_assert_int_eq(ios_flush(ios), -1);
    ck_assert_int_ne(ios->flags & IOS_FLAG_ERR, 0);
    ck_assert_int_eq(ios_timedout(ios), 0);
    ck_assert_int_ne(ios_failed(ios), 0);
    ck_assert_int_eq(ios_write(ios, "more", 4), -1);	/* stays failed */
    ck_assert_int_eq(ios_flush(ios), -1);
    (void) ios_close(ios);
}
END_TEST

START_TEST(mem_output_of_descriptor_stream_panics)
{
    IOS    *ios = ios_open(0);

    msg_set_sink(quiet_sink);
    (void) ios_mem_output(ios);
}
END_TEST

/* Descriptors, timeouts and deadlines */

START_TEST(eof_from_peer_sets_eof_flag_only)
{
    int     sv[2];
    IOS    *ios;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(write(sv[1], "z", 1), 1);
    (void) close(sv[1]);
    ios = ios_open(sv[0]);
    ios_set_timeout(ios, 5);
    ck_assert_int_eq(ios_getc(ios), 'z');
    ck_assert_int_eq(ios_getc(ios), IOS_EOF);
    ck_assert_int_eq(ios->flags, IOS_FLAG_EOF);
    (void) ios_close(ios);
}
END_TEST

START_TEST(set_timeout_makes_descriptor_non_blocking)
{
    int     sv[2];
    IOS    *ios;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ios = ios_open(sv[0]);
    ck_assert_int_eq(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
    ios_set_timeout(ios, 3);
    ck_assert_int_ne(fcntl(sv[0], F_GETFL) & O_NONBLOCK, 0);
    (void) ios_close(ios);
    (void) close(sv[1]);
}
END_TEST

START_TEST(data_that_arrives_in_time_is_read)
{
    int     sv[2];
    IOS    *ios;
    pid_t   pid;
    int     status;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_ne(pid = fork(), -1);
    if (pid == 0) {
	unit_sleep_ms(200);
	_exit(write(sv[1], "late\n", 5) == 5 ? 0 : 1);
    }
    ios = ios_open(sv[0]);
    ios_set_timeout(ios, 5);
    ck_assert_int_eq(ios_getc(ios), 'l');
    ck_assert_int_eq(ios->flags, 0);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    (void) ios_close(ios);
    (void) close(sv[1]);
}
END_TEST

START_TEST(read_timeout_expires_on_silent_peer)
{
    int     sv[2];
    IOS    *ios;
    long long start;
    long long elapsed;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ios = ios_open(sv[0]);
    ios_set_timeout(ios, 1);
    start = ios_now_ms();
    ck_assert_int_eq(ios_getc(ios), IOS_EOF);
    elapsed = ios_now_ms() - start;
    ck_assert_int_eq(ios->flags & IOS_FLAG_BAD, IOS_FLAG_TIMEOUT);
    ck_assert_int_ge(elapsed, 900);
    ck_assert_int_lt(elapsed, 3000);
    (void) ios_close(ios);
    (void) close(sv[1]);
}
END_TEST

START_TEST(deadline_expires_on_silent_peer)
{
    int     sv[2];
    IOS    *ios;
    long long start;
    long long elapsed;
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(write(sv[1], "partial", 7), 7);
    ios = ios_open(sv[0]);
    ios_set_deadline(ios, 1);
    start = ios_now_ms();
    ck_assert_int_eq(ios_get_line(ios, buf, 100, 0), IOS_EOF);
    elapsed = ios_now_ms() - start;
    ck_assert_int_ne(ios_timedout(ios), 0);
    ck_assert_int_ge(elapsed, 900);
    ck_assert_int_lt(elapsed, 3000);
    (void) ios_close(ios);
    (void) close(sv[1]);
    dstr_free(buf);
}
END_TEST

START_TEST(deadline_covers_the_whole_session)
{
    int     sv[2];
    IOS    *ios;
    long long start;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ios = ios_open(sv[0]);
    ios_set_timeout(ios, 10);			/* the deadline is sooner */
    ios_set_deadline(ios, 1);
    unit_sleep_ms(1100);
    start = ios_now_ms();
    ck_assert_int_eq(ios_getc(ios), IOS_EOF);
    ck_assert_int_lt(ios_now_ms() - start, 500);
    ck_assert_int_ne(ios_timedout(ios), 0);
    (void) ios_close(ios);
    (void) close(sv[1]);
}
END_TEST

/* After a request, the answer is waited for, then read; a late one arrives whole. */
START_TEST(answer_after_a_request_is_waited_for)
{
    int     sv[2];
    IOS    *ios;
    DSTR   *line = dstr_new(16);
    pid_t   pid;
    char    req[4];
    int     status;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    if ((pid = fork()) == 0) {			/* a slow server */
	close(sv[0]);
	if (read(sv[1], req, 4) != 4)
	    _exit(1);
	unit_sleep_ms(200);
	_exit(write(sv[1], "pong\n", 5) == 5 ? 0 : 1);
    }
    close(sv[1]);
    ios = ios_open(sv[0]);
    ios_set_timeout(ios, 5);
    ck_assert_int_eq(ios_write(ios, "ping", 4), 0);
    ck_assert_int_eq(ios_flush(ios), 0);
    ck_assert_int_ne(ios->flags & IOS_FLAG_SENT, 0);
    ck_assert_int_eq(ios_get_line(ios, line, 100, 0), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(line), "pong");
    ck_assert_int_eq(ios->flags & IOS_FLAG_SENT, 0);	/* the next read reads first */
    ck_assert_int_eq(ios_getc(ios), IOS_EOF);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_int_eq(status, 0);
    (void) ios_close(ios);
    dstr_free(line);
}
END_TEST

START_TEST(write_timeout_expires_when_peer_does_not_read)
{
    int     sv[2];
    IOS    *ios;
    size_t  len = 8 * 1024 * 1024;		/* more than the socket buffers */
    char   *data = make_pattern(len);
    long long start;
    long long elapsed;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ios = ios_open(sv[0]);
    ios_set_timeout(ios, 1);
    start = ios_now_ms();
    ck_assert_int_eq(ios_write(ios, data, len), -1);
    elapsed = ios_now_ms() - start;
    ck_assert_int_eq(ios->flags & IOS_FLAG_BAD, IOS_FLAG_TIMEOUT);
    ck_assert_int_ge(elapsed, 900);
    ck_assert_int_lt(elapsed, 3000);
    (void) ios_close(ios);
    (void) close(sv[1]);
    free(data);
}
END_TEST

/* Phase deadlines against a dripping peer */

#define DRIP_MS		250		/* between two bytes of the dripping peer */
#define DRIP_MAX	60		/* bytes, so the peer stops by itself */

START_TEST(phase_deadline_stops_a_dripping_peer)
{
    int     sv[2];
    IOS    *ios;
    DSTR   *buf = dstr_new(64);
    long long start;
    long long elapsed;
    pid_t   pid;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    pid = unit_drip_peer(sv[1], "220-tarpit ", DRIP_MS, DRIP_MAX);	/* never a line end */
    ios = ios_open(sv[0]);
    ios_set_timeout(ios, 5);			/* each byte comes well within this */
    ios_set_phase(ios, 1);
    start = ios_now_ms();
    ck_assert_int_eq(ios_get_line(ios, buf, 1000, 1), IOS_EOF);
    elapsed = ios_now_ms() - start;
    ck_assert_int_eq(ios->flags & IOS_FLAG_BAD, IOS_FLAG_TIMEOUT);
    ck_assert_int_gt(dstr_len(buf), 0);		/* bytes did come */
    ck_assert_int_ge(elapsed, 950);
    ck_assert_int_lt(elapsed, 1000 + DRIP_MS);	/* at the deadline, not at the next byte */
    unit_reap(pid);
    (void) ios_close(ios);
    (void) close(sv[1]);
    dstr_free(buf);
}
END_TEST

START_TEST(per_read_timeout_alone_is_stretched_by_a_dripping_peer)
{
    int     sv[2];
    IOS    *ios;
    DSTR   *buf = dstr_new(64);
    long long start;
    pid_t   pid;

    /* Why phases exist: 8 bytes at DRIP_MS each pass a 1 s limit per read. */
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    pid = unit_drip_peer(sv[1], "220 ok\r\n", DRIP_MS, DRIP_MAX);
    ios = ios_open(sv[0]);
    ios_set_timeout(ios, 1);
    start = ios_now_ms();
    ck_assert_int_eq(ios_get_line(ios, buf, 1000, 1), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "220 ok");
    ck_assert_int_ge(ios_now_ms() - start, 7 * DRIP_MS - 50);
    ck_assert_int_ge(ios_now_ms() - start, 1000);
    unit_reap(pid);
    (void) ios_close(ios);
    (void) close(sv[1]);
    dstr_free(buf);
}
END_TEST

START_TEST(each_phase_gets_its_own_time)
{
    int     sv[2];
    IOS    *ios;
    DSTR   *buf = dstr_new(64);
    pid_t   pid;
    int     i;

    /* Three replies of 4 bytes, ~1 s each: three phases of 2 s all succeed. */
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    pid = unit_drip_peer(sv[1], "2x\r\n", DRIP_MS, DRIP_MAX);
    ios = ios_open(sv[0]);
    for (i = 0; i < 3; i++) {
	ios_set_phase(ios, 2);
	ck_assert_int_eq(ios_get_line(ios, buf, 100, 1), IOS_LINE_FULL);
	ck_assert_str_eq(dstr_str(buf), "2x");
    }
    ck_assert_int_eq(ios->flags, 0);
    unit_reap(pid);
    (void) ios_close(ios);
    (void) close(sv[1]);
    dstr_free(buf);
}
END_TEST

START_TEST(fast_exchange_is_unaffected_by_the_phase_deadline)
{
    int     sv[2];
    IOS    *ios;
    DSTR   *buf = dstr_new(64);
    pid_t   pid;
    int     i;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    pid = unit_answer_peer(sv[1], NULL, "250 ok\r\n");
    ios = ios_open(sv[0]);
    ios_set_phase(ios, 1);			/* 200 round trips in one phase */
    for (i = 0; i < 200; i++) {
	ck_assert_int_eq(ios_puts(ios, "RCPT TO:<a@b>\r\n"), 0);
	ck_assert_int_eq(ios_flush(ios), 0);
	ck_assert_int_eq(ios_get_line(ios, buf, 100, 1), IOS_LINE_FULL);
	ck_assert_str_eq(dstr_str(buf), "250 ok");
    }
    ck_assert_int_eq(ios->flags, 0);
    ck_assert_int_gt(ios_time_left(ios), 0);
    unit_reap(pid);
    (void) ios_close(ios);
    (void) close(sv[1]);
    dstr_free(buf);
}
END_TEST

START_TEST(passed_phase_reads_nothing_more_even_when_bytes_wait)
{
    int     sv[2];
    IOS    *ios;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ios = ios_open(sv[0]);
    ios_set_phase(ios, 1);
    ck_assert_int_eq(write(sv[1], "a", 1), 1);
    ck_assert_int_eq(ios_getc(ios), 'a');
    ck_assert_int_eq(write(sv[1], "b", 1), 1);
    unit_sleep_ms(1050);
    ck_assert_int_eq(ios_time_left(ios), 0);
    ck_assert_int_eq(ios_getc(ios), IOS_EOF);	/* "b" waits, but the time is up */
    ck_assert_int_ne(ios_timedout(ios), 0);
    ck_assert_int_eq(ios_write(ios, "x", 1), -1);	/* a timed-out stream stays dead */
    (void) ios_close(ios);
    (void) close(sv[1]);
}
END_TEST

START_TEST(phase_deadline_bounds_a_write_to_a_slow_reader)
{
    int     sv[2];
    IOS    *ios;
    size_t  len = 8 * 1024 * 1024;		/* more than the socket buffers */
    char   *data = make_pattern(len);
    char    sink[4096];
    long long start;
    long long elapsed;
    pid_t   pid;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_ne(pid = fork(), -1);
    if (pid == 0) {				/* reads a little now and then */
	for (;;) {
	    if (read(sv[1], sink, sizeof(sink)) <= 0)
		_exit(0);
	    unit_sleep_ms(100);
	}
    }
    ios = ios_open(sv[0]);
    ios_set_timeout(ios, 5);			/* progress comes faster than this */
    ios_set_phase(ios, 1);
    start = ios_now_ms();
    ck_assert_int_eq(ios_write(ios, data, len), -1);
    elapsed = ios_now_ms() - start;
    ck_assert_int_eq(ios->flags & IOS_FLAG_BAD, IOS_FLAG_TIMEOUT);
    ck_assert_int_ge(elapsed, 950);
    ck_assert_int_lt(elapsed, 1500);
    unit_reap(pid);
    (void) ios_close(ios);
    (void) close(sv[1]);
    free(data);
}
END_TEST

START_TEST(time_left_reports_the_nearest_deadline)
{
    IOS    *ios = ios_open(-1);

    ck_assert_int_eq(ios_time_left(ios), -1);
    ios_set_timeout(ios, 1);			/* not a deadline */
    ck_assert_int_eq(ios_time_left(ios), -1);
    ios_set_deadline(ios, 30);
    ios_set_phase(ios, 2);
    ck_assert_int_le(ios_time_left(ios), 2000);
    ck_assert_int_gt(ios_time_left(ios), 1000);
    ios_set_phase(ios, 60);			/* the session ends sooner */
    ck_assert_int_le(ios_time_left(ios), 30000);
    ck_assert_int_gt(ios_time_left(ios), 29000);
    ios_set_phase(ios, 0);
    ios_set_deadline(ios, 0);
    ck_assert_int_eq(ios_time_left(ios), -1);
    ios_free(ios);
}
END_TEST

static int seen_timeout_ms;

/* recording_read - transport that notes the wait it was given, then times out */

static ssize_t recording_read(int fd, void *buf, size_t len, int timeout_ms, void *ctx)
{
    (void) fd;
    (void) buf;
    (void) len;
    (void) ctx;
    seen_timeout_ms = timeout_ms;
    errno = ETIMEDOUT;
    return (-1);
}

START_TEST(timeout_reaches_transport_in_milliseconds)
{
    IOS    *ios = ios_open(-1);

    ios_set_io(ios, recording_read, ios_fd_write, 0);
    ios_set_timeout(ios, 5);
    seen_timeout_ms = 0;
    ck_assert_int_eq(ios_getc(ios), IOS_EOF);
    ck_assert_int_eq(seen_timeout_ms, 5000);
    ck_assert_int_eq(ios->flags & IOS_FLAG_BAD, IOS_FLAG_TIMEOUT);
    ios_free(ios);
}
END_TEST

START_TEST(no_timeout_means_wait_forever)
{
    IOS    *ios = ios_open(-1);

    ios_set_io(ios, recording_read, ios_fd_write, 0);
    seen_timeout_ms = 0;
    ck_assert_int_eq(ios_getc(ios), IOS_EOF);
    ck_assert_int_eq(seen_timeout_ms, -1);
    ios_free(ios);
}
END_TEST

START_TEST(deadline_shortens_transport_wait)
{
    IOS    *ios = ios_open(-1);

    ios_set_io(ios, recording_read, ios_fd_write, 0);
    ios_set_timeout(ios, 60);
    ios_set_deadline(ios, 2);
    ck_assert_int_eq(ios_getc(ios), IOS_EOF);
    ck_assert_int_le(seen_timeout_ms, 2000);
    ck_assert_int_gt(seen_timeout_ms, 1000);
    ios_free(ios);
}
END_TEST

START_TEST(phase_shortens_transport_wait)
{
    IOS    *ios = ios_open(-1);

    /* What a TLS layer under the stream is given: the phase's time left. */
    ios_set_io(ios, recording_read, ios_fd_write, 0);
    ios_set_timeout(ios, 60);
    ios_set_phase(ios, 2);
    ck_assert_int_eq(ios_getc(ios), IOS_EOF);
    ck_assert_int_le(seen_timeout_ms, 2000);
    ck_assert_int_gt(seen_timeout_ms, 1000);
    ios_free(ios);
}
END_TEST

START_TEST(min_rate_moves_the_deadline_by_bytes_read)
{
    int     sv[2];
    IOS    *ios;
    char   *data = make_pattern(2000);
    char    buf[2000];
    long long before;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(write(sv[1], data, 2000), 2000);
    ios = ios_open(sv[0]);
    ios_set_deadline(ios, 10);
    ios_set_min_rate(ios, 1000, 0);		/* a millisecond per byte */
    before = ios->deadline;
    ck_assert_int_eq(ios_read_exact(ios, buf, sizeof(buf)), 0);
    ck_assert_int_eq(ios->deadline - before, 2000);
    (void) ios_close(ios);
    (void) close(sv[1]);
    free(data);
}
END_TEST

START_TEST(min_rate_credit_stops_at_the_cap)
{
    int     sv[2];
    IOS    *ios;
    char    buf[100];
    long long start = ios_now_ms();

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    memset(buf, 'x', sizeof(buf));
    ck_assert_int_eq(write(sv[1], buf, sizeof(buf)), (ssize_t) sizeof(buf));
    ios = ios_open(sv[0]);
    ios_set_deadline(ios, 1);
    ios_set_min_rate(ios, 1, 3);		/* 100 bytes would earn 100 s */
    ck_assert_int_eq(ios_read_exact(ios, buf, sizeof(buf)), 0);
    ck_assert_int_le(ios->deadline, ios_now_ms() + 3000);
    ck_assert_int_ge(ios->deadline, start + 2900);
    (void) ios_close(ios);
    (void) close(sv[1]);
}
END_TEST

START_TEST(slow_drip_times_out_at_the_deadline_despite_credit)
{
    int     sv[2];
    IOS    *ios;
    pid_t   pid;
    long long start;
    long long elapsed;
    int     status;
    int     i;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    if ((pid = fork()) == 0) {			/* a byte every 200 ms, for 4 s */
	(void) close(sv[0]);
	for (i = 0; i < 20; i++) {
	    if (write(sv[1], "x", 1) != 1)
		_exit(0);
	    unit_sleep_ms(200);
	}
	_exit(0);
    }
    (void) close(sv[1]);
    ios = ios_open(sv[0]);
    ios_set_timeout(ios, 1);			/* every single read is fast */
    ios_set_deadline(ios, 1);
    ios_set_min_rate(ios, 500, 3600);		/* 5 bytes/s earn 10 ms/s */
    start = ios_now_ms();
    while (ios_getc(ios) != IOS_EOF)
	 /* void */ ;
    elapsed = ios_now_ms() - start;
    ck_assert_int_ne(ios_timedout(ios), 0);
    ck_assert_int_ge(elapsed, 1000);
    ck_assert_int_lt(elapsed, 1500);
    (void) ios_close(ios);
    (void) kill(pid, SIGKILL);
    (void) waitpid(pid, &status, 0);
}
END_TEST

START_TEST(free_leaves_descriptor_open_and_close_closes_it)
{
    int     pfd[2];

    ck_assert_int_eq(pipe(pfd), 0);
    ios_free(ios_open(pfd[0]));
    ck_assert_int_ne(fcntl(pfd[0], F_GETFD), -1);
    ck_assert_int_eq(ios_close(ios_open(pfd[0])), 0);
    ck_assert_int_eq(fcntl(pfd[0], F_GETFD), -1);
    ck_assert_int_eq(errno, EBADF);
    (void) close(pfd[1]);
}
END_TEST

START_TEST(get_line_crlf_line_at_limit_is_full)
{
    IOS    *ios = mem_str("abcd\r\nnext\r\n");
    DSTR   *buf = dstr_new(4);

    ck_assert_int_eq(ios_get_line(ios, buf, 4, 1), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "abcd");
    ck_assert_int_eq(ios_get_line(ios, buf, 4, 1), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "next");
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

START_TEST(get_line_honours_buffer_limit_without_dropping_bytes)
{
    IOS    *ios = mem_str("abcdefgh\n");
    DSTR   *buf = dstr_new(4);

    dstr_set_limit(buf, 4);			/* smaller than the line limit */
    ck_assert_int_eq(ios_get_line(ios, buf, 100, 0), IOS_LINE_PART);
    ck_assert_str_eq(dstr_str(buf), "abcd");
    ck_assert_int_eq(ios_get_line(ios, buf, 100, 0), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "efgh");
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

/* one_byte_read - transport that hands out a C string one byte per call */

static size_t one_byte_pos;

static ssize_t one_byte_read(int fd, void *buf, size_t len, int timeout_ms, void *ctx)
{
    const char *str = ctx;

    (void) fd;
    (void) len;
    (void) timeout_ms;
    if (str[one_byte_pos] == 0)
	return (0);
    *(char *) buf = str[one_byte_pos++];
    return (1);
}

START_TEST(get_line_crlf_split_across_refills_at_limit_is_full)
{
    IOS    *ios = ios_open(-1);
    DSTR   *buf = dstr_new(4);

    one_byte_pos = 0;
    ios_set_io(ios, one_byte_read, ios_fd_write, "abcd\r\nnext\n");
    ck_assert_int_eq(ios_get_line(ios, buf, 4, 1), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "abcd");
    ck_assert_int_eq(ios_get_line(ios, buf, 4, 1), IOS_LINE_FULL);
    ck_assert_str_eq(dstr_str(buf), "next");
    ios_free(ios);
    dstr_free(buf);
}
END_TEST

START_TEST(long_timeout_is_not_infinite)
{
    IOS    *ios = ios_open(-1);

    ios_set_io(ios, recording_read, ios_fd_write, 0);
    ios_set_timeout(ios, INT_MAX / 1000 + 1);	/* about 25 days */
    ck_assert_int_eq(ios_getc(ios), IOS_EOF);
    ck_assert_int_gt(seen_timeout_ms, 0);
    ios_free(ios);
}
END_TEST

/* ios_suite - every test above */

static Suite *ios_suite(void)
{
    Suite  *s = suite_create("ios");
    TCase  *tr = tcase_create("read");
    TCase  *tl = tcase_create("lines");
    TCase  *tw = tcase_create("write");
    TCase  *tt = tcase_create("time");
    TCase  *tp = tcase_create("phases");

    tcase_add_test(tr, getc_returns_bytes_then_eof);
    tcase_add_test(tr, getc_returns_high_bytes_as_unsigned);
    tcase_add_test(tr, read_returns_what_is_buffered);
    tcase_add_test(tr, read_returns_zero_at_eof);
    tcase_add_test(tr, read_of_zero_bytes_returns_zero);
    tcase_add_test(tr, large_read_gets_everything_in_order);
    tcase_add_test(tr, read_exact_spans_buffer_refills);
    tcase_add_test(tr, read_exact_fails_on_short_input);
    tcase_add_test(tr, discard_input_drops_what_was_read_ahead);
    tcase_add_test(tr, read_exact_of_zero_bytes_succeeds);
    suite_add_tcase(s, tr);

    tcase_add_test(tl, get_line_returns_full_line_without_lf);
    tcase_add_test(tl, get_line_returns_empty_line);
    tcase_add_test(tl, get_line_strips_cr_when_asked);
    tcase_add_test(tl, get_line_keeps_cr_inside_line);
    tcase_add_test(tl, get_line_keeps_nul_bytes);
    tcase_add_test(tl, get_line_over_limit_returns_part_then_rest);
    tcase_add_test(tl, get_line_exactly_at_limit_is_full);
    tcase_add_test(tl, get_line_spans_buffer_refills);
    tcase_add_test(tl, get_line_limit_across_buffer_refills);
    tcase_add_test(tl, get_line_last_line_without_lf);
    tcase_add_test(tl, get_line_on_empty_stream_is_eof);
    suite_add_tcase(s, tl);

    tcase_add_test(tw, writes_collect_in_memory_stream);
    tcase_add_test(tw, write_order_survives_large_writes);
    tcase_add_test(tw, write_is_buffered_until_flush);
    tcase_add_test(tw, full_write_buffer_is_flushed_without_asking);
    tcase_add_test(tw, large_write_reaches_pipe_reader);
    tcase_add_test(tw, write_to_closed_pipe_sets_error);
    tcase_add_test_raise_signal(tw, mem_output_of_descriptor_stream_panics, SIGABRT);
    suite_add_tcase(s, tw);

    tcase_set_timeout(tt, 10);
    tcase_add_test(tt, eof_from_peer_sets_eof_flag_only);
    tcase_add_test(tt, set_timeout_makes_descriptor_non_blocking);
    tcase_add_test(tt, data_that_arrives_in_time_is_read);
    tcase_add_test(tt, read_timeout_expires_on_silent_peer);
    tcase_add_test(tt, deadline_expires_on_silent_peer);
    tcase_add_test(tt, deadline_covers_the_whole_session);
    tcase_add_test(tt, answer_after_a_request_is_waited_for);
    tcase_add_test(tt, write_timeout_expires_when_peer_does_not_read);
    tcase_add_test(tt, timeout_reaches_transport_in_milliseconds);
    tcase_add_test(tt, no_timeout_means_wait_forever);
    tcase_add_test(tt, deadline_shortens_transport_wait);
    tcase_add_test(tt, free_leaves_descriptor_open_and_close_closes_it);
    tcase_add_test(tt, phase_shortens_transport_wait);
    tcase_add_test(tt, min_rate_moves_the_deadline_by_bytes_read);
    tcase_add_test(tt, min_rate_credit_stops_at_the_cap);
    tcase_add_test(tt, slow_drip_times_out_at_the_deadline_despite_credit);
    suite_add_tcase(s, tt);

    tcase_set_timeout(tp, 20);
    tcase_add_test(tp, phase_deadline_stops_a_dripping_peer);
    tcase_add_test(tp, per_read_timeout_alone_is_stretched_by_a_dripping_peer);
    tcase_add_test(tp, each_phase_gets_its_own_time);
    tcase_add_test(tp, fast_exchange_is_unaffected_by_the_phase_deadline);
    tcase_add_test(tp, passed_phase_reads_nothing_more_even_when_bytes_wait);
    tcase_add_test(tp, phase_deadline_bounds_a_write_to_a_slow_reader);
    tcase_add_test(tp, time_left_reports_the_nearest_deadline);
    suite_add_tcase(s, tp);

    tcase_add_test(tl, get_line_crlf_line_at_limit_is_full);
    tcase_add_test(tl, get_line_honours_buffer_limit_without_dropping_bytes);
    tcase_add_test(tl, get_line_crlf_split_across_refills_at_limit_is_full);
    tcase_add_test(tt, long_timeout_is_not_infinite);
    tcase_add_test(tt, write_direct_leaves_no_copy_in_the_buffer);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(ios_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
