/*
 * dict_db - hash: and btree: tables in Berkeley DB files
 * DESCRIPTION
 *	"hash:/path/name" and "btree:/path/name" are the Berkeley DB file
 *	/path/name.db, as in Postfix, made from /path/name by posthorn map.
 *	Keys and values are stored with their terminating NUL, as Postfix
 *	does on this platform; a lookup also tries the key without it, so
 *	tables made by Postfix's postmap, with or without -N, read the same.
 *	Keys are stored in lower case and looked up folded.
 *
 *	A reader opens the file read-only. posthorn map never changes a file
 *	in place but renames a complete new file over the old one, so a
 *	reader sees either; it keeps reading the old file until it restarts
 *	(dict_changed_name() in dict.c). Postfix's postmap, though, rebuilds
 *	a table in place under an exclusive flock() of the .db file, so a
 *	reader holds a shared one while it opens the table and during each
 *	lookup, as Postfix's readers do, and never sees half a table.
 *
 *	Berkeley DB hands out values in its own buffers, which the next call
 *	reuses. Each distinct value is therefore copied once into a table of
 *	values, so a returned value lives as long as the table, as every
 *	dict value does; the copies are bounded by the table's contents.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <db.h>

#include "dict_db.h"
#include "argv.h"
#include "dict_int.h"
#include "htable.h"
#include "msg.h"
#include "mymalloc.h"

#define DICT_DB_READ_CACHE	(128 * 1024)	/* Postfix's berkeley_db_read_buffer_size */
#define DICT_DB_CREATE_CACHE	(16 * 1024 * 1024)	/* ... and _create_buffer_size */

typedef struct DICT_DB {
    DICT    dict;
    DB     *db;
    HTABLE *values;			/* every value handed out */
    DSTR   *buf;
} DICT_DB;

struct DICT_DB_WRITER {
    DB     *db;
};

/* Berkeley DB explains failures through a callback; keep the last text. */
static DSTR *dict_db_why;

/* dict_db_errcall - Berkeley DB's error text */

static void dict_db_errcall(const DB_ENV *env, const char *prefix, const char *text)
{
    (void) env;
    (void) prefix;
    if (dict_db_why == NULL)
	dict_db_why = dstr_new(100);
    dstr_strcpy(dict_db_why, text);
}

/* dict_db_error - "what path: reason", with Berkeley DB's own words if it had any */

static void dict_db_error(DSTR *err, const char *what, const char *path, int ret)
{
    dstr_sprintf(err, "%s %s: %s", what, path, ret > 0 ? strerror(ret) : db_strerror(ret));
    if (dict_db_why != NULL && dstr_len(dict_db_why) > 0)
	dstr_printf(err, " (%s)", dstr_str(dict_db_why));
}

/* dict_db_handle - a new handle of the type, or -1 */

static int dict_db_handle(const char *type, DB **dbp, DBTYPE *dbtype, u_int32_t cache)
{
    int     ret;

    *dbtype = strcmp(type, "btree") == 0 ? DB_BTREE : DB_HASH;
    if ((ret = db_create(dbp, NULL, 0)) != 0)
	return (ret);
    (*dbp)->set_errcall(*dbp, dict_db_errcall);
    if ((ret = (*dbp)->set_cachesize(*dbp, 0, cache, 0)) != 0) {
	(void) (*dbp)->close(*dbp, 0);
	return (ret);
    }
    if (dict_db_why)
	DSTR_RESET(dict_db_why);
    return (0);
}

/* dict_db_lock - flock() that waits through signals; 0 or -1 */

static int dict_db_lock(int fd, int op)
{
    int     ret;

    while ((ret = flock(fd, op)) < 0 && errno == EINTR)
	 /* void */ ;
    return (ret);
}

/* dict_db_lookup - key is folded already */

