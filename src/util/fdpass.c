/*
 * fdpass - descriptor passing
 * DESCRIPTION
 *	The connection cache hands live SMTP connections between processes,
 *	and the admin command passes qmgr the socket its answer goes back on.
 *	The descriptor always travels with a data byte of its own, sent and
 *	read before anything else on the socket, so buffered reads of what
 *	follows can never swallow it.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "fdpass.h"
#include "ios.h"

/* fdpass_sendmsg - buf, with descriptor fd attached when fd >= 0; sendmsg()'s result */

static ssize_t fdpass_sendmsg(int sock, const struct sockaddr_un *to, const void *buf,
			              size_t len, int fd, int flags)
{
    struct iovec iov = {(void *) buf, len};
    union {
	struct cmsghdr hdr;
	char    buf[CMSG_SPACE(sizeof(int))];
    }       ctl;
    struct msghdr msg;
    struct cmsghdr *cmsg;

    memset(&msg, 0, sizeof(msg));
    msg.msg_name = (void *) to;
    msg.msg_namelen = to ? sizeof(*to) : 0;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd >= 0) {
	memset(&ctl, 0, sizeof(ctl));
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    }
    return (sendmsg(sock, &msg, flags | MSG_NOSIGNAL));
}

/* fdpass_send - one byte, maybe with a descriptor */

int     fdpass_send(int sock, int byte, int fd)
{
    char    ch = (char) byte;

    return (fdpass_sendmsg(sock, NULL, &ch, 1, fd, 0) == 1 ? 0 : -1);
}

/* fdpass_send_to - one datagram with a descriptor, to a socket by path */

int     fdpass_send_to(const char *path, const void *buf, size_t len, int fd)
{
    struct sockaddr_un sun;
    ssize_t n;
    int     saved;
    int     sock;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sun.sun_path)) {
	errno = ENAMETOOLONG;
	return (-1);
    }
    strcpy(sun.sun_path, path);
    if ((sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
	return (-1);
    n = fdpass_sendmsg(sock, &sun, buf, len, fd, MSG_DONTWAIT);
    saved = errno;
    close(sock);
    errno = saved;
    return (n == (ssize_t) len ? 0 : -1);
}

/* fdpass_recv - one byte and the descriptor that came with it */

int     fdpass_recv(int sock, int *fd, int timeout_ms)
{
    char    ch;
    struct iovec iov = {&ch, 1};
    union {
	struct cmsghdr hdr;
	char    buf[CMSG_SPACE(sizeof(int))];
    }       ctl;
    struct msghdr msg;
    struct cmsghdr *cmsg;
    struct pollfd pfd;

    *fd = -1;
    pfd.fd = sock;
    pfd.events = POLLIN;
    if (ios_poll(&pfd, 1, timeout_ms) <= 0)
	return (-1);
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl.buf;
    msg.msg_controllen = sizeof(ctl.buf);
    if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT) != 1)
	return (-1);
    for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
	if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS
	    && cmsg->cmsg_len == CMSG_LEN(sizeof(int)))
	    memcpy(fd, CMSG_DATA(cmsg), sizeof(int));
    return ((unsigned char) ch);
}
