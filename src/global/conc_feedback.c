/*
 * conc_feedback - destination concurrency feedback values of main.cf
 * DESCRIPTION
 *	default_destination_concurrency_positive_feedback and _negative_
 *	(and their per-transport forms) take "1", "0.7", "a/b" or
 *	"x/concurrency" (docs/scheduler.md §4.2). qmgr uses the values;
 *	the parser lives in global so that reading main.cf already rejects
 *	a bad one with its file and line.
 */
#include <stdlib.h>
#include <string.h>

#include "conc_feedback.h"
#include "strutil.h"

/* conc_feedback_number - a plain value: digits with an optional fraction ("1", "0.7") */

static int conc_feedback_number(const char *text, double *value)
{
    const char *cp = text;

    if (*cp < '0' || *cp > '9')
	return (-1);
    while (*cp >= '0' && *cp <= '9')
	cp++;
    if (*cp == '.') {
	if (cp[1] < '0' || cp[1] > '9')
	    return (-1);
	for (cp++; *cp >= '0' && *cp <= '9'; cp++)
	     /* fraction */ ;
    }
    if (*cp != 0)
	return (-1);
    *value = strtod(text, NULL);		/* C locale: nobody calls setlocale() */
    return (0);
}

/* conc_feedback_parse - the value, and whether it is per concurrency window */

int     conc_feedback_parse(const char *text, double *value, int *per_window)
{
    DSTR   *buf = dstr_new(32);
    char   *num;
    char   *den;
    char   *slash;
    long    n;
    long    d;
    double  v = -1;
    int     pw = 0;

    dstr_strcpy(buf, text);
    num = dstr_data(buf);
    if ((slash = strchr(num, '/')) != NULL) {
	*slash = 0;
	den = str_trim(slash + 1);
    } else {
	den = NULL;
    }
    num = str_trim(num);
    if (den == NULL) {
	if (conc_feedback_number(num, &v) < 0)
	    v = -1;
    } else if (str_to_long(num, 0, 0x7fffffff, &n) == 0) {
	if (strcmp(den, "concurrency") == 0) {
	    v = (double) n;
	    pw = 1;
	} else if (str_to_long(den, 1, 0x7fffffff, &d) == 0) {
	    v = (double) n / (double) d;
	}
    }
    dstr_free(buf);
    if (v < 0 || (!pw && v > 1))
	return (-1);
    *value = v;
    *per_window = pw;
    return (0);
}
