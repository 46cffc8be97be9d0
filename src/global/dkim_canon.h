/* dkim_canon - DKIM canonicalization (RFC 6376 3.4) of what smtp will put on the wire */
#ifndef DKIM_CANON_H
#define DKIM_CANON_H
#include <stddef.h>
#include "dstr.h"

typedef enum DKIM_CANON {
    DKIM_CANON_SIMPLE,
    DKIM_CANON_RELAXED,
} DKIM_CANON;

/*
 * "simple" or "relaxed" into *canon; 0, or -1 for anything else.
 */
extern int dkim_canon_parse(const char *name, DKIM_CANON *canon);
/* "header/body" (dkim_canonicalization, the c= tag); one word means that
 * for the header and simple for the body, as RFC 6376 3.5 reads c=. */
extern int dkim_canon_parse_pair(const char *value, DKIM_CANON *head, DKIM_CANON *body);
/* A valid header field name (RFC 5322 2.2: printable ASCII but ':')? */
extern int dkim_canon_field_name_ok(const char *name);
/* What separates the names of dkim_sign_headers and dkim_oversign_headers. */
#define DKIM_HEADER_LIST_DELIM	", \t\r\n:"

/*
 * Append the canonical form of one header field to out, CR LF ended. field
 * is the whole field as queued (name, colon, value, folded continuation
 * lines), without its final line end; LF, CR LF and a lone CR inside it are
 * line ends, as posthorn-smtp(8) sends them (CR LF).
 */
extern void dkim_canon_header(DKIM_CANON canon, const char *field, size_t len, DSTR *out);

/*
 * The body, streamed: feed it the content after the empty line that ends
 * the header, in chunks of any size, as queued (LF, CR LF or a lone CR end
 * a line, as on the wire); the sink gets the canonical bytes to hash, in
 * order, also in chunks. dkim_body_end() finishes (trailing empty lines
 * dropped, a last line ended, the empty-body rules of each algorithm) and
 * frees the state.
 */
typedef void (*DKIM_BODY_SINK) (void *ctx, const char *buf, size_t len);
typedef struct DKIM_BODY DKIM_BODY;

extern DKIM_BODY *dkim_body_new(DKIM_CANON canon, DKIM_BODY_SINK sink, void *ctx);
extern void dkim_body_update(DKIM_BODY *body, const char *buf, size_t len);
extern void dkim_body_end(DKIM_BODY *body);

#endif
