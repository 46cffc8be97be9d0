/*
 * qmgr_sched - scheduling core
 * DESCRIPTION
 *	Decides what is delivered next, without doing any I/O. Recipients
 *	of a message are grouped per (transport, next hop) into entries of at
 *	most destination_recipient_limit recipients. VERP mail is grouped the
 *	same way, unlike Postfix, which sends one recipient per request: the
 *	agent makes one transaction per recipient anyway, and keeping them in
 *	one request puts them on one connection with one round trip to qmgr. Each
 *	destination runs at most its window of deliveries at once (the
 *	destination concurrency limit). Transports take turns (round robin);
 *	within a transport, jobs are served in the order their messages
 *	entered the active queue, and within a job its destinations take
 *	turns (docs/scheduler.md §3.1, §6.3 without preemption).
 */
#include <stdlib.h>
#include <string.h>

#include "qmgr_sched.h"
#include "htable.h"
#include "mymalloc.h"
#include "msg.h"

#define SCHED_MAX_PENDING	2	/* agent requests not yet ready, per transport */

struct SCHED_QUEUE {
    char   *name;
    SCHED_TRANSPORT *transport;
    SCHED_ENTRY *todo_head;
    SCHED_ENTRY *todo_tail;
    SCHED_ENTRY *busy_head;
    int     todo;
    int     busy;
    int     window;			/* deliveries allowed at once */
    int     ready;			/* this queue's share of transport->ready */
};

struct SCHED_PEER {
    SCHED_JOB *job;
    SCHED_QUEUE *queue;
    SCHED_ENTRY *head;			/* not-yet-selected entries, in order */
    SCHED_ENTRY *tail;
    SCHED_PEER *next;
};

struct SCHED_JOB {
    SCHED_MESSAGE *message;
    SCHED_TRANSPORT *transport;
    SCHED_PEER *peers;			/* round robin: selection rotates it */
    HTABLE *peer_by_queue;
    int     linked;			/* on the transport's job list */
    SCHED_JOB *next;			/* transport job list, time order */
    SCHED_JOB *prev;
    SCHED_JOB *msg_next;		/* message's jobs */
};

struct SCHED_TRANSPORT {
    char   *name;
    SCHED_TRANSPORT_CONF conf;
    HTABLE *queues;
    SCHED_JOB *jobs_head;
    SCHED_JOB *jobs_tail;
    int     pending;			/* agents asked for, not ready yet */
    int     ready;			/* sum over queues of min(window - busy, todo) */
    SCHED_TRANSPORT *next;
};

struct SCHED {
    SCHED_OPS ops;
    SCHED_TRANSPORT *transports;
    SCHED_TRANSPORT *rr;		/* where the next round-robin turn starts */
    long    rcpts;
};

/* sched_new - empty scheduler */

SCHED  *sched_new(const SCHED_OPS *ops)
{
    SCHED  *sched = mycalloc(1, sizeof(*sched));

    sched->ops = *ops;
    return (sched);
}

/* sched_free - release (only when nothing is in flight) */

void    sched_free(SCHED *sched)
{
    SCHED_TRANSPORT *t;
    SCHED_TRANSPORT *next;

    for (t = sched->transports; t; t = next) {
	next = t->next;
	htable_free(t->queues, NULL);
	free(t->name);
	free(t);
    }
    free(sched);
}

/* sched_queue_ready - recompute a queue's contribution to its transport */

static void sched_queue_ready(SCHED_QUEUE *q)
{
    int     room = q->window - q->busy;
    int     ready = room < q->todo ? room : q->todo;

    if (ready < 0)
	ready = 0;
    q->transport->ready += ready - q->ready;
    q->ready = ready;
}

/* sched_transport - find or create by name */

static SCHED_TRANSPORT *sched_transport(SCHED *sched, const char *name)
{
    SCHED_TRANSPORT *t;

    for (t = sched->transports; t; t = t->next)
	if (strcmp(t->name, name) == 0)
	    return (t);
    t = mycalloc(1, sizeof(*t));
    t->name = mystrdup(name);
    t->queues = htable_new(64);
    t->conf.dest_concurrency_limit = 20;
    t->conf.init_dest_concurrency = 5;
    t->conf.dest_recipient_limit = 50;
    if (sched->ops.transport_conf)
	sched->ops.transport_conf(sched->ops.ctx, name, &t->conf);
    t->next = sched->transports;
    sched->transports = t;
    return (t);
}

