/*
 * qmgr - the queue manager
 * DESCRIPTION
 *	One long-running process that owns the active queue. It wakes on
 *	one-byte triggers on public/qmgr (I: incoming, D: deferred, A: ignore
 *	deferred time stamps, F: flush, W: wake-up from master) and every
 *	queue_run_delay; imports messages from incoming/ and deferred/ in
 *	turn (at most qmgr_message_active_limit at a time), resolves each
 *	recipient to a transport and next hop, and hands batches to delivery
 *	agents as the scheduler decides: qmgr_sched*.c, Postfix's nqmgr as
 *	docs/scheduler.md describes it, pure logic driven from here with the
 *	clock and timers of the event loop. When a message is
 *	done it is removed; otherwise it is deferred with exponential backoff,
 *	or returned to its sender after maximal_queue_lifetime. Admin requests
 *	(hold, release, delete, requeue, status) arrive on the same socket.
 *
 *	Every local user can send to public/qmgr, so the kernel's word on
 *	each datagram's sender decides what it may do (SO_PASSCRED;
 *	docs/design.md, "Sockets and who may reach them"): I and W wake us
 *	for anyone; D, A and F only for root, mail_owner and
 *	authorized_flush_users; admin requests only for root and mail_owner
 *	(qmgr_admin.c).
 *
 *	On start every file left in active/ goes back to incoming/, so a
 *	crash loses nothing (docs/design.md invariant 4). On reload or stop
 *	it exits at once; deliveries in flight finish on their own. So it does
 *	when a table of transport_maps was rebuilt, noticed on the next
 *	trigger or within QMGR_TABLE_CHECK_MS, after a wake-up to itself so
 *	that master starts the new process at once.
 * SECURITY
 *	Chrooted in the queue directory as mail_owner. Takes datagrams from
 *	any local user and acts on each according to its sender's uid.
 * PARAMETERS
 *	authorized_flush_users, queue_run_delay, minimal_backoff_time, maximal_backoff_time,
 *	maximal_queue_lifetime, bounce_queue_lifetime, qmgr_message_active_limit,
 *	qmgr_message_recipient_limit, qmgr_message_recipient_minimum,
 *	qmgr_clog_warn_time, relayhost, transport_maps, default_transport,
 *	transport_retry_time, destination_concurrency_feedback_debug, and per
 *	transport (default_ or <transport>_): destination_concurrency_limit,
 *	destination_recipient_limit, initial_destination_concurrency,
 *	concurrency feedback and failed cohort limit, destination and
 *	transport rate delays, recipient, extra recipient and refill limits,
 *	delivery slot cost, discount, loan and minimum.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qmgr.h"
#include "cfg_params.h"
#include "dict.h"
#include "evloop.h"
#include "msg.h"
#include "server.h"
#include "sockcred.h"
#include "timefmt.h"
#include "trigger.h"
#include "user_acl.h"

#define QMGR_TRIGGER_MAX	65536	/* one datagram: triggers or an admin request */
#define QMGR_TABLE_CHECK_MS	1000	/* look at the table files this often */

SCHED  *qmgr_sched;
static USERLIST *qmgr_flush_users;	/* authorized_flush_users */
static int qmgr_kicked;
static EVLOOP_TIMER qmgr_run_timer = EVLOOP_TIMER_INIT;
static EVLOOP_TIMER qmgr_deferred_timer = EVLOOP_TIMER_INIT;
static EVLOOP_TIMER qmgr_table_timer = EVLOOP_TIMER_INIT;

/* qmgr_now - wall clock with microseconds */

double  qmgr_now(void)
{
    return (timefmt_now());
}

/* qmgr_clock - the scheduler decides with the time of the event at hand */

void    qmgr_clock(void)
{
    sched_set_now(qmgr_sched, qmgr_now());
}

/* qmgr_kick - run the scheduler and importer again before sleeping */

void    qmgr_kick(void)
{
    qmgr_kicked = 1;
}

/* qmgr_may_flush - D, A and F: root, mail_owner, authorized_flush_users */

static int qmgr_may_flush(const SOCK_CRED *cred)
{
    static double last;

    if (user_acl_allows(qmgr_flush_users, cred->uid))
	return (1);
    if (qmgr_now() - last >= 1) {		/* a flood makes one line a second */
	msg_warn("refusing to flush the queue for uid %ld (pid %ld): not in authorized_flush_users",
		 (long) cred->uid, (long) cred->pid);
	last = qmgr_now();
    }
    return (0);
}

