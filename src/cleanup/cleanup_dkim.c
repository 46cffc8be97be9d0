/*
 * cleanup_dkim - DKIM signing as the message streams through cleanup
 * DESCRIPTION
 *	Signing happens once, here, before the queue file is committed, so
 *	qmgr never sees unsigned mail and every VERP copy carries the same
 *	signature (docs/design.md, "DKIM signing"). The DKIM-Signature fields
 *	go above the header section, but bh= and b= depend on the body, which
 *	has not arrived yet. So the header section is held in memory (at most
 *	CLEANUP_DKIM_HEAD_LIMIT bytes; a larger one is passed on unsigned and
 *	logged), and when it ends the fields are written with placeholders of
 *	the exact length (dkim_sig.c), followed by the held header. The body
 *	goes to the queue file as before and, converted to the bytes smtp
 *	will send (wire_enc.c, without dot stuffing), through the body
 *	canonicalizer into SHA-256. At the end the header hash is taken over
 *	the wire form of the signed fields, the key signs it, and the finished
 *	fields overwrite the placeholders in place (qfile_out_content_patch).
 *	A signature that cannot be made defers the message rather than leave
 *	a placeholder in it.
 *
 *	Key choice: the From: address, its domain, .parent domains, then "*"
 *	in dkim_signing_table (dkim_keyset.c). No From:, several From: fields
 *	or several addresses: not signed, and the log says why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cleanup_dkim.h"
#include "cleanup.h"
#include "argv.h"
#include "base64.h"
#include "cfg_params.h"
#include "dkim_canon.h"
#include "dkim_hash.h"
#include "dkim_hsel.h"
#include "dkim_keyset.h"
#include "dkim_sig.h"
#include "header_addr.h"
#include "msg.h"
#include "mymalloc.h"
#include "qid.h"
#include "wire_enc.h"

#define DK_HOLD		0		/* holding the header section */
#define DK_PASS		1		/* not signing: straight to the file */
#define DK_SIGN		2		/* signing: body to file and hash */

static DKIM_KEYSET *cleanup_dkim_keys;
static DKIM_CANON cleanup_dkim_head_canon;
static DKIM_CANON cleanup_dkim_body_canon;
static ARGV *cleanup_dkim_sign_names;
static ARGV *cleanup_dkim_over_names;

typedef struct CLEANUP_DKIM_SIG {
    const DKIM_SIGNER *signer;
    DSTR   *field;			/* the DKIM-Signature field, no line end */
    DSTR   *hlist;
    size_t  bh_off;
    size_t  b_off;
    long    pos;			/* where it sits in the content */
} CLEANUP_DKIM_SIG;

struct CLEANUP_DKIM {
    QFILE_OUT *out;
    char    qid[QID_SIZE];
    int     state;
    DSTR   *held;			/* the header section */
    DSTR   *fieldbuf;			/* the header fields' wire forms, back to back */
    size_t *field_end;			/* end offset of each field in fieldbuf */
    DSTR   *wire;			/* wire form of one body chunk */
    size_t  nfields;
    CLEANUP_DKIM_SIG sig[DKIM_KEYSET_MAX_SIGNERS];
    size_t  nsig;
    WIRE_ENC enc;
    DKIM_BODY *body;
    DKIM_HASH *body_hash;
    const char *unsigned_why;		/* a metrics label: why DK_PASS */
};

/* cleanup_dkim_names - a header name list parameter */

static ARGV *cleanup_dkim_names(const char *value)
{
    return (argv_split(value, DKIM_HEADER_LIST_DELIM));
}

/* cleanup_dkim_pre_jail - keys are read as root */

