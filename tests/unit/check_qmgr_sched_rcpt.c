/*
 * check_qmgr_sched_rcpt - unit tests for the scheduling core: recipients,
 *	queue names, message life, recipient slots and the JSON status
 * DESCRIPTION
 *	Drives src/qmgr/qmgr_sched*.c with an injected clock and fake agents
 *	and queue files (sched_fake.h) against docs/scheduler.md: grouping
 *	into entries (§5.1), queue names (§1), message_idle and dropping
 *	waiting entries, read limits (§5.2), refill (§5.4), conservation of
 *	recipient slots and the memory bound (§5.3, §5.5), and the JSON
 *	status (§9).
 */
#include "sched_fake.h"

/* setup, teardown - a fresh fake qmgr with Postfix's defaults per test */

static void setup(void)
{
    fake_defaults();
}

static void teardown(void)
{
    fake_stop();
}

/* §5.1 / §10 item 21: 120 recipients with destination_recipient_limit 50 give 50, 50, 20 */
START_TEST(recipient_limit_groups_entries)
{
    SCHED_TRANSPORT *t;
    FAKE_MSG *m;
    SCHED_ENTRY *e[3];
    int     i;

    fake_start();
    m = fake_message('A', 1000, "smtp", "a.test", 120);
    ck_assert_int_eq(m->sm.refcount, 3);
    ck_assert_int_eq(sched_active_recipients(fake.s), 120);
    t = fake_agent();
    for (i = 0; i < 3; i++)
	ck_assert_ptr_nonnull(e[i] = fake_take(t));
    ck_assert_ptr_null(sched_select(fake.s, t));
    ck_assert_uint_eq(e[0]->nrcpt, 50);
    ck_assert_uint_eq(e[1]->nrcpt, 50);
    ck_assert_uint_eq(e[2]->nrcpt, 20);
    ck_assert_str_eq(e[0]->rcpts[0].address, "A1-0@a.test");
    ck_assert_str_eq(e[2]->rcpts[19].address, "A1-119@a.test");
    ck_assert_int_eq(e[2]->rcpts[19].offset, 100 + 119);
    for (i = 0; i < 3; i++)
	fake_ok();
    ck_assert_int_eq(sched_active_recipients(fake.s), 0);
}
END_TEST

/* §3.2 connection caching hint: sched_queue_backlog says whether more waits for the queue */
START_TEST(queue_backlog_hint)
{
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *e;

    fake.tconf.dest_recipient_limit = 1;
    fake_start();
    (void) fake_message('A', 1000, "smtp", "a.test", 1);
    (void) fake_message('B', 1001, "smtp", "a.test", 1);
    fake_rcpt(fake_msg('C', 1002), "smtp", "a.test", "A1-0@a.test");
    (void) fake_read_first(fake.msgs[2]);
    t = fake_agent();
    ck_assert_ptr_nonnull(e = fake_take(t));
    ck_assert_int_eq(sched_queue_backlog(e), 1);	/* C's entry, same recipient */
    ck_assert_ptr_nonnull(e = fake_take(t));
    ck_assert_int_eq(sched_queue_backlog(e), 0);	/* B is alone in its queue */
    ck_assert_str_eq(sched_entry_nexthop(e), "a.test");
}
END_TEST

/* §5.1 / §10 item 22: one entry per destination; limit 0 means no limit */
START_TEST(recipients_group_per_destination)
{
    SCHED_TRANSPORT *t;
    FAKE_MSG *m = fake_msg('A', 1000);
    SCHED_ENTRY *e;
    int     seen = 0;

    fake.tconf.dest_recipient_limit = 0;
    fake_start();
    fake_rcpts(m, "smtp", "a.test", 2);
    fake_rcpts(m, "smtp", "b.test", 2);
    fake_rcpts(m, "smtp", "c.test", 200);
    (void) fake_read_first(m);
    ck_assert_int_eq(m->sm.refcount, 3);
    ck_assert_int_eq(sched_queue_count(fake.s), 3);
    t = fake_agent();
    while ((e = fake_take(t)) != NULL) {
	seen++;
	ck_assert_uint_eq(e->nrcpt, strcmp(sched_entry_nexthop(e), "c.test") ? 2 : 200);
	ck_assert_ptr_eq(sched_entry_transport(e), t);
    }
    ck_assert_int_eq(seen, 3);
}
END_TEST

/* §1: a queue is named after its next hop folded to lower case */
START_TEST(queue_named_after_lowercase_nexthop)
{
    FAKE_MSG *m = fake_msg('A', 1000);
    SCHED_ENTRY *e;

    fake_start();
    fake_rcpt(m, "smtp", "Example.COM", "a@Example.COM");
    fake_rcpt(m, "smtp", "example.com", "b@example.com");
    fake_rcpt(m, "smtp", "EXAMPLE.com", "c@example.com");
    (void) fake_read_first(m);
    ck_assert_int_eq(sched_queue_count(fake.s), 1);
    ck_assert_int_eq(m->sm.refcount, 1);
    ck_assert_int_eq(fake_window("example.com"), 5);
    ck_assert_int_eq(fake_window("Example.Com"), 5);
    ck_assert_ptr_nonnull(e = fake_take(fake_agent()));
    ck_assert_uint_eq(e->nrcpt, 3);
    ck_assert_str_eq(sched_entry_nexthop(e), "example.com");
}
END_TEST

