/* cidr_table - Postfix cidr_table(5) rules: network/prefix result, first match wins */
#ifndef CIDR_TABLE_H
#define CIDR_TABLE_H
#include "dstr.h"
#include "ios.h"

#define CIDR_TABLE_LINE_MAX	65536	/* bytes in a logical line */

typedef struct CIDR_TABLE CIDR_TABLE;

/*
 * Read rules (pattern result, !pattern result, if pattern / if !pattern
 * ... endif) from ios; path names the table in messages. A malformed rule
 * is logged as a warning naming the line and skipped, as Postfix does.
 * NULL with a reason in err only when the input itself is unusable: a
 * line over CIDR_TABLE_LINE_MAX, a NUL byte, a read error.
 */
extern CIDR_TABLE *cidr_table_read(IOS *ios, const char *path, DSTR *err);
/* The result of the first rule that matches the address, or NULL (also for a key that is no address). */
extern const char *cidr_table_lookup(const CIDR_TABLE *table, const char *key);
/* Rules kept (if and endif count as one each). */
extern size_t cidr_table_size(const CIDR_TABLE *table);
extern void cidr_table_free(CIDR_TABLE *table);

#endif
