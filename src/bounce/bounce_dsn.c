/*
 * bounce_dsn - compose one delivery status notification
 * DESCRIPTION
 *	A pure function from what happened (recipients with status, remote
 *	MTA, diagnostic and reason; the original message) to the text of a
 *	multipart/report (RFC 3464, RFC 6522) laid out as Postfix lays it
 *	out (docs/protocols.md §6.2), so that programs that parse Postfix's
 *	bounces (ezmlm-return, list managers, ticket systems) parse ours.
 *	Part 1 explains in plain words, part 2 is for machines, part 3 is the
 *	original or its header section. Every byte that came from outside
 *	(addresses, server replies) has its control characters replaced
 *	before it becomes part of a header or report line, so no peer can
 *	add a header or end a MIME part; long report lines are folded.
 *	Message-Id: and Date: are left to cleanup, which adds them.
 */
#include <stdio.h>
#include <string.h>

#include "bounce.h"
#include "cfg_params.h"
#include "timefmt.h"

#define BOUNCE_DSN_INDENT	"    "	/* continuation lines of folded text */

/* bounce_dsn_clean - append str with control characters replaced by repl */

static void bounce_dsn_clean(DSTR *out, const char *str, int repl)
{
    const unsigned char *cp;

    for (cp = (const unsigned char *) str; *cp; cp++)
	dstr_catc(out, *cp < 0x20 || *cp == 0x7f ? repl : *cp);
}

/* bounce_dsn_fold - "prefix text", folded at white space */

void    bounce_dsn_fold(DSTR *out, const char *prefix, const char *text)
{
    DSTR   *clean = dstr_new(256);
    const char *cp;
    const char *word;
    size_t  wlen;
    size_t  col;
    size_t  room;
    int     first = 1;

    bounce_dsn_clean(clean, text, ' ');
    dstr_cats(out, prefix);
    col = strlen(prefix);
    for (cp = dstr_str(clean); *(cp += strspn(cp, " ")) != 0; cp += wlen) {
	word = cp;
	wlen = strcspn(cp, " ");
	if (!first && col + 1 + wlen > BOUNCE_DSN_WIDTH) {
	    dstr_cats(out, "\n" BOUNCE_DSN_INDENT);
	    col = strlen(BOUNCE_DSN_INDENT);
	} else if (!first) {
	    dstr_catc(out, ' ');
	    col++;
	}
	first = 0;

	/*
	 * A word too long for any line (a URL, a base64 blob in a reply) is
	 * cut, since RFC 5322 lines end at 998 bytes; unfolding then puts
	 * white space into it, which is the lesser harm.
	 */
	while (col + wlen > BOUNCE_DSN_HARD_WIDTH) {
	    if (col < BOUNCE_DSN_HARD_WIDTH) {	/* else the prefix filled the line */
		room = BOUNCE_DSN_HARD_WIDTH - col;
		dstr_cat(out, word, room);
		word += room;
		wlen -= room;
		cp += room;
	    }
	    dstr_cats(out, "\n" BOUNCE_DSN_INDENT);
	    col = strlen(BOUNCE_DSN_INDENT);
	}
	dstr_cat(out, word, wlen);
	col += wlen;
    }
    dstr_catc(out, '\n');
    dstr_free(clean);
}

/* bounce_dsn_headers_only - attach the header section only? */

int     bounce_dsn_headers_only(int kind, int who, long content_size, long limit)
{
    return (kind == BOUNCE_KIND_DELAY || who == BOUNCE_TO_POSTMASTER
	    || content_size > limit);
}

/* bounce_dsn_header_len - where the header section ends */

size_t  bounce_dsn_header_len(const char *msg, size_t len)
{
    const char *cp = msg;
    const char *end = msg + len;
    const char *nl;

    while (cp < end) {
	if (*cp == '\n' || (*cp == '\r' && cp + 1 < end && cp[1] == '\n'))
	    return ((size_t) (cp - msg));	/* the empty line */
	if ((nl = memchr(cp, '\n', (size_t) (end - cp))) == NULL)
	    break;
	cp = nl + 1;
    }
    return (len);
}

/* bounce_dsn_subject - the Subject: text */

static const char *bounce_dsn_subject(const BOUNCE_DSN *dsn)
{
    if (dsn->kind == BOUNCE_KIND_DELAY)
	return (dsn->who == BOUNCE_TO_SENDER ? "Delayed Mail (still being retried)"
		: "Postmaster Warning: Delayed Mail");
    return (dsn->who == BOUNCE_TO_SENDER ? "Undelivered Mail Returned to Sender"
	    : "Postmaster Copy: Undelivered Mail");
}

