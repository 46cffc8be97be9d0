/*
 * cleanup_header - the header pass
 * DESCRIPTION
 *	Looks at the header section as it streams past: counts Received:
 *	headers against hopcount_limit, notes Message-Id:, Date: and From:,
 *	turns an mbox "From " line into X-Mailbox-Line:, caps each header at
 *	header_size_limit (the excess is dropped, as Postfix does), and adds
 *	the missing headers where the section ends. The body is not scanned
 *	at all: it goes to the queue file in the pieces it arrived in.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cleanup.h"
#include "cfg_params.h"
#include "mymalloc.h"
#include "msg.h"
#include "qid.h"
#include "timefmt.h"

#define HDR_UNKNOWN	0		/* not enough bytes to tell */
#define HDR_FIELD	1		/* "Name: value" */
#define HDR_CONT	2		/* continuation of the previous field */
#define HDR_MBOX	3		/* "From " line before any real header */
#define HDR_EMPTY	4		/* the blank line that ends the section */
#define HDR_BODY	5		/* anything else: the body starts here */

#define HDR_NAME_MAX	998		/* a longer "name" is no header name */
#define HDR_ID_MAX	250		/* Message-Id kept for logging */

struct CLEANUP_HDR {
    QFILE_OUT *out;
    CLEANUP_DKIM *dkim;			/* NULL: not signing */
    char    qid[QID_SIZE];
    char   *sender;			/* NULL: unknown, no From: added */
    char   *full_name;			/* NULL: none; else the added From:'s phrase */
    int     hop_limit;
    size_t  header_limit;
    int     in_body;
    int     kind;			/* HDR_* of the line being read */
    DSTR   *line;			/* the current physical line */
    size_t  field_len;			/* bytes kept of the current field */
    int     dropping;			/* current field is over the limit */
    int     fields;			/* header fields other than Received: */
    int     any_field;
    int     hops;
    int     seen_id;
    int     seen_date;
    int     seen_from;
    DSTR   *message_id;
};

/* cleanup_hdr_new - start */

CLEANUP_HDR *cleanup_hdr_new(QFILE_OUT *out, CLEANUP_DKIM *dkim, const char *qid,
			             const char *sender, int hop_limit, size_t header_limit)
{
    CLEANUP_HDR *hdr = mycalloc(1, sizeof(*hdr));

    hdr->out = out;
    hdr->dkim = dkim;
    strncpy(hdr->qid, qid, QID_LEN);
    hdr->sender = sender ? mystrdup(sender) : NULL;
    hdr->hop_limit = hop_limit;
    hdr->header_limit = header_limit;
    hdr->line = dstr_new(256);
    hdr->message_id = dstr_new(64);
    return (hdr);
}

/* cleanup_hdr_free - release */

void    cleanup_hdr_free(CLEANUP_HDR *hdr)
{
    dstr_free(hdr->line);
    dstr_free(hdr->message_id);
    free(hdr->sender);
    free(hdr->full_name);
    free(hdr);
}

/* cleanup_hdr_put - header section bytes: to the signer, which holds them, or the file */

static void cleanup_hdr_put(CLEANUP_HDR *hdr, const char *buf, size_t len)
{
    if (hdr->dkim)
	cleanup_dkim_head(hdr->dkim, buf, len);
    else
	qfile_out_content(hdr->out, buf, len);
}

/* cleanup_hdr_put_body - body bytes */

static void cleanup_hdr_put_body(CLEANUP_HDR *hdr, const char *buf, size_t len)
{
    if (hdr->dkim)
	cleanup_dkim_body(hdr->dkim, buf, len);
    else
	qfile_out_content(hdr->out, buf, len);
}

/* cleanup_hdr_head_end - the header section, added fields and the empty line are out */

static void cleanup_hdr_head_end(CLEANUP_HDR *hdr)
{
    hdr->in_body = 1;
    if (hdr->dkim)
	cleanup_dkim_head_end(hdr->dkim);
}

/* cleanup_hdr_classify - what kind of line starts with these bytes? */

static int cleanup_hdr_classify(const CLEANUP_HDR *hdr, const char *s, size_t len)
{
    size_t  i;

    if (len == 0)
	return (HDR_UNKNOWN);
    if (s[0] == '\n' || (s[0] == '\r' && len > 1 && s[1] == '\n'))
	return (HDR_EMPTY);
    if (s[0] == '\r' && len == 1)
	return (HDR_UNKNOWN);
    if (s[0] == ' ' || s[0] == '\t')
	return (hdr->any_field ? HDR_CONT : HDR_BODY);
    if (hdr->fields == 0 && (len >= 5 || memchr(s, '\n', len))) {
	if (strncmp(s, "From ", len < 5 ? len : 5) == 0 && len >= 5)
	    return (HDR_MBOX);
    }
    for (i = 0; i < len && i < HDR_NAME_MAX; i++) {
	unsigned char c = (unsigned char) s[i];

	if (c == ':')
	    return (i > 0 ? HDR_FIELD : HDR_BODY);
	if (c == ' ' || c == '\t') {		/* obsolete "Name : value" */
	    while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	    if (i == len)
		return (HDR_UNKNOWN);
	    return (s[i] == ':' && i > 0 ? HDR_FIELD : HDR_BODY);
	}
	if (c < 33 || c > 126)
	    return (HDR_BODY);
    }
    return (i >= HDR_NAME_MAX ? HDR_BODY : HDR_UNKNOWN);
}

