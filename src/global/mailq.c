/*
 * mailq - the queue listing (posthorn queue, showq)
 * DESCRIPTION
 *	Reads the queue files read-only, with the same checked reader the
 *	daemons use, so a damaged file is reported, not misread. The text
 *	form is Postfix's mailq: recipients that share a delay reason are
 *	listed under one reason line; the -j form prints one JSON object per
 *	message with the fields of Postfix's postqueue -j, so existing tools
 *	can read it. posthorn-showq(8) runs it for any user authorized_mailq_users
 *	allows; posthorn runs it itself when the instance is down.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mailq.h"
#include "argv.h"
#include "bounce_log.h"
#include "cfg_params.h"
#include "htable.h"
#include "json.h"
#include "msg.h"
#include "mymalloc.h"
#include "qfile.h"
#include "qid.h"
#include "spool.h"

typedef struct MAILQ_TOTALS {
    long    messages;
    long    bytes;
} MAILQ_TOTALS;

/* mailq_cmp - strcmp through pointers for qsort */

static int mailq_cmp(const void *a, const void *b)
{
    return (strcmp(*(char *const *) a, *(char *const *) b));
}

/* mailq_ids - sorted valid ids in one queue */

ARGV   *mailq_ids(const char *queue)
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
    qsort(ids->argv, ids->argc, sizeof(char *), mailq_cmp);
    return (ids);
}

/* mailq_delay_reasons - last reason per recipient from defer/ID (NULL: none) */

static HTABLE *mailq_delay_reasons(const char *id)
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

/* A message's recipients as the text listing shows them: grouped by reason. */
typedef struct MAILQ_GROUPS {
    HTABLE *by_reason;			/* reason -> DSTR of recipient lines */
    ARGV   *order;			/* reasons, in order of first appearance */
    DSTR   *plain;			/* recipients without a recorded reason */
} MAILQ_GROUPS;

/* mailq_group_add - one recipient, under its reason (NULL: none) */

static void mailq_group_add(void *ctx, const char *addr, const char *reason)
{
    MAILQ_GROUPS *groups = ctx;
    DSTR   *lines = groups->plain;

    if (reason != NULL && (lines = htable_find(groups->by_reason, reason)) == NULL) {
	lines = dstr_new(128);
	htable_enter(groups->by_reason, reason, lines);
	argv_add(groups->order, reason);
    }
    dstr_printf(lines, "%45s%s\n", "", addr);
}

/* mailq_group_free - htable_free() callback */

static void mailq_group_free(void *lines)
{
    dstr_free(lines);
}

/* mailq_groups_flush - each reason once, its recipients under it; the rest last */

static void mailq_groups_flush(MAILQ_GROUPS *groups, DSTR *out)
{
    const DSTR *lines;
    size_t  i;

    for (i = 0; i < groups->order->argc; i++) {
	lines = htable_find(groups->by_reason, groups->order->argv[i]);
	dstr_printf(out, "%45s(%s)\n", "", groups->order->argv[i]);
	dstr_cat(out, dstr_str(lines), dstr_len(lines));
    }
    dstr_cat(out, dstr_str(groups->plain), dstr_len(groups->plain));
}

/* mailq_json_add - one recipient object */

static void mailq_json_add(void *ctx, const char *addr, const char *reason)
{
    DSTR   *out = ctx;

    dstr_cats(out, dstr_str(out)[dstr_len(out) - 1] == '[' ? "{\"address\": " : ", {\"address\": ");
    json_str(out, addr);
    if (reason) {
	dstr_cats(out, ", \"delay_reason\": ");
	json_str(out, reason);
    }
    dstr_catc(out, '}');
}

/* mailq_pending - the recipients not yet delivered, in file order */

int     mailq_pending(QFILE_IN *in, const char *path, ARGV *rcpts)
{
    DSTR   *addr = dstr_new(64);
    DSTR   *err = dstr_new(64);
    long    off;
    int     done;
    int     n;

    while ((n = qfile_in_rcpt(in, addr, &off, &done, err)) > 0)
	if (!done)
	    argv_add(rcpts, dstr_str(addr));
    if (n < 0)
	msg_warn("%s/%s: %s", var_queue_dir, path, dstr_str(err));
    dstr_free(addr);
    dstr_free(err);
    return (n < 0 ? -1 : 0);
}

/* mailq_rcpts - each recipient not yet delivered, with its reason, to add() */

static void mailq_rcpts(QFILE_IN *in, const char *id, const char *path,
		         void (*add) (void *, const char *, const char *), void *ctx)
{
    HTABLE *reasons = mailq_delay_reasons(id);
    ARGV   *rcpts = argv_new(8);
    size_t  i;

    (void) mailq_pending(in, path, rcpts);	/* a damaged file: those before */
    for (i = 0; i < rcpts->argc; i++)
	add(ctx, rcpts->argv[i], reasons ? htable_find(reasons, rcpts->argv[i]) : NULL);
    if (reasons)
	htable_free(reasons, free);
    argv_free(rcpts);
}

/* mailq_json_head - the message's fields up to its recipients */

