/*
 * bounce_notify - the notify request: non-delivery notices, expiry, delay warnings
 * DESCRIPTION
 *	Reads the queue file (sender, VERP delimiters, arrival time, the
 *	recipients and whether each is done, the original) and the logs,
 *	decides who is reported, composes the notices (bounce_dsn.c) for the
 *	addresses bounce_route.c picks, and hands each to cleanup with the
 *	null envelope sender (or the double-bounce sender for postmaster
 *	notices). Only when every notice owed is queued does it consume the
 *	bounce log and answer success; on any failure the log stays and qmgr
 *	asks again, so a notice may be sent twice but never lost.
 *
 *	FAILED reports the records of bounce/ID. EXPIRED reports every
 *	recipient not yet done, with the last reason from defer/ID (status
 *	kept, action failed, as Postfix does) or 4.4.7 "delivery time
 *	expired", and the records of bounce/ID too. DELAYED warns about the
 *	recipients not done that have a defer record, and leaves both logs.
 *	The original is read up to bounce_size_limit bytes only: a larger one
 *	is reported with its header section.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bounce.h"
#include "cfg_params.h"
#include "cleanup_client.h"
#include "msg.h"
#include "mymalloc.h"
#include "qid.h"
#include "spool.h"

#define BOUNCE_NOTICE_RCPT_MAX	1000	/* recipients per notice: bounds its size */

typedef struct BOUNCE_MSG {
    const char *queue_id;
    int     what;			/* BOUNCE_NOTIFY_* */
    QFILE_INFO info;
    BOUNCE_TABLE *table;
    DSTR   *content;			/* the original, at most bounce_size_limit bytes */
    int     sent;			/* notices queued so far */
} BOUNCE_MSG;

/* bounce_notify_load - queue file: envelope, recipients, content; 0 or -1 */

static int bounce_notify_load(BOUNCE_MSG *msg, const char *queue_name, DSTR *why)
{
    DSTR   *path = dstr_new(64);
    DSTR   *err = dstr_new(64);
    QFILE_IN *in;
    long    want;
    long    off;
    ssize_t n;
    int     fd;
    int     ret = -1;

    if ((fd = open(spool_path(path, queue_name, msg->queue_id), O_RDONLY | O_CLOEXEC)) < 0) {
	dstr_sprintf(why, "open queue file %s: %s", dstr_str(path), strerror(errno));
	goto out;
    }
    in = qfile_in_open(fd);
    if (qfile_in_info(in, &msg->info, err) < 0
	|| (msg->table = bounce_table_load(in, err)) == NULL) {
	dstr_sprintf(why, "queue file %s: %s", dstr_str(path), dstr_str(err));
	qfile_in_free(in);
	(void) close(fd);
	goto out;
    }
    qfile_in_free(in);
    want = msg->info.content_size < var_bounce_limit ?
	msg->info.content_size : var_bounce_limit;
    for (off = 0; off < want; off += n) {
	n = pread(fd, dstr_space(msg->content, (size_t) (want - off)), (size_t) (want - off),
		  msg->info.content_offset + off);
	if (n < 0 && errno == EINTR) {
	    n = 0;
	    continue;
	}
	if (n <= 0) {
	    dstr_sprintf(why, "read queue file %s: %s", dstr_str(path),
			 n < 0 ? strerror(errno) : "premature end of file");
	    (void) close(fd);
	    goto out;
	}
	dstr_addlen(msg->content, (size_t) n);
    }
    (void) close(fd);
    ret = 0;
out:
    dstr_free(path);
    dstr_free(err);
    return (ret);
}

/* bounce_notify_submit - compose one notice and queue it through cleanup */

