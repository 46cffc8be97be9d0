/*
 * anvil_client - client side of the connection counting protocol
 * DESCRIPTION
 *	One stream to anvil per process, opened on first use and kept, as
 *	Postfix's anvil client does: a request is then one short write and
 *	one short read, and the stream's end tells anvil that this process
 *	is gone, so a crash cannot leave counts behind. When anvil restarts
 *	(reload), the old stream is found dead at the next request, which is
 *	sent once more on a new stream. Every failure is a warning and
 *	ANVIL_STAT_FAIL: anvil limits clients but must never stop the mail.
 *
 *	A disconnect is not sent at once: it waits for the process's next
 *	request, and goes in the same write, ahead of it, or for
 *	anvil_client_flush() when the process has nothing else to do. Under
 *	load a qmqpd's next connection is already waiting, so each connection
 *	costs anvil one wake-up and qmqpd one round trip instead of two. The
 *	count stays one too high only from the end of a connection to the
 *	start of the next one in the same process.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "anvil_client.h"
#include "attr.h"
#include "ios.h"
#include "msg.h"
#include "mymalloc.h"
#include "sockutil.h"

#define ANVIL_STAT_GONE	1		/* anvil_client_call: the stream had ended */

struct ANVIL_CLIENT {
    char   *path;
    int     timeout;			/* seconds per request */
    IOS    *ios;			/* NULL while not connected */
    int     used;			/* the stream has answered before */
    int     held;			/* connects on this stream not undone */
    int     npending;			/* disconnects written to pending */
    DSTR   *pending;			/* ... not sent yet */
    DSTR   *ident;
    DSTR   *req;
    ATTR_LIST *reply;
};

/* anvil_client_create - remember where anvil is; connect later */

ANVIL_CLIENT *anvil_client_create(const char *path, int timeout)
{
    ANVIL_CLIENT *cl = mycalloc(1, sizeof(*cl));

    cl->path = mystrdup(path);
    cl->timeout = timeout > 0 ? timeout : 1;
    cl->ident = dstr_new(64);
    cl->pending = dstr_new(128);
    cl->req = dstr_new(128);
    cl->reply = attr_list_new();
    return (cl);
}

/* anvil_client_close - drop the stream (anvil then drops what it held) */

static void anvil_client_close(ANVIL_CLIENT *cl)
{
    if (cl->ios)
	(void) ios_close(cl->ios);
    cl->ios = NULL;
    cl->used = 0;
    cl->held = 0;
    cl->npending = 0;				/* their counts went with the stream */
    DSTR_RESET(cl->pending);
}

/* anvil_client_free - close and release */

void    anvil_client_free(ANVIL_CLIENT *cl)
{
    anvil_client_close(cl);
    free(cl->path);
    dstr_free(cl->ident);
    dstr_free(cl->pending);
    dstr_free(cl->req);
    attr_list_free(cl->reply);
    free(cl);
}

/* anvil_client_open - connect when not connected */

static int anvil_client_open(ANVIL_CLIENT *cl)
{
    int     fd;

    if (cl->ios)
	return (0);
    if ((fd = sock_unix_connect(cl->path)) < 0) {
	msg_warn("connect to %s: %m", cl->path);
	return (-1);
    }
    cl->ios = ios_open(fd);
    ios_set_timeout(cl->ios, cl->timeout);
    return (0);
}

/* anvil_client_read - one answer into cl->reply; -1 with errno set */

static int anvil_client_read(ANVIL_CLIENT *cl)
{
    int     err;

    err = attr_read(cl->ios, cl->reply, ANVIL_ATTR_LEN_MAX, ANVIL_ATTR_COUNT_MAX);
    if (err == ATTR_OK)
	return (0);
    /* errno says why a read failed; say it for the other cases too. */
    if (err == ATTR_ERR_EOF)
	errno = ECONNRESET;
    else if (err == ATTR_ERR_IO && ios_timedout(cl->ios))
	errno = ETIMEDOUT;
    else if (err != ATTR_ERR_IO)
	errno = EPROTO;
    return (-1);
}

/* anvil_client_settle - the answers to the disconnects sent ahead */

static int anvil_client_settle(ANVIL_CLIENT *cl)
{
    long    status;

    for (; cl->npending > 0; cl->npending--) {
	if (anvil_client_read(cl) < 0)
	    return (-1);
	if (attr_get_long(cl->reply, ANVIL_ATTR_STATUS, &status, 0, 1) < 0
	    || status != ANVIL_STAT_OK) {
	    msg_warn("malformed or refused disconnect reply from server %s", cl->path);
	    errno = EPROTO;
	    return (-1);
	}
	cl->held--;
    }
    return (0);
}

/*
 * anvil_client_exchange - on the open stream: the disconnects that wait,
 * then the request (if any), in one write; their answers in order
 */
static int anvil_client_exchange(ANVIL_CLIENT *cl, const DSTR *req)
{
    if ((dstr_len(cl->pending) > 0
	 && ios_write(cl->ios, dstr_str(cl->pending), dstr_len(cl->pending)) < 0)
	|| (req && ios_write(cl->ios, dstr_str(req), dstr_len(req)) < 0)
	|| ios_flush(cl->ios) < 0)
	return (-1);
    DSTR_RESET(cl->pending);
    if (anvil_client_settle(cl) < 0)
	return (-1);
    return (req ? anvil_client_read(cl) : 0);
}

/* anvil_client_call - send one request; on a stream anvil closed, again on a new one */

