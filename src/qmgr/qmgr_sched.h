/* qmgr_sched - the scheduling core: transports, destinations, jobs, entries (pure logic) */
#ifndef QMGR_SCHED_H
#define QMGR_SCHED_H
#include <stddef.h>
#include "dstr.h"
#include "throttle_action.h"

/*
 * Object model as in docs/scheduler.md §1: a TRANSPORT has QUEUEs (one per
 * next hop) and JOBs (one per message using the transport); a JOB has
 * PEERs (its share of one QUEUE); an ENTRY is one delivery request: up to
 * destination_recipient_limit recipients of one message for one queue.
 * Nothing here does I/O or reads the clock: the caller passes the time
 * (sched_set_now) and runs the timers the core asks for, so every decision
 * can be unit-tested with an injected clock.
 */
typedef struct SCHED SCHED;
typedef struct SCHED_TRANSPORT SCHED_TRANSPORT;
typedef struct SCHED_QUEUE SCHED_QUEUE;
typedef struct SCHED_JOB SCHED_JOB;
typedef struct SCHED_PEER SCHED_PEER;
typedef struct SCHED_ENTRY SCHED_ENTRY;
typedef struct SCHED_MESSAGE SCHED_MESSAGE;
typedef struct SCHED_GROUP SCHED_GROUP;

typedef struct SCHED_RCPT {
    char   *address;
    long    offset;			/* record offset in the queue file */
} SCHED_RCPT;

/* Concurrency feedback: value per event, divided by the window when per_window. */
typedef struct SCHED_FEEDBACK {
    double  value;
    int     per_window;
} SCHED_FEEDBACK;

/* Parse "1", "0.7", "a/b", "x/concurrency" (scheduler.md §4.2): 0; -1 for anything
 * else, a value outside [0, 1] included, and fb is then set to 1. */
extern int sched_feedback_parse(const char *text, SCHED_FEEDBACK *fb);

/* Per-transport settings, resolved once when the transport is created. */
typedef struct SCHED_TRANSPORT_CONF {
    int     dest_concurrency_limit;	/* 0 = none */
    int     init_dest_concurrency;
    int     dest_recipient_limit;	/* 0 = none */
    SCHED_FEEDBACK pos_feedback;
    SCHED_FEEDBACK neg_feedback;
    int     cohort_limit;		/* failed pseudo-cohorts before dead; 0 never */
    int     dest_rate_delay;		/* seconds */
    int     transport_rate_delay;	/* seconds */
    int     recipient_limit;		/* the transport's recipient pool */
    int     extra_recipient_limit;
    int     refill_limit;
    int     refill_delay;		/* seconds */
    int     slot_cost;			/* 0 or 1: no preemption */
    int     slot_discount;		/* percent */
    int     slot_loan;
    int     min_slots;
    int     group_concurrency_limit;	/* sessions per exchanger group; 0 none */
    int     group_rate_delay;		/* seconds between deliveries to a group */
} SCHED_TRANSPORT_CONF;

/* Postfix's defaults (docs/scheduler.md §8), as transport_conf receives them. */
extern void sched_transport_conf_defaults(SCHED_TRANSPORT_CONF *conf);

/* Global settings. */
typedef struct SCHED_CONF {
    int     rcpt_limit;			/* qmgr_message_recipient_limit */
    int     rcpt_minimum;		/* qmgr_message_recipient_minimum */
    int     dead_time;			/* minimal_backoff_time: dead destination */
    int     transport_retry_time;	/* dead transport */
    int     feedback_debug;		/* log every window change */
} SCHED_CONF;

struct SCHED_MESSAGE {
    void   *owner;			/* the caller's message object */
    const char *id;			/* queue id, for status output */
    double  queued_time;		/* entered the active queue (job order) */
    int     refcount;			/* live entries */
    int     verp;			/* VERP: one transaction per recipient */
    int     flush_dead;			/* imported by a flush: revive a dead
					 * destination or transport it uses */
    long    rcpt_count;			/* recipients in memory */
    long    rcpt_limit;			/* recipient slots it may use */
    long    rcpt_unread;		/* estimate of recipients still in the file */
    double  last_refill;
    SCHED_JOB *jobs;			/* one per transport */
};

struct SCHED_ENTRY {
    SCHED_MESSAGE *message;
    SCHED_QUEUE *queue;
    SCHED_JOB *job;
    SCHED_PEER *peer;			/* NULL once selected */
    SCHED_RCPT *rcpts;
    size_t  nrcpt;
    size_t  cap;
    int     busy;			/* handed to a delivery agent */
    SCHED_ENTRY *next;			/* on queue todo/busy lists */
    SCHED_ENTRY *prev;
    SCHED_ENTRY *peer_next;		/* on the peer's todo list */
};

