/*
 * server - daemon skeleton
 * DESCRIPTION
 *	Start-up and the accept loop, once for every daemon: configuration,
 *	logging, privilege drop, and the conversation with master. Master
 *	spawns a child when a listener has work and no child is idle; the
 *	child says "taken" when it accepts and "available" when done, so
 *	master never over- or under-spawns. A child exits after max_use
 *	requests or max_idle idle seconds, so configuration changes reach it
 *	without a restart, and at once (after its current request) when the
 *	alive pipe from master reaches end of file: reload, stop, or master's
 *	death.
 *
 *	A child also exits when a lookup table it opened was rebuilt
 *	(dict_changed_name()), so master starts one that opens the new
 *	table. It checks after each request, before it accepts a connection
 *	(leaving that connection to the new process), and, while idle, every
 *	SERVER_TABLE_CHECK_MS: with EPOLLEXCLUSIVE a connection wakes only one
 *	idle process, and one that exits without accepting does not wake the
 *	others, so they must notice by themselves and make room.
 *
 *	When master dies, the listening sockets it shared with us must go at
 *	once, or a new master cannot bind its ports while we finish a
 *	request for a slow client. An idle process sees the alive pipe reach
 *	end of file and exits; a busy one is not looking, so the kernel sends
 *	it SERVER_ORPHAN_SIG (PR_SET_PDEATHSIG) and the handler replaces the
 *	listeners with /dev/null (dup2() is async-signal-safe; the numbers
 *	stay taken so nothing opened later passes for a listener). The
 *	request in hand then finishes and the process exits.
 *
 *	A watchdog (watchdog.c) ends a process that spends more than
 *	daemon_timeout on start-up, on one request, or on one round of its
 *	own event loop, with "fatal: watchdog timeout" in the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "procid.h"
#include "server.h"
#include "cfg.h"
#include "cfg_params.h"
#include "dict.h"
#include "fsutil.h"
#include "ios.h"
#include "jail.h"
#include "maillog.h"
#include "master_proto.h"
#include "msg.h"
#include "mymalloc.h"
#include "strutil.h"
#include "watchdog.h"

#define SERVER_TABLE_CHECK_MS	1000	/* idle processes look at their tables */

#define SERVER_ORPHAN_SIG	SIGUSR2	/* PR_SET_PDEATHSIG: master is gone */

const char *server_service_name = "";
static int server_under_master;
static pid_t server_master_pid;		/* our parent, master, at start */
static int server_nlisten;		/* listeners to drop when orphaned */
static int server_null_fd = -1;		/* what replaces them */
static volatile sig_atomic_t server_orphaned;

/* server_fd_open - is this descriptor open? */

static int server_fd_open(int fd)
{
    return (fcntl(fd, F_GETFD) >= 0);
}

/* server_alive_fd - reload/stop indicator */

int     server_alive_fd(void)
{
    return (server_under_master ? MASTER_ALIVE_FD : -1);
}

/* server_should_exit - poll the alive pipe without blocking */

int     server_should_exit(void)
{
    struct pollfd pfd;

    if (!server_under_master)
	return (0);
    pfd.fd = MASTER_ALIVE_FD;
    pfd.events = POLLIN;
    return (poll(&pfd, 1, 0) > 0);
}

/* server_orphan_event - master died: let go of its listeners now */

static void server_orphan_event(int sig)
{
    int     saved_errno = errno;
    int     i;

    (void) sig;
    for (i = 0; i < server_nlisten && server_null_fd >= 0; i++)
	(void) dup2(server_null_fd, MASTER_LISTEN_FD + i);
    server_orphaned = 1;
    errno = saved_errno;
}

/* server_watch_master - have the kernel tell us when master dies */

static void server_watch_master(int nsock)
{
    struct sigaction sa;

    server_nlisten = nsock;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = server_orphan_event;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SERVER_ORPHAN_SIG, &sa, NULL) < 0)
	msg_fatal("sigaction: %m");
    /* After the privilege drop: a change of credentials clears the setting. */
    if (prctl(PR_SET_PDEATHSIG, SERVER_ORPHAN_SIG) < 0)
	msg_warn("prctl PR_SET_PDEATHSIG: %m");
    if (getppid() != server_master_pid)	/* gone before we asked */
	server_orphan_event(0);
}

/* server_status - report to master */

void    server_status(int avail)
{
    MASTER_STATUS st;

    if (!server_under_master || server_orphaned)
	return;
    memset(&st, 0, sizeof(st));
    st.pid = procid_self();
    st.avail = avail;
    if (write(MASTER_STATUS_FD, &st, sizeof(st)) == sizeof(st))
	return;
    if (errno != EPIPE)
	msg_fatal("status update to master: %m");
    server_orphan_event(0);			/* master is gone: finish, then exit */
}

/* server_tables_changed - a table was rebuilt: log Postfix's line */

