/*
 * qmqpd - receive one message per connection over QMQP
 * DESCRIPTION
 *	Counts every connection with anvil (what came of it too, for posthorn
 *	metrics) and answers Z at once when a client address not exempt has
 *	more than qmqpd_client_connection_limit open (Postfix's smtpd model;
 *	0: no limit); authorizes the client against
 *	qmqpd_authorized_clients; reads the QMQP request under
 *	message_size_limit, line_length_limit and one deadline for the whole
 *	request, qmqpd_timeout from accept, which every qmqpd_min_data_rate
 *	bytes received push one second later, up to one hour; streams it to
 *	cleanup with a Received: header in front. Answers K only when cleanup
 *	says the queue file is durable; Z for our own trouble; D for a
 *	malformed or refused request (Z instead when soft_bounce = yes),
 *	after qmqpd_error_delay. A qmail/ezmlm VERP sender ("PRE@HOST-@[]")
 *	is recognised here and recorded for delivery (docs/protocols.md §3).
 * SECURITY
 *	Faces the network; runs chrooted in the queue directory as mail_owner
 *	and never touches queue files itself. A client holds a qmqpd process
 *	for at most qmqpd_timeout unless it keeps sending, and one address
 *	holds at most qmqpd_client_connection_limit processes.
 * PARAMETERS
 *	qmqpd_authorized_clients (empty: nobody), qmqpd_timeout (300s),
 *	qmqpd_min_data_rate (500), qmqpd_client_connection_limit (50),
 *	qmqpd_client_event_limit_exceptions (empty), qmqpd_error_delay (1s),
 *	qmqpd_client_port_logging (no), message_size_limit,
 *	line_length_limit, verp_delimiter_filter, soft_bounce, myhostname,
 *	mail_name.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "qmqpd.h"
#include "addrmatch.h"
#include "anvil_client.h"
#include "cfg.h"
#include "cfg_params.h"
#include "cleanup_client.h"
#include "msg.h"
#include "mymalloc.h"
#include "netstring.h"
#include "peername.h"
#include "qid.h"
#include "spool.h"
#include "server.h"
#include "timefmt.h"
#include "verp.h"

#define QMQPD_SESSION_LIMIT	3600	/* the protocol's one-hour rule */
#define QMQPD_BUFFER_MAX	65536	/* messages up to this size are held, so a
					 * single recipient can be named in Received: */
#define QMQPD_LINGER_MS		1000	/* drain time after an early reply */
#define QMQPD_LIMIT_LINGER_MS	200	/* the same after "too many connections":
					 * short, for it may be a flood */
#define QMQPD_ANVIL_TIMEOUT	2	/* seconds anvil may take to answer, or we
					 * serve without counting */

typedef struct QMQPD_STATE {
    char    qid[QID_SIZE];
    const char *service;		/* master.cf service name, for anvil */
    int     counted;			/* anvil counts this connection */
    const char *outcome;		/* why not K, for anvil's counters */
    int     named;			/* name looked up (else "unknown") */
    DSTR   *name;
    DSTR   *addr;
    DSTR   *port;
    DSTR   *client;			/* name[addr] or name[addr]:port for logs */
    DSTR   *why;
    CLEANUP_CLIENT *cl;
    int     cl_failed;
    int     buffering;
    int     flushed;
    DSTR   *content;
    DSTR   *sender;
    char    verp[3];
    DSTR   *first_rcpt;
    int     nrcpt;
} QMQPD_STATE;

static ADDRLIST *qmqpd_clients;
static ADDRLIST *qmqpd_hoggers;		/* qmqpd_client_event_limit_exceptions */
static ANVIL_CLIENT *qmqpd_anvil;		/* counts connections, enforces the limit */

/* qmqpd_received - the Received: header, LF-terminated */

static void qmqpd_received(QMQPD_STATE *st, DSTR *out, const char *single_rcpt)
{
    dstr_sprintf(out, "Received: from %s (%s [%s])\n\tby %s (%s) with QMQP",
		 dstr_str(st->name), dstr_str(st->name), dstr_str(st->addr),
		 var_myhostname, var_mail_name);
    if (single_rcpt)
	dstr_printf(out, " id %s\n\tfor <%s>; ", st->qid, single_rcpt);
    else
	dstr_printf(out, "\n\tid %s; ", st->qid);
    timefmt_rfc5322(out, time((time_t *) 0));
    dstr_catc(out, '\n');
}

/*
 * The stream to cleanup that the last message used, kept for the next one
 * (cleanup_client.c): one cleanup process serves this qmqpd for its life.
 */
