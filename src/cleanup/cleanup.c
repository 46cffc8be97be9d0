/*
 * cleanup - canonicalize a message and write it durably into the spool
 * DESCRIPTION
 *	Serves the cleanup protocol (cleanup_client.h) on private/cleanup:
 *	reads attributes, content and envelope, writes the queue file as it
 *	streams in (cleanup_header.c looks at the header section), and answers
 *	only after the file is complete and durable: write, write the data
 *	out, rename from tmp/ into incoming/, and a syncfs shared with the
 *	other cleanups committing now (gcommit.c; alone: fsync the file and
 *	incoming/) (docs/design.md invariants 1 and 2, "Group commit").
 *	Then it wakes qmgr with an "I" trigger; a qmgr that is not running is
 *	no error, the file waits in incoming/. Unqualified envelope addresses
 *	get "@$myorigin". Missing Message-Id:, Date: and (when the sender is
 *	known in time) From: headers are added. A stream whose request got
 *	its answer may carry the next one (qmqpd keeps its stream), so one
 *	connection can bring many messages. With dkim_signing_table set,
 *	the message is DKIM-signed on the way (cleanup_dkim.c); the keys are
 *	read as root before the chroot.
 * SECURITY
 *	Runs chrooted in the queue directory as mail_owner; trusts only other
 *	posthorn daemons, and still bounds everything they send.
 * PARAMETERS
 *	message_size_limit, hopcount_limit, header_size_limit, myhostname,
 *	myorigin, ipc_timeout, dkim_key_table, dkim_signing_table,
 *	dkim_sign_headers, dkim_oversign_headers, dkim_canonicalization,
 *	dkim_signature_ttl, smtp_line_length_limit (what smtp will send).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "attr.h"
#include "cfg.h"
#include "cfg_params.h"
#include "cleanup_client.h"
#include "dict.h"
#include "ios.h"
#include "mailaddr.h"
#include "msg.h"
#include "mymalloc.h"
#include "netstring.h"
#include "qid.h"
#include "server.h"
#include "spool.h"
#include "trigger.h"
#include "watchdog.h"

#define CLEANUP_ADDR_LIMIT	QFILE_ENV_LIMIT

static int cleanup_tmp_dirfd = -1;
static int cleanup_incoming_dirfd = -1;
static GCOMMIT *cleanup_gcommit;		/* NULL: each commit syncs alone */

typedef struct CLEANUP_STATE {
    IOS    *ios;
    char    qid[QID_SIZE];
    QFILE_OUT *out;
    CLEANUP_HDR *hdr;
    CLEANUP_DKIM *dkim;			/* NULL: not signing */
    int     dkim_failed;
    DSTR   *buf;
    DSTR   *addr;
    DSTR   *sender;
    int     have_sender;
    char    verp[3];
    int     nrcpt;
    int     status;			/* CLEANUP_STAT_* */
    DSTR   *reason;
} CLEANUP_STATE;

/* cleanup_reply - the one answer */

static void cleanup_reply(CLEANUP_STATE *st)
{
    DSTR   *out = dstr_new(128);

    attr_put_long(out, "status", st->status);
    attr_put_str(out, "reason", dstr_str(st->reason));
    attr_put_str(out, "queue_id", st->qid);
    attr_put_end(out);
    (void) ios_write(st->ios, dstr_str(out), dstr_len(out));
    (void) ios_flush(st->ios);
    dstr_free(out);
}

/* cleanup_set_sender - remember the (canonical) sender and VERP delimiters */

static int cleanup_set_sender(CLEANUP_STATE *st, const ATTR_LIST *attrs)
{
    const char *sender = attr_get_str(attrs, "sender");
    const char *verp = attr_get_str(attrs, "verp_delimiters");

    if (sender == NULL)
	return (0);
    if (verp && strlen(verp) != 2) {
	msg_warn("%s: bad verp_delimiters attribute from client", st->qid);
	return (-1);
    }
    mailaddr_canonical(st->sender, sender);
    strcpy(st->verp, verp ? verp : "");
    st->have_sender = 1;
    return (0);
}

/* cleanup_header_attrs - part 1 of the request */

