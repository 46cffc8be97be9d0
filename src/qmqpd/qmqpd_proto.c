/*
 * qmqpd_proto - read one QMQP request
 * DESCRIPTION
 *	The request is netstring(netstring(message) netstring(sender)
 *	netstring(recipient)...). Nothing here trusts a length: the outer
 *	length bounds everything inside it, the message is capped by
 *	message_size_limit before a byte of it is read, each address by
 *	line_length_limit. Pieces go to a sink as they arrive, so memory use
 *	does not grow with the message. Pure over an IOS: unit tests and the
 *	fuzzer drive it from memory.
 */
#include <string.h>

#include "qmqpd.h"
#include "netstring.h"
#include "msg.h"

typedef struct QMQPD_READER {
    IOS    *ios;
    long long start;			/* stream offset after the outer ':' */
    size_t  outer;			/* outer payload length */
    DSTR   *why;
    DSTR   *buf;
} QMQPD_READER;

/* qmqpd_consumed - payload bytes of the outer netstring used so far */

static size_t qmqpd_consumed(const QMQPD_READER *rd)
{
    return ((size_t) (rd->ios->bytes_in - (long long) ios_buffered(rd->ios) - rd->start));
}

/* qmqpd_fail - map a netstring error to a request error and a reason */

static int qmqpd_fail(QMQPD_READER *rd, int err, const char *where)
{
    switch (err) {
    case NETSTRING_ERR_SIZE:
	dstr_sprintf(rd->why, "netstring length exceeds storage limit while receiving %s", where);
	return (QMQPD_ERR_SIZE);
    case NETSTRING_ERR_EOF:
	dstr_sprintf(rd->why, "lost connection while receiving %s", where);
	return (QMQPD_ERR_LOST);
    case NETSTRING_ERR_IO:
	dstr_sprintf(rd->why, "%s while receiving %s",
		     ios_timedout(rd->ios) ? "timeout" : "read error", where);
	return (QMQPD_ERR_LOST);
    default:
	dstr_sprintf(rd->why, "netstring format error while receiving %s", where);
	return (QMQPD_ERR_FORMAT);
    }
}

/* qmqpd_check_room - a field of len bytes (plus its comma) must fit the outer length */

static int qmqpd_check_room(QMQPD_READER *rd, size_t len, const char *where)
{
    size_t  used = qmqpd_consumed(rd);

    if (used > rd->outer || rd->outer - used < len + 1) {
	dstr_sprintf(rd->why, "netstring format error while receiving %s", where);
	return (QMQPD_ERR_FORMAT);
    }
    return (QMQPD_OK);
}

/* qmqpd_read_message - the message netstring, streamed to the sink */

static int qmqpd_read_message(QMQPD_READER *rd, const QMQPD_LIMITS *lim,
			              const QMQPD_SINK *sink)
{
    static const char where[] = "message content";
    size_t  len;
    size_t  n;
    int     err;

    if ((err = netstring_get_len(rd->ios, lim->message, &len)) != 0)
	return (qmqpd_fail(rd, err, where));
    if ((err = qmqpd_check_room(rd, len, where)) != QMQPD_OK)
	return (err);
    if (sink->content_start(sink->ctx, len) != 0)
	return (QMQPD_ERR_SINK);
    while (len > 0) {
	n = len > QMQPD_CHUNK ? QMQPD_CHUNK : len;
	DSTR_RESET(rd->buf);
	if (ios_read_exact(rd->ios, dstr_space(rd->buf, n), n) < 0)
	    return (qmqpd_fail(rd, ios_failed(rd->ios) & (IOS_FLAG_ERR | IOS_FLAG_TIMEOUT) ?
			       NETSTRING_ERR_IO : NETSTRING_ERR_EOF, where));
	if (sink->content(sink->ctx, dstr_str(rd->buf), n) != 0)
	    return (QMQPD_ERR_SINK);
	len -= n;
    }
    if ((err = netstring_get_comma(rd->ios)) != 0)
	return (qmqpd_fail(rd, err, where));
    return (QMQPD_OK);
}

