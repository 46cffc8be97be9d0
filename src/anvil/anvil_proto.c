/*
 * anvil_proto - anvil's requests: parse from bytes, apply to the table
 * DESCRIPTION
 *	A request is an attribute list (anvil_proto.h) with a request name
 *	and an ident. The parser is pure over a byte buffer, so the server
 *	can feed it whatever a non-blocking read brought, and the fuzzer can
 *	feed it anything: every length is bounded by the attribute codec's
 *	limits and by ANVIL_REQUEST_MAX for the whole list, and an ident
 *	must be printable ASCII, since it ends up in the statistics log line.
 */
#include <stdlib.h>
#include <string.h>

#include "anvil.h"
#include "anvil_proto.h"
#include "attr.h"
#include "mymalloc.h"

/* anvil_request_new - empty request */

ANVIL_REQUEST *anvil_request_new(void)
{
    ANVIL_REQUEST *req = mycalloc(1, sizeof(*req));

    req->ident = dstr_new(64);
    req->event = dstr_new(16);
    return (req);
}

/* anvil_request_free - release */

void    anvil_request_free(ANVIL_REQUEST *req)
{
    dstr_free(req->ident);
    dstr_free(req->event);
    free(req);
}

/* anvil_request_op - request name to ANVIL_OP_*, or 0 */

static int anvil_request_op(const char *name)
{
    if (name == NULL)
	return (0);
    if (strcmp(name, ANVIL_REQ_CONNECT) == 0)
	return (ANVIL_OP_CONNECT);
    if (strcmp(name, ANVIL_REQ_DISCONNECT) == 0)
	return (ANVIL_OP_DISCONNECT);
    if (strcmp(name, ANVIL_REQ_LOOKUP) == 0)
	return (ANVIL_OP_LOOKUP);
    if (strcmp(name, ANVIL_REQ_STATS) == 0)
	return (ANVIL_OP_STATS);
    return (0);
}

/* anvil_ident_ok - 1..ANVIL_IDENT_MAX bytes of printable ASCII */

static int anvil_ident_ok(const char *ident)
{
    size_t  len = strlen(ident);
    size_t  i;

    if (len == 0 || len > ANVIL_IDENT_MAX)
	return (0);
    for (i = 0; i < len; i++)
	if (ident[i] <= ' ' || ident[i] > '~')
	    return (0);
    return (1);
}

/* anvil_event_ok - 1..ANVIL_EVENT_MAX bytes of [a-z0-9_:.-] */

static int anvil_event_ok(const char *event)
{
    size_t  len = strlen(event);

    return (len > 0 && len <= ANVIL_EVENT_MAX
	    && strspn(event, "abcdefghijklmnopqrstuvwxyz0123456789_:.-") == len);
}

/* anvil_request_check - the parsed list as a request */

static long anvil_request_check(const ATTR_LIST *list, long used, ANVIL_REQUEST *req,
				        DSTR *why)
{
    const char *name = attr_get_str(list, ANVIL_ATTR_REQUEST);
    const char *ident = attr_get_str(list, ANVIL_ATTR_IDENT);
    const char *event = attr_get_str(list, ANVIL_ATTR_EVENT);

    if ((req->op = anvil_request_op(name)) == 0) {
	dstr_sprintf(why, name ? "unknown request" : "request without a name");
	return (ANVIL_PARSE_BAD);
    }
    if (ident == NULL || !anvil_ident_ok(ident)) {
	dstr_sprintf(why, "%s request with a %s ident", name,
		     ident == NULL ? "missing" : "malformed");
	return (ANVIL_PARSE_BAD);
    }
    if (event != NULL && (req->op != ANVIL_OP_DISCONNECT || !anvil_event_ok(event))) {
	dstr_sprintf(why, "%s request with a %s event", name,
		     req->op != ANVIL_OP_DISCONNECT ? "misplaced" : "malformed");
	return (ANVIL_PARSE_BAD);
    }
    dstr_strcpy(req->ident, ident);
    dstr_strcpy(req->event, event ? event : "");
    return (used);
}

/* anvil_request_parse - one request from the start of buf */

long    anvil_request_parse(const char *buf, size_t len, ANVIL_REQUEST *req, DSTR *why)
{
    ATTR_LIST *list = attr_list_new();
    long    n;

    n = attr_parse(buf, len > ANVIL_REQUEST_MAX ? ANVIL_REQUEST_MAX : len, list,
		   ANVIL_ATTR_LEN_MAX, ANVIL_ATTR_COUNT_MAX);
    if (n > 0) {
	n = anvil_request_check(list, n, req, why);
    } else if (n == 0 && len < ANVIL_REQUEST_MAX) {
	n = ANVIL_PARSE_MORE;
    } else {
	dstr_sprintf(why, "%s", n == 0 ? "request too long" : attr_strerror((int) n));
	n = ANVIL_PARSE_BAD;
    }
    attr_list_free(list);
    return (n);
}

/* anvil_request_apply - do it, and say how it went */

void    anvil_request_apply(ANVIL_TABLE *table, ANVIL_OWNER *owner,
			            const ANVIL_REQUEST *req, time_t now, DSTR *out)
{
    const char *ident = dstr_str(req->ident);
    DSTR   *text;
    int     count = -1;
    int     status;

    switch (req->op) {
    case ANVIL_OP_CONNECT:
	status = (count = anvil_connect(table, owner, ident, now)) < 0 ?
	    ANVIL_STAT_REFUSED : ANVIL_STAT_OK;
	if (status == ANVIL_STAT_OK)
	    anvil_count(table, "connect");
	break;
    case ANVIL_OP_DISCONNECT:
	status = anvil_disconnect(table, owner, ident) < 0 ?
	    ANVIL_STAT_REFUSED : ANVIL_STAT_OK;
	/* The event happened whatever anvil held for the stream. */
	if (dstr_len(req->event) > 0)
	    anvil_count(table, dstr_str(req->event));
	break;
    case ANVIL_OP_STATS:
	text = dstr_new(256);
	anvil_counters_text(table, text);
	attr_put_long(out, ANVIL_ATTR_STATUS, ANVIL_STAT_OK);
	attr_put_str(out, ANVIL_ATTR_TEXT, dstr_str(text));
	attr_put_end(out);
	dstr_free(text);
	return;
    default:					/* ANVIL_OP_LOOKUP */
	count = anvil_lookup(table, ident);
	status = ANVIL_STAT_OK;
	break;
    }
    attr_put_long(out, ANVIL_ATTR_STATUS, status);
    if (count >= 0)
	attr_put_long(out, ANVIL_ATTR_COUNT, count);
    attr_put_end(out);
}
