/*
 * qmgr_active - messages entering and leaving the active queue
 * DESCRIPTION
 *	Import (docs/scheduler.md §2.2): rename the file into active/, make
 *	sure no delivery agent of an earlier qmgr still works on it (its lock
 *	would be held: the file waits in deferred/ for a minute), read the
 *	envelope, forget the defer log of the previous attempt, and hand the
 *	recipients to the scheduler, a batch at a time. An unreadable file
 *	goes to corrupt/ and never stops the queue.
 *
 *	Finalize (§7): when a message has nothing in flight and nothing left
 *	to read, the bounce service sends notices for failed recipients; a
 *	message with deferred recipients is returned to its sender when it is
 *	too old, else goes to deferred/ with its next-try time as mtime; a
 *	message that is done is removed ("removed" in the log).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "qmgr.h"
#include "argv.h"
#include "bounce_client.h"
#include "cfg_params.h"
#include "delivery_log.h"
#include "htable.h"
#include "msg.h"
#include "mymalloc.h"
#include "qfile.h"
#include "spool.h"

#define QMGR_LOCKED_DELAY	60	/* seconds before a locked file is retried */
#define QMGR_MSG_CORRUPT	(1<<8)	/* recipients could not all be read */
#define QMGR_MSG_FLUSHED	(1<<9)	/* imported by a flush: defer_transports off */
#define QMGR_MSG_BOUNCE_LOG	(1<<10)	/* bounce/ID was there at finalizing */

long    qmgr_active_count;
static HTABLE *qmgr_messages;
static HTABLE *qmgr_locked;		/* id -> when found locked (double *) */

/*
 * qmgr_move - rename between queues, optionally setting the time stamp
 * first. The queue's bookkeeping must not go wrong in silence: any failure
 * but a file that is gone is fatal, so master starts a new qmgr and the
 * spool scan at its start puts things right (docs/design.md, invariant 4).
 * 0, or -1 when the file is gone.
 */

int     qmgr_move(const char *from, const char *id, const char *to, double mtime)
{
    DSTR   *src = dstr_new(64);
    DSTR   *dst = dstr_new(64);
    struct timeval tv[2];
    int     ret = 0;

    spool_path(src, from, id);
    spool_path(dst, to, id);
    if (mtime > 0) {
	/* Round up: a deferred scan takes files up to 1 s early already. */
	tv[0].tv_sec = tv[1].tv_sec = (time_t) mtime + (mtime > (double) (time_t) mtime);
	tv[0].tv_usec = tv[1].tv_usec = 0;
	if (utimes(dstr_str(src), tv) < 0 && errno != ENOENT)
	    msg_fatal("set the time of %s: %m", dstr_str(src));
    }
    if (rename(dstr_str(src), dstr_str(dst)) < 0) {
	if (errno != ENOENT)
	    msg_fatal("rename %s to %s: %m", dstr_str(src), dstr_str(dst));
	ret = -1;
    }
    dstr_free(src);
    dstr_free(dst);
    return (ret);
}

/* qmgr_unlink - remove queue/id, quietly if it is gone, fatally if it stays */

static void qmgr_unlink(const char *queue, const char *id)
{
    DSTR   *path = dstr_new(64);

    if (unlink(spool_path(path, queue, id)) < 0 && errno != ENOENT)
	msg_fatal("remove %s: %m", dstr_str(path));
    dstr_free(path);
}

/* qmgr_mark_done - a recipient is settled: record it in the file, or die */

static void qmgr_mark_done(const QMGR_MESSAGE *msg, int fd, long offset)
{
    if (qfile_mark_done(fd, offset) < 0)
	msg_fatal("%s: mark a recipient done: %m", msg->qid);
}

/* qmgr_active_recover - files left in active/ by a dead qmgr start over (invariant 4) */

void    qmgr_active_recover(void)
{
    DIR    *dir;
    struct dirent *de;
    int     n = 0;

    qmgr_messages = htable_new(1024);
    qmgr_junk_sweep();
    if ((dir = opendir(SPOOL_ACTIVE)) == NULL) {
	msg_warn("open directory %s: %m", SPOOL_ACTIVE);
	return;
    }
    while ((de = readdir(dir)) != NULL) {
	if (qid_valid(de->d_name) && qmgr_move(SPOOL_ACTIVE, de->d_name, SPOOL_INCOMING,
					       qmgr_now()) == 0) {
	    qmgr_stats_moved_back(de->d_name);
	    n++;
	}
    }
    closedir(dir);
    if (n > 0)
	msg_info("%d message(s) left in the active queue go back to incoming", n);
}

