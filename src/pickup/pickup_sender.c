/*
 * pickup_sender - whose envelope sender a local user may use
 * DESCRIPTION
 *	A local user who may give any sender with sendmail -f can make mail
 *	look as if it came from another user, a list, or the postmaster, and
 *	make the bounces go there. So by default (local_login_sender_maps
 *	empty) a user may send only as themselves; the administrator lists
 *	who may use what, keyed by login name as in Postfix's parameter of
 *	the same name. Postfix's default is "static:*", anyone may use
 *	anything; ours is the stricter one because every local account may
 *	be hostile (docs/design.md, "What each program trusts").
 */
#include <string.h>
#include <strings.h>

#include "pickup.h"
#include "mailaddr.h"

/* pickup_sender_match - one pattern against the canonical sender */

static int pickup_sender_match(const char *pat, const char *canon)
{
    const char *at;
    DSTR   *full;
    int     ret;

    if (strcmp(pat, "*") == 0)
	return (1);
    if (strcmp(pat, "<>") == 0)
	return (*canon == 0);
    if (*canon == 0)
	return (0);
    if (*pat == '@')
	return ((at = strrchr(canon, '@')) != NULL && strcasecmp(at, pat) == 0);
    full = dstr_new(64);
    mailaddr_canonical(full, pat);
    ret = strcasecmp(dstr_str(full), canon) == 0;
    dstr_free(full);
    return (ret);
}

/* pickup_sender_listed - does the looked-up value allow it? */

static int pickup_sender_listed(const char *value, const char *canon)
{
    DSTR   *pat = dstr_new(64);
    const char *cp = value;
    int     ret = 0;

    while (!ret && dict_list_next(&cp, pat))
	ret = pickup_sender_match(dstr_str(pat), canon);
    dstr_free(pat);
    return (ret);
}

/* pickup_sender_allowed - see pickup.h */

int     pickup_sender_allowed(DICT_LIST *tables, const char *login, const char *sender)
{
    DSTR   *canon = dstr_new(64);
    DSTR   *own = dstr_new(64);
    const char *value = NULL;
    int     ret;

    mailaddr_canonical(canon, sender);
    mailaddr_canonical(own, login);
    ret = *sender != 0 && strcasecmp(dstr_str(canon), dstr_str(own)) == 0;
    if (!ret && tables && !dict_list_empty(tables)
	&& ((value = dict_list_get(tables, login)) != NULL
	    || (value = dict_list_get(tables, "*")) != NULL))
	ret = pickup_sender_listed(value, dstr_str(canon));
    dstr_free(canon);
    dstr_free(own);
    return (ret);
}
