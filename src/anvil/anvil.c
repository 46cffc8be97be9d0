/*
 * anvil - count simultaneous connections per client, for every qmqpd
 * DESCRIPTION
 *	One long-running process (master.cf: "anvil unix - - y - 1 anvil"),
 *	Postfix's anvil(8) reduced to what posthorn needs: how many
 *	connections each client address has open to each service. qmqpd
 *	asks it when a client connects ("connect": the count, this one
 *	included) and tells it when the connection is over ("disconnect"),
 *	and refuses the client when the count is above
 *	qmqpd_client_connection_limit. anvil itself decides nothing.
 *
 *	Every client process keeps one stream to private/anvil for its
 *	whole life, and anvil ties each count to the stream that made it:
 *	when the stream ends, because the process exited or was killed,
 *	what it held is released. An address is forgotten as soon as its
 *	count drops to zero. Requests are tiny attribute lists; each is
 *	read without blocking (a client that sends half a request delays
 *	nobody) and answered at once. A client that sends something that is
 *	not a request, or does not read its answers, is disconnected, which
 *	releases its counts.
 *
 *	It also counts, in memory only, every connect and what its client
 *	says came of each connection (an "event" on the disconnect request:
 *	accepted, rejected:REASON ...), and gives those counters to posthorn
 *	metrics on a "stats" request (anvil_proto.h).
 *
 *	On exit it logs the highest count it saw, as Postfix's anvil does
 *	("statistics: max connection count N for (service:address) at
 *	time"). It exits when master says so (alive pipe closed on reload,
 *	SIGTERM on stop), or after max_idle seconds without any client
 *	stream; the counts die with it, and the next qmqpd processes start
 *	new ones.
 * SECURITY
 *	Reachable only by posthorn daemons (private/); runs chrooted as
 *	mail_owner. Memory is bounded by the number of client streams: each
 *	holds at most ANVIL_OWNER_IDENTS idents of ANVIL_IDENT_MAX bytes and
 *	buffers at most one request of ANVIL_REQUEST_MAX bytes.
 * PARAMETERS
 *	max_idle (100s).
 */
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <time.h>

#include "anvil.h"
#include "cfg_params.h"
#include "evloop.h"
#include "ios.h"
#include "msg.h"
#include "server.h"
#include "timefmt.h"

static int anvil_stop;

/* anvil_alive - master closed our alive pipe (reload), or sent SIGTERM (stop) */

static void anvil_alive(int fd, void *ctx)
{
    (void) fd;
    (void) ctx;
    anvil_stop = 1;
}

/* anvil_catch_term - SIGTERM as an event, so that stopping logs the statistics too */

static void anvil_catch_term(void)
{
    sigset_t mask;
    int     fd;

    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    /* A descriptor, not a handler: no race with the wait for events. */
    if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0
	|| (fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
	msg_warn("signalfd: %m");
	(void) sigprocmask(SIG_UNBLOCK, &mask, NULL);
	return;
    }
    evloop_read(fd, anvil_alive, 0);
}

/* anvil_statistics - Postfix's line about the busiest client */

static void anvil_statistics(ANVIL_TABLE *table)
{
    DSTR   *ident = dstr_new(64);
    DSTR   *when = dstr_new(32);
    time_t  at = 0;
    int     max;

    if ((max = anvil_table_max(table, ident, &at)) > 0) {
	timefmt_syslog(when, at);
	msg_info("statistics: max connection count %d for (%s) at %s",
		 max, dstr_str(ident), dstr_str(when));
    }
    dstr_free(ident);
    dstr_free(when);
}

/* anvil_more_files - one descriptor per client process: allow as many as we may */

static void anvil_more_files(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
	    msg_warn("raise the open file limit: %m");
    }
}

/* anvil_loop - serve until told to go, or idle without clients */

static void anvil_loop(const int *fds, int nfds)
{
    ANVIL_TABLE *table;
    long long idle_ms = (long long) var_idle_limit * 1000;
    long long left;
    int     i;

    anvil_more_files();
    table = anvil_table_new();
    for (i = 0; i < nfds; i++)
	anvil_conn_listen(table, fds[i]);
    if (server_alive_fd() >= 0)
	evloop_read(server_alive_fd(), anvil_alive, 0);
    anvil_catch_term();
    while (!anvil_stop) {
	/* Clients hold their streams open: idle means nobody is connected. */
	left = anvil_conn_count() > 0 ? idle_ms : anvil_conn_last_active() + idle_ms - ios_now_ms();
	if (left <= 0)
	    break;
	(void) evloop_run_once((int) (left > 0x7fffffff ? 0x7fffffff : left));
    }
    anvil_statistics(table);
    /* Exiting ends every stream; nothing else needs to be undone. */
}

int     main(int argc, char **argv)
{
    static const SERVER_DESC desc = {
	.name = "anvil",
	.loop = anvil_loop,
	.flags = SERVER_FLAG_PERSISTENT,
    };

    server_main(argc, argv, &desc);
}
