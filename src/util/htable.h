/* htable - hash tables with string keys */
#ifndef HTABLE_H
#define HTABLE_H
#include <stddef.h>

typedef struct HTABLE HTABLE;

extern HTABLE *htable_new(size_t hint);
/* Free the table; free_value (may be NULL) is called for every value. */
extern void htable_free(HTABLE *ht, void (*free_value) (void *));
/* Value for key, or NULL. */
extern void *htable_find(const HTABLE *ht, const char *key);
/* Insert (the key is copied); a key must not be present yet. */
extern void htable_enter(HTABLE *ht, const char *key, void *value);
/* Remove key; returns its value or NULL. */
extern void *htable_delete(HTABLE *ht, const char *key);
extern size_t htable_count(const HTABLE *ht);
/* Call fn for every entry (the table must not change meanwhile). */
extern void htable_walk(const HTABLE *ht, void (*fn) (const char *key, void *value, void *ctx),
			        void *ctx);
/* The keys in strcmp order, as a NULL-terminated array the caller frees
 * (the strings stay the table's: valid while the keys are there). */
extern const char **htable_keys_sorted(const HTABLE *ht);

#endif
