/* dkim_hsel - the header data a DKIM signature covers (RFC 6376 3.7, 5.4.2) */
#ifndef DKIM_HSEL_H
#define DKIM_HSEL_H
#include <stddef.h>

#include "argv.h"
#include "dkim_canon.h"
#include "dstr.h"

#define DKIM_HSEL_MAX_NAMES	64	/* names in one h= */

/* One header field as queued: name, colon, value, folded lines, without
 * the line end that closes it. */
typedef struct DKIM_FIELD {
    const char *text;
    size_t  len;
} DKIM_FIELD;

/*
 * Split an h= value ("from : to:subject", folding white space allowed
 * around the colons) into names (appended to names). 0, or -1 with why
 * for an empty name, a character a field name cannot have, or more than
 * DKIM_HSEL_MAX_NAMES names.
 */
extern int dkim_hsel_names(const char *hlist, ARGV *names, DSTR *why);

/* Whether names (from dkim_hsel_names) holds name, in any case. */
extern int dkim_hsel_has(const ARGV *names, const char *name);

/*
 * Feed sink the data the signature hash covers, canonicalized with canon:
 * for each name of hlist in order, the next field of that name not used
 * yet, counting from the bottom of the header (a name with none left adds
 * nothing); then sig_field, the DKIM-Signature field itself, with its b=
 * value removed and without its final CR LF. fields are the header fields
 * top to bottom. 0, or -1 when dkim_hsel_names() refuses hlist (nothing
 * was fed then).
 */
extern int dkim_hsel_feed(DKIM_CANON canon, const DKIM_FIELD *fields, size_t nfields,
			          const char *hlist, const char *sig_field, size_t sig_len,
			          DKIM_BODY_SINK sink, void *ctx);

/*
 * Append to out a copy of a DKIM-Signature field whose b= tag has an
 * empty value: everything between its '=' and the next ';' (or the end),
 * white space and line ends included, is left out; the rest is unchanged.
 */
extern void dkim_hsel_strip_b(const char *field, size_t len, DSTR *out);

#endif