static const char *dict_db_lookup(DICT *dict, const char *key)
{
    DICT_DB *dd = (DICT_DB *) dict;
    DBT     k;
    DBT     v;
    size_t  len = strlen(key);
    char   *val;
    int     ret;

    if (len == 0)
	return (NULL);
    memset(&k, 0, sizeof(k));
    memset(&v, 0, sizeof(v));
    k.data = (void *) key;
    k.size = (u_int32_t) len + 1;		/* with the NUL first, as we store it */
    if (dict_db_lock(dict->watch_fd, LOCK_SH) < 0)
	msg_fatal("table %s: lock: %m", dict->spec);
    if ((ret = dd->db->get(dd->db, NULL, &k, &v, 0)) == DB_NOTFOUND) {
	k.size = (u_int32_t) len;
	ret = dd->db->get(dd->db, NULL, &k, &v, 0);
    }
    if (ret == 0) {				/* copy before the lock goes */
	if (v.size > 0 && ((char *) v.data)[v.size - 1] == 0)
	    v.size--;
	dstr_memcpy(dd->buf, v.data, v.size);
    }
    if (dict_db_lock(dict->watch_fd, LOCK_UN) < 0)
	msg_fatal("table %s: unlock: %m", dict->spec);
    if (ret == DB_NOTFOUND)
	return (NULL);
    if (ret != 0)
	msg_fatal("table %s: lookup of \"%s\": %s", dict->spec, key, db_strerror(ret));
    if ((val = htable_find(dd->values, dstr_str(dd->buf))) == NULL) {
	val = mystrdup(dstr_str(dd->buf));
	htable_enter(dd->values, val, val);
    }
    return (val);
}

/* dict_db_walk_len - a stored key or value without the NUL dict_db_put adds */

static size_t dict_db_walk_len(const DBT *d)
{
    return (d->size > 0 && ((char *) d->data)[d->size - 1] == 0 ? d->size - 1 : d->size);
}

/* dict_db_walk - every entry: copied under the lock, handed out after it */

static int dict_db_walk(DICT *dict, DICT_WALK_FN fn, void *ctx)
{
    DICT_DB *dd = (DICT_DB *) dict;
    ARGV   *pairs = argv_new(16);
    DBC    *cur;
    DBT     k;
    DBT     v;
    size_t  i;
    int     ret;

    if (dict_db_lock(dict->watch_fd, LOCK_SH) < 0)
	msg_fatal("table %s: lock: %m", dict->spec);
    if ((ret = dd->db->cursor(dd->db, NULL, &cur, 0)) != 0)
	msg_fatal("table %s: cursor: %s", dict->spec, db_strerror(ret));
    memset(&k, 0, sizeof(k));
    memset(&v, 0, sizeof(v));
    while ((ret = cur->c_get(cur, &k, &v, DB_NEXT)) == 0) {
	argv_addn(pairs, k.data, dict_db_walk_len(&k));
	argv_addn(pairs, v.data, dict_db_walk_len(&v));
    }
    if (ret != DB_NOTFOUND)
	msg_fatal("table %s: reading: %s", dict->spec, db_strerror(ret));
    (void) cur->c_close(cur);
    if (dict_db_lock(dict->watch_fd, LOCK_UN) < 0)
	msg_fatal("table %s: unlock: %m", dict->spec);
    /* fn may look this table up: that takes and drops the lock itself. */
    for (ret = 0, i = 0; ret == 0 && i + 1 < pairs->argc; i += 2)
	ret = fn(pairs->argv[i], pairs->argv[i + 1], ctx);
    argv_free(pairs);
    return (ret);
}

/* dict_db_close - release */

static void dict_db_close(DICT *dict)
{
    DICT_DB *dd = (DICT_DB *) dict;

    (void) dd->db->close(dd->db, 0);
    htable_free(dd->values, free);
    dstr_free(dd->buf);
    free(dd);
}

/* dict_db_open - name.db, read-only */

