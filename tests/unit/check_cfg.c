/*
 * check_cfg - main.cf: syntax, expansion, types, overrides, printing, editing
 * DESCRIPTION
 *	One behaviour per test. Files live in a fresh mkdtemp() directory
 *	that the teardown removes; every test ends with cfg_unload() so the
 *	suite also passes with CK_FORK=no.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dstr.h"
#include "argv.h"
#include "msg.h"
#include "cfg.h"
#include "cfg_params.h"

#define FILENAME	"/tmp/x/main.cf"	/* name used for in-memory text */

static DSTR *test_dir;			/* mkdtemp() result, or empty */
static DSTR *test_err;
static DSTR *test_log;			/* lines caught by the msg sink */

/* setup - fresh error buffer and log capture */

static void setup(void)
{
    test_dir = dstr_new(64);
    test_err = dstr_new(100);
    test_log = dstr_new(100);
    cfg_set_hostname("box");
}

/* path_of - DIR/name */

static const char *path_of(DSTR *buf, const char *name)
{
    dstr_sprintf(buf, "%s/%s", dstr_str(test_dir), name);
    return (dstr_str(buf));
}

/* teardown - forget the configuration, remove the directory */

static void teardown(void)
{
    DSTR   *path = dstr_new(100);

    cfg_unload();
    msg_set_sink(NULL);
    if (dstr_len(test_dir) > 0) {
	(void) unlink(path_of(path, "main.cf"));
	(void) unlink(path_of(path, "main.cf.tmp"));
	(void) unlink(path_of(path, "victim"));
	(void) rmdir(dstr_str(test_dir));
    }
    dstr_free(path);
    test_dir = dstr_free(test_dir);
    test_err = dstr_free(test_err);
    test_log = dstr_free(test_log);
}

/* make_dir - a temporary config directory */

static const char *make_dir(void)
{
    char    tmpl[] = "/tmp/check_cfg.XXXXXX";

    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    dstr_strcpy(test_dir, tmpl);
    return (dstr_str(test_dir));
}

/* write_main_cf - DIR/main.cf with the given text */

static void write_main_cf(const char *text)
{
    DSTR   *path = dstr_new(100);
    FILE   *fp = fopen(path_of(path, "main.cf"), "w");

    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(fputs(text, fp) >= 0, 1);
    ck_assert_int_eq(fclose(fp), 0);
    dstr_free(path);
}

/* read_main_cf - DIR/main.cf as a string (caller frees) */

static char *read_main_cf(void)
{
    DSTR   *path = dstr_new(100);
    DSTR   *text = dstr_new(100);
    FILE   *fp = fopen(path_of(path, "main.cf"), "r");
    int     ch;

    ck_assert_ptr_nonnull(fp);
    while ((ch = getc(fp)) != EOF)
	dstr_catc(text, ch);
    fclose(fp);
    dstr_free(path);
    return (dstr_export(text));
}

/* load - main.cf text from memory; returns cfg_load_text()'s result */

static int load(const char *text)
{
    return (cfg_load_text(text, strlen(text), FILENAME, test_err));
}

/* load_ok - load and insist that it worked */

static void load_ok(const char *text)
{
    if (load(text) != 0)
	ck_abort_msg("load failed: %s", dstr_str(test_err));
}

/* capture - msg sink that keeps lines for assertions */

static void capture(int level, const char *text)
{
    (void) level;
    dstr_cats(test_log, text);
    dstr_catc(test_log, '\n');
}

/* print_to_string - cfg_print() output and status */

static char *print_to_string(int mode, char **names, int *status)
{
    FILE   *fp = tmpfile();
    DSTR   *out = dstr_new(1000);
    int     ch;

    ck_assert_ptr_nonnull(fp);
    *status = cfg_print(fp, mode, names);
    rewind(fp);
    while ((ch = getc(fp)) != EOF)
	dstr_catc(out, ch);
    fclose(fp);
    return (dstr_export(out));
}

/* Syntax */

/* A value only one daemon interprets (TLS, SASL, feedback) is still checked by every reader of main.cf. */

