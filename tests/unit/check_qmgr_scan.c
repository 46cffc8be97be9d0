/*
 * check_qmgr_scan - unit tests for qmgr's queue scanners and import turns
 * DESCRIPTION
 *	docs/scheduler.md §10 items 2, 3 and 7 against real directories in a
 *	temporary spool: imports alternate between incoming and deferred; with
 *	a full bucket the next import comes from incoming; a start request
 *	during a pass gives exactly one more pass, which sees a file created
 *	meanwhile. The import step is a fake that records what it was given.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qmgr/qmgr.h"
#include "spool.h"

static char tmpdir[64];
static char origin[64];			/* "I" or "D" per import, in order */
static int kicks;
static int refuse;			/* the fake import skips every file */

/* qmgr_kick - the scanner's wake-up call into the main loop (qmgr.c) */

void    qmgr_kick(void)
{
    kicks++;
}

/* fake_import - record the queue; take the file out of it as qmgr would */

static int fake_import(const char *queue, const char *id, int flags)
{
    char    path[128];
    size_t  n = strlen(origin);

    (void) flags;
    if (refuse)
	return (0);
    if (n + 1 < sizeof(origin)) {
	origin[n] = strcmp(queue, SPOOL_INCOMING) == 0 ? 'I' : 'D';
	origin[n + 1] = 0;
    }
    (void) snprintf(path, sizeof(path), "%s/%s", queue, id);
    ck_assert_int_eq(unlink(path), 0);
    return (1);
}

/* touch - an empty queue file */

static void touch(const char *queue, int n)
{
    char    path[128];
    FILE   *fp;

    (void) snprintf(path, sizeof(path), "%s/0TOYQJ8L%07dX", queue, n);
    ck_assert_ptr_nonnull(fp = fopen(path, "w"));
    fclose(fp);
}

