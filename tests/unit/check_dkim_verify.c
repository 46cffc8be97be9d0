/*
 * check_dkim_verify - unit tests for key records and message verification
 * DESCRIPTION
 *	RFC 8463 Appendix A: our Ed25519 signer makes the RFC's b= bit for
 *	bit from its key, message and tags, and the verifier passes both of
 *	its signatures (Ed25519 and the 1024-bit RSA one) with its key
 *	records, CR LF or LF line ends, and fails them when the body or a
 *	signed field changes or a second From is put on top. Messages signed
 *	by dkimpy (tests/unit/data/dkim, make-fixtures.py) with RSA and
 *	Ed25519, relaxed and simple, and l=, verify the same way. Then the
 *	reasons a signature fails (tags, expiry, keys revoked or of the wrong
 *	type or too weak, lookups failing for good or for now), the result
 *	lines, and key record parsing (dkim_pubkey_parse).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "dkim_hash.h"
#include "dkim_hsel.h"
#include "dkim_key.h"
#include "dkim_pubkey.h"
#include "dkim_verify.h"
#include "fsutil.h"

#ifndef SRCDIR
#define SRCDIR	"."
#endif
#define DATA	SRCDIR "/tests/unit/data/dkim/"

#define RFC_ED_RECORD	"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define RFC_RSA_P	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR" \
			"iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC" \
			"DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3" \
			"Ip3G+2kryOTIKT+l/K4w3QIDAQAB"
#define RFC_RSA_RECORD	"v=DKIM1; k=rsa; p=" RFC_RSA_P
#define RFC_TIME	1528637909

/* RFC 8463 A.3, as published. */
static const char rfc8463_message[] =
"DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
" d=football.example.com; i=@football.example.com;\r\n"
" q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
" subject : date : message-id : from : subject : date;\r\n"
" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
" b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"
" Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n"
"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
" d=football.example.com; i=@football.example.com;\r\n"
" q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"
" date : message-id : from : subject : date;\r\n"
" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
" b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n"
" DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n"
" dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\r\n"
"From: Joe SixPack <joe@football.example.com>\r\n"
"To: Suzie Q <suzie@shopping.example.net>\r\n"
"Subject: Is dinner ready?\r\n"
"Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
"Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
"\r\n"
"Hi.\r\n"
"\r\n"
"We lost the game.  Are you hungry yet?\r\n"
"\r\n"
"Joe.\r\n"
"\r\n";

 /*
  * The key records a test's resolver knows. An entry with a NULL txt
  * fails the lookup with rc.
  */
typedef struct KEYS {
    const char *name;
    const char *txt;
    int     rc;
} KEYS;

static const KEYS rfc_keys[] = {
    {"brisbane._domainkey.football.example.com", RFC_ED_RECORD, 0},
    {"test._domainkey.football.example.com", RFC_RSA_RECORD, 0},
    {0},
};

/* lookup - DKIM_TXT_LOOKUP over a KEYS table */

static int lookup(void *ctx, const char *name, DSTR *txt, DSTR *why)
{
    const KEYS *k;

    for (k = ctx; k->name; k++) {
	if (strcmp(k->name, name) != 0)
	    continue;
	if (k->txt == NULL) {
	    dstr_strcpy(why, k->rc == DKIM_TXT_TEMPFAIL ? "Host not found, try again"
			: "Host found but no data record of requested type");
	    return (k->rc);
	}
	dstr_strcpy(txt, k->txt);
	return (DKIM_TXT_FOUND);
    }
    dstr_strcpy(why, "Host not found");
    return (DKIM_TXT_PERMFAIL);
}

/* edit - text with the first from replaced by to (from must occur) */

static const char *edit(const char *text, const char *from, const char *to, DSTR *out)
{
    const char *at = strstr(text, from);

    ck_assert_msg(at != NULL, "\"%s\" not found", from);
    DSTR_RESET(out);
    dstr_cat(out, text, (size_t) (at - text));
    dstr_cats(out, to);
    dstr_cats(out, at + strlen(from));
    return (dstr_str(out));
}

/* lf_only - every CR LF of text as LF */

static const char *lf_only(const char *text, DSTR *out)
{
    DSTR_RESET(out);
    for (; *text; text++)
	if (!(text[0] == '\r' && text[1] == '\n'))
	    dstr_catc(out, *text);
    return (dstr_str(out));
}

