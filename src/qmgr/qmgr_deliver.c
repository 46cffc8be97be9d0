/*
 * qmgr_deliver - conversations with delivery agents
 * DESCRIPTION
 *	For a transport with work, qmgr connects to private/<transport>;
 *	master spawns an agent when none is idle. Only when the agent says
 *	it is ready does qmgr pick the entry to send (late binding, docs/
 *	scheduler.md §3.2), so the choice uses the state of that moment. All
 *	of it is non-blocking, driven by the event loop: qmgr never waits for
 *	a delivery. A transport whose agent cannot be reached, or hangs up
 *	before it says it is ready, is dead for transport_retry_time and its
 *	mail is deferred meanwhile (§4.8). With transport_rate_delay, qmgr
 *	waits that long between the agent's "ready" and the selection.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qmgr.h"
#include "attr.h"
#include "bounce_client.h"
#include "cfg.h"
#include "cfg_params.h"
#include "deliver_request.h"
#include "delivery_log.h"
#include "evloop.h"
#include "htable.h"
#include "msg.h"
#include "mymalloc.h"
#include "sockutil.h"
#include "spool.h"

#define QMGR_GROUP_NAME_MAX	255	/* an exchanger group name, as smtp sends it */
#define QMGR_GROUP_TTL_MAX	3600	/* seconds a group may be kept */
#define AGENT_WAIT_READY	0
#define AGENT_WRITING		1
#define AGENT_WAIT_REPLY	2

typedef struct QMGR_AGENT {
    SCHED_TRANSPORT *transport;
    SCHED_ENTRY *entry;
    int     fd;
    int     state;
    EVLOOP_TIMER rate_timer;		/* transport_rate_delay before selecting */
    DSTR   *in;
    DSTR   *out;
    size_t  out_off;
    int     asked;			/* the agent asked about the group (§10a) */
    int     requeue;			/* ... and was told not to go on */
} QMGR_AGENT;

/* Per-transport parameters: <transport>_suffix, else the fallback (§4.1). */
typedef struct QMGR_CONF_PARAM {
    const char *suffix;
    const char *fallback;
    int     (*lookup) (const char *, const char *, int *, DSTR *);
    size_t  offset;
} QMGR_CONF_PARAM;

#define QMGR_CONF_INT(sfx, fb, field) \
    {sfx, fb, cfg_lookup_int, offsetof(SCHED_TRANSPORT_CONF, field)}
#define QMGR_CONF_TIME(sfx, fb, field) \
    {sfx, fb, cfg_lookup_time, offsetof(SCHED_TRANSPORT_CONF, field)}

static const QMGR_CONF_PARAM qmgr_conf_params[] = {
    QMGR_CONF_INT("destination_concurrency_limit", "default_destination_concurrency_limit",
		  dest_concurrency_limit),
    QMGR_CONF_INT("initial_destination_concurrency", "initial_destination_concurrency",
		  init_dest_concurrency),
    QMGR_CONF_INT("destination_recipient_limit", "default_destination_recipient_limit",
		  dest_recipient_limit),
    QMGR_CONF_INT("destination_concurrency_failed_cohort_limit",
		  "default_destination_concurrency_failed_cohort_limit", cohort_limit),
    QMGR_CONF_TIME("destination_rate_delay", "default_destination_rate_delay",
		   dest_rate_delay),
    QMGR_CONF_TIME("transport_rate_delay", "default_transport_rate_delay",
		   transport_rate_delay),
    QMGR_CONF_INT("recipient_limit", "default_recipient_limit", recipient_limit),
    QMGR_CONF_INT("extra_recipient_limit", "default_extra_recipient_limit",
		  extra_recipient_limit),
    QMGR_CONF_INT("recipient_refill_limit", "default_recipient_refill_limit", refill_limit),
    QMGR_CONF_TIME("recipient_refill_delay", "default_recipient_refill_delay", refill_delay),
    QMGR_CONF_INT("delivery_slot_cost", "default_delivery_slot_cost", slot_cost),
    QMGR_CONF_INT("delivery_slot_discount", "default_delivery_slot_discount", slot_discount),
    QMGR_CONF_INT("delivery_slot_loan", "default_delivery_slot_loan", slot_loan),
    QMGR_CONF_INT("minimum_delivery_slots", "default_minimum_delivery_slots", min_slots),
    QMGR_CONF_INT("mx_group_concurrency_limit", "smtp_mx_group_concurrency_limit",
		  group_concurrency_limit),
    QMGR_CONF_TIME("mx_group_rate_delay", "smtp_mx_group_rate_delay", group_rate_delay),
    {0},
};

