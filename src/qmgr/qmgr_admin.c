/*
 * qmgr_admin - hold, release, delete, requeue and status, for root and mail_owner
 * DESCRIPTION
 *	The admin command sends an attribute list (admin_proto.h) as one
 *	datagram to public/qmgr with one end of a socket pair attached, and
 *	reads the answer from the other end. Because qmgr does the work, an
 *	operation can never race a delivery: a message in the active queue
 *	is marked, its waiting deliveries are dropped, and it moves (or goes)
 *	as soon as the deliveries in flight have finished.
 *
 *	public/qmgr is open to every local user (it takes their wake-ups),
 *	so who asks is decided by the kernel, never by the request: the
 *	socket has SO_PASSCRED and only a datagram whose sender is root or
 *	qmgr's own user (mail_owner) may change or show the queue
 *	(docs/design.md, "Sockets and who may reach them"). Anyone else gets
 *	"permission denied" on the socket they passed and one log line.
 *
 *	Answers go back on the passed socket, written from the event loop
 *	without blocking qmgr: a requester that stops reading is dropped
 *	after QMGR_ADMIN_REPLY_MS. "status" (posthorn status -j) writes the
 *	scheduler's state after the answer, JSON or, with format=text, the
 *	summary that plain posthorn status prints, or with format=metrics
 *	qmgr's part of posthorn metrics (qmgr_stats.c, qmgr_sched_metrics.c).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qmgr.h"
#include "admin_proto.h"
#include "attr.h"
#include "cfg_params.h"
#include "evloop.h"
#include "msg.h"
#include "mymalloc.h"
#include "qid.h"
#include "sockcred.h"
#include "spool.h"
#include "user_acl.h"

#define QMGR_ADMIN_REPLY_MS	30000	/* a requester must read its answer by then */
#define QMGR_ADMIN_MAX_REPLIES	16	/* answers being written at once */
#define QMGR_ADMIN_BUSIEST	10	/* destinations per transport in a summary */

typedef struct QMGR_ADMIN_REPLY {
    int     fd;
    DSTR   *data;
    size_t  off;
    EVLOOP_TIMER timer;
} QMGR_ADMIN_REPLY;

static int qmgr_admin_replies;		/* being written */

/* qmgr_admin_reply_done - close and forget one answer */

static void qmgr_admin_reply_done(QMGR_ADMIN_REPLY *r)
{
    evloop_forget(r->fd);
    evloop_timer_cancel(&r->timer);
    (void) close(r->fd);
    dstr_free(r->data);
    myfree(r);
    qmgr_admin_replies--;
}

/* qmgr_admin_reply_timeout - the requester does not read */

static void qmgr_admin_reply_timeout(void *ctx)
{
    msg_warn("admin answer not read within %d s; dropped", QMGR_ADMIN_REPLY_MS / 1000);
    qmgr_admin_reply_done(ctx);
}

/* qmgr_admin_reply_event - write what the socket takes */

static void qmgr_admin_reply_event(int fd, void *ctx)
{
    QMGR_ADMIN_REPLY *r = ctx;
    ssize_t n;

    while (r->off < dstr_len(r->data)) {
	n = send(fd, dstr_str(r->data) + r->off, dstr_len(r->data) - r->off,
		 MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n > 0) {
	    r->off += (size_t) n;
	} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
	    evloop_write(fd, qmgr_admin_reply_event, r);
	    return;
	} else if (n < 0 && errno == EINTR) {
	    continue;
	} else {
	    break;				/* requester gone: nothing to tell */
	}
    }
    qmgr_admin_reply_done(r);
}

/* qmgr_admin_send - answer on fd (ours now): attributes, then any body */

static void qmgr_admin_send(int fd, int status, int count, const char *reason,
			            const DSTR *body)
{
    QMGR_ADMIN_REPLY *r = mycalloc(1, sizeof(*r));

    r->fd = fd;
    r->data = dstr_new(128 + (body ? dstr_len(body) : 0));
    attr_put_long(r->data, ADMIN_ATTR_STATUS, status);
    attr_put_long(r->data, ADMIN_ATTR_COUNT, count);
    attr_put_str(r->data, ADMIN_ATTR_REASON, reason);
    attr_put_end(r->data);
    if (body)
	dstr_cat(r->data, dstr_str(body), dstr_len(body));
    qmgr_admin_replies++;
    evloop_timer_set(&r->timer, qmgr_admin_reply_timeout, r, QMGR_ADMIN_REPLY_MS);
    qmgr_admin_reply_event(fd, r);
}