/* qmgr_active_find - a message in memory */

QMGR_MESSAGE *qmgr_active_find(const char *id)
{
    return (qmgr_messages ? htable_find(qmgr_messages, id) : NULL);
}

/* qmgr_walk_one - htable_walk adapter */

typedef struct QMGR_WALK {
    void    (*fn) (QMGR_MESSAGE *, void *);
    void   *ctx;
    QMGR_MESSAGE **list;
    size_t  n;
} QMGR_WALK;

static void qmgr_walk_one(const char *key, void *value, void *ctx)
{
    QMGR_WALK *w = ctx;

    (void) key;
    w->list[w->n++] = value;
}

/* qmgr_active_walk - call fn for every message (fn may finalize it) */

void    qmgr_active_walk(void (*fn) (QMGR_MESSAGE *, void *), void *ctx)
{
    QMGR_WALK w;
    size_t  i;

    w.list = mymalloc((htable_count(qmgr_messages) + 1) * sizeof(QMGR_MESSAGE *));
    w.n = 0;
    htable_walk(qmgr_messages, qmgr_walk_one, &w);
    for (i = 0; i < w.n; i++)
	fn(w.list[i], ctx);
    free(w.list);
}

/* qmgr_log_disposition - a delivery log line for a recipient qmgr settles itself */

static void qmgr_log_disposition(QMGR_MESSAGE *msg, const char *rcpt, const char *dsn,
				         const char *status, const char *text)
{
    DELIVERY_TIMES t;

    memset(&t, 0, sizeof(t));
    t.arrival = msg->arrival;
    t.active = msg->active_time;
    t.done = qmgr_now();
    delivery_log(msg->qid, rcpt, "none", 0, &t, dsn, status, text);
    if (strcmp(status, "deferred") == 0) {
	qmgr_stats_add("none", QMGR_STAT_DEFERRED, 1);
	msg->rcpt_deferred++;
	msg->last_transport = "none";
    } else {
	qmgr_stats_add("none", QMGR_STAT_BOUNCED, 1);
    }
}

/* qmgr_bounce_now - a recipient that cannot be routed at all */

static void qmgr_bounce_now(QMGR_MESSAGE *msg, int fd, const char *rcpt, long offset,
			            const char *why)
{
    BOUNCE_RCPT br;
    DSTR   *err = dstr_new(64);

    memset(&br, 0, sizeof(br));
    br.address = rcpt;
    br.offset = offset;
    br.status = "5.1.3";
    br.action = "failed";
    br.remote_mta = "";
    br.diagnostic = "";
    br.reason = why;
    if (bounce_log(var_soft_bounce ? BOUNCE_LOG_DEFER : BOUNCE_LOG_BOUNCE, msg->qid, &br,
		   err) == 0 && !var_soft_bounce) {
	qmgr_mark_done(msg, fd, offset);
	qmgr_log_disposition(msg, rcpt, "5.1.3", "bounced", why);
    } else {
	qmgr_message_defer(msg, 0);
	qmgr_log_disposition(msg, rcpt, "4.1.3", "deferred", why);
    }
    dstr_free(err);
}

/* qmgr_deferred_transport - is this transport listed in defer_transports? */

static int qmgr_deferred_transport(const char *transport)
{
    ARGV   *list;
    size_t  i;
    int     found = 0;

    if (*var_defer_transports == 0)
	return (0);
    list = argv_split(var_defer_transports, " \t,");
    for (i = 0; i < list->argc && !found; i++)
	found = strcmp(list->argv[i], transport) == 0;
    argv_free(list);
    return (found);
}

/* qmgr_defer_now - a recipient on a deferred transport: record it, do not deliver */

static void qmgr_defer_now(QMGR_MESSAGE *msg, const char *rcpt, long offset)
{
    static const char reason[] = "deferred transport";
    BOUNCE_RCPT br;
    DSTR   *err = dstr_new(64);

    memset(&br, 0, sizeof(br));
    br.address = rcpt;
    br.offset = offset;
    br.status = "4.3.2";
    br.action = "delayed";
    br.remote_mta = "";
    br.diagnostic = "";
    br.reason = reason;
    (void) bounce_log(BOUNCE_LOG_DEFER, msg->qid, &br, err);
    qmgr_message_defer(msg, 0);
    qmgr_log_disposition(msg, rcpt, "4.3.2", "deferred", reason);
    dstr_free(err);
}

