/* ptable - rule tables in Postfix's pattern style: pattern result, if/endif, first match wins */
#ifndef PTABLE_H
#define PTABLE_H
#include "dstr.h"
#include "ios.h"

typedef struct PTABLE PTABLE;

/*
 * What a table type (cidr_table.c, regexp_table.c) tells ptable about its
 * patterns. parse reads one pattern at cp (after an optional '!', which
 * ptable takes) and returns the first byte after it, or NULL with a
 * reason in why; the pattern goes to *pattern. result, when set, checks a
 * rule's result for its pattern (negated: the rule matches when the
 * pattern does not) and returns 0, or -1 with a reason.
 */
typedef struct PTABLE_TYPE {
    const char *kind;			/* "cidr", "regexp": in warnings */
    size_t  line_max;			/* bytes in a logical line */
    const char *(*parse) (const char *cp, void **pattern, DSTR *why);
    int     (*result) (const void *pattern, int negated, const char *result, DSTR *why);
    void    (*free) (void *pattern);
} PTABLE_TYPE;

/*
 * Read rules (pattern result, !pattern result, if pattern, if !pattern,
 * endif) from ios; path names the table in messages. A malformed rule is
 * logged as a warning naming the file and line and skipped, as Postfix
 * does; an if without endif ends at the end of the file, an endif without
 * if is skipped, both with a warning. NULL with a reason in err only when
 * the input itself is unusable: a line over type->line_max, a NUL byte, a
 * read error.
 */
extern PTABLE *ptable_read(IOS *ios, const char *path, const PTABLE_TYPE *type, DSTR *err);

/*
 * Apply the rules in order; match(pattern, ctx) says whether one pattern
 * matches the key the caller holds in ctx (1 or 0). The result of the first
 * matching rule, or NULL. *negated (if not NULL) tells whether that rule
 * was a !pattern one; match was last called for the rule that decided.
 */
typedef int (*PTABLE_MATCH_FN) (const void *pattern, void *ctx);
extern const char *ptable_lookup(const PTABLE *table, PTABLE_MATCH_FN match, void *ctx,
				         int *negated);
/* Rules kept (if and endif count as one each). */
extern size_t ptable_size(const PTABLE *table);
extern void ptable_free(PTABLE *table);

#endif
