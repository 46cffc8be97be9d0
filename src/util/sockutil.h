/* sockutil - listening and connecting sockets (TCP, UNIX stream, UNIX datagram) */
#ifndef SOCKUTIL_H
#define SOCKUTIL_H
#include <sys/socket.h>
#include <sys/types.h>
#include "dstr.h"

/* A listening TCP socket bound to sa (non-blocking, close-on-exec); -1, err and
 * errno (EADDRINUSE: the address is taken) on failure. */
extern int sock_inet_listen(const struct sockaddr *sa, socklen_t salen, int backlog, DSTR *err);
/* A listening UNIX stream socket at path, created with mode (an old socket is replaced). */
extern int sock_unix_listen(const char *path, int backlog, mode_t mode, DSTR *err);
/* A bound UNIX datagram socket at path, created with mode (an old socket is replaced). */
extern int sock_unix_dgram_bind(const char *path, mode_t mode, DSTR *err);
/* Connect to a UNIX stream socket; -1 with errno on failure. */
extern int sock_unix_connect(const char *path);
/* Connect a datagram socket to path (for repeated sends, even after chroot). */
extern int sock_unix_dgram_connect(const char *path);
/* Send one datagram to path without blocking; -1 with errno on failure. */
extern int sock_unix_dgram_send(const char *path, const void *buf, size_t len);
/* Make a descriptor non-blocking (on != 0) or blocking; -1 with errno. */
extern int sock_nonblock(int fd, int on);
/* Numeric host and port of a socket address ("::ffff:1.2.3.4" becomes "1.2.3.4"). */
extern void sock_addr_format(const struct sockaddr *sa, DSTR *host, DSTR *port);
/* Did a write fail with err because the peer had closed its end (EPIPE, ECONNRESET)? */
extern int sock_peer_closed(int err);
/* Parse "host:port", "[v6]:port" or "port" into host (may be empty) and port. */
extern int sock_split_hostport(const char *spec, DSTR *host, DSTR *port);

#endif