/* qmgr_conf_feedback - a feedback parameter; a bad value is logged, 1 used */

static void qmgr_conf_feedback(const char *transport, const char *which, SCHED_FEEDBACK *fb)
{
    DSTR   *param = dstr_new(64);
    DSTR   *fallback = dstr_new(64);
    const char *value;

    dstr_sprintf(param, "%s_destination_concurrency_%s_feedback", transport, which);
    dstr_sprintf(fallback, "default_destination_concurrency_%s_feedback", which);
    if ((value = cfg_lookup(dstr_str(param))) == NULL) {
	value = cfg_lookup(dstr_str(fallback));
	dstr_strcpy(param, dstr_str(fallback));
    }
    if (value != NULL && sched_feedback_parse(value, fb) < 0) {
	msg_warn("parameter %s: bad value \"%s\" (a number, a/b or a/concurrency) "
		 "-- using 1", dstr_str(param), value);
	fb->value = 1;
	fb->per_window = 0;
    }
    dstr_free(param);
    dstr_free(fallback);
}

/* qmgr_transport_conf - per-transport settings with their default_ fallbacks */

void    qmgr_transport_conf(void *ctx, const char *name, SCHED_TRANSPORT_CONF *conf)
{
    const QMGR_CONF_PARAM *cp;
    DSTR   *param = dstr_new(64);
    DSTR   *err = dstr_new(64);

    (void) ctx;
    for (cp = qmgr_conf_params; cp->suffix; cp++) {
	dstr_sprintf(param, "%s_%s", name, cp->suffix);
	if (cp->lookup(dstr_str(param), cp->fallback, (int *) ((char *) conf + cp->offset),
		       err) < 0)
	    msg_warn("%s -- using the default", dstr_str(err));
    }
    qmgr_conf_feedback(name, "positive", &conf->pos_feedback);
    qmgr_conf_feedback(name, "negative", &conf->neg_feedback);
    dstr_free(param);
    dstr_free(err);
}

/* qmgr_defer_entry - SCHED_OPS defer_entry: a deferral for each recipient, no delivery */

void    qmgr_defer_entry(void *ctx, SCHED_ENTRY *e, const char *dsn, const char *reason)
{
    QMGR_MESSAGE *msg = e->message->owner;
    DELIVERY_TIMES t;
    BOUNCE_RCPT br;
    DSTR   *err = dstr_new(64);
    size_t  i;

    (void) ctx;
    memset(&t, 0, sizeof(t));
    t.arrival = msg->arrival;
    t.active = msg->active_time;
    t.done = qmgr_now();
    memset(&br, 0, sizeof(br));
    br.status = dsn;
    br.action = "delayed";
    br.remote_mta = "";
    br.diagnostic = "";
    br.reason = reason;
    for (i = 0; i < e->nrcpt; i++) {
	br.address = e->rcpts[i].address;
	br.offset = e->rcpts[i].offset;
	if (bounce_log(BOUNCE_LOG_DEFER, msg->qid, &br, err) < 0 && msg_verbose)
	    msg_info("%s: defer log: %s", msg->qid, dstr_str(err));
	delivery_log(msg->qid, e->rcpts[i].address, "none", 0, &t, dsn, "deferred", reason);
    }
    msg->last_transport = sched_transport_name(sched_entry_transport(e));
    qmgr_stats_add(msg->last_transport, QMGR_STAT_DEFERRED, (long) e->nrcpt);
    msg->rcpt_deferred += (long) e->nrcpt;
    qmgr_message_defer(msg, sched_entry_retry_at(e));
    dstr_free(err);
}

/* qmgr_agent_free - close and forget */

static void qmgr_agent_free(QMGR_AGENT *a)
{
    evloop_timer_cancel(&a->rate_timer);
    evloop_forget(a->fd);
    close(a->fd);
    dstr_free(a->in);
    dstr_free(a->out);
    free(a);
    qmgr_kick();
}

/* qmgr_agent_read - append what the agent sent; 0 EOF, -1 error, 1 data/again */

static int qmgr_agent_read(QMGR_AGENT *a)
{
    ssize_t n;

    for (;;) {
	n = read(a->fd, dstr_space(a->in, 4096), 4096);
	if (n > 0) {
	    dstr_addlen(a->in, (size_t) n);
	    if (dstr_len(a->in) > 65536)
		return (-1);			/* an agent never says that much */
	    continue;
	}
	if (n == 0)
	    return (0);
	if (errno == EAGAIN || errno == EWOULDBLOCK)
	    return (1);
	if (errno != EINTR)
	    return (-1);
    }
}

