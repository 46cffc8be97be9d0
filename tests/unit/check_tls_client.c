/*
 * check_tls_client - unit tests for what tls_client reads from a server certificate
 * DESCRIPTION
 *	src/tls/tls_client_info.c: the DNS names a certificate can be
 *	matched by. subjectAltName dNSName entries when there are any (the
 *	Common Name is then never a candidate, even when every dNSName
 *	entry is one we refuse to look at), the Common Name otherwise;
 *	names that are not printable ASCII or too long are dropped, and at
 *	most TLS_PEER_NAMES_MAX are kept. The certificates are built in
 *	memory and never signed: only their names matter here.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "tls_client_int.h"
#include "tls_policy.h"

/* cert_new - a certificate with Common Name cn (NULL: none) */

static X509 *cert_new(const char *cn)
{
    X509   *x = X509_new();

    ck_assert_ptr_nonnull(x);
    if (cn)
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
						    MBSTRING_ASC,
						    (const unsigned char *) cn, -1, -1, 0), 1);
    return (x);
}

/* san_add - one subjectAltName entry of type GEN_DNS or GEN_URI, len bytes */

static void san_add(GENERAL_NAMES *gens, int type, const char *data, int len)
{
    GENERAL_NAME *gen = GENERAL_NAME_new();
    ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();

    ck_assert_int_eq(ASN1_STRING_set(ia5, data, len), 1);
    GENERAL_NAME_set0_value(gen, type, ia5);
    ck_assert_int_ne(sk_GENERAL_NAME_push(gens, gen), 0);
}

/* san_set - attach the subjectAltName extension, and release gens */

static void san_set(X509 *x, GENERAL_NAMES *gens)
{
    ck_assert_int_eq(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT), 1);
    GENERAL_NAMES_free(gens);
}

/* names_of - tls_client_cert_names() as "a,b,c", and the Common Name in cn */

static const char *names_of(X509 *x, DSTR *cn)
{
    static char buf[4096];
    ARGV   *names = argv_new(4);
    size_t  i;

    DSTR_RESET(cn);
    tls_client_cert_names(x, names, cn);
    buf[0] = 0;
    for (i = 0; i < names->argc; i++) {
	if (i > 0)
	    strcat(buf, ",");
	ck_assert_uint_lt(strlen(buf) + strlen(names->argv[i]), sizeof(buf) - 2);
	strcat(buf, names->argv[i]);
    }
    argv_free(names);
    return (buf);
}

START_TEST(dns_names_win_over_the_common_name)
{
    DSTR   *cn = dstr_new(64);
    X509   *x = cert_new("cn.example.com");
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();

    san_add(gens, GEN_DNS, "mx.example.com", -1);
    san_add(gens, GEN_URI, "http://uri.example.com/", -1);
    san_add(gens, GEN_DNS, "*.example.net", -1);
    san_set(x, gens);
    ck_assert_str_eq(names_of(x, cn), "mx.example.com,*.example.net");
    ck_assert_str_eq(dstr_str(cn), "cn.example.com");	/* still there for the log */
    X509_free(x);
    dstr_free(cn);
}
END_TEST

START_TEST(common_name_without_dns_names)
{
    DSTR   *cn = dstr_new(64);
    X509   *x = cert_new("mx.example.com");
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();

    ck_assert_str_eq(names_of(x, cn), "mx.example.com");
    /* A subjectAltName without any dNSName entry does not rule the CN out. */
    san_add(gens, GEN_URI, "http://uri.example.com/", -1);
    san_set(x, gens);
    ck_assert_str_eq(names_of(x, cn), "mx.example.com");
    X509_free(x);
    x = cert_new(0);
    ck_assert_str_eq(names_of(x, cn), "");
    ck_assert_uint_eq(dstr_len(cn), 0);
    X509_free(x);
    dstr_free(cn);
}
END_TEST

START_TEST(refused_dns_names_still_rule_out_the_common_name)
{
    static const char nul_name[] = "mx.example.com\0.evil.test";
    DSTR   *cn = dstr_new(64);
    X509   *x = cert_new("mx.example.com");
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
    char    longname[TLS_NAME_MAX + 2];

    /* dNSName entries we refuse (NUL inside, a space, too long) are no reason to trust the CN. */
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = 0;
    san_add(gens, GEN_DNS, nul_name, (int) sizeof(nul_name) - 1);
    san_add(gens, GEN_DNS, "mx example.com", -1);
    san_add(gens, GEN_DNS, longname, -1);
    san_set(x, gens);
    ck_assert_str_eq(names_of(x, cn), "");
    ck_assert_str_eq(dstr_str(cn), "mx.example.com");
    X509_free(x);
    dstr_free(cn);
}
END_TEST

START_TEST(bad_common_names_and_the_name_limit)
{
    DSTR   *cn = dstr_new(64);
    X509   *x = cert_new("mx\x01.example.com");
    GENERAL_NAMES *gens;
    ARGV   *names = argv_new(4);
    int     i;

    ck_assert_str_eq(names_of(x, cn), "");
    ck_assert_uint_eq(dstr_len(cn), 0);
    X509_free(x);

    x = cert_new(0);
    gens = sk_GENERAL_NAME_new_null();
    for (i = 0; i < TLS_PEER_NAMES_MAX + 20; i++)
	san_add(gens, GEN_DNS, "n.example.com", -1);
    san_set(x, gens);
    tls_client_cert_names(x, names, cn);
    ck_assert_uint_eq(names->argc, TLS_PEER_NAMES_MAX);
    argv_free(names);
    X509_free(x);
    dstr_free(cn);
}
END_TEST

/* tls_client_suite - the tests */

static Suite *tls_client_suite(void)
{
    Suite  *s = suite_create("tls_client");
    TCase  *tc = tcase_create("names");

    tcase_add_test(tc, dns_names_win_over_the_common_name);
    tcase_add_test(tc, common_name_without_dns_names);
    tcase_add_test(tc, refused_dns_names_still_rule_out_the_common_name);
    tcase_add_test(tc, bad_common_names_and_the_name_limit);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(tls_client_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
