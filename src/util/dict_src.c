/*
 * dict_src - lookup table source files
 * DESCRIPTION
 *	The input format of postmap(1), which posthorn map reads: one entry
 *	per logical line (see lline.c for comments and continuation lines),
 *	the key up to the first white space, the value the rest of the line
 *	without surrounding white space. Keys are folded to lower case
 *	because hash: and btree: lookups are case-insensitive, as in Postfix.
 *	White space inside "..." does not end the key (Postfix 3.2 syntax);
 *	the quotes stay part of the key, as Postfix keeps them, because
 *	address lookups use the quoted form of a local part.
 *
 *	Unlike postmap, a malformed line is an error, not a warning: the
 *	caller then keeps the old table instead of installing one that
 *	silently lacks an entry.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dict_src.h"
#include "lline.h"
#include "mymalloc.h"
#include "strutil.h"

struct DICT_SRC {
    LLINE  *lline;
    DSTR   *line;
    char   *path;
    int     done;			/* an error ended the input */
};

/* dict_src_open - a reader */

DICT_SRC *dict_src_open(IOS *ios, const char *path)
{
    DICT_SRC *src = mycalloc(1, sizeof(*src));

    src->lline = lline_open(ios, path, DICT_SRC_LINE_MAX);
    src->line = dstr_new(256);
    src->path = mystrdup(path);
    return (src);
}

/* dict_src_key_end - end of the key: white space outside "..." ends it; NULL if a quote is open */

static const char *dict_src_key_end(const char *cp)
{
    int     quoted = 0;

    for (; *cp; cp++) {
	if (quoted) {
	    if (*cp == '\\' && cp[1] != 0)
		cp++;
	    else if (*cp == '"')
		quoted = 0;
	} else if (*cp == '"')
	    quoted = 1;
	else if (isspace((unsigned char) *cp))
	    break;
    }
    return (quoted ? NULL : cp);
}

/* dict_src_parse - one logical line */

int     dict_src_parse(const char *line, DSTR *key, DSTR *value, DSTR *err)
{
    const char *cp = line;
    const char *end;

    DSTR_RESET(key);
    DSTR_RESET(value);
    while (*cp && isspace((unsigned char) *cp))
	cp++;
    if ((end = dict_src_key_end(cp)) == NULL) {
	dstr_strcpy(err, "missing '\"' in the key");
	return (-1);
    }
    dstr_cat(key, cp, (size_t) (end - cp));
    cp = end;
    if (dstr_len(key) == 0) {
	dstr_strcpy(err, "empty key");
	return (-1);
    }
    if (dstr_len(key) > DICT_SRC_KEY_MAX) {
	dstr_sprintf(err, "key longer than %d bytes", DICT_SRC_KEY_MAX);
	return (-1);
    }
    while (*cp && isspace((unsigned char) *cp))
	cp++;
    end = cp + strlen(cp);
    while (end > cp && isspace((unsigned char) end[-1]))
	end--;
    if (end == cp) {
	dstr_strcpy(err, "expected format: key whitespace value");
	return (-1);
    }
    dstr_cat(value, cp, (size_t) (end - cp));
    str_lower(dstr_data(key));
    return (0);
}

/* dict_src_next - next entry */

int     dict_src_next(DICT_SRC *src, DSTR *key, DSTR *value, long *lineno, DSTR *err)
{
    DSTR   *why;
    int     status;

    if (src->done)
	return (0);
    if ((status = lline_get(src->lline, src->line, lineno, err)) != LLINE_GOT) {
	src->done = 1;				/* any error, LLINE_ORPHAN too, ends it */
	return (status == LLINE_END ? 0 : -1);
    }
    why = dstr_new(64);
    if (dict_src_parse(dstr_str(src->line), key, value, why) < 0) {
	dstr_sprintf(err, "%s, line %ld: %s", src->path, *lineno, dstr_str(why));
	src->done = 1;
	status = -1;
    }
    dstr_free(why);
    return (status);
}

/* dict_src_free - release */

void    dict_src_free(DICT_SRC *src)
{
    lline_free(src->lline);
    dstr_free(src->line);
    free(src->path);
    free(src);
}
