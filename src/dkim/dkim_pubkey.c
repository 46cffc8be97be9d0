/*
 * dkim_pubkey - public keys from DNS, and signature verification
 * DESCRIPTION
 *	A key record comes from a stranger's DNS zone. It is read with the
 *	strict tag parser (dkim_tags.c), then only the tags that decide
 *	whether we may use the key for email signatures with SHA-256 are
 *	looked at (RFC 6376 3.6.1); unknown tags are ignored, as the RFC
 *	asks, so records can grow. p= is the DER SubjectPublicKeyInfo for
 *	RSA (a bare PKCS#1 RSAPublicKey is accepted too: some old tools
 *	publish that) and the raw 32-byte key for Ed25519 (RFC 8463).
 *
 *	Verification takes the header digest, not the data: the caller
 *	hashes as it canonicalizes (dkim_hsel.c), and both algorithms sign
 *	the digest (rsa-sha256 inside a DigestInfo, ed25519-sha256 as the
 *	32-byte message of PureEdDSA).
 */
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "dkim_pubkey.h"
#include "dkim_int.h"
#include "dkim_tags.h"
#include "base64.h"
#include "mymalloc.h"

struct DKIM_PUBKEY {
    DKIM_ALG alg;
    int     bits;
    int     strict;			/* t=s */
    EVP_PKEY *pkey;
};

#define DKIM_PUBKEY_FWS(c)	((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n')
#define DKIM_ED25519_KEY_LEN	32
#define DKIM_ED25519_SIG_LEN	64

/* dkim_list_has - a colon-separated tag value names word (any case) */

int     dkim_list_has(const char *value, const char *word)
{
    size_t  wlen = strlen(word);
    const char *cp = value;
    const char *start;
    const char *end;

    for (;;) {
	start = cp;
	end = cp + strcspn(cp, ":");
	cp = end;
	while (start < end && DKIM_PUBKEY_FWS(*start))
	    start++;
	while (end > start && DKIM_PUBKEY_FWS(end[-1]))
	    end--;
	if ((size_t) (end - start) == wlen && strncasecmp(start, word, wlen) == 0)
	    return (1);
	if (*cp == 0)
	    return (0);
	cp++;
    }
}

/* dkim_pubkey_tags - the tags that decide whether we may use the key */

static int dkim_pubkey_tags(const ATTR_LIST *list, DKIM_ALG *alg, DSTR *why)
{
    const char *v = attr_get_str(list, "v");
    const char *k = attr_get_str(list, "k");
    const char *h = attr_get_str(list, "h");
    const char *s = attr_get_str(list, "s");

    if (v != NULL && strcmp(list->attrs[0].name, "v") != 0) {
	dstr_strcpy(why, "v= is not the first tag");
	return (-1);
    }
    if (v != NULL && strcasecmp(v, "DKIM1") != 0) {
	dstr_strcpy(why, "v= is not DKIM1");
	return (-1);
    }
    if (k == NULL || strcasecmp(k, "rsa") == 0) {
	*alg = DKIM_ALG_RSA_SHA256;
    } else if (strcasecmp(k, "ed25519") == 0) {
	*alg = DKIM_ALG_ED25519_SHA256;
    } else {
	dstr_strcpy(why, "unsupported key type in k=");
	return (-1);
    }
    if (h != NULL && !dkim_list_has(h, "sha256")) {
	dstr_strcpy(why, "h= does not allow sha256");
	return (-1);
    }
    if (s != NULL && !dkim_list_has(s, "*") && !dkim_list_has(s, "email")) {
	dstr_strcpy(why, "s= does not allow email");
	return (-1);
    }
    return (0);
}

/* dkim_b64_value - a base64 tag value, folding white space ignored */