static int cleanup_header_attrs(CLEANUP_STATE *st, ATTR_LIST *attrs)
{
    static const char *const keep[] = {
	"protocol", "client_name", "client_address", "client_port", 0,
    };
    const char *val;
    const char *const *kp;
    struct timeval tv;
    int     err;

    if ((err = attr_read(st->ios, attrs, ATTR_MAX_LEN, 64)) != ATTR_OK) {
	if (err != ATTR_ERR_EOF)
	    msg_warn("malformed request from client: %s", attr_strerror(err));
	return (-1);
    }
    if ((val = attr_get_str(attrs, "queue_id")) != NULL && qid_valid(val))
	strcpy(st->qid, val);
    else
	qid_new(st->qid);
    if (cleanup_set_sender(st, attrs) < 0)
	return (-1);
    st->out = qfile_out_new(cleanup_tmp_dirfd, st->qid, var_message_limit);
    qfile_out_group(st->out, cleanup_gcommit);
    gettimeofday(&tv, NULL);
    qfile_out_time(st->out, (long) tv.tv_sec, (long) tv.tv_usec);
    for (kp = keep; *kp; kp++)
	if ((val = attr_get_str(attrs, *kp)) != NULL)
	    qfile_out_attr(st->out, *kp, val);
    st->dkim = cleanup_dkim_new(st->out, st->qid);
    st->hdr = cleanup_hdr_new(st->out, st->dkim, st->qid,
			      st->have_sender ? dstr_str(st->sender) : NULL,
			      var_hopcount_limit, (size_t) var_header_limit);
    if ((val = attr_get_str(attrs, "full_name")) != NULL)	/* from pickup */
	cleanup_hdr_full_name(st->hdr, val);
    return (0);
}

/* cleanup_content - part 2: the message */

static int cleanup_content(CLEANUP_STATE *st)
{
    int     err;

    for (;;) {
	if ((err = netstring_get(st->ios, st->buf, CLEANUP_CHUNK)) != 0) {
	    msg_warn("%s: reading content from client: %s", st->qid, netstring_strerror(err));
	    return (-1);
	}
	if (dstr_len(st->buf) == 0)
	    break;
	cleanup_hdr_feed(st->hdr, dstr_str(st->buf), dstr_len(st->buf));
    }
    cleanup_hdr_finish(st->hdr);
    if (st->dkim && cleanup_dkim_finish(st->dkim, st->reason) < 0) {
	msg_warn("%s: DKIM signing failed: %s", st->qid, dstr_str(st->reason));
	st->dkim_failed = 1;
    }
    return (0);
}

/* cleanup_envelope - parts 3 and 4: sender and recipients */

static int cleanup_envelope(CLEANUP_STATE *st, ATTR_LIST *attrs)
{
    int     err;

    if ((err = attr_read(st->ios, attrs, ATTR_MAX_LEN, 16)) != ATTR_OK) {
	msg_warn("%s: reading envelope from client: %s", st->qid, attr_strerror(err));
	return (-1);
    }
    if (cleanup_set_sender(st, attrs) < 0)
	return (-1);
    if (!st->have_sender) {
	msg_warn("%s: client sent no sender", st->qid);
	return (-1);
    }
    qfile_out_sender(st->out, dstr_str(st->sender));
    if (st->verp[0])
	qfile_out_verp(st->out, st->verp);
    if (var_delay_warn_time > 0)
	qfile_out_warn(st->out, (long) time((time_t *) 0) + var_delay_warn_time);
    if (st->dkim)
	cleanup_dkim_record(st->dkim, st->out);
    for (;;) {
	if ((err = netstring_get(st->ios, st->buf, CLEANUP_ADDR_LIMIT)) != 0) {
	    msg_warn("%s: reading recipients from client: %s", st->qid, netstring_strerror(err));
	    return (-1);
	}
	if (dstr_len(st->buf) == 0)
	    return (0);
	if (memchr(dstr_str(st->buf), 0, dstr_len(st->buf)) != NULL) {
	    msg_warn("%s: NUL byte in recipient from client", st->qid);
	    return (-1);
	}
	mailaddr_canonical(st->addr, dstr_str(st->buf));
	qfile_out_rcpt(st->out, dstr_str(st->addr));
	st->nrcpt++;
    }
}

/* cleanup_verdict - decide, write the file if accepted */

