/*
 * check_tls_policy - unit tests for TLS levels, policy values, protocol lists and name matching
 * DESCRIPTION
 *	src/global/tls_policy.c: level names; policy table values ("verify
 *	match=hostname:nexthop protocols=>=TLSv1.2") with their errors and
 *	warnings and size limits; protocol lists in every syntax Postfix
 *	accepts, turned into the range OpenSSL enforces; cipher grades and
 *	exclusions; match lists. src/global/tls_match.c: certificate names
 *	against hostname, nexthop, dot-nexthop and literal expectations,
 *	wildcards included.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_match.h"
#include "tls_policy.h"

START_TEST(levels_by_name)
{
    ck_assert_int_eq(tls_level_lookup("none"), TLS_LEV_NONE);
    ck_assert_int_eq(tls_level_lookup("MAY"), TLS_LEV_MAY);
    ck_assert_int_eq(tls_level_lookup("encrypt"), TLS_LEV_ENCRYPT);
    ck_assert_int_eq(tls_level_lookup("verify"), TLS_LEV_VERIFY);
    ck_assert_int_eq(tls_level_lookup("secure"), TLS_LEV_SECURE);
    ck_assert_int_eq(tls_level_lookup("dane-only"), TLS_LEV_INVALID);
    ck_assert_int_eq(tls_level_lookup("fingerprint"), TLS_LEV_INVALID);
    ck_assert_int_eq(tls_level_lookup(""), TLS_LEV_INVALID);
    ck_assert_str_eq(tls_level_name(TLS_LEV_SECURE), "secure");
    ck_assert_str_eq(tls_level_name(42), "invalid");
    ck_assert(TLS_MUST_ENCRYPT(TLS_LEV_ENCRYPT) && !TLS_MUST_ENCRYPT(TLS_LEV_MAY));
    ck_assert(TLS_MUST_MATCH(TLS_LEV_VERIFY) && !TLS_MUST_MATCH(TLS_LEV_ENCRYPT));
}
END_TEST

START_TEST(policy_with_attributes)
{
    DSTR   *err = dstr_new(64);
    TLS_POLICY p;

    ck_assert_int_eq(tls_policy_parse("verify match=hostname:nexthop, protocols=>=TLSv1.2 "
			      "ciphers=high exclude=aNULL:RC4 servername=hostname", &p, err),
		     TLS_POLICY_OK);
    ck_assert_int_eq(p.level, TLS_LEV_VERIFY);
    ck_assert_str_eq(p.match, "hostname:nexthop");
    ck_assert_str_eq(p.protocols, ">=TLSv1.2");
    ck_assert_str_eq(p.ciphers, "high");
    ck_assert_str_eq(p.exclude, "aNULL:RC4");
    ck_assert_str_eq(p.servername, "hostname");
    tls_policy_free(&p);

    ck_assert_int_eq(tls_policy_parse("  Secure  ", &p, err), TLS_POLICY_OK);
    ck_assert_int_eq(p.level, TLS_LEV_SECURE);
    ck_assert_ptr_null(p.match);
    ck_assert_ptr_null(p.protocols);
    tls_policy_free(&p);

    /* Repeated match attributes add up. */
    ck_assert_int_eq(tls_policy_parse("secure match=example.com match=.example.com", &p, err),
		     TLS_POLICY_OK);
    ck_assert_str_eq(p.match, "example.com:.example.com");
    tls_policy_free(&p);

    ck_assert_int_eq(tls_policy_parse("none", &p, err), TLS_POLICY_OK);
    ck_assert_int_eq(p.level, TLS_LEV_NONE);
    tls_policy_free(&p);
    dstr_free(err);
}
END_TEST

 /*
  * Each of these must be refused, with a reason containing the text.
  */
