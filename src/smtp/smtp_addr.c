/*
 * smtp_addr - from a next hop to a list of server addresses, best first
 * DESCRIPTION
 *	Parses the next hop ("domain[:port]" asks for MX records,
 *	"[host][:port]" does not), looks up MX and address records,
 *	sorts MX hosts by preference (shuffling equal ones when
 *	smtp_randomize_addresses is on, so load spreads as the domain owner
 *	intended), and applies RFC 5321 section 5 and RFC 7505: no MX means
 *	the domain is its own MX, a null MX means "no mail here", and an MX
 *	host that is one of our own addresses ends the list there (mail
 *	loop prevention). A failure is recorded as a site failure of the
 *	delivery with Postfix's texts, so the caller only sees "no servers".
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "smtp.h"
#include "inet_proto.h"
#include "argv.h"
#include "cfg_params.h"
#include "ios.h"
#include "msg.h"
#include "mymalloc.h"
#include "strutil.h"

#define SMTP_DNS_QUERY_MS	30000	/* one query */
#define SMTP_DNS_TOTAL_MS	60000	/* all queries of one request */
#define SMTP_DNS_ERROR	"Host or domain name not found. Name service error for name=%s type=%s: %s"

DNS    *smtp_dns;			/* one resolver per process */
DNS_ADDR_LIST smtp_own_addrs;		/* for mail loop detection */

/* smtp_nexthop_host_ok - characters of a host name or address literal */

static int smtp_nexthop_host_ok(const char *host, int bracketed)
{
    const unsigned char *cp;

    if (*host == 0 || strlen(host) > DNS_NAME_MAX)
	return (0);
    for (cp = (const unsigned char *) host; *cp; cp++)
	if (!(((*cp | 0x20) >= 'a' && (*cp | 0x20) <= 'z') || (*cp >= '0' && *cp <= '9')
	      || *cp == '-' || *cp == '.' || *cp == '_' || (bracketed && *cp == ':')))
	    return (0);
    return (1);
}

/* smtp_nexthop_parse - "domain", "domain:port", "[host]", "[host]:port" */

int     smtp_nexthop_parse(const char *nexthop, SMTP_NEXTHOP *hop, DSTR *err)
{
    const char *host_end;
    const char *port_text = NULL;
    DNS_ADDR addr;
    long    port = 25;
    char   *host;

    memset(hop, 0, sizeof(*hop));
    if (*nexthop == '[') {
	if ((host_end = strchr(nexthop, ']')) == NULL) {
	    dstr_sprintf(err, "bad next hop \"%s\": missing ']'", nexthop);
	    return (-1);
	}
	hop->host = host = mystrndup(nexthop + 1, (size_t) (host_end - nexthop - 1));
	if (host_end[1] == ':')
	    port_text = host_end + 2;
	else if (host_end[1] != 0)
	    goto bad;
	hop->no_mx = 1;
    } else {
	if ((host_end = strchr(nexthop, ':')) != NULL) {
	    port_text = host_end + 1;
	    hop->host = host = mystrndup(nexthop, (size_t) (host_end - nexthop));
	} else {
	    hop->host = host = mystrdup(nexthop);
	}
    }
    str_lower(host);
    if (!smtp_nexthop_host_ok(host, hop->no_mx))
	goto bad;
    if (port_text && strcmp(port_text, "smtp") != 0
	&& str_to_long(port_text, 1, 65535, &port) < 0)
	goto bad;
    hop->port = (unsigned) port;
    hop->literal = hop->no_mx && dns_addr_parse(host, &addr) == 0;
    return (0);
bad:
    dstr_sprintf(err, "bad next hop \"%s\"", nexthop);
    smtp_nexthop_free(hop);
    return (-1);
}

/* smtp_nexthop_free - release */

void    smtp_nexthop_free(SMTP_NEXTHOP *hop)
{
    hop->host = myfree(hop->host);
}

/* smtp_mx_sort - by preference, equal ones shuffled */

void    smtp_mx_sort(DNS_MX *mx, size_t count, SMTP_RAND_FN rnd)
{
    size_t  i;
    size_t  j;
    size_t  start;
    DNS_MX  tmp;

    for (i = 1; i < count; i++) {		/* insertion sort: stable, n <= 100 */
	tmp = mx[i];
	for (j = i; j > 0 && mx[j - 1].pref > tmp.pref; j--)
	    mx[j] = mx[j - 1];
	mx[j] = tmp;
    }
    if (rnd == 0)
	return;
    for (start = 0; start < count; start = i) {	/* Fisher-Yates per group */
	for (i = start + 1; i < count && mx[i].pref == mx[start].pref; i++)
	     /* void */ ;
	for (j = i - 1; j > start; j--) {
	    size_t  k = start + rnd((unsigned) (j - start + 1));

	    tmp = mx[j];
	    mx[j] = mx[k];
	    mx[k] = tmp;
	}
    }
}

