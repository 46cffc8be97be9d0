/*
 * wire_enc - queue file bytes as SMTP puts them on the wire
 * DESCRIPTION
 *	The queue file holds the message as received: LF line ends, no dot
 *	stuffing. On the wire (RFC 5321 4.5.2, 2.3.8) every line ends in CR LF,
 *	a line that starts with "." gets another ".", and the content ends
 *	with "." on a line of its own. A CR that is not followed by LF is a
 *	line end too (a bare CR must not reach the server), and a CR LF in
 *	the content stays one line end. Lines longer than
 *	smtp_line_length_limit are folded with CR LF SPACE, as Postfix does,
 *	because that does less damage to MIME than cutting them. The encoder
 *	keeps its state between chunks, so content is converted as it is read
 *	with pread(), in any chunk size, with the same result.
 *
 *	posthorn-smtp(8) sends this; cleanup's DKIM signer hashes the same bytes
 *	(without the dot stuffing, which the receiver undoes), so a signature
 *	covers exactly what arrives (docs/design.md, "DKIM signing").
 */
#include <string.h>

#include "wire_enc.h"

/* wire_enc_init - start of content */

void    wire_enc_init(WIRE_ENC *enc, size_t line_limit, int dot_stuff)
{
    enc->limit = line_limit;
    enc->dot_stuff = dot_stuff;
    enc->col = 0;
    enc->line_start = 1;
    enc->pending_cr = 0;
}

/* wire_enc_eol - end the current line */

static void wire_enc_eol(WIRE_ENC *enc, DSTR *out)
{
    dstr_cat(out, "\r\n", 2);
    enc->col = 0;
    enc->line_start = 1;
}

/* wire_enc_feed - convert one chunk */

void    wire_enc_feed(WIRE_ENC *enc, const char *buf, size_t len, DSTR *out)
{
    const char *end = buf + len;
    const char *run;
    size_t  n;

    while (buf < end) {
	if (enc->pending_cr) {			/* CR LF or bare CR: one line end */
	    enc->pending_cr = 0;
	    wire_enc_eol(enc, out);
	    if (*buf == '\n') {
		buf++;
		continue;
	    }
	}
	if (*buf == '\r') {
	    enc->pending_cr = 1;
	    buf++;
	    continue;
	}
	if (*buf == '\n') {
	    wire_enc_eol(enc, out);
	    buf++;
	    continue;
	}
	if (enc->limit && enc->col >= enc->limit) {	/* fold: the space counts */
	    dstr_cat(out, "\r\n ", 3);
	    enc->col = 1;
	    enc->line_start = 0;
	}
	if (enc->dot_stuff && enc->line_start && *buf == '.')
	    dstr_catc(out, '.');		/* stuffing is not line content */
	enc->line_start = 0;
	/* Copy a run of ordinary bytes at once, up to the fold point. */
	for (run = buf; run < end && *run != '\r' && *run != '\n'; run++)
	     /* void */ ;
	n = (size_t) (run - buf);
	if (enc->limit && n > enc->limit - enc->col)
	    n = enc->limit - enc->col;
	dstr_cat(out, buf, n);
	enc->col += n;
	buf += n;
    }
}

/* wire_enc_end - end the last line if it is open */

void    wire_enc_end(WIRE_ENC *enc, DSTR *out)
{
    if (enc->pending_cr || !enc->line_start)
	wire_enc_eol(enc, out);
    enc->pending_cr = 0;
}

/* wire_enc_8bit - does the content need BODY=8BITMIME */

int     wire_enc_8bit(const char *buf, size_t len)
{
    const unsigned char *cp = (const unsigned char *) buf;
    size_t  i;

    for (i = 0; i < len; i++)
	if (cp[i] & 0x80)
	    return (1);
    return (0);
}