static const struct {
    const char *value;
    const char *why;
} bad_policies[] = {
    {"", "empty policy"},
    {"   ,  ", "empty policy"},
    {"fingerprint match=ab:cd", "unsupported security level \"fingerprint\""},
    {"dane-only", "unsupported security level"},
    {"mandatory", "unsupported security level \"mandatory\""},
    {"none ciphers=high", "none takes no attributes"},
    {"may match=hostname", "match attribute is not valid at security level may"},
    {"encrypt match=hostname", "not valid at security level encrypt"},
    {"verify match", "expected name=value"},
    {"verify =x", "expected name=value"},
    {"verify match=", "expected name=value"},
    {"verify tafile=/etc/x", "unsupported attribute \"tafile\""},
    {"verify protocols=TLSv9", "invalid protocol \"TLSv9\""},
    {"verify protocols=>=TLSv1.3:<=TLSv1.2", "leaves no protocol enabled"},
    {"verify ciphers=strong", "invalid cipher grade \"strong\""},
    {"verify ciphers=high ciphers=medium", "given twice"},
    {"verify exclude=a;b", "invalid cipher exclusion"},
    {"verify match=bad..name", "invalid match"},
    {"verify match=*.example.com", "invalid match"},
    {"secure servername=not_a:name", "invalid servername"},
    {"secure servername=-", "invalid servername"},
    {"may connection_reuse=maybe", "invalid connection_reuse"},
};

START_TEST(bad_policies_are_refused)
{
    DSTR   *err = dstr_new(64);
    TLS_POLICY p;
    size_t  i;

    for (i = 0; i < sizeof(bad_policies) / sizeof(bad_policies[0]); i++) {
	ck_assert_msg(tls_policy_parse(bad_policies[i].value, &p, err) == TLS_POLICY_ERR,
		      "\"%s\" was accepted", bad_policies[i].value);
	ck_assert_msg(strstr(dstr_str(err), bad_policies[i].why) != 0,
		      "\"%s\": reason \"%s\" lacks \"%s\"", bad_policies[i].value,
		      dstr_str(err), bad_policies[i].why);
	tls_policy_free(&p);
    }
    dstr_free(err);
}
END_TEST

START_TEST(dane_and_connection_reuse_only_warn)
{
    DSTR   *err = dstr_new(64);
    TLS_POLICY p;

    ck_assert_int_eq(tls_policy_parse("dane", &p, err), TLS_POLICY_WARN);
    ck_assert_int_eq(p.level, TLS_LEV_MAY);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "using may"));
    tls_policy_free(&p);
    ck_assert_int_eq(tls_policy_parse("encrypt connection_reuse=yes", &p, err), TLS_POLICY_WARN);
    ck_assert_int_eq(p.level, TLS_LEV_ENCRYPT);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "connection_reuse=yes is not supported"));
    tls_policy_free(&p);
    ck_assert_int_eq(tls_policy_parse("encrypt connection_reuse=no", &p, err), TLS_POLICY_OK);
    tls_policy_free(&p);
    dstr_free(err);
}
END_TEST

START_TEST(policy_size_limits)
{
    DSTR   *err = dstr_new(64);
    DSTR   *v = dstr_new(8192);
    TLS_POLICY p;
    int     i;

    /* 32 attributes and 32 match names: the most there may be. */
    dstr_strcpy(v, "verify");
    for (i = 0; i < TLS_POLICY_MAX_ATTRS; i++)
	dstr_cats(v, " match=a.example");
    ck_assert_int_eq(tls_policy_parse(dstr_str(v), &p, err), TLS_POLICY_OK);
    tls_policy_free(&p);
    dstr_cats(v, " ciphers=high");
    ck_assert_int_eq(tls_policy_parse(dstr_str(v), &p, err), TLS_POLICY_ERR);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "more than 32 policy attributes"));
    tls_policy_free(&p);
    dstr_strcpy(v, "verify match=a.example");
    for (i = 0; i < TLS_MATCH_MAX; i++)
	dstr_cats(v, ":b.example");
    ck_assert_int_eq(tls_policy_parse(dstr_str(v), &p, err), TLS_POLICY_ERR);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "must have 1 to 32 entries"));
    tls_policy_free(&p);
    dstr_strcpy(v, "may ");
    while (dstr_len(v) <= TLS_POLICY_MAX_LEN)
	dstr_catc(v, ' ');
    ck_assert_int_eq(tls_policy_parse(dstr_str(v), &p, err), TLS_POLICY_ERR);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "longer than"));
    tls_policy_free(&p);
    dstr_free(v);
    dstr_free(err);
}
END_TEST

