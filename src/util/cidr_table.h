/* cidr_table - Postfix cidr_table(5) rules: network/prefix result, first match wins */
#ifndef CIDR_TABLE_H
#define CIDR_TABLE_H
#include "dstr.h"
#include "ios.h"

#define CIDR_TABLE_LINE_MAX	65536	/* bytes in a logical line */

/* An address or network in binary; IPv4-mapped IPv6 counts as IPv4. */
typedef struct CIDR_NET {
    int     family;			/* AF_INET or AF_INET6 */
    unsigned masklen;			/* prefix length in bits */
    unsigned char addr[16];		/* network order; host bits zero */
} CIDR_NET;

/*
 * "1.2.3.4", "1.2.3.0/24", "2001:db8::/32", optionally with the address
 * in [ ]. 0, or -1 with a reason in why (bad address, bad prefix length,
 * host bits set past the prefix).
 */
extern int cidr_net_parse(const char *text, CIDR_NET *net, DSTR *why);
/* A host address ("::1", "[::1]", "fe80::1%eth0"); 0 or -1. */
extern int cidr_addr_parse(const char *text, CIDR_NET *addr);
/* Is the host address inside the network? */
extern int cidr_net_match(const CIDR_NET *net, const CIDR_NET *addr);

typedef struct CIDR_TABLE CIDR_TABLE;

/*
 * Read rules (pattern result, !pattern result, if pattern / if !pattern
 * ... endif) from ios; path names the table in messages. A malformed rule
 * is logged as a warning naming the line and skipped, as Postfix does.
 * NULL with a reason in err only when the input itself is unusable: a
 * line over CIDR_TABLE_LINE_MAX, a NUL byte, a read error.
 */
extern CIDR_TABLE *cidr_table_read(IOS *ios, const char *path, DSTR *err);
/* The result of the first rule that matches the address, or NULL (also for a key that is no address). */
extern const char *cidr_table_lookup(const CIDR_TABLE *table, const char *key);
/* Rules kept (if and endif count as one each). */
extern size_t cidr_table_size(const CIDR_TABLE *table);
extern void cidr_table_free(CIDR_TABLE *table);

#endif
