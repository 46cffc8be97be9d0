/*
 * unit_spool - a scratch queue directory, made the working directory as
 * the daemons' is, with queue files written by qfile's own writer (known
 * arrival time, sender, recipients, some marked done) and defer logs
 * written by bounce_log's formatter. For the listing and queue-shape
 * tests. Header-only, because each check_*.c is linked on its own.
 */
#ifndef UNIT_SPOOL_H
#define UNIT_SPOOL_H
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounce_log.h"
#include "cfg_params.h"
#include "dstr.h"
#include "ios.h"
#include "qfile.h"
#include "unit_tmpdir.h"

#define UNIT_SPOOL_DONE	'!'		/* a recipient written so is marked done */

/* unit_spool_make - a fresh queue directory as cwd; the caller frees the name */

static inline char *unit_spool_make(const char *name)
{
    static const char *const dirs[] = {"tmp", "incoming", "active", "deferred",
    "hold", "corrupt", "defer", 0};
    const char *const *dp;
    char   *dir = unit_tmpdir_make(name);

    ck_assert_int_eq(chdir(dir), 0);
    for (dp = dirs; *dp; dp++)
	ck_assert_int_eq(mkdir(*dp, 0700), 0);
    var_queue_dir = dir;
    return (dir);
}

/* unit_spool_mark - mark the recipients written with UNIT_SPOOL_DONE */

static inline void unit_spool_mark(const char *path, const char *const *rcpts)
{
    int     fd = open(path, O_RDWR);
    QFILE_IN *in = qfile_in_open(fd);
    QFILE_INFO info;
    DSTR   *addr = dstr_new(64);
    DSTR   *err = dstr_new(64);
    long    off;
    int     done;
    size_t  i;

    ck_assert_int_ge(fd, 0);
    qfile_info_init(&info);
    ck_assert_int_eq(qfile_in_info(in, &info, err), 0);
    for (i = 0; qfile_in_rcpt(in, addr, &off, &done, err) > 0; i++)
	if (rcpts[i][0] == UNIT_SPOOL_DONE)
	    ck_assert_int_eq(qfile_mark_done(fd, off), 0);
    qfile_in_free(in);
    qfile_info_free(&info);
    dstr_free(addr);
    dstr_free(err);
    close(fd);
}

/*
 * unit_spool_msg - queue/id arriving at arrival (seconds since the epoch)
 * from sender to the NULL-terminated rcpts ("!addr": already delivered)
 */
static inline void unit_spool_msg(const char *queue, const char *id, long arrival,
				          const char *sender, const char *const *rcpts)
{
    int     tmp_fd = open("tmp", O_RDONLY | O_DIRECTORY);
    int     q_fd = open(queue, O_RDONLY | O_DIRECTORY);
    QFILE_OUT *out = qfile_out_new(tmp_fd, id, 0);
    DSTR   *path = dstr_new(64);
    const char *const *rp;
    int     marks = 0;

    qfile_out_time(out, arrival, 0);
    qfile_out_content(out, "Subject: t\n\nbody\n", 17);
    qfile_out_sender(out, sender);
    for (rp = rcpts; *rp; rp++) {
	marks |= (*rp)[0] == UNIT_SPOOL_DONE;
	qfile_out_rcpt(out, (*rp) + ((*rp)[0] == UNIT_SPOOL_DONE));
    }
    ck_assert_int_eq(qfile_out_commit(out, q_fd, id), QFILE_OK);
    close(tmp_fd);
    close(q_fd);
    dstr_sprintf(path, "%s/%s", queue, id);
    if (marks)
	unit_spool_mark(dstr_str(path), rcpts);
    dstr_free(path);
}

/* unit_spool_defer - append a delay record for rcpt to defer/id */

static inline void unit_spool_defer(const char *id, const char *rcpt, const char *reason)
{
    BOUNCE_RCPT br = {rcpt, 0, "4.0.0", "delayed", "", "", reason};
    DSTR   *line = dstr_new(128);
    DSTR   *err = dstr_new(64);
    FILE   *fp;

    dstr_sprintf(err, "defer/%s", id);
    ck_assert_ptr_nonnull(fp = fopen(dstr_str(err), "a"));
    ck_assert_int_eq(bounce_log_format(line, &br, 1700000000L, err), 0);
    fwrite(dstr_str(line), 1, dstr_len(line), fp);
    fclose(fp);
    dstr_free(line);
    dstr_free(err);
}

/* unit_spool_output - what was written to a memory stream (freed); the caller frees it */

static inline DSTR *unit_spool_output(IOS *out)
{
    DSTR   *text = dstr_new(512);

    dstr_strcpy(text, dstr_str(ios_mem_output(out)));
    ios_free(out);
    return (text);
}

#endif
