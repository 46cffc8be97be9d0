/*
 * check_smtp_tls - unit tests for the smtp side of TLS and the session table of scache
 * DESCRIPTION
 *	src/smtp/smtp_tls_policy.c: which smtp_tls_policy_maps key a next
 *	hop is looked up by (as written, parent domains for bare domains),
 *	how a table entry and the main.cf settings combine into protocols,
 *	cipher list and match list per level, bad entries and warnings, the
 *	SNI name, the main.cf check, when a failed opportunistic handshake
 *	may be followed by plaintext. src/smtp/smtp_tls_cache.c: the hex
 *	form sessions travel in. src/scache/scache_sess.c: sessions by key
 *	with expiry, replacement and count and byte bounds.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp_tls.h"
#include "scache/scache.h"
#include "cfg_params.h"

/* setup - Postfix's defaults for the main.cf settings */

static void setup(void)
{
    var_smtp_tls_level = "";
    var_smtp_tls_protocols = ">=TLSv1";
    var_smtp_tls_mand_proto = ">=TLSv1";
    var_smtp_tls_ciphers = "medium";
    var_smtp_tls_mand_ciph = "medium";
    var_smtp_tls_excl_ciph = "";
    var_smtp_tls_mand_excl = "";
    var_smtp_tls_vfy_match = "hostname";
    var_smtp_tls_sec_match = "nexthop, dot-nexthop";
    var_smtp_tls_servername = "";
}

/* hop - a parsed next hop */

static SMTP_NEXTHOP hop(const char *text)
{
    SMTP_NEXTHOP h;
    DSTR   *err = dstr_new(64);

    memset(&h, 0, sizeof(h));
    ck_assert_int_eq(smtp_nexthop_parse(text, &h, err), 0);
    dstr_free(err);
    return (h);
}

/* resolve - the policy for a next hop with a table; level, or -2 on error */

static int resolve(const char *table, const char *nexthop, int def, SMTP_TLS **out, DSTR *err)
{
    DICT_LIST *maps = 0;
    SMTP_NEXTHOP h = hop(nexthop);
    DSTR   *warn = dstr_new(64);
    int     ret;

    if (table && (maps = dict_list_open(table, err)) == 0)
	ck_abort_msg("table %s: %s", table, dstr_str(err));
    *out = smtp_tls_new();
    ret = smtp_tls_policy_resolve(&h, maps, def, *out, err, warn) < 0 ? -2 : (*out)->level;
    if (dstr_len(warn))
	dstr_strcpy(err, dstr_str(warn));
    if (maps)
	dict_list_close(maps);
    smtp_nexthop_free(&h);
    dstr_free(warn);
    return (ret);
}

START_TEST(policy_table_keys)
{
    DSTR   *key = dstr_new(64);
    SMTP_NEXTHOP h;

    h = hop("[mx.example.com]:587");
    smtp_tls_policy_key(key, &h);
    ck_assert_str_eq(dstr_str(key), "[mx.example.com]:587");
    smtp_nexthop_free(&h);
    h = hop("[mx.example.com]:25");
    smtp_tls_policy_key(key, &h);
    ck_assert_str_eq(dstr_str(key), "[mx.example.com]");	/* no default port */
    smtp_nexthop_free(&h);
    h = hop("Example.COM");
    smtp_tls_policy_key(key, &h);
    ck_assert_str_eq(dstr_str(key), "example.com");
    smtp_nexthop_free(&h);
    h = hop("example.com:2525");
    smtp_tls_policy_key(key, &h);
    ck_assert_str_eq(dstr_str(key), "example.com:2525");
    smtp_nexthop_free(&h);
    dstr_free(key);
}
END_TEST

