/*
 * strutil - string helpers
 * DESCRIPTION
 *	Trimming, case folding and strict number parsing used by the
 *	configuration and protocol code. Parsing is strict: "12x" is not 12.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strutil.h"

/* str_trim - strip white space */

char   *str_trim(char *str)
{
    char   *end;

    while (*str && isspace((unsigned char) *str))
	str++;
    end = str + strlen(str);
    while (end > str && isspace((unsigned char) end[-1]))
	*--end = 0;
    return (str);
}

/* str_lower - fold case */

char   *str_lower(char *str)
{
    char   *cp;

    for (cp = str; *cp; cp++)
	if (*cp >= 'A' && *cp <= 'Z')
	    *cp = (char) (*cp + ('a' - 'A'));
    return (str);
}

/* str_alldig - only digits */

int     str_alldig(const char *str)
{
    if (*str == 0)
	return (0);
    for (; *str; str++)
	if (*str < '0' || *str > '9')
	    return (0);
    return (1);
}

/* str_to_long - strict bounded decimal */

int     str_to_long(const char *str, long min, long max, long *result)
{
    char   *end;
    long    val;

    if (*str == 0 || isspace((unsigned char) *str) || *str == '+')
	return (-1);
    errno = 0;
    val = strtol(str, &end, 10);
    if (errno != 0 || *end != 0 || val < min || val > max)
	return (-1);
    *result = val;
    return (0);
}

/* str_case_prefix - prefix test, ASCII case-insensitive */

int     str_case_prefix(const char *str, const char *prefix)
{
    return (strncasecmp(str, prefix, strlen(prefix)) == 0);
}

/* str_to_bool - yes/no words as Postfix accepts them */

int     str_to_bool(const char *str)
{
    if (strcasecmp(str, "yes") == 0 || strcasecmp(str, "true") == 0
	|| strcmp(str, "1") == 0)
	return (1);
    if (strcasecmp(str, "no") == 0 || strcasecmp(str, "false") == 0
	|| strcmp(str, "0") == 0)
	return (0);
    return (-1);
}

/* str_one_line - control characters out, so a text stays one line */

size_t  str_one_line(char *buf, size_t len)
{
    size_t  i;
    unsigned char c;

    if (len > 0 && buf[len - 1] == '\n')
	len--;
    for (i = 0; i < len; i++) {
	c = (unsigned char) buf[i];
	if (c == '\t')
	    buf[i] = ' ';
	else if (c < 0x20 || c == 0x7f)
	    buf[i] = '?';
    }
    return (len);
}

/* str_dns_name_ok - a plausible DNS name */

int     str_dns_name_ok(const char *name)
{
    const char *cp;
    int     label = 0;

    for (cp = name; *cp; cp++) {
	if (*cp == '.') {
	    if (label == 0)
		return (0);
	    label = 0;
	} else if ((*cp >= 'a' && *cp <= 'z') || (*cp >= 'A' && *cp <= 'Z')
		   || (*cp >= '0' && *cp <= '9') || *cp == '-' || *cp == '_') {
	    if (++label > 63)
		return (0);
	} else {
	    return (0);
	}
    }
    return (label > 0 && cp - name <= STR_DNS_NAME_MAX);
}
