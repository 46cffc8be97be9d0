/* dkim_tags - DKIM tag=value lists (RFC 6376 3.2): DKIM-Signature fields and key records */
#ifndef DKIM_TAGS_H
#define DKIM_TAGS_H
#include <stddef.h>
#include "attr.h"
#include "dstr.h"

#define DKIM_TAGS_MAX_COUNT	32	/* tags in one list */
#define DKIM_TAGS_MAX_LEN	16384	/* bytes of one list */

/*
 * Parse "tag=value; tag=value[;]" into list (replacing what it held): tag
 * names are a letter then letters, digits and '_'; values are printable
 * ASCII but ';', with folding white space (SP, TAB, LF or CR LF before one
 * of them) around them trimmed and kept inside them; an empty value is
 * allowed. 0, or -1 with a reason in why for a syntax error, a tag named
 * twice (which makes the whole list invalid), or more than the limits.
 * Values are then found with attr_get_str().
 */
extern int dkim_tags_parse(const char *text, size_t len, ATTR_LIST *list, DSTR *why);

#endif
