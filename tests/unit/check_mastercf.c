/*
 * check_mastercf - master.cf: columns, defaults, continuation, -o groups, errors
 * DESCRIPTION
 *	One behaviour per test; text is parsed from memory except for the
 *	file tests, which use a mkdtemp() directory and remove it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dstr.h"
#include "argv.h"
#include "mastercf.h"

static DSTR *test_err;
static MASTERCF *test_cf;

/* setup - fresh error buffer */

static void setup(void)
{
    test_err = dstr_new(100);
    test_cf = NULL;
}

/* teardown - release what the test parsed */

static void teardown(void)
{
    mastercf_free(test_cf);
    test_err = dstr_free(test_err);
}

/* parse - master.cf text named "master.cf" */

static MASTERCF *parse(const char *text)
{
    mastercf_free(test_cf);
    test_cf = mastercf_parse_text(text, strlen(text), "master.cf", test_err);
    return (test_cf);
}

/* parse_ok - parse and insist that it worked */

static MASTERCF *parse_ok(const char *text)
{
    if (parse(text) == NULL)
	ck_abort_msg("parse failed: %s", dstr_str(test_err));
    return (test_cf);
}

/* parse_fails - parse, insist that it failed with exactly this message */

static void parse_fails(const char *text, const char *message)
{
    ck_assert_ptr_null(parse(text));
    ck_assert_str_eq(dstr_str(test_err), message);
}

START_TEST(empty_file_has_no_entries)
{
    ck_assert_int_eq(parse_ok("")->count, 0);
    ck_assert_int_eq(parse_ok("# only a comment\n\n   \n  # indented\n")->count, 0);
}
END_TEST

START_TEST(dash_columns_take_their_defaults)
{
    MASTERCF_ENTRY *e = parse_ok("628 inet - - - - - qmqpd\n")->entries;

    ck_assert_int_eq(test_cf->count, 1);
    ck_assert_str_eq(e->name, "628");
    ck_assert_str_eq(e->type, "inet");
    ck_assert_int_eq(e->private_, 1);
    ck_assert_int_eq(e->unpriv, 1);
    ck_assert_int_eq(e->chroot, 0);
    ck_assert_int_eq(e->wakeup, 0);
    ck_assert_int_eq(e->wakeup_if_used, 0);
    ck_assert_int_eq(e->maxproc, -1);
    ck_assert_int_eq(e->args->argc, 1);
    ck_assert_str_eq(e->args->argv[0], "qmqpd");
    ck_assert_int_eq(e->line, 1);
}
END_TEST

START_TEST(explicit_columns_are_parsed)
{
    MASTERCF_ENTRY *e = parse_ok("qmgr unix-dgram n n y 300 1 qmgr\n"
			  "pickup unix-dgram y y n 60? 0 pickup\n")->entries;

    ck_assert_int_eq(e[0].private_, 0);
    ck_assert_int_eq(e[0].unpriv, 0);
    ck_assert_int_eq(e[0].chroot, 1);
    ck_assert_int_eq(e[0].wakeup, 300);
    ck_assert_int_eq(e[0].wakeup_if_used, 0);
    ck_assert_int_eq(e[0].maxproc, 1);
    ck_assert_str_eq(e[1].type, "unix-dgram");
    ck_assert_int_eq(e[1].private_, 1);
    ck_assert_int_eq(e[1].wakeup, 60);
    ck_assert_int_eq(e[1].wakeup_if_used, 1);
    ck_assert_int_eq(e[1].maxproc, 0);
    ck_assert_int_eq(e[1].line, 2);
}
END_TEST

START_TEST(bad_type_is_error)
{
    parse_fails("smtp tcp - - - - - smtpd\n",
		"master.cf, line 1: bad type field \"tcp\" (use inet, unix or unix-dgram)");
}
END_TEST

