/*
 * smtp_tls - STARTTLS in the SMTP client
 * DESCRIPTION
 *	After EHLO, the request's TLS policy (smtp_tls_policy.c) decides:
 *	none: stay in plaintext (noting the offer with
 *	smtp_tls_note_starttls_offer); may: STARTTLS when offered; encrypt,
 *	verify, secure: STARTTLS or no mail ("TLS is required, but was not
 *	offered by host ..."). After the 220 reply, whatever else the server
 *	sent in the same breath is thrown away unread (it could be
 *	plaintext injected by someone in the middle, CVE-2011-0411), the
 *	handshake is a phase with smtp_starttls_timeout as its deadline, and
 *	the session forgets everything EHLO said: the caller says EHLO again
 *	over TLS. Reads and writes over TLS keep the deadline of the phase
 *	they belong to (the stream hands the TLS layer the time left).
 *
 *	The handshake always completes; then the level judges the
 *	certificate. verify and secure need a chain to a CA we trust
 *	("Server certificate not trusted") and a certificate name that the
 *	match list expects ("Server certificate not verified"); both defer
 *	and log why. may and encrypt take any certificate. The log line at
 *	smtp_tls_loglevel 1 says which it was: Anonymous (no certificate),
 *	Untrusted, Trusted (chain verified) or Verified (chain and name).
 *
 *	A failed handshake leaves the connection unusable, and the delivery
 *	to that server defers ("Cannot start TLS: handshake failure"). With
 *	may, Postfix's exception applies (smtp_tls_fallback_ok): a message
 *	that already waited minimal_backoff_time before this attempt goes to
 *	the same server in plaintext on a new connection, so mail still
 *	reaches sites with broken TLS, unless smtp_sasl_password_maps has a
 *	password for the server (it would then be exposed in the clear). A
 *	server that refuses STARTTLS gets the mail in plaintext under may,
 *	and none from encrypt on.
 *
 *	Sessions are resumed through the cache in posthorn-scache(8)
 *	(smtp_tls_cache.c), keyed by transport, next hop, server name,
 *	address and port, level, server name indication, protocols and
 *	ciphers. A session is saved only when its handshake satisfied the
 *	level: under verify and secure only verified ones; a resumed
 *	session brings its certificate and chain result, so it is judged
 *	again exactly like a new one. At smtp_tls_loglevel 2 a resumption
 *	logs "host[addr]:port: Reusing old session" (Postfix's words).
 *
 *	A TLS connection is never handed to the connection cache: its TLS
 *	state lives in this process and cannot travel with the descriptor.
 *	It gets QUIT, close_notify and close.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "smtp_tls.h"
#include "smtp_sasl.h"
#include "cfg_params.h"
#include "msg.h"
#include "mymalloc.h"

#define SMTP_TLS_KEY_MAX	1024	/* longest session cache key we use */
#define SMTP_TLS_MIN_CACHE_TTL	120	/* Postfix's floor for the session timeout */
#define SMTP_TLS_NAMES_SHOWN	10	/* certificate names in a mismatch log line */

static TLS_CLIENT_CTX *smtp_tls_ctx;	/* NULL: no TLS engine */
static DICT_LIST *smtp_tls_maps;	/* smtp_tls_policy_maps */
static int smtp_tls_default_level;	/* smtp_tls_security_level */
static DSTR *smtp_tls_trust_id;		/* what the trust anchors and our cert were */

/*
 * smtp_tls_trust_note - name, mtime and size of a trust or identity file,
 * so that a session verified against an older CA file or made with an
 * older client certificate is not resumed once a new smtp process loaded
 * new ones (a resumed session keeps the verification result it had).
 */

static void smtp_tls_trust_note(DSTR *id, const char *path)
{
    struct stat st;

    if (*path == 0)
	dstr_cats(id, "&");
    else if (stat(path, &st) < 0)
	dstr_printf(id, "&%s:-", path);
    else
	dstr_printf(id, "&%s:%lld.%ld:%lld", path, (long long) st.st_mtim.tv_sec,
		    st.st_mtim.tv_nsec, (long long) st.st_size);
}

