/*
 * ios - buffered streams with deadlines
 * DESCRIPTION
 *	Every network read and write in posthorn goes through an IOS, so
 *	every wait has a bound: a per-operation timeout, a deadline for the
 *	current protocol phase (the SMTP client's smtp_*_timeout), and
 *	optionally a deadline for the whole session, which data read may push
 *	back at a minimum rate (ios_set_min_rate: qmqpd_min_data_rate, as
 *	Postfix's smtpd_min_data_rate). A per-operation limit alone lets a
 *	peer that sends one byte now and then hold us for ever; a deadline
 *	cannot be stretched that way, so once one has passed the stream reads
 *	and writes nothing more, even when bytes are waiting.
 *	Reads are attempted before polling, so a stream with data waiting
 *	costs one system call. The read and write functions are pluggable so
 *	TLS can be slid under an established stream; they get the time left
 *	as their wait, so TLS keeps the same deadlines.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ios.h"
#include "mymalloc.h"
#include "msg.h"

#define IOS_RBUF_SIZE	16384
#define IOS_WBUF_SIZE	16384

typedef struct IOS_MEM {
    unsigned char *data;
    size_t  len;
    size_t  pos;
    DSTR   *out;
} IOS_MEM;

/* ios_now_ms - monotonic milliseconds */

