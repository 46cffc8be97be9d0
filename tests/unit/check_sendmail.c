/*
 * check_sendmail - unit tests for local submission: sendmail's option
 *	parsing (posthorn_sendmail.c), sendmail -t's header work
 *	(hdr_extract.c, header_addr_list), and pickup's decision on who may
 *	use which envelope sender (pickup_sender.c)
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "argv.h"
#include "cfg_params.h"
#include "dict.h"
#include "dstr.h"
#include "hdr_extract.h"
#include "header_addr.h"
#include "pickup/pickup.h"
#include "posthorn/posthorn.h"

/* parse - a command line given as one string; 0 or -1 */

static int parse(const char *line, SENDMAIL_OPTS *opts, DSTR *err)
{
    static ARGV *av;

    if (av)
	argv_free(av);
    av = argv_split(line, " ");
    return (posthorn_sendmail_parse((int) av->argc, av->argv, opts, err));
}

START_TEST(options_of_cron_at_and_scripts)
{
    SENDMAIL_OPTS o;
    DSTR   *err = dstr_new(64);

    /* Debian's cron */
    ck_assert_int_eq(parse("sendmail -FCronDaemon -i -B8BITMIME -oem root", &o, err), 0);
    ck_assert_str_eq(o.full_name, "CronDaemon");
    ck_assert_int_eq(o.ignore_dots, 1);
    ck_assert_int_eq(o.nrcpt, 1);
    ck_assert_str_eq(o.rcpts[0], "root");
    ck_assert_ptr_null(o.sender);
    /* cronie */
    ck_assert_int_eq(parse("sendmail -FCronDaemon -i -odi -oem -oi -t -f alice", &o, err), 0);
    ck_assert_int_eq(o.extract, 1);
    ck_assert_str_eq(o.sender, "alice");
    ck_assert_int_eq(o.nrcpt, 0);
    /* -oi alone, -r, options with separate values, -- */
    ck_assert_int_eq(parse("sendmail -oi -r bob@example.org -N never -V envid -- x@y", &o, err), 0);
    ck_assert_int_eq(o.ignore_dots, 1);
    ck_assert_str_eq(o.sender, "bob@example.org");
    ck_assert_int_eq(o.nrcpt, 1);
    ck_assert_str_eq(o.rcpts[0], "x@y");
    /* -oem does not mean -oi */
    ck_assert_int_eq(parse("sendmail -oem a@b", &o, err), 0);
    ck_assert_int_eq(o.ignore_dots, 0);
    /* a recipient that starts the arguments ends the options */
    ck_assert_int_eq(parse("sendmail a@b -t", &o, err), 0);
    ck_assert_int_eq(o.extract, 0);
    ck_assert_int_eq(o.nrcpt, 2);
    /* -C, -bm, -bp, -q */
    ck_assert_int_eq(parse("sendmail -C /etc/posthorn-lists -bm a@b", &o, err), 0);
    ck_assert_str_eq(o.config_dir, "/etc/posthorn-lists");
    ck_assert_int_eq(o.mode, SENDMAIL_DELIVER);
    ck_assert_int_eq(parse("sendmail -bp", &o, err), 0);
    ck_assert_int_eq(o.mode, SENDMAIL_MAILQ);
    ck_assert_int_eq(parse("sendmail -q", &o, err), 0);
    ck_assert_int_eq(o.mode, SENDMAIL_FLUSH);
    dstr_free(err);
}
END_TEST

START_TEST(bad_command_lines_say_why)
{
    SENDMAIL_OPTS o;
    DSTR   *err = dstr_new(64);

    ck_assert_int_eq(parse("sendmail", &o, err), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "no recipients"));
    ck_assert_int_eq(parse("sendmail -i -f a@b", &o, err), -1);
    ck_assert_int_eq(parse("sendmail -bs", &o, err), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "-bs is not supported"));
    ck_assert_int_eq(parse("sendmail -bi", &o, err), -1);
    ck_assert_int_eq(parse("sendmail -I", &o, err), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "newaliases"));
    ck_assert_int_eq(parse("sendmail -q30m", &o, err), -1);
    ck_assert_int_eq(parse("sendmail -Z a@b", &o, err), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "-Z"));
    ck_assert_int_eq(parse("sendmail a@b -f", &o, err), 0);	/* -f is a recipient here */
    ck_assert_int_eq(parse("sendmail -f", &o, err), -1);		/* no value */
    dstr_free(err);
}
END_TEST