static void mailq_json_head(DSTR *out, const char *queue, const char *id,
			            const QFILE_INFO *info)
{
    dstr_sprintf(out, "{\"queue_name\": ");
    json_str(out, queue);
    dstr_cats(out, ", \"queue_id\": ");
    json_str(out, id);
    dstr_printf(out, ", \"arrival_time\": %ld, \"message_size\": %ld, "
		"\"forced_expire\": false, \"sender\": ", info->arrival_sec,
		info->content_size);
    json_str(out, dstr_str(info->sender));
    dstr_cats(out, ", \"recipients\": [");
}

/* mailq_text_head - the message's first line */

static void mailq_text_head(DSTR *out, const char *queue, const char *id,
			            const QFILE_INFO *info)
{
    char    when[64];
    time_t  t = (time_t) info->arrival_sec;

    strftime(when, sizeof(when), "%a %b %e %H:%M:%S", localtime(&t));
    dstr_sprintf(out, "%-17s%c %8ld %s  %s\n", id,
		 strcmp(queue, SPOOL_ACTIVE) == 0 ? '*' :
		 strcmp(queue, SPOOL_HOLD) == 0 ? '!' : ' ',
		 info->content_size, when,
		 dstr_len(info->sender) ? dstr_str(info->sender) : "MAILER-DAEMON");
}

/* mailq_format - one message, as JSON or as text with grouped reasons */

static void mailq_format(DSTR *out, QFILE_IN *in, const char *queue, const char *id,
			         const char *path, const QFILE_INFO *info, int json)
{
    MAILQ_GROUPS groups;

    if (json) {
	mailq_json_head(out, queue, id, info);
	mailq_rcpts(in, id, path, mailq_json_add, out);
	dstr_cats(out, "]}\n");
	return;
    }
    mailq_text_head(out, queue, id, info);
    groups.by_reason = htable_new(4);
    groups.order = argv_new(4);
    groups.plain = dstr_new(128);
    mailq_rcpts(in, id, path, mailq_group_add, &groups);
    mailq_groups_flush(&groups, out);
    htable_free(groups.by_reason, mailq_group_free);
    argv_free(groups.order);
    dstr_free(groups.plain);
    dstr_catc(out, '\n');
}

/* mailq_open - the reader of queue/id past its envelope, or NULL */

QFILE_IN *mailq_open(const char *queue, const char *id, DSTR *path,
		             QFILE_INFO *info, int *fd)
{
    DSTR   *err;
    QFILE_IN *in;

    if ((*fd = qfile_open_read(spool_path(path, queue, id))) < 0) {
	if (errno != ENOENT)			/* gone meanwhile: delivered */
	    msg_warn("open %s/%s: %m", var_queue_dir, dstr_str(path));
	return (NULL);
    }
    in = qfile_in_open(*fd);
    err = dstr_new(64);
    if (qfile_in_info(in, info, err) < 0) {
	msg_warn("%s/%s: %s", var_queue_dir, dstr_str(path), dstr_str(err));
	in = mailq_close(in, *fd);
    }
    dstr_free(err);
    return (in);
}

/* mailq_close - free the reader, close its file; returns NULL */

QFILE_IN *mailq_close(QFILE_IN *in, int fd)
{
    qfile_in_free(in);
    close(fd);
    return (NULL);
}

/* mailq_one - print one message, unless it is gone or unreadable */

static void mailq_one(IOS *out_stream, const char *queue, const char *id, int json,
		              MAILQ_TOTALS *tot)
{
    DSTR   *path = dstr_new(64);
    DSTR   *out = dstr_new(512);
    QFILE_INFO info;
    QFILE_IN *in;
    int     fd;

    qfile_info_init(&info);
    if ((in = mailq_open(queue, id, path, &info, &fd)) != NULL) {
	tot->messages++;
	tot->bytes += info.content_size;
	mailq_format(out, in, queue, id, dstr_str(path), &info, json);
	(void) ios_write(out_stream, dstr_str(out), dstr_len(out));
	mailq_close(in, fd);
    }
    qfile_info_free(&info);
    dstr_free(path);
    dstr_free(out);
}

/* mailq_print - the whole listing; the caller flushes */

void    mailq_print(IOS *out, int json)
{
    static const char *const queues[] = {
	SPOOL_INCOMING, SPOOL_ACTIVE, SPOOL_DEFERRED, SPOOL_HOLD, 0,
    };
    const char *const *qp;
    MAILQ_TOTALS tot = {0, 0};
    ARGV   *ids;
    size_t  i;

    if (!json)
	ios_puts(out, "-Queue ID-        --Size-- ----Arrival Time---- -Sender/Recipient-------\n");
    for (qp = queues; *qp; qp++) {
	ids = mailq_ids(*qp);
	for (i = 0; i < ids->argc; i++)
	    mailq_one(out, *qp, ids->argv[i], json, &tot);
	argv_free(ids);
    }
    if (!json) {
	if (tot.messages == 0)
	    ios_puts(out, "Mail queue is empty\n");
	else
	    ios_printf(out, "-- %ld Kbytes in %ld Request%s.\n", (tot.bytes + 1023) / 1024,
		       tot.messages, tot.messages == 1 ? "" : "s");
    }
}