/* smtp_tls_init - settings, tables and OpenSSL, before chroot */

void    smtp_tls_init(void)
{
    DSTR   *err = dstr_new(128);
    TLS_CLIENT_INIT init;

    /* The values themselves were checked when main.cf was read (cfg_check.c). */
    if (strcasecmp(var_smtp_tls_level, "dane") == 0) {
	msg_warn("smtp_tls_security_level = dane needs DNSSEC, which is not supported: using may");
	smtp_tls_default_level = TLS_LEV_MAY;
    } else {
	smtp_tls_default_level = *var_smtp_tls_level ?
	    tls_level_lookup(var_smtp_tls_level) : TLS_LEV_NONE;
    }
    if (*var_smtp_tls_policy_maps
	&& (smtp_tls_maps = dict_list_open(var_smtp_tls_policy_maps, err)) == 0)
	msg_fatal("smtp_tls_policy_maps: %s", dstr_str(err));
    if (smtp_tls_default_level != TLS_LEV_NONE || smtp_tls_maps != 0) {
	smtp_tls_trust_id = dstr_new(128);
	smtp_tls_trust_note(smtp_tls_trust_id, var_smtp_tls_CAfile);
	smtp_tls_trust_note(smtp_tls_trust_id, var_smtp_tls_CApath);
	smtp_tls_trust_note(smtp_tls_trust_id, var_smtp_tls_cert_file);
	init.CAfile = var_smtp_tls_CAfile;
	init.CApath = var_smtp_tls_CApath;
	init.cert_file = var_smtp_tls_cert_file;
	init.key_file = var_smtp_tls_key_file;
	init.verify_depth = var_smtp_tls_verify_depth;
	if ((smtp_tls_ctx = tls_client_init(&init, err)) == 0)
	    msg_warn("TLS library problem: %s -- the SMTP client cannot use TLS",
		     dstr_str(err));
    }
    dstr_free(err);
}

/* smtp_tls_policy - this request's policy; -1 when the entry is unusable */

int     smtp_tls_policy(SMTP_STATE *st)
{
    DSTR   *err;
    DSTR   *warn;
    int     ret = 0;

    st->tls = smtp_tls_new();
    if (smtp_tls_default_level == TLS_LEV_NONE && smtp_tls_maps == 0)
	return (0);
    err = dstr_new(64);
    warn = dstr_new(64);
    if (smtp_tls_policy_resolve(&st->hop, smtp_tls_maps, smtp_tls_default_level,
				st->tls, err, warn) < 0) {
	msg_warn("%s: TLS policy for %s: %s", st->req->queue_id, st->req->nexthop,
		 dstr_str(err));
	smtp_site_final(st, SMTP_DEFER, "4.7.5", "none", "client TLS configuration problem");
	ret = -1;
    } else {
	if (dstr_len(warn))
	    msg_warn("TLS policy for %s: %s", st->req->nexthop, dstr_str(warn));
	/* A cached connection could be a plaintext one: never under mandatory TLS. */
	if (TLS_MUST_ENCRYPT(st->tls->level))
	    st->cache_wanted = 0;
    }
    dstr_free(err);
    dstr_free(warn);
    return (ret);
}

/* smtp_tls_state_free - release the request's policy */

void    smtp_tls_state_free(SMTP_STATE *st)
{
    if (st->tls)
	smtp_tls_free(st->tls);
    st->tls = 0;
}

/* smtp_tls_retry_plain - once after an opportunistic handshake failed */

int     smtp_tls_retry_plain(SMTP_STATE *st)
{
    if (st->tls == 0 || !st->tls->retry_plain)
	return (0);
    st->tls->retry_plain = 0;
    return (1);
}

/* smtp_tls_fail - a TLS failure of this server, for the pending recipients */

