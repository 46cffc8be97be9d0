/* dict_int - what one table type provides to dict.c (for src/util/dict*.c only) */
#ifndef DICT_INT_H
#define DICT_INT_H
#include <sys/stat.h>

#include "dict.h"
#include "ios.h"

/* The part of every table that dict.c manages; a type's own state follows it. */
struct DICT {
    const char *(*lookup) (DICT *dict, const char *key);	/* key folded unless DICT_FLAG_ADDRESS */
    void    (*close) (DICT *dict);	/* release the type's state (dict.c frees the rest) */
    int     (*walk) (DICT *dict, DICT_WALK_FN fn, void *ctx);	/* NULL: cannot list */
    int     flags;			/* DICT_FLAG_* */
    int     watch_fd;			/* file to watch for changes, or -1 */
    /* Set by dict.c: */
    char   *spec;			/* "type:name" */
    struct stat st;			/* watch_fd when opened */
    DICT   *next;			/* every open table */
};

/*
 * For types read from their source file when opened (cidr:, regexp:):
 * open name, read it with read_fn into *table; the descriptor, kept open
 * for change detection (DICT.watch_fd), or -1 with a reason in err.
 */
typedef void *(*DICT_SOURCE_READ_FN) (IOS *ios, const char *name, DSTR *err);
extern int dict_read_source(const char *name, DICT_SOURCE_READ_FN read_fn, void **table,
			            DSTR *err);

/* Each type's open function: allocate (at least sizeof(DICT), zeroed), set lookup and close. */
extern DICT *dict_inline_open(const char *body, DSTR *err);
extern DICT *dict_db_open(const char *type, const char *name, DSTR *err);
extern DICT *dict_cidr_open(const char *name, DSTR *err);
extern DICT *dict_regexp_open(const char *name, DSTR *err);
extern DICT *dict_static_open(const char *value, DSTR *err);

#endif
