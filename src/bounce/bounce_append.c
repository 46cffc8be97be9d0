/*
 * bounce_append - add one recipient record to bounce/ID or defer/ID
 * DESCRIPTION
 *	The smtp client marks a bounced recipient done only after this
 *	answers (docs/design.md invariant 3), so for the bounce log the
 *	record must be on disk first: write, fsync the file, and fsync bounce/ when
 *	this write may be the one that made the name appear. A defer record
 *	is only advice (expiry falls back to "delivery time expired") and is
 *	not synced.
 *
 *	Appends from concurrent bounce processes are serialized with an
 *	exclusive flock, which also covers three corner cases: a log removed
 *	by a notification between our open and our lock (the record would go
 *	into an unlinked file: reopen), a record torn by a crash (its line is
 *	ended first, so the damage stays on that line), and a second writer
 *	that answers before the first writer made the new name durable (the
 *	first writer to find the file empty syncs the directory, and holds
 *	the lock until it has).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bounce.h"
#include "bounce_log.h"
#include "fsutil.h"
#include "msg.h"
#include "qid.h"
#include "spool.h"

#define BOUNCE_APPEND_TRIES	5	/* reopen a log removed under us at most this often */

/* bounce_append_open - open or create the log; locked descriptor or -1 */

static int bounce_append_open(const char *path, int *created, struct stat *st)
{
    int     fd;

    *created = 0;
    if ((fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		   0600)) >= 0)
	*created = 1;
    else if (errno == EEXIST)
	fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
	return (-1);
    if (flock(fd, LOCK_EX) < 0 || fstat(fd, st) < 0) {
	(void) close(fd);
	return (-1);
    }
    return (fd);
}

/* bounce_append_write - append record to path; 0, or -1 and why */

static int bounce_append_write(const char *dir, const char *path, const DSTR *record,
			               int durable, DSTR *why)
{
    struct stat st;
    char    last;
    int     created;
    int     tries;
    int     fd = -1;

    for (tries = 0; tries < BOUNCE_APPEND_TRIES; tries++) {
	if ((fd = bounce_append_open(path, &created, &st)) < 0) {
	    if (errno == ENOENT)		/* removed between our two opens */
		continue;
	    dstr_sprintf(why, "open %s: %s", path, strerror(errno));
	    return (-1);
	}
	if (st.st_nlink > 0)
	    break;
	(void) close(fd);			/* removed while we waited for the lock */
	fd = -1;
    }
    if (fd < 0) {
	dstr_sprintf(why, "open %s: the file keeps disappearing", path);
	return (-1);
    }
    if (st.st_size > 0 && (pread(fd, &last, 1, st.st_size - 1) != 1 || last != '\n')
	&& fs_write_all(fd, "\n", 1) < 0)
	goto bad_write;
    if (fs_write_all(fd, dstr_str(record), dstr_len(record)) < 0)
	goto bad_write;
    if (durable) {
	if (fsync(fd) < 0)
	    goto bad_write;
	if ((created || st.st_size == 0) && fs_sync_dir(dir) < 0) {
	    dstr_sprintf(why, "fsync directory %s: %s", dir, strerror(errno));
	    (void) close(fd);
	    return (-1);
	}
    }
    if (close(fd) < 0) {
	dstr_sprintf(why, "close %s: %s", path, strerror(errno));
	return (-1);
    }
    return (0);

bad_write:
    dstr_sprintf(why, "write %s: %s", path, strerror(errno));
    (void) close(fd);
    return (-1);
}

/* bounce_append - the append request */

int     bounce_append(const ATTR_LIST *req, DSTR *why)
{
    const char *log_name = attr_get_str(req, "log");
    const char *queue_id = attr_get_str(req, "queue_id");
    const char *dir;
    BOUNCE_RCPT rcpt;
    DSTR   *record;
    DSTR   *path;
    int     which;
    int     ret;

    if (log_name == NULL || (which = bounce_client_log_code(log_name)) == 0) {
	dstr_strcpy(why, "append request without a valid log name");
	return (-1);
    }
    if (queue_id == NULL || !qid_valid(queue_id)) {
	dstr_strcpy(why, "append request without a valid queue_id");
	return (-1);
    }
    memset(&rcpt, 0, sizeof(rcpt));
    if (attr_get_long(req, "offset", &rcpt.offset, 0, LONG_MAX) < 0) {
	dstr_sprintf(why, "%s: append request without a valid offset", queue_id);
	return (-1);
    }
    rcpt.address = attr_get_str(req, "address");
    rcpt.status = attr_get_str(req, "status");
    rcpt.action = attr_get_str(req, "action");
    rcpt.remote_mta = attr_get_str(req, "remote_mta");
    rcpt.diagnostic = attr_get_str(req, "diagnostic");
    rcpt.reason = attr_get_str(req, "reason");
    record = dstr_new(512);
    if (bounce_log_format(record, &rcpt, (long) time((time_t *) 0), why) < 0) {
	dstr_free(record);
	return (-1);
    }
    dir = which == BOUNCE_LOG_BOUNCE ? SPOOL_BOUNCE : SPOOL_DEFER;
    path = dstr_new(64);
    ret = bounce_append_write(dir, spool_path(path, dir, queue_id), record,
			      which == BOUNCE_LOG_BOUNCE, why);
    if (ret == 0 && msg_verbose)
	msg_info("%s: %s log: <%s> %s", queue_id, log_name, rcpt.address, rcpt.status);
    dstr_free(path);
    dstr_free(record);
    return (ret);
}
