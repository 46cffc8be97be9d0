/*
 * qmgr_admin - hold, release, delete, requeue, on request of posthorn
 * DESCRIPTION
 *	The admin command sends an attribute list as one datagram to
 *	public/qmgr (request, queue_id or ALL, reply_to) and gets the count
 *	of messages affected back on its own socket. Because qmgr does the
 *	work, an admin operation can never race a delivery: a message in the
 *	active queue is marked, its waiting deliveries are dropped, and it
 *	moves (or goes) as soon as the deliveries in flight have finished.
 *
 *	The "status" request (posthorn status -j) asks for the scheduler's
 *	state as JSON (or, with format=text, as the summary that plain
 *	posthorn status prints). It can be far larger than a datagram, so
 *	qmgr writes it to a new file next to the requester's socket
 *	(reply_to plus ".json" or ".txt"), which the requester reads and
 *	removes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qmgr.h"
#include "attr.h"
#include "msg.h"
#include "mymalloc.h"
#include "qid.h"
#include "sockutil.h"
#include "spool.h"

typedef struct QMGR_ADMIN_OP {
    const char *name;
    const char *const *from;		/* queues whose files it moves */
    const char *to;			/* NULL: delete */
    int     active_flag;		/* for a message in the active queue */
} QMGR_ADMIN_OP;

static const char *const qmgr_admin_hold_from[] = {SPOOL_INCOMING, SPOOL_DEFERRED, 0};
static const char *const qmgr_admin_release_from[] = {SPOOL_HOLD, 0};
static const char *const qmgr_admin_delete_from[] = {
    SPOOL_INCOMING, SPOOL_DEFERRED, SPOOL_HOLD, SPOOL_CORRUPT, 0,
};
static const char *const qmgr_admin_requeue_from[] = {SPOOL_DEFERRED, SPOOL_HOLD, 0};

static const QMGR_ADMIN_OP qmgr_admin_ops[] = {
    {"hold", qmgr_admin_hold_from, SPOOL_HOLD, QMGR_MSG_HOLD},
    {"release", qmgr_admin_release_from, SPOOL_INCOMING, 0},
    {"delete", qmgr_admin_delete_from, NULL, QMGR_MSG_DELETE},
    {"requeue", qmgr_admin_requeue_from, SPOOL_INCOMING, QMGR_MSG_REQUEUE},
    {0},
};

/* qmgr_admin_file - apply op to queue/id; 1 if the file was there */

static int qmgr_admin_file(const QMGR_ADMIN_OP *op, const char *queue, const char *id)
{
    DSTR   *path;
    int     ret;

    if (op->to)
	return (qmgr_move(queue, id, op->to, qmgr_now()) == 0);
    path = dstr_new(64);
    if ((ret = (unlink(spool_path(path, queue, id)) == 0)) != 0) {
	(void) unlink(spool_path(path, SPOOL_BOUNCE, id));
	(void) unlink(spool_path(path, SPOOL_DEFER, id));
	msg_info("%s: removed", id);
    }
    dstr_free(path);
    return (ret);
}

/* qmgr_admin_active - mark a message in the active queue */

static int qmgr_admin_active(const QMGR_ADMIN_OP *op, QMGR_MESSAGE *msg)
{
    if (op->active_flag == 0)
	return (0);
    msg->flags |= op->active_flag;
    /* Recipients not yet delivered stay in the file: keep it. */
    if (op->active_flag != QMGR_MSG_DELETE)
	msg->flags |= QMGR_MSG_DEFERRED;
    sched_message_drop_todo(qmgr_sched, &msg->sched);	/* may finalize */
    return (1);
}

/* qmgr_admin_one - one id */

static int qmgr_admin_one(const QMGR_ADMIN_OP *op, const char *id)
{
    const char *const *qp;
    QMGR_MESSAGE *msg;

    if ((msg = qmgr_active_find(id)) != NULL)
	return (qmgr_admin_active(op, msg));
    for (qp = op->from; *qp; qp++)
	if (qmgr_admin_file(op, *qp, id))
	    return (1);
    return (0);
}

/* qmgr_admin_walk_active - ALL, for messages in memory */

typedef struct QMGR_ADMIN_ALL {
    const QMGR_ADMIN_OP *op;
    int     count;
} QMGR_ADMIN_ALL;

static void qmgr_admin_walk_active(QMGR_MESSAGE *msg, void *ctx)
{
    QMGR_ADMIN_ALL *all = ctx;

    all->count += qmgr_admin_active(all->op, msg);
}

/* qmgr_admin_all - every message the operation applies to */

