/*
 * check_procid - unit tests for procid: the remembered process id stays
 * right across fork()
 */
#include <check.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procid.h"

START_TEST(self_is_getpid)
{
    ck_assert_int_eq(procid_self(), getpid());
    ck_assert_int_eq(procid_self(), getpid());
}
END_TEST

START_TEST(child_of_fork_gets_its_own)
{
    pid_t   parent = procid_self();
    pid_t   pid;
    int     status;

    if ((pid = fork()) == 0)
	_exit(procid_self() == getpid() && procid_self() != parent ? 0 : 1);
    ck_assert_int_gt(pid, 0);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_int_eq(procid_self(), parent);
}
END_TEST

/* procid_suite - every test above */

static Suite *procid_suite(void)
{
    Suite  *s = suite_create("procid");
    TCase  *tc = tcase_create("procid");

    tcase_add_test(tc, self_is_getpid);
    tcase_add_test(tc, child_of_fork_gets_its_own);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(procid_suite());
    int     failed;

    srunner_set_fork_status(sr, CK_NOFORK);	/* the fork is ours to make */
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
