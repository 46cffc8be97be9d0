/*
 * addrmatch - match a client against addresses, networks and host names
 * DESCRIPTION
 *	Postfix's match-list semantics for access lists such as
 *	qmqpd_authorized_clients: patterns are tried in order and the first
 *	one that matches decides; "!pattern" turns that decision into "no".
 *	The list is parsed once, when the configuration is read, into an
 *	array of typed patterns, so a malformed entry is reported at start-up
 *	and matching a client does no parsing of configuration text.
 *
 *	Address patterns: "1.2.3.4", "1.2.3.0/24", "::1", "[::1]",
 *	"[2001:db8::]/32" (a bare address is a full-length network). They are
 *	parsed and matched by cidr_net.c, as in cidr: tables: a network with
 *	host bits set is refused, as Postfix refuses it, because the
 *	administrator probably meant something else; IPv4-mapped IPv6
 *	addresses count as IPv4, in client addresses and in patterns.
 *
 *	Name patterns: "host.example.com" matches that name, and with
 *	ADDRLIST_FLAG_PARENT its subdomains too; ".example.com" matches
 *	subdomains only. Names compare without regard to case.
 *
 *	"/file" reads more patterns from a file; "!/file" negates every
 *	pattern in it, as in Postfix (matchlist.c walks that outer shape).
 *
 *	"type:table" patterns (dict.h) match when the table has an entry for
 *	the client; the value is ignored, as in Postfix's client lists. The
 *	keys tried are the host name, then each parent domain ("example.com"
 *	with ADDRLIST_FLAG_PARENT, ".example.com" without), then the address
 *	in its canonical text form. cidr: tables take addresses only. An
 *	IPv6 address pattern written without [ ] is still an address unless
 *	the text before its first colon names a table type.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addrmatch.h"
#include "cidr_net.h"
#include "dict.h"
#include "matchlist.h"
#include "mymalloc.h"
#include "strutil.h"

#define ADDRLIST_T_NET		1	/* IPv4 or IPv6 network */
#define ADDRLIST_T_NAME		2	/* host name (and parents, by flag) */
#define ADDRLIST_T_DOMAIN	3	/* subdomains of a name */
#define ADDRLIST_T_TABLE	4	/* a lookup table */

typedef struct ADDRLIST_PAT {
    unsigned char type;			/* ADDRLIST_T_* */
    unsigned char negate;		/* a match means "no match" */
    union {
	CIDR_NET net;			/* ADDRLIST_T_NET */
	char   *name;			/* lower case, no leading dot */
	DICT   *dict;			/* ADDRLIST_T_TABLE */
    }       u;
} ADDRLIST_PAT;

struct ADDRLIST {
    ADDRLIST_PAT *pats;
    size_t  count;
    size_t  cap;
    int     flags;			/* ADDRLIST_FLAG_* */
    int     names;			/* host name patterns seen */
};

/* addrlist_append - add one parsed pattern */

static ADDRLIST_PAT *addrlist_append(ADDRLIST *list, int type, int negate)
{
    ADDRLIST_PAT *pat;

    if (list->count == list->cap) {
	list->cap = list->cap ? list->cap * 2 : 8;
	list->pats = myrealloc(list->pats, list->cap * sizeof(*list->pats));
    }
    pat = list->pats + list->count++;
    memset(pat, 0, sizeof(*pat));
    pat->type = (unsigned char) type;
    pat->negate = (unsigned char) negate;
    return (pat);
}

/* addrlist_parse_net - parse an address or network pattern */

static int addrlist_parse_net(ADDRLIST *list, const char *pat, int negate, DSTR *why)
{
    CIDR_NET net;
    int     ret;

    if ((ret = cidr_net_parse(pat, &net, why)) < 0) {
	/* No address, but a colon: most likely a table type we lack. */
	if (ret == CIDR_NET_ERR_ADDR && *pat != '[' && strchr(pat, ':') != 0)
	    (void) dstr_sprintf(why, "unsupported lookup table type in \"%s\"", pat);
	return (-1);
    }
    addrlist_append(list, ADDRLIST_T_NET, negate)->u.net = net;
    return (0);
}

/* addrlist_parse_name - parse "host.example.com" or ".example.com" */

static int addrlist_parse_name(ADDRLIST *list, const char *pat, int negate, DSTR *why)
{
    int     domain = (*pat == '.');
    ADDRLIST_PAT *pp;

    if (!str_dns_name_ok(pat + domain)) {
	(void) dstr_sprintf(why, "malformed host name pattern in \"%s\"", pat);
	return (-1);
    }
    pp = addrlist_append(list, domain ? ADDRLIST_T_DOMAIN : ADDRLIST_T_NAME, negate);
    pp->u.name = str_lower(mystrdup(pat + domain));
    list->names++;
    return (0);
}

/* addrlist_parse_table - a "type:table" pattern */

static int addrlist_parse_table(ADDRLIST *list, const char *pat, int negate, DSTR *why)
{
    DICT   *dict;
    ADDRLIST_PAT *pp;

    if ((dict = dict_open(pat, why)) == NULL)
	return (-1);
    pp = addrlist_append(list, ADDRLIST_T_TABLE, negate);
    pp->u.dict = dict;
    if (!(dict_flags(dict) & DICT_FLAG_ADDRESS))
	list->names++;				/* host names are looked up too */
    return (0);
}

