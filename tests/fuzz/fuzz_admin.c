/*
 * fuzz_admin - libFuzzer target for what qmgr and postlogd take from local senders
 * DESCRIPTION
 *	qmgr parses admin requests (an attribute list whose "queues" names
 *	the queues an operation may touch) and postlogd turns every datagram
 *	into one log line. The target aborts when a property fails:
 *	- admin_queues_parse() on any text, for every operation, either
 *	  refuses with a reason or yields a non-empty set of queues inside
 *	  what the operation allows, and that set formatted and parsed again
 *	  is the same set;
 *	- str_one_line() returns the length or one less (a final newline),
 *	  leaves no control character, and changes only control characters.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_proto.h"
#include "attr.h"
#include "dstr.h"
#include "strutil.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_admin.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_queues - every operation on one queue text */

static void fuzz_queues(const char *names)
{
    static const char *const ops[] = {"hold", "release", "delete", "requeue", 0};
    const ADMIN_OP *op;
    DSTR   *err = dstr_new(64);
    DSTR   *text = dstr_new(64);
    int     bits;
    int     again;
    int     i;

    for (i = 0; ops[i]; i++) {
	op = admin_op_find(ops[i]);
	FUZZ_CHECK(op != NULL);
	DSTR_RESET(err);
	if (admin_queues_parse(op, names, &bits, err) < 0) {
	    FUZZ_CHECK(dstr_len(err) > 0);
	    continue;
	}
	FUZZ_CHECK(bits != 0 && (bits & ~op->allowed) == 0);
	admin_queues_format(bits, text);
	FUZZ_CHECK(admin_queues_parse(op, dstr_str(text), &again, err) == 0);
	FUZZ_CHECK(again == bits);
    }
    dstr_free(err);
    dstr_free(text);
}

/* fuzz_one_line - the log line a datagram becomes */

static void fuzz_one_line(const uint8_t *data, size_t size)
{
    char   *buf = malloc(size + 1);
    size_t  n;
    size_t  i;

    memcpy(buf, data, size);
    n = str_one_line(buf, size);
    FUZZ_CHECK(n == size || (n + 1 == size && data[size - 1] == '\n'));
    for (i = 0; i < n; i++) {
	FUZZ_CHECK((unsigned char) buf[i] >= 0x20 && (unsigned char) buf[i] != 0x7f);
	if (data[i] >= 0x20 && data[i] != 0x7f)
	    FUZZ_CHECK((unsigned char) buf[i] == data[i]);
    }
    free(buf);
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ATTR_LIST *req = attr_list_new();
    char   *text = malloc(size + 1);
    const char *names;

    fuzz_one_line(data, size);
    if (attr_parse((const char *) data, size, req, ATTR_MAX_LEN, 16) > 0
	&& (names = attr_get_str(req, ADMIN_ATTR_QUEUES)) != NULL)
	fuzz_queues(names);
    memcpy(text, data, size);			/* the raw bytes as a queue list too */
    text[size] = 0;
    fuzz_queues(text);
    free(text);
    attr_list_free(req);
    return (0);
}
