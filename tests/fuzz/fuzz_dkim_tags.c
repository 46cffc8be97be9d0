/*
 * fuzz_dkim_tags - libFuzzer target for the DKIM tag list parser
 * DESCRIPTION
 *	The bytes are a DKIM-Signature field value or a key record. The
 *	target aborts when a property fails:
 *	- a refused list leaves the list empty and gives a reason;
 *	- an accepted list has at most DKIM_TAGS_MAX_COUNT tags, each named
 *	  once, each name a letter then letters, digits or '_', each value
 *	  printable ASCII without ';' but for folding white space inside it,
 *	  neither starting nor ending with white space;
 *	- an accepted list written back as "name=value;" pairs parses to the
 *	  same list.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_tags.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_dkim_tags.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_wsp - characters of folding white space */

static int fuzz_wsp(char c)
{
    return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

/* fuzz_check_tag - one accepted tag */

static void fuzz_check_tag(const ATTR_LIST *list, size_t i)
{
    const char *name = list->attrs[i].name;
    const char *value = list->attrs[i].value;
    size_t  len = strlen(value);
    size_t  j;

    FUZZ_CHECK(isalpha((unsigned char) name[0]));
    for (j = 1; name[j]; j++)
	FUZZ_CHECK(isalnum((unsigned char) name[j]) || name[j] == '_');
    for (j = 0; j < i; j++)
	FUZZ_CHECK(strcmp(list->attrs[j].name, name) != 0);
    for (j = 0; j < len; j++)
	FUZZ_CHECK(fuzz_wsp(value[j]) || (value[j] >= 0x21 && value[j] <= 0x7e && value[j] != ';'));
    FUZZ_CHECK(len == 0 || (!fuzz_wsp(value[0]) && !fuzz_wsp(value[len - 1])));
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ATTR_LIST *list = attr_list_new();
    ATTR_LIST *again = attr_list_new();
    DSTR   *why = dstr_new(64);
    DSTR   *text = dstr_new(size + 16);
    size_t  i;

    if (dkim_tags_parse((const char *) data, size, list, why) < 0) {
	FUZZ_CHECK(list->count == 0 && dstr_len(why) > 0);
    } else {
	FUZZ_CHECK(list->count <= DKIM_TAGS_MAX_COUNT);
	for (i = 0; i < list->count; i++) {
	    fuzz_check_tag(list, i);
	    dstr_printf(text, "%s=%s;", list->attrs[i].name, list->attrs[i].value);
	}
	if (dstr_len(text) <= DKIM_TAGS_MAX_LEN) {
	    FUZZ_CHECK(dkim_tags_parse(dstr_str(text), dstr_len(text), again, why) == 0);
	    FUZZ_CHECK(again->count == list->count);
	    for (i = 0; i < list->count; i++) {
		FUZZ_CHECK(strcmp(again->attrs[i].name, list->attrs[i].name) == 0);
		FUZZ_CHECK(strcmp(again->attrs[i].value, list->attrs[i].value) == 0);
	    }
	}
    }
    attr_list_free(list);
    attr_list_free(again);
    dstr_free(why);
    dstr_free(text);
    return (0);
}
