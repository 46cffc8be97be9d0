/*
 * dict - lookup tables
 * DESCRIPTION
 *	Every parameter that takes a table (transport_maps and, later, the
 *	client lists and TLS and SASL tables) goes through this one
 *	interface, so a new table type is a new case here and nothing more.
 *	inline:{...} tables live in the parameter value itself.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "argv.h"
#include "htable.h"
#include "mymalloc.h"
#include "strutil.h"

struct DICT {
    HTABLE *table;
};

struct DICT_LIST {
    DICT  **dicts;
    size_t  count;
};

/* dict_skip_space - skip white space */

static const char *dict_skip_space(const char *cp)
{
    while (*cp && isspace((unsigned char) *cp))
	cp++;
    return (cp);
}

/* dict_set_trimmed - out = s[0..len) without surrounding white space */

static void dict_set_trimmed(DSTR *out, const char *s, size_t len)
{
    while (len > 0 && isspace((unsigned char) *s))
	s++, len--;
    while (len > 0 && isspace((unsigned char) s[len - 1]))
	len--;
    dstr_memcpy(out, s, len);
}

/* dict_token - a value or key: {...} group, or text up to a delimiter */

static const char *dict_token(const char *cp, const char *stop, DSTR *out, DSTR *err)
{
    const char *end;
    int     depth;

    DSTR_RESET(out);
    cp = dict_skip_space(cp);
    if (*cp == '{') {
	for (end = cp + 1, depth = 1; *end && depth > 0; end++)
	    depth += (*end == '{') - (*end == '}');
	if (depth > 0) {
	    dstr_sprintf(err, "missing '}' in \"%s\"", cp);
	    return (NULL);
	}
	dict_set_trimmed(out, cp + 1, (size_t) (end - cp - 2));
	return (end);
    }
    end = cp + strcspn(cp, stop);
    dict_set_trimmed(out, cp, (size_t) (end - cp));
    return (end);
}

/* dict_inline_parse - "{ k = v, ... }" into the table */

static int dict_inline_parse(DICT *dict, const char *body, DSTR *err)
{
    DSTR   *key = dstr_new(32);
    DSTR   *val = dstr_new(32);
    const char *cp = body;
    int     ret = -1;

    for (;;) {
	cp = dict_skip_space(cp);
	if (*cp == 0) {
	    ret = 0;
	    break;
	}
	if ((cp = dict_token(cp, "=,", key, err)) == NULL)
	    break;
	if (*cp != '=' || dstr_len(key) == 0) {
	    dstr_sprintf(err, "inline table: expected \"key = value\" near \"%s\"",
			 dstr_str(key));
	    break;
	}
	if ((cp = dict_token(cp + 1, ",", val, err)) == NULL)
	    break;
	str_lower(dstr_data(key));
	if (htable_find(dict->table, dstr_str(key)) == NULL)	/* first wins */
	    htable_enter(dict->table, dstr_str(key), mystrdup(dstr_str(val)));
	cp = dict_skip_space(cp);
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

/* dict_open - one table */

DICT   *dict_open(const char *spec, DSTR *err)
{
    DICT   *dict;
    const char *body;
    size_t  len;
    DSTR   *inner;

    if (strncmp(spec, "inline:", 7) != 0) {
	const char *colon = strchr(spec, ':');

	if (colon == NULL)
	    dstr_sprintf(err, "\"%s\": not a lookup table (expected type:name)", spec);
	else
	    dstr_sprintf(err, "\"%s\": unsupported lookup table type \"%.*s\"", spec,
			 (int) (colon - spec), spec);
	return (NULL);
    }
    body = dict_skip_space(spec + 7);
    len = strlen(body);
    while (len > 0 && isspace((unsigned char) body[len - 1]))
	len--;
    if (*body != '{' || len < 2 || body[len - 1] != '}') {
	dstr_sprintf(err, "\"%s\": inline table must be enclosed in { }", spec);
	return (NULL);
    }
    dict = mymalloc(sizeof(*dict));
    dict->table = htable_new(16);
    inner = dstr_new(len);
    dstr_cat(inner, body + 1, len - 2);
    if (dict_inline_parse(dict, dstr_str(inner), err) < 0) {
	dict_close(dict);
	dict = NULL;
    }
    dstr_free(inner);
    return (dict);
}

/* dict_get - look up */

const char *dict_get(DICT *dict, const char *key)
{
    DSTR   *low = dstr_new(strlen(key) + 1);
    const char *val;

    dstr_strcpy(low, key);
    str_lower(dstr_data(low));
    val = htable_find(dict->table, dstr_str(low));
    dstr_free(low);
    return (val);
}

/* dict_close - release */

void    dict_close(DICT *dict)
{
    htable_free(dict->table, free);
    free(dict);
}

/* dict_list_open - several tables */

DICT_LIST *dict_list_open(const char *specs, DSTR *err)
{
    DICT_LIST *list = mycalloc(1, sizeof(*list));
    DSTR   *one = dstr_new(64);
    const char *cp = specs;
    const char *start;
    int     depth;
    DICT   *dict;

    for (;;) {
	while (*cp && (isspace((unsigned char) *cp) || *cp == ','))
	    cp++;
	if (*cp == 0)
	    break;
	for (start = cp, depth = 0; *cp; cp++) {
	    if (*cp == '{')
		depth++;
	    else if (*cp == '}')
		depth--;
	    else if (depth == 0 && (isspace((unsigned char) *cp) || *cp == ','))
		break;
	}
	dstr_memcpy(one, start, (size_t) (cp - start));
	if ((dict = dict_open(dstr_str(one), err)) == NULL) {
	    dict_list_close(list);
	    dstr_free(one);
	    return (NULL);
	}
	list->dicts = myrealloc(list->dicts, (list->count + 1) * sizeof(DICT *));
	list->dicts[list->count++] = dict;
    }
    dstr_free(one);
    return (list);
}

/* dict_list_get - first match */

const char *dict_list_get(DICT_LIST *list, const char *key)
{
    const char *val;
    size_t  i;

    for (i = 0; i < list->count; i++)
	if ((val = dict_get(list->dicts[i], key)) != NULL)
	    return (val);
    return (NULL);
}

int     dict_list_empty(const DICT_LIST *list)
{
    return (list->count == 0);
}

/* dict_list_close - release */

void    dict_list_close(DICT_LIST *list)
{
    size_t  i;

    for (i = 0; i < list->count; i++)
	dict_close(list->dicts[i]);
    free(list->dicts);
    free(list);
}