/* sched_queue - find or create a destination */

static SCHED_QUEUE *sched_queue(SCHED_TRANSPORT *t, const char *name)
{
    SCHED_QUEUE *q = htable_find(t->queues, name);

    if (q == NULL) {
	q = mycalloc(1, sizeof(*q));
	q->name = mystrdup(name);
	q->transport = t;
	q->window = t->conf.dest_concurrency_limit > 0 ?
	    t->conf.dest_concurrency_limit : 1000000;
	htable_enter(t->queues, name, q);
    }
    return (q);
}

/* sched_queue_gc - a ready destination with nothing to do is deleted */

static void sched_queue_gc(SCHED_QUEUE *q)
{
    if (q->todo == 0 && q->busy == 0) {
	(void) htable_delete(q->transport->queues, q->name);
	free(q->name);
	free(q);
    }
}

/* sched_job - the message's job on a transport, linked in time order */

static SCHED_JOB *sched_job(SCHED_MESSAGE *msg, SCHED_TRANSPORT *t)
{
    SCHED_JOB *job;
    SCHED_JOB *after;

    for (job = msg->jobs; job; job = job->msg_next)
	if (job->transport == t)
	    break;
    if (job == NULL) {
	job = mycalloc(1, sizeof(*job));
	job->message = msg;
	job->transport = t;
	job->peer_by_queue = htable_new(4);
	job->msg_next = msg->jobs;
	msg->jobs = job;
    }
    if (!job->linked) {				/* scan back past younger jobs */
	for (after = t->jobs_tail; after; after = after->prev)
	    if (after->message->queued_time <= msg->queued_time)
		break;
	job->prev = after;
	job->next = after ? after->next : t->jobs_head;
	if (job->next)
	    job->next->prev = job;
	else
	    t->jobs_tail = job;
	if (after)
	    after->next = job;
	else
	    t->jobs_head = job;
	job->linked = 1;
    }
    return (job);
}

/* sched_job_unlink - off the transport's list (nothing left to select) */

static void sched_job_unlink(SCHED_JOB *job)
{
    SCHED_TRANSPORT *t = job->transport;

    if (!job->linked)
	return;
    if (job->prev)
	job->prev->next = job->next;
    else
	t->jobs_head = job->next;
    if (job->next)
	job->next->prev = job->prev;
    else
	t->jobs_tail = job->prev;
    job->next = job->prev = NULL;
    job->linked = 0;
}

/* sched_peer - the job's share of a queue */

static SCHED_PEER *sched_peer(SCHED_JOB *job, SCHED_QUEUE *q)
{
    SCHED_PEER *p = htable_find(job->peer_by_queue, q->name);
    SCHED_PEER **pp;

    if (p == NULL) {
	p = mycalloc(1, sizeof(*p));
	p->job = job;
	p->queue = q;
	for (pp = &job->peers; *pp; pp = &(*pp)->next)
	     /* append */ ;
	*pp = p;
	htable_enter(job->peer_by_queue, q->name, p);
    }
    return (p);
}

/* sched_peer_drop - forget an empty peer */

static void sched_peer_drop(SCHED_PEER *p)
{
    SCHED_PEER **pp;

    for (pp = &p->job->peers; *pp; pp = &(*pp)->next) {
	if (*pp == p) {
	    *pp = p->next;
	    break;
	}
    }
    (void) htable_delete(p->job->peer_by_queue, p->queue->name);
    free(p);
}

/* sched_message_init - a message entering the active queue */

void    sched_message_init(SCHED_MESSAGE *msg, void *owner, double queued_time, int verp)
{
    memset(msg, 0, sizeof(*msg));
    msg->owner = owner;
    msg->queued_time = queued_time;
    msg->verp = verp;
}

/* sched_entry_append - new todo entry at the end of queue and peer lists */

static SCHED_ENTRY *sched_entry_append(SCHED_PEER *p)
{
    SCHED_ENTRY *e = mycalloc(1, sizeof(*e));
    SCHED_QUEUE *q = p->queue;

    e->message = p->job->message;
    e->queue = q;
    e->peer = p;
    e->prev = q->todo_tail;
    if (q->todo_tail)
	q->todo_tail->next = e;
    else
	q->todo_head = e;
    q->todo_tail = e;
    q->todo++;
    if (p->tail)
	p->tail->peer_next = e;
    else
	p->head = e;
    p->tail = e;
    e->message->refcount++;
    sched_queue_ready(q);
    return (e);
}

