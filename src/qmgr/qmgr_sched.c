/*
 * qmgr_sched - scheduling core: objects and recipients
 * DESCRIPTION
 *	The queue manager's decisions, without any I/O (docs/scheduler.md):
 *	recipients are grouped per (transport, next hop) into entries of at
 *	most destination_recipient_limit recipients; transports take turns
 *	and agents report back (qmgr_sched_agent.c); an entry is chosen
 *	when an agent is ready (qmgr_sched_select.c);
 *	destination windows follow concurrency feedback and dead destinations
 *	are remembered (qmgr_sched_window.c); recipient slots bound memory
 *	(qmgr_sched_slots.c).
 *
 *	VERP mail is grouped like any other mail, unlike Postfix, which sends
 *	one recipient per request: the agent makes one transaction per
 *	recipient anyway, and one request puts them on one connection.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmgr_sched_int.h"
#include "argv.h"
#include "mymalloc.h"
#include "msg.h"
#include "strutil.h"

 /*
  * The recipient_delimiter: an address extension starts at it. XXX A
  * constant until it is a main.cf parameter.
  */
#define SCHED_RCPT_DELIM	'+'

/* sched_new - empty scheduler */

SCHED  *sched_new(const SCHED_CONF *conf, const SCHED_OPS *ops)
{
    SCHED  *sched = mycalloc(1, sizeof(*sched));

    sched->conf = *conf;
    sched->ops = *ops;
    if (sched->conf.rcpt_limit < 1)
	sched->conf.rcpt_limit = 1;
    if (sched->conf.rcpt_minimum < 1)
	sched->conf.rcpt_minimum = 1;
    sched->qname = dstr_new(64);
    sched->qhop = dstr_new(64);
    return (sched);
}

/* sched_table_keys - the keys of a table, to walk while entries are deleted */

static void sched_table_key_one(const char *key, void *value, void *ctx)
{
    (void) value;
    argv_add((ARGV *) ctx, key);
}

ARGV   *sched_table_keys(HTABLE *table)
{
    ARGV   *names = argv_new(htable_count(table) + 1);

    htable_walk(table, sched_table_key_one, names);
    return (names);
}

ARGV   *sched_queue_names(SCHED_TRANSPORT *t)
{
    return (sched_table_keys(t->queues));
}

/* sched_queue_free_one - htable_free callback */

static void sched_queue_free_one(void *value)
{
    SCHED_QUEUE *q = value;

    free(q->dead_reason);
    free(q->dead_dsn);
    free(q->nexthop);
    free(q->name);
    free(q);
}

/* sched_free - release (only when nothing is in flight) */

void    sched_free(SCHED *sched)
{
    SCHED_TRANSPORT *t;
    SCHED_TRANSPORT *next;

    for (t = sched->transports; t; t = next) {
	next = t->next;
	htable_free(t->queues, sched_queue_free_one);
	sched_groups_free(t);
	free(t->dead_reason);
	free(t->name);
	free(t);
    }
    sched_group_free(sched);
    dstr_free(sched->qname);
    dstr_free(sched->qhop);
    free(sched);
}

/* sched_set_now - the time of the event being handled */

void    sched_set_now(SCHED *sched, double now)
{
    sched->now = now;
}

/* sched_log - through the caller */

void    sched_log(SCHED *sched, const char *fmt,...)
{
    DSTR   *buf;
    va_list ap;

    if (sched->ops.log == NULL)
	return;
    buf = dstr_new(128);
    va_start(ap, fmt);
    (void) dstr_vprintf(buf, fmt, ap);
    va_end(ap);
    sched->ops.log(sched->ops.ctx, dstr_str(buf));
    dstr_free(buf);
}

/* sched_transport_conf_defaults - what a transport has before transport_conf fills it */

void    sched_transport_conf_defaults(SCHED_TRANSPORT_CONF *c)
{
    memset(c, 0, sizeof(*c));
    c->dest_concurrency_limit = 20;
    c->init_dest_concurrency = 5;
    c->dest_recipient_limit = 50;
    c->pos_feedback.value = 1;
    c->neg_feedback.value = 1;
    c->cohort_limit = 1;
    c->recipient_limit = 20000;
    c->extra_recipient_limit = 1000;
    c->refill_limit = 100;
    c->refill_delay = 5;
    c->slot_cost = 5;
    c->slot_discount = 50;
    c->slot_loan = 3;
    c->min_slots = 3;
    c->group_concurrency_limit = 20;	/* smtp_mx_group_concurrency_limit */
}

