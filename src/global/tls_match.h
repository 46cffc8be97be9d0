/* tls_match - does a server certificate name what we expected to reach */
#ifndef TLS_MATCH_H
#define TLS_MATCH_H
#include <stddef.h>

/*
 * One certificate DNS name against one expected domain: equal (case
 * insensitive, a trailing dot ignored) or, with subdomain set, strictly
 * below it. A certificate name "*.parent" stands for any one label in
 * front of parent (never for parent itself, never more than one label,
 * never with fewer than two labels in parent); other '*' are literal.
 */
extern int tls_match_name(const char *certname, const char *domain, int subdomain);

/*
 * The certificate's names against a match list (tls_match_list_parse()):
 * "hostname" expects the server's host name, "nexthop" the next-hop
 * domain, "dot-nexthop" a name below it, "example.com" that name and
 * ".example.com" a name below it. The index of the first certificate name
 * that satisfies an item, or -1.
 */
extern int tls_match_cert(char *const *names, size_t nnames, char *const *match,
			          size_t nmatch, const char *hostname, const char *nexthop);

#endif
