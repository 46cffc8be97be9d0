/*
 * check_bounce_log - unit tests for the bounce/defer log record format and reader
 * DESCRIPTION
 *	Records written by bounce_log_format() read back field for field
 *	(from memory and from a file); the writer refuses what a reader
 *	would refuse, blanks control characters so a record stays on its
 *	line, and cuts long texts. A damaged log never stops the reader: a
 *	garbage line, a torn last record, an over-long line, trailing bytes
 *	after a record, missing or bad fields each cost one BOUNCE_LOG_BAD
 *	naming the line, and the records after them are still returned.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounce_log.h"
#include "dstr.h"
#include "ios.h"

static const BOUNCE_RCPT rcpt_failed = {
    "nobody@host.test", 412, "5.1.1", "failed", "mx1.host.test",
    "smtp; 550 5.1.1 <nobody@host.test>: no such user",
    "host mx1.host.test[192.0.2.1] said: 550 5.1.1 <nobody@host.test>: no such user "
    "(in reply to RCPT TO command)",
};
static const BOUNCE_RCPT rcpt_delayed = {
    "tmp1@host.test", 530, "4.4.1", "delayed", "", "",
    "connect to 127.0.0.1[127.0.0.1]:2599: Connection refused",
};

/* encode - records into a log text */

static DSTR *encode(const BOUNCE_RCPT *r1, const BOUNCE_RCPT *r2)
{
    DSTR   *log = dstr_new(512);
    DSTR   *err = dstr_new(64);

    ck_assert_int_eq(bounce_log_format(log, r1, 1715677201, err), 0);
    if (r2)
	ck_assert_int_eq(bounce_log_format(log, r2, 1715677202, err), 0);
    dstr_free(err);
    return (log);
}

/* Reading from memory: a reader, its stream and a "why" buffer. */
typedef struct MEMLOG {
    IOS    *ios;
    BOUNCE_LOG_READER *log;
    DSTR   *why;
} MEMLOG;

/* mem_open - a reader on a copy of text */

static MEMLOG *mem_open(const char *text, size_t len)
{
    MEMLOG *m = calloc(1, sizeof(*m));

    m->ios = ios_open_mem(text, len);
    m->log = bounce_log_open_ios(m->ios);
    m->why = dstr_new(64);
    return (m);
}

/* mem_close - release a reader and its stream */

static void mem_close(MEMLOG *m)
{
    bounce_log_close(m->log);
    ios_free(m->ios);
    dstr_free(m->why);
    free(m);
}

/* same_rcpt - a record read back equals what was written */

static void same_rcpt(const BOUNCE_LOG_REC *rec, const BOUNCE_RCPT *want, long when)
{
    ck_assert_str_eq(rec->rcpt.address, want->address);
    ck_assert_int_eq(rec->rcpt.offset, want->offset);
    ck_assert_str_eq(rec->rcpt.status, want->status);
    ck_assert_str_eq(rec->rcpt.action, want->action);
    ck_assert_str_eq(rec->rcpt.remote_mta, want->remote_mta);
    ck_assert_str_eq(rec->rcpt.diagnostic, want->diagnostic);
    ck_assert_str_eq(rec->rcpt.reason, want->reason);
    ck_assert_int_eq(rec->when, when);
}

 /*
  * Writer.
  */
START_TEST(record_is_one_attribute_list_line)
{
    DSTR   *log = encode(&rcpt_delayed, NULL);

    ck_assert_str_eq(dstr_str(log),
		     "15:time=1715677201,10:offset=530,22:address=tmp1@host.test,"
		     "12:status=4.4.1,14:action=delayed,11:remote_mta=,11:diagnostic=,"
		     "63:reason=connect to 127.0.0.1[127.0.0.1]:2599: Connection refused,"
		     "0:,\n");
    dstr_free(log);
}
END_TEST