/* bounce_dsn_age - "4.0 hours" or "2.5 days", for the delay text */

static void bounce_dsn_age(DSTR *out, long seconds)
{
    if (seconds < 0)
	seconds = 0;
    if (seconds < 2 * 86400)
	dstr_printf(out, "%.1f hours", seconds / 3600.0);
    else
	dstr_printf(out, "%.1f days", seconds / 86400.0);
}

/* bounce_dsn_text - part 1: for people */

static void bounce_dsn_text(DSTR *out, const BOUNCE_DSN *dsn)
{
    DSTR   *buf = dstr_new(256);
    size_t  i;

    dstr_printf(out, "This is the mail delivery system at host %s.\n\n", var_myhostname);
    if (dsn->who == BOUNCE_TO_2BOUNCE) {
	dstr_cats(out, "A delivery status notification (a message with the null sender)\n"
		  "could not be delivered. It cannot be returned to anyone, so it\n"
		  "comes to you, the postmaster. The reasons and the headers of the\n"
		  "notification follow.\n");
    } else if (dsn->who == BOUNCE_TO_POSTMASTER) {
	dstr_cats(out, "This is a copy for the postmaster. The report below went to the\n"
		  "sender <");
	bounce_dsn_clean(out, dsn->sender, '?');
	dstr_cats(out, ">; the headers of the message follow it.\n");
    } else if (dsn->kind == BOUNCE_KIND_DELAY) {
	dstr_cats(out, "This is only a warning: you do not need to send your message again.\n\n"
		  "Your message, queued ");
	bounce_dsn_age(out, dsn->now - dsn->arrival);
	dstr_cats(out, " ago, has not yet reached the recipients\n"
		  "listed below. The mail system will keep trying until\n");
	timefmt_rfc5322(out, (time_t) dsn->retry_until);
	dstr_cats(out, ",\nand will tell you if it has to give up.\n");
    } else {
	dstr_cats(out, "Your message could not be delivered to one or more of its\n"
		  "recipients.");
	if (dsn->expired)
	    dstr_cats(out, " Delivery was retried until the message was too old\n"
		      "to keep; the last problem seen for each recipient is listed\n"
		      "below.");
	else
	    dstr_cats(out, " The reasons are listed below.");
	dstr_cats(out, " The message is attached.\n\n"
		  "If you need help, write to your postmaster and include this\n"
		  "report. You may remove your own text from the returned message.\n");
    }
    dstr_printf(out, "\n%19sThe %s mail system\n\n", "", var_mail_name);
    for (i = 0; i < dsn->nrcpt; i++) {
	DSTR_RESET(buf);
	dstr_catc(buf, '<');
	bounce_dsn_clean(buf, dsn->rcpts[i].address, '?');
	dstr_cats(buf, ">: ");
	bounce_dsn_fold(out, dstr_str(buf), *dsn->rcpts[i].reason ? dsn->rcpts[i].reason
			: *dsn->rcpts[i].diagnostic ? dsn->rcpts[i].diagnostic
			: "no reason recorded");
	dstr_catc(out, '\n');
    }
    dstr_free(buf);
}

/* bounce_dsn_report - part 2: for machines */

static void bounce_dsn_report(DSTR *out, const BOUNCE_DSN *dsn)
{
    const BOUNCE_RCPT *rcpt;
    DSTR   *buf = dstr_new(256);
    size_t  i;

    dstr_printf(out, "Reporting-MTA: dns; %s\n", var_myhostname);
    dstr_printf(out, "X-Postfix-Queue-ID: %s\n", dsn->queue_id);
    if (*dsn->sender) {
	dstr_cats(out, "X-Postfix-Sender: rfc822; ");
	bounce_dsn_clean(out, dsn->sender, '?');
	dstr_catc(out, '\n');
    }
    dstr_cats(out, "Arrival-Date: ");
    timefmt_rfc5322(out, (time_t) dsn->arrival);
    dstr_catc(out, '\n');
    for (i = 0; i < dsn->nrcpt; i++) {
	rcpt = dsn->rcpts + i;
	dstr_cats(out, "\nFinal-Recipient: rfc822; ");
	bounce_dsn_clean(out, rcpt->address, '?');
	dstr_cats(out, "\nOriginal-Recipient: rfc822;");
	bounce_dsn_clean(out, rcpt->address, '?');
	dstr_printf(out, "\nAction: %s\n", dsn->kind == BOUNCE_KIND_DELAY ? "delayed" : "failed");
	dstr_cats(out, "Status: ");
	bounce_dsn_clean(out, rcpt->status, '?');
	dstr_catc(out, '\n');
	if (*rcpt->remote_mta) {
	    dstr_strcpy(buf, "dns; ");
	    dstr_cats(buf, rcpt->remote_mta);
	    bounce_dsn_fold(out, "Remote-MTA: ", dstr_str(buf));
	}
	if (*rcpt->diagnostic) {
	    bounce_dsn_fold(out, "Diagnostic-Code: ", rcpt->diagnostic);
	} else {
	    dstr_strcpy(buf, "X-Postfix; ");
	    dstr_cats(buf, *rcpt->reason ? rcpt->reason : "no reason recorded");
	    bounce_dsn_fold(out, "Diagnostic-Code: ", dstr_str(buf));
	}
	if (dsn->kind == BOUNCE_KIND_DELAY) {
	    dstr_cats(out, "Will-Retry-Until: ");
	    timefmt_rfc5322(out, (time_t) dsn->retry_until);
	    dstr_catc(out, '\n');
	}
    }
    dstr_free(buf);
}

