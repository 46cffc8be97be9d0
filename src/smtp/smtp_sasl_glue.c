/*
 * smtp_sasl_glue - SMTP AUTH (RFC 4954) with the Cyrus SASL client library
 * DESCRIPTION
 *	With smtp_sasl_auth_enable, after EHLO (and after the EHLO that
 *	follows STARTTLS) the client looks up smtp_sasl_password_maps for the
 *	server (its host name, then the next hop as the request writes it)
 *	and, when the server offers AUTH and an entry exists, authenticates
 *	before the first MAIL FROM. No entry, or no AUTH offered: the session
 *	goes on unauthenticated, as Postfix's does. The mechanism is Cyrus
 *	SASL's choice among those the server offers and
 *	smtp_sasl_mechanism_filter keeps, restricted by the security options
 *	for the connection's protection: smtp_sasl_security_options in the
 *	clear (by default noplaintext, noanonymous, so PLAIN and LOGIN are
 *	never sent over plain TCP), smtp_sasl_tls_security_options under TLS,
 *	smtp_sasl_tls_verified_security_options when the server certificate
 *	was verified. No SASL security layer is negotiated (max_ssf 0): after
 *	AUTH the stream stays as it was. The whole exchange, every round, is
 *	one phase whose deadline is smtp_helo_timeout (smtp_session.c).
 *
 *	A failure is a site failure of the session, in Postfix's words:
 *	"SASL authentication failed; server H[A] said: 535 ..." when the
 *	server refused (a 5xx counts as 4xx while smtp_sasl_auth_soft_bounce
 *	is on, so a wrong password defers mail instead of bouncing it), and
 *	"SASL authentication failed; cannot authenticate to server H[A]: no
 *	mechanism available" when no offered mechanism is acceptable. The
 *	session is then closed; the next server, if any, is tried.
 * SECURITY
 *	Passwords come from the tables and go only to the SASL library; they
 *	are never logged, not even with -v, and are wiped from our buffers
 *	after use. Server challenges are bounded (one reply line, at most
 *	SMTP_SASL_CHALLENGE_MAX decoded bytes, SMTP_SASL_STEPS_MAX rounds)
 *	and strictly base64-decoded. sasl_client_init() runs before chroot,
 *	because it loads the mechanism plugins from the system's sasl2
 *	directory, which the jail does not hold.
 */
#include <stdlib.h>
#include <string.h>
#include <sasl/sasl.h>

#include "smtp_sasl.h"
#include "base64.h"
#include "cfg_params.h"
#include "msg.h"
#include "mymalloc.h"

/* Per-process state, set up by smtp_sasl_init(). */
static DICT_LIST *smtp_sasl_maps;
static SMTP_SASL_FILTER *smtp_sasl_filter;
static int smtp_sasl_sec[3];		/* by SMTP_SASL_TLS_* */

/* Cyrus callbacks are stored as int (*)(void); cast through the generic function type. */
#define SMTP_SASL_CB(fn)	((int (*)(void)) (void (*)(void)) (fn))

 /*
  * One authentication: the credentials the callbacks hand to the library.
  */
typedef struct SMTP_SASL_CTX {
    DSTR   *user;
    DSTR   *pass;
    sasl_secret_t *secret;
} SMTP_SASL_CTX;

/* smtp_sasl_log - the library's log messages, at Postfix's levels */

static int smtp_sasl_log(void *context, int level, const char *message)
{
    (void) context;
    switch (level) {
    case SASL_LOG_ERR:
    case SASL_LOG_WARN:
	msg_warn("SASL authentication problem: %s", message);
	break;
    case SASL_LOG_FAIL:
	msg_warn("SASL authentication failure: %s", message);
	break;
    case SASL_LOG_NOTE:
	if (msg_verbose)
	    msg_info("SASL authentication info: %s", message);
	break;
    case SASL_LOG_PASS:			/* may hold passwords: never */
	break;
    default:
	if (msg_verbose > 1)
	    msg_info("SASL authentication debug: %s", message);
	break;
    }
    return (SASL_OK);
}

