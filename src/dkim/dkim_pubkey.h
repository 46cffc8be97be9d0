/* dkim_pubkey - DKIM key records (RFC 6376 3.6.1, RFC 8463) and signature checks */
#ifndef DKIM_PUBKEY_H
#define DKIM_PUBKEY_H
#include <stddef.h>

#include "dkim_key.h"
#include "dstr.h"

#define DKIM_PUBKEY_MAX_DER	4096	/* bytes of a decoded p= we accept */

typedef struct DKIM_PUBKEY DKIM_PUBKEY;

/*
 * Parse the text of a key record (a TXT record's strings joined): v=, if
 * present, first and "DKIM1"; k= "rsa" (the default) or "ed25519"; h=, if
 * present, naming sha256; s=, if present, naming "*" or "email"; p= the
 * base64 key, folding white space ignored (an empty p= is a revoked key:
 * "key revoked"). Unknown tags are ignored. NULL with why on refusal.
 */
extern DKIM_PUBKEY *dkim_pubkey_parse(const char *txt, size_t len, DSTR *why);
extern void dkim_pubkey_free(DKIM_PUBKEY *pk);

/* The algorithm the key verifies (rsa-sha256 or ed25519-sha256). */
extern DKIM_ALG dkim_pubkey_alg(const DKIM_PUBKEY *pk);
/* RSA modulus bits, 256 for Ed25519. */
extern int dkim_pubkey_bits(const DKIM_PUBKEY *pk);
/* Whether t= has the "s" flag: i= must then be in d= itself, not below it. */
extern int dkim_pubkey_strict(const DKIM_PUBKEY *pk);

/*
 * Check sig (decoded b=) over the SHA-256 digest of the header data, for
 * a= alg. 0 when it verifies; -1 with why for a key of the wrong type, an
 * RSA key under 1024 bits (RFC 8301), or a signature that does not verify.
 */
extern int dkim_pubkey_verify(const DKIM_PUBKEY *pk, DKIM_ALG alg,
			              const unsigned char digest[32],
			              const unsigned char *sig, size_t sig_len, DSTR *why);

/* Whether pk is the public half of key (does DNS publish our key?). */
extern int dkim_pubkey_matches(const DKIM_PUBKEY *pk, const DKIM_KEY *key);

#endif
