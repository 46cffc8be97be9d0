/* qmgr_sched_int - what the qmgr_sched*.c files share and nobody else uses */
#ifndef QMGR_SCHED_INT_H
#define QMGR_SCHED_INT_H
#include "qmgr_sched.h"
#include "argv.h"
#include "htable.h"

#define SCHED_MAX_PENDING	2	/* agent requests not yet ready, per transport */
#define SCHED_READ_MAX		5000	/* recipients per read (§5.2) */
#define SCHED_GROUP_CACHE_MAX	100000	/* next hops whose exchanger group is kept */

/* Queue window states (§1). */
#define SCHED_WINDOW_DEAD	0
#define SCHED_WINDOW_SUSPENDED	(-1)

struct SCHED_QUEUE {
    char   *name;			/* nexthop, or localpart@nexthop (§1) */
    char   *nexthop;			/* where the agent delivers, lower case */
    SCHED_TRANSPORT *transport;
    SCHED_ENTRY *todo_head;
    SCHED_ENTRY *todo_tail;
    SCHED_ENTRY *busy_head;
    int     todo;
    int     busy;
    long    todo_rcpts;			/* recipients waiting */
    int     window;			/* > 0 ready; 0 dead; -1 suspended */
    double  success;
    double  failure;
    double  fail_cohorts;
    char   *dead_reason;		/* "DSN reason" while dead */
    char   *dead_dsn;
    double  dead_until;
    unsigned blocker_tag;
    int     ready;			/* this queue's share of transport->ready */
    int     pinned;			/* in use across callbacks: not deleted */
};

struct SCHED_PEER {
    SCHED_JOB *job;
    SCHED_QUEUE *queue;
    SCHED_ENTRY *head;			/* not-yet-selected entries, in order */
    SCHED_ENTRY *tail;
    SCHED_PEER *next;			/* round robin order */
};

struct SCHED_JOB {
    SCHED_MESSAGE *message;
    SCHED_TRANSPORT *transport;
    SCHED_PEER *peers;
    HTABLE *peer_by_queue;
    SCHED_JOB *msg_next;		/* the message's jobs */
    int     linked;			/* on both transport lists */
    SCHED_JOB *next;			/* scheduler list */
    SCHED_JOB *prev;
    SCHED_JOB *time_next;		/* time list: queued_time order */
    SCHED_JOB *time_prev;
    long    read_entries;
    long    selected_entries;
    long    slots_available;
    long    slots_used;
    long    rcpt_count;
    long    rcpt_limit;
    SCHED_JOB *parent;			/* preemption stack (§6.6) */
    SCHED_JOB *children;
    SCHED_JOB *sibling;
    int     level;
    unsigned blocker_tag;
};

struct SCHED_TRANSPORT {
    char   *name;
    SCHED_TRANSPORT_CONF conf;
    HTABLE *queues;
    SCHED_JOB *jobs_head;		/* scheduler list */
    SCHED_JOB *jobs_tail;
    SCHED_JOB *time_head;		/* time list */
    SCHED_JOB *time_tail;
    SCHED_JOB *current;
    SCHED_JOB *next_unread;
    int     pending;			/* agents asked for, not ready yet */
    int     ready;			/* sum over queues of min(window - busy, todo) */
    long    pool;			/* recipient slots not given to a job */
    unsigned blocker_tag;		/* odd; a job or queue blocks while its tag equals this */
    int     rate_locked;
    int     dead;
    double  dead_until;
    char   *dead_reason;
    SCHED_JOB *cand_job;		/* candidate cache (§6.5) */
    SCHED_JOB *cand_for;
    long    cand_second;
    int     cand_valid;
    SCHED_TRANSPORT *next;
};

struct SCHED {
    SCHED_CONF conf;
    SCHED_OPS ops;
    SCHED_TRANSPORT *transports;
    SCHED_TRANSPORT *rr;		/* where the next round-robin turn starts */
    long    rcpts;			/* recipients in memory */
    long    rcpts_peak;			/* the most there ever were */
    long    queues;			/* destinations that exist */
    double  now;
    DSTR   *qname;			/* scratch: a queue name being made */
    DSTR   *qhop;			/* scratch: its next hop */
    HTABLE *group_of;			/* next hop -> exchanger group (qmgr_sched_group.c) */
};

/* qmgr_sched.c */
extern SCHED_TRANSPORT *sched_transport_get(SCHED *sched, const char *name);
extern void sched_queue_ready(SCHED_QUEUE *q);
extern void sched_queue_gc(SCHED *sched, SCHED_QUEUE *q);
extern void sched_entry_unlink_todo(SCHED *sched, SCHED_ENTRY *e);
extern void sched_entry_to_busy(SCHED_ENTRY *e);
extern void sched_entry_free(SCHED *sched, SCHED_ENTRY *e);
extern void sched_message_release(SCHED *sched, SCHED_MESSAGE *msg);
extern void sched_job_link(SCHED_JOB *job);
extern void sched_job_unlink(SCHED_JOB *job);
extern void sched_log(SCHED *sched, const char *fmt,...) PRINTF_LIKE(2, 3);
extern void sched_defer_todo(SCHED *sched, SCHED_QUEUE *q, const char *dsn, const char *reason);
/* The names of a transport's queues, to walk while queues are deleted. */
extern ARGV *sched_queue_names(SCHED_TRANSPORT *t);
/* The job's share of a queue, made when missing. */
extern SCHED_PEER *sched_peer_get(SCHED_JOB *job, SCHED_QUEUE *q);

/* qmgr_sched_agent.c: agents and their reports */
/* A dead transport works again: its destinations may be selected. */
extern void sched_transport_revive(SCHED *sched, SCHED_TRANSPORT *t);

/* qmgr_sched_window.c: concurrency feedback, dead destinations, rate delays */
extern void sched_window_init(SCHED_QUEUE *q);
extern void sched_good_completion(SCHED *sched, SCHED_QUEUE *q);
extern void sched_hop_failure(SCHED *sched, SCHED_QUEUE *q, const char *dsn, const char *reason);
extern void sched_queue_revive(SCHED *sched, SCHED_QUEUE *q);
extern void sched_rate_delay_after(SCHED *sched, SCHED_QUEUE *q);
extern int sched_queue_selectable(const SCHED_QUEUE *q);

/* qmgr_sched_group.c: exchanger groups */
extern void sched_group_free(SCHED *sched);
/* sched_group_of() for readers of a const SCHED: an expired answer stays, unseen. */
extern const char *sched_group_peek(const SCHED *sched, const char *nexthop);

/* qmgr_sched_slots.c: recipient slots (§5.3) */
extern void sched_slots_link(SCHED_TRANSPORT *t, SCHED_JOB *job);
extern void sched_slots_return_spare(SCHED_JOB *job);
extern void sched_slots_entry_done(SCHED_JOB *job);
extern void sched_slots_extra(SCHED_TRANSPORT *t, SCHED_JOB *job);
extern int sched_message_fully_read(const SCHED_MESSAGE *msg);
extern void sched_refill(SCHED *sched, SCHED_JOB *job);

/* qmgr_sched_select.c: selection, preemption, blockers (§6) */
extern int sched_job_is_blocker(const SCHED_JOB *job);
extern void sched_unblock(SCHED_TRANSPORT *t);
extern void sched_job_retire(SCHED_JOB *job);
extern void sched_job_pop(SCHED_JOB *job);
extern void sched_candidate_reset(SCHED_TRANSPORT *t);

#endif
