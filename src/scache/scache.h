/* scache - the connection cache: types shared by its files */
#ifndef SCACHE_H
#define SCACHE_H
#include <stddef.h>

 /*
  * The cache proper (scache_table.c): pure bookkeeping with an injected
  * clock (callers pass "now" in monotonic milliseconds) and an injected
  * close function, so expiry and eviction are unit-tested without sockets.
  */
typedef void (*SCACHE_CLOSE_FN) (int fd);

typedef struct SCACHE_ENTRY {
    char   *label;			/* "transport:nexthop" */
    char   *endpoint;			/* "host[addr]:port", for logs */
    char   *props;			/* opaque to the cache */
    int     fd;
    long long added;			/* when it was stored */
    long long expires;			/* when it is closed unused */
} SCACHE_ENTRY;

typedef struct SCACHE {
    SCACHE_ENTRY *entry;		/* oldest first */
    size_t  count;
    size_t  max;			/* more than this: close the oldest */
    SCACHE_CLOSE_FN close_fn;
    long    hits;
    long    misses;
    long    expired;
    long    evicted;
} SCACHE;

extern SCACHE *scache_new(size_t max, SCACHE_CLOSE_FN close_fn);
extern void scache_free(SCACHE *cache);	/* closes every descriptor */
/* Store a connection for ttl_ms; strings are copied, fd is owned by the cache. */
extern void scache_add(SCACHE *cache, const char *label, const char *endpoint,
		               const char *props, int fd, long long now, long long ttl_ms);
/*
 * Take the most recently stored live connection for label out of the
 * cache: 0 and *out filled (the caller owns fd and strings; free them with
 * scache_entry_free), or -1 when there is none.
 */
extern int scache_take(SCACHE *cache, const char *label, long long now, SCACHE_ENTRY *out);
extern void scache_entry_free(SCACHE_ENTRY *entry);
/* Close what has expired; the time of the next expiry, or 0 when empty. */
extern long long scache_expire(SCACHE *cache, long long now);

 /*
  * TLS sessions (scache_sess.c): opaque strings by key, with expiry, a
  * count bound and a byte bound; the oldest go first when full. Same
  * injected clock as above.
  */
typedef struct SCACHE_SESS {
    char   *key;
    char   *value;
    long long expires;
} SCACHE_SESS;

typedef struct SCACHE_SESS_TABLE {
    SCACHE_SESS *entry;			/* oldest first */
    size_t  count;
    size_t  max;			/* entries */
    size_t  bytes;			/* keys and values held */
    size_t  max_bytes;
    long    hits;
    long    misses;
} SCACHE_SESS_TABLE;

extern SCACHE_SESS_TABLE *scache_sess_new(size_t max, size_t max_bytes);
extern void scache_sess_free(SCACHE_SESS_TABLE *table);
/* Store (replacing an entry with the same key) for ttl_ms; strings are copied. */
extern void scache_sess_put(SCACHE_SESS_TABLE *table, const char *key, const char *value,
			            long long now, long long ttl_ms);
/* The live value for key (valid until the next put or expire), or NULL. */
extern const char *scache_sess_get(SCACHE_SESS_TABLE *table, const char *key, long long now);
/* Drop what has expired; the time of the next expiry, or 0 when empty. */
extern long long scache_sess_expire(SCACHE_SESS_TABLE *table, long long now);

#endif