/* qmgr_trigger_bytes - one-byte requests, folded */

static void qmgr_trigger_bytes(const char *buf, size_t len, const SOCK_CRED *cred)
{
    int     in = 0;
    int     def = 0;
    int     mods = 0;
    size_t  i;

    for (i = 0; i < len; i++) {
	switch (buf[i]) {
	case 'I':
	case 'W':
	    in = QMGR_SCAN_START;
	    break;
	case 'D':
	    def = QMGR_SCAN_START;
	    break;
	case 'A':
	    mods |= QMGR_SCAN_ALL;
	    break;
	case 'F':
	    mods |= QMGR_SCAN_FLUSH;
	    break;
	}
    }
    /* Anyone may wake us for new mail; the deferred queue is the admin's. */
    if ((def || mods) && !qmgr_may_flush(cred))
	def = mods = 0;
    /* Modifiers first, whatever their order in the buffer (§2.3). */
    if (mods & QMGR_SCAN_FLUSH) {
	qmgr_clock();
	sched_flush_dead(qmgr_sched);		/* dead destinations get a new try */
    }
    if (mods || in)
	qmgr_scan_request(qmgr_scan_incoming, in | mods);
    if (mods || def)
	qmgr_scan_request(qmgr_scan_deferred, def | mods);
}

/* qmgr_tables_check - a rebuilt table: go, and have master start us again now */

static void qmgr_tables_check(void)
{
    if (!server_tables_changed())
	return;
    /* Master starts qmgr when its socket has work; make sure it has. */
    if (trigger_send(TRIGGER_QMGR_SERVICE, "W", 1) < 0)
	msg_warn("wake-up %s: %m", TRIGGER_QMGR_SERVICE);
    exit(0);
}

/* qmgr_table_event - periodic look at the table files */

static void qmgr_table_event(void *ctx)
{
    (void) ctx;
    qmgr_tables_check();
    evloop_timer_set(&qmgr_table_timer, qmgr_table_event, NULL, QMGR_TABLE_CHECK_MS);
}

/* qmgr_trigger_event - datagrams on public/qmgr, each with its sender's credentials */

