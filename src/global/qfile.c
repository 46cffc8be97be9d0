/*
 * qfile - queue files
 * DESCRIPTION
 *	The one module that knows the record layout (see qfile.h). The
 *	writer keeps small messages entirely in memory and creates the file
 *	only at commit, so a typical message costs one write, one
 *	sync_file_range, one rename and a share of one group syncfs (or,
 *	alone, one write, two fsyncs and a rename); bigger ones spill to the
 *	temp file as they stream in. The reader distrusts everything it reads: lengths are
 *	bounded, offsets are checked against the file size, and record order
 *	is enforced, so a damaged file is reported instead of misread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qfile.h"
#include "fsutil.h"
#include "mymalloc.h"
#include "msg.h"
#include "strutil.h"

#define QFILE_MEM_LIMIT	(256 * 1024)	/* spill to disk beyond this */
#define QFILE_LEN_PAD	5		/* fixed-width length of the M record */
#define QFILE_SIZE_PAYLOAD (4 * QFILE_SIZE_WIDTH + 3)

/* Writer states: records must come in file order. */
#define QOUT_HEADER	0
#define QOUT_CONTENT	1
#define QOUT_ENVELOPE	2

struct QFILE_OUT {
    DSTR   *buf;			/* bytes not yet written */
    long    flushed;			/* file offset of buf[0] */
    int     fd;				/* -1 until the file exists */
    int     tmp_dirfd;
    char   *tmpname;
    long    size_limit;
    int     status;
    int     saved_errno;
    int     state;
    long    content_len_off;		/* where the M length field sits */
    long    content_offset;
    long    content_size;
    long    envelope_offset;
    long    rcpt_count;
    GCOMMIT *gc;			/* NULL: sync on our own */
};

/* qfile_out_offset - current end of file */

static long qfile_out_offset(const QFILE_OUT *out)
{
    return (out->flushed + (long) dstr_len(out->buf));
}

/* qfile_out_fail - remember the first error */

static void qfile_out_fail(QFILE_OUT *out, int status)
{
    if (out->status == QFILE_OK) {
	out->status = status;
	out->saved_errno = errno;
    }
    DSTR_RESET(out->buf);			/* nothing more will be written */
}

/* qfile_out_flush - push buffered bytes to the temp file, creating it */

