/*
 * dns - resolver queries with a deadline
 * DESCRIPTION
 *	A thin layer over c-ares: one channel per process, created before
 *	chroot from a resolv.conf the caller names (so a test can point it at
 *	its own server), queries driven by poll(2) and ares_process_fd() until
 *	they finish or the caller's deadline passes, answers copied into plain
 *	structs (a DSTR for TXT) with fixed upper bounds on their size. Knows
 *	nothing of mail: MX ordering, null MX, what a TXT record means and the
 *	like are the caller's business.
 *
 *	src/dns (libdns.a) is the only place that includes c-ares; a
 *	program links it, and c-ares, when its <prog>_LIBS Makefile line
 *	names dns (scripts/layering.sh holds everyone to that).
 */
#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "ios.h"
#include "msg.h"
#include "mymalloc.h"

struct DNS {
    ares_channel channel;
};

typedef struct DNS_QUERY {
    int     done;
    int     status;			/* ARES_* */
    unsigned char *abuf;		/* copy of the answer */
    int     alen;
} DNS_QUERY;

/* dns_open - channel from a resolv.conf file */

DNS    *dns_open(const char *resolv_conf, DSTR *err)
{
    static int lib_ready;
    struct ares_options opts;
    int     optmask = 0;
    int     rc;
    DNS    *dns;

    if (!lib_ready) {
	if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
	    dstr_sprintf(err, "c-ares initialization: %s", ares_strerror(rc));
	    return (NULL);
	}
	lib_ready = 1;
    }
    memset(&opts, 0, sizeof(opts));
    /* c-ares quietly falls back to a local server when the file is missing. */
    if (resolv_conf && *resolv_conf && access(resolv_conf, R_OK) < 0) {
	dstr_sprintf(err, "cannot read %s: %m", resolv_conf);
	return (NULL);
    }
    if (resolv_conf && *resolv_conf) {
	opts.resolvconf_path = (char *) resolv_conf;
	optmask |= ARES_OPT_RESOLVCONF;
    }
    /* Per-try timeout and tries; our own deadline bounds the total. */
    opts.timeout = 2000;
    opts.tries = 3;
    optmask |= ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
    dns = mycalloc(1, sizeof(*dns));
    if ((rc = ares_init_options(&dns->channel, &opts, optmask)) != ARES_SUCCESS) {
	dstr_sprintf(err, "resolver set-up from %s: %s",
		     resolv_conf ? resolv_conf : "the system default", ares_strerror(rc));
	free(dns);
	return (NULL);
    }
    return (dns);
}

/* dns_close - release the channel */

void    dns_close(DNS *dns)
{
    if (dns) {
	ares_destroy(dns->channel);
	free(dns);
    }
}

/* dns_callback - one query finished (or was cancelled) */

static void dns_callback(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    DNS_QUERY *q = arg;

    (void) timeouts;
    q->done = 1;
    q->status = status;
    if (status == ARES_SUCCESS && abuf != NULL && alen > 0) {
	q->abuf = mymalloc((size_t) alen);
	memcpy(q->abuf, abuf, (size_t) alen);
	q->alen = alen;
    }
}

/* dns_wait - drive the channel until the query is done or the deadline passes */

