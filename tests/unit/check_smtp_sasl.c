/*
 * check_smtp_sasl - unit tests for SMTP AUTH decisions in the SMTP client
 * DESCRIPTION
 *	smtp_sasl_proto.c: the mechanisms of an EHLO reply (the AUTH line,
 *	the old AUTH= line, both merged; case, duplicates, bad and too many
 *	words), security option lists, smtp_sasl_mechanism_filter (names,
 *	negation, tables, first match wins), the password table's key order
 *	(remote host name before the next hop as written) and value split,
 *	the username word of the connection cache. smtp_sasl_glue.c: the
 *	start-up checks that end the process (as Postfix's do), the rule
 *	that a cached session is reused only under the credential the table
 *	gives now, and whether a server has a password at all (no plaintext
 *	fallback after a failed TLS handshake then).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp.h"
#include "smtp/smtp_sasl.h"
#include "cfg_params.h"

/* reply - an EHLO reply from "|"-separated lines */

static SMTP_REPLY *reply(const char *lines)
{
    SMTP_REPLY *r = smtp_reply_new();
    DSTR   *text = dstr_new(128);
    const char *cp;

    for (cp = lines; *cp; cp++)
	dstr_catc(text, *cp == '|' ? '\n' : *cp);
    dstr_catc(text, '\n');
    ck_assert_int_gt(smtp_reply_parse(dstr_str(text), dstr_len(text), r), 0);
    dstr_free(text);
    return (r);
}

/* mechs - the offered mechanisms as one string, and whether AUTH was there */

static int mechs(const char *lines, DSTR *out)
{
    SMTP_REPLY *r = reply(lines);
    ARGV   *av = argv_new(4);
    size_t  i;
    int     offered = smtp_sasl_ehlo_mechs(r, av);

    DSTR_RESET(out);
    for (i = 0; i < av->argc; i++)
	dstr_printf(out, "%s%s", i ? " " : "", av->argv[i]);
    argv_free(av);
    smtp_reply_free(r);
    return (offered);
}

START_TEST(ehlo_auth_and_old_auth_equals_forms_merge)
{
    DSTR   *out = dstr_new(64);

    ck_assert_int_eq(mechs("250-mx.test Hello|250-PIPELINING|250-AUTH PLAIN LOGIN"
			   "|250-AUTH=LOGIN CRAM-MD5|250 8BITMIME", out), 1);
    ck_assert_str_eq(dstr_str(out), "PLAIN LOGIN CRAM-MD5");
    ck_assert_int_eq(mechs("250-mx.test|250 AUTH=digest-md5 plain", out), 1);
    ck_assert_str_eq(dstr_str(out), "DIGEST-MD5 PLAIN");
    ck_assert_int_eq(mechs("250-mx.test|250-auth\tcram-md5  scram-sha-256 |250 DSN", out), 1);
    ck_assert_str_eq(dstr_str(out), "CRAM-MD5 SCRAM-SHA-256");
    dstr_free(out);
}
END_TEST

START_TEST(ehlo_without_auth_or_with_an_empty_list)
{
    DSTR   *out = dstr_new(64);

    ck_assert_int_eq(mechs("250-mx.test|250-PIPELINING|250 SIZE 1000", out), 0);
    ck_assert_str_eq(dstr_str(out), "");
    /* The first line is the server's name, never a keyword. */
    ck_assert_int_eq(mechs("250-AUTH PLAIN|250 SIZE", out), 0);
    ck_assert_int_eq(mechs("250-mx.test|250-AUTHX PLAIN|250-XAUTH PLAIN|250 AUTHENTICATE", out), 0);
    ck_assert_int_eq(mechs("250-mx.test|250 AUTH", out), 1);
    ck_assert_str_eq(dstr_str(out), "");
    ck_assert_int_eq(mechs("250-mx.test|250 AUTH=", out), 1);
    ck_assert_str_eq(dstr_str(out), "");
    ck_assert_int_eq(mechs("250 mx.test", out), 0);
    dstr_free(out);
}
END_TEST

