/* dict_db - writing Berkeley DB hash: and btree: table files (reading goes through dict_open) */
#ifndef DICT_DB_H
#define DICT_DB_H
#include "dstr.h"

#define DICT_DB_SUFFIX	".db"		/* hash:/path is the file /path.db */
#define DICT_DB_DUP	1		/* dict_db_put(): the key was there already */

typedef struct DICT_DB_WRITER DICT_DB_WRITER;

/* Is type one that dict_db_create() makes ("hash", "btree")? */
extern int dict_db_type_ok(const char *type);
/*
 * Make a new table of type in path, an empty file (as mkstemp() leaves
 * it) or one that does not exist yet. NULL and err on failure.
 */
extern DICT_DB_WRITER *dict_db_create(const char *type, const char *path, DSTR *err);
/*
 * Add key and value, each stored with its terminating NUL as Postfix
 * stores them. 0; DICT_DB_DUP when the key exists (the first value stays);
 * -1 with err on a write error.
 */
extern int dict_db_put(DICT_DB_WRITER *w, const char *key, const char *value, DSTR *err);
/* Write everything out and close; 0, or -1 with err. The caller fsyncs the file. */
extern int dict_db_finish(DICT_DB_WRITER *w, DSTR *err);
/* Close without caring about the file (the caller removes it). */
extern void dict_db_abort(DICT_DB_WRITER *w);

#endif
