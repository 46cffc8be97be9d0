/* deliver_request - qmgr asks a delivery agent (smtp) to deliver one batch of recipients */
#ifndef DELIVER_REQUEST_H
#define DELIVER_REQUEST_H
#include <stddef.h>
#include "dstr.h"
#include "ios.h"

/*
 * The conversation on private/<transport> (one request per connection):
 *   agent -> qmgr: attribute list "status=0" once it has accepted the
 *                  connection and is ready (qmgr binds the request late,
 *                  when an agent is really there);
 *   qmgr -> agent: header attributes (below), then one attribute list per
 *                  recipient ("offset=N", "address=A"), then an empty list;
 *   agent -> qmgr: "status" (DELIVER_STAT_*), "hop_status", "hop_reason",
 *                  and, when the agent looked up the next hop, "mx_group"
 *                  (its exchanger group) and "mx_group_ttl" (seconds),
 *                  and "sent", "bounced", "deferred": how many recipients
 *                  of the request ended each way.
 * The agent records every recipient's fate itself before it answers:
 * delivered recipients are marked done in the queue file, deferred ones
 * are in the defer log, bounced ones are durable in the bounce log and
 * then marked done (docs/design.md invariant 3).
 */
#define DELIVER_STAT_OK		0	/* every recipient finished (sent or bounced) */
#define DELIVER_STAT_DEFER	1	/* at least one recipient must be retried */

#define DELIVER_FLAG_CACHE	(1<<0)	/* the destination has more mail waiting:
					 * keep the connection for reuse */
#define DELIVER_FLAG_GROUP_ASK	(1<<1)	/* the exchanger group is not known: ask
					 * (deliver_ask) before connecting */

typedef struct DELIVER_RCPT {
    char   *address;
    long    offset;			/* record offset in the queue file */
} DELIVER_RCPT;

typedef struct DELIVER_REQUEST {
    char   *queue_name;			/* "active" */
    char   *queue_id;
    long    content_offset;		/* from the queue file's size record */
    long    content_size;
    double  arrival_time;		/* when the message was queued first */
    double  active_time;		/* when it last entered the active queue */
    double  request_time;		/* when qmgr sent this request */
    char   *sender;			/* unexpanded, as queued */
    char    verp[3];			/* "" unless VERP */
    char   *transport;			/* master.cf service name, e.g. "smtp" */
    char   *nexthop;			/* "domain", "[host]:port", "host:port" */
    int     flags;			/* DELIVER_FLAG_* */
    DELIVER_RCPT *rcpts;
    size_t  nrcpt;
    size_t  rcpt_cap;
} DELIVER_REQUEST;

extern DELIVER_REQUEST *deliver_request_new(void);
extern void deliver_request_free(DELIVER_REQUEST *req);
extern void deliver_request_add_rcpt(DELIVER_REQUEST *req, const char *address, long offset);
/* Encode a whole request (header and recipients) onto out. */
extern void deliver_request_encode(DSTR *out, const DELIVER_REQUEST *req);
/* Read a request from a stream; 0, or -1 with a reason in err (malformed,
 * missing attribute, a limit passed, end of file). */
extern int deliver_request_read(IOS *ios, DELIVER_REQUEST *req, DSTR *err);
/* An agent's final answer (strings NULL or "" when there is nothing to say). */
typedef struct DELIVER_REPLY {
    int     status;			/* DELIVER_STAT_* */
    const char *hop_status;		/* the destination failed: its DSN code */
    const char *hop_reason;		/* ... and why */
    const char *mx_group;		/* exchanger group of the next hop */
    long    mx_group_ttl;		/* seconds it may be kept */
    const char *throttle;		/* smtp_reply_throttle_maps' action */
    const char *throttle_reply;		/* the reply that called for it */
    long    sent;			/* recipients of this request sent, */
    long    bounced;			/* bounced and deferred (qmgr's delivery */
    long    deferred;			/* totals, posthorn metrics) */
} DELIVER_REPLY;

extern void deliver_reply_encode(DSTR *out, const DELIVER_REPLY *reply);
/*
 * The exchanger group question (docs/scheduler.md §10a): an agent that got
 * DELIVER_FLAG_GROUP_ASK and found the next hop's group sends it before
 * it connects anywhere, and waits for the answer: proceed, or leave every
 * recipient as it is (the queue manager takes the request back and
 * delivers it when the group has room). deliver_ask_read: 1 proceed, 0
 * not, -1 on a broken answer (treat as proceed: the limit is advisory).
 */
extern void deliver_ask_encode(DSTR *out, const char *mx_group, long mx_group_ttl);
extern void deliver_answer_encode(DSTR *out, int proceed);
extern int deliver_ask_read(IOS *ios);

/* The agent's "ready" greeting. */
extern void deliver_ready_encode(DSTR *out);

#endif