START_TEST(round_trip_two_records)
{
    DSTR   *log = encode(&rcpt_failed, &rcpt_delayed);
    MEMLOG *m = mem_open(dstr_str(log), dstr_len(log));
    BOUNCE_LOG_REC rec;

    ck_assert_int_eq(bounce_log_read(m->log, &rec, m->why), BOUNCE_LOG_OK);
    same_rcpt(&rec, &rcpt_failed, 1715677201);
    ck_assert_int_eq(rec.line, 1);
    ck_assert_int_eq(bounce_log_read(m->log, &rec, m->why), BOUNCE_LOG_OK);
    same_rcpt(&rec, &rcpt_delayed, 1715677202);
    ck_assert_int_eq(rec.line, 2);
    ck_assert_int_eq(bounce_log_read(m->log, &rec, m->why), BOUNCE_LOG_END);
    ck_assert_int_eq(bounce_log_read(m->log, &rec, m->why), BOUNCE_LOG_END);
    mem_close(m);
    dstr_free(log);
}
END_TEST

START_TEST(round_trip_through_a_file)
{
    char    path[] = "/tmp/check_bounce_log.XXXXXX";
    DSTR   *log = encode(&rcpt_failed, &rcpt_delayed);
    DSTR   *why = dstr_new(64);
    BOUNCE_LOG_READER *rd;
    BOUNCE_LOG_REC rec;
    int     fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, dstr_str(log), dstr_len(log)), (ssize_t) dstr_len(log));
    close(fd);
    rd = bounce_log_open(path);
    ck_assert_ptr_nonnull(rd);
    ck_assert_int_eq(bounce_log_read(rd, &rec, why), BOUNCE_LOG_OK);
    same_rcpt(&rec, &rcpt_failed, 1715677201);
    ck_assert_int_eq(bounce_log_read(rd, &rec, why), BOUNCE_LOG_OK);
    same_rcpt(&rec, &rcpt_delayed, 1715677202);
    ck_assert_int_eq(bounce_log_read(rd, &rec, why), BOUNCE_LOG_END);
    bounce_log_close(rd);
    unlink(path);
    dstr_free(log);
    dstr_free(why);
}
END_TEST

START_TEST(missing_file_is_enoent)
{
    errno = 0;
    ck_assert_ptr_null(bounce_log_open("/nonexistent/bounce/0S44WE80000ABCDE"));
    ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(control_characters_become_spaces)
{
    BOUNCE_RCPT r = rcpt_failed;
    DSTR   *log;
    MEMLOG *m;
    BOUNCE_LOG_REC rec;

    r.diagnostic = "smtp; 550-first line\r\n550 second\tline";
    r.address = "evil\n@host.test";
    log = encode(&r, NULL);
    ck_assert_ptr_eq(memchr(dstr_str(log), '\n', dstr_len(log)),
		     dstr_str(log) + dstr_len(log) - 1);
    m = mem_open(dstr_str(log), dstr_len(log));
    ck_assert_int_eq(bounce_log_read(m->log, &rec, m->why), BOUNCE_LOG_OK);
    ck_assert_str_eq(rec.rcpt.diagnostic, "smtp; 550-first line  550 second line");
    ck_assert_str_eq(rec.rcpt.address, "evil @host.test");
    mem_close(m);
    dstr_free(log);
}
END_TEST

START_TEST(long_texts_are_cut)
{
    BOUNCE_RCPT r = rcpt_failed;
    char   *big = malloc(3 * BOUNCE_LOG_TEXT_MAX);
    DSTR   *log;
    MEMLOG *m;
    BOUNCE_LOG_REC rec;

    memset(big, 'x', 3 * BOUNCE_LOG_TEXT_MAX - 1);
    big[3 * BOUNCE_LOG_TEXT_MAX - 1] = 0;
    r.reason = r.diagnostic = r.remote_mta = big;
    log = encode(&r, NULL);
    ck_assert_uint_le(dstr_len(log), BOUNCE_LOG_RECORD_MAX);
    m = mem_open(dstr_str(log), dstr_len(log));
    ck_assert_int_eq(bounce_log_read(m->log, &rec, m->why), BOUNCE_LOG_OK);
    ck_assert_uint_eq(strlen(rec.rcpt.reason), BOUNCE_LOG_TEXT_MAX);
    ck_assert_uint_eq(strlen(rec.rcpt.diagnostic), BOUNCE_LOG_TEXT_MAX);
    mem_close(m);
    dstr_free(log);
    free(big);
}
END_TEST

START_TEST(writer_refuses_bad_records)
{
    DSTR   *out = dstr_new(64);
    DSTR   *err = dstr_new(64);
    char   *longaddr = malloc(BOUNCE_LOG_ADDR_MAX + 2);
    BOUNCE_RCPT r;

    memset(longaddr, 'a', BOUNCE_LOG_ADDR_MAX + 1);
    longaddr[BOUNCE_LOG_ADDR_MAX + 1] = 0;
    r = rcpt_failed, r.address = "";
    ck_assert_int_eq(bounce_log_format(out, &r, 1, err), -1);
    r = rcpt_failed, r.address = longaddr;
    ck_assert_int_eq(bounce_log_format(out, &r, 1, err), -1);
    r = rcpt_failed, r.offset = -1;
    ck_assert_int_eq(bounce_log_format(out, &r, 1, err), -1);
    r = rcpt_failed, r.status = "550";
    ck_assert_int_eq(bounce_log_format(out, &r, 1, err), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "bad status"));
    r = rcpt_failed, r.action = "sent";
    ck_assert_int_eq(bounce_log_format(out, &r, 1, err), -1);
    r = rcpt_failed, r.status = NULL;
    ck_assert_int_eq(bounce_log_format(out, &r, 1, err), -1);
    ck_assert_uint_eq(dstr_len(out), 0);		/* nothing appended */
    dstr_free(out);
    dstr_free(err);
    free(longaddr);
}
END_TEST

