/*
 * posthorn_queue - list queued mail (posthorn queue [-j]), show its shape
 * (posthorn qshape, also reached as posthorn queue -s) and dump a
 * queue file (posthorn cat)
 * DESCRIPTION
 *	The listing and the shape come from posthorn-showq(8) while the
 *	instance runs, so any user authorized_mailq_users allows can see them
 *	(the queue directories are mail_owner's alone); root and mail_owner
 *	read the spool themselves when showq cannot be reached (mailq.c and
 *	qshape.c either way). posthorn cat reads
 *	a queue file directly, read-only, with the same checked reader the
 *	daemons use, so a damaged file is reported, not misread.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "posthorn.h"
#include "admin_proto.h"
#include "attr.h"
#include "ios.h"
#include "mailq.h"
#include "sockutil.h"
#include "strutil.h"
#include "cfg_params.h"
#include "msg.h"
#include "qfile.h"
#include "qid.h"
#include "qshape.h"
#include "spool.h"

#define POSTHORN_SHOWQ_TIMEOUT	60	/* seconds for any one read from showq */

/* posthorn_showq - send req to showq, copy its answer: 0, 1 if showq cannot be reached */

static int posthorn_showq(const DSTR *req)
{
    DSTR   *path = dstr_new(128);
    ATTR_LIST *reply = attr_list_new();
    char    buf[8192];
    long    status = 1;
    ssize_t n;
    IOS    *ios;
    int     fd;

    dstr_sprintf(path, "%s/%s/showq", var_queue_dir, SPOOL_PUBLIC);
    if ((fd = sock_unix_connect(dstr_str(path))) < 0) {
	if (posthorn_master_pid() > 0)
	    msg_warn("cannot reach showq (%s): %m", dstr_str(path));
	dstr_free(path);
	attr_list_free(reply);
	return (1);
    }
    ios = ios_open(fd);
    ios_set_timeout(ios, POSTHORN_SHOWQ_TIMEOUT);
    if (ios_write(ios, dstr_str(req), dstr_len(req)) < 0 || ios_flush(ios) < 0
	|| attr_read(ios, reply, ATTR_MAX_LEN, 8) != ATTR_OK
	|| attr_get_long(reply, ADMIN_ATTR_STATUS, &status, 0, 1) < 0)
	msg_fatal("no answer from showq (%s)", dstr_str(path));
    if (status != 0)
	msg_fatal("cannot list the queue: %s", attr_get_str(reply, ADMIN_ATTR_REASON) ?
		  attr_get_str(reply, ADMIN_ATTR_REASON) : "refused");
    while ((n = ios_read(ios, buf, sizeof(buf))) > 0)
	if (fwrite(buf, 1, (size_t) n, stdout) != (size_t) n)
	    msg_fatal("write: %m");
    if (n < 0)
	msg_fatal("listing from showq cut short");
    (void) ios_close(ios);
    dstr_free(path);
    attr_list_free(reply);
    return (0);
}

/* posthorn_spool_print - ask showq, else (root, mail_owner) read the spool */

static int posthorn_spool_print(const DSTR *req, void (*print) (IOS *, const void *),
				        const void *ctx)
{
    IOS    *out;

    if (posthorn_showq(req) == 0)
	return (fflush(stdout) != 0);
    if (!posthorn_privileged())
	msg_fatal("cannot list the queue: showq cannot be reached -- is the mail system"
		  " running? (only root and mail_owner can read %s directly)", var_queue_dir);
    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %m", var_queue_dir);
    out = ios_open(STDOUT_FILENO);
    print(out, ctx);
    if (ios_flush(out) < 0)
	msg_fatal("write: %m");
    ios_free(out);
    return (0);
}

/* posthorn_mailq_print - mailq_print() for posthorn_spool_print() */

static void posthorn_mailq_print(IOS *out, const void *json)
{
    mailq_print(out, *(const int *) json);
}

/* posthorn_queue_shape - "queue [-j] -s ARGS" is "qshape [-j] ARGS"; 0: no lone -s */

static int posthorn_queue_shape(int argc, char **argv, int *ret)
{
    int     i;

    for (i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0; i++) {
	if (strcmp(argv[i], "-s") == 0) {
	    memmove(argv + i, argv + i + 1, (size_t) (argc - i) * sizeof(*argv));
	    *ret = posthorn_qshape(argc - 1, argv);
	    return (1);
	}
    }
    return (0);
}

/* posthorn_queue - the listing, from showq or from the spool */

int     posthorn_queue(int argc, char **argv)
{
    DSTR   *req;
    int     json = 0;
    int     ch;
    int     ret;

    if (posthorn_queue_shape(argc, argv, &ret))
	return (ret);
    while ((ch = getopt(argc, argv, "j")) != -1) {
	if (ch != 'j')
	    msg_fatal("usage: posthorn queue [-j], or posthorn queue -s [QSHAPE-OPTIONS]"
		      " [QUEUE...] for the queue's shape (posthorn qshape)");
	json = 1;
    }
    req = dstr_new(64);
    posthorn_load_config_readonly();
    attr_put_str(req, ADMIN_ATTR_FORMAT, json ? "json" : "text");
    attr_put_end(req);
    ret = posthorn_spool_print(req, posthorn_mailq_print, &json);
    dstr_free(req);
    return (ret);
}

/* posthorn_qshape_print - qshape_print() for posthorn_spool_print() */

static void posthorn_qshape_print(IOS *out, const void *opts)
{
    qshape_print(out, opts);
}

/* posthorn_qshape_args - qshape's options and queue names into opts */