static CLEANUP_CLIENT *qmqpd_cleanup_spare;

/* qmqpd_cleanup_stream - the kept stream if it can take a request, else a new one */

static CLEANUP_CLIENT *qmqpd_cleanup_stream(void)
{
    CLEANUP_CLIENT *cl = qmqpd_cleanup_spare;

    qmqpd_cleanup_spare = NULL;
    if (cl && cleanup_client_reset(cl) == 0)
	return (cl);
    if (cl)
	cleanup_client_close(cl);
    return (cleanup_client_open(CLEANUP_SERVICE, var_ipc_timeout));
}

/* qmqpd_open_cleanup - connect, send attributes (and the sender when known), Received: */

static void qmqpd_open_cleanup(QMQPD_STATE *st, const char *single_rcpt, int first_byte,
			               int sender_known)
{
    DSTR   *hdr;

    if (st->cl || st->cl_failed)
	return;
    if ((st->cl = qmqpd_cleanup_stream()) == NULL) {
	msg_warn("%s: connect to %s: %m", st->qid, CLEANUP_SERVICE);
	st->cl_failed = 1;
	return;
    }
    cleanup_client_attr(st->cl, "queue_id", st->qid);
    cleanup_client_attr(st->cl, "protocol", "QMQP");
    cleanup_client_attr(st->cl, "client_name", dstr_str(st->name));
    cleanup_client_attr(st->cl, "client_address", dstr_str(st->addr));
    cleanup_client_attr(st->cl, "client_port", dstr_str(st->port));
    if (sender_known)
	cleanup_client_sender(st->cl, dstr_str(st->sender), st->verp);
    hdr = dstr_new(256);
    qmqpd_received(st, hdr, single_rcpt);
    /* A first line that starts with white space would extend our header. */
    if (first_byte == ' ' || first_byte == '\t')
	dstr_catc(hdr, '\n');
    cleanup_client_content(st->cl, dstr_str(hdr), dstr_len(hdr));
    dstr_free(hdr);
}

/* qmqpd_flush - send a held message once the recipient count is known */

static void qmqpd_flush(QMQPD_STATE *st)
{
    const char *single = st->nrcpt == 1 ? dstr_str(st->first_rcpt) : NULL;

    st->flushed = 1;
    qmqpd_open_cleanup(st, single, dstr_len(st->content) ? dstr_str(st->content)[0] : -1, 1);
    if (st->cl == NULL)
	return;
    cleanup_client_content(st->cl, dstr_str(st->content), dstr_len(st->content));
    if (st->nrcpt >= 1)
	cleanup_client_rcpt(st->cl, dstr_str(st->first_rcpt));
}

/* Sink functions called by the request reader. */

static int qmqpd_content_start(void *ctx, size_t total)
{
    QMQPD_STATE *st = ctx;

    st->buffering = total <= QMQPD_BUFFER_MAX;
    return (0);
}

static int qmqpd_content(void *ctx, const char *buf, size_t len)
{
    QMQPD_STATE *st = ctx;

    if (st->buffering) {
	dstr_cat(st->content, buf, len);
	return (0);
    }
    qmqpd_open_cleanup(st, NULL, len ? (unsigned char) buf[0] : -1, 0);
    if (st->cl)
	cleanup_client_content(st->cl, buf, len);
    return (0);
}

static int qmqpd_sender(void *ctx, const char *addr, size_t len)
{
    QMQPD_STATE *st = ctx;
    DSTR   *stripped = dstr_new(len + 1);
    int     ret = 0;

    (void) len;
    switch (verp_parse_qmqp(addr, var_verp_filter, stripped, st->verp)) {
    case VERP_REQUEST:
	dstr_strcpy(st->sender, dstr_str(stripped));
	break;
    case VERP_BAD:
	dstr_sprintf(st->why, "Error: Invalid VERP delimiters: \"%s\". Need two characters from \"%s\"",
		     st->verp, var_verp_filter);
	ret = -1;
	break;
    default:
	st->verp[0] = 0;
	dstr_strcpy(st->sender, addr);
	break;
    }
    dstr_free(stripped);
    if (ret == 0 && !st->buffering) {
	qmqpd_open_cleanup(st, NULL, -1, 0);	/* never: streaming means content */
	if (st->cl)
	    cleanup_client_sender(st->cl, dstr_str(st->sender), st->verp);
    }
    return (ret);
}