START_TEST(status_syntax)
{
    ck_assert(bounce_log_status_ok("5.1.1"));
    ck_assert(bounce_log_status_ok("4.4.7"));
    ck_assert(bounce_log_status_ok("2.0.0"));
    ck_assert(bounce_log_status_ok("5.123.123"));
    ck_assert(!bounce_log_status_ok("3.1.1"));
    ck_assert(!bounce_log_status_ok("5.1"));
    ck_assert(!bounce_log_status_ok("5.1.1 "));
    ck_assert(!bounce_log_status_ok("5.1234.1"));
    ck_assert(!bounce_log_status_ok("5..1"));
    ck_assert(!bounce_log_status_ok(""));
    ck_assert(!bounce_log_status_ok("55.1.1"));
}
END_TEST

 /*
  * Damaged logs.
  */

/* read_all - codes returned until END (at most 20), as a string: O, B, E */

static void read_all(const char *text, size_t len, DSTR *codes, DSTR *whys)
{
    MEMLOG *m = mem_open(text, len);
    BOUNCE_LOG_REC rec;
    int     got;
    int     n;

    for (n = 0; n < 20; n++) {
	got = bounce_log_read(m->log, &rec, m->why);
	dstr_catc(codes, got == BOUNCE_LOG_OK ? 'O' : got == BOUNCE_LOG_BAD ? 'B' :
		  got == BOUNCE_LOG_END ? 'E' : 'X');
	if (got == BOUNCE_LOG_BAD)
	    dstr_printf(whys, "%s|", dstr_str(m->why));
	if (got == BOUNCE_LOG_END || got == BOUNCE_LOG_ERR)
	    break;
    }
    mem_close(m);
}

START_TEST(garbage_line_is_skipped)
{
    DSTR   *good = encode(&rcpt_failed, NULL);
    DSTR   *text = dstr_new(512);
    DSTR   *codes = dstr_new(8);
    DSTR   *whys = dstr_new(64);

    dstr_printf(text, "%s%s\n%s", dstr_str(good), "this is not a record", dstr_str(good));
    read_all(dstr_str(text), dstr_len(text), codes, whys);
    ck_assert_str_eq(dstr_str(codes), "OBOE");
    ck_assert_ptr_nonnull(strstr(dstr_str(whys), "line 2:"));
    dstr_free(good);
    dstr_free(text);
    dstr_free(codes);
    dstr_free(whys);
}
END_TEST