START_TEST(daemon_specific_values_are_checked_naming_file_line_and_parameter)
{
    static const struct {
	const char *text;
	const char *err;
    } bad[] = {
	{"smtp_tls_security_level = maybe\n",
	 ", line 1: parameter smtp_tls_security_level: invalid or unsupported TLS security level \"maybe\""},
	{"a = 1\nsmtp_tls_mandatory_ciphers = strong\n",
	 ", line 2: parameter smtp_tls_mandatory_ciphers: invalid cipher grade \"strong\""},
	{"smtp_tls_secure_cert_match = nexthop;\n", ", line 1: parameter smtp_tls_secure_cert_match: "},
	{"smtp_tls_protocols = SSLv4\n", ", line 1: parameter smtp_tls_protocols: "},
	{"smtp_tls_servername = bad name\n",
	 ", line 1: parameter smtp_tls_servername: invalid name \"bad name\""},
	{"smtp_sasl_security_options = noplaintext, plaintext\n",
	 ", line 1: parameter smtp_sasl_security_options: unknown SASL security option \"plaintext\""},
	/* An inherited bad value is reported where it was written. */
	{"x = nodict\nsmtp_sasl_tls_security_options = $x\n",
	 ", line 2: parameter smtp_sasl_tls_security_options: unknown SASL security option \"nodict\""},
	{"smtp_sasl_type = dovecot\n", ", line 1: parameter smtp_sasl_type: unsupported SASL client"},
	{"default_destination_concurrency_positive_feedback = 2\n",
	 ", line 1: parameter default_destination_concurrency_positive_feedback: invalid feedback value \"2\""},
	{"default_destination_concurrency_negative_feedback = 1/conc\n",
	 ", line 1: parameter default_destination_concurrency_negative_feedback: invalid feedback value"},
	/* The per-transport form gets the check of what it overrides. */
	{"a = 1\nrelay_destination_concurrency_positive_feedback = 3/2\n",
	 ", line 2: parameter relay_destination_concurrency_positive_feedback: invalid feedback value \"3/2\""},
	{"dkim_canonicalization = relaxed/loose\n",
	 ", line 1: parameter dkim_canonicalization: invalid DKIM canonicalization \"relaxed/loose\""},
	{"dkim_canonicalization = /relaxed\n", ", line 1: parameter dkim_canonicalization: "},
	{"dkim_sign_headers = From, Sub\x01ject\n", ", line 1: parameter dkim_sign_headers: invalid header field name"},
	{"dkim_oversign_headers = From, Subj\xe9t\n", ", line 1: parameter dkim_oversign_headers: invalid header field name"},
	/* A signature must outlive every retry of its message. */
	{"maximal_queue_lifetime = 2d\ndkim_signature_ttl = 2d\n",
	 ", line 2: parameter dkim_signature_ttl: 172800s is not above maximal_queue_lifetime (172800s)"},
	{"dkim_signature_ttl = 1d\n", ", line 1: parameter dkim_signature_ttl: 86400s is not above"},
	/* master and smtp read inet_protocols the same way; a typo is caught here. */
	{"inet_protocols = ip4\n",
	 ", line 1: parameter inet_protocols: unknown protocol \"ip4\": expected all, ipv4 or ipv6"},
	{"inet_protocols = ,\n", ", line 1: parameter inet_protocols: no protocol"},
    };
    size_t  i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
	ck_assert_msg(load(bad[i].text) == -1, "accepted: %s", bad[i].text);
	ck_assert_msg(strncmp(dstr_str(test_err), FILENAME, strlen(FILENAME)) == 0
		      && strstr(dstr_str(test_err), bad[i].err) != 0,
		      "%s: got \"%s\"", bad[i].text, dstr_str(test_err));
	cfg_unload();
    }
    load_ok("inet_protocols = IPv4, ipv6\n");
    cfg_unload();
    load_ok("smtp_tls_security_level = dane\n"		/* may, with a warning */
	    "smtp_tls_mandatory_ciphers = high\n"
	    "smtp_tls_protocols = >=TLSv1.2\n"
	    "smtp_tls_servername = nexthop\n"
	    "smtp_tls_verify_cert_match = hostname, example.com\n"
	    "smtp_sasl_security_options = noanonymous\n"
	    "default_destination_concurrency_positive_feedback = 1/concurrency\n"
	    "default_destination_concurrency_negative_feedback = 0.5\n"
	    "smtp_destination_concurrency_negative_feedback = 1/concurrency\n");
    ck_assert_str_eq(var_dkim_canon, "relaxed/relaxed");	/* defaults pass their checks */
    ck_assert_int_eq(var_dkim_sig_ttl, 0);
    load_ok("dkim_canonicalization = simple\n"
	    "dkim_sign_headers = from:to subject\n"
	    "maximal_queue_lifetime = 1d\n"
	    "dkim_signature_ttl = 7d\n");
    ck_assert_int_eq(var_dkim_sig_ttl, 7 * 86400);
}
END_TEST

START_TEST(continuation_lines_join_with_one_space)
{
    load_ok("a = one\n   two\n\tthree  \n");
    ck_assert_str_eq(cfg_lookup("a"), "one two three");
}
END_TEST

START_TEST(continuation_without_parameter_is_error)
{
    ck_assert_int_eq(load("# top\n  stray = 1\n"), -1);
    ck_assert_str_eq(dstr_str(test_err), FILENAME ", line 2: continuation "
		     "line without a preceding parameter");
}
END_TEST

START_TEST(comments_and_blank_lines_are_skipped_even_inside_a_value)
{
    load_ok("# comment\n\n   # indented comment\na = 1\n# between\n\n  2\n");
    ck_assert_str_eq(cfg_lookup("a"), "1 2");
    ck_assert_ptr_null(cfg_lookup("#"));
}
END_TEST

START_TEST(white_space_around_equals_and_line_ends_is_ignored)
{
    load_ok("a=1\nb   =\t2 \t\nc = 3\r\nd =\n");
    ck_assert_str_eq(cfg_lookup("a"), "1");
    ck_assert_str_eq(cfg_lookup("b"), "2");
    ck_assert_str_eq(cfg_lookup("c"), "3");
    ck_assert_str_eq(cfg_lookup("d"), "");
}
END_TEST

START_TEST(missing_equals_is_error_naming_file_and_line)
{
    ck_assert_int_eq(load("a = 1\n\nfoo bar\n"), -1);
    ck_assert_str_eq(dstr_str(test_err),
		     FILENAME ", line 3: missing '=' after parameter name");
}
END_TEST

START_TEST(missing_name_is_error)
{
    ck_assert_int_eq(load("= 1\n"), -1);
    ck_assert_str_eq(dstr_str(test_err),
		     FILENAME ", line 1: missing parameter name before '='");
}
END_TEST

START_TEST(nul_byte_is_error)
{
    ck_assert_int_eq(cfg_load_text("a = 1\nb = x\0y\n", 14, FILENAME, test_err), -1);
    ck_assert_str_eq(dstr_str(test_err), FILENAME ", line 2: NUL character in line");
}
END_TEST

START_TEST(later_setting_wins)
{
    load_ok("qmqpd_timeout = 10s\na = first\nqmqpd_timeout = 20s\na = second\n");
    ck_assert_int_eq(var_qmqpd_timeout, 20);
    ck_assert_str_eq(cfg_lookup("a"), "second");
}
END_TEST

/* Expansion */

START_TEST(expansion_plain_braces_and_parentheses)
{
    load_ok("a = x\nb = $a-${a}-$(a)\n");
    ck_assert_str_eq(cfg_lookup("b"), "x-x-x");
}
END_TEST

START_TEST(expansion_name_ends_at_non_name_character)
{
    load_ok("a = x\na_b = y\nc = $a.$a_b/$a-\n");
    ck_assert_str_eq(cfg_lookup("c"), "x.y/x-");
}
END_TEST

START_TEST(expansion_if_nonempty)
{
    load_ok("set = 1\nempty =\nb = [${set?yes}][${empty?yes}][$(nope?yes)]\n");
    ck_assert_str_eq(cfg_lookup("b"), "[yes][][]");
}
END_TEST

START_TEST(expansion_if_empty)
{
    load_ok("set = 1\nempty =\nb = [${set:no}][${empty:no}][${nope:no}]\n");
    ck_assert_str_eq(cfg_lookup("b"), "[][no][no]");
}
END_TEST

START_TEST(expansion_two_branches)
{
    load_ok("set = 1\nb = ${set?{one}:{two}} ${nope?{one}:{two}} ${set?{braced}}\n");
    ck_assert_str_eq(cfg_lookup("b"), "one two braced");
}
END_TEST

