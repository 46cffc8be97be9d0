/*
 * netstring - netstrings
 * DESCRIPTION
 *	"5:hello," framing, used by QMQP on the wire and by posthorn's
 *	internal protocol. The decoders never trust a length: it is capped by
 *	a caller's limit before anything is buffered. Leading zeros are
 *	accepted, as Postfix and qmail-qmqpd accept them.
 */
#include <stdio.h>
#include <string.h>

#include "netstring.h"
#include "msg.h"

/* netstring_parse - decode from memory */

ssize_t netstring_parse(const char *in, size_t inlen, size_t max,
			        const char **payload, size_t *paylen)
{
    size_t  digits;
    size_t  n = 0;

    for (digits = 0; digits < inlen && in[digits] != ':'; digits++) {
	if (in[digits] < '0' || in[digits] > '9'
	    || digits == NETSTRING_MAX_DIGITS)
	    return (NETSTRING_ERR_FORMAT);
	n = n * 10 + (size_t) (in[digits] - '0');
    }
    if (digits == inlen)
	return (NETSTRING_MORE);
    if (digits == 0)
	return (NETSTRING_ERR_FORMAT);
    if (n > max)
	return (NETSTRING_ERR_SIZE);
    if (inlen - digits - 1 < n + 1)
	return (NETSTRING_MORE);
    if (in[digits + 1 + n] != ',')
	return (NETSTRING_ERR_FORMAT);
    *payload = in + digits + 1;
    *paylen = n;
    return ((ssize_t) (digits + 2 + n));
}

/* netstring_put - encode */

void    netstring_put(DSTR *out, const void *buf, size_t len)
{
    char    hdr[32];
    int     n = snprintf(hdr, sizeof(hdr), "%zu:", len);

    if (dstr_cat(out, hdr, (size_t) n) < 0 || dstr_cat(out, buf, len) < 0
	|| dstr_catc(out, ',') < 0)
	msg_panic("%s: output buffer limit exceeded", __func__);
}

/* netstring_puts - encode a C string */

void    netstring_puts(DSTR *out, const char *str)
{
    netstring_put(out, str, strlen(str));
}

/* netstring_stream_error - classify a failed stream read */

static int netstring_stream_error(IOS *ios)
{
    return ((ios->flags & (IOS_FLAG_ERR | IOS_FLAG_TIMEOUT)) ?
	    NETSTRING_ERR_IO : NETSTRING_ERR_EOF);
}

/* netstring_get_len - read the length prefix */

int     netstring_get_len(IOS *ios, size_t max, size_t *len)
{
    size_t  n = 0;
    int     digits = 0;
    int     ch;

    for (;;) {
	if ((ch = ios_getc(ios)) == IOS_EOF)
	    return (netstring_stream_error(ios));
	if (ch == ':')
	    break;
	if (ch < '0' || ch > '9' || digits == NETSTRING_MAX_DIGITS)
	    return (NETSTRING_ERR_FORMAT);
	n = n * 10 + (size_t) (ch - '0');
	digits++;
    }
    if (digits == 0)
	return (NETSTRING_ERR_FORMAT);
    if (n > max)
	return (NETSTRING_ERR_SIZE);
    *len = n;
    return (0);
}

/* netstring_get_comma - read the terminator */

int     netstring_get_comma(IOS *ios)
{
    int     ch;

    if ((ch = ios_getc(ios)) == IOS_EOF)
	return (netstring_stream_error(ios));
    return (ch == ',' ? 0 : NETSTRING_ERR_FORMAT);
}

/* netstring_get - one whole netstring */

int     netstring_get(IOS *ios, DSTR *buf, size_t max)
{
    size_t  len;
    int     err;

    DSTR_RESET(buf);
    if (buf->limit && max > buf->limit)
	max = buf->limit;
    if ((err = netstring_get_len(ios, max, &len)) != 0)
	return (err);
    if (ios_read_exact(ios, dstr_space(buf, len), len) < 0)
	return (netstring_stream_error(ios));
    dstr_addlen(buf, len);
    return (netstring_get_comma(ios));
}

/* netstring_write - encode to a stream */

int     netstring_write(IOS *ios, const void *buf, size_t len)
{
    char    hdr[32];
    int     n = snprintf(hdr, sizeof(hdr), "%zu:", len);

    if (ios_write(ios, hdr, (size_t) n) < 0 || ios_write(ios, buf, len) < 0
	|| ios_write(ios, ",", 1) < 0)
	return (-1);
    return (0);
}

/* netstring_strerror - describe an error code */

const char *netstring_strerror(int err)
{
    switch (err) {
    case NETSTRING_ERR_FORMAT:
	return ("netstring format error");
    case NETSTRING_ERR_SIZE:
	return ("netstring length exceeds storage limit");
    case NETSTRING_ERR_EOF:
	return ("lost connection");
    case NETSTRING_ERR_IO:
	return ("read error or timeout");
    default:
	return ("unknown netstring error");
    }
}
