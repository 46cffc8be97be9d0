/*
 * deliver_request - the qmgr-to-delivery-agent request
 * DESCRIPTION
 *	Encoding and decoding of delivery requests (deliver_request.h) in
 *	the internal attribute protocol. The reader checks every attribute
 *	it needs and bounds the recipient count, so an agent never acts on a
 *	half-understood request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deliver_request.h"
#include "attr.h"
#include "mymalloc.h"
#include "msg.h"
#include "qid.h"
#include "spool.h"

#define DELIVER_MAX_RCPT	100000	/* one request, sanity bound */

/* deliver_request_new - empty request */

DELIVER_REQUEST *deliver_request_new(void)
{
    return (mycalloc(1, sizeof(DELIVER_REQUEST)));
}

/* deliver_request_free - release */

void    deliver_request_free(DELIVER_REQUEST *req)
{
    size_t  i;

    for (i = 0; i < req->nrcpt; i++)
	free(req->rcpts[i].address);
    free(req->rcpts);
    free(req->queue_name);
    free(req->queue_id);
    free(req->sender);
    free(req->transport);
    free(req->nexthop);
    free(req);
}

/* deliver_request_add_rcpt - one more recipient */

void    deliver_request_add_rcpt(DELIVER_REQUEST *req, const char *address, long offset)
{
    if (req->nrcpt == req->rcpt_cap) {
	req->rcpt_cap = req->rcpt_cap ? 2 * req->rcpt_cap : 8;
	req->rcpts = myrealloc(req->rcpts, req->rcpt_cap * sizeof(DELIVER_RCPT));
    }
    req->rcpts[req->nrcpt].address = mystrdup(address);
    req->rcpts[req->nrcpt].offset = offset;
    req->nrcpt++;
}

/* deliver_put_time - a time stamp with microseconds */

static void deliver_put_time(DSTR *out, const char *name, double when)
{
    char    buf[64];

    snprintf(buf, sizeof(buf), "%.6f", when);
    attr_put_str(out, name, buf);
}

/* deliver_request_encode - header, recipients, end */

void    deliver_request_encode(DSTR *out, const DELIVER_REQUEST *req)
{
    size_t  i;

    attr_put_str(out, "queue_name", req->queue_name);
    attr_put_str(out, "queue_id", req->queue_id);
    attr_put_long(out, "content_offset", req->content_offset);
    attr_put_long(out, "content_size", req->content_size);
    deliver_put_time(out, "arrival_time", req->arrival_time);
    deliver_put_time(out, "active_time", req->active_time);
    deliver_put_time(out, "request_time", req->request_time);
    attr_put_str(out, "sender", req->sender);
    attr_put_str(out, "verp_delimiters", req->verp);
    attr_put_str(out, "transport", req->transport);
    attr_put_str(out, "nexthop", req->nexthop);
    attr_put_long(out, "flags", req->flags);
    attr_put_end(out);
    for (i = 0; i < req->nrcpt; i++) {
	attr_put_long(out, "offset", req->rcpts[i].offset);
	attr_put_str(out, "address", req->rcpts[i].address);
	attr_put_end(out);
    }
    attr_put_end(out);
}

/* deliver_get - a required string attribute */

static char *deliver_get(const ATTR_LIST *list, const char *name, DSTR *err)
{
    const char *val = attr_get_str(list, name);

    if (val == NULL) {
	if (dstr_len(err) == 0)
	    dstr_sprintf(err, "delivery request without %s", name);
	return (NULL);
    }
    return (mystrdup(val));
}

/* deliver_get_time - a required time stamp */

static double deliver_get_time(const ATTR_LIST *list, const char *name, DSTR *err)
{
    const char *val = attr_get_str(list, name);
    char   *end;
    double  t;

    if (val == NULL || (t = strtod(val, &end), *end != 0) || t < 0) {
	if (dstr_len(err) == 0)
	    dstr_sprintf(err, "delivery request with bad or no %s", name);
	return (0);
    }
    return (t);
}

/* deliver_request_header - the first attribute list */