/* qmgr_agent_crashed - the agent went away without an answer */

static void qmgr_agent_crashed(QMGR_AGENT *a, const char *why)
{
    QMGR_MESSAGE *msg = a->entry->message->owner;

    msg_warn("%s: %s delivery agent for %s: %s", msg->qid,
	     sched_transport_name(a->transport), sched_entry_nexthop(a->entry), why);
    qmgr_message_defer(msg, 0);
    qmgr_clock();
    sched_entry_done(qmgr_sched, a->entry, SCHED_DONE_CRASH, NULL, NULL);
    qmgr_agent_free(a);
}

/* qmgr_agent_unreachable - the request never reached the agent (§3.2) */

static void qmgr_agent_unreachable(QMGR_AGENT *a, const char *why)
{
    msg_warn("delivery agent %s: %s: %m", sched_transport_name(a->transport), why);
    qmgr_clock();
    sched_entry_unselect(qmgr_sched, a->entry);	/* back where it was */
    a->entry = NULL;
    sched_transport_unlock(a->transport);
    sched_transport_dead(qmgr_sched, a->transport, "mail transport unavailable");
    qmgr_agent_free(a);
}

/*
 * qmgr_agent_group - the exchanger group the agent found for the entry's
 * next hop (smtp_mx_group_maps): a name without blanks or controls, of a
 * host name's length at most, kept up to an hour.
 */
static void qmgr_agent_group(QMGR_AGENT *a, const ATTR_LIST *reply)
{
    const char *group = attr_get_str(reply, "mx_group");
    const char *cp;
    long    ttl;

    if (group == NULL || *group == 0 || strlen(group) > QMGR_GROUP_NAME_MAX
	|| attr_get_long(reply, "mx_group_ttl", &ttl, 0, QMGR_GROUP_TTL_MAX) < 0)
	return;
    for (cp = group; *cp; cp++)
	if ((unsigned char) *cp <= ' ' || *cp == 0x7f)
	    return;
    sched_group_learn(qmgr_sched, sched_entry_nexthop(a->entry), group, ttl);
}

/*
 * qmgr_agent_throttle - the agent met a provider's rate-limit reply that
 * smtp_reply_throttle_maps names (docs/scheduler.md §10a): throttle the
 * exchanger group. 1 when the reply was one (the delivery then gives no
 * concurrency feedback: the provider said what it wants), else 0. An
 * action qmgr cannot parse is logged and ignored: smtp checked it already.
 */
static int qmgr_agent_throttle(QMGR_AGENT *a, const ATTR_LIST *reply)
{
    const char *action = attr_get_str(reply, "throttle");
    const char *text = attr_get_str(reply, "throttle_reply");
    THROTTLE_ACTION act;
    DSTR   *why;
    int     ok;

    if (action == NULL || *action == 0)
	return (0);
    why = dstr_new(64);
    if ((ok = throttle_action_parse(action, &act, why)) < 0)
	msg_warn("delivery agent %s: bad throttle \"%s\": %s",
		 sched_transport_name(a->transport), action, dstr_str(why));
    else
	(void) sched_group_throttle(qmgr_sched, a->entry, &act, text ? text : "");
    dstr_free(why);
    return (ok == 0);
}

/*
 * qmgr_agent_ask - the agent found the exchanger group of a next hop whose
 * group was unknown, before connecting anywhere: learn it, and say whether
 * the delivery fits in the group's window (docs/scheduler.md §10a). When
 * it does not, the agent leaves every recipient as it was and the entry
 * goes back to its queue when the agent's final reply comes.
 */
static void qmgr_agent_ask(QMGR_AGENT *a, const ATTR_LIST *ask, size_t used)
{
    DSTR   *answer;
    int     proceed;

    if (a->asked || used != dstr_len(a->in)) {
	qmgr_agent_crashed(a, "protocol error: unexpected question");
	return;
    }
    a->asked = 1;
    DSTR_RESET(a->in);
    qmgr_clock();
    qmgr_agent_group(a, ask);
    proceed = sched_entry_admit(qmgr_sched, a->entry);
    answer = dstr_new(32);
    deliver_answer_encode(answer, proceed);
    /* A few bytes to an agent that waits for them: the socket takes them. */
    if (write(a->fd, dstr_str(answer), dstr_len(answer)) != (ssize_t) dstr_len(answer)) {
	dstr_free(answer);
	qmgr_agent_crashed(a, "write error");
	return;
    }
    dstr_free(answer);
    a->requeue = !proceed;
}