/* §1: with destination_recipient_limit 1 the queue is localpart@nexthop, extension removed */
START_TEST(per_recipient_queue_names)
{
    FAKE_MSG *m = fake_msg('A', 1000);
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *e;
    int     n = 0;

    fake.tconf.dest_recipient_limit = 1;
    fake_start();
    fake_rcpt(m, "smtp", "Example.COM", "User+one@Example.COM");
    fake_rcpt(m, "smtp", "example.com", "user@example.com");
    fake_rcpt(m, "smtp", "example.com", "user+two+three@example.com");
    fake_rcpt(m, "smtp", "example.com", "bob@example.com");
    fake_rcpt(m, "smtp", "example.com", "+x@example.com");	/* no local part left: kept */
    fake_rcpt(m, "smtp", "[192.0.2.1]", "\"a@b\"@example.com");
    fake_rcpt(m, "smtp", "example.com", "postmaster");
    (void) fake_read_first(m);
    ck_assert_int_eq(m->sm.refcount, 7);
    ck_assert_int_eq(sched_queue_count(fake.s), 5);
    ck_assert_ptr_nonnull(fake_queue("smtp", "user@example.com"));
    ck_assert_int_eq(fake_queue("smtp", "user@example.com")->todo, 3);
    ck_assert_ptr_nonnull(fake_queue("smtp", "bob@example.com"));
    ck_assert_ptr_nonnull(fake_queue("smtp", "+x@example.com"));
    ck_assert_ptr_nonnull(fake_queue("smtp", "\"a@b\"@[192.0.2.1]"));
    ck_assert_ptr_nonnull(fake_queue("smtp", "postmaster@example.com"));
    ck_assert_int_eq(fake_window("USER@example.com"), 5);
    /* The agent is still sent to the next hop, not to the queue name. */
    t = fake_agent();
    while ((e = fake_take(t)) != NULL) {
	ck_assert_uint_eq(e->nrcpt, 1);
	ck_assert_str_eq(sched_entry_nexthop(e),
		       strstr(e->rcpts[0].address, "a@b") ? "[192.0.2.1]" : "example.com");
	n++;
    }
    ck_assert_int_eq(n, 7);
}
END_TEST

/* §3.3 step 4 / §1: message_idle exactly once, when the last entry is done */
START_TEST(message_idle_once_after_last_entry)
{
    SCHED_TRANSPORT *t;
    FAKE_MSG *m = fake_msg('A', 1000);
    FAKE_MSG *c;

    fake_start();
    fake_rcpts(m, "smtp", "a.test", 2);
    fake_rcpts(m, "smtp", "b.test", 1);
    fake_rcpts(m, "relay", "c.test", 1);
    (void) fake_read_first(m);
    ck_assert_int_eq(m->sm.refcount, 3);
    while ((t = fake_agent()) != NULL)
	(void) fake_fill(t);
    ck_assert_int_eq(fake.nbusy, 3);
    fake_ok();
    fake_done(0, SCHED_DONE_DEFER, NULL, NULL);
    ck_assert_int_eq(m->idle_calls, 0);
    fake_done(0, SCHED_DONE_CRASH, NULL, NULL);
    ck_assert_int_eq(m->idle_calls, 1);
    ck_assert_int_eq(m->finished, 1);
    ck_assert_int_eq(m->jobs_settled, 1);
    ck_assert_int_eq(sched_queue_count(fake.s), 0);
    c = fake_message('C', 1001, "smtp", "a.test", 1);
    ck_assert_ptr_nonnull(fake_take(fake_agent()));
    fake_done(0, SCHED_DONE_CRASH, NULL, NULL);
    ck_assert_int_eq(c->idle_calls, 1);
    ck_assert_int_eq(m->idle_calls, 1);
}
END_TEST

/* §1 hold/delete while active: sched_message_drop_todo forgets waiting entries, keeps busy ones */
START_TEST(drop_todo_keeps_busy_entries)
{
    SCHED_TRANSPORT *t;
    FAKE_MSG *m;
    FAKE_MSG *n;

    fake.tconf.dest_recipient_limit = 1;
    fake_start();
    m = fake_message('A', 1000, "smtp", "a.test", 5);
    n = fake_message('B', 1001, "smtp", "b.test", 2);
    ck_assert_int_eq(sched_queue_count(fake.s), 7);
    t = fake_agent();
    ck_assert_ptr_nonnull(fake_take(t));	/* one of A */
    m->held = 1;
    sched_message_drop_todo(fake.s, &m->sm);
    ck_assert_int_eq(m->idle_calls, 0);
    ck_assert_int_eq(m->sm.refcount, 1);
    ck_assert_int_eq(sched_active_recipients(fake.s), 1 + 2);
    ck_assert_int_eq(sched_queue_count(fake.s), 1 + 2);
    fake_ok();
    ck_assert_int_eq(m->idle_calls, 1);
    ck_assert_int_eq(m->jobs_settled, 1);
    /* Nothing busy: idle at once. */
    n->held = 1;
    sched_message_drop_todo(fake.s, &n->sm);
    ck_assert_int_eq(n->idle_calls, 1);
    ck_assert_int_eq(n->jobs_settled, 1);
    ck_assert_int_eq(sched_active_recipients(fake.s), 0);
    ck_assert_int_eq(sched_queue_count(fake.s), 0);
    ck_assert_int_eq(fake.defers, 0);
    ck_assert_int_eq(fake_transport("smtp")->pool, fake.tconf.recipient_limit);
}
END_TEST

