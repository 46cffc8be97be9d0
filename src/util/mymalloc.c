/*
 * mymalloc - allocation wrappers that never return NULL
 * DESCRIPTION
 *	Out of memory is an environment failure a daemon cannot recover from;
 *	dying (master restarts us) keeps every call site free of NULL checks.
 */
#include <stdlib.h>
#include <string.h>

#include "mymalloc.h"
#include "msg.h"

/* mymalloc - allocate or die */

void   *mymalloc(size_t len)
{
    void   *p = malloc(len ? len : 1);

    if (p == NULL)
	msg_fatal("out of memory allocating %zu bytes", len);
    return (p);
}

/* mycalloc - allocate zeroed memory, checking count*len for overflow */

void   *mycalloc(size_t count, size_t len)
{
    void   *p = calloc(count ? count : 1, len ? len : 1);

    if (p == NULL)
	msg_fatal("out of memory allocating %zu x %zu bytes", count, len);
    return (p);
}

/* myrealloc - resize or die */

void   *myrealloc(void *ptr, size_t len)
{
    void   *p = realloc(ptr, len ? len : 1);

    if (p == NULL)
	msg_fatal("out of memory reallocating %zu bytes", len);
    return (p);
}

/* mystrdup - copy a string */

char   *mystrdup(const char *str)
{
    return (mystrndup(str, strlen(str)));
}

/* mystrndup - copy at most len bytes of a string and terminate it */

char   *mystrndup(const char *str, size_t len)
{
    size_t  n = strnlen(str, len);
    char   *p = mymalloc(n + 1);

    memcpy(p, str, n);
    p[n] = 0;
    return (p);
}

/* myfree - free and return NULL */

void   *myfree(void *ptr)
{
    free(ptr);
    return (NULL);
}
