/*
 * sockutil - socket set-up
 * DESCRIPTION
 *	Master opens every listener (so children inherit them and a reload
 *	keeps them open); daemons reach each other over UNIX sockets under
 *	the spool. These helpers keep those few system-call sequences in one
 *	place, with error texts fit for an admin.
 * SECURITY
 *	Master binds as root in public/ and private/, which mail_owner owns:
 *	a socket gets its mode at creation (umask around bind) and its path
 *	is never chmod'ed afterwards. The umask is process-wide for that
 *	moment, which is fine in our single-threaded programs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sockutil.h"

/* sock_unix_addr - fill a UNIX address; -1 if the path is too long */

static int sock_unix_addr(struct sockaddr_un *sun, const char *path)
{
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sun->sun_path)) {
	errno = ENAMETOOLONG;
	return (-1);
    }
    strcpy(sun->sun_path, path);
    return (0);
}

/* sock_unix_bind - bind to path, created with exactly mode */

static int sock_unix_bind(int fd, const struct sockaddr_un *sun, mode_t mode)
{
    mode_t  old_mask;
    int     ret;
    int     saved;

    (void) unlink(sun->sun_path);		/* an old socket; never follows a link */

    /*
     * The mode comes from the umask at bind(), not from a chmod() by name
     * afterwards: the directory's owner could swap the name for a link in
     * between and have root chmod the link's target.
     */
    old_mask = umask(~mode & 0777);
    ret = bind(fd, (const struct sockaddr *) sun, sizeof(*sun));
    saved = errno;
    (void) umask(old_mask);
    errno = saved;
    return (ret);
}

/* sock_inet_listen - TCP listener */

int     sock_inet_listen(const struct sockaddr *sa, socklen_t salen, int backlog, DSTR *err)
{
    int     fd;
    int     on = 1;
    int     saved_errno;
    DSTR   *host = dstr_new(64);
    DSTR   *port = dstr_new(8);

    sock_addr_format(sa, host, port);
    if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
	dstr_sprintf(err, "socket for %s port %s: %m", dstr_str(host), dstr_str(port));
	goto out;
    }
    (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (sa->sa_family == AF_INET6)
	(void) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    if (bind(fd, sa, salen) < 0 || listen(fd, backlog) < 0) {
	saved_errno = errno;
	dstr_sprintf(err, "bind %s port %s: %m", dstr_str(host), dstr_str(port));
	close(fd);
	errno = saved_errno;
	fd = -1;
    }
out:
    saved_errno = errno;
    dstr_free(host);
    dstr_free(port);
    errno = saved_errno;
    return (fd);
}

/* sock_unix_listen - UNIX stream listener */

int     sock_unix_listen(const char *path, int backlog, mode_t mode, DSTR *err)
{
    struct sockaddr_un sun;
    int     fd;

    if (sock_unix_addr(&sun, path) < 0) {
	dstr_sprintf(err, "socket path too long: %s", path);
	return (-1);
    }
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
	dstr_sprintf(err, "socket: %m");
	return (-1);
    }
    if (sock_unix_bind(fd, &sun, mode) < 0 || listen(fd, backlog) < 0) {
	dstr_sprintf(err, "bind %s: %m", path);
	close(fd);
	return (-1);
    }
    return (fd);
}

/* sock_unix_dgram_bind - UNIX datagram endpoint */

int     sock_unix_dgram_bind(const char *path, mode_t mode, DSTR *err)
{
    struct sockaddr_un sun;
    int     fd;

    if (sock_unix_addr(&sun, path) < 0) {
	dstr_sprintf(err, "socket path too long: %s", path);
	return (-1);
    }
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
	dstr_sprintf(err, "socket: %m");
	return (-1);
    }
    if (sock_unix_bind(fd, &sun, mode) < 0) {
	dstr_sprintf(err, "bind %s: %m", path);
	close(fd);
	return (-1);
    }
    return (fd);
}

/* sock_unix_connect - UNIX stream client */

int     sock_unix_connect(const char *path)
{
    struct sockaddr_un sun;
    int     fd;
    int     saved;

    if (sock_unix_addr(&sun, path) < 0)
	return (-1);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
	return (-1);
    while (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0) {
	if (errno == EINTR)
	    continue;
	saved = errno;
	close(fd);
	errno = saved;
	return (-1);
    }
    return (fd);
}

/* sock_unix_dgram_connect - datagram client bound to one peer */

int     sock_unix_dgram_connect(const char *path)
{
    struct sockaddr_un sun;
    int     fd;
    int     saved;

    if (sock_unix_addr(&sun, path) < 0)
	return (-1);
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
	return (-1);
    if (connect(fd, (struct sockaddr *) &sun, sizeof(sun)) < 0) {
	saved = errno;
	close(fd);
	errno = saved;
	return (-1);
    }
    return (fd);
}

/* sock_unix_dgram_send - one-shot datagram */

int     sock_unix_dgram_send(const char *path, const void *buf, size_t len)
{
    struct sockaddr_un sun;
    int     fd;
    ssize_t n;
    int     saved;

    if (sock_unix_addr(&sun, path) < 0)
	return (-1);
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
	return (-1);
    n = sendto(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *) &sun, sizeof(sun));
    saved = errno;
    close(fd);
    errno = saved;
    return (n < 0 ? -1 : 0);
}

/* sock_nonblock - set or clear O_NONBLOCK */

int     sock_nonblock(int fd, int on)
{
    int     fl = fcntl(fd, F_GETFL);

    if (fl < 0)
	return (-1);
    return (fcntl(fd, F_SETFL, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK)));
}

/* sock_addr_format - numeric host and port */

void    sock_addr_format(const struct sockaddr *sa, DSTR *host, DSTR *port)
{
    char    hbuf[NI_MAXHOST];
    char    pbuf[NI_MAXSERV];
    socklen_t len = sa->sa_family == AF_INET6 ?
	sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

    if (getnameinfo(sa, len, hbuf, sizeof(hbuf), pbuf, sizeof(pbuf),
		    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
	strcpy(hbuf, "unknown");
	strcpy(pbuf, "0");
    }
    if (strncmp(hbuf, "::ffff:", 7) == 0 && strchr(hbuf + 7, '.') != NULL)
	dstr_strcpy(host, hbuf + 7);
    else
	dstr_strcpy(host, hbuf);
    dstr_strcpy(port, pbuf);
}

/* sock_peer_closed - the other end went away, as opposed to trouble on the way */

int     sock_peer_closed(int err)
{
    return (err == EPIPE || err == ECONNRESET);
}

/* sock_split_hostport - "host:port" forms */

int     sock_split_hostport(const char *spec, DSTR *host, DSTR *port)
{
    const char *colon;
    const char *close_br;

    DSTR_RESET(host);
    if (*spec == '[') {
	if ((close_br = strchr(spec, ']')) == NULL || close_br[1] != ':')
	    return (-1);
	dstr_cat(host, spec + 1, (size_t) (close_br - spec - 1));
	dstr_strcpy(port, close_br + 2);
    } else if ((colon = strrchr(spec, ':')) != NULL) {
	if (strchr(spec, ':') != colon)		/* bare IPv6 needs brackets */
	    return (-1);
	dstr_cat(host, spec, (size_t) (colon - spec));
	dstr_strcpy(port, colon + 1);
    } else {
	dstr_strcpy(port, spec);
    }
    return (dstr_len(port) > 0 ? 0 : -1);
}
