/*
 * verp - VERP
 * DESCRIPTION
 *	ezmlm asks for one envelope sender per recipient by ending its sender
 *	in "-@[]"; bounces then tell the list manager exactly which address
 *	failed. qmqpd parses the request here, smtp expands it here.
 */
#include <string.h>

#include "verp.h"

#define VERP_SUFFIX	"-@[]"

/* verp_parse_qmqp - recognise a QMQP VERP request */

int     verp_parse_qmqp(const char *sender, const char *filter,
			        DSTR *stripped, char delims[3])
{
    size_t  len = strlen(sender);
    size_t  slen = strlen(VERP_SUFFIX);
    const char *at;
    size_t  base;

    if (len <= slen || strcmp(sender + len - slen, VERP_SUFFIX) != 0)
	return (VERP_NONE);
    base = len - slen;
    at = memchr(sender, '@', base);
    if (at == NULL || at - sender < 2 || (size_t) (at - sender) + 1 >= base)
	return (VERP_NONE);
    delims[0] = at[-1];
    delims[1] = '=';
    delims[2] = 0;
    if (strchr(filter, delims[0]) == NULL || strchr(filter, delims[1]) == NULL
	|| delims[0] == 0)
	return (VERP_BAD);
    dstr_memcpy(stripped, sender, (size_t) (at - sender) - 1);
    dstr_cat(stripped, at, base - (size_t) (at - sender));
    return (VERP_REQUEST);
}

/* verp_expand - per-recipient sender */

void    verp_expand(DSTR *out, const char *sender, const char *delims,
		            const char *rcpt)
{
    const char *s_at = strrchr(sender, '@');
    const char *r_at = strrchr(rcpt, '@');

    DSTR_RESET(out);
    dstr_cat(out, sender, s_at ? (size_t) (s_at - sender) : strlen(sender));
    dstr_catc(out, delims[0]);
    dstr_cat(out, rcpt, r_at ? (size_t) (r_at - rcpt) : strlen(rcpt));
    if (r_at) {
	dstr_catc(out, delims[1]);
	dstr_cats(out, r_at + 1);
    }
    if (s_at)
	dstr_cats(out, s_at);
}
