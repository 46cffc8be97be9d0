/*
 * posthorn_map - build and query lookup tables, as postmap(1) does
 * DESCRIPTION
 *	posthorn map [TYPE:]FILE ... builds FILE.db (TYPE hash, the default,
 *	or btree) from the "key value" lines of FILE (dict_src.c). The new
 *	table is written to a temporary file in the same directory, synced,
 *	and renamed over the old one, so a daemon opens either the old table
 *	or the new one, never half of one; daemons holding the old one see
 *	its link count drop to zero and restart after their current request.
 *	A malformed line leaves the old table in place. Termination signals
 *	are held back while the table is built, so an interrupted build
 *	removes its temporary file.
 *
 *	As postmap: when run by root on a source file owned by another user
 *	or group, the table is built with that user's and group's privileges
 *	(so it is theirs and is written only where they may write); the
 *	table gets the source's group and other read permissions, never
 *	write permission for them.
 *
 *	posthorn map -q KEY TABLE ... prints the first value found for KEY
 *	(exit status 1 when there is none); -q - reads keys from standard
 *	input and prints "key<TAB>value" for each one found. Any table type works
 *	here, cidr: and inline: too.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "posthorn.h"
#include "dict.h"
#include "dict_db.h"
#include "dict_src.h"
#include "fsutil.h"
#include "ios.h"
#include "msg.h"
#include "mymalloc.h"

#define POSTHORN_MAP_DEFAULT_TYPE "hash"	/* Postfix's default_database_type */

/* posthorn_map_usage - complain */

static int posthorn_map_usage(void)
{
    msg_warn("usage: posthorn map [TYPE:]FILE ... | posthorn map -q KEY|- [TYPE:]FILE ...");
    return (2);
}

/* posthorn_map_spec - "type:name", with the default type when none is given */

static void posthorn_map_spec(const char *arg, DSTR *spec)
{
    /* An unknown "type:" is reported by dict_open() or the builder. */
    if (dict_type_known(arg) || strchr(arg, ':') != NULL)
	dstr_strcpy(spec, arg);
    else
	dstr_sprintf(spec, "%s:%s", POSTHORN_MAP_DEFAULT_TYPE, arg);
}

/* POSTHORN_MAP_TABLES - the tables named on the command line, in order */
typedef struct POSTHORN_MAP_TABLES {
    DICT  **dicts;
    int     count;
} POSTHORN_MAP_TABLES;

/* posthorn_map_open - open every table or exit */

static void posthorn_map_open(POSTHORN_MAP_TABLES *tables, int argc, char **argv)
{
    DSTR   *spec = dstr_new(64);
    DSTR   *err = dstr_new(128);
    int     i;

    tables->dicts = mymalloc((size_t) argc * sizeof(DICT *));
    tables->count = argc;
    for (i = 0; i < argc; i++) {
	posthorn_map_spec(argv[i], spec);
	if ((tables->dicts[i] = dict_open(dstr_str(spec), err)) == NULL)
	    msg_fatal("%s", dstr_str(err));
    }
    dstr_free(spec);
    dstr_free(err);
}

/* posthorn_map_get - first value found */

static const char *posthorn_map_get(POSTHORN_MAP_TABLES *tables, const char *key)
{
    const char *val;
    int     i;

    for (i = 0; i < tables->count; i++)
	if ((val = dict_get(tables->dicts[i], key)) != NULL)
	    return (val);
    return (NULL);
}

/* posthorn_map_close - release */

static void posthorn_map_close(POSTHORN_MAP_TABLES *tables)
{
    int     i;

    for (i = 0; i < tables->count; i++)
	dict_close(tables->dicts[i]);
    free(tables->dicts);
}

/* posthorn_map_query - -q KEY */

static int posthorn_map_query(const char *key, int argc, char **argv)
{
    POSTHORN_MAP_TABLES tables;
    const char *val;
    int     ret = 1;

    posthorn_map_open(&tables, argc, argv);
    if ((val = posthorn_map_get(&tables, key)) != NULL) {
	printf("%s\n", val);
	ret = 0;
    }
    posthorn_map_close(&tables);
    return (fflush(stdout) == 0 ? ret : 1);
}

