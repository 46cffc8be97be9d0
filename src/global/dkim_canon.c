/*
 * dkim_canon - DKIM canonicalization
 * DESCRIPTION
 *	A signature must cover exactly the bytes the receiver sees. A queue
 *	file keeps the message as received, with LF line ends; posthorn-smtp(8) sends
 *	every line end (LF, CR LF, or a lone CR) as CR LF (wire_enc.c).
 *	So these functions read line ends the way smtp writes them, and
 *	produce RFC 6376 section 3.4's canonical forms over the wire bytes.
 *
 *	The body canonicalizer streams: cleanup can hash the body as it goes
 *	by, whatever the chunk size. Empty lines, and in relaxed mode runs of
 *	white space, are held back (counted) until a later byte shows whether
 *	they end the body or the line, so memory does not grow with the body.
 *	"simple" with an empty body yields one CR LF; "relaxed" yields nothing
 *	(RFC 6376 errata 3986).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_canon.h"
#include "mymalloc.h"

struct DKIM_BODY {
    DKIM_CANON canon;
    DKIM_BODY_SINK sink;
    void   *ctx;
    size_t  empty_lines;		/* held back: may end the body */
    size_t  line_len;			/* bytes of the current line given out */
    int     wsp;			/* relaxed: white space held back in the line */
    int     cr;				/* the last byte was a CR (its LF may follow) */
    int     any;			/* a non-empty line was given out */
    DSTR   *out;			/* canonical bytes of one update */
};

#define DKIM_WSP(c)	((c) == ' ' || (c) == '\t')

/* dkim_canon_parse - a canonicalization name */

int     dkim_canon_parse(const char *name, DKIM_CANON *canon)
{
    if (strcmp(name, "simple") == 0)
	*canon = DKIM_CANON_SIMPLE;
    else if (strcmp(name, "relaxed") == 0)
	*canon = DKIM_CANON_RELAXED;
    else
	return (-1);
    return (0);
}

/* dkim_canon_parse_pair - "header/body", or one word (body simple, as c= reads) */

int     dkim_canon_parse_pair(const char *value, DKIM_CANON *head, DKIM_CANON *body)
{
    const char *slash = strchr(value, '/');
    char   *first;
    int     ret;

    if (slash == NULL) {
	*body = DKIM_CANON_SIMPLE;
	return (dkim_canon_parse(value, head));
    }
    first = mystrndup(value, (size_t) (slash - value));
    ret = dkim_canon_parse(first, head) == 0 && dkim_canon_parse(slash + 1, body) == 0 ? 0 : -1;
    free(first);
    return (ret);
}

/* dkim_canon_field_name_ok - RFC 5322 field name: printable ASCII but ':' */

int     dkim_canon_field_name_ok(const char *name)
{
    const unsigned char *cp = (const unsigned char *) name;

    if (*cp == 0)
	return (0);
    for (; *cp; cp++)
	if (*cp < 33 || *cp > 126 || *cp == ':')
	    return (0);
    return (1);
}

/* dkim_canon_header_simple - unchanged, line ends as on the wire */

static void dkim_canon_header_simple(const char *cp, const char *end, DSTR *out)
{
    for (; cp < end; cp++) {
	if (*cp == '\r' && cp + 1 < end && cp[1] == '\n')
	    continue;				/* the LF writes the CR LF */
	if (*cp == '\r' || *cp == '\n')
	    dstr_cat(out, "\r\n", 2);
	else
	    dstr_catc(out, *cp);
    }
    dstr_cat(out, "\r\n", 2);
}

/* dkim_canon_header_relaxed - lower-case name, unfolded, white space runs as one space */