START_TEST(torn_last_record_is_reported)
{
    DSTR   *good = encode(&rcpt_failed, &rcpt_delayed);
    DSTR   *codes = dstr_new(8);
    DSTR   *whys = dstr_new(64);

    /* The second record lost its end: a crash during the append. */
    read_all(dstr_str(good), dstr_len(good) - 10, codes, whys);
    ck_assert_str_eq(dstr_str(codes), "OBE");
    ck_assert_ptr_nonnull(strstr(dstr_str(whys), "line 2: incomplete last record"));
    dstr_free(good);
    dstr_free(codes);
    dstr_free(whys);
}
END_TEST

START_TEST(every_truncation_is_safe)
{
    DSTR   *good = encode(&rcpt_failed, &rcpt_delayed);
    DSTR   *codes = dstr_new(8);
    DSTR   *whys = dstr_new(64);
    size_t  first_end = (size_t) (strchr(dstr_str(good), '\n') - dstr_str(good)) + 1;
    size_t  cut;

    for (cut = 0; cut <= dstr_len(good); cut++) {
	DSTR_RESET(codes);
	read_all(dstr_str(good), cut, codes, whys);
	if (cut == 0)
	    ck_assert_str_eq(dstr_str(codes), "E");
	else if (cut < first_end)
	    ck_assert_str_eq(dstr_str(codes), "BE");
	else if (cut == first_end)
	    ck_assert_str_eq(dstr_str(codes), "OE");
	else if (cut < dstr_len(good))
	    ck_assert_str_eq(dstr_str(codes), "OBE");
	else
	    ck_assert_str_eq(dstr_str(codes), "OOE");
    }
    dstr_free(good);
    dstr_free(codes);
    dstr_free(whys);
}
END_TEST

START_TEST(overlong_line_is_skipped_with_bounded_memory)
{
    DSTR   *good = encode(&rcpt_failed, NULL);
    DSTR   *text = dstr_new(3 * BOUNCE_LOG_RECORD_MAX);
    DSTR   *codes = dstr_new(8);
    DSTR   *whys = dstr_new(64);
    size_t  i;

    for (i = 0; i < 3 * BOUNCE_LOG_RECORD_MAX; i++)
	dstr_catc(text, '7');
    dstr_catc(text, '\n');
    dstr_cats(text, dstr_str(good));
    read_all(dstr_str(text), dstr_len(text), codes, whys);
    ck_assert_str_eq(dstr_str(codes), "BOE");
    ck_assert_ptr_nonnull(strstr(dstr_str(whys), "line 1: record longer than"));
    dstr_free(good);
    dstr_free(text);
    dstr_free(codes);
    dstr_free(whys);
}
END_TEST

START_TEST(data_after_the_record_is_damage)
{
    DSTR   *good = encode(&rcpt_failed, NULL);
    DSTR   *text = dstr_new(512);
    DSTR   *codes = dstr_new(8);
    DSTR   *whys = dstr_new(64);

    dstr_cat(text, dstr_str(good), dstr_len(good) - 1);
    dstr_cats(text, "xx\n");
    read_all(dstr_str(text), dstr_len(text), codes, whys);
    ck_assert_str_eq(dstr_str(codes), "BE");
    ck_assert_ptr_nonnull(strstr(dstr_str(whys), "data after the end"));
    dstr_free(good);
    dstr_free(text);
    dstr_free(codes);
    dstr_free(whys);
}
END_TEST

/* attrs_line - a log line from "name=value" strings, NULL-terminated */

static void attrs_line(DSTR *out, const char *const *pairs)
{
    const char *eq;

    DSTR_RESET(out);
    for (; *pairs; pairs++) {
	eq = strchr(*pairs, '=');
	dstr_printf(out, "%zu:%s,", strlen(*pairs), *pairs);
	ck_assert_ptr_nonnull(eq);
    }
    dstr_cats(out, "0:,\n");
}

