/*
 * check_posthorn_map - unit tests for posthorn map: building tables from
 *	source files and querying them
 * DESCRIPTION
 *	Calls the command's function as posthorn(1) does, with its standard
 *	output and error captured in files, in a private temporary
 *	directory. Builds run in a child process (as the command does), so
 *	a failed build comes back as exit status 1.
 */
#include <check.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "posthorn/posthorn.h"
#include "dict.h"
#include "dstr.h"
#include "fsutil.h"
#include "mymalloc.h"
#include "unit_tmpdir.h"

static char *tmpdir;
static DSTR *out;			/* standard output of the last run */
static DSTR *err;			/* standard error of the last run */

static void setup_tmpdir(void)
{
    tmpdir = unit_tmpdir_make("check_posthorn_map");
    ck_assert_int_eq(chmod(tmpdir, 0755), 0);
    out = dstr_new(100);
    err = dstr_new(100);
}

static void teardown_tmpdir(void)
{
    tmpdir = unit_tmpdir_remove(tmpdir);
    out = dstr_free(out);
    err = dstr_free(err);
}

/* path_of - tmpdir/name (static result, two at a time) */

static const char *path_of(const char *name)
{
    static DSTR *buf[2];
    static int which;

    which = !which;
    if (buf[which] == NULL)
	buf[which] = dstr_new(100);
    (void) dstr_sprintf(buf[which], "%s/%s", tmpdir, name);
    return (dstr_str(buf[which]));
}

/* write_source - tmpdir/name with content and mode */

static void write_source(const char *name, const char *content, mode_t mode)
{
    const char *path = path_of(name);
    int     fd;

    ck_assert_int_ge(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), 0);
    ck_assert_int_eq(fs_write_all(fd, content, strlen(content)), 0);
    ck_assert_int_eq(fchmod(fd, mode), 0);
    ck_assert_int_eq(close(fd), 0);
}

/* capture_path - tmpdir/name in its own buffer (the arguments use path_of's) */

static void capture_path(DSTR *path, const char *name)
{
    (void) dstr_sprintf(path, "%s/%s", tmpdir, name);
}

/* redirect - point fd at a fresh file; returns the saved descriptor */

static int redirect(int fd, const char *name)
{
    DSTR   *path = dstr_new(100);
    int     saved = dup(fd);
    int     tmp;

    capture_path(path, name);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(tmp = open(dstr_str(path), O_WRONLY | O_CREAT | O_TRUNC, 0600), 0);
    ck_assert_int_ge(dup2(tmp, fd), 0);
    (void) close(tmp);
    dstr_free(path);
    return (saved);
}

/* run_map - posthorn map ARGS... (NULL-terminated); output in out and err */

static int run_map(const char *first,...)
{
    char   *argv[10];
    int     argc = 0;
    va_list ap;
    int     saved_out;
    int     saved_err;
    int     status;
    DSTR   *path = dstr_new(100);

    argv[argc++] = "map";
    va_start(ap, first);
    for (const char *arg = first; arg != NULL; arg = va_arg(ap, const char *))
	argv[argc++] = (char *) arg;
    va_end(ap);
    argv[argc] = NULL;
    fflush(stdout);
    saved_out = redirect(STDOUT_FILENO, ".out");
    saved_err = redirect(STDERR_FILENO, ".err");
    optind = 1;
    status = posthorn_map(argc, argv);
    fflush(stdout);
    ck_assert_int_ge(dup2(saved_out, STDOUT_FILENO), 0);
    ck_assert_int_ge(dup2(saved_err, STDERR_FILENO), 0);
    (void) close(saved_out);
    (void) close(saved_err);
    capture_path(path, ".out");
    ck_assert_int_eq(fs_read_file(dstr_str(path), out, 0), 0);
    capture_path(path, ".err");
    ck_assert_int_eq(fs_read_file(dstr_str(path), err, 0), 0);
    dstr_free(path);
    return (status);
}

