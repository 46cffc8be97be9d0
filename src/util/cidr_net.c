/*
 * cidr_net - IPv4 and IPv6 addresses and networks
 * DESCRIPTION
 *	The one parser and matcher for address patterns, shared by cidr:
 *	tables (cidr_table.c) and client lists (addrmatch.c). A pattern is
 *	an address, IPv4 or IPv6, optionally in [ ], and an optional
 *	"/prefix-length"; a bare address is a full-length network. As in
 *	Postfix, a network with host bits set past the prefix is refused,
 *	because the administrator probably meant something else, and the
 *	error suggests the network with those bits cleared.
 *
 *	Addresses and networks compare in binary, so "2001:DB8::1" and
 *	"2001:db8:0::1" are the same address. IPv4-mapped IPv6 addresses
 *	(::ffff:0:0/96) count as IPv4, in patterns and in host addresses
 *	alike, as everywhere in posthorn.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr_net.h"
#include "mymalloc.h"
#include "strutil.h"

/* cidr_net_text_to_addr - numeric text of len bytes to binary, full length */

static int cidr_net_text_to_addr(const char *text, size_t len, CIDR_NET *net)
{
    char   *copy = mystrndup(text, len);
    int     ret = 0;

    memset(net, 0, sizeof(*net));
    if (inet_pton(AF_INET, copy, net->addr) == 1) {
	net->family = AF_INET;
	net->masklen = 32;
    } else if (inet_pton(AF_INET6, copy, net->addr) == 1) {
	net->family = AF_INET6;
	net->masklen = 128;
    } else
	ret = -1;
    free(copy);
    return (ret);
}

/* cidr_net_unmap - a network inside ::ffff:0:0/96 becomes the IPv4 network */

static void cidr_net_unmap(CIDR_NET *net)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    if (net->family != AF_INET6 || net->masklen < 96 || memcmp(net->addr, mapped, 12) != 0)
	return;
    memmove(net->addr, net->addr + 12, 4);
    memset(net->addr + 4, 0, 12);
    net->family = AF_INET;
    net->masklen -= 96;
}

/* cidr_net_host_bits - clear the bits past masklen; 1 if any were set */

static int cidr_net_host_bits(unsigned char *addr, unsigned masklen, unsigned bits)
{
    unsigned i;
    int     dirty = 0;

    for (i = masklen; i < bits; i++) {
	if (addr[i / 8] & (0x80 >> (i % 8))) {
	    addr[i / 8] &= (unsigned char) ~(0x80 >> (i % 8));
	    dirty = 1;
	}
    }
    return (dirty);
}

/* cidr_net_split - the address text and the prefix length text of a pattern */

static int cidr_net_split(const char *text, const char **addr, size_t *len,
			          const char **mask, DSTR *why)
{
    const char *end;

    if (*text == '[') {
	if ((end = strchr(text, ']')) == NULL) {
	    (void) dstr_sprintf(why, "missing ']' in \"%s\"", text);
	    return (-1);
	}
	if (end[1] != 0 && end[1] != '/') {
	    (void) dstr_sprintf(why, "garbage after ']' in \"%s\"", text);
	    return (-1);
	}
	*addr = text + 1;
	*len = (size_t) (end - text - 1);
	*mask = end[1] == '/' ? end + 2 : NULL;
    } else {
	end = strchr(text, '/');
	*addr = text;
	*len = end ? (size_t) (end - text) : strlen(text);
	*mask = end ? end + 1 : NULL;
    }
    return (0);
}

/* cidr_net_parse - address or network pattern */

int     cidr_net_parse(const char *text, CIDR_NET *net, DSTR *why)
{
    const char *addr;
    const char *mask;
    size_t  len;
    unsigned bits;
    long    masklen;
    char    buf[INET6_ADDRSTRLEN];	/* our own binary address, not input */

    if (cidr_net_split(text, &addr, &len, &mask, why) < 0)
	return (CIDR_NET_ERR_ADDR);
    if (cidr_net_text_to_addr(addr, len, net) < 0) {
	(void) dstr_sprintf(why, "malformed IP address in \"%s\"", text);
	return (CIDR_NET_ERR_ADDR);
    }
    bits = net->masklen;
    masklen = bits;
    if (mask != NULL && (!str_alldig(mask) || str_to_long(mask, 0, bits, &masklen) < 0)) {
	(void) dstr_sprintf(why, "bad network prefix length in \"%s\"", text);
	return (CIDR_NET_ERR_LEN);
    }
    if (cidr_net_host_bits(net->addr, (unsigned) masklen, bits)) {
	(void) inet_ntop(net->family, net->addr, buf, sizeof(buf));
	(void) dstr_sprintf(why, "non-null host address bits in \"%s\", "
			    "perhaps you should use \"%s%s%s/%ld\" instead", text,
			    bits == 128 ? "[" : "", buf, bits == 128 ? "]" : "", masklen);
	return (CIDR_NET_ERR_HOST);
    }
    net->masklen = (unsigned) masklen;
    cidr_net_unmap(net);
    return (0);
}

/* cidr_net_parse_addr - one host address */

int     cidr_net_parse_addr(const char *text, CIDR_NET *addr)
{
    size_t  len = strlen(text);
    size_t  zone;

    if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
	text++;
	len -= 2;
    }
    if ((zone = strcspn(text, "%")) < len)	/* fe80::1%eth0 */
	len = zone;
    if (cidr_net_text_to_addr(text, len, addr) < 0)
	return (-1);
    cidr_net_unmap(addr);
    return (0);
}

/* cidr_net_match - prefix comparison */

int     cidr_net_match(const CIDR_NET *net, const CIDR_NET *addr)
{
    unsigned full = net->masklen / 8;
    unsigned rest = net->masklen % 8;
    unsigned char mask;

    if (net->family != addr->family || memcmp(net->addr, addr->addr, full) != 0)
	return (0);
    if (rest == 0)
	return (1);
    mask = (unsigned char) (0xff << (8 - rest));
    return ((addr->addr[full] & mask) == net->addr[full]);
}