START_TEST(bad_flag_columns_are_errors_naming_the_column)
{
    parse_fails("a unix x - - - - a\n",
		"master.cf, line 1: bad private field \"x\" (use y, n or -)");
    parse_fails("a unix - yes - - - a\n",
		"master.cf, line 1: bad unpriv field \"yes\" (use y, n or -)");
    parse_fails("a unix - - Y - - a\n",
		"master.cf, line 1: bad chroot field \"Y\" (use y, n or -)");
}
END_TEST

START_TEST(bad_wakeup_is_error)
{
    parse_fails("a unix - - - abc - a\n", "master.cf, line 1: bad wakeup field \"abc\"");
    parse_fails("a unix - - - 0? - a\n", "master.cf, line 1: bad wakeup field \"0?\"");
    parse_fails("a unix - - - ? - a\n", "master.cf, line 1: bad wakeup field \"?\"");
    parse_fails("a unix - - - -5 - a\n", "master.cf, line 1: bad wakeup field \"-5\"");
    parse_fails("a unix - - - 5?? - a\n", "master.cf, line 1: bad wakeup field \"5??\"");
    parse_fails("a unix - - - 99999999999 - a\n",
		"master.cf, line 1: bad wakeup field \"99999999999\"");
}
END_TEST

START_TEST(bad_maxproc_is_error)
{
    parse_fails("a unix - - - - x a\n", "master.cf, line 1: bad maxproc field \"x\"");
    parse_fails("a unix - - - - -1 a\n", "master.cf, line 1: bad maxproc field \"-1\"");
    parse_fails("a unix - - - - +3 a\n", "master.cf, line 1: bad maxproc field \"+3\"");
}
END_TEST

START_TEST(too_few_fields_is_error)
{
    parse_fails("a unix - - - -\n", "master.cf, line 1: 6 fields, need at least 8 "
		"(service type private unpriv chroot wakeup maxproc command)");
}
END_TEST

START_TEST(unix_service_name_with_slash_is_error)
{
    parse_fails("../x unix - - - - - a\n", "master.cf, line 1: bad service field "
		"\"../x\" (a unix service name must not contain '/')");
    ck_assert_int_eq(parse_ok("127.0.0.1:628 inet - - - - - qmqpd\n")->count, 1);
}
END_TEST

START_TEST(continuation_lines_and_comments_inside_an_entry)
{
    MASTERCF_ENTRY *e = parse_ok("# services\n"
				 "cleanup unix y - n - 0\n"
				 "  # the command is on the next line\n"
				 "\n"
				 "    cleanup -v\n"
				 "\t-o a=b\n"
				 "qmgr unix-dgram n - n 300 1 qmgr\n")->entries;

    ck_assert_int_eq(test_cf->count, 2);
    ck_assert_int_eq(e[0].line, 2);
    ck_assert_int_eq(e[0].args->argc, 4);
    ck_assert_str_eq(e[0].args->argv[0], "cleanup");
    ck_assert_str_eq(e[0].args->argv[1], "-v");
    ck_assert_str_eq(e[0].args->argv[2], "-o");
    ck_assert_str_eq(e[0].args->argv[3], "a=b");
    ck_assert_int_eq(e[1].line, 7);
}
END_TEST

START_TEST(continuation_without_entry_is_error)
{
    parse_fails("# x\n  smtpd -v\n", "master.cf, line 2: continuation line "
		"without a preceding service entry");
}
END_TEST

START_TEST(option_pairs_are_kept_as_written)
{
    MASTERCF_ENTRY *e = parse_ok("smtp inet - - - - - smtpd -o x=1 -o "
				 "smtpd_tls=yes -v\n")->entries;

    ck_assert_int_eq(e->args->argc, 6);
    ck_assert_str_eq(e->args->argv[2], "x=1");
    ck_assert_str_eq(e->args->argv[4], "smtpd_tls=yes");
    ck_assert_str_eq(e->args->argv[5], "-v");
}
END_TEST