/* Outcome of one delivery, as the agent reported it (scheduler.md §3.3). */
#define SCHED_DONE_OK		0	/* all recipients finished */
#define SCHED_DONE_DEFER	1	/* some recipients must be retried */
#define SCHED_DONE_CRASH	2	/* the agent died or broke the protocol */
#define SCHED_DONE_THROTTLED	3	/* deferred by a throttle: no feedback */

/* Timer kinds the core asks the caller to run. */
#define SCHED_TIMER_QUEUE	1	/* dead destination revives, rate delay ends */
#define SCHED_TIMER_TRANSPORT	2	/* dead transport revives */
#define SCHED_TIMER_GROUP	3	/* a group's throttle ends */
#define SCHED_TIMER_GROUP_RATE	4	/* a group's rate spacing ends */

/* Ops the core calls back into the caller. */
typedef struct SCHED_OPS {
    /* A transport was created: fill in its configuration. */
    void    (*transport_conf) (void *ctx, const char *name, SCHED_TRANSPORT_CONF *conf);
    /* A message has no live entries left (refcount 0): read more or finalize. */
    void    (*message_idle) (void *ctx, SCHED_MESSAGE *msg);
    /* Read up to limit more recipients of msg now (refill, §5.4): the caller
     * calls sched_add_rcpt for each and sched_read_done at the end. */
    void    (*read_more) (void *ctx, SCHED_MESSAGE *msg, long limit);
    /* Record and log a deferral for every recipient of e, without delivery.
     * The core frees e afterwards. */
    void    (*defer_entry) (void *ctx, SCHED_ENTRY *e, const char *dsn, const char *reason);
    /* Arm (when > 0) or cancel (when == 0) the timer of obj; when it fires
     * the caller calls sched_timer_fired(sched, kind, obj). */
    void    (*timer) (void *ctx, int kind, void *obj, double when);
    /* Log a line (feedback debugging, warnings, throttles). */
    void    (*log) (void *ctx, const char *text);
    /* A group's suspension ended: mail it deferred is due now (may be NULL). */
    void    (*throttle_ended) (void *ctx);
    void   *ctx;
} SCHED_OPS;

extern SCHED *sched_new(const SCHED_CONF *conf, const SCHED_OPS *ops);
extern void sched_free(SCHED *sched);
/* The time of the event being handled; set before every call that follows an event. */
extern void sched_set_now(SCHED *sched, double now);

/* Messages and recipients (§5). */
extern void sched_message_init(SCHED_MESSAGE *msg, void *owner, const char *id,
			               double queued_time, int verp);
/* How many recipients to read now: the first read, or a later one (0: none). */
extern long sched_read_limit(SCHED *sched, SCHED_MESSAGE *msg, int first);
/*
 * Queue one recipient of msg for transport/nexthop: it joins the message's
 * last not-yet-selected entry for that destination if that has room, else
 * a new entry. A recipient for a dead destination or transport is deferred
 * at once (ops->defer_entry). The address is copied. The destination (queue)
 * is the next hop folded to lower case, or, when the transport's
 * destination_recipient_limit is 1, localpart@nexthop without the address
 * extension (§1); sched_entry_nexthop still gives the next hop.
 */
extern void sched_add_rcpt(SCHED *sched, SCHED_MESSAGE *msg, const char *transport,
			           const char *nexthop, const char *address, long offset);
/* A read ended; unread is the estimate of recipients still in the file. */
extern void sched_read_done(SCHED *sched, SCHED_MESSAGE *msg, long unread);
/* The caller is about to free msg (its refcount is 0): the core forgets it. */
extern void sched_message_free(SCHED *sched, SCHED_MESSAGE *msg);
/* Drop every not-yet-selected entry of msg (hold/delete while active). */
extern void sched_message_drop_todo(SCHED *sched, SCHED_MESSAGE *msg);

/* Delivery agents (§3). */
/* Transports that want an agent, round robin: the next one, or NULL. */
extern SCHED_TRANSPORT *sched_next_transport(SCHED *sched);
extern const char *sched_transport_name(const SCHED_TRANSPORT *t);
extern int sched_transport_wants_agent(const SCHED_TRANSPORT *t);
/* An agent was asked for / said it is ready (or never will). */
extern void sched_agent_asked(SCHED_TRANSPORT *t);
extern void sched_agent_settled(SCHED_TRANSPORT *t);
/* Seconds to wait between an agent's "ready" and the selection (transport_rate_delay). */
extern int sched_transport_rate_delay(const SCHED_TRANSPORT *t);
/* No delivery came of an agent request: release the transport's rate lock. */
extern void sched_transport_unlock(SCHED_TRANSPORT *t);
/* An agent is ready: pick the entry to deliver (late binding, §6.3), or NULL. */
extern SCHED_ENTRY *sched_select(SCHED *sched, SCHED_TRANSPORT *t);
/*
 * The agent never got the selected entry (it could not be reached or the
 * request could not be written, §3.2): the entry goes back to the head of
 * its lists, as if never selected; if its transport or destination is dead
 * meanwhile, it is deferred at once. The caller then normally declares the
 * transport dead (sched_transport_dead defers it) and releases the rate lock.
 */