START_TEST(lookups_as_written_then_parent_domains)
{
    const char *table = "inline:{ [mx.example.com] = secure, example.com = verify,"
	" .example.com = encrypt, .org = none, example.com:2525 = may }";
    DSTR   *err = dstr_new(64);
    SMTP_TLS *t;

    ck_assert_int_eq(resolve(table, "[mx.example.com]", TLS_LEV_MAY, &t, err), TLS_LEV_SECURE);
    smtp_tls_free(t);
    ck_assert_int_eq(resolve(table, "example.com", TLS_LEV_MAY, &t, err), TLS_LEV_VERIFY);
    smtp_tls_free(t);
    ck_assert_int_eq(resolve(table, "a.b.example.com", TLS_LEV_MAY, &t, err), TLS_LEV_ENCRYPT);
    smtp_tls_free(t);
    ck_assert_int_eq(resolve(table, "example.org", TLS_LEV_MAY, &t, err), TLS_LEV_NONE);
    smtp_tls_free(t);
    ck_assert_int_eq(resolve(table, "example.com:2525", TLS_LEV_VERIFY, &t, err), TLS_LEV_MAY);
    smtp_tls_free(t);
    /* Not found: the default. No parent lookups for [host] or a port. */
    ck_assert_int_eq(resolve(table, "[x.example.com]", TLS_LEV_MAY, &t, err), TLS_LEV_MAY);
    smtp_tls_free(t);
    ck_assert_int_eq(resolve(table, "x.example.com:2526", TLS_LEV_NONE, &t, err), TLS_LEV_NONE);
    smtp_tls_free(t);
    ck_assert_int_eq(resolve(0, "example.com", TLS_LEV_ENCRYPT, &t, err), TLS_LEV_ENCRYPT);
    smtp_tls_free(t);
    dstr_free(err);
}
END_TEST

START_TEST(levels_choose_protocols_ciphers_and_names)
{
    DSTR   *err = dstr_new(64);
    SMTP_TLS *t;

    var_smtp_tls_protocols = "!SSLv2, !SSLv3";
    var_smtp_tls_mand_proto = ">=TLSv1.2";
    var_smtp_tls_ciphers = "low";
    var_smtp_tls_mand_ciph = "high";
    var_smtp_tls_excl_ciph = "RC4";
    var_smtp_tls_mand_excl = "3DES";
    var_smtp_tls_servername = "hostname";
    ck_assert_int_eq(resolve(0, "example.com", TLS_LEV_MAY, &t, err), TLS_LEV_MAY);
    ck_assert_int_eq(t->min_proto, TLS_PROTO_TLSv1);
    ck_assert_str_eq(dstr_str(t->cipherlist), "aNULL:-aNULL:HIGH:MEDIUM:LOW:+RC4:@STRENGTH:!RC4");
    ck_assert_ptr_null(t->match);
    ck_assert_str_eq(t->servername, "hostname");
    smtp_tls_free(t);
    ck_assert_int_eq(resolve(0, "example.com", TLS_LEV_ENCRYPT, &t, err), TLS_LEV_ENCRYPT);
    ck_assert_int_eq(t->min_proto, TLS_PROTO_TLSv1_2);
    ck_assert_str_eq(dstr_str(t->cipherlist), "aNULL:-aNULL:HIGH:@STRENGTH:!RC4:!3DES");
    smtp_tls_free(t);
    /* Verified levels never take anonymous ciphers. */
    ck_assert_int_eq(resolve(0, "example.com", TLS_LEV_VERIFY, &t, err), TLS_LEV_VERIFY);
    ck_assert_str_eq(dstr_str(t->cipherlist), "aNULL:-aNULL:HIGH:@STRENGTH:!RC4:!3DES:!aNULL");
    ck_assert_uint_eq(t->match->argc, 1);
    ck_assert_str_eq(t->match->argv[0], "hostname");
    smtp_tls_free(t);
    ck_assert_int_eq(resolve(0, "example.com", TLS_LEV_SECURE, &t, err), TLS_LEV_SECURE);
    ck_assert_uint_eq(t->match->argc, 2);
    ck_assert_str_eq(t->match->argv[1], "dot-nexthop");
    smtp_tls_free(t);
    /* The entry's attributes win over main.cf. */
    ck_assert_int_eq(resolve("inline:{ example.com = {secure match=a.test:.b.test "
			     "protocols=TLSv1.3 ciphers=medium exclude=MD5 servername=c.test} }",
			     "example.com", TLS_LEV_MAY, &t, err), TLS_LEV_SECURE);
    ck_assert_int_eq(t->min_proto, TLS_PROTO_TLSv1_3);
    ck_assert_int_eq(t->max_proto, 0);
    ck_assert_str_eq(dstr_str(t->cipherlist),
		     "aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH:!RC4:!MD5:!aNULL");
    ck_assert_uint_eq(t->match->argc, 2);
    ck_assert_str_eq(t->match->argv[1], ".b.test");
    ck_assert_str_eq(t->servername, "c.test");
    smtp_tls_free(t);
    /* An opportunistic entry's exclusions replace smtp_tls_exclude_ciphers. */
    ck_assert_int_eq(resolve("inline:{ example.com = {may exclude=MD5} }",
			     "example.com", TLS_LEV_NONE, &t, err), TLS_LEV_MAY);
    ck_assert_str_eq(dstr_str(t->cipherlist), "aNULL:-aNULL:HIGH:MEDIUM:LOW:+RC4:@STRENGTH:!MD5");
    smtp_tls_free(t);
    dstr_free(err);
}
END_TEST

