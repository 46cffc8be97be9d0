/*
 * fuzz_bounce_log - libFuzzer target for the bounce/defer log reader
 * DESCRIPTION
 *	bounce/ID and defer/ID may be damaged by a crash, a full disk or a
 *	stray edit, and the bounce service, the queue manager and the admin
 *	command all read them; so the reader gets arbitrary bytes through
 *	ios_open_mem(), as it gets a file. The target aborts when a property
 *	fails:
 *	- the reader ends (BOUNCE_LOG_END) after at most one result per line,
 *	  never reports a read error on memory, and every BOUNCE_LOG_BAD
 *	  comes with a reason naming a line;
 *	- a record it returns is valid: non-empty address, offset and time
 *	  not negative, an RFC 3464 status, action failed or delayed;
 *	- bounce_log_format() accepts the record exactly when its address
 *	  fits BOUNCE_LOG_ADDR_MAX, and its output is one line that reads
 *	  back as one record equal to the original after the writer's own
 *	  changes (control characters blanked, texts cut), then END.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bounce_log.h"
#include "dstr.h"
#include "ios.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_bounce_log.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_expect - what the writer makes of a value: blanked, cut at max */

static void fuzz_expect(DSTR *out, const char *value, size_t max)
{
    size_t  len = strlen(value);
    size_t  i;
    unsigned char ch;

    DSTR_RESET(out);
    if (len > max)
	len = max;
    for (i = 0; i < len; i++) {
	ch = (unsigned char) value[i];
	dstr_catc(out, ch < 0x20 || ch == 0x7f ? ' ' : ch);
    }
}

/* fuzz_same - a read-back field equals the expected writer output */

static void fuzz_same(DSTR *tmp, const char *got, const char *orig, size_t max)
{
    fuzz_expect(tmp, orig, max);
    FUZZ_CHECK(strcmp(got, dstr_str(tmp)) == 0);
}

/* fuzz_round_trip - re-encode one record and read it back */

static void fuzz_round_trip(const BOUNCE_LOG_REC *rec)
{
    DSTR   *enc = dstr_new(256);
    DSTR   *err = dstr_new(64);
    DSTR   *why = dstr_new(64);
    DSTR   *tmp = dstr_new(256);
    BOUNCE_LOG_READER *log;
    BOUNCE_LOG_REC again;
    IOS    *ios;
    int     fits = strlen(rec->rcpt.address) <= BOUNCE_LOG_ADDR_MAX;

    FUZZ_CHECK((bounce_log_format(enc, &rec->rcpt, rec->when, err) == 0) == fits);
    if (fits) {
	FUZZ_CHECK(dstr_len(enc) <= BOUNCE_LOG_RECORD_MAX);
	FUZZ_CHECK(memchr(dstr_str(enc), '\n', dstr_len(enc)) == dstr_str(enc) + dstr_len(enc) - 1);
	ios = ios_open_mem(dstr_str(enc), dstr_len(enc));
	log = bounce_log_open_ios(ios);
	FUZZ_CHECK(bounce_log_read(log, &again, why) == BOUNCE_LOG_OK);
	fuzz_same(tmp, again.rcpt.address, rec->rcpt.address, BOUNCE_LOG_ADDR_MAX);
	fuzz_same(tmp, again.rcpt.remote_mta, rec->rcpt.remote_mta, BOUNCE_LOG_TEXT_MAX);
	fuzz_same(tmp, again.rcpt.diagnostic, rec->rcpt.diagnostic, BOUNCE_LOG_TEXT_MAX);
	fuzz_same(tmp, again.rcpt.reason, rec->rcpt.reason, BOUNCE_LOG_TEXT_MAX);
	FUZZ_CHECK(strcmp(again.rcpt.status, rec->rcpt.status) == 0);
	FUZZ_CHECK(strcmp(again.rcpt.action, rec->rcpt.action) == 0);
	FUZZ_CHECK(again.rcpt.offset == rec->rcpt.offset);
	FUZZ_CHECK(again.when == rec->when);
	FUZZ_CHECK(bounce_log_read(log, &again, why) == BOUNCE_LOG_END);
	bounce_log_close(log);
	ios_free(ios);
    } else {
	FUZZ_CHECK(dstr_len(enc) == 0);
    }
    dstr_free(enc);
    dstr_free(err);
    dstr_free(why);
    dstr_free(tmp);
}

/* LLVMFuzzerTestOneInput - libFuzzer entry point */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    IOS    *ios = ios_open_mem(data, size);
    BOUNCE_LOG_READER *log = bounce_log_open_ios(ios);
    BOUNCE_LOG_REC rec;
    DSTR   *why = dstr_new(64);
    size_t  lines = 1;
    size_t  results = 0;
    size_t  i;
    int     got;

    for (i = 0; i < size; i++)
	lines += data[i] == '\n';
    while ((got = bounce_log_read(log, &rec, why)) != BOUNCE_LOG_END) {
	FUZZ_CHECK(got == BOUNCE_LOG_OK || got == BOUNCE_LOG_BAD);
	FUZZ_CHECK(++results <= lines);
	if (got == BOUNCE_LOG_BAD) {
	    FUZZ_CHECK(strncmp(dstr_str(why), "line ", 5) == 0);
	    continue;
	}
	FUZZ_CHECK(*rec.rcpt.address != 0);
	FUZZ_CHECK(rec.rcpt.offset >= 0 && rec.when >= 0);
	FUZZ_CHECK(bounce_log_status_ok(rec.rcpt.status));
	FUZZ_CHECK(strcmp(rec.rcpt.action, "failed") == 0
		   || strcmp(rec.rcpt.action, "delayed") == 0);
	FUZZ_CHECK(rec.line >= 1 && (size_t) rec.line <= lines);
	fuzz_round_trip(&rec);
    }
    FUZZ_CHECK(bounce_log_read(log, &rec, why) == BOUNCE_LOG_END);
    bounce_log_close(log);
    ios_free(ios);
    dstr_free(why);
    return (0);
}
