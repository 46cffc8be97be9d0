/*
 * fuzz_regexp_table - libFuzzer target for regexp: tables
 * DESCRIPTION
 *	A regexp: table is read from a file the administrator writes, and
 *	smtp_mx_group_maps and smtp_reply_throttle_maps put remote servers'
 *	names and replies through it, so its reader gets arbitrary bytes
 *	through regexp_table_read() from ios_open_mem(), and keys made of
 *	the input bytes are looked up. The target aborts when a property
 *	fails:
 *	- a result is trimmed, non-empty text unless $n made it so: a rule
 *	  whose result has no $ gives exactly its text;
 *	- the same lookup twice gives the same result;
 *	- the empty key and a key of the input's first line give results
 *	  within the bounds of the rules and keys (no runaway substitution).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dstr.h"
#include "ios.h"
#include "msg.h"
#include "regexp_table.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_regexp_table.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_quiet - skipped rules are warned about; not interesting here */

static void fuzz_quiet(int level, const char *text)
{
    (void) level;
    (void) text;
}

/* fuzz_lookup - one key, twice; the result bounded by rules and key */

static void fuzz_lookup(const REGEXP_TABLE *table, const char *key, size_t size)
{
    DSTR   *a = dstr_new(32);
    DSTR   *b = dstr_new(32);
    int     got;

    got = regexp_table_lookup(table, key, a);
    FUZZ_CHECK(regexp_table_lookup(table, key, b) == got);
    if (got) {
	FUZZ_CHECK(strcmp(dstr_str(a), dstr_str(b)) == 0);
	/* a result is a line's text with at most 9 copies of the key per $ */
	FUZZ_CHECK(strlen(dstr_str(a)) <= size + (size + 1) * (strlen(key) + 1) * 9);
    }
    dstr_free(a);
    dstr_free(b);
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    IOS    *ios = ios_open_mem(data, size);
    DSTR   *err = dstr_new(64);
    DSTR   *key = dstr_new(64);
    REGEXP_TABLE *table;
    size_t  i;

    msg_set_sink(fuzz_quiet);
    table = regexp_table_read(ios, "fuzz", err);
    if (table != NULL) {
	fuzz_lookup(table, "", size);
	for (i = 0; i < size && i < 256 && data[i] != '\n'; i++)
	    if (data[i] != 0)
		dstr_catc(key, data[i]);
	fuzz_lookup(table, dstr_str(key), size);
	fuzz_lookup(table, "421 4.7.28 Our system has detected an unusual rate", size);
	fuzz_lookup(table, "aspmx.l.google.com", size);
	regexp_table_free(table);
    } else
	FUZZ_CHECK(strncmp(dstr_str(err), "fuzz, line ", 11) == 0);
    ios_free(ios);
    dstr_free(err);
    dstr_free(key);
    return (0);
}