/* sched_transport_get - find or create by name (§4.1 limits) */

SCHED_TRANSPORT *sched_transport_get(SCHED *sched, const char *name)
{
    SCHED_TRANSPORT *t;
    SCHED_TRANSPORT_CONF *c;

    for (t = sched->transports; t; t = t->next)
	if (strcmp(t->name, name) == 0)
	    return (t);
    t = mycalloc(1, sizeof(*t));
    t->name = mystrdup(name);
    t->queues = htable_new(64);
    t->blocker_tag = 1;
    c = &t->conf;
    sched_transport_conf_defaults(c);
    if (sched->ops.transport_conf)
	sched->ops.transport_conf(sched->ops.ctx, name, c);
    if (c->init_dest_concurrency < 1)
	c->init_dest_concurrency = 1;
    /* A group starts where a destination would without its own limit. */
    t->group_init = c->init_dest_concurrency;
    if (c->group_concurrency_limit > 0 && t->group_init > c->group_concurrency_limit)
	t->group_init = c->group_concurrency_limit;
    if (c->dest_rate_delay > 0)
	c->dest_concurrency_limit = 1;
    if (c->dest_concurrency_limit > 0 && c->dest_concurrency_limit < c->init_dest_concurrency)
	c->init_dest_concurrency = c->dest_concurrency_limit;
    t->pool = c->recipient_limit;
    t->next = sched->transports;
    sched->transports = t;
    return (t);
}

/* sched_queue_ready - recompute a queue's contribution to its transport */

void    sched_queue_ready(SCHED_QUEUE *q)
{
    int     room = sched_queue_limit(q) - q->busy;
    int     ready = room < q->todo ? room : q->todo;

    if (ready < 0 || q->window <= 0)
	ready = 0;
    if (q->group) {				/* counted through the group (§10a) */
	q->group->ready_sum += ready - q->ready;
	q->ready = ready;
	sched_group_ready(q->group);
    } else {
	q->transport->ready += ready - q->ready;
	q->ready = ready;
    }
}

/* sched_queue_name - the queue a recipient goes to (§1), in sched->qname and ->qhop */

static const char *sched_queue_name(SCHED *sched, const SCHED_TRANSPORT *t,
				            const char *nexthop, const char *address)
{
    const char *at;
    const char *ext;
    size_t  len;

    dstr_strcpy(sched->qhop, nexthop);
    str_lower(dstr_data(sched->qhop));
    DSTR_RESET(sched->qname);
    if (t->conf.dest_recipient_limit == 1) {
	/* Per-recipient queues: localpart@nexthop, without the extension. */
	at = strrchr(address, '@');
	len = at ? (size_t) (at - address) : strlen(address);
	if (len > 1 && (ext = memchr(address + 1, SCHED_RCPT_DELIM, len - 1)) != NULL)
	    len = (size_t) (ext - address);
	dstr_cat(sched->qname, address, len);
	dstr_catc(sched->qname, '@');
    }
    dstr_cats(sched->qname, dstr_str(sched->qhop));
    return (str_lower(dstr_data(sched->qname)));
}

/* sched_queue_get - find or create a destination */

static SCHED_QUEUE *sched_queue_get(SCHED *sched, SCHED_TRANSPORT *t, const char *name,
				            const char *nexthop)
{
    SCHED_QUEUE *q = htable_find(t->queues, name);

    if (q == NULL) {
	q = mycalloc(1, sizeof(*q));
	q->name = mystrdup(name);
	q->nexthop = mystrdup(nexthop);
	q->transport = t;
	sched_window_init(q);
	htable_enter(t->queues, name, q);
	sched->queues++;
	/* Its exchanger group, or one session until a delivery reports it. */
	if (!sched_group_attach(sched, q))
	    q->discovering = t->groups_seen && t->conf.group_concurrency_limit > 0;
    }
    return (q);
}