/* posthorn_map_query_stdin - -q -: one key per line */

static int posthorn_map_query_stdin(int argc, char **argv)
{
    POSTHORN_MAP_TABLES tables;
    IOS    *in = ios_open(STDIN_FILENO);
    DSTR   *key = dstr_new(128);
    const char *val;
    int     status;
    int     ret = 1;

    posthorn_map_open(&tables, argc, argv);
    while ((status = ios_get_line(in, key, DICT_SRC_KEY_MAX, 1)) != IOS_EOF) {
	if (status == IOS_LINE_PART)
	    msg_fatal("standard input: key longer than %d bytes", DICT_SRC_KEY_MAX);
	if ((val = posthorn_map_get(&tables, dstr_str(key))) != NULL) {
	    printf("%s\t%s\n", dstr_str(key), val);	/* postmap's separator */
	    ret = 0;
	}
    }
    if (in->flags & IOS_FLAG_ERR)
	msg_fatal("read standard input: %m");
    ios_free(in);
    dstr_free(key);
    posthorn_map_close(&tables);
    return (fflush(stdout) == 0 ? ret : 1);
}

/* posthorn_map_become_owner - build as the source file's owner and group (postmap's rule) */

static void posthorn_map_become_owner(const struct stat *st)
{
    gid_t   gid = st->st_gid;

    /* The group counts too: a root:mail source makes a root:mail table. */
    if (geteuid() != 0 || (st->st_uid == 0 && st->st_gid == getegid()))
	return;
    if (setgroups(1, &gid) < 0 || setegid(st->st_gid) < 0 || seteuid(st->st_uid) < 0)
	msg_fatal("become the owner of the source file (uid %ld, gid %ld): %m",
		  (long) st->st_uid, (long) st->st_gid);
}

/* posthorn_map_fill - every entry of the source into the new table; 0 or -1 */

static int posthorn_map_fill(DICT_DB_WRITER *w, int fd, const char *path, DSTR *err)
{
    IOS    *ios = ios_open(fd);
    DICT_SRC *src = dict_src_open(ios, path);
    DSTR   *key = dstr_new(64);
    DSTR   *val = dstr_new(64);
    long    lineno;
    int     status;

    while ((status = dict_src_next(src, key, val, &lineno, err)) > 0) {
	if ((status = dict_db_put(w, dstr_str(key), dstr_str(val), err)) < 0)
	    break;
	if (status == DICT_DB_DUP)
	    msg_warn("%s, line %ld: duplicate entry: \"%s\"", path, lineno, dstr_str(key));
    }
    dict_src_free(src);
    ios_free(ios);
    dstr_free(key);
    dstr_free(val);
    return (status < 0 ? -1 : 0);
}

/*
 * posthorn_map_dir_safe - may this process build in dir? Berkeley DB
 * reopens the temporary file by name, so root must not build where
 * another user could swap that name for a symbolic link: a directory
 * owned by someone else, or writable by others without the sticky bit.
 */

static int posthorn_map_dir_safe(const char *dir, DSTR *err)
{
    struct stat st;

    if (geteuid() != 0)
	return (1);
    if (stat(dir, &st) < 0) {
	dstr_sprintf(err, "%s: %m", dir);
	return (0);
    }
    if (st.st_uid != 0
	|| ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
	dstr_sprintf(err, "refusing to build a table as root in %s: the directory"
		     " is writable by other users", dir);
	return (0);
    }
    return (1);
}

/* posthorn_map_write - temporary table from the source, synced, then renamed; 0 or -1 */

