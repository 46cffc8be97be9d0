/* lline - logical lines of table source files: comments, blank lines, continuations */
#ifndef LLINE_H
#define LLINE_H
#include "dstr.h"
#include "ios.h"

typedef struct LLINE LLINE;

/*
 * Read from ios (not closed by lline_free) with at most limit bytes per
 * logical line; path names the input in error texts.
 */
extern LLINE *lline_open(IOS *ios, const char *path, size_t limit);
/*
 * Next logical line into out: a line that starts with non-blank text plus
 * every following line that starts with white space (joined as they are,
 * without the newlines). Blank lines and lines whose first non-blank
 * character is '#' are skipped, also between a line and its continuation.
 * Returns 1 with *lineno set to the number of the line's first physical
 * line, 0 at the end, or -1 with "path, line N: reason" in err (a line over
 * the limit, a NUL byte, a continuation without a line before it, a read
 * error); after -1 the reader is done.
 */
extern int lline_get(LLINE *lp, DSTR *out, long *lineno, DSTR *err);
extern void lline_free(LLINE *lp);

#endif
