/*
 * posthorn_ctl - start, stop, reload, status, check, logrotate
 * DESCRIPTION
 *	The master's pid file is locked while master lives, so "running" is
 *	a lock test, never a guess from a stale file. start validates the
 *	configuration first and returns only once master is up (or says why
 *	not); stop returns only once master and every child are gone; reload
 *	returns with master's verdict (reload_status.h), so a port that
 *	cannot be bound fails the command, not just a log line. check and
 *	reload warn about every main.cf name that no parameter knows. status
 *	and the commands that only look at the queue work from the main.cf
 *	master last validated while main.cf is broken.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "posthorn.h"
#include "addrmatch.h"
#include "cfg.h"
#include "cfg_params.h"
#include "dict.h"
#include "fsutil.h"
#include "master_proto.h"
#include "ios.h"
#include "mastercf.h"
#include "msg.h"
#include "mymalloc.h"
#include "reload_status.h"
#include "spool.h"

#define POSTHORN_STOP_WAIT_MS	30000
#define POSTHORN_RELOAD_WAIT_MS	30000	/* master checks files, binds, copies /etc */

/* posthorn_load_config - main.cf or die */

void    posthorn_load_config(void)
{
    DSTR   *err = dstr_new(128);

    if (cfg_load(cfg_default_dir(), err) < 0)
	msg_fatal("%s", dstr_str(err));
    dstr_free(err);
}

/*
 * posthorn_set_config_dir - select the instance, by an absolute name: the
 * master a command starts works from queue_directory, and so do the
 * daemons that inherit the name from it.
 */

void    posthorn_set_config_dir(const char *dir)
{
    DSTR   *abs = dstr_new(256);

    if (fs_absolute(dir, abs) < 0)
	msg_fatal("getcwd: %m");
    if (setenv(CFG_ENV_CONFIG_DIR, dstr_str(abs), 1) < 0)
	msg_fatal("setenv: %m");
    dstr_free(abs);
}

/* posthorn_load_snapshot - the main.cf master last validated, beside a broken one */

static int posthorn_load_snapshot(DSTR *path)
{
    DSTR   *dir = dstr_new(128);
    DSTR   *text = dstr_new(4096);
    DSTR   *err = dstr_new(128);
    int     ret = -1;

    /* queue_directory itself may be what is broken: then there is no copy. */
    if (cfg_peek(cfg_default_dir(), "queue_directory", dir, err) == 0) {
	dstr_sprintf(path, "%s/%s", dstr_str(dir), MASTER_SNAPSHOT_FILE);
	if (fs_read_file(dstr_str(path), text, 0) == 0
	    && cfg_load_text(dstr_str(text), dstr_len(text), dstr_str(path), err) == 0)
	    ret = 0;
    }
    dstr_free(dir);
    dstr_free(text);
    dstr_free(err);
    return (ret);
}

/*
 * posthorn_try_config_readonly - main.cf, or while it is broken the copy
 * master last validated (the one its daemons fall back to), with a
 * warning. 0, or -1 with the error in err when neither can be read.
 */

static int posthorn_try_config_readonly(DSTR *err)
{
    DSTR   *path = dstr_new(128);
    int     ret = 0;

    if (cfg_load(cfg_default_dir(), err) < 0) {
	if (posthorn_load_snapshot(path) == 0)
	    msg_warn("%s -- using the configuration master last validated (%s)",
		     dstr_str(err), dstr_str(path));
	else
	    ret = -1;
    }
    dstr_free(path);
    return (ret);
}

/* posthorn_load_config_readonly - for commands that only look: see above, or die */

void    posthorn_load_config_readonly(void)
{
    DSTR   *err = dstr_new(128);

    if (posthorn_try_config_readonly(err) < 0)
	msg_fatal("%s", dstr_str(err));
    dstr_free(err);
}

/* posthorn_locate_spool - queue_directory even from a main.cf with errors */

