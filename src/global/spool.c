/*
 * spool - queue directory layout
 * DESCRIPTION
 *	The spool is the only shared state between daemons. Paths are built
 *	here only, and only from validated queue ids, so a hostile name can
 *	never walk out of the queue directory.
 */
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "spool.h"
#include "qid.h"
#include "fsutil.h"
#include "msg.h"

const char *const spool_message_queues[] = {
    SPOOL_INCOMING, SPOOL_ACTIVE, SPOOL_DEFERRED, SPOOL_HOLD, SPOOL_CORRUPT, 0,
};

/* spool_message_queue - is name one of the message queues? */

int     spool_message_queue(const char *name)
{
    const char *const *qp;

    for (qp = spool_message_queues; name != NULL && *qp; qp++)
	if (strcmp(name, *qp) == 0)
	    return (1);
    return (0);
}

/* spool_path - queue/id */

const char *spool_path(DSTR *out, const char *queue, const char *id)
{
    if (!qid_valid(id))
	msg_panic("%s: bad queue id \"%.40s\"", __func__, id);
    dstr_sprintf(out, "%s/%s", queue, id);
    return (dstr_str(out));
}

/* spool_service_path - socket path */

const char *spool_service_path(DSTR *out, int private_, const char *name)
{
    if (strchr(name, '/') != NULL || *name == 0 || *name == '.')
	msg_panic("%s: bad service name \"%.40s\"", __func__, name);
    dstr_sprintf(out, "%s/%s", private_ ? SPOOL_PRIVATE : SPOOL_PUBLIC, name);
    return (dstr_str(out));
}

/* spool_create - make the tree */

int     spool_create(const char *queue_dir, uid_t uid, gid_t gid, DSTR *err)
{
    static const char *const owned[] = {
	SPOOL_INCOMING, SPOOL_ACTIVE, SPOOL_DEFERRED, SPOOL_HOLD, SPOOL_CORRUPT,
	SPOOL_TMP, SPOOL_BOUNCE, SPOOL_DEFER, SPOOL_TRACE, SPOOL_PRIVATE, 0,
    };
    DSTR   *path = dstr_new(256);
    const char *const *dp;
    int     ret = -1;

    if (fs_make_dir(queue_dir, 0755, 0, 0) < 0) {
	dstr_sprintf(err, "create %s: %m", queue_dir);
	goto out;
    }
    for (dp = owned; *dp; dp++) {
	dstr_sprintf(path, "%s/%s", queue_dir, *dp);
	if (fs_make_dir(dstr_str(path), 0700, uid, gid) < 0) {
	    dstr_sprintf(err, "create %s: %m", dstr_str(path));
	    goto out;
	}
    }
    dstr_sprintf(path, "%s/%s", queue_dir, SPOOL_PUBLIC);
    if (fs_make_dir(dstr_str(path), 0755, uid, gid) < 0) {
	dstr_sprintf(err, "create %s: %m", dstr_str(path));
	goto out;
    }
    dstr_sprintf(path, "%s/%s", queue_dir, SPOOL_PID);
    if (fs_make_dir(dstr_str(path), 0755, geteuid(), getegid()) < 0) {
	dstr_sprintf(err, "create %s: %m", dstr_str(path));
	goto out;
    }
    ret = 0;
out:
    dstr_free(path);
    return (ret);
}

/* spool_space_ok - room for one more message of the largest size? */

int     spool_space_ok(long minfree, long size_limit, DSTR *why)
{
    struct statvfs fs;
    unsigned long long avail;
    unsigned long long need = minfree > 0 ? (unsigned long long) minfree : 0;

    /* Postfix's rule: never less than 1.5 times the largest message. */
    if (size_limit > 0 && need < (unsigned long long) size_limit / 2 * 3)
	need = (unsigned long long) size_limit / 2 * 3;
    if (need == 0 || statvfs(".", &fs) < 0)
	return (1);				/* no rule, or nothing to measure */
    avail = (unsigned long long) fs.f_bavail * fs.f_frsize;
    if (avail >= need)
	return (1);
    dstr_sprintf(why, "not enough free space in mail queue: %llu bytes < %llu bytes"
		 " (queue_minfree, or 1.5*message_size_limit)", avail, need);
    return (0);
}
