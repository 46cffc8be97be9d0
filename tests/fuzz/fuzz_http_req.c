/*
 * fuzz_http_req - libFuzzer target for the metrics listener's request reader
 * DESCRIPTION
 *	The bytes are what a client sent to the metrics port. The target
 *	aborts when a property fails:
 *	- the result is one of the four HTTP_REQ_* codes;
 *	- TOO_LONG only when at least the limit's bytes were there;
 *	- OK gives a method of token characters (at most 32) and a path
 *	  without control characters, space or '?';
 *	- fed one byte at a time, the first answer that is not NEED_MORE is
 *	  the same as for the whole input (stream reading agrees).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_req.h"

#define FUZZ_LIMIT	512

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_http_req.c:%d: property failed: %s\n", line, what);
    abort();
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *) data;
    HTTP_REQ req;
    HTTP_REQ req2;
    size_t  i;
    int     ret;
    int     step = HTTP_REQ_NEED_MORE;

    http_req_init(&req);
    http_req_init(&req2);
    ret = http_req_parse(buf, size, FUZZ_LIMIT, &req);
    FUZZ_CHECK(ret == HTTP_REQ_NEED_MORE || ret == HTTP_REQ_OK || ret == HTTP_REQ_BAD
	       || ret == HTTP_REQ_TOO_LONG);
    if (ret == HTTP_REQ_TOO_LONG)
	FUZZ_CHECK(size >= FUZZ_LIMIT);
    if (ret == HTTP_REQ_OK) {
	FUZZ_CHECK(dstr_len(req.method) > 0 && dstr_len(req.method) <= 32);
	for (i = 0; i < dstr_len(req.path); i++)
	    FUZZ_CHECK((unsigned char) dstr_str(req.path)[i] > ' '
		       && (unsigned char) dstr_str(req.path)[i] < 0x7f
		       && dstr_str(req.path)[i] != '?');
    }
    for (i = 1; i <= size && step == HTTP_REQ_NEED_MORE; i++)
	step = http_req_parse(buf, i, FUZZ_LIMIT, &req2);
    FUZZ_CHECK(step == ret);
    if (ret == HTTP_REQ_OK)
	FUZZ_CHECK(strcmp(dstr_str(req.method), dstr_str(req2.method)) == 0
		   && strcmp(dstr_str(req.path), dstr_str(req2.path)) == 0);
    http_req_free(&req);
    http_req_free(&req2);
    return (0);
}