static void posthorn_locate_spool(void)
{
    DSTR   *err = dstr_new(128);
    DSTR   *dir = dstr_new(128);

    if (posthorn_try_config_readonly(err) < 0) {
	msg_warn("%s", dstr_str(err));
	if (cfg_peek(cfg_default_dir(), "queue_directory", dir, err) < 0)
	    msg_fatal("%s", dstr_str(err));
	var_queue_dir = dstr_export(dir);
	dir = dstr_new(16);
	if (cfg_peek(cfg_default_dir(), "process_id_directory", dir, err) == 0)
	    var_pid_dir = mystrdup(dstr_str(dir));
	else
	    var_pid_dir = mystrdup(SPOOL_PID);
    }
    dstr_free(err);
    if (dir)
	dstr_free(dir);
}

/* posthorn_master_pid - live master, by its pid file lock */

pid_t   posthorn_master_pid(void)
{
    DSTR   *path = dstr_new(128);
    pid_t   pid;

    dstr_sprintf(path, "%s/%s/master.pid", var_queue_dir, var_pid_dir);
    pid = fs_pidfile_holder(dstr_str(path));
    dstr_free(path);
    return (pid);
}

/* posthorn_master_path - the master program */

static const char *posthorn_master_path(DSTR *buf)
{
    dstr_sprintf(buf, "%s/master", var_daemon_dir);
    return (dstr_str(buf));
}

/*
 * posthorn_check_overrides - main.cf as one service sees it, with its -o
 * values: a bad value would stop that service's daemons at start, so say
 * so now, naming the master.cf line. 0, or -1 after a warning.
 */

static int posthorn_check_overrides(const char *dir, const char *path,
				            const MASTERCF_ENTRY *e, DSTR *err)
{
    size_t  i;
    int     tried = 0;
    int     ret = 0;

    for (i = 1; ret == 0 && i + 1 < e->args->argc; i++) {
	if (strcmp(e->args->argv[i], "-o") != 0)
	    continue;
	tried = 1;
	if (cfg_override(e->args->argv[++i], err) < 0)
	    ret = -1;
    }
    if (ret == 0 && tried && cfg_load(dir, err) < 0)
	ret = -1;
    if (ret < 0)
	msg_warn("%s, line %d: service %s: %s", path, e->line, e->name, dstr_str(err));
    cfg_override_clear();
    return (ret);
}

/* posthorn_mastercf_names - service names and -o values, for the unused-name check */

static void posthorn_mastercf_names(const MASTERCF *cf, ARGV *services, ARGV *values)
{
    const MASTERCF_ENTRY *e;
    const char *eq;
    size_t  i;
    size_t  j;

    for (i = 0; i < cf->count; i++) {
	e = cf->entries + i;
	argv_add(services, e->name);
	for (j = 1; j + 1 < e->args->argc; j++)
	    if (strcmp(e->args->argv[j], "-o") == 0 && (eq = strchr(e->args->argv[++j], '=')))
		argv_add(values, eq + 1);
    }
}

/* posthorn_check_unused_overrides - warn about -o names no parameter knows */

static void posthorn_check_unused_overrides(const char *path, const MASTERCF *cf,
					            const ARGV *services, const ARGV *values)
{
    const MASTERCF_ENTRY *e;
    const char *nv;
    DSTR   *name = dstr_new(64);
    size_t  i;
    size_t  j;

    for (i = 0; i < cf->count; i++) {
	e = cf->entries + i;
	for (j = 1; j + 1 < e->args->argc; j++) {
	    if (strcmp(e->args->argv[j], "-o") != 0)
		continue;
	    nv = e->args->argv[++j];
	    dstr_memcpy(name, nv, strcspn(nv, "="));
	    if (!cfg_is_known_for(dstr_str(name), services)
		&& !cfg_is_used(dstr_str(name), services, values))
		msg_warn("%s, line %d: service %s: unused parameter: %s", path, e->line,
			 e->name, nv);
	}
    }
    dstr_free(name);
}

/*
 * posthorn_check_mastercf - parse master.cf and each service's -o values,
 * or print why not; then warn about every name in main.cf and in -o that
 * no parameter knows (Postfix's "unused parameter"), which is no error.
 */

