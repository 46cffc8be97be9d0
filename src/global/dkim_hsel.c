/*
 * dkim_hsel - select and canonicalize the header fields a signature covers
 * DESCRIPTION
 *	Signer and verifier must hash the same bytes, so both come here.
 *	RFC 6376 5.4.2: each name in h= takes the next instance of that
 *	field not taken yet, from the bottom of the header up (a field added
 *	on the way is added on top, so signed instances stay findable), and a
 *	name whose instances are used up contributes nothing: that is how a
 *	signer "oversigns" From to stop a second one from being prepended.
 *	RFC 6376 3.7: after them comes the DKIM-Signature field itself,
 *	canonicalized, with the b= value (the signature being made or
 *	checked) emptied and no final CR LF.
 *
 *	Pure string code, bounded by the caller's header and by
 *	DKIM_HSEL_MAX_NAMES; no OpenSSL here, the hash is the sink's.
 */
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "dkim_hsel.h"
#include "mymalloc.h"

#define DKIM_HSEL_FWS(c)	((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n')
#define DKIM_HSEL_FTEXT(c)	((c) >= 33 && (c) <= 126 && (c) != ':')

/* dkim_hsel_trim - [*start, *end) without folding white space at either end */

static void dkim_hsel_trim(const char **start, const char **end)
{
    while (*start < *end && DKIM_HSEL_FWS(**start))
	(*start)++;
    while (*end > *start && DKIM_HSEL_FWS((*end)[-1]))
	(*end)--;
}

/* dkim_hsel_names - h= into names */

int     dkim_hsel_names(const char *hlist, ARGV *names, DSTR *why)
{
    const char *cp = hlist;
    const char *start;
    const char *end;
    const char *p;
    size_t  count = 0;

    for (;;) {
	start = cp;
	end = cp + strcspn(cp, ":");
	cp = end;
	dkim_hsel_trim(&start, &end);
	if (start == end) {
	    dstr_strcpy(why, "empty header field name in h=");
	    return (-1);
	}
	for (p = start; p < end; p++) {
	    if (!DKIM_HSEL_FTEXT((unsigned char) *p)) {
		dstr_strcpy(why, "bad character in a header field name in h=");
		return (-1);
	    }
	}
	if (++count > DKIM_HSEL_MAX_NAMES) {
	    dstr_sprintf(why, "more than %d header field names in h=", DKIM_HSEL_MAX_NAMES);
	    return (-1);
	}
	argv_addn(names, start, (size_t) (end - start));
	if (*cp == 0)
	    return (0);
	cp++;					/* the ':' */
    }
}

/* dkim_hsel_has - h= names name */

int     dkim_hsel_has(const ARGV *names, const char *name)
{
    size_t  i;

    for (i = 0; i < names->argc; i++)
	if (strcasecmp(names->argv[i], name) == 0)
	    return (1);
    return (0);
}

/* dkim_hsel_is - field is named name (white space before the colon allowed) */

static int dkim_hsel_is(const DKIM_FIELD *field, const char *name)
{
    const char *colon = memchr(field->text, ':', field->len);
    size_t  len;

    if (colon == NULL)
	return (0);				/* not a field: never signed */
    len = (size_t) (colon - field->text);
    while (len > 0 && (field->text[len - 1] == ' ' || field->text[len - 1] == '\t'))
	len--;
    return (len == strlen(name) && strncasecmp(field->text, name, len) == 0);
}

/* dkim_hsel_pick - the bottom-most unused field named name, or -1 */

static ssize_t dkim_hsel_pick(const DKIM_FIELD *fields, size_t nfields,
			              char *used, const char *name)
{
    size_t  i;

    for (i = nfields; i-- > 0;) {
	if (!used[i] && dkim_hsel_is(fields + i, name)) {
	    used[i] = 1;
	    return ((ssize_t) i);
	}
    }
    return (-1);
}

/* dkim_hsel_feed - the signed header data, to sink */

int     dkim_hsel_feed(DKIM_CANON canon, const DKIM_FIELD *fields, size_t nfields,
		               const char *hlist, const char *sig_field, size_t sig_len,
		               DKIM_BODY_SINK sink, void *ctx)
{
    ARGV   *names = argv_new(16);
    DSTR   *why = dstr_new(64);
    DSTR   *buf = dstr_new(1024);
    DSTR   *sig = dstr_new(1024);
    char   *used = mycalloc(nfields ? nfields : 1, 1);
    ssize_t at;
    size_t  i;
    int     ret = -1;

    if (dkim_hsel_names(hlist, names, why) == 0) {
	for (i = 0; i < names->argc; i++) {
	    if ((at = dkim_hsel_pick(fields, nfields, used, names->argv[i])) < 0)
		continue;
	    DSTR_RESET(buf);
	    dkim_canon_header(canon, fields[at].text, fields[at].len, buf);
	    sink(ctx, dstr_str(buf), dstr_len(buf));
	}
	dkim_hsel_strip_b(sig_field, sig_len, sig);
	DSTR_RESET(buf);
	dkim_canon_header(canon, dstr_str(sig), dstr_len(sig), buf);
	sink(ctx, dstr_str(buf), dstr_len(buf) - 2);	/* no CR LF (RFC 6376 3.7) */
	ret = 0;
    }
    argv_free(names);
    dstr_free(why);
    dstr_free(buf);
    dstr_free(sig);
    myfree(used);
    return (ret);
}

/* dkim_hsel_is_b - the tag at [cp, end) is b=; where its '=' is, or NULL */

static const char *dkim_hsel_is_b(const char *cp, const char *end)
{
    while (cp < end && DKIM_HSEL_FWS(*cp))
	cp++;
    if (cp >= end || *cp++ != 'b')
	return (NULL);
    while (cp < end && DKIM_HSEL_FWS(*cp))
	cp++;
    return (cp < end && *cp == '=' ? cp : NULL);
}

/* dkim_hsel_strip_b - the field with b= emptied */

void    dkim_hsel_strip_b(const char *field, size_t len, DSTR *out)
{
    const char *end = field + len;
    const char *colon = memchr(field, ':', len);
    const char *cp;
    const char *semi;
    const char *eq;

    if (colon == NULL) {
	dstr_cat(out, field, len);
	return;
    }
    dstr_cat(out, field, (size_t) (colon + 1 - field));
    for (cp = colon + 1; cp < end; cp = semi) {
	if ((semi = memchr(cp, ';', (size_t) (end - cp))) == NULL)
	    semi = end;
	if ((eq = dkim_hsel_is_b(cp, semi)) != NULL)
	    dstr_cat(out, cp, (size_t) (eq + 1 - cp));	/* "b=", value left out */
	else
	    dstr_cat(out, cp, (size_t) (semi - cp));
	if (semi < end) {
	    dstr_catc(out, ';');
	    semi++;
	}
    }
}
