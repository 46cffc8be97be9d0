/*
 * userlist - match local users against a Postfix-style list
 * DESCRIPTION
 *	Postfix's authorized_flush_users and authorized_mailq_users name
 *	users by login name, but a daemon learns who asks from the kernel,
 *	as a uid, and by then it sits in a chroot without /etc/passwd. So a
 *	list is parsed and then resolved while the password database is
 *	still reachable: every account's name is matched once and the uids
 *	that match are remembered. A list that starts with a static: table
 *	matches everyone and needs no walk of the password database (the
 *	default, static:anyone, costs nothing on a host with a large
 *	directory service).
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "userlist.h"
#include "dict.h"
#include "htable.h"
#include "matchlist.h"
#include "mymalloc.h"

typedef struct USERLIST_PAT {
    int     negate;
    char   *name;			/* a login name, or NULL */
    DICT   *dict;			/* or a table */
} USERLIST_PAT;

struct USERLIST {
    USERLIST_PAT *pats;
    size_t  count;
    int     everyone;			/* starts with a static: table */
    HTABLE *uids;			/* resolved: decimal uid -> "1" or "0" */
    int     unknown;			/* the decision for "unknown" */
};

#define USERLIST_UNKNOWN	"unknown"

/* userlist_add - one pattern (MATCHLIST_PATTERN_FN) */

static int userlist_add(void *ctx, const char *pat, int negate, DSTR *why)
{
    USERLIST *list = ctx;
    USERLIST_PAT *pp;
    DICT   *dict = NULL;

    if (dict_type_known(pat) && (dict = dict_open(pat, why)) == NULL)
	return (-1);
    if (list->count == 0 && dict != NULL && !negate && strncmp(pat, "static:", 7) == 0)
	list->everyone = 1;
    list->pats = myrealloc(list->pats, (list->count + 1) * sizeof(*list->pats));
    pp = list->pats + list->count++;
    pp->negate = negate;
    pp->dict = dict;
    pp->name = dict ? NULL : mystrdup(pat);
    return (0);
}

/* userlist_parse - parse a list specification */

USERLIST *userlist_parse(const char *spec, DSTR *err)
{
    USERLIST *list = mycalloc(1, sizeof(*list));

    if (matchlist_parse(spec, userlist_add, list, err) < 0)
	list = userlist_free(list);
    return (list);
}

/* userlist_match_name - first matching pattern decides */

int     userlist_match_name(const USERLIST *list, const char *name)
{
    const USERLIST_PAT *pp;
    size_t  i;

    for (i = 0; i < list->count; i++) {
	pp = list->pats + i;
	if (pp->dict ? dict_get(pp->dict, name) != NULL : strcasecmp(pp->name, name) == 0)
	    return (!pp->negate);
    }
    return (0);
}

/* userlist_resolve - decide for every account while /etc/passwd is reachable */

void    userlist_resolve(USERLIST *list)
{
    struct passwd *pw;
    char    key[32];

    if (list->everyone || list->uids != NULL)
	return;
    list->uids = htable_new(64);
    list->unknown = userlist_match_name(list, USERLIST_UNKNOWN);
    setpwent();
    while ((pw = getpwent()) != NULL) {
	snprintf(key, sizeof(key), "%lu", (unsigned long) pw->pw_uid);
	/* As getpwuid(): the first account with a uid is the one that counts. */
	if (htable_find(list->uids, key) == NULL)
	    htable_enter(list->uids, key, userlist_match_name(list, pw->pw_name) ? "1" : "0");
    }
    endpwent();
}

/* userlist_match_uid - the resolved decision */

int     userlist_match_uid(const USERLIST *list, uid_t uid)
{
    const char *hit;
    char    key[32];

    if (list->everyone)
	return (1);
    if (list->uids == NULL)
	return (0);
    snprintf(key, sizeof(key), "%lu", (unsigned long) uid);
    if ((hit = htable_find(list->uids, key)) == NULL)
	return (list->unknown);
    return (*hit == '1');
}

/* userlist_free - release a list and its tables */

USERLIST *userlist_free(USERLIST *list)
{
    size_t  i;

    if (list == NULL)
	return (NULL);
    for (i = 0; i < list->count; i++) {
	if (list->pats[i].dict)
	    dict_close(list->pats[i].dict);
	free(list->pats[i].name);
    }
    free(list->pats);
    if (list->uids)
	htable_free(list->uids, NULL);
    free(list);
    return (NULL);
}
