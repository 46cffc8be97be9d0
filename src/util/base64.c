/*
 * base64 - RFC 4648 base64 encoding and strict decoding
 * DESCRIPTION
 *	SMTP AUTH (RFC 4954) carries every challenge and response in base64,
 *	and the challenges come from the network, so the decoder accepts
 *	only canonical input (alphabet, padding, length) and writes into a
 *	DSTR whose limit bounds what a server can make us hold. The encoder
 *	writes one unbroken line, as SMTP wants it.
 */
#include <string.h>

#include "base64.h"

static const char base64_alphabet[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64_encode - bytes to base64 text */

int     base64_encode(DSTR *out, const void *in, size_t len)
{
    const unsigned char *cp = in;
    char    quad[4];
    unsigned long v;
    size_t  i;

    for (i = 0; i < len; i += 3) {
	v = (unsigned long) cp[i] << 16;
	if (i + 1 < len)
	    v |= (unsigned long) cp[i + 1] << 8;
	if (i + 2 < len)
	    v |= cp[i + 2];
	quad[0] = base64_alphabet[(v >> 18) & 0x3f];
	quad[1] = base64_alphabet[(v >> 12) & 0x3f];
	quad[2] = i + 1 < len ? base64_alphabet[(v >> 6) & 0x3f] : '=';
	quad[3] = i + 2 < len ? base64_alphabet[v & 0x3f] : '=';
	if (dstr_cat(out, quad, 4) < 0)
	    return (DSTR_TOO_LONG);
    }
    return (0);
}

/* base64_value - the 6-bit value of one character, or -1 */

static int base64_value(int ch)
{
    if (ch >= 'A' && ch <= 'Z')
	return (ch - 'A');
    if (ch >= 'a' && ch <= 'z')
	return (ch - 'a' + 26);
    if (ch >= '0' && ch <= '9')
	return (ch - '0' + 52);
    if (ch == '+')
	return (62);
    if (ch == '/')
	return (63);
    return (-1);
}

/* base64_decode - base64 text to bytes, refusing anything non-canonical */

int     base64_decode(DSTR *out, const char *in, size_t len)
{
    unsigned char bytes[3];
    unsigned long v;
    size_t  i;
    int     j;
    int     pad;
    int     d;

    if (len % 4 != 0)
	return (-1);
    for (i = 0; i < len; i += 4) {
	v = 0;
	pad = 0;
	for (j = 0; j < 4; j++) {
	    /* '=' only in the last two places of the last quantum, and only at the end. */
	    if (in[i + j] == '=' && i + 4 == len && j >= 2 && (j == 3 || in[i + 3] == '=')) {
		pad++;
		v <<= 6;
		continue;
	    }
	    if (pad > 0 || (d = base64_value((unsigned char) in[i + j])) < 0)
		return (-1);
	    v = (v << 6) | (unsigned long) d;
	}
	/* Canonical (RFC 4648 3.5): the bits the padding leaves unused are zero. */
	if (pad > 0 && (v & ((1UL << (8 * pad)) - 1)) != 0)
	    return (-1);
	bytes[0] = (unsigned char) (v >> 16);
	bytes[1] = (unsigned char) (v >> 8);
	bytes[2] = (unsigned char) v;
	if (dstr_cat(out, bytes, (size_t) (3 - pad)) < 0)
	    return (-1);
    }
    return (0);
}
