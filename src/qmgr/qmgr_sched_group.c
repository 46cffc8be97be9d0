/*
 * qmgr_sched_group - which exchanger group each destination belongs to
 * DESCRIPTION
 *	smtp reports with its delivery status the exchanger group of the next
 *	hop it looked up (smtp_mx_group_maps, or the primary MX host name) and
 *	how long the answer may be kept: the MX records' TTL, an hour at most.
 *	The scheduler remembers it by next hop, for every transport alike,
 *	until then (docs/scheduler.md §10a, "Exchanger groups"). The memory is
 *	bounded: when SCHED_GROUP_CACHE_MAX next hops are known, expired
 *	answers are dropped, and if none has expired the new one is not kept
 *	(the destination is then treated as a group unknown, as before its
 *	first delivery).
 */
#include <stdlib.h>
#include <string.h>

#include "qmgr_sched_int.h"
#include "argv.h"
#include "mymalloc.h"
#include "strutil.h"

typedef struct SCHED_GROUP_OF {
    char   *group;
    double  expires;
} SCHED_GROUP_OF;

/* sched_group_of_free - htable_free callback */

static void sched_group_of_free(void *value)
{
    SCHED_GROUP_OF *g = value;

    free(g->group);
    free(g);
}

/* A walk that knows the time. */
typedef struct SCHED_GROUP_WALK {
    ARGV   *names;
    double  now;
} SCHED_GROUP_WALK;

/* sched_group_collect - next hops whose answer expired */

static void sched_group_collect(const char *key, void *value, void *ctx)
{
    SCHED_GROUP_WALK *w = ctx;

    if (((SCHED_GROUP_OF *) value)->expires <= w->now)
	argv_add(w->names, key);
}

/* sched_group_purge - drop expired answers */

static void sched_group_purge(SCHED *sched)
{
    SCHED_GROUP_WALK w;
    size_t  i;

    w.names = argv_new(16);
    w.now = sched->now;
    htable_walk(sched->group_of, sched_group_collect, &w);
    for (i = 0; i < (size_t) w.names->argc; i++)
	sched_group_of_free(htable_delete(sched->group_of, w.names->argv[i]));
    argv_free(w.names);
}

/* sched_group_find - the answer kept for nexthop (any case), key set to its name */

static SCHED_GROUP_OF *sched_group_find(const SCHED *sched, const char *nexthop, DSTR *key)
{
    dstr_strcpy(key, nexthop);
    str_lower(dstr_data(key));
    return (sched->group_of ? htable_find(sched->group_of, dstr_str(key)) : NULL);
}

/* sched_group_learn - nexthop belongs to group for ttl seconds */

void    sched_group_learn(SCHED *sched, const char *nexthop, const char *group, long ttl)
{
    SCHED_GROUP_OF *g;
    DSTR   *key;

    if (ttl <= 0 || *nexthop == 0 || *group == 0)
	return;
    if (sched->group_of == NULL)
	sched->group_of = htable_new(64);
    key = dstr_new(strlen(nexthop) + 1);
    if ((g = sched_group_find(sched, nexthop, key)) == NULL) {
	if (htable_count(sched->group_of) >= SCHED_GROUP_CACHE_MAX)
	    sched_group_purge(sched);
	if (htable_count(sched->group_of) >= SCHED_GROUP_CACHE_MAX) {
	    dstr_free(key);
	    return;
	}
	g = mycalloc(1, sizeof(*g));
	htable_enter(sched->group_of, dstr_str(key), g);
    }
    if (g->group == NULL || strcmp(g->group, group) != 0) {
	free(g->group);
	g->group = mystrdup(group);
    }
    g->expires = sched->now + ttl;
    dstr_free(key);
}

/* sched_group_of - the group of nexthop, NULL when not known (or expired) */

const char *sched_group_of(SCHED *sched, const char *nexthop)
{
    DSTR   *key = dstr_new(strlen(nexthop) + 1);
    SCHED_GROUP_OF *g = sched_group_find(sched, nexthop, key);

    if (g != NULL && g->expires <= sched->now) {
	sched_group_of_free(htable_delete(sched->group_of, dstr_str(key)));
	g = NULL;
    }
    dstr_free(key);
    return (g ? g->group : NULL);
}

/* sched_group_peek - the group of nexthop, for status (expired: NULL, kept) */

const char *sched_group_peek(const SCHED *sched, const char *nexthop)
{
    DSTR   *key = dstr_new(strlen(nexthop) + 1);
    SCHED_GROUP_OF *g = sched_group_find(sched, nexthop, key);

    dstr_free(key);
    return (g && g->expires > sched->now ? g->group : NULL);
}

/* sched_group_count - next hops whose group is remembered */

long    sched_group_count(const SCHED *sched)
{
    return (sched->group_of ? (long) htable_count(sched->group_of) : 0);
}

/* sched_group_free - release the memory (sched_free) */

void    sched_group_free(SCHED *sched)
{
    if (sched->group_of)
	htable_free(sched->group_of, sched_group_of_free);
    sched->group_of = NULL;
}
