/*
 * tls_match - server certificate names against the names we expected
 * DESCRIPTION
 *	At the verify and secure levels a trusted chain is not enough: one
 *	of the DNS names in the server certificate (its subjectAltName
 *	entries, or its Common Name when it has none) must match what the
 *	match list says to expect: the server's host name (verify's
 *	default, trusting the MX lookup), the next-hop domain or a name
 *	below it (secure's default), or names given literally. This is the
 *	pure part of that check; src/tls/tls_client_info.c extracts the names.
 *
 *	Wildcards follow RFC 6125 in its strict reading: "*" only as the
 *	whole left-most label, covering exactly one label, and not directly
 *	under a top-level domain.
 */
#include <string.h>
#include <strings.h>

#include "tls_match.h"

/* tls_name_len - length without one trailing dot */

static size_t tls_name_len(const char *name)
{
    size_t  len = strlen(name);

    return (len > 0 && name[len - 1] == '.' ? len - 1 : len);
}

/* tls_name_eq - equal, ignoring case and a trailing dot on either side */

static int tls_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
    return (alen == blen && alen > 0 && strncasecmp(a, b, alen) == 0);
}

/* tls_name_below - is name (nlen) strictly below domain (dlen) */

static int tls_name_below(const char *name, size_t nlen, const char *domain, size_t dlen)
{
    return (dlen > 0 && nlen > dlen + 1 && name[nlen - dlen - 1] == '.'
	    && strncasecmp(name + nlen - dlen, domain, dlen) == 0);
}

/* tls_match_name - one certificate name, one expectation */

int     tls_match_name(const char *certname, const char *domain, int subdomain)
{
    size_t  clen = tls_name_len(certname);
    size_t  dlen = tls_name_len(domain);
    const char *parent;
    size_t  plen;

    if (clen == 0 || dlen == 0 || certname[0] == '.' || domain[0] == '.')
	return (0);
    if (certname[0] == '*' && certname[1] == '.') {
	/* "*." (or "*.." with its dot dropped) covers nothing. */
	if (clen <= 2)
	    return (0);
	parent = certname + 2;
	plen = clen - 2;
	/* "*.com" would cover a whole top-level domain: never. */
	if (memchr(parent, '.', plen) == 0 || memchr(parent, '*', plen) != 0)
	    return (0);
	if (subdomain)				/* every name the wildcard covers is below domain */
	    return (tls_name_eq(parent, plen, domain, dlen)
		    || tls_name_below(parent, plen, domain, dlen));
	/* Exactly one label in front of parent. */
	return (tls_name_below(domain, dlen, parent, plen)
		&& memchr(domain, '.', dlen - plen - 1) == 0);
    }
    if (subdomain)
	return (tls_name_below(certname, clen, domain, dlen));
    return (tls_name_eq(certname, clen, domain, dlen));
}

/* tls_match_cert - the first certificate name that any match item accepts */

int     tls_match_cert(char *const *names, size_t nnames, char *const *match,
		               size_t nmatch, const char *hostname, const char *nexthop)
{
    size_t  i;
    size_t  m;
    const char *domain;
    int     subdomain;

    for (m = 0; m < nmatch; m++) {
	subdomain = 0;
	if (strcasecmp(match[m], "hostname") == 0) {
	    domain = hostname;
	} else if (strcasecmp(match[m], "nexthop") == 0) {
	    domain = nexthop;
	} else if (strcasecmp(match[m], "dot-nexthop") == 0) {
	    domain = nexthop;
	    subdomain = 1;
	} else if (match[m][0] == '.') {
	    domain = match[m] + 1;
	    subdomain = 1;
	} else {
	    domain = match[m];
	}
	if (domain == 0 || *domain == 0)
	    continue;
	for (i = 0; i < nnames; i++)
	    if (tls_match_name(names[i], domain, subdomain))
		return ((int) i);
    }
    return (-1);
}
