/*
 * admin_client - ask the running queue manager (hold ... status, metrics)
 * DESCRIPTION
 *	An admin request travels as one datagram to public/qmgr carrying
 *	one end of a socket pair; qmgr checks the sender's uid from the
 *	kernel and answers on the pair: status, count, reason, then for
 *	"status" its report (docs/design.md, "Sockets and who may reach
 *	each"). posthorn's commands and the metrics listener ask this way.
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "admin_client.h"
#include "admin_proto.h"
#include "attr.h"
#include "fdpass.h"
#include "ios.h"
#include "msg.h"

#define ADMIN_REPLY_TIMEOUT	30	/* seconds for qmgr's whole answer */
#define ADMIN_BODY_LIMIT	(256 * 1024 * 1024)	/* a status report, at most */

/* admin_client_read - the answer: status, count, reason, then the body */

static int admin_client_read(int sock, DSTR *body, DSTR *why)
{
    IOS    *ios = ios_open(sock);
    ATTR_LIST *reply = attr_list_new();
    long    status = 1;
    long    count = -1;
    char    buf[8192];
    ssize_t n;
    int     rc;

    ios_set_deadline(ios, ADMIN_REPLY_TIMEOUT);
    if ((rc = attr_read(ios, reply, ATTR_MAX_LEN, 8)) != ATTR_OK) {
	dstr_sprintf(why, "no answer from the queue manager: %s", attr_strerror(rc));
    } else if (attr_get_long(reply, ADMIN_ATTR_STATUS, &status, 0, 1) < 0
	       || attr_get_long(reply, ADMIN_ATTR_COUNT, &count, 0, 0x7fffffff) < 0) {
	dstr_strcpy(why, "malformed answer from the queue manager");
	count = -1;
    } else if (status != 0) {
	dstr_sprintf(why, "queue manager: %s", attr_get_str(reply, ADMIN_ATTR_REASON) ?
		     attr_get_str(reply, ADMIN_ATTR_REASON) : "request failed");
	count = -1;
    } else if (attr_get_str(reply, ADMIN_ATTR_REASON))
	dstr_strcpy(why, attr_get_str(reply, ADMIN_ATTR_REASON));
    while (count >= 0 && body != NULL && (n = ios_read(ios, buf, sizeof(buf))) > 0) {
	if (dstr_len(body) + (size_t) n > ADMIN_BODY_LIMIT) {
	    dstr_strcpy(why, "answer from the queue manager too long");
	    count = -1;
	    break;
	}
	dstr_cat(body, buf, (size_t) n);
    }
    if (count >= 0 && body != NULL && (ios->flags & (IOS_FLAG_ERR | IOS_FLAG_TIMEOUT))) {
	dstr_strcpy(why, "answer from the queue manager cut short");
	count = -1;
    }
    attr_list_free(reply);
    ios_free(ios);
    return ((int) count);
}

/* admin_client_ask - see admin_client.h */

int     admin_client_ask(const char *qmgr_path, const DSTR *req, DSTR *body, DSTR *why)
{
    int     sv[2];
    int     count = -1;

    DSTR_RESET(why);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
	dstr_sprintf(why, "socketpair: %m");
	return (-1);
    }
    if (fdpass_send_to(qmgr_path, dstr_str(req), dstr_len(req), sv[1]) < 0) {
	dstr_sprintf(why, "cannot reach the queue manager (%s): %m", qmgr_path);
	(void) close(sv[1]);
    } else {
	(void) close(sv[1]);			/* qmgr holds the only other end */
	count = admin_client_read(sv[0], body, why);
    }
    (void) close(sv[0]);
    return (count);
}

/* admin_client_report - see admin_client.h */

int     admin_client_report(const char *qmgr_path, const char *format, DSTR *body, DSTR *why)
{
    DSTR   *req = dstr_new(128);
    int     ret;

    attr_put_str(req, ADMIN_ATTR_REQUEST, "status");
    attr_put_str(req, ADMIN_ATTR_FORMAT, format);
    attr_put_end(req);
    ret = admin_client_ask(qmgr_path, req, body, why) < 0 ? -1 : 0;
    dstr_free(req);
    return (ret);
}