/* addrlist_looks_numeric - only digits and dots: meant as an IPv4 address */

static int addrlist_looks_numeric(const char *pat)
{
    return (pat[strspn(pat, "0123456789.")] == 0);
}

/* addrlist_parse_pattern - one pattern, '!' and "/file" already handled (MATCHLIST_PATTERN_FN) */

static int addrlist_parse_pattern(void *ctx, const char *pat, int negate, DSTR *why)
{
    ADDRLIST *list = ctx;

    if (dict_type_known(pat))
	return (addrlist_parse_table(list, pat, negate, why));
    if (*pat == '[' || strchr(pat, ':') || strchr(pat, '/')
	|| addrlist_looks_numeric(pat))
	return (addrlist_parse_net(list, pat, negate, why));
    return (addrlist_parse_name(list, pat, negate, why));
}

/* addrlist_parse - parse a list specification */

ADDRLIST *addrlist_parse(const char *spec, int flags, DSTR *err)
{
    ADDRLIST *list = mycalloc(1, sizeof(*list));
    DSTR   *why = dstr_new(100);

    list->flags = flags;
    if (matchlist_parse(spec, addrlist_parse_pattern, list, why) < 0) {
	if (err != 0)
	    (void) dstr_memcpy(err, dstr_str(why), dstr_len(why));
	list = addrlist_free(list);
    }
    dstr_free(why);
    return (list);
}

/* addrlist_name_match - compare a host name with a name pattern */

static int addrlist_name_match(const ADDRLIST_PAT *pat, const char *host,
			               int flags)
{
    size_t  hlen = strlen(host);
    size_t  nlen = strlen(pat->u.name);

    if (pat->type == ADDRLIST_T_NAME && strcasecmp(host, pat->u.name) == 0)
	return (1);
    if (pat->type == ADDRLIST_T_NAME && !(flags & ADDRLIST_FLAG_PARENT))
	return (0);
    /* A proper subdomain: at least one non-empty label, then a dot. */
    return (hlen > nlen + 1 && host[hlen - nlen - 1] == '.'
	    && strcasecmp(host + hlen - nlen, pat->u.name) == 0);
}

/* addrlist_table_match - does the table know the client's name or address? */

static int addrlist_table_match(const ADDRLIST *list, DICT *dict, const char *host,
				        const CIDR_NET *ap)
{
    char    buf[INET6_ADDRSTRLEN];	/* our own binary address, not input */
    const char *dot;

    if (host != 0 && !(dict_flags(dict) & DICT_FLAG_ADDRESS)) {
	if (dict_get(dict, host) != 0)
	    return (1);
	/* A pattern table (regexp:) sees the whole name and says itself
	 * which parents it covers. */
	for (dot = (dict_flags(dict) & DICT_FLAG_RAW_KEY) ? 0 : strchr(host, '.');
	     dot != 0; dot = strchr(dot + 1, '.'))
	    if (dot[1] != 0 && dict_get(dict, (list->flags & ADDRLIST_FLAG_PARENT) ?
					dot + 1 : dot) != 0)
		return (1);
    }
    if (ap == 0)
	return (0);
    (void) inet_ntop(ap->family, ap->addr, buf, sizeof(buf));
    return (dict_get(dict, buf) != 0);
}

/* addrlist_pat_match - does one pattern match the client? */

static int addrlist_pat_match(const ADDRLIST *list, const ADDRLIST_PAT *pat,
			              const char *host, const CIDR_NET *ap)
{
    switch (pat->type) {
    case ADDRLIST_T_NET:
	return (ap != 0 && cidr_net_match(&pat->u.net, ap));
    case ADDRLIST_T_TABLE:
	return (addrlist_table_match(list, pat->u.dict, host, ap));
    default:
	return (host != 0 && addrlist_name_match(pat, host, list->flags));
    }
}

/* addrlist_match - first matching pattern decides */

int     addrlist_match(const ADDRLIST *list, const char *hostname, const char *addr)
{
    CIDR_NET client;
    const CIDR_NET *ap;
    size_t  i;

    ap = (addr != 0 && cidr_net_parse_addr(addr, &client) == 0) ? &client : 0;
    if (hostname != 0 && (*hostname == 0 || strcasecmp(hostname, "unknown") == 0))
	hostname = 0;
    for (i = 0; i < list->count; i++)
	if (addrlist_pat_match(list, list->pats + i, hostname, ap))
	    return (!list->pats[i].negate);
    return (0);
}

/* addrlist_needs_hostname - is a reverse lookup worth doing? */

int     addrlist_needs_hostname(const ADDRLIST *list)
{
    return (list->names > 0);
}

/* addrlist_free - release a list */

ADDRLIST *addrlist_free(ADDRLIST *list)
{
    size_t  i;

    if (list != 0) {
	for (i = 0; i < list->count; i++)
	    if (list->pats[i].type == ADDRLIST_T_NAME
		|| list->pats[i].type == ADDRLIST_T_DOMAIN)
		free(list->pats[i].u.name);
	    else if (list->pats[i].type == ADDRLIST_T_TABLE)
		dict_close(list->pats[i].u.dict);
	free(list->pats);
	free(list);
    }
    return (0);
}
