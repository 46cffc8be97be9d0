/* dstr - dynamic, binary-safe strings with an optional length limit */
#ifndef DSTR_H
#define DSTR_H
#include <stdarg.h>
#include <stddef.h>

typedef struct DSTR {
    char   *data;			/* private: use dstr_str() */
    size_t  len;			/* payload length */
    size_t  cap;			/* allocated, excluding the spare NUL */
    size_t  limit;			/* max len; 0 means none */
} DSTR;

#define DSTR_TOO_LONG	(-1)		/* result when the limit would be passed */

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* A new empty string with room for hint bytes; never NULL. */
extern DSTR *dstr_new(size_t hint);
/* Frees ds (NULL is fine); returns NULL: ds = dstr_free(ds). */
extern DSTR *dstr_free(DSTR *ds);
/* Later appends that would make the payload longer than max fail; 0 lifts the limit. */
extern void dstr_set_limit(DSTR *ds, size_t max);
/* Append bytes / a C string / one byte; 0 on success or DSTR_TOO_LONG (nothing appended).
 * The source must not point into ds itself. */
extern int dstr_cat(DSTR *ds, const void *buf, size_t len);
extern int dstr_cats(DSTR *ds, const char *str);
extern int dstr_catc(DSTR *ds, int ch);
/* Replace the content with a C string / bytes (which may lie inside ds);
 * on DSTR_TOO_LONG the old content stays. */
extern int dstr_strcpy(DSTR *ds, const char *str);
extern int dstr_memcpy(DSTR *ds, const void *buf, size_t len);
/* Append formatted text (glibc %m allowed); 0 or DSTR_TOO_LONG. */
extern int dstr_printf(DSTR *ds, const char *fmt,...) PRINTF_LIKE(2, 3);
extern int dstr_vprintf(DSTR *ds, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);
/* Replace the content with formatted text. */
extern int dstr_sprintf(DSTR *ds, const char *fmt,...) PRINTF_LIKE(2, 3);
/* Make room for len more bytes and return where they go; commit with dstr_addlen(),
 * which panics if the commit would pass the limit (reserve within it). */
extern char *dstr_space(DSTR *ds, size_t len);
extern void dstr_addlen(DSTR *ds, size_t len);
/* Shorten to len bytes (no-op when already shorter). */
extern void dstr_truncate(DSTR *ds, size_t len);
/* Remove the first len bytes. */
extern void dstr_drop_head(DSTR *ds, size_t len);
/* Hand the NUL-terminated buffer to the caller and free the DSTR itself. */
extern char *dstr_export(DSTR *ds);

#define dstr_str(ds)	((const char *) (ds)->data)	/* NUL-terminated view */
#define dstr_data(ds)	((ds)->data)			/* writable view */
#define dstr_len(ds)	((ds)->len)
#define DSTR_RESET(ds)	((ds)->len = 0, (ds)->data[0] = 0)	/* evaluates ds twice */

#endif
