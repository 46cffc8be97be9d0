/* hdr_extract - sendmail -t: recipients from the header section, Bcc: removed */
#ifndef HDR_EXTRACT_H
#define HDR_EXTRACT_H
#include <stddef.h>
#include "argv.h"
#include "dstr.h"

#define HDR_EXTRACT_MAX_RCPT	10000	/* addresses taken from one header section */

/* Does this line (len bytes, LF included or not) start a header field:
 * a name of printable characters but ':', optional blanks, then ':'? */
extern int hdr_extract_is_field(const char *line, size_t len);

/*
 * hdr is a header section: fields and their continuation lines, each
 * line ending in LF, without the empty line after it. Append to rcpts the
 * addresses of To:, Cc: and Bcc: (of Resent-To:, Resent-Cc: and
 * Resent-Bcc: instead, when there is any of those), and copy the section
 * to out without its Bcc: and Resent-Bcc: fields. 0, or -1 with a reason
 * in err (a malformed address field, more than HDR_EXTRACT_MAX_RCPT
 * addresses); rcpts and out are then unspecified.
 */
extern int hdr_extract(const char *hdr, size_t len, ARGV *rcpts, DSTR *out, DSTR *err);

#endif
