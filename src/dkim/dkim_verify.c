/*
 * dkim_verify - whole-message DKIM verification
 * DESCRIPTION
 *	For "posthorn dkim verify" and for tests of our signer: the message
 *	is in memory, bounded by the caller. The header is split into fields
 *	(a line starting with white space continues the field above), each
 *	DKIM-Signature found is checked on its own (RFC 6376 6.1): its tags,
 *	then the body hash over the canonical body (l= honored), then the
 *	key record through the caller's lookup, then the signature over the
 *	header data dkim_hsel.c selects. The order puts the cheap local
 *	checks before DNS, so a broken message costs no lookup.
 *
 *	Everything here comes from strangers: the tag parser is strict and
 *	bounded, numbers have a digit limit, names a length limit, and what
 *	we hand back for printing is made printable first.
 */
#include <string.h>
#include <strings.h>

#include "dkim_verify.h"
#include "dkim_sig.h"
#include "dkim_canon.h"
#include "dkim_hash.h"
#include "dkim_hsel.h"
#include "dkim_int.h"
#include "dkim_pubkey.h"
#include "dkim_tags.h"
#include "base64.h"
#include "mymalloc.h"

#define DKIM_VERIFY_SHOW_MAX	255	/* characters of d=, s=, a= we show */
#define DKIM_VERIFY_NUM_DIGITS	18	/* digits of t=, x=, l= (no overflow) */
#define DKIM_VERIFY_SIG_MAX	1024	/* bytes of a decoded b= (8192-bit RSA) */
#define DKIM_VERIFY_CHUNK	65536	/* body bytes canonicalized at a time */
#define DKIM_VERIFY_MAX_FIELDS	10000	/* header fields: selection is fields x names */
#define DKIM_VERIFY_FIELD	"DKIM-Signature"

/* The message, split. */
typedef struct DKIM_MSG {
    DKIM_FIELD *fields;
    size_t  nfields;
    const char *body;
    size_t  body_len;
    int     too_many;			/* more than DKIM_VERIFY_MAX_FIELDS */
} DKIM_MSG;

/* One signature's tags, checked and decoded. */
typedef struct DKIM_SIG {
    ATTR_LIST *tags;
    DKIM_ALG alg;
    DKIM_CANON hcanon;
    DKIM_CANON bcanon;
    const char *d;
    const char *s;
    const char *h;
    const char *i;			/* NULL when absent */
    int     has_l;
    unsigned long long l;
    DSTR   *b;				/* decoded signature */
    DSTR   *bh;				/* decoded body hash */
} DKIM_SIG;

/* The body hash sink's state: l= cuts the canonical body short. */
typedef struct DKIM_BODY_COUNT {
    DKIM_HASH *hash;
    int     limited;
    unsigned long long left;		/* bytes l= still lets through */
    unsigned long long total;		/* canonical body bytes seen */
} DKIM_BODY_COUNT;

/* dkim_verify_eol - the end of the line at cp: its position and length */

static const char *dkim_verify_eol(const char *cp, const char *end, size_t *eol_len)
{
    for (; cp < end; cp++) {
	if (*cp == '\n') {
	    *eol_len = 1;
	    return (cp);
	}
	if (*cp == '\r') {
	    *eol_len = (cp + 1 < end && cp[1] == '\n') ? 2 : 1;
	    return (cp);
	}
    }
    *eol_len = 0;
    return (end);
}

/* dkim_verify_split - header fields and body */

static void dkim_verify_split(const char *msg, size_t len, DKIM_MSG *m)
{
    const char *end = msg + len;
    const char *cp = msg;
    const char *eol;
    size_t  eol_len;
    size_t  cap = 0;

    memset(m, 0, sizeof(*m));
    m->body = end;
    while (cp < end) {
	eol = dkim_verify_eol(cp, end, &eol_len);
	if (eol == cp) {			/* the empty line */
	    m->body = eol + eol_len;
	    break;
	}
	if ((*cp == ' ' || *cp == '\t') && m->nfields > 0) {
	    m->fields[m->nfields - 1].len = (size_t) (eol - m->fields[m->nfields - 1].text);
	} else if (m->nfields == DKIM_VERIFY_MAX_FIELDS) {
	    m->too_many = 1;			/* fields past the limit are not kept */
	} else {
	    if (m->nfields == cap) {
		cap = cap ? 2 * cap : 32;
		m->fields = myrealloc(m->fields, cap * sizeof(*m->fields));
	    }
	    m->fields[m->nfields].text = cp;
	    m->fields[m->nfields].len = (size_t) (eol - cp);
	    m->nfields++;
	}
	cp = eol + eol_len;
    }
    m->body_len = (size_t) (end - m->body);
}

