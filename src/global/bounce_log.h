/* bounce_log - bounce/ID and defer/ID: the record format, its writer and a bounded reader */
#ifndef BOUNCE_LOG_H
#define BOUNCE_LOG_H
#include "bounce_client.h"
#include "dstr.h"
#include "ios.h"

/*
 * A log holds one record per recipient event, appended by the bounce
 * service. A record is one line: an attribute list (attr.h) in this order,
 * its terminator "0:," and a LF:
 *
 *	time=SECONDS offset=N address=A status=X.Y.Z action=failed|delayed
 *	remote_mta=HOST diagnostic=TYPE; TEXT reason=TEXT
 *
 *	15:time=1715677201,10:offset=412,24:address=nobody@host.test,
 *	12:status=5.1.1,13:action=failed,24:remote_mta=mx1.host.test,
 *	59:diagnostic=smtp; 550 5.1.1 <nobody@host.test>: no such user,
 *	...,0:,<LF>			(one line; wrapped here)
 *
 * The writer turns control characters in values into spaces, so a LF only
 * ever ends a record and a damaged record costs its own line, nothing more.
 * A reader ignores attributes it does not know, so records can grow.
 */
#define BOUNCE_LOG_ADDR_MAX	8192	/* longest address a record holds */
#define BOUNCE_LOG_TEXT_MAX	4096	/* longer status, action, remote_mta,
					 * diagnostic and reason are cut */
#define BOUNCE_LOG_RECORD_MAX	32768	/* longest line a reader accepts */
#define BOUNCE_LOG_ATTR_MAX	(BOUNCE_LOG_ADDR_MAX + 64)	/* per attribute,
					 * name included: the bounce protocol too */

/* One record as read: strings owned by the reader, valid until its next call. */
typedef struct BOUNCE_LOG_REC {
    BOUNCE_RCPT rcpt;
    long    when;			/* time of the event, seconds since the epoch */
    long    line;			/* line number in the log, for messages */
} BOUNCE_LOG_REC;

/*
 * Append one record for rcpt at time when to out. Refuses (-1 and a reason
 * in err, nothing appended) an empty or over-long address, a negative
 * offset, a status that is not an RFC 3463 code, an action other than
 * "failed" or "delayed"; cuts long texts to BOUNCE_LOG_TEXT_MAX bytes.
 */
extern int bounce_log_format(DSTR *out, const BOUNCE_RCPT *rcpt, long when, DSTR *err);
/* Is status an RFC 3463 code "C.S.D" (C 2, 4 or 5; S, D 1-3 digits)? */
extern int bounce_log_status_ok(const char *status);

typedef struct BOUNCE_LOG_READER BOUNCE_LOG_READER;

/* Open a log file; NULL with errno (ENOENT: no log) on failure. */
extern BOUNCE_LOG_READER *bounce_log_open(const char *path);
/* Read a log from a stream the caller keeps (and frees after the reader). */
extern BOUNCE_LOG_READER *bounce_log_open_ios(IOS *ios);
extern void bounce_log_close(BOUNCE_LOG_READER *log);

#define BOUNCE_LOG_END		0	/* no more records */
#define BOUNCE_LOG_OK		1	/* rec holds the next record */
#define BOUNCE_LOG_BAD		(-1)	/* one damaged record skipped (why says
					 * which line and how); read on */
#define BOUNCE_LOG_ERR		(-2)	/* read error: stop (why says so) */

/*
 * The next record, one line at a time: at most BOUNCE_LOG_RECORD_MAX bytes
 * are held whatever the file holds. Empty lines are skipped silently; a
 * last line without its LF is an incomplete append and counts as damaged.
 */
extern int bounce_log_read(BOUNCE_LOG_READER *log, BOUNCE_LOG_REC *rec, DSTR *why);

#endif
