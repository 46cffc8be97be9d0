/*
 * dict_regexp - regexp:/path tables
 * DESCRIPTION
 *	The rules of regexp_table.c, read from the source file itself when
 *	the table is opened (there is no compiled form); the file stays open
 *	so that dict.c notices when it is replaced or edited. Keys are matched
 *	as given, not folded to lower case (the patterns say whether case
 *	matters, and $n copies the key's own text). A result with $n is made
 *	per lookup: it stays valid until the next lookup in the same table.
 */
#include <stdlib.h>
#include <unistd.h>

#include "dict_int.h"
#include "ios.h"
#include "mymalloc.h"
#include "regexp_table.h"

typedef struct DICT_REGEXP {
    DICT    dict;
    REGEXP_TABLE *table;
    DSTR   *result;
} DICT_REGEXP;

/* dict_regexp_lookup - first matching rule */

static const char *dict_regexp_lookup(DICT *dict, const char *key)
{
    DICT_REGEXP *dr = (DICT_REGEXP *) dict;

    return (regexp_table_lookup(dr->table, key, dr->result) ? dstr_str(dr->result) : NULL);
}

/* dict_regexp_close - release */

static void dict_regexp_close(DICT *dict)
{
    DICT_REGEXP *dr = (DICT_REGEXP *) dict;

    regexp_table_free(dr->table);
    dstr_free(dr->result);
    (void) close(dict->watch_fd);
    free(dict);
}

/* dict_regexp_open - read the rules */

/* dict_regexp_read - regexp_table_read() as dict_read_source() wants it */

static void *dict_regexp_read(IOS *ios, const char *name, DSTR *err)
{
    return (regexp_table_read(ios, name, err));
}

DICT   *dict_regexp_open(const char *name, DSTR *err)
{
    DICT_REGEXP *dr;
    void   *table;
    int     fd;

    if ((fd = dict_read_source(name, dict_regexp_read, &table, err)) < 0)
	return (NULL);
    dr = mycalloc(1, sizeof(*dr));
    dr->dict.lookup = dict_regexp_lookup;
    dr->dict.close = dict_regexp_close;
    dr->dict.flags = DICT_FLAG_RAW_KEY;
    dr->dict.watch_fd = fd;
    dr->table = table;
    dr->result = dstr_new(64);
    return (&dr->dict);
}