static int qmgr_admin_all(const QMGR_ADMIN_OP *op)
{
    QMGR_ADMIN_ALL all;
    const char *const *qp;
    struct dirent *de;
    DIR    *dir;

    all.op = op;
    all.count = 0;
    qmgr_active_walk(qmgr_admin_walk_active, &all);
    for (qp = op->from; *qp; qp++) {
	if ((dir = opendir(*qp)) == NULL)
	    continue;
	while ((de = readdir(dir)) != NULL)
	    if (qid_valid(de->d_name))
		all.count += qmgr_admin_file(op, *qp, de->d_name);
	closedir(dir);
    }
    return (all.count);
}

/* qmgr_admin_reply - answer on the requester's socket */

static void qmgr_admin_reply(const char *reply_to, int status, int count, const char *text)
{
    DSTR   *out = dstr_new(128);

    attr_put_long(out, "status", status);
    attr_put_long(out, "count", count);
    attr_put_str(out, "reason", text);
    attr_put_end(out);
    if (sock_unix_dgram_send(reply_to, dstr_str(out), dstr_len(out)) < 0)
	msg_warn("admin reply to %s: %m", reply_to);
    dstr_free(out);
}

/* qmgr_admin_status - the scheduler state into reply_to.json (or .txt); 0 or -1 */

static int qmgr_admin_status(const char *reply_to, int text)
{
    DSTR   *path = dstr_new(64);
    DSTR   *json = dstr_new(4096);
    size_t  off = 0;
    ssize_t n;
    int     fd;
    int     ret = -1;

    dstr_sprintf(path, "%s.%s", reply_to, text ? "txt" : "json");
    qmgr_clock();
    if (text) {
	sched_dump_text(qmgr_sched, qmgr_active_count, json);
    } else {
	sched_dump_json(qmgr_sched, qmgr_active_count, json);
	dstr_catc(json, '\n');
    }
    /* O_EXCL|O_NOFOLLOW: never write through a name someone else prepared. */
    if ((fd = open(dstr_str(path), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		   0644)) < 0) {
	msg_warn("status reply %s: %m", dstr_str(path));
    } else {
	while (off < dstr_len(json)
	       && ((n = write(fd, dstr_str(json) + off, dstr_len(json) - off)) > 0
		   || (n < 0 && errno == EINTR)))
	    off += n > 0 ? (size_t) n : 0;
	if (off < dstr_len(json))
	    msg_warn("status reply %s: %m", dstr_str(path));
	else
	    ret = 0;
	close(fd);
    }
    dstr_free(path);
    dstr_free(json);
    return (ret);
}

/* qmgr_admin_request - parse and carry out */

void    qmgr_admin_request(const char *buf, size_t len)
{
    ATTR_LIST *req = attr_list_new();
    const QMGR_ADMIN_OP *op;
    const char *name;
    const char *id;
    const char *reply_to;
    const char *format;
    int     count;

    if (attr_parse(buf, len, req, ATTR_MAX_LEN, 16) <= 0
	|| (name = attr_get_str(req, "request")) == NULL
	|| (id = attr_get_str(req, "queue_id")) == NULL
	|| (reply_to = attr_get_str(req, "reply_to")) == NULL
	|| strncmp(reply_to, "public/", 7) != 0 || strstr(reply_to, "..")) {
	msg_warn("malformed admin request ignored");
	attr_list_free(req);
	return;
    }
    for (op = qmgr_admin_ops; op->name && strcmp(op->name, name) != 0; op++)
	 /* find */ ;
    if (strcmp(name, "status") == 0) {
	if (qmgr_admin_status(reply_to, (format = attr_get_str(req, "format")) != NULL
			      && strcmp(format, "text") == 0) < 0)
	    qmgr_admin_reply(reply_to, 1, 0, "cannot write the status file");
	else
	    qmgr_admin_reply(reply_to, 0, 0, "");
    } else if (op->name == NULL) {
	qmgr_admin_reply(reply_to, 1, 0, "unknown request");
    } else if (strcmp(id, "ALL") == 0) {
	count = qmgr_admin_all(op);
	qmgr_admin_reply(reply_to, 0, count, "");
    } else if (!qid_valid(id)) {
	qmgr_admin_reply(reply_to, 1, 0, "bad queue id");
    } else {
	count = qmgr_admin_one(op, id);
	qmgr_admin_reply(reply_to, 0, count, count ? "" : "no such message");
    }
    if (op->name && op->to && strcmp(op->to, SPOOL_INCOMING) == 0)
	qmgr_scan_request(qmgr_scan_incoming, QMGR_SCAN_START);
    attr_list_free(req);
}
