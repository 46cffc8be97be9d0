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
 * Returns LLINE_GOT with *lineno set to the number of the line's first
 * physical line, LLINE_END at the end, or LLINE_ERR with "path, line N:
 * reason" in err (a line over the limit, a NUL byte, a read error), after
 * which the reader is done. Lines that start with white space but have no
 * line before them to continue are LLINE_ORPHAN, with *lineno and err set
 * likewise: they are consumed, and the reader goes on (Postfix skips them
 * with a warning; a caller may also give up).
 */
#define LLINE_GOT	1
#define LLINE_END	0
#define LLINE_ERR	(-1)
#define LLINE_ORPHAN	(-2)
extern int lline_get(LLINE *lp, DSTR *out, long *lineno, DSTR *err);
extern void lline_free(LLINE *lp);

#endif