static void dkim_canon_header_relaxed(const char *cp, const char *end, DSTR *out)
{
    const char *colon = memchr(cp, ':', (size_t) (end - cp));
    const char *name_end;
    int     wsp = 0;
    int     started = 0;

    if (colon == NULL)
	colon = end;				/* not a field: keep what there is */
    for (name_end = colon; name_end > cp && DKIM_WSP(name_end[-1]); name_end--)
	 /* white space before the colon goes */ ;
    for (; cp < name_end; cp++)
	if (*cp != '\r' && *cp != '\n')	/* a field without a colon may be folded */
	    dstr_catc(out, (char) tolower((unsigned char) *cp));
    if (colon < end) {
	dstr_catc(out, ':');
	for (cp = colon + 1; cp < end; cp++) {
	    if (*cp == '\r' || *cp == '\n')
		continue;			/* unfold */
	    if (DKIM_WSP(*cp)) {
		wsp = 1;
		continue;
	    }
	    if (wsp && started)
		dstr_catc(out, ' ');
	    wsp = 0;
	    started = 1;
	    dstr_catc(out, *cp);
	}
    }
    dstr_cat(out, "\r\n", 2);
}

/* dkim_canon_header - one field */

void    dkim_canon_header(DKIM_CANON canon, const char *field, size_t len, DSTR *out)
{
    if (canon == DKIM_CANON_SIMPLE)
	dkim_canon_header_simple(field, field + len, out);
    else
	dkim_canon_header_relaxed(field, field + len, out);
}

/* dkim_body_new - start a body */

DKIM_BODY *dkim_body_new(DKIM_CANON canon, DKIM_BODY_SINK sink, void *ctx)
{
    DKIM_BODY *body = mycalloc(1, sizeof(*body));

    body->canon = canon;
    body->sink = sink;
    body->ctx = ctx;
    body->out = dstr_new(8192);
    return (body);
}

/* dkim_body_eol - a line ends */

static void dkim_body_eol(DKIM_BODY *body)
{
    if (body->line_len == 0) {
	body->empty_lines++;			/* maybe the end of the body */
    } else {
	dstr_cat(body->out, "\r\n", 2);
	body->line_len = 0;
    }
    body->wsp = 0;				/* trailing white space goes */
}

/* dkim_body_byte - one byte of a line */

static void dkim_body_byte(DKIM_BODY *body, char c)
{
    if (body->canon == DKIM_CANON_RELAXED && DKIM_WSP(c)) {
	body->wsp = 1;
	return;
    }
    /* Something follows: the empty lines held back were inside the body. */
    for (; body->empty_lines > 0; body->empty_lines--)
	dstr_cat(body->out, "\r\n", 2);
    if (body->wsp) {
	dstr_catc(body->out, ' ');
	body->wsp = 0;
	body->line_len++;
    }
    dstr_catc(body->out, c);
    body->line_len++;
    body->any = 1;
}

/* dkim_body_update - canonicalize one chunk */

void    dkim_body_update(DKIM_BODY *body, const char *buf, size_t len)
{
    size_t  i;

    DSTR_RESET(body->out);
    for (i = 0; i < len; i++) {
	if (buf[i] == '\n') {
	    if (!body->cr)			/* a CR LF ended at the CR already */
		dkim_body_eol(body);
	    body->cr = 0;
	} else if (buf[i] == '\r') {
	    dkim_body_eol(body);
	    body->cr = 1;
	} else {
	    body->cr = 0;
	    dkim_body_byte(body, buf[i]);
	}
    }
    if (dstr_len(body->out) > 0)
	body->sink(body->ctx, dstr_str(body->out), dstr_len(body->out));
}

/* dkim_body_end - the last line, the empty-body rules, and free */

void    dkim_body_end(DKIM_BODY *body)
{
    DSTR_RESET(body->out);
    if (body->line_len > 0)			/* an unterminated last line */
	dstr_cat(body->out, "\r\n", 2);
    else if (!body->any && body->canon == DKIM_CANON_SIMPLE)
	dstr_cat(body->out, "\r\n", 2);		/* simple: an empty body is one CR LF */
    if (dstr_len(body->out) > 0)
	body->sink(body->ctx, dstr_str(body->out), dstr_len(body->out));
    dstr_free(body->out);
    myfree(body);
}
