/* wire_enc - queue file content to the bytes SMTP sends (CR LF, folding, dot stuffing) */
#ifndef WIRE_ENC_H
#define WIRE_ENC_H
#include <stddef.h>
#include "dstr.h"

typedef struct WIRE_ENC {
    size_t  limit;			/* fold longer lines; 0: never */
    size_t  col;			/* bytes on the current output line */
    int     line_start;
    int     pending_cr;			/* a CR ended the previous chunk */
    int     dot_stuff;			/* double a "." that starts a line */
} WIRE_ENC;

/*
 * Start converting one message. line_limit is smtp_line_length_limit (0:
 * never fold); dot_stuff is 1 for the DATA stream, 0 for what the receiver
 * ends up with (the DKIM signer hashes that).
 */
extern void wire_enc_init(WIRE_ENC *enc, size_t line_limit, int dot_stuff);
/* Append the wire form of buf to out; chunks may split anything. */
extern void wire_enc_feed(WIRE_ENC *enc, const char *buf, size_t len, DSTR *out);
/* End the last line with CR LF if the content left it open. */
extern void wire_enc_end(WIRE_ENC *enc, DSTR *out);
/* Any byte with the high bit set (the content needs BODY=8BITMIME)? */
extern int wire_enc_8bit(const char *buf, size_t len);

#endif
