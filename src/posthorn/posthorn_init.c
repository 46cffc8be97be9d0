/*
 * posthorn_init - create a self-contained instance
 * DESCRIPTION
 *	posthorn init DIR [--qmqp ADDR:PORT] [NAME=VALUE ...] writes
 *	DIR/main.cf (config and queue directories inside DIR, maillog_file
 *	DIR/maillog, QMQP open to loopback clients, daemon_directory of this
 *	build or installation, then the given overrides) and DIR/master.cf
 *	(the default services, qmqpd on ADDR:PORT or port 628) and
 *	DIR/smtp_reply_throttle and DIR/smtp_mx_group (the big providers'
 *	rate-limit replies and MX hosts: the default smtp_reply_throttle_maps
 *	and smtp_mx_group_maps), and makes the spool. As root it
 *	creates the mail_owner system user when it is missing and gives the
 *	spool to it. It never overwrites an instance.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "posthorn.h"
#include "argv.h"
#include "cfg.h"
#include "cfg_params.h"
#include "fsutil.h"
#include "jail.h"
#include "msg.h"
#include "mymalloc.h"
#include "spool.h"

/*
 * posthorn_daemon_dir - the daemons that belong to this binary: beside it
 * as make install lays them out (PREFIX/libexec/posthorn), in the build
 * tree (build/libexec), else where this build installs them (the
 * package's /usr/lib/posthorn, compiled in as daemon_directory's default).
 */
static void posthorn_daemon_dir(DSTR *out)
{
    char    exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char   *slash;

    if (n <= 0)
	msg_fatal("cannot find this program: readlink /proc/self/exe: %m");
    exe[n] = 0;
    if ((slash = strrchr(exe, '/')) != NULL)
	*slash = 0;				/* .../bin */
    if ((slash = strrchr(exe, '/')) != NULL)
	*slash = 0;				/* ... */
    dstr_sprintf(out, "%s/libexec/posthorn/master", exe);
    if (access(dstr_str(out), X_OK) == 0) {	/* make install layout */
	dstr_sprintf(out, "%s/libexec/posthorn", exe);
	return;
    }
    dstr_sprintf(out, "%s/libexec/master", exe);
    if (access(dstr_str(out), X_OK) == 0) {	/* build tree layout */
	dstr_sprintf(out, "%s/libexec", exe);
	return;
    }
    dstr_strcpy(out, cfg_daemon_dir_default);
}

/* posthorn_abs_dir - absolute form of a directory argument */

static char *posthorn_abs_dir(const char *dir)
{
    DSTR   *out = dstr_new(256);

    if (fs_absolute(dir, out) < 0)
	msg_fatal("getcwd: %m");
    return (dstr_export(out));
}

/* posthorn_make_user - the system user that owns the spool */

static void posthorn_make_user(const char *user, uid_t *uid, gid_t *gid)
{
    pid_t   pid;
    int     status;

    if (jail_lookup_user(user, uid, gid) == 0)
	return;
    switch (pid = fork()) {
    case -1:
	msg_fatal("fork: %m");
    case 0:
	execlp("useradd", "useradd", "--system", "--user-group", "--no-create-home",
	       "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", user, (char *) 0);
	fprintf(stderr, "posthorn: exec useradd: %s\n", strerror(errno));
	_exit(127);
    }
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
	msg_fatal("could not create system user %s with useradd", user);
    if (jail_lookup_user(user, uid, gid) < 0)
	msg_fatal("user %s still unknown after useradd", user);
    printf("posthorn: created system user %s\n", user);
}

/* posthorn_make_master_cf - the default master.cf with qmqpd where asked */

static void posthorn_make_master_cf(DSTR *out, const char *qmqp)
{
    const char *cp;
    const char *nl;
    const char *rest;

    DSTR_RESET(out);
    for (cp = posthorn_master_cf; (nl = strchr(cp, '\n')) != NULL; cp = nl + 1) {
	if (qmqp && strncmp(cp, "628", 3) == 0 && (cp[3] == ' ' || cp[3] == '\t')) {
	    rest = cp + 3 + strspn(cp + 3, " \t");
	    dstr_printf(out, "%-12s ", qmqp);
	    dstr_cat(out, rest, (size_t) (nl - rest) + 1);
	} else {
	    dstr_cat(out, cp, (size_t) (nl - cp) + 1);
	}
    }
}

/* posthorn_main_cf - instance settings, then the admin's */

static void posthorn_main_cf(DSTR *out, const char *dir, const char *daemon_dir,
			             ARGV *overrides)
{
    time_t  now = time((time_t *) 0);
    char    stamp[64];
    size_t  i;

    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", localtime(&now));
    dstr_sprintf(out,
		 "# posthorn instance, created by \"posthorn init\" on %s.\n"
		 "# Parameters not set here have their defaults: see posthorn.conf(5)\n"
		 "# and \"posthorn -c %s conf -d\".\n"
		 "config_directory = %s\n"
		 "queue_directory = %s/spool\n"
		 "daemon_directory = %s\n"
		 "maillog_file = %s/maillog\n"
		 "qmqpd_authorized_clients = 127.0.0.0/8 [::1]/128\n",
		 stamp, dir, dir, dir, daemon_dir, dir);
    for (i = 0; i < overrides->argc; i++) {
	char   *eq = strchr(overrides->argv[i], '=');

	dstr_cat(out, overrides->argv[i], (size_t) (eq - overrides->argv[i]));
	dstr_printf(out, " = %s\n", eq + 1);
    }
}

