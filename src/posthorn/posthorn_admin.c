/*
 * posthorn_admin - flush, hold, release, delete, requeue
 * DESCRIPTION
 *	While the instance runs, these go through qmgr (qmgr_admin.c), which
 *	owns the active queue: an operation can then never race a delivery,
 *	and a message being delivered is handled as soon as its deliveries in
 *	flight finish. The request is one datagram to public/qmgr; the answer
 *	comes back on a socket of ours in public/. When the instance is not
 *	running nobody else touches the spool, and the files are moved here.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "posthorn.h"
#include "attr.h"
#include "cfg_params.h"
#include "msg.h"
#include "qid.h"
#include "sockutil.h"
#include "spool.h"
#include "trigger.h"

#define ADMIN_REPLY_TIMEOUT_MS	30000

typedef struct ADMIN_VERB {
    const char *name;
    const char *done;			/* for the summary line */
    const char *const *from;		/* queues it takes files from */
    const char *to;			/* NULL: delete */
} ADMIN_VERB;

static const char *const admin_hold_from[] = {SPOOL_INCOMING, SPOOL_DEFERRED, SPOOL_ACTIVE, 0};
static const char *const admin_release_from[] = {SPOOL_HOLD, 0};
static const char *const admin_delete_from[] = {
    SPOOL_INCOMING, SPOOL_ACTIVE, SPOOL_DEFERRED, SPOOL_HOLD, SPOOL_CORRUPT, 0,
};
static const char *const admin_requeue_from[] = {SPOOL_DEFERRED, SPOOL_HOLD, SPOOL_ACTIVE, 0};

static const ADMIN_VERB admin_verbs[] = {
    {"hold", "Placed on hold", admin_hold_from, SPOOL_HOLD},
    {"release", "Released from hold", admin_release_from, SPOOL_INCOMING},
    {"delete", "Deleted", admin_delete_from, NULL},
    {"requeue", "Requeued", admin_requeue_from, SPOOL_INCOMING},
    {0},
};

/* posthorn_flush - deliver deferred mail now: F A D I (scheduler.md §2.3) */

int     posthorn_flush(int argc, char **argv)
{
    DSTR   *path = dstr_new(128);

    (void) argc;
    (void) argv;
    posthorn_load_config();
    dstr_sprintf(path, "%s/%s", var_queue_dir, TRIGGER_QMGR_SERVICE);
    if (trigger_send(dstr_str(path), "FADI", 4) < 0)
	msg_fatal("cannot reach the queue manager (%s): %m -- is the instance running?",
		  dstr_str(path));
    dstr_free(path);
    return (0);
}

/* admin_offline - no instance running: move or remove the files ourselves */

static int admin_offline(const ADMIN_VERB *verb, const char *id)
{
    DSTR   *src = dstr_new(64);
    DSTR   *dst = dstr_new(64);
    const char *const *qp;
    int     done = 0;

    for (qp = verb->from; *qp && !done; qp++) {
	spool_path(src, *qp, id);
	if (verb->to) {
	    done = rename(dstr_str(src), spool_path(dst, verb->to, id)) == 0;
	} else if (unlink(dstr_str(src)) == 0) {
	    (void) unlink(spool_path(dst, SPOOL_BOUNCE, id));
	    (void) unlink(spool_path(dst, SPOOL_DEFER, id));
	    done = 1;
	}
    }
    dstr_free(src);
    dstr_free(dst);
    return (done);
}

/* admin_offline_all - every message in the verb's queues */

static int admin_offline_all(const ADMIN_VERB *verb)
{
    const char *const *qp;
    struct dirent *de;
    DIR    *dir;
    int     count = 0;

    for (qp = verb->from; *qp; qp++) {
	if ((dir = opendir(*qp)) == NULL)
	    continue;
	while ((de = readdir(dir)) != NULL)
	    if (qid_valid(de->d_name))
		count += admin_offline(verb, de->d_name);
	closedir(dir);
    }
    return (count);
}

/* posthorn_qmgr_open - a socket of ours in public/ for qmgr's answers */

int     posthorn_qmgr_open(DSTR *reply_to)
{
    DSTR   *err = dstr_new(64);
    int     sock;

    dstr_sprintf(reply_to, "%s/admin.%ld", SPOOL_PUBLIC, (long) getpid());
    if ((sock = sock_unix_dgram_bind(dstr_str(reply_to), 0666, err)) < 0)
	msg_fatal("%s", dstr_str(err));
    (void) sock_nonblock(sock, 0);
    dstr_free(err);
    return (sock);
}

/* posthorn_qmgr_close - done with the answer socket */

void    posthorn_qmgr_close(int sock, DSTR *reply_to)
{
    close(sock);
    (void) unlink(dstr_str(reply_to));
}

/* posthorn_qmgr_request - one request to the running qmgr; its count, or -1 */

