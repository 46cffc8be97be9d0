/*
 * master - the posthorn process manager
 * DESCRIPTION
 *	Reads main.cf and master.cf, opens every listener, and runs the
 *	services: children are spawned on demand (master_spawn.c) up to
 *	each service's process limit and restarted when they die; a service
 *	whose processes die at start is throttled. SIGHUP (posthorn reload)
 *	re-reads the configuration, validating it first: a broken file is
 *	reported and the instance keeps running as before; either way the
 *	verdict goes to pid/master.reload, which posthorn reload waits for.
 *	SIGTERM or SIGINT (posthorn stop, Ctrl-C under start-fg) stops every
 *	child, the log service last so its queue is drained, removes the pid
 *	file and exits 0. SIGUSR1 (posthorn logrotate) reopens maillog_file.
 *
 *	As root, daemons chroot to queue_directory per master.cf and run as
 *	mail_owner; /etc files that name resolution needs are copied into the
 *	jail at start. Started by another user, everything runs as that user
 *	without chroot (unprivileged mode).
 * OPTIONS
 *	-c dir	configuration directory (default $POSTHORN_CONFIG_DIR or
 *		/etc/posthorn), made absolute before master leaves the current
 *		directory
 *	-D	detach: exit 0 once the instance runs, 1 if it could not start
 *	-v	verbose logging (passed on to children)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "master.h"
#include "cfg.h"
#include "cfg_params.h"
#include "fsutil.h"
#include "ios.h"
#include "jail.h"
#include "maillog.h"
#include "master_proto.h"
#include "msg.h"
#include "mymalloc.h"
#include "reload_status.h"
#include "spool.h"

#define MASTER_STOP_WAIT_MS	5000
#define MASTER_BIND_WAIT_MS	3000	/* start-up: a dead master's children
					 * let go of its ports (server.c) */

const char *master_config_dir;
int     master_foreground;
int     master_stopping;

static int master_sig_rd = -1;
static int master_sig_wr = -1;
static DSTR *master_pid_path;
static int master_pid_fd = -1;
static RELOAD_STATUS *master_reload_status;	/* what posthorn reload waits for */

/* master_sig_handler - defer the work to the event loop */

static void master_sig_handler(int sig)
{
    unsigned char c = (unsigned char) sig;
    int     saved = errno;

    if (write(master_sig_wr, &c, 1) < 0) {
	/* the pipe is full: a wake-up is already pending */
    }
    errno = saved;
}

/* master_reload_path - where posthorn reload finds our verdict */

static const char *master_reload_path(DSTR *buf)
{
    dstr_sprintf(buf, "%s/%s", var_queue_dir, MASTER_RELOAD_FILE);
    return (dstr_str(buf));
}

/* master_remove_pid - on exit */

static void master_remove_pid(void)
{
    DSTR   *path;

    if (master_pid_fd >= 0 && master_pid_path) {
	(void) unlink(dstr_str(master_pid_path));
	path = dstr_new(128);
	(void) unlink(master_reload_path(path));
	dstr_free(path);
    }
}

/* master_reload_report - tell posthorn reload how a reload stands */

static void master_reload_report(int state, const char *reason)
{
    DSTR   *path = dstr_new(128);

    if (master_reload_status == NULL) {
	master_reload_status = reload_status_new();
	master_reload_status->pid = (long) getpid();
    }
    if (state == RELOAD_STATE_RUNNING && master_reload_status->state != RELOAD_STATE_RUNNING)
	master_reload_status->generation++;
    master_reload_status->state = state;
    dstr_strcpy(master_reload_status->reason, reason);
    if (reload_status_write(master_reload_path(path), master_reload_status) < 0)
	msg_warn("write %s: %m", dstr_str(path));
    dstr_free(path);
}

/* master_copy_etc - what resolver code reads inside a chroot */

