/*
 * anvil_table - connection counts per ident, and who holds them
 * DESCRIPTION
 *	The table maps an ident ("service:address") to the number of
 *	connections open for it; an ident exists only while that number is
 *	above zero, so memory follows the clients that are connected now,
 *	never the ones seen before. Each client stream (owner) keeps its own
 *	short list of what it holds: qmqpd holds one ident at a time, and the
 *	list's bounds stop a confused peer from growing it without end. When
 *	a stream ends, the owner is freed and gives back exactly its share;
 *	that is what keeps the counts right when a qmqpd process is killed.
 */
#include <stdlib.h>
#include <string.h>

#include "anvil.h"
#include "anvil_proto.h"
#include "htable.h"
#include "msg.h"
#include "mymalloc.h"

typedef struct ANVIL_ENTRY {
    int     count;			/* connections open, > 0 */
} ANVIL_ENTRY;

typedef struct ANVIL_HOLD {
    char   *ident;
    int     count;			/* of them held by this owner, > 0 */
} ANVIL_HOLD;

struct ANVIL_OWNER {
    ANVIL_HOLD hold[ANVIL_OWNER_IDENTS];
    int     nhold;
};

struct ANVIL_TABLE {
    HTABLE *idents;			/* ident -> ANVIL_ENTRY */
    HTABLE *counters;			/* name -> long: connects and events */
    int     max_count;			/* statistics since the last report */
    char   *max_ident;
    time_t  max_time;
};

/* anvil_table_new - empty table */

ANVIL_TABLE *anvil_table_new(void)
{
    ANVIL_TABLE *table = mycalloc(1, sizeof(*table));

    table->idents = htable_new(64);
    table->counters = htable_new(16);
    return (table);
}

/* anvil_table_free - release (owners must have been freed) */

void    anvil_table_free(ANVIL_TABLE *table)
{
    htable_free(table->idents, free);
    htable_free(table->counters, free);
    free(table->max_ident);
    free(table);
}

/* anvil_owner_new - a stream that holds nothing yet */

ANVIL_OWNER *anvil_owner_new(void)
{
    return (mycalloc(1, sizeof(ANVIL_OWNER)));
}

/* anvil_release - take n connections of ident out of the table */

static void anvil_release(ANVIL_TABLE *table, const char *ident, int n)
{
    ANVIL_ENTRY *entry = htable_find(table->idents, ident);

    if (entry == NULL || entry->count < n)
	msg_panic("%s: %s: table holds %d, owner %d", __func__, ident,
		  entry ? entry->count : 0, n);
    if ((entry->count -= n) == 0)
	free(htable_delete(table->idents, ident));
}

/* anvil_owner_free - a stream ended: give back all it held */

void    anvil_owner_free(ANVIL_TABLE *table, ANVIL_OWNER *owner)
{
    int     i;

    for (i = 0; i < owner->nhold; i++) {
	anvil_release(table, owner->hold[i].ident, owner->hold[i].count);
	free(owner->hold[i].ident);
    }
    free(owner);
}

/* anvil_owner_find - index of ident in the owner's list, or -1 */

static int anvil_owner_find(const ANVIL_OWNER *owner, const char *ident)
{
    int     i;

    for (i = 0; i < owner->nhold; i++)
	if (strcmp(owner->hold[i].ident, ident) == 0)
	    return (i);
    return (-1);
}

/* anvil_note_max - remember the highest count, for statistics */

static void anvil_note_max(ANVIL_TABLE *table, const char *ident, int count, time_t now)
{
    if (count <= table->max_count)
	return;
    table->max_count = count;
    free(table->max_ident);
    table->max_ident = mystrdup(ident);
    table->max_time = now;
}

/* anvil_connect - count one more connection */

int     anvil_connect(ANVIL_TABLE *table, ANVIL_OWNER *owner, const char *ident, time_t now)
{
    ANVIL_ENTRY *entry;
    int     i = anvil_owner_find(owner, ident);

    if (i < 0 && owner->nhold >= ANVIL_OWNER_IDENTS)
	return (-1);
    if (i >= 0 && owner->hold[i].count >= ANVIL_OWNER_COUNT)
	return (-1);
    if (i < 0) {
	i = owner->nhold++;
	owner->hold[i].ident = mystrdup(ident);
	owner->hold[i].count = 0;
    }
    owner->hold[i].count++;
    if ((entry = htable_find(table->idents, ident)) == NULL) {
	entry = mycalloc(1, sizeof(*entry));
	htable_enter(table->idents, ident, entry);
    }
    entry->count++;
    anvil_note_max(table, ident, entry->count, now);
    return (entry->count);
}

/* anvil_disconnect - count one connection fewer */

int     anvil_disconnect(ANVIL_TABLE *table, ANVIL_OWNER *owner, const char *ident)
{
    int     i = anvil_owner_find(owner, ident);

    if (i < 0)
	return (-1);
    anvil_release(table, ident, 1);
    if (--owner->hold[i].count == 0) {
	free(owner->hold[i].ident);
	owner->hold[i] = owner->hold[--owner->nhold];
    }
    return (0);
}

/* anvil_lookup - current count */

int     anvil_lookup(const ANVIL_TABLE *table, const char *ident)
{
    const ANVIL_ENTRY *entry = htable_find(table->idents, ident);

    return (entry ? entry->count : 0);
}

/* anvil_table_size - idents with connections */

size_t  anvil_table_size(const ANVIL_TABLE *table)
{
    return (htable_count(table->idents));
}

/* anvil_owner_count - connections one stream holds */

int     anvil_owner_count(const ANVIL_OWNER *owner)
{
    int     total = 0;
    int     i;

    for (i = 0; i < owner->nhold; i++)
	total += owner->hold[i].count;
    return (total);
}

/* anvil_owner_holds - connections one stream holds for ident */

int     anvil_owner_holds(const ANVIL_OWNER *owner, const char *ident)
{
    int     i = anvil_owner_find(owner, ident);

    return (i < 0 ? 0 : owner->hold[i].count);
}

/* anvil_table_max - report and reset the statistics */

int     anvil_table_max(ANVIL_TABLE *table, DSTR *ident, time_t *when)
{
    int     max = table->max_count;

    if (max > 0) {
	dstr_strcpy(ident, table->max_ident);
	*when = table->max_time;
    }
    table->max_count = 0;
    free(table->max_ident);
    table->max_ident = NULL;
    return (max);
}

/* anvil_count - one more of name */

void    anvil_count(ANVIL_TABLE *table, const char *name)
{
    long   *n;

    if ((n = htable_find(table->counters, name)) == NULL) {
	if (htable_count(table->counters) >= ANVIL_COUNTERS_MAX)
	    name = "other";
	if ((n = htable_find(table->counters, name)) == NULL) {
	    n = mycalloc(1, sizeof(*n));
	    htable_enter(table->counters, name, n);
	}
    }
    (*n)++;
}

/* anvil_counters_text - "NAME COUNT" lines */

void    anvil_counters_text(const ANVIL_TABLE *table, DSTR *out)
{
    const char **names = htable_keys_sorted(table->counters);
    size_t  i;

    for (i = 0; names[i]; i++)
	dstr_printf(out, "%s %ld\n", names[i], *(long *) htable_find(table->counters, names[i]));
    free(names);
}