DICT   *dict_db_open(const char *type, const char *name, DSTR *err)
{
    DICT_DB *dd;
    DSTR   *path = dstr_new(strlen(name) + 4);
    DB     *db;
    DBTYPE  dbtype;
    int     lock_fd;
    int     fd;
    int     ret;

    dstr_sprintf(path, "%s%s", name, DICT_DB_SUFFIX);
    /* Not while postmap rewrites the file (see above). */
    if ((lock_fd = open(dstr_str(path), O_RDONLY | O_CLOEXEC)) < 0
	|| dict_db_lock(lock_fd, LOCK_SH) < 0) {
	dstr_sprintf(err, "open database %s: %m", dstr_str(path));
	if (lock_fd >= 0)
	    (void) close(lock_fd);
	dstr_free(path);
	return (NULL);
    }
    if ((ret = dict_db_handle(type, &db, &dbtype, DICT_DB_READ_CACHE)) != 0) {
	dict_db_error(err, "open database", dstr_str(path), ret);
	db = NULL;
    } else if ((ret = db->open(db, NULL, dstr_str(path), NULL, dbtype, DB_RDONLY, 0)) != 0
	       || (ret = db->fd(db, &fd)) != 0) {
	dict_db_error(err, "open database", dstr_str(path), ret);
	(void) db->close(db, 0);
	db = NULL;
    }
    (void) close(lock_fd);			/* and with it the lock */
    dstr_free(path);
    if (db == NULL)
	return (NULL);
    dd = mycalloc(1, sizeof(*dd));
    dd->dict.lookup = dict_db_lookup;
    dd->dict.walk = dict_db_walk;
    dd->dict.close = dict_db_close;
    dd->dict.watch_fd = fd;			/* Berkeley DB's own descriptor */
    dd->db = db;
    dd->values = htable_new(16);
    dd->buf = dstr_new(64);
    return (&dd->dict);
}

/* dict_db_type_ok - a type we write */

int     dict_db_type_ok(const char *type)
{
    return (strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0);
}

/* dict_db_create - a new table file */

DICT_DB_WRITER *dict_db_create(const char *type, const char *path, DSTR *err)
{
    DICT_DB_WRITER *w;
    DB     *db;
    DBTYPE  dbtype;
    int     ret;

    if ((ret = dict_db_handle(type, &db, &dbtype, DICT_DB_CREATE_CACHE)) != 0) {
	dict_db_error(err, "create database", path, ret);
	return (NULL);
    }
    if ((ret = db->open(db, NULL, path, NULL, dbtype, DB_CREATE, 0600)) != 0) {
	dict_db_error(err, "create database", path, ret);
	(void) db->close(db, 0);
	return (NULL);
    }
    w = mymalloc(sizeof(*w));
    w->db = db;
    return (w);
}

/* dict_db_put - one entry */

int     dict_db_put(DICT_DB_WRITER *w, const char *key, const char *value, DSTR *err)
{
    DBT     k;
    DBT     v;
    int     ret;

    memset(&k, 0, sizeof(k));
    memset(&v, 0, sizeof(v));
    k.data = (void *) key;
    k.size = (u_int32_t) strlen(key) + 1;
    v.data = (void *) value;
    v.size = (u_int32_t) strlen(value) + 1;
    if ((ret = w->db->put(w->db, NULL, &k, &v, DB_NOOVERWRITE)) == DB_KEYEXIST)
	return (DICT_DB_DUP);
    if (ret != 0) {
	dstr_sprintf(err, "write database: %s", ret > 0 ? strerror(ret) : db_strerror(ret));
	return (-1);
    }
    return (0);
}

/* dict_db_finish - flush and close */

int     dict_db_finish(DICT_DB_WRITER *w, DSTR *err)
{
    int     ret;

    if ((ret = w->db->sync(w->db, 0)) != 0) {
	dstr_sprintf(err, "write database: %s", ret > 0 ? strerror(ret) : db_strerror(ret));
	(void) w->db->close(w->db, 0);
	free(w);
	return (-1);
    }
    ret = w->db->close(w->db, 0);
    free(w);
    if (ret != 0) {
	dstr_sprintf(err, "close database: %s", ret > 0 ? strerror(ret) : db_strerror(ret));
	return (-1);
    }
    return (0);
}

/* dict_db_abort - give up */

void    dict_db_abort(DICT_DB_WRITER *w)
{
    (void) w->db->close(w->db, DB_NOSYNC);
    free(w);
}