/*
 * posthorn_check_cleanup_procs - each qmqpd process keeps a stream to one
 * cleanup process for its life (cleanup_client.c), so a cleanup process
 * limit below what the qmqpd services may run makes some qmqpd wait.
 */
static void posthorn_check_cleanup_procs(const char *path, const MASTERCF *cf)
{
    const MASTERCF_ENTRY *cleanup = NULL;
    long    qmqpd = 0;
    int     unlimited = 0;
    int     n;
    size_t  i;

    for (i = 0; i < cf->count; i++) {
	const MASTERCF_ENTRY *e = &cf->entries[i];
	const char *prog = e->args->argc > 0 ? e->args->argv[0] : "";

	n = e->maxproc < 0 ? var_proc_limit : e->maxproc;
	if (strcmp(prog, "qmqpd") == 0) {
	    if (n == 0)
		unlimited = 1;
	    qmqpd += n;
	} else if (strcmp(e->name, "cleanup") == 0 && strcmp(e->type, "unix") == 0)
	    cleanup = e;
    }
    if (cleanup == NULL || qmqpd == 0)
	return;
    n = cleanup->maxproc < 0 ? var_proc_limit : cleanup->maxproc;
    if (n > 0 && unlimited)
	msg_warn("%s, line %d: service cleanup: process limit %d, but qmqpd has none; "
		 "each qmqpd keeps one cleanup process, so some would wait (use 0, no limit)",
		 path, cleanup->line, n);
    else if (n > 0 && qmqpd >= n)
	msg_warn("%s, line %d: service cleanup: process limit %d is not above the %ld "
		 "qmqpd processes master.cf allows; each qmqpd keeps one cleanup process, "
		 "so some would wait (use 0, no limit)", path, cleanup->line, n, qmqpd);
}

static int posthorn_check_mastercf(void)
{
    DSTR   *path = dstr_new(128);
    DSTR   *err = dstr_new(128);
    char   *dir = mystrdup(var_config_dir);	/* cfg_load() replaces the variable */
    ARGV   *services = argv_new(16);
    ARGV   *values = argv_new(16);
    MASTERCF *cf;
    size_t  i;
    int     ret = 0;

    dstr_sprintf(path, "%s/master.cf", dir);
    if ((cf = mastercf_parse_file(dstr_str(path), err)) == NULL) {
	msg_warn("%s", dstr_str(err));
	ret = -1;
	(void) cfg_warn_unknown(NULL, NULL);	/* any word may be a transport */
    } else {
	for (i = 0; i < cf->count; i++) {
	    if (posthorn_check_overrides(dir, dstr_str(path), &cf->entries[i], err) < 0)
		ret = -1;
	    if (!cf->entries[i].unpriv)
		msg_warn("%s, line %d: service %s: unpriv n is ignored: posthorn daemons"
			 " always run as mail_owner", dstr_str(path), cf->entries[i].line,
			 cf->entries[i].name);
	}
	/* Back to main.cf alone for whatever the command does next. */
	if (cfg_load(dir, err) < 0)
	    msg_fatal("%s", dstr_str(err));
	posthorn_mastercf_names(cf, services, values);
	(void) cfg_warn_unknown(services, values);
	posthorn_check_unused_overrides(dstr_str(path), cf, services, values);
	posthorn_check_cleanup_procs(dstr_str(path), cf);
	mastercf_free(cf);
    }
    argv_free(services);
    argv_free(values);
    myfree(dir);
    dstr_free(path);
    dstr_free(err);
    return (ret);
}

/* posthorn_exec_master - replace ourselves with master */

