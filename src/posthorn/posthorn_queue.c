/*
 * posthorn_queue - list queued mail (posthorn queue [-j]) and dump a queue file (posthorn cat)
 * DESCRIPTION
 *	Reads the queue files directly, read-only, with the same checked
 *	reader the daemons use, so a damaged file is reported, not misread.
 *	The -j form prints one JSON object per message with the fields of
 *	Postfix's postqueue -j, so existing tools can read it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "posthorn.h"
#include "argv.h"
#include "bounce_log.h"
#include "htable.h"
#include "mymalloc.h"
#include "cfg_params.h"
#include "fsutil.h"
#include "json.h"
#include "msg.h"
#include "qfile.h"
#include "qid.h"
#include "spool.h"

typedef struct QUEUE_TOTALS {
    long    messages;
    long    bytes;
} QUEUE_TOTALS;

/* posthorn_queue_cmp - strcmp through pointers for qsort */

static int posthorn_queue_cmp(const void *a, const void *b)
{
    return (strcmp(*(char *const *) a, *(char *const *) b));
}

/* posthorn_queue_ids - sorted valid ids in one queue */

static ARGV *posthorn_queue_ids(const char *queue)
{
    ARGV   *ids = argv_new(16);
    DIR    *dir;
    struct dirent *de;

    if ((dir = opendir(queue)) == NULL) {
	if (errno != ENOENT)
	    msg_warn("open %s/%s: %m", var_queue_dir, queue);
	return (ids);
    }
    while ((de = readdir(dir)) != NULL)
	if (qid_valid(de->d_name))
	    argv_add(ids, de->d_name);
    closedir(dir);
    qsort(ids->argv, ids->argc, sizeof(char *), posthorn_queue_cmp);
    return (ids);
}

/* posthorn_delay_reasons - last reason per recipient from defer/ID (NULL: none) */

static HTABLE *posthorn_delay_reasons(const char *id)
{
    DSTR   *path = dstr_new(64);
    DSTR   *why = dstr_new(64);
    BOUNCE_LOG_READER *log;
    BOUNCE_LOG_REC rec;
    HTABLE *reasons = NULL;
    char   *old;
    int     rc;

    if ((log = bounce_log_open(spool_path(path, SPOOL_DEFER, id))) != NULL) {
	reasons = htable_new(16);
	while ((rc = bounce_log_read(log, &rec, why)) != BOUNCE_LOG_END && rc != BOUNCE_LOG_ERR) {
	    if (rc != BOUNCE_LOG_OK)
		continue;
	    if ((old = htable_delete(reasons, rec.rcpt.address)) != NULL)
		free(old);
	    htable_enter(reasons, rec.rcpt.address, mystrdup(rec.rcpt.reason));
	}
	bounce_log_close(log);
    }
    dstr_free(path);
    dstr_free(why);
    return (reasons);
}

/* posthorn_queue_one - print one message; 0, or -1 if unreadable */