/* proto - parse a protocol list; the range as "min-max" or "error" */

static const char *proto(const char *spec)
{
    static char buf[64];
    DSTR   *err = dstr_new(64);
    int     lo;
    int     hi;

    if (tls_protocols_parse(spec, &lo, &hi, err) < 0)
	strcpy(buf, "error");
    else
	snprintf(buf, sizeof(buf), "%04x-%04x", (unsigned) lo, (unsigned) hi);
    dstr_free(err);
    return (buf);
}

START_TEST(protocol_lists)
{
    ck_assert_str_eq(proto(""), "0000-0000");			/* everything */
    ck_assert_str_eq(proto(">=TLSv1"), "0301-0000");		/* Postfix's default */
    ck_assert_str_eq(proto(">=TLSv1.2, <=TLSv1.3"), "0303-0304");
    ck_assert_str_eq(proto("<=TLSv1.2 >=TLSv1.1"), "0302-0303");
    ck_assert_str_eq(proto(">=0x0303"), "0303-0000");		/* hexadecimal */
    ck_assert_str_eq(proto(">=303"), "0303-0000");
    ck_assert_str_eq(proto(">=0301:<=0X0305"), "0301-0305");	/* a future version */
    ck_assert_str_eq(proto("!SSLv2, !SSLv3"), "0301-0000");	/* exclusion syntax */
    ck_assert_str_eq(proto("!SSLv2:!SSLv3:!TLSv1:!TLSv1.1"), "0303-0000");
    /* A hole in the middle caps the range, as SSL_OP_NO_* does. */
    ck_assert_str_eq(proto("!SSLv2, !SSLv3, !TLSv1.1"), "0301-0301");
    ck_assert_str_eq(proto("!TLSv1.3"), "0300-0303");
    ck_assert_str_eq(proto("TLSv1.2 TLSv1.3"), "0303-0000");	/* inclusion syntax */
    ck_assert_str_eq(proto("TLSv1.2"), "0303-0303");
    ck_assert_str_eq(proto("tlsv1.2"), "0303-0303");		/* case does not matter */
    ck_assert_str_eq(proto("TLSv1.2 TLSv1.3 !TLSv1.3"), "0303-0303");
}
END_TEST

START_TEST(bad_protocol_lists)
{
    ck_assert_str_eq(proto("TLSv1.4"), "error");
    ck_assert_str_eq(proto("SSLv2"), "error");		/* nothing OpenSSL speaks */
    ck_assert_str_eq(proto("<=SSLv2"), "error");
    ck_assert_str_eq(proto(">=SSLv2,"), "0000-0000");		/* found by fuzz_tls_policy */
    ck_assert_str_eq(proto("SSLv2 !SSLv3"), "error");
    ck_assert_str_eq(proto("!0x0303"), "error");		/* no hex with "!" */
    ck_assert_str_eq(proto("0x0303"), "error");
    ck_assert_str_eq(proto(">=0x0203"), "error");		/* not SSLv3 or later */
    ck_assert_str_eq(proto(">=0x30303"), "error");
    ck_assert_str_eq(proto(">=TLSv1.3 <=TLSv1.2"), "error");
    /* The hole at TLSv1.2 ends the range below the lower bound. */
    ck_assert_str_eq(proto("!TLSv1.2 >=TLSv1.3"), "error");
    ck_assert_str_eq(proto("!SSLv2 !SSLv3 !TLSv1 !TLSv1.1 !TLSv1.2 !TLSv1.3"), "error");
    ck_assert_str_eq(proto(">="), "error");
    ck_assert_str_eq(proto("=>TLSv1"), "error");
    ck_assert_str_eq(tls_protocol_name(TLS_PROTO_TLSv1_3), "TLSv1.3");
    ck_assert_ptr_null(tls_protocol_name(0x0305));
}
END_TEST