START_TEST(bad_entries_and_warnings)
{
    DSTR   *err = dstr_new(64);
    SMTP_TLS *t;

    ck_assert_int_eq(resolve("inline:{ example.com = {verify match=} }",
			     "example.com", TLS_LEV_MAY, &t, err), -2);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "expected name=value"));
    smtp_tls_free(t);
    ck_assert_int_eq(resolve("inline:{ example.com = bogus }", "example.com", TLS_LEV_MAY, &t, err), -2);
    smtp_tls_free(t);
    ck_assert_int_eq(resolve("inline:{ example.com = dane }", "example.com", TLS_LEV_NONE, &t, err),
		     TLS_LEV_MAY);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "dane"));
    smtp_tls_free(t);
    /* A main.cf protocol list that fails at lookup time. */
    var_smtp_tls_mand_proto = ">=TLSv1.3 <=TLSv1.2";
    ck_assert_int_eq(resolve(0, "example.com", TLS_LEV_ENCRYPT, &t, err), -2);
    smtp_tls_free(t);
    dstr_free(err);
}
END_TEST


START_TEST(server_name_indication)
{
    SMTP_TLS *t = smtp_tls_new();

    ck_assert_ptr_null(smtp_tls_sni(t, "mx.example.com", "example.com"));
    t->servername = strdup("hostname");
    ck_assert_str_eq(smtp_tls_sni(t, "mx.example.com", "example.com"), "mx.example.com");
    ck_assert_ptr_null(smtp_tls_sni(t, "192.0.2.1", "example.com"));	/* never an address */
    free(t->servername);
    t->servername = strdup("nexthop");
    ck_assert_str_eq(smtp_tls_sni(t, "mx.example.com", "example.com"), "example.com");
    free(t->servername);
    t->servername = strdup("smtp.example.net");
    ck_assert_str_eq(smtp_tls_sni(t, "mx.example.com", "example.com"), "smtp.example.net");
    smtp_tls_free(t);
}
END_TEST

START_TEST(plaintext_fallback_after_failed_handshake)
{
    /* Only under may, only after minimal_backoff_time in the queue, never with a password. */
    ck_assert(smtp_tls_fallback_ok(TLS_LEV_MAY, 1000.0, 1300.0, 300, 0));
    ck_assert(smtp_tls_fallback_ok(TLS_LEV_MAY, 1000.0, 5000.0, 300, 0));
    ck_assert(!smtp_tls_fallback_ok(TLS_LEV_MAY, 1000.0, 1000.5, 300, 0));	/* first attempt */
    ck_assert(!smtp_tls_fallback_ok(TLS_LEV_MAY, 1000.0, 1299.9, 300, 0));
    ck_assert(!smtp_tls_fallback_ok(TLS_LEV_MAY, 1000.0, 5000.0, 300, 1));	/* SASL password */
    ck_assert(!smtp_tls_fallback_ok(TLS_LEV_ENCRYPT, 1000.0, 5000.0, 300, 0));
    ck_assert(!smtp_tls_fallback_ok(TLS_LEV_VERIFY, 1000.0, 5000.0, 300, 0));
    ck_assert(!smtp_tls_fallback_ok(TLS_LEV_SECURE, 1000.0, 5000.0, 300, 0));
}
END_TEST

