/*
 * smtp_result - record what happened to each recipient
 * DESCRIPTION
 *	Every recipient of a request ends in exactly one of three ways, each
 *	recorded before smtp answers the queue manager (docs/design.md
 *	invariant 3): sent (marked done in the queue file, no fsync: a crash may repeat
 *	a delivery, never lose one), bounced (the reason durable in the
 *	bounce log first, then marked done; if the bounce service cannot take
 *	it, the recipient is deferred instead), or deferred (the reason in the
 *	defer log, the recipient left pending). Each gets its delivery log
 *	line. soft_bounce = yes turns bounces into deferrals.
 *
 *	A failure of the whole destination (DNS, every server refused, a
 *	session that timed out or broke) is kept as a "site" failure while
 *	other servers are tried, and applied to the recipients still pending
 *	at the end; when it was temporary and no transaction with any server
 *	completed, it is also reported to the queue manager as the hop
 *	status, negative feedback for the destination (docs/scheduler.md
 *	§3.3). A transaction counts as completed when the server answered it
 *	to the end, whatever it said: then the destination works.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtp.h"
#include "bounce_client.h"
#include "cfg_params.h"
#include "msg.h"
#include "qfile.h"
#include "mymalloc.h"
#include "timefmt.h"

/* smtp_state_new - per-request state */

SMTP_STATE *smtp_state_new(DELIVER_REQUEST *req)
{
    SMTP_STATE *st = mycalloc(1, sizeof(*st));

    st->req = req;
    st->qfd = -1;
    st->label = dstr_new(64);
    st->rcpt_state = mycalloc(req->nrcpt ? req->nrcpt : 1, sizeof(int));
    st->pending = req->nrcpt;
    st->status = DELIVER_STAT_OK;
    st->times.arrival = req->arrival_time;
    st->times.active = req->active_time;
    st->site_dsn = dstr_new(16);
    st->site_reason = dstr_new(128);
    st->site_relay = dstr_new(64);
    st->site_mta = dstr_new(64);
    st->site_diag = dstr_new(128);
    st->hop_status = dstr_new(16);
    st->hop_reason = dstr_new(128);
    st->mx_group = dstr_new(32);
    st->buf = dstr_new(256);
    return (st);
}

/* smtp_state_free - release, closing the queue file (and its lock) */

void    smtp_state_free(SMTP_STATE *st)
{
    if (st->qfd >= 0)
	(void) close(st->qfd);
    smtp_nexthop_free(&st->hop);
    smtp_tls_state_free(st);
    dstr_free(st->label);
    free(st->rcpt_state);
    dstr_free(st->site_dsn);
    dstr_free(st->site_reason);
    dstr_free(st->site_relay);
    dstr_free(st->site_mta);
    dstr_free(st->site_diag);
    dstr_free(st->hop_status);
    dstr_free(st->hop_reason);
    dstr_free(st->mx_group);
    dstr_free(st->buf);
    free(st);
}

/* smtp_rcpt_done - one fewer pending recipient */

static void smtp_rcpt_done(SMTP_STATE *st, size_t i)
{
    if (st->rcpt_state[i] != SMTP_RCPT_PENDING)
	msg_panic("%s: recipient %zu finished twice", __func__, i);
    st->rcpt_state[i] = SMTP_RCPT_DONE;
    st->pending--;
}

/* smtp_rcpt_sent - the server took the message for recipient i */

void    smtp_rcpt_sent(SMTP_STATE *st, size_t i, const SMTP_SESSION *session,
		               const SMTP_REPLY *reply)
{
    const DELIVER_RCPT *rcpt = st->req->rcpts + i;

    if (qfile_mark_done(st->qfd, rcpt->offset) < 0) {
	msg_warn("%s: cannot mark recipient %s done: %m -- it will be delivered again",
		 st->req->queue_id, rcpt->address);
	st->status = DELIVER_STAT_DEFER;
    }
    st->times.done = timefmt_now();
    delivery_log(st->req->queue_id, rcpt->address, dstr_str(session->relay),
		 session->use_count, &st->times, reply->dsn, "sent",
		 smtp_reply_str(reply, st->buf));
    st->nsent++;
    smtp_rcpt_done(st, i);
}

/* smtp_rcpt_fail - recipient i failed, for good or for now */

