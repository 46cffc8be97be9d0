/*
 * smtp_connect - connect to one server and complete the handshake
 * DESCRIPTION
 *	A non-blocking connect bounded by smtp_connect_timeout (from
 *	smtp_bind_address or smtp_bind_address6 when set), the greeting, and
 *	EHLO (or HELO when EHLO is refused or smtp_always_send_ehlo is off
 *	and the greeting does not say ESMTP). Each is a phase with a
 *	deadline (smtp_session.c): the greeting and EHLO each get
 *	smtp_helo_timeout in all, however slowly the server sends them. Any failure is recorded as a
 *	site failure of the delivery in Postfix's words and the caller moves
 *	on to the next address: connect errors, a 4xx (or 421) greeting, and,
 *	with smtp_skip_5xx_greeting, a 5xx greeting. A 5xx greeting without
 *	that setting, a HELO rejected with 5xx, or a server that greets us
 *	with our own host name are permanent: they end the delivery.
 *	After EHLO comes STARTTLS when the TLS policy wants it (smtp_tls.c),
 *	and EHLO once more over TLS; when an opportunistic handshake fails
 *	(and smtp_tls_fallback_ok() allows it), the same server is tried
 *	once more without TLS. With
 *	smtp_sasl_auth_enable, SMTP AUTH follows the last EHLO (smtp_sasl_glue.c).
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtp.h"
#include "smtp_sasl.h"
#include "cfg_params.h"
#include "msg.h"
#include "strutil.h"

/* smtp_sockaddr - DNS_ADDR and port to a socket address */

static socklen_t smtp_sockaddr(const DNS_ADDR *addr, unsigned port, struct sockaddr_storage *ss)
{
    struct sockaddr_in *sin = (struct sockaddr_in *) ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;

    memset(ss, 0, sizeof(*ss));
    if (addr->family == AF_INET) {
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short) port);
	memcpy(&sin->sin_addr, addr->addr, 4);
	return (sizeof(*sin));
    }
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons((unsigned short) port);
    memcpy(&sin6->sin6_addr, addr->addr, 16);
    return (sizeof(*sin6));
}

/* smtp_bind - the configured source address for this family, if any */

static int smtp_bind(int fd, int family, DSTR *why)
{
    const char *text = family == AF_INET ? var_smtp_bind_addr : var_smtp_bind_addr6;
    struct sockaddr_storage ss;
    socklen_t len;
    DNS_ADDR addr;

    if (text == 0 || *text == 0)
	return (0);
    if (dns_addr_parse(text, &addr) < 0 || addr.family != family) {
	msg_warn("%s: bad address \"%s\" -- ignored",
		 family == AF_INET ? "smtp_bind_address" : "smtp_bind_address6", text);
	return (0);
    }
    len = smtp_sockaddr(&addr, 0, &ss);
    if (bind(fd, (struct sockaddr *) &ss, len) < 0) {
	dstr_sprintf(why, "cannot bind to %s: %m", text);
	return (-1);
    }
    return (0);
}

/* smtp_connect_sock - non-blocking connect with a time limit; fd or -1 and why */