/* dir_entries - the names in tmpdir, sorted, without the capture files */

static const char *dir_entries(void)
{
    static DSTR *list;
    DSTR   *cmd = dstr_new(100);
    FILE   *fp;
    char    buf[256];

    if (list == NULL)
	list = dstr_new(100);
    DSTR_RESET(list);
    (void) dstr_sprintf(cmd, "ls '%s' | tr '\\n' ' '", tmpdir);
    ck_assert_ptr_nonnull(fp = popen(dstr_str(cmd), "r"));
    while (fgets(buf, sizeof(buf), fp) != NULL)
	dstr_cats(list, buf);
    ck_assert_int_eq(pclose(fp), 0);
    dstr_free(cmd);
    return (dstr_str(list));
}

/* lookup - value of key in type:tmpdir/name ("" when absent) */

static const char *lookup(const char *type, const char *name, const char *key)
{
    static DSTR *val;
    DSTR   *spec = dstr_new(100);
    DSTR   *why = dstr_new(100);
    DICT   *dict;
    const char *v;

    if (val == NULL)
	val = dstr_new(100);
    (void) dstr_sprintf(spec, "%s:%s", type, path_of(name));
    dict = dict_open(dstr_str(spec), why);
    ck_assert_msg(dict != 0, "%s", dstr_str(why));
    v = dict_get(dict, key);
    dstr_strcpy(val, v ? v : "");
    dict_close(dict);
    dstr_free(spec);
    dstr_free(why);
    return (dstr_str(val));
}

static const char *const source =
"# transport routes\n"
"Example.COM   smtp:[192.0.2.1]:2525\n"
"\n"
"other.example relay:\n"
"    # a comment inside an entry\n"
"    [mx.other.example]\n"
".sub.example  smtp:\n";

START_TEST(build_round_trip)
{
    write_source("transport", source, 0644);
    ck_assert_int_eq(run_map(path_of("transport"), NULL), 0);
    ck_assert_str_eq(dstr_str(err), "");
    ck_assert_str_eq(lookup("hash", "transport", "example.com"), "smtp:[192.0.2.1]:2525");
    ck_assert_str_eq(lookup("hash", "transport", "other.example"), "relay:    [mx.other.example]");
    ck_assert_str_eq(lookup("hash", "transport", ".sub.example"), "smtp:");
    ck_assert_str_eq(lookup("hash", "transport", "absent.example"), "");
    ck_assert_str_eq(dir_entries(), "transport transport.db ");	/* no temporary left */
}
END_TEST

START_TEST(btree_build_and_explicit_hash)
{
    DSTR   *spec = dstr_new(100);

    write_source("t", source, 0644);
    (void) dstr_sprintf(spec, "btree:%s", path_of("t"));
    ck_assert_int_eq(run_map(dstr_str(spec), NULL), 0);
    ck_assert_str_eq(lookup("btree", "t", "EXAMPLE.com"), "smtp:[192.0.2.1]:2525");
    (void) dstr_sprintf(spec, "hash:%s", path_of("t"));
    ck_assert_int_eq(run_map(dstr_str(spec), NULL), 0);
    ck_assert_str_eq(lookup("hash", "t", "example.com"), "smtp:[192.0.2.1]:2525");
    dstr_free(spec);
}
END_TEST

START_TEST(query_prints_value_or_exits_1)
{
    DSTR   *spec = dstr_new(100);

    write_source("t", source, 0644);
    ck_assert_int_eq(run_map(path_of("t"), NULL), 0);
    (void) dstr_sprintf(spec, "hash:%s", path_of("t"));
    ck_assert_int_eq(run_map("-q", "Example.Com", dstr_str(spec), NULL), 0);
    ck_assert_str_eq(dstr_str(out), "smtp:[192.0.2.1]:2525\n");
    ck_assert_int_eq(run_map("-q", "absent.example", dstr_str(spec), NULL), 1);
    ck_assert_str_eq(dstr_str(out), "");
    /* Without a type, hash: as for building. */
    ck_assert_int_eq(run_map("-q", "other.example", path_of("t"), NULL), 0);
    ck_assert_str_eq(dstr_str(out), "relay:    [mx.other.example]\n");
    dstr_free(spec);
}
END_TEST

