/* qmgr - internal interfaces of the queue manager */
#ifndef QMGR_H
#define QMGR_H
#include <sys/types.h>
#include "dstr.h"
#include "qid.h"
#include "qmgr_sched.h"

typedef struct QMGR_MESSAGE {
    SCHED_MESSAGE sched;		/* scheduling state */
    char    qid[QID_SIZE];
    double  arrival;			/* first queued */
    double  active_time;		/* entered the active queue this time */
    long    content_offset;
    long    content_size;
    long    rcpt_next;			/* offset of the next unread recipient record;
					 * 0: all read */
    long    rcpt_total;			/* recipients when queued */
    long    rcpt_seen;			/* recipient records read so far */
    char   *sender;
    char    verp[3];
    long    warn_time;			/* delay warning due then; 0: none */
    long    warn_offset;
    double  retry_at;			/* deferred by a throttle: due then; 0 none */
    long    rcpt_deferred;		/* recipients deferred this time in active */
    const char *last_transport;		/* of the latest deferral (posthorn metrics) */
    int     flags;			/* QMGR_MSG_* */
} QMGR_MESSAGE;

#define QMGR_MSG_DEFERRED	(1<<0)	/* some recipient must be retried */
#define QMGR_MSG_HOLD		(1<<1)	/* admin: move to hold/ when idle */
#define QMGR_MSG_DELETE		(1<<2)	/* admin: remove when idle */
#define QMGR_MSG_REQUEUE	(1<<3)	/* admin: back to incoming/ when idle */
#define QMGR_MSG_FINAL		(1<<4)	/* being finalized: no new reads */
#define QMGR_MSG_BACKOFF	(1<<5)	/* a deferral that waits the normal backoff */

/* qmgr.c */
extern SCHED *qmgr_sched;
extern double qmgr_now(void);
/* Tell the scheduler the time of the event being handled (before calling it). */
extern void qmgr_clock(void);
/* Ask the main loop to run the scheduler and importer again soon. */
extern void qmgr_kick(void);
/* Scan deferred/ in so many seconds; a later call moves that time (the last
 * call wins, so the scan comes after every file it was asked for is due). */
extern void qmgr_scan_deferred_after(int seconds);

/* qmgr_scan.c: the incoming and deferred scanners (scheduler.md §2.3) */
#define QMGR_SCAN_START		(1<<0)
#define QMGR_SCAN_ALL		(1<<1)	/* ignore deferred time stamps (A) */
#define QMGR_SCAN_FLUSH		(1<<2)	/* override defer_transports (F) */
typedef struct QMGR_SCAN QMGR_SCAN;
extern QMGR_SCAN *qmgr_scan_incoming;
extern QMGR_SCAN *qmgr_scan_deferred;
extern void qmgr_scan_init(void);
extern void qmgr_scan_request(QMGR_SCAN *scan, int flags);
/* Next queue id of the pass under way: 1 and the id and the pass's flags,
 * or 0 when there is none (a requested pass starts as soon as one ends). */
extern int qmgr_scan_next(QMGR_SCAN *scan, DSTR *id, int *flags);
extern const char *qmgr_scan_queue(const QMGR_SCAN *scan);
/* Import one file, incoming and deferred in turn (§2.1); import returns 1
 * when the file entered the active queue. With a full bucket nothing is
 * imported, but the next turn goes to incoming: new mail first. */
typedef int (*QMGR_IMPORT_FN) (const char *queue, const char *id, int scan_flags);
extern int qmgr_scan_import(int bucket_full, QMGR_IMPORT_FN import);

/* qmgr_active.c: into and out of the active queue */
extern long qmgr_active_count;
extern void qmgr_active_recover(void);
/* Import one file; 1 when it entered the active queue, 0 when skipped. */
extern int qmgr_active_import(const char *queue, const char *id, int scan_flags);
extern void qmgr_message_idle(void *ctx, SCHED_MESSAGE *sm);
/* The scheduler wants up to limit more recipients of sm (refill, §5.4). */
extern void qmgr_read_more(void *ctx, SCHED_MESSAGE *sm, long limit);
extern QMGR_MESSAGE *qmgr_active_find(const char *id);
extern void qmgr_active_walk(void (*fn) (QMGR_MESSAGE *, void *), void *ctx);
/* Move a message file between queues, optionally setting its time stamp;
 * 0, or -1 when it is gone; any other failure is fatal. */
extern int qmgr_move(const char *from, const char *id, const char *to, double mtime);

/* qmgr_junk.c: what does not belong in a message queue goes to corrupt/ */
/* Every message queue, once, at start. */
extern void qmgr_junk_sweep(void);
/* One entry a scan met (d_type from readdir); 1 when it was junk and is
 * dealt with, 0 when it is a regular file with a queue id name. */
extern int qmgr_junk_check(const char *queue, const char *name, unsigned char d_type);
/* Move queue/name to corrupt/ with one log line (or remember that it
 * cannot be moved, so it is not reported again). */
extern void qmgr_junk_move(const char *queue, const char *name);

/* qmgr_resolve.c */
extern int qmgr_resolve_init(DSTR *err);
/* transport and next hop for a recipient; -1 and reason for a bad address */
extern int qmgr_resolve(const char *rcpt, DSTR *transport, DSTR *nexthop, DSTR *why);
extern int qmgr_is_double_bounce(const char *rcpt);

/* qmgr_deliver.c */
extern void qmgr_deliver_start(SCHED_TRANSPORT *t);
extern void qmgr_transport_conf(void *ctx, const char *name, SCHED_TRANSPORT_CONF *conf);
/* Log and record a deferral for every recipient of e without delivering. */
/* Some recipient of msg must be retried: after the normal backoff (retry_at
 * 0), or at retry_at (a throttle's end, docs/scheduler.md §10a). */
extern void qmgr_message_defer(QMGR_MESSAGE *msg, double retry_at);
extern void qmgr_defer_entry(void *ctx, SCHED_ENTRY *e, const char *dsn, const char *reason);

/* qmgr_admin.c: a request from sender cred, answered on fd (which it closes) */
struct SOCK_CRED;
/* Delivery totals since qmgr started (qmgr_stats.c), for posthorn metrics. */
#define QMGR_STAT_SENT		0
#define QMGR_STAT_BOUNCED	1
#define QMGR_STAT_DEFERRED	2
#define QMGR_STAT_EXPIRED	3
#define QMGR_STAT_COUNT		4
extern void qmgr_stats_init(void);
/* n recipients of transport ended as QMGR_STAT_* (n <= 0: nothing). */
extern void qmgr_stats_add(const char *transport, int what, long n);
/* A message taken in from incoming/: its attributes (protocol, what came
 * of DKIM signing) and size; not counted if it was moved back. */
struct ATTR_LIST;
extern void qmgr_stats_message(const char *id, const struct ATTR_LIST *attrs, long bytes);
/* qmgr moved id back into incoming/ (requeue, release, restart): counted already. */
extern void qmgr_stats_moved_back(const char *id);
/* The counters, and when qmgr started, in Prometheus text format. */
extern void qmgr_stats_metrics(DSTR *out);
/* The same as the JSON member "deliveries": {...} (no braces around it). */
extern void qmgr_stats_json(DSTR *out);
/* One line of totals for a person (posthorn status). */
extern void qmgr_stats_text(DSTR *out);

extern void qmgr_admin_request(const char *buf, size_t len, const struct SOCK_CRED *cred, int fd);

/* qmgr_timer.c: the timers the scheduler asks for, on the event loop */
extern void qmgr_timer(void *ctx, int kind, void *obj, double when);

#endif