static int smtp_tls_fail(SMTP_STATE *st, SMTP_SESSION *session, int hop, const char *dsn,
			         const char *reason)
{
    smtp_site_fail(st, SMTP_DEFER, hop, dsn, dstr_str(session->relay), session->host, "",
		   reason);
    return (SMTP_TLS_FAIL);
}

/* smtp_tls_cache_key - what a reusable session depends on */

static void smtp_tls_cache_key(DSTR *key, const SMTP_STATE *st, const SMTP_SESSION *session,
			               const char *sni)
{
    dstr_sprintf(key, "%s&", st->req->transport);
    smtp_tls_policy_key(st->buf, &st->hop);
    dstr_printf(key, "%s&%s&%s&%u&%s&%s&%d-%d&%s", dstr_str(st->buf), session->host,
		session->addr, session->port, tls_level_name(st->tls->level), sni ? sni : "",
		st->tls->min_proto, st->tls->max_proto, dstr_str(st->tls->cipherlist));
    if (smtp_tls_trust_id != 0)
	dstr_cats(key, dstr_str(smtp_tls_trust_id));
    if (dstr_len(key) > SMTP_TLS_KEY_MAX || var_smtp_tls_scache_tmout <= 0)
	DSTR_RESET(key);			/* do not cache */
}

/* smtp_tls_expected - the match list as names, for the log */

static void smtp_tls_expected(DSTR *out, const SMTP_STATE *st, const SMTP_SESSION *session)
{
    const ARGV *m = st->tls->match;
    size_t  i;

    DSTR_RESET(out);
    for (i = 0; i < m->argc; i++) {
	if (i > 0)
	    dstr_cats(out, ", ");
	if (strcmp(m->argv[i], "hostname") == 0)
	    dstr_cats(out, session->host);
	else if (strcmp(m->argv[i], "nexthop") == 0)
	    dstr_cats(out, st->hop.host);
	else if (strcmp(m->argv[i], "dot-nexthop") == 0)
	    dstr_printf(out, ".%s", st->hop.host);
	else
	    dstr_cats(out, m->argv[i]);
    }
}

/* smtp_tls_judge - does the certificate satisfy the level; logs the outcome */

static int smtp_tls_judge(SMTP_STATE *st, SMTP_SESSION *session, TLS_SESS *sess, int *save)
{
    int     level = st->tls->level;
    int     matched = -1;
    const char *trust;
    DSTR   *line = dstr_new(256);
    DSTR   *more = dstr_new(128);
    size_t  i;
    int     ret = SMTP_TLS_EHLO;

    if (TLS_MUST_MATCH(level) && sess->trusted)
	matched = tls_match_cert(sess->peer_names->argv, sess->peer_names->argc,
				 st->tls->match->argv, st->tls->match->argc,
				 session->host, st->hop.host);
    trust = !sess->cert_present ? "Anonymous" : matched >= 0 ? "Verified"
	: sess->trusted ? "Trusted" : "Untrusted";
    if (var_smtp_tls_loglevel >= 2 && sess->reused)
	msg_info("%s: Reusing old session", dstr_str(session->relay));
    if (var_smtp_tls_loglevel >= 1) {
	tls_client_summary(sess, trust, line);
	msg_info("%s", dstr_str(line));
    }
    *save = !TLS_MUST_MATCH(level) || matched >= 0;
    if (TLS_MUST_MATCH(level) && !sess->trusted) {
	tls_client_verify_reason(sess, more);
	msg_info("server certificate verification failed for %s: %s",
		 dstr_str(session->relay), dstr_str(more));
	ret = smtp_tls_fail(st, session, 1, "4.7.5", "Server certificate not trusted");
    } else if (TLS_MUST_MATCH(level) && matched < 0) {
	for (i = 0; i < sess->peer_names->argc && i < SMTP_TLS_NAMES_SHOWN; i++)
	    dstr_printf(more, "%s%s", i ? ", " : "", sess->peer_names->argv[i]);
	if (i < sess->peer_names->argc)
	    dstr_cats(more, ", ...");
	smtp_tls_expected(line, st, session);
	msg_info("server certificate verification failed for %s: name mismatch:"
		 " certificate names %s, expected %s", dstr_str(session->relay),
		 dstr_len(more) ? dstr_str(more) : "(none)", dstr_str(line));
	ret = smtp_tls_fail(st, session, 1, "4.7.5", "Server certificate not verified");
    } else if (var_smtp_tls_loglevel >= 2 && sess->cert_present && !sess->trusted) {
	tls_client_verify_reason(sess, more);
	msg_info("%s: certificate not trusted: %s", dstr_str(session->relay), dstr_str(more));
    }
    dstr_free(line);
    dstr_free(more);
    return (ret);
}