START_TEST(cipher_grades_and_exclusions)
{
    DSTR   *out = dstr_new(64);
    DSTR   *err = dstr_new(64);

    ck_assert_str_eq(tls_cipher_grade_list("medium"), "aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH");
    ck_assert_str_eq(tls_cipher_grade_list("HIGH"), "aNULL:-aNULL:HIGH:@STRENGTH");
    ck_assert_ptr_nonnull(tls_cipher_grade_list("export"));
    ck_assert_ptr_nonnull(tls_cipher_grade_list("low"));
    ck_assert_ptr_nonnull(tls_cipher_grade_list("null"));
    ck_assert_ptr_null(tls_cipher_grade_list("strong"));
    tls_cipher_string(out, "HIGH", "aNULL, RC4", "MD5:3DES", 1);
    ck_assert_str_eq(dstr_str(out), "HIGH:!aNULL:!RC4:!MD5:!3DES:!aNULL");
    tls_cipher_string(out, "HIGH", "", 0, 0);
    ck_assert_str_eq(dstr_str(out), "HIGH");
    ck_assert_int_eq(tls_cipher_exclude_check("aNULL, RC4:DES-CBC3-SHA", err), 0);
    ck_assert_int_eq(tls_cipher_exclude_check("", err), 0);
    ck_assert_int_eq(tls_cipher_exclude_check("ALL:!x", err), -1);
    ck_assert_int_eq(tls_cipher_exclude_check("a@b", err), -1);
    dstr_free(out);
    dstr_free(err);
}
END_TEST

START_TEST(match_lists)
{
    DSTR   *err = dstr_new(64);
    ARGV   *m;

    m = tls_match_list_parse("nexthop, DOT-NEXTHOP:hostname .Example.COM x.y", " ,:", err);
    ck_assert_ptr_nonnull(m);
    ck_assert_uint_eq(m->argc, 5);
    ck_assert_str_eq(m->argv[1], "dot-nexthop");
    ck_assert_str_eq(m->argv[3], ".example.com");
    argv_free(m);
    ck_assert_ptr_null(tls_match_list_parse("", " ,:", err));
    ck_assert_ptr_null(tls_match_list_parse("a..b", " ,:", err));
    ck_assert_ptr_null(tls_match_list_parse("..a", " ,:", err));
    ck_assert_ptr_null(tls_match_list_parse("a b", ":", err));	/* a space is no separator here */
    ck_assert(tls_valid_hostname("mx-1.example_2.com"));
    ck_assert(!tls_valid_hostname("mx.example.com."));
    ck_assert(!tls_valid_hostname(""));
    ck_assert(!tls_valid_hostname("a..b"));
    ck_assert(!tls_valid_hostname("-a.example"));
    ck_assert(!tls_valid_hostname("a-.example"));
    ck_assert(!tls_valid_hostname("mx*.example"));
    dstr_free(err);
}
END_TEST

