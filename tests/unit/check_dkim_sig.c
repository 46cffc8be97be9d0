/*
 * check_dkim_sig - unit tests for the DKIM-Signature text cleanup writes
 * DESCRIPTION
 *	Every line under 78 characters, continuation lines start with a TAB,
 *	the tags in order with b= last, placeholders exactly as long as the
 *	values, filling changes nothing but the placeholders (so the layout
 *	depends on lengths only), a long h= list folded after colons, and
 *	which d= and s= values may be written.
 */
#include <check.h>
#include <string.h>

#include "dkim_sig.h"
#include "mymalloc.h"
#include "strutil.h"

static const DKIM_SIG_SPEC spec_ed = {
    "ed25519-sha256", "relaxed/relaxed", "example.org", "brisbane",
    "From:From:Subject:Subject:Date:To:To:Message-ID:List-Id:List-Unsubscribe:"
    "List-Unsubscribe:List-Unsubscribe-Post:List-Unsubscribe-Post:List-Post",
    1528637909, 1529637909, 44, 88,
};

/* check_lines - every line fits, continuations start with TAB, no CR */

static void check_lines(const DSTR *field)
{
    const char *cp = dstr_str(field);
    const char *nl;
    int     first = 1;

    ck_assert_ptr_null(strchr(cp, '\r'));
    for (;;) {
	nl = strchr(cp, '\n');
	ck_assert_msg((nl ? (size_t) (nl - cp) : strlen(cp)) <= DKIM_SIG_LINE_MAX,
		      "line too long: %.*s", (int) (nl ? nl - cp : (long) strlen(cp)), cp);
	if (!first)
	    ck_assert_int_eq(*cp, '\t');
	first = 0;
	if (nl == NULL)
	    break;
	cp = nl + 1;
    }
}

/* unfold - the field without folds and spaces (where it folds is checked apart) */

static char *unfold(const DSTR *field)
{
    DSTR   *out = dstr_new(dstr_len(field));
    const char *cp;

    for (cp = dstr_str(field); *cp; cp++)
	if (*cp != '\n' && *cp != '\t' && *cp != ' ')
	    dstr_catc(out, *cp);
    return (dstr_export(out));
}

START_TEST(layout_and_fill)
{
    DSTR   *field = dstr_new(64);
    size_t  bh_off;
    size_t  b_off;
    char   *flat;
    char    b[89];
    const char *bh = "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=";

    memset(b, 'Q', 88);
    b[87] = '=';
    b[88] = 0;
    dkim_sig_build(field, &spec_ed, &bh_off, &b_off);
    check_lines(field);
    ck_assert(strncmp(dstr_str(field), "DKIM-Signature: v=1; a=ed25519-sha256;", 38) == 0);
    ck_assert(strncmp(dstr_str(field) + bh_off - 3, "bh=", 3) == 0);
    ck_assert(strncmp(dstr_str(field) + b_off - 2, "b=", 2) == 0);
    dkim_sig_fill(field, bh_off, bh);
    dkim_sig_fill(field, b_off, b);
    check_lines(field);
    flat = unfold(field);
    ck_assert_msg(strstr(flat, "DKIM-Signature:v=1;a=ed25519-sha256;c=relaxed/relaxed;"
			 "d=example.org;s=brisbane;t=1528637909;x=1529637909;h=From:From:Subject:")
		  == flat, "%s", flat);
    ck_assert_ptr_nonnull(strstr(flat, "List-Unsubscribe-Post:List-Post;bh="));
    ck_assert_ptr_nonnull(strstr(flat, "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;b="));
    /* b= is last: the value runs to the end. */
    ck_assert_str_eq(strstr(flat, ";b=") + 3, b);
    /* Folds only replace the space between tags, or sit after a colon of h=. */
    ck_assert_ptr_null(strstr(dstr_str(field), " \n"));
    ck_assert_ptr_null(strstr(dstr_str(field), "=\n"));
    myfree(flat);
    dstr_free(field);
}
END_TEST

START_TEST(layout_depends_on_lengths_only)
{
    DSTR   *a = dstr_new(64);
    DSTR   *b = dstr_new(64);
    DKIM_SIG_SPEC rsa = spec_ed;
    size_t  bh_a, b_a, bh_b, b_b;
    size_t  i;

    rsa.alg = "rsa-sha256";
    rsa.expire_time = 0;
    rsa.b_len = 344;				/* RSA-2048 */
    dkim_sig_build(a, &rsa, &bh_a, &b_a);
    check_lines(a);
    ck_assert_ptr_null(strstr(dstr_str(a), "x="));
    dkim_sig_build(b, &rsa, &bh_b, &b_b);
    dkim_sig_fill(b, b_b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		  "ABCDEFGHIJKLMNOPQRSTUVWX");
    ck_assert_uint_eq(dstr_len(a), dstr_len(b));
    for (i = 0; i < dstr_len(a); i++)
	if (dstr_str(a)[i] == '\n' || dstr_str(a)[i] == '\t')
	    ck_assert_int_eq(dstr_str(a)[i], dstr_str(b)[i]);
    ck_assert(strncmp(dstr_str(b) + dstr_len(b) - 4, "UVWX", 4) == 0);
    dstr_free(a);
    dstr_free(b);
}
END_TEST

START_TEST(names_we_write)
{
    DSTR   *dom = dstr_new(256);

    ck_assert(dkim_sig_names_ok("example.org", "sel-2026_a.sub"));
    ck_assert(!dkim_sig_names_ok("a..b", "s"));
    ck_assert(!dkim_sig_names_ok("example.org", "a;b"));
    ck_assert(!dkim_sig_names_ok("example.org", "a=b"));
    /* Each fits, the key record name does not. */
    while (dstr_len(dom) < 240)
	dstr_cats(dom, "abcdefgh.");
    dstr_cats(dom, "org");
    ck_assert(str_dns_name_ok(dstr_str(dom)));
    ck_assert(!dkim_sig_names_ok(dstr_str(dom), "s"));
    dstr_free(dom);
}
END_TEST

static Suite *dkim_sig_suite(void)
{
    Suite  *s = suite_create("dkim_sig");
    TCase  *tc = tcase_create("core");

    tcase_add_test(tc, layout_and_fill);
    tcase_add_test(tc, layout_depends_on_lengths_only);
    tcase_add_test(tc, names_we_write);
    suite_add_tcase(s, tc);
    return (s);
}

int     main(void)
{
    SRunner *sr = srunner_create(dkim_sig_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed ? 1 : 0);
}
