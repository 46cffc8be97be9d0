/* dict_src - entries of a lookup table source file ("key value" lines, as postmap reads them) */
#ifndef DICT_SRC_H
#define DICT_SRC_H
#include "dstr.h"
#include "ios.h"

#define DICT_SRC_LINE_MAX	65536	/* bytes in a logical line (key, value, blanks) */
#define DICT_SRC_KEY_MAX	4096	/* bytes in a key */

typedef struct DICT_SRC DICT_SRC;

/* Read entries from ios (not closed by dict_src_free); path names it in errors. */
extern DICT_SRC *dict_src_open(IOS *ios, const char *path);
/*
 * Next entry: 1 with the key folded to lower case, the value with
 * surrounding white space removed and *lineno the line it starts on; 0 at
 * the end; -1 with "path, line N: reason" in err for a line that is not
 * "key whitespace value", an over-long line or key, a NUL byte, or a read
 * error. White space inside "..." (with \" and \\) belongs to the key,
 * quotes included, as in Postfix. After -1 the reader is done.
 */
extern int dict_src_next(DICT_SRC *src, DSTR *key, DSTR *value, long *lineno, DSTR *err);
extern void dict_src_free(DICT_SRC *src);

/* Parse one logical line into key and value; 0, or -1 with a reason (no position) in err. */
extern int dict_src_parse(const char *line, DSTR *key, DSTR *value, DSTR *err);

#endif