/* qmgr_admin_file - apply op to queue/id; 1 if the file was there */

static int qmgr_admin_file(const ADMIN_OP *op, const char *queue, const char *id)
{
    int     ret;

    if ((ret = admin_file_apply(op, queue, id)) < 0) {
	msg_warn("%s %s/%s: %m", op->name, queue, id);
    } else if (ret > 0) {
	msg_info("%s: %s", id, op->audit);
	if (op->to && strcmp(op->to, SPOOL_INCOMING) == 0 && strcmp(queue, op->to) != 0)
	    qmgr_stats_moved_back(id);
    }
    return (ret > 0);
}

/* qmgr_admin_flag - what an operation does to a message in the active queue */

static int qmgr_admin_flag(const ADMIN_OP *op)
{
    if (op->to == NULL)
	return (QMGR_MSG_DELETE);
    if (strcmp(op->to, SPOOL_HOLD) == 0)
	return (QMGR_MSG_HOLD);
    return (QMGR_MSG_REQUEUE);
}

/* qmgr_admin_active - mark a message in the active queue */

static int qmgr_admin_active(const ADMIN_OP *op, QMGR_MESSAGE *msg)
{
    int     flag = qmgr_admin_flag(op);

    msg->flags |= flag;
    /* Recipients not yet delivered stay in the file: keep it. */
    if (flag != QMGR_MSG_DELETE)
	qmgr_message_defer(msg, 0);
    sched_message_drop_todo(qmgr_sched, &msg->sched);	/* may finalize */
    return (1);
}

/* qmgr_admin_one - one id, in the queues asked for */

static int qmgr_admin_one(const ADMIN_OP *op, int queues, const char *id)
{
    QMGR_MESSAGE *msg;
    int     bit;

    if ((msg = qmgr_active_find(id)) != NULL)
	return ((queues & ADMIN_Q_ACTIVE) ? qmgr_admin_active(op, msg) : 0);
    for (bit = 1; bit <= ADMIN_Q_CORRUPT; bit <<= 1)
	if ((queues & bit) && bit != ADMIN_Q_ACTIVE
	    && qmgr_admin_file(op, admin_queue_name(bit), id))
	    return (1);
    return (0);
}

/* qmgr_admin_walk_active - ALL, for messages in memory */

typedef struct QMGR_ADMIN_ALL {
    const ADMIN_OP *op;
    int     count;
} QMGR_ADMIN_ALL;

static void qmgr_admin_walk_active(QMGR_MESSAGE *msg, void *ctx)
{
    QMGR_ADMIN_ALL *all = ctx;

    all->count += qmgr_admin_active(all->op, msg);
}

/* qmgr_admin_all - every message of the queues asked for */

static int qmgr_admin_all(const ADMIN_OP *op, int queues)
{
    QMGR_ADMIN_ALL all;
    struct dirent *de;
    const char *queue;
    DIR    *dir;
    int     bit;

    all.op = op;
    all.count = 0;
    if (queues & ADMIN_Q_ACTIVE)
	qmgr_active_walk(qmgr_admin_walk_active, &all);
    for (bit = 1; bit <= ADMIN_Q_CORRUPT; bit <<= 1) {
	if (!(queues & bit) || bit == ADMIN_Q_ACTIVE)
	    continue;
	queue = admin_queue_name(bit);
	if ((dir = opendir(queue)) == NULL)
	    continue;
	while ((de = readdir(dir)) != NULL)
	    if (qid_valid(de->d_name))
		all.count += qmgr_admin_file(op, queue, de->d_name);
	closedir(dir);
    }
    return (all.count);
}

/* qmgr_admin_status - the scheduler's state, JSON or text, after the answer */

static void qmgr_admin_status(int fd, const ATTR_LIST *req)
{
    const char *format = attr_get_str(req, ADMIN_ATTR_FORMAT);
    DSTR   *body = dstr_new(4096);

    DSTR   *sched_json;

    qmgr_clock();
    if (format != NULL && strcmp(format, "text") == 0) {
	qmgr_stats_text(body);
	sched_dump_text(qmgr_sched, qmgr_active_count, body);
    } else if (format != NULL && strcmp(format, "metrics") == 0) {
	qmgr_stats_metrics(body);
	sched_metrics(qmgr_sched, qmgr_active_count, (size_t) var_metrics_dest_limit, body);
    } else {
	/* {"deliveries": {...}, then the scheduler's members} */
	sched_json = dstr_new(4096);
	if (format != NULL && strcmp(format, "json_summary") == 0)
	    sched_dump_json_summary(qmgr_sched, qmgr_active_count, QMGR_ADMIN_BUSIEST, sched_json);
	else
	    sched_dump_json(qmgr_sched, qmgr_active_count, sched_json);
	dstr_catc(body, '{');
	qmgr_stats_json(body);
	dstr_cats(body, ", ");
	dstr_cat(body, dstr_str(sched_json) + 1, dstr_len(sched_json) - 1);
	dstr_catc(body, '\n');
	dstr_free(sched_json);
    }
    qmgr_admin_send(fd, 0, 0, "", body);
    dstr_free(body);
}