/* dkim_verify_is_sig - a DKIM-Signature field; its value, or NULL */

static const char *dkim_verify_is_sig(const DKIM_FIELD *f)
{
    size_t  nlen = sizeof(DKIM_VERIFY_FIELD) - 1;
    const char *cp = f->text + nlen;
    const char *end = f->text + f->len;

    if (f->len <= nlen || strncasecmp(f->text, DKIM_VERIFY_FIELD, nlen) != 0)
	return (NULL);
    while (cp < end && (*cp == ' ' || *cp == '\t'))
	cp++;
    return (cp < end && *cp == ':' ? cp + 1 : NULL);
}

/* dkim_verify_show - a tag value, printable and bounded, for the result */

static char *dkim_verify_show(const char *value)
{
    DSTR   *out = dstr_new(64);
    size_t  n;

    for (n = 0; value && value[n] && n < DKIM_VERIFY_SHOW_MAX; n++)
	dstr_catc(out, value[n] > 0x20 && value[n] < 0x7f ? value[n] : '?');
    return (dstr_export(out));
}

/* dkim_verify_number - decimal digits only, bounded; 0 or -1 */

static int dkim_verify_number(const char *text, unsigned long long *val)
{
    size_t  n;

    *val = 0;
    for (n = 0; text[n]; n++) {
	if (text[n] < '0' || text[n] > '9' || n >= DKIM_VERIFY_NUM_DIGITS)
	    return (-1);
	*val = *val * 10 + (unsigned long long) (text[n] - '0');
    }
    return (n > 0 ? 0 : -1);
}

/* dkim_verify_canon - c=: "header[/body]", body simple by default */

static int dkim_verify_canon(const char *c, DKIM_SIG *sig)
{
    const char *slash;
    DSTR   *head = dstr_new(16);
    int     ret;

    sig->hcanon = sig->bcanon = DKIM_CANON_SIMPLE;
    if (c == NULL) {
	dstr_free(head);
	return (0);
    }
    slash = strchr(c, '/');
    dstr_memcpy(head, c, slash ? (size_t) (slash - c) : strlen(c));
    ret = (dkim_canon_parse(dstr_str(head), &sig->hcanon) == 0
	   && (slash == NULL || dkim_canon_parse(slash + 1, &sig->bcanon) == 0)) ? 0 : -1;
    dstr_free(head);
    return (ret);
}

/* dkim_verify_required - the tags every signature has; -1 with why */

static int dkim_verify_required(DKIM_SIG *sig, DSTR *why)
{
    static const char *const need[] = {"v", "a", "b", "bh", "d", "h", "s", 0};
    const char *const *tag;
    const char *a;

    for (tag = need; *tag; tag++) {
	if (attr_get_str(sig->tags, *tag) == NULL) {
	    dstr_sprintf(why, "no %s= tag", *tag);
	    return (-1);
	}
    }
    if (strcmp(attr_get_str(sig->tags, "v"), "1") != 0) {
	dstr_strcpy(why, "v= is not 1");
	return (-1);
    }
    if (dkim_alg_parse(a = attr_get_str(sig->tags, "a"), &sig->alg) < 0) {
	dstr_strcpy(why, strcmp(a, "rsa-sha1") == 0 ?
		    "rsa-sha1 is not accepted (RFC 8301)" : "unsupported algorithm in a=");
	return (-1);
    }
    sig->d = attr_get_str(sig->tags, "d");
    sig->s = attr_get_str(sig->tags, "s");
    sig->h = attr_get_str(sig->tags, "h");
    sig->i = attr_get_str(sig->tags, "i");
    return (0);
}

/* dkim_verify_in_domain - dom is d or a subdomain of it */

