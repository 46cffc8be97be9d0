/*
 * dkim_key - DKIM private keys
 * DESCRIPTION
 *	A signer's key lives in a PEM file the administrator made with
 *	"posthorn dkim keygen" or with openssl. Loading reads the file once,
 *	bounded, through one descriptor (so the mode we check is the mode of
 *	the file we read), never asks for a passphrase (a daemon has no
 *	terminal), and accepts only what DKIM can use: RSA of at least 1024
 *	bits (RFC 8301) and Ed25519 (RFC 8463). What is usable but unwise
 *	(short RSA keys, a key others may read) is returned as warnings for
 *	the caller to log, so "posthorn check" and the signer word them once.
 *
 *	The private key text is wiped from our buffers once OpenSSL parsed
 *	it, and a saved key goes through a memory BIO that wipes itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "dkim_int.h"
#include "base64.h"
#include "fsutil.h"
#include "msg.h"
#include "mymalloc.h"

struct DKIM_KEY {
    DKIM_ALG alg;
    int     bits;
    EVP_PKEY *pkey;
};

#define DKIM_ED25519_RAW	32	/* bytes of an Ed25519 public key */
#define DKIM_TXT_STRING_MAX	255	/* characters of one DNS character-string */

/* dkim_alg_name - a= name */

const char *dkim_alg_name(DKIM_ALG alg)
{
    return (alg == DKIM_ALG_ED25519_SHA256 ? "ed25519-sha256" : "rsa-sha256");
}

/* dkim_alg_parse - a= name to algorithm */

int     dkim_alg_parse(const char *name, DKIM_ALG *alg)
{
    if (strcmp(name, "rsa-sha256") == 0)
	*alg = DKIM_ALG_RSA_SHA256;
    else if (strcmp(name, "ed25519-sha256") == 0)
	*alg = DKIM_ALG_ED25519_SHA256;
    else
	return (-1);
    return (0);
}

/* dkim_ssl_error - OpenSSL's error queue, briefly, after what */

void    dkim_ssl_error(DSTR *why, const char *what)
{
    unsigned long e;
    char    buf[256];			/* OpenSSL's own message, bounded by it */
    int     n = 0;

    dstr_sprintf(why, "%s", what);
    while ((e = ERR_get_error()) != 0) {
	if (n++ >= 3)
	    continue;				/* drain the rest */
	ERR_error_string_n(e, buf, sizeof(buf));
	dstr_printf(why, "%s%s", n > 1 ? "; " : ": ", buf);
    }
    if (n == 0)
	dstr_cats(why, ": unknown error");
}

/* dkim_key_warn - one more warning, "; " after the others */

static void dkim_key_warn(DSTR *warn, const char *fmt,...) PRINTF_LIKE(2, 3);

static void dkim_key_warn(DSTR *warn, const char *fmt,...)
{
    va_list ap;

    if (dstr_len(warn) > 0)
	dstr_cats(warn, "; ");
    va_start(ap, fmt);
    dstr_vprintf(warn, fmt, ap);
    va_end(ap);
}

/* dkim_key_read - the file's bytes and status, from one descriptor */

static int dkim_key_read(const char *path, DSTR *text, struct stat *st, DSTR *why)
{
    int     fd;
    ssize_t n;
    int     ret = -1;

    /* O_NONBLOCK: a FIFO must not hang us before we see it is no file. */
    if ((fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) < 0) {
	dstr_sprintf(why, "open %s: %m", path);
	return (-1);
    }
    if (fstat(fd, st) < 0) {
	dstr_sprintf(why, "fstat %s: %m", path);
    } else if (!S_ISREG(st->st_mode)) {
	dstr_sprintf(why, "%s: not a regular file", path);
    } else {
	for (;;) {
	    n = read(fd, dstr_space(text, 4096), 4096);
	    if (n < 0 && errno == EINTR)
		continue;
	    if (n < 0) {
		dstr_sprintf(why, "read %s: %m", path);
		break;
	    }
	    if (n == 0) {
		ret = 0;
		break;
	    }
	    dstr_addlen(text, (size_t) n);
	    if (dstr_len(text) > DKIM_KEY_FILE_MAX) {
		dstr_sprintf(why, "%s: larger than %d bytes, not a key file",
			     path, DKIM_KEY_FILE_MAX);
		break;
	    }
	}
    }
    close(fd);
    return (ret);
}

