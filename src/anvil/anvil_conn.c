/*
 * anvil_conn - anvil's client streams: read requests without blocking, answer
 * DESCRIPTION
 *	Each client process keeps one stream open for its life. Bytes are
 *	read as they come, without blocking, into a buffer that holds at
 *	most one request (ANVIL_REQUEST_MAX), so a client that sends half a
 *	request delays nobody; every whole request is answered at once. A
 *	client that sends what is not a request, or does not read its
 *	answers, is disconnected. Whenever a stream ends, its owner's counts
 *	are released: that is how a killed qmqpd gives its connection back.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "anvil.h"
#include "anvil_proto.h"
#include "evloop.h"
#include "ios.h"
#include "msg.h"
#include "mymalloc.h"

typedef struct ANVIL_CONN {
    int     fd;
    DSTR   *in;				/* bytes of requests not yet answered */
    ANVIL_OWNER *owner;
} ANVIL_CONN;

static ANVIL_TABLE *anvil_table;
static ANVIL_REQUEST *anvil_req;
static int anvil_nconn;
static long long anvil_last_active;

/* anvil_conn_close - the client is gone: release what it held */

static void anvil_conn_close(ANVIL_CONN *conn)
{
    evloop_forget(conn->fd);
    (void) close(conn->fd);
    if (msg_verbose)
	msg_info("client fd %d gone, releasing %d connections", conn->fd,
		 anvil_owner_count(conn->owner));
    anvil_owner_free(anvil_table, conn->owner);
    dstr_free(conn->in);
    free(conn);
    anvil_nconn--;
    anvil_last_active = ios_now_ms();
}

/* anvil_answer - write one answer whole, or give up on the client */

static int anvil_answer(ANVIL_CONN *conn, const DSTR *out)
{
    ssize_t n;

    do {
	n = write(conn->fd, dstr_str(out), dstr_len(out));
    } while (n < 0 && errno == EINTR);
    /* A few dozen bytes do not fit only when the client stopped reading. */
    if (n != (ssize_t) dstr_len(out)) {
	msg_warn("client does not read its answers: disconnecting it");
	return (-1);
    }
    return (0);
}

/* anvil_serve - answer every whole request in the client's buffer */

static int anvil_serve(ANVIL_CONN *conn)
{
    DSTR   *out = dstr_new(64);
    DSTR   *why = dstr_new(64);
    long    used;
    int     ret = 0;

    while (dstr_len(conn->in) > 0) {
	used = anvil_request_parse(dstr_str(conn->in), dstr_len(conn->in), anvil_req, why);
	if (used == ANVIL_PARSE_MORE)
	    break;
	if (used < 0) {
	    msg_warn("malformed request from client: %s", dstr_str(why));
	    ret = -1;
	    break;
	}
	DSTR_RESET(out);
	anvil_request_apply(anvil_table, conn->owner, anvil_req, time((time_t *) 0), out);
	if (msg_verbose)
	    msg_info("%s %s: %s", anvil_req->op == ANVIL_OP_CONNECT ? "connect" :
		     anvil_req->op == ANVIL_OP_DISCONNECT ? "disconnect" :
		     anvil_req->op == ANVIL_OP_STATS ? "stats" : "lookup",
		     dstr_str(anvil_req->ident), dstr_str(out));
	dstr_drop_head(conn->in, (size_t) used);
	if ((ret = anvil_answer(conn, out)) < 0)
	    break;
    }
    dstr_free(out);
    dstr_free(why);
    return (ret);
}

/* anvil_readable - bytes from a client, or its end */

static void anvil_readable(int fd, void *ctx)
{
    ANVIL_CONN *conn = ctx;
    size_t  room = ANVIL_REQUEST_MAX - dstr_len(conn->in);
    ssize_t n;

    anvil_last_active = ios_now_ms();
    /* anvil_serve leaves less than a whole request, so there is room. */
    n = read(fd, dstr_space(conn->in, room), room);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
	return;
    if (n <= 0) {
	if (n < 0 && errno != ECONNRESET)
	    msg_warn("read from client: %m");
	anvil_conn_close(conn);
	return;
    }
    dstr_addlen(conn->in, (size_t) n);
    if (anvil_serve(conn) < 0)
	anvil_conn_close(conn);
}

/* anvil_accept - a new client stream */

static void anvil_accept(int listen_fd, void *ctx)
{
    ANVIL_CONN *conn;
    int     fd;

    (void) ctx;
    if ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) < 0) {
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
	    && errno != ECONNABORTED)
	    msg_warn("accept: %m");		/* EMFILE: its client fails open */
	return;
    }
    conn = mycalloc(1, sizeof(*conn));
    conn->fd = fd;
    conn->in = dstr_new(ANVIL_REQUEST_MAX);
    conn->owner = anvil_owner_new();
    evloop_read(fd, anvil_readable, conn);
    anvil_nconn++;
    anvil_last_active = ios_now_ms();
}

/* anvil_conn_listen - serve the clients of a listening socket from the event loop */

void    anvil_conn_listen(ANVIL_TABLE *table, int listen_fd)
{
    anvil_table = table;
    if (anvil_req == NULL)
	anvil_req = anvil_request_new();
    anvil_last_active = ios_now_ms();
    evloop_read(listen_fd, anvil_accept, 0);
}

/* anvil_conn_count - client streams open */

int     anvil_conn_count(void)
{
    return (anvil_nconn);
}

/* anvil_conn_last_active - when a client last connected, asked or left */

long long anvil_conn_last_active(void)
{
    return (anvil_last_active);
}
