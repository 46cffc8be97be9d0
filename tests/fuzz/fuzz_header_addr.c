/*
 * fuzz_header_addr - libFuzzer target for the From: address reader
 * DESCRIPTION
 *	The bytes are a From: field value (cleanup's DKIM signer reads the
 *	sender's). The target aborts when a property fails:
 *	- the result is one of the four HEADER_ADDR_* codes, and the address
 *	  is empty unless it is HEADER_ADDR_ONE, non-empty when it is;
 *	- one address has no white space, no line end and no NUL outside
 *	  a quoted string;
 *	- that address read again is one address, the same one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "header_addr.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_header_addr.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_check_bare - no white space outside quotes */

static void fuzz_check_bare(const DSTR *addr)
{
    const char *cp = dstr_str(addr);
    const char *end = cp + dstr_len(addr);
    int     quoted = 0;

    for (; cp < end; cp++) {
	if (quoted && *cp == '\\' && cp + 1 < end) {
	    cp++;
	    continue;
	}
	if (*cp == '"')
	    quoted = !quoted;
	else if (!quoted)
	    FUZZ_CHECK(*cp != ' ' && *cp != '\t' && *cp != '\r' && *cp != '\n' && *cp != 0);
    }
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    DSTR   *addr = dstr_new(64);
    DSTR   *again = dstr_new(64);
    int     ret = header_addr_one((const char *) data, size, addr);

    FUZZ_CHECK(ret == HEADER_ADDR_NONE || ret == HEADER_ADDR_ONE
	       || ret == HEADER_ADDR_MANY || ret == HEADER_ADDR_BAD);
    FUZZ_CHECK((ret == HEADER_ADDR_ONE) == (dstr_len(addr) > 0));
    if (ret == HEADER_ADDR_ONE) {
	fuzz_check_bare(addr);
	FUZZ_CHECK(header_addr_one(dstr_str(addr), dstr_len(addr), again) == HEADER_ADDR_ONE);
	FUZZ_CHECK(dstr_len(again) == dstr_len(addr)
		   && memcmp(dstr_str(again), dstr_str(addr), dstr_len(addr)) == 0);
    }
    dstr_free(addr);
    dstr_free(again);
    return (0);
}