/* smtp_addr_list_add - append one candidate */

void    smtp_addr_list_add(SMTP_ADDR_LIST *list, const char *host, const DNS_ADDR *addr, int pref)
{
    list->addr = myrealloc(list->addr, (list->count + 1) * sizeof(SMTP_ADDR));
    list->addr[list->count].host = mystrdup(host);
    list->addr[list->count].addr = *addr;
    list->addr[list->count].pref = pref;
    list->count++;
}

/* smtp_addr_list_free - release */

void    smtp_addr_list_free(SMTP_ADDR_LIST *list)
{
    smtp_addr_truncate(list, 0);
    free(list->addr);
    list->addr = 0;
}

/* smtp_addr_truncate - keep the first limit entries */

void    smtp_addr_truncate(SMTP_ADDR_LIST *list, size_t limit)
{
    while (list->count > limit)
	free(list->addr[--list->count].host);
}

/* smtp_addr_order - preferred family first within each preference */

void    smtp_addr_order(SMTP_ADDR_LIST *list, const char *family_pref)
{
    int     first;
    size_t  start;
    size_t  end;
    size_t  i;
    size_t  out;
    SMTP_ADDR *tmp;

    if (strcasecmp(family_pref, "ipv4") == 0)
	first = AF_INET;
    else if (strcasecmp(family_pref, "ipv6") == 0)
	first = AF_INET6;
    else
	return;
    tmp = mymalloc((list->count ? list->count : 1) * sizeof(SMTP_ADDR));
    for (start = 0; start < list->count; start = end) {
	for (end = start + 1; end < list->count && list->addr[end].pref == list->addr[start].pref; end++)
	     /* void */ ;
	out = 0;
	for (i = start; i < end; i++)
	    if (list->addr[i].addr.family == first)
		tmp[out++] = list->addr[i];
	for (i = start; i < end; i++)
	    if (list->addr[i].addr.family != first)
		tmp[out++] = list->addr[i];
	memcpy(list->addr + start, tmp, (end - start) * sizeof(SMTP_ADDR));
    }
    free(tmp);
}

/* smtp_addr_is_own - one of our own addresses? */

static int smtp_addr_is_own(const DNS_ADDR *addr, const DNS_ADDR_LIST *own)
{
    size_t  i;

    for (i = 0; i < own->count; i++)
	if (dns_addr_equal(addr, own->addr + i))
	    return (1);
    return (0);
}

/* smtp_addr_drop_self - mail loop prevention */

int     smtp_addr_drop_self(SMTP_ADDR_LIST *list, const DNS_ADDR_LIST *own)
{
    size_t  i;
    size_t  keep;

    for (i = 0; i < list->count; i++)
	if (smtp_addr_is_own(&list->addr[i].addr, own))
	    break;
    if (i == list->count)
	return (0);
    /* Everything at this preference or worse goes. */
    for (keep = 0; keep < list->count && list->addr[keep].pref < list->addr[i].pref; keep++)
	 /* void */ ;
    smtp_addr_truncate(list, keep);
    return (keep == 0);
}

/* smtp_own_add - parse a list of addresses into smtp_own_addrs */

static void smtp_own_add(const char *param, const char *value)
{
    ARGV   *words = argv_split(value, ", \t\r\n");
    DNS_ADDR addr;
    size_t  i;
    char   *w;
    size_t  len;

    for (i = 0; i < words->argc; i++) {
	w = words->argv[i];
	if (*w == '[' && (len = strlen(w)) > 2 && w[len - 1] == ']') {
	    w[len - 1] = 0;
	    w++;
	}
	if (dns_addr_parse(w, &addr) == 0)
	    dns_addr_list_add(&smtp_own_addrs, &addr);
	else if (strcasecmp(w, "all") != 0 && strcasecmp(w, "loopback-only") != 0)
	    msg_warn("%s: \"%s\" is not a numeric address; not used for mail loop detection",
		     param, w);
    }
    argv_free(words);
}

/* smtp_own_addrs_init - our addresses, for mail loop detection */