/* extract - run hdr_extract on text; the recipients joined by " " */

static int extract(const char *text, DSTR *rcpts, DSTR *out, DSTR *err)
{
    ARGV   *av = argv_new(4);
    size_t  i;
    int     ret = hdr_extract(text, strlen(text), av, out, err);

    DSTR_RESET(rcpts);
    for (i = 0; i < av->argc; i++)
	dstr_printf(rcpts, "%s%s", i ? " " : "", av->argv[i]);
    argv_free(av);
    return (ret);
}

START_TEST(t_takes_to_cc_bcc_and_removes_bcc)
{
    DSTR   *r = dstr_new(64);
    DSTR   *out = dstr_new(256);
    DSTR   *err = dstr_new(64);

    ck_assert_int_eq(extract("From: me\n"
			     "To: \"Doe, J.\" <j@example.net>, k@example.net (Kay)\n"
			     "Subject: to: nobody@example.net\n"
			     "cc: group: g1@example.net, g2@example.net;\n"
			     "BCC: hidden@example.net,\n"
			     "  hidden2@example.net\n"
			     "X-Other: y\n", r, out, err), 0);
    ck_assert_str_eq(dstr_str(r), "j@example.net k@example.net g1@example.net g2@example.net"
		     " hidden@example.net hidden2@example.net");
    ck_assert_str_eq(dstr_str(out), "From: me\n"
		     "To: \"Doe, J.\" <j@example.net>, k@example.net (Kay)\n"
		     "Subject: to: nobody@example.net\n"
		     "cc: group: g1@example.net, g2@example.net;\n"
		     "X-Other: y\n");
    /* Undisclosed recipients: no address, no error. */
    ck_assert_int_eq(extract("To: undisclosed-recipients:;\nBcc: b@example.net\n", r, out, err), 0);
    ck_assert_str_eq(dstr_str(r), "b@example.net");
    ck_assert_str_eq(dstr_str(out), "To: undisclosed-recipients:;\n");
    dstr_free(r);
    dstr_free(out);
    dstr_free(err);
}
END_TEST

START_TEST(t_uses_resent_fields_when_resending)
{
    DSTR   *r = dstr_new(64);
    DSTR   *out = dstr_new(256);
    DSTR   *err = dstr_new(64);

    ck_assert_int_eq(extract("To: original@example.net\n"
			     "Resent-To: new@example.net\n"
			     "Resent-Bcc: quiet@example.net\n"
			     "Bcc: old-bcc@example.net\n", r, out, err), 0);
    ck_assert_str_eq(dstr_str(r), "new@example.net quiet@example.net");
    ck_assert_str_eq(dstr_str(out), "To: original@example.net\nResent-To: new@example.net\n");
    /* Resent-From alone does not make it a resend. */
    ck_assert_int_eq(extract("Resent-From: x@example.net\nTo: a@example.net\n", r, out, err), 0);
    ck_assert_str_eq(dstr_str(r), "a@example.net");
    dstr_free(r);
    dstr_free(out);
    dstr_free(err);
}
END_TEST

START_TEST(t_refuses_malformed_address_fields)
{
    DSTR   *r = dstr_new(64);
    DSTR   *out = dstr_new(256);
    DSTR   *err = dstr_new(64);

    ck_assert_int_eq(extract("To: \"unbalanced <a@example.net>\n", r, out, err), -1);
    ck_assert_str_eq(dstr_str(err), "malformed address in the To header field");
    ck_assert_int_eq(extract("Subject: x\nCc: <a@example.net\n", r, out, err), -1);
    ck_assert_int_eq(hdr_extract_is_field("To: x\n", 6), 1);
    ck_assert_int_eq(hdr_extract_is_field("To : x\n", 7), 1);
    ck_assert_int_eq(hdr_extract_is_field(" To: x\n", 7), 0);
    ck_assert_int_eq(hdr_extract_is_field("no colon here\n", 14), 0);
    ck_assert_int_eq(hdr_extract_is_field(":x\n", 3), 0);
    dstr_free(r);
    dstr_free(out);
    dstr_free(err);
}
END_TEST

