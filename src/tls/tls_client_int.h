/* tls_client_int - what the tls_client*.c files share and nobody else uses */
#ifndef TLS_CLIENT_INT_H
#define TLS_CLIENT_INT_H
#include <openssl/x509.h>

#include "tls_client.h"

/*
 * Wait until fd is readable (want_write 0) or writable, at most until
 * deadline (monotonic ms; -1: no limit). 0, or -1 with errno ETIMEDOUT or
 * the poll error.
 */
extern int tls_client_wait(int fd, int want_write, long long deadline);
/* Deadline for an operation of timeout_ms (-1: none) starting now. */
extern long long tls_client_deadline(int timeout_ms);
/*
 * The DNS names a certificate may be matched by, appended to names: its
 * subjectAltName dNSName entries, or its Common Name when it has no
 * dNSName entry at all; only printable ASCII of at most TLS_NAME_MAX
 * bytes, at most TLS_PEER_NAMES_MAX names. The Common Name also goes to
 * cn (for logs) when it is printable.
 */
extern void tls_client_cert_names(X509 *cert, ARGV *names, DSTR *cn);
/* After the handshake: trust, certificate names, protocol, cipher, details. */
extern void tls_client_collect(TLS_SESS *sess);
/* Append OpenSSL's queued errors ("; "-separated, a few at most) to out, and clear them. */
extern void tls_client_errors(DSTR *out);

#endif
