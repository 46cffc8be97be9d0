/*
 * dict_cidr - cidr:/path tables
 * DESCRIPTION
 *	The rules of cidr_table.c, read from the source file itself when the
 *	table is opened (there is no compiled form). The file stays open so
 *	that dict.c notices when it is replaced or edited.
 */
#include <stdlib.h>
#include <unistd.h>

#include "cidr_table.h"
#include "dict_int.h"
#include "ios.h"
#include "mymalloc.h"

typedef struct DICT_CIDR {
    DICT    dict;
    CIDR_TABLE *table;
} DICT_CIDR;

/* dict_cidr_lookup - first matching rule */

static const char *dict_cidr_lookup(DICT *dict, const char *key)
{
    return (cidr_table_lookup(((DICT_CIDR *) dict)->table, key));
}

/* dict_cidr_close - release */

static void dict_cidr_close(DICT *dict)
{
    cidr_table_free(((DICT_CIDR *) dict)->table);
    (void) close(dict->watch_fd);
    free(dict);
}

/* dict_cidr_open - read the rules */

/* dict_cidr_read - cidr_table_read() as dict_read_source() wants it */

static void *dict_cidr_read(IOS *ios, const char *name, DSTR *err)
{
    return (cidr_table_read(ios, name, err));
}

DICT   *dict_cidr_open(const char *name, DSTR *err)
{
    DICT_CIDR *dc;
    void   *table;
    int     fd;

    if ((fd = dict_read_source(name, dict_cidr_read, &table, err)) < 0)
	return (NULL);
    dc = mycalloc(1, sizeof(*dc));
    dc->dict.lookup = dict_cidr_lookup;
    dc->dict.close = dict_cidr_close;
    dc->dict.flags = DICT_FLAG_ADDRESS;
    dc->dict.watch_fd = fd;
    dc->table = table;
    return (&dc->dict);
}