int     server_tables_changed(void)
{
    const char *name;

    if ((name = dict_changed_name()) == NULL)
	return (0);
    msg_info("table %s has changed -- restarting", name);
    return (1);
}

/* server_wait_ms - how long the accept loop may sleep */

static int server_wait_ms(int persistent, long long idle_end, int watch)
{
    long long left = -1;			/* forever */

    if (!persistent && (left = idle_end - ios_now_ms()) < 0)
	left = 0;
    if (watch && (left < 0 || left > SERVER_TABLE_CHECK_MS))
	left = SERVER_TABLE_CHECK_MS;
    return ((int) left);
}

/* server_load_snapshot - the main.cf master last validated; 0 or -1 and err */

static int server_load_snapshot(DSTR *err)
{
    const char *snap = getenv(MASTER_ENV_SNAPSHOT);
    DSTR   *text = dstr_new(4096);
    int     ret = -1;

    if (snap != NULL && fs_read_file(snap, text, 0) == 0)
	ret = cfg_load_text(dstr_str(text), dstr_len(text), snap, err);
    dstr_free(text);
    return (ret);
}

/*
 * server_config_fatal - a configuration we cannot run with: say so where
 * the administrator looks. Logging is not set up yet and needs settings;
 * take them from main.cf or master's copy, without the -o values, which
 * may be what is broken. The line goes to maillog_file directly, as
 * master's do: through the log socket it could wait forever on a full
 * queue, and, were this postlogd, on its own. Master then throttles the
 * service.
 */

static _Noreturn void server_config_fatal(const DSTR *why)
{
    DSTR   *ignored = dstr_new(128);

    cfg_override_clear();
    if (cfg_load(cfg_default_dir(), ignored) == 0 || server_load_snapshot(ignored) == 0)
	maillog_init(msg_progname, MAILLOG_DIRECT);
    msg_fatal("%s", dstr_str(why));
}

/*
 * server_load_config - main.cf, or the copy master last validated. Returns
 * NULL, or why main.cf could not be used, for the log once it is set up.
 */

static DSTR *server_load_config(void)
{
    DSTR   *err = dstr_new(128);
    DSTR   *ignored;

    if (cfg_load(cfg_default_dir(), err) == 0)
	return (dstr_free(err));
    ignored = dstr_new(128);
    if (server_load_snapshot(ignored) < 0)
	server_config_fatal(err);
    dstr_free(ignored);
    return (err);
}

/*
 * server_accept_waiting - a connection that is already waiting, or -1.
 * Under load the next client is queued by the time a request ends: taking
 * it at once, still "busy" for master, spares two status reports, a wake-up
 * of master and a trip through epoll per request. When none waits, the
 * process reports itself idle and sleeps as before.
 */
static int server_accept_waiting(const int *fds, int nfds)
{
    int     fd;
    int     i;

    for (i = 0; i < nfds; i++)
	if ((fd = accept4(fds[i], NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0)
	    return (fd);
    return (-1);
}

/* server_accept_loop - serve connections until told or timed out */

static _Noreturn void server_accept_loop(const SERVER_DESC *desc, const int *fds,
					         int nfds, char **argv)
{
    struct epoll_event ev;
    struct epoll_event got[8];
    int     persistent = desc->flags & SERVER_FLAG_PERSISTENT;
    int     watch = dict_watch_count() > 0;
    long long idle_end;
    int     use_count = 0;
    int     epfd;
    int     i;
    int     n;
    int     fd;

    /*
     * Every idle process of a service waits on the same listeners.
     * EPOLLEXCLUSIVE wakes one of them per connection instead of all: the
     * others would only lose the race for accept() and report to master
     * for nothing (the thundering herd).
     */
    if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
	msg_fatal("epoll_create1: %m");
    for (i = 0; i < nfds; i++) {
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.fd = fds[i];
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fds[i], &ev) < 0)
	    msg_fatal("epoll_ctl: %m");
    }
    if (server_alive_fd() >= 0) {
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = server_alive_fd();
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, server_alive_fd(), &ev) < 0)
	    msg_fatal("epoll_ctl: %m");
    }
    server_status(MASTER_STAT_AVAIL);
    idle_end = ios_now_ms() + (long long) var_idle_limit * 1000;
    for (;;) {
	if (server_orphaned)
	    exit(0);
	watchdog_pause();			/* waiting for a client is no hang */
	n = epoll_wait(epfd, got, 8, server_wait_ms(persistent, idle_end, watch));
	watchdog_pat();
	if (n < 0) {
	    if (errno == EINTR)
		continue;
	    msg_fatal("epoll_wait: %m");
	}
	if (n == 0) {
	    if (watch && server_tables_changed())
		exit(0);
	    if (persistent || ios_now_ms() < idle_end)
		continue;
	    if (msg_verbose)
		msg_info("idle timeout -- exiting");
	    exit(0);
	}
	for (i = 0; i < n; i++)
	    if (got[i].data.fd == server_alive_fd())
		exit(0);			/* reload or stop */
	/* The new process, not this one, should serve with the new table. */
	if (watch && server_tables_changed())
	    exit(0);
	for (i = 0; i < n; i++) {
	    if ((fd = accept4(got[i].data.fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) < 0) {
		if (server_orphaned)		/* the listener became /dev/null */
		    exit(0);
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
		    && errno != ECONNABORTED)
		    msg_warn("accept: %m");
		continue;			/* someone else got it: still idle */
	    }
	    server_status(MASTER_STAT_TAKEN);
	    do {
		watchdog_pat();			/* daemon_timeout for this request */
		desc->service(fd, server_service_name, argv);
		(void) close(fd);
		if (!persistent && ++use_count >= var_use_limit)
		    exit(0);
		if (server_orphaned || server_should_exit())
		    exit(0);
		if (watch && server_tables_changed())
		    exit(0);
	    } while ((fd = server_accept_waiting(fds, nfds)) >= 0);
	    server_status(MASTER_STAT_AVAIL);
	    idle_end = ios_now_ms() + (long long) var_idle_limit * 1000;
	    break;
	}
    }
}

