/*
 * check_dict_db - unit tests for lookup tables: hash:, btree:, inline:,
 *	table lists, and the detection of rebuilt tables
 * DESCRIPTION
 *	Tables are written with the dict_db writer (as posthorn map does) or,
 *	for the NUL-less form Postfix's postmap -n makes, with Berkeley DB
 *	directly, into a private temporary directory, and read back through
 *	dict_open(). Change detection is exercised the ways a table really
 *	changes: a new file renamed over it, an edit in place, a removal.
 */
#include <check.h>
#include <db.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dict.h"
#include "dict_db.h"
#include "dstr.h"
#include "mymalloc.h"
#include "unit_tmpdir.h"

static char *tmpdir;

/* setup_tmpdir - a fresh directory for tables */

static void setup_tmpdir(void)
{
    tmpdir = unit_tmpdir_make("check_dict_db");
}

/* teardown_tmpdir - remove it */

static void teardown_tmpdir(void)
{
    tmpdir = unit_tmpdir_remove(tmpdir);
}

/* tmp_path - tmpdir/name (caller frees) */

static char *tmp_path(const char *name)
{
    DSTR   *path = dstr_new(100);

    (void) dstr_sprintf(path, "%s/%s", tmpdir, name);
    return (dstr_export(path));
}

/* build - write file with the key/value pairs (NULL-terminated, flat) */

static void build(const char *type, const char *file, const char *const *kv)
{
    DSTR   *err = dstr_new(100);
    DICT_DB_WRITER *w = dict_db_create(type, file, err);

    ck_assert_msg(w != 0, "create %s: %s", file, dstr_str(err));
    for (; kv[0]; kv += 2)
	ck_assert_int_eq(dict_db_put(w, kv[0], kv[1], err), 0);
    ck_assert_msg(dict_db_finish(w, err) == 0, "finish: %s", dstr_str(err));
    dstr_free(err);
}

/* open_table - dict_open("type:tmpdir/name"), which must work */

static DICT *open_table(const char *type, const char *name)
{
    DSTR   *spec = dstr_new(100);
    DSTR   *err = dstr_new(100);
    DICT   *dict;

    (void) dstr_sprintf(spec, "%s:%s/%s", type, tmpdir, name);
    dict = dict_open(dstr_str(spec), err);
    ck_assert_msg(dict != 0, "open %s: %s", dstr_str(spec), dstr_str(err));
    dstr_free(spec);
    dstr_free(err);
    return (dict);
}

static const char *const routes[] = {
    "example.com", "smtp:[192.0.2.1]:2525",
    ".example.com", "relay:",
    "user@example.org", "smtp:[192.0.2.2]",
    0,
};

/* hash_or_btree - the shared body of the round-trip tests */

static void hash_or_btree(const char *type)
{
    char   *file = tmp_path("transport.db");
    DICT   *dict;

    build(type, file, routes);
    dict = open_table(type, "transport");
    ck_assert_str_eq(dict_get(dict, "example.com"), "smtp:[192.0.2.1]:2525");
    ck_assert_str_eq(dict_get(dict, ".example.com"), "relay:");
    ck_assert_str_eq(dict_get(dict, "user@example.org"), "smtp:[192.0.2.2]");
    ck_assert_ptr_null(dict_get(dict, "example.org"));
    ck_assert_ptr_null(dict_get(dict, ""));
    ck_assert_int_eq(dict_flags(dict) & DICT_FLAG_ADDRESS, 0);
    dict_close(dict);
    free(file);
}

START_TEST(hash_table_round_trip)
{
    hash_or_btree("hash");
}
END_TEST

START_TEST(btree_table_round_trip)
{
    hash_or_btree("btree");
}
END_TEST

/* walk_collect - DICT_WALK_FN: one "key=value" line per entry; stops after "stop" */