static void dns_wait(DNS *dns, DNS_QUERY *q, long long deadline)
{
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    struct pollfd pfd[ARES_GETSOCK_MAXNUM];
    struct timeval maxtv;
    struct timeval tv;
    struct timeval *tvp;
    long long left;
    unsigned bits;
    unsigned rd;
    unsigned wr;
    int     n;
    int     i;
    int     rc;
    int     wait_ms;

    while (!q->done) {
	if ((left = deadline - ios_now_ms()) <= 0) {
	    ares_cancel(dns->channel);		/* runs the callback: ECANCELLED */
	    break;
	}
	/* Not ARES_GETSOCK_WRITABLE(): it shifts a signed 1 into the sign bit. */
	bits = (unsigned) ares_getsock(dns->channel, socks, ARES_GETSOCK_MAXNUM);
	for (n = i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
	    rd = (bits >> i) & 1u;
	    wr = (bits >> (i + ARES_GETSOCK_MAXNUM)) & 1u;
	    if (!rd && !wr)
		continue;
	    pfd[n].fd = socks[i];
	    pfd[n].events = (short) ((rd ? POLLIN : 0) | (wr ? POLLOUT : 0));
	    pfd[n].revents = 0;
	    n++;
	}
	maxtv.tv_sec = (time_t) (left / 1000);
	maxtv.tv_usec = (suseconds_t) ((left % 1000) * 1000);
	tvp = ares_timeout(dns->channel, &maxtv, &tv);
	wait_ms = (int) (tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000);
	rc = poll(pfd, (nfds_t) n, wait_ms);
	if (rc < 0) {
	    if (errno == EINTR)
		continue;
	    msg_warn("dns: poll: %m");
	    ares_cancel(dns->channel);
	    break;
	}
	if (rc == 0) {
	    ares_process_fd(dns->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	    continue;
	}
	for (i = 0; i < n; i++) {
	    if (pfd[i].revents == 0)
		continue;
	    ares_process_fd(dns->channel,
			    (pfd[i].revents & (POLLIN | POLLERR | POLLHUP)) ?
			    pfd[i].fd : ARES_SOCKET_BAD,
			    (pfd[i].revents & POLLOUT) ? pfd[i].fd : ARES_SOCKET_BAD);
	}
    }
}

/* dns_status - map a c-ares status to ours, with the resolver's words */

static int dns_status(int ares_status, DSTR *why)
{
    switch (ares_status) {
    case ARES_SUCCESS:
	return (DNS_OK);
    case ARES_ENODATA:
	dstr_strcpy(why, "Host found but no data record of requested type");
	return (DNS_NODATA);
    case ARES_ENOTFOUND:
	dstr_strcpy(why, "Host not found");
	return (DNS_NOTFOUND);
    case ARES_EBADNAME:
	dstr_strcpy(why, "Invalid domain name");
	return (DNS_FAIL);
    default:					/* SERVFAIL, REFUSED, timeouts ... */
	dstr_strcpy(why, "Host not found, try again");
	return (DNS_RETRY);
    }
}

/* dns_query - run one query; DNS_OK with q->abuf set, or a failure */

static int dns_query(DNS *dns, const char *name, int type, int timeout_ms,
		             DNS_QUERY *q, DSTR *why)
{
    size_t  len = strlen(name);

    memset(q, 0, sizeof(*q));
    if (len == 0 || len > DNS_NAME_MAX) {
	dstr_strcpy(why, "Invalid domain name");
	return (DNS_FAIL);
    }
    ares_query(dns->channel, name, 1 /* C_IN */ , type, dns_callback, q);
    dns_wait(dns, q, ios_now_ms() + (timeout_ms > 0 ? timeout_ms : 1));
    if (!q->done) {				/* cannot happen: cancel completes it */
	q->status = ARES_ETIMEOUT;
	q->done = 1;
    }
    return (dns_status(q->status, why));
}

/*
 * dns_answer_ttl - the smallest TTL of the answer's records of this type,
 * or -1. c-ares's MX parser drops TTLs; this walks the answer (already
 * parsed once by c-ares, still checked at every step) for them.
 */
long    dns_answer_ttl(const unsigned char *abuf, int alen, int type)
{
    const unsigned char *p = abuf + 12;
    const unsigned char *end = abuf + alen;
    char   *name;
    long    len;
    long    ttl = -1;
    long    t;
    int     qdcount;
    int     ancount;
    int     i;

    if (alen < 12)
	return (-1);
    qdcount = abuf[4] << 8 | abuf[5];
    ancount = abuf[6] << 8 | abuf[7];
    for (i = 0; i < qdcount + ancount; i++) {
	if (p >= end || ares_expand_name(p, abuf, alen, &name, &len) != ARES_SUCCESS)
	    return (-1);
	ares_free_string(name);
	p += len;
	if (i < qdcount) {			/* question: type and class */
	    p += 4;
	    continue;
	}
	if (end - p < 10)
	    return (-1);
	t = (long) (((unsigned long) (p[4] & 0x7f) << 24) | (unsigned long) p[5] << 16
		    | (unsigned long) p[6] << 8 | p[7]);
	if ((p[0] << 8 | p[1]) == type && (ttl < 0 || t < ttl))
	    ttl = t;
	p += 10 + (p[8] << 8 | p[9]);
    }
    return (ttl);
}

/* dns_lookup_mx - MX records, answer order */

int     dns_lookup_mx(DNS *dns, const char *name, int timeout_ms,
		              DNS_MX_LIST *out, DSTR *why)
{
    struct ares_mx_reply *head = 0;
    struct ares_mx_reply *mx;
    DNS_QUERY q;
    int     status;
    int     rc;

    out->mx = 0;
    out->count = 0;
    out->ttl = -1;
    if ((status = dns_query(dns, name, 15 /* T_MX */ , timeout_ms, &q, why)) != DNS_OK)
	goto out;
    if ((rc = ares_parse_mx_reply(q.abuf, q.alen, &head)) != ARES_SUCCESS) {
	/* A malformed answer is the server's trouble: try again later. */
	status = dns_status(rc == ARES_ENODATA ? rc : ARES_EBADRESP, why);
	goto out;
    }
    for (mx = head; mx != 0 && out->count < DNS_MAX_MX; mx = mx->next) {
	if (strlen(mx->host) > DNS_NAME_MAX)
	    continue;
	out->mx = myrealloc(out->mx, (out->count + 1) * sizeof(DNS_MX));
	out->mx[out->count].host = mystrdup(mx->host);
	out->mx[out->count].pref = mx->priority;
	out->count++;
    }
    ares_free_data(head);
    if (out->count == 0)
	status = dns_status(ARES_ENODATA, why);
    else
	out->ttl = dns_answer_ttl(q.abuf, q.alen, 15);
out:
    free(q.abuf);
    return (status);
}

/* dns_lookup_addr - A or AAAA records */

int     dns_lookup_addr(DNS *dns, const char *name, int family, int timeout_ms,
			        DNS_ADDR_LIST *out, DSTR *why)
{
    struct ares_addrttl a4[DNS_MAX_ADDR];
    struct ares_addr6ttl a6[DNS_MAX_ADDR];
    DNS_ADDR addr;
    DNS_QUERY q;
    int     n = DNS_MAX_ADDR;
    int     status;
    int     rc;
    int     i;
    size_t  before = out->count;

    if (family != AF_INET && family != AF_INET6)
	msg_panic("%s: bad address family %d", __func__, family);
    if ((status = dns_query(dns, name, family == AF_INET ? 1 : 28, timeout_ms, &q, why)) != DNS_OK)
	goto out;
    if (family == AF_INET)
	rc = ares_parse_a_reply(q.abuf, q.alen, NULL, a4, &n);
    else
	rc = ares_parse_aaaa_reply(q.abuf, q.alen, NULL, a6, &n);
    if (rc != ARES_SUCCESS) {
	/* A malformed answer is the server's trouble: try again later. */
	status = dns_status(rc == ARES_ENODATA ? rc : ARES_EBADRESP, why);
	goto out;
    }
    for (i = 0; i < n; i++) {
	memset(&addr, 0, sizeof(addr));
	addr.family = family;
	if (family == AF_INET)
	    memcpy(addr.addr, &a4[i].ipaddr, 4);
	else
	    memcpy(addr.addr, &a6[i].ip6addr, 16);
	dns_addr_list_add(out, &addr);
    }
    if (out->count == before)
	status = dns_status(ARES_ENODATA, why);
out:
    free(q.abuf);
    return (status);
}

/* dns_txt_pick - the record to use: the first "v=DKIM1" one, else the first */

static struct ares_txt_ext *dns_txt_pick(struct ares_txt_ext *head)
{
    struct ares_txt_ext *t;

    for (t = head; t != 0; t = t->next)
	if (t->record_start && t->length >= 7 && memcmp(t->txt, "v=DKIM1", 7) == 0)
	    return (t);
    return (head);
}

/* dns_lookup_txt - one TXT record, its strings joined */

int     dns_lookup_txt(DNS *dns, const char *name, int timeout_ms, DSTR *out, DSTR *why)
{
    struct ares_txt_ext *head = 0;
    struct ares_txt_ext *t;
    DNS_QUERY q;
    int     status;
    int     rc;

    DSTR_RESET(out);
    if ((status = dns_query(dns, name, 16 /* T_TXT */ , timeout_ms, &q, why)) != DNS_OK)
	goto out;
    if ((rc = ares_parse_txt_reply_ext(q.abuf, q.alen, &head)) != ARES_SUCCESS) {
	/* A malformed answer is the server's trouble: try again later. */
	status = dns_status(rc == ARES_ENODATA ? rc : ARES_EBADRESP, why);
	goto out;
    }
    if (head == 0) {
	status = dns_status(ARES_ENODATA, why);
	goto out;
    }
    /* A record is its first string and the ones that follow until the next start. */
    for (t = dns_txt_pick(head); t != 0; t = t->next) {
	if (dstr_len(out) + t->length > DNS_TXT_MAX) {
	    DSTR_RESET(out);
	    dstr_strcpy(why, "TXT record too long");
	    status = DNS_FAIL;
	    break;
	}
	dstr_cat(out, t->txt, t->length);
	if (t->next != 0 && t->next->record_start)
	    break;
    }
    ares_free_data(head);
out:
    free(q.abuf);
    return (status);
}

/* dns_mx_list_free - release records */

void    dns_mx_list_free(DNS_MX_LIST *list)
{
    size_t  i;

    for (i = 0; i < list->count; i++)
	free(list->mx[i].host);
    free(list->mx);
    list->mx = 0;
    list->count = 0;
}

/* dns_addr_list_free - release addresses */

void    dns_addr_list_free(DNS_ADDR_LIST *list)
{
    free(list->addr);
    list->addr = 0;
    list->count = 0;
}

/* dns_addr_list_add - append one address */

void    dns_addr_list_add(DNS_ADDR_LIST *list, const DNS_ADDR *addr)
{
    list->addr = myrealloc(list->addr, (list->count + 1) * sizeof(DNS_ADDR));
    list->addr[list->count++] = *addr;
}

/* dns_addr_format - numeric text */

void    dns_addr_format(DSTR *out, const DNS_ADDR *addr)
{
    char    buf[INET6_ADDRSTRLEN];

    if (inet_ntop(addr->family, addr->addr, buf, sizeof(buf)) == NULL)
	dstr_strcpy(out, "unknown");
    else
	dstr_strcpy(out, buf);
}

/* dns_addr_parse - numeric text to address */

int     dns_addr_parse(const char *text, DNS_ADDR *addr)
{
    memset(addr, 0, sizeof(*addr));
    if (inet_pton(AF_INET, text, addr->addr) == 1) {
	addr->family = AF_INET;
	return (0);
    }
    if (inet_pton(AF_INET6, text, addr->addr) == 1) {
	addr->family = AF_INET6;
	return (0);
    }
    return (-1);
}

/* dns_addr_equal - compare */

int     dns_addr_equal(const DNS_ADDR *a, const DNS_ADDR *b)
{
    return (a->family == b->family
	    && memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0);
}

/* dns_strerror - result code in words */

const char *dns_strerror(int status)
{
    switch (status) {
    case DNS_OK:
	return ("success");
    case DNS_NOTFOUND:
	return ("Host not found");
    case DNS_NODATA:
	return ("Host found but no data record of requested type");
    case DNS_RETRY:
	return ("Host not found, try again");
    default:
	return ("Invalid domain name");
    }
}
