/* regexp_table - Postfix regexp_table(5) rules: /regex/flags result, first match wins */
#ifndef REGEXP_TABLE_H
#define REGEXP_TABLE_H
#include "dstr.h"
#include "ios.h"

#define REGEXP_TABLE_LINE_MAX	65536	/* bytes in a logical line */
#define REGEXP_PATTERN_MAX	4096	/* bytes in one regular expression */
#define REGEXP_REPEAT_MAX	255	/* the counts of all {n,m} together */

typedef struct REGEXP_TABLE REGEXP_TABLE;

/*
 * Read rules (/re/flags result, !/re/flags result, /re1/flags!/re2/flags
 * result, if /re/flags, if !/re/flags, endif) from ios; path names the
 * table in messages. POSIX extended regular expressions (libc regcomp),
 * case-insensitive unless the flag i toggles that; x toggles extended
 * syntax, m lets ^ and $ match at newlines. Any character but white space,
 * letters, digits, '!' and '\' may delimit a pattern; a backslash before
 * the delimiter makes it literal. A result may use $1 to $9 (also ${1},
 * $(1)) for the text a parenthesized subexpression matched, and $$ for $.
 * A bad rule is logged as a warning naming the line and skipped; NULL with
 * a reason in err only when the input itself is unusable (a line over
 * REGEXP_TABLE_LINE_MAX, a NUL byte, a read error).
 */
extern REGEXP_TABLE *regexp_table_read(IOS *ios, const char *path, DSTR *err);
/*
 * The result of the first rule that matches key, with its $n replaced, in
 * out; 1 when a rule matched, 0 when none did.
 */
extern int regexp_table_lookup(const REGEXP_TABLE *table, const char *key, DSTR *out);
/* Rules kept (if and endif count as one each). */
extern size_t regexp_table_size(const REGEXP_TABLE *table);
extern void regexp_table_free(REGEXP_TABLE *table);

#endif