START_TEST(ehlo_words_are_bounded_and_checked)
{
    DSTR   *out = dstr_new(64);
    DSTR   *line = dstr_new(1024);
    int     i;

    /* 21 characters, a bad character, duplicates in any case. */
    ck_assert_int_eq(mechs("250-mx.test|250 AUTH ABCDEFGHIJKLMNOPQRSTU PL@IN plain"
			   " PLAIN Plain ABCDEFGHIJKLMNOPQRST", out), 1);
    ck_assert_str_eq(dstr_str(out), "PLAIN ABCDEFGHIJKLMNOPQRST");
    dstr_strcpy(line, "250-mx.test|250 AUTH");
    for (i = 0; i < SMTP_SASL_MECHS_MAX + 10; i++)
	dstr_printf(line, " M%d", i);
    ck_assert_int_eq(mechs(dstr_str(line), out), 1);
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "M63"));
    ck_assert_ptr_null(strstr(dstr_str(out), "M64"));
    dstr_free(out);
    dstr_free(line);
}
END_TEST

START_TEST(security_options_parse)
{
    DSTR   *err = dstr_new(64);
    int     flags;

    ck_assert_int_eq(sasl_secopts_parse("noplaintext, noanonymous", &flags, err), 0);
    ck_assert_int_eq(flags, SASL_SECOPT_NOPLAINTEXT | SASL_SECOPT_NOANONYMOUS);
    ck_assert_int_eq(sasl_secopts_parse("", &flags, err), 0);
    ck_assert_int_eq(flags, 0);
    ck_assert_int_eq(sasl_secopts_parse("noactive\tnodictionary\nNoPlainText,mutual_auth "
					     "noanonymous", &flags, err), 0);
    ck_assert_int_eq(flags, SASL_SECOPT_NOACTIVE | SASL_SECOPT_NODICTIONARY
		     | SASL_SECOPT_NOPLAINTEXT | SASL_SECOPT_MUTUAL_AUTH
		     | SASL_SECOPT_NOANONYMOUS);
    ck_assert_int_eq(sasl_secopts_parse("noplaintext, plaintext", &flags, err), -1);
    ck_assert_str_eq(dstr_str(err), "unknown SASL security option \"plaintext\"");
    dstr_free(err);
}
END_TEST

/* pass - does the filter from spec let mech through */

static int pass(const char *spec, const char *mech)
{
    DSTR   *err = dstr_new(64);
    SMTP_SASL_FILTER *f = smtp_sasl_filter_new(spec, err);
    int     ok;

    ck_assert_msg(dstr_len(err) == 0, "filter \"%s\": %s", spec, dstr_str(err));
    ok = smtp_sasl_filter_match(f, mech);
    smtp_sasl_filter_free(f);
    dstr_free(err);
    return (ok);
}

START_TEST(mechanism_filter)
{
    DSTR   *err = dstr_new(64);

    ck_assert_int_eq(pass("", "PLAIN"), 1);	/* empty: everything */
    ck_assert_int_eq(pass(" , ", "PLAIN"), 1);
    ck_assert_int_eq(pass("plain, login", "PLAIN"), 1);
    ck_assert_int_eq(pass("plain, login", "LOGIN"), 1);
    ck_assert_int_eq(pass("plain, login", "CRAM-MD5"), 0);
    ck_assert_int_eq(pass("!plain", "PLAIN"), 0);
    ck_assert_int_eq(pass("!plain", "LOGIN"), 0);	/* no match: dropped */
    ck_assert_int_eq(pass("!login, login", "LOGIN"), 0);	/* first match wins */
    ck_assert_int_eq(pass("login, !login", "LOGIN"), 1);
    ck_assert_int_eq(pass("!gssapi inline:{ cram-md5 = x, Plain = x }", "PLAIN"), 1);
    ck_assert_int_eq(pass("!gssapi inline:{ cram-md5 = x, Plain = x }", "CRAM-MD5"), 1);
    ck_assert_int_eq(pass("!gssapi inline:{ cram-md5 = x, Plain = x }", "LOGIN"), 0);
    ck_assert_int_eq(pass("!inline:{plain=x}, inline:{plain=x, login=x}", "PLAIN"), 0);
    ck_assert_int_eq(pass("!inline:{plain=x}, inline:{plain=x, login=x}", "LOGIN"), 1);
    ck_assert_ptr_null(smtp_sasl_filter_new("plain, /etc/posthorn/mechs", err));
    ck_assert_str_eq(dstr_str(err), "\"/etc/posthorn/mechs\": /file/name patterns are not supported");
    ck_assert_ptr_null(smtp_sasl_filter_new("pl@in", err));
    ck_assert_str_eq(dstr_str(err), "\"pl@in\": not a SASL mechanism name");
    ck_assert_ptr_null(smtp_sasl_filter_new("!", err));
    ck_assert_ptr_null(smtp_sasl_filter_new("nosuch:table", err));
    ck_assert_int_gt((int) dstr_len(err), 0);
    dstr_free(err);
}
END_TEST