static int bounce_notify_submit(BOUNCE_MSG *msg, const BOUNCE_ROUTE *route, int kind,
				        const BOUNCE_RCPT *rcpts, size_t nrcpt, DSTR *why)
{
    CLEANUP_CLIENT *cl;
    BOUNCE_DSN dsn;
    DSTR   *text = dstr_new(8192);
    DSTR   *reason = dstr_new(64);
    DSTR   *new_id = dstr_new(QID_SIZE);
    char    qid[QID_SIZE];
    int     status;
    int     ret = -1;

    qid_new(qid);
    memset(&dsn, 0, sizeof(dsn));
    dsn.kind = kind;
    dsn.who = route->who;
    dsn.expired = msg->what == BOUNCE_NOTIFY_EXPIRED;
    dsn.queue_id = msg->queue_id;
    dsn.new_id = qid;
    dsn.sender = dstr_str(msg->info.sender);
    dsn.to = dstr_str(route->rcpt);
    dsn.arrival = msg->info.arrival_sec;
    dsn.now = (long) time((time_t *) 0);
    dsn.retry_until = msg->info.arrival_sec + (dstr_len(msg->info.sender) ?
					       var_max_queue_time : var_bounce_queue_time);
    dsn.rcpts = rcpts;
    dsn.nrcpt = nrcpt;
    dsn.orig = dstr_str(msg->content);
    dsn.orig_len = dstr_len(msg->content);
    dsn.headers_only = bounce_dsn_headers_only(kind, route->who, msg->info.content_size,
					       var_bounce_limit);
    for (;;) {
	DSTR_RESET(text);
	bounce_dsn_compose(text, &dsn);
	if ((cl = cleanup_client_open(CLEANUP_SERVICE, var_ipc_timeout)) == NULL) {
	    dstr_sprintf(why, "connect to %s: %s", CLEANUP_SERVICE, strerror(errno));
	    goto out;
	}
	cleanup_client_attr(cl, "queue_id", qid);
	cleanup_client_sender(cl, dstr_str(route->env_sender), NULL);
	cleanup_client_content(cl, dstr_str(text), dstr_len(text));
	cleanup_client_rcpt(cl, dstr_str(route->rcpt));
	status = cleanup_client_finish(cl, reason, new_id);
	cleanup_client_close(cl);
	if (status == CLEANUP_STAT_OK)
	    break;
	/* Too big for this site, perhaps: the headers may still get through. */
	if (status == CLEANUP_STAT_REJECT && !dsn.headers_only) {
	    msg_warn("%s: notification refused by cleanup (%s); trying with headers only",
		     msg->queue_id, dstr_str(reason));
	    dsn.headers_only = 1;
	    qid_new(qid);
	    continue;
	}
	dstr_sprintf(why, "cannot queue notification: %s", dstr_str(reason));
	goto out;
    }
    msg_info("%s: %s %s notification: %s", msg->queue_id,
	     route->who == BOUNCE_TO_SENDER ? "sender" : "postmaster",
	     kind == BOUNCE_KIND_DELAY ? "delay" : "non-delivery", dstr_str(new_id));
    msg->sent++;
    ret = 0;
out:
    dstr_free(text);
    dstr_free(reason);
    dstr_free(new_id);
    return (ret);
}

/* bounce_notify_chunks - one route, the recipients in notices of bounded size */

static int bounce_notify_chunks(BOUNCE_MSG *msg, const BOUNCE_ROUTE *route, int kind,
				        const BOUNCE_RCPT *rcpts, size_t nrcpt, DSTR *why)
{
    size_t  i;
    size_t  n;

    for (i = 0; i < nrcpt; i += n) {
	n = nrcpt - i > BOUNCE_NOTICE_RCPT_MAX ? BOUNCE_NOTICE_RCPT_MAX : nrcpt - i;
	if (bounce_notify_submit(msg, route, kind, rcpts + i, n, why) < 0)
	    return (-1);
    }
    return (0);
}

/* bounce_notify_send - every notice owed for these recipients; 0 or -1 */

