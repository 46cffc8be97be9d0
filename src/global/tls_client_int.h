/* tls_client_int - what the tls_client*.c files share and nobody else uses */
#ifndef TLS_CLIENT_INT_H
#define TLS_CLIENT_INT_H
#include "tls_client.h"

/*
 * Wait until fd is readable (want_write 0) or writable, at most until
 * deadline (monotonic ms; -1: no limit). 0, or -1 with errno ETIMEDOUT or
 * the poll error.
 */
extern int tls_client_wait(int fd, int want_write, long long deadline);
/* Deadline for an operation of timeout_ms (-1: none) starting now. */
extern long long tls_client_deadline(int timeout_ms);
/* After the handshake: trust, certificate names, protocol, cipher, details. */
extern void tls_client_collect(TLS_SESS *sess);
/* Append OpenSSL's queued errors ("; "-separated, a few at most) to out, and clear them. */
extern void tls_client_errors(DSTR *out);

#endif