/* §5.3: dropping the rest of a partly read message gives its slots back before it goes idle */
START_TEST(drop_todo_returns_slots_of_unread_message)
{
    FAKE_MSG *m;

    fake.conf.rcpt_limit = 10;
    fake.tconf.recipient_limit = 50;
    fake_start();
    m = fake_message('A', 1000, "smtp", "a.test", 100);
    ck_assert_int_eq(m->nread, 10);
    ck_assert_int_eq(m->sm.rcpt_limit, 10 + 50);
    ck_assert_int_eq(fake_transport("smtp")->pool, 0);
    m->held = 1;
    sched_message_drop_todo(fake.s, &m->sm);
    ck_assert_int_eq(m->idle_calls, 1);
    ck_assert_int_eq(m->jobs_settled, 1);
    ck_assert_int_eq(fake_transport("smtp")->pool, 50);
    ck_assert_int_eq(sched_active_recipients(fake.s), 0);
}
END_TEST

/* §5.2: first reads use the global limit (at least the minimum), later ones the message's slots */
START_TEST(read_limits)
{
    FAKE_MSG *a;
    FAKE_MSG *b;

    fake.conf.rcpt_limit = 100;
    fake.tconf.recipient_limit = 30;
    fake_start();
    a = fake_message('A', 1000, "smtp", "a.test", 200);
    ck_assert_int_eq(a->nread, 100);		/* max(100 - 0, 10) */
    ck_assert_int_eq(a->sm.rcpt_limit, 10 + 30);	/* the minimum and the pool */
    b = fake_msg('B', 1001);
    ck_assert_int_eq(sched_read_limit(fake.s, &b->sm, 1), 10);	/* max(100 - 100, 10) */
    ck_assert_int_eq(b->sm.rcpt_limit, 10);
    ck_assert_int_eq(sched_read_limit(fake.s, &a->sm, 0), 0);	/* 40 - 100: none */
}
END_TEST

/* §5.2: one read takes at most 5000 recipients */
START_TEST(read_limit_capped)
{
    FAKE_MSG *a = fake_msg('A', 1000);

    fake_start();
    ck_assert_int_eq(sched_read_limit(fake.s, &a->sm, 1), 5000);
    a->sm.rcpt_limit = 9000;
    a->sm.rcpt_count = 1;
    ck_assert_int_eq(sched_read_limit(fake.s, &a->sm, 0), 5000);
    a->sm.rcpt_count = 0;
}
END_TEST

/* §5.3: a job still reading keeps its slots when another job of its message finishes an entry */
START_TEST(reading_job_keeps_slots)
{
    SCHED_JOB *j1;
    FAKE_MSG *m = fake_msg('M', 1000);

    fake.conf.rcpt_limit = 10;
    fake.tconf.recipient_limit = 50;
    fake.tconf.refill_limit = 1000;
    fake_start();
    fake_rcpts(m, "relay", "r.test", 2);
    fake_rcpts(m, "smtp", "a.test", 98);
    ck_assert_int_eq(fake_read_first(m), 10);
    for (j1 = m->sm.jobs; strcmp(j1->transport->name, "smtp"); j1 = j1->msg_next)
	 /* the smtp job */ ;
    ck_assert_int_eq(j1->rcpt_limit, 50);
    ck_assert_int_eq(j1->rcpt_count, 8);
    ck_assert_ptr_nonnull(fake_take(fake_transport("relay")));
    fake_ok();
    ck_assert_int_eq(j1->rcpt_limit, 50);
    ck_assert_int_eq(fake.nreads, 0);
}
END_TEST