static void cleanup_verdict(CLEANUP_STATE *st)
{
    int     qstat = qfile_out_status(st->out);
    int     saved;

    if (*cleanup_hdr_message_id(st->hdr))
	msg_info("%s: message-id=%s", st->qid, cleanup_hdr_message_id(st->hdr));
    if (st->nrcpt == 0) {
	st->status = CLEANUP_STAT_REJECT;
	dstr_strcpy(st->reason, "no recipients specified");
    } else if (cleanup_hdr_too_many_hops(st->hdr)) {
	st->status = CLEANUP_STAT_REJECT;
	dstr_strcpy(st->reason, "too many hops");
	msg_warn("%s: message rejected: hopcount exceeded", st->qid);
    } else if (qstat == QFILE_ERR_SIZE) {
	st->status = CLEANUP_STAT_REJECT;
	dstr_strcpy(st->reason, "message file too big");
	msg_warn("%s: message rejected: message_size_limit %ld exceeded",
		 st->qid, var_message_limit);
    } else if (st->dkim_failed) {
	/* The file holds a placeholder where the signature should be. */
	st->status = CLEANUP_STAT_DEFER;
	dstr_strcpy(st->reason, "DKIM signing failed");
    } else if (qstat == QFILE_ERR_WRITE) {
	st->status = CLEANUP_STAT_DEFER;
	dstr_strcpy(st->reason, "queue file write error");
	msg_warn("%s: queue file write error: %s", st->qid,
		 strerror(qfile_out_errno(st->out)));
    } else {
	qstat = qfile_out_commit(st->out, cleanup_incoming_dirfd, st->qid);
	saved = errno;
	st->out = NULL;
	if (qstat == QFILE_OK) {
	    st->status = CLEANUP_STAT_OK;
	    if (trigger_send(TRIGGER_QMGR_SERVICE, "I", 1) < 0 && msg_verbose)
		msg_info("%s: trigger qmgr: %m", st->qid);
	    return;
	}
	st->status = CLEANUP_STAT_DEFER;
	dstr_strcpy(st->reason, "queue file write error");
	msg_warn("%s: queue file write error: %s", st->qid, strerror(saved));
	return;
    }
    qfile_out_abort(st->out);
    st->out = NULL;
}

/* cleanup_request - one request on the stream; 0 when it got its reply */

static int cleanup_request(IOS *ios)
{
    CLEANUP_STATE st;
    ATTR_LIST *attrs = attr_list_new();
    int     answered = 0;

    memset(&st, 0, sizeof(st));
    st.ios = ios;
    st.buf = dstr_new(CLEANUP_CHUNK);
    st.addr = dstr_new(64);
    st.sender = dstr_new(64);
    st.reason = dstr_new(64);
    if (cleanup_header_attrs(&st, attrs) == 0
	&& cleanup_content(&st) == 0
	&& cleanup_envelope(&st, attrs) == 0) {
	cleanup_verdict(&st);
	cleanup_reply(&st);
	answered = !ios_failed(ios);
    }
    if (st.out)					/* the request broke off */
	qfile_out_abort(st.out);
    if (st.hdr)
	cleanup_hdr_free(st.hdr);
    if (st.dkim)
	cleanup_dkim_free(st.dkim);
    attr_list_free(attrs);
    dstr_free(st.buf);
    dstr_free(st.addr);
    dstr_free(st.sender);
    dstr_free(st.reason);
    return (answered ? 0 : -1);
}

/*
 * cleanup_next_request - wait for the client's next request on the same
 * stream (cleanup_client.c): 1 when bytes or the stream's end arrived, 0
 * when ipc_timeout passed first. Waiting for work is no hang. After a
 * reload, or when a table (DKIM keys) changed, the session ends instead,
 * right after the answer: the client sees the stream's end before its
 * next request and takes a new cleanup with the new settings.
 */
static int cleanup_next_request(IOS *ios)
{
    struct pollfd pfd;
    int     n;

    if (server_should_exit() || dict_changed_name() != NULL)
	return (0);
    if (ios_buffered(ios) > 0)
	return (1);
    pfd.fd = ios_fd(ios);
    pfd.events = POLLIN;
    watchdog_pause();
    n = ios_poll(&pfd, 1, var_ipc_timeout * 1000);
    watchdog_pat();
    return (n > 0);
}

/* cleanup_service - requests on one stream, until it ends or breaks */

static void cleanup_service(int fd, const char *service, char **argv)
{
    IOS    *ios = ios_open(fd);

    (void) service;
    (void) argv;
    ios_set_timeout(ios, var_ipc_timeout);
    while (cleanup_request(ios) == 0 && cleanup_next_request(ios))
	 /* next request */ ;
    ios_free(ios);
}

/* cleanup_pre_jail - as root: the DKIM keys */

static void cleanup_pre_jail(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    cleanup_dkim_pre_jail();
}

/* cleanup_post_jail - open the two directories every request uses */

static void cleanup_post_jail(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    if ((cleanup_tmp_dirfd = open(SPOOL_TMP, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
	msg_fatal("open directory %s: %m", SPOOL_TMP);
    if ((cleanup_incoming_dirfd = open(SPOOL_INCOMING, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
	msg_fatal("open directory %s: %m", SPOOL_INCOMING);
    if ((cleanup_gcommit = gcommit_open(cleanup_tmp_dirfd, GCOMMIT_FILE)) == NULL)
	msg_warn("open %s/%s: %m; committing each message on its own",
		 SPOOL_TMP, GCOMMIT_FILE);
}

int     main(int argc, char **argv)
{
    static const SERVER_DESC desc = {
	.name = "cleanup",
	.service = cleanup_service,
	.pre_jail = cleanup_pre_jail,
	.post_jail = cleanup_post_jail,
    };

    server_main(argc, argv, &desc);
}