/* dkim_key_nopass - passphrase callback: there is none to give */

static int dkim_key_nopass(char *buf, int size, int rwflag, void *ctx)
{
    (void) buf;
    (void) size;
    (void) rwflag;
    (void) ctx;
    return (-1);
}

/* dkim_key_parse - PEM text to a key, or NULL with why */

static EVP_PKEY *dkim_key_parse(const char *path, const DSTR *text, DSTR *why)
{
    BIO    *bio = BIO_new_mem_buf(dstr_str(text), (int) dstr_len(text));
    EVP_PKEY *pkey;

    if (bio == NULL) {
	dkim_ssl_error(why, path);
	return (NULL);
    }
    pkey = PEM_read_bio_PrivateKey(bio, NULL, dkim_key_nopass, NULL);
    BIO_free(bio);
    if (pkey == NULL) {
	ERR_clear_error();
	if (memmem(dstr_str(text), dstr_len(text), "ENCRYPTED", 9) != NULL)
	    dstr_sprintf(why, "%s: encrypted private keys are not supported", path);
	else
	    dstr_sprintf(why, "%s: not a PEM private key", path);
    }
    return (pkey);
}

/* dkim_key_type_name - OpenSSL's name for a key type we refuse */

static const char *dkim_key_type_name(EVP_PKEY *pkey)
{
    const char *name = EVP_PKEY_get0_type_name(pkey);

    if (name == NULL)
	name = OBJ_nid2sn(EVP_PKEY_get_base_id(pkey));
    return (name ? name : "unknown");
}

/* dkim_key_wrap - check what DKIM can use; the key, or NULL with why */

static DKIM_KEY *dkim_key_wrap(EVP_PKEY *pkey, const char *what, DSTR *why)
{
    DKIM_KEY *key;
    int     bits = EVP_PKEY_get_bits(pkey);

    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
	if (bits < DKIM_RSA_MIN_BITS) {
	    dstr_sprintf(why, "%s: RSA key of %d bits is too weak (at least %d)",
			 what, bits, DKIM_RSA_MIN_BITS);
	    return (NULL);
	}
	if (bits > DKIM_RSA_MAX_BITS) {
	    dstr_sprintf(why, "%s: RSA key of %d bits is too large (at most %d)",
			 what, bits, DKIM_RSA_MAX_BITS);
	    return (NULL);
	}
	key = mycalloc(1, sizeof(*key));
	key->alg = DKIM_ALG_RSA_SHA256;
	break;
    case EVP_PKEY_ED25519:
	key = mycalloc(1, sizeof(*key));
	key->alg = DKIM_ALG_ED25519_SHA256;
	bits = 256;				/* OpenSSL says 253: the curve's */
	break;
    default:
	dstr_sprintf(why, "%s: unsupported key type %s", what, dkim_key_type_name(pkey));
	return (NULL);
    }
    key->bits = bits;
    key->pkey = pkey;
    return (key);
}

/* dkim_key_load - a PEM file to a key, with warnings */

DKIM_KEY *dkim_key_load(const char *path, DSTR *why, DSTR *warn)
{
    DSTR   *text = dstr_new(4096);
    DKIM_KEY *key = NULL;
    EVP_PKEY *pkey = NULL;
    struct stat st;

    if (dkim_key_read(path, text, &st, why) == 0)
	pkey = dkim_key_parse(path, text, why);
    OPENSSL_cleanse(dstr_data(text), dstr_len(text));
    dstr_free(text);
    if (pkey == NULL)
	return (NULL);
    if ((key = dkim_key_wrap(pkey, path, why)) == NULL) {
	EVP_PKEY_free(pkey);
	return (NULL);
    }
    if (key->alg == DKIM_ALG_RSA_SHA256 && key->bits < DKIM_RSA_GOOD_BITS)
	dkim_key_warn(warn, "%s: RSA key of %d bits: RFC 8301 asks for at least %d",
		      path, key->bits, DKIM_RSA_GOOD_BITS);
    if (st.st_mode & (S_IRGRP | S_IROTH))
	dkim_key_warn(warn, "private key file %s is readable by other users", path);
    return (key);
}

