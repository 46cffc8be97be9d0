/*
 * scache_sess - TLS sessions by key, for smtp processes to resume
 * DESCRIPTION
 *	The memory behind smtp's TLS session cache (smtp_tls_cache.c): one
 *	opaque string (a serialized session) per key, kept until its time is
 *	up. A new value for a key replaces the old one. The table holds at
 *	most max entries and max_bytes of keys and values; past either, the
 *	entry stored longest ago goes. Entries are kept in the order they
 *	were stored, so that one is always at the front; the table holds a
 *	few thousand entries at most, so linear scans do.
 */
#include <stdlib.h>
#include <string.h>

#include "scache.h"
#include "mymalloc.h"

/* scache_sess_new - empty table */

SCACHE_SESS_TABLE *scache_sess_new(size_t max, size_t max_bytes)
{
    SCACHE_SESS_TABLE *table = mycalloc(1, sizeof(*table));

    table->max = max ? max : 1;
    table->max_bytes = max_bytes;
    table->entry = mymalloc(table->max * sizeof(SCACHE_SESS));
    return (table);
}

/* scache_sess_remove - drop entry i */

static void scache_sess_remove(SCACHE_SESS_TABLE *table, size_t i)
{
    table->bytes -= strlen(table->entry[i].key) + strlen(table->entry[i].value);
    free(table->entry[i].key);
    free(table->entry[i].value);
    memmove(table->entry + i, table->entry + i + 1,
	    (table->count - i - 1) * sizeof(SCACHE_SESS));
    table->count--;
}

/* scache_sess_free - release everything */

void    scache_sess_free(SCACHE_SESS_TABLE *table)
{
    while (table->count > 0)
	scache_sess_remove(table, 0);
    free(table->entry);
    free(table);
}

/* scache_sess_find - index of key, or -1 */

static long scache_sess_find(const SCACHE_SESS_TABLE *table, const char *key)
{
    size_t  i;

    for (i = 0; i < table->count; i++)
	if (strcmp(table->entry[i].key, key) == 0)
	    return ((long) i);
    return (-1);
}

/* scache_sess_put - store, replacing and evicting as needed */

void    scache_sess_put(SCACHE_SESS_TABLE *table, const char *key, const char *value,
			        long long now, long long ttl_ms)
{
    size_t  size = strlen(key) + strlen(value);
    long    i;
    SCACHE_SESS *e;

    if ((i = scache_sess_find(table, key)) >= 0)
	scache_sess_remove(table, (size_t) i);
    if (table->max_bytes && size > table->max_bytes)
	return;					/* would never fit */
    while (table->count > 0 && (table->count >= table->max
			    || (table->max_bytes && table->bytes + size > table->max_bytes)))
	scache_sess_remove(table, 0);
    e = table->entry + table->count++;
    e->key = mystrdup(key);
    e->value = mystrdup(value);
    e->expires = now + ttl_ms;
    table->bytes += size;
}

/* scache_sess_get - live value for key */

const char *scache_sess_get(SCACHE_SESS_TABLE *table, const char *key, long long now)
{
    long    i = scache_sess_find(table, key);

    if (i < 0 || table->entry[i].expires <= now) {
	table->misses++;
	return (0);
    }
    table->hits++;
    return (table->entry[i].value);
}

/* scache_sess_expire - drop expired entries */

long long scache_sess_expire(SCACHE_SESS_TABLE *table, long long now)
{
    long long next = 0;
    size_t  i;

    for (i = 0; i < table->count; /* void */ ) {
	if (table->entry[i].expires <= now) {
	    scache_sess_remove(table, i);
	    continue;
	}
	if (next == 0 || table->entry[i].expires < next)
	    next = table->entry[i].expires;
	i++;
    }
    return (next);
}
