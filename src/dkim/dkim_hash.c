/*
 * dkim_hash - SHA-256 over OpenSSL's EVP interface
 * DESCRIPTION
 *	DKIM hashes two things with SHA-256 (RFC 6376 3.7): the canonical
 *	body, which arrives in chunks from dkim_canon's streaming body
 *	canonicalizer, and the canonical header data. A thin wrapper keeps
 *	OpenSSL out of the callers' headers. OpenSSL failing to hash is a
 *	broken library, not bad input: we panic.
 */
#include <openssl/evp.h>

#include "dkim_hash.h"
#include "msg.h"
#include "mymalloc.h"

struct DKIM_HASH {
    EVP_MD_CTX *md;
    int     done;				/* dkim_hash_final() was called */
};

/* dkim_hash_new - start a SHA-256 */

DKIM_HASH *dkim_hash_new(void)
{
    DKIM_HASH *h = mycalloc(1, sizeof(*h));

    if ((h->md = EVP_MD_CTX_new()) == NULL
	|| EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) <= 0)
	msg_fatal("%s: cannot initialize SHA-256", __func__);
    return (h);
}

/* dkim_hash_update - more bytes */

void    dkim_hash_update(DKIM_HASH *h, const void *buf, size_t len)
{
    if (h->done)
	msg_panic("%s: hash already finished", __func__);
    if (len > 0 && EVP_DigestUpdate(h->md, buf, len) <= 0)
	msg_panic("%s: SHA-256 update failed", __func__);
}

/* dkim_hash_sink - DKIM_BODY_SINK adapter */

void    dkim_hash_sink(void *ctx, const char *buf, size_t len)
{
    dkim_hash_update((DKIM_HASH *) ctx, buf, len);
}

/* dkim_hash_final - the digest */

void    dkim_hash_final(DKIM_HASH *h, unsigned char out[DKIM_HASH_LEN])
{
    unsigned int len = 0;

    if (h->done)
	msg_panic("%s: hash already finished", __func__);
    h->done = 1;
    if (EVP_DigestFinal_ex(h->md, out, &len) <= 0 || len != DKIM_HASH_LEN)
	msg_panic("%s: SHA-256 final failed", __func__);
}

/* dkim_hash_free - release */

void    dkim_hash_free(DKIM_HASH *h)
{
    if (h) {
	EVP_MD_CTX_free(h->md);
	myfree(h);
    }
}