/* server_main - the skeleton */

void    server_main(int argc, char **argv, const SERVER_DESC *desc)
{
    int     ch;
    int     want_chroot = 0;
    int     stdin_mode = 0;
    long    nsock = 0;
    int    *fds;
    int     i;
    DSTR   *err = dstr_new(128);
    DSTR   *broken;

    server_master_pid = getppid();		/* before master could be gone */
    msg_init(desc->name);
    signal(SIGPIPE, SIG_IGN);
    opterr = 0;
    while ((ch = getopt(argc, argv, "+cn:o:s:t:uvS")) != -1) {
	switch (ch) {
	case 'c':
	    want_chroot = 1;
	    break;
	case 'n':
	    server_service_name = optarg;
	    break;
	case 'o':
	    if (cfg_override(optarg, err) < 0)
		msg_fatal("%s", dstr_str(err));
	    break;
	case 's':
	    if (str_to_long(optarg, 0, 64, &nsock) < 0)
		msg_fatal("bad listener count: %s", optarg);
	    break;
	case 't':
	    break;
	case 'u':				/* always so: see below */
	    break;
	case 'v':
	    msg_verbose++;
	    break;
	case 'S':
	    stdin_mode = 1;
	    break;
	default:
	    msg_fatal("usage: %s [-cSuv] [-n service] [-o name=value] [-s count]",
		      desc->name);
	}
    }
    argv += optind;
    broken = server_load_config();
    watchdog_start((unsigned) var_daemon_timeout);	/* start-up counts too */
    server_under_master = !stdin_mode && server_fd_open(MASTER_STATUS_FD)
	&& server_fd_open(MASTER_ALIVE_FD);
    maillog_init(desc->name, 0);
    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %m", var_queue_dir);
    /* What replaces master's listeners should master die (no /dev in a chroot). */
    if (server_under_master && desc->loop == 0
	&& (server_null_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
	msg_fatal("open /dev/null: %m");
    if (desc->pre_jail)
	desc->pre_jail(server_service_name, argv);

    /*
     * Only now: postlogd's pre-jail hook stops it logging through its own
     * socket, where a line could wait forever on a queue only it reads.
     */
    if (broken) {
	msg_warn("%s -- running with the configuration master last validated",
		 dstr_str(broken));
	dstr_free(broken);
    }
    /*
     * No posthorn daemon needs root once its pre-jail hook has opened what
     * lies outside the spool, so none keeps it, whatever master.cf's unpriv
     * column says (posthorn check warns about unpriv n): one privileged
     * process, master (docs/design.md, "The privilege model").
     */
    if (geteuid() == 0)
	jail_enter(want_chroot ? var_queue_dir : NULL, var_mail_owner);
    else if (msg_verbose)
	msg_info("unprivileged mode: no chroot, no user change");
    if (desc->post_jail)
	desc->post_jail(server_service_name, argv);
    dstr_free(err);
    if (stdin_mode) {
	desc->service(STDIN_FILENO, server_service_name, argv);
	exit(0);
    }
    fds = mycalloc((size_t) nsock + 1, sizeof(int));
    for (i = 0; i < nsock; i++)
	fds[i] = MASTER_LISTEN_FD + i;
    if (desc->loop) {
	/* One "request" on record tells master the start-up worked, so a
	 * later crash of this long-running process is not a start-up failure. */
	server_status(MASTER_STAT_TAKEN);
	server_status(MASTER_STAT_AVAIL);
	desc->loop(fds, (int) nsock);
	exit(0);
    }
    if (desc->service == 0)
	msg_panic("%s: no service function", desc->name);
    /* Event-driven daemons (above) hold only UNIX sockets, which a new
     * master replaces by name, and leave as soon as the alive pipe closes. */
    if (server_under_master)
	server_watch_master((int) nsock);
    server_accept_loop(desc, fds, (int) nsock, argv);
}
