/* dkim_key - DKIM private keys: load, generate, save, sign, publish */
#ifndef DKIM_KEY_H
#define DKIM_KEY_H
#include <stddef.h>
#include "dstr.h"

typedef enum DKIM_ALG {
    DKIM_ALG_RSA_SHA256,
    DKIM_ALG_ED25519_SHA256,
} DKIM_ALG;

#define DKIM_KEY_FILE_MAX	65536	/* bytes of a PEM key file we read */
#define DKIM_RSA_MIN_BITS	1024	/* weaker RSA keys are refused (RFC 8301) */
#define DKIM_RSA_GOOD_BITS	2048	/* weaker ones get a warning (RFC 8301) */
#define DKIM_RSA_MAX_BITS	8192	/* larger ones are refused: slow, no gain */
#define DKIM_ED25519_SIG_B64	88	/* base64 of a 64-byte signature */

typedef struct DKIM_KEY DKIM_KEY;



/* "rsa-sha256" or "ed25519-sha256", as in a=. */
extern const char *dkim_alg_name(DKIM_ALG alg);
/* The a= name into *alg; 0, or -1 for anything else (rsa-sha1 included). */
extern int dkim_alg_parse(const char *name, DKIM_ALG *alg);

/*
 * Load a PEM private key (PKCS#8, or traditional RSA) of at most
 * DKIM_KEY_FILE_MAX bytes. NULL with the reason in why ("open PATH: ...",
 * "PATH: not a PEM private key", "PATH: unsupported key type DSA", "PATH:
 * RSA key of 512 bits is too weak (at least 1024)"). Appends to warn, "; "
 * between them, what is usable but unwise: an RSA key under 2048 bits, a
 * file readable by group or others.
 */
extern DKIM_KEY *dkim_key_load(const char *path, DSTR *why, DSTR *warn);
extern DKIM_ALG dkim_key_alg(const DKIM_KEY *key);
/* RSA modulus size, or 256 for Ed25519. */
extern int dkim_key_bits(const DKIM_KEY *key);

/* Exact length of the base64 b= value this key's signatures have
 * (RSA: 4 * ceil(modulus bytes / 3); Ed25519: 88), for header folding. */
extern size_t dkim_key_sig_b64_len(const DKIM_KEY *key);

/*
 * Sign the SHA-256 digest of the canonical header data and append the
 * base64 signature to out: RSASSA-PKCS1-v1_5 with the SHA-256 DigestInfo
 * for rsa-sha256 (RFC 6376 3.3.1), PureEdDSA over the 32 digest bytes for
 * ed25519-sha256 (RFC 8463). 0, or -1 with why.
 */
extern int dkim_key_sign(const DKIM_KEY *key, const unsigned char digest[32],
			         DSTR *out, DSTR *why);

/* Append the p= value of the key's DNS record: base64 of the DER
 * SubjectPublicKeyInfo for RSA, of the raw 32-byte key for Ed25519. */
extern void dkim_key_public_b64(const DKIM_KEY *key, DSTR *out);

/*
 * Append the key's DNS record as one zone-file line:
 * SELECTOR._domainkey.DOMAIN. IN TXT "v=DKIM1; k=rsa; " "p=..." with
 * every quoted string at most 255 characters (k=ed25519 for Ed25519).
 */
extern void dkim_key_dns_record(const DKIM_KEY *key, const char *domain,
				        const char *selector, DSTR *out);

/* A new key: RSA of bits (DKIM_RSA_MIN_BITS..DKIM_RSA_MAX_BITS), or
 * Ed25519 (bits ignored). NULL with why on failure. */
extern DKIM_KEY *dkim_key_generate(DKIM_ALG alg, int bits, DSTR *why);

/*
 * Write the key to a new file as PEM PKCS#8, mode 0600, never over an
 * existing name or through a link, synced with its directory. 0, or -1
 * with why (no file is left behind).
 */
extern int dkim_key_save(const DKIM_KEY *key, const char *path, DSTR *why);
extern void dkim_key_free(DKIM_KEY *key);

#endif