void    cleanup_dkim_pre_jail(void)
{
    DSTR   *err = dstr_new(100);

    if ((cleanup_dkim_keys = dkim_keyset_open(var_dkim_key_table, var_dkim_signing_table,
					      err)) == NULL)
	msg_fatal("%s", dstr_str(err));
    if (dkim_canon_parse_pair(var_dkim_canon, &cleanup_dkim_head_canon,
			      &cleanup_dkim_body_canon) < 0)
	msg_fatal("bad dkim_canonicalization: %s", var_dkim_canon);	/* cfg checked it */
    cleanup_dkim_sign_names = cleanup_dkim_names(var_dkim_sign_headers);
    cleanup_dkim_over_names = cleanup_dkim_names(var_dkim_oversign_headers);
    dstr_free(err);
}

/* cleanup_dkim_new - one message */

CLEANUP_DKIM *cleanup_dkim_new(QFILE_OUT *out, const char *qid)
{
    CLEANUP_DKIM *dk;

    if (cleanup_dkim_keys == NULL || !dkim_keyset_active(cleanup_dkim_keys))
	return (NULL);
    dk = mycalloc(1, sizeof(*dk));
    dk->out = out;
    strncpy(dk->qid, qid, QID_LEN);
    dk->held = dstr_new(4096);
    dk->fieldbuf = dstr_new(4096);
    dk->wire = dstr_new(4096);
    return (dk);
}

/* cleanup_dkim_pass - stop holding: what was held goes out unsigned */

static void cleanup_dkim_pass(CLEANUP_DKIM *dk, const char *why)
{
    dk->unsigned_why = why;
    qfile_out_content(dk->out, dstr_str(dk->held), dstr_len(dk->held));
    DSTR_RESET(dk->held);
    dk->state = DK_PASS;
}

/* cleanup_dkim_head - hold header bytes */

void    cleanup_dkim_head(CLEANUP_DKIM *dk, const char *buf, size_t len)
{
    if (dk->state == DK_HOLD && dstr_len(dk->held) + len > CLEANUP_DKIM_HEAD_LIMIT) {
	msg_info("%s: not DKIM-signed: header section over %d bytes", dk->qid,
		 CLEANUP_DKIM_HEAD_LIMIT);
	cleanup_dkim_pass(dk, "header_too_large");
    }
    if (dk->state == DK_HOLD)
	dstr_cat(dk->held, buf, len);
    else
	qfile_out_content(dk->out, buf, len);
}

/* cleanup_dkim_split - the wire form of each held field */

static void cleanup_dkim_split(CLEANUP_DKIM *dk)
{
    const char *cp = dstr_str(dk->held);
    const char *end = cp + dstr_len(dk->held);
    const char *start = NULL;
    const char *nl;
    size_t  cap = 16;
    size_t  flen;

    dk->field_end = mymalloc(cap * sizeof(*dk->field_end));
    for (;; cp = nl + 1) {
	nl = cp < end ? memchr(cp, '\n', (size_t) (end - cp)) : NULL;
	if (start && (nl == NULL || (*cp != ' ' && *cp != '\t'))) {
	    /* A field ends: its wire form, minus the final CR LF. */
	    flen = (size_t) (cp - start);
	    while (flen > 0 && (start[flen - 1] == '\n' || start[flen - 1] == '\r'))
		flen--;
	    wire_enc_init(&dk->enc, var_smtp_line_limit > 0 ? (size_t) var_smtp_line_limit : 0, 0);
	    wire_enc_feed(&dk->enc, start, flen, dk->fieldbuf);
	    if (dk->nfields == cap)
		dk->field_end = myrealloc(dk->field_end, (cap *= 2) * sizeof(*dk->field_end));
	    dk->field_end[dk->nfields++] = dstr_len(dk->fieldbuf);
	    start = NULL;
	}
	if (nl == NULL || *cp == '\n' || (*cp == '\r' && cp + 1 == nl))
	    break;				/* the end, or the empty line */
	if (start == NULL)
	    start = cp;
    }
}

/* cleanup_dkim_field - field i of the split */

