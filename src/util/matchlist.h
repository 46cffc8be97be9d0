/* matchlist - the shape shared by Postfix-style pattern lists: "!pattern", "/file", separators */
#ifndef MATCHLIST_H
#define MATCHLIST_H
#include "dstr.h"

/*
 * Called once for every pattern of a list, in order, with '!' already
 * taken off (negate says whether the pattern, or the file it came from,
 * was negated an odd number of times). 0, or -1 with a reason in why.
 */
typedef int (*MATCHLIST_PATTERN_FN) (void *ctx, const char *pattern, int negate, DSTR *why);

/*
 * Split spec on commas and white space (an inline:{ ... } table keeps its
 * own), take off leading '!', and replace "/file" by the patterns in that
 * file (one or more per line, "#" comments, nested up to 10 deep, errors
 * prefixed with "file, line N: "). fn sees every other pattern. 0, or -1
 * with a one-line reason in why.
 */
extern int matchlist_parse(const char *spec, MATCHLIST_PATTERN_FN fn, void *ctx, DSTR *why);

#endif