START_TEST(t_caps_the_recipient_count)
{
    DSTR   *text = dstr_new(1 << 20);
    DSTR   *r = dstr_new(64);
    DSTR   *out = dstr_new(256);
    DSTR   *err = dstr_new(64);
    int     i;

    dstr_cats(text, "To: a0@example.net");
    for (i = 1; i <= HDR_EXTRACT_MAX_RCPT; i++)
	dstr_printf(text, ",\n a%d@example.net", i);
    dstr_catc(text, '\n');
    ck_assert_int_eq(extract(dstr_str(text), r, out, err), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "more than"));
    dstr_free(text);
    dstr_free(r);
    dstr_free(out);
    dstr_free(err);
}
END_TEST

START_TEST(sender_rights)
{
    DSTR   *err = dstr_new(64);
    DICT_LIST *none = dict_list_open("", err);
    DICT_LIST *tables = dict_list_open("inline:{ { www-data = @shop.example.org, <> },"
				       " { lists = * }, { ops = root, alerts@example.net } }",
				       err);
    DICT_LIST *wild = dict_list_open("inline:{ { * = <> } }", err);

    var_myorigin = "host.example.net";
    ck_assert_ptr_nonnull(tables);
    /* One's own address, bare or at $myorigin, always. */
    ck_assert_int_eq(pickup_sender_allowed(none, "alice", "alice"), 1);
    ck_assert_int_eq(pickup_sender_allowed(none, "alice", "Alice@host.example.net"), 1);
    ck_assert_int_eq(pickup_sender_allowed(NULL, "alice", "alice@host.example.net"), 1);
    /* Nothing else by default: not another user, not the null sender. */
    ck_assert_int_eq(pickup_sender_allowed(none, "alice", "bob"), 0);
    ck_assert_int_eq(pickup_sender_allowed(none, "alice", "alice@other.example.net"), 0);
    ck_assert_int_eq(pickup_sender_allowed(none, "alice", ""), 0);
    /* The table's patterns. */
    ck_assert_int_eq(pickup_sender_allowed(tables, "www-data", "orders@shop.example.org"), 1);
    ck_assert_int_eq(pickup_sender_allowed(tables, "www-data", "orders@SHOP.example.org"), 1);
    ck_assert_int_eq(pickup_sender_allowed(tables, "www-data", "x@evilshop.example.org"), 0);
    ck_assert_int_eq(pickup_sender_allowed(tables, "www-data", ""), 1);
    ck_assert_int_eq(pickup_sender_allowed(tables, "lists", "anyone@anywhere.example"), 1);
    ck_assert_int_eq(pickup_sender_allowed(tables, "ops", "root"), 1);
    ck_assert_int_eq(pickup_sender_allowed(tables, "ops", "root@host.example.net"), 1);
    ck_assert_int_eq(pickup_sender_allowed(tables, "ops", "alerts@example.net"), 1);
    ck_assert_int_eq(pickup_sender_allowed(tables, "ops", "postmaster"), 0);
    ck_assert_int_eq(pickup_sender_allowed(tables, "alice", "root"), 0);
    /* "*" as a key is for every user the table does not name. */
    ck_assert_int_eq(pickup_sender_allowed(wild, "alice", ""), 1);
    ck_assert_int_eq(pickup_sender_allowed(wild, "alice", "bob"), 0);
    dict_list_close(none);
    dict_list_close(tables);
    dict_list_close(wild);
    dstr_free(err);
}
END_TEST

/* sendmail_suite - every test above */

static Suite *sendmail_suite(void)
{
    Suite  *s = suite_create("sendmail");
    TCase  *tc = tcase_create("sendmail");

    tcase_add_test(tc, options_of_cron_at_and_scripts);
    tcase_add_test(tc, bad_command_lines_say_why);
    tcase_add_test(tc, t_takes_to_cc_bcc_and_removes_bcc);
    tcase_add_test(tc, t_uses_resent_fields_when_resending);
    tcase_add_test(tc, t_refuses_malformed_address_fields);
    tcase_add_test(tc, t_caps_the_recipient_count);
    tcase_add_test(tc, sender_rights);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(sendmail_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