/* smtp_tls_handshake - the TLS handshake after the 220; SMTP_TLS_* */

static int smtp_tls_handshake(SMTP_STATE *st, SMTP_SESSION *session)
{
    SMTP_TLS_CONN *conn = mycalloc(1, sizeof(*conn));
    TLS_CLIENT_START start;
    DSTR   *err = dstr_new(128);
    DSTR   *der = dstr_new(1024);
    const char *sni = smtp_tls_sni(st->tls, session->host, st->hop.host);
    size_t  junk;
    int     ret;

    /* Anything the server sent after its 220 could be forged plaintext: drop it. */
    if ((junk = ios_discard_input(session->ios)) > 0)
	msg_info("%s: discarded %zu bytes received with the reply to STARTTLS",
		 dstr_str(session->relay), junk);
    conn->cache_key = dstr_new(256);
    smtp_tls_cache_key(conn->cache_key, st, session, sni);
    memset(&start, 0, sizeof(start));
    start.fd = ios_fd(session->ios);
    /* The handshake is a phase of its own; tls_client_start() keeps it as a deadline too. */
    smtp_session_phase(session, var_smtp_starttls_tmout);
    start.timeout = var_smtp_starttls_tmout;
    start.min_proto = st->tls->min_proto;
    start.max_proto = st->tls->max_proto;
    start.cipherlist = dstr_str(st->tls->cipherlist);
    start.sni = sni;
    start.namaddr = dstr_str(session->relay);
    if (dstr_len(conn->cache_key) && smtp_tls_cache_find(dstr_str(conn->cache_key), der) == 0) {
	start.session = (const unsigned char *) dstr_str(der);
	start.session_len = dstr_len(der);
    }
    if ((conn->sess = tls_client_start(smtp_tls_ctx, &start, err)) == 0) {
	msg_info("SSL_connect error to %s: %s", dstr_str(session->relay), dstr_str(err));
	session->broken = 1;			/* the conversation is in an unknown state */
	dstr_free(conn->cache_key);
	free(conn);
	if (smtp_tls_fallback_ok(st->tls->level, st->req->arrival_time, st->req->active_time,
				 var_min_backoff,
				 smtp_sasl_have_credentials(session->host, st->req->nexthop)))
	    st->tls->retry_plain = 1;
	/* A server that ran out the phase's time throttles its destination, even under may. */
	ret = smtp_tls_fail(st, session, st->tls->level != TLS_LEV_MAY
			    || ios_time_left(session->ios) == 0, "4.7.5",
			    "Cannot start TLS: handshake failure");
    } else {
	session->tls = conn;
	tls_client_ios(conn->sess, session->ios);
	/* Nothing from before TLS counts any more. */
	session->features = 0;
	session->size_limit = 0;
	ret = smtp_tls_judge(st, session, conn->sess, &conn->save);
	/* SMTP AUTH picks smtp_sasl_tls[_verified]_security_options by this. */
	session->sasl_tls = TLS_MUST_MATCH(st->tls->level) ? SMTP_SASL_TLS_VERIFIED : SMTP_SASL_TLS;
    }
    dstr_free(err);
    dstr_free(der);
    return (ret);
}

/* smtp_tls_start - STARTTLS when the policy wants it */

