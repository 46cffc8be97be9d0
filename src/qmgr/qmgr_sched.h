/* qmgr_sched - the scheduling core: transports, destinations, jobs, entries (pure logic) */
#ifndef QMGR_SCHED_H
#define QMGR_SCHED_H
#include <stddef.h>

/*
 * Object model as in docs/scheduler.md §1: a TRANSPORT has QUEUEs (one per
 * next hop) and JOBs (one per message using the transport); a JOB has
 * PEERs (its share of one QUEUE); an ENTRY is one delivery request: up to
 * destination_recipient_limit recipients of one message for one queue.
 * Nothing here does I/O or reads the clock: the caller passes the time,
 * so every decision can be unit-tested.
 */
typedef struct SCHED SCHED;
typedef struct SCHED_TRANSPORT SCHED_TRANSPORT;
typedef struct SCHED_QUEUE SCHED_QUEUE;
typedef struct SCHED_JOB SCHED_JOB;
typedef struct SCHED_PEER SCHED_PEER;
typedef struct SCHED_ENTRY SCHED_ENTRY;
typedef struct SCHED_MESSAGE SCHED_MESSAGE;

typedef struct SCHED_RCPT {
    char   *address;
    long    offset;			/* record offset in the queue file */
} SCHED_RCPT;

/* Per-transport settings, resolved once when the transport is created. */
typedef struct SCHED_TRANSPORT_CONF {
    int     dest_concurrency_limit;	/* 0 = none */
    int     init_dest_concurrency;
    int     dest_recipient_limit;	/* 0 = none */
} SCHED_TRANSPORT_CONF;

struct SCHED_MESSAGE {
    void   *owner;			/* the caller's message object */
    double  queued_time;		/* entered the active queue (job order) */
    int     refcount;			/* live entries */
    int     verp;			/* VERP: one transaction per recipient */
    long    rcpt_count;			/* recipients in memory */
    SCHED_JOB *jobs;			/* one per transport */
};

struct SCHED_ENTRY {
    SCHED_MESSAGE *message;
    SCHED_QUEUE *queue;
    SCHED_PEER *peer;
    SCHED_RCPT *rcpts;
    size_t  nrcpt;
    size_t  cap;
    int     busy;			/* handed to a delivery agent */
    SCHED_ENTRY *next;			/* on queue todo/busy and peer lists */
    SCHED_ENTRY *prev;
    SCHED_ENTRY *peer_next;
};

/* Outcome of one delivery, as the agent reported it (scheduler.md §3.3). */
#define SCHED_DONE_OK		0	/* all recipients finished */
#define SCHED_DONE_DEFER	1	/* some recipients must be retried */
#define SCHED_DONE_CRASH	2	/* the agent died or broke the protocol */

/* Ops the core calls back into the caller. */
typedef struct SCHED_OPS {
    /* A transport was created: fill in its configuration. */
    void    (*transport_conf) (void *ctx, const char *name, SCHED_TRANSPORT_CONF *conf);
    /* A message has no live entries left (refcount 0). */
    void    (*message_idle) (void *ctx, SCHED_MESSAGE *msg);
    void   *ctx;
} SCHED_OPS;

extern SCHED *sched_new(const SCHED_OPS *ops);
extern void sched_free(SCHED *sched);

/* Messages. */
extern void sched_message_init(SCHED_MESSAGE *msg, void *owner, double queued_time, int verp);
/*
 * Queue one recipient of msg for transport/nexthop: it joins the message's
 * last not-yet-selected entry for that destination if that has room, else
 * a new entry. The address is copied.
 */
extern void sched_add_rcpt(SCHED *sched, SCHED_MESSAGE *msg, const char *transport,
			           const char *nexthop, const char *address, long offset);
/* Drop every not-yet-selected entry of msg (hold/delete while active). */
extern void sched_message_drop_todo(SCHED *sched, SCHED_MESSAGE *msg);

/* Delivery agents. */
/* How many more agent requests transport t could use now (scheduler.md §3.1). */
extern int sched_transport_wants_agent(const SCHED_TRANSPORT *t);
/* Transports that want an agent, round robin: the next one, or NULL. */
extern SCHED_TRANSPORT *sched_next_transport(SCHED *sched);
extern const char *sched_transport_name(const SCHED_TRANSPORT *t);
/* Bookkeeping of agent requests asked for but not yet ready. */
extern void sched_agent_asked(SCHED_TRANSPORT *t);
extern void sched_agent_settled(SCHED_TRANSPORT *t);
/* An agent is ready: pick the entry to deliver (late binding), or NULL. */
extern SCHED_ENTRY *sched_select(SCHED *sched, SCHED_TRANSPORT *t);
/* Whether more mail for the entry's queue is waiting (connection caching hint). */
extern int sched_queue_backlog(const SCHED_ENTRY *e);
extern const char *sched_entry_nexthop(const SCHED_ENTRY *e);
/* The agent reported (or died): feedback, free the entry; may call message_idle. */
extern void sched_entry_done(SCHED *sched, SCHED_ENTRY *e, int status);
/* A transport whose agent cannot be reached: drop its todo entries into cb. */
extern void sched_transport_drain(SCHED *sched, SCHED_TRANSPORT *t,
				          void (*cb) (void *ctx, SCHED_ENTRY *e), void *ctx);

/* Observation. */
extern long sched_active_recipients(const SCHED *sched);

#endif
