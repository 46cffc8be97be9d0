/*
 * fuzz_tls_policy - libFuzzer target for TLS policy values, protocol lists and name matching
 * DESCRIPTION
 *	smtp_tls_policy_maps values come from tables that anyone with write
 *	access to them fills, and certificate names come from the network,
 *	so the parsers and the matcher get arbitrary bytes (up to a NUL,
 *	as a C string):
 *	- tls_policy_parse() says OK, WARN or ERR; ERR and WARN come with a
 *	  reason; an accepted policy has a real level, no attributes at
 *	  level none, a match list only at verify and secure, and every
 *	  attribute it kept parses again on its own (protocols, cipher
 *	  grade, exclusions, match list, server name);
 *	- tls_protocols_parse() of the same bytes gives an ordered range of
 *	  SSLv3-or-later versions, or an error with a reason;
 *	- tls_match_name(), with the input split at its first '|' into a
 *	  certificate name and a domain, never matches a name that is not
 *	  the domain, below it, or a one-label wildcard over it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tls_match.h"
#include "tls_policy.h"

#define FUZZ_MAX	8192		/* bytes looked at */

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_tls_policy.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_policy - the policy value properties */

static void fuzz_policy(const char *text)
{
    DSTR   *err = dstr_new(64);
    DSTR   *again = dstr_new(64);
    TLS_POLICY p;
    ARGV   *list;
    int     rc = tls_policy_parse(text, &p, err);
    int     lo;
    int     hi;

    FUZZ_CHECK(rc == TLS_POLICY_OK || rc == TLS_POLICY_WARN || rc == TLS_POLICY_ERR);
    if (rc != TLS_POLICY_OK)
	FUZZ_CHECK(dstr_len(err) > 0);
    if (rc != TLS_POLICY_ERR) {
	FUZZ_CHECK(p.level >= TLS_LEV_NONE && p.level <= TLS_LEV_SECURE);
	if (p.level == TLS_LEV_NONE)
	    FUZZ_CHECK(!p.protocols && !p.ciphers && !p.exclude && !p.match && !p.servername);
	if (p.match) {
	    FUZZ_CHECK(TLS_MUST_MATCH(p.level));
	    FUZZ_CHECK((list = tls_match_list_parse(p.match, ":", again)) != 0);
	    FUZZ_CHECK(list->argc >= 1 && list->argc <= TLS_MATCH_MAX);
	    argv_free(list);
	}
	if (p.protocols)
	    FUZZ_CHECK(tls_protocols_parse(p.protocols, &lo, &hi, again) == 0);
	if (p.ciphers)
	    FUZZ_CHECK(tls_cipher_grade_list(p.ciphers) != 0);
	if (p.exclude)
	    FUZZ_CHECK(tls_cipher_exclude_check(p.exclude, again) == 0);
	if (p.servername)
	    FUZZ_CHECK(strcasecmp(p.servername, "hostname") == 0
		       || strcasecmp(p.servername, "nexthop") == 0
		       || tls_valid_hostname(p.servername));
    }
    tls_policy_free(&p);
    dstr_free(err);
    dstr_free(again);
}

/* fuzz_protocols - the protocol list properties */

static void fuzz_protocols(const char *text)
{
    DSTR   *err = dstr_new(64);
    int     lo = -1;
    int     hi = -1;

    if (tls_protocols_parse(text, &lo, &hi, err) == 0) {
	FUZZ_CHECK(lo == 0 || (lo >= 0x0300 && lo <= 0x03ff));
	FUZZ_CHECK(hi == 0 || (hi >= 0x0300 && hi <= 0x03ff));
	FUZZ_CHECK(lo == 0 || hi == 0 || lo <= hi);
    } else {
	FUZZ_CHECK(dstr_len(err) > 0);
    }
    dstr_free(err);
}

/* fuzz_below - is name (case-insensitively) strictly below domain */

static int fuzz_below(const char *name, size_t nlen, const char *domain, size_t dlen)
{
    return (nlen > dlen + 1 && name[nlen - dlen - 1] == '.'
	    && strncasecmp(name + nlen - dlen, domain, dlen) == 0);
}

/* fuzz_match - matching never says yes without a reason */

static void fuzz_match(const char *text)
{
    const char *bar = strchr(text, '|');
    char   *cert;
    const char *domain;
    size_t  clen;
    size_t  dlen;

    if (bar == 0)
	return;
    cert = strndup(text, (size_t) (bar - text));
    domain = bar + 1;
    clen = strlen(cert);
    dlen = strlen(domain);
    /* Trailing dots are ignored by the matcher; drop one for the oracle. */
    if (clen && cert[clen - 1] == '.')
	clen--;
    if (dlen && domain[dlen - 1] == '.')
	dlen--;
    if (tls_match_name(cert, domain, 0))
	FUZZ_CHECK((clen == dlen && strncasecmp(cert, domain, clen) == 0)
		   || (clen > 2 && cert[0] == '*' && cert[1] == '.'
		       && fuzz_below(domain, dlen, cert + 2, clen - 2)));
    if (tls_match_name(cert, domain, 1))
	FUZZ_CHECK(fuzz_below(cert, clen, domain, dlen)
		   || (clen > 2 && cert[0] == '*' && cert[1] == '.'
		       && ((clen - 2 == dlen && strncasecmp(cert + 2, domain, dlen) == 0)
			   || fuzz_below(cert + 2, clen - 2, domain, dlen))));
    free(cert);
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char   *text;

    if (size > FUZZ_MAX)
	size = FUZZ_MAX;
    text = strndup((const char *) data, size);	/* up to the first NUL */
    fuzz_policy(text);
    fuzz_protocols(text);
    fuzz_match(text);
    free(text);
    return (0);
}
