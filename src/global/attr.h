/* attr - the internal protocol: attribute lists of "name=value" netstrings ended by "0:," */
#ifndef ATTR_H
#define ATTR_H
#include <stddef.h>
#include "dstr.h"
#include "ios.h"

typedef struct ATTR {
    char   *name;
    char   *value;
} ATTR;

typedef struct ATTR_LIST {
    ATTR   *attrs;
    size_t  count;
    size_t  cap;
} ATTR_LIST;

#define ATTR_MAX_LEN	4096		/* default per-attribute limit */
#define ATTR_MAX_COUNT	1024		/* default per-list limit */

#define ATTR_OK		0
#define ATTR_ERR_FORMAT	(-1)		/* bad netstring, or no '=' */
#define ATTR_ERR_SIZE	(-2)		/* an attribute or the list is too big */
#define ATTR_ERR_EOF	(-3)		/* stream ended inside the list */
#define ATTR_ERR_IO	(-4)		/* read error or timeout */

/* Append one attribute (name must be non-empty, without '=' or NUL). */
extern void attr_put_str(DSTR *out, const char *name, const char *value);
extern void attr_put_long(DSTR *out, const char *name, long value);
/* Append the terminator "0:,". */
extern void attr_put_end(DSTR *out);

extern ATTR_LIST *attr_list_new(void);
extern void attr_list_reset(ATTR_LIST *list);
extern ATTR_LIST *attr_list_free(ATTR_LIST *list);
/* Append one attribute to a list (name of nlen bytes). */
extern void attr_list_add(ATTR_LIST *list, const char *name, size_t nlen, const char *value);
/* Parse a list from memory; returns bytes consumed (> 0) or an ATTR_ERR_* / 0 for "need more". */
extern long attr_parse(const char *buf, size_t len, ATTR_LIST *list,
		               size_t max_len, size_t max_count);
/* Read one list from a stream (replacing the list's content); ATTR_OK or an error. */
extern int attr_read(IOS *ios, ATTR_LIST *list, size_t max_len, size_t max_count);
/* Last value of name, or NULL. Unknown names are simply never asked for. */
extern const char *attr_get_str(const ATTR_LIST *list, const char *name);
/* Numeric value in [min,max]; 0, or -1 when missing or invalid. */
extern int attr_get_long(const ATTR_LIST *list, const char *name, long *value,
			         long min, long max);
/* Short English for an error code. */
extern const char *attr_strerror(int err);

#endif
