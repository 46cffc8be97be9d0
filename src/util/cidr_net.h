/* cidr_net - IPv4 and IPv6 addresses and networks: parse, compare */
#ifndef CIDR_NET_H
#define CIDR_NET_H
#include "dstr.h"

/* An address or network in binary; IPv4-mapped IPv6 counts as IPv4. */
typedef struct CIDR_NET {
    int     family;			/* AF_INET or AF_INET6 */
    unsigned masklen;			/* prefix length in bits */
    unsigned char addr[16];		/* network order; host bits zero */
} CIDR_NET;

/* Why cidr_net_parse() refused a pattern. */
#define CIDR_NET_ERR_ADDR	(-1)	/* no numeric address, or bad [ ] */
#define CIDR_NET_ERR_LEN	(-2)	/* prefix length not 0..32 or 0..128 */
#define CIDR_NET_ERR_HOST	(-3)	/* host bits set past the prefix */

/*
 * "1.2.3.4", "1.2.3.0/24", "2001:db8::/32", optionally with the address
 * in [ ]; a bare address is a full-length network. 0, or a CIDR_NET_ERR_*
 * code with a reason naming text in why; for host bits the reason
 * suggests the network that was probably meant.
 */
extern int cidr_net_parse(const char *text, CIDR_NET *net, DSTR *why);
/* A host address ("::1", "[::1]", "fe80::1%eth0"); 0 or -1. */
extern int cidr_net_parse_addr(const char *text, CIDR_NET *addr);
/* Is the host address inside the network? */
extern int cidr_net_match(const CIDR_NET *net, const CIDR_NET *addr);

#endif