static int posthorn_queue_one(const char *queue, const char *id, int json,
			              QUEUE_TOTALS *tot)
{
    DSTR   *path = dstr_new(64);
    DSTR   *err = dstr_new(64);
    DSTR   *addr = dstr_new(64);
    HTABLE *reasons = NULL;
    const char *reason;
    DSTR   *out = dstr_new(512);
    QFILE_INFO info;
    QFILE_IN *in;
    long    off;
    int     done;
    int     fd;
    int     n;
    int     first = 1;
    char    when[64];
    time_t  t;

    qfile_info_init(&info);
    if ((fd = open(spool_path(path, queue, id), O_RDONLY | O_CLOEXEC)) < 0) {
	if (errno != ENOENT)			/* gone meanwhile: delivered */
	    msg_warn("open %s/%s: %m", var_queue_dir, dstr_str(path));
	goto out;
    }
    in = qfile_in_open(fd);
    if (qfile_in_info(in, &info, err) < 0) {
	msg_warn("%s/%s: %s", var_queue_dir, dstr_str(path), dstr_str(err));
	qfile_in_free(in);
	close(fd);
	goto out;
    }
    tot->messages++;
    tot->bytes += info.content_size;
    t = (time_t) info.arrival_sec;
    if (json) {
	dstr_sprintf(out, "{\"queue_name\": ");
	json_str(out, queue);
	dstr_cats(out, ", \"queue_id\": ");
	json_str(out, id);
	dstr_printf(out, ", \"arrival_time\": %ld, \"message_size\": %ld, "
		    "\"forced_expire\": false, \"sender\": ", info.arrival_sec,
		    info.content_size);
	json_str(out, dstr_str(info.sender));
	dstr_cats(out, ", \"recipients\": [");
    } else {
	strftime(when, sizeof(when), "%a %b %e %H:%M:%S", localtime(&t));
	dstr_sprintf(out, "%-17s%c %8ld %s  %s\n", id,
		     strcmp(queue, SPOOL_ACTIVE) == 0 ? '*' :
		     strcmp(queue, SPOOL_HOLD) == 0 ? '!' : ' ',
		     info.content_size, when,
		     dstr_len(info.sender) ? dstr_str(info.sender) : "MAILER-DAEMON");
    }
    reasons = posthorn_delay_reasons(id);
    while ((n = qfile_in_rcpt(in, addr, &off, &done, err)) > 0) {
	if (done)
	    continue;
	reason = reasons ? htable_find(reasons, dstr_str(addr)) : NULL;
	if (json) {
	    dstr_cats(out, first ? "{\"address\": " : ", {\"address\": ");
	    json_str(out, dstr_str(addr));
	    if (reason) {
		dstr_cats(out, ", \"delay_reason\": ");
		json_str(out, reason);
	    }
	    dstr_catc(out, '}');
	} else {
	    if (reason)
		dstr_printf(out, "%45s(%s)\n", "", reason);
	    dstr_printf(out, "%45s%s\n", "", dstr_str(addr));
	}
	first = 0;
    }
    if (n < 0)
	msg_warn("%s/%s: %s", var_queue_dir, dstr_str(path), dstr_str(err));
    dstr_cats(out, json ? "]}\n" : "\n");
    fputs(dstr_str(out), stdout);
    qfile_in_free(in);
    close(fd);
out:
    qfile_info_free(&info);
    dstr_free(path);
    dstr_free(err);
    dstr_free(addr);
    if (reasons)
	htable_free(reasons, free);
    dstr_free(out);
    return (0);
}

/* posthorn_queue - the listing */

int     posthorn_queue(int argc, char **argv)
{
    static const char *const queues[] = {
	SPOOL_INCOMING, SPOOL_ACTIVE, SPOOL_DEFERRED, SPOOL_HOLD, 0,
    };
    const char *const *qp;
    QUEUE_TOTALS tot = {0, 0};
    ARGV   *ids;
    size_t  i;
    int     json = 0;
    int     ch;

    while ((ch = getopt(argc, argv, "j")) != -1) {
	if (ch != 'j')
	    msg_fatal("usage: posthorn queue [-j]");
	json = 1;
    }
    posthorn_load_config();
    if (chdir(var_queue_dir) < 0)
	msg_fatal("chdir %s: %m", var_queue_dir);
    if (!json)
	printf("-Queue ID-        --Size-- ----Arrival Time---- -Sender/Recipient-------\n");
    for (qp = queues; *qp; qp++) {
	ids = posthorn_queue_ids(*qp);
	for (i = 0; i < ids->argc; i++)
	    (void) posthorn_queue_one(*qp, ids->argv[i], json, &tot);
	argv_free(ids);
    }
    if (!json) {
	if (tot.messages == 0)
	    printf("Mail queue is empty\n");
	else
	    printf("-- %ld Kbytes in %ld Request%s.\n", (tot.bytes + 1023) / 1024,
		   tot.messages, tot.messages == 1 ? "" : "s");
    }
    return (0);
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
	if ((fd = open(spool_path(path, *qp, id), O_RDONLY | O_CLOEXEC)) >= 0)
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
    posthorn_load_config();
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
