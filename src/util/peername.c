/*
 * peername - peer identification
 * DESCRIPTION
 *	A client name is trusted only when forward and reverse DNS agree
 *	(the reverse name resolves back to the client's address); otherwise
 *	it is "unknown", as Postfix does, so a PTR record alone cannot make a
 *	client match a host name pattern.
 */
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#include "peername.h"
#include "sockutil.h"

/* peername_confirm - does name resolve to addr? */

static int peername_confirm(const char *name, const char *addr)
{
    struct addrinfo hints;
    struct addrinfo *res;
    struct addrinfo *ai;
    DSTR   *h = dstr_new(64);
    DSTR   *p = dstr_new(8);
    int     ok = 0;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(name, NULL, &hints, &res) != 0) {
	dstr_free(h);
	dstr_free(p);
	return (0);
    }
    for (ai = res; ai && !ok; ai = ai->ai_next) {
	sock_addr_format(ai->ai_addr, h, p);
	ok = (strcmp(dstr_str(h), addr) == 0);
    }
    freeaddrinfo(res);
    dstr_free(h);
    dstr_free(p);
    return (ok);
}

/* peername_lookup - address, port, name */

int     peername_lookup(int fd, int lookup_name, DSTR *name, DSTR *addr, DSTR *port)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char    host[NI_MAXHOST];

    dstr_strcpy(name, "unknown");
    if (getpeername(fd, (struct sockaddr *) &ss, &len) < 0) {
	dstr_strcpy(addr, "unknown");
	dstr_strcpy(port, "0");
	return (-1);
    }
    if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) {
	dstr_strcpy(addr, "unknown");
	dstr_strcpy(port, "0");
	return (0);
    }
    sock_addr_format((struct sockaddr *) &ss, addr, port);
    if (lookup_name
	&& getnameinfo((struct sockaddr *) &ss, len, host, sizeof(host), NULL, 0,
		       NI_NAMEREQD) == 0
	&& peername_confirm(host, dstr_str(addr)))
	dstr_strcpy(name, host);
    return (0);
}