/* bounce_dsn_has_8bit - any byte over 127? */

static int bounce_dsn_has_8bit(const char *buf, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++)
	if ((unsigned char) buf[i] & 0x80)
	    return (1);
    return (0);
}

/* bounce_dsn_compose - the whole notification */

void    bounce_dsn_compose(DSTR *out, const BOUNCE_DSN *dsn)
{
    DSTR   *boundary = dstr_new(64);
    DSTR   *text = dstr_new(1024);
    DSTR   *report = dstr_new(1024);
    size_t  orig_len = dsn->orig_len;
    int     text8;
    int     orig8;

    if (dsn->headers_only)
	orig_len = bounce_dsn_header_len(dsn->orig, dsn->orig_len);
    /* RFC 2046 boundary characters only: queue ids and host names qualify. */
    dstr_sprintf(boundary, "%s.%ld/", dsn->queue_id, dsn->now);
    bounce_dsn_clean(boundary, var_myhostname, '?');
    bounce_dsn_text(text, dsn);
    bounce_dsn_report(report, dsn);
    text8 = bounce_dsn_has_8bit(dstr_str(text), dstr_len(text));
    orig8 = bounce_dsn_has_8bit(dsn->orig, orig_len);

    /* The message header. */
    dstr_printf(out, "Received: by %s (%s)\n\tid %s; ", var_myhostname, var_mail_name,
		dsn->new_id);
    timefmt_rfc5322(out, (time_t) dsn->now);
    dstr_printf(out, "\nFrom: Mail Delivery System <MAILER-DAEMON@%s>\n", var_myhostname);
    dstr_printf(out, "Subject: %s\n", bounce_dsn_subject(dsn));
    dstr_cats(out, "To: <");
    bounce_dsn_clean(out, dsn->to, '?');
    dstr_cats(out, ">\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n");
    dstr_printf(out, "Content-Type: multipart/report; report-type=delivery-status;\n"
		"\tboundary=\"%s\"\n", dstr_str(boundary));
    dstr_printf(out, "Content-Transfer-Encoding: %s\n\n",
		text8 || orig8 || bounce_dsn_has_8bit(dstr_str(report), dstr_len(report)) ?
		"8bit" : "7bit");
    dstr_cats(out, "This is a MIME-encapsulated message.\n\n");

    /* Part 1. */
    dstr_printf(out, "--%s\nContent-Description: Notification\n"
		"Content-Type: text/plain; charset=%s\n\n", dstr_str(boundary),
		text8 ? "utf-8" : "us-ascii");
    dstr_cat(out, dstr_str(text), dstr_len(text));

    /* Part 2. */
    dstr_printf(out, "\n--%s\nContent-Description: Delivery report\n"
		"Content-Type: message/delivery-status\n\n", dstr_str(boundary));
    dstr_cat(out, dstr_str(report), dstr_len(report));

    /* Part 3: the original, or its header section. */
    dstr_printf(out, "\n--%s\nContent-Description: %s\nContent-Type: %s\n",
		dstr_str(boundary),
		dsn->headers_only ? "Undelivered Message Headers" : "Undelivered Message",
		dsn->headers_only ? "text/rfc822-headers" : "message/rfc822");
    if (orig8)
	dstr_cats(out, "Content-Transfer-Encoding: 8bit\n");
    dstr_cats(out, "\nReturn-Path: <");
    bounce_dsn_clean(out, dsn->sender, '?');
    dstr_cats(out, ">\n");
    dstr_cat(out, dsn->orig, orig_len);
    if (orig_len > 0 && dsn->orig[orig_len - 1] != '\n')
	dstr_catc(out, '\n');
    dstr_printf(out, "\n--%s--\n", dstr_str(boundary));

    dstr_free(boundary);
    dstr_free(text);
    dstr_free(report);
}
