/* addrmatch - match a client against a list of addresses, networks and host names */
#ifndef ADDRMATCH_H
#define ADDRMATCH_H
#include "dstr.h"

typedef struct ADDRLIST ADDRLIST;

#define ADDRLIST_FLAG_PARENT	(1<<0)	/* "example.com" also matches sub.example.com */

/*
 * Parse a Postfix-style list (separated by white space and/or commas):
 * IPv4 "1.2.3.4", "1.2.3.0/24"; IPv6 "::1", "[::1]", "[2001:db8::]/32";
 * host names "host.example.com" and ".example.com" (subdomains);
 * "!pattern" negates (a match then means no match); "/path" reads more
 * patterns from a file, one or more per line, "#" comments; "type:table"
 * (dict.h) matches when the table has an entry for the client's name, a
 * parent domain or the address. Tables are opened now. Returns NULL and a
 * one-line reason in err on a malformed pattern, an unreadable file or a
 * table that cannot be opened. An empty list matches nothing.
 */
extern ADDRLIST *addrlist_parse(const char *spec, int flags, DSTR *err);
/*
 * First matching pattern decides. addr is a numeric IPv4 or IPv6 address
 * (IPv4-mapped IPv6 "::ffff:1.2.3.4" counts as IPv4); hostname may be NULL
 * or "unknown", and then matches no host name pattern. 1 = match, 0 = not.
 */
extern int addrlist_match(const ADDRLIST *list, const char *hostname, const char *addr);
/* Does the list contain any host name pattern (so a reverse lookup is worth it)? */
extern int addrlist_needs_hostname(const ADDRLIST *list);
extern ADDRLIST *addrlist_free(ADDRLIST *list);

#endif