/* qmgr_admin_operation - hold, release, delete, requeue */

static void qmgr_admin_operation(int fd, const ADMIN_OP *op, const ATTR_LIST *req)
{
    const char *id = attr_get_str(req, ADMIN_ATTR_QUEUE_ID);
    DSTR   *why = dstr_new(64);
    int     queues;
    int     count;

    if (id == NULL || (strcmp(id, ADMIN_ALL) != 0 && !qid_valid(id))) {
	qmgr_admin_send(fd, 1, 0, "bad queue id", NULL);
    } else if (admin_queues_parse(op, attr_get_str(req, ADMIN_ATTR_QUEUES), &queues, why) < 0) {
	qmgr_admin_send(fd, 1, 0, dstr_str(why), NULL);
    } else {
	count = strcmp(id, ADMIN_ALL) == 0 ? qmgr_admin_all(op, queues)
	    : qmgr_admin_one(op, queues, id);
	qmgr_admin_send(fd, 0, count, count || strcmp(id, ADMIN_ALL) == 0 ? ""
			: "no such message", NULL);
	if (op->to && strcmp(op->to, SPOOL_INCOMING) == 0 && count > 0)
	    qmgr_scan_request(qmgr_scan_incoming, QMGR_SCAN_START);
    }
    dstr_free(why);
}

/* qmgr_admin_refuse - one log line (at most one a second) and "permission denied" */

static void qmgr_admin_refuse(int fd, const SOCK_CRED *cred, const char *what)
{
    static double last;
    static long suppressed;
    double  now = qmgr_now();

    if (now - last >= 1) {
	msg_warn("refusing %s from uid %ld (pid %ld): not root or mail_owner%s",
		 what, (long) cred->uid, (long) cred->pid,
		 suppressed ? " (more refusals were not logged)" : "");
	last = now;
	suppressed = 0;
    } else {
	suppressed++;
    }
    if (fd >= 0) {
	/* One small write that never waits: a stranger gets no more of qmgr. */
	DSTR   *out = dstr_new(128);

	attr_put_long(out, ADMIN_ATTR_STATUS, 1);
	attr_put_long(out, ADMIN_ATTR_COUNT, 0);
	attr_put_str(out, ADMIN_ATTR_REASON, "permission denied: only root and mail_owner"
		     " may change or inspect the queue");
	attr_put_end(out);
	(void) send(fd, dstr_str(out), dstr_len(out), MSG_DONTWAIT | MSG_NOSIGNAL);
	dstr_free(out);
	(void) close(fd);
    }
}

/* qmgr_admin_request - check the sender, parse, carry out, answer on fd */

void    qmgr_admin_request(const char *buf, size_t len, const SOCK_CRED *cred, int fd)
{
    ATTR_LIST *req = attr_list_new();
    const ADMIN_OP *op = NULL;
    const char *name = NULL;

    if (!user_acl_privileged(cred->uid)) {
	qmgr_admin_refuse(fd, cred, "an admin request");
    } else if (attr_parse(buf, len, req, ATTR_MAX_LEN, 16) <= 0
	       || (name = attr_get_str(req, ADMIN_ATTR_REQUEST)) == NULL || fd < 0) {
	msg_warn("malformed admin request from uid %ld ignored", (long) cred->uid);
	if (fd >= 0)
	    (void) close(fd);
    } else if (qmgr_admin_replies >= QMGR_ADMIN_MAX_REPLIES) {
	msg_warn("too many admin answers in progress; request %s dropped", name);
	(void) close(fd);
    } else if (strcmp(name, "status") == 0) {
	qmgr_admin_status(fd, req);
    } else if ((op = admin_op_find(name)) == NULL) {
	qmgr_admin_send(fd, 1, 0, "unknown request", NULL);
    } else {
	qmgr_admin_operation(fd, op, req);
    }
    attr_list_free(req);
}