static void master_copy_etc(void)
{
    static const char *const files[] = {
	"/etc/hosts", "/etc/resolv.conf", "/etc/services", "/etc/nsswitch.conf",
	"/etc/host.conf", "/etc/localtime", 0,
    };
    const char *const *fp;
    DSTR   *to = dstr_new(256);
    MASTER_SERV *s;
    int     any_chroot = 0;

    for (s = master_services; s; s = s->next)
	any_chroot |= s->active && s->chroot;
    if (geteuid() != 0 || !any_chroot) {
	dstr_free(to);
	return;
    }
    dstr_sprintf(to, "%s/etc", var_queue_dir);
    if (fs_make_dir(dstr_str(to), 0755, 0, 0) < 0)
	msg_warn("create %s: %m", dstr_str(to));
    for (fp = files; *fp; fp++) {
	if (access(*fp, R_OK) < 0)
	    continue;
	dstr_sprintf(to, "%s%s", var_queue_dir, *fp);
	if (fs_copy_file(*fp, dstr_str(to), 0644) < 0)
	    msg_warn("copy %s to %s: %m", *fp, dstr_str(to));
    }
    dstr_free(to);
}

/* master_clear_tmp - files left by a cleanup that died mid-message */

static void master_clear_tmp(void)
{
    DIR    *dir;
    struct dirent *de;
    int     dfd;

    if ((dfd = open(SPOOL_TMP, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
	return;
    if ((dir = fdopendir(dfd)) == NULL) {
	close(dfd);
	return;
    }
    while ((de = readdir(dir)) != NULL)
	if (de->d_name[0] != '.')
	    (void) unlinkat(dfd, de->d_name, 0);
    closedir(dir);
}

/* master_snapshot - keep the validated main.cf for children (master_proto.h) */

static void master_snapshot(void)
{
    DSTR   *from = dstr_new(256);
    DSTR   *text = dstr_new(4096);
    DSTR   *to = dstr_new(256);

    dstr_sprintf(from, "%s/main.cf", master_config_dir);
    dstr_sprintf(to, "%s/%s", var_queue_dir, MASTER_SNAPSHOT_FILE);
    if (fs_read_file(dstr_str(from), text, 0) < 0) {
	msg_warn("read %s: %m", dstr_str(from));
    } else {
	dstr_printf(text, "\nconfig_directory = %s\n", master_config_dir);
	if (fs_replace_file(dstr_str(to), dstr_str(text), dstr_len(text), 0644) < 0)
	    msg_warn("write %s: %m", dstr_str(to));
	else
	    (void) setenv(MASTER_ENV_SNAPSHOT, dstr_str(to), 1);
    }
    dstr_free(from);
    dstr_free(text);
    dstr_free(to);
}

/* master_restore_config - back to the main.cf values of the last good load */

static void master_restore_config(void)
{
    DSTR   *path = dstr_new(256);
    DSTR   *text = dstr_new(4096);
    DSTR   *err = dstr_new(128);

    dstr_sprintf(path, "%s/%s", var_queue_dir, MASTER_SNAPSHOT_FILE);
    if (fs_read_file(dstr_str(path), text, 0) < 0
	|| cfg_load_text(dstr_str(text), dstr_len(text), dstr_str(path), err) < 0)
	msg_warn("cannot restore the previous configuration from %s: %s",
		 dstr_str(path), dstr_len(err) ? dstr_str(err) : strerror(errno));
    dstr_free(path);
    dstr_free(text);
    dstr_free(err);
}

/*
 * master_load_config - main.cf then master.cf into services. 0, or -1 and
 * err, with errno EADDRINUSE when a listening address was taken; on a
 * failed reload the main.cf values of the running configuration come back.
 */

static int master_load_config(DSTR *err, int reloading)
{
    MASTERCF *cf;
    DSTR   *path = dstr_new(256);
    int     ret;
    int     saved_errno;

    dstr_sprintf(path, "%s/master.cf", master_config_dir);
    if ((cf = mastercf_parse_file(dstr_str(path), err)) == NULL) {
	dstr_free(path);
	errno = 0;
	return (-1);
    }
    dstr_free(path);
    if (cfg_load(master_config_dir, err) < 0) {
	mastercf_free(cf);
	errno = 0;
	return (-1);
    }
    ret = master_services_load(cf, err);
    saved_errno = errno;
    mastercf_free(cf);
    if (ret == 0)
	master_snapshot();
    else if (reloading)
	master_restore_config();
    errno = saved_errno;
    return (ret);
}

/* master_first_load - the configuration at start-up, or die */

static void master_first_load(DSTR *err)
{
    long long deadline = ios_now_ms() + MASTER_BIND_WAIT_MS;
    struct timespec ts = {0, 100 * 1000 * 1000};

    /*
     * After a master was killed, its children let go of its listening
     * sockets as soon as they notice (server.c), which can take them a
     * moment: wait that long rather than fail a restart.
     */
    while (master_load_config(err, 0) < 0) {
	if (errno != EADDRINUSE || ios_now_ms() >= deadline)
	    msg_fatal("%s", dstr_str(err));
	if (msg_verbose)
	    msg_info("%s -- trying again", dstr_str(err));
	nanosleep(&ts, NULL);
    }
}

/* master_reload - SIGHUP */

static void master_reload(void)
{
    DSTR   *err = dstr_new(128);

    master_reload_report(RELOAD_STATE_RUNNING, "");
    if (master_load_config(err, 1) < 0) {
	msg_error("reload failed: %s -- keeping the running configuration", dstr_str(err));
	master_reload_report(RELOAD_STATE_FAILED, dstr_str(err));
    } else {
	maillog_init("master", MAILLOG_DIRECT | (master_foreground ? MAILLOG_TEE : 0));
	master_copy_etc();
	msg_info("reload -- version %s, configuration %s", cfg_mail_version, master_config_dir);
	master_reload_report(RELOAD_STATE_OK, "");
    }
    dstr_free(err);
}

/* master_logrotate - SIGUSR1: reopen our file, restart the log service */

static void master_logrotate(void)
{
    MASTER_SERV *s = master_service_find("unix-dgram", var_postlog_service);

    maillog_reopen();
    if (s)
	master_services_retire(s);
    msg_info("log file reopened");
}

/* master_wait - run the loop until serv's children (all: NULL) are gone */

static void master_wait(MASTER_SERV *except, int max_ms)
{
    long long deadline = ios_now_ms() + max_ms;
    MASTER_SERV *s;
    int     left;

    for (;;) {
	master_reap();
	left = 0;
	for (s = master_services; s; s = s->next)
	    if (s != except)
		left += master_proc_count(s);
	if (left == 0 || ios_now_ms() >= deadline)
	    break;
	(void) evloop_run_once(50);
    }
    for (s = master_services; s; s = s->next)
	if (s != except && master_proc_count(s))
	    (void) master_kill(s, SIGKILL);
    master_reap();
}

/* master_stop - every child gone, then us */

static _Noreturn void master_stop(int sig)
{
    MASTER_SERV *log = master_service_find("unix-dgram", var_postlog_service);
    MASTER_SERV *s;

    master_stopping = 1;
    msg_info("terminating on signal %d", sig);
    for (s = master_services; s; s = s->next) {
	master_service_update(s);
	if (s != log)
	    (void) master_kill(s, SIGTERM);
    }
    master_wait(log, MASTER_STOP_WAIT_MS);
    if (log) {
	master_services_retire(log);		/* drain, then exit */
	master_wait(NULL, MASTER_STOP_WAIT_MS);
    }
    master_remove_pid();
    exit(0);
}

/* master_signal_event - handle deferred signals */

static void master_signal_event(int fd, void *ctx)
{
    unsigned char buf[64];
    ssize_t n;
    ssize_t i;

    (void) ctx;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
	for (i = 0; i < n; i++) {
	    switch (buf[i]) {
	    case SIGCHLD:
		master_reap();
		break;
	    case SIGHUP:
		master_reload();
		break;
	    case SIGUSR1:
		master_logrotate();
		break;
	    case SIGTERM:
	    case SIGINT:
		master_stop(buf[i]);
	    }
	}
    }
}

/* master_signals - route signals into the event loop */

static void master_signals(void)
{
    static const int sigs[] = {SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGUSR1};
    struct sigaction sa;
    int     fds[2];
    size_t  i;

    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
	msg_fatal("pipe: %m");
    master_sig_rd = fds[0];
    master_sig_wr = fds[1];
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = master_sig_handler;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
	if (sigaction(sigs[i], &sa, NULL) < 0)
	    msg_fatal("sigaction: %m");
    signal(SIGPIPE, SIG_IGN);
    evloop_read(master_sig_rd, master_signal_event, NULL);
}

/* master_detach - fork; the parent exits with the child's start-up verdict */

static int master_detach(void)
{
    int     fds[2];
    char    buf[8];
    ssize_t n;

    if (pipe2(fds, O_CLOEXEC) < 0)
	msg_fatal("pipe: %m");
    switch (fork()) {
    case -1:
	msg_fatal("fork: %m");
    case 0:
	close(fds[0]);
	(void) setsid();
	return (fds[1]);
    default:
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf));
	exit(n == 2 && memcmp(buf, "ok", 2) == 0 ? 0 : 1);
    }
}

