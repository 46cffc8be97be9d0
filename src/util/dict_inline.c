/*
 * dict_inline - inline:{ key = value, ... } tables
 * DESCRIPTION
 *	A table that lives in the parameter value itself, as Postfix 3.0's
 *	inline: tables. Keys are folded to lower case. An entry whose value
 *	holds commas or white space is enclosed in { }, as in Postfix:
 *	"{ key = value, with comma }"; here a value (or key) alone may be
 *	enclosed too: "key = {value, with comma}". The first of two entries
 *	with the same key wins, as in a table file.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dict_int.h"
#include "htable.h"
#include "mymalloc.h"
#include "strutil.h"

typedef struct DICT_INLINE {
    DICT    dict;
    HTABLE *table;
} DICT_INLINE;

/* dict_inline_skip_space - skip white space */

static const char *dict_inline_skip_space(const char *cp)
{
    while (*cp && isspace((unsigned char) *cp))
	cp++;
    return (cp);
}

/* dict_inline_trimmed - out = s[0..len) without surrounding white space */

static void dict_inline_trimmed(DSTR *out, const char *s, size_t len)
{
    while (len > 0 && isspace((unsigned char) *s))
	s++, len--;
    while (len > 0 && isspace((unsigned char) s[len - 1]))
	len--;
    dstr_memcpy(out, s, len);
}

/* dict_inline_token - a value or key: {...} group, or text up to a delimiter */

static const char *dict_inline_token(const char *cp, const char *stop, DSTR *out, DSTR *err)
{
    const char *end;
    int     depth;

    DSTR_RESET(out);
    cp = dict_inline_skip_space(cp);
    if (*cp == '{') {
	for (end = cp + 1, depth = 1; *end && depth > 0; end++)
	    depth += (*end == '{') - (*end == '}');
	if (depth > 0) {
	    dstr_sprintf(err, "missing '}' in \"%s\"", cp);
	    return (NULL);
	}
	dict_inline_trimmed(out, cp + 1, (size_t) (end - cp - 2));
	return (end);
    }
    end = cp + strcspn(cp, stop);
    dict_inline_trimmed(out, cp, (size_t) (end - cp));
    return (end);
}

/* dict_inline_split - Postfix's "{ key = value }" entry (braces gone) into key and value */

static int dict_inline_split(DSTR *key, DSTR *val, DSTR *err)
{
    DSTR   *entry = dstr_new(dstr_len(key));
    const char *eq;
    int     ret = -1;

    dstr_memcpy(entry, dstr_str(key), dstr_len(key));
    if ((eq = strchr(dstr_str(entry), '=')) == NULL) {
	dstr_sprintf(err, "inline table: expected \"key = value\" in \"{%s}\"", dstr_str(entry));
    } else {
	dict_inline_trimmed(key, dstr_str(entry), (size_t) (eq - dstr_str(entry)));
	dict_inline_trimmed(val, eq + 1, strlen(eq + 1));
	if (dstr_len(key) > 0)
	    ret = 0;
	else
	    dstr_sprintf(err, "inline table: missing key in \"{%s}\"", dstr_str(entry));
    }
    dstr_free(entry);
    return (ret);
}

/* dict_inline_parse - "k = v, ..." into the table */

static int dict_inline_parse(DICT_INLINE *di, const char *body, DSTR *err)
{
    DSTR   *key = dstr_new(32);
    DSTR   *val = dstr_new(32);
    const char *cp = body;
    int     braced;
    int     ret = -1;

    for (;;) {
	cp = dict_inline_skip_space(cp);
	if (*cp == 0) {
	    ret = 0;
	    break;
	}
	braced = (*cp == '{');
	if ((cp = dict_inline_token(cp, "=,", key, err)) == NULL)
	    break;
	cp = dict_inline_skip_space(cp);
	if (braced && *cp != '=') {		/* the whole entry was in { } */
	    if (dict_inline_split(key, val, err) < 0)
		break;
	} else if (*cp != '=' || dstr_len(key) == 0) {
	    dstr_sprintf(err, "inline table: expected \"key = value\" near \"%s\"",
			 dstr_str(key));
	    break;
	} else if ((cp = dict_inline_token(cp + 1, ",", val, err)) == NULL)
	    break;
	str_lower(dstr_data(key));
	if (htable_find(di->table, dstr_str(key)) == NULL)	/* first wins */
	    htable_enter(di->table, dstr_str(key), mystrdup(dstr_str(val)));
	cp = dict_inline_skip_space(cp);
	if (*cp == ',')
	    cp++;
	else if (*cp != 0) {
	    dstr_sprintf(err, "inline table: expected ',' near \"%s\"", cp);
	    break;
	}
    }
    dstr_free(key);
    dstr_free(val);
    return (ret);
}

/* dict_inline_lookup - key is folded already */

static const char *dict_inline_lookup(DICT *dict, const char *key)
{
    return (htable_find(((DICT_INLINE *) dict)->table, key));
}

/* dict_inline_walk - every entry; htable_walk cannot stop, so remember the answer */

typedef struct DICT_INLINE_WALK {
    DICT_WALK_FN fn;
    void   *ctx;
    int     ret;
} DICT_INLINE_WALK;

static void dict_inline_walk_one(const char *key, void *value, void *ctx)
{
    DICT_INLINE_WALK *w = ctx;

    if (w->ret == 0)
	w->ret = w->fn(key, value, w->ctx);
}

static int dict_inline_walk(DICT *dict, DICT_WALK_FN fn, void *ctx)
{
    DICT_INLINE_WALK w = {fn, ctx, 0};

    htable_walk(((DICT_INLINE *) dict)->table, dict_inline_walk_one, &w);
    return (w.ret);
}

/* dict_inline_close - release */

static void dict_inline_close(DICT *dict)
{
    htable_free(((DICT_INLINE *) dict)->table, free);
    free(dict);
}

/* dict_inline_open - body is what follows "inline:" */

DICT   *dict_inline_open(const char *body, DSTR *err)
{
    DICT_INLINE *di;
    size_t  len;
    DSTR   *inner;

    body = dict_inline_skip_space(body);
    len = strlen(body);
    while (len > 0 && isspace((unsigned char) body[len - 1]))
	len--;
    if (*body != '{' || len < 2 || body[len - 1] != '}') {
	dstr_strcpy(err, "inline table must be enclosed in { }");
	return (NULL);
    }
    di = mycalloc(1, sizeof(*di));
    di->dict.lookup = dict_inline_lookup;
    di->dict.walk = dict_inline_walk;
    di->dict.close = dict_inline_close;
    di->dict.watch_fd = -1;
    di->table = htable_new(16);
    inner = dstr_new(len);
    dstr_cat(inner, body + 1, len - 2);
    if (dict_inline_parse(di, dstr_str(inner), err) < 0) {
	dict_inline_close(&di->dict);
	di = NULL;
    }
    dstr_free(inner);
    return (di ? &di->dict : NULL);
}
