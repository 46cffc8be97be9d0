/*
 * matchlist - walk a Postfix-style pattern list
 * DESCRIPTION
 *	Client lists (addrmatch.c) and user lists (userlist.c) are written
 *	the same way: patterns separated by commas and white space, "!" in
 *	front negates, "/file" stands for the patterns in that file ("!/file"
 *	negates each of them), as in Postfix. This module knows that outer
 *	shape; the caller's function decides what one pattern means, so each
 *	list type parses its patterns once, at start-up, and a malformed one
 *	is reported with the file and line it came from.
 */
#include <fcntl.h>
#include <string.h>

#include "matchlist.h"
#include "dict.h"
#include "ios.h"

#define MATCHLIST_MAX_DEPTH	10	/* nested pattern files */
#define MATCHLIST_LINE_MAX	65536	/* longest line in a pattern file */

typedef struct MATCHLIST_WALK {
    MATCHLIST_PATTERN_FN fn;
    void   *ctx;
} MATCHLIST_WALK;

static int matchlist_parse_text(const MATCHLIST_WALK *, const char *, int, int, DSTR *);

/* matchlist_prefix_error - put "file, line N: " before an error text */

static void matchlist_prefix_error(DSTR *why, const char *path, long lineno)
{
    DSTR   *tmp = dstr_new(dstr_len(why) + 64);

    (void) dstr_printf(tmp, "%s, line %ld: %s", path, lineno, dstr_str(why));
    (void) dstr_memcpy(why, dstr_str(tmp), dstr_len(tmp));
    dstr_free(tmp);
}

/* matchlist_parse_line - one line of a pattern file */

static int matchlist_parse_line(const MATCHLIST_WALK *walk, const DSTR *line, int negate,
				        int depth, DSTR *why)
{
    const char *cp = dstr_str(line);

    if (memchr(cp, 0, dstr_len(line)) != 0) {
	(void) dstr_strcpy(why, "NUL byte in line");
	return (-1);
    }
    cp += strspn(cp, " \t\r");
    if (*cp == '#')
	return (0);
    return (matchlist_parse_text(walk, cp, negate, depth, why));
}

/* matchlist_parse_stream - every line of an open pattern file */

static int matchlist_parse_stream(const MATCHLIST_WALK *walk, IOS *ios, const char *path,
				          int negate, int depth, DSTR *why)
{
    DSTR   *line = dstr_new(128);
    long    lineno = 0;
    int     status;
    int     ret = 0;

    while (ret == 0 && (status = ios_get_line(ios, line, MATCHLIST_LINE_MAX, 1)) != IOS_EOF) {
	lineno++;
	if (status == IOS_LINE_PART) {
	    (void) dstr_sprintf(why, "line longer than %d bytes", MATCHLIST_LINE_MAX);
	    ret = -1;
	} else
	    ret = matchlist_parse_line(walk, line, negate, depth, why);
	if (ret < 0)
	    matchlist_prefix_error(why, path, lineno);
    }
    if (ret == 0 && (ios->flags & IOS_FLAG_ERR)) {
	(void) dstr_sprintf(why, "read \"%s\": %m", path);
	ret = -1;
    }
    dstr_free(line);
    return (ret);
}

/* matchlist_parse_file - read patterns from "/path" */

static int matchlist_parse_file(const MATCHLIST_WALK *walk, const char *path, int negate,
				        int depth, DSTR *why)
{
    int     fd;
    IOS    *ios;
    int     ret;

    if (depth >= MATCHLIST_MAX_DEPTH) {
	(void) dstr_sprintf(why, "\"%s\": pattern files nested more than %d deep",
			    path, MATCHLIST_MAX_DEPTH);
	return (-1);
    }
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
	(void) dstr_sprintf(why, "open \"%s\": %m", path);
	return (-1);
    }
    ios = ios_open(fd);
    ret = matchlist_parse_stream(walk, ios, path, negate, depth + 1, why);
    (void) ios_close(ios);
    return (ret);
}

/* matchlist_parse_pattern - one pattern, with any '!' still in front */

static int matchlist_parse_pattern(const MATCHLIST_WALK *walk, const char *item, int negate,
				           int depth, DSTR *why)
{
    const char *pat;

    for (pat = item; *pat == '!'; pat++)
	negate = !negate;
    if (*pat == 0) {
	(void) dstr_sprintf(why, "no pattern after '!' in \"%s\"", item);
	return (-1);
    }
    if (*pat == '/')
	return (matchlist_parse_file(walk, pat, negate, depth, why));
    return (walk->fn(walk->ctx, pat, negate, why));
}

/* matchlist_parse_text - patterns separated by white space and/or commas */

static int matchlist_parse_text(const MATCHLIST_WALK *walk, const char *text, int negate,
				        int depth, DSTR *why)
{
    DSTR   *item = dstr_new(64);
    const char *cp = text;
    int     ret = 0;

    /* As in dict lists: an inline:{ ... } table may hold commas and blanks. */
    while (ret == 0 && dict_list_next(&cp, item))
	ret = matchlist_parse_pattern(walk, dstr_str(item), negate, depth, why);
    dstr_free(item);
    return (ret);
}

/* matchlist_parse - walk a whole list specification */

int     matchlist_parse(const char *spec, MATCHLIST_PATTERN_FN fn, void *ctx, DSTR *why)
{
    MATCHLIST_WALK walk;

    walk.fn = fn;
    walk.ctx = ctx;
    return (spec == 0 ? 0 : matchlist_parse_text(&walk, spec, 0, 0, why));
}