/* qmgr_agent_stats - the agent's count of recipients sent, bounced, deferred */

static void qmgr_agent_stats(QMGR_AGENT *a, const ATTR_LIST *reply)
{
    static const struct {
	const char *attr;
	int     what;
    } counts[] = {
	{"sent", QMGR_STAT_SENT},
	{"bounced", QMGR_STAT_BOUNCED},
	{"deferred", QMGR_STAT_DEFERRED},
    };
    QMGR_MESSAGE *msg = a->entry->message->owner;
    long    n;
    size_t  i;

    for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
	/* An agent speaks only of the recipients it was given. */
	if (attr_get_long(reply, counts[i].attr, &n, 0, (long) a->entry->nrcpt) < 0)
	    continue;
	qmgr_stats_add(sched_transport_name(a->transport), counts[i].what, n);
	if (counts[i].what == QMGR_STAT_DEFERRED && n > 0) {
	    msg->rcpt_deferred += n;
	    msg->last_transport = sched_transport_name(a->transport);
	}
    }
}

/* qmgr_agent_reply_event - the agent's verdict */

static void qmgr_agent_reply_event(int fd, void *ctx)
{
    QMGR_AGENT *a = ctx;
    ATTR_LIST *reply;
    const char *hop_reason;
    long    status;
    long    used;
    int     rc;
    int     throttled;

    (void) fd;
    if ((rc = qmgr_agent_read(a)) < 0) {
	qmgr_agent_crashed(a, "read error");
	return;
    }
    reply = attr_list_new();
    used = attr_parse(dstr_str(a->in), dstr_len(a->in), reply, ATTR_MAX_LEN, 16);
    if (used == 0 && rc > 0) {			/* need more */
	attr_list_free(reply);
	return;
    }
    if (used > 0 && attr_get_str(reply, "ask") != NULL) {
	qmgr_agent_ask(a, reply, (size_t) used);
	attr_list_free(reply);
	return;
    }
    if (used <= 0 || attr_get_long(reply, "status", &status, 0, 1) < 0) {
	attr_list_free(reply);
	qmgr_agent_crashed(a, used == 0 ? "lost connection" : "malformed reply");
	return;
    }
    /* A hop status means the destination itself failed: negative feedback (§4.4). */
    hop_reason = attr_get_str(reply, "hop_reason");
    if (hop_reason != NULL && *hop_reason == 0)
	hop_reason = NULL;
    qmgr_clock();
    if (a->requeue) {				/* it touched nothing: take it back */
	sched_entry_unselect(qmgr_sched, a->entry);
	a->entry = NULL;
	sched_transport_unlock(a->transport);
	attr_list_free(reply);
	qmgr_agent_free(a);
	return;
    }
    qmgr_agent_group(a, reply);
    qmgr_agent_stats(a, reply);
    throttled = qmgr_agent_throttle(a, reply);
    if (status == DELIVER_STAT_DEFER)
	qmgr_message_defer(a->entry->message->owner,
			   throttled ? sched_entry_retry_at(a->entry) : 0);
    sched_entry_done(qmgr_sched, a->entry, throttled ? SCHED_DONE_THROTTLED :
		     status == DELIVER_STAT_OK ? SCHED_DONE_OK : SCHED_DONE_DEFER,
		     attr_get_str(reply, "hop_status"), hop_reason);
    attr_list_free(reply);
    qmgr_agent_free(a);
}

/* qmgr_agent_write_event - send the request as the socket takes it */

static void qmgr_agent_write_event(int fd, void *ctx)
{
    QMGR_AGENT *a = ctx;
    ssize_t n;

    while (a->out_off < dstr_len(a->out)) {
	n = write(fd, dstr_str(a->out) + a->out_off, dstr_len(a->out) - a->out_off);
	if (n < 0) {
	    if (errno == EAGAIN || errno == EWOULDBLOCK) {
		evloop_write(fd, qmgr_agent_write_event, a);
		return;
	    }
	    if (errno == EINTR)
		continue;
	    qmgr_agent_unreachable(a, "write error");
	    return;
	}
	a->out_off += (size_t) n;
    }
    evloop_write_off(fd);
    a->state = AGENT_WAIT_REPLY;
    DSTR_RESET(a->in);
    evloop_read(fd, qmgr_agent_reply_event, a);
}