/* verify - the result lines of msg, joined by " | " */

static const char *verify(const char *msg, const KEYS *keys, time_t now, DSTR *out)
{
    DKIM_RESULTS res;
    size_t  i;

    DSTR_RESET(out);
    dkim_verify(msg, strlen(msg), now, lookup, (void *) keys, &res);
    for (i = 0; i < res.count; i++) {
	if (i > 0)
	    dstr_cats(out, " | ");
	dkim_result_format(res.res + i, out);
    }
    dkim_results_free(&res);
    return (dstr_str(out));
}

#define RFC_ED_PASS	"d=football.example.com s=brisbane a=ed25519-sha256 pass"
#define RFC_RSA_PASS	"d=football.example.com s=test a=rsa-sha256 pass"
#define RFC_BOTH_FAIL(why) "d=football.example.com s=brisbane a=ed25519-sha256 fail (" why ")" \
	" | d=football.example.com s=test a=rsa-sha256 fail (" why ")"

/* load_data - a file of tests/unit/data/dkim into out */

static const char *load_data(const char *name, DSTR *out)
{
    DSTR   *path = dstr_new(64);

    dstr_sprintf(path, DATA "%s", name);
    ck_assert_msg(fs_read_file(dstr_str(path), out, 0) == 0, "read %s", dstr_str(path));
    if (dstr_len(out) > 0 && dstr_str(out)[dstr_len(out) - 1] == '\n'
	&& strstr(name, ".txt") != NULL)
	dstr_truncate(out, dstr_len(out) - 1);	/* a record file's line end */
    dstr_free(path);
    return (dstr_str(out));
}