START_TEST(password_lookup_host_then_next_hop)
{
    DSTR   *err = dstr_new(64);
    DSTR   *user = dstr_new(16);
    DSTR   *pass = dstr_new(16);
    DICT_LIST *maps = dict_list_open("inline:{ mx.example.com = host:hpw, "
				     "[relay.example]:587 = hop:p:w:d, example.com = dom:dpw }, "
				     "inline:{ other.test = nopassword, mx2.example.com = second:s }",
				     err);

    ck_assert_ptr_nonnull(maps);
    ck_assert_int_eq(smtp_sasl_passwd_find(maps, "mx.example.com", "[relay.example]:587", user, pass), 1);
    ck_assert_str_eq(dstr_str(user), "host");
    ck_assert_str_eq(dstr_str(pass), "hpw");
    /* The next hop as written, brackets and port included; split at the first ':'. */
    ck_assert_int_eq(smtp_sasl_passwd_find(maps, "relay.example", "[relay.example]:587", user, pass), 1);
    ck_assert_str_eq(dstr_str(user), "hop");
    ck_assert_str_eq(dstr_str(pass), "p:w:d");
    ck_assert_int_eq(smtp_sasl_passwd_find(maps, "relay.example", "relay.example:587", user, pass), 0);
    ck_assert_int_eq(smtp_sasl_passwd_find(maps, "mx9.example.com", "Example.COM", user, pass), 1);
    ck_assert_str_eq(dstr_str(user), "dom");
    ck_assert_int_eq(smtp_sasl_passwd_find(maps, "MX2.example.com", "example.com", user, pass), 1);
    ck_assert_str_eq(dstr_str(user), "second");	/* host in the second table wins */
    ck_assert_int_eq(smtp_sasl_passwd_find(maps, "other.test", "x", user, pass), 1);
    ck_assert_str_eq(dstr_str(user), "nopassword");
    ck_assert_str_eq(dstr_str(pass), "");
    ck_assert_int_eq(smtp_sasl_passwd_find(maps, "", "", user, pass), 0);
    dict_list_close(maps);
    dstr_free(err);
    dstr_free(user);
    dstr_free(pass);
}
END_TEST

START_TEST(cache_username_word_round_trip)
{
    static const char *const names[] = {
	"alice", "", "-", "=", "a b", "100%", "b\303\274ro@example.com", "tab\there", 0,
    };
    static const char *const bad[] = {"", "alice", "=%4", "=%4g", "=%00", "=%4a", "=a\001", 0};
    DSTR   *word = dstr_new(16);
    DSTR   *back = dstr_new(16);
    const char *const *cpp;

    smtp_sasl_user_encode(word, 0);
    ck_assert_str_eq(dstr_str(word), "-");
    ck_assert_int_eq(smtp_sasl_user_decode(back, "-"), 0);
    for (cpp = names; *cpp; cpp++) {
	smtp_sasl_user_encode(word, *cpp);
	ck_assert_ptr_null(strpbrk(dstr_str(word), " \t\r\n"));
	ck_assert_int_eq(smtp_sasl_user_decode(back, dstr_str(word)), 1);
	ck_assert_str_eq(dstr_str(back), *cpp);
    }
    for (cpp = bad; *cpp; cpp++)
	ck_assert_msg(smtp_sasl_user_decode(back, *cpp) == -1, "accepted \"%s\"", *cpp);
    dstr_free(word);
    dstr_free(back);
}
END_TEST