int     smtp_tls_start(SMTP_STATE *st, SMTP_SESSION *session)
{
    SMTP_TLS *tls = st->tls;
    SMTP_REPLY *reply;
    DSTR   *reason;
    DSTR   *diag;
    int     ret;

    if (tls == 0 || tls->level == TLS_LEV_NONE) {
	if (var_smtp_tls_note_offer && (session->features & SMTP_FEAT_STARTTLS))
	    msg_info("Host offered STARTTLS: [%s]", session->host);
	return (SMTP_TLS_PLAIN);
    }
    reason = dstr_new(128);
    if (!(session->features & SMTP_FEAT_STARTTLS)) {
	ret = SMTP_TLS_PLAIN;
	if (TLS_MUST_ENCRYPT(tls->level)) {
	    dstr_sprintf(reason, "TLS is required, but was not offered by host %s",
			 dstr_str(session->namaddr));
	    ret = smtp_tls_fail(st, session, 1, "4.7.4", dstr_str(reason));
	}
	dstr_free(reason);
	return (ret);
    }
    if (smtp_tls_ctx == 0) {
	ret = TLS_MUST_ENCRYPT(tls->level) ? smtp_tls_fail(st, session, 1, "4.7.5",
	       "TLS is required, but our TLS engine is unavailable") : SMTP_TLS_PLAIN;
	dstr_free(reason);
	return (ret);
    }
    reply = smtp_reply_new();
    /* The command is part of the handshake with the server, as in Postfix. */
    if (smtp_session_chat(session, var_smtp_helo_tmout, "STARTTLS\r\n", 10, reply) < 0) {
	smtp_session_trouble(reason, session, "sending STARTTLS");
	ret = smtp_tls_fail(st, session, 1, "4.4.2", dstr_str(reason));
    } else if (reply->code != 220) {
	ret = SMTP_TLS_PLAIN;			/* may: go on in plaintext */
	if (TLS_MUST_ENCRYPT(tls->level)) {
	    smtp_reply_str(reply, st->buf);
	    dstr_sprintf(reason, "TLS is required, but host %s refused to start TLS: %s",
			 dstr_str(session->namaddr), dstr_str(st->buf));
	    diag = dstr_new(128);
	    dstr_sprintf(diag, "smtp; %s", dstr_str(st->buf));
	    /* Postfix's choice: the reply's own class decides. */
	    smtp_site_fail(st, smtp_reply_class(reply->code) == SMTP_BOUNCE ? SMTP_BOUNCE
			   : SMTP_DEFER, 1, reply->dsn, dstr_str(session->relay),
			   session->host, dstr_str(diag), dstr_str(reason));
	    dstr_free(diag);
	    ret = SMTP_TLS_FAIL;
	}
    } else {
	ret = smtp_tls_handshake(st, session);
    }
    smtp_reply_free(reply);
    dstr_free(reason);
    return (ret);
}

/* smtp_tls_end - save a good session for the next connection, close TLS */

void    smtp_tls_end(SMTP_SESSION *session)
{
    SMTP_TLS_CONN *conn = session->tls;
    DSTR   *der;
    int     ttl = var_smtp_tls_scache_tmout;

    if (conn == 0)
	return;
    if (conn->save && dstr_len(conn->cache_key) > 0) {
	der = dstr_new(2048);
	if (tls_client_session_der(conn->sess, der)) {
	    if (ttl < SMTP_TLS_MIN_CACHE_TTL)
		ttl = SMTP_TLS_MIN_CACHE_TTL;
	    if (var_smtp_tls_loglevel >= 2)
		msg_info("%s: save session %s to smtp cache", dstr_str(session->relay),
			 dstr_str(conn->cache_key));
	    smtp_tls_cache_save(dstr_str(conn->cache_key), der, ttl);
	}
	dstr_free(der);
    }
    tls_client_stop(conn->sess);
    dstr_free(conn->cache_key);
    free(conn);
    session->tls = 0;
}