static int dkim_verify_in_domain(const char *dom, const char *d)
{
    size_t  len = strlen(dom);
    size_t  dlen = strlen(d);

    if (len == dlen)
	return (strcasecmp(dom, d) == 0);
    return (len > dlen && dom[len - dlen - 1] == '.' && strcasecmp(dom + len - dlen, d) == 0);
}

/* dkim_verify_names - d=, s=, i= and the key's DNS name */

static int dkim_verify_names(DKIM_SIG *sig, DSTR *why)
{
    const char *at;

    if (!dkim_sig_names_ok(sig->d, sig->s)) {
	dstr_strcpy(why, "malformed d= or s=");
	return (-1);
    }
    /* The identity must be d= or below it (RFC 6376 3.5). */
    if (sig->i != NULL
	&& ((at = strrchr(sig->i, '@')) == NULL || !dkim_verify_in_domain(at + 1, sig->d))) {
	dstr_strcpy(why, "i= is not in the domain of d=");
	return (-1);
    }
    return (0);
}

/* dkim_verify_times - t=, x= (expiry against now), l= */

static int dkim_verify_times(DKIM_SIG *sig, time_t now, DSTR *why)
{
    const char *t = attr_get_str(sig->tags, "t");
    const char *x = attr_get_str(sig->tags, "x");
    const char *l = attr_get_str(sig->tags, "l");
    unsigned long long tv = 0;
    unsigned long long xv;

    if (t != NULL && dkim_verify_number(t, &tv) < 0) {
	dstr_strcpy(why, "malformed t=");
	return (-1);
    }
    if (x != NULL) {
	if (dkim_verify_number(x, &xv) < 0) {
	    dstr_strcpy(why, "malformed x=");
	    return (-1);
	}
	if (t != NULL && xv < tv) {
	    dstr_strcpy(why, "x= is before t=");
	    return (-1);
	}
	if (now >= 0 && xv < (unsigned long long) now) {
	    dstr_strcpy(why, "signature expired");
	    return (-1);
	}
    }
    if ((sig->has_l = (l != NULL)) && dkim_verify_number(l, &sig->l) < 0) {
	dstr_strcpy(why, "malformed l=");
	return (-1);
    }
    return (0);
}

/* dkim_verify_tags - parse and check one signature's tags; -1 with why */

static int dkim_verify_tags(const char *value, size_t len, time_t now,
			            DKIM_SIG *sig, DKIM_RESULT *res, DSTR *why)
{
    ARGV   *names = argv_new(16);
    const char *q;
    int     ret = -1;

    if (dkim_tags_parse(value, len, sig->tags, why) < 0)
	goto out;
    res->domain = dkim_verify_show(attr_get_str(sig->tags, "d"));
    res->selector = dkim_verify_show(attr_get_str(sig->tags, "s"));
    res->alg = dkim_verify_show(attr_get_str(sig->tags, "a"));
    if (dkim_verify_required(sig, why) < 0 || dkim_verify_names(sig, why) < 0)
	goto out;
    if (dkim_verify_canon(attr_get_str(sig->tags, "c"), sig) < 0) {
	dstr_strcpy(why, "unsupported canonicalization in c=");
	goto out;
    }
    if (dkim_hsel_names(sig->h, names, why) < 0)
	goto out;
    if (!dkim_hsel_has(names, "from")) {
	dstr_strcpy(why, "h= does not sign From");
	goto out;
    }
    if ((q = attr_get_str(sig->tags, "q")) != NULL && !dkim_list_has(q, "dns/txt")) {
	dstr_strcpy(why, "unsupported query method in q=");
	goto out;
    }
    if (dkim_verify_times(sig, now, why) < 0)
	goto out;
    if (dkim_b64_value(attr_get_str(sig->tags, "bh"), sig->bh, DKIM_HASH_LEN + 3) < 0
	|| dstr_len(sig->bh) != DKIM_HASH_LEN) {
	dstr_strcpy(why, "malformed bh=");
	goto out;
    }
    if (dkim_b64_value(attr_get_str(sig->tags, "b"), sig->b, DKIM_VERIFY_SIG_MAX) < 0
	|| dstr_len(sig->b) == 0) {
	dstr_strcpy(why, "malformed b=");
	goto out;
    }
    ret = 0;
out:
    argv_free(names);
    return (ret);
}

