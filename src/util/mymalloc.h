/* mymalloc - memory allocation that succeeds or ends the process */
#ifndef MYMALLOC_H
#define MYMALLOC_H
#include <stddef.h>

/* Each returns usable memory or logs a fatal error; callers never check for NULL. */
extern void *mymalloc(size_t len);
extern void *mycalloc(size_t count, size_t len);
extern void *myrealloc(void *ptr, size_t len);
extern char *mystrdup(const char *str);
extern char *mystrndup(const char *str, size_t len);
/* Frees ptr (NULL is fine) and returns NULL, for "p = myfree(p)". */
extern void *myfree(void *ptr);

#endif