/* §10 item 26: refill in batches of >= refill_limit, or after refill_delay, never with 0 free */
START_TEST(refill_batches)
{
    SCHED_TRANSPORT *t;
    FAKE_MSG *m;
    FAKE_READ *r;
    int     batch_reads = 0;
    int     delay_reads = 0;
    int     step;
    int     i;
    int     per_step;

    fake.conf.rcpt_limit = 50;
    fake.tconf.recipient_limit = 50;
    fake.tconf.extra_recipient_limit = 0;
    fake.tconf.refill_limit = 20;
    fake.tconf.refill_delay = 1;
    fake.tconf.dest_recipient_limit = 1;
    fake_start();
    m = fake_message('A', 1000, "smtp", "a.test", 1000);
    ck_assert_int_eq(m->nread, 50);
    for (step = 0; !m->finished && step < 5000; step++) {
	fake_advance(1000 + 0.3 * step);
	while (fake.nbusy > 0)
	    fake_ok();
	per_step = (step / 40) % 2 ? 1 : 8;	/* fast and slow phases */
	for (i = 0; i < per_step && (t = fake_agent()) != NULL; i++)
	    if (fake_take(t) == NULL)
		sched_transport_unlock(t);
	ck_assert_int_le(m->sm.rcpt_count, m->sm.rcpt_limit);
    }
    ck_assert_int_eq(m->finished, 1);
    ck_assert_int_eq(m->nread, 1000);
    ck_assert_int_eq(m->idle_calls, 1);
    ck_assert_int_gt(fake.nreads, 10);
    for (i = 0; i < fake.nreads; i++) {
	r = fake.reads + i;
	ck_assert_msg(r->free_slots > 0, "read #%d with %ld free slots", i, r->free_slots);
	ck_assert_msg(r->free_slots >= 20 || r->since >= 1.0,
		      "read #%d: %ld free after %.1fs", i, r->free_slots, r->since);
	ck_assert_int_eq(r->limit, r->free_slots);
	if (r->free_slots >= 20)
	    batch_reads++;
	else
	    delay_reads++;
    }
    ck_assert_int_gt(batch_reads, 0);
    ck_assert_int_gt(delay_reads, 0);
    ck_assert_int_eq(fake_transport("smtp")->pool, 50);
}
END_TEST

/* check_slots - pool + every job's slots == <t>_recipient_limit; §5.5 memory bound */

static void check_slots(int active)
{
    static const char *names[] = {"smtp", "relay"};
    SCHED_TRANSPORT *t;
    const SCHED_JOB *job;
    long    held;
    long    bound = 10L * active + (50 + 10) + (30 + 5);
    int     i;
    int     k;

    for (k = 0; k < 2; k++) {
	t = fake_transport(names[k]);
	held = 0;
	for (i = 0; i < fake.nmsgs; i++)
	    if (!fake.msgs[i]->finished)
		for (job = fake.msgs[i]->sm.jobs; job; job = job->msg_next)
		    if (job->transport == t)
			held += job->rcpt_limit;
	ck_assert_int_eq(t->pool + held, k == 0 ? 50 : 30);
	ck_assert_int_ge(t->pool, -(k == 0 ? 10 : 5));
    }
    if (bound < 100)
	bound = 100;
    ck_assert_int_le(sched_active_recipients(fake.s), bound);
}

/* §10 item 27: slot conservation: afterwards pool = <t>_recipient_limit, global count 0 */
START_TEST(slot_conservation)
{
    static const char *hops[] = {"a.test", "b.test", "c.test", "dead.test"};
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *e;
    FAKE_MSG *m;
    FAKE_MSG *hold = 0;
    char    addr[64];
    int     active;
    int     step;
    int     i;
    int     n;

    fake.conf.rcpt_limit = 100;
    fake.tconf.recipient_limit = 50;
    fake.tconf.extra_recipient_limit = 10;
    fake.tconf.refill_limit = 10;
    fake.tconf.refill_delay = 1;
    fake.tconf.dest_recipient_limit = 5;
    fake_conf("relay")->recipient_limit = 30;
    fake_conf("relay")->extra_recipient_limit = 5;
    fake_start();
    for (step = 0; step < 4000; step++) {
	fake_advance(1000 + 0.5 * step);
	if (step < 60 && step % 4 == 0) {	/* arrivals: big, small, mixed */
	    m = fake_msg((char) ('A' + step / 4), fake.now);
	    n = step % 12 == 0 ? 150 : step % 8 == 0 ? 2 : 12;
	    for (i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "%s-%d@%s", m->id, i, hops[(i + step) % 4]);
		fake_rcpt(m, (i + step) % 3 ? "smtp" : "relay", hops[(i + step) % 4], addr);
	    }
	    (void) fake_read_first(m);
	    if (step == 12)
		hold = m;
	}
	if (step == 30 && !hold->finished) {	/* held while active */
	    hold->held = 1;
	    sched_message_drop_todo(fake.s, &hold->sm);
	}
	for (i = fake.nbusy - 1; i >= 0; i--) {
	    e = fake.busy[i];
	    if (strcmp(e->queue->nexthop, "dead.test") == 0)
		fake_done(i, SCHED_DONE_DEFER, "4.4.1", "dead.test: refused");
	    else if ((i + step) % 7 == 0)
		fake_done(i, SCHED_DONE_DEFER, NULL, NULL);
	    else if ((i + step) % 3 == 0)
		fake_done(i, SCHED_DONE_OK, NULL, NULL);
	}
	for (i = 0; i < 6 && (t = fake_agent()) != NULL; i++)
	    if (fake_take(t) == NULL)
		sched_transport_unlock(t);
	for (active = i = 0; i < fake.nmsgs; i++)
	    active += !fake.msgs[i]->finished;
	check_slots(active);
	if (step > 60 && active == 0)
	    break;
    }
    ck_assert_int_lt(step, 4000);
    ck_assert_int_gt(fake.defers, 0);
    for (i = 0; i < fake.nmsgs; i++) {
	ck_assert_int_eq(fake.msgs[i]->finished, 1);
	ck_assert_int_eq(fake.msgs[i]->idle_calls, 1);
	ck_assert_msg(fake.msgs[i]->jobs_settled, "%s kept slots", fake.msgs[i]->id);
	ck_assert_int_eq(fake.msgs[i]->sm.rcpt_limit, 10);	/* the minimum is left */
    }
    ck_assert_int_eq(fake_transport("smtp")->pool, 50);
    ck_assert_int_eq(fake_transport("relay")->pool, 30);
    ck_assert_int_eq(sched_active_recipients(fake.s), 0);
    sched_flush_dead(fake.s);
    ck_assert_int_eq(sched_queue_count(fake.s), 0);
}
END_TEST

