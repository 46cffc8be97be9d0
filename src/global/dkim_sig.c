/*
 * dkim_sig - the text of a DKIM-Signature field that cleanup adds
 * DESCRIPTION
 *	cleanup must put the field above the header section before it has
 *	seen the body, yet bh= and b= depend on the body. It writes this text
 *	with placeholders of the right length and overwrites them in the queue
 *	file once they are known (qfile_out_content_patch). So the layout may
 *	depend on lengths only: every tag is a token that goes on the current
 *	line if it fits within DKIM_SIG_LINE_MAX characters, else on a new line
 *	that starts with a TAB; h= breaks after a colon and b= anywhere, both
 *	places where RFC 6376 3.5 allows folding white space. b= comes last,
 *	so the form a signer and verifier hash (b= emptied) is a prefix.
 *	The text has LF line ends, as queue files do; smtp sends CR LF.
 */
#include <string.h>

#include "dkim_sig.h"
#include "strutil.h"

#define DKIM_SIG_FILLER	'='		/* placeholder: never a base64 digit before the end */

typedef struct DKIM_SIG_LINE {
    DSTR   *out;
    size_t  col;			/* characters on the current line */
} DKIM_SIG_LINE;

/* dkim_sig_fold - start a continuation line */

static void dkim_sig_fold(DKIM_SIG_LINE *ln)
{
    dstr_cat(ln->out, "\n\t", 2);
    ln->col = 1;
}

/* dkim_sig_token - " token" on this line if it fits, else on the next */

static void dkim_sig_token(DKIM_SIG_LINE *ln, const char *tok, size_t len, int space)
{
    if (ln->col + (space ? 1 : 0) + len > DKIM_SIG_LINE_MAX)
	dkim_sig_fold(ln);
    else if (space)
	dstr_catc(ln->out, ' '), ln->col++;
    dstr_cat(ln->out, tok, len);
    ln->col += len;
}

/* dkim_sig_tag - "name=value;" as one token */

static void dkim_sig_tag(DKIM_SIG_LINE *ln, const char *name, const char *value)
{
    DSTR   *tok = dstr_new(64);

    dstr_sprintf(tok, "%s=%s;", name, value);
    dkim_sig_token(ln, dstr_str(tok), dstr_len(tok), 1);
    dstr_free(tok);
}

/* dkim_sig_hlist - "h=" and the names, one token per "Name:" */

static void dkim_sig_hlist(DKIM_SIG_LINE *ln, const char *hlist)
{
    const char *cp = hlist;
    const char *colon;
    DSTR   *tok = dstr_new(64);
    int     first = 1;

    while (*cp) {
	colon = strchr(cp, ':');
	dstr_sprintf(tok, "%s%.*s%s", first ? "h=" : "",
		     (int) (colon ? (size_t) (colon - cp) : strlen(cp)), cp, colon ? ":" : ";");
	dkim_sig_token(ln, dstr_str(tok), dstr_len(tok), first);
	first = 0;
	cp = colon ? colon + 1 : cp + strlen(cp);
    }
    dstr_free(tok);
}

/*
 * dkim_sig_placeholder - " name=" and len filler characters, then end.
 * whole: all on one line (a fresh one if need be); else folded anywhere,
 * starting a new line unless the name and 16 characters fit.
 */

static size_t dkim_sig_placeholder(DKIM_SIG_LINE *ln, const char *name, size_t len,
				           const char *end, int whole)
{
    size_t  need = strlen(name) + (whole ? len + strlen(end) : 16);
    size_t  off;

    if (ln->col + 1 + need > DKIM_SIG_LINE_MAX)
	dkim_sig_fold(ln);
    else
	dstr_catc(ln->out, ' '), ln->col++;
    dstr_cats(ln->out, name);
    ln->col += strlen(name);
    off = dstr_len(ln->out);
    for (; len > 0; len--) {
	if (ln->col >= DKIM_SIG_LINE_MAX)
	    dkim_sig_fold(ln);
	dstr_catc(ln->out, DKIM_SIG_FILLER);
	ln->col++;
    }
    dstr_cats(ln->out, end);
    ln->col += strlen(end);
    return (off);
}

/* dkim_sig_build - the field with placeholders */

void    dkim_sig_build(DSTR *field, const DKIM_SIG_SPEC *spec, size_t *bh_off, size_t *b_off)
{
    DKIM_SIG_LINE ln = {field, 0};
    DSTR   *num = dstr_new(24);

    DSTR_RESET(field);
    dstr_cats(field, "DKIM-Signature:");
    ln.col = dstr_len(field);
    dkim_sig_tag(&ln, "v", "1");
    dkim_sig_tag(&ln, "a", spec->alg);
    dkim_sig_tag(&ln, "c", spec->canon);
    dkim_sig_tag(&ln, "d", spec->domain);
    dkim_sig_tag(&ln, "s", spec->selector);
    dstr_sprintf(num, "%ld", spec->sign_time);
    dkim_sig_tag(&ln, "t", dstr_str(num));
    if (spec->expire_time > 0) {
	dstr_sprintf(num, "%ld", spec->expire_time);
	dkim_sig_tag(&ln, "x", dstr_str(num));
    }
    dkim_sig_hlist(&ln, spec->hlist);
    *bh_off = dkim_sig_placeholder(&ln, "bh=", spec->bh_len, ";", 1);
    *b_off = dkim_sig_placeholder(&ln, "b=", spec->b_len, "", 0);
    dstr_free(num);
}

/* dkim_sig_fill - the real value over the placeholder */

void    dkim_sig_fill(DSTR *field, size_t off, const char *value)
{
    char   *cp = dstr_data(field) + off;
    char   *end = dstr_data(field) + dstr_len(field);

    for (; *value && cp < end; cp++) {
	if (*cp == '\n' || *cp == '\t')
	    continue;
	*cp = *value++;
    }
}

/* dkim_sig_names_ok - a domain and selector that make a key record name */

int     dkim_sig_names_ok(const char *domain, const char *selector)
{
    return (str_dns_name_ok(domain) && str_dns_name_ok(selector)
	    && strlen(selector) + strlen("._domainkey.") + strlen(domain) <= STR_DNS_NAME_MAX);
}