static void qmgr_trigger_event(int fd, void *ctx)
{
    static char buf[QMGR_TRIGGER_MAX];
    SOCK_CRED cred;
    ssize_t n;
    int     reply_fd;

    (void) ctx;
    qmgr_tables_check();			/* the request stays for the next qmgr */
    while ((n = sockcred_recv(fd, buf, sizeof(buf), &cred, &reply_fd)) >= 0) {
	if (n > 0 && buf[0] >= '0' && buf[0] <= '9') {
	    qmgr_admin_request(buf, (size_t) n, &cred, reply_fd);
	    continue;
	}
	if (reply_fd >= 0)
	    (void) close(reply_fd);
	qmgr_trigger_bytes(buf, (size_t) n, &cred);
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
	msg_fatal("receive trigger: %m");
}

/* qmgr_alive_event - reload or stop: go now, the spool has everything */

static void qmgr_alive_event(int fd, void *ctx)
{
    (void) fd;
    (void) ctx;
    exit(0);
}

/* qmgr_deferred_event - the one-shot deferred scan of qmgr_scan_deferred_after() */

static void qmgr_deferred_event(void *ctx)
{
    (void) ctx;
    qmgr_scan_request(qmgr_scan_deferred, QMGR_SCAN_START);
}

/* qmgr_scan_deferred_after - a deferred scan in so many seconds (re-armed by each call) */

void    qmgr_scan_deferred_after(int seconds)
{
    evloop_timer_set(&qmgr_deferred_timer, qmgr_deferred_event, NULL, (long long) seconds * 1000);
}

/* qmgr_run_event - periodic deferred scan */

static void qmgr_run_event(void *ctx)
{
    (void) ctx;
    qmgr_scan_request(qmgr_scan_deferred, QMGR_SCAN_START);
    evloop_timer_set(&qmgr_run_timer, qmgr_run_event, NULL,
		     (long long) var_queue_run_delay * 1000);
}

/* qmgr_clog_warn - the active queue is full: say so, at most every qmgr_clog_warn_time */

static void qmgr_clog_warn(void)
{
    static double last;
    double  now;

    if (var_qmgr_clog_warn_time <= 0)
	return;
    now = qmgr_now();
    if (last == 0 || now - last >= var_qmgr_clog_warn_time) {
	msg_warn("mail for %ld messages is in the active queue (qmgr_message_active_limit): "
		 "new mail waits in incoming", qmgr_active_count);
	last = now;
    }
}

/* qmgr_import_one - at most one message into the active queue (§2.1) */

static int qmgr_import_one(void)
{
    if (qmgr_active_count >= var_qmgr_active_limit) {
	qmgr_clog_warn();
	(void) qmgr_scan_import(1, qmgr_active_import);
	return (0);
    }
    qmgr_clock();
    return (qmgr_scan_import(0, qmgr_active_import));
}

/* qmgr_loop - the event loop */

/* qmgr_sched_log - SCHED_OPS log */

static void qmgr_sched_log(void *ctx, const char *text)
{
    (void) ctx;
    msg_info("%s", text);
}

/*
 * qmgr_throttle_ended - SCHED_OPS throttle_ended: mail an exchanger group's
 * suspension deferred is due now (docs/scheduler.md §10a), not at the next
 * periodic scan of deferred/.
 */
static void qmgr_throttle_ended(void *ctx)
{
    (void) ctx;
    qmgr_scan_request(qmgr_scan_deferred, QMGR_SCAN_START);
}

/* qmgr_sched_create - the scheduling core with this instance's settings */

static SCHED *qmgr_sched_create(void)
{
    static const SCHED_OPS ops = {
	.transport_conf = qmgr_transport_conf,
	.message_idle = qmgr_message_idle,
	.read_more = qmgr_read_more,
	.defer_entry = qmgr_defer_entry,
	.timer = qmgr_timer,
	.log = qmgr_sched_log,
	.throttle_ended = qmgr_throttle_ended,
    };
    SCHED_CONF conf;

    conf.rcpt_limit = var_qmgr_rcpt_limit;
    conf.rcpt_minimum = var_qmgr_rcpt_minimum;
    conf.dead_time = var_min_backoff;
    conf.transport_retry_time = var_transport_retry_time;
    conf.feedback_debug = var_dest_con_fb_debug;
    return (sched_new(&conf, &ops));
}

/* qmgr_pre_jail - open transport_maps while files outside the jail are reachable */

static void qmgr_pre_jail(const char *service, char **argv)
{
    DSTR   *err = dstr_new(64);

    (void) service;
    (void) argv;
    qmgr_flush_users = user_acl_open("authorized_flush_users", var_flush_users);
    if (qmgr_resolve_init(err) < 0)
	msg_fatal("%s", dstr_str(err));
    dstr_free(err);
}

static void qmgr_loop(const int *fds, int nfds)
{
    SCHED_TRANSPORT *t;
    int     busy;

    if (nfds != 1)
	msg_fatal("expected one trigger socket, got %d", nfds);
    qmgr_sched = qmgr_sched_create();
    qmgr_scan_init();
    qmgr_stats_init();
    qmgr_active_recover();
    if (sockcred_enable(fds[0]) < 0)
	msg_fatal("cannot ask for senders' credentials on the trigger socket: %m");
    evloop_read(fds[0], qmgr_trigger_event, NULL);
    if (server_alive_fd() >= 0)
	evloop_read(server_alive_fd(), qmgr_alive_event, NULL);
    qmgr_scan_request(qmgr_scan_incoming, QMGR_SCAN_START);
    qmgr_run_event(NULL);			/* deferred scan now, then periodically */
    if (dict_watch_count() > 0)
	evloop_timer_set(&qmgr_table_timer, qmgr_table_event, NULL, QMGR_TABLE_CHECK_MS);
    for (;;) {
	qmgr_kicked = 0;
	qmgr_clock();
	while ((t = sched_next_transport(qmgr_sched)) != NULL)
	    qmgr_deliver_start(t);
	busy = qmgr_import_one();
	(void) evloop_run_once(busy || qmgr_kicked ? 0 : -1);
    }
}

int     main(int argc, char **argv)
{
    static const SERVER_DESC desc = {
	.name = "qmgr",
	.pre_jail = qmgr_pre_jail,
	.loop = qmgr_loop,
	.flags = SERVER_FLAG_PERSISTENT,
    };

    server_main(argc, argv, &desc);
}