START_TEST(rfc8463_ed25519_signature_bit_for_bit)
{
    const char *sig_end = strstr(rfc8463_message, "\r\nDKIM-Signature");
    const char *hdr_end = strstr(rfc8463_message, "\r\n\r\n") + 2;
    const char *body = hdr_end + 2;
    DKIM_FIELD fields[8] = {
	{rfc8463_message, (size_t) (sig_end - rfc8463_message)},
    };
    DSTR   *why = dstr_new(64);
    DSTR   *warn = dstr_new(64);
    DSTR   *b64 = dstr_new(128);
    DKIM_KEY *key = dkim_key_load(DATA "rfc8463-ed25519.pem", why, warn);
    DKIM_HASH *hash = dkim_hash_new();
    DKIM_BODY *canon;
    unsigned char digest[DKIM_HASH_LEN];
    const char *cp;
    size_t  n = 1;

    ck_assert_msg(key != NULL, "%s", dstr_str(why));
    /* The five fields below the signatures, for the selection. */
    for (cp = strstr(rfc8463_message, "From:"); cp < hdr_end; cp = strstr(cp, "\r\n") + 2) {
	fields[n].text = cp;
	fields[n++].len = (size_t) (strstr(cp, "\r\n") - cp);
    }
    ck_assert_uint_eq(n, 6);
    ck_assert_int_eq(dkim_hsel_feed(DKIM_CANON_RELAXED, fields, n,
				    "from : to : subject : date : message-id : "
				    "from : subject : date", fields[0].text, fields[0].len,
				    dkim_hash_sink, hash), 0);
    dkim_hash_final(hash, digest);
    dkim_hash_free(hash);
    ck_assert_int_eq(dkim_key_sign(key, digest, b64, why), 0);
    ck_assert_str_eq(dstr_str(b64), "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus"
		     "Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==");
    /* And the body hash of bh=. */
    hash = dkim_hash_new();
    canon = dkim_body_new(DKIM_CANON_RELAXED, dkim_hash_sink, hash);
    dkim_body_update(canon, body, strlen(body));
    dkim_body_end(canon);
    dkim_hash_final(hash, digest);
    dkim_hash_free(hash);
    DSTR_RESET(b64);
    base64_encode(b64, digest, sizeof(digest));
    ck_assert_str_eq(dstr_str(b64), "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
    dkim_key_free(key);
    dstr_free(why);
    dstr_free(warn);
    dstr_free(b64);
}
END_TEST

START_TEST(rfc8463_example_verifies)
{
    DSTR   *out = dstr_new(256);
    DSTR   *lf = dstr_new(2048);

    ck_assert_str_eq(verify(rfc8463_message, rfc_keys, RFC_TIME + 86400, out),
		     RFC_ED_PASS " | " RFC_RSA_PASS);
    ck_assert_str_eq(verify(lf_only(rfc8463_message, lf), rfc_keys, RFC_TIME, out),
		     RFC_ED_PASS " | " RFC_RSA_PASS);
    dstr_free(out);
    dstr_free(lf);
}
END_TEST

START_TEST(rfc8463_example_tampered)
{
    DSTR   *out = dstr_new(256);
    DSTR   *msg = dstr_new(2048);

    ck_assert_str_eq(verify(edit(rfc8463_message, "hungry", "angry", msg), rfc_keys,
			    RFC_TIME, out), RFC_BOTH_FAIL("body hash mismatch"));
    ck_assert_str_eq(verify(edit(rfc8463_message, "dinner", "lunch", msg), rfc_keys,
			    RFC_TIME, out), RFC_BOTH_FAIL("signature did not verify"));
    /* From is signed twice: a From put on top cannot slip in. */
    ck_assert_str_eq(verify(edit(rfc8463_message, "From: Joe",
				 "From: Mallory <m@evil.example>\r\nFrom: Joe", msg),
			    rfc_keys, RFC_TIME, out), RFC_BOTH_FAIL("signature did not verify"));
    /* A field nobody signed may be added. */
    ck_assert_str_eq(verify(edit(rfc8463_message, "Message-ID:", "X-Mailer: any\r\nMessage-ID:",
				 msg), rfc_keys, RFC_TIME, out), RFC_ED_PASS " | " RFC_RSA_PASS);
    /* Relaxed: white space and case in signed fields do not matter. */
    ck_assert_str_eq(verify(edit(rfc8463_message, "Subject: Is dinner", "SUBJECT :  Is \tdinner",
				 msg), rfc_keys, RFC_TIME, out), RFC_ED_PASS " | " RFC_RSA_PASS);
    dstr_free(out);
    dstr_free(msg);
}
END_TEST

/* the dkimpy fixtures */
static const KEYS dkimpy_keys[] = {
    {"rsa._domainkey.example.org", 0, 0},	/* txt filled in by dkimpy_setup */
    {"ed._domainkey.example.org", 0, 0},
    {0},
};
static KEYS fixture_keys[3];
static DSTR *fixture_txt[2];

static void dkimpy_setup(void)
{
    memcpy(fixture_keys, dkimpy_keys, sizeof(fixture_keys));
    fixture_txt[0] = dstr_new(512);
    fixture_txt[1] = dstr_new(128);
    fixture_keys[0].txt = load_data("rsa2048.txt", fixture_txt[0]);
    fixture_keys[1].txt = load_data("ed25519.txt", fixture_txt[1]);
}

static void dkimpy_teardown(void)
{
    fixture_txt[0] = dstr_free(fixture_txt[0]);
    fixture_txt[1] = dstr_free(fixture_txt[1]);
}

/* dkimpy_case - a fixture passes, with either line ends, and fails when tampered */

static void dkimpy_case(const char *name, const char *pass, int relaxed)
{
    DSTR   *msg = dstr_new(2048);
    DSTR   *alt = dstr_new(2048);
    DSTR   *out = dstr_new(256);
    DSTR   *want = dstr_new(256);
    time_t  now = time(NULL);

    load_data(name, msg);
    ck_assert_str_eq(verify(dstr_str(msg), fixture_keys, now, out), pass);
    ck_assert_str_eq(verify(lf_only(dstr_str(msg), alt), fixture_keys, now, out), pass);
    dstr_memcpy(want, pass, strlen(pass) - 4);	/* "pass" */
    dstr_cats(want, "fail (body hash mismatch)");
    ck_assert_str_eq(verify(edit(dstr_str(msg), "Hello Bob", "Hello Eve", alt), fixture_keys,
			    now, out), dstr_str(want));
    dstr_memcpy(want, pass, strlen(pass) - 4);
    dstr_cats(want, "fail (signature did not verify)");
    ck_assert_str_eq(verify(edit(dstr_str(msg), "Testing   DKIM", "Testing   DKIN", alt),
			    fixture_keys, now, out), dstr_str(want));
    ck_assert_str_eq(verify(edit(dstr_str(msg), "<fixture-1@", "<fixture-2@", alt),
			    fixture_keys, now, out), dstr_str(want));
    /* Unfolding a signed field matters to simple only. */
    ck_assert_str_eq(verify(edit(dstr_str(msg), "bob@example.com,\r\n\tcarol",
				 "bob@example.com, carol", alt), fixture_keys, now, out),
		     relaxed ? pass : dstr_str(want));
    dstr_free(msg);
    dstr_free(alt);
    dstr_free(out);
    dstr_free(want);
}

#define DKIMPY_RSA	"d=example.org s=rsa a=rsa-sha256 pass"
#define DKIMPY_ED	"d=example.org s=ed a=ed25519-sha256 pass"

START_TEST(dkimpy_rsa_relaxed)
{
    dkimpy_case("rsa-relaxed.eml", DKIMPY_RSA, 1);
}
END_TEST

START_TEST(dkimpy_rsa_simple)
{
    dkimpy_case("rsa-simple.eml", DKIMPY_RSA, 0);
}
END_TEST

START_TEST(dkimpy_ed25519_relaxed)
{
    dkimpy_case("ed25519-relaxed.eml", DKIMPY_ED, 1);
}
END_TEST

START_TEST(dkimpy_ed25519_simple)
{
    dkimpy_case("ed25519-simple.eml", DKIMPY_ED, 0);
}
END_TEST

START_TEST(dkimpy_body_length_limit)
{
    DSTR   *msg = dstr_new(2048);
    DSTR   *alt = dstr_new(2048);
    DSTR   *out = dstr_new(256);
    time_t  now = time(NULL);

    load_data("rsa-relaxed-simple-l.eml", msg);
    ck_assert_str_eq(verify(dstr_str(msg), fixture_keys, now, out), DKIMPY_RSA);
    /* l= covers what was signed: text added after it does not count. */
    dstr_cats(msg, "Appended by a mailing list\r\n");
    ck_assert_str_eq(verify(dstr_str(msg), fixture_keys, now, out), DKIMPY_RSA);
    ck_assert_str_eq(verify(edit(dstr_str(msg), "Alice\r\n", "Alice\r\n\r\n", alt),
			    fixture_keys, now, out), DKIMPY_RSA);
    /* A body cut shorter than l= fails. */
    ck_assert_str_eq(verify(edit(dstr_str(msg), "Alice\r\n\r\n\r\nAppended by a mailing list\r\n",
				 "", alt), fixture_keys, now, out),
		     "d=example.org s=rsa a=rsa-sha256 fail (l= is longer than the body)");
    dstr_free(msg);
    dstr_free(alt);
    dstr_free(out);
}
END_TEST

/* first - the first result line of the RFC message edited once */

static const char *first(const char *from, const char *to, const KEYS *keys, DSTR *out)
{
    DSTR   *msg = dstr_new(2048);
    const char *bar;

    verify(edit(rfc8463_message, from, to, msg), keys, RFC_TIME, out);
    if ((bar = strstr(dstr_str(out), " | ")) != NULL)
	dstr_truncate(out, (size_t) (bar - dstr_str(out)));
    dstr_free(msg);
    return (dstr_str(out));
}

#define ED_FAIL(why)	"d=football.example.com s=brisbane a=ed25519-sha256 fail (" why ")"

START_TEST(bad_signatures_fail_with_a_reason)
{
    DSTR   *out = dstr_new(256);

    ck_assert_str_eq(first("v=1; a=ed25519", "v=2; a=ed25519", rfc_keys, out),
		     ED_FAIL("v= is not 1"));
    ck_assert_str_eq(first("a=ed25519-sha256", "a=rsa-sha1", rfc_keys, out),
		     "d=football.example.com s=brisbane a=rsa-sha1 fail "
		     "(rsa-sha1 is not accepted (RFC 8301))");
    ck_assert_str_eq(first("a=ed25519-sha256", "a=ed448-sha512", rfc_keys, out),
		     "d=football.example.com s=brisbane a=ed448-sha512 fail "
		     "(unsupported algorithm in a=)");
    ck_assert_str_eq(first("s=brisbane;", "", rfc_keys, out),
		     "d=football.example.com s=- a=ed25519-sha256 fail (no s= tag)");
    ck_assert_str_eq(first("s=brisbane;", "s=brisbane; s=x;", rfc_keys, out),
		     "d=- s=- a=- fail (tag \"s\" occurs twice)");
    ck_assert_str_eq(first("h=from : to :\r\n subject : date : message-id : from : subject : date;",
			   "h=to : subject;", rfc_keys, out),
		     ED_FAIL("h= does not sign From"));
    ck_assert_str_eq(first("h=from : to :", "h=from :: to :", rfc_keys, out),
		     ED_FAIL("empty header field name in h="));
    ck_assert_str_eq(first("c=relaxed/relaxed", "c=relaxed/nowsp", rfc_keys, out),
		     ED_FAIL("unsupported canonicalization in c="));
    ck_assert_str_eq(first("q=dns/txt", "q=http/well-known", rfc_keys, out),
		     ED_FAIL("unsupported query method in q="));
    ck_assert_str_eq(first("i=@football.example.com", "i=joe@example.com", rfc_keys, out),
		     ED_FAIL("i= is not in the domain of d="));
    ck_assert_str_eq(first("i=@football.example.com", "i=@xfootball.example.com", rfc_keys, out),
		     ED_FAIL("i= is not in the domain of d="));
    ck_assert_str_eq(first("d=football.example.com", "d=football..example.com", rfc_keys, out),
		     "d=football..example.com s=brisbane a=ed25519-sha256 fail "
		     "(malformed d= or s=)");
    ck_assert_str_eq(first("t=1528637909;", "t=1528637909; x=1528637900;", rfc_keys, out),
		     ED_FAIL("x= is before t="));
    ck_assert_str_eq(first("t=1528637909;", "t=1528637909; x=1528637908;", rfc_keys, out),
		     ED_FAIL("x= is before t="));
    ck_assert_str_eq(first("t=1528637909;", "t=15286379x9;", rfc_keys, out),
		     ED_FAIL("malformed t="));
    ck_assert_str_eq(first("t=1528637909;", "t=1528637909; l=1234567890123456789;", rfc_keys, out),
		     ED_FAIL("malformed l="));
    ck_assert_str_eq(first("bh=2jUSOH9", "bh=2jUSOH8", rfc_keys, out),
		     ED_FAIL("body hash mismatch"));
    ck_assert_str_eq(first("bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=", "bh=2jUSOH9N",
			   rfc_keys, out), ED_FAIL("malformed bh="));
    ck_assert_str_eq(first("b=/gCrin", "b=/gCri!", rfc_keys, out), ED_FAIL("malformed b="));
    ck_assert_str_eq(first("b=/gCrin", "b=/gCrim", rfc_keys, out),
		     ED_FAIL("signature did not verify"));
    dstr_free(out);
}
END_TEST

START_TEST(expiry_is_checked_against_now)
{
    DSTR   *out = dstr_new(256);
    DSTR   *msg = dstr_new(2048);

    edit(rfc8463_message, "t=1528637909;", "t=1528637909; x=1528640000;", msg);
    /* x= is signed, so the signature no longer verifies; expiry is seen first. */
    verify(dstr_str(msg), rfc_keys, 1528640001, out);
    ck_assert_str_eq(dstr_str(out), ED_FAIL("signature expired") " | " RFC_RSA_PASS);
    verify(dstr_str(msg), rfc_keys, 1528640000, out);
    ck_assert_ptr_nonnull(strstr(dstr_str(out), ED_FAIL("signature did not verify")));
    dstr_free(out);
    dstr_free(msg);
}
END_TEST

START_TEST(key_problems_fail_with_a_reason)
{
    static const KEYS none[] = {{0}};
    static const KEYS nodata[] = {{"brisbane._domainkey.football.example.com", 0, DKIM_TXT_PERMFAIL}, {0}};
    static const KEYS temp[] = {{"brisbane._domainkey.football.example.com", 0, DKIM_TXT_TEMPFAIL}, {0}};
    static const KEYS revoked[] = {{"brisbane._domainkey.football.example.com", "v=DKIM1; k=ed25519; p=", 0}, {0}};
    static const KEYS wrong_type[] = {{"brisbane._domainkey.football.example.com", RFC_RSA_RECORD, 0}, {0}};
    static const KEYS strict[] = {{"brisbane._domainkey.football.example.com", RFC_ED_RECORD "; t=y:s", 0}, {0}};
    static const KEYS junk[] = {{"brisbane._domainkey.football.example.com", "v=spf1 -all", 0}, {0}};
    DSTR   *out = dstr_new(256);

#define KEY	"key brisbane._domainkey.football.example.com: "
    ck_assert_str_eq(first("Hi.", "Hi.", none, out), ED_FAIL(KEY "Host not found"));
    ck_assert_str_eq(first("Hi.", "Hi.", nodata, out),
		     ED_FAIL(KEY "Host found but no data record of requested type"));
    ck_assert_str_eq(first("Hi.", "Hi.", temp, out),
		     "d=football.example.com s=brisbane a=ed25519-sha256 temperror ("
		     KEY "Host not found, try again)");
    ck_assert_str_eq(first("Hi.", "Hi.", revoked, out), ED_FAIL(KEY "key revoked"));
    ck_assert_str_eq(first("Hi.", "Hi.", wrong_type, out),
		     ED_FAIL("key type rsa does not match a=ed25519-sha256"));
    ck_assert_str_eq(first("Hi.", "Hi.", junk, out), ED_FAIL(KEY "v= is not DKIM1"));
    /* t=s: i= must be d= itself. */
    ck_assert_str_eq(first("Hi.", "Hi.", strict, out), RFC_ED_PASS);
    ck_assert_str_eq(first("i=@football.example.com", "i=joe@news.football.example.com",
			   strict, out), ED_FAIL("i= is below d=, which the key's t=s forbids"));
    dstr_free(out);
}
END_TEST

START_TEST(messages_without_signatures)
{
    DKIM_RESULTS res;
    static const char plain[] = "From: a@example.org\r\nDKIM-Signature-X: v=1\r\n\r\nbody\r\n";

    ck_assert_uint_eq(dkim_verify(plain, strlen(plain), 0, lookup, (void *) rfc_keys, &res), 0);
    ck_assert_uint_eq(res.count, 0);
    dkim_results_free(&res);
    ck_assert_uint_eq(dkim_verify("", 0, 0, lookup, (void *) rfc_keys, &res), 0);
    dkim_results_free(&res);
}
END_TEST

START_TEST(signatures_and_header_fields_are_bounded)
{
    DSTR   *msg = dstr_new(8192);
    DSTR   *msg2 = dstr_new(8192);
    DKIM_RESULTS res;
    int     i;

    for (i = 0; i < 40; i++)
	dstr_cats(msg, "DKIM-Signature: v=1\r\n");
    dstr_cats(msg, "From: a@example.org\r\n\r\n");
    ck_assert_uint_eq(dkim_verify(dstr_str(msg), dstr_len(msg), 0, lookup, (void *) rfc_keys,
				  &res), DKIM_VERIFY_MAX_SIGS);
    ck_assert_str_eq(res.res[0].reason, "no a= tag");
    ck_assert_int_eq(res.res[0].status, DKIM_STATUS_FAIL);
    dkim_results_free(&res);
    /* Selection costs fields x names: a huge header fails. */
    DSTR_RESET(msg);
    for (i = 0; i < 10000; i++)
	dstr_cats(msg, "X: y\r\n");
    dstr_cats(msg, "From: Joe");
    edit(rfc8463_message, "From: Joe", dstr_str(msg), msg2);
    dstr_strcpy(msg, dstr_str(msg2));
    ck_assert_uint_eq(dkim_verify(dstr_str(msg), dstr_len(msg), RFC_TIME, lookup,
				  (void *) rfc_keys, &res), 2);
    ck_assert_str_eq(res.res[1].reason, "more than 10000 header fields");
    dkim_results_free(&res);
    dstr_free(msg);
    dstr_free(msg2);
}
END_TEST

START_TEST(result_values_are_made_printable)
{
    DSTR   *out = dstr_new(256);

    /* A value may hold folding white space; shown as '?'. */
    ck_assert_str_eq(first("d=football.example.com;", "d=football.\r\n example.com;", rfc_keys, out),
		     "d=football.???example.com s=brisbane a=ed25519-sha256 fail "
		     "(malformed d= or s=)");
    dstr_free(out);
}
END_TEST

/* parse_refused - dkim_pubkey_parse refuses txt with why */

static void parse_refused(const char *txt, const char *why_text)
{
    DSTR   *why = dstr_new(64);

    ck_assert_ptr_null(dkim_pubkey_parse(txt, strlen(txt), why));
    ck_assert_str_eq(dstr_str(why), why_text);
    dstr_free(why);
}

START_TEST(key_records_refused)
{
    parse_refused("v=DKIM1; k=ed25519; p=", "key revoked");
    parse_refused("v=DKIM1; p= \r\n ", "key revoked");
    parse_refused("k=rsa; v=DKIM1; p=" RFC_RSA_P, "v= is not the first tag");
    parse_refused("v=DKIM2; p=" RFC_RSA_P, "v= is not DKIM1");
    parse_refused("v=DKIM1; k=dsa; p=" RFC_RSA_P, "unsupported key type in k=");
    parse_refused("v=DKIM1; h=sha1; p=" RFC_RSA_P, "h= does not allow sha256");
    parse_refused("v=DKIM1; s=tlsrpt; p=" RFC_RSA_P, "s= does not allow email");
    parse_refused("v=DKIM1; k=rsa", "no p= tag");
    parse_refused("v=DKIM1; p=not base64!", "p= is not valid base64 of at most 4096 bytes");
    parse_refused("v=DKIM1; p=AQAB", "p= is not an RSA public key");
    parse_refused("v=DKIM1; k=ed25519; p=" RFC_RSA_P, "p= is not a 32-byte Ed25519 key");
    parse_refused("v=DKIM1; k=ed25519; p=AAAA", "p= is not a 32-byte Ed25519 key");
    parse_refused("v=DKIM1; p=1; p=2", "tag \"p\" occurs twice");
}
END_TEST

/* parse_ok - dkim_pubkey_parse accepts txt; the key */

static DKIM_PUBKEY *parse_ok(const char *txt)
{
    DSTR   *why = dstr_new(64);
    DKIM_PUBKEY *pk = dkim_pubkey_parse(txt, strlen(txt), why);

    ck_assert_msg(pk != NULL, "%s: %s", txt, dstr_str(why));
    dstr_free(why);
    return (pk);
}

START_TEST(key_records_accepted)
{
    DKIM_PUBKEY *pk;
    DSTR   *der = dstr_new(256);
    DSTR   *rec = dstr_new(256);

    pk = parse_ok(RFC_RSA_RECORD);
    ck_assert_int_eq(dkim_pubkey_alg(pk), DKIM_ALG_RSA_SHA256);
    ck_assert_int_eq(dkim_pubkey_bits(pk), 1024);
    ck_assert_int_eq(dkim_pubkey_strict(pk), 0);
    dkim_pubkey_free(pk);
    pk = parse_ok("p=" RFC_RSA_P);		/* k= and v= are optional */
    dkim_pubkey_free(pk);
    pk = parse_ok("v=DKIM1; h=sha1 : SHA256; s=email:*; t=s; n=notes; zz=unknown;\r\n"
		  " p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR\r\n"
		  "\tiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC"
		  " DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3"
		  " Ip3G+2kryOTIKT+l/K4w3QIDAQAB");
    ck_assert_int_eq(dkim_pubkey_strict(pk), 1);
    dkim_pubkey_free(pk);
    pk = parse_ok(RFC_ED_RECORD);
    ck_assert_int_eq(dkim_pubkey_alg(pk), DKIM_ALG_ED25519_SHA256);
    ck_assert_int_eq(dkim_pubkey_bits(pk), 256);
    dkim_pubkey_free(pk);
    /* A bare PKCS#1 RSAPublicKey: what follows the SPKI's 22-byte preamble. */
    ck_assert_int_eq(base64_decode(der, RFC_RSA_P, strlen(RFC_RSA_P)), 0);
    dstr_cats(rec, "v=DKIM1; p=");
    base64_encode(rec, dstr_str(der) + 22, dstr_len(der) - 22);
    pk = parse_ok(dstr_str(rec));
    ck_assert_int_eq(dkim_pubkey_bits(pk), 1024);
    dkim_pubkey_free(pk);
    dstr_free(der);
    dstr_free(rec);
}
END_TEST

START_TEST(weak_rsa_keys_do_not_verify)
{
    static const unsigned char digest[32];
    static const unsigned char sig[64];
    DSTR   *why = dstr_new(64);
    DSTR   *txt = dstr_new(256);
    DSTR   *warn = dstr_new(64);
    DKIM_PUBKEY *pk;

    load_data("rsa512.txt", txt);		/* the public half of rsa512.pem */
    pk = dkim_pubkey_parse(dstr_str(txt), dstr_len(txt), why);
    ck_assert_msg(pk != NULL, "%s", dstr_str(why));
    ck_assert_int_eq(dkim_pubkey_bits(pk), 512);
    ck_assert_int_eq(dkim_pubkey_verify(pk, DKIM_ALG_RSA_SHA256, digest, sig, sizeof(sig), why), -1);
    ck_assert_str_eq(dstr_str(why), "RSA key of 512 bits is too weak (at least 1024)");
    dkim_pubkey_free(pk);
    dstr_free(why);
    dstr_free(txt);
    dstr_free(warn);
}
END_TEST

START_TEST(public_key_matches_its_private_key_only)
{
    DSTR   *why = dstr_new(64);
    DSTR   *warn = dstr_new(64);
    DKIM_KEY *rfc = dkim_key_load(DATA "rfc8463-ed25519.pem", why, warn);
    DKIM_KEY *other = dkim_key_generate(DKIM_ALG_ED25519_SHA256, 0, why);
    DKIM_PUBKEY *pk = parse_ok(RFC_ED_RECORD);
    DKIM_PUBKEY *rsa = parse_ok(RFC_RSA_RECORD);

    ck_assert_ptr_nonnull(rfc);
    ck_assert_ptr_nonnull(other);
    ck_assert_int_eq(dkim_pubkey_matches(pk, rfc), 1);
    ck_assert_int_eq(dkim_pubkey_matches(pk, other), 0);
    ck_assert_int_eq(dkim_pubkey_matches(rsa, rfc), 0);
    dkim_key_free(rfc);
    dkim_key_free(other);
    dkim_pubkey_free(pk);
    dkim_pubkey_free(rsa);
    dstr_free(why);
    dstr_free(warn);
}
END_TEST

/* dkim_verify_suite - the tests */

static Suite *dkim_verify_suite(void)
{
    Suite  *s = suite_create("dkim_verify");
    TCase  *tr = tcase_create("rfc8463");
    TCase  *tp = tcase_create("dkimpy");
    TCase  *tf = tcase_create("failures");
    TCase  *tk = tcase_create("key records");

    tcase_add_test(tr, rfc8463_ed25519_signature_bit_for_bit);
    tcase_add_test(tr, rfc8463_example_verifies);
    tcase_add_test(tr, rfc8463_example_tampered);
    suite_add_tcase(s, tr);

    tcase_add_checked_fixture(tp, dkimpy_setup, dkimpy_teardown);
    tcase_add_test(tp, dkimpy_rsa_relaxed);
    tcase_add_test(tp, dkimpy_rsa_simple);
    tcase_add_test(tp, dkimpy_ed25519_relaxed);
    tcase_add_test(tp, dkimpy_ed25519_simple);
    tcase_add_test(tp, dkimpy_body_length_limit);
    suite_add_tcase(s, tp);

    tcase_add_test(tf, bad_signatures_fail_with_a_reason);
    tcase_add_test(tf, expiry_is_checked_against_now);
    tcase_add_test(tf, key_problems_fail_with_a_reason);
    tcase_add_test(tf, messages_without_signatures);
    tcase_add_test(tf, signatures_and_header_fields_are_bounded);
    tcase_add_test(tf, result_values_are_made_printable);
    suite_add_tcase(s, tf);

    tcase_add_test(tk, key_records_refused);
    tcase_add_test(tk, key_records_accepted);
    tcase_add_test(tk, weak_rsa_keys_do_not_verify);
    tcase_add_test(tk, public_key_matches_its_private_key_only);
    suite_add_tcase(s, tk);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(dkim_verify_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
