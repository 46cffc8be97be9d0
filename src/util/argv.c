/*
 * argv - string arrays
 * DESCRIPTION
 *	Command lines for spawned daemons, split parameter lists, and any
 *	other list of strings; the array is always NULL-terminated so it can
 *	go straight to execv().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "mymalloc.h"
#include "msg.h"

/* argv_new - empty array */

ARGV   *argv_new(size_t hint)
{
    ARGV   *av = mymalloc(sizeof(*av));

    av->cap = hint < 4 ? 4 : hint;
    av->argv = mymalloc((av->cap + 1) * sizeof(char *));
    av->argc = 0;
    av->argv[0] = 0;
    return (av);
}

/* argv_free - release array and strings */

ARGV   *argv_free(ARGV *av)
{
    size_t  i;

    if (av) {
	for (i = 0; i < av->argc; i++)
	    free(av->argv[i]);
	free(av->argv);
	free(av);
    }
    return (NULL);
}

/* argv_addn - append len bytes as a new string */

void    argv_addn(ARGV *av, const char *str, size_t len)
{
    if (av->argc == av->cap) {
	if (av->cap > SIZE_MAX / (2 * sizeof(char *)) - 1)
	    msg_fatal("%s: array too large", __func__);
	av->cap *= 2;
	av->argv = myrealloc(av->argv, (av->cap + 1) * sizeof(char *));
    }
    av->argv[av->argc++] = mystrndup(str, len);
    av->argv[av->argc] = 0;
}

/* argv_add - append a string */

void    argv_add(ARGV *av, const char *str)
{
    argv_addn(av, str, strlen(str));
}

/* argv_split - fields separated by any delimiter byte */

ARGV   *argv_split(const char *str, const char *delim)
{
    ARGV   *av = argv_new(4);
    size_t  n;

    for (;;) {
	str += strspn(str, delim);
	if (*str == 0)
	    break;
	n = strcspn(str, delim);
	argv_addn(av, str, n);
	str += n;
    }
    return (av);
}

/* argv_truncate - keep the first len entries */

void    argv_truncate(ARGV *av, size_t len)
{
    while (av->argc > len) {
	free(av->argv[--av->argc]);
	av->argv[av->argc] = 0;
    }
}
