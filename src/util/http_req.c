/*
 * http_req - parse the one kind of HTTP request a metrics scrape is
 * DESCRIPTION
 *	The metrics listener faces whatever connects to its port. It needs
 *	the method and the path, nothing else, so this finds the end of the
 *	request head within a byte limit, checks the request line's shape
 *	("METHOD SP TARGET SP HTTP/1.x"), and takes the path up to any '?'.
 *	Anything else is HTTP_REQ_BAD; a head that does not end within the
 *	limit is HTTP_REQ_TOO_LONG, whatever it holds. One pass, no copies
 *	of headers, no recursion.
 */
#include <string.h>

#include "http_req.h"

#define HTTP_TOKEN_MAX	32		/* bytes of a method */

/* http_req_init - empty */

void    http_req_init(HTTP_REQ *req)
{
    req->method = dstr_new(16);
    req->path = dstr_new(64);
    req->minor = 0;
}

/* http_req_free - release */

void    http_req_free(HTTP_REQ *req)
{
    dstr_free(req->method);
    dstr_free(req->path);
}

/* http_req_head_end - bytes up to and including the empty line, or 0 */

static size_t http_req_head_end(const char *buf, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
	if (buf[i] != '\n')
	    continue;
	if (i + 1 < len && buf[i + 1] == '\n')
	    return (i + 2);
	if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
	    return (i + 3);
    }
    return (0);
}

/* http_req_tchar - a character of an RFC 9110 token */

static int http_req_tchar(char c)
{
    return ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
	    || (c && strchr("!#$%&'*+-.^_`|~", c) != NULL));
}

/* http_req_line - the request line (len bytes, no line end) */

static int http_req_line(const char *line, size_t len, HTTP_REQ *req)
{
    const char *sp1 = memchr(line, ' ', len);
    const char *sp2;
    const char *cp;
    const char *query;

    if (sp1 == NULL || sp1 == line || (size_t) (sp1 - line) > HTTP_TOKEN_MAX)
	return (HTTP_REQ_BAD);
    for (cp = line; cp < sp1; cp++)
	if (!http_req_tchar(*cp))
	    return (HTTP_REQ_BAD);
    if ((sp2 = memchr(sp1 + 1, ' ', len - (size_t) (sp1 + 1 - line))) == NULL
	|| sp2 == sp1 + 1 || (size_t) (line + len - sp2) != 9
	|| strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || sp2[8] < '0' || sp2[8] > '9')
	return (HTTP_REQ_BAD);
    for (cp = sp1 + 1; cp < sp2; cp++)
	if ((unsigned char) *cp <= ' ' || (unsigned char) *cp >= 0x7f)
	    return (HTTP_REQ_BAD);
    dstr_memcpy(req->method, line, (size_t) (sp1 - line));
    query = memchr(sp1 + 1, '?', (size_t) (sp2 - sp1 - 1));
    dstr_memcpy(req->path, sp1 + 1, (size_t) ((query ? query : sp2) - sp1 - 1));
    req->minor = sp2[8] - '0';
    return (HTTP_REQ_OK);
}

/* http_req_parse - see http_req.h */

int     http_req_parse(const char *buf, size_t len, size_t limit, HTTP_REQ *req)
{
    size_t  end;
    const char *nl;
    size_t  llen;

    if (len > limit)
	len = limit;
    /* Clients may send empty lines before the request line (RFC 9112 2.2). */
    while (len > 0 && (*buf == '\r' || *buf == '\n'))
	buf++, len--, limit--;
    if ((end = http_req_head_end(buf, len)) == 0)
	return (len >= limit ? HTTP_REQ_TOO_LONG : HTTP_REQ_NEED_MORE);
    nl = memchr(buf, '\n', end);
    llen = (size_t) (nl - buf);
    if (llen > 0 && buf[llen - 1] == '\r')
	llen--;
    return (http_req_line(buf, llen, req));
}