static DKIM_FIELD cleanup_dkim_field(const CLEANUP_DKIM *dk, size_t i)
{
    size_t  from = i ? dk->field_end[i - 1] : 0;
    DKIM_FIELD f = {dstr_str(dk->fieldbuf) + from, dk->field_end[i] - from};

    return (f);
}

/* cleanup_dkim_from - the one From: address, or why there is none */

static int cleanup_dkim_from(CLEANUP_DKIM *dk, DSTR *addr, DSTR *why)
{
    DKIM_FIELD f;
    const char *value = NULL;
    size_t  vlen = 0;
    size_t  count = 0;
    size_t  i;

    for (i = 0; i < dk->nfields; i++) {
	f = cleanup_dkim_field(dk, i);
	if (cleanup_hdr_name_is(f.text, f.len, "From")) {
	    value = memchr(f.text, ':', f.len) + 1;
	    vlen = f.len - (size_t) (value - f.text);
	    count++;
	}
    }
    if (count != 1) {
	dstr_sprintf(why, count ? "%zu From: header fields" : "no From: header field", count);
	return (-1);
    }
    switch (header_addr_one(value, vlen, addr)) {
    case HEADER_ADDR_ONE:
	return (0);
    case HEADER_ADDR_NONE:
	dstr_strcpy(why, "no address in the From: header field");
	return (-1);
    case HEADER_ADDR_MANY:
	dstr_strcpy(why, "more than one address in the From: header field");
	return (-1);
    default:
	dstr_strcpy(why, "malformed From: header field");
	return (-1);
    }
}

/* cleanup_dkim_hlist - h=: each configured name per occurrence, oversigned ones once more */

static void cleanup_dkim_hlist(const CLEANUP_DKIM *dk, DSTR *hlist)
{
    ARGV   *names = cleanup_dkim_sign_names;
    DKIM_FIELD f;
    size_t  i;
    size_t  j;
    size_t  n;
    int     have_from = 0;

    DSTR_RESET(hlist);
    for (i = 0; i < names->argc; i++)
	have_from |= strcasecmp(names->argv[i], "From") == 0;
    if (!have_from)				/* RFC 6376 5.4: From is a must */
	dstr_cats(hlist, "From:");
    for (i = 0; i < names->argc; i++) {
	for (n = 0, j = 0; j < dk->nfields; j++) {
	    f = cleanup_dkim_field(dk, j);
	    n += cleanup_hdr_name_is(f.text, f.len, names->argv[i]);
	}
	if (dkim_hsel_has(cleanup_dkim_over_names, names->argv[i]))
	    n++;
	while (n-- > 0)
	    dstr_printf(hlist, "%s:", names->argv[i]);
    }
    dstr_truncate(hlist, dstr_len(hlist) - 1);	/* the last colon */
}

/* cleanup_dkim_start - placeholders for each signer, then the held header */