/* smtp_sasl_secopts - one security option parameter, or fatal */

static int smtp_sasl_secopts(const char *name, const char *value)
{
    DSTR   *err = dstr_new(64);
    int     flags;

    if (sasl_secopts_parse(value, &flags, err) < 0)
	msg_fatal("%s: %s", name, dstr_str(err));
    dstr_free(err);
    return (flags);
}

/* smtp_sasl_init - what SMTP AUTH needs before chroot */

void    smtp_sasl_init(void)
{
    static sasl_callback_t callbacks[] = {
	{SASL_CB_LOG, SMTP_SASL_CB(smtp_sasl_log), 0},
	{SASL_CB_LIST_END, 0, 0},
    };
    DSTR   *err;
    int     rc;

    if (!var_smtp_sasl_enable)
	return;
    err = dstr_new(64);
    if (strcasecmp(var_smtp_sasl_type, "cyrus") != 0)
	msg_fatal("unsupported SASL client implementation: %s", var_smtp_sasl_type);
    if (*var_smtp_sasl_passwd == 0)
	msg_fatal("specify a password table via the `smtp_sasl_password_maps' configuration parameter");
    if ((smtp_sasl_maps = dict_list_open(var_smtp_sasl_passwd, err)) == NULL)
	msg_fatal("smtp_sasl_password_maps: %s", dstr_str(err));
    smtp_sasl_sec[SMTP_SASL_TLS_NONE] =
	smtp_sasl_secopts("smtp_sasl_security_options", var_smtp_sasl_opts);
    smtp_sasl_sec[SMTP_SASL_TLS] =
	smtp_sasl_secopts("smtp_sasl_tls_security_options", var_smtp_sasl_tls_opts);
    smtp_sasl_sec[SMTP_SASL_TLS_VERIFIED] =
	smtp_sasl_secopts("smtp_sasl_tls_verified_security_options", var_smtp_sasl_tlsv_opts);
    smtp_sasl_filter = smtp_sasl_filter_new(var_smtp_sasl_mechs, err);
    if (dstr_len(err) > 0)
	msg_fatal("smtp_sasl_mechanism_filter: %s", dstr_str(err));
    if ((rc = sasl_client_init(callbacks)) != SASL_OK)
	msg_fatal("SASL per-process initialization failed: %s",
		  sasl_errstring(rc, NULL, NULL));
    dstr_free(err);
}

/* smtp_sasl_cyrus_flags - our option bits as SASL_SEC_* */

static unsigned smtp_sasl_cyrus_flags(int flags)
{
    unsigned out = 0;

    if (flags & SASL_SECOPT_NOPLAINTEXT)
	out |= SASL_SEC_NOPLAINTEXT;
    if (flags & SASL_SECOPT_NOACTIVE)
	out |= SASL_SEC_NOACTIVE;
    if (flags & SASL_SECOPT_NODICTIONARY)
	out |= SASL_SEC_NODICTIONARY;
    if (flags & SASL_SECOPT_NOANONYMOUS)
	out |= SASL_SEC_NOANONYMOUS;
    if (flags & SASL_SECOPT_MUTUAL_AUTH)
	out |= SASL_SEC_MUTUAL_AUTH;
    return (out);
}

/* smtp_sasl_get_user - SASL_CB_USER and SASL_CB_AUTHNAME: the table's username */

static int smtp_sasl_get_user(void *context, int id, const char **result, unsigned *len)
{
    SMTP_SASL_CTX *ctx = context;

    if ((id != SASL_CB_USER && id != SASL_CB_AUTHNAME) || result == 0)
	return (SASL_BADPARAM);
    *result = dstr_str(ctx->user);
    if (len)
	*len = (unsigned) dstr_len(ctx->user);
    return (SASL_OK);
}

