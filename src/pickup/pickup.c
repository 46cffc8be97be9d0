/*
 * pickup - local submission: mail from sendmail, from the user the kernel names
 * DESCRIPTION
 *	posthorn sendmail (run by any local user, cron, at, scripts)
 *	connects to public/pickup and submits one message (submit_proto.h).
 *	pickup asks the kernel who connected (SO_PEERCRED), decides whether
 *	that user may submit (authorized_submit_users) and with which
 *	envelope sender (by default the user's own, LOGIN@$myorigin; another
 *	only as local_login_sender_maps allows; root and mail_owner any),
 *	answers at once, then streams the message to cleanup with a
 *	Received: header in front that names the uid, and logs
 *	"ID: uid=N from=<sender>". cleanup adds From: (with sendmail -F's
 *	full name), Date: and Message-Id: where they are missing, and
 *	answers only once the queue file is durable; pickup relays that
 *	answer. This is Postfix's postdrop and pickup in one, without a
 *	set-gid program or a world-writable maildrop directory.
 * SECURITY
 *	Anyone may connect; nothing the client says about itself is
 *	believed. Chrooted in the queue directory as mail_owner: the login
 *	names are read before the chroot (pwsnap), so an account made later
 *	is unknown until the process is replaced; it is then told to try
 *	again (the process exits after answering, and master starts a fresh
 *	one). Every read has PICKUP_TIMEOUT; the content stops at
 *	message_size_limit, the recipients at SUBMIT_RCPT_LIMIT, each at
 *	QFILE_ENV_LIMIT bytes with no control characters.
 * PARAMETERS
 *	authorized_submit_users (static:anyone), local_login_sender_maps
 *	(empty), message_size_limit, myorigin, myhostname, mail_name,
 *	ipc_timeout.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pickup.h"
#include "attr.h"
#include "cfg_params.h"
#include "cleanup_client.h"
#include "ios.h"
#include "mailaddr.h"
#include "msg.h"
#include "netstring.h"
#include "pwsnap.h"
#include "qfile.h"
#include "qid.h"
#include "server.h"
#include "sockcred.h"
#include "submit_proto.h"
#include "timefmt.h"
#include "user_acl.h"

#define PICKUP_TIMEOUT		300	/* seconds for any one read or write */
#define PICKUP_NAME_MAX		256	/* bytes of a full name passed on */

static USERLIST *pickup_users;		/* authorized_submit_users */
static DICT_LIST *pickup_senders;	/* local_login_sender_maps */
static PWSNAP *pickup_accounts;		/* login names, read before chroot */
static int pickup_stale;		/* an unknown uid came: exit after it */

typedef struct PICKUP_STATE {
    IOS    *ios;
    SOCK_CRED cred;
    const char *login;
    char    qid[QID_SIZE];
    DSTR   *sender;			/* as given or defaulted, not canonical */
    DSTR   *full_name;
    DSTR   *buf;
    DSTR   *reason;
    CLEANUP_CLIENT *cl;
    int     status;			/* SUBMIT_STAT_* */
} PICKUP_STATE;

/* pickup_answer - one attribute list to the client */

static void pickup_answer(PICKUP_STATE *st, int status, const char *reason, const char *qid)
{
    DSTR   *out = dstr_new(128);

    attr_put_long(out, SUBMIT_ATTR_STATUS, status);
    attr_put_str(out, SUBMIT_ATTR_REASON, reason);
    if (qid)
	attr_put_str(out, SUBMIT_ATTR_QUEUE_ID, qid);
    attr_put_end(out);
    (void) ios_write(st->ios, dstr_str(out), dstr_len(out));
    (void) ios_flush(st->ios);
    dstr_free(out);
}

/* pickup_clean_text - no control characters, at most max bytes */

static int pickup_clean_text(const char *text, size_t max)
{
    const unsigned char *cp;

    if (strlen(text) > max)
	return (0);
    for (cp = (const unsigned char *) text; *cp; cp++)
	if (*cp < 0x20 || *cp == 0x7f)
	    return (0);
    return (1);
}

/* pickup_sender_arg - sendmail's -f value: "<addr>" or "<>" as well as addr */

static void pickup_sender_arg(DSTR *out, const char *given)
{
    size_t  len = strlen(given);

    if (len >= 2 && given[0] == '<' && given[len - 1] == '>')
	dstr_memcpy(out, given + 1, len - 2);
    else
	dstr_strcpy(out, given);
}

/* pickup_decide - steps 1 and 2: who, may they, with which sender; 0 to go on */