static void cleanup_dkim_start(CLEANUP_DKIM *dk, const DKIM_SIGNER **signers, size_t n)
{
    CLEANUP_DKIM_SIG *sig;
    DKIM_SIG_SPEC spec;
    DSTR   *hlist = dstr_new(256);
    char    canon[32];
    time_t  now = time((time_t *) 0);

    cleanup_dkim_hlist(dk, hlist);
    snprintf(canon, sizeof(canon), "%s/%s",
	     cleanup_dkim_head_canon == DKIM_CANON_RELAXED ? "relaxed" : "simple",
	     cleanup_dkim_body_canon == DKIM_CANON_RELAXED ? "relaxed" : "simple");
    for (dk->nsig = 0; dk->nsig < n; dk->nsig++) {
	sig = dk->sig + dk->nsig;
	sig->signer = signers[dk->nsig];
	sig->field = dstr_new(512);
	sig->hlist = dstr_new(dstr_len(hlist) + 1);
	dstr_strcpy(sig->hlist, dstr_str(hlist));
	spec.alg = dkim_alg_name(dkim_key_alg(sig->signer->key));
	spec.canon = canon;
	spec.domain = sig->signer->domain;
	spec.selector = sig->signer->selector;
	spec.hlist = dstr_str(hlist);
	spec.sign_time = (long) now;
	spec.expire_time = var_dkim_sig_ttl > 0 ? (long) now + var_dkim_sig_ttl : 0;
	spec.bh_len = 44;			/* base64 of 32 bytes */
	spec.b_len = dkim_key_sig_b64_len(sig->signer->key);
	dkim_sig_build(sig->field, &spec, &sig->bh_off, &sig->b_off);
	sig->pos = qfile_out_content_size(dk->out);
	qfile_out_content(dk->out, dstr_str(sig->field), dstr_len(sig->field));
	qfile_out_content(dk->out, "\n", 1);
    }
    qfile_out_content(dk->out, dstr_str(dk->held), dstr_len(dk->held));
    DSTR_RESET(dk->held);
    dk->body_hash = dkim_hash_new();
    dk->body = dkim_body_new(cleanup_dkim_body_canon, dkim_hash_sink, dk->body_hash);
    wire_enc_init(&dk->enc, var_smtp_line_limit > 0 ? (size_t) var_smtp_line_limit : 0, 0);
    dk->state = DK_SIGN;
    dstr_free(hlist);
}

/* cleanup_dkim_head_end - decide */

void    cleanup_dkim_head_end(CLEANUP_DKIM *dk)
{
    const DKIM_SIGNER *signers[DKIM_KEYSET_MAX_SIGNERS];
    DSTR   *addr = dstr_new(64);
    DSTR   *why = dstr_new(64);
    size_t  n;

    if (dk->state != DK_HOLD)
	goto out;
    cleanup_dkim_split(dk);
    if (cleanup_dkim_from(dk, addr, why) < 0) {
	msg_info("%s: not DKIM-signed: %s", dk->qid, dstr_str(why));
	cleanup_dkim_pass(dk, "no_from");
	goto out;
    }
    n = dkim_keyset_lookup(cleanup_dkim_keys, dstr_str(addr), signers, why);
    if (dstr_len(why) > 0)
	msg_warn("%s: %s", dk->qid, dstr_str(why));
    if (n == 0) {
	msg_info("%s: not DKIM-signed: no dkim_signing_table entry for %s",
		 dk->qid, dstr_str(addr));
	cleanup_dkim_pass(dk, "no_signing_entry");
	goto out;
    }
    cleanup_dkim_start(dk, signers, n);
out:
    dstr_free(addr);
    dstr_free(why);
}

/* cleanup_dkim_body - to the file, and to the hash when signing */

void    cleanup_dkim_body(CLEANUP_DKIM *dk, const char *buf, size_t len)
{
    if (dk->state == DK_HOLD)
	msg_panic("%s: body before the end of the header section", __func__);
    qfile_out_content(dk->out, buf, len);
    if (dk->state != DK_SIGN)
	return;
    DSTR_RESET(dk->wire);
    wire_enc_feed(&dk->enc, buf, len, dk->wire);
    dkim_body_update(dk->body, dstr_str(dk->wire), dstr_len(dk->wire));
}

/* cleanup_dkim_sign_one - hash the header, sign, fill in, patch the file */