START_TEST(expansion_text_parts_are_expanded_and_nest)
{
    load_ok("a = A\nb = B\n"
	    "c = ${a?<$b>} ${a?${nope:${b}!}} ${a?{x$a}:{y$b}} ${nope?{x}:{${b}z}}\n");
    ck_assert_str_eq(cfg_lookup("c"), "<B> B! xA Bz");
}
END_TEST

START_TEST(double_dollar_is_a_literal_dollar)
{
    load_ok("a = x\nb = $$a cost $$5 $${a} $$$a\n");
    ck_assert_str_eq(cfg_lookup("b"), "$a cost $5 ${a} $x");
}
END_TEST

START_TEST(undefined_names_expand_to_nothing)
{
    load_ok("b = [$nope][${nope}][$(nope)]\n");
    ck_assert_str_eq(cfg_lookup("b"), "[][][]");
}
END_TEST

START_TEST(expansion_uses_defaults_and_chains)
{
    load_ok("mydomain = example.com\nd = $myorigin\n");
    ck_assert_str_eq(cfg_lookup("d"), "box.example.com");
    ck_assert_str_eq(var_myorigin, "box.example.com");
}
END_TEST

START_TEST(recursion_loop_is_error)
{
    ck_assert_int_eq(load("a = x$b\nb = y$a\n"), -1);
    ck_assert_str_eq(dstr_str(test_err), FILENAME ", line 1: parameter a: recursion loop");
}
END_TEST

START_TEST(self_reference_is_a_loop)
{
    ck_assert_int_eq(load("\nmyorigin = ${myorigin:x}\n"), -1);
    ck_assert_str_eq(dstr_str(test_err),
		     FILENAME ", line 2: parameter myorigin: recursion loop");
}
END_TEST

START_TEST(depth_over_100_is_a_loop_but_100_is_fine)
{
    DSTR   *text = dstr_new(4000);
    int     i;

    for (i = 0; i < 100; i++)
	dstr_printf(text, "p%d = $p%d\n", i, i + 1);
    dstr_printf(text, "p100 = end\n");
    load_ok(dstr_str(text));
    ck_assert_str_eq(cfg_lookup("p0"), "end");

    DSTR_RESET(text);
    for (i = 0; i < 102; i++)
	dstr_printf(text, "p%d = $p%d\n", i, i + 1);
    ck_assert_int_eq(load(dstr_str(text)), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(test_err), ": recursion loop"));
    dstr_free(text);
}
END_TEST

START_TEST(dollar_without_name_is_error)
{
    ck_assert_int_eq(load("price = 100$\n"), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(test_err), FILENAME ", line 1: parameter "
				 "price: missing parameter name after '$'"));
}
END_TEST

START_TEST(unbalanced_brace_is_error)
{
    ck_assert_int_eq(load("a = ${b\n"), -1);
    ck_assert_str_eq(dstr_str(test_err),
		     FILENAME ", line 1: parameter a: missing '}' after \"${\"");
}
END_TEST

START_TEST(bad_expression_is_error)
{
    ck_assert_int_eq(load("a = ${b c}\n"), -1);
    ck_assert_str_eq(dstr_str(test_err), FILENAME ", line 1: parameter a: "
		     "bad parameter expression \"b c\"");
}
END_TEST

START_TEST(exponential_expansion_is_refused)
{
    DSTR   *text = dstr_new(4000);
    int     i;

    dstr_printf(text, "p40 = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
    for (i = 0; i < 40; i++)
	dstr_printf(text, "p%d = $p%d$p%d\n", i, i + 1, i + 1);
    ck_assert_int_eq(load(dstr_str(text)), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(test_err), "expansion exceeds"));
    dstr_free(text);
}
END_TEST

/* Types */

START_TEST(time_units)
{
    load_ok("qmqpd_timeout = 2m\nmax_idle = 1h\nipc_timeout = 1d\n"
	    "daemon_timeout = 2w\nservice_throttle_time = 30s\n");
    ck_assert_int_eq(var_qmqpd_timeout, 120);
    ck_assert_int_eq(var_idle_limit, 3600);
    ck_assert_int_eq(var_ipc_timeout, 86400);
    ck_assert_int_eq(var_daemon_timeout, 2 * 604800);
    ck_assert_int_eq(var_throttle_time, 30);
}
END_TEST

START_TEST(bare_time_is_in_the_unit_of_the_default)
{
    long    secs;

    load_ok("qmqpd_timeout = 7\n");		/* default 300s */
    ck_assert_int_eq(var_qmqpd_timeout, 7);
    ck_assert_int_eq(cfg_parse_time("3", 'd', &secs), 0);	/* default "5d" */
    ck_assert_int_eq(secs, 3 * 86400);
    ck_assert_int_eq(cfg_parse_time("3", 'm', &secs), 0);
    ck_assert_int_eq(secs, 180);
    ck_assert_int_eq(cfg_parse_time("3s", 'd', &secs), 0);
    ck_assert_int_eq(secs, 3);
}
END_TEST

START_TEST(time_parser_rejects_junk)
{
    long    secs = 42;

    ck_assert_int_eq(cfg_parse_time("", 's', &secs), -1);
    ck_assert_int_eq(cfg_parse_time("5x", 's', &secs), -1);
    ck_assert_int_eq(cfg_parse_time("5ss", 's', &secs), -1);
    ck_assert_int_eq(cfg_parse_time("s", 's', &secs), -1);
    ck_assert_int_eq(cfg_parse_time("-5", 's', &secs), -1);
    ck_assert_int_eq(cfg_parse_time("99999999999999999999", 's', &secs), -1);
    ck_assert_int_eq(cfg_parse_time("999999999999999w", 's', &secs), -1);
    ck_assert_int_eq(secs, 42);
}
END_TEST

START_TEST(bad_time_names_file_line_and_parameter)
{
    ck_assert_int_eq(load("# x\nqmqpd_timeout = 5x\n"), -1);
    ck_assert_str_eq(dstr_str(test_err), FILENAME ", line 2: parameter "
		     "qmqpd_timeout: bad time value \"5x\"");
}
END_TEST

START_TEST(time_below_minimum_is_error)
{
    ck_assert_int_eq(load("max_idle = 0\n"), -1);
    ck_assert_str_eq(dstr_str(test_err), FILENAME ", line 1: parameter "
		     "max_idle: value \"0\" is below the minimum 1s");
}
END_TEST

