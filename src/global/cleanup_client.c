/*
 * cleanup_client - client side of the cleanup protocol
 * DESCRIPTION
 *	qmqpd and bounce write their message into this stream. All writes
 *	are buffered, so a small message leaves in one system call; cleanup's
 *	single reply is read with ipc_timeout as the deadline.
 *
 *	A stream whose request ended with a proper reply can carry the next
 *	request (cleanup_client_reset): qmqpd keeps one for its life, which
 *	spares a connect, an accept, two busy/idle reports to master and a
 *	wake-up of master per message. A request that broke off ends its
 *	stream, and with it the queue file cleanup was writing.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup_client.h"
#include "attr.h"
#include "cfg_params.h"
#include "ios.h"
#include "mymalloc.h"
#include "msg.h"
#include "netstring.h"
#include "sockutil.h"

#define CL_ATTRS	0
#define CL_CONTENT	1
#define CL_RCPTS	2
#define CL_DONE		3

struct CLEANUP_CLIENT {
    IOS    *ios;
    DSTR   *tmp;
    int     state;
    int     sender_sent;
    int     reusable;			/* the last request got its reply */
};

/* cleanup_client_open - connect */

CLEANUP_CLIENT *cleanup_client_open(const char *service_path, int timeout)
{
    CLEANUP_CLIENT *cl;
    int     fd;

    if ((fd = sock_unix_connect(service_path)) < 0)
	return (NULL);
    cl = mycalloc(1, sizeof(*cl));
    cl->ios = ios_open(fd);
    ios_set_timeout(cl->ios, timeout);
    cl->tmp = dstr_new(256);
    cl->state = CL_ATTRS;
    return (cl);
}

/* cleanup_client_write - buffered netstring-level output */

static void cleanup_client_flush_tmp(CLEANUP_CLIENT *cl)
{
    (void) ios_write(cl->ios, dstr_str(cl->tmp), dstr_len(cl->tmp));
    DSTR_RESET(cl->tmp);
}

/* cleanup_client_advance - close parts until the stream is in state "to" */

static void cleanup_client_advance(CLEANUP_CLIENT *cl, int to)
{
    while (cl->state < to) {
	switch (cl->state) {
	case CL_ATTRS:				/* end of part 1 */
	    attr_put_end(cl->tmp);
	    cleanup_client_flush_tmp(cl);
	    break;
	case CL_CONTENT:			/* end of part 2; empty part 3 */
	    (void) ios_write(cl->ios, "0:,0:,", 6);
	    break;
	case CL_RCPTS:				/* end of part 4 */
	    (void) ios_write(cl->ios, "0:,", 3);
	    break;
	}
	cl->state++;
    }
}

/* cleanup_client_attr - header attribute */

void    cleanup_client_attr(CLEANUP_CLIENT *cl, const char *name, const char *value)
{
    if (cl->state != CL_ATTRS)
	msg_panic("%s: attribute after content", __func__);
    attr_put_str(cl->tmp, name, value);
    cleanup_client_flush_tmp(cl);
}

/* cleanup_client_content - message bytes, chunked */

void    cleanup_client_content(CLEANUP_CLIENT *cl, const void *buf, size_t len)
{
    const char *cp = buf;
    size_t  n;

    if (cl->state > CL_CONTENT)
	msg_panic("%s: content after envelope", __func__);
    cleanup_client_advance(cl, CL_CONTENT);
    while (len > 0) {
	n = len > CLEANUP_CHUNK ? CLEANUP_CHUNK : len;
	(void) netstring_write(cl->ios, cp, n);
	cp += n;
	len -= n;
    }
}

/* cleanup_client_sender - envelope sender, early (part 1) or late (part 3) */

void    cleanup_client_sender(CLEANUP_CLIENT *cl, const char *sender, const char *verp)
{
    if (cl->sender_sent || cl->state > CL_CONTENT)
	msg_panic("%s: sender out of order", __func__);
    if (cl->state == CL_CONTENT)
	(void) ios_write(cl->ios, "0:,", 3);	/* end of part 2 */
    attr_put_str(cl->tmp, "sender", sender);
    if (verp && *verp)
	attr_put_str(cl->tmp, "verp_delimiters", verp);
    if (cl->state == CL_CONTENT) {
	attr_put_end(cl->tmp);
	cl->state = CL_RCPTS;
    }
    cleanup_client_flush_tmp(cl);
    cl->sender_sent = 1;
}

/* cleanup_client_rcpt - one recipient */

void    cleanup_client_rcpt(CLEANUP_CLIENT *cl, const char *rcpt)
{
    if (*rcpt == 0 || !cl->sender_sent)
	msg_panic("%s: bad recipient call", __func__);
    cleanup_client_advance(cl, CL_RCPTS);
    (void) netstring_write(cl->ios, rcpt, strlen(rcpt));
}

/* cleanup_client_finish - end of request, read the answer */

int     cleanup_client_finish(CLEANUP_CLIENT *cl, DSTR *reason, DSTR *queue_id)
{
    ATTR_LIST *reply = attr_list_new();
    const char *val;
    long    status;
    int     err;

    if (!cl->sender_sent)
	msg_panic("%s: request incomplete", __func__);
    cleanup_client_advance(cl, CL_DONE);
    if (ios_flush(cl->ios) < 0) {
	dstr_sprintf(reason, "error writing to cleanup service: %s",
		     ios_timedout(cl->ios) ? "timeout" : strerror(errno));
	status = CLEANUP_STAT_DEFER;
    } else if ((err = attr_read(cl->ios, reply, ATTR_MAX_LEN, 16)) != ATTR_OK) {
	dstr_sprintf(reason, "error reading reply from cleanup service: %s",
		     attr_strerror(err));
	status = CLEANUP_STAT_DEFER;
    } else if (attr_get_long(reply, "status", &status, 0, 5) < 0) {
	dstr_sprintf(reason, "malformed reply from cleanup service");
	status = CLEANUP_STAT_DEFER;
    } else {
	cl->reusable = 1;
	dstr_strcpy(reason, (val = attr_get_str(reply, "reason")) ? val : "");
	if (queue_id)
	    dstr_strcpy(queue_id, (val = attr_get_str(reply, "queue_id")) ? val : "");
	if (status != CLEANUP_STAT_OK && status != CLEANUP_STAT_REJECT)
	    status = CLEANUP_STAT_DEFER;
    }
    attr_list_free(reply);
    return ((int) status);
}

/* cleanup_client_reset - ready the stream for another request, or -1 */

int     cleanup_client_reset(CLEANUP_CLIENT *cl)
{
    struct pollfd pfd;

    if (!cl->reusable || ios_buffered(cl->ios) > 0)
	return (-1);
    /* cleanup has nothing to say between requests: anything readable is
     * the end of the stream (it exited, or was killed) or junk. */
    pfd.fd = ios_fd(cl->ios);
    pfd.events = POLLIN | POLLRDHUP;
    if (poll(&pfd, 1, 0) != 0)
	return (-1);
    cl->state = CL_ATTRS;
    cl->sender_sent = 0;
    cl->reusable = 0;
    DSTR_RESET(cl->tmp);
    return (0);
}

/* cleanup_client_close - release */

void    cleanup_client_close(CLEANUP_CLIENT *cl)
{
    ios_close(cl->ios);
    dstr_free(cl->tmp);
    free(cl);
}
