/* dict - lookup tables: "type:name" specifications, key to value */
#ifndef DICT_H
#define DICT_H
#include "dstr.h"

typedef struct DICT DICT;

/*
 * Open one table. Supported: inline:{ key = value, key2 = value2 } (keys
 * folded to lower case; a value may be enclosed in { } to hold commas or
 * white space). NULL and a reason in err for an unknown type or bad syntax.
 */
extern DICT *dict_open(const char *spec, DSTR *err);
/* Value for key (case-insensitive), or NULL. Valid until the table is closed. */
extern const char *dict_get(DICT *dict, const char *key);
extern void dict_close(DICT *dict);

/* A list of tables, searched in order (a parameter such as transport_maps). */
typedef struct DICT_LIST DICT_LIST;

/* Split on commas and white space outside { }; NULL and err on a bad table. */
extern DICT_LIST *dict_list_open(const char *specs, DSTR *err);
/* First value found in any table, or NULL. */
extern const char *dict_list_get(DICT_LIST *list, const char *key);
extern int dict_list_empty(const DICT_LIST *list);
extern void dict_list_close(DICT_LIST *list);

#endif