static int posthorn_exec_master(int detach)
{
    DSTR   *path = dstr_new(128);
    char   *args[6];
    int     n = 0;

    posthorn_load_config();
    if (posthorn_check_mastercf() < 0)
	return (1);
    if (posthorn_master_pid() > 0) {
	msg_warn("the posthorn mail system is already running");
	return (1);
    }
    args[n++] = (char *) posthorn_master_path(path);
    args[n++] = "-c";
    args[n++] = (char *) cfg_default_dir();
    if (detach)
	args[n++] = "-D";
    if (msg_verbose)
	args[n++] = "-v";
    args[n] = 0;
    if (!detach)
	printf("posthorn: starting the posthorn mail system in the foreground (Ctrl-C stops it)\n");
    fflush(stdout);
    execv(args[0], args);
    msg_fatal("exec %s: %m", args[0]);
}

/* posthorn_start - background */

int     posthorn_start(int argc, char **argv)
{
    (void) argc;
    (void) argv;
    return (posthorn_exec_master(1));
}

/* posthorn_start_fg - foreground, log on stdout */

int     posthorn_start_fg(int argc, char **argv)
{
    (void) argc;
    (void) argv;
    return (posthorn_exec_master(0));
}

/* posthorn_signal_master - send sig to a running master, or complain */

static pid_t posthorn_signal_master(int sig)
{
    pid_t   pid;

    posthorn_locate_spool();
    if ((pid = posthorn_master_pid()) <= 0) {
	msg_warn("the posthorn mail system is not running");
	return (0);
    }
    if (kill(pid, sig) < 0)
	msg_fatal("signal master pid %ld: %m", (long) pid);
    return (pid);
}

/* posthorn_stop - and wait until it is gone */

int     posthorn_stop(int argc, char **argv)
{
    long long deadline = ios_now_ms() + POSTHORN_STOP_WAIT_MS;
    struct timespec ts = {0, 50 * 1000 * 1000};

    (void) argc;
    (void) argv;
    if (posthorn_signal_master(SIGTERM) == 0)
	return (1);
    while (posthorn_master_pid() > 0) {
	if (ios_now_ms() > deadline) {
	    msg_warn("master did not stop within %d seconds", POSTHORN_STOP_WAIT_MS / 1000);
	    return (1);
	}
	nanosleep(&ts, NULL);
    }
    printf("posthorn: the posthorn mail system has stopped\n");
    return (0);
}

/*
 * posthorn_check_tables - every lookup table main.cf names can be opened:
 * a missing or unreadable one would stop the daemon that needs it (qmgr,
 * qmqpd or smtp) at start, and its mail would wait, so say so now.
 * 0, or -1 after a warning per bad parameter.
 */

static int posthorn_check_tables(void)
{
    static const struct {
	const char *name;
	char  **value;
    } maps[] = {
	{"transport_maps", &var_transport_maps},
	{"smtp_sasl_password_maps", &var_smtp_sasl_passwd},
	{"smtp_tls_policy_maps", &var_smtp_tls_policy_maps},
	{"smtp_mx_group_maps", &var_smtp_mx_group_maps},
	{"smtp_reply_throttle_maps", &var_smtp_reply_throttle_maps},
    };
    DSTR   *err = dstr_new(128);
    DICT_LIST *list;
    ADDRLIST *clients;
    size_t  i;
    int     ret = 0;

    for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
	if (**maps[i].value == 0)
	    continue;
	if ((list = dict_list_open(*maps[i].value, err)) == NULL) {
	    msg_warn("%s/main.cf: parameter %s: %s", var_config_dir, maps[i].name, dstr_str(err));
	    ret = -1;
	} else {
	    dict_list_close(list);
	}
    }
    if ((clients = addrlist_parse(var_qmqpd_clients, ADDRLIST_FLAG_PARENT, err)) == NULL) {
	msg_warn("%s/main.cf: parameter qmqpd_authorized_clients: %s", var_config_dir,
		 dstr_str(err));
	ret = -1;
    } else {
	addrlist_free(clients);
    }
    dstr_free(err);
    return (ret);
}

/* posthorn_reload_done - master's verdict on a reload newer than before, or NULL */

static const RELOAD_STATUS *posthorn_reload_done(const char *path, RELOAD_STATUS *st,
						         pid_t pid, long before)
{
    if (reload_status_read(path, st) < 0 || st->pid != (long) pid
	|| st->generation <= before || st->state == RELOAD_STATE_RUNNING)
	return (NULL);
    return (st);
}

