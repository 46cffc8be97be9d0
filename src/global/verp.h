/* verp - variable envelope return paths: qmail's "-@[]" request and per-recipient senders */
#ifndef VERP_H
#define VERP_H
#include "dstr.h"

#define VERP_NONE	0		/* an ordinary sender */
#define VERP_REQUEST	1		/* "PRE@HOST-@[]": delimiters found */
#define VERP_BAD	(-1)		/* a VERP request whose delimiters the filter refuses */

/*
 * Recognise the qmail/ezmlm VERP request "PRE@HOST-@[]" (docs/protocols.md
 * §3.3): the suffix goes, the character before the first '@' goes and becomes
 * the first delimiter, '=' is the second. On VERP_REQUEST, stripped holds the
 * shortened sender and delims the two delimiters; on VERP_BAD, delims holds
 * the refused pair. On VERP_NONE the sender is to be used as it is.
 */
extern int verp_parse_qmqp(const char *sender, const char *filter,
			           DSTR *stripped, char delims[3]);
/*
 * The envelope sender for one recipient: SLOCAL d1 RLOCAL d2 RDOMAIN @SDOMAIN,
 * splitting both addresses at their last '@' (protocols.md §3.4).
 */
extern void verp_expand(DSTR *out, const char *sender, const char *delims,
			        const char *rcpt);

#endif