int     dkim_b64_value(const char *value, DSTR *out, size_t max)
{
    DSTR   *text = dstr_new(256);
    int     ret;

    for (; *value; value++)
	if (!DKIM_PUBKEY_FWS(*value))
	    dstr_catc(text, *value);
    DSTR_RESET(out);
    dstr_set_limit(out, max);
    /* Refuse before decoding what cannot fit. */
    ret = (dstr_len(text) > (max / 3 + 1) * 4
	   || base64_decode(out, dstr_str(text), dstr_len(text)) < 0) ? -1 : 0;
    dstr_free(text);
    return (ret);
}

/* dkim_pubkey_p - the p= bytes; -1 with why */

static int dkim_pubkey_p(const char *p, DSTR *der, DSTR *why)
{
    if (dkim_b64_value(p, der, DKIM_PUBKEY_MAX_DER) < 0) {
	dstr_sprintf(why, "p= is not valid base64 of at most %d bytes", DKIM_PUBKEY_MAX_DER);
	return (-1);
    }
    if (dstr_len(der) == 0) {
	dstr_strcpy(why, "key revoked");
	return (-1);
    }
    return (0);
}

/* dkim_pubkey_rsa - DER SubjectPublicKeyInfo, or PKCS#1 RSAPublicKey */

static EVP_PKEY *dkim_pubkey_rsa(const DSTR *der, DSTR *why)
{
    const unsigned char *end = (const unsigned char *) dstr_str(der) + dstr_len(der);
    const unsigned char *cp = (const unsigned char *) dstr_str(der);
    EVP_PKEY *pkey;

    if ((pkey = d2i_PUBKEY(NULL, &cp, (long) dstr_len(der))) == NULL || cp != end
	|| EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
	EVP_PKEY_free(pkey);
	cp = (const unsigned char *) dstr_str(der);
	if ((pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &cp, (long) dstr_len(der))) == NULL
	    || cp != end) {
	    EVP_PKEY_free(pkey);
	    pkey = NULL;
	    dstr_strcpy(why, "p= is not an RSA public key");
	}
    }
    ERR_clear_error();
    return (pkey);
}

/* dkim_pubkey_ed25519 - a raw 32-byte key */

static EVP_PKEY *dkim_pubkey_ed25519(const DSTR *der, DSTR *why)
{
    EVP_PKEY *pkey = NULL;

    if (dstr_len(der) != DKIM_ED25519_KEY_LEN
	|| (pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
					       (const unsigned char *) dstr_str(der),
					       DKIM_ED25519_KEY_LEN)) == NULL)
	dstr_strcpy(why, "p= is not a 32-byte Ed25519 key");
    ERR_clear_error();
    return (pkey);
}

/* dkim_pubkey_parse - key record text to a key */

DKIM_PUBKEY *dkim_pubkey_parse(const char *txt, size_t len, DSTR *why)
{
    ATTR_LIST *list = attr_list_new();
    DSTR   *der = dstr_new(512);
    DKIM_PUBKEY *pk = NULL;
    EVP_PKEY *pkey = NULL;
    const char *p;
    const char *t;
    DKIM_ALG alg;

    if (dkim_tags_parse(txt, len, list, why) < 0 || dkim_pubkey_tags(list, &alg, why) < 0)
	goto out;
    if ((p = attr_get_str(list, "p")) == NULL) {
	dstr_strcpy(why, "no p= tag");
	goto out;
    }
    if (dkim_pubkey_p(p, der, why) < 0)
	goto out;
    if (alg == DKIM_ALG_RSA_SHA256)
	pkey = dkim_pubkey_rsa(der, why);
    else
	pkey = dkim_pubkey_ed25519(der, why);
    if (pkey == NULL)
	goto out;
    if (alg == DKIM_ALG_RSA_SHA256 && EVP_PKEY_get_bits(pkey) > DKIM_RSA_MAX_BITS) {
	dstr_sprintf(why, "RSA key of %d bits is too large (at most %d)",
		     EVP_PKEY_get_bits(pkey), DKIM_RSA_MAX_BITS);
	EVP_PKEY_free(pkey);
	goto out;
    }
    pk = mycalloc(1, sizeof(*pk));
    pk->alg = alg;
    pk->pkey = pkey;
    pk->bits = alg == DKIM_ALG_RSA_SHA256 ? EVP_PKEY_get_bits(pkey) : 256;
    pk->strict = (t = attr_get_str(list, "t")) != NULL && dkim_list_has(t, "s");
out:
    attr_list_free(list);
    dstr_free(der);
    return (pk);
}