/*
 * posthorn_reload_wait - signal master and wait for its verdict
 * (reload_status.h): 0 when the new configuration runs; otherwise a
 * fatal error with master's reason.
 */

static int posthorn_reload_wait(pid_t pid)
{
    long long deadline = ios_now_ms() + POSTHORN_RELOAD_WAIT_MS;
    struct timespec ts = {0, 50 * 1000 * 1000};
    RELOAD_STATUS *st = reload_status_new();
    DSTR   *path = dstr_new(128);
    long    before = 0;

    dstr_sprintf(path, "%s/%s", var_queue_dir, MASTER_RELOAD_FILE);
    if (reload_status_read(dstr_str(path), st) == 0 && st->pid == (long) pid)
	before = st->generation;		/* one under way is not ours */
    if (kill(pid, SIGHUP) < 0)
	msg_fatal("signal master pid %ld: %m", (long) pid);
    while (posthorn_reload_done(dstr_str(path), st, pid, before) == NULL) {
	if (posthorn_master_pid() != pid)
	    msg_fatal("master pid %ld ended during the reload", (long) pid);
	if (ios_now_ms() > deadline)
	    msg_fatal("no verdict from master pid %ld within %d seconds: see the log",
		      (long) pid, POSTHORN_RELOAD_WAIT_MS / 1000);
	nanosleep(&ts, NULL);
    }
    if (st->state == RELOAD_STATE_FAILED)
	msg_fatal("reload failed: %s -- the running instance keeps its configuration",
		  dstr_str(st->reason));
    printf("posthorn: refreshing the posthorn mail system\n");
    reload_status_free(st);
    dstr_free(path);
    return (0);
}

/* posthorn_reload - validate here first, so the admin sees errors at once */

int     posthorn_reload(int argc, char **argv)
{
    DSTR   *err = dstr_new(128);
    pid_t   pid;

    (void) argc;
    (void) argv;
    if (cfg_load(cfg_default_dir(), err) < 0)
	msg_fatal("%s -- not reloading: the running instance keeps its configuration",
		  dstr_str(err));
    dstr_free(err);
    if (posthorn_check_mastercf() < 0 || posthorn_check_tables() < 0
	|| posthorn_dkim_check(0) < 0)
	msg_fatal("not reloading: the running instance keeps its configuration");
    if ((pid = posthorn_master_pid()) <= 0) {
	msg_warn("the posthorn mail system is not running");
	return (1);
    }
    return (posthorn_reload_wait(pid));
}

/* posthorn_status - exit 0 only while running; -j: the scheduler's state */

int     posthorn_status(int argc, char **argv)
{
    pid_t   pid;
    int     json = 0;
    int     summary = 0;
    int     ch;

    static const struct option longopts[] = {
	{"json", no_argument, NULL, 'j'},
	{"summary", no_argument, NULL, 's'},
	{NULL, 0, NULL, 0},
    };

    while ((ch = getopt_long(argc, argv, "js", longopts, NULL)) != -1) {
	if (ch == 'j')
	    json = 1;
	else if (ch == 's')
	    json = summary = 1;
	else
	    msg_fatal("usage: posthorn status [-j|--json] [-s|--summary]");
    }
    if (optind < argc)
	msg_fatal("usage: posthorn status [-j|--json] [-s|--summary]");
    posthorn_locate_spool();
    if ((pid = posthorn_master_pid()) <= 0) {
	if (json)
	    msg_warn("the posthorn mail system is not running");
	else
	    printf("posthorn: the posthorn mail system is not running\n");
	return (1);
    }
    if (json)
	return (posthorn_qmgr_status(summary ? "json_summary" : "json") < 0);
    printf("posthorn: the posthorn mail system is running: PID: %ld\n", (long) pid);
    (void) fflush(stdout);
    /* The scheduler's summary, when this instance runs a queue manager
     * and we may see it (qmgr shows it to root and mail_owner only). */
    if (posthorn_qmgr_running() && posthorn_privileged())
	(void) posthorn_qmgr_status("text");
    return (0);
}