static int smtp_connect_sock(const DNS_ADDR *addr, unsigned port, DSTR *why)
{
    struct sockaddr_storage ss;
    socklen_t len = smtp_sockaddr(addr, port, &ss);
    struct pollfd pfd;
    socklen_t elen = sizeof(int);
    long long deadline;
    long long left;
    int     err = 0;
    int     fd;
    int     rc;

    if ((fd = socket(addr->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
	dstr_sprintf(why, "%m");
	return (-1);
    }
    if (smtp_bind(fd, addr->family, why) < 0) {
	close(fd);
	return (-1);
    }
    if (connect(fd, (struct sockaddr *) &ss, len) == 0)
	return (fd);
    if (errno != EINPROGRESS) {
	dstr_sprintf(why, "%m");
	close(fd);
	return (-1);
    }
    pfd.fd = fd;
    pfd.events = POLLOUT;
    /* A deadline, not a wait: a signal must not start the wait over. */
    deadline = var_smtp_conn_tmout > 0 ? ios_now_ms() + var_smtp_conn_tmout * 1000LL : 0;
    do {
	left = deadline ? deadline - ios_now_ms() : -1;
	rc = poll(&pfd, 1, deadline == 0 ? -1 : left > 0 ? (int) left : 0);
    } while (rc < 0 && errno == EINTR);
    if (rc == 0)
	err = ETIMEDOUT;
    else if (rc < 0)
	err = errno;
    else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
	err = errno;
    if (err != 0) {
	errno = err;
	dstr_sprintf(why, "%m");
	close(fd);
	return (-1);
    }
    return (fd);
}

/* smtp_refused - the server would not talk to us */

static void smtp_refused(SMTP_STATE *st, SMTP_SESSION *session, const SMTP_REPLY *reply,
			         int class, int hop)
{
    DSTR   *reason = dstr_new(128);
    DSTR   *diag = dstr_new(128);
    char    dsn[16];

    strcpy(dsn, reply->dsn);
    if (class == SMTP_DEFER)
	smtp_dsn_soften(dsn);
    dstr_sprintf(reason, "host %s refused to talk to me: %s", dstr_str(session->namaddr),
		 smtp_reply_str(reply, st->buf));
    dstr_sprintf(diag, "smtp; %s", dstr_str(st->buf));
    smtp_site_fail(st, class, hop, dsn, dstr_str(session->relay), session->host,
		   dstr_str(diag), dstr_str(reason));
    dstr_free(reason);
    dstr_free(diag);
}

/* smtp_lost - the connection broke or timed out during the handshake */

static void smtp_lost(SMTP_STATE *st, SMTP_SESSION *session, const char *while_doing)
{
    DSTR   *reason = dstr_new(128);

    smtp_session_trouble(reason, session, while_doing);
    smtp_site_fail(st, SMTP_DEFER, 1, "4.4.2", dstr_str(session->relay), session->host, "",
		   dstr_str(reason));
    dstr_free(reason);
}

/* smtp_helo - EHLO, or HELO; 0 when the session is ready for mail */

static int smtp_helo(SMTP_STATE *st, SMTP_SESSION *session, const SMTP_REPLY *greeting,
		             SMTP_REPLY *reply)
{
    DSTR   *cmd = dstr_new(128);
    DSTR   *name = dstr_new(64);
    int     ret = -1;
    int     esmtp = greeting == 0		/* after STARTTLS */
	|| var_smtp_always_ehlo || strstr(dstr_str(greeting->text), "ESMTP") != 0;

    if (esmtp) {
	dstr_sprintf(cmd, "EHLO %s\r\n", var_smtp_helo_name);
	if (smtp_session_chat(session, var_smtp_helo_tmout, dstr_str(cmd), dstr_len(cmd),
			      reply) < 0) {
	    smtp_lost(st, session, "performing the EHLO handshake");
	    goto out;
	}
	if (reply->code / 100 == 2) {
	    session->features = smtp_ehlo_parse(reply, &session->size_limit, name);
	} else if (reply->code / 100 == 5 && reply->code != 421) {
	    esmtp = 0;				/* try HELO on the same connection */
	} else {
	    smtp_refused(st, session, reply, SMTP_DEFER, 1);
	    goto out;
	}
    }
    if (!esmtp) {
	dstr_sprintf(cmd, "HELO %s\r\n", var_smtp_helo_name);
	if (smtp_session_chat(session, var_smtp_helo_tmout, dstr_str(cmd), dstr_len(cmd),
			      reply) < 0) {
	    smtp_lost(st, session, "performing the HELO handshake");
	    goto out;
	}
	if (reply->code / 100 != 2) {
	    smtp_refused(st, session, reply, smtp_reply_class(reply->code),
			 smtp_reply_class(reply->code) == SMTP_DEFER);
	    goto out;
	}
	session->features = 0;
	dstr_strcpy(name, dstr_str(reply->text) + (dstr_len(reply->text) > 4 ? 4 : 0));
	dstr_truncate(name, strcspn(dstr_str(name), " \t\n"));
    }
    /* A server that calls itself by our name is ourselves: a mail loop. */
    if (dstr_len(name) > 0 && strcasecmp(dstr_str(name), var_myhostname) == 0) {
	dstr_sprintf(cmd, "mail for %s loops back to myself", st->hop.host);
	smtp_site_fail(st, SMTP_BOUNCE, 0, "5.4.6", dstr_str(session->relay), "", "",
		       dstr_str(cmd));
	goto out;
    }
    ret = 0;
out:
    dstr_free(cmd);
    dstr_free(name);
    return (ret);
}

/* smtp_connect_one - a ready session with one server (plain: no STARTTLS), or NULL */

static SMTP_SESSION *smtp_connect_one(SMTP_STATE *st, const SMTP_ADDR *addr, int plain)
{
    SMTP_SESSION *session;
    SMTP_REPLY *reply;
    DSTR   *text = dstr_new(64);
    DSTR   *why = dstr_new(64);
    DSTR   *reason = dstr_new(128);
    int     fd;
    int     class;

    dns_addr_format(text, &addr->addr);
    if ((fd = smtp_connect_sock(&addr->addr, st->hop.port, why)) < 0) {
	dstr_sprintf(reason, "connect to %s[%s]:%u: %s", addr->host, dstr_str(text),
		     st->hop.port, dstr_str(why));
	msg_info("%s", dstr_str(reason));
	smtp_site_fail(st, SMTP_DEFER, 1, "4.4.1", "none", "", "", dstr_str(reason));
	dstr_free(text);
	dstr_free(why);
	dstr_free(reason);
	return (NULL);
    }
    session = smtp_session_new(fd, addr->host, dstr_str(text), st->hop.port);
    reply = smtp_reply_new();
    smtp_session_phase(session, var_smtp_helo_tmout);
    if (smtp_session_reply(session, reply) < 0) {
	smtp_lost(st, session, "receiving the initial server greeting");
	goto fail;
    }
    if (reply->code / 100 != 2) {
	class = smtp_reply_class(reply->code);
	if (class == SMTP_BOUNCE && var_smtp_skip_5xx)
	    smtp_refused(st, session, reply, SMTP_DEFER, 0);
	else
	    smtp_refused(st, session, reply, class, class == SMTP_DEFER);
	goto fail;
    }
    if (smtp_helo(st, session, reply, reply) < 0)
	goto fail;
    /* STARTTLS when the TLS policy says so (smtp_tls.c), then EHLO over TLS. */
    switch (plain ? SMTP_TLS_PLAIN : smtp_tls_start(st, session)) {
    case SMTP_TLS_FAIL:
	goto fail;
    case SMTP_TLS_EHLO:
	if (smtp_helo(st, session, 0, reply) < 0)
	    goto fail;
	break;
    }
    /* AUTH last: the mechanisms and their security come from the last EHLO. */
    if (smtp_sasl_helo_login(st, session, reply) < 0)
	goto fail;
    st->sessions++;
    smtp_reply_free(reply);
    dstr_free(text);
    dstr_free(why);
    dstr_free(reason);
    return (session);
fail:
    smtp_session_quit(session);
    smtp_reply_free(reply);
    dstr_free(text);
    dstr_free(why);
    dstr_free(reason);
    return (NULL);
}

/* smtp_connect - one server; once more in plaintext when opportunistic TLS failed */

SMTP_SESSION *smtp_connect(SMTP_STATE *st, const SMTP_ADDR *addr)
{
    SMTP_SESSION *session = smtp_connect_one(st, addr, 0);

    /* Plaintext for this server only: the next one is offered STARTTLS again. */
    if (session == 0 && smtp_tls_retry_plain(st))
	session = smtp_connect_one(st, addr, 1);
    return (session);
}
