/*
 * smtp_dsn - what a reply means for the recipients, and how we say it
 * DESCRIPTION
 *	The first digit of a reply code decides (docs/protocols.md §5.9):
 *	2 and 3 are success, 4 is a temporary failure (defer), 5 is a
 *	permanent one (bounce); anything else is a protocol error, which is
 *	nobody's final word, so it defers. Reasons use Postfix's words, so
 *	log tools and administrators see what they know.
 */
#include <string.h>

#include "smtp.h"

/* smtp_reply_class - OK, DEFER or BOUNCE by reply code */

int     smtp_reply_class(int code)
{
    switch (code / 100) {
    case 2:
    case 3:
	return (SMTP_OK);
    case 5:
	return (SMTP_BOUNCE);
    default:
	return (SMTP_DEFER);
    }
}

/* smtp_reason_said - "host H[A] said: TEXT (in reply to CMD)" */

void    smtp_reason_said(DSTR *out, const char *namaddr, const SMTP_REPLY *reply,
			         const char *cmd)
{
    DSTR   *text = dstr_new(256);

    dstr_sprintf(out, "host %s said: %s (in reply to %s)", namaddr,
		 smtp_reply_str(reply, text), cmd);
    dstr_free(text);
}

/* smtp_dsn_soften - soft_bounce: a permanent status becomes temporary */

void    smtp_dsn_soften(char *dsn)
{
    if (dsn[0] == '5')
	dsn[0] = '4';
}