/* smtp_sasl_get_pass - SASL_CB_PASS: the table's password */

static int smtp_sasl_get_pass(sasl_conn_t *conn, void *context, int id, sasl_secret_t **psecret)
{
    SMTP_SASL_CTX *ctx = context;

    if (conn == 0 || psecret == 0 || id != SASL_CB_PASS)
	return (SASL_BADPARAM);
    *psecret = ctx->secret;
    return (SASL_OK);
}

/* smtp_sasl_wipe - forget a secret held in a DSTR */

static void smtp_sasl_wipe(DSTR *ds)
{
    memset(dstr_data(ds), 0, dstr_len(ds));
    DSTR_RESET(ds);
}

/* smtp_sasl_fail - record a failed authentication as a site failure */

static int smtp_sasl_fail(SMTP_STATE *st, SMTP_SESSION *session, int class,
			          const char *dsn, const char *mta, const char *diag,
			          const char *reason)
{
    smtp_site_fail(st, class, 1, dsn, dstr_str(session->relay), mta, diag, reason);
    return (-1);
}

/* smtp_sasl_cannot - a local or protocol failure: "cannot authenticate to server" */

static int smtp_sasl_cannot(SMTP_STATE *st, SMTP_SESSION *session, const char *dsn,
			            const char *why)
{
    DSTR   *reason = dstr_new(128);

    dstr_sprintf(reason, "SASL authentication failed; cannot authenticate to server %s: %s",
		 dstr_str(session->namaddr), why);
    (void) smtp_sasl_fail(st, session, SMTP_DEFER, dsn, "", "", dstr_str(reason));
    dstr_free(reason);
    return (-1);
}

/* smtp_sasl_lost - the connection broke or timed out during AUTH */

static int smtp_sasl_lost(SMTP_STATE *st, SMTP_SESSION *session)
{
    DSTR   *reason = dstr_new(128);

    /* Postfix reports this with the EHLO phase it belongs to. */
    smtp_session_trouble(reason, session, "performing the EHLO handshake");
    (void) smtp_sasl_fail(st, session, SMTP_DEFER, "4.4.2", session->host, "",
			  dstr_str(reason));
    dstr_free(reason);
    return (-1);
}

/* smtp_sasl_refused - the server's final answer was not 235 */

static int smtp_sasl_refused(SMTP_STATE *st, SMTP_SESSION *session, const SMTP_REPLY *reply)
{
    DSTR   *reason = dstr_new(128);
    DSTR   *diag = dstr_new(128);
    char    dsn[16];
    int     class = smtp_reply_class(reply->code);

    strcpy(dsn, reply->dsn);
    if (class == SMTP_BOUNCE && var_smtp_sasl_soft_bounce) {
	class = SMTP_DEFER;
	smtp_dsn_soften(dsn);
    } else if (class == SMTP_OK) {		/* a 2xx or 3xx that ends nothing */
	class = SMTP_DEFER;
	strcpy(dsn, "4.7.0");
    }
    smtp_reply_str(reply, st->buf);
    dstr_sprintf(reason, "SASL authentication failed; server %s said: %s",
		 dstr_str(session->namaddr), dstr_str(st->buf));
    dstr_sprintf(diag, "smtp; %s", dstr_str(st->buf));
    (void) smtp_sasl_fail(st, session, class, dsn, session->host, dstr_str(diag),
			  dstr_str(reason));
    dstr_free(reason);
    dstr_free(diag);
    return (-1);
}

/* smtp_sasl_cancel - end an exchange we cannot continue: "*", then the server's 501 */

static void smtp_sasl_cancel(SMTP_SESSION *session, SMTP_REPLY *reply)
{
    if (smtp_session_send(session, "*\r\n", 3) < 0 || smtp_session_reply(session, reply) < 0)
	session->broken = 1;
}

/* smtp_sasl_challenge - the decoded challenge of a 334 reply; 0 or -1 */