/* sched_queue_gc - a ready destination with nothing to do is deleted (§1) */

void    sched_queue_gc(SCHED *sched, SCHED_QUEUE *q)
{
    if (q->window <= 0 || q->todo > 0 || q->busy > 0 || q->pinned)
	return;
    if (sched->ops.timer)
	sched->ops.timer(sched->ops.ctx, SCHED_TIMER_QUEUE, q, 0);
    sched_group_detach(sched, q);
    (void) htable_delete(q->transport->queues, q->name);
    sched->queues--;
    sched_queue_free_one(q);
}

/* sched_job_get - the message's job on a transport */

static SCHED_JOB *sched_job_get(SCHED_MESSAGE *msg, SCHED_TRANSPORT *t)
{
    SCHED_JOB *job;

    for (job = msg->jobs; job; job = job->msg_next)
	if (job->transport == t)
	    return (job);
    job = mycalloc(1, sizeof(*job));
    job->message = msg;
    job->transport = t;
    job->peer_by_queue = htable_new(4);
    job->msg_next = msg->jobs;
    msg->jobs = job;
    return (job);
}

/* sched_job_link - into both transport lists, by queued time (§6.1) */

void    sched_job_link(SCHED_JOB *job)
{
    SCHED_TRANSPORT *t = job->transport;
    double  when = job->message->queued_time;
    SCHED_JOB *after;
    int     passed_current = 0;

    if (job->linked)
	return;
    /* Time list: never reordered. */
    for (after = t->time_tail; after && after->message->queued_time > when;
	 after = after->time_prev)
	 /* scan back past younger jobs */ ;
    job->time_prev = after;
    job->time_next = after ? after->time_next : t->time_head;
    if (job->time_next)
	job->time_next->time_prev = job;
    else
	t->time_tail = job;
    if (after)
	after->time_next = job;
    else
	t->time_head = job;
    /* Scheduler list: jobs on a preemption stack do not count as younger. */
    for (after = t->jobs_tail; after; after = after->prev) {
	if (after == t->current)
	    passed_current = 1;
	if (after->parent == NULL && after->message->queued_time <= when)
	    break;
    }
    if (after == t->current && after != NULL)
	passed_current = 0;
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
    if (t->current == NULL || passed_current)
	t->current = job;
    sched_candidate_reset(t);
    sched_slots_link(t, job);
}

/* sched_job_unlink - off both lists; current moves on (§6.6 retire) */

void    sched_job_unlink(SCHED_JOB *job)
{
    SCHED_TRANSPORT *t = job->transport;

    if (!job->linked)
	return;
    if (t->current == job)
	t->current = job->next;
    if (t->next_unread == job)
	t->next_unread = NULL;			/* the caller advanced it first */
    if (job->prev)
	job->prev->next = job->next;
    else
	t->jobs_head = job->next;
    if (job->next)
	job->next->prev = job->prev;
    else
	t->jobs_tail = job->prev;
    if (job->time_prev)
	job->time_prev->time_next = job->time_next;
    else
	t->time_head = job->time_next;
    if (job->time_next)
	job->time_next->time_prev = job->time_prev;
    else
	t->time_tail = job->time_prev;
    job->next = job->prev = job->time_next = job->time_prev = NULL;
    job->linked = 0;
    sched_candidate_reset(t);
}

/* sched_peer_get - the job's share of a queue */

SCHED_PEER *sched_peer_get(SCHED_JOB *job, SCHED_QUEUE *q)
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

void    sched_message_init(SCHED_MESSAGE *msg, void *owner, const char *id,
			           double queued_time, int verp)
{
    memset(msg, 0, sizeof(*msg));
    msg->owner = owner;
    msg->id = id;
    msg->queued_time = queued_time;
    msg->verp = verp;
    msg->rcpt_unread = 1;			/* unknown until the first read ends */
}

/* sched_entry_new - an entry for (job, queue), not on any list yet */

static SCHED_ENTRY *sched_entry_new(SCHED_JOB *job, SCHED_QUEUE *q)
{
    SCHED_ENTRY *e = mycalloc(1, sizeof(*e));

    e->message = job->message;
    e->queue = q;
    e->job = job;
    return (e);
}

