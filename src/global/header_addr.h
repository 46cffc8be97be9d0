/* header_addr - the address in an address header field (From:) */
#ifndef HEADER_ADDR_H
#define HEADER_ADDR_H
#include <stddef.h>
#include "argv.h"
#include "dstr.h"

#define HEADER_ADDR_NONE	0	/* no address (empty, a group without members) */
#define HEADER_ADDR_ONE		1	/* exactly one, in addr */
#define HEADER_ADDR_MANY	2	/* more than one */
#define HEADER_ADDR_BAD		3	/* unbalanced quotes, comments or brackets */

/*
 * Find the addresses in a field value (RFC 5322 3.4 address-list: display
 * names, <angle-addr>, comments, quoted strings, groups, folded lines);
 * when there is exactly one, copy its local-part@domain to addr, comments
 * and white space removed. value need not be NUL-terminated.
 */
extern int header_addr_one(const char *value, size_t len, DSTR *addr);
/* The same scan, appending every member's address to addrs (none on
 * HEADER_ADDR_BAD); returns as header_addr_one. */
extern int header_addr_list(const char *value, size_t len, ARGV *addrs);

#endif