void    smtp_own_addrs_init(void)
{
    struct ifaddrs *ifa_list;
    struct ifaddrs *ifa;
    DNS_ADDR addr;

    dns_addr_list_free(&smtp_own_addrs);
    if (strcasecmp(var_inet_interfaces, "all") == 0) {
	if (getifaddrs(&ifa_list) < 0) {
	    msg_warn("cannot list the network interfaces: %m");
	} else {
	    for (ifa = ifa_list; ifa; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == 0)
		    continue;
		memset(&addr, 0, sizeof(addr));
		if (ifa->ifa_addr->sa_family == AF_INET) {
		    addr.family = AF_INET;
		    memcpy(addr.addr, &((struct sockaddr_in *) ifa->ifa_addr)->sin_addr, 4);
		} else if (ifa->ifa_addr->sa_family == AF_INET6) {
		    addr.family = AF_INET6;
		    memcpy(addr.addr, &((struct sockaddr_in6 *) ifa->ifa_addr)->sin6_addr, 16);
		} else {
		    continue;
		}
		dns_addr_list_add(&smtp_own_addrs, &addr);
	    }
	    freeifaddrs(ifa_list);
	}
    } else if (strcasecmp(var_inet_interfaces, "loopback-only") == 0) {
	smtp_own_add("inet_interfaces", "127.0.0.1 ::1");
    } else {
	smtp_own_add("inet_interfaces", var_inet_interfaces);
    }
    smtp_own_add("proxy_interfaces", var_proxy_interfaces);
}

/* smtp_rand - uniform enough for spreading load */

static unsigned smtp_rand(unsigned limit)
{
    return (limit ? (unsigned) random() % limit : 0);
}

/* smtp_dns_left - what remains of the request's DNS budget */

static int smtp_dns_left(long long deadline)
{
    long long left = deadline - ios_now_ms();

    if (left > SMTP_DNS_QUERY_MS)
	left = SMTP_DNS_QUERY_MS;
    return (left > 0 ? (int) left : 1);
}

/* smtp_host_addrs - A and/or AAAA records of one host, per inet_protocols */

static int smtp_host_addrs(const char *host, int pref, long long deadline,
			           SMTP_ADDR_LIST *list, DSTR *why, const char **type)
{
    DNS_ADDR_LIST found = {0, 0};
    int     bits = inet_proto_parse(var_inet_protocols, NULL);
    int     v4 = bits < 0 || (bits & INET_PROTO_V4);
    int     v6 = bits < 0 || (bits & INET_PROTO_V6);
    int     st4 = DNS_NODATA;
    int     st6 = DNS_NODATA;
    DSTR   *why6 = dstr_new(64);
    size_t  i;
    int     status;

    if (v4)
	st4 = dns_lookup_addr(smtp_dns, host, AF_INET, smtp_dns_left(deadline), &found, why);
    /* NXDOMAIN holds for every type: no AAAA query after it. */
    if (v6 && !(v4 && st4 == DNS_NOTFOUND))
	st6 = dns_lookup_addr(smtp_dns, host, AF_INET6, smtp_dns_left(deadline), &found, why6);
    if (var_smtp_rand_addr) {			/* spread load over a host's addresses */
	for (i = found.count; i > 1; i--) {
	    DNS_ADDR tmp = found.addr[i - 1];
	    size_t  k = smtp_rand((unsigned) i);

	    found.addr[i - 1] = found.addr[k];
	    found.addr[k] = tmp;
	}
    }
    for (i = 0; i < found.count; i++)
	smtp_addr_list_add(list, host, found.addr + i, pref);
    if (found.count > 0)
	status = DNS_OK;
    else if (st4 == DNS_RETRY || st6 == DNS_RETRY)
	status = DNS_RETRY;
    else
	status = v4 ? st4 : st6;
    /* Explain with the query that gave the verdict, A when both did. */
    *type = "A";
    if (status != DNS_OK && (!v4 || (st4 != status && st6 == status))) {
	dstr_strcpy(why, dstr_str(why6));
	*type = "AAAA";
    }
    dns_addr_list_free(&found);
    dstr_free(why6);
    return (status);
}

/* smtp_dns_fail - record a lookup failure in Postfix's words */

static void smtp_dns_fail(SMTP_STATE *st, int status, const char *name, const char *type,
			          const char *why)
{
    DSTR   *reason = dstr_new(128);

    dstr_sprintf(reason, SMTP_DNS_ERROR, name, type, why);
    if (status == DNS_RETRY)
	smtp_site_fail(st, SMTP_DEFER, 1, "4.4.3", "none", "", "", dstr_str(reason));
    else
	smtp_site_fail(st, SMTP_BOUNCE, 0, "5.4.4", "none", "", "", dstr_str(reason));
    dstr_free(reason);
}

/* smtp_resolve_mx - MX hosts and their addresses */