static int cleanup_dkim_sign_one(CLEANUP_DKIM *dk, CLEANUP_DKIM_SIG *sig, const char *bh,
				         const DKIM_FIELD *fields, DSTR *reason)
{
    unsigned char digest[DKIM_HASH_LEN];
    DKIM_HASH *hash = dkim_hash_new();
    DSTR   *b = dstr_new(512);
    int     ret = -1;

    dkim_sig_fill(sig->field, sig->bh_off, bh);
    if (dkim_hsel_feed(cleanup_dkim_head_canon, fields, dk->nfields, dstr_str(sig->hlist),
		       dstr_str(sig->field), dstr_len(sig->field),
		       dkim_hash_sink, hash) < 0) {
	dstr_sprintf(reason, "bad h= list \"%s\"", dstr_str(sig->hlist));
    } else {
	dkim_hash_final(hash, digest);
	if (dkim_key_sign(sig->signer->key, digest, b, reason) == 0) {
	    if (dstr_len(b) != dkim_key_sig_b64_len(sig->signer->key)) {
		dstr_sprintf(reason, "signature of %zu characters, expected %zu",
			     dstr_len(b), dkim_key_sig_b64_len(sig->signer->key));
	    } else {
		dkim_sig_fill(sig->field, sig->b_off, dstr_str(b));
		qfile_out_content_patch(dk->out, sig->pos, dstr_str(sig->field),
					dstr_len(sig->field));
		ret = 0;
	    }
	}
    }
    dkim_hash_free(hash);
    dstr_free(b);
    return (ret);
}

/* cleanup_dkim_finish - sign */

int     cleanup_dkim_finish(CLEANUP_DKIM *dk, DSTR *reason)
{
    unsigned char digest[DKIM_HASH_LEN];
    DKIM_FIELD *fields;
    DSTR   *bh = dstr_new(64);
    size_t  i;
    int     ret = 0;

    if (dk->state != DK_SIGN) {
	dstr_free(bh);
	return (0);
    }
    DSTR_RESET(dk->wire);
    wire_enc_end(&dk->enc, dk->wire);
    dkim_body_update(dk->body, dstr_str(dk->wire), dstr_len(dk->wire));
    dkim_body_end(dk->body);
    dk->body = NULL;
    dkim_hash_final(dk->body_hash, digest);
    base64_encode(bh, digest, sizeof(digest));
    fields = mymalloc((dk->nfields ? dk->nfields : 1) * sizeof(*fields));
    for (i = 0; i < dk->nfields; i++)
	fields[i] = cleanup_dkim_field(dk, i);
    for (i = 0; i < dk->nsig && ret == 0; i++) {
	if ((ret = cleanup_dkim_sign_one(dk, dk->sig + i, dstr_str(bh), fields, reason)) == 0)
	    msg_info("%s: DKIM-Signature field added (s=%s, d=%s)", dk->qid,
		     dk->sig[i].signer->selector, dk->sig[i].signer->domain);
    }
    free(fields);
    dstr_free(bh);
    return (ret);
}

/* cleanup_dkim_record - the outcome as an envelope attribute (qfile.h) */

void    cleanup_dkim_record(const CLEANUP_DKIM *dk, QFILE_OUT *out)
{
    DSTR   *val;
    size_t  i;

    if (dk->state == DK_PASS) {
	qfile_out_attr(out, QFILE_ATTR_DKIM_UNSIGNED, dk->unsigned_why);
    } else if (dk->state == DK_SIGN) {
	val = dstr_new(64);
	for (i = 0; i < dk->nsig; i++)
	    dstr_printf(val, "%s%s/%s", i ? " " : "", dk->sig[i].signer->domain,
			dkim_alg_name(dkim_key_alg(dk->sig[i].signer->key)));
	qfile_out_attr(out, QFILE_ATTR_DKIM_SIGNED, dstr_str(val));
	dstr_free(val);
    }
}

/* cleanup_dkim_free - release */

void    cleanup_dkim_free(CLEANUP_DKIM *dk)
{
    size_t  i;

    for (i = 0; i < dk->nsig; i++) {
	dstr_free(dk->sig[i].field);
	dstr_free(dk->sig[i].hlist);
    }
    if (dk->body)
	dkim_body_end(dk->body);		/* frees it; the hash is dropped below */
    if (dk->body_hash)
	dkim_hash_free(dk->body_hash);
    dstr_free(dk->held);
    dstr_free(dk->fieldbuf);
    dstr_free(dk->wire);
    free(dk->field_end);
    free(dk);
}