/* qmgr_message_read - up to limit recipients into the scheduler (§5.2) */

static void qmgr_message_read(QMGR_MESSAGE *msg, int fd, QFILE_IN *in, long limit)
{
    DSTR   *addr = dstr_new(64);
    DSTR   *err = dstr_new(64);
    DSTR   *transport = dstr_new(16);
    DSTR   *nexthop = dstr_new(64);
    long    unread;
    long    off;
    int     done;
    long    n = 0;
    int     rc;

    while (n < limit) {
	if ((rc = qfile_in_rcpt(in, addr, &off, &done, err)) <= 0) {
	    if (rc < 0) {
		msg_warn("%s: %s", msg->qid, dstr_str(err));
		msg->flags |= QMGR_MSG_CORRUPT;
	    }
	    msg->rcpt_next = 0;
	    break;
	}
	msg->rcpt_seen++;
	msg->rcpt_next = qfile_in_tell(in);
	if (done)
	    continue;
	if (qmgr_is_double_bounce(dstr_str(addr))) {
	    qmgr_mark_done(msg, fd, off);
	    qmgr_log_disposition(msg, dstr_str(addr), "2.0.0", "discarded",
				 "mail to the double-bounce address");
	    continue;
	}
	if (qmgr_resolve(dstr_str(addr), transport, nexthop, err) < 0) {
	    qmgr_bounce_now(msg, fd, dstr_str(addr), off, dstr_str(err));
	    continue;
	}
	if (!(msg->flags & QMGR_MSG_FLUSHED) && qmgr_deferred_transport(dstr_str(transport))) {
	    qmgr_defer_now(msg, dstr_str(addr), off);
	    continue;
	}
	sched_add_rcpt(qmgr_sched, &msg->sched, dstr_str(transport), dstr_str(nexthop),
		       dstr_str(addr), off);
	n++;
    }
    /* The estimate only steers slot allotment; more may follow than counted. */
    unread = msg->rcpt_next == 0 ? 0 : msg->rcpt_total - msg->rcpt_seen;
    if (msg->rcpt_next != 0 && unread < 1)
	unread = 1;
    sched_read_done(qmgr_sched, &msg->sched, unread);
    dstr_free(addr);
    dstr_free(err);
    dstr_free(transport);
    dstr_free(nexthop);
}

/* qmgr_message_open - the active file, read-write */

static int qmgr_message_open(const char *id)
{
    DSTR   *path = dstr_new(64);
    int     fd;

    if ((fd = open(spool_path(path, SPOOL_ACTIVE, id), O_RDWR | O_NOFOLLOW | O_CLOEXEC)) < 0
	&& errno != ENOENT)
	msg_warn("open %s: %m", dstr_str(path));
    dstr_free(path);
    return (fd);
}

/* qmgr_message_free - forget a finalized message */

static void qmgr_message_free(QMGR_MESSAGE *msg)
{
    sched_message_free(qmgr_sched, &msg->sched);
    (void) htable_delete(qmgr_messages, msg->qid);
    qmgr_active_count--;
    free(msg->sender);
    free(msg);
    qmgr_kick();				/* room for another import */
}

/* qmgr_to_corrupt - an unreadable file leaves the active queue */

static void qmgr_to_corrupt(const char *id, const char *why)
{
    msg_warn("%s: %s: moved to %s", id, why, SPOOL_CORRUPT);
    (void) qmgr_move(SPOOL_ACTIVE, id, SPOOL_CORRUPT, 0);
}

/*
 * qmgr_locked_later - a delivery agent of an earlier qmgr still holds the
 * file (a reload or a crash came while it delivered). Put the file in
 * deferred/, due in QMGR_LOCKED_DELAY seconds, and have a deferred scan run
 * then; a flush may try it sooner. The time of this attempt is remembered,
 * so the scan under way, which may meet the file again in the directory
 * it was moved to, does not try and log it over and over.
 */