static int bounce_notify_send(BOUNCE_MSG *msg, int kind, const BOUNCE_RCPT *rcpts,
			              size_t nrcpt, DSTR *why)
{
    BOUNCE_ROUTE *route = bounce_route_new();
    const char *sender = dstr_str(msg->info.sender);
    const char *verp = msg->info.verp;
    DSTR   *copy_why = dstr_new(64);
    size_t  i;
    int     ret = -1;

    if (bounce_route_sender(route, kind, sender, verp, NULL) == BOUNCE_TO_NOBODY) {
	msg_info("%s: %s", msg->queue_id, route->why);
	ret = 0;				/* and no postmaster copy either */
	goto out;
    }
    if (route->who == BOUNCE_TO_SENDER && kind == BOUNCE_KIND_FAILURE
	&& bounce_route_verp(sender, verp)) {
	for (i = 0; i < nrcpt; i++) {
	    (void) bounce_route_sender(route, kind, sender, verp, rcpts[i].address);
	    if (bounce_notify_submit(msg, route, kind, rcpts + i, 1, why) < 0)
		goto out;
	}
    } else if (bounce_notify_chunks(msg, route, kind, rcpts, nrcpt, why) < 0) {
	goto out;
    }
    ret = 0;

    /*
     * The postmaster copy is a courtesy: if it cannot be queued now, the
     * sender's notice must still count as sent, or a retry would send the
     * sender a second one.
     */
    if (route->who != BOUNCE_TO_2BOUNCE
	&& bounce_route_postmaster(route, kind) == BOUNCE_TO_POSTMASTER
	&& bounce_notify_chunks(msg, route, kind, rcpts, nrcpt, copy_why) < 0)
	msg_warn("%s: postmaster copy not sent: %s", msg->queue_id, dstr_str(copy_why));
out:
    bounce_route_free(route);
    dstr_free(copy_why);
    return (ret);
}

/* bounce_notify_select - the recipients a request reports, as BOUNCE_RCPTs */

static size_t bounce_notify_select(BOUNCE_MSG *msg, BOUNCE_RCPT *out)
{
    BOUNCE_ENTRY *e;
    size_t  n = 0;
    size_t  i;

    for (i = 0; i < msg->table->count; i++) {
	e = msg->table->entries + i;
	if (msg->what == BOUNCE_NOTIFY_FAILED) {
	    if (e->source != BOUNCE_SRC_BOUNCE)
		continue;
	} else if (msg->what == BOUNCE_NOTIFY_DELAYED) {
	    if (e->done || e->source != BOUNCE_SRC_DEFER)
		continue;
	} else if (e->done && e->source != BOUNCE_SRC_BOUNCE) {
	    continue;				/* EXPIRED: delivered */
	}
	out[n].address = e->address;
	out[n].offset = e->offset;
	if (e->source == BOUNCE_SRC_NONE) {
	    out[n].status = "4.4.7";
	    out[n].remote_mta = "";
	    out[n].diagnostic = "";
	    out[n].reason = "delivery time expired";
	} else {
	    out[n].status = e->status;
	    out[n].remote_mta = e->remote_mta;
	    out[n].diagnostic = e->diagnostic;
	    out[n].reason = e->reason;
	}
	out[n].action = msg->what == BOUNCE_NOTIFY_DELAYED ? "delayed" : "failed";
	n++;
    }
    return (n);
}

/* bounce_notify_lock - open and lock bounce/ID; fd, or -1 (errno ENOENT: none) */

static int bounce_notify_lock(const char *path)
{
    int     fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
	return (-1);
    if (flock(fd, LOCK_EX) < 0) {
	(void) close(fd);
	return (-1);
    }
    return (fd);
}

/* bounce_notify_run - one request on a loaded message; 0 or -1 */