static int walk_collect(const char *key, const char *value, void *ctx)
{
    DSTR   *out = ctx;

    dstr_printf(out, "%s=%s\n", key, value);
    return (strcmp(key, "stop") == 0 ? 7 : 0);
}

/* walk_text - the entries dict_walk hands out, in its order, one per line */

static char *walk_text(DICT *dict, int *ret)
{
    DSTR   *out = dstr_new(100);

    *ret = dict_walk(dict, walk_collect, out);
    return (dstr_export(out));
}

START_TEST(walk_lists_every_entry_of_hash_btree_and_inline)
{
    static const char *const types[] = {"hash", "btree", 0};
    const char *const *tp;
    DSTR   *err = dstr_new(100);
    char   *file = tmp_path("keys.db");
    DICT   *dict;
    char   *text;
    int     ret;

    for (tp = types; *tp; tp++) {
	build(*tp, file, routes);
	dict = open_table(*tp, "keys");
	text = walk_text(dict, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_ptr_nonnull(strstr(text, "example.com=smtp:[192.0.2.1]:2525\n"));
	ck_assert_ptr_nonnull(strstr(text, ".example.com=relay:\n"));
	ck_assert_ptr_nonnull(strstr(text, "user@example.org=smtp:[192.0.2.2]\n"));
	ck_assert_int_eq(strlen(text), strlen("example.com=smtp:[192.0.2.1]:2525\n"
					      ".example.com=relay:\nuser@example.org=smtp:[192.0.2.2]\n"));
	free(text);
	dict_close(dict);
	unlink(file);
    }
    dict = dict_open("inline:{ k1 = {a b}, K2 = c }", err);
    ck_assert_ptr_nonnull(dict);
    text = walk_text(dict, &ret);
    ck_assert_int_eq(ret, 0);
    ck_assert_ptr_nonnull(strstr(text, "k1=a b\n"));
    ck_assert_ptr_nonnull(strstr(text, "k2=c\n"));
    free(text);
    dict_close(dict);
    dstr_free(err);
    free(file);
}
END_TEST

START_TEST(walk_stops_when_told_and_some_types_cannot_walk)
{
    static const char *const stopper[] = {"a", "1", "stop", "2", "z", "3", 0};
    char   *file = tmp_path("s.db");
    DSTR   *err = dstr_new(100);
    DICT   *dict;
    char   *text;
    int     ret;

    build("btree", file, stopper);			/* btree: sorted, "z" after "stop" */
    dict = open_table("btree", "s");
    text = walk_text(dict, &ret);
    ck_assert_int_eq(ret, 7);
    ck_assert_str_eq(text, "a=1\nstop=2\n");
    free(text);
    dict_close(dict);
    dict = dict_open("static:x", err);
    ck_assert_ptr_nonnull(dict);
    text = walk_text(dict, &ret);
    ck_assert_int_eq(ret, -1);
    free(text);
    dict_close(dict);
    dstr_free(err);
    free(file);
}
END_TEST

START_TEST(lookup_folds_the_key)
{
    char   *file = tmp_path("t.db");
    DICT   *dict;

    build("hash", file, routes);
    dict = open_table("hash", "t");
    ck_assert_str_eq(dict_get(dict, "EXAMPLE.Com"), "smtp:[192.0.2.1]:2525");
    ck_assert_str_eq(dict_get(dict, "User@Example.ORG"), "smtp:[192.0.2.2]");
    dict_close(dict);
    free(file);
}
END_TEST

START_TEST(value_outlives_later_lookups)
{
    char   *file = tmp_path("t.db");
    DICT   *dict;
    const char *first;
    const char *again;

    build("hash", file, routes);
    dict = open_table("hash", "t");
    first = dict_get(dict, "example.com");
    ck_assert_str_eq(dict_get(dict, "user@example.org"), "smtp:[192.0.2.2]");
    ck_assert_ptr_null(dict_get(dict, "nothing.example"));
    ck_assert_str_eq(first, "smtp:[192.0.2.1]:2525");
    again = dict_get(dict, "example.com");
    ck_assert_ptr_eq(first, again);		/* one copy per distinct value */
    dict_close(dict);
    free(file);
}
END_TEST

START_TEST(duplicate_key_keeps_first_value)
{
    char   *file = tmp_path("t.db");
    DSTR   *err = dstr_new(100);
    DICT_DB_WRITER *w = dict_db_create("hash", file, err);
    DICT   *dict;

    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(dict_db_put(w, "a", "first", err), 0);
    ck_assert_int_eq(dict_db_put(w, "a", "second", err), DICT_DB_DUP);
    ck_assert_int_eq(dict_db_finish(w, err), 0);
    dict = open_table("hash", "t");
    ck_assert_str_eq(dict_get(dict, "a"), "first");
    dict_close(dict);
    dstr_free(err);
    free(file);
}
END_TEST

START_TEST(keys_stored_without_nul_are_found)
{
    /* Postfix's postmap -n stores neither key nor value with a NUL. */
    char   *file = tmp_path("n.db");
    DB     *db;
    DBT     k;
    DBT     v;
    DICT   *dict;

    ck_assert_int_eq(db_create(&db, NULL, 0), 0);
    ck_assert_int_eq(db->open(db, NULL, file, NULL, DB_HASH, DB_CREATE, 0644), 0);
    memset(&k, 0, sizeof(k));
    memset(&v, 0, sizeof(v));
    k.data = "bare.example";
    k.size = 12;
    v.data = "smtp:[192.0.2.9]";
    v.size = 16;
    ck_assert_int_eq(db->put(db, NULL, &k, &v, 0), 0);
    ck_assert_int_eq(db->close(db, 0), 0);
    dict = open_table("hash", "n");
    ck_assert_str_eq(dict_get(dict, "bare.example"), "smtp:[192.0.2.9]");
    ck_assert_ptr_null(dict_get(dict, "bare.exampl"));
    dict_close(dict);
    free(file);
}
END_TEST

START_TEST(missing_table_file_is_an_error_naming_it)
{
    DSTR   *err = dstr_new(100);
    DSTR   *spec = dstr_new(100);

    (void) dstr_sprintf(spec, "hash:%s/none", tmpdir);
    ck_assert_ptr_null(dict_open(dstr_str(spec), err));
    ck_assert_msg(strstr(dstr_str(err), "/none.db") != 0, "%s", dstr_str(err));
    ck_assert_msg(strstr(dstr_str(err), "No such file") != 0, "%s", dstr_str(err));
    dstr_free(err);
    dstr_free(spec);
}
END_TEST

START_TEST(btree_file_opened_as_hash_is_an_error)
{
    char   *file = tmp_path("t.db");
    DSTR   *err = dstr_new(100);
    DSTR   *spec = dstr_new(100);

    build("btree", file, routes);
    (void) dstr_sprintf(spec, "hash:%s/t", tmpdir);
    ck_assert_ptr_null(dict_open(dstr_str(spec), err));
    ck_assert_msg(strstr(dstr_str(err), "t.db") != 0, "%s", dstr_str(err));
    dstr_free(err);
    dstr_free(spec);
    free(file);
}
END_TEST

START_TEST(file_table_without_name_is_an_error)
{
    DSTR   *err = dstr_new(100);

    ck_assert_ptr_null(dict_open("hash:", err));
    ck_assert_msg(strstr(dstr_str(err), "file name missing") != 0, "%s", dstr_str(err));
    ck_assert_ptr_null(dict_open("cidr:", err));
    dstr_free(err);
}
END_TEST

START_TEST(unknown_type_is_an_error)
{
    DSTR   *err = dstr_new(100);

    ck_assert_ptr_null(dict_open("ldap:/etc/ldap.cf", err));
    ck_assert_msg(strstr(dstr_str(err), "unsupported lookup table type \"ldap\"") != 0,
		  "%s", dstr_str(err));
    ck_assert_ptr_null(dict_open("/etc/posthorn/transport", err));
    ck_assert_msg(strstr(dstr_str(err), "not a lookup table") != 0, "%s", dstr_str(err));
    ck_assert_int_eq(dict_type_known("hash:/x"), 1);
    ck_assert_int_eq(dict_type_known("btree:/x"), 1);
    ck_assert_int_eq(dict_type_known("cidr:/x"), 1);
    ck_assert_int_eq(dict_type_known("inline:{}"), 1);
    ck_assert_int_eq(dict_type_known("hashx:/x"), 0);
    ck_assert_int_eq(dict_type_known("2001:db8::1"), 0);
    dstr_free(err);
}
END_TEST

START_TEST(inline_table_lookups_and_errors)
{
    DSTR   *err = dstr_new(100);
    DICT   *dict = dict_open("inline:{ A.example = x, b = {y, z}, a.example = second }", err);

    ck_assert_msg(dict != 0, "%s", dstr_str(err));
    ck_assert_str_eq(dict_get(dict, "a.EXAMPLE"), "x");
    ck_assert_str_eq(dict_get(dict, "b"), "y, z");
    ck_assert_int_eq(dict_watch_count(), 0);
    dict_close(dict);
    ck_assert_ptr_null(dict_open("inline:{ a = b", err));
    ck_assert_ptr_null(dict_open("inline:{ novalue }", err));
    ck_assert_msg(strstr(dstr_str(err), "inline:{ novalue }") != 0, "%s", dstr_str(err));
    dstr_free(err);
}
END_TEST

START_TEST(inline_table_takes_postfix_braced_entries)
{
    /* Postfix's long form: the whole entry in { }, for values with blanks or commas. */
    DSTR   *err = dstr_new(100);
    DICT   *dict = dict_open("inline:{ { a = text with, comma }, b=plain,"
			     "{ c = {nested} value } , {d=} }", err);

    ck_assert_msg(dict != 0, "%s", dstr_str(err));
    ck_assert_str_eq(dict_get(dict, "A"), "text with, comma");
    ck_assert_str_eq(dict_get(dict, "b"), "plain");
    ck_assert_str_eq(dict_get(dict, "c"), "{nested} value");
    ck_assert_str_eq(dict_get(dict, "d"), "");
    dict_close(dict);
    ck_assert_ptr_null(dict_open("inline:{ { no equals sign } }", err));
    ck_assert_ptr_null(dict_open("inline:{ { = value } }", err));
    ck_assert_ptr_null(dict_open("inline:{ { a = b } c }", err));
    dstr_free(err);
}
END_TEST

START_TEST(list_searches_tables_in_order)
{
    char   *file = tmp_path("t.db");
    DSTR   *err = dstr_new(100);
    DSTR   *specs = dstr_new(100);
    DICT_LIST *list;

    build("hash", file, routes);
    (void) dstr_sprintf(specs, "inline:{ example.com = first, x = y },hash:%s/t", tmpdir);
    list = dict_list_open(dstr_str(specs), err);
    ck_assert_msg(list != 0, "%s", dstr_str(err));
    ck_assert_str_eq(dict_list_get(list, "example.com"), "first");
    ck_assert_str_eq(dict_list_get(list, "user@example.org"), "smtp:[192.0.2.2]");
    ck_assert_ptr_null(dict_list_get(list, "none"));
    dict_list_close(list);
    (void) dstr_sprintf(specs, "inline:{a=b} hash:%s/missing", tmpdir);
    ck_assert_ptr_null(dict_list_open(dstr_str(specs), err));
    dstr_free(err);
    dstr_free(specs);
    free(file);
}
END_TEST

/* replace - build a new table in a temporary file and rename it over file */

static void replace(const char *file, const char *const *kv)
{
    DSTR   *tmp = dstr_new(100);

    (void) dstr_sprintf(tmp, "%s.new", file);
    build("hash", dstr_str(tmp), kv);
    ck_assert_int_eq(rename(dstr_str(tmp), file), 0);
    dstr_free(tmp);
}

START_TEST(unchanged_table_is_not_reported)
{
    char   *file = tmp_path("t.db");
    DICT   *dict;

    build("hash", file, routes);
    dict = open_table("hash", "t");
    ck_assert_int_eq(dict_watch_count(), 1);
    (void) dict_get(dict, "example.com");
    ck_assert_ptr_null(dict_changed_name());
    dict_close(dict);
    ck_assert_int_eq(dict_watch_count(), 0);
    free(file);
}
END_TEST

START_TEST(table_renamed_over_is_reported_and_old_one_still_reads)
{
    static const char *const other[] = {"example.com", "smtp:[192.0.2.99]", 0};
    char   *file = tmp_path("t.db");
    DSTR   *want = dstr_new(100);
    DICT   *dict;
    DICT   *fresh;

    build("hash", file, routes);
    dict = open_table("hash", "t");
    replace(file, other);
    (void) dstr_sprintf(want, "hash:%s/t", tmpdir);
    ck_assert_ptr_nonnull(dict_changed_name());
    ck_assert_str_eq(dict_changed_name(), dstr_str(want));
    /* The open table is the old file, whole, until the process restarts. */
    ck_assert_str_eq(dict_get(dict, "example.com"), "smtp:[192.0.2.1]:2525");
    ck_assert_str_eq(dict_get(dict, "user@example.org"), "smtp:[192.0.2.2]");
    fresh = open_table("hash", "t");
    ck_assert_str_eq(dict_get(fresh, "example.com"), "smtp:[192.0.2.99]");
    dict_close(dict);
    ck_assert_ptr_null(dict_changed_name());	/* the new one is current */
    dict_close(fresh);
    dstr_free(want);
    free(file);
}
END_TEST

START_TEST(table_changed_in_place_is_reported)
{
    char   *file = tmp_path("t.db");
    struct timespec times[2];
    DICT   *dict;

    build("hash", file, routes);
    dict = open_table("hash", "t");
    /* An update in place (as Postfix's postmap does) shows a new mtime. */
    times[0].tv_sec = 0;
    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_sec = time(NULL) + 10;
    times[1].tv_nsec = 0;
    ck_assert_int_eq(utimensat(AT_FDCWD, file, times, 0), 0);
    ck_assert_ptr_nonnull(dict_changed_name());
    dict_close(dict);
    free(file);
}
END_TEST

START_TEST(removed_table_is_reported)
{
    char   *file = tmp_path("t.db");
    DICT   *dict;

    build("hash", file, routes);
    dict = open_table("hash", "t");
    ck_assert_int_eq(unlink(file), 0);
    ck_assert_ptr_nonnull(dict_changed_name());
    dict_close(dict);
    free(file);
}
END_TEST

START_TEST(any_of_several_tables_is_reported)
{
    static const char *const other[] = {"k", "v", 0};
    char   *one = tmp_path("one.db");
    char   *two = tmp_path("two.db");
    DSTR   *want = dstr_new(100);
    DICT   *d1;
    DICT   *d2;

    build("hash", one, routes);
    build("btree", two, routes);
    d1 = open_table("hash", "one");
    d2 = open_table("btree", "two");
    ck_assert_int_eq(dict_watch_count(), 2);
    ck_assert_ptr_null(dict_changed_name());
    replace(one, other);
    (void) dstr_sprintf(want, "hash:%s/one", tmpdir);
    ck_assert_str_eq(dict_changed_name(), dstr_str(want));
    dict_close(d1);
    dict_close(d2);
    dstr_free(want);
    free(one);
    free(two);
}
END_TEST

/*
 * Postfix's postmap rebuilds a table in place (truncate, write) under an
 * exclusive flock() of the .db file; its readers hold a shared one while
 * they open the table and during each lookup. Ours must too, or a daemon
 * reads half a table while postmap runs.
 */

/* in_child_while_locked - run fn in a child while file is locked as postmap locks it */

static void in_child_while_locked(const char *file, int (*fn) (void))
{
    int     fd;
    pid_t   pid;
    int     status;

    ck_assert_int_ge(fd = open(file, O_RDWR), 0);
    ck_assert_int_eq(flock(fd, LOCK_EX), 0);
    ck_assert_int_ge(pid = fork(), 0);
    if (pid == 0) {
	alarm(10);
	_exit(fn());
    }
    usleep(300 * 1000);
    ck_assert_msg(waitpid(pid, &status, WNOHANG) == 0,
		  "the reader did not wait for the writer's lock");
    ck_assert_int_eq(flock(fd, LOCK_UN), 0);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", status);
    (void) close(fd);
}

static DICT *locked_dict;

/* lookup_ok - the child's lookup */

static int lookup_ok(void)
{
    const char *val = dict_get(locked_dict, "example.com");

    return (val == 0 || strcmp(val, "smtp:[192.0.2.1]:2525") != 0);
}

/* open_ok - the child's open */

static int open_ok(void)
{
    return (open_table("hash", "t") == 0);
}

START_TEST(lookup_waits_for_a_postmap_lock)
{
    char   *file = tmp_path("t.db");

    build("hash", file, routes);
    locked_dict = open_table("hash", "t");
    in_child_while_locked(file, lookup_ok);
    ck_assert_str_eq(dict_get(locked_dict, "example.com"), "smtp:[192.0.2.1]:2525");
    dict_close(locked_dict);
    free(file);
}
END_TEST

START_TEST(open_waits_for_a_postmap_lock)
{
    char   *file = tmp_path("t.db");

    build("hash", file, routes);
    in_child_while_locked(file, open_ok);
    free(file);
}
END_TEST

/* dict_db_suite - every test above */

static Suite *dict_db_suite(void)
{
    Suite  *s = suite_create("dict_db");
    TCase  *tc = tcase_create("tables");
    TCase  *tw = tcase_create("changes");

    tcase_add_checked_fixture(tc, setup_tmpdir, teardown_tmpdir);
    tcase_add_test(tc, hash_table_round_trip);
    tcase_add_test(tc, walk_lists_every_entry_of_hash_btree_and_inline);
    tcase_add_test(tc, walk_stops_when_told_and_some_types_cannot_walk);
    tcase_add_test(tc, btree_table_round_trip);
    tcase_add_test(tc, lookup_folds_the_key);
    tcase_add_test(tc, value_outlives_later_lookups);
    tcase_add_test(tc, duplicate_key_keeps_first_value);
    tcase_add_test(tc, keys_stored_without_nul_are_found);
    tcase_add_test(tc, missing_table_file_is_an_error_naming_it);
    tcase_add_test(tc, btree_file_opened_as_hash_is_an_error);
    tcase_add_test(tc, file_table_without_name_is_an_error);
    tcase_add_test(tc, unknown_type_is_an_error);
    tcase_add_test(tc, inline_table_lookups_and_errors);
    tcase_add_test(tc, inline_table_takes_postfix_braced_entries);
    tcase_add_test(tc, list_searches_tables_in_order);
    tcase_add_test(tc, lookup_waits_for_a_postmap_lock);
    tcase_add_test(tc, open_waits_for_a_postmap_lock);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(tw, setup_tmpdir, teardown_tmpdir);
    tcase_add_test(tw, unchanged_table_is_not_reported);
    tcase_add_test(tw, table_renamed_over_is_reported_and_old_one_still_reads);
    tcase_add_test(tw, table_changed_in_place_is_reported);
    tcase_add_test(tw, removed_table_is_reported);
    tcase_add_test(tw, any_of_several_tables_is_reported);
    suite_add_tcase(s, tw);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(dict_db_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