static int qmqpd_recipient(void *ctx, const char *addr, size_t len)
{
    QMQPD_STATE *st = ctx;

    (void) len;
    st->nrcpt++;
    if (st->buffering && !st->flushed) {
	if (st->nrcpt == 1) {
	    dstr_strcpy(st->first_rcpt, addr);
	    return (0);
	}
	qmqpd_flush(st);
    }
    if (st->cl)
	cleanup_client_rcpt(st->cl, addr);
    return (0);
}

/* qmqpd_release - the connection no longer counts against the client */

static void qmqpd_release(QMQPD_STATE *st, int status)
{
    DSTR   *event;

    if (!st->counted)
	return;
    /* What came of it, counted by anvil for posthorn metrics. */
    event = dstr_new(32);
    if (status == 'K')
	dstr_strcpy(event, "accepted");
    else if (status == 0)
	dstr_strcpy(event, "lost");
    else
	dstr_sprintf(event, "%s:%s", status == 'D' ? "rejected" : "deferred",
		     st->outcome ? st->outcome : "other");
    (void) anvil_client_disconnect_event(qmqpd_anvil, st->service, dstr_str(st->addr),
					 dstr_str(event));
    dstr_free(event);
    st->counted = 0;
}

/* qmqpd_reply - send the one answer */

static void qmqpd_reply(QMQPD_STATE *st, IOS *client, int status, const char *text)
{
    DSTR   *buf = dstr_new(128);

    /*
     * Release the count before the client can hear the answer: a client
     * that holds the limit and connects again right after each answer
     * (qmqp-source -s 50) must never find its old connection still
     * counted. The answer is written under qmqpd_timeout alone: the
     * deadline measured the client, and the time cleanup took is ours.
     */
    qmqpd_release(st, status);
    ios_set_deadline(client, 0);
    dstr_catc(buf, status);
    dstr_cats(buf, text);
    (void) netstring_write(client, dstr_str(buf), dstr_len(buf));
    (void) ios_flush(client);
    dstr_free(buf);
}

/* qmqpd_linger - after an early answer, drain input so close() sends no reset */

static void qmqpd_linger(int fd, int ms)
{
    char    buf[8192];
    long long deadline = ios_now_ms() + ms;
    struct pollfd pfd;
    long long left;

    (void) shutdown(fd, SHUT_WR);
    pfd.fd = fd;
    pfd.events = POLLIN;
    while ((left = deadline - ios_now_ms()) > 0) {
	if (poll(&pfd, 1, (int) left) <= 0 || read(fd, buf, sizeof(buf)) <= 0)
	    break;
    }
}

/* qmqpd_negative - delay, then D or Z */

static void qmqpd_negative(QMQPD_STATE *st, IOS *client, int status, const char *text)
{
    if (var_qmqpd_err_sleep > 0)
	sleep((unsigned) var_qmqpd_err_sleep);
    if (status == 'D' && var_soft_bounce)
	status = 'Z';
    qmqpd_reply(st, client, status, text);
}

/* qmqpd_finish - hand over the request and relay cleanup's verdict */

static void qmqpd_finish(QMQPD_STATE *st, IOS *client)
{
    DSTR   *reason = dstr_new(128);
    DSTR   *text = dstr_new(128);
    int     status;

    if (st->buffering && !st->flushed)
	qmqpd_flush(st);
    if (st->cl == NULL) {
	st->outcome = "cleanup_unavailable";
	qmqpd_negative(st, client, 'Z', "Error: queue file write error");
	msg_warn("%s: %s: cleanup service unavailable", st->qid, dstr_str(st->client));
    } else if ((status = cleanup_client_finish(st->cl, reason, NULL)) == CLEANUP_STAT_OK) {
	qmqpd_cleanup_spare = st->cl;		/* answered: keep it */
	st->cl = NULL;
	dstr_sprintf(text, "Ok: queued as %s", st->qid);
	qmqpd_reply(st, client, 'K', dstr_str(text));
    } else {
	dstr_sprintf(text, "Error: %s", dstr_str(reason));
	msg_info("%s: %s: %s", st->qid, dstr_str(st->client), dstr_str(text));
	st->outcome = status == CLEANUP_STAT_REJECT ? "cleanup_reject" : "cleanup_defer";
	qmqpd_negative(st, client, status == CLEANUP_STAT_REJECT ? 'D' : 'Z', dstr_str(text));
    }
    dstr_free(reason);
    dstr_free(text);
}

/* qmqpd_state_new - per-connection state */

static QMQPD_STATE *qmqpd_state_new(void)
{
    QMQPD_STATE *st = mycalloc(1, sizeof(*st));

    st->name = dstr_new(64);
    st->addr = dstr_new(64);
    st->port = dstr_new(8);
    st->client = dstr_new(128);
    st->why = dstr_new(128);
    st->content = dstr_new(4096);
    st->sender = dstr_new(64);
    st->first_rcpt = dstr_new(64);
    return (st);
}