static void qmgr_locked_later(const char *id, double now)
{
    double *when = mymalloc(sizeof(*when));

    msg_info("%s: still being delivered by an earlier queue manager: retry later", id);
    *when = now;
    if (qmgr_locked == NULL)
	qmgr_locked = htable_new(16);
    free(htable_delete(qmgr_locked, id));
    htable_enter(qmgr_locked, id, when);
    (void) qmgr_move(SPOOL_ACTIVE, id, SPOOL_DEFERRED, now + QMGR_LOCKED_DELAY);
    qmgr_scan_deferred_after(QMGR_LOCKED_DELAY + 1);
}

/* qmgr_locked_wait - was id found locked less than a second ago? */

static int qmgr_locked_wait(const char *id, double now)
{
    double *when;

    if (qmgr_locked == NULL || (when = htable_find(qmgr_locked, id)) == NULL)
	return (0);
    if (now - *when < 1)
	return (1);
    free(htable_delete(qmgr_locked, id));
    return (0);
}

/* qmgr_active_import - one file into the active queue */

int     qmgr_active_import(const char *queue, const char *id, int scan_flags)
{
    DSTR   *path = dstr_new(64);
    DSTR   *err = dstr_new(64);
    QFILE_INFO info;
    QFILE_IN *in;
    QMGR_MESSAGE *msg = NULL;
    struct stat st;
    double  now = qmgr_now();
    int     fd;
    int     ret = 0;

    if (qmgr_active_find(id) != NULL || qmgr_locked_wait(id, now)
	|| lstat(spool_path(path, queue, id), &st) < 0)
	goto out;
    if (!S_ISREG(st.st_mode)) {
	qmgr_junk_move(queue, id);
	goto out;
    }
    if (strcmp(queue, SPOOL_DEFERRED) == 0 && !(scan_flags & QMGR_SCAN_ALL)
	&& st.st_mtime > now + 1)
	goto out;				/* not yet time to retry */
    if (qmgr_move(queue, id, SPOOL_ACTIVE, 0) < 0 || (fd = qmgr_message_open(id)) < 0)
	goto out;
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {	/* an old delivery still runs */
	close(fd);
	qmgr_locked_later(id, now);
	goto out;
    }
    (void) flock(fd, LOCK_UN);
    qfile_info_init(&info);
    in = qfile_in_open(fd);
    if (qfile_in_info(in, &info, err) < 0) {
	qmgr_to_corrupt(id, dstr_str(err));
    } else {
	qmgr_unlink(SPOOL_DEFER, id);		/* reasons of the last attempt */
	msg = mycalloc(1, sizeof(*msg));
	strcpy(msg->qid, id);
	msg->arrival = info.arrival_sec + info.arrival_usec / 1e6;
	msg->active_time = now;
	msg->content_offset = info.content_offset;
	msg->content_size = info.content_size;
	msg->rcpt_total = info.rcpt_count;
	msg->sender = mystrdup(dstr_str(info.sender));
	strcpy(msg->verp, info.verp);
	msg->warn_time = info.warn_time;
	msg->warn_offset = info.warn_offset;
	sched_message_init(&msg->sched, msg, msg->qid, now, info.verp[0] != 0);
	if (scan_flags & QMGR_SCAN_FLUSH) {
	    msg->flags |= QMGR_MSG_FLUSHED;
	    msg->sched.flush_dead = 1;
	}
	htable_enter(qmgr_messages, id, msg);
	qmgr_active_count++;
	if (strcmp(queue, SPOOL_INCOMING) == 0)
	    qmgr_stats_message(id, info.attrs, msg->content_size);
	msg_info("%s: from=<%s>, size=%ld, nrcpt=%ld (queue active)", id, msg->sender,
		 msg->content_size, msg->rcpt_total);
	qmgr_message_read(msg, fd, in, sched_read_limit(qmgr_sched, &msg->sched, 1));
	ret = 1;
    }
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
    if (ret && msg->sched.refcount == 0)	/* nothing to deliver */
	qmgr_message_idle(NULL, &msg->sched);
out:
    dstr_free(path);
    dstr_free(err);
    return (ret);
}

/* qmgr_message_refill - read up to limit more recipients from where we stopped */

