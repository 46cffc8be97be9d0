/*
 * smtp_tls_policy - the TLS policy for one next hop
 * DESCRIPTION
 *	smtp_tls_policy_maps is searched with the next hop as it was written
 *	(Postfix's rule): "[host]" or "[host]:port" for a next hop without MX
 *	lookup, "domain" or "domain:port" otherwise, the port only when it
 *	is not 25; for a bare domain that is not found, its parent domains
 *	as ".parent", nearest first. The entry's level and attributes
 *	override the main.cf settings; without an entry the level is
 *	smtp_tls_security_level. From the level follow the protocols
 *	(smtp_tls_protocols, or smtp_tls_mandatory_protocols from encrypt
 *	on), the cipher grade and exclusions (likewise, and anonymous
 *	ciphers are excluded where the certificate is verified), and the
 *	names to expect in the certificate (smtp_tls_verify_cert_match,
 *	smtp_tls_secure_cert_match). Also here: whether a failed
 *	opportunistic handshake may be followed by plaintext.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtp_tls.h"
#include "cfg_params.h"
#include "mymalloc.h"

#define SMTP_TLS_TABLE_SEPS	":"		/* lists in a policy table value */

/* smtp_tls_new - an empty policy */

SMTP_TLS *smtp_tls_new(void)
{
    SMTP_TLS *tls = mycalloc(1, sizeof(*tls));

    tls->level = TLS_LEV_NONE;
    tls->protocols = dstr_new(32);
    tls->cipherlist = dstr_new(64);
    return (tls);
}

/* smtp_tls_free - release */

void    smtp_tls_free(SMTP_TLS *tls)
{
    dstr_free(tls->protocols);
    dstr_free(tls->cipherlist);
    if (tls->match)
	argv_free(tls->match);
    free(tls->servername);
    free(tls);
}

/* smtp_tls_policy_key - the next hop as the policy table knows it */

void    smtp_tls_policy_key(DSTR *key, const SMTP_NEXTHOP *hop)
{
    dstr_sprintf(key, hop->no_mx ? "[%s]" : "%s", hop->host);
    if (hop->port != 25)
	dstr_printf(key, ":%u", hop->port);
}

/* smtp_tls_lookup - the table entry for a next hop, or NULL */

static const char *smtp_tls_lookup(DICT_LIST *maps, const SMTP_NEXTHOP *hop)
{
    DSTR   *key = dstr_new(64);
    const char *value;
    const char *dot;

    smtp_tls_policy_key(key, hop);
    value = dict_list_get(maps, dstr_str(key));
    /* A bare domain: its parents too, ".example.com" before ".com". */
    if (value == 0 && !hop->no_mx && hop->port == 25 && !hop->literal) {
	for (dot = strchr(hop->host, '.'); value == 0 && dot != 0; dot = strchr(dot + 1, '.'))
	    if (dot[1] != 0)
		value = dict_list_get(maps, dot);
    }
    dstr_free(key);
    return (value);
}

/* smtp_tls_settle - protocols, ciphers and match list for the level */

static int smtp_tls_settle(SMTP_TLS *tls, const TLS_POLICY *pol, DSTR *err)
{
    int     mandatory = TLS_MUST_ENCRYPT(tls->level);
    const char *protocols = pol && pol->protocols ? pol->protocols :
	mandatory ? var_smtp_tls_mand_proto : var_smtp_tls_protocols;
    const char *grade = pol && pol->ciphers ? pol->ciphers :
	mandatory ? var_smtp_tls_mand_ciph : var_smtp_tls_ciphers;
    const char *list;
    const char *match;

    if (tls_protocols_parse(protocols, &tls->min_proto, &tls->max_proto, err) < 0)
	return (-1);
    dstr_strcpy(tls->protocols, protocols);
    if ((list = tls_cipher_grade_list(grade)) == 0) {
	dstr_sprintf(err, "invalid cipher grade \"%s\"", grade);
	return (-1);
    }
    /* Mandatory: general exclusions plus the policy's (or the mandatory ones). */
    if (mandatory)
	tls_cipher_string(tls->cipherlist, list, var_smtp_tls_excl_ciph,
			  pol && pol->exclude ? pol->exclude : var_smtp_tls_mand_excl,
			  TLS_MUST_MATCH(tls->level));
    else
	tls_cipher_string(tls->cipherlist, list,
			  pol && pol->exclude ? pol->exclude : var_smtp_tls_excl_ciph, "", 0);
    if (TLS_MUST_MATCH(tls->level)) {
	if (pol && pol->match)
	    tls->match = tls_match_list_parse(pol->match, SMTP_TLS_TABLE_SEPS, err);
	else {
	    match = tls->level == TLS_LEV_VERIFY ? var_smtp_tls_vfy_match : var_smtp_tls_sec_match;
	    tls->match = tls_match_list_parse(match, TLS_MAIN_LIST_SEPS, err);
	}
	if (tls->match == 0)
	    return (-1);
    }
    if (pol && pol->servername)
	tls->servername = mystrdup(pol->servername);
    else if (*var_smtp_tls_servername)
	tls->servername = mystrdup(var_smtp_tls_servername);
    return (0);
}

/* smtp_tls_policy_resolve - table entry or main.cf default, settled */

int     smtp_tls_policy_resolve(const SMTP_NEXTHOP *hop, DICT_LIST *maps, int default_level,
				        SMTP_TLS *tls, DSTR *err, DSTR *warn)
{
    TLS_POLICY pol;
    const char *value = maps ? smtp_tls_lookup(maps, hop) : 0;
    int     ret;

    DSTR_RESET(warn);
    if (value == 0) {
	tls->level = default_level;
	return (tls->level == TLS_LEV_NONE ? 0 : smtp_tls_settle(tls, 0, err));
    }
    switch (tls_policy_parse(value, &pol, err)) {
    case TLS_POLICY_ERR:
	tls_policy_free(&pol);
	return (-1);
    case TLS_POLICY_WARN:
	dstr_strcpy(warn, dstr_str(err));
	DSTR_RESET(err);
	break;
    }
    tls->level = pol.level;
    ret = tls->level == TLS_LEV_NONE ? 0 : smtp_tls_settle(tls, &pol, err);
    tls_policy_free(&pol);
    return (ret);
}

/* smtp_tls_sni - the name for the SNI extension, if any */

const char *smtp_tls_sni(const SMTP_TLS *tls, const char *hostname, const char *nexthop)
{
    const char *name = tls->servername;

    if (name == 0 || *name == 0)
	return (0);
    if (strcmp(name, "hostname") == 0)
	name = hostname;
    else if (strcmp(name, "nexthop") == 0)
	name = nexthop;
    /* Never an address literal, never something that is not a DNS name. */
    return (tls_valid_hostname(name) && strspn(name, "0123456789.") != strlen(name) ? name : 0);
}

/* smtp_tls_fallback_ok - plaintext after a failed handshake, as Postfix allows it */

int     smtp_tls_fallback_ok(int level, double arrival_time, double active_time,
			             int min_backoff, int have_credentials)
{
    return (level == TLS_LEV_MAY && active_time - arrival_time >= min_backoff
	    && !have_credentials);
}