START_TEST(time_too_large_for_int_is_error)
{
    ck_assert_int_eq(load("max_idle = 5000w\n"), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(test_err), "parameter max_idle: "
				 "value \"5000w\" is above the maximum"));
}
END_TEST

START_TEST(booleans_are_case_insensitive)
{
    load_ok("soft_bounce = YES\nqmqpd_client_port_logging = True\n");
    ck_assert_int_eq(var_soft_bounce, 1);
    ck_assert_int_eq(var_qmqpd_port_logging, 1);
    load_ok("soft_bounce = No\nqmqpd_client_port_logging = false\n");
    ck_assert_int_eq(var_soft_bounce, 0);
    ck_assert_int_eq(var_qmqpd_port_logging, 0);
}
END_TEST

START_TEST(bad_boolean_is_error)
{
    ck_assert_int_eq(load("soft_bounce = maybe\n"), -1);
    ck_assert_str_eq(dstr_str(test_err), FILENAME ", line 1: parameter "
		     "soft_bounce: bad boolean value \"maybe\" (use yes or no)");
}
END_TEST

START_TEST(int_below_minimum_names_parameter)
{
    ck_assert_int_eq(load("a = 1\n\ndefault_process_limit = 0\n"), -1);
    ck_assert_str_eq(dstr_str(test_err), FILENAME ", line 3: parameter "
		     "default_process_limit: value \"0\" is below the minimum 1");
}
END_TEST

START_TEST(int_not_a_number_is_error)
{
    ck_assert_int_eq(load("hopcount_limit = 12x\n"), -1);
    ck_assert_str_eq(dstr_str(test_err), FILENAME ", line 1: parameter "
		     "hopcount_limit: bad numerical value \"12x\"");
}
END_TEST

START_TEST(int_above_int_range_is_error)
{
    ck_assert_int_eq(load("hopcount_limit = 3000000000\n"), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(test_err), "is above the maximum 2147483647"));
}
END_TEST

START_TEST(long_takes_zero_and_large_values)
{
    load_ok("message_size_limit = 0\n");
    ck_assert(var_message_limit == 0);
    load_ok("message_size_limit = 20000000000\n");
    ck_assert(var_message_limit == 20000000000L);
}
END_TEST

START_TEST(typed_values_are_expanded_first)
{
    load_ok("hops = 20\nhopcount_limit = $hops\nt = 5\nqmqpd_timeout = ${t}m\n");
    ck_assert_int_eq(var_hopcount_limit, 20);
    ck_assert_int_eq(var_qmqpd_timeout, 300);
}
END_TEST

START_TEST(defaults_apply_when_not_set)
{
    load_ok("");
    ck_assert_int_eq(var_qmqpd_timeout, 300);
    ck_assert_int_eq(var_qmqpd_err_sleep, 1);
    ck_assert(var_message_limit == 10240000);
    ck_assert(var_header_limit == 102400);
    ck_assert_int_eq(var_line_limit, 2048);
    ck_assert_int_eq(var_hopcount_limit, 50);
    ck_assert_int_eq(var_daemon_timeout, 18000);
    ck_assert_str_eq(var_verp_filter, "-=+");
    ck_assert_str_eq(var_maillog_file, "");
    ck_assert_str_eq(var_maillog_rotate_suffix, "%Y%m%d-%H%M%S");
    ck_assert_str_eq(var_queue_dir, "/var/spool/posthorn");
    ck_assert_str_eq(var_myorigin, "box.localdomain");
}
END_TEST

/* -o overrides */

START_TEST(override_wins_over_main_cf)
{
    ck_assert_int_eq(cfg_override("qmqpd_timeout = 10s", test_err), 0);
    load_ok("qmqpd_timeout = 20s\n");
    ck_assert_int_eq(var_qmqpd_timeout, 10);
}
END_TEST

START_TEST(later_override_wins_and_applies_at_every_load)
{
    ck_assert_int_eq(cfg_override("mail_name=one", test_err), 0);
    ck_assert_int_eq(cfg_override("mail_name=two", test_err), 0);
    load_ok("mail_name = file\n");
    ck_assert_str_eq(var_mail_name, "two");
    load_ok("mail_name = file again\n");
    ck_assert_str_eq(var_mail_name, "two");
}
END_TEST

START_TEST(override_error_names_the_override)
{
    ck_assert_int_eq(cfg_override("qmqpd_timeout=5x", test_err), 0);
    ck_assert_int_eq(load("qmqpd_timeout = 10s\n"), -1);
    ck_assert_str_eq(dstr_str(test_err), "-o qmqpd_timeout=5x: parameter "
		     "qmqpd_timeout: bad time value \"5x\"");
}
END_TEST

START_TEST(override_bad_syntax_is_refused)
{
    ck_assert_int_eq(cfg_override("novalue", test_err), -1);
    ck_assert_str_eq(dstr_str(test_err), "-o novalue: missing '=' after parameter name");
    ck_assert_int_eq(cfg_override(" = x", test_err), -1);
    ck_assert_str_eq(dstr_str(test_err), "-o  = x: missing parameter name before '='");
    ck_assert_int_eq(cfg_override("a b=x", test_err), -1);
}
END_TEST

/* Atomic loads */

START_TEST(failed_load_keeps_previous_values)
{
    load_ok("qmqpd_timeout = 10s\nmail_name = old\nextra = kept\n");
    ck_assert_int_eq(load("mail_name = new\nextra = changed\nqmqpd_timeout = 5x\n"), -1);
    ck_assert_int_eq(var_qmqpd_timeout, 10);
    ck_assert_str_eq(var_mail_name, "old");
    ck_assert_str_eq(cfg_lookup("extra"), "kept");
    ck_assert_int_eq(load("mail_name = new\nbroken line\n"), -1);
    ck_assert_str_eq(var_mail_name, "old");
}
END_TEST

START_TEST(successful_load_replaces_every_value)
{
    load_ok("mail_name = old\nextra = x\n");
    load_ok("qmqpd_timeout = 9\n");
    ck_assert_str_eq(var_mail_name, "posthorn");
    ck_assert_ptr_null(cfg_lookup("extra"));
    ck_assert_int_eq(var_qmqpd_timeout, 9);
}
END_TEST

