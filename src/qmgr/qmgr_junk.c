/*
 * qmgr_junk - keep the message queues to queue files
 * DESCRIPTION
 *	incoming/, active/, deferred/ and hold/ hold regular files named by
 *	queue ids, and nothing else, or a scan could stumble over it for
 *	ever: a directory, a symbolic link, a device or a stray name is
 *	moved to corrupt/ with one log line (docs/design.md invariant 5).
 *	When it cannot be moved (a name already taken in corrupt/, a
 *	read-only file system), its queue and name are remembered and it is
 *	left alone without another word until qmgr restarts, so junk never
 *	floods the log. Scans see it as they go; hold/ is looked at once,
 *	when qmgr starts, with the rest.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "qmgr.h"
#include "htable.h"
#include "msg.h"
#include "qid.h"
#include "spool.h"

static HTABLE *qmgr_junk_stuck;		/* "queue/name" that would not move */

/* qmgr_junk_move - to corrupt/, or remembered */

void    qmgr_junk_move(const char *queue, const char *name)
{
    DSTR   *src = dstr_new(64);
    DSTR   *dst = dstr_new(64);

    /* A readdir() name has no '/'; "." and ".." never get here. */
    dstr_sprintf(src, "%s/%s", queue, name);
    dstr_sprintf(dst, "%s/%s", SPOOL_CORRUPT, name);
    if (qmgr_junk_stuck == NULL)
	qmgr_junk_stuck = htable_new(16);
    if (htable_find(qmgr_junk_stuck, dstr_str(src)) == NULL) {
	if (renameat2(AT_FDCWD, dstr_str(src), AT_FDCWD, dstr_str(dst), RENAME_NOREPLACE) == 0) {
	    msg_warn("%s: not a queue file (not a regular file with a queue id name):"
		     " moved to %s", dstr_str(src), SPOOL_CORRUPT);
	} else if (errno != ENOENT) {
	    msg_warn("%s: not a queue file, and it cannot be moved to %s: %m;"
		     " ignored from now on", dstr_str(src), SPOOL_CORRUPT);
	    htable_enter(qmgr_junk_stuck, dstr_str(src), "");
	}
    }
    dstr_free(src);
    dstr_free(dst);
}

/* qmgr_junk_regular - 1: a regular file, 0: something else, -1: gone */

static int qmgr_junk_regular(const char *queue, const char *name, unsigned char d_type)
{
    DSTR   *path;
    struct stat st;
    int     ret;

    if (d_type != DT_UNKNOWN)			/* most file systems say, for free */
	return (d_type == DT_REG);
    path = dstr_new(64);
    dstr_sprintf(path, "%s/%s", queue, name);
    ret = lstat(dstr_str(path), &st) < 0 ? -1 : S_ISREG(st.st_mode);
    dstr_free(path);
    return (ret);
}

/* qmgr_junk_check - a queue file, or junk dealt with */

int     qmgr_junk_check(const char *queue, const char *name, unsigned char d_type)
{
    int     regular;

    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
	return (1);
    if (!qid_valid(name) || (regular = qmgr_junk_regular(queue, name, d_type)) == 0) {
	qmgr_junk_move(queue, name);
	return (1);
    }
    return (regular < 0);			/* gone meanwhile: nothing to do */
}

/* qmgr_junk_sweep - every message queue, at start */

void    qmgr_junk_sweep(void)
{
    static const char *const queues[] = {
	SPOOL_INCOMING, SPOOL_ACTIVE, SPOOL_DEFERRED, SPOOL_HOLD, 0,
    };
    const char *const *qp;
    struct dirent *de;
    DIR    *dir;

    for (qp = queues; *qp; qp++) {
	if ((dir = opendir(*qp)) == NULL) {
	    msg_warn("open directory %s: %m", *qp);
	    continue;
	}
	while ((de = readdir(dir)) != NULL)
	    (void) qmgr_junk_check(*qp, de->d_name, de->d_type);
	closedir(dir);
    }
}