START_TEST(query_from_stdin_prints_key_tab_value)
{
    DSTR   *spec = dstr_new(100);
    int     saved_in;
    int     fd;

    write_source("t", source, 0644);
    ck_assert_int_eq(run_map(path_of("t"), NULL), 0);
    write_source("keys", "Example.COM\nnone.example\nother.example\n", 0644);
    ck_assert_int_ge(saved_in = dup(STDIN_FILENO), 0);
    ck_assert_int_ge(fd = open(path_of("keys"), O_RDONLY), 0);
    ck_assert_int_ge(dup2(fd, STDIN_FILENO), 0);
    (void) close(fd);
    (void) dstr_sprintf(spec, "hash:%s", path_of("t"));
    ck_assert_int_eq(run_map("-q", "-", dstr_str(spec), NULL), 0);
    ck_assert_int_ge(dup2(saved_in, STDIN_FILENO), 0);
    (void) close(saved_in);
    /* As postmap -q -: the key as given, a TAB, the value. */
    ck_assert_str_eq(dstr_str(out), "Example.COM\tsmtp:[192.0.2.1]:2525\n"
		     "other.example\trelay:    [mx.other.example]\n");
    dstr_free(spec);
}
END_TEST

START_TEST(query_searches_several_tables_and_cidr)
{
    DSTR   *cidr = dstr_new(100);

    write_source("net.cidr", "192.0.2.0/24 inside\n", 0644);
    (void) dstr_sprintf(cidr, "cidr:%s", path_of("net.cidr"));
    ck_assert_int_eq(run_map("-q", "192.0.2.8", "inline:{ 192.0.2.9 = nine }",
			     dstr_str(cidr), NULL), 0);
    ck_assert_str_eq(dstr_str(out), "inside\n");
    ck_assert_int_eq(run_map("-q", "192.0.2.9", "inline:{ 192.0.2.9 = nine }",
			     dstr_str(cidr), NULL), 0);
    ck_assert_str_eq(dstr_str(out), "nine\n");
    ck_assert_int_eq(run_map("-q", "198.51.100.1", dstr_str(cidr), NULL), 1);
    dstr_free(cidr);
}
END_TEST

START_TEST(bad_line_keeps_the_old_table)
{
    struct stat before;
    struct stat after;

    write_source("t", source, 0644);
    ck_assert_int_eq(run_map(path_of("t"), NULL), 0);
    ck_assert_int_eq(stat(path_of("t.db"), &before), 0);
    write_source("t", "new.example smtp:\nbroken-line\n", 0644);
    ck_assert_int_eq(run_map(path_of("t"), NULL), 1);
    ck_assert_msg(strstr(dstr_str(err), "t, line 2: expected format: key whitespace value"),
		  "%s", dstr_str(err));
    ck_assert_int_eq(stat(path_of("t.db"), &after), 0);
    ck_assert_int_eq(before.st_ino, after.st_ino);
    ck_assert_str_eq(lookup("hash", "t", "example.com"), "smtp:[192.0.2.1]:2525");
    ck_assert_str_eq(lookup("hash", "t", "new.example"), "");
    ck_assert_str_eq(dir_entries(), "t t.db ");
}
END_TEST

START_TEST(duplicate_key_warns_and_first_wins)
{
    write_source("t", "a first\nb x\nA second\n", 0644);
    ck_assert_int_eq(run_map(path_of("t"), NULL), 0);
    ck_assert_msg(strstr(dstr_str(err), "warning: ") != 0
		  && strstr(dstr_str(err), "t, line 3: duplicate entry: \"a\"") != 0,
		  "%s", dstr_str(err));
    ck_assert_str_eq(lookup("hash", "t", "a"), "first");
}
END_TEST