START_TEST(load_reads_main_cf_from_directory)
{
    DSTR   *expect = dstr_new(100);
    const char *dir = make_dir();

    write_main_cf("mail_name = from file\nhopcount_limit = x\n");
    ck_assert_int_eq(cfg_load(dir, test_err), -1);
    dstr_sprintf(expect, "%s/main.cf, line 2: parameter hopcount_limit: "
		 "bad numerical value \"x\"", dir);
    ck_assert_str_eq(dstr_str(test_err), dstr_str(expect));
    dstr_free(expect);
    write_main_cf("mail_name = from file\n");
    ck_assert_int_eq(cfg_load(dir, test_err), 0);
    ck_assert_str_eq(var_mail_name, "from file");
    ck_assert_str_eq(var_config_dir, dir);
}
END_TEST

START_TEST(missing_main_cf_is_error_naming_path)
{
    DSTR   *expect = dstr_new(100);
    const char *dir = make_dir();

    dstr_sprintf(expect, "open %s/main.cf: No such file or directory", dir);
    ck_assert_int_eq(cfg_load(dir, test_err), -1);
    ck_assert_str_eq(dstr_str(test_err), dstr_str(expect));
    dstr_free(expect);
}
END_TEST

/* Computed defaults */

START_TEST(config_directory_is_computed_unless_set)
{
    load_ok("");
    ck_assert_str_eq(var_config_dir, "/etc/posthorn");
    load_ok("config_directory = /opt/conf\n");
    ck_assert_str_eq(var_config_dir, "/opt/conf");
}
END_TEST

START_TEST(dotted_hostname_is_myhostname_and_gives_mydomain)
{
    cfg_set_hostname("mx1.example.org");
    load_ok("");
    ck_assert_str_eq(var_myhostname, "mx1.example.org");
    ck_assert_str_eq(var_mydomain, "example.org");
}
END_TEST

START_TEST(short_hostname_gets_localdomain)
{
    load_ok("");
    ck_assert_str_eq(var_myhostname, "box.localdomain");
    ck_assert_str_eq(var_mydomain, "localdomain");
}
END_TEST

START_TEST(only_mydomain_set_qualifies_short_hostname)
{
    load_ok("mydomain = example.com\n");
    ck_assert_str_eq(var_myhostname, "box.example.com");
    ck_assert_str_eq(var_mydomain, "example.com");
}
END_TEST

START_TEST(only_mydomain_set_leaves_dotted_hostname_alone)
{
    cfg_set_hostname("mx1.example.org");
    load_ok("mydomain = example.com\n");
    ck_assert_str_eq(var_myhostname, "mx1.example.org");
}
END_TEST

START_TEST(only_myhostname_set_gives_mydomain)
{
    load_ok("myhostname = mail.example.net\n");
    ck_assert_str_eq(var_mydomain, "example.net");
    load_ok("myhostname = mail\n");
    ck_assert_str_eq(var_mydomain, "localdomain");
}
END_TEST

START_TEST(mydomain_referring_to_short_myhostname_is_a_loop)
{
    ck_assert_int_eq(load("mydomain = $myhostname\n"), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(test_err), "recursion loop"));
}
END_TEST

/* Lookups */

START_TEST(lookup_any_name_default_or_null)
{
    load_ok("custom = $mail_name-x\n");
    ck_assert_str_eq(cfg_lookup("custom"), "posthorn-x");
    ck_assert_str_eq(cfg_lookup("myorigin"), "box.localdomain");
    ck_assert_str_eq(cfg_lookup("maillog_file"), "");
    ck_assert_ptr_null(cfg_lookup("not_set_anywhere"));
}
END_TEST

START_TEST(lookup_int_uses_name_then_fallback)
{
    int     n = 0;

    load_ok("smtp_process_limit = 5\n");
    ck_assert_int_eq(cfg_lookup_int("smtp_process_limit", "default_process_limit",
				    &n, test_err), 0);
    ck_assert_int_eq(n, 5);
    ck_assert_int_eq(cfg_lookup_int("relay_process_limit", "default_process_limit",
				    &n, test_err), 0);
    ck_assert_int_eq(n, 100);
    load_ok("default_process_limit = 7\n");
    ck_assert_int_eq(cfg_lookup_int("relay_process_limit", "default_process_limit",
				    &n, test_err), 0);
    ck_assert_int_eq(n, 7);
}
END_TEST

START_TEST(lookup_int_checks_fallback_bounds)
{
    int     n = 42;

    load_ok("\nsmtp_process_limit = 0\n");
    ck_assert_int_eq(cfg_lookup_int("smtp_process_limit", "default_process_limit",
				    &n, test_err), -1);
    ck_assert_str_eq(dstr_str(test_err), FILENAME ", line 2: parameter "
		     "smtp_process_limit: value \"0\" is below the minimum 1");
    ck_assert_int_eq(n, 42);
}
END_TEST

START_TEST(lookup_time_uses_fallback_unit_and_bounds)
{
    int     t = 0;

    load_ok("relay_qmqpd_timeout = 2\nbad_qmqpd_timeout = 0\n");
    ck_assert_int_eq(cfg_lookup_time("relay_qmqpd_timeout", "qmqpd_timeout",
				     &t, test_err), 0);
    ck_assert_int_eq(t, 2);
    ck_assert_int_eq(cfg_lookup_time("other_qmqpd_timeout", "qmqpd_timeout",
				     &t, test_err), 0);
    ck_assert_int_eq(t, 300);
    ck_assert_int_eq(cfg_lookup_time("bad_qmqpd_timeout", "qmqpd_timeout",
				     &t, test_err), -1);
}
END_TEST

START_TEST(lookup_bool_uses_name_then_fallback)
{
    int     b = -1;

    cfg_override("relay_soft_bounce=yes", test_err);
    load_ok("soft_bounce = no\nbad_soft_bounce = perhaps\n");
    ck_assert_int_eq(cfg_lookup_bool("relay_soft_bounce", "soft_bounce", &b, test_err), 0);
    ck_assert_int_eq(b, 1);
    ck_assert_int_eq(cfg_lookup_bool("smtp_soft_bounce", "soft_bounce", &b, test_err), 0);
    ck_assert_int_eq(b, 0);
    ck_assert_int_eq(cfg_lookup_bool("bad_soft_bounce", "soft_bounce", &b, test_err), -1);
}
END_TEST