long long ios_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ((long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* ios_poll - poll, resumed after a signal with the time that is left */

int     ios_poll(struct pollfd *pfd, nfds_t nfds, int timeout_ms)
{
    long long deadline = timeout_ms < 0 ? -1 : ios_now_ms() + timeout_ms;
    long long left;
    int     n;

    for (;;) {
	if ((n = poll(pfd, nfds, timeout_ms)) >= 0 || errno != EINTR)
	    return (n);
	/* The watchdog ticks (watchdog.c): a tick must not restart the wait. */
	if (deadline >= 0) {
	    left = deadline - ios_now_ms();
	    timeout_ms = left > 0 ? (int) left : 0;
	}
    }
}

/* ios_wait - poll one descriptor for an event */

static int ios_wait(int fd, short events, int timeout_ms)
{
    struct pollfd pfd;
    int     n;

    pfd.fd = fd;
    pfd.events = events;
    if ((n = ios_poll(&pfd, 1, timeout_ms)) > 0)
	return (0);
    if (n == 0)
	errno = ETIMEDOUT;
    return (-1);
}

/* ios_fd_read - read, polling only when nothing is there yet */

ssize_t ios_fd_read(int fd, void *buf, size_t len, int timeout_ms, void *ctx)
{
    ssize_t n;

    (void) ctx;
    for (;;) {
	n = read(fd, buf, len);
	if (n >= 0)
	    return (n);
	if (errno == EINTR)
	    continue;
	if (errno != EAGAIN && errno != EWOULDBLOCK)
	    return (-1);
	if (ios_wait(fd, POLLIN, timeout_ms) < 0)
	    return (-1);
    }
}

/* ios_fd_write - write, polling only when the socket buffer is full */

ssize_t ios_fd_write(int fd, const void *buf, size_t len, int timeout_ms, void *ctx)
{
    ssize_t n;

    (void) ctx;
    for (;;) {
	n = write(fd, buf, len);
	if (n >= 0)
	    return (n);
	if (errno == EINTR)
	    continue;
	if (errno != EAGAIN && errno != EWOULDBLOCK)
	    return (-1);
	if (ios_wait(fd, POLLOUT, timeout_ms) < 0)
	    return (-1);
    }
}

/* ios_mem_read - serve bytes from a memory buffer */

static ssize_t ios_mem_read(int fd, void *buf, size_t len, int timeout_ms, void *ctx)
{
    IOS_MEM *mem = ctx;
    size_t  n = mem->len - mem->pos;

    (void) fd;
    (void) timeout_ms;
    if (n > len)
	n = len;
    memcpy(buf, mem->data + mem->pos, n);
    mem->pos += n;
    return ((ssize_t) n);
}

/* ios_mem_write - collect output in memory */

static ssize_t ios_mem_write(int fd, const void *buf, size_t len, int timeout_ms, void *ctx)
{
    IOS_MEM *mem = ctx;

    (void) fd;
    (void) timeout_ms;
    (void) dstr_cat(mem->out, buf, len);
    return ((ssize_t) len);
}

/* ios_open - wrap a descriptor */

IOS    *ios_open(int fd)
{
    IOS    *ios = mycalloc(1, sizeof(*ios));

    ios->fd = fd;
    ios->read_fn = ios_fd_read;
    ios->write_fn = ios_fd_write;
    ios->rcap = IOS_RBUF_SIZE;
    ios->rbuf = mymalloc(ios->rcap);
    ios->wbuf = dstr_new(IOS_WBUF_SIZE);
    return (ios);
}

/* ios_open_mem - memory-backed stream */

IOS    *ios_open_mem(const void *buf, size_t len)
{
    IOS    *ios = ios_open(-1);
    IOS_MEM *mem = mycalloc(1, sizeof(*mem));

    mem->data = mymalloc(len);
    if (len)
	memcpy(mem->data, buf, len);
    mem->len = len;
    mem->out = dstr_new(256);
    ios_set_io(ios, ios_mem_read, ios_mem_write, mem);
    return (ios);
}

/* ios_mem_output - what was written to a memory stream */

const DSTR *ios_mem_output(IOS *ios)
{
    if (ios->read_fn != ios_mem_read)
	msg_panic("%s: not a memory stream", __func__);
    (void) ios_flush(ios);
    return (((IOS_MEM *) ios->ctx)->out);
}

/* ios_free - release, leaving the descriptor open */

void    ios_free(IOS *ios)
{
    if (ios->read_fn == ios_mem_read) {
	IOS_MEM *mem = ios->ctx;

	free(mem->data);
	dstr_free(mem->out);
	free(mem);
    }
    free(ios->rbuf);
    dstr_free(ios->wbuf);
    free(ios);
}

/* ios_close - release and close */

int     ios_close(IOS *ios)
{
    int     fd = ios->fd;

    ios_free(ios);
    return (fd >= 0 ? close(fd) : 0);
}

/* ios_nonblock - make the descriptor non-blocking, so that every wait is a bounded poll */

static void ios_nonblock(IOS *ios)
{
    int     fl;

    /* Once is enough: a client sets a limit per protocol phase. */
    if (ios->fd >= 0 && !ios->nonblock
	&& (fl = fcntl(ios->fd, F_GETFL)) >= 0
	&& ((fl & O_NONBLOCK) || fcntl(ios->fd, F_SETFL, fl | O_NONBLOCK) == 0))
	ios->nonblock = 1;
}

/* ios_set_timeout - per-operation limit */

void    ios_set_timeout(IOS *ios, int seconds)
{
    ios->timeout = seconds;
    ios_nonblock(ios);
}

/* ios_set_deadline - whole-session limit */

void    ios_set_deadline(IOS *ios, int seconds)
{
    ios->deadline = seconds > 0 ? ios_now_ms() + (long long) seconds * 1000 : 0;
    if (seconds > 0)
	ios_nonblock(ios);
}

/* ios_set_phase - one limit for everything until the next phase */

void    ios_set_phase(IOS *ios, int seconds)
{
    ios->phase_deadline = seconds > 0 ? ios_now_ms() + (long long) seconds * 1000 : 0;
    if (seconds > 0)
	ios_nonblock(ios);
}

/* ios_time_left - until the nearest deadline; 0 when passed, -1 when none */

long long ios_time_left(IOS *ios)
{
    long long end;
    long long left;

    if (ios->deadline && ios->phase_deadline)
	end = ios->deadline < ios->phase_deadline ? ios->deadline : ios->phase_deadline;
    else
	end = ios->deadline ? ios->deadline : ios->phase_deadline;
    if (end == 0)
	return (-1);
    left = end - ios_now_ms();
    return (left > 0 ? left : 0);
}

/* ios_set_min_rate - data read earns more time */

void    ios_set_min_rate(IOS *ios, int bytes_per_sec, int cap_seconds)
{
    ios->min_rate = bytes_per_sec > 0 ? bytes_per_sec : 0;
    ios->deadline_cap = cap_seconds > 0 ? ios_now_ms() + (long long) cap_seconds * 1000 : 0;
}

/* ios_count_in - account for bytes read, crediting the deadline */

static void ios_count_in(IOS *ios, ssize_t n)
{
    long long credit;

    ios->bytes_in += n;
    if (ios->min_rate > 0 && ios->deadline) {
	credit = (long long) n * 1000 / ios->min_rate;
	/* The cap limits what is earned; it never takes time away. */
	if (ios->deadline_cap && ios->deadline + credit > ios->deadline_cap)
	    credit = ios->deadline_cap > ios->deadline ? ios->deadline_cap - ios->deadline : 0;
	ios->deadline += credit;
    }
}

/* ios_set_io - replace the transport functions */

void    ios_set_io(IOS *ios, IOS_READ_FN rfn, IOS_WRITE_FN wfn, void *ctx)
{
    ios->read_fn = rfn;
    ios->write_fn = wfn;
    ios->ctx = ctx;
}

/* ios_wait_ms - how long the next operation may wait, or -1; 0 when a deadline has passed */

static int ios_wait_ms(IOS *ios)
{
    long long ms = -1;
    long long left = ios_time_left(ios);
    const long long max_ms = 0x7fffffff;

    if (ios->timeout > 0)
	ms = (long long) ios->timeout * 1000;
    if (left >= 0 && (ms < 0 || left < ms))
	ms = left;
    return ((int) (ms > max_ms ? max_ms : ms));
}

/* ios_note_error - record why a transfer failed */

static void ios_note_error(IOS *ios)
{
    ios->flags |= (errno == ETIMEDOUT ? IOS_FLAG_TIMEOUT : IOS_FLAG_ERR);
}

/*
 * ios_transfer_wait - the wait for the next read or write call, or -1
 * with the timeout flag set when a deadline has passed: a peer whose
 * bytes keep trickling in must not get more time than the phase has.
 */

static int ios_transfer_wait(IOS *ios, int *wait_ms)
{
    if ((*wait_ms = ios_wait_ms(ios)) == 0) {
	errno = ETIMEDOUT;
	ios_note_error(ios);
	return (-1);
    }
    return (0);
}

/* ios_fill - read more into the buffer, keeping unread bytes; 1 when data arrived, 0 EOF, -1 error */

static int ios_fill(IOS *ios)
{
    ssize_t n;
    int     wait_ms;
    size_t  keep = ios->rend - ios->rpos;

    if (ios->flags & IOS_FLAG_BAD)
	return (ios->flags & IOS_FLAG_EOF ? 0 : -1);
    if (keep > 0 && ios->rpos > 0)
	memmove(ios->rbuf, ios->rbuf + ios->rpos, keep);
    ios->rpos = 0;
    ios->rend = keep;
    if (ios_transfer_wait(ios, &wait_ms) < 0)
	return (-1);

    /*
     * Right after we sent something, the answer is almost never there yet:
     * wait for it first instead of paying for a read that fails with
     * EAGAIN (one system call per request and reply, on every hop).
     */
    if ((ios->flags & IOS_FLAG_SENT) && ios->read_fn == ios_fd_read) {
	ios->flags &= ~IOS_FLAG_SENT;
	if (ios_wait(ios->fd, POLLIN, wait_ms) < 0) {
	    ios_note_error(ios);
	    return (-1);
	}
    }
    n = ios->read_fn(ios->fd, ios->rbuf + keep, ios->rcap - keep, wait_ms, ios->ctx);
    if (n < 0) {
	ios_note_error(ios);
	return (-1);
    }
    if (n == 0) {
	ios->flags |= IOS_FLAG_EOF;
	return (0);
    }
    ios->rend = keep + (size_t) n;
    ios_count_in(ios, n);
    return (1);
}

/* ios_getc - one byte */

int     ios_getc(IOS *ios)
{
    if (ios->rpos == ios->rend && ios_fill(ios) <= 0)
	return (IOS_EOF);
    return (ios->rbuf[ios->rpos++]);
}

/* ios_read - some bytes */

ssize_t ios_read(IOS *ios, void *buf, size_t len)
{
    size_t  n;
    ssize_t got;
    int     wait_ms;

    if (len == 0)
	return (0);
    if ((n = ios_buffered(ios)) > 0) {
	if (n > len)
	    n = len;
	memcpy(buf, ios->rbuf + ios->rpos, n);
	ios->rpos += n;
	return ((ssize_t) n);
    }
    if (ios->flags & IOS_FLAG_BAD)
	return (ios->flags & IOS_FLAG_EOF ? 0 : -1);
    if (len >= ios->rcap) {			/* large reads bypass the buffer */
	if (ios_transfer_wait(ios, &wait_ms) < 0)
	    return (-1);
	got = ios->read_fn(ios->fd, buf, len, wait_ms, ios->ctx);
	if (got < 0)
	    ios_note_error(ios);
	else if (got == 0)
	    ios->flags |= IOS_FLAG_EOF;
	else
	    ios_count_in(ios, got);
	return (got);
    }
    if (ios_fill(ios) <= 0)
	return (ios->flags & IOS_FLAG_EOF ? 0 : -1);
    return (ios_read(ios, buf, len));
}

/* ios_discard_input - forget bytes read ahead */

size_t  ios_discard_input(IOS *ios)
{
    size_t  n = ios_buffered(ios);

    ios->rpos = ios->rend = 0;
    return (n);
}

/* ios_read_exact - all or nothing */

int     ios_read_exact(IOS *ios, void *buf, size_t len)
{
    char   *cp = buf;
    ssize_t n;

    while (len > 0) {
	if ((n = ios_read(ios, cp, len)) <= 0)
	    return (-1);
	cp += n;
	len -= (size_t) n;
    }
    return (0);
}

/* ios_crlf_next - with strip_cr: do the next two unread bytes read "\r\n"? */

static int ios_crlf_next(IOS *ios)
{
    while (ios_buffered(ios) < 2)
	if (ios_fill(ios) <= 0)
	    return (0);
    return (ios->rbuf[ios->rpos] == '\r' && ios->rbuf[ios->rpos + 1] == '\n');
}

/* ios_get_line - one line, bounded */

int     ios_get_line(IOS *ios, DSTR *buf, size_t limit, int strip_cr)
{
    unsigned char *start;
    unsigned char *nl;
    size_t  avail;
    size_t  take;
    size_t  room;
    int     got_any = 0;

    DSTR_RESET(buf);
    if (buf->limit && limit > buf->limit)
	limit = buf->limit;
    for (;;) {
	if (ios->rpos == ios->rend && ios_fill(ios) <= 0) {
	    if (!got_any || !(ios->flags & IOS_FLAG_EOF))
		return (IOS_EOF);
	    return (IOS_LINE_LAST);
	}
	got_any = 1;
	start = ios->rbuf + ios->rpos;
	avail = ios->rend - ios->rpos;
	nl = memchr(start, '\n', avail);
	take = nl ? (size_t) (nl - start) : avail;
	room = limit - dstr_len(buf);
	if (take > room) {
	    /* A CR right at the limit does not count if an LF follows it. */
	    if (strip_cr && nl && take == room + 1 && start[room] == '\r') {
		(void) dstr_cat(buf, start, room);
		ios->rpos += take + 1;
		return (IOS_LINE_FULL);
	    }
	    (void) dstr_cat(buf, start, room);
	    ios->rpos += room;
	    if (strip_cr && ios_crlf_next(ios)) {
		ios->rpos += 2;
		return (IOS_LINE_FULL);
	    }
	    return (IOS_LINE_PART);
	}
	(void) dstr_cat(buf, start, take);
	ios->rpos += take;
	if (nl) {
	    ios->rpos += 1;
	    if (strip_cr && dstr_len(buf) > 0 && dstr_str(buf)[dstr_len(buf) - 1] == '\r')
		dstr_truncate(buf, dstr_len(buf) - 1);
	    return (IOS_LINE_FULL);
	}
    }
}

/* ios_write_all - push bytes to the descriptor */

static int ios_write_all(IOS *ios, const char *buf, size_t len)
{
    ssize_t n;
    int     wait_ms;

    while (len > 0) {
	if (ios_transfer_wait(ios, &wait_ms) < 0)
	    return (-1);
	n = ios->write_fn(ios->fd, buf, len, wait_ms, ios->ctx);
	if (n <= 0) {
	    if (n == 0)
		errno = EPIPE;
	    ios_note_error(ios);
	    return (-1);
	}
	ios->bytes_out += n;
	ios->flags |= IOS_FLAG_SENT;
	buf += n;
	len -= (size_t) n;
    }
    return (0);
}

/* ios_flush - drain the write buffer */

int     ios_flush(IOS *ios)
{
    int     ret;

    if (ios->flags & (IOS_FLAG_ERR | IOS_FLAG_TIMEOUT))
	return (-1);
    if (dstr_len(ios->wbuf) == 0)
	return (0);
    ret = ios_write_all(ios, dstr_str(ios->wbuf), dstr_len(ios->wbuf));
    DSTR_RESET(ios->wbuf);
    return (ret);
}

/* ios_write_direct - flush, then write without a copy in the buffer */

int     ios_write_direct(IOS *ios, const void *buf, size_t len)
{
    if (ios_flush(ios) < 0)
	return (-1);
    return (ios_write_all(ios, buf, len));
}

/* ios_write - buffered write */

int     ios_write(IOS *ios, const void *buf, size_t len)
{
    if (ios->flags & (IOS_FLAG_ERR | IOS_FLAG_TIMEOUT))
	return (-1);
    if (dstr_len(ios->wbuf) + len <= IOS_WBUF_SIZE) {
	(void) dstr_cat(ios->wbuf, buf, len);
	return (0);
    }
    if (ios_flush(ios) < 0)
	return (-1);
    if (len >= IOS_WBUF_SIZE)
	return (ios_write_all(ios, buf, len));
    (void) dstr_cat(ios->wbuf, buf, len);
    return (0);
}

/* ios_puts - write a C string */

int     ios_puts(IOS *ios, const char *str)
{
    return (ios_write(ios, str, strlen(str)));
}

/* ios_printf - formatted write */

int     ios_printf(IOS *ios, const char *fmt,...)
{
    va_list ap;
    DSTR   *tmp = dstr_new(128);
    int     ret;

    va_start(ap, fmt);
    (void) dstr_vprintf(tmp, fmt, ap);
    va_end(ap);
    ret = ios_write(ios, dstr_str(tmp), dstr_len(tmp));
    dstr_free(tmp);
    return (ret);
}
