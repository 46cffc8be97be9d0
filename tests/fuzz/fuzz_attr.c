/*
 * fuzz_attr - libFuzzer target for the attribute list codec
 * DESCRIPTION
 *	Every daemon reads attribute lists from its peers, so both decoders
 *	get arbitrary bytes under several per-attribute and per-list limits:
 *	attr_parse() from memory and attr_read() from ios_open_mem(). The
 *	target aborts when a property fails:
 *	- attr_parse() returns a byte count inside the input that ends with
 *	  the terminator "0:,", 0 ("need more") or ATTR_ERR_FORMAT/_SIZE;
 *	- an accepted list respects the limits; names are non-empty and hold
 *	  no '=' or NUL; values hold no NUL;
 *	- one byte less than an accepted list is "need more";
 *	- an accepted list re-encodes (attr_put_str, attr_put_end) to bytes
 *	  that parse back to the same list, under the same limits;
 *	- attr_read() agrees: ATTR_OK with the same list, having consumed
 *	  exactly the same bytes, where attr_parse() accepted; ATTR_ERR_EOF
 *	  where it needed more; the same error otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "dstr.h"
#include "ios.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_attr.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_same_list - two lists hold the same attributes in the same order */

static int fuzz_same_list(const ATTR_LIST *a, const ATTR_LIST *b)
{
    size_t  i;

    if (a->count != b->count)
	return (0);
    for (i = 0; i < a->count; i++)
	if (strcmp(a->attrs[i].name, b->attrs[i].name) != 0
	    || strcmp(a->attrs[i].value, b->attrs[i].value) != 0)
	    return (0);
    return (1);
}

/* fuzz_check_list - shape of an accepted list */

static void fuzz_check_list(const ATTR_LIST *list, size_t max_len, size_t max_count)
{
    size_t  i;
    size_t  nlen;

    FUZZ_CHECK(list->count <= max_count);
    for (i = 0; i < list->count; i++) {
	nlen = strlen(list->attrs[i].name);
	FUZZ_CHECK(nlen > 0);
	FUZZ_CHECK(strchr(list->attrs[i].name, '=') == NULL);
	FUZZ_CHECK(nlen + 1 + strlen(list->attrs[i].value) <= max_len);
    }
}

/* fuzz_limits - one pass under one pair of limits */

static void fuzz_limits(const char *in, size_t len, size_t max_len, size_t max_count)
{
    ATTR_LIST *list = attr_list_new();
    ATTR_LIST *again = attr_list_new();
    ATTR_LIST *streamed = attr_list_new();
    DSTR   *enc = dstr_new(64);
    IOS    *ios;
    long    used;
    int     got;
    size_t  i;

    used = attr_parse(in, len, list, max_len, max_count);
    FUZZ_CHECK(used == 0 || used == ATTR_ERR_FORMAT || used == ATTR_ERR_SIZE
	       || (used >= 3 && (size_t) used <= len));
    if (used > 0) {
	FUZZ_CHECK(memcmp(in + used - 3, "0:,", 3) == 0);
	fuzz_check_list(list, max_len, max_count);
	FUZZ_CHECK(attr_parse(in, (size_t) used - 1, again, max_len, max_count) == 0);

	for (i = 0; i < list->count; i++)
	    attr_put_str(enc, list->attrs[i].name, list->attrs[i].value);
	attr_put_end(enc);
	FUZZ_CHECK(dstr_len(enc) <= (size_t) used);	/* only leading zeros go */
	FUZZ_CHECK(attr_parse(dstr_str(enc), dstr_len(enc), again, max_len, max_count)
		   == (long) dstr_len(enc));
	FUZZ_CHECK(fuzz_same_list(list, again));
    }

    ios = ios_open_mem(in, len);
    got = attr_read(ios, streamed, max_len, max_count);
    if (used > 0) {
	FUZZ_CHECK(got == ATTR_OK);
	FUZZ_CHECK(fuzz_same_list(list, streamed));
	FUZZ_CHECK(ios->bytes_in - (long long) ios_buffered(ios) == used);
    } else if (used == 0) {
	FUZZ_CHECK(got == ATTR_ERR_EOF);
    } else {
	FUZZ_CHECK(got == used);
    }
    if (got == ATTR_OK)
	fuzz_check_list(streamed, max_len, max_count);
    ios_free(ios);

    attr_list_free(list);
    attr_list_free(again);
    attr_list_free(streamed);
    dstr_free(enc);
}

/* LLVMFuzzerTestOneInput - libFuzzer entry point */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t limits[][2] = {
	{ATTR_MAX_LEN, ATTR_MAX_COUNT},	/* the defaults */
	{ATTR_MAX_LEN, 64},		/* cleanup's header attributes */
	{16, 4},
	{3, 2},
	{0, 0},
    };
    size_t  i;

    for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
	fuzz_limits((const char *) data, size, limits[i][0], limits[i][1]);
    return (0);
}
