/*
 * tls_client - OpenSSL client context and handshake
 * DESCRIPTION
 *	tls_client_init() runs before the chroot: it initializes OpenSSL
 *	(its configuration file, the random generator) and loads everything
 *	that lives outside the jail into one SSL_CTX: the trusted CAs from
 *	CAfile and every file of CApath (read now, because the directory is
 *	out of reach later), our certificate chain and key.
 *
 *	tls_client_start() runs one handshake on a non-blocking socket with
 *	a deadline. Verification never stops the handshake: a callback notes
 *	the first chain error and lets it finish, so the caller can log what
 *	it got and decide by its security level (Postfix does the same). A
 *	session handed in from the session cache is offered for resumption;
 *	the sessions the server hands out (TLS 1.3 sends its tickets after
 *	the handshake, TLS 1.2 during it) are kept, the latest replacing the
 *	earlier, for the caller to save when the connection proved good.
 *
 *	src/tls (libtls.a) is the only library that includes OpenSSL; a
 *	program links it, and OpenSSL, when its <prog>_LIBS Makefile
 *	line names tls (scripts/layering.sh holds everyone to that).
 * SECURITY
 *	Compression and renegotiation are off. Only CAs named in the
 *	configuration are trusted, never OpenSSL's built-in default paths.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls_client_int.h"
#include "msg.h"
#include "mymalloc.h"

#define TLS_CAPATH_MAX_FILES	10000	/* files read from CApath */
#define TLS_SUBJECT_LOG_MAX	256	/* bytes of a certificate subject we log */

struct TLS_CLIENT_CTX {
    SSL_CTX *ssl_ctx;
};

/* tls_client_verify_cb - note the first chain error, never stop the handshake */

static int tls_client_verify_cb(int ok, X509_STORE_CTX *store)
{
    SSL    *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    TLS_SESS *sess = ssl ? SSL_get_app_data(ssl) : 0;
    X509   *cert;
    char   *subject;

    if (!ok && sess && sess->verify_error == 0) {
	sess->verify_error = X509_STORE_CTX_get_error(store);
	sess->verify_depth = X509_STORE_CTX_get_error_depth(store);
	/* OpenSSL escapes unprintable bytes; the length is ours to bound. */
	if ((cert = X509_STORE_CTX_get_current_cert(store)) != 0
	    && (subject = X509_NAME_oneline(X509_get_subject_name(cert), 0, 0)) != 0) {
	    dstr_strcpy(sess->verify_subject, subject);
	    if (dstr_len(sess->verify_subject) > TLS_SUBJECT_LOG_MAX) {
		dstr_truncate(sess->verify_subject, TLS_SUBJECT_LOG_MAX);
		dstr_cats(sess->verify_subject, "...");
	    }
	    OPENSSL_free(subject);
	}
    }
    return (1);
}

/* tls_client_new_session_cb - keep the newest session the server gave us */

static int tls_client_new_session_cb(SSL *ssl, SSL_SESSION *session)
{
    TLS_SESS *sess = SSL_get_app_data(ssl);

    if (sess == 0)
	return (0);
    if (sess->latest)
	SSL_SESSION_free(sess->latest);
    sess->latest = session;
    return (1);					/* the reference is ours now */
}

/* tls_client_errors - OpenSSL's error queue, briefly */

void    tls_client_errors(DSTR *out)
{
    unsigned long e;
    char    buf[256];			/* OpenSSL's own message, bounded by it */
    int     n = 0;

    while ((e = ERR_get_error()) != 0) {
	if (n++ >= 3)
	    continue;				/* drain the rest */
	ERR_error_string_n(e, buf, sizeof(buf));
	dstr_printf(out, "%s%s", n > 1 ? "; " : "", buf);
    }
}

/* tls_client_load_capath - every certificate file of a directory, now */

static int tls_client_load_capath(SSL_CTX *ssl_ctx, const char *dir, DSTR *err)
{
    X509_STORE *store = SSL_CTX_get_cert_store(ssl_ctx);
    DSTR   *path = dstr_new(256);
    struct dirent *de;
    struct stat st;
    DIR    *dp;
    int     files = 0;

    if ((dp = opendir(dir)) == 0) {
	dstr_sprintf(err, "cannot open smtp_tls_CApath %s: %m", dir);
	dstr_free(path);
	return (-1);
    }
    while ((de = readdir(dp)) != 0 && files < TLS_CAPATH_MAX_FILES) {
	if (de->d_name[0] == '.')
	    continue;
	dstr_sprintf(path, "%s/%s", dir, de->d_name);
	if (stat(dstr_str(path), &st) < 0 || !S_ISREG(st.st_mode))
	    continue;
	files++;
	/* Hash links and their targets both load: duplicates are harmless. */
	if (X509_STORE_load_file(store, dstr_str(path)) != 1)
	    ERR_clear_error();
    }
    closedir(dp);
    dstr_free(path);
    return (0);
}

/* tls_client_load_keys - CAs, our certificate and key */