START_TEST(hex_round_trip)
{
    const unsigned char bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    DSTR   *hex = dstr_new(16);
    DSTR   *back = dstr_new(16);

    smtp_tls_hex_encode(hex, bytes, sizeof(bytes));
    ck_assert_str_eq(dstr_str(hex), "00017f80abff");
    ck_assert_int_eq(smtp_tls_hex_decode(back, "00017F80abff"), 0);
    ck_assert_uint_eq(dstr_len(back), sizeof(bytes));
    ck_assert_mem_eq(dstr_str(back), bytes, sizeof(bytes));
    ck_assert_int_eq(smtp_tls_hex_decode(back, "abc"), -1);
    ck_assert_int_eq(smtp_tls_hex_decode(back, "zz"), -1);
    ck_assert_int_eq(smtp_tls_hex_decode(back, ""), 0);
    ck_assert_uint_eq(dstr_len(back), 0);
    dstr_free(hex);
    dstr_free(back);
}
END_TEST

START_TEST(sessions_expire_and_are_replaced)
{
    SCACHE_SESS_TABLE *t = scache_sess_new(10, 0);

    scache_sess_put(t, "a", "0101", 1000, 500);
    scache_sess_put(t, "b", "0202", 1100, 1000);
    ck_assert_str_eq(scache_sess_get(t, "a", 1499), "0101");
    ck_assert_ptr_null(scache_sess_get(t, "a", 1500));
    ck_assert_ptr_null(scache_sess_get(t, "A", 1000));		/* keys are exact */
    ck_assert_int_eq(scache_sess_expire(t, 1500), 2100);
    ck_assert_uint_eq(t->count, 1);
    scache_sess_put(t, "b", "0303", 1600, 1000);		/* replaces */
    ck_assert_uint_eq(t->count, 1);
    ck_assert_str_eq(scache_sess_get(t, "b", 2500), "0303");
    /* Handing it out does not remove it. */
    ck_assert_str_eq(scache_sess_get(t, "b", 2500), "0303");
    ck_assert_int_eq(t->hits, 3);
    ck_assert_int_eq(t->misses, 2);
    ck_assert_int_eq(scache_sess_expire(t, 2600), 0);
    ck_assert_uint_eq(t->count, 0);
    ck_assert_uint_eq(t->bytes, 0);
    scache_sess_free(t);
}
END_TEST

START_TEST(session_table_bounds)
{
    SCACHE_SESS_TABLE *t = scache_sess_new(2, 20);

    scache_sess_put(t, "k1", "11", 0, 1000);
    scache_sess_put(t, "k2", "22", 1, 1000);
    scache_sess_put(t, "k3", "33", 2, 1000);			/* count bound: k1 goes */
    ck_assert_ptr_null(scache_sess_get(t, "k1", 3));
    ck_assert_str_eq(scache_sess_get(t, "k3", 3), "33");
    scache_sess_put(t, "k4", "44444444444444444", 3, 1000);	/* 19 bytes: k2 and k3 go */
    ck_assert_uint_eq(t->count, 1);
    ck_assert_uint_eq(t->bytes, 19);
    scache_sess_put(t, "k5", "555555555555555555555", 4, 1000);	/* never fits */
    ck_assert_ptr_null(scache_sess_get(t, "k5", 5));
    ck_assert_str_eq(scache_sess_get(t, "k4", 5), "44444444444444444");
    scache_sess_free(t);
}
END_TEST

/* smtp_tls_suite - the tests */

static Suite *smtp_tls_suite(void)
{
    Suite  *s = suite_create("smtp_tls");
    TCase  *tp = tcase_create("policy");
    TCase  *tc = tcase_create("cache");

    tcase_add_checked_fixture(tp, setup, 0);
    tcase_add_test(tp, policy_table_keys);
    tcase_add_test(tp, lookups_as_written_then_parent_domains);
    tcase_add_test(tp, levels_choose_protocols_ciphers_and_names);
    tcase_add_test(tp, bad_entries_and_warnings);
    tcase_add_test(tp, server_name_indication);
    tcase_add_test(tp, plaintext_fallback_after_failed_handshake);
    suite_add_tcase(s, tp);

    tcase_add_test(tc, hex_round_trip);
    tcase_add_test(tc, sessions_expire_and_are_replaced);
    tcase_add_test(tc, session_table_bounds);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(smtp_tls_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