static int smtp_sasl_challenge(const SMTP_REPLY *reply, DSTR *out)
{
    const char *text = dstr_str(reply->text);
    size_t  len = dstr_len(reply->text);

    DSTR_RESET(out);
    if (reply->lines != 1 || (reply->flags & (SMTP_REPLY_FLAG_TRUNC | SMTP_REPLY_FLAG_GARBAGE)))
	return (-1);
    text += len > 4 ? 4 : len;			/* "334 " */
    len -= len > 4 ? 4 : len;
    while (len > 0 && (*text == ' ' || *text == '\t'))
	text++, len--;
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
	len--;
    return (base64_decode(out, text, len));
}

/* smtp_sasl_exchange - AUTH, challenges and responses, the final reply; 0 or -1 */

static int smtp_sasl_exchange(SMTP_STATE *st, SMTP_SESSION *session, sasl_conn_t *conn,
			              const char *mechlist)
{
    SMTP_REPLY *reply = smtp_reply_new();
    DSTR   *line = dstr_new(256);
    DSTR   *challenge = dstr_new(256);
    const char *out = 0;
    unsigned outlen = 0;
    const char *mech = 0;
    int     steps = 0;
    int     rc;
    int     ret = -1;

    dstr_set_limit(challenge, SMTP_SASL_CHALLENGE_MAX);
    rc = sasl_client_start(conn, mechlist, NULL, &out, &outlen, &mech);
    if (rc != SASL_OK && rc != SASL_CONTINUE) {
	(void) smtp_sasl_cannot(st, session, "4.7.0", sasl_errstring(rc, NULL, NULL));
	goto out;
    }
    /* RFC 4954: an empty initial response is sent as "=". */
    dstr_sprintf(line, "AUTH %s", mech);
    if (out != 0) {
	dstr_catc(line, ' ');
	if (outlen == 0)
	    dstr_catc(line, '=');
	else
	    base64_encode(line, out, outlen);
    }
    if (msg_verbose)
	msg_info("%s: AUTH %s as %s", dstr_str(session->namaddr), mech, session->sasl_user);
    /* All rounds together are one phase, under the EHLO limit as in Postfix. */
    smtp_session_phase(session, var_smtp_helo_tmout);
    for (;;) {
	dstr_cats(line, "\r\n");
	rc = smtp_session_send_secret(session, dstr_str(line), dstr_len(line));
	smtp_sasl_wipe(line);			/* it may hold the password (PLAIN, LOGIN) */
	if (rc < 0 || smtp_session_reply(session, reply) < 0) {
	    (void) smtp_sasl_lost(st, session);
	    goto out;
	}
	if (reply->code / 100 != 3)
	    break;
	if (++steps > SMTP_SASL_STEPS_MAX) {
	    dstr_sprintf(line, "SASL authentication failed; authentication protocol loop with server %s",
			 dstr_str(session->namaddr));
	    (void) smtp_sasl_fail(st, session, SMTP_DEFER, "4.3.0", "", "", dstr_str(line));
	    smtp_sasl_cancel(session, reply);
	    goto out;
	}
	if (smtp_sasl_challenge(reply, challenge) < 0) {
	    (void) smtp_sasl_cannot(st, session, "4.7.0", "malformed SASL challenge from server");
	    smtp_sasl_cancel(session, reply);
	    goto out;
	}
	out = 0;
	outlen = 0;
	rc = sasl_client_step(conn, dstr_len(challenge) ? dstr_str(challenge) : NULL,
			      (unsigned) dstr_len(challenge), NULL, &out, &outlen);
	if (rc != SASL_OK && rc != SASL_CONTINUE) {
	    (void) smtp_sasl_cannot(st, session, "4.7.0", sasl_errstring(rc, NULL, NULL));
	    smtp_sasl_cancel(session, reply);
	    goto out;
	}
	DSTR_RESET(line);
	if (out != 0 && outlen > 0)
	    base64_encode(line, out, outlen);
    }
    if (reply->code / 100 != 2) {
	(void) smtp_sasl_refused(st, session, reply);
	goto out;
    }
    if (msg_verbose)
	msg_info("%s: authenticated as %s", dstr_str(session->namaddr), session->sasl_user);
    ret = 0;
out:
    smtp_sasl_wipe(line);
    smtp_reply_free(reply);
    dstr_free(line);
    dstr_free(challenge);
    return (ret);
}