/* sched_add_rcpt - assign one recipient */

void    sched_add_rcpt(SCHED *sched, SCHED_MESSAGE *msg, const char *transport,
		               const char *nexthop, const char *address, long offset)
{
    SCHED_TRANSPORT *t = sched_transport(sched, transport);
    SCHED_QUEUE *q = sched_queue(t, nexthop);
    SCHED_JOB *job = sched_job(msg, t);
    SCHED_PEER *p = sched_peer(job, q);
    SCHED_ENTRY *e = p->tail;
    int     limit = t->conf.dest_recipient_limit;

    if (e == NULL || (limit > 0 && e->nrcpt >= (size_t) limit))
	e = sched_entry_append(p);
    if (e->nrcpt == e->cap) {
	e->cap = e->cap ? 2 * e->cap : 4;
	e->rcpts = myrealloc(e->rcpts, e->cap * sizeof(SCHED_RCPT));
    }
    e->rcpts[e->nrcpt].address = mystrdup(address);
    e->rcpts[e->nrcpt].offset = offset;
    e->nrcpt++;
    msg->rcpt_count++;
    sched->rcpts++;
}

/* sched_entry_unlink_todo - take an entry off its queue's todo and peer lists */

static void sched_entry_unlink_todo(SCHED_ENTRY *e)
{
    SCHED_QUEUE *q = e->queue;
    SCHED_PEER *p = e->peer;
    SCHED_ENTRY **pp;

    if (e->prev)
	e->prev->next = e->next;
    else
	q->todo_head = e->next;
    if (e->next)
	e->next->prev = e->prev;
    else
	q->todo_tail = e->prev;
    e->next = e->prev = NULL;
    q->todo--;
    for (pp = &p->head; *pp && *pp != e; pp = &(*pp)->peer_next)
	 /* find */ ;
    if (*pp) {
	*pp = e->peer_next;
	if (p->tail == e) {
	    SCHED_ENTRY *t;

	    for (t = p->head; t && t->peer_next; t = t->peer_next)
		 /* last */ ;
	    p->tail = t;
	}
    }
    e->peer_next = NULL;
    e->peer = NULL;
    if (p->head == NULL) {
	SCHED_JOB *job = p->job;

	sched_peer_drop(p);
	if (job->peers == NULL)
	    sched_job_unlink(job);
    }
    sched_queue_ready(q);
}

/* sched_entry_free - release an entry that is on no list */

static void sched_entry_free(SCHED *sched, SCHED_ENTRY *e)
{
    size_t  i;

    for (i = 0; i < e->nrcpt; i++)
	free(e->rcpts[i].address);
    sched->rcpts -= (long) e->nrcpt;
    e->message->rcpt_count -= (long) e->nrcpt;
    free(e->rcpts);
    free(e);
}

/* sched_message_release - one entry fewer; tell the caller when none is left */

static void sched_message_release(SCHED *sched, SCHED_MESSAGE *msg)
{
    SCHED_JOB *job;

    if (--msg->refcount > 0)
	return;
    while ((job = msg->jobs) != NULL) {
	msg->jobs = job->msg_next;
	while (job->peers)
	    sched_peer_drop(job->peers);
	sched_job_unlink(job);
	htable_free(job->peer_by_queue, NULL);
	free(job);
    }
    if (sched->ops.message_idle)
	sched->ops.message_idle(sched->ops.ctx, msg);
}

/* sched_message_drop_todo - forget entries not yet handed out */

void    sched_message_drop_todo(SCHED *sched, SCHED_MESSAGE *msg)
{
    SCHED_JOB *job;
    SCHED_QUEUE *q;
    SCHED_ENTRY *e;

    msg->refcount++;				/* hold off message_idle */
    for (job = msg->jobs; job; job = job->msg_next) {
	while (job->peers && (e = job->peers->head) != NULL) {
	    q = e->queue;
	    sched_entry_unlink_todo(e);
	    sched_entry_free(sched, e);
	    msg->refcount--;
	    sched_queue_gc(q);
	}
    }
    sched_message_release(sched, msg);
}

