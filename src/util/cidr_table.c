/*
 * cidr_table - CIDR lookup tables
 * DESCRIPTION
 *	Postfix's cidr_table(5) format: the rules of ptable.c (pattern
 *	result, !pattern result, if/endif, first match wins) whose patterns
 *	are an address (a full-length network) or network/prefix, IPv4 or
 *	IPv6, the address optionally in [ ], parsed and matched by
 *	cidr_net.c. Keys and patterns compare in binary, so "2001:DB8::1"
 *	and "2001:db8:0::1" are the same address. IPv4-mapped IPv6 addresses
 *	count as IPv4, as everywhere in posthorn.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cidr_net.h"
#include "cidr_table.h"
#include "mymalloc.h"
#include "ptable.h"

struct CIDR_TABLE {
    PTABLE *rules;
};

/* cidr_pattern_parse - network/prefix up to white space */

static const char *cidr_pattern_parse(const char *cp, void **pattern, DSTR *why)
{
    const char *end;
    CIDR_NET *net;
    char   *text;

    for (end = cp; *end && !isspace((unsigned char) *end); end++)
	 /* void */ ;
    if (end == cp) {
	dstr_strcpy(why, "missing address pattern");
	return (NULL);
    }
    text = mystrndup(cp, (size_t) (end - cp));
    net = mymalloc(sizeof(*net));
    if (cidr_net_parse(text, net, why) < 0) {
	free(net);
	end = NULL;
    } else
	*pattern = net;
    free(text);
    return (end);
}

/* cidr_pattern_match - is the address (ctx) inside the network? */

static int cidr_pattern_match(const void *pattern, void *ctx)
{
    return (cidr_net_match((const CIDR_NET *) pattern, (const CIDR_NET *) ctx) != 0);
}

static const PTABLE_TYPE cidr_type = {
    .kind = "cidr",
    .line_max = CIDR_TABLE_LINE_MAX,
    .parse = cidr_pattern_parse,
    .free = free,
};

/* cidr_table_read - every rule of a source */

CIDR_TABLE *cidr_table_read(IOS *ios, const char *path, DSTR *err)
{
    CIDR_TABLE *table;
    PTABLE *rules;

    if ((rules = ptable_read(ios, path, &cidr_type, err)) == NULL)
	return (NULL);
    table = mymalloc(sizeof(*table));
    table->rules = rules;
    return (table);
}

/* cidr_table_lookup - first matching rule */

const char *cidr_table_lookup(const CIDR_TABLE *table, const char *key)
{
    CIDR_NET addr;

    if (cidr_net_parse_addr(key, &addr) < 0)
	return (NULL);
    return (ptable_lookup(table->rules, cidr_pattern_match, &addr, NULL));
}

/* cidr_table_size - rules kept */

size_t  cidr_table_size(const CIDR_TABLE *table)
{
    return (ptable_size(table->rules));
}

/* cidr_table_free - release */

void    cidr_table_free(CIDR_TABLE *table)
{
    ptable_free(table->rules);
    free(table);
}
