/*
 * peername - peer identification
 * DESCRIPTION
 *	A client name is trusted only when forward and reverse DNS agree
 *	(the reverse name resolves back to the client's address); otherwise
 *	it is "unknown", as Postfix does, so a PTR record alone cannot make a
 *	client match a host name pattern.
 *
 *	A list manager connects from the same address for every message, and
 *	each lookup cost a dozen system calls (the resolver rereads
 *	/etc/hosts and stats resolv.conf, twice) and, with DNS, two queries.
 *	So the last few answers, "unknown" included, are remembered for
 *	PEERNAME_CACHE_SECONDS, as a caching resolver would keep them.
 */
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

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

/* A remembered answer: the verified name of an address, until expires. */
typedef struct PEERNAME_CACHED {
    DSTR   *addr;
    DSTR   *name;
    time_t  expires;
} PEERNAME_CACHED;

#define PEERNAME_CACHE_SLOTS	8
#define PEERNAME_CACHE_SECONDS	60

static PEERNAME_CACHED peername_cache[PEERNAME_CACHE_SLOTS];

/* peername_cache_find - the live slot for addr, or NULL */

static PEERNAME_CACHED *peername_cache_find(const char *addr, time_t now)
{
    int     i;

    for (i = 0; i < PEERNAME_CACHE_SLOTS; i++)
	if (peername_cache[i].addr && peername_cache[i].expires > now
	    && strcmp(dstr_str(peername_cache[i].addr), addr) == 0)
	    return (&peername_cache[i]);
    return (NULL);
}

/* peername_cache_store - remember, in place of the answer that ends first */

static void peername_cache_store(const char *addr, const char *name, time_t now)
{
    PEERNAME_CACHED *slot = &peername_cache[0];
    int     i;

    for (i = 1; i < PEERNAME_CACHE_SLOTS; i++)
	if (peername_cache[i].expires < slot->expires)
	    slot = &peername_cache[i];
    if (slot->addr == NULL) {
	slot->addr = dstr_new(48);
	slot->name = dstr_new(64);
    }
    dstr_strcpy(slot->addr, addr);
    dstr_strcpy(slot->name, name);
    slot->expires = now + PEERNAME_CACHE_SECONDS;
}

/* peername_verified - the name of a numeric address, confirmed, or "unknown" */

void    peername_verified(const char *addr, DSTR *name)
{
    struct addrinfo hints;
    struct addrinfo *res;
    char    host[NI_MAXHOST];
    time_t  now = time((time_t *) 0);
    PEERNAME_CACHED *hit;

    if ((hit = peername_cache_find(addr, now)) != NULL) {
	dstr_strcpy(name, dstr_str(hit->name));
	return;
    }
    dstr_strcpy(name, "unknown");
    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = AI_NUMERICHOST;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(addr, NULL, &hints, &res) != 0)
	return;
    if (getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof(host), NULL, 0,
		    NI_NAMEREQD) == 0
	&& peername_confirm(host, addr))
	dstr_strcpy(name, host);
    freeaddrinfo(res);
    peername_cache_store(addr, dstr_str(name), now);
}

/* peername_lookup - address, port, name */

int     peername_lookup(int fd, int lookup_name, DSTR *name, DSTR *addr, DSTR *port)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);

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
    if (lookup_name)
	peername_verified(dstr_str(addr), name);
    return (0);
}