/* qmqpd_state_free - release */

static void qmqpd_state_free(QMQPD_STATE *st)
{
    if (st->cl)
	cleanup_client_close(st->cl);
    dstr_free(st->name);
    dstr_free(st->addr);
    dstr_free(st->port);
    dstr_free(st->client);
    dstr_free(st->why);
    dstr_free(st->content);
    dstr_free(st->sender);
    dstr_free(st->first_rcpt);
    free(st);
}

/* qmqpd_outcome - a request reader's error as a counter name */

static const char *qmqpd_outcome(int err)
{
    switch (err) {
    case QMQPD_ERR_FORMAT:
	return ("malformed");
    case QMQPD_ERR_SIZE:
	return ("too_large");
    case QMQPD_ERR_NORCPT:
	return ("no_recipients");
    case QMQPD_ERR_ADDR:
	return ("bad_address");
    case QMQPD_ERR_SINK:
	return ("bad_verp");
    default:
	return (NULL);
    }
}

/* qmqpd_session - one client */

static void qmqpd_session(QMQPD_STATE *st, IOS *client, int fd)
{
    QMQPD_LIMITS limits;
    QMQPD_SINK sink;
    int     err;

    if (!addrlist_match(qmqpd_clients, dstr_str(st->name), dstr_str(st->addr))) {
	dstr_sprintf(st->why, "Error: %s[%s] is not authorized to use this service",
		     dstr_str(st->name), dstr_str(st->addr));
	msg_warn("%s: not authorized by qmqpd_authorized_clients", dstr_str(st->client));
	st->outcome = "unauthorized";
	qmqpd_negative(st, client, 'D', dstr_str(st->why));
	qmqpd_linger(fd, QMQPD_LINGER_MS);
	return;
    }
    if (!spool_space_ok(var_queue_minfree, var_message_limit, st->why)) {
	msg_warn("%s: %s", dstr_str(st->client), dstr_str(st->why));
	st->outcome = "storage";
	qmqpd_negative(st, client, 'Z', "Error: insufficient system storage");
	qmqpd_linger(fd, QMQPD_LINGER_MS);
	return;
    }
    qid_new(st->qid);
    msg_info("%s: client=%s", st->qid, dstr_str(st->client));
    limits.message = var_message_limit > 0 ? (size_t) var_message_limit : (size_t) 999999999;
    limits.address = (size_t) var_line_limit;
    sink.content_start = qmqpd_content_start;
    sink.content = qmqpd_content;
    sink.sender = qmqpd_sender;
    sink.recipient = qmqpd_recipient;
    sink.ctx = st;
    err = qmqpd_read_request(client, &limits, &sink, st->why);
    st->outcome = qmqpd_outcome(err);
    switch (err) {
    case QMQPD_OK:
	qmqpd_finish(st, client);
	return;
    case QMQPD_ERR_LOST:
	msg_info("%s: %s: %s", st->qid, dstr_str(st->client), dstr_str(st->why));
	return;					/* nobody to answer; cleanup discards */
    case QMQPD_ERR_FORMAT:
    case QMQPD_ERR_SIZE:
	msg_info("%s: %s: %s", st->qid, dstr_str(st->client), dstr_str(st->why));
	break;
    default:
	msg_warn("%s: %s: %s", st->qid, dstr_str(st->client), dstr_str(st->why));
	break;
    }
    qmqpd_negative(st, client, 'D', dstr_str(st->why));
    qmqpd_linger(fd, QMQPD_LINGER_MS);
}

/* qmqpd_identify - name[addr] (or name[addr]:port) for the logs; the name from DNS if asked */

static void qmqpd_identify(QMQPD_STATE *st, int fd, int lookup_name)
{
    if (!lookup_name)
	(void) peername_lookup(fd, 0, st->name, st->addr, st->port);
    else if (strcmp(dstr_str(st->addr), "unknown") != 0)
	peername_verified(dstr_str(st->addr), st->name);
    st->named = lookup_name;
    dstr_sprintf(st->client, "%s[%s]", dstr_str(st->name), dstr_str(st->addr));
    if (var_qmqpd_port_logging)
	dstr_printf(st->client, ":%s", dstr_str(st->port));
}

/*
 * qmqpd_over_limit - count the connection with anvil: the count when it is
 * one too many, else 0. It asks by address, before the client's name is
 * looked up, so that a flood of connections costs no DNS queries and a
 * slow reverse zone cannot slow down the refusals; only an exception list
 * with host names needs the name first (Postfix's hogger list).
 */
