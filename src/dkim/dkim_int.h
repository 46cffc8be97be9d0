/* dkim_int - what the files of src/dkim share and nobody else sees */
#ifndef DKIM_INT_H
#define DKIM_INT_H
#include <openssl/evp.h>

#include "dkim_key.h"
#include "dstr.h"

/* The OpenSSL key inside a DKIM_KEY (still owned by it). */
extern EVP_PKEY *dkim_key_evp(const DKIM_KEY *key);

/* Append OpenSSL's error queue, or "unknown error", after what; clears the queue. */
extern void dkim_ssl_error(DSTR *why, const char *what);

/* Whether a colon-separated tag value ("sha1:sha256", "dns/txt") names
 * word, in any case, folding white space around the colons ignored. */
extern int dkim_list_has(const char *value, const char *word);

/* Decode a base64 tag value (b=, bh=, p=), folding white space ignored,
 * into out (which gets limit max). 0 (out empty for an empty value), or -1
 * for bad base64 or more than max bytes. */
extern int dkim_b64_value(const char *value, DSTR *out, size_t max);

#endif