/* cleanup_hdr_name_is - case-insensitive field name test */

int     cleanup_hdr_name_is(const char *field, size_t len, const char *name)
{
    size_t  n = strlen(name);

    if (len <= n || strncasecmp(field, name, n) != 0)
	return (0);
    while (n < len && (field[n] == ' ' || field[n] == '\t'))
	n++;
    return (n < len && field[n] == ':');
}

/* cleanup_hdr_note - remember what a field tells us */

static void cleanup_hdr_note(CLEANUP_HDR *hdr, const char *line, size_t len)
{
    const char *val;
    size_t  vlen;

    if (cleanup_hdr_name_is(line, len, "Received")) {
	hdr->hops++;
	return;
    }
    hdr->fields++;
    if (cleanup_hdr_name_is(line, len, "Date")) {
	hdr->seen_date = 1;
    } else if (cleanup_hdr_name_is(line, len, "From")) {
	hdr->seen_from = 1;
    } else if (cleanup_hdr_name_is(line, len, "Message-Id")) {
	hdr->seen_id = 1;
	val = memchr(line, ':', len) + 1;
	vlen = len - (size_t) (val - line);
	while (vlen > 0 && (*val == ' ' || *val == '\t'))
	    val++, vlen--;
	while (vlen > 0 && (val[vlen - 1] == '\n' || val[vlen - 1] == '\r'
			    || val[vlen - 1] == ' '))
	    vlen--;
	dstr_memcpy(hdr->message_id, val, vlen > HDR_ID_MAX ? HDR_ID_MAX : vlen);
    }
}

/* cleanup_hdr_full_name - sendmail -F's name, for an added From: */

void    cleanup_hdr_full_name(CLEANUP_HDR *hdr, const char *name)
{
    free(hdr->full_name);
    hdr->full_name = *name ? mystrdup(name) : NULL;
}

/* cleanup_hdr_phrase - a display name as an RFC 5322 phrase */

static void cleanup_hdr_phrase(DSTR *out, const char *name)
{
    static const char atext[] = "!#$%&'*+-/=?^_`{|}~ ";
    const unsigned char *cp;
    int     plain = 1;

    for (cp = (const unsigned char *) name; *cp; cp++)
	if (!(*cp < 0x80 && (isalnum(*cp) || strchr(atext, *cp))))
	    plain = 0;
    if (plain) {
	dstr_cats(out, name);
	return;
    }
    dstr_catc(out, '"');
    for (cp = (const unsigned char *) name; *cp; cp++) {
	if (*cp < 0x20 || *cp == 0x7f)
	    continue;				/* never a line break in a header */
	if (*cp == '"' || *cp == '\\')
	    dstr_catc(out, '\\');
	dstr_catc(out, (char) *cp);
    }
    dstr_catc(out, '"');
}

/* cleanup_hdr_add_missing - the end of the header section */

static void cleanup_hdr_add_missing(CLEANUP_HDR *hdr)
{
    DSTR   *buf = dstr_new(256);
    char    stamp[32];
    time_t  now = time((time_t *) 0);
    struct tm tm;

    if (!hdr->seen_id) {
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	dstr_sprintf(hdr->message_id, "<%s.%s@%s>", stamp, hdr->qid, var_myhostname);
	dstr_printf(buf, "Message-Id: %s\n", dstr_str(hdr->message_id));
    }
    if (!hdr->seen_date) {
	dstr_cats(buf, "Date: ");
	timefmt_rfc5322(buf, now);
	dstr_catc(buf, '\n');
    }
    if (!hdr->seen_from && hdr->sender && *hdr->sender && hdr->full_name) {
	dstr_cats(buf, "From: ");
	cleanup_hdr_phrase(buf, hdr->full_name);
	dstr_printf(buf, " <%s>\n", hdr->sender);
    } else if (!hdr->seen_from && hdr->sender) {
	dstr_printf(buf, "From: %s\n", *hdr->sender ? hdr->sender : var_empty_addr);
    }
    cleanup_hdr_put(hdr, dstr_str(buf), dstr_len(buf));
    dstr_free(buf);
}

/* cleanup_hdr_line - a complete header-section line (LF included) */

static void cleanup_hdr_line(CLEANUP_HDR *hdr)
{
    const char *s = dstr_str(hdr->line);
    size_t  len = dstr_len(hdr->line);

    switch (hdr->kind) {
    case HDR_MBOX:
	cleanup_hdr_put(hdr, "X-Mailbox-Line: ", 16);
	hdr->any_field = 1;
	hdr->fields++;
	hdr->field_len = len + 16;
	hdr->dropping = 0;
	break;
    case HDR_FIELD:
	cleanup_hdr_note(hdr, s, len);
	hdr->any_field = 1;
	hdr->field_len = len;
	hdr->dropping = 0;
	break;
    case HDR_CONT:
	if (hdr->dropping || hdr->field_len + len > hdr->header_limit) {
	    hdr->dropping = 1;
	    DSTR_RESET(hdr->line);
	    return;
	}
	hdr->field_len += len;
	break;
    }
    cleanup_hdr_put(hdr, s, len);
    DSTR_RESET(hdr->line);
}