static int pickup_decide(PICKUP_STATE *st, ATTR_LIST *attrs)
{
    const char *given;
    const char *name;
    int     err;

    if ((err = attr_read(st->ios, attrs, ATTR_MAX_LEN, 4)) != ATTR_OK) {
	if (err != ATTR_ERR_EOF)
	    msg_warn("uid=%ld: malformed request: %s", (long) st->cred.uid, attr_strerror(err));
	return (-1);
    }
    given = attr_get_str(attrs, SUBMIT_ATTR_SENDER);
    name = attr_get_str(attrs, SUBMIT_ATTR_FULL_NAME);
    if ((st->login = pwsnap_name(pickup_accounts, st->cred.uid)) == NULL) {
	msg_warn("uid=%ld: no login name for this user ID (a new account?): asked to retry",
		 (long) st->cred.uid);
	pickup_stale = 1;
	pickup_answer(st, SUBMIT_STAT_DEFER, "no login name for your user ID yet: try again", NULL);
	return (-1);
    }
    if (!user_acl_allows(pickup_users, st->cred.uid)) {
	msg_warn("uid=%ld: user %s may not submit mail: not in authorized_submit_users",
		 (long) st->cred.uid, st->login);
	pickup_answer(st, SUBMIT_STAT_NOPERM,
		      "you may not submit mail: not in authorized_submit_users", NULL);
	return (-1);
    }
    if ((given && !pickup_clean_text(given, QFILE_ENV_LIMIT / 2))
	|| (name && !pickup_clean_text(name, PICKUP_NAME_MAX))) {
	msg_warn("uid=%ld: control characters or too long a sender or full name", (long) st->cred.uid);
	pickup_answer(st, SUBMIT_STAT_REJECT,
		      "malformed sender address or full name (control characters, or too long)", NULL);
	return (-1);
    }
    if (given == NULL) {
	dstr_strcpy(st->sender, st->login);
    } else {
	pickup_sender_arg(st->sender, given);
	if (!user_acl_privileged(st->cred.uid)
	    && !pickup_sender_allowed(pickup_senders, st->login, dstr_str(st->sender))) {
	    msg_warn("uid=%ld: user %s may not use the sender address <%s>: see local_login_sender_maps",
		     (long) st->cred.uid, st->login, dstr_str(st->sender));
	    dstr_sprintf(st->reason, "you (%s) may not use the sender address <%s>",
			 st->login, dstr_str(st->sender));
	    pickup_answer(st, SUBMIT_STAT_NOPERM, dstr_str(st->reason), NULL);
	    return (-1);
	}
    }
    dstr_strcpy(st->full_name, name ? name : "");
    pickup_answer(st, SUBMIT_STAT_GO, "", NULL);
    return (ios_failed(st->ios) ? -1 : 0);
}

/* pickup_open_cleanup - the queue id, the envelope sender, Received: */

static int pickup_open_cleanup(PICKUP_STATE *st)
{
    DSTR   *canon = dstr_new(64);
    DSTR   *hdr = dstr_new(256);

    qid_new(st->qid);
    mailaddr_canonical(canon, dstr_str(st->sender));
    msg_info("%s: uid=%ld from=<%s>", st->qid, (long) st->cred.uid, dstr_str(canon));
    if ((st->cl = cleanup_client_open(CLEANUP_SERVICE, var_ipc_timeout)) == NULL) {
	msg_warn("%s: connect to %s: %m", st->qid, CLEANUP_SERVICE);
	dstr_free(canon);
	dstr_free(hdr);
	return (-1);
    }
    cleanup_client_attr(st->cl, "queue_id", st->qid);
    cleanup_client_attr(st->cl, "protocol", "local");
    if (dstr_len(st->full_name))
	cleanup_client_attr(st->cl, SUBMIT_ATTR_FULL_NAME, dstr_str(st->full_name));
    cleanup_client_sender(st->cl, dstr_str(canon), NULL);
    dstr_sprintf(hdr, "Received: by %s (%s, uid=%ld)\n\tid %s; ",
		 var_myhostname, var_mail_name, (long) st->cred.uid, st->qid);
    timefmt_rfc5322(hdr, time((time_t *) 0));
    dstr_catc(hdr, '\n');
    cleanup_client_content(st->cl, dstr_str(hdr), dstr_len(hdr));
    dstr_free(canon);
    dstr_free(hdr);
    return (0);
}

/* pickup_content - step 3, the message: 0, or -1 with status and reason set */

static int pickup_content(PICKUP_STATE *st)
{
    long    total = 0;
    int     err;

    for (;;) {
	if ((err = netstring_get(st->ios, st->buf, SUBMIT_CHUNK)) != 0) {
	    msg_warn("%s: uid=%ld: reading the message: %s", st->qid,
		     (long) st->cred.uid, netstring_strerror(err));
	    return (-1);
	}
	if (dstr_len(st->buf) == 0)
	    return (0);
	total += (long) dstr_len(st->buf);
	if (var_message_limit > 0 && total > var_message_limit) {
	    msg_warn("%s: uid=%ld: message rejected: message_size_limit %ld exceeded",
		     st->qid, (long) st->cred.uid, var_message_limit);
	    st->status = SUBMIT_STAT_REJECT;
	    dstr_strcpy(st->reason, "message file too big");
	    return (-1);
	}
	cleanup_client_content(st->cl, dstr_str(st->buf), dstr_len(st->buf));
    }
}