/* smtp_sasl_authenticate - one SASL client for one exchange; 0 or -1 */

static int smtp_sasl_authenticate(SMTP_STATE *st, SMTP_SESSION *session, SMTP_SASL_CTX *ctx,
				          const char *mechlist)
{
    sasl_callback_t callbacks[] = {
	{SASL_CB_USER, SMTP_SASL_CB(smtp_sasl_get_user), ctx},
	{SASL_CB_AUTHNAME, SMTP_SASL_CB(smtp_sasl_get_user), ctx},
	{SASL_CB_PASS, SMTP_SASL_CB(smtp_sasl_get_pass), ctx},
	{SASL_CB_LIST_END, 0, 0},
    };
    sasl_security_properties_t props;
    sasl_conn_t *conn = 0;
    int     level = session->sasl_tls;
    int     rc;
    int     ret;

    if (level < SMTP_SASL_TLS_NONE || level > SMTP_SASL_TLS_VERIFIED)
	msg_panic("%s: bad TLS level %d", __func__, level);
    if ((rc = sasl_client_new("smtp", session->host, NULL, NULL, callbacks, 0, &conn)) != SASL_OK)
	return (smtp_sasl_cannot(st, session, "4.7.0", sasl_errstring(rc, NULL, NULL)));
    memset(&props, 0, sizeof(props));
    props.min_ssf = 0;
    props.max_ssf = 0;				/* no security layer: the stream stays as is */
    props.maxbufsize = 0;
    props.security_flags = smtp_sasl_cyrus_flags(smtp_sasl_sec[level]);
    if ((rc = sasl_setprop(conn, SASL_SEC_PROPS, &props)) != SASL_OK)
	ret = smtp_sasl_cannot(st, session, "4.7.0", sasl_errstring(rc, NULL, NULL));
    else
	ret = smtp_sasl_exchange(st, session, conn, mechlist);
    sasl_dispose(&conn);
    return (ret);
}

/* smtp_sasl_offered - the usable mechanisms of an EHLO reply; -1 when AUTH is not offered */

static int smtp_sasl_offered(SMTP_SESSION *session, const SMTP_REPLY *ehlo, DSTR *mechlist)
{
    ARGV   *mechs = argv_new(8);
    DSTR   *all = dstr_new(64);
    size_t  i;
    int     ret = -1;

    DSTR_RESET(mechlist);
    if ((session->features & SMTP_FEAT_ESMTP) && smtp_sasl_ehlo_mechs(ehlo, mechs)) {
	ret = 0;
	for (i = 0; i < mechs->argc; i++) {
	    dstr_printf(all, "%s%s", i ? " " : "", mechs->argv[i]);
	    if (smtp_sasl_filter_match(smtp_sasl_filter, mechs->argv[i]))
		dstr_printf(mechlist, "%s%s", dstr_len(mechlist) ? " " : "", mechs->argv[i]);
	}
	if (dstr_len(mechlist) == 0) {
	    if (dstr_len(all))
		msg_warn("%s offered no supported AUTH mechanisms: '%s'",
			 dstr_str(session->relay), dstr_str(all));
	    else
		msg_warn("%s offered null AUTH mechanism list", dstr_str(session->relay));
	}
    }
    argv_free(mechs);
    dstr_free(all);
    return (ret);
}

/* smtp_sasl_helo_login - authenticate when the server and our tables call for it */

