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
    DSTR   *ident;
    DSTR   *req;
    ATTR_LIST *reply;
    const char *event;			/* for the next disconnect, or NULL */
    size_t  reply_max;			/* longest answer attribute accepted */
};

/* anvil_client_create - remember where anvil is; connect later */

ANVIL_CLIENT *anvil_client_create(const char *path, int timeout)
{
    ANVIL_CLIENT *cl = mycalloc(1, sizeof(*cl));

    cl->path = mystrdup(path);
    cl->timeout = timeout > 0 ? timeout : 1;
    cl->ident = dstr_new(64);
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
}

/* anvil_client_free - close and release */

void    anvil_client_free(ANVIL_CLIENT *cl)
{
    anvil_client_close(cl);
    free(cl->path);
    dstr_free(cl->ident);
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

/* anvil_client_exchange - one request and its answer on the open stream */

static int anvil_client_exchange(ANVIL_CLIENT *cl)
{
    int     err;

    if (ios_write(cl->ios, dstr_str(cl->req), dstr_len(cl->req)) < 0
	|| ios_flush(cl->ios) < 0)
	return (-1);
    err = attr_read(cl->ios, cl->reply, cl->reply_max ? cl->reply_max : ANVIL_ATTR_LEN_MAX,
		    ANVIL_ATTR_COUNT_MAX);
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

/* anvil_client_call - send one request; on a stream anvil closed, again on a new one */

static int anvil_client_call(ANVIL_CLIENT *cl, const char *request, int resend)
{
    int     attempt;
    int     stale;
    int     saved;

    DSTR_RESET(cl->req);
    attr_put_str(cl->req, ANVIL_ATTR_REQUEST, request);
    attr_put_str(cl->req, ANVIL_ATTR_IDENT, dstr_str(cl->ident));
    if (cl->event)
	attr_put_str(cl->req, ANVIL_ATTR_EVENT, cl->event);
    attr_put_end(cl->req);
    for (attempt = 0; attempt < 2; attempt++) {
	if (anvil_client_open(cl) < 0)
	    return (ANVIL_STAT_FAIL);
	stale = cl->used;
	if (anvil_client_exchange(cl) == 0) {
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

/* anvil_client_disconnect - undo a counted connection */

int     anvil_client_disconnect(ANVIL_CLIENT *cl, const char *service, const char *addr)
{
    return (anvil_client_disconnect_event(cl, service, addr, NULL));
}

/* anvil_client_disconnect_event - the same, saying what came of the connection */

int     anvil_client_disconnect_event(ANVIL_CLIENT *cl, const char *service, const char *addr,
				              const char *event)
{
    int     ret;

    /* The stream that counted it is gone, and with it the count. */
    if (cl->ios == NULL || cl->held == 0)
	return (ANVIL_STAT_OK);
    if (anvil_client_ident(cl, service, addr) < 0)
	return (ANVIL_STAT_FAIL);
    /* Never resend on a new stream: that stream would hold nothing. */
    cl->event = event;
    ret = anvil_client_call(cl, ANVIL_REQ_DISCONNECT, 0);
    cl->event = NULL;
    switch (ret) {
    case ANVIL_STAT_GONE:
	return (ANVIL_STAT_OK);			/* the count went with the stream */
    case ANVIL_STAT_OK:
	if (anvil_client_status(cl, ANVIL_REQ_DISCONNECT, NULL) == ANVIL_STAT_OK) {
	    cl->held--;
	    return (ANVIL_STAT_OK);
	}
	/* FALLTHROUGH */
    default:
	anvil_client_close(cl);			/* releases whatever it held */
	return (ANVIL_STAT_FAIL);
    }
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

/* anvil_client_stats - the counters, as "NAME COUNT" lines */

int     anvil_client_stats(ANVIL_CLIENT *cl, DSTR *text)
{
    const char *val;
    int     ret;

    dstr_strcpy(cl->ident, "stats");
    cl->reply_max = ANVIL_STATS_MAX + 64;
    ret = anvil_client_call(cl, ANVIL_REQ_STATS, 1);
    cl->reply_max = 0;
    if (ret != ANVIL_STAT_OK || anvil_client_status(cl, ANVIL_REQ_STATS, NULL) != ANVIL_STAT_OK)
	return (ANVIL_STAT_FAIL);
    dstr_strcpy(text, (val = attr_get_str(cl->reply, ANVIL_ATTR_TEXT)) ? val : "");
    return (ANVIL_STAT_OK);
}