START_TEST(certificate_names)
{
    /* Exact, case-insensitive, a trailing dot ignored. */
    ck_assert(tls_match_name("mx.example.com", "MX.Example.com", 0));
    ck_assert(tls_match_name("mx.example.com.", "mx.example.com", 0));
    ck_assert(!tls_match_name("mx.example.com", "example.com", 0));
    ck_assert(!tls_match_name("example.com", "mx.example.com", 0));
    ck_assert(!tls_match_name("", "", 0));
    /* Sub-domains: strictly below, on a label boundary. */
    ck_assert(tls_match_name("mx.example.com", "example.com", 1));
    ck_assert(tls_match_name("a.b.example.com", "example.com", 1));
    ck_assert(!tls_match_name("example.com", "example.com", 1));
    ck_assert(!tls_match_name("badexample.com", "example.com", 1));
    /* Wildcards: one whole left-most label. */
    ck_assert(tls_match_name("*.example.com", "mx.example.com", 0));
    ck_assert(!tls_match_name("*.example.com", "a.b.example.com", 0));
    ck_assert(!tls_match_name("*.example.com", "example.com", 0));
    ck_assert(!tls_match_name("*.com", "example.com", 0));
    ck_assert(!tls_match_name("m*.example.com", "mx.example.com", 0));
    ck_assert(!tls_match_name("*.*.example.com", "a.b.example.com", 0));
    ck_assert(!tls_match_name("*.", "mx.example.com", 0));	/* found by fuzz_tls_policy */
    ck_assert(!tls_match_name("*.", "mx.example.com", 1));
    ck_assert(!tls_match_name("*..", "mx.example.com", 0));
    ck_assert(tls_match_name("*.example.com", "example.com", 1));
    ck_assert(tls_match_name("*.mail.example.com", "example.com", 1));
    ck_assert(!tls_match_name("*.example.com", "mail.example.com", 1));
}
END_TEST

START_TEST(certificate_against_match_lists)
{
    char   *names[] = {"mail.example.net", "mx1.example.com"};
    char   *wild[] = {"*.example.com"};
    char   *host[] = {"hostname"};
    char   *nexthop[] = {"nexthop", "dot-nexthop"};
    char   *literal[] = {"other.test", ".example.com"};
    char   *exact[] = {"example.com"};

    ck_assert_int_eq(tls_match_cert(names, 2, host, 1, "mx1.example.com", "example.com"), 1);
    ck_assert_int_eq(tls_match_cert(names, 2, host, 1, "mx2.example.com", "example.com"), -1);
    ck_assert_int_eq(tls_match_cert(names, 2, nexthop, 2, "x", "example.com"), 1);
    ck_assert_int_eq(tls_match_cert(names, 2, nexthop, 2, "x", "example.net"), 0);
    ck_assert_int_eq(tls_match_cert(names, 2, nexthop, 1, "x", "example.com"), -1);
    ck_assert_int_eq(tls_match_cert(names, 2, literal, 2, "x", "y"), 1);
    ck_assert_int_eq(tls_match_cert(names, 2, exact, 1, "x", "y"), -1);
    ck_assert_int_eq(tls_match_cert(wild, 1, host, 1, "mx9.example.com", ""), 0);
    ck_assert_int_eq(tls_match_cert(wild, 1, nexthop, 2, "", "example.com"), 0);
    ck_assert_int_eq(tls_match_cert(wild, 1, nexthop, 1, "", "example.com"), -1);
    ck_assert_int_eq(tls_match_cert(names, 0, host, 1, "mx1.example.com", ""), -1);
    ck_assert_int_eq(tls_match_cert(names, 2, host, 1, "", ""), -1);
}
END_TEST

/* tls_policy_suite - the tests */

static Suite *tls_policy_suite(void)
{
    Suite  *s = suite_create("tls_policy");
    TCase  *tp = tcase_create("policy");
    TCase  *tm = tcase_create("match");

    tcase_add_test(tp, levels_by_name);
    tcase_add_test(tp, policy_with_attributes);
    tcase_add_test(tp, bad_policies_are_refused);
    tcase_add_test(tp, dane_and_connection_reuse_only_warn);
    tcase_add_test(tp, policy_size_limits);
    tcase_add_test(tp, protocol_lists);
    tcase_add_test(tp, bad_protocol_lists);
    tcase_add_test(tp, cipher_grades_and_exclusions);
    suite_add_tcase(s, tp);

    tcase_add_test(tm, match_lists);
    tcase_add_test(tm, certificate_names);
    tcase_add_test(tm, certificate_against_match_lists);
    suite_add_tcase(s, tm);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(tls_policy_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
