/*
 * htable - string-keyed hash tables
 * DESCRIPTION
 *	Separate chaining with FNV-1a hashing, doubling when the load passes
 *	1. Used where posthorn indexes many objects by name: the queue
 *	manager's destinations and messages.
 */
#include <stdlib.h>
#include <string.h>

#include "htable.h"
#include "mymalloc.h"
#include "msg.h"

typedef struct HTABLE_ENT {
    char   *key;
    void   *value;
    struct HTABLE_ENT *next;
} HTABLE_ENT;

struct HTABLE {
    HTABLE_ENT **slots;
    size_t  size;				/* power of two */
    size_t  count;
};

/* htable_hash - FNV-1a */

static size_t htable_hash(const char *key)
{
    size_t  h = (size_t) 14695981039346656037ULL;

    while (*key)
	h = (h ^ (unsigned char) *key++) * (size_t) 1099511628211ULL;
    return (h);
}

/* htable_new - empty table */

HTABLE *htable_new(size_t hint)
{
    HTABLE *ht = mymalloc(sizeof(*ht));

    for (ht->size = 16; ht->size < hint; ht->size *= 2)
	 /* void */ ;
    ht->slots = mycalloc(ht->size, sizeof(HTABLE_ENT *));
    ht->count = 0;
    return (ht);
}

/* htable_free - release */

void    htable_free(HTABLE *ht, void (*free_value) (void *))
{
    HTABLE_ENT *e;
    HTABLE_ENT *next;
    size_t  i;

    for (i = 0; i < ht->size; i++) {
	for (e = ht->slots[i]; e; e = next) {
	    next = e->next;
	    if (free_value)
		free_value(e->value);
	    free(e->key);
	    free(e);
	}
    }
    free(ht->slots);
    free(ht);
}

/* htable_find - look up */

void   *htable_find(const HTABLE *ht, const char *key)
{
    HTABLE_ENT *e;

    for (e = ht->slots[htable_hash(key) & (ht->size - 1)]; e; e = e->next)
	if (strcmp(e->key, key) == 0)
	    return (e->value);
    return (NULL);
}

/* htable_grow - double the slot array */

static void htable_grow(HTABLE *ht)
{
    HTABLE_ENT **old = ht->slots;
    size_t  old_size = ht->size;
    HTABLE_ENT *e;
    HTABLE_ENT *next;
    size_t  i;
    size_t  h;

    ht->size *= 2;
    ht->slots = mycalloc(ht->size, sizeof(HTABLE_ENT *));
    for (i = 0; i < old_size; i++) {
	for (e = old[i]; e; e = next) {
	    next = e->next;
	    h = htable_hash(e->key) & (ht->size - 1);
	    e->next = ht->slots[h];
	    ht->slots[h] = e;
	}
    }
    free(old);
}

/* htable_enter - insert */

void    htable_enter(HTABLE *ht, const char *key, void *value)
{
    HTABLE_ENT *e = mymalloc(sizeof(*e));
    size_t  h;

    if (ht->count >= ht->size)
	htable_grow(ht);
    h = htable_hash(key) & (ht->size - 1);
    e->key = mystrdup(key);
    e->value = value;
    e->next = ht->slots[h];
    ht->slots[h] = e;
    ht->count++;
}

/* htable_delete - remove */

void   *htable_delete(HTABLE *ht, const char *key)
{
    HTABLE_ENT **ep;
    HTABLE_ENT *e;
    void   *value;

    for (ep = &ht->slots[htable_hash(key) & (ht->size - 1)]; (e = *ep) != NULL; ep = &e->next) {
	if (strcmp(e->key, key) == 0) {
	    *ep = e->next;
	    value = e->value;
	    free(e->key);
	    free(e);
	    ht->count--;
	    return (value);
	}
    }
    return (NULL);
}

/* htable_count - entries */

size_t  htable_count(const HTABLE *ht)
{
    return (ht->count);
}

/* htable_walk - visit every entry */

void    htable_walk(const HTABLE *ht, void (*fn) (const char *, void *, void *), void *ctx)
{
    HTABLE_ENT *e;
    size_t  i;

    for (i = 0; i < ht->size; i++)
	for (e = ht->slots[i]; e; e = e->next)
	    fn(e->key, e->value, ctx);
}

/* htable_keys_cmp - strcmp through pointers */

static int htable_keys_cmp(const void *a, const void *b)
{
    return (strcmp(*(const char *const *) a, *(const char *const *) b));
}

/* htable_keys_sorted - every key, in order */

const char **htable_keys_sorted(const HTABLE *ht)
{
    const char **keys = mymalloc((ht->count + 1) * sizeof(*keys));
    HTABLE_ENT *e;
    size_t  n = 0;
    size_t  i;

    for (i = 0; i < ht->size; i++)
	for (e = ht->slots[i]; e; e = e->next)
	    keys[n++] = e->key;
    keys[n] = NULL;
    qsort(keys, n, sizeof(*keys), htable_keys_cmp);
    return (keys);
}