/*
 * qmqpd_has_control - a C0 control character or DEL in an address? Such an
 * address cannot be written in an SMTP command (CR and LF would end it),
 * and a bounce for it could not name it: the client hears D now instead
 * (docs/design.md, "What each program trusts").
 */

static int qmqpd_has_control(const char *addr, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++)
	if ((unsigned char) addr[i] < 0x20 || (unsigned char) addr[i] == 0x7f)
	    return (1);
    return (0);
}

/* qmqpd_read_address - one sender or recipient netstring */

static int qmqpd_read_address(QMQPD_READER *rd, const QMQPD_LIMITS *lim, const char *where)
{
    size_t  len;
    int     err;

    if ((err = netstring_get_len(rd->ios, lim->address, &len)) != 0)
	return (qmqpd_fail(rd, err, where));
    if ((err = qmqpd_check_room(rd, len, where)) != QMQPD_OK)
	return (err);
    DSTR_RESET(rd->buf);
    if (ios_read_exact(rd->ios, dstr_space(rd->buf, len), len) < 0)
	return (qmqpd_fail(rd, ios_failed(rd->ios) & (IOS_FLAG_ERR | IOS_FLAG_TIMEOUT) ?
			   NETSTRING_ERR_IO : NETSTRING_ERR_EOF, where));
    dstr_addlen(rd->buf, len);
    if ((err = netstring_get_comma(rd->ios)) != 0)
	return (qmqpd_fail(rd, err, where));
    if (memchr(dstr_str(rd->buf), 0, len) != NULL) {
	dstr_sprintf(rd->why, "Error: malformed %s (NUL byte)", where);
	return (QMQPD_ERR_ADDR);
    }
    if (qmqpd_has_control(dstr_str(rd->buf), len)) {
	dstr_sprintf(rd->why, "Error: malformed %s (control character)", where);
	return (QMQPD_ERR_ADDR);
    }
    return (QMQPD_OK);
}

/* qmqpd_read_request - the whole request */

int     qmqpd_read_request(IOS *client, const QMQPD_LIMITS *lim,
			           const QMQPD_SINK *sink, DSTR *why)
{
    QMQPD_READER rd;
    int     err;
    int     nrcpt = 0;

    rd.ios = client;
    rd.why = why;
    rd.buf = dstr_new(QMQPD_CHUNK);
    DSTR_RESET(why);
    if ((err = netstring_get_len(client, (size_t) 999999999, &rd.outer)) != 0) {
	err = qmqpd_fail(&rd, err, "QMQP packet header");
	goto out;
    }
    rd.start = client->bytes_in - (long long) ios_buffered(client);
    if ((err = qmqpd_read_message(&rd, lim, sink)) != QMQPD_OK)
	goto out;
    if ((err = qmqpd_read_address(&rd, lim, "sender address")) != QMQPD_OK)
	goto out;
    if (sink->sender(sink->ctx, dstr_str(rd.buf), dstr_len(rd.buf)) != 0) {
	err = QMQPD_ERR_SINK;
	goto out;
    }
    while (qmqpd_consumed(&rd) < rd.outer) {
	if ((err = qmqpd_read_address(&rd, lim, "recipient address")) != QMQPD_OK)
	    goto out;
	if (dstr_len(rd.buf) == 0) {
	    dstr_sprintf(why, "Error: empty recipient address");
	    err = QMQPD_ERR_ADDR;
	    goto out;
	}
	nrcpt++;
	if (sink->recipient(sink->ctx, dstr_str(rd.buf), dstr_len(rd.buf)) != 0) {
	    err = QMQPD_ERR_SINK;
	    goto out;
	}
    }
    if (qmqpd_consumed(&rd) != rd.outer) {
	err = qmqpd_fail(&rd, NETSTRING_ERR_FORMAT, "recipient address");
	goto out;
    }
    if ((err = netstring_get_comma(client)) != 0) {
	err = qmqpd_fail(&rd, err, "QMQP packet trailer");
	goto out;
    }
    if (nrcpt == 0) {
	dstr_sprintf(why, "Error: no recipients specified");
	err = QMQPD_ERR_NORCPT;
	goto out;
    }
    err = QMQPD_OK;
out:
    dstr_free(rd.buf);
    return (err);
}