START_TEST(records_with_bad_fields_are_damage)
{
#define T "time=1715677201"
#define O "offset=412"
#define A "address=a@b"
#define S "status=5.1.1"
#define C "action=failed"
    static const char *const bad[][7] = {
	{T, O, S, C},				/* no address */
	{T, O, "address=", S, C},		/* empty address */
	{T, "offset=4x2", A, S, C},		/* offset not a number */
	{T, "offset=-12", A, S, C},		/* negative offset */
	{O, A, S, C},				/* no time */
	{"time=", O, A, S, C},			/* empty time */
	{T, O, A, "status=550", C},		/* bad status */
	{T, O, A, C},				/* no status */
	{T, O, A, S, "action=sent"},		/* unknown action */
	{T, O, A, S},				/* no action */
	{T, O, A, S, C, "=noname"},		/* attribute without a name */
    };
    static const char nul[] =			/* NUL in a value */
	"15:time=1715677201,10:offset=412,11:address=a\0b,12:status=5.1.1,13:action=failed,0:,\n";
    static const char *const good[] = {T, O, A, S, C, 0};
    DSTR   *text = dstr_new(256);
    DSTR   *codes = dstr_new(8);
    DSTR   *whys = dstr_new(64);
    size_t  i;

    attrs_line(text, good);			/* the cases differ from this only */
    read_all(dstr_str(text), dstr_len(text), codes, whys);
    ck_assert_str_eq(dstr_str(codes), "OE");
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
	DSTR_RESET(codes);
	attrs_line(text, bad[i]);
	read_all(dstr_str(text), dstr_len(text), codes, whys);
	ck_assert_msg(strcmp(dstr_str(codes), "BE") == 0, "case %zu: %s", i, dstr_str(codes));
    }
    DSTR_RESET(codes);
    read_all(nul, sizeof(nul) - 1, codes, whys);
    ck_assert_str_eq(dstr_str(codes), "BE");
    dstr_free(text);
    dstr_free(codes);
    dstr_free(whys);
#undef T
#undef O
#undef A
#undef S
#undef C
}
END_TEST

START_TEST(unknown_attributes_and_empty_lines_are_ignored)
{
    static const char text[] =
	"\n\n15:time=1715677201,10:offset=412,11:address=a@b,12:status=5.1.1,"
	"13:action=failed,10:future=yes,0:,\n\n";
    MEMLOG *m = mem_open(text, sizeof(text) - 1);
    BOUNCE_LOG_REC rec;

    ck_assert_int_eq(bounce_log_read(m->log, &rec, m->why), BOUNCE_LOG_OK);
    ck_assert_str_eq(rec.rcpt.address, "a@b");
    ck_assert_str_eq(rec.rcpt.remote_mta, "");	/* optional texts default to "" */
    ck_assert_str_eq(rec.rcpt.diagnostic, "");
    ck_assert_str_eq(rec.rcpt.reason, "");
    ck_assert_int_eq(rec.line, 3);
    ck_assert_int_eq(bounce_log_read(m->log, &rec, m->why), BOUNCE_LOG_END);
    mem_close(m);
}
END_TEST

/* bounce_log_suite - the cases */

static Suite *bounce_log_suite(void)
{
    Suite  *s = suite_create("bounce_log");
    TCase  *tw = tcase_create("writer");
    TCase  *td = tcase_create("damage");

    tcase_add_test(tw, record_is_one_attribute_list_line);
    tcase_add_test(tw, round_trip_two_records);
    tcase_add_test(tw, round_trip_through_a_file);
    tcase_add_test(tw, missing_file_is_enoent);
    tcase_add_test(tw, control_characters_become_spaces);
    tcase_add_test(tw, long_texts_are_cut);
    tcase_add_test(tw, writer_refuses_bad_records);
    tcase_add_test(tw, status_syntax);
    suite_add_tcase(s, tw);

    tcase_add_test(td, garbage_line_is_skipped);
    tcase_add_test(td, torn_last_record_is_reported);
    tcase_add_test(td, every_truncation_is_safe);
    tcase_add_test(td, overlong_line_is_skipped_with_bounded_memory);
    tcase_add_test(td, data_after_the_record_is_damage);
    tcase_add_test(td, records_with_bad_fields_are_damage);
    tcase_add_test(td, unknown_attributes_and_empty_lines_are_ignored);
    suite_add_tcase(s, td);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(bounce_log_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
