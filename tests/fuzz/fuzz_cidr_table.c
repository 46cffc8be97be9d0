/*
 * fuzz_cidr_table - libFuzzer target for cidr: tables
 * DESCRIPTION
 *	A cidr: table is read from a file the administrator writes, but it
 *	decides who may relay, so its reader gets arbitrary bytes through
 *	cidr_table_read() from ios_open_mem(). Then addresses taken from
 *	the input bytes are looked up. The target aborts when a property
 *	fails:
 *	- a result is non-empty text without surrounding white space;
 *	- an IPv4 address and its IPv4-mapped IPv6 form give the same result;
 *	- the same lookup twice gives the same result;
 *	- a key that is no address matches nothing.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr_table.h"
#include "dstr.h"
#include "ios.h"
#include "msg.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_cidr_table.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_quiet - skipped rules are warned about; not interesting here */

static void fuzz_quiet(int level, const char *text)
{
    (void) level;
    (void) text;
}

/* fuzz_result_ok - NULL, or trimmed non-empty text */

static int fuzz_result_ok(const char *val)
{
    size_t  n;

    if (val == NULL)
	return (1);
    n = strlen(val);
    return (n > 0 && !isspace((unsigned char) val[0]) && !isspace((unsigned char) val[n - 1]));
}

/* fuzz_lookups - addresses made of input bytes at offset */

static void fuzz_lookups(const CIDR_TABLE *table, const uint8_t *data, size_t size, size_t off)
{
    unsigned char a[16];
    char    text[INET6_ADDRSTRLEN + 8];
    char    mapped[INET6_ADDRSTRLEN + 8];
    const char *v4;
    size_t  i;

    for (i = 0; i < sizeof(a); i++)
	a[i] = size ? data[(off + i) % size] : 0;
    (void) inet_ntop(AF_INET, a, text, sizeof(text));
    snprintf(mapped, sizeof(mapped), "::ffff:%s", text);
    v4 = cidr_table_lookup(table, text);
    FUZZ_CHECK(fuzz_result_ok(v4));
    FUZZ_CHECK(cidr_table_lookup(table, mapped) == v4);
    FUZZ_CHECK(cidr_table_lookup(table, text) == v4);
    (void) inet_ntop(AF_INET6, a, text, sizeof(text));
    FUZZ_CHECK(fuzz_result_ok(cidr_table_lookup(table, text)));
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    IOS    *ios = ios_open_mem(data, size);
    DSTR   *err = dstr_new(64);
    CIDR_TABLE *table;
    size_t  off;

    msg_set_sink(fuzz_quiet);
    table = cidr_table_read(ios, "fuzz", err);
    if (table != NULL) {
	for (off = 0; off < size && off < 64; off += 4)
	    fuzz_lookups(table, data, size, off);
	fuzz_lookups(table, data, size, 0);
	FUZZ_CHECK(cidr_table_lookup(table, "not.an.address") == NULL);
	cidr_table_free(table);
    } else
	FUZZ_CHECK(strncmp(dstr_str(err), "fuzz, line ", 11) == 0);
    ios_free(ios);
    dstr_free(err);
    return (0);
}