/* dkim_pubkey_free - release */

void    dkim_pubkey_free(DKIM_PUBKEY *pk)
{
    if (pk) {
	EVP_PKEY_free(pk->pkey);
	myfree(pk);
    }
}

/* dkim_pubkey_alg - what it verifies */

DKIM_ALG dkim_pubkey_alg(const DKIM_PUBKEY *pk)
{
    return (pk->alg);
}

/* dkim_pubkey_bits - size */

int     dkim_pubkey_bits(const DKIM_PUBKEY *pk)
{
    return (pk->bits);
}

/* dkim_pubkey_strict - t=s */

int     dkim_pubkey_strict(const DKIM_PUBKEY *pk)
{
    return (pk->strict);
}

/* dkim_pubkey_verify_rsa - RSASSA-PKCS1-v1_5 with SHA-256; 1 when good */

static int dkim_pubkey_verify_rsa(EVP_PKEY *pkey, const unsigned char *digest,
				          const unsigned char *sig, size_t sig_len)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
    int     ok;

    ok = (ctx != NULL
	  && EVP_PKEY_verify_init(ctx) > 0
	  && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0
	  && EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0
	  && EVP_PKEY_verify(ctx, sig, sig_len, digest, 32) == 1);
    EVP_PKEY_CTX_free(ctx);
    return (ok);
}

/* dkim_pubkey_verify_ed25519 - PureEdDSA over the digest; 1 when good */

static int dkim_pubkey_verify_ed25519(EVP_PKEY *pkey, const unsigned char *digest,
				              const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *md;
    int     ok;

    if (sig_len != DKIM_ED25519_SIG_LEN)
	return (0);
    md = EVP_MD_CTX_new();
    ok = (md != NULL
	  && EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey) > 0
	  && EVP_DigestVerify(md, sig, sig_len, digest, 32) == 1);
    EVP_MD_CTX_free(md);
    return (ok);
}

/* dkim_pubkey_verify - check one signature */

int     dkim_pubkey_verify(const DKIM_PUBKEY *pk, DKIM_ALG alg,
			           const unsigned char digest[32],
			           const unsigned char *sig, size_t sig_len, DSTR *why)
{
    int     ok;

    if (alg != pk->alg) {
	dstr_sprintf(why, "key type %s does not match a=%s",
		     pk->alg == DKIM_ALG_RSA_SHA256 ? "rsa" : "ed25519", dkim_alg_name(alg));
	return (-1);
    }
    if (alg == DKIM_ALG_RSA_SHA256 && pk->bits < DKIM_RSA_MIN_BITS) {
	dstr_sprintf(why, "RSA key of %d bits is too weak (at least %d)",
		     pk->bits, DKIM_RSA_MIN_BITS);
	return (-1);
    }
    if (alg == DKIM_ALG_RSA_SHA256)
	ok = dkim_pubkey_verify_rsa(pk->pkey, digest, sig, sig_len);
    else
	ok = dkim_pubkey_verify_ed25519(pk->pkey, digest, sig, sig_len);
    ERR_clear_error();
    if (!ok) {
	dstr_strcpy(why, "signature did not verify");
	return (-1);
    }
    return (0);
}

/* dkim_pubkey_matches - same public key */

int     dkim_pubkey_matches(const DKIM_PUBKEY *pk, const DKIM_KEY *key)
{
    int     eq = EVP_PKEY_eq(pk->pkey, dkim_key_evp(key)) == 1;

    ERR_clear_error();
    return (eq);
}
