/* dns - MX, A, AAAA and TXT lookups with a deadline, over c-ares, as plain structs */
#ifndef DNS_H
#define DNS_H
#include <stddef.h>
#include "dstr.h"

 /*
  * Result codes. DNS_NOTFOUND is an authoritative "no such name"
  * (NXDOMAIN), DNS_NODATA "the name exists but has no record of this
  * type"; both are permanent answers. DNS_RETRY covers everything that may
  * go away by itself: SERVFAIL, REFUSED, timeouts, no reachable server.
  * DNS_FAIL is a malformed answer or a bad query name.
  */
#define DNS_OK		0
#define DNS_NOTFOUND	1
#define DNS_NODATA	2
#define DNS_RETRY	3
#define DNS_FAIL	4

#define DNS_MAX_MX	100		/* MX records kept per answer */
#define DNS_MAX_ADDR	64		/* addresses kept per answer */
#define DNS_NAME_MAX	255		/* longest name we accept or keep */
#define DNS_TXT_MAX	8192		/* bytes of one TXT record we accept */

typedef struct DNS_MX {
    char   *host;			/* "" for the null MX ("0 .") */
    int     pref;
} DNS_MX;

typedef struct DNS_MX_LIST {
    DNS_MX *mx;
    size_t  count;
    long    ttl;			/* the records' smallest TTL, -1 if unknown */
} DNS_MX_LIST;

typedef struct DNS_ADDR {
    int     family;			/* AF_INET or AF_INET6 */
    unsigned char addr[16];		/* network byte order; 4 used for IPv4 */
} DNS_ADDR;

typedef struct DNS_ADDR_LIST {
    DNS_ADDR *addr;
    size_t  count;
} DNS_ADDR_LIST;

typedef struct DNS DNS;

/*
 * A resolver that reads its servers from resolv_conf (NULL: the system
 * default). Call it before chroot: the file is read now and never again,
 * and the sockets it opens later need no file system. NULL and err on
 * failure.
 */
extern DNS *dns_open(const char *resolv_conf, DSTR *err);
extern void dns_close(DNS *dns);

/*
 * Look up the MX records of name, waiting at most timeout_ms in total.
 * On DNS_OK the list holds 1..DNS_MAX_MX records in answer order; otherwise
 * it is empty and why says what happened ("Host not found", "Host not
 * found, try again", ...), in the resolver's own words.
 */
extern int dns_lookup_mx(DNS *dns, const char *name, int timeout_ms,
			         DNS_MX_LIST *out, DSTR *why);
/* The same for A (family AF_INET) or AAAA (AF_INET6) records; appends to out. */
extern int dns_lookup_addr(DNS *dns, const char *name, int family, int timeout_ms,
			           DNS_ADDR_LIST *out, DSTR *why);

/*
 * Look up the TXT records of name and put one record's strings, joined
 * (a DKIM key is split into strings of 255 bytes), into out: the first
 * record that starts with "v=DKIM1", else the first record. A record over
 * DNS_TXT_MAX bytes is DNS_FAIL ("TXT record too long"). Result codes and
 * why as for dns_lookup_mx(); out is emptied first.
 */
extern int dns_lookup_txt(DNS *dns, const char *name, int timeout_ms, DSTR *out, DSTR *why);

/*
 * The smallest TTL of the records of the given type in a raw DNS answer
 * (alen bytes at abuf), or -1 when it has none or is malformed. Exported
 * for its fuzz target; dns_lookup_mx() uses it.
 */
extern long dns_answer_ttl(const unsigned char *abuf, int alen, int type);
extern void dns_mx_list_free(DNS_MX_LIST *list);
extern void dns_addr_list_free(DNS_ADDR_LIST *list);
/* Append one address to a list (for callers that build lists themselves). */
extern void dns_addr_list_add(DNS_ADDR_LIST *list, const DNS_ADDR *addr);
/* Numeric text form of an address ("192.0.2.1", "2001:db8::1"). */
extern void dns_addr_format(DSTR *out, const DNS_ADDR *addr);
/* Parse a numeric address; 0, or -1 when text is not one. */
extern int dns_addr_parse(const char *text, DNS_ADDR *addr);
/* Same address? */
extern int dns_addr_equal(const DNS_ADDR *a, const DNS_ADDR *b);
/* Short English for a result code. */
extern const char *dns_strerror(int status);

#endif
