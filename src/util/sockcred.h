/* sockcred - who sent this, as the kernel says: peer credentials on local sockets */
#ifndef SOCKCRED_H
#define SOCKCRED_H
#include <stddef.h>
#include <sys/types.h>

typedef struct SOCK_CRED {
    pid_t   pid;
    uid_t   uid;
    gid_t   gid;
} SOCK_CRED;

/* Have the kernel attach the sender's credentials to every datagram
 * received on fd (SO_PASSCRED); 0 or -1 with errno. */
extern int sockcred_enable(int fd);
/*
 * Receive one datagram without blocking: at most len bytes into buf (a
 * longer datagram is cut), the sender's credentials into cred (-1 in
 * every field when the kernel gave none), and, when fdp is not NULL, the
 * one descriptor that came with it into *fdp (-1 if none; any more are
 * closed, and with fdp NULL every passed descriptor is closed). Returns
 * the length, or -1 with errno (EAGAIN: nothing queued).
 */
extern ssize_t sockcred_recv(int fd, void *buf, size_t len, SOCK_CRED *cred, int *fdp);
/* Credentials of the process at the other end of a connected stream
 * socket, as they were when it connected (SO_PEERCRED); 0 or -1. */
extern int sockcred_peer(int fd, SOCK_CRED *cred);

#endif
