/*
 * smtp_group - the exchanger group of a destination, for qmgr
 * DESCRIPTION
 *	Many domains share one mail provider, and the provider counts our
 *	sessions and messages across all of them. The group names that
 *	provider: what smtp_mx_group_maps says for the destination's primary
 *	MX host (lowest preference; among equals the first by name, so that
 *	the answer does not depend on the order DNS gave), else that host's
 *	name. smtp reports it with its delivery status; qmgr remembers it no
 *	longer than the MX records' TTL allows (docs/scheduler.md §10a).
 *	When qmgr did not know the group yet (DELIVER_FLAG_GROUP_ASK), smtp
 *	says it before connecting and asks whether to go on: the group's
 *	window may be full, and a delivery that does not fit goes back to
 *	qmgr untouched instead of opening one more session to the provider.
 */
#include <string.h>
#include <strings.h>

#include "cfg_params.h"
#include "dict.h"
#include "msg.h"
#include "smtp.h"
#include "strutil.h"

#define SMTP_GROUP_TTL_MAX	3600	/* seconds qmgr may keep a group */
#define SMTP_GROUP_NAME_MAX	255	/* a host name, or a table's answer */

static DICT_LIST *smtp_group_maps;	/* smtp_mx_group_maps */

/* smtp_group_init - open the tables before the chroot */

void    smtp_group_init(void)
{
    DSTR   *err;

    if (*var_smtp_mx_group_maps == 0)
	return;
    err = dstr_new(128);
    /* Without it a group is its MX host: delivery goes on, less grouped. */
    if ((smtp_group_maps = dict_list_open(var_smtp_mx_group_maps, err)) == NULL)
	msg_warn("smtp_mx_group_maps: %s -- each MX host is its own exchanger group",
		 dstr_str(err));
    dstr_free(err);
}

/* smtp_group_set - the group of an exchanger host, remembered for ttl seconds */

void    smtp_group_set(SMTP_STATE *st, const char *host, long ttl)
{
    const char *group = NULL;
    size_t  len;

    if (smtp_group_maps)
	group = dict_list_get(smtp_group_maps, host);
    if (group == NULL || *group == 0)
	group = host;
    len = strlen(group);
    if (len > 0 && group[len - 1] == '.')
	len--;					/* a root dot is not part of the name */
    if (len == 0 || len > SMTP_GROUP_NAME_MAX || strpbrk(group, " \t\r\n") != NULL) {
	DSTR_RESET(st->mx_group);
	return;
    }
    dstr_memcpy(st->mx_group, group, len);
    str_lower(dstr_data(st->mx_group));
    st->mx_group_ttl = ttl < 0 || ttl > SMTP_GROUP_TTL_MAX ? SMTP_GROUP_TTL_MAX : ttl;
}

/* smtp_group_from_mx - the group of the primary MX host */

void    smtp_group_from_mx(SMTP_STATE *st, const DNS_MX_LIST *mxl)
{
    const DNS_MX *best = NULL;
    size_t  i;

    for (i = 0; i < mxl->count; i++) {
	if (mxl->mx[i].host[0] == 0)
	    continue;
	if (best == NULL || mxl->mx[i].pref < best->pref
	    || (mxl->mx[i].pref == best->pref && strcasecmp(mxl->mx[i].host, best->host) < 0))
	    best = mxl->mx + i;
    }
    if (best)
	smtp_group_set(st, best->host, mxl->ttl);
}

/* smtp_group_admit - ask qmgr about the group before the first connection */

int     smtp_group_admit(SMTP_STATE *st)
{
    DSTR   *ask;
    int     answer;

    /* Only a request nothing has happened to yet can go back whole. */
    if (!(st->req->flags & DELIVER_FLAG_GROUP_ASK) || st->qmgr == NULL
	|| dstr_len(st->mx_group) == 0 || st->pending != st->req->nrcpt)
	return (1);
    ask = dstr_new(64);
    deliver_ask_encode(ask, dstr_str(st->mx_group), st->mx_group_ttl);
    /* No answer (qmgr went away on reload): go on, as before the question. */
    if (ios_write(st->qmgr, dstr_str(ask), dstr_len(ask)) < 0 || ios_flush(st->qmgr) < 0)
	answer = -1;
    else
	answer = deliver_ask_read(st->qmgr);
    dstr_free(ask);
    if (answer == 0) {
	st->requeued = 1;
	if (msg_verbose)
	    msg_info("%s: exchanger group %s is full: delivery to %s handed back",
		     st->req->queue_id, dstr_str(st->mx_group), st->req->nexthop);
	return (0);
    }
    return (1);
}
