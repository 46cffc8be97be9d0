/*
 * scache_table - idle connections by label, with expiry and a size bound
 * DESCRIPTION
 *	Entries are kept in the order they were stored, so the oldest is at
 *	the front: eviction (more than max entries) and expiry look there
 *	first. A lookup takes the newest live entry for a label, the one that
 *	has been idle the shortest time and is least likely to have been
 *	closed by the server meanwhile. The cache holds at most a few hundred
 *	entries, so linear scans are cheaper than any index.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scache.h"
#include "mymalloc.h"

/* scache_default_close - the real thing */

static void scache_default_close(int fd)
{
    if (fd >= 0)
	(void) close(fd);
}

/* scache_new - empty cache */

SCACHE *scache_new(size_t max, SCACHE_CLOSE_FN close_fn)
{
    SCACHE *cache = mycalloc(1, sizeof(*cache));

    cache->max = max ? max : 1;
    cache->close_fn = close_fn ? close_fn : scache_default_close;
    cache->entry = mymalloc((cache->max + 1) * sizeof(SCACHE_ENTRY));
    return (cache);
}

/* scache_entry_free - release an entry's strings */

void    scache_entry_free(SCACHE_ENTRY *entry)
{
    free(entry->label);
    free(entry->endpoint);
    free(entry->props);
    entry->label = entry->endpoint = entry->props = 0;
}

/* scache_remove - drop entry i, closing its descriptor if asked */

static void scache_remove(SCACHE *cache, size_t i, int do_close)
{
    if (do_close)
	cache->close_fn(cache->entry[i].fd);
    scache_entry_free(cache->entry + i);
    memmove(cache->entry + i, cache->entry + i + 1,
	    (cache->count - i - 1) * sizeof(SCACHE_ENTRY));
    cache->count--;
}

/* scache_free - close everything */

void    scache_free(SCACHE *cache)
{
    while (cache->count > 0)
	scache_remove(cache, 0, 1);
    free(cache->entry);
    free(cache);
}

/* scache_add - store one connection, evicting the oldest when full */

void    scache_add(SCACHE *cache, const char *label, const char *endpoint,
		           const char *props, int fd, long long now, long long ttl_ms)
{
    SCACHE_ENTRY *e;

    if (cache->count >= cache->max) {
	scache_remove(cache, 0, 1);
	cache->evicted++;
    }
    e = cache->entry + cache->count++;
    e->label = mystrdup(label);
    e->endpoint = mystrdup(endpoint);
    e->props = mystrdup(props);
    e->fd = fd;
    e->added = now;
    e->expires = now + ttl_ms;
}

/* scache_take - newest live entry for label */

int     scache_take(SCACHE *cache, const char *label, long long now, SCACHE_ENTRY *out)
{
    size_t  i;

    for (i = cache->count; i-- > 0; /* void */ ) {
	if (cache->entry[i].expires <= now || strcmp(cache->entry[i].label, label) != 0)
	    continue;
	*out = cache->entry[i];
	/* Ownership moves to the caller: clear the strings before removal. */
	cache->entry[i].label = cache->entry[i].endpoint = cache->entry[i].props = 0;
	scache_remove(cache, i, 0);
	cache->hits++;
	return (0);
    }
    cache->misses++;
    return (-1);
}

/* scache_expire - close idle connections past their time */

long long scache_expire(SCACHE *cache, long long now)
{
    long long next = 0;
    size_t  i;

    for (i = 0; i < cache->count; /* void */ ) {
	if (cache->entry[i].expires <= now) {
	    scache_remove(cache, i, 1);
	    cache->expired++;
	    continue;
	}
	if (next == 0 || cache->entry[i].expires < next)
	    next = cache->entry[i].expires;
	i++;
    }
    return (next);
}