START_TEST(lookup_with_wrong_fallback_type_panics)
{
    int     n;

    msg_set_sink(capture);			/* keep the panic off stderr */
    load_ok("");
    (void) cfg_lookup_int("smtp_x", "qmqpd_timeout", &n, test_err);
}
END_TEST

/* Known and unknown names */

START_TEST(known_names_include_per_transport_forms)
{
    ck_assert_int_eq(cfg_is_known("qmqpd_timeout"), 1);
    ck_assert_int_eq(cfg_is_known("smtp_destination_concurrency_limit"), 1);
    ck_assert_int_eq(cfg_is_known("relay_initial_destination_concurrency"), 1);
    ck_assert_int_eq(cfg_is_known("smtp_time_limit"), 1);
    ck_assert_int_eq(cfg_is_known("my_relay_recipient_limit"), 1);
    ck_assert_int_eq(cfg_is_known("smtp_process_limit"), 1);	/* default_process_limit */
    ck_assert_int_eq(cfg_is_known("foo"), 0);
    ck_assert_int_eq(cfg_is_known("qmqpd_timeot"), 0);
    ck_assert_int_eq(cfg_is_known("_recipient_limit"), 0);
    ck_assert_int_eq(cfg_is_known("recipient_limit"), 0);
    ck_assert_int_eq(cfg_is_known("smtp_"), 0);
}
END_TEST

START_TEST(unknown_names_skip_known_and_used_names)
{
    ARGV   *names;

    load_ok("typo_limit = 1\nqmqpd_timeout = 10s\nsmtp_recipient_limit = 5\n"
	    "my_list = a $my_more\nmy_more = b\n"
	    "qmqpd_authorized_clients = $my_list\nzzz = 2\n");
    names = cfg_unknown_names(NULL, NULL);
    ck_assert_int_eq(names->argc, 2);
    ck_assert_str_eq(names->argv[0], "typo_limit");
    ck_assert_str_eq(names->argv[1], "zzz");
    argv_free(names);
}
END_TEST

START_TEST(per_transport_forms_need_a_master_cf_service)
{
    ARGV   *services = argv_new(2);

    argv_add(services, "smtp");
    argv_add(services, "relay");
    ck_assert_int_eq(cfg_is_known_for("relay_destination_concurrency_limit", services), 1);
    ck_assert_int_eq(cfg_is_known_for("smtp_recipient_limit", services), 1);
    ck_assert_int_eq(cfg_is_known_for("relay_process_limit", services), 1);
    ck_assert_int_eq(cfg_is_known_for("qmqpd_timeout", services), 1);
    ck_assert_int_eq(cfg_is_known_for("relya_destination_concurrency_limit", services), 0);
    ck_assert_int_eq(cfg_is_known_for("defualt_destination_concurrency_limit", services), 0);
    ck_assert_int_eq(cfg_is_known_for("relay_destination_concurency_limit", services), 0);
    ck_assert_int_eq(cfg_is_known_for("relay_", services), 0);
    ck_assert_int_eq(cfg_is_known("relya_destination_concurrency_limit"), 1);
    argv_free(services);
}
END_TEST

START_TEST(unknown_names_are_warned_with_file_line_and_value)
{
    ARGV   *services = argv_new(2);
    ARGV   *values = argv_new(2);

    argv_add(services, "relay");
    argv_add(values, "$mua_restrictions");
    msg_set_sink(capture);
    load_ok("qmqpd_timeout = 10s\n"
	    "qmqpd_timout = 20s\n"
	    "relay_destination_concurrency_limit = 2\n"
	    "relya_destination_concurrency_limit = 3\n"
	    "mua_restrictions = a\n"
	    "# comment\n"
	    "foo = bar\n"
	    "  baz\n");
    ck_assert_int_eq(cfg_warn_unknown(services, values), 3);
    ck_assert_str_eq(dstr_str(test_log),
		     "warning: " FILENAME ", line 2: unused parameter: qmqpd_timout=20s\n"
		     "warning: " FILENAME ", line 4: unused parameter: "
		     "relya_destination_concurrency_limit=3\n"
		     "warning: " FILENAME ", line 7: unused parameter: foo=bar baz\n");
    ck_assert_int_eq(cfg_is_used("mua_restrictions", services, values), 1);
    ck_assert_int_eq(cfg_is_used("foo", services, values), 0);
    argv_free(services);
    argv_free(values);
}
END_TEST

/* Printing */

START_TEST(print_defaults_raw_sorted_with_computed_values)
{
    char   *out;
    int     status;

    load_ok("qmqpd_timeout = 10s\n");
    out = print_to_string(CFG_PRINT_DEFAULTS, NULL, &status);
    ck_assert_int_eq(status, 0);
    ck_assert_ptr_nonnull(strstr(out, "\nconfig_directory = /etc/posthorn\n"
				 "connection_cache_ttl_limit = 2s\n"
				 "daemon_directory = "));
    ck_assert_ptr_nonnull(strstr(out, "\nqmqpd_timeout = 300s\n"));
    ck_assert_ptr_nonnull(strstr(out, "\nmyorigin = $myhostname\n"));
    ck_assert_ptr_nonnull(strstr(out, "\nmyhostname = box.localdomain\n"));
    ck_assert_ptr_nonnull(strstr(out, "\nmaillog_file =\n"));
    ck_assert_ptr_nonnull(strstr(out, "\nverp_delimiter_filter = -=+\n"));
    free(out);
}
END_TEST

START_TEST(print_nondefault_shows_main_cf_raw)
{
    char   *out;
    int     status;

    load_ok("myorigin = $mydomain\n# comment\ncustom = 1\n  2\nqmqpd_timeout = 10s\n");
    out = print_to_string(CFG_PRINT_NONDEFAULT, NULL, &status);
    ck_assert_int_eq(status, 0);
    ck_assert_str_eq(out, "custom = 1 2\nmyorigin = $mydomain\nqmqpd_timeout = 10s\n");
    free(out);
}
END_TEST

START_TEST(print_all_expanded)
{
    char   *out;
    int     status;

    load_ok("mydomain = example.com\nmyorigin = $mydomain\n");
    out = print_to_string(CFG_PRINT_ALL | CFG_PRINT_EXPAND, NULL, &status);
    ck_assert_ptr_nonnull(strstr(out, "\nmyorigin = example.com\n"));
    ck_assert_ptr_nonnull(strstr(out, "\nmyhostname = box.example.com\n"));
    ck_assert_ptr_null(strstr(out, "$"));
    free(out);
    out = print_to_string(CFG_PRINT_ALL, NULL, &status);
    ck_assert_ptr_nonnull(strstr(out, "\nmyorigin = $mydomain\n"));
    free(out);
}
END_TEST