START_TEST(rebuild_replaces_the_file_for_open_readers)
{
    DSTR   *spec = dstr_new(100);
    DSTR   *why = dstr_new(100);
    DICT   *dict;

    write_source("t", "k old\n", 0644);
    ck_assert_int_eq(run_map(path_of("t"), NULL), 0);
    (void) dstr_sprintf(spec, "hash:%s", path_of("t"));
    ck_assert_ptr_nonnull(dict = dict_open(dstr_str(spec), why));
    ck_assert_ptr_null(dict_changed_name());
    write_source("t", "k new\n", 0644);
    ck_assert_int_eq(run_map(path_of("t"), NULL), 0);
    ck_assert_ptr_nonnull(dict_changed_name());
    ck_assert_str_eq(dict_get(dict, "k"), "old");	/* the reader keeps its file */
    ck_assert_str_eq(lookup("hash", "t", "k"), "new");
    dict_close(dict);
    dstr_free(spec);
    dstr_free(why);
}
END_TEST

/* mode_after - mode of t.db built from a source with the given mode */

static mode_t mode_after(mode_t source_mode)
{
    struct stat st;

    (void) unlink(path_of("t.db"));
    write_source("t", "k v\n", source_mode);
    ck_assert_int_eq(run_map(path_of("t"), NULL), 0);
    ck_assert_int_eq(stat(path_of("t.db"), &st), 0);
    return (st.st_mode & 07777);
}

START_TEST(table_takes_group_and_other_read_permission_of_source)
{
    ck_assert_int_eq(mode_after(0644), 0644);
    ck_assert_int_eq(mode_after(0640), 0640);
    ck_assert_int_eq(mode_after(0600), 0600);
    ck_assert_int_eq(mode_after(0666), 0644);	/* never writable by others */
    ck_assert_int_eq(mode_after(0604), 0604);
}
END_TEST

START_TEST(root_builds_as_the_source_owner)
{
    struct passwd *pw = getpwnam("nobody");
    struct stat st;

    if (geteuid() != 0 || pw == NULL)
	return;					/* needs root and a user to become */
    write_source("t", "k v\n", 0640);
    ck_assert_int_eq(chown(path_of("t"), pw->pw_uid, pw->pw_gid), 0);
    /* The owner may not write here: the build fails as it would for them. */
    ck_assert_int_eq(run_map(path_of("t"), NULL), 1);
    ck_assert_msg(strstr(dstr_str(err), "Permission denied") != 0, "%s", dstr_str(err));
    ck_assert_int_eq(chown(tmpdir, pw->pw_uid, pw->pw_gid), 0);
    ck_assert_int_eq(run_map(path_of("t"), NULL), 0);
    ck_assert_int_eq(stat(path_of("t.db"), &st), 0);
    ck_assert_int_eq(st.st_uid, pw->pw_uid);
    ck_assert_int_eq(st.st_gid, pw->pw_gid);
    ck_assert_int_eq(st.st_mode & 07777, 0640);
}
END_TEST

START_TEST(root_refuses_a_directory_others_can_write)
{
    struct stat st;

    if (geteuid() != 0)
	return;					/* the check is for root only */
    write_source("t", "k v\n", 0644);
    ck_assert_int_eq(chmod(tmpdir, 0777), 0);
    ck_assert_int_eq(run_map(path_of("t"), NULL), 1);
    ck_assert_msg(strstr(dstr_str(err), "writable by other users") != 0, "%s", dstr_str(err));
    ck_assert_int_ne(stat(path_of("t.db"), &st), 0);
    /* With the sticky bit nobody else may rename or remove our file. */
    ck_assert_int_eq(chmod(tmpdir, 01777), 0);
    ck_assert_int_eq(run_map(path_of("t"), NULL), 0);
    ck_assert_int_eq(chmod(tmpdir, 0755), 0);
    ck_assert_str_eq(lookup("hash", "t", "k"), "v");
}
END_TEST