/* sched_transport_wants_agent - scheduler.md §3.1 */

int     sched_transport_wants_agent(const SCHED_TRANSPORT *t)
{
    return (t->pending < SCHED_MAX_PENDING && t->ready >= t->pending + 1);
}

/* sched_next_transport - round robin among transports that want an agent */

SCHED_TRANSPORT *sched_next_transport(SCHED *sched)
{
    SCHED_TRANSPORT *t;
    SCHED_TRANSPORT *start = sched->rr ? sched->rr : sched->transports;

    if (start == NULL)
	return (NULL);
    t = start;
    do {
	if (sched_transport_wants_agent(t)) {
	    sched->rr = t->next ? t->next : sched->transports;
	    return (t);
	}
	t = t->next ? t->next : sched->transports;
    } while (t != start);
    return (NULL);
}

const char *sched_transport_name(const SCHED_TRANSPORT *t)
{
    return (t->name);
}

void    sched_agent_asked(SCHED_TRANSPORT *t)
{
    t->pending++;
}

void    sched_agent_settled(SCHED_TRANSPORT *t)
{
    if (t->pending > 0)
	t->pending--;
}

/* sched_select - choose the entry an agent that is ready now delivers */

SCHED_ENTRY *sched_select(SCHED *sched, SCHED_TRANSPORT *t)
{
    SCHED_JOB *job;
    SCHED_PEER *p;
    SCHED_PEER **pp;
    SCHED_ENTRY *e;
    SCHED_QUEUE *q;

    (void) sched;
    for (job = t->jobs_head; job; job = job->next) {
	for (pp = &job->peers; (p = *pp) != NULL; pp = &p->next) {
	    q = p->queue;
	    if (q->busy >= q->window || p->head == NULL)
		continue;
	    /* Rotate: this peer goes to the end of the job's list. */
	    *pp = p->next;
	    p->next = NULL;
	    for (pp = &job->peers; *pp; pp = &(*pp)->next)
		 /* end */ ;
	    *pp = p;
	    e = p->head;
	    sched_entry_unlink_todo(e);
	    e->busy = 1;
	    e->next = q->busy_head;
	    if (q->busy_head)
		q->busy_head->prev = e;
	    q->busy_head = e;
	    q->busy++;
	    sched_queue_ready(q);
	    return (e);
	}
    }
    return (NULL);
}

/* sched_queue_backlog - more entries waiting for the same destination? */

int     sched_queue_backlog(const SCHED_ENTRY *e)
{
    return (e->queue->todo > 0);
}

const char *sched_entry_nexthop(const SCHED_ENTRY *e)
{
    return (e->queue->name);
}

/* sched_entry_done - a delivery finished */

void    sched_entry_done(SCHED *sched, SCHED_ENTRY *e, int status)
{
    SCHED_QUEUE *q = e->queue;
    SCHED_MESSAGE *msg = e->message;

    (void) status;
    if (!e->busy)
	msg_panic("%s: entry is not busy", __func__);
    if (e->prev)
	e->prev->next = e->next;
    else
	q->busy_head = e->next;
    if (e->next)
	e->next->prev = e->prev;
    q->busy--;
    sched_queue_ready(q);
    sched_entry_free(sched, e);
    sched_queue_gc(q);
    sched_message_release(sched, msg);
}

/* sched_transport_drain - hand every todo entry of t to cb, then forget it */

void    sched_transport_drain(SCHED *sched, SCHED_TRANSPORT *t,
			              void (*cb) (void *, SCHED_ENTRY *), void *ctx)
{
    SCHED_JOB *job;
    SCHED_ENTRY *e;

    (void) sched;
    while ((job = t->jobs_head) != NULL) {
	e = job->peers->head;
	sched_entry_unlink_todo(e);
	e->busy = 1;				/* cb sees a busy-like entry */
	e->next = e->queue->busy_head;
	if (e->queue->busy_head)
	    e->queue->busy_head->prev = e;
	e->queue->busy_head = e;
	e->queue->busy++;
	sched_queue_ready(e->queue);
	cb(ctx, e);				/* must end in sched_entry_done() */
    }
}

/* sched_active_recipients - recipients in memory */

long    sched_active_recipients(const SCHED *sched)
{
    return (sched->rcpts);
}
