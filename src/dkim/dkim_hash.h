/* dkim_hash - streaming SHA-256 for DKIM body and header hashes */
#ifndef DKIM_HASH_H
#define DKIM_HASH_H
#include <stddef.h>

#define DKIM_HASH_LEN	32		/* bytes of a SHA-256 digest */

typedef struct DKIM_HASH DKIM_HASH;

/* A new SHA-256 computation; never NULL (dies if OpenSSL cannot make one). */
extern DKIM_HASH *dkim_hash_new(void);
/* Hash len more bytes. */
extern void dkim_hash_update(DKIM_HASH *h, const void *buf, size_t len);
/* A DKIM_BODY_SINK (dkim_canon.h) that feeds ctx, a DKIM_HASH. */
extern void dkim_hash_sink(void *ctx, const char *buf, size_t len);
/* The digest of everything hashed; call it once, then only dkim_hash_free(). */
extern void dkim_hash_final(DKIM_HASH *h, unsigned char out[DKIM_HASH_LEN]);
extern void dkim_hash_free(DKIM_HASH *h);

#endif