static int bounce_notify_run(BOUNCE_MSG *msg, const char *queue_name, DSTR *why)
{
    DSTR   *bounce_path = dstr_new(64);
    DSTR   *defer_path = dstr_new(64);
    BOUNCE_RCPT *rcpts = NULL;
    struct stat st;
    int     lock_fd = -1;
    int     exists = 0;
    int     defer_exists;
    size_t  nrcpt;
    int     ret = -1;

    (void) spool_path(bounce_path, SPOOL_BOUNCE, msg->queue_id);
    (void) spool_path(defer_path, SPOOL_DEFER, msg->queue_id);

    /* Appends to bounce/ID wait until it is consumed (bounce_append.c). */
    if (msg->what != BOUNCE_NOTIFY_DELAYED
	&& (lock_fd = bounce_notify_lock(dstr_str(bounce_path))) < 0 && errno != ENOENT) {
	dstr_sprintf(why, "open %s: %s", dstr_str(bounce_path), strerror(errno));
	goto out;
    }
    if (msg->what == BOUNCE_NOTIFY_FAILED
	&& (lock_fd < 0 || (fstat(lock_fd, &st) == 0 && st.st_size == 0))) {
	if (lock_fd >= 0 && unlink(dstr_str(bounce_path)) < 0 && errno != ENOENT)
	    msg_warn("%s: remove %s: %m", msg->queue_id, dstr_str(bounce_path));
	ret = 0;				/* nothing to report */
	goto out;
    }
    if (bounce_notify_load(msg, queue_name, why) < 0)
	goto out;
    if (msg->what != BOUNCE_NOTIFY_FAILED
	&& bounce_table_merge(msg->table, dstr_str(defer_path), BOUNCE_SRC_DEFER,
			      msg->queue_id, &defer_exists, why) < 0)
	goto out;
    if (lock_fd >= 0
	&& bounce_table_merge(msg->table, dstr_str(bounce_path), BOUNCE_SRC_BOUNCE,
			      msg->queue_id, &exists, why) < 0)
	goto out;
    rcpts = mycalloc(msg->table->count + 1, sizeof(*rcpts));
    nrcpt = bounce_notify_select(msg, rcpts);
    if (nrcpt > 0 && bounce_notify_send(msg, msg->what == BOUNCE_NOTIFY_DELAYED ?
					BOUNCE_KIND_DELAY : BOUNCE_KIND_FAILURE,
					rcpts, nrcpt, why) < 0)
	goto out;
    if (msg->what == BOUNCE_NOTIFY_EXPIRED)
	msg_info("%s: from=<%s>, status=expired, returned to sender", msg->queue_id,
		 dstr_str(msg->info.sender));
    if (exists && unlink(dstr_str(bounce_path)) < 0 && errno != ENOENT) {
	/* The notices are queued: a stale log means a duplicate at worst. */
	msg_warn("%s: remove %s: %m", msg->queue_id, dstr_str(bounce_path));
    }
    ret = 0;
out:
    if (lock_fd >= 0)
	(void) close(lock_fd);
    free(rcpts);
    dstr_free(bounce_path);
    dstr_free(defer_path);
    return (ret);
}

/* bounce_notify_request - the notify request */

int     bounce_notify_request(const ATTR_LIST *req, DSTR *why)
{
    const char *notify = attr_get_str(req, "notify");
    const char *queue_name = attr_get_str(req, "queue_name");
    BOUNCE_MSG msg;
    int     ret;

    memset(&msg, 0, sizeof(msg));
    if (notify == NULL || (msg.what = bounce_client_notify_code(notify)) == 0) {
	dstr_strcpy(why, "notify request without a valid notify attribute");
	return (-1);
    }
    if ((msg.queue_id = attr_get_str(req, "queue_id")) == NULL || !qid_valid(msg.queue_id)) {
	dstr_strcpy(why, "notify request without a valid queue_id");
	return (-1);
    }
    if (!spool_message_queue(queue_name)) {
	dstr_sprintf(why, "%s: notify request without a valid queue_name", msg.queue_id);
	return (-1);
    }
    qfile_info_init(&msg.info);
    msg.content = dstr_new(4096);
    if ((ret = bounce_notify_run(&msg, queue_name, why)) < 0)
	msg_warn("%s: notification (%s) not sent: %s", msg.queue_id, notify, dstr_str(why));
    qfile_info_free(&msg.info);
    if (msg.table)
	bounce_table_free(msg.table);
    dstr_free(msg.content);
    return (ret);
}