/* sched_entry_add_rcpt - one more recipient in an entry */

static void sched_entry_add_rcpt(SCHED_ENTRY *e, const char *address, long offset)
{
    if (e->nrcpt == e->cap) {
	e->cap = e->cap ? 2 * e->cap : 4;
	e->rcpts = myrealloc(e->rcpts, e->cap * sizeof(SCHED_RCPT));
    }
    e->rcpts[e->nrcpt].address = mystrdup(address);
    e->rcpts[e->nrcpt].offset = offset;
    e->nrcpt++;
}

/* sched_entry_append - new todo entry at the end of queue and peer lists */

static SCHED_ENTRY *sched_entry_append(SCHED_PEER *p)
{
    SCHED_ENTRY *e = sched_entry_new(p->job, p->queue);
    SCHED_QUEUE *q = p->queue;

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
    p->job->read_entries++;
    sched_queue_ready(q);
    return (e);
}

/* sched_defer_one - a recipient for a dead destination or transport */

static void sched_defer_one(SCHED *sched, SCHED_JOB *job, SCHED_QUEUE *q,
			            const char *address, long offset,
			            const char *dsn, const char *reason)
{
    SCHED_ENTRY *e = sched_entry_new(job, q);

    sched_entry_add_rcpt(e, address, offset);
    sched->ops.defer_entry(sched->ops.ctx, e, dsn, reason);
    free(e->rcpts[0].address);
    free(e->rcpts);
    free(e);
}


/* sched_add_rcpt - assign one recipient (§5.1) */

void    sched_add_rcpt(SCHED *sched, SCHED_MESSAGE *msg, const char *transport,
		               const char *nexthop, const char *address, long offset)
{
    SCHED_TRANSPORT *t = sched_transport_get(sched, transport);
    SCHED_JOB *job = sched_job_get(msg, t);
    SCHED_QUEUE *q;
    SCHED_PEER *p;
    SCHED_ENTRY *e;
    int     limit = t->conf.dest_recipient_limit;
    const char *name = sched_queue_name(sched, t, nexthop, address);

    q = sched_queue_get(sched, t, name, dstr_str(sched->qhop));
    if (msg->flush_dead) {			/* posthorn flush: try it now (§4.7, §4.8) */
	sched_transport_revive(sched, t);
	sched_queue_revive(sched, q);
    }
    if (t->dead) {
	sched_defer_one(sched, job, q, address, offset, "4.3.0", t->dead_reason);
	sched_queue_gc(sched, q);
	return;
    }
    if (q->window == SCHED_WINDOW_DEAD) {	/* destination status cache */
	sched_defer_one(sched, job, q, address, offset, q->dead_dsn, q->dead_reason);
	return;
    }
    if (q->group && q->group->suspended) {	/* throttled provider (§10a) */
	sched_defer_one(sched, job, q, address, offset, "4.7.0", q->group->suspend_reason);
	sched_queue_gc(sched, q);
	return;
    }
    sched_job_link(job);			/* new, or revived after retiring */
    p = sched_peer_get(job, q);
    e = p->tail;
    if (e == NULL || (limit > 0 && e->nrcpt >= (size_t) limit))
	e = sched_entry_append(p);
    sched_entry_add_rcpt(e, address, offset);
    q->todo_rcpts++;
    msg->rcpt_count++;
    job->rcpt_count++;
    if (++sched->rcpts > sched->rcpts_peak)
	sched->rcpts_peak = sched->rcpts;
    if (sched_job_is_blocker(job)) {		/* new work may unblock it (§6.7) */
	job->blocker_tag = 0;
	t->current = t->jobs_head;
	sched_candidate_reset(t);
    }
}

/* sched_entry_unlink_todo - take an entry off its queue's todo and peer lists */

