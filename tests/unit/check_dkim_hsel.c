/*
 * check_dkim_hsel - unit tests for the signed header data (src/global/dkim_hsel.c)
 * DESCRIPTION
 *	RFC 8463 A.3's Ed25519 signature: the exact bytes it signs (each
 *	oversigned name adds nothing the second time). Selection from the
 *	bottom up, names in any case and with white space before the colon,
 *	missing fields, the b= value stripped wherever it is and nothing
 *	else, simple canonicalization keeping the signature's folding but not
 *	its final CR LF, and the h= lists that are refused.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_hsel.h"

/* collect - DKIM_BODY_SINK into a DSTR */

static void collect(void *ctx, const char *buf, size_t len)
{
    dstr_cat((DSTR *) ctx, buf, len);
}

/* fields_of - split a CR LF header into fields (no final line ends) */

static size_t fields_of(const char *header, DKIM_FIELD *fields, size_t max)
{
    const char *cp = header;
    const char *eol;
    size_t  n = 0;

    while (*cp && (eol = strstr(cp, "\r\n")) != NULL) {
	if ((*cp == ' ' || *cp == '\t') && n > 0) {
	    fields[n - 1].len = (size_t) (eol - fields[n - 1].text);
	} else {
	    ck_assert_uint_lt(n, max);
	    fields[n].text = cp;
	    fields[n].len = (size_t) (eol - cp);
	    n++;
	}
	cp = eol + 2;
    }
    return (n);
}

/* feed - the signed data for sig (one of fields) */

static int feed(DKIM_CANON canon, const char *header, size_t sig_index,
		        const char *hlist, DSTR *out)
{
    DKIM_FIELD fields[32];
    size_t  n = fields_of(header, fields, 32);

    ck_assert_uint_lt(sig_index, n);
    DSTR_RESET(out);
    return (dkim_hsel_feed(canon, fields, n, hlist, fields[sig_index].text,
			   fields[sig_index].len, collect, out));
}

static const char rfc8463_header[] =
"DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
" d=football.example.com; i=@football.example.com;\r\n"
" q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
" subject : date : message-id : from : subject : date;\r\n"
" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
" b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"
" Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n"
"From: Joe SixPack <joe@football.example.com>\r\n"
"To: Suzie Q <suzie@shopping.example.net>\r\n"
"Subject: Is dinner ready?\r\n"
"Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
"Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n";

START_TEST(rfc8463_signed_data)
{
    DSTR   *out = dstr_new(1024);

    ck_assert_int_eq(feed(DKIM_CANON_RELAXED, rfc8463_header, 0,
			  "from : to :\r\n subject : date : message-id : from : subject : date",
			  out), 0);
    ck_assert_str_eq(dstr_str(out),
		     "from:Joe SixPack <joe@football.example.com>\r\n"
		     "to:Suzie Q <suzie@shopping.example.net>\r\n"
		     "subject:Is dinner ready?\r\n"
		     "date:Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
		     "message-id:<20030712040037.46341.5F8J@football.example.com>\r\n"
		     "dkim-signature:v=1; a=ed25519-sha256; c=relaxed/relaxed; "
		     "d=football.example.com; i=@football.example.com; q=dns/txt; "
		     "s=brisbane; t=1528637909; h=from : to : subject : date : "
		     "message-id : from : subject : date; "
		     "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=");
    dstr_free(out);
}
END_TEST

START_TEST(instances_are_taken_from_the_bottom)
{
    static const char header[] =
    "Received: top\r\n"
    "X-Sig: v=1; b=xx\r\n"
    "received : middle\r\n"
    "RECEIVED:bottom\r\n"
    "Subject: s\r\n";
    DSTR   *out = dstr_new(256);

    ck_assert_int_eq(feed(DKIM_CANON_RELAXED, header, 1,
			  "Received:subject:received:reply-to:received:received", out), 0);
    ck_assert_str_eq(dstr_str(out),
		     "received:bottom\r\n" "subject:s\r\n" "received:middle\r\n"
		     "received:top\r\n" "x-sig:v=1; b=");
    ck_assert_int_eq(feed(DKIM_CANON_SIMPLE, header, 1, "received:received", out), 0);
    ck_assert_str_eq(dstr_str(out),
		     "RECEIVED:bottom\r\n" "received : middle\r\n" "X-Sig: v=1; b=");
    dstr_free(out);
}
END_TEST

