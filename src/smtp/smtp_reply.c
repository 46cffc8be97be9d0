/*
 * smtp_reply - read and understand SMTP server replies
 * DESCRIPTION
 *	A reply is one or more lines "DDD-text" ended by "DDD text" (or a bare
 *	"DDD"). The whole text is kept for logs and bounces, within limits, so
 *	a hostile server cannot make us buffer without bound: a line is cut at
 *	SMTP_REPLY_LINE_MAX (the rest is read and dropped), the stored text at
 *	SMTP_REPLY_TEXT_MAX, and more than SMTP_REPLY_LINES_MAX lines make the
 *	reply a protocol error. As in Postfix, a line without a code does not
 *	end the reply; it is kept and flagged. The enhanced status code (RFC
 *	3463) is taken from the last line when its class matches the reply
 *	code, else derived as X.0.0. Also here: the EHLO keyword parser.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"
#include "mymalloc.h"
#include "strutil.h"

/* smtp_reply_new - empty reply */

SMTP_REPLY *smtp_reply_new(void)
{
    SMTP_REPLY *reply = mycalloc(1, sizeof(*reply));

    reply->text = dstr_new(256);
    return (reply);
}

/* smtp_reply_free - release */

SMTP_REPLY *smtp_reply_free(SMTP_REPLY *reply)
{
    if (reply) {
	dstr_free(reply->text);
	free(reply);
    }
    return (NULL);
}

/* smtp_reply_reset - ready for the next reply */

void    smtp_reply_reset(SMTP_REPLY *reply)
{
    reply->code = 0;
    reply->dsn[0] = 0;
    reply->lines = 0;
    reply->flags = 0;
    DSTR_RESET(reply->text);
}

/* smtp_reply_line - what kind of reply line is this */

int     smtp_reply_line(const char *line, size_t len, int *code)
{
    if (len < 3 || !isdigit((unsigned char) line[0]) || !isdigit((unsigned char) line[1])
	|| !isdigit((unsigned char) line[2]))
	return (SMTP_LINE_GARBAGE);
    if (len > 3 && line[3] != '-' && line[3] != ' ')
	return (SMTP_LINE_GARBAGE);		/* "2500 ..." is no code */
    *code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    return (len > 3 && line[3] == '-' ? SMTP_LINE_MORE : SMTP_LINE_LAST);
}

/* smtp_reply_esc - enhanced status code at the start of text (len bytes) */

int     smtp_reply_esc(const char *text, size_t len, int code, char dsn[16])
{
    const char *cp = text;
    const char *end = text + len;
    int     part;
    int     digits;

    if (code < 200 || code > 599 || len < 5 || (*cp != '2' && *cp != '4' && *cp != '5')
	|| *cp - '0' != code / 100 || cp[1] != '.')
	return (-1);
    cp += 2;
    for (part = 0; part < 2; part++) {		/* subject, then detail: 1-3 digits */
	for (digits = 0; cp < end && isdigit((unsigned char) *cp); cp++)
	    if (++digits > 3)
		return (-1);
	if (digits == 0 || (part == 0 && (cp == end || *cp++ != '.')))
	    return (-1);
    }
    if (cp < end && *cp != ' ' && *cp != '\t')
	return (-1);
    memcpy(dsn, text, (size_t) (cp - text));
    dsn[cp - text] = 0;
    return (0);
}

/* smtp_reply_store - keep one line's text, within the reply limit */

static void smtp_reply_store(SMTP_REPLY *reply, const char *line, size_t len)
{
    size_t  room;

    if (reply->lines > 0 && dstr_len(reply->text) < SMTP_REPLY_TEXT_MAX)
	dstr_catc(reply->text, '\n');
    room = SMTP_REPLY_TEXT_MAX - (dstr_len(reply->text) < SMTP_REPLY_TEXT_MAX ?
				  dstr_len(reply->text) : SMTP_REPLY_TEXT_MAX);
    if (len > room) {
	len = room;
	reply->flags |= SMTP_REPLY_FLAG_TRUNC;
    }
    dstr_cat(reply->text, line, len);
    reply->lines++;
}

/* smtp_reply_add - one more line */

int     smtp_reply_add(SMTP_REPLY *reply, const char *line, size_t len)
{
    int     code = 0;
    int     kind;

    if (reply->lines >= SMTP_REPLY_LINES_MAX)
	return (SMTP_ADD_TOO_MANY);
    if (len > SMTP_REPLY_LINE_MAX) {
	len = SMTP_REPLY_LINE_MAX;
	reply->flags |= SMTP_REPLY_FLAG_TRUNC;
    }
    kind = smtp_reply_line(line, len, &code);
    smtp_reply_store(reply, line, len);
    if (kind == SMTP_LINE_GARBAGE) {
	reply->flags |= SMTP_REPLY_FLAG_GARBAGE;
	return (SMTP_ADD_MORE);
    }
    if (kind == SMTP_LINE_MORE)
	return (SMTP_ADD_MORE);
    reply->code = code >= 200 && code <= 599 ? code : 0;
    if (reply->code == 0)
	reply->flags |= SMTP_REPLY_FLAG_GARBAGE;
    /* The status code of the last line, or one derived from the reply code. */
    if (reply->code == 0) {
	strcpy(reply->dsn, "4.5.0");
    } else if (len <= 4 || smtp_reply_esc(line + 4, len - 4, reply->code, reply->dsn) < 0) {
	reply->dsn[0] = (char) ('0' + reply->code / 100);
	strcpy(reply->dsn + 1, ".0.0");
    }
    return (SMTP_ADD_DONE);
}

