/*
 * master_spawn - children: spawning, status, reaping, throttling, wake-ups
 * DESCRIPTION
 *	A child is spawned when one of its service's listeners has work and
 *	none of that service's children is idle, up to maxproc. It gets its
 *	descriptors at fixed numbers (master_proto.h), its own session (so a
 *	terminal's Ctrl-C reaches only master, which then stops everything in
 *	order), and the generic options that tell the skeleton how to run.
 *	A child that dies abnormally before it served anything, or that dies
 *	outside a request right after it was spawned, is a bad start-up: the
 *	service is throttled for service_throttle_time rather than respawned
 *	in a tight loop, so a crash loop costs a few log lines a minute.
 *	Status reports are read before the dead are judged: a child that
 *	took a request and crashed at once must not pass for one that never
 *	took any just because SIGCHLD was handled first.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "master.h"
#include "cfg.h"
#include "cfg_params.h"
#include "ios.h"
#include "master_proto.h"
#include "msg.h"
#include "mymalloc.h"
#include "sockutil.h"

static MASTER_PROC *master_procs;

/* master_proc_find - child by pid */

static MASTER_PROC *master_proc_find(pid_t pid, MASTER_PROC ***where)
{
    MASTER_PROC **pp;

    for (pp = &master_procs; *pp; pp = &(*pp)->next)
	if ((*pp)->pid == pid) {
	    if (where)
		*where = pp;
	    return (*pp);
	}
    return (NULL);
}

/* master_proc_count - children of a service (all generations) */

int     master_proc_count(MASTER_SERV *serv)
{
    MASTER_PROC *p;
    int     n = 0;

    for (p = master_procs; p; p = p->next)
	if (serv == NULL || p->serv == serv)
	    n++;
    return (n);
}

/* master_kill - signal children */

int     master_kill(MASTER_SERV *serv, int sig)
{
    MASTER_PROC *p;
    int     n = 0;

    for (p = master_procs; p; p = p->next) {
	if (serv && p->serv != serv)
	    continue;
	(void) kill(p->pid, sig);
	n++;
    }
    return (n);
}

/* master_child_args - generic options, then master.cf arguments */

static ARGV *master_child_args(const MASTER_SERV *serv)
{
    ARGV   *av = argv_new(16);
    char    buf[32];
    size_t  i;
    int     v;

    argv_add(av, serv->path);
    argv_add(av, "-n");
    argv_add(av, serv->name);
    argv_add(av, "-t");
    argv_add(av, serv->type);
    snprintf(buf, sizeof(buf), "%d", serv->nlisten);
    argv_add(av, "-s");
    argv_add(av, buf);
    if (serv->chroot)
	argv_add(av, "-c");
    if (serv->unpriv)
	argv_add(av, "-u");
    for (v = 0; v < msg_verbose; v++)
	argv_add(av, "-v");
    for (i = 1; i < serv->args->argc; i++)
	argv_add(av, serv->args->argv[i]);
    return (av);
}

/* master_child_fds - move descriptors to where the child expects them */

static void master_child_fds(const MASTER_SERV *serv)
{
    int     need = 2 + serv->nlisten;
    int    *tmp = mymalloc((size_t) need * sizeof(int));
    int     i;
    int     null_fd;

    /* Lift every source above the targets first, so no dup2 clobbers one. */
    tmp[0] = fcntl(serv->alive_rd, F_DUPFD_CLOEXEC, MASTER_LISTEN_FD + need);
    tmp[1] = fcntl(serv->status_wr, F_DUPFD_CLOEXEC, MASTER_LISTEN_FD + need);
    for (i = 0; i < serv->nlisten; i++)
	tmp[2 + i] = fcntl(serv->listen_fds[i], F_DUPFD_CLOEXEC, MASTER_LISTEN_FD + need);
    for (i = 0; i < need; i++) {
	if (tmp[i] < 0 || dup2(tmp[i], MASTER_ALIVE_FD + i) < 0) {
	    fprintf(stderr, "master: child descriptor set-up: %s\n", strerror(errno));
	    _exit(1);
	}
    }
    (void) close_range(MASTER_ALIVE_FD + (unsigned) need, ~0U, 0);
    if ((null_fd = open("/dev/null", O_RDWR)) >= 0) {
	(void) dup2(null_fd, STDIN_FILENO);
	if (null_fd != STDIN_FILENO)
	    (void) close(null_fd);
    }
    free(tmp);
}

/* master_spawn - start one child for serv */

void    master_spawn(MASTER_SERV *serv)
{
    MASTER_PROC *proc;
    ARGV   *av;
    pid_t   pid;
    sigset_t none;

    av = master_child_args(serv);
    switch (pid = fork()) {
    case -1:
	msg_warn("fork: %m");
	argv_free(av);
	return;
    case 0:
	(void) setsid();
	sigemptyset(&none);
	(void) sigprocmask(SIG_SETMASK, &none, NULL);
	(void) signal(SIGPIPE, SIG_DFL);
	(void) signal(SIGCHLD, SIG_DFL);
	(void) signal(SIGHUP, SIG_DFL);
	(void) signal(SIGTERM, SIG_DFL);
	(void) signal(SIGINT, SIG_DFL);
	(void) signal(SIGUSR1, SIG_DFL);
	master_child_fds(serv);
	(void) setenv(CFG_ENV_CONFIG_DIR, master_config_dir, 1);
	if (master_foreground)
	    (void) setenv(MASTER_ENV_LOG_TEE, "1", 1);
	execv(serv->path, av->argv);
	fprintf(stderr, "master: exec %s: %s\n", serv->path, strerror(errno));
	_exit(1);
    default:
	argv_free(av);
	proc = mycalloc(1, sizeof(*proc));
	proc->pid = pid;
	proc->serv = serv;
	proc->gen = serv->gen;
	proc->avail = 1;			/* until it says otherwise */
	proc->start_ms = ios_now_ms();
	proc->next = master_procs;
	master_procs = proc;
	serv->used = 1;
	serv->total++;
	serv->avail++;
	if (msg_verbose)
	    msg_info("spawned %s pid %ld for service %s", serv->path, (long) pid, serv->name);
	master_service_update(serv);
    }
}