/*
 * A minimal JSON checker (RFC 8259 syntax): each json_ function takes the
 * text at p and returns where its value ends, or NULL if it is malformed.
 */
static const char *json_value(const char *p);

/* json_ws - skip white space */

static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
	p++;
    return (p);
}

/* json_string - a quoted string with valid escapes */

static const char *json_string(const char *p)
{
    int     i;

    if (*p++ != '"')
	return (NULL);
    for (; *p != '"'; p++) {
	if (*p == 0 || (unsigned char) *p < 0x20)
	    return (NULL);
	if (*p == '\\') {
	    p++;
	    if (*p == 'u') {
		for (i = 1; i <= 4; i++)
		    if (strchr("0123456789abcdefABCDEF", p[i]) == NULL || p[i] == 0)
			return (NULL);
		p += 4;
	    } else if (*p == 0 || strchr("\"\\/bfnrt", *p) == NULL) {
		return (NULL);
	    }
	}
    }
    return (p + 1);
}

/* json_number - -?digits(.digits)?([eE][+-]?digits)? */

static const char *json_number(const char *p)
{
    const char *start;

    if (*p == '-')
	p++;
    for (start = p; *p >= '0' && *p <= '9'; p++)
	 /* digits */ ;
    if (p == start)
	return (NULL);
    if (*p == '.') {
	for (start = ++p; *p >= '0' && *p <= '9'; p++)
	     /* fraction */ ;
	if (p == start)
	    return (NULL);
    }
    if (*p == 'e' || *p == 'E') {
	p++;
	if (*p == '+' || *p == '-')
	    p++;
	for (start = p; *p >= '0' && *p <= '9'; p++)
	     /* exponent */ ;
	if (p == start)
	    return (NULL);
    }
    return (p);
}

/* json_list - an object (members) or an array, p at its opening bracket */

static const char *json_list(const char *p, char close, int members)
{
    p = json_ws(p + 1);
    if (*p == close)
	return (p + 1);
    for (;;) {
	if (members) {
	    if ((p = json_string(json_ws(p))) == NULL)
		return (NULL);
	    p = json_ws(p);
	    if (*p++ != ':')
		return (NULL);
	}
	if ((p = json_value(p)) == NULL)
	    return (NULL);
	p = json_ws(p);
	if (*p == close)
	    return (p + 1);
	if (*p++ != ',')
	    return (NULL);
    }
}

/* json_value - any value */

static const char *json_value(const char *p)
{
    p = json_ws(p);
    switch (*p) {
    case '{':
	return (json_list(p, '}', 1));
    case '[':
	return (json_list(p, ']', 0));
    case '"':
	return (json_string(p));
    case 't':
	return (strncmp(p, "true", 4) ? NULL : p + 4);
    case 'f':
	return (strncmp(p, "false", 5) ? NULL : p + 5);
    case 'n':
	return (strncmp(p, "null", 4) ? NULL : p + 4);
    default:
	return (json_number(p));
    }
}

/* json_valid - text is exactly one JSON value */

static int json_valid(const char *text)
{
    const char *p = json_value(text);

    return (p != NULL && *json_ws(p) == 0);
}

