/*
 * smtp_deliver - one delivery request, from next hop to recorded results
 * DESCRIPTION
 *	Try a cached connection to the next hop first (when caching is on for
 *	it); then look up the servers and try them in order, at most
 *	smtp_mx_address_limit addresses and smtp_mx_session_limit sessions
 *	that got past EHLO, until no recipient is left pending. Each server
 *	runs every transaction that still has pending recipients (one, or one
 *	per recipient with VERP), over the same connection, RSET in between
 *	when a transaction was left open. A connection that is still good
 *	afterwards goes to the connection cache or gets QUIT. Whatever is
 *	still pending at the end gets the last site failure (smtp_result.c).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smtp.h"
#include "cfg_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "timefmt.h"

/* smtp_run - every transaction with pending recipients; -1 when the session broke */

static int smtp_run(SMTP_STATE *st, SMTP_SESSION *session, const SMTP_TRANS_LIST *tl)
{
    size_t  t;
    size_t  i;
    int     pending;

    for (t = 0; t < tl->count && st->pending > 0; t++) {
	for (pending = 0, i = 0; i < tl->trans[t].nrcpt && !pending; i++)
	    pending = st->rcpt_state[tl->trans[t].rcpt[i]] == SMTP_RCPT_PENDING;
	if (!pending)
	    continue;
	if (smtp_xfer(st, session, tl->trans + t) != SMTP_OK)
	    return (-1);
	st->completed++;			/* whatever the server said: it works */
	if (session->broken)
	    return (-1);
    }
    return (0);
}

/* smtp_release - cache the connection when that is wanted and allowed, else QUIT */

static void smtp_release(SMTP_STATE *st, SMTP_SESSION *session)
{
    if (st->cache_wanted && session->dirty && !session->broken)
	(void) smtp_session_rset(session);	/* a clean state for the next user */
    if (st->cache_wanted
	&& smtp_cache_reusable(session, time((time_t *) 0), var_smtp_reuse_count,
			       var_smtp_reuse_time))
	smtp_cache_save(session, dstr_str(st->label), var_smtp_cache_conn);
    else
	smtp_session_quit(session);
}

/* smtp_check_addresses - addresses that must never reach a command line */

static void smtp_check_addresses(SMTP_STATE *st)
{
    size_t  i;

    if (smtp_addr_unsafe(st->req->sender)) {
	smtp_site_final(st, SMTP_BOUNCE, "5.1.7", "none", "bad sender address syntax");
	return;
    }
    for (i = 0; i < st->req->nrcpt; i++)
	if (smtp_addr_unsafe(st->req->rcpts[i].address))
	    smtp_rcpt_fail(st, i, SMTP_BOUNCE, "5.1.3", "none", "", "",
			   "bad recipient address syntax", 0);
}

/* smtp_deliver - the whole request */

void    smtp_deliver(SMTP_STATE *st)
{
    DELIVER_REQUEST *req = st->req;
    SMTP_TRANS_LIST tl;
    SMTP_ADDR_LIST list = {0, 0};
    SMTP_SESSION *session;
    char  **rcpts;
    size_t  before;
    size_t  i;

    smtp_check_addresses(st);
    if (st->pending == 0)
	return;
    rcpts = mymalloc(req->nrcpt * sizeof(char *));
    for (i = 0; i < req->nrcpt; i++)
	rcpts[i] = req->rcpts[i].address;
    smtp_trans_build(&tl, req->sender, req->verp, rcpts, req->nrcpt);
    free(rcpts);

    st->times.conn_start = timefmt_now();
    if (st->cache_wanted && (session = smtp_cache_find(dstr_str(st->label), req->nexthop)) != 0) {
	st->times.conn_done = timefmt_now();
	before = st->pending;
	if (smtp_run(st, session, &tl) == 0 || st->pending < before)
	    st->sessions++;
	smtp_release(st, session);
    }
    if (st->pending > 0 && smtp_resolve(st, &list) == 0 && smtp_group_admit(st)) {
	for (i = 0; i < list.count && st->pending > 0; i++) {
	    if ((session = smtp_connect(st, list.addr + i)) == 0) {
		if (st->site_class == SMTP_BOUNCE)
		    break;			/* a permanent answer: no other server */
		continue;
	    }
	    st->times.conn_done = timefmt_now();
	    (void) smtp_run(st, session, &tl);
	    smtp_release(st, session);
	    if (var_smtp_mxsess_limit > 0 && st->sessions >= var_smtp_mxsess_limit)
		break;
	}
    }
    smtp_addr_list_free(&list);
    smtp_trans_free(&tl);
    if (!st->requeued)				/* handed back: nothing to record */
	smtp_rcpt_finish(st);
}