START_TEST(print_named_warns_about_unknown_names)
{
    char   *out;
    int     status;
    char   *names[] = {"qmqpd_timeout", "bogus", "custom", "mail_name",
    "smtp_process_limit", 0};

    msg_set_sink(capture);
    load_ok("custom = x\nqmqpd_timeout = 1m\n");
    out = print_to_string(CFG_PRINT_ALL, names, &status);
    ck_assert_int_eq(status, -1);
    ck_assert_str_eq(out, "custom = x\nmail_name = posthorn\nqmqpd_timeout = 1m\n"
		     "smtp_process_limit = $default_process_limit\n");
    ck_assert_str_eq(dstr_str(test_log), "warning: bogus: unknown parameter\n");
    free(out);
}
END_TEST

START_TEST(print_table_has_one_line_per_parameter)
{
    char   *out;
    char   *cp;
    int     status;
    int     lines = 0;
    int     params = 0;

    load_ok("");
    out = print_to_string(CFG_PRINT_TABLE, NULL, &status);
    for (cp = out; *cp; cp++)
	lines += (*cp == '\n');
    while (cfg_params[params].name)
	params++;
    ck_assert_int_eq(lines, params);
    ck_assert_ptr_nonnull(strstr(out, "\nqmqpd_timeout\ttime\t300s\t1s..\t"));
    ck_assert_ptr_nonnull(strstr(out, "\nmessage_size_limit\tlong\t10240000\t0..\t"));
    ck_assert_ptr_nonnull(strstr(out, "\nsoft_bounce\tbool\tno\t-\t"));
    free(out);
}
END_TEST

/* Editing */

START_TEST(edit_replaces_in_place_and_drops_continuations)
{
    char   *text;
    char   *nv[] = {"a = new", 0};
    const char *dir = make_dir();

    write_main_cf("# head\na = old\n  continued\n# kept comment\n  more\nb = 2\n");
    ck_assert_int_eq(cfg_edit(dir, nv, test_err), 0);
    text = read_main_cf();
    ck_assert_str_eq(text, "# head\na = new\n# kept comment\nb = 2\n");
    free(text);
}
END_TEST

START_TEST(edit_appends_new_names_after_unterminated_last_line)
{
    char   *text;
    char   *nv[] = {"new1=x", "b=3", "new2 = y z", 0};
    const char *dir = make_dir();

    write_main_cf("a = 1\r\n\n#c\nb = 2");
    ck_assert_int_eq(cfg_edit(dir, nv, test_err), 0);
    text = read_main_cf();
    ck_assert_str_eq(text, "a = 1\r\n\n#c\nb = 3\nnew1 = x\nnew2 = y z\n");
    free(text);
}
END_TEST

START_TEST(edit_replaces_the_last_of_several_settings)
{
    char   *text;
    char   *nv[] = {"a=3", 0};
    const char *dir = make_dir();

    write_main_cf("a = 1\nab = x\na=2\n   cont\n");
    ck_assert_int_eq(cfg_edit(dir, nv, test_err), 0);
    text = read_main_cf();
    ck_assert_str_eq(text, "a = 1\nab = x\na = 3\n");
    free(text);
}
END_TEST

START_TEST(edit_result_parses)
{
    char   *nv[] = {"qmqpd_timeout = 42s", "mail_name = edited", 0};
    const char *dir = make_dir();

    write_main_cf("qmqpd_timeout = 10s\n  # note\nmyorigin = $mydomain\n");
    ck_assert_int_eq(cfg_edit(dir, nv, test_err), 0);
    ck_assert_int_eq(cfg_load(dir, test_err), 0);
    ck_assert_int_eq(var_qmqpd_timeout, 42);
    ck_assert_str_eq(var_mail_name, "edited");
    ck_assert_str_eq(var_myorigin, "localdomain");
}
END_TEST

START_TEST(edit_refuses_bad_settings_and_keeps_file)
{
    char   *text;
    char   *nv[] = {"a=1", "broken", 0};
    const char *dir = make_dir();

    write_main_cf("a = 0\n");
    ck_assert_int_eq(cfg_edit(dir, nv, test_err), -1);
    ck_assert_str_eq(dstr_str(test_err), "broken: missing '=' after parameter name");
    text = read_main_cf();
    ck_assert_str_eq(text, "a = 0\n");
    free(text);
}
END_TEST

START_TEST(edit_keeps_mode_and_ignores_a_planted_tmp_link)
{
    DSTR   *victim = dstr_new(100);
    DSTR   *path = dstr_new(100);
    char   *nv[] = {"a = new", 0};
    const char *dir = make_dir();
    struct stat st;
    FILE   *fp;
    char   *text;
    char    buf[32];

    /* The old code wrote main.cf.tmp with O_TRUNC, through such a link. */
    write_main_cf("a = old\n");
    ck_assert_int_eq(chmod(path_of(path, "main.cf"), 0640), 0);
    ck_assert_ptr_nonnull(fp = fopen(path_of(victim, "victim"), "w"));
    ck_assert_int_eq(fputs("victim\n", fp) >= 0, 1);
    ck_assert_int_eq(fclose(fp), 0);
    ck_assert_int_eq(symlink(dstr_str(victim), path_of(path, "main.cf.tmp")), 0);
    ck_assert_int_eq(cfg_edit(dir, nv, test_err), 0);
    text = read_main_cf();
    ck_assert_str_eq(text, "a = new\n");
    free(text);
    ck_assert_int_eq(stat(path_of(path, "main.cf"), &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0640);
    ck_assert_ptr_nonnull(fp = fopen(dstr_str(victim), "r"));
    ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
    fclose(fp);
    ck_assert_str_eq(buf, "victim\n");
    dstr_free(victim);
    dstr_free(path);
}
END_TEST

START_TEST(edit_without_main_cf_is_error)
{
    char   *nv[] = {"a=1", 0};
    const char *dir = make_dir();

    ck_assert_int_eq(cfg_edit(dir, nv, test_err), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(test_err), "/main.cf: No such file"));
    ck_assert_int_eq(access(dstr_str(test_dir), F_OK), 0);
}
END_TEST

/* The table itself */

