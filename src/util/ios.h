/* ios - buffered byte streams with deadlines and pluggable read/write */
#ifndef IOS_H
#define IOS_H

#include <poll.h>
#include <stddef.h>
#include <sys/types.h>
#include "dstr.h"

/*
 * A read or write function moves up to len bytes, waiting at most
 * timeout_ms (-1: forever). It returns the byte count, 0 for end of file
 * (read only), or -1 with errno set (ETIMEDOUT when the wait ran out).
 * TLS slides under a stream by replacing these with ios_set_io().
 */
typedef ssize_t (*IOS_READ_FN) (int fd, void *buf, size_t len, int timeout_ms, void *ctx);
typedef ssize_t (*IOS_WRITE_FN) (int fd, const void *buf, size_t len, int timeout_ms, void *ctx);

typedef struct IOS {
    int     fd;
    int     flags;			/* IOS_FLAG_* below */
    int     nonblock;			/* fd known to be non-blocking */
    int     timeout;		/* seconds per operation; 0 = none */
    long long deadline;		/* monotonic ms for the whole session; 0 = none */
    long long phase_deadline;		/* monotonic ms for the current phase; 0 = none */
    int     min_rate;			/* bytes/s that earn a second; 0 = none */
    long long deadline_cap;		/* credit never moves deadline past this */
    IOS_READ_FN read_fn;
    IOS_WRITE_FN write_fn;
    void   *ctx;
    unsigned char *rbuf;
    size_t  rpos;			/* next unread byte */
    size_t  rend;			/* end of buffered data */
    size_t  rcap;
    DSTR   *wbuf;
    long long bytes_in;		/* totals, for logging */
    long long bytes_out;
} IOS;

#define IOS_FLAG_EOF	(1<<0)	/* peer closed */
#define IOS_FLAG_ERR	(1<<1)	/* read or write error */
#define IOS_FLAG_TIMEOUT (1<<2)	/* a deadline passed */
#define IOS_FLAG_BAD	(IOS_FLAG_EOF | IOS_FLAG_ERR | IOS_FLAG_TIMEOUT)
#define IOS_FLAG_SENT	(1<<3)	/* wrote since the last read: an answer is due */

#define IOS_EOF		(-1)

/* Wrap a descriptor (not closed by ios_free()). */
extern IOS *ios_open(int fd);
/* A stream that reads from a copy of buf and collects writes in memory (tests, fuzzing). */
extern IOS *ios_open_mem(const void *buf, size_t len);
/* Bytes written so far to a memory stream. */
extern const DSTR *ios_mem_output(IOS *ios);
extern void ios_free(IOS *ios);
/* Free the stream and close its descriptor; returns close()'s result. */
extern int ios_close(IOS *ios);
/* Per-operation timeout in seconds (0: none); makes the descriptor non-blocking. */
extern void ios_set_timeout(IOS *ios, int seconds);
/* Absolute limit for the rest of the session, seconds from now (0: none). */
extern void ios_set_deadline(IOS *ios, int seconds);
/*
 * Start a phase: every read and write until the next call shares one limit
 * of seconds from now (0: none), however the peer spreads its bytes. The
 * earliest of phase, session deadline and per-operation timeout wins; once
 * a deadline has passed, nothing more is read or written (ETIMEDOUT).
 */
extern void ios_set_phase(IOS *ios, int seconds);
/* Milliseconds left before the phase or session deadline (0: passed), or -1 when neither is set. */
extern long long ios_time_left(IOS *ios);
/*
 * Let a slow but steady sender earn time (Postfix's min_data_rate): every
 * n bytes read move the deadline n/bytes_per_sec seconds later, but not
 * past cap_seconds from now (0: no cap; a deadline already later stays).
 * Needs a deadline; 0 bytes_per_sec: off.
 */
extern void ios_set_min_rate(IOS *ios, int bytes_per_sec, int cap_seconds);
extern void ios_set_io(IOS *ios, IOS_READ_FN rfn, IOS_WRITE_FN wfn, void *ctx);

/* Next byte, or IOS_EOF on end of file, error or timeout (see flags). */
extern int ios_getc(IOS *ios);
/* Up to len bytes (at least 1); 0 at end of file; -1 on error or timeout. */
extern ssize_t ios_read(IOS *ios, void *buf, size_t len);
/* Exactly len bytes; 0 on success, -1 otherwise (flags say why). */
extern int ios_read_exact(IOS *ios, void *buf, size_t len);
/* Bytes that can be read without waiting. */
#define ios_buffered(ios) ((ios)->rend - (ios)->rpos)
/* Throw away what was read ahead (e.g. plaintext sent before a STARTTLS handshake); how much. */
extern size_t ios_discard_input(IOS *ios);

#define IOS_LINE_FULL	1		/* a whole line (terminator removed) */
#define IOS_LINE_PART	2		/* limit reached; the rest is still unread */
#define IOS_LINE_LAST	3		/* end of file after an unterminated line */
/*
 * Read one LF-terminated line into buf (replacing it) without the LF, and
 * without a CR before it when strip_cr is set. At most limit bytes of line
 * content are stored (a CR stripped before the LF does not count; buf's own
 * limit, if lower, wins). Returns an IOS_LINE_* code, or IOS_EOF when the
 * stream ended, failed or timed out before a line could be returned (buf may
 * then hold a partial line: check ios_failed()).
 */
extern int ios_get_line(IOS *ios, DSTR *buf, size_t limit, int strip_cr);

/* Buffered writes; 0 on success, -1 once the stream has failed. */
extern int ios_write(IOS *ios, const void *buf, size_t len);
extern int ios_puts(IOS *ios, const char *str);
extern int ios_printf(IOS *ios, const char *fmt,...) PRINTF_LIKE(2, 3);
/* Push buffered output to the descriptor; 0 or -1. */
extern int ios_flush(IOS *ios);
/*
 * Flush, then write buf itself to the descriptor, never copying it into
 * the stream's buffer (so a secret the caller wipes leaves no copy of
 * ours behind); 0, or -1 as ios_flush.
 */
extern int ios_write_direct(IOS *ios, const void *buf, size_t len);

#define ios_fd(ios)	((ios)->fd)
#define ios_failed(ios)	((ios)->flags & IOS_FLAG_BAD)
#define ios_timedout(ios) ((ios)->flags & IOS_FLAG_TIMEOUT)

/* The default read and write functions: plain descriptors with poll(2) waits. */
extern ssize_t ios_fd_read(int fd, void *buf, size_t len, int timeout_ms, void *ctx);
extern ssize_t ios_fd_write(int fd, const void *buf, size_t len, int timeout_ms, void *ctx);
/* Monotonic clock in milliseconds. */
extern long long ios_now_ms(void);
/* poll(2) that a signal does not cut short or start over: EINTR resumes
 * the wait with the time left of timeout_ms (-1: no limit). */
extern int ios_poll(struct pollfd *pfd, nfds_t nfds, int timeout_ms);

#endif