/* pickup_recipients - step 3, the envelope: 0, or -1 (status set when answerable) */

static int pickup_recipients(PICKUP_STATE *st)
{
    int     count = 0;
    int     err;

    for (;;) {
	if ((err = netstring_get(st->ios, st->buf, QFILE_ENV_LIMIT)) != 0) {
	    msg_warn("%s: uid=%ld: reading recipients: %s", st->qid,
		     (long) st->cred.uid, netstring_strerror(err));
	    return (-1);
	}
	if (dstr_len(st->buf) == 0 && count > 0)
	    return (0);
	if (dstr_len(st->buf) == 0)
	    dstr_strcpy(st->reason, "no recipients specified");
	else if (++count > SUBMIT_RCPT_LIMIT)
	    dstr_sprintf(st->reason, "more than %d recipients", SUBMIT_RCPT_LIMIT);
	else if (!pickup_clean_text(dstr_str(st->buf), QFILE_ENV_LIMIT)
		 || memchr(dstr_str(st->buf), 0, dstr_len(st->buf)) != NULL)
	    dstr_strcpy(st->reason, "malformed recipient address");
	else
	    DSTR_RESET(st->reason);
	if (dstr_len(st->reason)) {
	    st->status = SUBMIT_STAT_REJECT;
	    msg_warn("%s: uid=%ld: %s", st->qid, (long) st->cred.uid, dstr_str(st->reason));
	    return (-1);
	}
	cleanup_client_rcpt(st->cl, dstr_str(st->buf));
    }
}

/* pickup_submit - step 3 and 4 */

static void pickup_submit(PICKUP_STATE *st)
{
    DSTR   *qid = dstr_new(QID_SIZE);

    if (pickup_open_cleanup(st) < 0) {
	pickup_answer(st, SUBMIT_STAT_DEFER, "mail system unavailable: cannot reach cleanup", NULL);
    } else if (pickup_content(st) == 0 && pickup_recipients(st) == 0) {
	st->status = cleanup_client_finish(st->cl, st->reason, qid);
	if (st->status != SUBMIT_STAT_OK)
	    msg_info("%s: uid=%ld: not queued: %s", st->qid, (long) st->cred.uid,
		     dstr_str(st->reason));
	pickup_answer(st, st->status, dstr_str(st->reason), dstr_len(qid) ? dstr_str(qid) : st->qid);
    } else if (st->status != SUBMIT_STAT_OK) {	/* refused: say why; cleanup drops its file */
	pickup_answer(st, st->status, dstr_str(st->reason), NULL);
    }
    if (st->cl)
	cleanup_client_close(st->cl);
    dstr_free(qid);
}

/* pickup_service - one submission */

static void pickup_service(int fd, const char *service, char **argv)
{
    ATTR_LIST *attrs = attr_list_new();
    PICKUP_STATE st;

    (void) service;
    (void) argv;
    memset(&st, 0, sizeof(st));
    st.ios = ios_open(fd);
    ios_set_timeout(st.ios, PICKUP_TIMEOUT);
    st.sender = dstr_new(64);
    st.full_name = dstr_new(64);
    st.buf = dstr_new(SUBMIT_CHUNK);
    st.reason = dstr_new(64);
    if (sockcred_peer(fd, &st.cred) < 0)
	msg_warn("cannot tell who connected: %m");
    else if (pickup_decide(&st, attrs) == 0)
	pickup_submit(&st);
    attr_list_free(attrs);
    dstr_free(st.sender);
    dstr_free(st.full_name);
    dstr_free(st.buf);
    dstr_free(st.reason);
    ios_free(st.ios);
    if (pickup_stale)
	exit(0);			/* a fresh process reads the accounts again */
}

/* pickup_pre_jail - accounts and tables, while they are reachable */

static void pickup_pre_jail(const char *service, char **argv)
{
    DSTR   *err = dstr_new(128);

    (void) service;
    (void) argv;
    pickup_users = user_acl_open("authorized_submit_users", var_submit_users);
    if ((pickup_senders = dict_list_open(var_login_sender_maps, err)) == NULL)
	msg_fatal("parameter local_login_sender_maps: %s", dstr_str(err));
    pickup_accounts = pwsnap_load();
    dstr_free(err);
}

int     main(int argc, char **argv)
{
    static const SERVER_DESC desc = {
	.name = "pickup",
	.service = pickup_service,
	.pre_jail = pickup_pre_jail,
    };

    server_main(argc, argv, &desc);
}