/* posthorn_check_programs - every program master.cf names can be run */

static int posthorn_check_programs(void)
{
    DSTR   *path = dstr_new(128);
    DSTR   *err = dstr_new(128);
    MASTERCF *cf;
    size_t  i;
    int     bad = 0;

    dstr_sprintf(path, "%s/master", var_daemon_dir);
    if (access(dstr_str(path), X_OK) < 0) {
	msg_warn("daemon_directory: %s: %m", dstr_str(path));
	bad = 1;
    }
    dstr_sprintf(path, "%s/master.cf", var_config_dir);
    if ((cf = mastercf_parse_file(dstr_str(path), err)) != NULL) {
	for (i = 0; i < cf->count; i++) {
	    const char *cmd = cf->entries[i].args->argv[0];

	    if (*cmd == '/')
		dstr_strcpy(path, cmd);
	    else
		dstr_sprintf(path, "%s/%s", var_daemon_dir, cmd);
	    if (access(dstr_str(path), X_OK) < 0) {
		msg_warn("master.cf, line %d: service %s: %s: %m",
			 cf->entries[i].line, cf->entries[i].name, dstr_str(path));
		bad = 1;
	    }
	}
	mastercf_free(cf);
    }
    dstr_free(path);
    dstr_free(err);
    return (bad ? -1 : 0);
}

/* posthorn_check_spool - the queue directory belongs to root */

static void posthorn_check_spool(void)
{
    struct stat st;

    if (stat(var_queue_dir, &st) < 0)
	msg_warn("queue_directory %s: %m (posthorn start creates it)", var_queue_dir);
    else if (st.st_uid != 0 && geteuid() == 0)
	msg_warn("queue_directory %s: should be owned by root", var_queue_dir);
}

/* posthorn_check - configuration sanity */

int     posthorn_check(int argc, char **argv)
{
    int     bad = 0;
    int     use_dns = 0;
    int     ch;

    while ((ch = getopt(argc, argv, "v")) != -1) {
	if (ch != 'v')
	    msg_fatal("usage: posthorn check [-v]");
	use_dns = 1;
    }
    posthorn_load_config();
    bad |= posthorn_check_mastercf() < 0;
    bad |= posthorn_check_tables() < 0;
    bad |= posthorn_dkim_check(use_dns) < 0;
    bad |= posthorn_check_programs() < 0;
    posthorn_check_spool();
    return (bad);
}

/* posthorn_logrotate - move maillog_file aside, have it reopened */

int     posthorn_logrotate(int argc, char **argv)
{
    DSTR   *to = dstr_new(256);
    char    suffix[128];
    time_t  now = time((time_t *) 0);
    struct tm tm;
    int     n;

    (void) argc;
    (void) argv;
    posthorn_load_config();
    if (*var_maillog_file == 0)
	msg_fatal("maillog_file is not set: logging goes to syslog");
    localtime_r(&now, &tm);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"	/* the admin's strftime format */
    if (strftime(suffix, sizeof(suffix), var_maillog_rotate_suffix, &tm) == 0)
#pragma GCC diagnostic pop
	msg_fatal("bad maillog_file_rotate_suffix: %s", var_maillog_rotate_suffix);
    dstr_sprintf(to, "%s.%s", var_maillog_file, suffix);
    for (n = 1; access(dstr_str(to), F_OK) == 0; n++)	/* twice in one second */
	dstr_sprintf(to, "%s.%s.%d", var_maillog_file, suffix, n);
    if (rename(var_maillog_file, dstr_str(to)) < 0 && errno != ENOENT)
	msg_fatal("rename %s to %s: %m", var_maillog_file, dstr_str(to));
    if (posthorn_master_pid() > 0 && posthorn_signal_master(SIGUSR1) == 0) {
	dstr_free(to);
	return (1);
    }
    printf("posthorn: %s rotated to %s\n", var_maillog_file, dstr_str(to));
    dstr_free(to);
    return (0);
}