/* dkim_key_alg - the algorithm the key signs with */

DKIM_ALG dkim_key_alg(const DKIM_KEY *key)
{
    return (key->alg);
}

/* dkim_key_bits - key size */

int     dkim_key_bits(const DKIM_KEY *key)
{
    return (key->bits);
}

/* dkim_key_evp - for the other files of src/dkim */

EVP_PKEY *dkim_key_evp(const DKIM_KEY *key)
{
    return (key->pkey);
}

/* dkim_key_sig_b64_len - base64 length of a signature */

size_t  dkim_key_sig_b64_len(const DKIM_KEY *key)
{
    size_t  bytes;

    if (key->alg == DKIM_ALG_ED25519_SHA256)
	return (DKIM_ED25519_SIG_B64);
    bytes = (size_t) EVP_PKEY_get_size(key->pkey);	/* the modulus */
    return (4 * ((bytes + 2) / 3));
}

/* dkim_key_sign_rsa - RSASSA-PKCS1-v1_5 over a SHA-256 digest */

static int dkim_key_sign_rsa(EVP_PKEY *pkey, const unsigned char *digest,
			             unsigned char *sig, size_t *siglen)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
    int     ok;

    /* The signature md makes OpenSSL wrap the digest in its DigestInfo. */
    ok = (ctx != NULL
	  && EVP_PKEY_sign_init(ctx) > 0
	  && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0
	  && EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) > 0
	  && EVP_PKEY_sign(ctx, sig, siglen, digest, 32) > 0);
    EVP_PKEY_CTX_free(ctx);
    return (ok ? 0 : -1);
}

/* dkim_key_sign_ed25519 - PureEdDSA over the 32 digest bytes (RFC 8463) */

static int dkim_key_sign_ed25519(EVP_PKEY *pkey, const unsigned char *digest,
				         unsigned char *sig, size_t *siglen)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int     ok;

    ok = (md != NULL
	  && EVP_DigestSignInit(md, NULL, NULL, NULL, pkey) > 0
	  && EVP_DigestSign(md, sig, siglen, digest, 32) > 0);
    EVP_MD_CTX_free(md);
    return (ok ? 0 : -1);
}

/* dkim_key_sign - sign a header digest, base64 to out */

int     dkim_key_sign(const DKIM_KEY *key, const unsigned char digest[32],
		              DSTR *out, DSTR *why)
{
    size_t  cap = (size_t) EVP_PKEY_get_size(key->pkey);
    size_t  siglen = cap;
    unsigned char *sig = mymalloc(cap);
    int     rc;

    if (key->alg == DKIM_ALG_RSA_SHA256)
	rc = dkim_key_sign_rsa(key->pkey, digest, sig, &siglen);
    else
	rc = dkim_key_sign_ed25519(key->pkey, digest, sig, &siglen);
    if (rc < 0)
	dkim_ssl_error(why, "signing");
    else if (base64_encode(out, sig, siglen) != 0) {
	dstr_strcpy(why, "signing: no room for the signature");
	rc = -1;
    }
    myfree(sig);
    return (rc);
}

/* dkim_key_public_b64 - the p= value */

void    dkim_key_public_b64(const DKIM_KEY *key, DSTR *out)
{
    unsigned char raw[DKIM_ED25519_RAW];
    unsigned char *der = NULL;
    size_t  rawlen = sizeof(raw);
    int     len;

    if (key->alg == DKIM_ALG_ED25519_SHA256) {
	if (EVP_PKEY_get_raw_public_key(key->pkey, raw, &rawlen) <= 0)
	    msg_panic("%s: no raw Ed25519 public key", __func__);
	base64_encode(out, raw, rawlen);
    } else {
	if ((len = i2d_PUBKEY(key->pkey, &der)) <= 0)
	    msg_panic("%s: cannot encode an RSA public key", __func__);
	base64_encode(out, der, (size_t) len);
	OPENSSL_free(der);
    }
}

/* dkim_key_dns_record - the zone-file line */

