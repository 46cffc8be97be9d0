/*
 * fuzz_dict_src - libFuzzer target for lookup table source files
 * DESCRIPTION
 *	posthorn map reads the "key value" source of a hash: or btree: table
 *	through dict_src_next() (and lline.c's logical lines), so it gets
 *	the bytes as a source file from ios_open_mem(). The target aborts
 *	when a property fails:
 *	- each entry has a key of 1..DICT_SRC_KEY_MAX bytes without upper
 *	  case letters, NUL or white space outside "...", and a non-empty
 *	  value without NUL or surrounding white space;
 *	- line numbers grow and stay inside the input;
 *	- "key value" parses back to the same key and value;
 *	- after the end or an error the reader stays done.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict_src.h"
#include "dstr.h"
#include "ios.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_dict_src.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_key_ok - the key's own properties */

static int fuzz_key_ok(const DSTR *key)
{
    const char *cp;
    int     quoted = 0;

    if (dstr_len(key) == 0 || dstr_len(key) > DICT_SRC_KEY_MAX
	|| strlen(dstr_str(key)) != dstr_len(key))
	return (0);
    for (cp = dstr_str(key); *cp; cp++) {
	if (*cp >= 'A' && *cp <= 'Z')
	    return (0);
	if (quoted && *cp == '\\' && cp[1] != 0)
	    cp++;
	else if (*cp == '"')
	    quoted = !quoted;
	else if (!quoted && isspace((unsigned char) *cp))
	    return (0);
    }
    return (!quoted);
}

/* fuzz_value_ok - non-empty, trimmed, no NUL */

static int fuzz_value_ok(const DSTR *val)
{
    const char *s = dstr_str(val);
    size_t  n = dstr_len(val);

    return (n > 0 && strlen(s) == n && !isspace((unsigned char) s[0])
	    && !isspace((unsigned char) s[n - 1]));
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    IOS    *ios = ios_open_mem(data, size);
    DICT_SRC *src = dict_src_open(ios, "fuzz");
    DSTR   *key = dstr_new(64);
    DSTR   *val = dstr_new(64);
    DSTR   *err = dstr_new(64);
    DSTR   *line = dstr_new(64);
    DSTR   *key2 = dstr_new(64);
    DSTR   *val2 = dstr_new(64);
    long    lines = 1;
    long    last = 0;
    long    lineno;
    size_t  i;
    int     status;

    for (i = 0; i < size; i++)
	lines += (data[i] == '\n');
    while ((status = dict_src_next(src, key, val, &lineno, err)) > 0) {
	FUZZ_CHECK(fuzz_key_ok(key));
	FUZZ_CHECK(fuzz_value_ok(val));
	FUZZ_CHECK(lineno > last && lineno <= lines);
	last = lineno;
	dstr_sprintf(line, "%s %s", dstr_str(key), dstr_str(val));
	FUZZ_CHECK(dict_src_parse(dstr_str(line), key2, val2, err) == 0);
	FUZZ_CHECK(strcmp(dstr_str(key2), dstr_str(key)) == 0);
	FUZZ_CHECK(strcmp(dstr_str(val2), dstr_str(val)) == 0);
    }
    FUZZ_CHECK(status == 0 || strncmp(dstr_str(err), "fuzz, line ", 11) == 0);
    FUZZ_CHECK(dict_src_next(src, key, val, &lineno, err) == 0);
    dict_src_free(src);
    ios_free(ios);
    dstr_free(key);
    dstr_free(val);
    dstr_free(err);
    dstr_free(line);
    dstr_free(key2);
    dstr_free(val2);
    return (0);
}