/* §9: sched_dump_json is one valid JSON object with the documented fields */
START_TEST(dump_json_has_documented_fields)
{
    static const char *keys[] = {
	"active_messages", "active_recipients", "destinations", "transports",
	"dead", "dead_until", "rate_locked", "pending_agents", "recipient_pool", "jobs",
	"name", "nexthop", "state", "window", "concurrency", "todo_entries",
	"feedback_positive", "feedback_negative", "fail_cohorts", "reason", "queue_id", "read_entries", "max_entries",
	"selected_entries", "slots", "slots_used", "level", "blocker", "current", 0,
    };
    SCHED_TRANSPORT *t;
    DSTR   *out = dstr_new(1024);
    int     i;

    ck_assert_int_eq(json_valid("{\"a\": [1, -2.5e3, \"x\\n\", true, null]}"), 1);
    ck_assert_int_eq(json_valid("{\"a\": }"), 0);
    ck_assert_int_eq(json_valid("{\"a\": 1} x"), 0);
    fake.tconf.init_dest_concurrency = 1;
    fake_start();
    sched_dump_json(fake.s, 0, out);
    ck_assert_msg(json_valid(dstr_str(out)), "%s", dstr_str(out));
    (void) fake_message('A', 1000, "smtp", "a.test", 3);
    (void) fake_message('B', 1000, "smtp", "b.test", 3);
    (void) fake_message('C', 1000, "relay", "c.test", 1);
    t = fake_transport("smtp");
    ck_assert_ptr_nonnull(fake_take(t));
    fake_done(0, SCHED_DONE_DEFER, "4.4.1", "greeting: \"421\" \\ busy\ttoday");
    ck_assert_ptr_nonnull(fake_take(fake_transport("smtp")));
    sched_agent_asked(fake_transport("relay"));
    DSTR_RESET(out);
    sched_dump_json(fake.s, 3, out);
    ck_assert_msg(json_valid(dstr_str(out)), "%s", dstr_str(out));
    for (i = 0; keys[i]; i++) {
	char    quoted[64];

	snprintf(quoted, sizeof(quoted), "\"%s\": ", keys[i]);
	ck_assert_msg(strstr(dstr_str(out), quoted) != NULL, "no %s in %s", quoted, dstr_str(out));
    }
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\"active_messages\": 3"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\"active_recipients\": 4"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\"state\": \"dead\""));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\"dead_until\": 1300"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\"pending_agents\": 1"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "delivery temporarily suspended: greeting:"));
    sched_agent_settled(fake_transport("relay"));
    dstr_free(out);
}
END_TEST

/* §9: the summary stays small with hundreds of destinations, and lists the busiest */
START_TEST(dump_json_summary_is_small)
{
    DSTR   *out = dstr_new(1024);
    DSTR   *full = dstr_new(1024);
    char    dest[32];
    int     i;

    fake_start();
    for (i = 0; i < 300; i++) {
	snprintf(dest, sizeof(dest), "d%04d.test", i);
	(void) fake_message('A' + i % 26, 1000, "smtp", dest, i == 150 ? 7 : 1);
    }
    sched_dump_json(fake.s, 300, full);
    sched_dump_json_summary(fake.s, 300, 10, out);
    ck_assert_msg(json_valid(dstr_str(out)), "%s", dstr_str(out));
    ck_assert_int_gt(dstr_len(full), 60000);
    ck_assert_int_lt(dstr_len(out), 10240);
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\"destinations\": 300, \"groups\": 0, \"jobs\": 300"));
    /* the one with 7 waiting comes first */
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\"busiest\": [{\"name\": \"d0150.test\""));
    ck_assert_ptr_null(strstr(dstr_str(out), "\"queue_id\""));
    dstr_free(out);
    dstr_free(full);
}
END_TEST

/* AUDIT - what the queues of one transport add up to */

typedef struct AUDIT {
    long    rcpts;				/* recipients in entries */
    int     ready;				/* sum of queue shares */
} AUDIT;

/* audit_queue - htable_walk callback: a destination's lists agree with its counters */

static void audit_queue(const char *key, void *value, void *ctx)
{
    SCHED_QUEUE *q = value;
    AUDIT  *a = ctx;
    SCHED_ENTRY *e;
    long    rcpts = 0;
    int     n = 0;
    int     want;

    FAKE_CHECK(strcmp(key, q->name) == 0);
    if (q->transport->dead)
	FAKE_CHECK(q->todo == 0);		/* dead transport: nothing waits */
    for (e = q->todo_head; e; e = e->next, n++) {
	FAKE_CHECK(!e->busy && e->queue == q && e->peer != NULL);
	rcpts += (long) e->nrcpt;
	((FAKE_MSG *) e->message->owner)->live++;
    }
    FAKE_CHECK(n == q->todo);
    FAKE_CHECK(rcpts == q->todo_rcpts);
    for (n = 0, e = q->busy_head; e; e = e->next, n++) {
	FAKE_CHECK(e->busy && e->queue == q && e->peer == NULL);
	rcpts += (long) e->nrcpt;
	((FAKE_MSG *) e->message->owner)->live++;
    }
    FAKE_CHECK(n == q->busy);
    a->rcpts += rcpts;
    FAKE_CHECK(q->window >= -1);
    if (q->window == 0)
	FAKE_CHECK(q->todo == 0);		/* dead: nothing waits */
    else if (q->window > 0)
	FAKE_CHECK(q->todo + q->busy > 0);	/* an empty ready queue is deleted */
    want = q->window > 0 ? q->window - q->busy : 0;
    if (want > q->todo)
	want = q->todo;
    FAKE_CHECK(q->ready == (want < 0 ? 0 : want));
    a->ready += q->ready;
}

