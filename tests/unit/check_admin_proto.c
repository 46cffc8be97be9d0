/*
 * check_admin_proto - unit tests for the queue operations' tables
 * DESCRIPTION
 *	Default queues are postsuper's; named queues limit an operation;
 *	an unknown name, or a queue the operation does not act on, is an
 *	error naming it; admin_file_apply moves and removes files (with
 *	their logs) and says when there was nothing to do.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin_proto.h"
#include "spool.h"
#include "unit_tmpdir.h"

/* queues - parse for op, return the names */

static const char *queues(const char *op, const char *names, DSTR *out)
{
    DSTR   *err = dstr_new(64);
    int     bits;

    if (admin_queues_parse(admin_op_find(op), names, &bits, err) < 0)
	dstr_sprintf(out, "ERROR %s", dstr_str(err));
    else
	admin_queues_format(bits, out);
    dstr_free(err);
    return (dstr_str(out));
}

START_TEST(default_and_named_queues)
{
    DSTR   *out = dstr_new(64);

    ck_assert_str_eq(queues("delete", NULL, out), "incoming active deferred hold");
    ck_assert_str_eq(queues("hold", "", out), "incoming active deferred");
    ck_assert_str_eq(queues("release", NULL, out), "hold");
    ck_assert_str_eq(queues("requeue", NULL, out), "incoming active deferred hold");
    ck_assert_str_eq(queues("delete", " deferred,hold ", out), "deferred hold");
    ck_assert_str_eq(queues("delete", "corrupt", out), "corrupt");
    ck_assert_str_eq(queues("delete", "bogus", out), "ERROR \"bogus\" is not a queue name");
    ck_assert_str_eq(queues("delete", "deferred Hold", out),
		     "ERROR \"Hold\" is not a queue name");
    ck_assert_str_eq(queues("release", "deferred", out),
		     "ERROR release does not act on the deferred queue (only on: hold)");
    ck_assert_str_eq(queues("hold", "corrupt", out),
	     "ERROR hold does not act on the corrupt queue (only on: incoming active deferred)");
    ck_assert_ptr_null(admin_op_find("status"));
    ck_assert_int_eq(admin_queue_bit("maildrop"), 0);
    dstr_free(out);
}
END_TEST

/* touch - an empty file */

static void touch(const char *path)
{
    FILE   *fp = fopen(path, "w");

    ck_assert_ptr_nonnull(fp);
    fclose(fp);
}

START_TEST(file_apply_moves_and_removes)
{
    char   *dir = unit_tmpdir_make("check_admin_proto");
    char    cwd[4096];
    const char *id = "0TPNTTNB5WC00DKO";
    const char *const *qp;
    DSTR   *path = dstr_new(64);

    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    ck_assert_int_eq(chdir(dir), 0);
    for (qp = spool_message_queues; *qp; qp++)
	ck_assert_int_eq(mkdir(*qp, 0700), 0);
    ck_assert_int_eq(mkdir(SPOOL_BOUNCE, 0700), 0);
    ck_assert_int_eq(mkdir(SPOOL_DEFER, 0700), 0);
    touch(spool_path(path, SPOOL_DEFERRED, id));
    touch(spool_path(path, SPOOL_DEFER, id));
    ck_assert_int_eq(admin_file_apply(admin_op_find("hold"), SPOOL_INCOMING, id), 0);
    ck_assert_int_eq(admin_file_apply(admin_op_find("hold"), SPOOL_DEFERRED, id), 1);
    ck_assert_int_eq(access(spool_path(path, SPOOL_HOLD, id), F_OK), 0);
    ck_assert_int_eq(admin_file_apply(admin_op_find("requeue"), SPOOL_HOLD, id), 1);
    ck_assert_int_eq(admin_file_apply(admin_op_find("requeue"), SPOOL_INCOMING, id), 1);
    ck_assert_int_eq(access(spool_path(path, SPOOL_INCOMING, id), F_OK), 0);
    ck_assert_int_eq(admin_file_apply(admin_op_find("delete"), SPOOL_INCOMING, id), 1);
    ck_assert_int_eq(access(spool_path(path, SPOOL_INCOMING, id), F_OK), -1);
    ck_assert_int_eq(access(spool_path(path, SPOOL_DEFER, id), F_OK), -1);
    ck_assert_int_eq(admin_file_apply(admin_op_find("delete"), SPOOL_INCOMING, id), 0);
    ck_assert_int_eq(chdir(cwd), 0);
    dstr_free(path);
    unit_tmpdir_remove(dir);
}
END_TEST

static Suite *admin_proto_suite(void)
{
    Suite  *s = suite_create("admin_proto");
    TCase  *tc = tcase_create("core");

    tcase_add_test(tc, default_and_named_queues);
    tcase_add_test(tc, file_apply_moves_and_removes);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(admin_proto_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