static int deliver_request_header(const ATTR_LIST *h, DELIVER_REQUEST *req, DSTR *err)
{
    const char *verp;
    long    flags;

    req->queue_name = deliver_get(h, "queue_name", err);
    req->queue_id = deliver_get(h, "queue_id", err);
    req->sender = deliver_get(h, "sender", err);
    req->transport = deliver_get(h, "transport", err);
    req->nexthop = deliver_get(h, "nexthop", err);
    req->arrival_time = deliver_get_time(h, "arrival_time", err);
    req->active_time = deliver_get_time(h, "active_time", err);
    req->request_time = deliver_get_time(h, "request_time", err);
    if (dstr_len(err))
	return (-1);
    if (!qid_valid(req->queue_id) || !spool_message_queue(req->queue_name)) {
	dstr_sprintf(err, "delivery request with a bad queue name or id");
	return (-1);
    }
    if (attr_get_long(h, "content_offset", &req->content_offset, 1, 0x7fffffffffffL) < 0
	|| attr_get_long(h, "content_size", &req->content_size, 0, 0x7fffffffffffL) < 0
	|| attr_get_long(h, "flags", &flags, 0, 0xffff) < 0) {
	dstr_sprintf(err, "delivery request with bad numbers");
	return (-1);
    }
    req->flags = (int) flags;
    verp = attr_get_str(h, "verp_delimiters");
    if (verp && *verp && strlen(verp) != 2) {
	dstr_sprintf(err, "delivery request with bad VERP delimiters");
	return (-1);
    }
    strcpy(req->verp, verp ? verp : "");
    return (0);
}

/* deliver_request_read - decode */

int     deliver_request_read(IOS *ios, DELIVER_REQUEST *req, DSTR *err)
{
    ATTR_LIST *list = attr_list_new();
    const char *addr;
    long    offset;
    int     rc;
    int     ret = -1;

    DSTR_RESET(err);
    if ((rc = attr_read(ios, list, ATTR_MAX_LEN, 64)) != ATTR_OK) {
	dstr_sprintf(err, "reading delivery request: %s", attr_strerror(rc));
	goto out;
    }
    if (deliver_request_header(list, req, err) < 0)
	goto out;
    for (;;) {
	if ((rc = attr_read(ios, list, ATTR_MAX_LEN, 8)) != ATTR_OK) {
	    dstr_sprintf(err, "reading recipients: %s", attr_strerror(rc));
	    goto out;
	}
	if (list->count == 0)
	    break;
	if ((addr = attr_get_str(list, "address")) == NULL
	    || attr_get_long(list, "offset", &offset, 1, 0x7fffffffffffL) < 0) {
	    dstr_sprintf(err, "delivery request with a malformed recipient");
	    goto out;
	}
	if (req->nrcpt >= DELIVER_MAX_RCPT) {
	    dstr_sprintf(err, "delivery request with too many recipients");
	    goto out;
	}
	deliver_request_add_rcpt(req, addr, offset);
    }
    if (req->nrcpt == 0) {
	dstr_sprintf(err, "delivery request without recipients");
	goto out;
    }
    ret = 0;
out:
    attr_list_free(list);
    return (ret);
}

/* deliver_reply_encode - the agent's answer */

void    deliver_reply_encode(DSTR *out, const DELIVER_REPLY *r)
{
    attr_put_long(out, "status", r->status);
    attr_put_str(out, "hop_status", r->hop_status ? r->hop_status : "");
    attr_put_str(out, "hop_reason", r->hop_reason ? r->hop_reason : "");
    if (r->mx_group && *r->mx_group) {
	attr_put_str(out, "mx_group", r->mx_group);
	attr_put_long(out, "mx_group_ttl", r->mx_group_ttl);
    }
    if (r->throttle && *r->throttle) {
	attr_put_str(out, "throttle", r->throttle);
	attr_put_str(out, "throttle_reply", r->throttle_reply ? r->throttle_reply : "");
    }
    attr_put_long(out, "sent", r->sent);
    attr_put_long(out, "bounced", r->bounced);
    attr_put_long(out, "deferred", r->deferred);
    attr_put_end(out);
}

/* deliver_ask_encode - the agent asks whether to go on with this group */

void    deliver_ask_encode(DSTR *out, const char *mx_group, long mx_group_ttl)
{
    attr_put_str(out, "ask", "mx_group");
    attr_put_str(out, "mx_group", mx_group);
    attr_put_long(out, "mx_group_ttl", mx_group_ttl);
    attr_put_end(out);
}

/* deliver_answer_encode - the queue manager's answer */

void    deliver_answer_encode(DSTR *out, int proceed)
{
    attr_put_long(out, "proceed", proceed ? 1 : 0);
    attr_put_end(out);
}

/* deliver_ask_read - the answer: 1 proceed, 0 not, -1 broken */

int     deliver_ask_read(IOS *ios)
{
    ATTR_LIST *list = attr_list_new();
    long    proceed;
    int     ret = -1;

    if (attr_read(ios, list, 64, 4) == ATTR_OK
	&& attr_get_long(list, "proceed", &proceed, 0, 1) == 0)
	ret = (int) proceed;
    attr_list_free(list);
    return (ret);
}

/* deliver_ready_encode - "I am here" */

void    deliver_ready_encode(DSTR *out)
{
    attr_put_long(out, "status", 0);
    attr_put_end(out);
}
