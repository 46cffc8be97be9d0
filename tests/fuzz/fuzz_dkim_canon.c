/*
 * fuzz_dkim_canon - libFuzzer target for DKIM body and header canonicalization
 * DESCRIPTION
 *	The bytes are a message body as queued, and a header field. For both
 *	algorithms the target aborts when a property fails:
 *	- the body's canonical form does not depend on the chunk size (all at
 *	  once, byte by byte, and in chunks of 7);
 *	- every CR in the output is followed by LF and every LF follows a CR;
 *	- the body form is empty or ends in one CR LF, never in an empty line
 *	  (simple: exactly "\r\n" for a body of empty lines);
 *	- relaxed: no white space before a line end, no two white space
 *	  characters in a row, no TAB;
 *	- a header field's form is one line ended by CR LF in relaxed mode.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_canon.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_dkim_canon.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_collect - DKIM_BODY_SINK into a DSTR */

static void fuzz_collect(void *ctx, const char *buf, size_t len)
{
    dstr_cat((DSTR *) ctx, buf, len);
}

/* fuzz_body - canonical body in chunks of step (0: all at once) */

static void fuzz_body(DKIM_CANON canon, const uint8_t *data, size_t size, size_t step, DSTR *out)
{
    DKIM_BODY *b = dkim_body_new(canon, fuzz_collect, out);
    size_t  off;
    size_t  n;

    DSTR_RESET(out);
    for (off = 0; off < size; off += n) {
	n = step == 0 || size - off < step ? size - off : step;
	dkim_body_update(b, (const char *) data + off, n);
    }
    dkim_body_end(b);
}

/* fuzz_line_ends - CR only before LF, LF only after CR */

static void fuzz_line_ends(const DSTR *out)
{
    const char *s = dstr_str(out);
    size_t  n = dstr_len(out);
    size_t  i;

    for (i = 0; i < n; i++) {
	if (s[i] == '\r')
	    FUZZ_CHECK(i + 1 < n && s[i + 1] == '\n');
	if (s[i] == '\n')
	    FUZZ_CHECK(i > 0 && s[i - 1] == '\r');
    }
}

/* fuzz_relaxed_spaces - single spaces, none at a line end, no TAB */

static void fuzz_relaxed_spaces(const DSTR *out)
{
    const char *s = dstr_str(out);
    size_t  n = dstr_len(out);
    size_t  i;

    for (i = 0; i < n; i++) {
	FUZZ_CHECK(s[i] != '\t');
	if (s[i] == ' ' && i + 1 < n)
	    FUZZ_CHECK(s[i + 1] != ' ' && s[i + 1] != '\r');
    }
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    DSTR   *whole = dstr_new(size * 2 + 8);
    DSTR   *other = dstr_new(size * 2 + 8);
    DKIM_CANON canon;
    size_t  n;

    for (canon = DKIM_CANON_SIMPLE; canon <= DKIM_CANON_RELAXED; canon++) {
	fuzz_body(canon, data, size, 0, whole);
	fuzz_body(canon, data, size, 1, other);
	FUZZ_CHECK(dstr_len(whole) == dstr_len(other)
		   && memcmp(dstr_str(whole), dstr_str(other), dstr_len(whole)) == 0);
	fuzz_body(canon, data, size, 7, other);
	FUZZ_CHECK(dstr_len(whole) == dstr_len(other)
		   && memcmp(dstr_str(whole), dstr_str(other), dstr_len(whole)) == 0);
	fuzz_line_ends(whole);
	n = dstr_len(whole);
	if (canon == DKIM_CANON_SIMPLE)
	    FUZZ_CHECK(n >= 2);
	if (n > 0) {
	    FUZZ_CHECK(n >= 2 && memcmp(dstr_str(whole) + n - 2, "\r\n", 2) == 0);
	    FUZZ_CHECK(n == 2 || n < 4 || memcmp(dstr_str(whole) + n - 4, "\r\n\r\n", 4) != 0);
	}
	if (canon == DKIM_CANON_RELAXED)
	    fuzz_relaxed_spaces(whole);
	DSTR_RESET(other);
	dkim_canon_header(canon, (const char *) data, size, other);
	fuzz_line_ends(other);
	if (canon == DKIM_CANON_RELAXED) {
	    FUZZ_CHECK(dstr_len(other) >= 2
		       && memchr(dstr_str(other), '\n', dstr_len(other)) == dstr_str(other) + dstr_len(other) - 1);
	}
    }
    dstr_free(whole);
    dstr_free(other);
    return (0);
}
