/* smtp_sasl - SMTP AUTH (RFC 4954) in the SMTP client, with Cyrus SASL */
#ifndef SMTP_SASL_H
#define SMTP_SASL_H
#include "smtp.h"
#include "argv.h"
#include "dict.h"
#include "sasl_secopts.h"

 /*
  * What SASL knows of the connection's security, in SMTP_SESSION.sasl_tls.
  * Plain TCP uses smtp_sasl_security_options; STARTTLS sets TLS (then
  * smtp_sasl_tls_security_options apply) or TLS_VERIFIED when the server
  * certificate matched (smtp_sasl_tls_verified_security_options).
  */
#define SMTP_SASL_TLS_NONE	0
#define SMTP_SASL_TLS		1
#define SMTP_SASL_TLS_VERIFIED	2

 /*
  * Limits on what a server's EHLO reply may make us keep: RFC 4422 names
  * are 1-20 characters of [A-Z0-9-_]; longer or other words are ignored.
  */
#define SMTP_SASL_MECH_LEN_MAX	20
#define SMTP_SASL_MECHS_MAX	64	/* distinct mechanisms kept */
#define SMTP_SASL_CHALLENGE_MAX	4096	/* decoded bytes of one server challenge */
#define SMTP_SASL_STEPS_MAX	100	/* challenges in one exchange */

/* smtp_sasl_proto.c: pure logic, no SASL library. */

/*
 * The mechanisms an EHLO reply offers, from "AUTH mech ..." and the old
 * "AUTH=mech ..." lines, upper-cased, each once, appended to mechs.
 * Returns 1 when the reply has an AUTH keyword at all (even an empty
 * list), else 0.
 */
extern int smtp_sasl_ehlo_mechs(const SMTP_REPLY *reply, ARGV *mechs);

/*
 * smtp_sasl_mechanism_filter: mechanism names, "type:table" lookup tables
 * (a found key matches) and either with "!" to exclude; the first pattern
 * that matches decides, and a name no pattern matches is dropped.
 */
typedef struct SMTP_SASL_FILTER SMTP_SASL_FILTER;

/* NULL for an empty filter (everything passes) or, with err set, a bad one. */
extern SMTP_SASL_FILTER *smtp_sasl_filter_new(const char *spec, DSTR *err);
extern void smtp_sasl_filter_free(SMTP_SASL_FILTER *filter);
/* Does the filter (NULL: none) let mech through. */
extern int smtp_sasl_filter_match(const SMTP_SASL_FILTER *filter, const char *mech);

/*
 * smtp_sasl_password_maps lookup, in Postfix's order: the remote host
 * name, then the next hop as written in the request ("[relay.example]:587").
 * The value is "username:password" (split at the first ':'). 1 and the
 * two parts, or 0 when neither key is found.
 */
extern int smtp_sasl_passwd_find(DICT_LIST *maps, const char *host, const char *nexthop,
				         DSTR *user, DSTR *pass);

/* A username as one printable word for the connection cache ("-" for none), and
 * back: 1 and the name, 0 for none, -1 when the word is malformed. */
extern void smtp_sasl_user_encode(DSTR *out, const char *user);
extern int smtp_sasl_user_decode(DSTR *out, const char *word);

/* smtp_sasl_glue.c: the Cyrus SASL client. */

/* Before chroot: open the password tables, check the options, load the SASL plugins. */
extern void smtp_sasl_init(void);

/*
 * After EHLO (and after the EHLO that follows STARTTLS): authenticate when
 * SASL is enabled, the server offers AUTH and a password table has an
 * entry for it. 0 when the session may go on (authenticated or no AUTH
 * needed); -1 when it failed, with the site failure recorded in st.
 */
extern int smtp_sasl_helo_login(SMTP_STATE *st, SMTP_SESSION *session, const SMTP_REPLY *ehlo);

/* Does SMTP AUTH have a password for this server (host name or next hop)? */
extern int smtp_sasl_have_credentials(const char *host, const char *nexthop);

/* May a cached session (set up under session->sasl_user) serve this next hop now? */
extern int smtp_sasl_reuse_ok(const SMTP_SESSION *session, const char *nexthop);

#endif
