/*
 * dict - lookup tables
 * DESCRIPTION
 *	Every parameter that takes a table (transport_maps, the client lists,
 *	the TLS and SASL tables) goes through this one interface, so a new
 *	table type is a new case in dict_open() and a file of its own:
 *	dict_inline.c (inline:{...}), dict_db.c (hash: and btree: on Berkeley
 *	DB), dict_cidr.c (cidr:), dict_regexp.c (regexp:), dict_static.c
 *	(static:).
 *
 *	Every open table is on one list, so a daemon can ask with one call
 *	whether any of its tables changed on disk (dict_changed_name()).
 *	posthorn map replaces a table by renaming a new file over the old
 *	one; the old file stays open and readable, and its link count drops
 *	to zero, which fstat() sees even inside a chroot where the path no
 *	longer resolves. A table changed in place shows a new modification
 *	time or size instead.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dict_int.h"
#include "msg.h"
#include "mymalloc.h"
#include "strutil.h"

struct DICT_LIST {
    DICT  **dicts;
    size_t  count;
};

static DICT *dict_open_tables;		/* every open table */

/* The types, by the name before the colon. */
#define DICT_T_INLINE	1
#define DICT_T_HASH	2
#define DICT_T_BTREE	3
#define DICT_T_CIDR	4
#define DICT_T_STATIC	5
#define DICT_T_REGEXP	6

static const struct {
    const char *name;
    int     type;
} dict_types[] = {
    {"inline", DICT_T_INLINE},
    {"hash", DICT_T_HASH},
    {"btree", DICT_T_BTREE},
    {"cidr", DICT_T_CIDR},
    {"static", DICT_T_STATIC},
    {"regexp", DICT_T_REGEXP},
    {0, 0},
};

/* dict_type - the type named before the colon, 0 if none is */

static int dict_type(const char *spec, const char **name)
{
    const char *colon = strchr(spec, ':');
    int     i;

    if (colon == NULL)
	return (0);
    for (i = 0; dict_types[i].name; i++) {
	if (strlen(dict_types[i].name) == (size_t) (colon - spec)
	    && strncmp(spec, dict_types[i].name, (size_t) (colon - spec)) == 0) {
	    *name = colon + 1;
	    return (dict_types[i].type);
	}
    }
    return (0);
}

/* dict_type_known - a supported type */

int     dict_type_known(const char *spec)
{
    const char *name;

    return (dict_type(spec, &name) != 0);
}

/* dict_open - one table */

DICT   *dict_open(const char *spec, DSTR *err)
{
    const char *colon = strchr(spec, ':');
    const char *name = NULL;
    DICT   *dict = NULL;
    int     type = dict_type(spec, &name);

    if (type == 0) {
	if (colon == NULL)
	    dstr_sprintf(err, "\"%s\": not a lookup table (expected type:name)", spec);
	else
	    dstr_sprintf(err, "\"%s\": unsupported lookup table type \"%.*s\"", spec,
			 (int) (colon - spec), spec);
	return (NULL);
    }
    if (type != DICT_T_INLINE && type != DICT_T_STATIC && *name == 0) {
	dstr_sprintf(err, "\"%s\": table file name missing", spec);
	return (NULL);
    }
    switch (type) {
    case DICT_T_INLINE:
	dict = dict_inline_open(name, err);
	break;
    case DICT_T_HASH:
	dict = dict_db_open("hash", name, err);
	break;
    case DICT_T_BTREE:
	dict = dict_db_open("btree", name, err);
	break;
    case DICT_T_CIDR:
	dict = dict_cidr_open(name, err);
	break;
    case DICT_T_STATIC:
	dict = dict_static_open(name, err);
	break;
    case DICT_T_REGEXP:
	dict = dict_regexp_open(name, err);
	break;
    }
    if (dict == NULL) {
	if (type == DICT_T_INLINE || type == DICT_T_STATIC) {	/* the text says where */
	    DSTR   *tmp = dstr_new(dstr_len(err) + 64);

	    dstr_sprintf(tmp, "\"%s\": %s", spec, dstr_str(err));
	    dstr_memcpy(err, dstr_str(tmp), dstr_len(tmp));
	    dstr_free(tmp);
	}
	return (NULL);
    }
    dict->spec = mystrdup(spec);
    if (dict->watch_fd >= 0 && fstat(dict->watch_fd, &dict->st) < 0)
	msg_fatal("fstat %s: %m", spec);
    dict->next = dict_open_tables;
    dict_open_tables = dict;
    return (dict);
}

