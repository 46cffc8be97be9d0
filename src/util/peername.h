/* peername - who is on the other end of a socket: address, port, verified name */
#ifndef PEERNAME_H
#define PEERNAME_H
#include "dstr.h"

/*
 * Fill addr and port (numeric; IPv4-mapped IPv6 shown as IPv4) and, when
 * lookup_name is set, name: the reverse-DNS name of addr if it resolves
 * back to addr, else "unknown". A UNIX-domain peer gives "unknown" for
 * all three. Returns 0, or -1 if getpeername failed.
 */
extern int peername_lookup(int fd, int lookup_name, DSTR *name, DSTR *addr, DSTR *port);
/*
 * The name of a numeric address as peername_lookup gives it (confirmed by
 * a forward lookup, else "unknown"). Answers are remembered for a minute.
 */
extern void peername_verified(const char *addr, DSTR *name);

#endif
