/*
 * showq - list the mail queue, or its shape, for local users
 * DESCRIPTION
 *	posthorn queue connects to public/showq, sends one attribute list
 *	(format=json or text) and reads the answer: an attribute list
 *	(status 0, or 1 and a reason) and then the listing, as mailq.c makes
 *	it, until the connection closes. posthorn qshape does the same with
 *	format=shape or shape_json and the options qshape.h lists (queues,
 *	senders, top, buckets, minutes), and gets the table or JSON object
 *	qshape.c makes. This is Postfix's showq: the queue directories are
 *	mail_owner's alone, so a user who may list the queue does it through
 *	this daemon; the queue shape is shown to the same users.
 * SECURITY
 *	Anyone may connect; the kernel says who did (SO_PEERCRED). Root and
 *	mail_owner may always list, anyone else as authorized_mailq_users
 *	says (default: everyone, as in Postfix). The listing shows senders
 *	and recipients (the shape: their domains), nothing more; nothing a
 *	client sends changes the queue, and queue names it sends are checked
 *	against the four message queues before they become paths. Chrooted
 *	in the queue directory as mail_owner; a client that stops reading is
 *	dropped after SHOWQ_TIMEOUT seconds.
 * PARAMETERS
 *	authorized_mailq_users (static:anyone).
 */
#include <string.h>

#include "admin_proto.h"
#include "attr.h"
#include "cfg_params.h"
#include "ios.h"
#include "mailq.h"
#include "msg.h"
#include "qshape.h"
#include "server.h"
#include "sockcred.h"
#include "user_acl.h"

#define SHOWQ_TIMEOUT	60		/* seconds for any one read or write */

static USERLIST *showq_users;		/* authorized_mailq_users */

/* showq_answer - status and reason before the listing */

static void showq_answer(IOS *ios, int status, const char *reason)
{
    DSTR   *out = dstr_new(128);

    attr_put_long(out, ADMIN_ATTR_STATUS, status);
    attr_put_str(out, ADMIN_ATTR_REASON, reason);
    attr_put_end(out);
    (void) ios_write(ios, dstr_str(out), dstr_len(out));
    dstr_free(out);
}

/* showq_shape - the queue shape, if the request is sound */

static void showq_shape(IOS *ios, const ATTR_LIST *req)
{
    DSTR   *err = dstr_new(64);
    QSHAPE_OPTS opts;

    if (qshape_request_read(req, &opts, err) < 0) {
	showq_answer(ios, 1, dstr_str(err));
    } else {
	showq_answer(ios, 0, "");
	qshape_print(ios, &opts);
    }
    dstr_free(err);
}

/* showq_service - one listing */

static void showq_service(int fd, const char *service, char **argv)
{
    IOS    *ios = ios_open(fd);
    ATTR_LIST *req = attr_list_new();
    const char *format;
    SOCK_CRED cred;

    (void) service;
    (void) argv;
    ios_set_timeout(ios, SHOWQ_TIMEOUT);
    if (sockcred_peer(fd, &cred) < 0) {
	msg_warn("cannot tell who connected: %m");
    } else if (attr_read(ios, req, ATTR_MAX_LEN, 8) != ATTR_OK) {
	/* nothing asked, nothing shown */
    } else if (!user_acl_allows(showq_users, cred.uid)) {
	msg_warn("refusing to list the queue for uid %ld (pid %ld): not in authorized_mailq_users",
		 (long) cred.uid, (long) cred.pid);
	showq_answer(ios, 1, "permission denied: not in authorized_mailq_users");
    } else if (qshape_format(format = attr_get_str(req, ADMIN_ATTR_FORMAT))) {
	showq_shape(ios, req);
    } else {
	showq_answer(ios, 0, "");
	mailq_print(ios, format != NULL && strcmp(format, "json") == 0);
    }
    (void) ios_flush(ios);
    attr_list_free(req);
    ios_free(ios);
}

/* showq_pre_jail - the user list, while /etc/passwd is reachable */

static void showq_pre_jail(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    showq_users = user_acl_open("authorized_mailq_users", var_mailq_users);
}

int     main(int argc, char **argv)
{
    static const SERVER_DESC desc = {
	.name = "showq",
	.service = showq_service,
	.pre_jail = showq_pre_jail,
    };

    server_main(argc, argv, &desc);
}