START_TEST(root_owned_source_of_another_group_gives_the_table_that_group)
{
    struct passwd *pw = getpwnam("nobody");
    struct stat st;

    if (geteuid() != 0 || pw == NULL || pw->pw_gid == 0)
	return;					/* needs root and a group to take */
    /* root:group 0640, as a password table the mail group may read. */
    write_source("t", "k v\n", 0640);
    ck_assert_int_eq(chown(path_of("t"), 0, pw->pw_gid), 0);
    ck_assert_int_eq(run_map(path_of("t"), NULL), 0);
    ck_assert_int_eq(stat(path_of("t.db"), &st), 0);
    ck_assert_int_eq(st.st_uid, 0);
    ck_assert_int_eq(st.st_gid, pw->pw_gid);
    ck_assert_int_eq(st.st_mode & 07777, 0640);
}
END_TEST

START_TEST(unbuildable_types_and_missing_sources_fail)
{
    DSTR   *spec = dstr_new(100);

    write_source("net.cidr", "192.0.2.0/24 x\n", 0644);
    (void) dstr_sprintf(spec, "cidr:%s", path_of("net.cidr"));
    ck_assert_int_eq(run_map(dstr_str(spec), NULL), 1);
    ck_assert_msg(strstr(dstr_str(err), "cannot build tables of type \"cidr\""), "%s",
		  dstr_str(err));
    ck_assert_int_eq(run_map(path_of("none"), NULL), 1);
    ck_assert_msg(strstr(dstr_str(err), "none: No such file"), "%s", dstr_str(err));
    (void) dstr_sprintf(spec, "ldap:%s", path_of("net.cidr"));
    ck_assert_int_eq(run_map(dstr_str(spec), NULL), 1);
    ck_assert_int_eq(run_map(NULL), 2);	/* usage */
    dstr_free(spec);
}
END_TEST

START_TEST(several_sources_stop_at_the_first_failure)
{
    write_source("a", "k a\n", 0644);
    write_source("b", "bad\n", 0644);
    write_source("c", "k c\n", 0644);
    ck_assert_int_eq(run_map(path_of("a"), path_of("b"), NULL), 1);
    ck_assert_int_eq(run_map(path_of("c"), path_of("a"), NULL), 0);
    ck_assert_str_eq(lookup("hash", "c", "k"), "c");
    ck_assert_str_eq(dir_entries(), "a a.db b c c.db ");
}
END_TEST

/* posthorn_map_suite - every test above */

static Suite *posthorn_map_suite(void)
{
    Suite  *s = suite_create("posthorn_map");
    TCase  *tc = tcase_create("map");

    tcase_add_checked_fixture(tc, setup_tmpdir, teardown_tmpdir);
    tcase_add_test(tc, build_round_trip);
    tcase_add_test(tc, btree_build_and_explicit_hash);
    tcase_add_test(tc, query_prints_value_or_exits_1);
    tcase_add_test(tc, query_from_stdin_prints_key_tab_value);
    tcase_add_test(tc, query_searches_several_tables_and_cidr);
    tcase_add_test(tc, bad_line_keeps_the_old_table);
    tcase_add_test(tc, duplicate_key_warns_and_first_wins);
    tcase_add_test(tc, rebuild_replaces_the_file_for_open_readers);
    tcase_add_test(tc, table_takes_group_and_other_read_permission_of_source);
    tcase_add_test(tc, root_builds_as_the_source_owner);
    tcase_add_test(tc, root_refuses_a_directory_others_can_write);
    tcase_add_test(tc, root_owned_source_of_another_group_gives_the_table_that_group);
    tcase_add_test(tc, unbuildable_types_and_missing_sources_fail);
    tcase_add_test(tc, several_sources_stop_at_the_first_failure);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(posthorn_map_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