void    sched_entry_unlink_todo(SCHED *sched, SCHED_ENTRY *e)
{
    SCHED_QUEUE *q = e->queue;
    SCHED_PEER *p = e->peer;
    SCHED_ENTRY **pp;
    SCHED_ENTRY *last;

    (void) sched;
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
    q->todo_rcpts -= (long) e->nrcpt;
    for (pp = &p->head; *pp && *pp != e; pp = &(*pp)->peer_next)
	 /* find */ ;
    if (*pp) {
	*pp = e->peer_next;
	if (p->tail == e) {
	    for (last = p->head; last && last->peer_next; last = last->peer_next)
		 /* last */ ;
	    p->tail = last;
	}
    }
    e->peer_next = NULL;
    e->peer = NULL;
    e->job->selected_entries++;
    if (p->head == NULL)
	sched_peer_drop(p);
    sched_queue_ready(q);
}

/* sched_entry_to_busy - a selected entry goes on its queue's busy list */

void    sched_entry_to_busy(SCHED_ENTRY *e)
{
    SCHED_QUEUE *q = e->queue;

    e->busy = 1;
    e->next = q->busy_head;
    if (q->busy_head)
	q->busy_head->prev = e;
    q->busy_head = e;
    q->busy++;
    if (q->group)
	q->group->busy++;
    sched_queue_ready(q);
}

/* sched_entry_free - release an entry that is on no list */

void    sched_entry_free(SCHED *sched, SCHED_ENTRY *e)
{
    size_t  i;

    for (i = 0; i < e->nrcpt; i++)
	free(e->rcpts[i].address);
    sched->rcpts -= (long) e->nrcpt;
    e->message->rcpt_count -= (long) e->nrcpt;
    e->job->rcpt_count -= (long) e->nrcpt;
    free(e->rcpts);
    free(e);
}

/* sched_job_free - the message is done with this transport */

static void sched_job_free(SCHED_JOB *job)
{
    sched_job_retire(job);
    /* A retired job may still hold slots, and jobs that preempted it still
     * point to it: no dangling stack links (§6.6). */
    sched_slots_return_spare(job);
    if (job->parent || job->children)
	sched_job_pop(job);
    while (job->peers)
	sched_peer_drop(job->peers);
    htable_free(job->peer_by_queue, NULL);
    free(job);
}

/* sched_message_release - one entry fewer; tell the caller when none is left.
 * The caller may free msg in message_idle (after sched_message_free): not a
 * byte of it is touched afterwards. */

void    sched_message_release(SCHED *sched, SCHED_MESSAGE *msg)
{
    if (--msg->refcount > 0)
	return;
    if (sched->ops.message_idle)
	sched->ops.message_idle(sched->ops.ctx, msg);
}

/* sched_message_free - the caller is done with msg: drop its jobs */

void    sched_message_free(SCHED *sched, SCHED_MESSAGE *msg)
{
    SCHED_JOB *job;

    (void) sched;
    if (msg->refcount > 0)
	msg_panic("%s: message still has %d entries", __func__, msg->refcount);
    while ((job = msg->jobs) != NULL) {
	msg->jobs = job->msg_next;
	sched_job_free(job);
    }
}

/*
 * sched_defer_todo - defer every todo entry of a queue without delivery. The
 * callbacks may finalize messages, and the caller may then read more
 * recipients of them into this very queue: it stays pinned meanwhile, and
 * the caller deletes it if it should go.
 */

void    sched_defer_todo(SCHED *sched, SCHED_QUEUE *q, const char *dsn, const char *reason)
{
    SCHED_ENTRY *e;
    SCHED_MESSAGE *msg;
    SCHED_JOB *job;

    q->pinned++;
    while ((e = q->todo_head) != NULL) {
	msg = e->message;
	job = e->job;
	sched_entry_unlink_todo(sched, e);
	sched->ops.defer_entry(sched->ops.ctx, e, dsn, reason);
	sched_entry_free(sched, e);
	sched_slots_entry_done(job);
	sched_message_release(sched, msg);	/* the entry's reference */
    }
    q->pinned--;
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
	    sched_entry_unlink_todo(sched, e);
	    sched_entry_free(sched, e);
	    sched_slots_entry_done(job);
	    msg->refcount--;
	    sched_queue_gc(sched, q);
	}
    }
    msg->rcpt_unread = 0;			/* nothing more will be read */
    for (job = msg->jobs; job; job = job->msg_next)
	sched_slots_return_spare(job);		/* fully read now (§5.3) */
    sched_message_release(sched, msg);
}