static void qmgr_message_refill(QMGR_MESSAGE *msg, long limit)
{
    QFILE_IN *in;
    int     fd;

    if (msg->rcpt_next == 0 || limit <= 0)
	return;
    if ((fd = qmgr_message_open(msg->qid)) < 0) {
	qmgr_message_defer(msg, 0);	/* never finalize unread mail as done */
	msg->rcpt_next = 0;
	sched_read_done(qmgr_sched, &msg->sched, 0);
	return;
    }
    in = qfile_in_open(fd);
    if (qfile_in_seek(in, msg->rcpt_next) == 0) {
	qmgr_message_read(msg, fd, in, limit);
    } else {
	msg->flags |= QMGR_MSG_CORRUPT;
	msg->rcpt_next = 0;
	sched_read_done(qmgr_sched, &msg->sched, 0);
    }
    qfile_in_free(in);
    close(fd);
}

/* qmgr_no_more_reads - admin marks and finalizing stop reading the file */

static int qmgr_no_more_reads(const QMGR_MESSAGE *msg)
{
    return ((msg->flags & (QMGR_MSG_DELETE | QMGR_MSG_HOLD | QMGR_MSG_REQUEUE
			   | QMGR_MSG_FINAL)) != 0);
}

/* qmgr_read_more - SCHED_OPS read_more: a refill the scheduler decided on */

void    qmgr_read_more(void *ctx, SCHED_MESSAGE *sm, long limit)
{
    QMGR_MESSAGE *msg = sm->owner;

    (void) ctx;
    if (!qmgr_no_more_reads(msg))
	qmgr_message_refill(msg, limit);
}

/* qmgr_message_defer - some recipient must be retried, after backoff or at retry_at */

void    qmgr_message_defer(QMGR_MESSAGE *msg, double retry_at)
{
    msg->flags |= QMGR_MSG_DEFERRED;
    if (retry_at <= 0)
	msg->flags |= QMGR_MSG_BACKOFF;
    else if (retry_at > msg->retry_at)
	msg->retry_at = retry_at;
}

/*
 * qmgr_backoff - next-try time: the message's age, within bounds (§7.2).
 * Recipients held back by an exchanger group's suspension are due when it
 * ends, not after the backoff, and were no failed attempt (§10a): a
 * message with only those comes back then; one with both comes back at
 * the earlier time (the other recipients find their destination as the
 * dead-destination cache left it).
 */
static double qmgr_backoff(const QMGR_MESSAGE *msg, double now)
{
    double  delay = now - msg->arrival;
    double  when;

    if (delay < var_min_backoff)
	delay = var_min_backoff;
    if (delay > var_max_backoff)
	delay = var_max_backoff;
    when = now + delay;
    if (msg->retry_at > now && (!(msg->flags & QMGR_MSG_BACKOFF) || msg->retry_at < when))
	when = msg->retry_at;
    return (when);
}

/* qmgr_remove - a message that is done */

static void qmgr_remove(QMGR_MESSAGE *msg)
{
    qmgr_unlink(SPOOL_ACTIVE, msg->qid);
    /* Logs exist only when something was written to them this round (the
     * defer log of an earlier round went at import); bounce removes a bounce
     * log it has reported. Most messages have neither: skip the unlinks. */
    if (msg->flags & (QMGR_MSG_BOUNCE_LOG | QMGR_MSG_DELETE))
	qmgr_unlink(SPOOL_BOUNCE, msg->qid);
    if (msg->flags & (QMGR_MSG_DEFERRED | QMGR_MSG_DELETE))
	qmgr_unlink(SPOOL_DEFER, msg->qid);
    msg_info("%s: %s", msg->qid, (msg->flags & QMGR_MSG_DELETE) ?
	     "removed by the administrator" : "removed");
}

/* qmgr_admin_move - carry out a hold or requeue asked for while the message was active */

static void qmgr_admin_move(QMGR_MESSAGE *msg, const char *to, double mtime,
			            const char *audit)
{
    /* The audit line is logged only now, when the file has moved: the
     * message could have been delivered in full before (docs/design.md,
     * "Queue operations"). */
    if (qmgr_move(SPOOL_ACTIVE, msg->qid, to, mtime) == 0) {
	msg_info("%s: %s", msg->qid, audit);
	if (strcmp(to, SPOOL_INCOMING) == 0)
	    qmgr_stats_moved_back(msg->qid);
    }
}

/* qmgr_notify_bounces - non-delivery notices for recipients in bounce/ID */