/* audit - the core's counters agree with its lists (§1, §5.3) */

static void audit(const char **names, const long *pools, int ntrans)
{
    SCHED_TRANSPORT *t;
    const SCHED_JOB *job;
    const SCHED_JOB *k;
    FAKE_MSG *m;
    AUDIT   a = {0, 0};
    long    total = 0;
    long    held;
    long    jrcpts;
    int     on_list;
    int     linked;
    int     i;
    int     n;

    for (i = 0; i < fake.nmsgs; i++)
	fake.msgs[i]->live = 0;
    for (n = 0; n < ntrans; n++) {
	t = fake_transport(names[n]);
	a.rcpts = 0;
	a.ready = 0;
	htable_walk(t->queues, audit_queue, &a);
	FAKE_CHECK(a.ready == t->ready);
	total += a.rcpts;
	held = 0;
	for (i = 0; i < fake.nmsgs; i++) {
	    if (fake.msgs[i]->finished)
		continue;
	    for (job = fake.msgs[i]->sm.jobs; job; job = job->msg_next) {
		if (job->transport != t)
		    continue;
		held += job->rcpt_limit;
		FAKE_CHECK(job->read_entries >= job->selected_entries);
		for (on_list = 0, k = t->jobs_head; k; k = k->next)
		    on_list += k == job;
		FAKE_CHECK(on_list == job->linked);
	    }
	}
	FAKE_CHECK(t->pool + held == pools[n]);
	for (on_list = linked = 0, k = t->jobs_head; k; k = k->next, linked++) {
	    FAKE_CHECK(k->linked && k->transport == t);
	    on_list += k == t->current;
	}
	for (k = t->time_head; k; k = k->time_next)
	    linked--;				/* the time list holds the same jobs */
	FAKE_CHECK(linked == 0);
	FAKE_CHECK(t->current == NULL || on_list == 1);
	FAKE_CHECK(t->next_unread == NULL || t->next_unread->linked);
    }
    FAKE_CHECK(total == sched_active_recipients(fake.s));
    for (i = 0; i < fake.nmsgs; i++) {
	m = fake.msgs[i];
	if (m->finished)
	    continue;
	FAKE_CHECK(m->live == m->sm.refcount);
	for (jrcpts = 0, job = m->sm.jobs; job; job = job->msg_next)
	    jrcpts += job->rcpt_count;
	FAKE_CHECK(jrcpts == m->sm.rcpt_count);
    }
}

/* rnd - a small deterministic generator */

static unsigned long rnd_state;

static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 6364136223846793005UL + 1442695040888963407UL;
    return ((unsigned) (rnd_state >> 33) % n);
}

/* random_message - a message of up to 40 recipients over 3 transports and 6 hops */

static void random_message(void)
{
    static const char *trans[] = {"smtp", "relay", "local"};
    static const char *hops[] = {"a.test", "b.test", "c.test", "d.test", "e.test", "F.test"};
    FAKE_MSG *m = fake_msg((char) ('a' + rnd(26)), fake.now - rnd(30));
    char    addr[64];
    int     n = 1 + (int) rnd(rnd(4) ? 8 : 40);
    int     i;
    int     h;

    for (i = 0; i < n; i++) {
	h = (int) rnd(6);
	snprintf(addr, sizeof(addr), "u%u+x@%s", rnd(5), hops[h]);
	fake_rcpt(m, trans[rnd(3)], hops[h], addr);
    }
    (void) fake_read_first(m);
}

#ifndef SCHED_SEEDS
#define SCHED_SEEDS	30			/* runs of random_operations */
#endif

/* random_run - 3000 random operations, then a drain, auditing after each step */