/* posthorn_init_table - one of the default lookup tables, beside main.cf */

static void posthorn_init_table(const char *dir, const char *name, const char *text)
{
    DSTR   *path = dstr_new(256);

    dstr_sprintf(path, "%s/%s", dir, name);
    if (fs_replace_file(dstr_str(path), text, strlen(text), 0644) < 0)
	msg_fatal("write %s: %m", dstr_str(path));
    dstr_free(path);
}

/* posthorn_init_write - write the files, remove them again on failure */

static void posthorn_init_write(const char *dir, const DSTR *main_cf, const DSTR *master_cf)
{
    DSTR   *path = dstr_new(256);
    DSTR   *err = dstr_new(128);

    dstr_sprintf(path, "%s/main.cf", dir);
    if (fs_replace_file(dstr_str(path), dstr_str(main_cf), dstr_len(main_cf), 0644) < 0)
	msg_fatal("write %s: %m", dstr_str(path));
    dstr_sprintf(path, "%s/master.cf", dir);
    if (fs_replace_file(dstr_str(path), dstr_str(master_cf), dstr_len(master_cf), 0644) < 0)
	msg_fatal("write %s: %m", dstr_str(path));
    posthorn_init_table(dir, "smtp_reply_throttle", posthorn_reply_throttle);
    posthorn_init_table(dir, "smtp_mx_group", posthorn_mx_group);
    if (cfg_load(dir, err) < 0) {
	dstr_sprintf(path, "%s/main.cf", dir);
	(void) unlink(dstr_str(path));
	dstr_sprintf(path, "%s/master.cf", dir);
	(void) unlink(dstr_str(path));
	dstr_sprintf(path, "%s/smtp_reply_throttle", dir);
	(void) unlink(dstr_str(path));
	dstr_sprintf(path, "%s/smtp_mx_group", dir);
	(void) unlink(dstr_str(path));
	msg_fatal("%s", dstr_str(err));
    }
    dstr_free(path);
    dstr_free(err);
}

/* posthorn_init - the command */

int     posthorn_init(int argc, char **argv)
{
    const char *qmqp = NULL;
    ARGV   *overrides = argv_new(4);
    DSTR   *daemon_dir = dstr_new(256);
    DSTR   *main_cf = dstr_new(1024);
    DSTR   *master_cf = dstr_new(2048);
    DSTR   *path = dstr_new(256);
    DSTR   *err = dstr_new(128);
    char   *dir;
    uid_t   uid = geteuid();
    gid_t   gid = getegid();
    int     i;

    if (argc < 2 || argv[1][0] == '-')
	msg_fatal("usage: posthorn init DIR [--qmqp ADDR:PORT] [NAME=VALUE ...]");
    dir = posthorn_abs_dir(argv[1]);
    for (i = 2; i < argc; i++) {
	if (strcmp(argv[i], "--qmqp") == 0 && i + 1 < argc) {
	    qmqp = argv[++i];
	} else if (strchr(argv[i], '=') && argv[i][0] != '=') {
	    argv_add(overrides, argv[i]);
	} else {
	    msg_fatal("bad argument \"%s\": expected --qmqp ADDR:PORT or NAME=VALUE", argv[i]);
	}
    }
    dstr_sprintf(path, "%s/main.cf", dir);
    if (access(dstr_str(path), F_OK) == 0)
	msg_fatal("%s already holds an instance (main.cf exists): refusing to overwrite it", dir);
    dstr_sprintf(path, "%s/master.cf", dir);
    if (access(dstr_str(path), F_OK) == 0)
	msg_fatal("%s already holds an instance (master.cf exists): refusing to overwrite it", dir);
    if (fs_make_parents(dir, 0755) < 0 || fs_make_dir(dir, 0755, uid, gid) < 0)
	msg_fatal("create %s: %m", dir);
    posthorn_daemon_dir(daemon_dir);
    posthorn_main_cf(main_cf, dir, dstr_str(daemon_dir), overrides);
    posthorn_make_master_cf(master_cf, qmqp);
    posthorn_init_write(dir, main_cf, master_cf);
    if (geteuid() == 0)
	posthorn_make_user(var_mail_owner, &uid, &gid);
    if (spool_create(var_queue_dir, uid, gid, err) < 0)
	msg_fatal("%s", dstr_str(err));
    printf("posthorn: created instance in %s\n"
	   "posthorn: start it with: posthorn -c %s start   (or start-fg)\n", dir, dir);
    argv_free(overrides);
    dstr_free(daemon_dir);
    dstr_free(main_cf);
    dstr_free(master_cf);
    dstr_free(path);
    dstr_free(err);
    free(dir);
    return (0);
}
