/*
 * check_sockutil - unit tests for UNIX socket set-up: modes and old names
 * DESCRIPTION
 *	Master binds as root in directories mail_owner owns, so a socket must
 *	be born with its mode (no chmod by name afterwards, which a swapped
 *	name would redirect) and an old name in the way must be removed, not
 *	followed. Modes are checked under umasks that would spoil them, and
 *	the caller's umask must come back unchanged.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dstr.h"
#include "sockutil.h"
#include "unit_tmpdir.h"

static char *tmpdir;

/* setup_tmpdir - a fresh directory */

static void setup_tmpdir(void)
{
    tmpdir = unit_tmpdir_make("check_sockutil");
}

/* teardown_tmpdir - remove it */

static void teardown_tmpdir(void)
{
    tmpdir = unit_tmpdir_remove(tmpdir);
}

/* tmp_path - tmpdir/name in a buffer of the caller's */

static const char *tmp_path(DSTR *buf, const char *name)
{
    (void) dstr_sprintf(buf, "%s/%s", tmpdir, name);
    return (dstr_str(buf));
}

/* assert_socket_mode - path is a socket with exactly these permissions */

static void assert_socket_mode(const char *path, mode_t mode)
{
    struct stat st;

    ck_assert_msg(lstat(path, &st) == 0, "lstat %s: %s", path, strerror(errno));
    ck_assert_msg(S_ISSOCK(st.st_mode), "%s is not a socket", path);
    ck_assert_int_eq(st.st_mode & 07777, mode);
}

START_TEST(stream_socket_is_created_with_the_mode)
{
    DSTR   *path = dstr_new(100);
    DSTR   *err = dstr_new(100);
    mode_t  old_mask = umask(077);		/* would give 0600 */
    int     fd;

    fd = sock_unix_listen(tmp_path(path, "qmgr"), 5, 0666, err);
    ck_assert_msg(fd >= 0, "%s", dstr_str(err));
    ck_assert_int_eq(umask(old_mask), 077);	/* the caller's umask is back */
    assert_socket_mode(dstr_str(path), 0666);
    close(fd);
    dstr_free(path);
    dstr_free(err);
}
END_TEST

START_TEST(datagram_socket_is_created_with_the_mode)
{
    DSTR   *path = dstr_new(100);
    DSTR   *err = dstr_new(100);
    mode_t  old_mask = umask(0);		/* would give 0777 */
    int     fd;

    fd = sock_unix_dgram_bind(tmp_path(path, "postlog"), 0620, err);
    ck_assert_msg(fd >= 0, "%s", dstr_str(err));
    ck_assert_int_eq(umask(old_mask), 0);
    assert_socket_mode(dstr_str(path), 0620);
    close(fd);
    dstr_free(path);
    dstr_free(err);
}
END_TEST

START_TEST(old_socket_is_replaced)
{
    DSTR   *path = dstr_new(100);
    DSTR   *err = dstr_new(100);
    int     fd1;
    int     fd2;

    ck_assert_int_ge(fd1 = sock_unix_listen(tmp_path(path, "s"), 5, 0600, err), 0);
    ck_assert_int_ge(fd2 = sock_unix_listen(dstr_str(path), 5, 0666, err), 0);
    assert_socket_mode(dstr_str(path), 0666);
    close(fd1);
    close(fd2);
    dstr_free(path);
    dstr_free(err);
}
END_TEST

START_TEST(link_in_the_way_is_removed_not_followed)
{
    DSTR   *path = dstr_new(100);
    DSTR   *victim = dstr_new(100);
    DSTR   *err = dstr_new(100);
    struct stat st;
    int     fd;

    /* The victim stands for a file root must never chmod (/etc/shadow). */
    ck_assert_int_ge(fd = open(tmp_path(victim, "victim"), O_WRONLY | O_CREAT, 0600), 0);
    close(fd);
    ck_assert_int_eq(chmod(dstr_str(victim), 0600), 0);
    ck_assert_int_eq(symlink(dstr_str(victim), tmp_path(path, "s")), 0);
    ck_assert_int_ge(fd = sock_unix_dgram_bind(dstr_str(path), 0666, err), 0);
    assert_socket_mode(dstr_str(path), 0666);
    ck_assert_int_eq(stat(dstr_str(victim), &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0600);
    close(fd);
    dstr_free(path);
    dstr_free(victim);
    dstr_free(err);
}
END_TEST

START_TEST(bind_failure_names_the_path_and_restores_umask)
{
    DSTR   *path = dstr_new(100);
    DSTR   *err = dstr_new(100);
    mode_t  old_mask = umask(027);

    ck_assert_int_eq(sock_unix_listen(tmp_path(path, "none/s"), 5, 0666, err), -1);
    ck_assert_int_eq(umask(old_mask), 027);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "/none/s: No such file"));
    dstr_free(path);
    dstr_free(err);
}
END_TEST

/* sockutil_suite - every test above */

static Suite *sockutil_suite(void)
{
    Suite  *s = suite_create("sockutil");
    TCase  *tc = tcase_create("unix");

    tcase_add_checked_fixture(tc, setup_tmpdir, teardown_tmpdir);
    tcase_add_test(tc, stream_socket_is_created_with_the_mode);
    tcase_add_test(tc, datagram_socket_is_created_with_the_mode);
    tcase_add_test(tc, old_socket_is_replaced);
    tcase_add_test(tc, link_in_the_way_is_removed_not_followed);
    tcase_add_test(tc, bind_failure_names_the_path_and_restores_umask);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(sockutil_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