static int qmqpd_over_limit(QMQPD_STATE *st, int fd)
{
    int     count;
    int     exempt = var_qmqpd_cconn_limit == 0;

    if (!exempt && addrlist_needs_hostname(qmqpd_hoggers))
	qmqpd_identify(st, fd, 1);
    if (!exempt)
	exempt = addrlist_match(qmqpd_hoggers, dstr_str(st->name), dstr_str(st->addr));
    /*
     * An exempt client is counted all the same, so that posthorn metrics
     * sees every connection and what came of it (docs/design.md,
     * "Observability"); only the limit does not apply to it. No answer
     * from anvil: serve the client (anvil_client warned).
     */
    if (anvil_client_connect(qmqpd_anvil, st->service, dstr_str(st->addr), &count)
	!= ANVIL_STAT_OK)
	return (0);
    st->counted = 1;
    return (!exempt && count > var_qmqpd_cconn_limit ? count : 0);
}

/* qmqpd_refuse - one connection too many: Z at once */

static void qmqpd_refuse(QMQPD_STATE *st, IOS *client, int fd, int count)
{
    DSTR   *text = dstr_new(128);

    msg_warn("Connection concurrency limit exceeded: %d from %s for service %s",
	     count, dstr_str(st->client), st->service);
    /* No qmqpd_error_delay: in a flood that would hold a process per connection. */
    dstr_sprintf(text, "Error: too many connections from %s", dstr_str(st->addr));
    st->outcome = "too_many_connections";
    qmqpd_reply(st, client, 'Z', dstr_str(text));
    dstr_free(text);
    qmqpd_linger(fd, QMQPD_LIMIT_LINGER_MS);
}

/* qmqpd_service - one connection from master's listener */

static void qmqpd_service(int fd, const char *service, char **argv)
{
    QMQPD_STATE *st = qmqpd_state_new();
    IOS    *client = ios_open(fd);
    int     over;

    (void) argv;
    st->service = *service ? service : "qmqpd";	/* -S: no master.cf name */
    /*
     * One deadline for the whole request, from accept: a client that
     * sends one byte per minute no longer holds a process for ever. Data
     * earns time at qmqpd_min_data_rate, so a big message over a slow
     * link still gets through, but never after the protocol's hour.
     */
    ios_set_timeout(client, var_qmqpd_timeout);
    ios_set_deadline(client, var_qmqpd_timeout);
    ios_set_min_rate(client, var_qmqpd_min_rate, QMQPD_SESSION_LIMIT);
    qmqpd_identify(st, fd, 0);			/* unknown[addr] for now; first */
    if ((over = qmqpd_over_limit(st, fd)) == 0 && !st->named)
	qmqpd_identify(st, fd, 1);
    msg_info("connect from %s", dstr_str(st->client));
    if (over)
	qmqpd_refuse(st, client, fd, over);
    else
	qmqpd_session(st, client, fd);
    qmqpd_release(st, 0);			/* no answer was sent */
    msg_info("disconnect from %s", dstr_str(st->client));
    ios_free(client);				/* the skeleton closes fd */
    qmqpd_state_free(st);
}

/* qmqpd_pre_jail - read the client list while files outside the jail are reachable */

static void qmqpd_pre_jail(const char *service, char **argv)
{
    DSTR   *err = dstr_new(128);

    (void) service;
    (void) argv;
    if ((qmqpd_clients = addrlist_parse(var_qmqpd_clients, ADDRLIST_FLAG_PARENT, err)) == NULL)
	msg_fatal("qmqpd_authorized_clients: %s", dstr_str(err));
    if ((qmqpd_hoggers = addrlist_parse(var_qmqpd_hoggers, ADDRLIST_FLAG_PARENT, err)) == NULL)
	msg_fatal("qmqpd_client_event_limit_exceptions: %s", dstr_str(err));
    dstr_free(err);
}

/* qmqpd_post_jail - the anvil client, connected on first use and then kept */

static void qmqpd_post_jail(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    /* One stream for the process's life: if we die, anvil forgets our count. */
    qmqpd_anvil = anvil_client_create(ANVIL_SERVICE, QMQPD_ANVIL_TIMEOUT);
}

int     main(int argc, char **argv)
{
    static const SERVER_DESC desc = {
	.name = "qmqpd",
	.service = qmqpd_service,
	.pre_jail = qmqpd_pre_jail,
	.post_jail = qmqpd_post_jail,
    };

    server_main(argc, argv, &desc);
}