static void random_run(unsigned long seed)
{
    static const char *names[] = {"smtp", "relay", "local"};
    static const long pools[] = {40, 25, 30};
    SCHED_TRANSPORT *t;
    SCHED_ENTRY *e;
    FAKE_MSG *m;
    int     step;
    int     i;
    int     op;

    rnd_state = seed;
#ifdef SCHED_SEEDS_VERBOSE
    fprintf(stderr, "seed %lu\n", seed);
#endif
    fake.conf.rcpt_limit = 60;
    fake.conf.rcpt_minimum = 5;
    fake.conf.dead_time = 20;
    fake.conf.transport_retry_time = 10;
    fake.tconf.recipient_limit = 40;
    fake.tconf.extra_recipient_limit = 10;
    fake.tconf.refill_limit = 5;
    fake.tconf.refill_delay = 1;
    fake.tconf.dest_recipient_limit = 3;
    fake.tconf.init_dest_concurrency = 2;
    fake.tconf.dest_concurrency_limit = 4;
    fake_conf("relay")->recipient_limit = 25;
    fake_conf("relay")->extra_recipient_limit = 5;
    fake_conf("relay")->transport_rate_delay = 1;
    fake_conf("relay")->dest_rate_delay = 1;
    fake_conf("relay")->cohort_limit = 3;
    fake_conf("local")->recipient_limit = 30;
    fake_conf("local")->dest_recipient_limit = 1;
    fake_conf("local")->slot_cost = 2;
    fake_conf("local")->pos_feedback.per_window = 1;
    fake_conf("local")->neg_feedback.value = 0.5;
    fake_start();
    for (i = 0; i < 3; i++)			/* create them in a known order */
	(void) fake_transport(names[i]);
    for (step = 0; step < 3000; step++) {
	op = (int) rnd(100);
	if (op < 8 && fake.nmsgs < FAKE_MSGS - 1 && step < 2500) {
	    random_message();
	} else if (op < 50) {
	    if ((t = fake_agent()) != NULL && fake_take(t) == NULL)
		sched_transport_unlock(t);
	} else if (op < 80 && fake.nbusy > 0) {
	    i = (int) rnd((unsigned) fake.nbusy);
	    switch (rnd(5)) {
	    case 0:
		fake_done(i, SCHED_DONE_DEFER, "4.4.1", "refused");
		break;
	    case 1:
		fake_done(i, SCHED_DONE_CRASH, NULL, NULL);
		break;
	    case 2:
		fake_done(i, SCHED_DONE_DEFER, NULL, NULL);
		break;
	    default:
		fake_done(i, SCHED_DONE_OK, NULL, NULL);
	    }
	} else if (op < 90) {
	    fake_advance(fake.now + rnd(4) / 2.0);
	} else if (op < 92 && fake.nbusy > 0) {
	    i = (int) rnd((unsigned) fake.nbusy);
	    e = fake.busy[i];
	    memmove(fake.busy + i, fake.busy + i + 1, (size_t) (fake.nbusy - i - 1) * sizeof(e));
	    fake.nbusy--;
	    t = sched_entry_transport(e);
	    sched_entry_unselect(fake.s, e);
	    if (rnd(2))
		sched_transport_dead(fake.s, t, "mail transport unavailable");
	} else if (op < 94) {
	    sched_transport_dead(fake.s, fake_transport(names[rnd(3)]), "mail transport unavailable");
	} else if (op < 95) {
	    sched_flush_dead(fake.s);
	} else if (op < 97 && fake.nmsgs > 0) {
	    m = fake.msgs[rnd((unsigned) fake.nmsgs)];
	    if (!m->finished && !m->held) {
		m->held = 1;
		sched_message_drop_todo(fake.s, &m->sm);
	    }
	}
	audit(names, pools, 3);
    }
    /* Drain: every message ends, and every slot comes back. */
    for (step = 0; step < 20000; step++) {
	for (i = 0; i < fake.nmsgs && fake.msgs[i]->finished; i++)
	     /* find one that is not */ ;
	if (i == fake.nmsgs)
	    break;
	while (fake.nbusy > 0)
	    fake_ok();
	fake_advance(fake.now + 1);
	while ((t = fake_agent()) != NULL)
	    if (fake_take(t) == NULL)
		sched_transport_unlock(t);
	audit(names, pools, 3);
    }
    ck_assert_int_lt(step, 20000);
    ck_assert_int_gt(fake.nmsgs, 100);
    for (i = 0; i < fake.nmsgs; i++)		/* idle more than once if it read on */
	ck_assert_msg(fake.msgs[i]->jobs_settled, "%s kept slots", fake.msgs[i]->id);
    for (i = 0; i < 3; i++)
	ck_assert_int_eq(fake_transport(names[i])->pool, pools[i]);
    ck_assert_int_eq(sched_active_recipients(fake.s), 0);
}

/* §1, §3, §4, §5.3: random operations keep lists, counters and recipient slots exact */
START_TEST(random_operations_keep_accounting)
{
    unsigned long seed;

    for (seed = 1; seed <= SCHED_SEEDS; seed++) {
	fake_defaults();
	random_run(seed);
	fake_stop();
    }
}
END_TEST

/* rcpt_suite - the tests */

static Suite *rcpt_suite(void)
{
    Suite  *s = suite_create("qmgr_sched_rcpt");
    TCase  *tc = tcase_create("recipients");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, recipient_limit_groups_entries);
    tcase_add_test(tc, recipients_group_per_destination);
    tcase_add_test(tc, queue_backlog_hint);
    tcase_add_test(tc, queue_named_after_lowercase_nexthop);
    tcase_add_test(tc, per_recipient_queue_names);
    tcase_add_test(tc, message_idle_once_after_last_entry);
    tcase_add_test(tc, drop_todo_keeps_busy_entries);
    tcase_add_test(tc, drop_todo_returns_slots_of_unread_message);
    tcase_add_test(tc, read_limits);
    tcase_add_test(tc, read_limit_capped);
    tcase_add_test(tc, reading_job_keeps_slots);
    tcase_add_test(tc, refill_batches);
    tcase_add_test(tc, slot_conservation);
    tcase_add_test(tc, random_operations_keep_accounting);
    tcase_add_test(tc, dump_json_has_documented_fields);
    tcase_add_test(tc, dump_json_summary_is_small);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(rcpt_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
