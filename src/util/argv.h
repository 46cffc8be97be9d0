/* argv - growing NULL-terminated arrays of strings */
#ifndef ARGV_H
#define ARGV_H
#include <stddef.h>

typedef struct ARGV {
    char  **argv;			/* NULL-terminated */
    size_t  argc;
    size_t  cap;
} ARGV;

extern ARGV *argv_new(size_t hint);
extern ARGV *argv_free(ARGV *av);	/* frees the strings too; returns NULL */
/* Append a copy of str / of len bytes of str. */
extern void argv_add(ARGV *av, const char *str);
extern void argv_addn(ARGV *av, const char *str, size_t len);
/* Split str at any byte of delim, skipping empty fields. */
extern ARGV *argv_split(const char *str, const char *delim);
/* Drop everything past the first len entries. */
extern void argv_truncate(ARGV *av, size_t len);

#endif