static int posthorn_map_write(const char *type, const char *path, int src_fd,
			              mode_t mode, DSTR *err)
{
    DSTR   *tmp = dstr_new(128);
    DSTR   *final = dstr_new(128);
    DSTR   *dir = dstr_new(128);
    DICT_DB_WRITER *w = NULL;
    int     fd;
    int     ret = -1;

    dstr_sprintf(final, "%s%s", path, DICT_DB_SUFFIX);
    fs_dirname(path, dir);
    if (!posthorn_map_dir_safe(dstr_str(dir), err))
	goto out;
    if ((fd = fs_temp_open(dstr_str(final), tmp)) < 0) {
	dstr_sprintf(err, "create a temporary file for %s: %m", dstr_str(final));
	goto out;
    }
    if ((w = dict_db_create(type, dstr_str(tmp), err)) == NULL
	|| posthorn_map_fill(w, src_fd, path, err) < 0)
	goto fail;
    ret = dict_db_finish(w, err);
    w = NULL;
    if (ret < 0)
	goto fail;
    ret = -1;
    if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
	dstr_sprintf(err, "write %s: %m", dstr_str(tmp));
	goto fail;
    }
    if (rename(dstr_str(tmp), dstr_str(final)) < 0) {
	dstr_sprintf(err, "rename %s to %s: %m", dstr_str(tmp), dstr_str(final));
	goto fail;
    }
    if (fs_sync_dir(dstr_str(dir)) < 0)
	msg_warn("sync directory %s: %m", dstr_str(dir));	/* the table is in place */
    ret = 0;
    goto done;
fail:
    if (w != NULL)
	dict_db_abort(w);
    (void) unlink(dstr_str(tmp));
done:
    (void) close(fd);
out:
    dstr_free(tmp);
    dstr_free(final);
    dstr_free(dir);
    return (ret);
}

/* posthorn_map_build - one table */

static int posthorn_map_build(const char *arg)
{
    DSTR   *spec = dstr_new(128);
    DSTR   *err = dstr_new(128);
    const char *colon;
    const char *path;
    struct stat st;
    sigset_t block;
    sigset_t saved;
    int     fd;
    int     ret;

    posthorn_map_spec(arg, spec);
    colon = strchr(dstr_str(spec), ':');
    dstr_data(spec)[colon - dstr_str(spec)] = 0;
    path = colon + 1;
    if (!dict_db_type_ok(dstr_str(spec)))
	msg_fatal("%s: cannot build tables of type \"%s\" (hash and btree only;"
		  " cidr: tables are read from their source)", arg, dstr_str(spec));
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
	msg_fatal("open %s: %m", path);
    if (fstat(fd, &st) < 0)
	msg_fatal("fstat %s: %m", path);
    if (!S_ISREG(st.st_mode))
	msg_fatal("%s: not a regular file", path);
    posthorn_map_become_owner(&st);
    sigemptyset(&block);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGQUIT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &saved);
    ret = posthorn_map_write(dstr_str(spec), path, fd, 0600 | (st.st_mode & 0044), err);
    sigprocmask(SIG_SETMASK, &saved, NULL);
    (void) close(fd);
    if (ret < 0)
	msg_fatal("%s", dstr_str(err));
    dstr_free(spec);
    dstr_free(err);
    return (0);
}

/* posthorn_map - the command */

int     posthorn_map(int argc, char **argv)
{
    const char *query = NULL;
    pid_t   pid;
    int     status;
    int     ch;
    int     i;

    while ((ch = getopt(argc, argv, "q:")) != -1) {
	switch (ch) {
	case 'q':
	    query = optarg;
	    break;
	default:
	    return (posthorn_map_usage());
	}
    }
    if (optind >= argc)
	return (posthorn_map_usage());
    if (query != NULL && strcmp(query, "-") == 0)
	return (posthorn_map_query_stdin(argc - optind, argv + optind));
    if (query != NULL)
	return (posthorn_map_query(query, argc - optind, argv + optind));
    /* One process per table: each may take its source file owner's identity. */
    for (i = optind; i < argc; i++) {
	fflush(stdout);
	if ((pid = fork()) < 0)
	    msg_fatal("fork: %m");
	if (pid == 0)
	    _exit(posthorn_map_build(argv[i]));
	if (waitpid(pid, &status, 0) < 0)
	    msg_fatal("waitpid: %m");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
	    return (1);
    }
    return (0);
}
