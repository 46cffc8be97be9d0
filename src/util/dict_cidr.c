/*
 * dict_cidr - cidr:/path tables
 * DESCRIPTION
 *	The rules of cidr_table.c, read from the source file itself when the
 *	table is opened (there is no compiled form). The file stays open so
 *	that dict.c notices when it is replaced or edited.
 */
#include <fcntl.h>
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

DICT   *dict_cidr_open(const char *name, DSTR *err)
{
    DICT_CIDR *dc;
    CIDR_TABLE *table;
    IOS    *ios;
    int     fd;

    if ((fd = open(name, O_RDONLY | O_CLOEXEC)) < 0) {
	dstr_sprintf(err, "open %s: %m", name);
	return (NULL);
    }
    ios = ios_open(fd);
    table = cidr_table_read(ios, name, err);
    ios_free(ios);
    if (table == NULL) {
	(void) close(fd);
	return (NULL);
    }
    dc = mycalloc(1, sizeof(*dc));
    dc->dict.lookup = dict_cidr_lookup;
    dc->dict.close = dict_cidr_close;
    dc->dict.flags = DICT_FLAG_ADDRESS;
    dc->dict.watch_fd = fd;
    dc->table = table;
    return (&dc->dict);
}
