/* smtp_tls - STARTTLS in the SMTP client: types shared by smtp_tls*.c and the tests */
#ifndef SMTP_TLS_H
#define SMTP_TLS_H
#include "smtp.h"
#include "argv.h"
#include "dict.h"
#include "tls_client.h"
#include "tls_match.h"
#include "tls_policy.h"

 /*
  * The TLS policy of one request's next hop, main.cf settings and the
  * smtp_tls_policy_maps entry merged (smtp_tls_policy.c).
  */
typedef struct SMTP_TLS {
    int     level;			/* TLS_LEV_* */
    int     min_proto;			/* protocol range, 0: no bound */
    int     max_proto;
    DSTR   *protocols;			/* the list the range came from */
    DSTR   *cipherlist;		/* OpenSSL cipher string */
    ARGV   *match;			/* verify and secure: names to expect */
    char   *servername;		/* SNI: "hostname", "nexthop", a name, or NULL */
    int     retry_plain;		/* an opportunistic handshake just failed */
} SMTP_TLS;

 /*
  * A session that went through STARTTLS (smtp_tls.c).
  */
typedef struct SMTP_TLS_CONN {
    TLS_SESS *sess;
    DSTR   *cache_key;			/* session cache key; empty: do not cache */
    int     save;			/* the result satisfied the level */
} SMTP_TLS_CONN;

/*
 * smtp_tls_policy.c: the policy for a next hop. Looks up the next hop as
 * written (with brackets and a port other than 25) in maps (when not
 * NULL), then, for a bare domain, its parent domains as ".parent"; falls
 * back to default_level with the main.cf settings. 0, or -1 and err for
 * a bad table entry. A warning (an ignored attribute) goes to warn.
 */
extern int smtp_tls_policy_resolve(const SMTP_NEXTHOP *hop, DICT_LIST *maps,
				           int default_level, SMTP_TLS *tls, DSTR *err,
				           DSTR *warn);
/* The lookup key of a next hop: "[host]:port", "[host]", "domain:port" or "domain". */
extern void smtp_tls_policy_key(DSTR *key, const SMTP_NEXTHOP *hop);
extern SMTP_TLS *smtp_tls_new(void);
extern void smtp_tls_free(SMTP_TLS *tls);
/* The server name to send: NULL for none. */
extern const char *smtp_tls_sni(const SMTP_TLS *tls, const char *hostname, const char *nexthop);
/*
 * May a server whose TLS handshake failed get the mail in plaintext on a
 * new connection? Postfix's rule: only at level may, only for a message
 * that waited at least min_backoff seconds between its arrival and this
 * delivery attempt (so a first attempt defers instead), and never when a
 * SASL password is at stake.
 */
extern int smtp_tls_fallback_ok(int level, double arrival_time, double active_time,
				        int min_backoff, int have_credentials);

/*
 * smtp_tls_cache.c: TLS sessions kept by posthorn-scache(8) for every smtp
 * process. find: 0 and the DER in der, or -1 (none, or no scache).
 */
extern int smtp_tls_cache_find(const char *key, DSTR *der);
extern void smtp_tls_cache_save(const char *key, const DSTR *der, int ttl);
/* Hex for the attribute protocol, and back (-1 on a bad digit or an odd length). */
extern void smtp_tls_hex_encode(DSTR *out, const unsigned char *data, size_t len);
extern int smtp_tls_hex_decode(DSTR *out, const char *hex);

#endif
