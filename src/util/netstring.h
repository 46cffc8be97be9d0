/* netstring - D. J. Bernstein's length-prefixed strings: encoder and decoders */
#ifndef NETSTRING_H
#define NETSTRING_H
#include <stddef.h>
#include <sys/types.h>
#include "dstr.h"
#include "ios.h"

#define NETSTRING_MAX_DIGITS	9	/* lengths stay below 10^9 */

#define NETSTRING_MORE		0	/* parse: need more input */
#define NETSTRING_ERR_FORMAT	(-1)	/* not a digit, ':' or ',' where one belongs */
#define NETSTRING_ERR_SIZE	(-2)	/* declared length over the caller's limit */
#define NETSTRING_ERR_EOF	(-3)	/* stream ended inside a netstring */
#define NETSTRING_ERR_IO	(-4)	/* read error or timeout (see the stream flags) */

/*
 * Decode one netstring at the start of in[0..inlen). Returns the bytes
 * consumed (> 0) and sets payload/paylen, or NETSTRING_MORE, or an error.
 * A length over max is refused before any payload is looked at.
 */
extern ssize_t netstring_parse(const char *in, size_t inlen, size_t max,
			               const char **payload, size_t *paylen);
/* Append the netstring encoding of buf/str to out. */
extern void netstring_put(DSTR *out, const void *buf, size_t len);
extern void netstring_puts(DSTR *out, const char *str);

/* Streaming: read "digits:" (limit checked), then the payload yourself, then ",". */
extern int netstring_get_len(IOS *ios, size_t max, size_t *len);
extern int netstring_get_comma(IOS *ios);
/* Read one whole netstring into buf (replacing it); 0 or an error code. */
extern int netstring_get(IOS *ios, DSTR *buf, size_t max);
/* Write one netstring to a stream (buffered); 0 or -1. */
extern int netstring_write(IOS *ios, const void *buf, size_t len);
/* Short English for an error code, for logs and protocol replies. */
extern const char *netstring_strerror(int err);

#endif
