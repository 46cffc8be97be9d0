/*
 * tls_client_io - reads and writes of an IOS through a TLS session
 * DESCRIPTION
 *	The IOS read and write functions for a stream that STARTTLS turned
 *	into a TLS stream (ios_set_io()). The socket is non-blocking: when
 *	OpenSSL wants to read or write (either may happen for either
 *	operation: a TLS 1.3 key update, a ticket) we poll for that, never
 *	past the operation's time limit, so a silent server costs exactly
 *	the protocol phase's timeout, as it does in plaintext.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls_client_int.h"
#include "msg.h"

/* tls_client_deadline - absolute deadline, or -1 */

long long tls_client_deadline(int timeout_ms)
{
    return (timeout_ms < 0 ? -1 : ios_now_ms() + timeout_ms);
}

/* tls_client_wait - poll for readable or writable until the deadline */

int     tls_client_wait(int fd, int want_write, long long deadline)
{
    struct pollfd pfd;
    long long left;
    int     n;

    pfd.fd = fd;
    pfd.events = want_write ? POLLOUT : POLLIN;
    for (;;) {
	left = deadline < 0 ? -1 : deadline - ios_now_ms();
	if (deadline >= 0 && left < 0)
	    left = 0;
	n = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int) left);
	if (n > 0)
	    return (0);
	if (n == 0) {
	    if (deadline >= 0 && ios_now_ms() < deadline)
		continue;			/* capped wait, not the end */
	    errno = ETIMEDOUT;
	    return (-1);
	}
	if (errno != EINTR)
	    return (-1);
    }
}

/* tls_client_io_error - SSL_read/SSL_write failed for good: -1 with errno */

static ssize_t tls_client_io_error(TLS_SESS *sess, int ssl_err)
{
    int     saved_errno = errno;
    DSTR   *why;

    sess->fatal = 1;
    if (ssl_err == SSL_ERROR_SYSCALL) {
	ERR_clear_error();
	errno = saved_errno ? saved_errno : ECONNRESET;
	return (-1);
    }
    /* A peer that closes without close_notify is just a lost connection. */
    if (ERR_GET_REASON(ERR_peek_error()) != SSL_R_UNEXPECTED_EOF_WHILE_READING) {
	why = dstr_new(128);
	tls_client_errors(why);
	if (dstr_len(why))
	    msg_warn("%s: TLS library problem: %s", sess->namaddr, dstr_str(why));
	dstr_free(why);
    }
    ERR_clear_error();
    errno = ECONNRESET;
    return (-1);
}

/*
 * tls_client_retry - after SSL_read or SSL_write returned rc <= 0: 1 to try
 * again once the socket is ready in the direction OpenSSL asks for (a read
 * may need to write during renegotiation or key update, and the other way
 * round), 0 for an orderly close_notify, -1 with errno otherwise.
 */

static int tls_client_retry(TLS_SESS *sess, int fd, int rc, long long deadline)
{
    int     e;

    switch (e = SSL_get_error(sess->ssl, rc)) {
    case SSL_ERROR_ZERO_RETURN:
	return (0);
    case SSL_ERROR_WANT_READ:
	return (tls_client_wait(fd, 0, deadline) < 0 ? -1 : 1);
    case SSL_ERROR_WANT_WRITE:
	return (tls_client_wait(fd, 1, deadline) < 0 ? -1 : 1);
    default:
	return ((int) tls_client_io_error(sess, e));
    }
}

/* tls_client_read - IOS_READ_FN over TLS */

static ssize_t tls_client_read(int fd, void *buf, size_t len, int timeout_ms, void *ctx)
{
    TLS_SESS *sess = ctx;
    long long deadline = tls_client_deadline(timeout_ms);
    int     want = len > INT_MAX ? INT_MAX : (int) len;
    int     rc;
    int     more;

    for (;;) {
	ERR_clear_error();
	if ((rc = SSL_read(sess->ssl, buf, want)) > 0)
	    return (rc);
	if ((more = tls_client_retry(sess, fd, rc, deadline)) <= 0)
	    return (more);			/* 0: close_notify, an orderly end */
    }
}

/* tls_client_write - IOS_WRITE_FN over TLS */

static ssize_t tls_client_write(int fd, const void *buf, size_t len, int timeout_ms, void *ctx)
{
    TLS_SESS *sess = ctx;
    long long deadline = tls_client_deadline(timeout_ms);
    int     want = len > INT_MAX ? INT_MAX : (int) len;
    int     rc;
    int     more;

    if (len == 0)
	return (0);
    for (;;) {
	ERR_clear_error();
	/* After a WANT_*, the retry repeats the same buffer and length. */
	if ((rc = SSL_write(sess->ssl, buf, want)) > 0)
	    return (rc);
	if ((more = tls_client_retry(sess, fd, rc, deadline)) < 0)
	    return (-1);
	if (more == 0) {			/* close_notify while we write */
	    sess->fatal = 1;
	    errno = ECONNRESET;
	    return (-1);
	}
    }
}

/* tls_client_ios - route a stream through the session */

void    tls_client_ios(TLS_SESS *sess, IOS *ios)
{
    ios_set_io(ios, tls_client_read, tls_client_write, sess);
}