/* dict_read_source - a table read from its source file, which stays open */

int     dict_read_source(const char *name, DICT_SOURCE_READ_FN read_fn, void **table,
			         DSTR *err)
{
    IOS    *ios;
    int     fd;

    if ((fd = open(name, O_RDONLY | O_CLOEXEC)) < 0) {
	dstr_sprintf(err, "open %s: %m", name);
	return (-1);
    }
    ios = ios_open(fd);
    *table = read_fn(ios, name, err);
    ios_free(ios);
    if (*table == NULL) {
	(void) close(fd);
	return (-1);
    }
    return (fd);
}

/* dict_walk - every entry */

int     dict_walk(DICT *dict, DICT_WALK_FN fn, void *ctx)
{
    if (dict->walk == NULL)
	return (-1);
    return (dict->walk(dict, fn, ctx));
}

/* dict_get - look up */

const char *dict_get(DICT *dict, const char *key)
{
    DSTR   *folded;
    const char *val;

    if (dict->flags & (DICT_FLAG_ADDRESS | DICT_FLAG_RAW_KEY))
	return (dict->lookup(dict, key));
    folded = dstr_new(strlen(key) + 1);
    dstr_strcpy(folded, key);
    str_lower(dstr_data(folded));
    val = dict->lookup(dict, dstr_str(folded));
    dstr_free(folded);
    return (val);
}

/* dict_close - release */

void    dict_close(DICT *dict)
{
    DICT  **where;

    for (where = &dict_open_tables; *where; where = &(*where)->next) {
	if (*where == dict) {
	    *where = dict->next;
	    break;
	}
    }
    free(dict->spec);
    dict->close(dict);				/* frees dict */
}

/* dict_name - the specification, for messages */

const char *dict_name(const DICT *dict)
{
    return (dict->spec);
}

/* dict_flags - DICT_FLAG_* */

int     dict_flags(const DICT *dict)
{
    return (dict->flags);
}

/* dict_changed - has the watched file changed since the table was opened? */

static int dict_changed(const DICT *dict)
{
    struct stat st;

    if (dict->watch_fd < 0)
	return (0);
    if (fstat(dict->watch_fd, &st) < 0) {
	msg_warn("fstat %s: %m", dict->spec);
	return (1);
    }
    return (st.st_nlink == 0 || st.st_nlink != dict->st.st_nlink
	    || st.st_size != dict->st.st_size
	    || st.st_mtim.tv_sec != dict->st.st_mtim.tv_sec
	    || st.st_mtim.tv_nsec != dict->st.st_mtim.tv_nsec);
}

/* dict_changed_name - any changed table */

const char *dict_changed_name(void)
{
    DICT   *dict;

    for (dict = dict_open_tables; dict; dict = dict->next)
	if (dict_changed(dict))
	    return (dict->spec);
    return (NULL);
}

/* dict_watch_count - tables with files */

int     dict_watch_count(void)
{
    DICT   *dict;
    int     count = 0;

    for (dict = dict_open_tables; dict; dict = dict->next)
	if (dict->watch_fd >= 0)
	    count++;
    return (count);
}

/* dict_list_next - one element of a list */

int     dict_list_next(const char **cpp, DSTR *out)
{
    const char *cp = *cpp;
    const char *start;
    int     depth;

    while (*cp && (isspace((unsigned char) *cp) || *cp == ','))
	cp++;
    if (*cp == 0) {
	*cpp = cp;
	return (0);
    }
    for (start = cp, depth = 0; *cp; cp++) {
	if (*cp == '{')
	    depth++;
	else if (*cp == '}')
	    depth--;
	else if (depth <= 0 && (isspace((unsigned char) *cp) || *cp == ','))
	    break;
    }
    dstr_memcpy(out, start, (size_t) (cp - start));
    *cpp = cp;
    return (1);
}

/* dict_list_open - several tables */

DICT_LIST *dict_list_open(const char *specs, DSTR *err)
{
    DICT_LIST *list = mycalloc(1, sizeof(*list));
    DSTR   *one = dstr_new(64);
    const char *cp = specs;
    DICT   *dict;

    while (dict_list_next(&cp, one)) {
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

/* dict_list_empty - no tables at all */

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