START_TEST(table_is_sorted_and_complete)
{
    int     i;
    int     j;

    for (i = 0; cfg_params[i].name; i++) {
	if (i > 0)
	    ck_assert_msg(strcmp(cfg_params[i - 1].name, cfg_params[i].name) < 0,
			  "%s out of order", cfg_params[i].name);
	ck_assert_ptr_nonnull(cfg_params[i].meaning);
	ck_assert_int_eq(strchr(cfg_params[i].meaning, '\n') == NULL, 1);
	for (j = 0; j < i; j++)
	    ck_assert_msg(cfg_params[j].var != cfg_params[i].var,
			  "%s and %s share a variable", cfg_params[j].name,
			  cfg_params[i].name);
    }
    ck_assert_ptr_null(cfg_params[i].var);
}
END_TEST

/* cfg_suite - every test above */

static Suite *cfg_suite(void)
{
    Suite  *s = suite_create("cfg");
    TCase  *tc;

#define ADD(name)	tcase_add_test(tc, name)
    tc = tcase_create("syntax");
    tcase_add_checked_fixture(tc, setup, teardown);
    ADD(continuation_lines_join_with_one_space);
    ADD(continuation_without_parameter_is_error);
    ADD(comments_and_blank_lines_are_skipped_even_inside_a_value);
    ADD(white_space_around_equals_and_line_ends_is_ignored);
    ADD(missing_equals_is_error_naming_file_and_line);
    ADD(missing_name_is_error);
    ADD(nul_byte_is_error);
    ADD(later_setting_wins);
    ADD(daemon_specific_values_are_checked_naming_file_line_and_parameter);
    suite_add_tcase(s, tc);

    tc = tcase_create("expansion");
    tcase_add_checked_fixture(tc, setup, teardown);
    ADD(expansion_plain_braces_and_parentheses);
    ADD(expansion_name_ends_at_non_name_character);
    ADD(expansion_if_nonempty);
    ADD(expansion_if_empty);
    ADD(expansion_two_branches);
    ADD(expansion_text_parts_are_expanded_and_nest);
    ADD(double_dollar_is_a_literal_dollar);
    ADD(undefined_names_expand_to_nothing);
    ADD(expansion_uses_defaults_and_chains);
    ADD(recursion_loop_is_error);
    ADD(self_reference_is_a_loop);
    ADD(depth_over_100_is_a_loop_but_100_is_fine);
    ADD(dollar_without_name_is_error);
    ADD(unbalanced_brace_is_error);
    ADD(bad_expression_is_error);
    ADD(exponential_expansion_is_refused);
    suite_add_tcase(s, tc);

    tc = tcase_create("types");
    tcase_add_checked_fixture(tc, setup, teardown);
    ADD(time_units);
    ADD(bare_time_is_in_the_unit_of_the_default);
    ADD(time_parser_rejects_junk);
    ADD(bad_time_names_file_line_and_parameter);
    ADD(time_below_minimum_is_error);
    ADD(time_too_large_for_int_is_error);
    ADD(booleans_are_case_insensitive);
    ADD(bad_boolean_is_error);
    ADD(int_below_minimum_names_parameter);
    ADD(int_not_a_number_is_error);
    ADD(int_above_int_range_is_error);
    ADD(long_takes_zero_and_large_values);
    ADD(typed_values_are_expanded_first);
    ADD(defaults_apply_when_not_set);
    ADD(table_is_sorted_and_complete);
    suite_add_tcase(s, tc);

    tc = tcase_create("load");
    tcase_add_checked_fixture(tc, setup, teardown);
    ADD(override_wins_over_main_cf);
    ADD(later_override_wins_and_applies_at_every_load);
    ADD(override_error_names_the_override);
    ADD(override_bad_syntax_is_refused);
    ADD(failed_load_keeps_previous_values);
    ADD(successful_load_replaces_every_value);
    ADD(load_reads_main_cf_from_directory);
    ADD(missing_main_cf_is_error_naming_path);
    ADD(config_directory_is_computed_unless_set);
    ADD(dotted_hostname_is_myhostname_and_gives_mydomain);
    ADD(short_hostname_gets_localdomain);
    ADD(only_mydomain_set_qualifies_short_hostname);
    ADD(only_mydomain_set_leaves_dotted_hostname_alone);
    ADD(only_myhostname_set_gives_mydomain);
    ADD(mydomain_referring_to_short_myhostname_is_a_loop);
    suite_add_tcase(s, tc);

    tc = tcase_create("lookup");
    tcase_add_checked_fixture(tc, setup, teardown);
    ADD(lookup_any_name_default_or_null);
    ADD(lookup_int_uses_name_then_fallback);
    ADD(lookup_int_checks_fallback_bounds);
    ADD(lookup_time_uses_fallback_unit_and_bounds);
    ADD(lookup_bool_uses_name_then_fallback);
    tcase_add_test_raise_signal(tc, lookup_with_wrong_fallback_type_panics, SIGABRT);
    ADD(known_names_include_per_transport_forms);
    ADD(unknown_names_skip_known_and_used_names);
    ADD(per_transport_forms_need_a_master_cf_service);
    ADD(unknown_names_are_warned_with_file_line_and_value);
    suite_add_tcase(s, tc);

    tc = tcase_create("print");
    tcase_add_checked_fixture(tc, setup, teardown);
    ADD(print_defaults_raw_sorted_with_computed_values);
    ADD(print_nondefault_shows_main_cf_raw);
    ADD(print_all_expanded);
    ADD(print_named_warns_about_unknown_names);
    ADD(print_table_has_one_line_per_parameter);
    suite_add_tcase(s, tc);

    tc = tcase_create("edit");
    tcase_add_checked_fixture(tc, setup, teardown);
    ADD(edit_replaces_in_place_and_drops_continuations);
    ADD(edit_appends_new_names_after_unterminated_last_line);
    ADD(edit_replaces_the_last_of_several_settings);
    ADD(edit_result_parses);
    ADD(edit_refuses_bad_settings_and_keeps_file);
    ADD(edit_keeps_mode_and_ignores_a_planted_tmp_link);
    ADD(edit_without_main_cf_is_error);
    suite_add_tcase(s, tc);
#undef ADD
    return (s);
}

int     main(void)
{
    SRunner *sr = srunner_create(cfg_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed ? EXIT_FAILURE : EXIT_SUCCESS);
}