static void qmgr_notify_bounces(QMGR_MESSAGE *msg)
{
    DSTR   *path = dstr_new(64);
    DSTR   *err = dstr_new(64);
    struct stat st;

    if (stat(spool_path(path, SPOOL_BOUNCE, msg->qid), &st) == 0) {
	msg->flags |= QMGR_MSG_BOUNCE_LOG;
	if (bounce_notify(BOUNCE_NOTIFY_FAILED, SPOOL_ACTIVE, msg->qid, err) < 0) {
	    msg_warn("%s: non-delivery notification not sent: %s -- will retry",
		     msg->qid, dstr_str(err));
	    qmgr_message_defer(msg, 0);	/* keep the message and its bounce log */
	}
    }
    dstr_free(path);
    dstr_free(err);
}

/* qmgr_expired - too old: return what is left to the sender; 1 if done */

static int qmgr_expired(QMGR_MESSAGE *msg, double now)
{
    int     lifetime = *msg->sender ? var_max_queue_time : var_bounce_queue_time;
    DSTR   *err;
    int     ret;

    if (lifetime > var_max_queue_time)
	lifetime = var_max_queue_time;
    if (now - msg->arrival < lifetime)
	return (0);
    err = dstr_new(64);
    if ((ret = bounce_notify(BOUNCE_NOTIFY_EXPIRED, SPOOL_ACTIVE, msg->qid, err)) < 0)
	msg_warn("%s: expired, but the notification could not be sent: %s -- will retry",
		 msg->qid, dstr_str(err));
    else				/* what was deferred this time goes back */
	qmgr_stats_add(msg->last_transport ? msg->last_transport : "none",
		       QMGR_STAT_EXPIRED, msg->rcpt_deferred);
    dstr_free(err);
    return (ret == 0);
}

/* qmgr_delay_warning - a deferred message old enough gets one warning */

static void qmgr_delay_warning(QMGR_MESSAGE *msg, double now)
{
    DSTR   *err;
    int     fd;

    if (msg->warn_time <= 0 || now < msg->warn_time || *msg->sender == 0)
	return;
    err = dstr_new(64);
    if (bounce_notify(BOUNCE_NOTIFY_DELAYED, SPOOL_ACTIVE, msg->qid, err) < 0) {
	msg_warn("%s: delay warning not sent: %s -- will retry", msg->qid, dstr_str(err));
    } else if ((fd = qmgr_message_open(msg->qid)) >= 0) {
	if (qfile_clear_warn(fd, msg->warn_offset) < 0)
	    msg_warn("%s: cannot record the delay warning: %m", msg->qid);
	close(fd);
    }
    dstr_free(err);
}

/* qmgr_finalize - nothing in flight, nothing left to read */

static void qmgr_finalize(QMGR_MESSAGE *msg)
{
    double  now = qmgr_now();

    msg->flags |= QMGR_MSG_FINAL;
    if (msg->flags & QMGR_MSG_DELETE) {
	qmgr_remove(msg);
    } else if (msg->flags & QMGR_MSG_CORRUPT) {
	qmgr_to_corrupt(msg->qid, "unreadable recipient records");
    } else {
	qmgr_notify_bounces(msg);
	if (!(msg->flags & QMGR_MSG_DEFERRED))
	    qmgr_remove(msg);
	else if (msg->flags & QMGR_MSG_HOLD)
	    qmgr_admin_move(msg, SPOOL_HOLD, 0, "placed on hold");
	else if (msg->flags & QMGR_MSG_REQUEUE)
	    qmgr_admin_move(msg, SPOOL_INCOMING, now, "requeued");
	else if (qmgr_expired(msg, now))
	    qmgr_remove(msg);
	else {
	    qmgr_delay_warning(msg, now);
	    (void) qmgr_move(SPOOL_ACTIVE, msg->qid, SPOOL_DEFERRED, qmgr_backoff(msg, now));
	}
    }
    qmgr_message_free(msg);
}

/* qmgr_message_idle - the scheduler has no entries of this message left */

void    qmgr_message_idle(void *ctx, SCHED_MESSAGE *sm)
{
    QMGR_MESSAGE *msg = sm->owner;
    long    limit;

    (void) ctx;
    /* Recipients settled at read time (bounced, deferred) leave none live: read on. */
    while (!qmgr_no_more_reads(msg) && msg->rcpt_next != 0) {
	limit = sched_read_limit(qmgr_sched, sm, 0);
	qmgr_message_refill(msg, limit > 0 ? limit : 1);
	if (sm->refcount > 0)
	    return;
    }
    qmgr_finalize(msg);
}
