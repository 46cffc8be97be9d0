/* base64 - RFC 4648 base64, for protocol exchanges such as SMTP AUTH */
#ifndef BASE64_H
#define BASE64_H
#include <stddef.h>

#include "dstr.h"

/* Append the base64 form of len bytes to out (no line breaks). 0, or
 * DSTR_TOO_LONG when out has a limit that would be passed. */
extern int base64_encode(DSTR *out, const void *in, size_t len);

/*
 * Append the bytes that len characters of base64 stand for. Strict: only
 * the RFC 4648 alphabet, no white space, a multiple of four characters,
 * at most two '=' and only at the end, zero bits where padding leaves
 * bits unused. 0, or -1 for bad input or when
 * out's limit would be passed (out then holds a partial result).
 */
extern int base64_decode(DSTR *out, const char *in, size_t len);

#endif
