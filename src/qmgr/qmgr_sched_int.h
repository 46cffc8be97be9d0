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
    int     ready;			/* this queue's share of transport->ready,
					 * or of its group's ready_sum */
    int     pinned;			/* in use across callbacks: not deleted */
    SCHED_GROUP *group;			/* its exchanger group, when known */
    SCHED_QUEUE *group_next;		/* the group's member list */
    SCHED_QUEUE *group_prev;
    int     discovering;		/* group unknown: one session until the
					 * first delivery reports it (§10a) */
};

 /*
  * An exchanger group (docs/scheduler.md §10a): the destinations of one
  * transport whose mail goes to the same provider share one window and
  * the provider's throttles. Its ready count is what its members may
  * start now, bounded by the group's room; that, not the members' own
  * counts, is its share of transport->ready.
  */
struct SCHED_GROUP {
    char   *name;
    SCHED_TRANSPORT *transport;
    SCHED_QUEUE *members;
    int     nmembers;
    int     busy;			/* deliveries in flight, all members */
    int     window;			/* >= 1; enforced when the limit is set */
    double  success;
    double  failure;
    int     ready_sum;			/* sum of the members' own ready counts */
    int     ready;			/* share of transport->ready */
    int     had_room;			/* room > 0 when last counted */
    int     suspended;			/* throttle: no new session */
    double  suspend_until;
    char   *suspend_reason;		/* for the deferrals it causes */
    int     cap;			/* throttle: at most this many sessions; 0 none */
    double  cap_until;
    double  throttle_spacing;		/* throttle: seconds between starts; 0 none */
    double  rate_until;
    int     rate_wait;			/* spacing: no start until the rate timer */
    char   *throttle_action;		/* the latest throttle, for status */
    char   *throttle_reply;
    double  throttle_until;
    double  linger_until;		/* no members: forgotten then (0: not lingering) */
    int     ceiling;			/* learned: the window stays below the
					 * concurrency a throttle hit; 0 none */
    double  ceiling_until;
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
    HTABLE *groups;			/* exchanger groups by name */
    int     group_init;			/* a new group's window */
    int     groups_seen;		/* an agent has reported a group */
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
/* The keys of a table, likewise. */
extern ARGV *sched_table_keys(HTABLE *table);
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
extern int sched_queue_limit(const SCHED_QUEUE *q);
extern double sched_feedback_value(const SCHED_FEEDBACK *fb, int window);
extern void sched_window_grow(int *window, double *success, double *failure, double g);
extern void sched_window_shrink(int *window, double *success, double *failure, double f);

/* qmgr_sched_groupwin.c: exchanger group windows and throttles */
/* Join the group the cache names for q's next hop (or move to it); 1 if q has a group. */
extern int sched_group_attach(SCHED *sched, SCHED_QUEUE *q);
extern void sched_group_detach(SCHED *sched, SCHED_QUEUE *q);
/* Sessions the group may still start now (<= 0: none). */
extern int sched_group_room(const SCHED_GROUP *g);
/* Seconds between two delivery starts (rate delay, rate throttle); 0 none. */
extern double sched_group_spacing(const SCHED_GROUP *g);
/* Recount the group's share of transport->ready (after busy, window or state changed). */
extern void sched_group_ready(SCHED_GROUP *g);
/* A delivery to the group started: rate spacing. */
extern void sched_group_started(SCHED *sched, SCHED_GROUP *g);
/* Feedback from one finished delivery. */
extern void sched_group_feedback(SCHED *sched, SCHED_GROUP *g, int good);
extern void sched_group_timer(SCHED *sched, int kind, SCHED_GROUP *g);
extern void sched_group_flush(SCHED *sched);
extern void sched_groups_free(SCHED_TRANSPORT *t);

/* qmgr_sched_group.c: which group each next hop belongs to */
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