void    dkim_key_dns_record(const DKIM_KEY *key, const char *domain,
			            const char *selector, DSTR *out)
{
    DSTR   *p = dstr_new(1024);
    size_t  dlen = strlen(domain);
    size_t  off;
    size_t  n;

    while (dlen > 0 && domain[dlen - 1] == '.')
	dlen--;					/* we add the one dot */
    dstr_printf(out, "%s._domainkey.%.*s. IN TXT \"v=DKIM1; k=%s; \"", selector,
		(int) dlen, domain,
		key->alg == DKIM_ALG_ED25519_SHA256 ? "ed25519" : "rsa");
    dstr_cats(p, "p=");
    dkim_key_public_b64(key, p);
    /* A character-string holds at most 255 bytes; resolvers join them. */
    for (off = 0; off < dstr_len(p); off += n) {
	n = dstr_len(p) - off;
	if (n > DKIM_TXT_STRING_MAX)
	    n = DKIM_TXT_STRING_MAX;
	dstr_printf(out, " \"%.*s\"", (int) n, dstr_str(p) + off);
    }
    dstr_free(p);
}

/* dkim_key_generate - a new key */

DKIM_KEY *dkim_key_generate(DKIM_ALG alg, int bits, DSTR *why)
{
    EVP_PKEY_CTX *ctx;
    EVP_PKEY *pkey = NULL;
    DKIM_KEY *key;
    int     ok;

    if (alg == DKIM_ALG_RSA_SHA256 && (bits < DKIM_RSA_MIN_BITS || bits > DKIM_RSA_MAX_BITS)) {
	dstr_sprintf(why, "RSA key size %d is out of range (%d..%d)",
		     bits, DKIM_RSA_MIN_BITS, DKIM_RSA_MAX_BITS);
	return (NULL);
    }
    ctx = EVP_PKEY_CTX_new_id(alg == DKIM_ALG_RSA_SHA256 ? EVP_PKEY_RSA : EVP_PKEY_ED25519, NULL);
    ok = (ctx != NULL
	  && EVP_PKEY_keygen_init(ctx) > 0
	  && (alg != DKIM_ALG_RSA_SHA256 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) > 0)
	  && EVP_PKEY_keygen(ctx, &pkey) > 0);
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
	dkim_ssl_error(why, "key generation");
	EVP_PKEY_free(pkey);
	return (NULL);
    }
    if ((key = dkim_key_wrap(pkey, "key generation", why)) == NULL)
	EVP_PKEY_free(pkey);
    return (key);
}

/* dkim_key_pem - the key as PEM PKCS#8 in a self-wiping memory BIO */

static BIO *dkim_key_pem(const DKIM_KEY *key, DSTR *why)
{
    BIO    *bio = BIO_new(BIO_s_secmem());

    if (bio == NULL || PEM_write_bio_PKCS8PrivateKey(bio, key->pkey, NULL, NULL, 0,
						     NULL, NULL) <= 0) {
	dkim_ssl_error(why, "encoding the key");
	BIO_free(bio);
	return (NULL);
    }
    return (bio);
}

/* dkim_key_save - write a new key file */

int     dkim_key_save(const DKIM_KEY *key, const char *path, DSTR *why)
{
    BIO    *bio;
    char   *pem;
    long    len;
    int     fd;

    if ((bio = dkim_key_pem(key, why)) == NULL)
	return (-1);
    len = BIO_get_mem_data(bio, &pem);
    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
	if (errno == EEXIST)
	    dstr_sprintf(why, "%s exists already: not overwritten", path);
	else
	    dstr_sprintf(why, "create %s: %m", path);
	BIO_free(bio);
	return (-1);
    }
    if (fs_write_all(fd, pem, (size_t) len) < 0 || fsync(fd) < 0) {
	dstr_sprintf(why, "write %s: %m", path);
    } else if (close(fd) < 0) {
	fd = -1;
	dstr_sprintf(why, "close %s: %m", path);
    } else if (fs_sync_parent(path) < 0) {
	fd = -1;
	dstr_sprintf(why, "sync the directory of %s: %m", path);
    } else {
	BIO_free(bio);
	return (0);
    }
    if (fd >= 0)
	close(fd);
    (void) unlink(path);
    BIO_free(bio);
    return (-1);
}

/* dkim_key_free - release */

void    dkim_key_free(DKIM_KEY *key)
{
    if (key) {
	EVP_PKEY_free(key->pkey);
	myfree(key);
    }
}
