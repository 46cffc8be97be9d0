/*
 * posthorn_dkim_check - posthorn check and reload: the DKIM keys and tables
 * DESCRIPTION
 *	cleanup loads every key of dkim_key_table when it starts, and stops
 *	if one is missing, unreadable, of a type it cannot use or too weak;
 *	its mail would then wait. So check and reload do the same loading
 *	first (as root, like cleanup, so a 0600 key file is fine) and refuse
 *	with the parameter, table and KEYNAME. They also list the signing
 *	table: a KEYNAME there that the key table lacks is refused too.
 *	With -v, check looks up each DOMAIN/SELECTOR's TXT record through
 *	dns_resolv_conf and warns when DNS does not publish the public half
 *	of the key: receivers would fail every signature, and nothing else
 *	tells the admin before mail goes out.
 */
#include <string.h>

#include "posthorn.h"
#include "cfg_params.h"
#include "dkim_keyset.h"
#include "dkim_pubkey.h"
#include "dns.h"
#include "msg.h"

#define POSTHORN_DKIM_DNS_TIMEOUT	10000	/* ms per TXT lookup */

typedef struct POSTHORN_DKIM_DNS {
    DNS    *dns;
    int     bad;
} POSTHORN_DKIM_DNS;

/* posthorn_dkim_check_dns - does DNS publish this signer's public key? */

static void posthorn_dkim_check_dns(const DKIM_SIGNER *s, void *ctx)
{
    POSTHORN_DKIM_DNS *pd = ctx;
    DSTR   *name = dstr_new(128);
    DSTR   *txt = dstr_new(512);
    DSTR   *why = dstr_new(64);
    DKIM_PUBKEY *pk;
    int     status;

    dstr_sprintf(name, "%s._domainkey.%s", s->selector, s->domain);
    if ((status = dns_lookup_txt(pd->dns, dstr_str(name), POSTHORN_DKIM_DNS_TIMEOUT,
				 txt, why)) != DNS_OK) {
	msg_warn("dkim_key_table: key \"%s\": no DKIM key record %s in DNS: %s",
		 s->name, dstr_str(name), dstr_str(why));
	pd->bad = 1;
    } else if ((pk = dkim_pubkey_parse(dstr_str(txt), dstr_len(txt), why)) == NULL) {
	msg_warn("dkim_key_table: key \"%s\": DNS record %s is unusable: %s",
		 s->name, dstr_str(name), dstr_str(why));
	pd->bad = 1;
    } else {
	if (!dkim_pubkey_matches(pk, s->key)) {
	    msg_warn("dkim_key_table: key \"%s\": DNS record %s publishes another key than %s",
		     s->name, dstr_str(name), s->path);
	    pd->bad = 1;
	} else {
	    msg_info("dkim_key_table: key \"%s\": %s matches %s", s->name,
		     dstr_str(name), s->path);
	}
	dkim_pubkey_free(pk);
    }
    dstr_free(name);
    dstr_free(txt);
    dstr_free(why);
}

/* posthorn_dkim_check - 0, or -1 after a warning */

int     posthorn_dkim_check(int use_dns)
{
    DSTR   *err = dstr_new(128);
    POSTHORN_DKIM_DNS pd = {0, 0};
    DKIM_KEYSET *set;
    int     ret = 0;

    if ((set = dkim_keyset_open(var_dkim_key_table, var_dkim_signing_table, err)) == NULL
	|| dkim_keyset_check(set, err) < 0) {
	msg_warn("%s/main.cf: parameter %s", var_config_dir, dstr_str(err));
	ret = -1;
    } else if (use_dns && dkim_keyset_active(set)) {
	if ((pd.dns = dns_open(*var_dns_resolv_conf ? var_dns_resolv_conf : NULL, err)) == NULL) {
	    msg_warn("cannot check DKIM keys in DNS: %s", dstr_str(err));
	    ret = -1;
	} else {
	    dkim_keyset_walk(set, posthorn_dkim_check_dns, &pd);
	    dns_close(pd.dns);
	    ret = pd.bad ? -1 : 0;
	}
    }
    if (set)
	dkim_keyset_free(set);
    dstr_free(err);
    return (ret);
}
