/* tls_policy - TLS security levels, policy table values, protocol lists, cipher grades */
#ifndef TLS_POLICY_H
#define TLS_POLICY_H
#include "argv.h"
#include "dstr.h"

 /*
  * Security levels in increasing order (Postfix's names). Encryption is
  * mandatory from TLS_LEV_ENCRYPT on; the server certificate must match an
  * expected name from TLS_LEV_VERIFY on.
  */
#define TLS_LEV_INVALID	(-1)
#define TLS_LEV_NONE	0
#define TLS_LEV_MAY	1
#define TLS_LEV_ENCRYPT	2
#define TLS_LEV_VERIFY	3
#define TLS_LEV_SECURE	4

#define TLS_MUST_ENCRYPT(lev)	((lev) >= TLS_LEV_ENCRYPT)
#define TLS_MUST_MATCH(lev)	((lev) >= TLS_LEV_VERIFY)

 /*
  * Limits on what a policy value may hold: the tables are the
  * administrator's, but a value is still parsed as untrusted text.
  */
#define TLS_POLICY_MAX_LEN	4096	/* bytes of one value */
#define TLS_POLICY_MAX_ATTRS	32	/* name=value attributes of one value */
#define TLS_MATCH_MAX		32	/* items of one match list */
#define TLS_NAME_MAX		253	/* a DNS name */

/* One policy: a level and the attributes that override main.cf (NULL: not given). */
typedef struct TLS_POLICY {
    int     level;
    char   *protocols;			/* colon-separated protocol list */
    char   *ciphers;			/* cipher grade */
    char   *exclude;			/* colon-separated cipher exclusions */
    char   *match;			/* colon-separated match list */
    char   *servername;		/* SNI: "hostname", "nexthop" or a name */
} TLS_POLICY;

#define TLS_POLICY_OK		0
#define TLS_POLICY_WARN		1	/* usable; err says what was ignored */
#define TLS_POLICY_ERR		(-1)	/* unusable; err says why */

/* Level by name (case-insensitive); TLS_LEV_INVALID when unknown or unsupported. */
extern int tls_level_lookup(const char *name);
/* "none" ... "secure"; "invalid" for anything else. */
extern const char *tls_level_name(int level);

/*
 * Parse a policy table value, "level [name=value ...]" with white space or
 * commas between the words: a TLS_POLICY_* result. "dane" is taken as
 * "may" with a warning (no DNSSEC here), as Postfix does without a
 * DNSSEC-validating resolver; dane-only and fingerprint are errors.
 * Release with tls_policy_free() whatever the result.
 */
extern int tls_policy_parse(const char *value, TLS_POLICY *policy, DSTR *err);
extern void tls_policy_free(TLS_POLICY *policy);

/*
 * Protocol versions as TLS puts them on the wire (and OpenSSL numbers
 * them): SSLv3 0x0300, TLSv1 0x0301 ... TLSv1.3 0x0304.
 */
#define TLS_PROTO_SSLv2		0x0002
#define TLS_PROTO_SSLv3		0x0300
#define TLS_PROTO_TLSv1		0x0301
#define TLS_PROTO_TLSv1_1	0x0302
#define TLS_PROTO_TLSv1_2	0x0303
#define TLS_PROTO_TLSv1_3	0x0304

/*
 * A protocol list ("<=TLSv1.3, >=TLSv1.2", "!SSLv2, !SSLv3", "TLSv1.2
 * TLSv1.3", hexadecimal bounds such as ">=0x0303"), words separated by
 * white space, commas or colons, turned into the range OpenSSL enforces:
 * *min and *max are versions, 0 meaning no bound. Disabling a version
 * inside the enabled range also disables every version above it, as with
 * OpenSSL's SSL_OP_NO_* options. 0, or -1 and err when the list is
 * invalid or leaves nothing enabled.
 */
extern int tls_protocols_parse(const char *spec, int *min, int *max, DSTR *err);
/* "TLSv1.2" for 0x0303; NULL when unknown. */
extern const char *tls_protocol_name(int version);

/*
 * Cipher grades (export, low, medium, high, null) and the OpenSSL cipher
 * list each stands for (Postfix's tls_*_cipherlist defaults); NULL when the
 * grade is unknown.
 */
extern const char *tls_cipher_grade_list(const char *grade);
/* Exclusions ("aNULL:RC4" or "aNULL, RC4"): 0, or -1 and err for a bad name. */
extern int tls_cipher_exclude_check(const char *spec, DSTR *err);
/* The OpenSSL cipher string: grade list, then ":!x" per exclusion, ":!aNULL" when asked. */
extern void tls_cipher_string(DSTR *out, const char *grade_list, const char *exclude,
			              const char *exclude2, int no_anon);

/*
 * A match list (smtp_tls_verify_cert_match, the policy's match=): words
 * separated by any byte of seps, each "hostname", "nexthop", "dot-nexthop",
 * a domain or a .domain. The words (lower case), or NULL and err.
 */
extern ARGV *tls_match_list_parse(const char *spec, const char *seps, DSTR *err);
#define TLS_MAIN_LIST_SEPS	" \t\r\n,:"	/* seps of match lists in main.cf */
/* A plausible DNS host name (letters, digits, '-', '_', dots; labels of 1..63)? */
extern int tls_valid_hostname(const char *name);

#endif