int     posthorn_qmgr_request(const char *request, const char *id, int sock,
			              const char *reply_to, const char *format)
{
    DSTR   *req = dstr_new(128);
    ATTR_LIST *reply = attr_list_new();
    char    buf[4096];
    struct pollfd pfd;
    ssize_t n;
    long    count = -1;
    long    status = 1;

    attr_put_str(req, "request", request);
    attr_put_str(req, "queue_id", id);
    attr_put_str(req, "reply_to", reply_to);
    if (format)
	attr_put_str(req, "format", format);
    attr_put_end(req);
    if (trigger_send(TRIGGER_QMGR_SERVICE, dstr_str(req), dstr_len(req)) < 0) {
	msg_warn("cannot reach the queue manager: %m");
    } else {
	pfd.fd = sock;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ADMIN_REPLY_TIMEOUT_MS) <= 0) {
	    msg_warn("no answer from the queue manager");
	} else if ((n = recv(sock, buf, sizeof(buf), 0)) > 0
		   && attr_parse(buf, (size_t) n, reply, ATTR_MAX_LEN, 8) > 0
		   && attr_get_long(reply, "status", &status, 0, 1) == 0
		   && attr_get_long(reply, "count", &count, 0, 0x7fffffff) == 0) {
	    if (status != 0) {
		msg_warn("queue manager: %s", attr_get_str(reply, "reason") ?
			 attr_get_str(reply, "reason") : "request failed");
		count = -1;
	    }
	} else {
	    msg_warn("malformed answer from the queue manager");
	}
    }
    attr_list_free(reply);
    dstr_free(req);
    return ((int) count);
}

/* posthorn_qmgr_running - this instance has a queue manager to ask */

int     posthorn_qmgr_running(void)
{
    DSTR   *path = dstr_new(128);
    struct stat st;
    int     ret;

    dstr_sprintf(path, "%s/%s", var_queue_dir, TRIGGER_QMGR_SERVICE);
    ret = stat(dstr_str(path), &st) == 0 && S_ISSOCK(st.st_mode);
    dstr_free(path);
    return (ret);
}

/* posthorn_qmgr_status - print qmgr's scheduler state, JSON or text; 0 or -1 */

int     posthorn_qmgr_status(int json)
{
    DSTR   *reply_to = dstr_new(64);
    DSTR   *path = dstr_new(64);
    char    buf[8192];
    size_t  n;
    FILE   *fp;
    int     sock;
    int     ret = -1;

    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %m", var_queue_dir);
    sock = posthorn_qmgr_open(reply_to);
    dstr_sprintf(path, "%s.%s", dstr_str(reply_to), json ? "json" : "txt");
    (void) unlink(dstr_str(path));
    if (posthorn_qmgr_request("status", "ALL", sock, dstr_str(reply_to),
			      json ? "json" : "text") >= 0) {
	if ((fp = fopen(dstr_str(path), "r")) == NULL) {
	    msg_warn("open %s: %m", dstr_str(path));
	} else {
	    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		(void) fwrite(buf, 1, n, stdout);
	    ret = ferror(fp) || fflush(stdout) != 0 ? -1 : 0;
	    fclose(fp);
	}
    }
    (void) unlink(dstr_str(path));
    posthorn_qmgr_close(sock, reply_to);
    dstr_free(reply_to);
    dstr_free(path);
    return (ret);
}

/* posthorn_admin - the four verbs */

int     posthorn_admin(int argc, char **argv)
{
    const ADMIN_VERB *verb;
    DSTR   *reply_to = dstr_new(64);
    int     online;
    int     sock = -1;
    int     total = 0;
    int     n;
    int     i;
    int     bad = 0;

    for (verb = admin_verbs; verb->name && strcmp(verb->name, argv[0]) != 0; verb++)
	 /* find */ ;
    if (verb->name == NULL || argc < 2)
	msg_fatal("usage: posthorn %s QUEUE_ID... | ALL", argv[0]);
    posthorn_load_config();
    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %m", var_queue_dir);
    if ((online = posthorn_master_pid() > 0) != 0)
	sock = posthorn_qmgr_open(reply_to);
    for (i = 1; i < argc; i++) {
	if (strcmp(argv[i], "ALL") != 0 && !qid_valid(argv[i])) {
	    msg_warn("%s: not a queue id", argv[i]);
	    bad = 1;
	    continue;
	}
	if (online)
	    n = posthorn_qmgr_request(verb->name, argv[i], sock, dstr_str(reply_to), NULL);
	else if (strcmp(argv[i], "ALL") == 0)
	    n = admin_offline_all(verb);
	else
	    n = admin_offline(verb, argv[i]);
	if (n < 0) {
	    bad = 1;
	    break;
	}
	if (n == 0 && strcmp(argv[i], "ALL") != 0) {
	    msg_warn("%s: no such message here", argv[i]);
	    bad = 1;
	}
	total += n;
    }
    if (sock >= 0)
	posthorn_qmgr_close(sock, reply_to);
    printf("posthorn: %s: %d message%s\n", verb->done, total, total == 1 ? "" : "s");
    dstr_free(reply_to);
    return (bad);
}