/* cleanup_hdr_to_body - the line being read is not part of the header section */

static void cleanup_hdr_to_body(CLEANUP_HDR *hdr, int kind)
{
    cleanup_hdr_add_missing(hdr);
    if (kind == HDR_BODY) {			/* keep the required separator */
	cleanup_hdr_put(hdr, "\n", 1);
	cleanup_hdr_head_end(hdr);
	cleanup_hdr_put_body(hdr, dstr_str(hdr->line), dstr_len(hdr->line));
    } else {					/* the empty line is the separator */
	cleanup_hdr_put(hdr, dstr_str(hdr->line), dstr_len(hdr->line));
	cleanup_hdr_head_end(hdr);
    }
    DSTR_RESET(hdr->line);
}

/* cleanup_hdr_cap - a field line just recognised keeps at most header_limit bytes */

static void cleanup_hdr_cap(CLEANUP_HDR *hdr, int has_nl)
{
    size_t  body = dstr_len(hdr->line) - (has_nl ? 1 : 0);

    if ((hdr->kind != HDR_FIELD && hdr->kind != HDR_MBOX && hdr->kind != HDR_CONT)
	|| body <= hdr->header_limit)
	return;
    dstr_truncate(hdr->line, hdr->header_limit);
    if (has_nl)
	(void) dstr_catc(hdr->line, '\n');
}

/* cleanup_hdr_feed - content bytes */

void    cleanup_hdr_feed(CLEANUP_HDR *hdr, const char *buf, size_t len)
{
    const char *nl;
    size_t  take;
    size_t  room;

    while (len > 0 && !hdr->in_body) {
	nl = memchr(buf, '\n', len);
	take = nl ? (size_t) (nl - buf) + 1 : len;
	if (hdr->kind == HDR_UNKNOWN || hdr->kind == HDR_EMPTY || hdr->kind == HDR_BODY) {
	    (void) dstr_cat(hdr->line, buf, take);
	} else {				/* a field: keep at most header_limit */
	    room = hdr->header_limit > dstr_len(hdr->line) ?
		hdr->header_limit - dstr_len(hdr->line) : 0;
	    (void) dstr_cat(hdr->line, buf, take - (nl != NULL) < room ?
			    take - (nl != NULL) : room);
	    if (nl)
		(void) dstr_catc(hdr->line, '\n');
	}
	buf += take;
	len -= take;
	if (hdr->kind == HDR_UNKNOWN) {
	    hdr->kind = cleanup_hdr_classify(hdr, dstr_str(hdr->line), dstr_len(hdr->line));
	    cleanup_hdr_cap(hdr, nl != NULL);
	}
	if (hdr->kind == HDR_EMPTY || hdr->kind == HDR_BODY) {
	    if (hdr->kind == HDR_EMPTY && !nl)
		continue;			/* "\r" without "\n" yet */
	    cleanup_hdr_to_body(hdr, hdr->kind);
	    break;
	}
	if (nl) {
	    if (hdr->kind == HDR_UNKNOWN)	/* a short line: decide now */
		hdr->kind = HDR_BODY;
	    if (hdr->kind == HDR_BODY) {
		cleanup_hdr_to_body(hdr, HDR_BODY);
		break;
	    }
	    cleanup_hdr_line(hdr);
	    hdr->kind = HDR_UNKNOWN;
	}
    }
    if (len > 0)
	cleanup_hdr_put_body(hdr, buf, len);
}

/* cleanup_hdr_finish - end of content */

void    cleanup_hdr_finish(CLEANUP_HDR *hdr)
{
    if (hdr->in_body)
	return;
    if (dstr_len(hdr->line) > 0) {		/* last line without LF */
	(void) dstr_catc(hdr->line, '\n');
	if (hdr->kind == HDR_UNKNOWN)
	    hdr->kind = cleanup_hdr_classify(hdr, dstr_str(hdr->line), dstr_len(hdr->line));
	if (hdr->kind == HDR_FIELD || hdr->kind == HDR_CONT || hdr->kind == HDR_MBOX) {
	    cleanup_hdr_line(hdr);
	} else {
	    cleanup_hdr_to_body(hdr, hdr->kind == HDR_EMPTY ? HDR_EMPTY : HDR_BODY);
	    return;
	}
    }
    cleanup_hdr_add_missing(hdr);
    cleanup_hdr_head_end(hdr);
}

/* cleanup_hdr_too_many_hops - hop count check */

int     cleanup_hdr_too_many_hops(const CLEANUP_HDR *hdr)
{
    return (hdr->hops > hdr->hop_limit);
}

/* cleanup_hdr_message_id - for the log */

const char *cleanup_hdr_message_id(const CLEANUP_HDR *hdr)
{
    return (dstr_str(hdr->message_id));
}
