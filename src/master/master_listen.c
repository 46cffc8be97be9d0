/*
 * master_listen - open the listeners of a service
 * DESCRIPTION
 *	inet services listen on "host:port", or on "port" at every address of
 *	inet_interfaces ("all": the wildcard addresses; "loopback-only":
 *	127.0.0.1 and ::1), restricted to the families in inet_protocols.
 *	unix and unix-dgram services get a socket under private/ or public/;
 *	a unix-dgram socket has SO_PASSCRED from the start, so its daemon
 *	knows who sent every datagram (docs/design.md).
 */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "master.h"
#include "cfg_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "sockcred.h"
#include "sockutil.h"
#include "inet_proto.h"
#include "spool.h"

#define MASTER_BACKLOG	511

/* master_want_family - does inet_protocols allow this family? */

static int master_want_family(int family)
{
    int     bits = inet_proto_parse(var_inet_protocols, NULL);

    /* cfg_check refused a bad value before master got here. */
    return (bits > 0 && (bits & (family == AF_INET ? INET_PROTO_V4 : INET_PROTO_V6)) != 0);
}

/* master_add_fd - remember one listener */

static void master_add_fd(MASTER_SERV *serv, int fd)
{
    serv->listen_fds = myrealloc(serv->listen_fds, (size_t) (serv->nlisten + 1) * sizeof(int));
    serv->listen_fds[serv->nlisten++] = fd;
}

/* master_listen_host - every address of one host (NULL: wildcard) */

static int master_listen_host(MASTER_SERV *serv, const char *host, const char *port,
			              int implicit, DSTR *err)
{
    struct addrinfo hints;
    struct addrinfo *res;
    struct addrinfo *ai;
    int     rc;
    int     fd;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
	dstr_sprintf(err, "service %s: cannot resolve %s port %s: %s", serv->name,
		     host ? host : "*", port, gai_strerror(rc));
	return (-1);
    }
    for (ai = res; ai; ai = ai->ai_next) {
	if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
	    continue;
	if (!master_want_family(ai->ai_family))
	    continue;
	if ((fd = sock_inet_listen(ai->ai_addr, ai->ai_addrlen, MASTER_BACKLOG, err)) < 0) {
	    /* A wildcard IPv6 socket on a host without IPv6 is no reason to fail. */
	    if (implicit && ai->ai_family == AF_INET6 && errno == EAFNOSUPPORT) {
		DSTR_RESET(err);
		continue;
	    }
	    rc = errno;				/* EADDRINUSE: master.c may wait */
	    dstr_printf(err, " (service %s)", serv->name);
	    freeaddrinfo(res);
	    errno = rc;
	    return (-1);
	}
	master_add_fd(serv, fd);
    }
    freeaddrinfo(res);
    return (0);
}

/* master_listen_inet - listeners for an inet service */

int     master_listen_inet(MASTER_SERV *serv, DSTR *err)
{
    DSTR   *host = dstr_new(64);
    DSTR   *port = dstr_new(8);
    ARGV   *ifaces = 0;
    size_t  i;
    int     ret = -1;
    int     saved_errno;

    if (sock_split_hostport(serv->name, host, port) < 0) {
	dstr_sprintf(err, "service %s: bad inet service name (want host:port or port)",
		     serv->name);
	goto out;
    }
    if (dstr_len(host) > 0) {
	ret = master_listen_host(serv, dstr_str(host), dstr_str(port), 0, err);
    } else if (strcasecmp(var_inet_interfaces, "all") == 0) {
	ret = master_listen_host(serv, NULL, dstr_str(port), 1, err);
    } else {
	ifaces = argv_split(var_inet_interfaces, " \t,");
	ret = 0;
	for (i = 0; ret == 0 && i < ifaces->argc; i++) {
	    if (strcasecmp(ifaces->argv[i], "loopback-only") == 0) {
		ret = master_listen_host(serv, "127.0.0.1", dstr_str(port), 1, err);
		if (ret == 0 && master_want_family(AF_INET6))
		    ret = master_listen_host(serv, "::1", dstr_str(port), 1, err);
	    } else {
		ret = master_listen_host(serv, ifaces->argv[i], dstr_str(port), 0, err);
	    }
	}
    }
    if (ret == 0 && serv->nlisten == 0) {
	dstr_sprintf(err, "service %s: no address to listen on (inet_interfaces = %s, "
		     "inet_protocols = %s)", serv->name, var_inet_interfaces, var_inet_protocols);
	ret = -1;
    }
out:
    saved_errno = errno;
    if (ret < 0)
	while (serv->nlisten > 0)
	    close(serv->listen_fds[--serv->nlisten]);
    if (ifaces)
	argv_free(ifaces);
    dstr_free(host);
    dstr_free(port);
    errno = saved_errno;
    return (ret);
}

/* master_listen_unix - socket in private/ or public/ */

int     master_listen_unix(MASTER_SERV *serv, DSTR *err)
{
    int     fd;

    if (strcmp(serv->type, "unix-dgram") == 0) {
	/* From the start, so every datagram carries its sender's credentials,
	 * also those sent while the daemon is being (re)started. */
	if ((fd = sock_unix_dgram_bind(serv->sock_path, 0666, err)) >= 0
	    && sockcred_enable(fd) < 0) {
	    dstr_sprintf(err, "SO_PASSCRED on %s: %m", serv->sock_path);
	    close(fd);
	    fd = -1;
	}
    } else
	fd = sock_unix_listen(serv->sock_path, MASTER_BACKLOG, 0666, err);
    if (fd < 0) {
	dstr_printf(err, " (service %s)", serv->name);
	return (-1);
    }
    master_add_fd(serv, fd);
    return (0);
}
