/* http_req - the request head of an HTTP/1.x request, read defensively */
#ifndef HTTP_REQ_H
#define HTTP_REQ_H
#include <stddef.h>
#include "dstr.h"

#define HTTP_REQ_NEED_MORE	0	/* the head has not ended yet */
#define HTTP_REQ_OK		1
#define HTTP_REQ_BAD		(-1)	/* not an HTTP/1.x request line */
#define HTTP_REQ_TOO_LONG	(-2)	/* no end of head within the limit */

typedef struct HTTP_REQ {
    DSTR   *method;
    DSTR   *path;			/* the target without its query string */
    int     minor;			/* HTTP/1.minor */
} HTTP_REQ;

extern void http_req_init(HTTP_REQ *req);
extern void http_req_free(HTTP_REQ *req);
/*
 * Look at the first len bytes received: HTTP_REQ_NEED_MORE until the head
 * (request line and header lines) ends with an empty line, then
 * HTTP_REQ_OK with method and path filled in, or HTTP_REQ_BAD.
 * HTTP_REQ_TOO_LONG when limit bytes hold no end of head. Header lines
 * are skipped (nothing in them is needed); lines may end in CR LF or LF.
 */
extern int http_req_parse(const char *buf, size_t len, size_t limit, HTTP_REQ *req);

#endif