static void qfile_out_flush(QFILE_OUT *out)
{
    if (out->status != QFILE_OK || dstr_len(out->buf) == 0)
	return;
    if (out->fd < 0
	&& (out->fd = openat(out->tmp_dirfd, out->tmpname,
			     O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
	qfile_out_fail(out, QFILE_ERR_WRITE);
	return;
    }
    if (fs_write_all(out->fd, dstr_str(out->buf), dstr_len(out->buf)) < 0) {
	qfile_out_fail(out, QFILE_ERR_WRITE);
	return;
    }
    out->flushed += (long) dstr_len(out->buf);
    DSTR_RESET(out->buf);
}

/* qfile_out_bytes - append raw bytes with size accounting */

static void qfile_out_bytes(QFILE_OUT *out, const void *data, size_t len)
{
    if (out->status != QFILE_OK)
	return;
    if (out->size_limit > 0 && qfile_out_offset(out) + (long) len > out->size_limit) {
	errno = EFBIG;
	qfile_out_fail(out, QFILE_ERR_SIZE);
	return;
    }
    (void) dstr_cat(out->buf, data, len);
    if (dstr_len(out->buf) >= QFILE_MEM_LIMIT)
	qfile_out_flush(out);
}

/* qfile_out_len - encode a record length in 7-bit groups, padded to width */

static void qfile_out_len(QFILE_OUT *out, unsigned long len, int width)
{
    unsigned char enc[10];
    int     n = 0;

    do {
	enc[n] = len & 0x7f;
	len >>= 7;
	if (len || n + 1 < width)
	    enc[n] |= 0x80;
	n++;
    } while (len || n < width);
    qfile_out_bytes(out, enc, (size_t) n);
}

/* qfile_out_rec - append one whole record */

static void qfile_out_rec(QFILE_OUT *out, int type, const void *data, size_t len)
{
    unsigned char t = (unsigned char) type;

    qfile_out_bytes(out, &t, 1);
    qfile_out_len(out, len, 1);
    qfile_out_bytes(out, data, len);
}

/* qfile_out_patch - overwrite bytes already produced */

static void qfile_out_patch(QFILE_OUT *out, long offset, const void *data, size_t len)
{
    size_t  on_disk;

    if (out->status != QFILE_OK)
	return;
    /* The range may straddle what was flushed and what is still buffered. */
    on_disk = offset < out->flushed ? (size_t) (out->flushed - offset) : 0;
    if (on_disk > len)
	on_disk = len;
    if (on_disk > 0 && fs_pwrite_all(out->fd, data, on_disk, offset) < 0) {
	qfile_out_fail(out, QFILE_ERR_WRITE);
	return;
    }
    if (len > on_disk)
	memcpy(dstr_data(out->buf) + (offset + (long) on_disk - out->flushed),
	       (const char *) data + on_disk, len - on_disk);
}

/* qfile_out_sizes - the C record payload */

static void qfile_out_sizes(QFILE_OUT *out, char *buf)
{
    snprintf(buf, QFILE_SIZE_PAYLOAD + 1, "%*ld %*ld %*ld %*ld",
	     QFILE_SIZE_WIDTH, out->content_offset, QFILE_SIZE_WIDTH, out->content_size,
	     QFILE_SIZE_WIDTH, out->envelope_offset, QFILE_SIZE_WIDTH, out->rcpt_count);
}

/* qfile_out_new - start a file */

QFILE_OUT *qfile_out_new(int tmp_dirfd, const char *tmpname, long size_limit)
{
    QFILE_OUT *out = mycalloc(1, sizeof(*out));
    char    sizes[QFILE_SIZE_PAYLOAD + 1];

    out->buf = dstr_new(8192);
    out->fd = -1;
    out->tmp_dirfd = tmp_dirfd;
    out->tmpname = mystrdup(tmpname);
    out->size_limit = size_limit;
    qfile_out_sizes(out, sizes);
    qfile_out_rec(out, QREC_SIZE, sizes, QFILE_SIZE_PAYLOAD);
    return (out);
}

/* qfile_out_time - arrival time */

void    qfile_out_time(QFILE_OUT *out, long sec, long usec)
{
    char    buf[64];
    int     n = snprintf(buf, sizeof(buf), "%ld %ld", sec, usec);

    if (out->state != QOUT_HEADER)
	msg_panic("%s: time record after content", __func__);
    qfile_out_rec(out, QREC_TIME, buf, (size_t) n);
}

/* qfile_out_attr - name=value */

void    qfile_out_attr(QFILE_OUT *out, const char *name, const char *value)
{
    DSTR   *tmp;

    if (out->state == QOUT_CONTENT)
	msg_panic("%s: attribute inside content", __func__);
    if (*name == 0 || strchr(name, '=') != NULL)
	msg_panic("%s: bad attribute name \"%s\"", __func__, name);
    tmp = dstr_new(64);
    dstr_sprintf(tmp, "%s=%s", name, value);
    qfile_out_rec(out, QREC_ATTR, dstr_str(tmp), dstr_len(tmp));
    dstr_free(tmp);
}

/* qfile_out_content - message bytes */

void    qfile_out_content(QFILE_OUT *out, const void *buf, size_t len)
{
    unsigned char t = QREC_CONTENT;

    if (out->state == QOUT_ENVELOPE)
	msg_panic("%s: content after envelope", __func__);
    if (out->state == QOUT_HEADER) {
	qfile_out_bytes(out, &t, 1);
	out->content_len_off = qfile_out_offset(out);
	qfile_out_len(out, 0, QFILE_LEN_PAD);
	out->content_offset = qfile_out_offset(out);
	out->state = QOUT_CONTENT;
    }
    qfile_out_bytes(out, buf, len);
    out->content_size += (long) len;
}

/* qfile_out_content_size - message bytes so far */

long    qfile_out_content_size(const QFILE_OUT *out)
{
    return (out->content_size);
}

/* qfile_out_content_patch - overwrite message bytes already written */

void    qfile_out_content_patch(QFILE_OUT *out, long pos, const void *buf, size_t len)
{
    if (out->state == QOUT_HEADER || pos < 0 || pos + (long) len > out->content_size)
	msg_panic("%s: bytes %ld..%ld are not content written so far (%ld)",
		  __func__, pos, pos + (long) len, out->content_size);
    qfile_out_patch(out, out->content_offset + pos, buf, len);
}

/* qfile_out_end_content - fix the M length, start the envelope */

static void qfile_out_end_content(QFILE_OUT *out)
{
    unsigned char enc[QFILE_LEN_PAD];
    unsigned long len;
    int     i;

    if (out->state == QOUT_ENVELOPE)
	return;
    if (out->state == QOUT_HEADER)
	qfile_out_content(out, "", 0);
    len = (unsigned long) out->content_size;
    for (i = 0; i < QFILE_LEN_PAD; i++) {
	enc[i] = (len & 0x7f) | (i + 1 < QFILE_LEN_PAD ? 0x80 : 0);
	len >>= 7;
    }
    if (len != 0)
	msg_panic("%s: content too large", __func__);
    qfile_out_patch(out, out->content_len_off, enc, sizeof(enc));
    out->envelope_offset = qfile_out_offset(out);
    out->state = QOUT_ENVELOPE;
}

/* qfile_out_sender - envelope sender */

void    qfile_out_sender(QFILE_OUT *out, const char *sender)
{
    qfile_out_end_content(out);
    qfile_out_rec(out, QREC_SENDER, sender, strlen(sender));
}

/* qfile_out_verp - VERP delimiters */

void    qfile_out_verp(QFILE_OUT *out, const char *delims)
{
    if (out->state != QOUT_ENVELOPE || strlen(delims) != 2)
	msg_panic("%s: bad VERP record", __func__);
    qfile_out_rec(out, QREC_VERP, delims, 2);
}

/* qfile_out_warn - delay warning time */

void    qfile_out_warn(QFILE_OUT *out, long when)
{
    char    buf[QFILE_SIZE_WIDTH + 1];

    if (out->state != QOUT_ENVELOPE)
	msg_panic("%s: warning record before sender", __func__);
    snprintf(buf, sizeof(buf), "%*ld", QFILE_SIZE_WIDTH, when);
    qfile_out_rec(out, QREC_WARN, buf, QFILE_SIZE_WIDTH);
}

/* qfile_out_rcpt - one pending recipient */

void    qfile_out_rcpt(QFILE_OUT *out, const char *rcpt)
{
    if (out->state != QOUT_ENVELOPE)
	msg_panic("%s: recipient before sender", __func__);
    qfile_out_rec(out, QREC_RCPT, rcpt, strlen(rcpt));
    out->rcpt_count++;
}

/* qfile_out_errno - the errno of the first failed call */

int     qfile_out_errno(const QFILE_OUT *out)
{
    return (out->status == QFILE_OK ? 0 : out->saved_errno ? out->saved_errno : EIO);
}

/* qfile_out_status - first error */

int     qfile_out_status(const QFILE_OUT *out)
{
    return (out->status);
}

/* qfile_out_size - bytes so far */

long    qfile_out_size(const QFILE_OUT *out)
{
    return (qfile_out_offset(out));
}

/* qfile_out_release - free memory, close the file */

static void qfile_out_release(QFILE_OUT *out)
{
    if (out->fd >= 0)
	close(out->fd);
    dstr_free(out->buf);
    free(out->tmpname);
    free(out);
}

/* qfile_out_group - share file system syncs with other writers */

void    qfile_out_group(QFILE_OUT *out, GCOMMIT *gc)
{
    out->gc = gc;
}

/*
 * qfile_out_write_data - before the rename: on our own, fsync the file;
 * in a group, only write its data out and wait for that (no disk flush),
 * so that on a journaling file system the name cannot become durable
 * without the data (qmgr never meets a half-written file, even after a
 * crash); the group's sync then flushes both.
 */

static int qfile_out_write_data(QFILE_OUT *out)
{
    if (out->gc == NULL)
	return (fsync(out->fd));
    return (sync_file_range(out->fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE
			    | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER));
}

/*
 * qfile_out_sync_name - after the rename: the data and the new name
 * durable. In a group, a syncfs() that began after the rename (ours or a
 * leader's) covers both; when the leader takes too long, fsync the file
 * and the directory ourselves.
 */

static int qfile_out_sync_name(QFILE_OUT *out, int dst_dirfd)
{
    if (out->gc != NULL) {
	switch (gcommit_sync(out->gc, dst_dirfd, QFILE_GROUP_WAIT_MS)) {
	case 0:
	    return (0);
	case -1:
	    return (-1);
	}
	if (fsync(out->fd) < 0)
	    return (-1);
    }
    return (fsync(dst_dirfd));
}

/* qfile_out_commit - make it durable and visible */

int     qfile_out_commit(QFILE_OUT *out, int dst_dirfd, const char *dst_name)
{
    int     saved;
    char    sizes[QFILE_SIZE_PAYLOAD + 1];
    int     status;

    if (out->state != QOUT_ENVELOPE)
	msg_panic("%s: no envelope", __func__);
    qfile_out_rec(out, QREC_END, "", 0);
    qfile_out_sizes(out, sizes);
    qfile_out_patch(out, 2, sizes, QFILE_SIZE_PAYLOAD);
    qfile_out_flush(out);
    if (out->status == QFILE_OK && qfile_out_write_data(out) < 0)
	qfile_out_fail(out, QFILE_ERR_WRITE);
    if (out->status == QFILE_OK
	&& renameat2(out->tmp_dirfd, out->tmpname, dst_dirfd, dst_name, RENAME_NOREPLACE) < 0)
	qfile_out_fail(out, QFILE_ERR_WRITE);
    else if (out->status == QFILE_OK && qfile_out_sync_name(out, dst_dirfd) < 0) {
	/* Named, but not durably: the client hears Z and will resend, so take
	 * this copy back out rather than deliver it twice. */
	qfile_out_fail(out, QFILE_ERR_WRITE);
	(void) unlinkat(dst_dirfd, dst_name, 0);
    }
    status = out->status;
    saved = out->saved_errno;
    if (status != QFILE_OK && out->fd >= 0)
	(void) unlinkat(out->tmp_dirfd, out->tmpname, 0);
    qfile_out_release(out);
    /* The errno of the call that failed, not of the clean-up after it. */
    if (status != QFILE_OK)
	errno = saved ? saved : EIO;
    return (status);
}

/* qfile_out_abort - discard */

void    qfile_out_abort(QFILE_OUT *out)
{
    if (out->fd >= 0)
	(void) unlinkat(out->tmp_dirfd, out->tmpname, 0);
    qfile_out_release(out);
}

 /*
  * Reader.
  */
struct QFILE_IN {
    int     fd;
    long    file_size;
    long    pos;			/* file offset of the next unread byte */
    unsigned char buf[8192];		/* read-ahead; records are copied out
					 * into bounded DSTRs */
    size_t  bstart;
    size_t  bend;
    long    boff;			/* file offset of buf[0] */
    long    last_len;			/* payload length of the last record */
};

/* qfile_open_read - a queue file for reading, never anything else */

int     qfile_open_read(const char *path)
{
    struct stat st;
    int     fd;

    /* O_NONBLOCK: a FIFO planted under a queue id name must not hang us. */
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
	return (-1);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
	(void) close(fd);
	errno = EINVAL;
	return (-1);
    }
    return (fd);
}

/* qfile_in_open - reader on an open file */

QFILE_IN *qfile_in_open(int fd)
{
    QFILE_IN *in = mycalloc(1, sizeof(*in));
    struct stat st;

    in->fd = fd;
    in->file_size = fstat(fd, &st) == 0 ? (long) st.st_size : 0;
    return (in);
}

/* qfile_in_free - release */

void    qfile_in_free(QFILE_IN *in)
{
    free(in);
}

/* qfile_in_seek - reposition */

int     qfile_in_seek(QFILE_IN *in, long offset)
{
    if (offset < 0 || offset > in->file_size)
	return (-1);
    in->pos = offset;
    in->bstart = in->bend = 0;
    in->boff = offset;
    return (0);
}

/* qfile_in_tell - where reading would continue */

long    qfile_in_tell(const QFILE_IN *in)
{
    return (in->pos);
}

/* qfile_in_getc - next byte or -1 */

static int qfile_in_getc(QFILE_IN *in)
{
    ssize_t n;

    if (in->bstart == in->bend) {
	for (;;) {
	    n = pread(in->fd, in->buf, sizeof(in->buf), in->pos);
	    if (n >= 0 || errno != EINTR)
		break;
	}
	if (n <= 0)
	    return (-1);
	in->boff = in->pos;
	in->bstart = 0;
	in->bend = (size_t) n;
    }
    in->pos++;
    return (in->buf[in->bstart++]);
}

/* qfile_in_rec - one record; type, or -1 and err */

static int qfile_in_rec(QFILE_IN *in, DSTR *payload, size_t limit, long *rec_off,
			        int skip_payload, DSTR *err)
{
    int     type;
    int     ch;
    unsigned long len = 0;
    int     shift = 0;
    size_t  n;

    *rec_off = in->pos;
    if ((type = qfile_in_getc(in)) < 0) {
	dstr_sprintf(err, "premature end of file at offset %ld", *rec_off);
	return (-1);
    }
    do {
	if ((ch = qfile_in_getc(in)) < 0 || shift > 35) {
	    dstr_sprintf(err, "bad record length at offset %ld", *rec_off);
	    return (-1);
	}
	len |= (unsigned long) (ch & 0x7f) << shift;
	shift += 7;
    } while (ch & 0x80);
    if ((long) len > in->file_size - in->pos) {
	dstr_sprintf(err, "record at offset %ld extends past end of file", *rec_off);
	return (-1);
    }
    in->last_len = (long) len;
    if (skip_payload) {
	(void) qfile_in_seek(in, in->pos + (long) len);
	return (type);
    }
    if (len > limit) {
	dstr_sprintf(err, "record at offset %ld too long (%lu bytes)", *rec_off, len);
	return (-1);
    }
    DSTR_RESET(payload);
    for (n = 0; n < len; n++) {
	if ((ch = qfile_in_getc(in)) < 0) {
	    dstr_sprintf(err, "premature end of file at offset %ld", in->pos);
	    return (-1);
	}
	(void) dstr_catc(payload, ch);
    }
    return (type);
}

/* qfile_has_nul - addresses never contain NUL; a record that does is damaged */

static int qfile_has_nul(const DSTR *rec)
{
    return (memchr(dstr_str(rec), 0, dstr_len(rec)) != NULL);
}

/* qfile_info_init - empty info */

void    qfile_info_init(QFILE_INFO *info)
{
    memset(info, 0, sizeof(*info));
    info->sender = dstr_new(64);
    info->attrs = attr_list_new();
}

/* qfile_info_free - release members */

void    qfile_info_free(QFILE_INFO *info)
{
    dstr_free(info->sender);
    attr_list_free(info->attrs);
    memset(info, 0, sizeof(*info));
}

/* qfile_in_sizes - parse and check the C record */

static int qfile_in_sizes(QFILE_IN *in, const DSTR *rec, QFILE_INFO *info, DSTR *err)
{
    long    v[4];

    if (dstr_len(rec) != QFILE_SIZE_PAYLOAD
	|| sscanf(dstr_str(rec), "%ld %ld %ld %ld", v, v + 1, v + 2, v + 3) != 4
	|| v[0] <= 0 || v[0] > in->file_size
	|| v[1] < 0 || v[1] > in->file_size - v[0]
	|| v[2] < v[0] + v[1] || v[2] >= in->file_size
	|| v[3] < 0) {
	dstr_sprintf(err, "bad size record");
	return (-1);
    }
    info->content_offset = v[0];
    info->content_size = v[1];
    info->envelope_offset = v[2];
    info->rcpt_count = v[3];
    return (0);
}

/* qfile_in_add_attr - keep one A record */

static int qfile_in_add_attr(QFILE_INFO *info, const DSTR *rec, long off, DSTR *err)
{
    const char *eq = memchr(dstr_str(rec), '=', dstr_len(rec));

    if (eq == NULL || eq == dstr_str(rec)
	|| memchr(dstr_str(rec), 0, dstr_len(rec)) != NULL) {
	dstr_sprintf(err, "bad attribute record at offset %ld", off);
	return (-1);
    }
    attr_list_add(info->attrs, dstr_str(rec), (size_t) (eq - dstr_str(rec)), eq + 1);
    return (0);
}

/* qfile_in_info - everything up to the first recipient */

int     qfile_in_info(QFILE_IN *in, QFILE_INFO *info, DSTR *err)
{
    DSTR   *rec = dstr_new(256);
    long    off;
    int     type;
    int     ret = -1;

    DSTR_RESET(err);
    (void) qfile_in_seek(in, 0);
    if ((type = qfile_in_rec(in, rec, QFILE_ENV_LIMIT, &off, 0, err)) != QREC_SIZE) {
	if (type >= 0)
	    dstr_sprintf(err, "first record is not a size record");
	goto out;
    }
    if (qfile_in_sizes(in, rec, info, err) < 0)
	goto out;
    /* Header: time and attributes, then the content record. */
    while ((type = qfile_in_rec(in, rec, QFILE_ENV_LIMIT, &off, 1, err)) != QREC_CONTENT) {
	if (type < 0)
	    goto out;
	(void) qfile_in_seek(in, off);
	type = qfile_in_rec(in, rec, QFILE_ENV_LIMIT, &off, 0, err);
	if (type == QREC_TIME) {
	    if (sscanf(dstr_str(rec), "%ld %ld", &info->arrival_sec,
		       &info->arrival_usec) != 2) {
		dstr_sprintf(err, "bad time record at offset %ld", off);
		goto out;
	    }
	} else if (type == QREC_ATTR) {
	    if (qfile_in_add_attr(info, rec, off, err) < 0)
		goto out;
	} else {
	    if (type >= 0)
		dstr_sprintf(err, "unexpected record type %d at offset %ld", type, off);
	    goto out;
	}
    }
    if (in->last_len != info->content_size
	|| in->pos - in->last_len != info->content_offset) {
	dstr_sprintf(err, "content record does not match size record");
	goto out;
    }
    /* Envelope: sender, optional VERP and attributes, up to the first recipient. */
    if ((type = qfile_in_rec(in, info->sender, QFILE_ENV_LIMIT, &off, 0, err)) != QREC_SENDER
	|| off != info->envelope_offset || qfile_has_nul(info->sender)) {
	if (type >= 0)
	    dstr_sprintf(err, "no valid sender record at the envelope offset");
	goto out;
    }
    for (;;) {
	if ((type = qfile_in_rec(in, rec, QFILE_ENV_LIMIT, &off, 0, err)) < 0)
	    goto out;
	if (type == QREC_WARN && dstr_len(rec) == QFILE_SIZE_WIDTH
	    && sscanf(dstr_str(rec), "%ld", &info->warn_time) == 1 && info->warn_time >= 0) {
	    info->warn_offset = in->pos - QFILE_SIZE_WIDTH;
	} else if (type == QREC_VERP && dstr_len(rec) == 2 && !qfile_has_nul(rec)) {
	    memcpy(info->verp, dstr_str(rec), 2);
	    info->verp[2] = 0;
	} else if (type == QREC_ATTR) {
	    if (qfile_in_add_attr(info, rec, off, err) < 0)
		goto out;
	} else if (type == QREC_RCPT || type == QREC_DONE || type == QREC_END) {
	    (void) qfile_in_seek(in, off);
	    break;
	} else {
	    dstr_sprintf(err, "unexpected record type %d at offset %ld", type, off);
	    goto out;
	}
    }
    ret = 0;
out:
    dstr_free(rec);
    return (ret);
}

/* qfile_in_rcpt - next recipient */

int     qfile_in_rcpt(QFILE_IN *in, DSTR *addr, long *offset, int *done, DSTR *err)
{
    int     type = qfile_in_rec(in, addr, QFILE_ENV_LIMIT, offset, 0, err);

    switch (type) {
    case QREC_RCPT:
    case QREC_DONE:
	if (qfile_has_nul(addr)) {
	    dstr_sprintf(err, "NUL byte in recipient record at offset %ld", *offset);
	    return (-1);
	}
	*done = (type == QREC_DONE);
	return (1);
    case QREC_END:
	if (in->pos != in->file_size) {
	    dstr_sprintf(err, "data after end record");
	    return (-1);
	}
	return (0);
    case -1:
	return (-1);
    default:
	dstr_sprintf(err, "unexpected record type %d at offset %ld", type, *offset);
	return (-1);
    }
}

/* qfile_clear_warn - the warning went out */

int     qfile_clear_warn(int fd, long warn_offset)
{
    char    buf[QFILE_SIZE_WIDTH + 1];

    snprintf(buf, sizeof(buf), "%*d", QFILE_SIZE_WIDTH, 0);
    return (fs_pwrite_all(fd, buf, QFILE_SIZE_WIDTH, warn_offset));
}

/* qfile_mark_done - R becomes D */

int     qfile_mark_done(int fd, long offset)
{
    return (fs_pwrite_all(fd, "D", 1, offset));
}
