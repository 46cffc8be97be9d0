/* fdpass - pass an open descriptor over a UNIX-domain socket, with one byte of data */
#ifndef FDPASS_H
#define FDPASS_H
#include <stddef.h>

/* Send byte, with descriptor fd attached when fd >= 0; 0 or -1 with errno. */
extern int fdpass_send(int sock, int byte, int fd);
/* Send buf as one datagram to the socket at path without blocking, with
 * descriptor fd attached; 0 or -1 with errno. */
extern int fdpass_send_to(const char *path, const void *buf, size_t len, int fd);
/*
 * Wait at most timeout_ms for one byte; returns it (0..255) and sets *fd to
 * the descriptor that came with it, or -1 when none did. -1 on timeout,
 * end of file or error. Received descriptors are close-on-exec.
 */
extern int fdpass_recv(int sock, int *fd, int timeout_ms);

#endif