START_TEST(brace_group_is_one_argument)
{
    MASTERCF_ENTRY *e = parse_ok("smtp inet - - - - - smtpd\n"
			  "  -o { smtpd_banner = hello   world }\n"
			  "  {  a  b  } {nested {x} y} {}\n")->entries;

    ck_assert_int_eq(e->args->argc, 6);
    ck_assert_str_eq(e->args->argv[1], "-o");
    ck_assert_str_eq(e->args->argv[2], "smtpd_banner=hello   world");
    ck_assert_str_eq(e->args->argv[3], "a  b");
    ck_assert_str_eq(e->args->argv[4], "nested {x} y");
    ck_assert_str_eq(e->args->argv[5], "");
}
END_TEST

START_TEST(brace_group_errors)
{
    parse_fails("a unix - - - - - a\n  -o { x = 1\n",
		"master.cf, line 1: missing '}' after \"{ x = 1\"");
    parse_fails("a unix - - - - - a {x}y\n",
		"master.cf, line 1: text after '}' in \"{x}y\"");
}
END_TEST

START_TEST(braces_do_not_group_the_first_columns)
{
    MASTERCF_ENTRY *e = parse_ok("{a inet - - - - - cmd\n")->entries;

    ck_assert_str_eq(e->name, "{a");
}
END_TEST

START_TEST(duplicate_service_and_type_is_error)
{
    parse_fails("smtp inet - - - - - smtpd\n"
		"# note\n"
		"smtp inet - - - - - smtpd -v\n",
		"master.cf, line 3: duplicate service \"smtp\" type \"inet\" "
		"(first defined at line 1)");
    ck_assert_int_eq(parse_ok("smtp inet - - - - - smtpd\n"
			      "smtp unix - - - - - smtp\n")->count, 2);
}
END_TEST

START_TEST(errors_name_the_first_line_of_the_entry)
{
    parse_fails("a unix - - - - - a\n"
		"\n"
		"b unix - - - - x\n"
		"  # comment\n"
		"  b\n",
		"master.cf, line 3: bad maxproc field \"x\"");
}
END_TEST

START_TEST(nul_byte_is_error)
{
    ck_assert_ptr_null(mastercf_parse_text("a unix - - - - - a\nb\0", 21,
					   "master.cf", test_err));
    ck_assert_str_eq(dstr_str(test_err), "master.cf, line 2: NUL character in line");
}
END_TEST

START_TEST(many_entries_are_kept_in_order)
{
    DSTR   *text = dstr_new(1000);
    int     i;

    for (i = 0; i < 100; i++)
	dstr_printf(text, "s%d unix - - - - - cmd%d\n", i, i);
    parse_ok(dstr_str(text));
    ck_assert_int_eq(test_cf->count, 100);
    ck_assert_str_eq(test_cf->entries[99].name, "s99");
    ck_assert_str_eq(test_cf->entries[99].args->argv[0], "cmd99");
    ck_assert_int_eq(test_cf->entries[99].line, 100);
    dstr_free(text);
}
END_TEST

START_TEST(parse_file_reads_and_names_the_path)
{
    char    dir[] = "/tmp/check_mastercf.XXXXXX";
    DSTR   *path = dstr_new(100);
    DSTR   *expect = dstr_new(100);
    FILE   *fp;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    dstr_sprintf(path, "%s/master.cf", dir);
    ck_assert_ptr_null(mastercf_parse_file(dstr_str(path), test_err));
    dstr_sprintf(expect, "open %s: No such file or directory", dstr_str(path));
    ck_assert_str_eq(dstr_str(test_err), dstr_str(expect));

    ck_assert_ptr_nonnull(fp = fopen(dstr_str(path), "w"));
    fputs("628 inet - - - - - qmqpd\nx unix - - - - q x\n", fp);
    fclose(fp);
    ck_assert_ptr_null(mastercf_parse_file(dstr_str(path), test_err));
    dstr_sprintf(expect, "%s, line 2: bad maxproc field \"q\"", dstr_str(path));
    ck_assert_str_eq(dstr_str(test_err), dstr_str(expect));

    ck_assert_ptr_nonnull(fp = fopen(dstr_str(path), "w"));
    fputs("628 inet - - - - - qmqpd\n", fp);
    fclose(fp);
    test_cf = mastercf_parse_file(dstr_str(path), test_err);
    ck_assert_ptr_nonnull(test_cf);
    ck_assert_str_eq(test_cf->entries[0].args->argv[0], "qmqpd");

    ck_assert_int_eq(unlink(dstr_str(path)), 0);
    ck_assert_int_eq(rmdir(dir), 0);
    dstr_free(path);
    dstr_free(expect);
}
END_TEST