static void posthorn_qshape_args(int argc, char **argv, QSHAPE_OPTS *opts)
{
    static const char usage[] = "usage: posthorn qshape [-s] [-j] [-n N] [-b BUCKETS]"
	" [-t MINUTES] [QUEUE ...]";
    DSTR   *names = dstr_new(64);
    int     ch;

    qshape_opts_init(opts);
    opts->top = isatty(STDOUT_FILENO) ? QSHAPE_TOP_TTY : 0;
    while ((ch = getopt(argc, argv, "sjn:b:t:")) != -1) {
	switch (ch) {
	case 's':
	    opts->senders = 1;
	    break;
	case 'j':
	    opts->json = 1;
	    break;
	case 'n':
	    if (str_to_long(optarg, 0, QSHAPE_DOMAINS_MAX, &opts->top) < 0)
		msg_fatal("-n %s: not a number from 0 to %d", optarg, QSHAPE_DOMAINS_MAX);
	    break;
	case 'b':
	    if (str_to_long(optarg, 1, QSHAPE_BUCKETS_MAX, &opts->buckets) < 0)
		msg_fatal("-b %s: not a number from 1 to %d", optarg, QSHAPE_BUCKETS_MAX);
	    break;
	case 't':
	    if (str_to_long(optarg, 1, QSHAPE_MINUTES_MAX, &opts->minutes) < 0)
		msg_fatal("-t %s: not a number from 1 to %d", optarg, QSHAPE_MINUTES_MAX);
	    break;
	default:
	    msg_fatal("%s", usage);
	}
    }
    for (; optind < argc; optind++)
	dstr_printf(names, "%s ", argv[optind]);
    if (qshape_queues_parse(opts, dstr_str(names), names) < 0)
	msg_fatal("%s", dstr_str(names));
    dstr_free(names);
}

/* posthorn_qshape - the queue's shape, from showq or from the spool */

int     posthorn_qshape(int argc, char **argv)
{
    DSTR   *req = dstr_new(128);
    QSHAPE_OPTS opts;
    int     ret;

    posthorn_qshape_args(argc, argv, &opts);
    posthorn_load_config_readonly();
    qshape_request(req, &opts);
    attr_put_end(req);
    ret = posthorn_spool_print(req, posthorn_qshape_print, &opts);
    dstr_free(req);
    return (ret);
}

/* posthorn_cat_content - copy the message bytes to stdout */

static void posthorn_cat_content(int fd, const QFILE_INFO *info)
{
    char    buf[65536];
    long    off = info->content_offset;
    long    left = info->content_size;
    ssize_t n;

    while (left > 0) {
	n = pread(fd, buf, left > (long) sizeof(buf) ? sizeof(buf) : (size_t) left, off);
	if (n <= 0)
	    break;
	fwrite(buf, 1, (size_t) n, stdout);
	off += n;
	left -= n;
    }
}

/* posthorn_cat_one - dump one queue file; 0 or -1 */

static int posthorn_cat_one(const char *id)
{
    const char *const *qp;
    DSTR   *path = dstr_new(64);
    DSTR   *err = dstr_new(64);
    DSTR   *addr = dstr_new(64);
    QFILE_INFO info;
    QFILE_IN *in;
    long    off;
    size_t  i;
    int     done;
    int     fd = -1;
    int     ret = -1;
    time_t  t;

    for (qp = spool_message_queues; *qp; qp++)
	if ((fd = qfile_open_read(spool_path(path, *qp, id))) >= 0)
	    break;
    if (fd < 0) {
	msg_warn("%s: no such message in the queue", id);
	goto out;
    }
    qfile_info_init(&info);
    in = qfile_in_open(fd);
    if (qfile_in_info(in, &info, err) < 0) {
	msg_warn("%s: %s", dstr_str(path), dstr_str(err));
    } else {
	t = (time_t) info.arrival_sec;
	printf("*** ENVELOPE RECORDS %s ***\n", dstr_str(path));
	printf("message_size: %ld\nmessage_arrival_time: %s", info.content_size, ctime(&t));
	for (i = 0; i < info.attrs->count; i++)
	    printf("named_attribute: %s=%s\n", info.attrs->attrs[i].name,
		   info.attrs->attrs[i].value);
	printf("sender: %s\n", dstr_str(info.sender));
	if (info.verp[0])
	    printf("verp_delimiters: %s\n", info.verp);
	while (qfile_in_rcpt(in, addr, &off, &done, err) > 0)
	    printf("%s: %s\n", done ? "done_recipient" : "recipient", dstr_str(addr));
	printf("*** MESSAGE CONTENTS %s ***\n", dstr_str(path));
	fflush(stdout);
	posthorn_cat_content(fd, &info);
	printf("*** MESSAGE FILE END %s ***\n", dstr_str(path));
	ret = 0;
    }
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
out:
    dstr_free(path);
    dstr_free(err);
    dstr_free(addr);
    return (ret);
}

/* posthorn_cat - dump queue files */

int     posthorn_cat(int argc, char **argv)
{
    int     i;
    int     bad = 0;

    if (argc < 2)
	msg_fatal("usage: posthorn cat QUEUE_ID...");
    posthorn_load_config_readonly();
    posthorn_require_privilege("cat");
    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %m", var_queue_dir);
    for (i = 1; i < argc; i++) {
	if (!qid_valid(argv[i])) {
	    msg_warn("%s: not a queue id", argv[i]);
	    bad = 1;
	    continue;
	}
	bad |= posthorn_cat_one(argv[i]) < 0;
    }
    return (bad);
}