void    smtp_rcpt_fail(SMTP_STATE *st, size_t i, int class, const char *dsn,
		               const char *relay, const char *mta, const char *diag,
		               const char *reason, int conn_use)
{
    const DELIVER_RCPT *rcpt = st->req->rcpts + i;
    DSTR   *err = dstr_new(64);
    BOUNCE_RCPT br;
    char    status[16];

    strncpy(status, dsn, sizeof(status) - 1);
    status[sizeof(status) - 1] = 0;
    if (class == SMTP_BOUNCE && var_soft_bounce) {
	class = SMTP_DEFER;
	smtp_dsn_soften(status);
    }
    br.address = rcpt->address;
    br.offset = rcpt->offset;
    br.status = status;
    br.remote_mta = mta;
    br.diagnostic = diag;
    br.reason = reason;
    st->times.done = timefmt_now();
    if (class == SMTP_BOUNCE) {
	br.action = "failed";
	if (bounce_log(BOUNCE_LOG_BOUNCE, st->req->queue_id, &br, err) == 0) {
	    if (qfile_mark_done(st->qfd, rcpt->offset) < 0) {
		msg_warn("%s: cannot mark recipient %s done: %m", st->req->queue_id,
			 rcpt->address);
		st->status = DELIVER_STAT_DEFER;
	    }
	    delivery_log(st->req->queue_id, rcpt->address, relay, conn_use, &st->times,
			 status, "bounced", reason);
	    st->nbounced++;
	    smtp_rcpt_done(st, i);
	    dstr_free(err);
	    return;
	}
	msg_warn("%s: bounce log for %s: %s -- deferring instead", st->req->queue_id,
		 rcpt->address, dstr_str(err));
	smtp_dsn_soften(status);
    }
    br.action = "delayed";
    if (bounce_log(BOUNCE_LOG_DEFER, st->req->queue_id, &br, err) < 0)
	msg_warn("%s: defer log for %s: %s", st->req->queue_id, rcpt->address, dstr_str(err));
    delivery_log(st->req->queue_id, rcpt->address, relay, conn_use, &st->times,
		 status, "deferred", reason);
    st->status = DELIVER_STAT_DEFER;
    st->ndeferred++;
    smtp_rcpt_done(st, i);
    dstr_free(err);
}

/* smtp_site_fail - remember a failure that concerns every pending recipient */

void    smtp_site_fail(SMTP_STATE *st, int class, int hop, const char *dsn,
		               const char *relay, const char *mta, const char *diag,
		               const char *reason)
{
    st->site_class = class;
    st->site_hop = hop;
    dstr_strcpy(st->site_dsn, dsn);
    dstr_strcpy(st->site_reason, reason);
    dstr_strcpy(st->site_relay, relay);
    dstr_strcpy(st->site_mta, mta);
    if (*diag)
	dstr_strcpy(st->site_diag, diag);
    else
	dstr_sprintf(st->site_diag, "X-Postfix; %s", reason);
}

/* smtp_site_final - a failure that ends the delivery for every pending recipient */

void    smtp_site_final(SMTP_STATE *st, int class, const char *dsn, const char *relay,
			        const char *reason)
{
    smtp_site_fail(st, class, 0, dsn, relay, "", "", reason);
    smtp_rcpt_finish(st);
}

/* smtp_rcpt_finish - the site failure for whoever is still pending; hop status */

void    smtp_rcpt_finish(SMTP_STATE *st)
{
    size_t  i;

    if (st->pending > 0) {
	if (st->site_class == SMTP_OK)		/* cannot happen: be safe anyway */
	    smtp_site_fail(st, SMTP_DEFER, 0, "4.3.0", "none", "", "",
			   "mail system error: no delivery result");
	for (i = 0; i < st->req->nrcpt; i++)
	    if (st->rcpt_state[i] == SMTP_RCPT_PENDING)
		smtp_rcpt_fail(st, i, st->site_class, dstr_str(st->site_dsn),
			       dstr_str(st->site_relay), dstr_str(st->site_mta),
			       dstr_str(st->site_diag), dstr_str(st->site_reason), 0);
    }

    /*
     * Even when no recipient is left for it (a session that timed out
     * after "." deferred its own), the destination failed: say so.
     */
    if (st->site_hop && st->site_class == SMTP_DEFER && st->completed == 0
	&& st->status == DELIVER_STAT_DEFER) {
	dstr_strcpy(st->hop_status, dstr_str(st->site_dsn));
	dstr_strcpy(st->hop_reason, dstr_str(st->site_reason));
    }
}