START_TEST(daemon_on_the_wrong_socket_is_error)
{
    /* A master.cf copied from Postfix names qmgr with type unix. */
    parse_fails("qmgr unix n - y 300 1 qmgr\n",
		"master.cf, line 1: service \"qmgr\": qmgr needs type unix-dgram, not unix");
    /* A public log socket would let any local user write the mail log. */
    parse_fails("postlog unix-dgram n - n - 1 postlogd\n",
		"master.cf, line 1: service \"postlog\": postlogd needs private y"
		" (its socket belongs in private/)");
    parse_fails("cleanup unix n - y - 0 cleanup\n",
		"master.cf, line 1: service \"cleanup\": cleanup needs private y"
		" (its socket belongs in private/)");
    parse_fails("showq unix y - y - - showq\n",
		"master.cf, line 1: service \"showq\": showq needs private n"
		" (its socket belongs in public/)");
    parse_fails("qmqp unix y - y - - /usr/libexec/posthorn/qmqpd\n",
		"master.cf, line 1: service \"qmqp\": qmqpd needs type inet, not unix");
    /* Any name, by the command it runs; other programs are not checked. */
    parse_ok("relay unix - - y - - smtp\npostlog unix-dgram y - n - 1 postlogd\n"
	     "x unix n - n - - /bin/true\n");
    ck_assert_int_eq(test_cf->count, 3);
}
END_TEST

/* mastercf_suite - every test above */

static Suite *mastercf_suite(void)
{
    Suite  *s = suite_create("mastercf");
    TCase  *tc = tcase_create("mastercf");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, empty_file_has_no_entries);
    tcase_add_test(tc, dash_columns_take_their_defaults);
    tcase_add_test(tc, explicit_columns_are_parsed);
    tcase_add_test(tc, bad_type_is_error);
    tcase_add_test(tc, bad_flag_columns_are_errors_naming_the_column);
    tcase_add_test(tc, bad_wakeup_is_error);
    tcase_add_test(tc, bad_maxproc_is_error);
    tcase_add_test(tc, too_few_fields_is_error);
    tcase_add_test(tc, unix_service_name_with_slash_is_error);
    tcase_add_test(tc, daemon_on_the_wrong_socket_is_error);
    tcase_add_test(tc, continuation_lines_and_comments_inside_an_entry);
    tcase_add_test(tc, continuation_without_entry_is_error);
    tcase_add_test(tc, option_pairs_are_kept_as_written);
    tcase_add_test(tc, brace_group_is_one_argument);
    tcase_add_test(tc, brace_group_errors);
    tcase_add_test(tc, braces_do_not_group_the_first_columns);
    tcase_add_test(tc, duplicate_service_and_type_is_error);
    tcase_add_test(tc, errors_name_the_first_line_of_the_entry);
    tcase_add_test(tc, nul_byte_is_error);
    tcase_add_test(tc, many_entries_are_kept_in_order);
    tcase_add_test(tc, parse_file_reads_and_names_the_path);
    suite_add_tcase(s, tc);
    return (s);
}

int     main(void)
{
    SRunner *sr = srunner_create(mastercf_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed ? EXIT_FAILURE : EXIT_SUCCESS);
}
