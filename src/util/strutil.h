/* strutil - small string helpers that know nothing of mail */
#ifndef STRUTIL_H
#define STRUTIL_H
#include <stddef.h>

/* Strip leading and trailing white space in place; returns the start. */
extern char *str_trim(char *str);
/* Fold ASCII letters to lower case in place; returns str. */
extern char *str_lower(char *str);
/* Non-zero when str is a non-empty run of decimal digits. */
extern int str_alldig(const char *str);
/* Parse a decimal long in [min,max] with nothing trailing; 0 or -1. */
extern int str_to_long(const char *str, long min, long max, long *result);
/* Case-insensitive test: does str begin with prefix? */
extern int str_case_prefix(const char *str, const char *prefix);
/* Is the string a yes/no word? 1 = yes, 0 = no, -1 = neither. */
extern int str_to_bool(const char *str);

/*
 * Make buf[0..len) one line of text in place: drop one trailing newline,
 * turn a TAB into a space and every other control character (C0, DEL)
 * into '?', so no byte can start a new line or move a terminal's cursor.
 * Returns the new length. Bytes from 0x80 up (UTF-8) stay as they are.
 */
extern size_t str_one_line(char *buf, size_t len);
/* A host or domain name as DNS holds it, no final dot: dot-separated labels
 * of 1 to 63 letters, digits, '-' and '_', at most STR_DNS_NAME_MAX in all. */
#define STR_DNS_NAME_MAX	253
extern int str_dns_name_ok(const char *name);

#endif