static int anvil_client_call(ANVIL_CLIENT *cl, const char *request, int resend)
{
    int     attempt;
    int     stale;
    int     saved;

    DSTR_RESET(cl->req);
    attr_put_str(cl->req, ANVIL_ATTR_REQUEST, request);
    attr_put_str(cl->req, ANVIL_ATTR_IDENT, dstr_str(cl->ident));
    attr_put_end(cl->req);
    for (attempt = 0; attempt < 2; attempt++) {
	if (anvil_client_open(cl) < 0)
	    return (ANVIL_STAT_FAIL);
	stale = cl->used;
	if (anvil_client_exchange(cl, cl->req) == 0) {
	    cl->used = 1;
	    return (ANVIL_STAT_OK);
	}
	saved = errno;
	anvil_client_close(cl);
	errno = saved;
	/*
	 * A stream that worked before and now ends was most likely closed by
	 * an anvil that exited (reload, max_idle): not worth a warning. What
	 * it held went with it; a request that needs no such state is sent
	 * once more on a new stream.
	 */
	if (stale && (errno == ECONNRESET || errno == EPIPE)) {
	    if (msg_verbose)
		msg_info("%s: stream closed by server", cl->path);
	    if (resend)
		continue;
	    return (ANVIL_STAT_GONE);
	}
	break;
    }
    msg_warn("problem talking to server %s: %m", cl->path);
    return (ANVIL_STAT_FAIL);
}

/* anvil_client_status - the answer's status, and its count when wanted */

static int anvil_client_status(ANVIL_CLIENT *cl, const char *request, int *count)
{
    long    status;
    long    value;

    if (attr_get_long(cl->reply, ANVIL_ATTR_STATUS, &status, 0, 1) < 0
	|| (count && status == ANVIL_STAT_OK
	    && attr_get_long(cl->reply, ANVIL_ATTR_COUNT, &value, 0, 0x7fffffff) < 0)) {
	msg_warn("malformed reply from server %s", cl->path);
	anvil_client_close(cl);
	return (ANVIL_STAT_FAIL);
    }
    if (status != ANVIL_STAT_OK) {
	msg_warn("server %s refused the %s request for %s", cl->path, request,
		 dstr_str(cl->ident));
	return (ANVIL_STAT_FAIL);
    }
    if (count)
	*count = (int) value;
    return (ANVIL_STAT_OK);
}

/* anvil_client_ident - "service:addr", or -1 when too long */

static int anvil_client_ident(ANVIL_CLIENT *cl, const char *service, const char *addr)
{
    dstr_sprintf(cl->ident, "%s:%s", service, addr);
    if (dstr_len(cl->ident) > ANVIL_IDENT_MAX) {
	msg_warn("%s: client identifier too long: %.100s...", cl->path, dstr_str(cl->ident));
	return (-1);
    }
    return (0);
}

/* anvil_client_connect - count a connection */

int     anvil_client_connect(ANVIL_CLIENT *cl, const char *service,
			             const char *addr, int *count)
{
    if (anvil_client_ident(cl, service, addr) < 0
	|| anvil_client_call(cl, ANVIL_REQ_CONNECT, 1) != ANVIL_STAT_OK
	|| anvil_client_status(cl, ANVIL_REQ_CONNECT, count) != ANVIL_STAT_OK)
	return (ANVIL_STAT_FAIL);
    cl->held++;
    return (ANVIL_STAT_OK);
}

/* anvil_client_disconnect - undo a counted connection, with the next request */

int     anvil_client_disconnect(ANVIL_CLIENT *cl, const char *service, const char *addr)
{
    /* The stream that counted it is gone, and with it the count. */
    if (cl->ios == NULL || cl->held - cl->npending <= 0)
	return (ANVIL_STAT_OK);
    if (anvil_client_ident(cl, service, addr) < 0)
	return (ANVIL_STAT_FAIL);
    attr_put_str(cl->pending, ANVIL_ATTR_REQUEST, ANVIL_REQ_DISCONNECT);
    attr_put_str(cl->pending, ANVIL_ATTR_IDENT, dstr_str(cl->ident));
    attr_put_end(cl->pending);
    cl->npending++;
    return (ANVIL_STAT_OK);
}

/* anvil_client_flush - send the disconnects that wait, now */

int     anvil_client_flush(ANVIL_CLIENT *cl)
{
    int     saved;

    if (cl->npending == 0 || cl->ios == NULL)
	return (ANVIL_STAT_OK);
    if (anvil_client_exchange(cl, NULL) == 0)
	return (ANVIL_STAT_OK);
    saved = errno;
    anvil_client_close(cl);			/* releases whatever it held */
    /* A stream anvil closed (reload, max_idle) took the counts with it. */
    if (saved == ECONNRESET || saved == EPIPE)
	return (ANVIL_STAT_OK);
    errno = saved;
    msg_warn("problem talking to server %s: %m", cl->path);
    return (ANVIL_STAT_FAIL);
}

/* anvil_client_lookup - current count */

int     anvil_client_lookup(ANVIL_CLIENT *cl, const char *service,
			            const char *addr, int *count)
{
    if (anvil_client_ident(cl, service, addr) < 0
	|| anvil_client_call(cl, ANVIL_REQ_LOOKUP, 1) != ANVIL_STAT_OK
	|| anvil_client_status(cl, ANVIL_REQ_LOOKUP, count) != ANVIL_STAT_OK)
	return (ANVIL_STAT_FAIL);
    return (ANVIL_STAT_OK);
}