static int tls_client_load_keys(SSL_CTX *ssl_ctx, const TLS_CLIENT_INIT *init, DSTR *err)
{
    if (init->CAfile && *init->CAfile
	&& SSL_CTX_load_verify_locations(ssl_ctx, init->CAfile, 0) != 1) {
	dstr_sprintf(err, "cannot load CA file %s: ", init->CAfile);
	tls_client_errors(err);
	return (-1);
    }
    if (init->CApath && *init->CApath && tls_client_load_capath(ssl_ctx, init->CApath, err) < 0)
	return (-1);
    if (init->cert_file == 0 || *init->cert_file == 0)
	return (0);
    if (SSL_CTX_use_certificate_chain_file(ssl_ctx, init->cert_file) != 1) {
	dstr_sprintf(err, "cannot load certificate file %s: ", init->cert_file);
	tls_client_errors(err);
	return (-1);
    }
    if (SSL_CTX_use_PrivateKey_file(ssl_ctx, init->key_file && *init->key_file ?
				    init->key_file : init->cert_file, SSL_FILETYPE_PEM) != 1
	|| SSL_CTX_check_private_key(ssl_ctx) != 1) {
	dstr_sprintf(err, "cannot load private key for %s: ", init->cert_file);
	tls_client_errors(err);
	return (-1);
    }
    return (0);
}

/* tls_client_init - OpenSSL and the shared context, before chroot */

TLS_CLIENT_CTX *tls_client_init(const TLS_CLIENT_INIT *init, DSTR *err)
{
    TLS_CLIENT_CTX *ctx;
    SSL_CTX *ssl_ctx;
    unsigned char seed;

    if (OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, 0) != 1) {
	dstr_strcpy(err, "cannot initialize OpenSSL: ");
	tls_client_errors(err);
	return (0);
    }
    /* Get the generator going while /dev/urandom is still in reach. */
    if (RAND_bytes(&seed, 1) != 1) {
	dstr_strcpy(err, "no randomness for TLS: ");
	tls_client_errors(err);
	return (0);
    }
    if ((ssl_ctx = SSL_CTX_new(TLS_client_method())) == 0) {
	dstr_strcpy(err, "cannot create a TLS context: ");
	tls_client_errors(err);
	return (0);
    }
    SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_verify(ssl_ctx, SSL_VERIFY_PEER, tls_client_verify_cb);
    SSL_CTX_set_verify_depth(ssl_ctx, init->verify_depth > 0 ? init->verify_depth : 1);
    /* Sessions go to the caller's cache, never into OpenSSL's own. */
    SSL_CTX_set_session_cache_mode(ssl_ctx, SSL_SESS_CACHE_CLIENT
				   | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ssl_ctx, tls_client_new_session_cb);
    if (tls_client_load_keys(ssl_ctx, init, err) < 0) {
	SSL_CTX_free(ssl_ctx);
	return (0);
    }
    ctx = mycalloc(1, sizeof(*ctx));
    ctx->ssl_ctx = ssl_ctx;
    return (ctx);
}

/* tls_client_ctx_free - release the shared context */

void    tls_client_ctx_free(TLS_CLIENT_CTX *ctx)
{
    SSL_CTX_free(ctx->ssl_ctx);
    free(ctx);
}

/* tls_sess_new - an empty session record */

static TLS_SESS *tls_sess_new(const TLS_CLIENT_START *start)
{
    TLS_SESS *sess = mycalloc(1, sizeof(*sess));

    sess->fd = start->fd;
    sess->namaddr = mystrdup(start->namaddr ? start->namaddr : "server");
    sess->verify_subject = dstr_new(64);
    sess->peer_names = argv_new(4);
    sess->peer_cn = dstr_new(64);
    sess->protocol = dstr_new(16);
    sess->cipher = dstr_new(32);
    sess->details = dstr_new(128);
    return (sess);
}

/* tls_sess_free - release the record (and the SSL when there is one) */

static void tls_sess_free(TLS_SESS *sess)
{
    if (sess->ssl)
	SSL_free(sess->ssl);
    if (sess->latest)
	SSL_SESSION_free(sess->latest);
    free(sess->namaddr);
    dstr_free(sess->verify_subject);
    argv_free(sess->peer_names);
    dstr_free(sess->peer_cn);
    dstr_free(sess->protocol);
    dstr_free(sess->cipher);
    dstr_free(sess->details);
    free(sess);
}

/* tls_client_settings - protocols, ciphers, SNI and the session to resume */

