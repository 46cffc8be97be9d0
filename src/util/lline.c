/*
 * lline - logical lines of table source files
 * DESCRIPTION
 *	The line discipline that Postfix's table source files share with
 *	main.cf: "#" comment lines and blank lines are ignored, and a line
 *	that starts with white space continues the logical line before it.
 *	Map sources (posthorn map) and cidr: tables read their input through
 *	this one reader, so both treat comments and continuations alike.
 *
 *	Deciding where a logical line ends takes the next physical line, so
 *	the reader keeps that line until the following call.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lline.h"
#include "mymalloc.h"

struct LLINE {
    IOS    *ios;
    char   *path;
    size_t  limit;			/* bytes per logical line */
    DSTR   *line;			/* the physical line read ahead */
    int     have_line;			/* line holds the next logical line's start */
    long    line_no;			/* number of the physical line in line */
    long    phys_no;			/* physical lines read so far */
    int     done;			/* end of input or error seen */
    DSTR   *error;			/* an error found reading ahead, for the next call */
};

/* lline_open - a reader */

LLINE  *lline_open(IOS *ios, const char *path, size_t limit)
{
    LLINE  *lp = mycalloc(1, sizeof(*lp));

    lp->ios = ios;
    lp->path = mystrdup(path);
    lp->limit = limit;
    lp->line = dstr_new(128);
    return (lp);
}

/* lline_error - "path, line N: reason" */

static int lline_error(LLINE *lp, DSTR *err, long lineno, const char *reason)
{
    dstr_sprintf(err, "%s, line %ld: %s", lp->path, lineno, reason);
    lp->done = 1;
    return (LLINE_ERR);
}

/* lline_ignored - blank, or a comment */

static int lline_ignored(const DSTR *line)
{
    const char *cp = dstr_str(line);

    while (*cp && isspace((unsigned char) *cp))
	cp++;
    return (*cp == 0 || *cp == '#');
}

/* lline_physical - next line that is not blank or a comment, into lp->line */

static int lline_physical(LLINE *lp, DSTR *err)
{
    int     status;

    for (;;) {
	if (lp->done)
	    return (LLINE_END);
	status = ios_get_line(lp->ios, lp->line, lp->limit, 1);
	if (status == IOS_EOF) {
	    lp->done = 1;
	    if (lp->ios->flags & IOS_FLAG_ERR) {
		dstr_sprintf(err, "read %s: %m", lp->path);
		return (LLINE_ERR);
	    }
	    return (LLINE_END);
	}
	lp->phys_no++;
	if (status == IOS_LINE_PART)
	    return (lline_error(lp, err, lp->phys_no, "line too long"));
	if (memchr(dstr_str(lp->line), 0, dstr_len(lp->line)) != NULL)
	    return (lline_error(lp, err, lp->phys_no, "NUL byte in line"));
	if (!lline_ignored(lp->line)) {
	    lp->line_no = lp->phys_no;
	    return (LLINE_GOT);
	}
    }
}

/* lline_get - one logical line */

int     lline_get(LLINE *lp, DSTR *out, long *lineno, DSTR *err)
{
    int     status;
    int     orphan;

    if (lp->error != NULL) {			/* found while reading ahead */
	dstr_memcpy(err, dstr_str(lp->error), dstr_len(lp->error));
	lp->error = dstr_free(lp->error);
	return (LLINE_ERR);
    }
    if (!lp->have_line) {
	if ((status = lline_physical(lp, err)) != LLINE_GOT)
	    return (status);
    }
    lp->have_line = 0;
    /* Only at the start of the input: any other such line is a continuation. */
    orphan = isspace((unsigned char) dstr_str(lp->line)[0]);
    dstr_memcpy(out, dstr_str(lp->line), dstr_len(lp->line));
    *lineno = lp->line_no;
    while ((status = lline_physical(lp, err)) == LLINE_GOT) {
	if (!isspace((unsigned char) dstr_str(lp->line)[0])) {
	    lp->have_line = 1;			/* the start of the next one */
	    break;
	}
	if (dstr_len(out) + dstr_len(lp->line) > lp->limit)
	    return (lline_error(lp, err, *lineno, "logical line too long"));
	dstr_cat(out, dstr_str(lp->line), dstr_len(lp->line));
    }
    if (status == LLINE_ERR) {			/* reading ahead failed: this call returns the line so far */
	lp->error = dstr_new(dstr_len(err));
	dstr_memcpy(lp->error, dstr_str(err), dstr_len(err));
    }
    if (orphan) {
	dstr_sprintf(err, "%s, line %ld: continuation line without a line before it",
		     lp->path, *lineno);
	return (LLINE_ORPHAN);
    }
    return (LLINE_GOT);
}

/* lline_free - release the reader (not the stream) */

void    lline_free(LLINE *lp)
{
    dstr_free(lp->line);
    dstr_free(lp->error);
    free(lp->path);
    free(lp);
}