int     smtp_sasl_helo_login(SMTP_STATE *st, SMTP_SESSION *session, const SMTP_REPLY *ehlo)
{
    SMTP_SASL_CTX ctx;
    DSTR   *mechlist;
    int     offered;
    int     ret = 0;

    if (!var_smtp_sasl_enable)
	return (0);
    if (smtp_sasl_maps == 0)
	msg_panic("%s: smtp_sasl_init() was not called", __func__);
    mechlist = dstr_new(64);
    ctx.user = dstr_new(32);
    ctx.pass = dstr_new(32);
    ctx.secret = 0;
    offered = smtp_sasl_offered(session, ehlo, mechlist) == 0;

    /* The credential this session is set up under, for the connection cache too. */
    free(session->sasl_user);
    session->sasl_user = 0;
    if (smtp_sasl_passwd_find(smtp_sasl_maps, session->host, st->req->nexthop,
			      ctx.user, ctx.pass)) {
	session->sasl_user = mystrdup(dstr_str(ctx.user));
	if (msg_verbose)
	    msg_info("%s: SASL username %s for host %s, next hop %s", st->req->queue_id,
		     session->sasl_user, session->host, st->req->nexthop);
    }
    if (session->sasl_user == 0 || !offered)
	goto out;				/* talk to each other like strangers */
    if (dstr_len(mechlist) == 0) {
	DSTR   *reason = dstr_new(128);

	dstr_sprintf(reason, "SASL authentication failed: server %s offered no compatible "
		     "authentication mechanisms for this type of connection security",
		     dstr_str(session->namaddr));
	ret = smtp_sasl_fail(st, session, SMTP_DEFER, "4.7.0", "", "", dstr_str(reason));
	dstr_free(reason);
	goto out;
    }
    ctx.secret = mymalloc(sizeof(sasl_secret_t) + dstr_len(ctx.pass));
    ctx.secret->len = dstr_len(ctx.pass);
    memcpy(ctx.secret->data, dstr_str(ctx.pass), dstr_len(ctx.pass) + 1);
    ret = smtp_sasl_authenticate(st, session, &ctx, dstr_str(mechlist));
out:
    if (ctx.secret) {
	memset(ctx.secret->data, 0, ctx.secret->len);
	free(ctx.secret);
    }
    smtp_sasl_wipe(ctx.pass);
    dstr_free(ctx.user);
    dstr_free(ctx.pass);
    dstr_free(mechlist);
    return (ret);
}

/* smtp_sasl_have_credentials - a password table entry for this server, if SASL is on */

int     smtp_sasl_have_credentials(const char *host, const char *nexthop)
{
    DSTR   *user;
    DSTR   *pass;
    int     found;

    if (!var_smtp_sasl_enable || smtp_sasl_maps == 0)
	return (0);
    user = dstr_new(32);
    pass = dstr_new(32);
    found = smtp_sasl_passwd_find(smtp_sasl_maps, host, nexthop, user, pass);
    smtp_sasl_wipe(pass);
    dstr_free(user);
    dstr_free(pass);
    return (found);
}

/* smtp_sasl_reuse_ok - the cached session's credential is still the one for this server */

int     smtp_sasl_reuse_ok(const SMTP_SESSION *session, const char *nexthop)
{
    DSTR   *user;
    DSTR   *pass;
    int     found;
    int     ok;

    if (!var_smtp_sasl_enable || smtp_sasl_maps == 0)
	return (session->sasl_user == 0);
    user = dstr_new(32);
    pass = dstr_new(32);
    found = smtp_sasl_passwd_find(smtp_sasl_maps, session->host, nexthop, user, pass);
    ok = found ? (session->sasl_user != 0 && strcmp(session->sasl_user, dstr_str(user)) == 0)
	: session->sasl_user == 0;
    smtp_sasl_wipe(pass);
    dstr_free(user);
    dstr_free(pass);
    return (ok);
}
