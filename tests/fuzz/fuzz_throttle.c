/*
 * fuzz_throttle - libFuzzer target for throttle_action.c
 * DESCRIPTION
 *	A remote server's reply becomes the lookup key of
 *	smtp_reply_throttle_maps, and the table's result becomes an action.
 *	The bytes are used as reply lines (split at newlines) for
 *	throttle_reply_key() and as one action text for
 *	throttle_action_parse(). The target aborts when a property fails:
 *	- a key never exceeds its limit and starts with the first line's
 *	  code when the first line has one;
 *	- an accepted action is within bounds and, written back with
 *	  throttle_action_format(), parses to the same action.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dstr.h"
#include "throttle_action.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_throttle.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_key - the bytes as reply lines */

static void fuzz_key(char *text)
{
    const char *lines[64];
    int     n = 0;
    char   *cp;
    DSTR   *key = dstr_new(64);
    size_t  limit;

    for (cp = text; n < 64 && cp != NULL; n++) {
	lines[n] = cp;
	if ((cp = strchr(cp, '\n')) != NULL)
	    *cp++ = 0;
    }
    for (limit = 0; limit <= 1000; limit += 200) {
	throttle_reply_key(lines, n, key, limit);
	FUZZ_CHECK(dstr_len(key) <= limit);
	FUZZ_CHECK(strlen(dstr_str(key)) == dstr_len(key));
	for (cp = dstr_data(key); *cp; cp++)	/* it goes into log lines */
	    FUZZ_CHECK((unsigned char) *cp >= ' ' && *cp != 0x7f);
    }
    if (n > 0 && strlen(lines[0]) >= 4 && lines[0][3] == ' '
	&& lines[0][0] >= '0' && lines[0][0] <= '9' && lines[0][1] >= '0' && lines[0][1] <= '9'
	&& lines[0][2] >= '0' && lines[0][2] <= '9')
	FUZZ_CHECK(strncmp(dstr_str(key), lines[0], 3) == 0);
    dstr_free(key);
}

/* fuzz_action - the bytes as an action */

static void fuzz_action(const char *text)
{
    THROTTLE_ACTION a;
    THROTTLE_ACTION b;
    DSTR   *why = dstr_new(64);
    DSTR   *out = dstr_new(64);

    if (throttle_action_parse(text, &a, why) == 0) {
	FUZZ_CHECK(a.kind >= THROTTLE_SUSPEND && a.kind <= THROTTLE_RATE);
	FUZZ_CHECK(a.duration >= 1 && a.duration <= THROTTLE_DURATION_MAX);
	FUZZ_CHECK(a.kind == THROTTLE_SUSPEND || (a.limit >= 1 && a.limit <= THROTTLE_LIMIT_MAX));
	throttle_action_format(&a, out);
	FUZZ_CHECK(throttle_action_parse(dstr_str(out), &b, why) == 0);
	FUZZ_CHECK(memcmp(&a, &b, sizeof(a)) == 0);
    } else
	FUZZ_CHECK(dstr_len(why) > 0);
    dstr_free(why);
    dstr_free(out);
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char   *text = malloc(size + 1);

    memcpy(text, data, size);
    text[size] = 0;				/* a NUL inside ends the text early */
    fuzz_action(text);
    fuzz_key(text);
    free(text);
    return (0);
}
