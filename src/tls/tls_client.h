/* tls_client - the OpenSSL side of a TLS client: context, handshake, I/O, summary */
#ifndef TLS_CLIENT_H
#define TLS_CLIENT_H
#include <stddef.h>

#include "argv.h"
#include "dstr.h"
#include "ios.h"

#define TLS_SESSION_MAX	16384	/* bytes of a serialized session we keep */
#define TLS_PEER_NAMES_MAX 100	/* certificate names we look at */

/* What tls_client_init() loads before the chroot. */
typedef struct TLS_CLIENT_INIT {
    const char *CAfile;			/* trusted CAs, one PEM file; "" none */
    const char *CApath;			/* trusted CAs, a directory (read whole now) */
    const char *cert_file;		/* our certificate chain, PEM; "" none */
    const char *key_file;		/* its private key, PEM */
    int     verify_depth;		/* longest server chain we verify */
} TLS_CLIENT_INIT;

typedef struct TLS_CLIENT_CTX TLS_CLIENT_CTX;

/*
 * Initialize OpenSSL (configuration, randomness) and build the shared
 * context: trusted CAs, our certificate and key. Call before chroot.
 * NULL, with the reason in err, when something could not be loaded.
 */
extern TLS_CLIENT_CTX *tls_client_init(const TLS_CLIENT_INIT *init, DSTR *err);
extern void tls_client_ctx_free(TLS_CLIENT_CTX *ctx);

/* One handshake's parameters. */
typedef struct TLS_CLIENT_START {
    int     fd;				/* connected, nothing buffered */
    int     timeout;			/* seconds for the whole handshake */
    int     min_proto;			/* tls_protocols_parse() range */
    int     max_proto;
    const char *cipherlist;		/* OpenSSL cipher string (TLS <= 1.2) */
    const char *sni;			/* server name to send, or NULL */
    const char *namaddr;		/* "host[addr]:port", for logging */
    const unsigned char *session;	/* DER of a session to resume, or NULL */
    size_t  session_len;
} TLS_CLIENT_START;

/* An established TLS session and what the handshake showed. */
typedef struct TLS_SESS {
    void   *ssl;			/* SSL *, private */
    void   *latest;			/* SSL_SESSION * the server gave us last */
    int     fd;
    char   *namaddr;
    int     fatal;			/* a TLS error: no close_notify */
    int     reused;			/* an old session was resumed */
    int     cert_present;		/* the server showed a certificate */
    int     trusted;			/* its chain leads to a CA we trust */
    long    verify_error;		/* first chain error (X509_V_*), 0 none */
    int     verify_depth;		/* where in the chain it was */
    DSTR   *verify_subject;		/* subject of that certificate */
    ARGV   *peer_names;		/* DNS names of the server certificate */
    DSTR   *peer_cn;			/* its subject Common Name, for logs */
    DSTR   *protocol;			/* "TLSv1.3" */
    DSTR   *cipher;			/* "TLS_AES_256_GCM_SHA384" */
    int     cipher_bits;		/* used bits */
    int     cipher_alg_bits;		/* algorithm bits */
    DSTR   *details;		/* " key-exchange X25519 server-signature ..." */
} TLS_SESS;

/*
 * Handshake over start->fd (which must be non-blocking) within
 * start->timeout, resuming start->session when the server agrees. The
 * handshake completes whatever the certificate: the caller decides what
 * trust it needs from cert_present, trusted and peer_names. NULL and the
 * reason in err when the handshake failed (the connection is then
 * unusable).
 */
extern TLS_SESS *tls_client_start(TLS_CLIENT_CTX *ctx, const TLS_CLIENT_START *start,
				          DSTR *err);
/* Reads and writes of ios go through the session from now on. */
extern void tls_client_ios(TLS_SESS *sess, IOS *ios);
/*
 * The session the server handed out most recently (TLS 1.3 tickets come
 * after the handshake, with the first reads), serialized; 1 when there is
 * one that can be resumed, else 0.
 */
extern int tls_client_session_der(TLS_SESS *sess, DSTR *der);
/* The log line: "<trust> TLS connection established to <namaddr>: ..." */
extern void tls_client_summary(const TLS_SESS *sess, const char *trust, DSTR *out);
/* "num=20:unable to get local issuer certificate" for the first chain error. */
extern void tls_client_verify_reason(const TLS_SESS *sess, DSTR *out);
/* Send close_notify (once, without waiting) and release; the fd stays open. */
extern void tls_client_stop(TLS_SESS *sess);

#endif
