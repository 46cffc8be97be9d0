/*
 * sockcred - peer credentials on UNIX-domain sockets
 * DESCRIPTION
 *	A request that changes the queue or writes the log must come from
 *	root or mail_owner. What a request says about its sender proves
 *	nothing; what the kernel says does: the uid it attaches to each
 *	datagram (SO_PASSCRED, SCM_CREDENTIALS) or records for a stream
 *	connection (SO_PEERCRED). A process cannot claim another uid than
 *	its own unless it is root.
 *
 *	A datagram may also carry descriptors (SCM_RIGHTS): an admin request
 *	passes the socket its answer goes back on. A hostile sender may pass
 *	many; the control buffer has room for one, the kernel discards what
 *	does not fit, and every descriptor a caller did not ask for is
 *	closed here, so none can pile up in a long-running daemon.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sockcred.h"

#define SOCKCRED_MAX_FDS	1	/* room in the control buffer */

/* sockcred_enable - SO_PASSCRED */

int     sockcred_enable(int fd)
{
    int     on = 1;

    return (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
}

/* sockcred_take_fds - keep the first passed descriptor if wanted, close the rest */

static void sockcred_take_fds(struct cmsghdr *cmsg, int *fdp)
{
    size_t  n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    size_t  i;
    int     fd;

    for (i = 0; i < n; i++) {
	memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
	if (fdp != NULL && *fdp < 0)
	    *fdp = fd;
	else
	    (void) close(fd);
    }
}

/* sockcred_recv - one datagram, its sender, and maybe a descriptor */

ssize_t sockcred_recv(int fd, void *buf, size_t len, SOCK_CRED *cred, int *fdp)
{
    union {
	struct cmsghdr hdr;
	char    buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(SOCKCRED_MAX_FDS * sizeof(int))];
    }       ctl;
    struct iovec iov;
    struct msghdr msg;
    struct cmsghdr *cmsg;
    struct ucred uc;
    ssize_t n;

    cred->pid = -1;
    cred->uid = (uid_t) -1;
    cred->gid = (gid_t) -1;
    if (fdp != NULL)
	*fdp = -1;
    iov.iov_base = buf;
    iov.iov_len = len;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl.buf;
    msg.msg_controllen = sizeof(ctl.buf);
    if ((n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)) < 0)
	return (-1);
    for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
	if (cmsg->cmsg_level != SOL_SOCKET)
	    continue;
	if (cmsg->cmsg_type == SCM_RIGHTS) {
	    sockcred_take_fds(cmsg, fdp);
	} else if (cmsg->cmsg_type == SCM_CREDENTIALS
		   && cmsg->cmsg_len == CMSG_LEN(sizeof(uc))) {
	    memcpy(&uc, CMSG_DATA(cmsg), sizeof(uc));
	    cred->pid = uc.pid;
	    cred->uid = uc.uid;
	    cred->gid = uc.gid;
	}
    }
    return (n);
}

/* sockcred_peer - SO_PEERCRED */

int     sockcred_peer(int fd, SOCK_CRED *cred)
{
    struct ucred uc;
    socklen_t len = sizeof(uc);

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
	return (-1);
    if (len != sizeof(uc)) {
	errno = EINVAL;
	return (-1);
    }
    cred->pid = uc.pid;
    cred->uid = uc.uid;
    cred->gid = uc.gid;
    return (0);
}
