/*
 * posthorn_admin - flush, hold, release, delete, requeue, and asking qmgr
 * DESCRIPTION
 *	While the instance runs, the queue operations go through qmgr
 *	(qmgr_admin.c), which owns the active queue: an operation can then
 *	never race a delivery, and a message being delivered is handled as
 *	soon as its deliveries in flight finish. The request is one datagram
 *	to public/qmgr carrying one end of a socket pair; qmgr reads the
 *	sender's uid from the kernel and answers on the socket. When the
 *	instance is not running nobody else touches the spool, and the files
 *	are moved here. Either way each message done gets its audit line in
 *	the mail log ("ID: placed on hold", "ID: removed by the
 *	administrator"...): from qmgr, or from here as posthorn/posthorn.
 *
 *	Every argument is checked before anything is done: queue ids, ALL,
 *	and Postfix's queue names, which limit the operation to those
 *	queues ("delete ALL deferred" leaves held mail alone). One bad
 *	argument and nothing happens.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "posthorn.h"
#include "admin_client.h"
#include "admin_proto.h"
#include "argv.h"
#include "attr.h"
#include "cfg_params.h"
#include "ios.h"
#include "maillog.h"
#include "msg.h"
#include "qid.h"
#include "fdpass.h"
#include "spool.h"
#include "spool_stats.h"
#include "trigger.h"
#include "user_acl.h"


/* posthorn_qmgr_path - public/qmgr of this instance */

static const char *posthorn_qmgr_path(DSTR *path)
{
    dstr_sprintf(path, "%s/%s", var_queue_dir, TRIGGER_QMGR_SERVICE);
    return (dstr_str(path));
}

/* posthorn_flush - deliver deferred mail now: F A D I (scheduler.md §2.3) */

int     posthorn_flush(int argc, char **argv)
{
    DSTR   *path = dstr_new(128);
    struct passwd *pw;
    USERLIST *users;
    uid_t   uid = getuid();

    (void) argc;
    (void) argv;
    posthorn_load_config_readonly();
    /* qmgr decides (by our uid, from the kernel); this only says it clearly. */
    if (!posthorn_privileged()) {
	users = user_acl_open("authorized_flush_users", var_flush_users);
	if (!userlist_match_uid(users, uid)) {
	    pw = getpwuid(uid);
	    msg_fatal("User %s(%ld) is not allowed to flush the mail queue",
		      pw ? pw->pw_name : "unknown", (long) uid);
	}
	userlist_free(users);
    }
    if (trigger_send(posthorn_qmgr_path(path), "FADI", 4) < 0)
	msg_fatal("cannot reach the queue manager (%s): %m -- is the instance running?",
		  dstr_str(path));
    dstr_free(path);
    return (0);
}

/* posthorn_privileged - may we change the queue? The kernel's answer: can we enter private/? */

int     posthorn_privileged(void)
{
    DSTR   *path = dstr_new(128);
    int     ret;

    dstr_sprintf(path, "%s/%s", var_queue_dir, SPOOL_PRIVATE);
    ret = access(dstr_str(path), X_OK) == 0;
    dstr_free(path);
    return (ret);
}

/* posthorn_require_privilege - or say who may, and stop */

void    posthorn_require_privilege(const char *what)
{
    if (!posthorn_privileged())
	msg_fatal("%s: permission denied: only root and mail_owner (%s) may change"
		  " or inspect the queue of %s", what, var_mail_owner, var_queue_dir);
}

/* posthorn_qmgr_ask - one request to the running qmgr */

int     posthorn_qmgr_ask(const DSTR *req, DSTR *body, DSTR *why)
{
    DSTR   *path = dstr_new(128);
    int     count = admin_client_ask(posthorn_qmgr_path(path), req, body, why);

    dstr_free(path);
    return (count);
}

/* posthorn_qmgr_running - this instance has a queue manager to ask */

int     posthorn_qmgr_running(void)
{
    DSTR   *path = dstr_new(128);
    struct stat st;
    int     ret;

    ret = stat(posthorn_qmgr_path(path), &st) == 0 && S_ISSOCK(st.st_mode);
    dstr_free(path);
    return (ret);
}