/* dkim_verify_size - refuse a header too large to select from; -1 with why */

static int dkim_verify_size(const DKIM_MSG *m, DSTR *why)
{
    if (m->too_many) {
	dstr_sprintf(why, "more than %d header fields", DKIM_VERIFY_MAX_FIELDS);
	return (-1);
    }
    return (0);
}

/* dkim_verify_body_sink - hash the canonical body, up to l= */

static void dkim_verify_body_sink(void *ctx, const char *buf, size_t len)
{
    DKIM_BODY_COUNT *bc = ctx;

    bc->total += len;
    if (bc->limited) {
	if (len > bc->left)
	    len = (size_t) bc->left;
	bc->left -= len;
    }
    dkim_hash_update(bc->hash, buf, len);
}

/* dkim_verify_body - compare the body hash; -1 with why */

static int dkim_verify_body(const DKIM_MSG *m, const DKIM_SIG *sig, DSTR *why)
{
    DKIM_BODY_COUNT bc;
    DKIM_BODY *body;
    unsigned char digest[DKIM_HASH_LEN];
    size_t  off;
    size_t  n;

    bc.hash = dkim_hash_new();
    bc.limited = sig->has_l;
    bc.left = sig->l;
    bc.total = 0;
    body = dkim_body_new(sig->bcanon, dkim_verify_body_sink, &bc);
    for (off = 0; off < m->body_len; off += n) {
	n = m->body_len - off > DKIM_VERIFY_CHUNK ? DKIM_VERIFY_CHUNK : m->body_len - off;
	dkim_body_update(body, m->body + off, n);
    }
    dkim_body_end(body);
    dkim_hash_final(bc.hash, digest);
    dkim_hash_free(bc.hash);
    if (sig->has_l && bc.total < sig->l) {
	dstr_strcpy(why, "l= is longer than the body");
	return (-1);
    }
    if (memcmp(digest, dstr_str(sig->bh), DKIM_HASH_LEN) != 0) {
	dstr_strcpy(why, "body hash mismatch");
	return (-1);
    }
    return (0);
}

/* dkim_verify_key - fetch and parse the key; NULL with why and status */

static DKIM_PUBKEY *dkim_verify_key(const DKIM_SIG *sig, DKIM_TXT_LOOKUP lookup, void *ctx,
				            DKIM_STATUS *status, DSTR *why)
{
    DSTR   *name = dstr_new(256);
    DSTR   *txt = dstr_new(512);
    DSTR   *err = dstr_new(64);
    DKIM_PUBKEY *pk = NULL;
    int     rc;

    dstr_sprintf(name, "%s._domainkey.%s", sig->s, sig->d);
    dstr_set_limit(txt, DKIM_VERIFY_TXT_MAX);
    if ((rc = lookup(ctx, dstr_str(name), txt, err)) != DKIM_TXT_FOUND) {
	*status = rc == DKIM_TXT_TEMPFAIL ? DKIM_STATUS_TEMPFAIL : DKIM_STATUS_FAIL;
	dstr_sprintf(why, "key %s: %s", dstr_str(name),
		     dstr_len(err) ? dstr_str(err) : "not found");
    } else if ((pk = dkim_pubkey_parse(dstr_str(txt), dstr_len(txt), err)) == NULL) {
	*status = DKIM_STATUS_FAIL;
	dstr_sprintf(why, "key %s: %s", dstr_str(name), dstr_str(err));
    } else if (sig->i != NULL && dkim_pubkey_strict(pk)
	       && strcasecmp(strrchr(sig->i, '@') + 1, sig->d) != 0) {
	*status = DKIM_STATUS_FAIL;
	dstr_strcpy(why, "i= is below d=, which the key's t=s forbids");
	dkim_pubkey_free(pk);
	pk = NULL;
    }
    dstr_free(name);
    dstr_free(txt);
    dstr_free(err);
    return (pk);
}

/* dkim_verify_header - the signature over the header data; -1 with why */

