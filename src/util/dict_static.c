/*
 * dict_static - static:value tables
 * DESCRIPTION
 *	Every key finds the same value, the text after "static:" ("{ }"
 *	around it may hold white space, as in Postfix). Its use is in lists
 *	such as authorized_flush_users, whose default static:anyone matches
 *	every user.
 */
#include <string.h>

#include "dict_int.h"
#include "mymalloc.h"

typedef struct DICT_STATIC {
    DICT    dict;
    char   *value;
} DICT_STATIC;

/* dict_static_lookup - the one value */

static const char *dict_static_lookup(DICT *dict, const char *key)
{
    (void) key;
    return (((DICT_STATIC *) dict)->value);
}

/* dict_static_close - release the value */

static void dict_static_close(DICT *dict)
{
    myfree(((DICT_STATIC *) dict)->value);
}

/* dict_static_open - "static:value" or "static:{value}" */

DICT   *dict_static_open(const char *value, DSTR *err)
{
    DICT_STATIC *ds;
    size_t  len = strlen(value);

    if (*value == '{') {
	if (len < 2 || value[len - 1] != '}') {
	    dstr_sprintf(err, "missing '}' in \"%s\"", value);
	    return (NULL);
	}
	value++;
	len -= 2;
    }
    ds = mycalloc(1, sizeof(*ds));
    ds->dict.lookup = dict_static_lookup;
    ds->dict.close = dict_static_close;
    ds->dict.watch_fd = -1;
    ds->value = mystrndup(value, len);
    return (&ds->dict);
}