/* session - a session as the cache would restore it */

static SMTP_SESSION *session(const char *host, const char *user)
{
    SMTP_SESSION *s = smtp_session_new(-1, host, "192.0.2.1", 25);

    s->sasl_user = user ? strdup(user) : 0;
    return (s);
}

/* sasl_on - configuration with SMTP AUTH on, then the per-process set-up */

static void sasl_on(const char *maps)
{
    var_smtp_sasl_enable = 1;
    var_smtp_sasl_type = "cyrus";
    var_smtp_sasl_passwd = (char *) maps;
    var_smtp_sasl_opts = "noplaintext, noanonymous";
    var_smtp_sasl_tls_opts = "noanonymous";
    var_smtp_sasl_tlsv_opts = "";
    var_smtp_sasl_mechs = "";
    smtp_sasl_init();
}

START_TEST(cached_session_reused_only_under_the_same_credential)
{
    SMTP_SESSION *a = session("mx.example.com", "alice");
    SMTP_SESSION *b = session("mx.example.com", "bob");
    SMTP_SESSION *none = session("mx.example.com", 0);
    SMTP_SESSION *other = session("mx2.example.com", "alice");

    var_smtp_sasl_enable = 0;			/* SASL off: unauthenticated sessions only */
    ck_assert_int_eq(smtp_sasl_reuse_ok(none, "example.com"), 1);
    ck_assert_int_eq(smtp_sasl_reuse_ok(a, "example.com"), 0);
    sasl_on("inline:{ mx.example.com = alice:pw, example.org = bob:pw2 }");
    ck_assert_int_eq(smtp_sasl_reuse_ok(a, "example.com"), 1);
    ck_assert_int_eq(smtp_sasl_reuse_ok(b, "example.com"), 0);
    ck_assert_int_eq(smtp_sasl_reuse_ok(none, "example.com"), 0);
    ck_assert_int_eq(smtp_sasl_reuse_ok(other, "example.net"), 0);	/* no entry now */
    ck_assert_int_eq(smtp_sasl_reuse_ok(none, "example.net"), 0);	/* host entry: alice */
    smtp_session_free(other);
    other = session("mx3.example.org", 0);
    ck_assert_int_eq(smtp_sasl_reuse_ok(other, "example.net"), 1);	/* no entry either way */
    smtp_session_free(other);
    other = session("mx3.example.org", "bob");
    ck_assert_int_eq(smtp_sasl_reuse_ok(other, "example.org"), 1);	/* next-hop entry */
    smtp_session_free(a);
    smtp_session_free(b);
    smtp_session_free(none);
    smtp_session_free(other);
}
END_TEST

START_TEST(credentials_by_host_or_next_hop)
{
    var_smtp_sasl_enable = 0;			/* SASL off: never any password */
    ck_assert_int_eq(smtp_sasl_have_credentials("mx.example.com", "example.com"), 0);
    sasl_on("inline:{ mx.example.com = alice:pw, [relay.example]:587 = bob:pw2 }");
    ck_assert_int_eq(smtp_sasl_have_credentials("mx.example.com", "example.com"), 1);
    ck_assert_int_eq(smtp_sasl_have_credentials("relay.example", "[relay.example]:587"), 1);
    ck_assert_int_eq(smtp_sasl_have_credentials("relay.example", "[relay.example]"), 0);
    ck_assert_int_eq(smtp_sasl_have_credentials("mx2.example.com", "example.com"), 0);
}
END_TEST

