/*
 * check_reload_status - unit tests for master's reload verdict file
 * DESCRIPTION
 *	posthorn reload decides success or failure from this file, so what
 *	master writes must read back the same, a reason must stay one line,
 *	and anything incomplete or unknown must be refused rather than taken
 *	for a verdict.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dstr.h"
#include "reload_status.h"
#include "unit_tmpdir.h"

static char *tmpdir;

/* setup_tmpdir - a fresh directory */

static void setup_tmpdir(void)
{
    tmpdir = unit_tmpdir_make("check_reload_status");
}

/* teardown_tmpdir - remove it */

static void teardown_tmpdir(void)
{
    tmpdir = unit_tmpdir_remove(tmpdir);
}

/* parse - text into a new status, returning parse's result */

static int parse(const char *text, RELOAD_STATUS *st)
{
    return (reload_status_parse(text, strlen(text), st));
}

START_TEST(format_then_parse_gives_the_same_status)
{
    RELOAD_STATUS *out = reload_status_new();
    RELOAD_STATUS *in = reload_status_new();
    DSTR   *text = dstr_new(100);

    out->pid = 4242;
    out->generation = 7;
    out->state = RELOAD_STATE_FAILED;
    dstr_strcpy(out->reason, "bind 127.0.0.1 port 628: Address already in use");
    reload_status_format(out, text);
    ck_assert_str_eq(dstr_str(text), "pid = 4242\ngeneration = 7\nstate = failed\n"
		     "reason = bind 127.0.0.1 port 628: Address already in use\n");
    ck_assert_int_eq(reload_status_parse(dstr_str(text), dstr_len(text), in), 0);
    ck_assert_int_eq(in->pid, 4242);
    ck_assert_int_eq(in->generation, 7);
    ck_assert_int_eq(in->state, RELOAD_STATE_FAILED);
    ck_assert_str_eq(dstr_str(in->reason), dstr_str(out->reason));
    reload_status_free(out);
    reload_status_free(in);
    dstr_free(text);
}
END_TEST

START_TEST(reason_stays_one_line)
{
    RELOAD_STATUS *st = reload_status_new();
    DSTR   *text = dstr_new(100);

    st->state = RELOAD_STATE_FAILED;
    dstr_strcpy(st->reason, "first\nstate = ok\n");
    reload_status_format(st, text);
    ck_assert_int_eq(reload_status_parse(dstr_str(text), dstr_len(text), st), 0);
    ck_assert_int_eq(st->state, RELOAD_STATE_FAILED);
    ck_assert_str_eq(dstr_str(st->reason), "first?state = ok");
    reload_status_free(st);
    dstr_free(text);
}
END_TEST

START_TEST(incomplete_or_unknown_text_is_refused)
{
    RELOAD_STATUS *st = reload_status_new();

    ck_assert_int_eq(parse("pid = 1\ngeneration = 2\nstate = ok\nreason = \n", st), 0);
    ck_assert_int_eq(st->state, RELOAD_STATE_OK);
    ck_assert_str_eq(dstr_str(st->reason), "");
    ck_assert_int_eq(parse("pid = 1\ngeneration = 2\nstate = ok\n", st), -1);
    ck_assert_int_eq(parse("pid = 1\ngeneration = 2\nstate = ok\nreason = x", st), -1);
    ck_assert_int_eq(parse("pid = 1\ngeneration = 2\nstate = done\nreason = \n", st), -1);
    ck_assert_int_eq(parse("pid = -1\ngeneration = 2\nstate = ok\nreason = \n", st), -1);
    ck_assert_int_eq(parse("pid = 1\ngeneration = 2x\nstate = ok\nreason = \n", st), -1);
    ck_assert_int_eq(parse("pid = 1\ngeneration = 2\nstate = ok\nreason = \nextra = 1\n", st),
		     -1);
    ck_assert_int_eq(parse("", st), -1);
    reload_status_free(st);
}
END_TEST

START_TEST(write_then_read_through_a_file)
{
    RELOAD_STATUS *out = reload_status_new();
    RELOAD_STATUS *in = reload_status_new();
    DSTR   *path = dstr_new(100);

    dstr_sprintf(path, "%s/master.reload", tmpdir);
    ck_assert_int_eq(reload_status_read(dstr_str(path), in), -1);
    ck_assert_int_eq(errno, ENOENT);
    out->pid = 99;
    out->generation = 1;
    out->state = RELOAD_STATE_RUNNING;
    ck_assert_int_eq(reload_status_write(dstr_str(path), out), 0);
    ck_assert_int_eq(reload_status_read(dstr_str(path), in), 0);
    ck_assert_int_eq(in->pid, 99);
    ck_assert_int_eq(in->generation, 1);
    ck_assert_int_eq(in->state, RELOAD_STATE_RUNNING);
    reload_status_free(out);
    reload_status_free(in);
    dstr_free(path);
}
END_TEST

/* reload_status_suite - every test above */

static Suite *reload_status_suite(void)
{
    Suite  *s = suite_create("reload_status");
    TCase  *tc = tcase_create("reload_status");

    tcase_add_checked_fixture(tc, setup_tmpdir, teardown_tmpdir);
    tcase_add_test(tc, format_then_parse_gives_the_same_status);
    tcase_add_test(tc, reason_stays_one_line);
    tcase_add_test(tc, incomplete_or_unknown_text_is_refused);
    tcase_add_test(tc, write_then_read_through_a_file);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(reload_status_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
