/*
 * hdr_extract - the header work of sendmail -t
 * DESCRIPTION
 *	With -t, sendmail takes the recipients from the message: every
 *	address in To:, Cc: and Bcc:, or, when the message is being resent
 *	(it has Resent-To:, Resent-Cc: or Resent-Bcc:), those instead. The
 *	blind copies must not show their addressees, so Bcc: and
 *	Resent-Bcc: fields are taken out of the header section. Field names
 *	are matched without regard to case; addresses are read with
 *	header_addr_list(), which refuses unbalanced quotes, comments and
 *	brackets rather than guess where a recipient ends.
 *
 *	The input is the submitting user's own message, read by the user's
 *	own sendmail process: a malformed field is reported, never skipped,
 *	so nobody loses a recipient without being told.
 */
#include <string.h>
#include <strings.h>

#include "hdr_extract.h"
#include "header_addr.h"

#define HDR_TO		0
#define HDR_CC		1
#define HDR_BCC		2
#define HDR_OTHER	3

/* hdr_extract_is_field - "Name:" at the start of the line */

int     hdr_extract_is_field(const char *line, size_t len)
{
    size_t  i = 0;

    while (i < len && line[i] > ' ' && line[i] < 0x7f && line[i] != ':')
	i++;
    if (i == 0)
	return (0);
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
	i++;
    return (i < len && line[i] == ':');
}

/* hdr_extract_kind - which address field, and whether it is a Resent- one */

static int hdr_extract_kind(const char *field, size_t len, int *resent)
{
    static const char *const names[] = {"To", "Cc", "Bcc"};
    size_t  n;
    size_t  i;
    int     k;

    *resent = 0;
    if (len > 7 && strncasecmp(field, "Resent-", 7) == 0) {
	*resent = 1;
	field += 7;
	len -= 7;
    }
    for (k = HDR_TO; k <= HDR_BCC; k++) {
	n = strlen(names[k]);
	if (len <= n || strncasecmp(field, names[k], n) != 0)
	    continue;
	for (i = n; i < len && (field[i] == ' ' || field[i] == '\t'); i++)
	     /* void */ ;
	if (i < len && field[i] == ':')
	    return (k);
    }
    return (HDR_OTHER);
}

/* hdr_extract_field_end - where the field that starts at off ends */

static size_t hdr_extract_field_end(const char *hdr, size_t len, size_t off)
{
    const char *nl;

    for (;;) {
	nl = memchr(hdr + off, '\n', len - off);
	off = nl ? (size_t) (nl - hdr) + 1 : len;
	if (off >= len || (hdr[off] != ' ' && hdr[off] != '\t'))
	    return (off);
    }
}

/* hdr_extract_any_resent - does the section name resent recipients? */

static int hdr_extract_any_resent(const char *hdr, size_t len)
{
    size_t  off;
    size_t  end;
    int     resent;

    for (off = 0; off < len; off = end) {
	end = hdr_extract_field_end(hdr, len, off);
	if (hdr_extract_kind(hdr + off, end - off, &resent) != HDR_OTHER && resent)
	    return (1);
    }
    return (0);
}

/* hdr_extract - see hdr_extract.h */

int     hdr_extract(const char *hdr, size_t len, ARGV *rcpts, DSTR *out, DSTR *err)
{
    int     use_resent = hdr_extract_any_resent(hdr, len);
    const char *colon;
    size_t  off;
    size_t  end;
    int     resent;
    int     kind;

    DSTR_RESET(out);
    for (off = 0; off < len; off = end) {
	end = hdr_extract_field_end(hdr, len, off);
	kind = hdr_extract_kind(hdr + off, end - off, &resent);
	if (kind != HDR_OTHER && resent == use_resent) {
	    colon = memchr(hdr + off, ':', end - off);
	    if (header_addr_list(colon + 1, (size_t) (hdr + end - colon - 1), rcpts)
		== HEADER_ADDR_BAD) {
		dstr_sprintf(err, "malformed address in the %.*s header field",
			     colon - hdr - off > 64 ? 64 : (int) (colon - hdr - off), hdr + off);
		return (-1);
	    }
	    if (rcpts->argc > HDR_EXTRACT_MAX_RCPT) {
		dstr_sprintf(err, "more than %d recipients in the header section",
			     HDR_EXTRACT_MAX_RCPT);
		return (-1);
	    }
	}
	if (kind != HDR_BCC)
	    dstr_cat(out, hdr + off, end - off);
    }
    return (0);
}
