/*
 * bounce - per-message delivery status logs and delivery status notifications
 * DESCRIPTION
 *	Serves the bounce protocol (bounce_client.h) on private/bounce, one
 *	request per connection:
 *	- append: add a recipient record to bounce/ID or defer/ID
 *	  (bounce_append.c; format in bounce_log.h); a bounce record is on
 *	  disk before the answer, because the smtp client marks the recipient
 *	  done on that answer (docs/design.md invariant 3);
 *	- notify: send the non-delivery notices for bounce/ID, return an
 *	  expired message to its sender, or send a delay warning
 *	  (bounce_notify.c), composed as RFC 3464 reports (bounce_dsn.c) and
 *	  queued through cleanup; the routing rules that keep notices from
 *	  looping are in bounce_route.c.
 *	The answer is "status" (0 or 1) and "reason".
 * SECURITY
 *	Runs chrooted in the queue directory as mail_owner. Trusts its
 *	clients (other posthorn daemons, through private/) no further than
 *	the attribute limits; validates queue ids and queue names before
 *	they become paths; reads logs and queue files with bounded readers.
 * PARAMETERS
 *	notify_classes, bounce_notice_recipient, 2bounce_notice_recipient,
 *	delay_notice_recipient, bounce_size_limit, disable_verp_bounces,
 *	double_bounce_sender, maximal_queue_lifetime, bounce_queue_lifetime,
 *	myhostname, myorigin, mail_name, ipc_timeout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bounce.h"
#include "bounce_log.h"
#include "cfg_params.h"
#include "ios.h"
#include "msg.h"
#include "server.h"
#include "sockutil.h"

#define BOUNCE_REQ_ATTRS	32	/* attributes per request */

/* bounce_reply - the one answer */

static void bounce_reply(IOS *ios, int status, const char *reason)
{
    DSTR   *out = dstr_new(128);

    attr_put_long(out, "status", status);
    attr_put_str(out, "reason", reason);
    attr_put_end(out);
    /* A client that left first (qmgr on reload or stop) is routine: its
     * successor finds the result in the spool. */
    if ((ios_write(ios, dstr_str(out), dstr_len(out)) < 0 || ios_flush(ios) < 0)
	&& (ios_timedout(ios) || !sock_peer_closed(errno)))
	msg_warn("cannot send the answer to the client: %s",
		 ios_timedout(ios) ? "timeout" : "write error");
    dstr_free(out);
}

/* bounce_service - one request */

static void bounce_service(int fd, const char *service, char **argv)
{
    ATTR_LIST *req = attr_list_new();
    DSTR   *why = dstr_new(128);
    IOS    *ios = ios_open(fd);
    const char *request;
    int     err;
    int     ret;

    (void) service;
    (void) argv;
    ios_set_timeout(ios, var_ipc_timeout);
    if ((err = attr_read(ios, req, BOUNCE_LOG_ATTR_MAX, BOUNCE_REQ_ATTRS)) != ATTR_OK) {
	if (err != ATTR_ERR_EOF)
	    msg_warn("malformed request from client: %s", attr_strerror(err));
	goto out;				/* no answer: the client retries */
    }
    request = attr_get_str(req, "request");
    if (request != NULL && strcmp(request, BOUNCE_REQ_APPEND) == 0) {
	if ((ret = bounce_append(req, why)) < 0)
	    msg_warn("append request failed: %s", dstr_str(why));
    } else if (request != NULL && strcmp(request, BOUNCE_REQ_NOTIFY) == 0) {
	ret = bounce_notify_request(req, why);	/* logs its own failures */
    } else {
	dstr_sprintf(why, "unknown request \"%.40s\"", request ? request : "");
	msg_warn("%s", dstr_str(why));
	ret = -1;
    }
    bounce_reply(ios, ret < 0 ? BOUNCE_STAT_FAIL : BOUNCE_STAT_OK, ret < 0 ? dstr_str(why) : "");
out:
    ios_free(ios);
    attr_list_free(req);
    dstr_free(why);
}

/* main - the bounce daemon: the skeleton and one service function */

int     main(int argc, char **argv)
{
    static const SERVER_DESC desc = {
	.name = "bounce",
	.service = bounce_service,
    };

    server_main(argc, argv, &desc);
}