START_TEST(properties_carry_the_username)
{
    SMTP_SESSION *s = session("mx.example.com", "al ice");
    SMTP_SESSION *back;
    DSTR   *props = dstr_new(64);

    smtp_cache_props(props, s);
    ck_assert_ptr_nonnull(strstr(dstr_str(props), " =al%20ice"));
    back = smtp_cache_unprops(-1, dstr_str(props));
    ck_assert_ptr_nonnull(back);
    ck_assert_str_eq(back->sasl_user, "al ice");
    smtp_session_free(back);
    free(s->sasl_user);
    s->sasl_user = 0;
    smtp_cache_props(props, s);
    back = smtp_cache_unprops(-1, dstr_str(props));
    ck_assert_ptr_nonnull(back);
    ck_assert_ptr_null(back->sasl_user);
    smtp_session_free(back);
    ck_assert_ptr_null(smtp_cache_unprops(-1, "h a 25 1 0 1 5 alice"));
    smtp_session_free(s);
    dstr_free(props);
}
END_TEST

START_TEST(init_refuses_an_unknown_security_option)
{
    var_smtp_sasl_enable = 1;
    var_smtp_sasl_type = "cyrus";
    var_smtp_sasl_passwd = "inline:{ a = b:c }";
    var_smtp_sasl_opts = "noplaintext, nosuch";
    var_smtp_sasl_tls_opts = "";
    var_smtp_sasl_tlsv_opts = "";
    var_smtp_sasl_mechs = "";
    smtp_sasl_init();
}
END_TEST

START_TEST(init_needs_a_password_table)
{
    sasl_on("");
}
END_TEST

START_TEST(init_refuses_other_implementations)
{
    var_smtp_sasl_enable = 1;
    var_smtp_sasl_type = "dovecot";
    var_smtp_sasl_passwd = "inline:{ a = b:c }";
    smtp_sasl_init();
}
END_TEST

START_TEST(init_refuses_a_bad_filter)
{
    var_smtp_sasl_mechs = "plain, /file";
    var_smtp_sasl_enable = 1;
    var_smtp_sasl_type = "cyrus";
    var_smtp_sasl_passwd = "inline:{ a = b:c }";
    var_smtp_sasl_opts = var_smtp_sasl_tls_opts = var_smtp_sasl_tlsv_opts = "";
    smtp_sasl_init();
}
END_TEST

START_TEST(init_does_nothing_when_disabled)
{
    var_smtp_sasl_enable = 0;
    var_smtp_sasl_type = "dovecot";		/* not even looked at */
    var_smtp_sasl_passwd = "";
    smtp_sasl_init();
}
END_TEST

/* smtp_sasl_suite - the tests */

static Suite *smtp_sasl_suite(void)
{
    Suite  *s = suite_create("smtp_sasl");
    TCase  *tp = tcase_create("proto");
    TCase  *tg = tcase_create("glue");

    tcase_add_test(tp, ehlo_auth_and_old_auth_equals_forms_merge);
    tcase_add_test(tp, ehlo_without_auth_or_with_an_empty_list);
    tcase_add_test(tp, ehlo_words_are_bounded_and_checked);
    tcase_add_test(tp, security_options_parse);
    tcase_add_test(tp, mechanism_filter);
    tcase_add_test(tp, password_lookup_host_then_next_hop);
    tcase_add_test(tp, cache_username_word_round_trip);
    suite_add_tcase(s, tp);

    tcase_add_test(tg, cached_session_reused_only_under_the_same_credential);
    tcase_add_test(tg, credentials_by_host_or_next_hop);
    tcase_add_test(tg, properties_carry_the_username);
    tcase_add_exit_test(tg, init_refuses_an_unknown_security_option, 1);
    tcase_add_exit_test(tg, init_needs_a_password_table, 1);
    tcase_add_exit_test(tg, init_refuses_other_implementations, 1);
    tcase_add_exit_test(tg, init_refuses_a_bad_filter, 1);
    tcase_add_test(tg, init_does_nothing_when_disabled);
    suite_add_tcase(s, tg);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(smtp_sasl_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
