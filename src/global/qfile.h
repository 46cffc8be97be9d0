/* qfile - queue file format: typed records, content as one block, markable recipients */
#ifndef QFILE_H
#define QFILE_H
#include <stddef.h>
#include <sys/types.h>
#include "dstr.h"
#include "attr.h"
#include "gcommit.h"

/*
 * A queue file is a sequence of records: one type byte, the payload
 * length in 7-bit groups (least significant first, high bit = more),
 * the payload. Order:
 *
 *	C	sizes, fixed width: content offset, content size, envelope
 *		offset, recipient count (patched when the file is complete)
 *	T	arrival time "seconds microseconds"
 *	A*	attributes "name=value" (client, protocol, ...)
 *	M	the message content, all of it, as received (LF lines)
 *	S	envelope sender (may be empty)
 *	V?	VERP delimiters (two bytes)
 *	W?	delay warning time, fixed width (zeroed in place once sent)
 *	A*	more attributes (what cleanup made of DKIM signing, below)
 *	R|D*	recipients: R pending, D done (marked in place: one byte)
 *	E	end (empty)
 *
 * Content comes before the envelope because QMQP sends it first: cleanup
 * streams it to disk without holding it in memory or copying it twice.
 */
#define QREC_SIZE	'C'
#define QREC_TIME	'T'
#define QREC_ATTR	'A'
#define QREC_CONTENT	'M'
#define QREC_SENDER	'S'
#define QREC_VERP	'V'
#define QREC_WARN	'W'
#define QREC_RCPT	'R'
#define QREC_DONE	'D'
#define QREC_END	'E'

/*
 * Envelope attributes cleanup writes when dkim_signing_table is set, so
 * that qmgr can count signatures as it takes the message in (posthorn
 * metrics) without a message of its own per mail (docs/design.md,
 * "Observability"): the signatures added, as "DOMAIN/ALGORITHM" words
 * separated by spaces, or why the message went out unsigned.
 */
#define QFILE_ATTR_DKIM_SIGNED	"dkim_signed"
#define QFILE_ATTR_DKIM_UNSIGNED "dkim_unsigned"

#define QFILE_SIZE_WIDTH 15		/* digits per field of the C record */
#define QFILE_ENV_LIMIT	65536		/* longest envelope record we read */

typedef struct QFILE_INFO {
    long    content_offset;		/* first byte of the message */
    long    content_size;		/* message bytes */
    long    envelope_offset;		/* the S record */
    long    rcpt_count;			/* recipients when written (done ones included) */
    long    arrival_sec;
    long    arrival_usec;
    DSTR   *sender;
    char    verp[3];			/* "" when not VERP */
    long    warn_time;			/* send a delay warning then; 0: none */
    long    warn_offset;		/* where to zero it once sent; 0: no record */
    ATTR_LIST *attrs;
} QFILE_INFO;

/* Writing (cleanup). Errors are sticky; qfile_out_commit() reports them. */
typedef struct QFILE_OUT QFILE_OUT;

#define QFILE_OK	0
#define QFILE_ERR_SIZE	1		/* over the size limit */
#define QFILE_ERR_WRITE	2		/* file system trouble (errno logged by the caller) */

/*
 * Start a file that will be created as tmpname in the directory tmp_dirfd
 * when its data first outgrows memory, or at commit. size_limit (0: none)
 * caps the whole file; passing it makes every later call a no-op.
 */
extern QFILE_OUT *qfile_out_new(int tmp_dirfd, const char *tmpname, long size_limit);
extern void qfile_out_time(QFILE_OUT *out, long sec, long usec);
extern void qfile_out_attr(QFILE_OUT *out, const char *name, const char *value);
/* Append message bytes (opens the M record on first use). */
extern void qfile_out_content(QFILE_OUT *out, const void *buf, size_t len);
/* Message bytes appended so far. */
extern long qfile_out_content_size(const QFILE_OUT *out);
/*
 * Overwrite len message bytes at pos (counted from the first message byte),
 * all of them already appended; the length does not change. cleanup fills
 * in a DKIM-Signature this way once the body has streamed past.
 */
extern void qfile_out_content_patch(QFILE_OUT *out, long pos, const void *buf, size_t len);
/* Envelope, after the content. */
extern void qfile_out_sender(QFILE_OUT *out, const char *sender);
extern void qfile_out_verp(QFILE_OUT *out, const char *delims);
/* The time at which a delay warning is due (Postfix records it at creation,
 * so later changes of delay_warning_time leave queued mail alone). */
extern void qfile_out_warn(QFILE_OUT *out, long when);
extern void qfile_out_rcpt(QFILE_OUT *out, const char *rcpt);
/* QFILE_OK or the first error so far. */
extern int qfile_out_status(const QFILE_OUT *out);
/* The errno of the call behind that first error (0 while there is none):
 * what to log, since other calls ran since and errno is theirs. */
extern int qfile_out_errno(const QFILE_OUT *out);
/* Bytes written so far (the whole file). */
extern long qfile_out_size(const QFILE_OUT *out);
/*
 * Share the disk flush of the commit with other writers (gcommit.h): the
 * file's data is written before the rename and one file system sync, that
 * began after it, makes data and name durable. NULL: sync on our own.
 */
extern void qfile_out_group(QFILE_OUT *out, GCOMMIT *gc);
#define QFILE_GROUP_WAIT_MS	1000	/* then a stuck leader is not waited for */

/*
 * Finish: write E, patch C, write everything out, fsync the file (in a
 * group: write its data out), rename it
 * to dst_name in dst_dirfd (never replacing a file), fsync that directory.
 * Only then is the message accepted. Returns QFILE_OK or an error (errno set
 * for QFILE_ERR_WRITE; EEXIST means the name was taken). Frees out.
 */
extern int qfile_out_commit(QFILE_OUT *out, int dst_dirfd, const char *dst_name);
/* Give up: remove any temp file and free out. */
extern void qfile_out_abort(QFILE_OUT *out);

/* Reading (qmgr, smtp, bounce, the admin command). */
/* Open path read-only if it is a regular file (not a link, FIFO, device or
 * directory planted under a queue id name); -1 with errno (EINVAL: not a
 * regular file) otherwise. Never blocks. */
extern int qfile_open_read(const char *path);
typedef struct QFILE_IN QFILE_IN;

extern QFILE_IN *qfile_in_open(int fd);	/* does not take ownership of fd */
extern void qfile_in_free(QFILE_IN *in);
/*
 * Read and check everything up to the first recipient: sizes against the
 * file size, record order, lengths. 0, or -1 with the reason in err (the
 * caller moves the file to corrupt/).
 */
extern int qfile_in_info(QFILE_IN *in, QFILE_INFO *info, DSTR *err);
/*
 * Next recipient record: 1 with the address, its record offset (for
 * qfile_mark_done) and whether it is done; 0 at the E record; -1 and err if
 * the file is malformed.
 */
extern int qfile_in_rcpt(QFILE_IN *in, DSTR *addr, long *offset, int *done, DSTR *err);
/* Continue reading recipients at a record offset returned earlier. */
extern int qfile_in_seek(QFILE_IN *in, long offset);
/* Offset of the next record to be read (to resume there later). */
extern long qfile_in_tell(const QFILE_IN *in);
/* Mark the recipient record at offset as done: one byte, in place. */
extern int qfile_mark_done(int fd, long offset);
/* The delay warning was sent: zero the W record in place. */
extern int qfile_clear_warn(int fd, long warn_offset);

extern void qfile_info_init(QFILE_INFO *info);
extern void qfile_info_free(QFILE_INFO *info);

#endif