/* master_daemon_ready - tell the waiting parent, drop the terminal */

static void master_daemon_ready(int ready_fd)
{
    int     null_fd;

    if (ready_fd < 0)
	return;
    if (write(ready_fd, "ok", 2) != 2)
	msg_warn("start-up notification: %m");
    close(ready_fd);
    if ((null_fd = open("/dev/null", O_RDWR)) >= 0) {
	(void) dup2(null_fd, STDIN_FILENO);
	(void) dup2(null_fd, STDOUT_FILENO);
	(void) dup2(null_fd, STDERR_FILENO);
	if (null_fd > STDERR_FILENO)
	    close(null_fd);
    }
}

/* master_prepare_spool - directories, owner, pid file */

static void master_prepare_spool(void)
{
    uid_t   uid = geteuid();
    gid_t   gid = getegid();
    pid_t   holder;
    DSTR   *err = dstr_new(128);

    if (uid == 0 && jail_lookup_user(var_mail_owner, &uid, &gid) < 0)
	msg_fatal("mail_owner %s: no such user (posthorn init creates it)", var_mail_owner);
    if (spool_create(var_queue_dir, uid, gid, err) < 0)
	msg_fatal("%s", dstr_str(err));
    dstr_free(err);
    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %m", var_queue_dir);
    master_pid_path = dstr_new(128);
    dstr_sprintf(master_pid_path, "%s/%s/master.pid", var_queue_dir, var_pid_dir);
    if ((master_pid_fd = fs_pidfile_lock(dstr_str(master_pid_path), &holder)) < 0) {
	if (holder > 0)
	    msg_fatal("the posthorn mail system is already running (pid %ld)", (long) holder);
	msg_fatal("lock %s: %m", dstr_str(master_pid_path));
    }
}