/* qmgr_agent_request - the entry as a delivery request */

static void qmgr_agent_request(QMGR_AGENT *a)
{
    SCHED_ENTRY *e = a->entry;
    QMGR_MESSAGE *msg = e->message->owner;
    DELIVER_REQUEST *req = deliver_request_new();
    size_t  i;

    req->queue_name = mystrdup(SPOOL_ACTIVE);
    req->queue_id = mystrdup(msg->qid);
    req->content_offset = msg->content_offset;
    req->content_size = msg->content_size;
    req->arrival_time = msg->arrival;
    req->active_time = msg->active_time;
    req->request_time = qmgr_now();
    req->sender = mystrdup(msg->sender);
    strcpy(req->verp, msg->verp);
    req->transport = mystrdup(sched_transport_name(a->transport));
    req->nexthop = mystrdup(sched_entry_nexthop(e));
    req->flags = sched_queue_backlog(e) ? DELIVER_FLAG_CACHE : 0;
    if (sched_entry_group_unknown(e))
	req->flags |= DELIVER_FLAG_GROUP_ASK;
    for (i = 0; i < e->nrcpt; i++)
	deliver_request_add_rcpt(req, e->rcpts[i].address, e->rcpts[i].offset);
    deliver_request_encode(a->out, req);
    deliver_request_free(req);
}

/* qmgr_agent_select - bind an entry to the agent now (late binding, §3.2) */

static void qmgr_agent_select(QMGR_AGENT *a)
{
    qmgr_clock();
    if ((a->entry = sched_select(qmgr_sched, a->transport)) == NULL) {
	sched_transport_unlock(a->transport);
	qmgr_agent_free(a);			/* nothing left to do meanwhile */
	return;
    }
    a->state = AGENT_WRITING;
    qmgr_agent_request(a);
    qmgr_agent_write_event(a->fd, a);
}

/* qmgr_agent_rate_event - transport_rate_delay has passed */

static void qmgr_agent_rate_event(void *ctx)
{
    qmgr_agent_select(ctx);
}

/* qmgr_agent_ready_event - the agent is there */

static void qmgr_agent_ready_event(int fd, void *ctx)
{
    QMGR_AGENT *a = ctx;
    ATTR_LIST *ready = attr_list_new();
    long    used;
    int     rc;
    int     delay;

    rc = qmgr_agent_read(a);
    used = attr_parse(dstr_str(a->in), dstr_len(a->in), ready, ATTR_MAX_LEN, 16);
    attr_list_free(ready);
    if (used == 0 && rc > 0)
	return;					/* need more */
    sched_agent_settled(a->transport);
    if (used <= 0) {
	/* As unusable as a socket nobody listens on (§4.8): master throttles
	 * a service whose processes die at start and closes what connects. */
	msg_warn("delivery agent %s did not say it was ready", sched_transport_name(a->transport));
	sched_transport_unlock(a->transport);
	qmgr_clock();
	sched_transport_dead(qmgr_sched, a->transport, "mail transport unavailable");
	qmgr_agent_free(a);
	return;
    }
    evloop_read_off(fd);
    if ((delay = sched_transport_rate_delay(a->transport)) > 0)
	evloop_timer_set(&a->rate_timer, qmgr_agent_rate_event, a, delay * 1000LL);
    else
	qmgr_agent_select(a);
}

/* qmgr_deliver_start - ask for one agent for transport t */

void    qmgr_deliver_start(SCHED_TRANSPORT *t)
{
    DSTR   *path = dstr_new(64);
    QMGR_AGENT *a;
    int     fd;

    spool_service_path(path, 1, sched_transport_name(t));
    if ((fd = sock_unix_connect(dstr_str(path))) < 0) {
	msg_warn("connect to transport %s: %m", dstr_str(path));
	qmgr_clock();
	sched_transport_dead(qmgr_sched, t, "mail transport unavailable");
	dstr_free(path);
	return;
    }
    dstr_free(path);
    (void) sock_nonblock(fd, 1);
    a = mycalloc(1, sizeof(*a));
    a->transport = t;
    a->fd = fd;
    a->in = dstr_new(256);
    a->out = dstr_new(1024);
    a->state = AGENT_WAIT_READY;
    sched_agent_asked(t);
    evloop_read(fd, qmgr_agent_ready_event, a);
}