/* posthorn_qmgr_report - see posthorn.h */

int     posthorn_qmgr_report(const char *format, DSTR *body, DSTR *why)
{
    DSTR   *path = dstr_new(128);
    int     ret = admin_client_report(posthorn_qmgr_path(path), format, body, why);

    dstr_free(path);
    return (ret);
}

/* posthorn_status_queues - the spool's queues, as JSON members or one text line */

static void posthorn_status_queues(int json, DSTR *out)
{
    SPOOL_STATS stats[SPOOL_STATS_QUEUES];
    int     fd;
    int     i;

    if ((fd = open(var_queue_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
	return;
    spool_stats_read(fd, stats);
    close(fd);
    dstr_cats(out, json ? "\"queues\": {" : "queues:");
    for (i = 0; i < SPOOL_STATS_QUEUES; i++) {
	if (json)
	    dstr_printf(out, "%s\"%s\": {\"messages\": %ld, \"bytes\": %lld, \"oldest\": ",
			i ? ", " : "", stats[i].queue, stats[i].messages, stats[i].bytes);
	else
	    dstr_printf(out, "%s %s %ld", i ? "," : "", stats[i].queue, stats[i].messages);
	if (json && stats[i].messages)
	    dstr_printf(out, "%ld}", (long) stats[i].oldest);
	else if (json)
	    dstr_cats(out, "null}");
    }
    dstr_cats(out, json ? "}, " : "\n");
}

/* posthorn_qmgr_status - see posthorn.h */

int     posthorn_qmgr_status(const char *format)
{
    DSTR   *body = dstr_new(4096);
    DSTR   *out = dstr_new(4096);
    DSTR   *why = dstr_new(128);
    int     json = strncmp(format, "json", 4) == 0;
    int     ret = -1;

    posthorn_require_privilege("status");
    if (posthorn_qmgr_report(format, body, why) < 0) {
	msg_warn("%s", dstr_str(why));
    } else {
	/* The queues go first: {"queues": {...}, qmgr's members} */
	if (json)
	    dstr_catc(out, '{');
	posthorn_status_queues(json, out);
	dstr_cat(out, dstr_str(body) + json, dstr_len(body) - (json && dstr_len(body)));
	if (fwrite(dstr_str(out), 1, dstr_len(out), stdout) == dstr_len(out)
	    && fflush(stdout) == 0)
	    ret = 0;
    }
    dstr_free(body);
    dstr_free(out);
    dstr_free(why);
    return (ret);
}

/* admin_online - one id or ALL through qmgr; count or -1 */

static int admin_online(const ADMIN_OP *op, int queues, const char *id)
{
    DSTR   *req = dstr_new(128);
    DSTR   *names = dstr_new(64);
    DSTR   *why = dstr_new(128);
    int     n;

    admin_queues_format(queues, names);
    attr_put_str(req, ADMIN_ATTR_REQUEST, op->name);
    attr_put_str(req, ADMIN_ATTR_QUEUE_ID, id);
    attr_put_str(req, ADMIN_ATTR_QUEUES, dstr_str(names));
    attr_put_end(req);
    if ((n = posthorn_qmgr_ask(req, NULL, why)) < 0)
	msg_warn("%s", dstr_str(why));
    dstr_free(req);
    dstr_free(names);
    dstr_free(why);
    return (n);
}

/* admin_stderr_sink - the terminal gets warnings, not one line per message */

static void admin_stderr_sink(int level, const char *text)
{
    if (level != MSG_INFO)
	msg_stderr_sink(level, text);
}

/* admin_offline_log - audit lines go to the mail log, as qmgr's would */

static void admin_offline_log(void)
{
    maillog_init("posthorn", MAILLOG_DIRECT);
    msg_add_sink(admin_stderr_sink);
}

/* admin_offline - no instance running: move or remove the files ourselves */

static int admin_offline(const ADMIN_OP *op, int queues, const char *id)
{
    int     bit;
    int     n;

    for (bit = 1; bit <= ADMIN_Q_CORRUPT; bit <<= 1) {
	if (!(queues & bit))
	    continue;
	if ((n = admin_file_apply(op, admin_queue_name(bit), id)) < 0)
	    msg_warn("%s %s/%s: %m", op->name, admin_queue_name(bit), id);
	if (n > 0) {
	    msg_info("%s: %s", id, op->audit);
	    return (1);
	}
    }
    return (0);
}

/* admin_offline_all - every message in the chosen queues */

static int admin_offline_all(const ADMIN_OP *op, int queues)
{
    struct dirent *de;
    DIR    *dir;
    int     count = 0;
    int     bit;

    for (bit = 1; bit <= ADMIN_Q_CORRUPT; bit <<= 1) {
	if (!(queues & bit) || (dir = opendir(admin_queue_name(bit))) == NULL)
	    continue;
	while ((de = readdir(dir)) != NULL)
	    if (qid_valid(de->d_name))
		count += admin_offline(op, bit, de->d_name);
	closedir(dir);
    }
    return (count);
}

/* admin_parse_args - ids, ALL and queue names; -1 after a warning per bad one */

static int admin_parse_args(const ADMIN_OP *op, int argc, char **argv, ARGV *ids,
			            int *queues)
{
    DSTR   *names = dstr_new(64);
    DSTR   *why = dstr_new(128);
    int     bad = 0;
    int     i;

    for (i = 1; i < argc; i++) {
	if (strcmp(argv[i], ADMIN_ALL) == 0 || qid_valid(argv[i])) {
	    argv_add(ids, argv[i]);
	} else if (admin_queue_bit(argv[i]) != 0) {
	    dstr_printf(names, " %s", argv[i]);
	} else {
	    msg_warn("\"%s\": not a queue id, ALL, or a queue name (incoming, active,"
		     " deferred, hold%s)", argv[i], op->to ? "" : ", corrupt");
	    bad = 1;
	}
    }
    if (!bad && admin_queues_parse(op, dstr_str(names), queues, why) < 0) {
	msg_warn("%s", dstr_str(why));
	bad = 1;
    }
    if (!bad && ids->argc == 0) {
	msg_warn("no queue id and no ALL: nothing to %s", op->name);
	bad = 1;
    }
    dstr_free(names);
    dstr_free(why);
    return (bad ? -1 : 0);
}

/* posthorn_admin - the four verbs */

int     posthorn_admin(int argc, char **argv)
{
    const ADMIN_OP *op = admin_op_find(argv[0]);
    ARGV   *ids = argv_new(4);
    int     online;
    int     total = 0;
    int     queues = 0;
    int     bad = 0;
    size_t  i;
    int     n;

    if (op == NULL || argc < 2)
	msg_fatal("usage: posthorn %s QUEUE_ID... | ALL [QUEUE...]", argv[0]);
    posthorn_load_config();
    if (admin_parse_args(op, argc, argv, ids, &queues) < 0)
	msg_fatal("%s: nothing done", op->name);
    posthorn_require_privilege(op->name);
    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %m", var_queue_dir);
    if ((online = posthorn_master_pid() > 0) == 0)
	admin_offline_log();
    for (i = 0; i < ids->argc; i++) {
	if (online)
	    n = admin_online(op, queues, ids->argv[i]);
	else if (strcmp(ids->argv[i], ADMIN_ALL) == 0)
	    n = admin_offline_all(op, queues);
	else
	    n = admin_offline(op, queues, ids->argv[i]);
	if (n < 0) {
	    bad = 1;
	    break;
	}
	if (n == 0 && strcmp(ids->argv[i], ADMIN_ALL) != 0) {
	    msg_warn("%s: no such message here", ids->argv[i]);
	    bad = 1;
	}
	total += n;
    }
    printf("posthorn: %s: %d message%s\n", op->done, total, total == 1 ? "" : "s");
    argv_free(ids);
    return (bad);
}