static int smtp_resolve_mx(SMTP_STATE *st, const DNS_MX_LIST *mxl, long long deadline,
			           SMTP_ADDR_LIST *list)
{
    DSTR   *why = dstr_new(64);
    DSTR   *last_why = dstr_new(64);
    DSTR   *reason = dstr_new(128);
    const char *type = "A";
    const char *last_type = "A";
    const char *bad_host = "";
    int     last = DNS_NOTFOUND;
    int     retry = 0;
    size_t  i;
    int     status;

    for (i = 0; i < mxl->count; i++) {
	if (mxl->mx[i].host[0] == 0)
	    continue;				/* a null MX among others: ignore it */
	status = smtp_host_addrs(mxl->mx[i].host, mxl->mx[i].pref, deadline, list, why, &type);
	if (status != DNS_OK) {
	    retry |= status == DNS_RETRY;
	    last = status;
	    bad_host = mxl->mx[i].host;
	    last_type = type;
	    dstr_strcpy(last_why, dstr_str(why));
	}
    }
    if (list->count == 0) {
	dstr_sprintf(reason, SMTP_DNS_ERROR, bad_host, last_type,
		     dstr_len(last_why) ? dstr_str(last_why) : dns_strerror(last));
	if (retry || var_smtp_defer_mxaddr)
	    smtp_site_fail(st, SMTP_DEFER, 1, retry ? "4.4.3" : "4.4.4", "none", "", "",
			   dstr_str(reason));
	else
	    smtp_site_fail(st, SMTP_BOUNCE, 0, "5.4.4", "none", "", "", dstr_str(reason));
    }
    dstr_free(why);
    dstr_free(reason);
    return (list->count > 0 ? 0 : -1);
}

/* smtp_resolve - candidate servers for the request's next hop */

int     smtp_resolve(SMTP_STATE *st, SMTP_ADDR_LIST *list)
{
    const SMTP_NEXTHOP *hop = &st->hop;
    long long deadline = ios_now_ms() + SMTP_DNS_TOTAL_MS;
    DNS_MX_LIST mxl = {0, 0, -1};
    DSTR   *why = dstr_new(64);
    DSTR   *reason = dstr_new(128);
    const char *type = "A";
    DNS_ADDR addr;
    int     status;
    int     ret = -1;

    if (hop->literal) {
	(void) dns_addr_parse(hop->host, &addr);
	smtp_addr_list_add(list, hop->host, &addr, 0);
	smtp_group_set(st, hop->host, -1);
	ret = 0;
	goto out;
    }
    if (smtp_dns == 0) {
	smtp_site_fail(st, SMTP_DEFER, 1, "4.3.0", "none", "", "",
		       "mail system configuration error: no resolver");
	goto out;
    }
    if (hop->no_mx || var_disable_dns) {
	if ((status = smtp_host_addrs(hop->host, 0, deadline, list, why, &type)) != DNS_OK) {
	    smtp_dns_fail(st, status, hop->host, type, dstr_str(why));
	    goto out;
	}
	smtp_group_set(st, hop->host, -1);
    } else {
	status = dns_lookup_mx(smtp_dns, hop->host, smtp_dns_left(deadline), &mxl, why);
	if (status == DNS_OK && mxl.count == 1 && mxl.mx[0].host[0] == 0) {
	    dstr_sprintf(reason, "Domain %s does not accept mail (nullMX)", hop->host);
	    smtp_site_fail(st, SMTP_BOUNCE, 0, "5.1.0", "none", "", "", dstr_str(reason));
	    goto out;
	}
	if (status == DNS_OK) {
	    smtp_group_from_mx(st, &mxl);
	    smtp_mx_sort(mxl.mx, mxl.count, var_smtp_rand_addr ? smtp_rand : 0);
	    if (smtp_resolve_mx(st, &mxl, deadline, list) < 0)
		goto out;
	} else if (status == DNS_NODATA) {	/* the domain is its own MX */
	    if ((status = smtp_host_addrs(hop->host, 0, deadline, list, why, &type)) != DNS_OK) {
		smtp_dns_fail(st, status, hop->host, type, dstr_str(why));
		goto out;
	    }
	    smtp_group_set(st, hop->host, -1);
	} else {
	    smtp_dns_fail(st, status, hop->host, "MX", dstr_str(why));
	    goto out;
	}
    }
    if (!hop->no_mx && smtp_addr_drop_self(list, &smtp_own_addrs)) {
	dstr_sprintf(reason, "mail for %s loops back to myself", hop->host);
	smtp_site_fail(st, SMTP_BOUNCE, 0, "5.4.6", "none", "", "", dstr_str(reason));
	goto out;
    }
    smtp_addr_order(list, var_smtp_addr_pref);
    if (var_smtp_mxaddr_limit > 0)
	smtp_addr_truncate(list, (size_t) var_smtp_mxaddr_limit);
    ret = 0;
out:
    dns_mx_list_free(&mxl);
    dstr_free(why);
    dstr_free(reason);
    return (ret);
}
