/* dkim_sig - the text of a DKIM-Signature field that cleanup adds, folded, filled in later */
#ifndef DKIM_SIG_H
#define DKIM_SIG_H
#include <stddef.h>
#include "dstr.h"

#define DKIM_SIG_LINE_MAX	76	/* folded lines stay under 78 characters */

/* What one signature says; bh= and b= are only lengths until the body is hashed. */
typedef struct DKIM_SIG_SPEC {
    const char *alg;			/* "rsa-sha256", "ed25519-sha256" */
    const char *canon;			/* "relaxed/relaxed" (the c= value) */
    const char *domain;			/* d= */
    const char *selector;		/* s= */
    const char *hlist;			/* h=: "From:From:Subject" */
    long    sign_time;			/* t= */
    long    expire_time;		/* x=; 0: none */
    size_t  bh_len;			/* base64 characters of the body hash */
    size_t  b_len;			/* base64 characters of the signature */
} DKIM_SIG_SPEC;

/*
 * Replace field with "DKIM-Signature: v=1; a=...; ... bh=...; b=..." with
 * LF TAB folding and no final line end, b= last (so the signed form is
 * everything up to "b="). The bh= and b= values are placeholders; their
 * first characters are at *bh_off and *b_off. The folding depends only on
 * the lengths, so filling them in never moves anything.
 */
extern void dkim_sig_build(DSTR *field, const DKIM_SIG_SPEC *spec, size_t *bh_off, size_t *b_off);
/* Write value over the placeholder at off, skipping the folding white space. */
extern void dkim_sig_fill(DSTR *field, size_t off, const char *value);
/* d= and s= values we write or look up: each a DNS name (str_dns_name_ok),
 * and SELECTOR._domainkey.DOMAIN one too. */
extern int dkim_sig_names_ok(const char *domain, const char *selector);

#endif
