/* dict - lookup tables: "type:name" specifications, key to value */
#ifndef DICT_H
#define DICT_H
#include "dstr.h"

typedef struct DICT DICT;

#define DICT_FLAG_ADDRESS	(1<<0)	/* keys are IP addresses (cidr:) */
#define DICT_FLAG_RAW_KEY	(1<<1)	/* keys are matched as given (regexp:) */

/*
 * Open one table (see posthorn.conf(5), LOOKUP TABLES):
 *   inline:{ key = value, key2 = value2 }  in the specification itself; a
 *	value may be enclosed in { } to hold commas or white space
 *   hash:/path, btree:/path   Berkeley DB file /path.db, made by posthorn map
 *   cidr:/path                network/prefix rules read from /path itself
 *   regexp:/path              /regex/ rules read from /path itself
 *   static:value, static:{v}  every key finds value
 * Files are opened now and stay open, so a daemon opens its tables before
 * it enters its chroot. NULL and a reason in err for an unknown type, bad
 * syntax or a file that cannot be opened.
 */
extern DICT *dict_open(const char *spec, DSTR *err);
/*
 * Value for key, or NULL. Lookups are case-insensitive except in cidr:
 * tables, whose keys are addresses, and regexp: tables, whose patterns
 * say. The value stays valid until the table is closed (regexp: until
 * the next lookup in it). A read error of a table file is fatal (the
 * daemon restarts).
 */
extern const char *dict_get(DICT *dict, const char *key);
/*
 * Call fn for every key and value of the table, in no particular order,
 * until fn returns nonzero (that value is returned; 0 after the last
 * entry). -1 when the type cannot list its keys (cidr:, regexp:, static:). For a
 * daemon that must prepare every entry before it enters its chroot.
 */
typedef int (*DICT_WALK_FN) (const char *key, const char *value, void *ctx);
extern int dict_walk(DICT *dict, DICT_WALK_FN fn, void *ctx);
/* Release the table and its file; its values are gone with it. */
extern void dict_close(DICT *dict);
/* The specification the table was opened with, for messages. */
extern const char *dict_name(const DICT *dict);
/* DICT_FLAG_* of the table's type (DICT_FLAG_ADDRESS: cidr:). */
extern int dict_flags(const DICT *dict);
/* Does spec start with the "type:" of a supported table type? */
extern int dict_type_known(const char *spec);

/*
 * The name of an open table whose file was replaced (renamed over, as
 * posthorn map does), changed in place, or removed since it was opened;
 * NULL when none was. A daemon that gets a name finishes its request and
 * exits, so master starts a process that opens the new table.
 */
extern const char *dict_changed_name(void);
/* How many open tables have a file to watch (0: dict_changed_name() is always NULL). */
extern int dict_watch_count(void);

/* A list of tables, searched in order (a parameter such as transport_maps). */
typedef struct DICT_LIST DICT_LIST;

/* Split on commas and white space outside { }; NULL and err on a bad table. */
extern DICT_LIST *dict_list_open(const char *specs, DSTR *err);
/* First value found in any table, or NULL; valid until the list is closed. */
extern const char *dict_list_get(DICT_LIST *list, const char *key);
/* Does the list hold no table (an empty parameter)? */
extern int dict_list_empty(const DICT_LIST *list);
/* Close every table of the list and the list. */
extern void dict_list_close(DICT_LIST *list);

/*
 * One element of a list such as transport_maps: skip commas and white
 * space at *cp, copy the next element (a table specification or any word;
 * commas and white space inside { } belong to it) into out and advance
 * *cp past it. 0 at the end of the text.
 */
extern int dict_list_next(const char **cp, DSTR *out);

#endif