static int tls_client_settings(SSL *ssl, const TLS_CLIENT_START *start, DSTR *err)
{
    const unsigned char *p;
    SSL_SESSION *old;

    /* A bound OpenSSL does not know (a future version) is no bound, as in Postfix. */
    if (start->min_proto && SSL_set_min_proto_version(ssl, start->min_proto) != 1) {
	msg_warn("cannot set minimum TLS protocol version 0x%04x -- ignored", start->min_proto);
	ERR_clear_error();
    }
    if (start->max_proto && SSL_set_max_proto_version(ssl, start->max_proto) != 1) {
	msg_warn("cannot set maximum TLS protocol version 0x%04x -- ignored", start->max_proto);
	ERR_clear_error();
    }
    if (start->cipherlist && *start->cipherlist
	&& SSL_set_cipher_list(ssl, start->cipherlist) != 1) {
	dstr_sprintf(err, "invalid cipher list \"%s\": ", start->cipherlist);
	tls_client_errors(err);
	return (-1);
    }
    if (start->sni && *start->sni && SSL_set_tlsext_host_name(ssl, start->sni) != 1) {
	dstr_sprintf(err, "cannot set server name \"%s\": ", start->sni);
	tls_client_errors(err);
	return (-1);
    }
    if (start->session && start->session_len > 0 && start->session_len <= TLS_SESSION_MAX
	&& start->session_len < LONG_MAX) {
	p = start->session;
	if ((old = d2i_SSL_SESSION(0, &p, (long) start->session_len)) != 0) {
	    if (SSL_SESSION_is_resumable(old))
		(void) SSL_set_session(ssl, old);
	    SSL_SESSION_free(old);
	}
	ERR_clear_error();			/* a stale cache entry is not an error */
    }
    return (0);
}

/* tls_client_handshake - SSL_connect until done, failed or out of time */

static int tls_client_handshake(TLS_SESS *sess, int timeout, DSTR *err)
{
    SSL    *ssl = sess->ssl;
    long long deadline = tls_client_deadline(timeout > 0 ? timeout * 1000 : -1);
    int     saved_errno;
    int     rc;

    for (;;) {
	ERR_clear_error();
	if ((rc = SSL_connect(ssl)) == 1)
	    return (0);
	switch (SSL_get_error(ssl, rc)) {
	case SSL_ERROR_WANT_READ:
	    if (tls_client_wait(sess->fd, 0, deadline) == 0)
		continue;
	    break;
	case SSL_ERROR_WANT_WRITE:
	    if (tls_client_wait(sess->fd, 1, deadline) == 0)
		continue;
	    break;
	case SSL_ERROR_SYSCALL:
	    sess->fatal = 1;
	    saved_errno = errno ? errno : ECONNRESET;
	    dstr_strcpy(err, "lost connection during the handshake");
	    if (ERR_peek_error() != 0) {
		dstr_cats(err, ": ");
		tls_client_errors(err);
	    } else {
		dstr_printf(err, ": %s", strerror(saved_errno));
	    }
	    return (-1);
	default:
	    sess->fatal = 1;
	    tls_client_errors(err);
	    if (dstr_len(err) == 0)
		dstr_strcpy(err, "handshake failure");
	    return (-1);
	}
	/* The wait failed. */
	sess->fatal = 1;
	dstr_strcpy(err, errno == ETIMEDOUT ? "timed out during the handshake" : "poll error");
	return (-1);
    }
}

/* tls_client_start - one handshake */

TLS_SESS *tls_client_start(TLS_CLIENT_CTX *ctx, const TLS_CLIENT_START *start, DSTR *err)
{
    TLS_SESS *sess = tls_sess_new(start);
    SSL    *ssl;
    int     fl;

    DSTR_RESET(err);
    ERR_clear_error();
    if ((fl = fcntl(start->fd, F_GETFL)) < 0
	|| (!(fl & O_NONBLOCK) && fcntl(start->fd, F_SETFL, fl | O_NONBLOCK) < 0)) {
	dstr_sprintf(err, "cannot make the socket non-blocking: %m");
	goto fail;
    }
    if ((ssl = SSL_new(ctx->ssl_ctx)) == 0) {
	dstr_strcpy(err, "cannot create a TLS connection: ");
	tls_client_errors(err);
	goto fail;
    }
    sess->ssl = ssl;
    SSL_set_app_data(ssl, sess);
    if (tls_client_settings(ssl, start, err) < 0)
	goto fail;
    if (SSL_set_fd(ssl, start->fd) != 1) {
	dstr_strcpy(err, "cannot attach the socket: ");
	tls_client_errors(err);
	goto fail;
    }
    if (tls_client_handshake(sess, start->timeout, err) < 0)
	goto fail;
    tls_client_collect(sess);
    return (sess);
fail:
    tls_sess_free(sess);
    return (0);
}

/* tls_client_session_der - the latest resumable session, serialized */

int     tls_client_session_der(TLS_SESS *sess, DSTR *der)
{
    SSL_SESSION *s = sess->latest;
    unsigned char *p;
    int     len;

    DSTR_RESET(der);
    if (s == 0 || !SSL_SESSION_is_resumable(s))
	return (0);
    if ((len = i2d_SSL_SESSION(s, 0)) <= 0 || len > TLS_SESSION_MAX)
	return (0);
    p = (unsigned char *) dstr_space(der, (size_t) len);
    if (i2d_SSL_SESSION(s, &p) != len) {
	ERR_clear_error();
	return (0);
    }
    dstr_addlen(der, (size_t) len);
    return (1);
}

/* tls_client_stop - close_notify if the session is sound, then release */

void    tls_client_stop(TLS_SESS *sess)
{
    if (!sess->fatal) {
	/* One try, no wait: the socket is closed right after this anyway. */
	ERR_clear_error();
	(void) SSL_shutdown(sess->ssl);
	ERR_clear_error();
    }
    tls_sess_free(sess);
}
