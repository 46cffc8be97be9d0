/*
 * check_fsutil - unit tests for the file helpers root uses in directories
 *	others may write: replacement, temporary files, directories, log
 *	opens, pid files
 * DESCRIPTION
 *	Each test plants what a hostile local user could (a link named like
 *	a temporary file, a link or a hard link in place of the log file, a
 *	FIFO, a link in place of a directory) in a fresh scratch directory and
 *	checks that the victim it points to is left alone. Modes are checked
 *	under a umask that would spoil them, to show they are set explicitly.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dstr.h"
#include "fsutil.h"
#include "mymalloc.h"
#include "unit_tmpdir.h"

#define VICTIM_TEXT	"victim\n"

static char *tmpdir;

/* setup_tmpdir - a fresh directory */

static void setup_tmpdir(void)
{
    tmpdir = unit_tmpdir_make("check_fsutil");
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

/* write_text - create or truncate a file with text */

static void write_text(const char *path, const char *text)
{
    int     fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(fs_write_all(fd, text, strlen(text)), 0);
    ck_assert_int_eq(close(fd), 0);
}

/* read_text - a whole file (caller frees) */

static char *read_text(const char *path)
{
    DSTR   *buf = dstr_new(64);

    ck_assert_msg(fs_read_file(path, buf, 0) == 0, "read %s: %s", path, strerror(errno));
    return (dstr_export(buf));
}

/* assert_text - the file holds exactly text */

static void assert_text(const char *path, const char *text)
{
    char   *got = read_text(path);

    ck_assert_str_eq(got, text);
    myfree(got);
}

/* entries - names in tmpdir other than . and .., sorted, "a b c" */

static char *entries(void)
{
    DSTR   *cmd = dstr_new(100);
    DSTR   *out = dstr_new(100);
    FILE   *fp;
    char    line[256];

    (void) dstr_sprintf(cmd, "ls -A '%s' | tr '\\n' ' '", tmpdir);
    ck_assert_ptr_nonnull(fp = popen(dstr_str(cmd), "r"));
    while (fgets(line, sizeof(line), fp) != NULL)
	(void) dstr_cats(out, line);
    (void) pclose(fp);
    dstr_free(cmd);
    return (dstr_export(out));
}

/* mode_of - permission bits of path, not following a link */

static mode_t mode_of(const char *path)
{
    struct stat st;

    ck_assert_msg(lstat(path, &st) == 0, "lstat %s: %s", path, strerror(errno));
    return (st.st_mode & 07777);
}

/* fs_replace_file */

START_TEST(replace_writes_content_with_the_mode_asked)
{
    DSTR   *path = dstr_new(100);
    mode_t  old_mask = umask(077);		/* would spoil 0644 if relied on */

    tmp_path(path, "main.cf");
    write_text(dstr_str(path), "old\n");
    ck_assert_int_eq(fs_replace_file(dstr_str(path), "new\n", 4, 0644), 0);
    (void) umask(old_mask);
    assert_text(dstr_str(path), "new\n");
    ck_assert_int_eq(mode_of(dstr_str(path)), 0644);
    dstr_free(path);
}
END_TEST

START_TEST(replace_does_not_follow_a_planted_tmp_link)
{
    DSTR   *path = dstr_new(100);
    DSTR   *victim = dstr_new(100);
    DSTR   *link = dstr_new(100);
    char   *names;

    /* The old code wrote "PATH.tmp" with O_CREAT|O_TRUNC: a link there won. */
    tmp_path(victim, "victim");
    write_text(dstr_str(victim), VICTIM_TEXT);
    ck_assert_int_eq(symlink(dstr_str(victim), tmp_path(link, "main.cf.tmp")), 0);
    ck_assert_int_eq(fs_replace_file(tmp_path(path, "main.cf"), "new\n", 4, 0644), 0);
    assert_text(dstr_str(victim), VICTIM_TEXT);
    ck_assert_int_eq(mode_of(dstr_str(victim)), 0600);
    assert_text(dstr_str(path), "new\n");
    names = entries();
    ck_assert_str_eq(names, "main.cf main.cf.tmp victim ");
    myfree(names);
    dstr_free(path);
    dstr_free(victim);
    dstr_free(link);
}
END_TEST

START_TEST(replace_failure_leaves_no_temp_file_and_keeps_errno)
{
    DSTR   *path = dstr_new(100);
    DSTR   *inner = dstr_new(100);
    char   *names;

    /* A non-empty directory in the way: rename() fails after the write. */
    ck_assert_int_eq(mkdir(tmp_path(path, "target"), 0755), 0);
    ck_assert_int_eq(mkdir(tmp_path(inner, "target/x"), 0755), 0);
    errno = 0;
    ck_assert_int_eq(fs_replace_file(dstr_str(path), "new\n", 4, 0644), -1);
    ck_assert_int_eq(errno, EISDIR);
    names = entries();
    ck_assert_str_eq(names, "target ");
    myfree(names);
    dstr_free(path);
    dstr_free(inner);
}
END_TEST

START_TEST(replace_in_a_missing_directory_fails_with_its_errno)
{
    DSTR   *path = dstr_new(100);

    errno = 0;
    ck_assert_int_eq(fs_replace_file(tmp_path(path, "none/main.cf"), "x", 1, 0644), -1);
    ck_assert_int_eq(errno, ENOENT);
    dstr_free(path);
}
END_TEST

/* fs_temp_open */

START_TEST(temp_names_are_new_private_and_beside_the_path)
{
    DSTR   *path = dstr_new(100);
    DSTR   *tmp1 = dstr_new(100);
    DSTR   *tmp2 = dstr_new(100);
    int     fd1;
    int     fd2;

    tmp_path(path, "table.db");
    ck_assert_int_ge(fd1 = fs_temp_open(dstr_str(path), tmp1), 0);
    ck_assert_int_ge(fd2 = fs_temp_open(dstr_str(path), tmp2), 0);
    ck_assert_str_ne(dstr_str(tmp1), dstr_str(tmp2));
    ck_assert_int_eq(strncmp(dstr_str(tmp1), dstr_str(path), dstr_len(path)), 0);
    ck_assert_int_eq(dstr_str(tmp1)[dstr_len(path)], '.');
    ck_assert_uint_eq(dstr_len(tmp1), dstr_len(path) + 7);
    ck_assert_int_eq(mode_of(dstr_str(tmp1)), 0600);
    ck_assert_int_ne(fcntl(fd1, F_GETFD) & FD_CLOEXEC, 0);
    close(fd1);
    close(fd2);
    dstr_free(path);
    dstr_free(tmp1);
    dstr_free(tmp2);
}
END_TEST

/* fs_open_append */

START_TEST(append_creates_a_missing_file_with_the_mode)
{
    DSTR   *path = dstr_new(100);
    mode_t  old_mask = umask(0);
    int     fd;

    fd = fs_open_append(tmp_path(path, "maillog"), 0640);
    (void) umask(old_mask);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(mode_of(dstr_str(path)), 0640);
    ck_assert_int_eq(fs_write_all(fd, "one\n", 4), 0);
    close(fd);
    assert_text(dstr_str(path), "one\n");
    dstr_free(path);
}
END_TEST

START_TEST(append_adds_to_an_existing_file_blocking)
{
    DSTR   *path = dstr_new(100);
    int     fd;

    write_text(tmp_path(path, "maillog"), "one\n");
    ck_assert_int_ge(fd = fs_open_append(dstr_str(path), 0640), 0);
    ck_assert_int_eq(fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND);
    ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
    ck_assert_int_eq(fs_write_all(fd, "two\n", 4), 0);
    close(fd);
    assert_text(dstr_str(path), "one\ntwo\n");
    dstr_free(path);
}
END_TEST

START_TEST(append_refuses_a_symbolic_link)
{
    DSTR   *path = dstr_new(100);
    DSTR   *victim = dstr_new(100);

    write_text(tmp_path(victim, "victim"), VICTIM_TEXT);
    ck_assert_int_eq(symlink(dstr_str(victim), tmp_path(path, "maillog")), 0);
    errno = 0;
    ck_assert_int_eq(fs_open_append(dstr_str(path), 0640), -1);
    ck_assert_int_eq(errno, ELOOP);
    assert_text(dstr_str(victim), VICTIM_TEXT);
    dstr_free(path);
    dstr_free(victim);
}
END_TEST

START_TEST(append_refuses_a_dangling_symbolic_link)
{
    DSTR   *path = dstr_new(100);
    DSTR   *victim = dstr_new(100);

    /* Creating through it would make a file wherever the link points. */
    tmp_path(victim, "would-be-created");
    ck_assert_int_eq(symlink(dstr_str(victim), tmp_path(path, "maillog")), 0);
    errno = 0;
    ck_assert_int_eq(fs_open_append(dstr_str(path), 0640), -1);
    ck_assert_int_eq(errno, ELOOP);
    ck_assert_int_eq(access(dstr_str(victim), F_OK), -1);
    dstr_free(path);
    dstr_free(victim);
}
END_TEST

START_TEST(append_refuses_a_hard_linked_file)
{
    DSTR   *path = dstr_new(100);
    DSTR   *victim = dstr_new(100);

    write_text(tmp_path(victim, "victim"), VICTIM_TEXT);
    ck_assert_int_eq(link(dstr_str(victim), tmp_path(path, "maillog")), 0);
    errno = 0;
    ck_assert_int_eq(fs_open_append(dstr_str(path), 0640), -1);
    ck_assert_int_eq(errno, EMLINK);
    assert_text(dstr_str(victim), VICTIM_TEXT);
    dstr_free(path);
    dstr_free(victim);
}
END_TEST

START_TEST(append_refuses_a_directory)
{
    DSTR   *path = dstr_new(100);

    ck_assert_int_eq(mkdir(tmp_path(path, "maillog"), 0755), 0);
    errno = 0;
    ck_assert_int_eq(fs_open_append(dstr_str(path), 0640), -1);
    ck_assert_int_eq(errno, EISDIR);
    dstr_free(path);
}
END_TEST

START_TEST(append_refuses_a_fifo_without_blocking)
{
    DSTR   *path = dstr_new(100);

    /* Nobody reads it: an open() for writing would wait for ever. */
    ck_assert_int_eq(mkfifo(tmp_path(path, "maillog"), 0644), 0);
    errno = 0;
    ck_assert_int_eq(fs_open_append(dstr_str(path), 0640), -1);
    ck_assert_int_eq(errno, EINVAL);
    dstr_free(path);
}
END_TEST

START_TEST(append_as_root_refuses_a_file_root_does_not_own)
{
    DSTR   *path = dstr_new(100);

    if (geteuid() != 0)
	return;					/* only root checks the owner */
    write_text(tmp_path(path, "maillog"), VICTIM_TEXT);
    ck_assert_int_eq(chown(dstr_str(path), 65534, 65534), 0);
    errno = 0;
    ck_assert_int_eq(fs_open_append(dstr_str(path), 0640), -1);
    ck_assert_int_eq(errno, EPERM);
    dstr_free(path);
}
END_TEST

/* fs_make_dir */

START_TEST(make_dir_creates_with_the_mode_asked)
{
    DSTR   *path = dstr_new(100);
    mode_t  old_mask = umask(077);

    ck_assert_int_eq(fs_make_dir(tmp_path(path, "d"), 0751, geteuid(), getegid()), 0);
    (void) umask(old_mask);
    ck_assert_int_eq(mode_of(dstr_str(path)), 0751);
    dstr_free(path);
}
END_TEST

START_TEST(make_dir_sets_the_mode_of_an_existing_directory)
{
    DSTR   *path = dstr_new(100);

    ck_assert_int_eq(mkdir(tmp_path(path, "d"), 0700), 0);
    ck_assert_int_eq(fs_make_dir(dstr_str(path), 0755, geteuid(), getegid()), 0);
    ck_assert_int_eq(mode_of(dstr_str(path)), 0755);
    dstr_free(path);
}
END_TEST

START_TEST(make_dir_does_not_chmod_through_a_link)
{
    DSTR   *path = dstr_new(100);
    DSTR   *victim = dstr_new(100);

    ck_assert_int_eq(mkdir(tmp_path(victim, "victim"), 0700), 0);
    ck_assert_int_eq(symlink(dstr_str(victim), tmp_path(path, "spool")), 0);
    errno = 0;
    ck_assert_int_eq(fs_make_dir(dstr_str(path), 0755, geteuid(), getegid()), -1);
    ck_assert_int_eq(errno, ELOOP);
    ck_assert_int_eq(mode_of(dstr_str(victim)), 0700);
    dstr_free(path);
    dstr_free(victim);
}
END_TEST

START_TEST(make_dir_accepts_a_link_to_a_directory_as_asked)
{
    DSTR   *path = dstr_new(100);
    DSTR   *victim = dstr_new(100);

    /* An admin's spool on another disk: nothing to change, so no harm. */
    ck_assert_int_eq(mkdir(tmp_path(victim, "disk"), 0755), 0);
    ck_assert_int_eq(chmod(dstr_str(victim), 0755), 0);
    ck_assert_int_eq(symlink(dstr_str(victim), tmp_path(path, "spool")), 0);
    ck_assert_int_eq(fs_make_dir(dstr_str(path), 0755, geteuid(), getegid()), 0);
    dstr_free(path);
    dstr_free(victim);
}
END_TEST

START_TEST(make_dir_refuses_a_file_in_the_way)
{
    DSTR   *path = dstr_new(100);

    write_text(tmp_path(path, "d"), VICTIM_TEXT);
    errno = 0;
    ck_assert_int_eq(fs_make_dir(dstr_str(path), 0755, geteuid(), getegid()), -1);
    ck_assert_int_eq(errno, ENOTDIR);
    ck_assert_int_eq(mode_of(dstr_str(path)), 0600);
    dstr_free(path);
}
END_TEST

/* fs_pidfile_lock */

START_TEST(pidfile_lock_records_and_reports_the_holder)
{
    DSTR   *path = dstr_new(100);
    pid_t   holder = -1;
    int     fd;

    ck_assert_int_ge(fd = fs_pidfile_lock(tmp_path(path, "master.pid"), &holder), 0);
    ck_assert_int_eq(holder, 0);
    ck_assert_int_eq(fs_pidfile_write(fd, getpid()), 0);
    /* flock() locks belong to the open file: a second open conflicts. */
    ck_assert_int_eq(fs_pidfile_lock(dstr_str(path), &holder), -1);
    ck_assert_int_eq(holder, getpid());
    ck_assert_int_eq(fs_pidfile_holder(dstr_str(path)), getpid());
    close(fd);
    ck_assert_int_eq(fs_pidfile_holder(dstr_str(path)), 0);
    dstr_free(path);
}
END_TEST

START_TEST(pidfile_lock_refuses_a_symbolic_link)
{
    DSTR   *path = dstr_new(100);
    DSTR   *victim = dstr_new(100);
    pid_t   holder = -1;

    write_text(tmp_path(victim, "victim"), VICTIM_TEXT);
    ck_assert_int_eq(symlink(dstr_str(victim), tmp_path(path, "master.pid")), 0);
    errno = 0;
    ck_assert_int_eq(fs_pidfile_lock(dstr_str(path), &holder), -1);
    ck_assert_int_eq(errno, ELOOP);
    ck_assert_int_eq(holder, 0);
    assert_text(dstr_str(victim), VICTIM_TEXT);
    dstr_free(path);
    dstr_free(victim);
}
END_TEST

START_TEST(pidfile_lock_refuses_a_hard_link)
{
    DSTR   *path = dstr_new(100);
    DSTR   *victim = dstr_new(100);
    pid_t   holder = -1;

    write_text(tmp_path(victim, "victim"), VICTIM_TEXT);
    ck_assert_int_eq(link(dstr_str(victim), tmp_path(path, "master.pid")), 0);
    errno = 0;
    ck_assert_int_eq(fs_pidfile_lock(dstr_str(path), &holder), -1);
    ck_assert_int_eq(errno, EMLINK);
    assert_text(dstr_str(victim), VICTIM_TEXT);
    dstr_free(path);
    dstr_free(victim);
}
END_TEST

START_TEST(absolute_prefixes_the_current_directory_and_drops_dots)
{
    DSTR   *out = dstr_new(10);
    DSTR   *want = dstr_new(100);
    char   *cwd = getcwd(NULL, 0);

    ck_assert_ptr_nonnull(cwd);
    ck_assert_int_eq(fs_absolute("/etc/posthorn/", out), 0);
    ck_assert_str_eq(dstr_str(out), "/etc/posthorn");
    ck_assert_int_eq(fs_absolute("//a/./b//./", out), 0);
    ck_assert_str_eq(dstr_str(out), "/a/b");
    ck_assert_int_eq(fs_absolute("/", out), 0);
    ck_assert_str_eq(dstr_str(out), "/");
    ck_assert_int_eq(fs_absolute("./inst/", out), 0);
    dstr_sprintf(want, "%s/inst", strcmp(cwd, "/") ? cwd : "");
    ck_assert_str_eq(dstr_str(out), dstr_str(want));
    ck_assert_int_eq(fs_absolute("../x", out), 0);	/* no link resolved by name */
    dstr_sprintf(want, "%s/../x", strcmp(cwd, "/") ? cwd : "");
    ck_assert_str_eq(dstr_str(out), dstr_str(want));
    free(cwd);
    dstr_free(out);
    dstr_free(want);
}
END_TEST

/* fsutil_suite - every test above */

static Suite *fsutil_suite(void)
{
    Suite  *s = suite_create("fsutil");
    TCase  *tc;

    tc = tcase_create("replace");
    tcase_add_checked_fixture(tc, setup_tmpdir, teardown_tmpdir);
    tcase_add_test(tc, replace_writes_content_with_the_mode_asked);
    tcase_add_test(tc, replace_does_not_follow_a_planted_tmp_link);
    tcase_add_test(tc, replace_failure_leaves_no_temp_file_and_keeps_errno);
    tcase_add_test(tc, replace_in_a_missing_directory_fails_with_its_errno);
    tcase_add_test(tc, temp_names_are_new_private_and_beside_the_path);
    suite_add_tcase(s, tc);

    tc = tcase_create("append");
    tcase_add_checked_fixture(tc, setup_tmpdir, teardown_tmpdir);
    tcase_add_test(tc, append_creates_a_missing_file_with_the_mode);
    tcase_add_test(tc, append_adds_to_an_existing_file_blocking);
    tcase_add_test(tc, append_refuses_a_symbolic_link);
    tcase_add_test(tc, append_refuses_a_dangling_symbolic_link);
    tcase_add_test(tc, append_refuses_a_hard_linked_file);
    tcase_add_test(tc, append_refuses_a_directory);
    tcase_add_test(tc, append_refuses_a_fifo_without_blocking);
    tcase_add_test(tc, append_as_root_refuses_a_file_root_does_not_own);
    suite_add_tcase(s, tc);

    tc = tcase_create("make_dir");
    tcase_add_checked_fixture(tc, setup_tmpdir, teardown_tmpdir);
    tcase_add_test(tc, make_dir_creates_with_the_mode_asked);
    tcase_add_test(tc, make_dir_sets_the_mode_of_an_existing_directory);
    tcase_add_test(tc, make_dir_does_not_chmod_through_a_link);
    tcase_add_test(tc, make_dir_accepts_a_link_to_a_directory_as_asked);
    tcase_add_test(tc, make_dir_refuses_a_file_in_the_way);
    suite_add_tcase(s, tc);

    tc = tcase_create("absolute");
    tcase_add_test(tc, absolute_prefixes_the_current_directory_and_drops_dots);
    suite_add_tcase(s, tc);

    tc = tcase_create("pidfile");
    tcase_add_checked_fixture(tc, setup_tmpdir, teardown_tmpdir);
    tcase_add_test(tc, pidfile_lock_records_and_reports_the_holder);
    tcase_add_test(tc, pidfile_lock_refuses_a_symbolic_link);
    tcase_add_test(tc, pidfile_lock_refuses_a_hard_link);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(fsutil_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