/* master_unthrottle - throttle time is over */

static void master_unthrottle(void *ctx)
{
    MASTER_SERV *serv = ctx;

    serv->throttled = 0;
    master_service_update(serv);
}

/* master_throttle - stop spawning for a while */

static void master_throttle(MASTER_SERV *serv)
{
    if (serv->throttled)
	return;
    msg_warn("%s: bad command startup -- throttling", serv->path);
    serv->throttled = 1;
    evloop_timer_set(&serv->throttle_timer, master_unthrottle, serv,
		     (long long) var_throttle_time * 1000);
    master_service_update(serv);
}

/* master_failed_start - did this abnormal end happen at start-up? */

static int master_failed_start(const MASTER_PROC *proc, int status)
{
    /*
     * SIGKILL comes from outside (an administrator, the OOM killer), never
     * from a daemon that cannot run: an idle process killed before its
     * first client (they rarely get one while busy ones take waiting
     * clients themselves) must not throttle its service.
     */
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
	return (0);
    if (proc->use_count == 0)			/* Postfix's rule */
	return (1);

    /*
     * The one request an event-driven daemon reports as soon as it runs
     * must not hide a crash right after it.
     */
    return (proc->avail && proc->use_count == 1
	    && ios_now_ms() - proc->start_ms < MASTER_START_GRACE_MS);
}

/* master_status_drain - read every report still waiting in a status pipe */

static void master_status_drain(void)
{
    MASTER_SERV *s;

    for (s = master_services; s; s = s->next)
	if (s->status_rd >= 0)
	    master_status_event(s->status_rd, s);
}

/* master_reap - collect dead children */

void    master_reap(void)
{
    MASTER_PROC *proc;
    MASTER_PROC **where;
    MASTER_SERV *serv;
    pid_t   pid;
    int     status;
    int     normal;

    master_status_drain();			/* a child reports before it dies */
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
	if ((proc = master_proc_find(pid, &where)) == NULL)
	    continue;
	*where = proc->next;
	serv = proc->serv;
	normal = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (WIFEXITED(status) && !normal)
	    msg_warn("process %s pid %ld exit status %d", serv->path, (long) pid,
		     WEXITSTATUS(status));
	else if (WIFSIGNALED(status) && !(master_stopping && WTERMSIG(status) == SIGTERM))
	    msg_warn("process %s pid %ld killed by signal %d", serv->path, (long) pid,
		     WTERMSIG(status));
	if (proc->gen == serv->gen) {
	    serv->total--;
	    if (proc->avail)
		serv->avail--;
	    if (!normal && master_failed_start(proc, status) && !master_stopping && serv->active)
		master_throttle(serv);
	    /* A crashed long-running service (qmgr) must not wait for its next
	     * periodic wake-up: wake it within a second. */
	    else if (!normal && serv->wakeup > 0 && !master_stopping && serv->active)
		master_wakeup_arm(serv, 1);
	    master_service_update(serv);
	}
	free(proc);
    }
    master_services_gc();
}

/* master_status_event - children report busy/idle */

void    master_status_event(int fd, void *ctx)
{
    MASTER_SERV *serv = ctx;
    MASTER_STATUS st;
    MASTER_PROC *proc;
    ssize_t n;

    while ((n = read(fd, &st, sizeof(st))) == (ssize_t) sizeof(st)) {
	if ((proc = master_proc_find(st.pid, NULL)) == NULL || proc->avail == st.avail)
	    continue;
	proc->avail = st.avail;
	if (st.avail == MASTER_STAT_TAKEN)
	    proc->use_count++;
	if (proc->gen == proc->serv->gen) {
	    proc->serv->avail += st.avail == MASTER_STAT_AVAIL ? 1 : -1;
	    master_service_update(proc->serv);
	}
    }
    (void) serv;
}

/* master_wakeup_event - periodic trigger */

static void master_wakeup_event(void *ctx)
{
    MASTER_SERV *serv = ctx;
    int     fd;

    if (!serv->active || master_stopping)
	return;
    if (serv->wakeup_if_used && !serv->used) {
	master_wakeup_arm(serv, serv->wakeup);
	return;
    }
    if (strcmp(serv->type, "unix-dgram") == 0) {
	if (sock_unix_dgram_send(serv->sock_path, "W", 1) < 0 && errno != EAGAIN)
	    msg_warn("wakeup %s: %m", serv->sock_path);
    } else if (strcmp(serv->type, "unix") == 0) {
	if ((fd = sock_unix_connect(serv->sock_path)) >= 0) {
	    if (write(fd, "W", 1) < 0)
		msg_warn("wakeup %s: %m", serv->sock_path);
	    close(fd);
	}
    }
    master_wakeup_arm(serv, serv->wakeup);
}

/* master_wakeup_arm - next wake-up in delay seconds */

void    master_wakeup_arm(MASTER_SERV *serv, int delay)
{
    evloop_timer_set(&serv->wakeup_timer, master_wakeup_event, serv,
		     (long long) delay * 1000);
}
