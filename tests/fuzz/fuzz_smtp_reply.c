/*
 * fuzz_smtp_reply - libFuzzer target for the SMTP reply parser
 * DESCRIPTION
 *	Every byte an SMTP server sends goes through smtp_reply_read(), so
 *	both readers get arbitrary bytes: smtp_reply_parse() from memory and
 *	smtp_reply_read() from ios_open_mem(). The target aborts when a
 *	property fails:
 *	- smtp_reply_parse() returns -1 (too many lines), 0 (need more) or a
 *	  byte count inside the input that ends with LF;
 *	- a complete reply has a code of 0 (malformed) or 200..599, a
 *	  non-empty status code whose first digit is 2, 3, 4 or 5, at most
 *	  SMTP_REPLY_LINES_MAX lines and at most SMTP_REPLY_TEXT_MAX bytes of
 *	  text (plus line separators cut at the limit);
 *	- the stream reader agrees: the same code, status and text where the
 *	  memory parser found a reply (unless a line was too long for it to
 *	  skip), failure where it needed more or gave up;
 *	- the log form has no control characters; EHLO parsing of any
 *	  complete reply stays inside it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_smtp_reply.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_long_line - does the first n bytes hold a line the stream reader cannot skip */

static int fuzz_long_line(const uint8_t *data, size_t n)
{
    size_t  start = 0;
    size_t  i;

    for (i = 0; i <= n; i++) {
	if (i == n || data[i] == '\n') {
	    if (i - start > SMTP_REPLY_LINE_MAX + SMTP_REPLY_DRAIN_MAX - 2)
		return (1);
	    start = i + 1;
	}
    }
    return (0);
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SMTP_REPLY *mem = smtp_reply_new();
    SMTP_REPLY *str = smtp_reply_new();
    DSTR   *out = dstr_new(64);
    DSTR   *name = dstr_new(64);
    IOS    *ios = ios_open_mem(data, size);
    ssize_t n = smtp_reply_parse((const char *) data, size, mem);
    int     rc = smtp_reply_read(ios, str);
    const unsigned char *cp;
    long    limit;

    FUZZ_CHECK(n >= -1 && n <= (ssize_t) size);
    if (n > 0) {
	FUZZ_CHECK(data[n - 1] == '\n');
	FUZZ_CHECK(mem->code == 0 || (mem->code >= 200 && mem->code <= 599));
	FUZZ_CHECK(mem->dsn[0] >= '2' && mem->dsn[0] <= '5' && mem->dsn[1] == '.');
	FUZZ_CHECK(mem->code == 0 || mem->dsn[0] - '0' == mem->code / 100);
	FUZZ_CHECK(mem->lines >= 1 && mem->lines <= SMTP_REPLY_LINES_MAX);
	FUZZ_CHECK(dstr_len(mem->text) <= SMTP_REPLY_TEXT_MAX + 1);
	if (!fuzz_long_line(data, (size_t) n)) {
	    FUZZ_CHECK(rc == 0);
	    FUZZ_CHECK(str->code == mem->code);
	    FUZZ_CHECK(strcmp(str->dsn, mem->dsn) == 0);
	    FUZZ_CHECK(dstr_len(str->text) == dstr_len(mem->text)
		       && memcmp(dstr_str(str->text), dstr_str(mem->text), dstr_len(mem->text)) == 0);
	}
	smtp_reply_str(mem, out);
	for (cp = (const unsigned char *) dstr_str(out); *cp; cp++)
	    FUZZ_CHECK(*cp >= 0x20 && *cp != 0x7f);
	(void) smtp_ehlo_parse(mem, &limit, name);
	FUZZ_CHECK(limit >= 0);
	FUZZ_CHECK(dstr_len(name) <= dstr_len(mem->text));
    } else {
	FUZZ_CHECK(rc == -1);
    }
    ios_free(ios);
    smtp_reply_free(mem);
    smtp_reply_free(str);
    dstr_free(out);
    dstr_free(name);
    return (0);
}