START_TEST(simple_keeps_the_folding_of_the_signature)
{
    static const char header[] =
    "From: a@example.org\r\n"
    "DKIM-Signature: v=1; b=AAAA\r\n"
    "\tBBBB ;\r\n"
    " bh=CCCC; h=from\r\n";
    DSTR   *out = dstr_new(256);

    ck_assert_int_eq(feed(DKIM_CANON_SIMPLE, header, 1, "from", out), 0);
    ck_assert_str_eq(dstr_str(out), "From: a@example.org\r\n"
		     "DKIM-Signature: v=1; b=;\r\n bh=CCCC; h=from");
    ck_assert_int_eq(feed(DKIM_CANON_RELAXED, header, 1, "from", out), 0);
    ck_assert_str_eq(dstr_str(out), "from:a@example.org\r\n"
		     "dkim-signature:v=1; b=; bh=CCCC; h=from");
    dstr_free(out);
}
END_TEST

/* stripped - dkim_hsel_strip_b of a C string */

static const char *stripped(const char *field, DSTR *out)
{
    DSTR_RESET(out);
    dkim_hsel_strip_b(field, strlen(field), out);
    return (dstr_str(out));
}

START_TEST(strip_b_touches_only_the_b_value)
{
    DSTR   *out = dstr_new(256);

    ck_assert_str_eq(stripped("DKIM-Signature: b=abc; bh=def", out), "DKIM-Signature: b=; bh=def");
    ck_assert_str_eq(stripped("DKIM-Signature: bh=def;b=abc", out), "DKIM-Signature: bh=def;b=");
    ck_assert_str_eq(stripped("DKIM-Signature: bh=def; b =\n abc\n def  ;x=1", out),
		     "DKIM-Signature: bh=def; b =;x=1");
    ck_assert_str_eq(stripped("DKIM-Signature: bb=1; ab=2; b=", out),
		     "DKIM-Signature: bb=1; ab=2; b=");
    ck_assert_str_eq(stripped("DKIM-Signature: v=1; d=b=x", out), "DKIM-Signature: v=1; d=b=x");
    ck_assert_str_eq(stripped("b=abc; no colon", out), "b=abc; no colon");
    ck_assert_str_eq(stripped("X:b=1;;b=2;", out), "X:b=;;b=;");
    dstr_free(out);
}
END_TEST

/* names_refused - dkim_hsel_names refuses hlist with why */

static void names_refused(const char *hlist, const char *why_text)
{
    ARGV   *names = argv_new(4);
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(dkim_hsel_names(hlist, names, why), -1);
    ck_assert_str_eq(dstr_str(why), why_text);
    argv_free(names);
    dstr_free(why);
}

START_TEST(bad_h_lists_are_refused)
{
    DSTR   *many = dstr_new(512);
    DSTR   *out = dstr_new(64);
    ARGV   *names = argv_new(4);
    int     i;

    names_refused("", "empty header field name in h=");
    names_refused("from:", "empty header field name in h=");
    names_refused("from: :to", "empty header field name in h=");
    names_refused("fr om", "bad character in a header field name in h=");
    names_refused("from:t\x80o", "bad character in a header field name in h=");
    for (i = 0; i < DKIM_HSEL_MAX_NAMES; i++)
	dstr_printf(many, "%sx%d", i ? ":" : "", i);
    ck_assert_int_eq(dkim_hsel_names(dstr_str(many), names, out), 0);
    ck_assert_uint_eq(names->argc, DKIM_HSEL_MAX_NAMES);
    dstr_cats(many, ":one-more");
    names_refused(dstr_str(many), "more than 64 header field names in h=");
    /* Nothing is fed for a refused list. */
    ck_assert_int_eq(feed(DKIM_CANON_RELAXED, rfc8463_header, 0, "from::to", out), -1);
    ck_assert_uint_eq(dstr_len(out), 0);
    dstr_free(many);
    dstr_free(out);
    argv_free(names);
}
END_TEST

START_TEST(names_are_trimmed_and_found_in_any_case)
{
    ARGV   *names = argv_new(4);
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(dkim_hsel_names(" From\r\n\t:\tto ", names, why), 0);
    ck_assert_uint_eq(names->argc, 2);
    ck_assert_str_eq(names->argv[0], "From");
    ck_assert_str_eq(names->argv[1], "to");
    ck_assert_int_eq(dkim_hsel_has(names, "from"), 1);
    ck_assert_int_eq(dkim_hsel_has(names, "TO"), 1);
    ck_assert_int_eq(dkim_hsel_has(names, "subject"), 0);
    argv_free(names);
    dstr_free(why);
}
END_TEST

/* dkim_hsel_suite - the tests */

static Suite *dkim_hsel_suite(void)
{
    Suite  *s = suite_create("dkim_hsel");
    TCase  *tc = tcase_create("hsel");

    tcase_add_test(tc, rfc8463_signed_data);
    tcase_add_test(tc, instances_are_taken_from_the_bottom);
    tcase_add_test(tc, simple_keeps_the_folding_of_the_signature);
    tcase_add_test(tc, strip_b_touches_only_the_b_value);
    tcase_add_test(tc, bad_h_lists_are_refused);
    tcase_add_test(tc, names_are_trimmed_and_found_in_any_case);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(dkim_hsel_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