/* smtp_reply_parse - one reply from memory */

ssize_t smtp_reply_parse(const char *buf, size_t len, SMTP_REPLY *reply)
{
    const char *start = buf;
    const char *nl;
    size_t  llen;
    int     rc;

    smtp_reply_reset(reply);
    while ((nl = memchr(buf, '\n', len - (size_t) (buf - start))) != NULL) {
	llen = (size_t) (nl - buf);
	if (llen > 0 && buf[llen - 1] == '\r')
	    llen--;
	rc = smtp_reply_add(reply, buf, llen);
	buf = nl + 1;
	if (rc == SMTP_ADD_DONE)
	    return ((ssize_t) (buf - start));
	if (rc == SMTP_ADD_TOO_MANY)
	    return (-1);
    }
    return (0);
}

/* smtp_reply_drain - skip the rest of an over-long line */

static int smtp_reply_drain(IOS *ios)
{
    size_t  skipped;
    int     ch;

    for (skipped = 0; skipped < SMTP_REPLY_DRAIN_MAX; skipped++) {
	if ((ch = ios_getc(ios)) == IOS_EOF)
	    return (-1);
	if (ch == '\n')
	    return (0);
    }
    return (-1);
}

/* smtp_reply_read - one reply from a stream */

int     smtp_reply_read(IOS *ios, SMTP_REPLY *reply)
{
    DSTR   *line = dstr_new(256);
    int     rc;
    int     ret = -1;

    smtp_reply_reset(reply);
    for (;;) {
	rc = ios_get_line(ios, line, SMTP_REPLY_LINE_MAX, 1);
	if (rc == IOS_EOF || rc == IOS_LINE_LAST)
	    break;				/* an unterminated last line is no reply */
	if (rc == IOS_LINE_PART) {
	    reply->flags |= SMTP_REPLY_FLAG_TRUNC;
	    if (smtp_reply_drain(ios) < 0)
		break;
	}
	if ((rc = smtp_reply_add(reply, dstr_str(line), dstr_len(line))) == SMTP_ADD_DONE) {
	    ret = 0;
	    break;
	}
	if (rc == SMTP_ADD_TOO_MANY)
	    break;
    }
    dstr_free(line);
    return (ret);
}

/* smtp_reply_str - printable one-line form */

const char *smtp_reply_str(const SMTP_REPLY *reply, DSTR *out)
{
    const unsigned char *cp = (const unsigned char *) dstr_str(reply->text);
    size_t  i;

    DSTR_RESET(out);
    for (i = 0; i < dstr_len(reply->text); i++) {
	if (cp[i] == '\n' || cp[i] == '\r' || cp[i] == '\t')
	    dstr_catc(out, ' ');
	else if (cp[i] < 0x20 || cp[i] == 0x7f)
	    dstr_catc(out, '?');
	else
	    dstr_catc(out, cp[i]);
    }
    return (dstr_str(out));
}

/* smtp_ehlo_keyword - one EHLO line's keyword and arguments */

static int smtp_ehlo_keyword(const char *kw, size_t len, const char *args, long *size_limit)
{
    static const struct {
	const char *name;
	int     feature;
    }       table[] = {
	{"PIPELINING", SMTP_FEAT_PIPELINING},
	{"SIZE", SMTP_FEAT_SIZE},
	{"8BITMIME", SMTP_FEAT_8BITMIME},
	{"ENHANCEDSTATUSCODES", SMTP_FEAT_ESC},
	{"STARTTLS", SMTP_FEAT_STARTTLS},
	{"DSN", SMTP_FEAT_DSN},
	{"SMTPUTF8", SMTP_FEAT_SMTPUTF8},
	{"AUTH", SMTP_FEAT_AUTH},
	{0, 0},
    };
    long    n;
    int     i;
    char   *end;

    for (i = 0; table[i].name; i++) {
	if (strlen(table[i].name) != len || strncasecmp(kw, table[i].name, len) != 0)
	    continue;
	if (table[i].feature == SMTP_FEAT_SIZE) {
	    n = strtol(args, &end, 10);
	    *size_limit = (end != args && n > 0 && (*end == 0 || *end == ' ')) ? n : 0;
	}
	return (table[i].feature);
    }
    return (0);
}

/* smtp_ehlo_parse - features from an EHLO reply */

int     smtp_ehlo_parse(const SMTP_REPLY *reply, long *size_limit, DSTR *server_name)
{
    const char *cp = dstr_str(reply->text);
    const char *eol;
    const char *kw;
    const char *kw_end;
    int     features = SMTP_FEAT_ESMTP;
    int     first = 1;

    *size_limit = 0;
    DSTR_RESET(server_name);
    for (; *cp; cp = *eol ? eol + 1 : eol) {
	if ((eol = strchr(cp, '\n')) == NULL)
	    eol = cp + strlen(cp);
	if (eol - cp < 4)
	    continue;
	kw = cp + 4;
	for (kw_end = kw; kw_end < eol && *kw_end != ' ' && *kw_end != '\t'; kw_end++)
	     /* void */ ;
	if (first) {				/* "250-name greeting" */
	    dstr_cat(server_name, kw, (size_t) (kw_end - kw));
	    first = 0;
	    continue;
	}
	{
	    DSTR   *args = dstr_new(32);

	    if (kw_end < eol)
		dstr_cat(args, kw_end + 1, (size_t) (eol - kw_end - 1));
	    features |= smtp_ehlo_keyword(kw, (size_t) (kw_end - kw), dstr_str(args), size_limit);
	    dstr_free(args);
	}
    }
    return (features);
}