static int dkim_verify_header(const DKIM_MSG *m, const DKIM_FIELD *field,
			              const DKIM_SIG *sig, const DKIM_PUBKEY *pk, DSTR *why)
{
    DKIM_HASH *hash = dkim_hash_new();
    unsigned char digest[DKIM_HASH_LEN];

    /* h= was checked already: this cannot fail. */
    (void) dkim_hsel_feed(sig->hcanon, m->fields, m->nfields, sig->h,
			  field->text, field->len, dkim_hash_sink, hash);
    dkim_hash_final(hash, digest);
    dkim_hash_free(hash);
    return (dkim_pubkey_verify(pk, sig->alg, digest,
			       (const unsigned char *) dstr_str(sig->b), dstr_len(sig->b), why));
}

/* dkim_verify_one - one signature, start to end */

static void dkim_verify_one(const DKIM_MSG *m, const DKIM_FIELD *field, const char *value,
			            time_t now, DKIM_TXT_LOOKUP lookup, void *ctx,
			            DKIM_RESULT *res)
{
    DKIM_SIG sig;
    DKIM_PUBKEY *pk = NULL;
    DSTR   *why = dstr_new(128);

    memset(&sig, 0, sizeof(sig));
    sig.tags = attr_list_new();
    sig.b = dstr_new(512);
    sig.bh = dstr_new(DKIM_HASH_LEN);
    res->status = DKIM_STATUS_FAIL;
    if (dkim_verify_tags(value, (size_t) (field->text + field->len - value), now,
			 &sig, res, why) == 0
	&& dkim_verify_size(m, why) == 0
	&& dkim_verify_body(m, &sig, why) == 0
	&& (pk = dkim_verify_key(&sig, lookup, ctx, &res->status, why)) != NULL
	&& dkim_verify_header(m, field, &sig, pk, why) == 0) {
	res->status = DKIM_STATUS_PASS;
	DSTR_RESET(why);
    }
    res->reason = mystrdup(dstr_str(why));
    dkim_pubkey_free(pk);
    attr_list_free(sig.tags);
    dstr_free(sig.b);
    dstr_free(sig.bh);
    dstr_free(why);
}

/* dkim_verify - every signature of a message */

size_t  dkim_verify(const char *msg, size_t len, time_t now,
		            DKIM_TXT_LOOKUP lookup, void *ctx, DKIM_RESULTS *out)
{
    DKIM_MSG m;
    DKIM_RESULT *res;
    const char *value;
    size_t  i;

    out->res = NULL;
    out->count = 0;
    dkim_verify_split(msg, len, &m);
    for (i = 0; i < m.nfields && out->count < DKIM_VERIFY_MAX_SIGS; i++) {
	if ((value = dkim_verify_is_sig(m.fields + i)) == NULL)
	    continue;
	out->res = myrealloc(out->res, (out->count + 1) * sizeof(*out->res));
	res = out->res + out->count++;
	memset(res, 0, sizeof(*res));
	dkim_verify_one(&m, m.fields + i, value, now, lookup, ctx, res);
	if (res->domain == NULL) {		/* the tags never parsed */
	    res->domain = mystrdup("");
	    res->selector = mystrdup("");
	    res->alg = mystrdup("");
	}
    }
    myfree(m.fields);
    return (out->count);
}

/* dkim_results_free - release */

void    dkim_results_free(DKIM_RESULTS *out)
{
    size_t  i;

    for (i = 0; i < out->count; i++) {
	myfree(out->res[i].domain);
	myfree(out->res[i].selector);
	myfree(out->res[i].alg);
	myfree(out->res[i].reason);
    }
    myfree(out->res);
    out->res = NULL;
    out->count = 0;
}

/* dkim_status_name - in words */

const char *dkim_status_name(DKIM_STATUS status)
{
    switch (status) {
    case DKIM_STATUS_PASS:
	return ("pass");
    case DKIM_STATUS_TEMPFAIL:
	return ("temperror");
    default:
	return ("fail");
    }
}

/* dkim_result_format - one line */

void    dkim_result_format(const DKIM_RESULT *res, DSTR *out)
{
    dstr_printf(out, "d=%s s=%s a=%s %s", *res->domain ? res->domain : "-",
		*res->selector ? res->selector : "-", *res->alg ? res->alg : "-",
		dkim_status_name(res->status));
    if (res->status != DKIM_STATUS_PASS)
	dstr_printf(out, " (%s)", res->reason);
}