extern void sched_entry_unselect(SCHED *sched, SCHED_ENTRY *e);
/* Whether more mail for the entry's queue is waiting (connection caching hint). */
extern int sched_queue_backlog(const SCHED_ENTRY *e);
extern const char *sched_entry_nexthop(const SCHED_ENTRY *e);
extern SCHED_TRANSPORT *sched_entry_transport(const SCHED_ENTRY *e);
/*
 * The agent reported (or died): feedback (§3.3, §4), slot accounting, free
 * the entry; may call message_idle. hop_reason non-NULL means the destination
 * itself failed (hop status), with hop_dsn its status; it counts only with
 * SCHED_DONE_DEFER.
 */
extern void sched_entry_done(SCHED *sched, SCHED_ENTRY *e, int status,
			             const char *hop_dsn, const char *hop_reason);
/*
 * The agent says nexthop's exchanger group is group, for ttl seconds
 * (docs/scheduler.md §10a, "Exchanger groups"); the same for every transport.
 */
extern void sched_group_learn(SCHED *sched, const char *nexthop, const char *group, long ttl);
/* The group of nexthop as last learned, or NULL when unknown or expired. */
extern const char *sched_group_of(SCHED *sched, const char *nexthop);
/* How many next hops have a group remembered. */
extern long sched_group_count(const SCHED *sched);
/*
 * The agent's reply matched smtp_reply_throttle_maps: apply the action
 * to
 * the exchanger group of e's destination (its next hop's own group when
 * none is known) and log it once. A suspension defers every waiting
 * delivery of the group. 1 when applied; 0 when a throttle at least as
 * strict is already in force (nothing changes, nothing is logged).
 */
extern int sched_group_throttle(SCHED *sched, SCHED_ENTRY *e, const THROTTLE_ACTION *act,
				        const char *reply);
/* Whether the agent should say e's exchanger group before it connects:
 * the destination has none yet and the transport limits groups. */
extern int sched_entry_group_unknown(const SCHED_ENTRY *e);
/*
 * The agent found e's group before connecting (the caller learned it with
 * sched_group_learn): join it, and say whether the delivery, already
 * counted as busy, fits in the group's window (1) or must go back to its
 * queue with sched_entry_unselect (0).
 */
extern int sched_entry_admit(SCHED *sched, SCHED_ENTRY *e);
/* When mail deferred for e's destination is due again: the end of its
 * group's suspension, or 0 when there is none (normal backoff). */
extern double sched_entry_retry_at(const SCHED_ENTRY *e);

/* A group as status and the tests see it. */
typedef struct SCHED_GROUP_INFO {
    int     members;
    int     busy;
    int     window;
    int     suspended;
    int     cap;
    double  spacing;			/* seconds between deliveries; 0 none */
    int     ceiling;			/* learned from a throttle; 0 none */
} SCHED_GROUP_INFO;

/* 0 and info, or -1 when the transport has no such group. */
extern int sched_group_info(const SCHED *sched, const char *transport, const char *group,
			            SCHED_GROUP_INFO *info);
/* The transport's agent cannot be reached (§4.8). */
extern void sched_transport_dead(SCHED *sched, SCHED_TRANSPORT *t, const char *reason);
/* A timer the core armed has fired. */
extern void sched_timer_fired(SCHED *sched, int kind, void *obj);
/* The F trigger: revive every dead destination and transport. */
extern void sched_flush_dead(SCHED *sched);

/* Observation (§9). */
extern long sched_active_recipients(const SCHED *sched);
extern long sched_queue_count(const SCHED *sched);
/* The whole state as one JSON object: counts, transports, destinations, jobs. */
extern void sched_dump_json(const SCHED *sched, long active_messages, DSTR *out);
/* The same in brief, under 10 KB however many destinations: per transport
 * its counts and its limit busiest destinations, no jobs. */
extern void sched_dump_json_summary(const SCHED *sched, long active_messages, size_t limit,
				            DSTR *out);
/* Prometheus gauges: the active queue, and the top limit destinations by
 * waiting recipients (qmgr_sched_metrics.c). */
extern void sched_metrics(const SCHED *sched, long active_messages, size_t limit, DSTR *out);
/* A summary for a person: one line per transport, one per destination, sorted. */
extern void sched_dump_text(const SCHED *sched, long active_messages, DSTR *out);
/* A destination's window (for tests): 0 dead, -1 suspended; -2 no such queue.
 * nexthop is the queue name (localpart@nexthop for per-recipient queues), any case. */
extern int sched_queue_window(const SCHED *sched, const char *transport, const char *nexthop);

#endif