/*
 * master_absolute_dir - the configuration directory as an absolute name:
 * master changes to queue_directory before it reads main.cf again (reload)
 * and its children start there, so a relative -c would name nothing.
 */

static const char *master_absolute_dir(const char *dir)
{
    DSTR   *abs = dstr_new(256);

    if (fs_absolute(dir, abs) < 0)
	msg_fatal("getcwd: %m");
    if (setenv(CFG_ENV_CONFIG_DIR, dstr_str(abs), 1) < 0)
	msg_fatal("setenv: %m");
    return (dstr_export(abs));
}

int     main(int argc, char **argv)
{
    int     ch;
    int     detach = 0;
    int     ready_fd = -1;
    DSTR   *err = dstr_new(128);

    msg_init("master");
    while ((ch = getopt(argc, argv, "c:Dv")) != -1) {
	switch (ch) {
	case 'c':
	    (void) setenv(CFG_ENV_CONFIG_DIR, optarg, 1);
	    break;
	case 'D':
	    detach = 1;
	    break;
	case 'v':
	    msg_verbose++;
	    break;
	default:
	    msg_fatal("usage: master [-Dv] [-c config_dir]");
	}
    }
    master_config_dir = master_absolute_dir(cfg_default_dir());
    master_foreground = !detach;
    if (cfg_load(master_config_dir, err) < 0)
	msg_fatal("%s", dstr_str(err));
    master_prepare_spool();
    if (detach)
	ready_fd = master_detach();
    if (fs_pidfile_write(master_pid_fd, getpid()) < 0)
	msg_fatal("write %s: %m", dstr_str(master_pid_path));
    msg_set_cleanup(master_remove_pid);
    maillog_init("master", MAILLOG_DIRECT | (master_foreground ? MAILLOG_TEE : 0));
    if (ready_fd >= 0)
	msg_add_sink(msg_stderr_sink);		/* start-up errors reach the terminal */
    master_signals();
    master_clear_tmp();
    master_first_load(err);
    master_copy_etc();
    maillog_init("master", MAILLOG_DIRECT | (master_foreground ? MAILLOG_TEE : 0));
    master_reload_report(RELOAD_STATE_OK, "");	/* generation 0: started */
    msg_info("daemon started -- version %s, configuration %s", cfg_mail_version,
	     master_config_dir);
    master_daemon_ready(ready_fd);
    dstr_free(err);
    for (;;)
	(void) evloop_run_once(-1);
}