static void setup(void)
{
    strcpy(tmpdir, "/tmp/check_qmgr_scan.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    ck_assert_int_eq(chdir(tmpdir), 0);
    ck_assert_int_eq(mkdir(SPOOL_INCOMING, 0700), 0);
    ck_assert_int_eq(mkdir(SPOOL_DEFERRED, 0700), 0);
    origin[0] = 0;
    kicks = 0;
    refuse = 0;
    qmgr_scan_init();
}

static void teardown(void)
{
    char    cmd[128];

    (void) snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    ck_assert_int_eq(chdir("/"), 0);
    ck_assert_int_eq(system(cmd), 0);
}

/* §10 item 2: with both queues full, imports alternate I, D, I, D until one runs out */
START_TEST(imports_alternate_between_queues)
{
    int     i;

    for (i = 0; i < 4; i++)
	touch(SPOOL_INCOMING, i);
    for (i = 0; i < 2; i++)
	touch(SPOOL_DEFERRED, 10 + i);
    qmgr_scan_request(qmgr_scan_incoming, QMGR_SCAN_START);
    qmgr_scan_request(qmgr_scan_deferred, QMGR_SCAN_START);
    while (qmgr_scan_import(0, fake_import))
	 /* next */ ;
    ck_assert_str_eq(origin, "IDIDII");
}
END_TEST

/* §10 item 3: a full bucket imports nothing, and the next turn goes to incoming */
START_TEST(full_bucket_prefers_new_mail)
{
    int     i;

    for (i = 0; i < 3; i++) {
	touch(SPOOL_INCOMING, i);
	touch(SPOOL_DEFERRED, 10 + i);
    }
    qmgr_scan_request(qmgr_scan_incoming, QMGR_SCAN_START);
    qmgr_scan_request(qmgr_scan_deferred, QMGR_SCAN_START);
    ck_assert_int_eq(qmgr_scan_import(0, fake_import), 1);	/* I; D would be next */
    ck_assert_int_eq(qmgr_scan_import(1, fake_import), 0);	/* full */
    ck_assert_str_eq(origin, "I");
    ck_assert_int_eq(qmgr_scan_import(0, fake_import), 1);
    ck_assert_str_eq(origin, "II");
    ck_assert_int_eq(qmgr_scan_import(0, fake_import), 1);
    ck_assert_str_eq(origin, "IID");
}
END_TEST

/* §10 item 7: a start request during a pass gives exactly one more pass, which sees a new file */
START_TEST(trigger_during_pass_is_not_lost)
{
    DSTR   *id = dstr_new(32);
    int     flags;
    int     seen_new = 0;
    int     got = 0;

    touch(SPOOL_INCOMING, 1);
    touch(SPOOL_INCOMING, 2);
    qmgr_scan_request(qmgr_scan_incoming, QMGR_SCAN_START);
    ck_assert_int_eq(qmgr_scan_next(qmgr_scan_incoming, id, &flags), 1);
    /* Two requests during the pass, and a file created meanwhile. */
    qmgr_scan_request(qmgr_scan_incoming, QMGR_SCAN_START);
    qmgr_scan_request(qmgr_scan_incoming, QMGR_SCAN_START);
    touch(SPOOL_INCOMING, 3);
    ck_assert_int_ge(kicks, 3);
    /* The rest of this pass and one more pass; files stay, so each pass lists them. */
    while (qmgr_scan_next(qmgr_scan_incoming, id, &flags)) {
	got++;
	if (strcmp(dstr_str(id), "0TOYQJ8L0000003X") == 0)
	    seen_new++;
	ck_assert_int_lt(got, 10);
    }
    /* 1 or 2 more in the first pass (readdir may or may not show file 3), then 3. */
    ck_assert_int_ge(got, 4);
    ck_assert_int_le(got, 5);
    ck_assert_int_ge(seen_new, 1);
    /* Nothing more was asked for: no third pass. */
    ck_assert_int_eq(qmgr_scan_next(qmgr_scan_incoming, id, &flags), 0);
    dstr_free(id);
}
END_TEST

/* §2.3: A and F modifiers reach the pass under way and the next one */
START_TEST(modifiers_apply_to_current_and_next_pass)
{
    DSTR   *id = dstr_new(32);
    int     flags;

    touch(SPOOL_DEFERRED, 1);
    touch(SPOOL_DEFERRED, 2);
    qmgr_scan_request(qmgr_scan_deferred, QMGR_SCAN_START);
    ck_assert_int_eq(qmgr_scan_next(qmgr_scan_deferred, id, &flags), 1);
    ck_assert_int_eq(flags & (QMGR_SCAN_ALL | QMGR_SCAN_FLUSH), 0);
    qmgr_scan_request(qmgr_scan_deferred, QMGR_SCAN_ALL | QMGR_SCAN_FLUSH);
    ck_assert_int_eq(qmgr_scan_next(qmgr_scan_deferred, id, &flags), 1);
    ck_assert_int_eq(flags & (QMGR_SCAN_ALL | QMGR_SCAN_FLUSH), QMGR_SCAN_ALL | QMGR_SCAN_FLUSH);
    /* A modifier alone starts no pass. */
    ck_assert_int_eq(qmgr_scan_next(qmgr_scan_deferred, id, &flags), 0);
    qmgr_scan_request(qmgr_scan_deferred, QMGR_SCAN_START);
    ck_assert_int_eq(qmgr_scan_next(qmgr_scan_deferred, id, &flags), 1);
    ck_assert_int_eq(flags & QMGR_SCAN_ALL, QMGR_SCAN_ALL);
    dstr_free(id);
}
END_TEST

/* Skipped files (not yet due) do not stop the other queue's turn */
START_TEST(skipped_files_end_the_turn_without_import)
{
    touch(SPOOL_DEFERRED, 1);
    qmgr_scan_request(qmgr_scan_deferred, QMGR_SCAN_START);
    refuse = 1;
    ck_assert_int_eq(qmgr_scan_import(0, fake_import), 0);
    ck_assert_str_eq(origin, "");
    refuse = 0;
    touch(SPOOL_INCOMING, 2);
    qmgr_scan_request(qmgr_scan_incoming, QMGR_SCAN_START);
    ck_assert_int_eq(qmgr_scan_import(0, fake_import), 1);
    ck_assert_str_eq(origin, "I");
}
END_TEST

static Suite *qmgr_scan_suite(void)
{
    Suite  *s = suite_create("qmgr_scan");
    TCase  *tc = tcase_create("scan");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, imports_alternate_between_queues);
    tcase_add_test(tc, full_bucket_prefers_new_mail);
    tcase_add_test(tc, trigger_during_pass_is_not_lost);
    tcase_add_test(tc, modifiers_apply_to_current_and_next_pass);
    tcase_add_test(tc, skipped_files_end_the_turn_without_import);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(qmgr_scan_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
