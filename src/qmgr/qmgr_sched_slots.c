/*
 * qmgr_sched_slots - recipient slots: how many recipients may be in memory
 * DESCRIPTION
 *	Each transport owns a pool of recipient slots (<t>_recipient_limit).
 *	A job takes the whole pool when it is linked; spare slots go back when
 *	a job's message is fully read, when a job retires, and when an entry
 *	finishes, and the pool then goes to next_unread: the earliest job in
 *	time order whose message still has recipients in the file. Slots
 *	belong to the message, so a read may place recipients on another
 *	transport than the one that lent them. Together with the global
 *	qmgr_message_recipient_limit for first reads this bounds memory
 *	whatever the size of the backlog (docs/scheduler.md §5.3, §5.5).
 */
#include "qmgr_sched_int.h"

/* sched_message_fully_read - nothing left in the file */

int     sched_message_fully_read(const SCHED_MESSAGE *msg)
{
    return (msg->rcpt_unread <= 0);
}

/* sched_slots_give - move n slots from the pool to a job and its message */

static void sched_slots_give(SCHED_TRANSPORT *t, SCHED_JOB *job, long n)
{
    job->rcpt_limit += n;
    job->message->rcpt_limit += n;
    t->pool -= n;
}

/* sched_next_unread_after - the next job in time order with unread recipients */

static SCHED_JOB *sched_next_unread_after(SCHED_JOB *job)
{
    for (job = job ? job->time_next : NULL; job; job = job->time_next)
	if (!sched_message_fully_read(job->message))
	    return (job);
    return (NULL);
}

/* sched_slots_return_spare - give back unused slots, pass the pool on */

void    sched_slots_return_spare(SCHED_JOB *job)
{
    SCHED_TRANSPORT *t = job->transport;
    SCHED_MESSAGE *msg = job->message;
    long    spare = job->rcpt_limit - job->rcpt_count;
    long    mspare = msg->rcpt_limit - msg->rcpt_count;

    if (mspare < spare)
	spare = mspare;
    if (spare > 0)
	sched_slots_give(t, job, -spare);
    if (t->next_unread == job)
	t->next_unread = sched_next_unread_after(job);
    if (t->pool > 0 && t->next_unread && t->next_unread != job)
	sched_slots_give(t, t->next_unread, t->pool);
}

/* sched_slots_link - a job joins the transport: it takes the pool */

void    sched_slots_link(SCHED_TRANSPORT *t, SCHED_JOB *job)
{
    SCHED_JOB *old = t->next_unread;
    SCHED_JOB *k;

    if (t->pool > 0)
	sched_slots_give(t, job, t->pool);
    if (old == job)
	return;
    /* An earlier job (in time) becomes next_unread; the old one's spare
     * slots then flow to it. */
    for (k = job->time_next; k && k != old; k = k->time_next)
	 /* search */ ;
    if (old == NULL || k == old) {
	t->next_unread = job;
	if (old)
	    sched_slots_return_spare(old);
    }
}

/* sched_slots_extra - a preempting job gets part of the extra pool (§5.3) */

void    sched_slots_extra(SCHED_TRANSPORT *t, SCHED_JOB *job)
{
    long    share;

    if (sched_message_fully_read(job->message))
	return;
    share = (t->conf.extra_recipient_limit + t->pool + 1) / 2;
    if (share > 0 && t->pool - share >= -(long) t->conf.extra_recipient_limit)
	sched_slots_give(t, job, share);
}

/* sched_slots_entry_done - an entry finished: spare slots may go back */

void    sched_slots_entry_done(SCHED_JOB *job)
{
    SCHED_MESSAGE *msg = job->message;
    SCHED_JOB *other;

    for (other = msg->jobs; other; other = other->msg_next) {
	if (other == job)
	    continue;
	if (other->rcpt_limit > other->rcpt_count
	    && (!other->linked || sched_message_fully_read(msg)))
	    sched_slots_return_spare(other);
    }
    if (sched_message_fully_read(msg))
	sched_slots_return_spare(job);
}

/* sched_read_limit - recipients to read now (§5.2) */

long    sched_read_limit(SCHED *sched, SCHED_MESSAGE *msg, int first)
{
    long    limit;

    if (first) {
	msg->rcpt_limit = sched->conf.rcpt_minimum;
	limit = sched->conf.rcpt_limit - sched->rcpts;
	if (limit < msg->rcpt_limit)
	    limit = msg->rcpt_limit;
    } else {
	limit = msg->rcpt_limit - msg->rcpt_count;
	/* Nothing in memory but more in the file: read a batch anyway. */
	if (msg->rcpt_count == 0 && limit < sched->conf.rcpt_minimum) {
	    msg->rcpt_limit += sched->conf.rcpt_minimum - limit;
	    limit = sched->conf.rcpt_minimum;
	}
    }
    if (limit > SCHED_READ_MAX)
	limit = SCHED_READ_MAX;
    return (limit > 0 ? limit : 0);
}

/* sched_read_done - a read ended */

void    sched_read_done(SCHED *sched, SCHED_MESSAGE *msg, long unread)
{
    SCHED_JOB *job;

    msg->rcpt_unread = unread > 0 ? unread : 0;
    msg->last_refill = sched->now;
    if (sched_message_fully_read(msg))
	for (job = msg->jobs; job; job = job->msg_next)
	    sched_slots_return_spare(job);
}

/* sched_refill - read more recipients of a job's message if it pays (§5.4) */

void    sched_refill(SCHED *sched, SCHED_JOB *job)
{
    SCHED_MESSAGE *msg = job->message;
    const SCHED_TRANSPORT_CONF *c = &job->transport->conf;
    long    free_slots = msg->rcpt_limit - msg->rcpt_count;

    if (sched_message_fully_read(msg) || free_slots <= 0 || sched->ops.read_more == NULL)
	return;
    if (free_slots >= c->refill_limit
	|| sched->now - msg->last_refill >= c->refill_delay)
	sched->ops.read_more(sched->ops.ctx, msg, sched_read_limit(sched, msg, 0));
}
