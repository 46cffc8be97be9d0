/*
 * check_gcommit - unit tests for the group commit
 * DESCRIPTION
 *	Real processes share a real state file: a lone caller syncs and is
 *	done; twenty processes making 200 commits at once all get 0, with
 *	fewer syncs than commits (counted in the shared page); a caller behind a lock held by a stopped
 *	"leader" gets -2 after its timeout and not before; a damaged state
 *	path (a directory) makes gcommit_open fail, so the caller syncs alone.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gcommit.h"
#include "unit_tmpdir.h"

static char *dir;
static int dirfd_ = -1;

static void setup(void)
{
    dir = unit_tmpdir_make("check_gcommit");
    ck_assert_int_ge(dirfd_ = open(dir, O_RDONLY | O_DIRECTORY), 0);
}

static void teardown(void)
{
    close(dirfd_);
    dir = unit_tmpdir_remove(dir);
}

/* now_ms - monotonic milliseconds */

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ((long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

START_TEST(a_lone_caller_syncs)
{
    GCOMMIT *gc = gcommit_open(dirfd_, GCOMMIT_FILE);

    ck_assert_ptr_nonnull(gc);
    ck_assert_int_eq(gcommit_sync(gc, dirfd_, 1000), 0);
    ck_assert_int_eq(gcommit_sync(gc, dirfd_, 1000), 0);
    gcommit_close(gc);
}
END_TEST

START_TEST(many_processes_at_once_all_succeed)
{
    GCOMMIT *gc;
    unsigned long tickets;
    unsigned long syncs;
    pid_t   kids[20];
    int     status;
    int     i;
    int     go[2];
    char    c;

    ck_assert_int_eq(pipe(go), 0);
    for (i = 0; i < 20; i++) {
	if ((kids[i] = fork()) == 0) {
	    int     n;
	    int     bad = 0;

	    gc = gcommit_open(dirfd_, GCOMMIT_FILE);
	    close(go[1]);
	    if (gc == NULL || read(go[0], &c, 1) != 0)
		_exit(2);
	    for (n = 0; n < 10; n++)
		bad |= gcommit_sync(gc, dirfd_, 5000) != 0;
	    _exit(bad);
	}
	ck_assert_int_gt(kids[i], 0);
    }
    close(go[0]);
    close(go[1]);				/* all start together */
    for (i = 0; i < 20; i++) {
	ck_assert_int_eq(waitpid(kids[i], &status, 0), kids[i]);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d: %d", i, status);
    }
    gc = gcommit_open(dirfd_, GCOMMIT_FILE);
    gcommit_counts(gc, &tickets, &syncs);
    ck_assert_uint_eq(tickets, 200);
    ck_assert_msg(syncs > 0 && syncs < 200, "%lu syncs for 200 commits", syncs);
    gcommit_close(gc);
}
END_TEST

START_TEST(a_stopped_leader_is_waited_for_until_the_timeout)
{
    GCOMMIT *gc = gcommit_open(dirfd_, GCOMMIT_FILE);
    int     go[2];
    pid_t   leader;
    long long t0;
    char    c;

    ck_assert_int_eq(pipe(go), 0);
    if ((leader = fork()) == 0) {
	int     fd = openat(dirfd_, GCOMMIT_FILE, O_RDWR);

	if (fd < 0 || flock(fd, LOCK_EX) < 0)
	    _exit(1);
	(void) write(go[1], "x", 1);
	pause();
	_exit(0);
    }
    ck_assert_int_eq(read(go[0], &c, 1), 1);
    kill(leader, SIGSTOP);
    t0 = now_ms();
    ck_assert_int_eq(gcommit_sync(gc, dirfd_, 300), -2);
    ck_assert_int_ge(now_ms() - t0, 290);
    ck_assert_int_lt(now_ms() - t0, 2000);
    /* The leader dies: its lock goes, and the next caller leads. */
    kill(leader, SIGKILL);
    waitpid(leader, NULL, 0);
    ck_assert_int_eq(gcommit_sync(gc, dirfd_, 300), 0);
    gcommit_close(gc);
}
END_TEST

START_TEST(a_bad_state_file_fails_the_open)
{
    ck_assert_int_eq(mkdirat(dirfd_, "notafile", 0700), 0);
    errno = 0;
    ck_assert_ptr_null(gcommit_open(dirfd_, "notafile"));
    ck_assert_int_ne(errno, 0);
}
END_TEST

static Suite *gcommit_suite(void)
{
    Suite  *s = suite_create("gcommit");
    TCase  *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, a_lone_caller_syncs);
    tcase_add_test(tc, many_processes_at_once_all_succeed);
    tcase_add_test(tc, a_stopped_leader_is_waited_for_until_the_timeout);
    tcase_add_test(tc, a_bad_state_file_fails_the_open);
    suite_add_tcase(s, tc);
    return (s);
}

int     main(void)
{
    SRunner *sr = srunner_create(gcommit_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed ? 1 : 0);
}
