/*
 * check_bounce_dsn - unit tests for the notification composer and its routing
 * DESCRIPTION
 *	bounce_dsn_compose() is a pure function, so each test composes one
 *	notice and looks at its text: the top-level header fields of
 *	protocols.md §6.2 (and no Message-Id:/Date:, which cleanup adds),
 *	the boundary "QUEUEID.UNIXTIME/myhostname" opening three parts in
 *	order and closing once, the per-message and per-recipient fields of
 *	the delivery-status part, the original with Return-Path: and its
 *	lines as stored, headers only over bounce_size_limit and for delay
 *	warnings, folding of long diagnostics, and that nothing a peer sent
 *	can start a header line. bounce_route_*() decide the addresses: VERP
 *	expansion per failed recipient, the double bounce to the postmaster
 *	or nowhere, the double-bounce sender never getting a notice, and the
 *	postmaster copies that notify_classes asks for.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bounce/bounce.h"
#include "cfg_params.h"
#include "dstr.h"

#define QID	"0S44WE80000ABCDE"
#define NEWID	"0S44WF10000XYZ12"
#define ARRIVAL	1715677201L			/* Tue, 14 May 2024 09:00:01 UTC */
#define NOW	(ARRIVAL + 3600)
#define BOUNDARY QID ".1715680801/mx.example.net"
#define ORIG	"Received: from client.example.org\n\tby mx.example.net\n" \
		"Subject: hi\nFrom: alice@example.org\n\nHello\n.\n-- \nAlice\n"

static const BOUNCE_RCPT rcpt_failed = {
    "nobody@host.test", 412, "5.1.1", "failed", "mx1.host.test",
    "smtp; 550 5.1.1 <nobody@host.test>: no such user",
    "host mx1.host.test[192.0.2.1] said: 550 5.1.1 <nobody@host.test>: no such user "
    "(in reply to RCPT TO command)",
};

/* setup - parameters the composer and the routes read */

static void setup(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    var_myhostname = "mx.example.net";
    var_myorigin = "example.net";
    var_mail_name = "posthorn";
    var_double_bounce_sender = "double-bounce";
    var_notify_classes = "resource, software";
    var_bounce_rcpt = "postmaster";
    var_2bounce_rcpt = "2bounce-admin";
    var_delay_rcpt = "delay-admin";
    var_disable_verp_bounces = 0;
}

/* dsn_default - a failure notice for one recipient to the sender */

static BOUNCE_DSN dsn_default(void)
{
    BOUNCE_DSN dsn;

    memset(&dsn, 0, sizeof(dsn));
    dsn.kind = BOUNCE_KIND_FAILURE;
    dsn.who = BOUNCE_TO_SENDER;
    dsn.queue_id = QID;
    dsn.new_id = NEWID;
    dsn.sender = "alice@example.org";
    dsn.to = "alice@example.org";
    dsn.arrival = ARRIVAL;
    dsn.now = NOW;
    dsn.retry_until = ARRIVAL + 5 * 86400;
    dsn.rcpts = &rcpt_failed;
    dsn.nrcpt = 1;
    dsn.orig = ORIG;
    dsn.orig_len = strlen(ORIG);
    return (dsn);
}

/* compose - the text of a notice */

static DSTR *compose(const BOUNCE_DSN *dsn)
{
    DSTR   *out = dstr_new(4096);

    bounce_dsn_compose(out, dsn);
    return (out);
}

/* header_section - the top-level header of a notice, into hdr */

static void header_section(const DSTR *msg, DSTR *hdr)
{
    const char *end = strstr(dstr_str(msg), "\n\n");

    ck_assert_ptr_nonnull(end);
    dstr_memcpy(hdr, dstr_str(msg), (size_t) (end - dstr_str(msg)) + 1);
}

/* count - occurrences of needle */

static int count(const char *hay, const char *needle)
{
    int     n = 0;

    while ((hay = strstr(hay, needle)) != NULL) {
	n++;
	hay += strlen(needle);
    }
    return (n);
}

/* longest_line - the length of the longest line */

static size_t longest_line(const char *text)
{
    size_t  max = 0;
    size_t  len;

    for (; *text; text += len + (text[len] == '\n')) {
	len = strcspn(text, "\n");
	if (len > max)
	    max = len;
    }
    return (max);
}

 /*
  * The message header.
  */
START_TEST(failure_has_the_required_header_fields)
{
    BOUNCE_DSN dsn = dsn_default();
    DSTR   *out = compose(&dsn);
    DSTR   *hdr = dstr_new(1024);

    header_section(out, hdr);
    ck_assert_str_eq(dstr_str(hdr),
		     "Received: by mx.example.net (posthorn)\n"
		     "\tid " NEWID "; Tue, 14 May 2024 10:00:01 +0000 (UTC)\n"
		     "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
		     "Subject: Undelivered Mail Returned to Sender\n"
		     "To: <alice@example.org>\n"
		     "Auto-Submitted: auto-replied\n"
		     "MIME-Version: 1.0\n"
		     "Content-Type: multipart/report; report-type=delivery-status;\n"
		     "\tboundary=\"" BOUNDARY "\"\n"
		     "Content-Transfer-Encoding: 7bit\n");
    ck_assert_ptr_null(strstr(dstr_str(hdr), "Message-Id:"));
    ck_assert_ptr_null(strstr(dstr_str(hdr), "\nDate:"));
    dstr_free(hdr);
    dstr_free(out);
}
END_TEST

START_TEST(three_parts_in_order_and_one_closing_boundary)
{
    BOUNCE_DSN dsn = dsn_default();
    DSTR   *out = compose(&dsn);
    const char *text = dstr_str(out);
    const char *p1;
    const char *p2;
    const char *p3;

    ck_assert_int_eq(count(text, "\n--" BOUNDARY "\n"), 3);
    ck_assert_int_eq(count(text, "\n--" BOUNDARY "--\n"), 1);
    ck_assert_ptr_nonnull(strstr(text, "\n--" BOUNDARY "--\n"));
    ck_assert_str_eq(text + dstr_len(out) - strlen("\n--" BOUNDARY "--\n"),
		     "\n--" BOUNDARY "--\n");
    p1 = strstr(text, "--" BOUNDARY "\nContent-Description: Notification\n"
		"Content-Type: text/plain; charset=us-ascii\n\n");
    p2 = strstr(text, "--" BOUNDARY "\nContent-Description: Delivery report\n"
		"Content-Type: message/delivery-status\n\n");
    p3 = strstr(text, "--" BOUNDARY "\nContent-Description: Undelivered Message\n"
		"Content-Type: message/rfc822\n\n");
    ck_assert_ptr_nonnull(p1);
    ck_assert_ptr_nonnull(p2);
    ck_assert_ptr_nonnull(p3);
    ck_assert(p1 < p2);
    ck_assert(p2 < p3);
    dstr_free(out);
}
END_TEST

START_TEST(notification_text_lists_each_recipient_with_its_reason)
{
    static const BOUNCE_RCPT two[] = {
	{"a@host.test", 1, "5.1.1", "failed", "", "", "reason one"},
	{"b@host.test", 2, "5.2.2", "failed", "", "smtp; 552 mailbox full", ""},
    };
    BOUNCE_DSN dsn = dsn_default();
    DSTR   *out;

    dsn.rcpts = two;
    dsn.nrcpt = 2;
    out = compose(&dsn);
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "This is the mail delivery system at host "
				 "mx.example.net.\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\n<a@host.test>: reason one\n"));
    /* without a reason, the diagnostic says what happened */
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\n<b@host.test>: smtp; 552 mailbox full\n"));
    dstr_free(out);
}
END_TEST

START_TEST(delivery_status_has_message_and_recipient_fields)
{
    BOUNCE_DSN dsn = dsn_default();
    DSTR   *out = compose(&dsn);

    ck_assert_ptr_nonnull(strstr(dstr_str(out),
				 "Content-Type: message/delivery-status\n\n"
				 "Reporting-MTA: dns; mx.example.net\n"
				 "X-Postfix-Queue-ID: " QID "\n"
				 "X-Postfix-Sender: rfc822; alice@example.org\n"
				 "Arrival-Date: Tue, 14 May 2024 09:00:01 +0000 (UTC)\n"
				 "\n"
				 "Final-Recipient: rfc822; nobody@host.test\n"
				 "Original-Recipient: rfc822;nobody@host.test\n"
				 "Action: failed\n"
				 "Status: 5.1.1\n"
				 "Remote-MTA: dns; mx1.host.test\n"
				 "Diagnostic-Code: smtp; 550 5.1.1 <nobody@host.test>: no such user\n"
				 "\n--" BOUNDARY "\n"));
    dstr_free(out);
}
END_TEST

START_TEST(one_block_per_recipient)
{
    static const BOUNCE_RCPT three[] = {
	{"a@host.test", 1, "5.1.1", "failed", "", "", "r"},
	{"b@host.test", 2, "5.1.1", "failed", "", "", "r"},
	{"c@host.test", 3, "5.1.1", "failed", "", "", "r"},
    };
    BOUNCE_DSN dsn = dsn_default();
    DSTR   *out;

    dsn.rcpts = three;
    dsn.nrcpt = 3;
    out = compose(&dsn);
    ck_assert_int_eq(count(dstr_str(out), "\nFinal-Recipient: rfc822; "), 3);
    ck_assert_int_eq(count(dstr_str(out), "\n\nFinal-Recipient: rfc822; "), 3);
    ck_assert_int_eq(count(dstr_str(out), "\nAction: failed\n"), 3);
    dstr_free(out);
}
END_TEST

START_TEST(missing_diagnostic_uses_our_reason)
{
    static const BOUNCE_RCPT r = {"a@host.test", 1, "4.4.7", "failed", "", "",
    "delivery time expired"};
    BOUNCE_DSN dsn = dsn_default();
    DSTR   *out;

    dsn.rcpts = &r;
    dsn.expired = 1;
    out = compose(&dsn);
    ck_assert_ptr_nonnull(strstr(dstr_str(out),
		       "\nStatus: 4.4.7\nDiagnostic-Code: X-Postfix; delivery time expired\n"));
    ck_assert_ptr_null(strstr(dstr_str(out), "Remote-MTA:"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "too old"));
    dstr_free(out);
}
END_TEST

 /*
  * The original.
  */
START_TEST(original_is_attached_as_stored_with_return_path)
{
    BOUNCE_DSN dsn = dsn_default();
    DSTR   *out = compose(&dsn);

    ck_assert_ptr_nonnull(strstr(dstr_str(out), "Content-Type: message/rfc822\n\n"
				 "Return-Path: <alice@example.org>\n" ORIG
				 "\n--" BOUNDARY "--\n"));
    dstr_free(out);
}
END_TEST

START_TEST(original_without_final_newline_gets_one)
{
    BOUNCE_DSN dsn = dsn_default();
    DSTR   *out;

    dsn.orig = "Subject: x\n\nno newline";
    dsn.orig_len = strlen(dsn.orig);
    out = compose(&dsn);
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\nno newline\n\n--" BOUNDARY "--\n"));
    dstr_free(out);
}
END_TEST

START_TEST(size_limit_decides_headers_only)
{
    ck_assert_int_eq(bounce_dsn_headers_only(BOUNCE_KIND_FAILURE, BOUNCE_TO_SENDER,
					     50000, 50000), 0);
    ck_assert_int_eq(bounce_dsn_headers_only(BOUNCE_KIND_FAILURE, BOUNCE_TO_SENDER,
					     50001, 50000), 1);
    ck_assert_int_eq(bounce_dsn_headers_only(BOUNCE_KIND_FAILURE, BOUNCE_TO_2BOUNCE,
					     100, 50000), 0);
    ck_assert_int_eq(bounce_dsn_headers_only(BOUNCE_KIND_FAILURE, BOUNCE_TO_POSTMASTER,
					     100, 50000), 1);
    ck_assert_int_eq(bounce_dsn_headers_only(BOUNCE_KIND_DELAY, BOUNCE_TO_SENDER,
					     100, 50000), 1);
}
END_TEST

START_TEST(headers_only_attaches_the_header_section)
{
    BOUNCE_DSN dsn = dsn_default();
    DSTR   *out;

    dsn.headers_only = 1;
    out = compose(&dsn);
    ck_assert_ptr_nonnull(strstr(dstr_str(out),
				 "Content-Description: Undelivered Message Headers\n"
				 "Content-Type: text/rfc822-headers\n\n"
				 "Return-Path: <alice@example.org>\n"
				 "Received: from client.example.org\n\tby mx.example.net\n"
				 "Subject: hi\nFrom: alice@example.org\n"
				 "\n--" BOUNDARY "--\n"));
    ck_assert_ptr_null(strstr(dstr_str(out), "Hello"));
    ck_assert_ptr_null(strstr(dstr_str(out), "message/rfc822"));
    dstr_free(out);
}
END_TEST

START_TEST(header_section_length)
{
    ck_assert_uint_eq(bounce_dsn_header_len("A: 1\nB: 2\n\nbody\n", 17), 10);
    ck_assert_uint_eq(bounce_dsn_header_len("A: 1\r\n\r\nbody\n", 13), 6);
    ck_assert_uint_eq(bounce_dsn_header_len("\nbody\n", 6), 0);
    ck_assert_uint_eq(bounce_dsn_header_len("A: 1\nB: 2\n", 10), 10);	/* no body */
    ck_assert_uint_eq(bounce_dsn_header_len("A: 1\nB: 2", 9), 9);		/* cut short */
    ck_assert_uint_eq(bounce_dsn_header_len("", 0), 0);
}
END_TEST

START_TEST(eight_bit_original_is_declared)
{
    BOUNCE_DSN dsn = dsn_default();
    DSTR   *out;

    dsn.orig = "Subject: caf\xc3\xa9\n\nbody\n";
    dsn.orig_len = strlen(dsn.orig);
    out = compose(&dsn);
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\nContent-Transfer-Encoding: 8bit\n\n"
				 "This is a MIME-encapsulated message."));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "Content-Type: message/rfc822\n"
				 "Content-Transfer-Encoding: 8bit\n\n"));
    dstr_free(out);
}
END_TEST

 /*
  * Delay warnings.
  */
START_TEST(delay_warning_fields)
{
    static const BOUNCE_RCPT r = {"tmp1@host.test", 530, "4.4.1", "delayed", "", "",
    "connect to 127.0.0.1[127.0.0.1]:2599: Connection refused"};
    BOUNCE_DSN dsn = dsn_default();
    DSTR   *out;

    dsn.kind = BOUNCE_KIND_DELAY;
    dsn.rcpts = &r;
    dsn.headers_only = bounce_dsn_headers_only(dsn.kind, dsn.who, 100, 50000);
    out = compose(&dsn);
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\nSubject: Delayed Mail (still being retried)\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out),
				 "Final-Recipient: rfc822; tmp1@host.test\n"
				 "Original-Recipient: rfc822;tmp1@host.test\n"
				 "Action: delayed\n"
				 "Status: 4.4.1\n"
				 "Diagnostic-Code: X-Postfix; connect to 127.0.0.1[127.0.0.1]:2599: Connection\n"
				 "    refused\n"
				 "Will-Retry-Until: Sun, 19 May 2024 09:00:01 +0000 (UTC)\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "Content-Type: text/rfc822-headers\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "you do not need to send your message again"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "queued 1.0 hours ago"));
    ck_assert_ptr_null(strstr(dstr_str(out), "Action: failed"));
    ck_assert_uint_le(longest_line(dstr_str(out)), BOUNCE_DSN_WIDTH);
    dstr_free(out);
}
END_TEST

 /*
  * Folding and hostile text.
  */
START_TEST(long_diagnostic_is_folded)
{
    static const char diag[] = "smtp; 550-5.7.1 The user or domain that you are sending to "
	"(or from) has a policy that prohibited the mail that you sent. Please contact "
	"your domain administrator for further details. 550 5.7.1 Learn more at "
	"https://support.example.com/mail/answer/10002 x11si123456.";
    BOUNCE_RCPT r = rcpt_failed;
    BOUNCE_DSN dsn = dsn_default();
    DSTR   *out;
    DSTR   *unfolded = dstr_new(512);
    const char *start;
    const char *cp;

    r.diagnostic = diag;
    dsn.rcpts = &r;
    out = compose(&dsn);
    start = strstr(dstr_str(out), "Diagnostic-Code: ");
    ck_assert_ptr_nonnull(start);
    /* Unfold the field: each continuation line starts with white space. */
    for (cp = start + strlen("Diagnostic-Code: "); *cp; cp++) {
	if (*cp == '\n' && (cp[1] == ' ' || cp[1] == '\t')) {
	    while (cp[1] == ' ' || cp[1] == '\t')
		cp++;
	    dstr_catc(unfolded, ' ');
	    continue;
	}
	if (*cp == '\n')
	    break;
	dstr_catc(unfolded, *cp);
    }
    ck_assert_str_eq(dstr_str(unfolded), diag);
    ck_assert_uint_le(longest_line(dstr_str(out)), BOUNCE_DSN_WIDTH);
    ck_assert_int_ge(count(start, "\n    "), 3);
    dstr_free(unfolded);
    dstr_free(out);
}
END_TEST

START_TEST(overlong_word_is_cut_below_the_line_limit)
{
    char   *word = malloc(3001);
    DSTR   *out = dstr_new(4096);

    memset(word, 'w', 3000);
    word[3000] = 0;
    bounce_dsn_fold(out, "Diagnostic-Code: ", word);
    ck_assert_uint_le(longest_line(dstr_str(out)), BOUNCE_DSN_HARD_WIDTH);
    ck_assert_uint_eq(dstr_len(out), strlen("Diagnostic-Code: ") + 3000 + 3 * 5 + 1);
    free(word);
    dstr_free(out);
}
END_TEST

START_TEST(overlong_prefix_does_not_break_folding)
{
    char   *addr = malloc(2001);
    char   *word = malloc(1201);
    DSTR   *prefix = dstr_new(2100);
    DSTR   *out = dstr_new(4096);
    const char *rest;

    memset(addr, 'a', 2000);
    addr[2000] = 0;
    memset(word, 'w', 1200);
    word[1200] = 0;
    dstr_sprintf(prefix, "<%s>: ", addr);	/* an address longer than any line */
    bounce_dsn_fold(out, dstr_str(prefix), word);
    ck_assert_uint_eq(strncmp(dstr_str(out), dstr_str(prefix), dstr_len(prefix)), 0);
    rest = dstr_str(out) + dstr_len(prefix);
    ck_assert_uint_le(longest_line(rest), BOUNCE_DSN_HARD_WIDTH);
    ck_assert_uint_eq(dstr_len(out), dstr_len(prefix) + 1200 + 2 * 5 + 1);
    free(addr);
    free(word);
    dstr_free(prefix);
    dstr_free(out);
}
END_TEST

START_TEST(peer_text_cannot_start_a_header_or_part)
{
    static const BOUNCE_RCPT r = {
	"x@host.test\nBcc: victim@example.org", 1, "5.1.1", "failed", "mx\r\nX-Evil: 1",
	"smtp; 550 no\n--" BOUNDARY "--\nX-Evil: 2", "reason\nX-Evil: 3",
    };
    BOUNCE_DSN dsn = dsn_default();
    DSTR   *out;

    dsn.rcpts = &r;
    dsn.to = "alice@example.org\nX-Evil: 4";
    dsn.sender = "alice@example.org\nX-Evil: 5";
    out = compose(&dsn);
    ck_assert_ptr_null(strstr(dstr_str(out), "\nBcc:"));
    ck_assert_ptr_null(strstr(dstr_str(out), "\nX-Evil:"));
    ck_assert_int_eq(count(dstr_str(out), "\n--" BOUNDARY "--\n"), 1);
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\nTo: <alice@example.org?X-Evil: 4>\n"));
    dstr_free(out);
}
END_TEST

 /*
  * Postmaster notices.
  */
START_TEST(double_bounce_notice_is_for_the_postmaster)
{
    BOUNCE_DSN dsn = dsn_default();
    DSTR   *out;

    dsn.who = BOUNCE_TO_2BOUNCE;
    dsn.sender = "";
    dsn.to = "2bounce-admin@example.net";
    out = compose(&dsn);
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\nSubject: Postmaster Copy: Undelivered Mail\n"
				 "To: <2bounce-admin@example.net>\n"));
    ck_assert_ptr_null(strstr(dstr_str(out), "X-Postfix-Sender:"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\nReturn-Path: <>\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "null sender"));
    dstr_free(out);
}
END_TEST

START_TEST(postmaster_delay_copy_subject)
{
    BOUNCE_DSN dsn = dsn_default();
    DSTR   *out;

    dsn.kind = BOUNCE_KIND_DELAY;
    dsn.who = BOUNCE_TO_POSTMASTER;
    out = compose(&dsn);
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\nSubject: Postmaster Warning: Delayed Mail\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "copy for the postmaster"));
    dstr_free(out);
}
END_TEST

 /*
  * Routes.
  */
START_TEST(sender_notice_has_null_envelope_sender)
{
    BOUNCE_ROUTE *r = bounce_route_new();

    ck_assert_int_eq(bounce_route_sender(r, BOUNCE_KIND_FAILURE, "alice@example.org", "",
					 "nobody@host.test"), BOUNCE_TO_SENDER);
    ck_assert_str_eq(dstr_str(r->env_sender), "");
    ck_assert_str_eq(dstr_str(r->rcpt), "alice@example.org");
    bounce_route_free(r);
}
END_TEST

START_TEST(verp_notice_goes_to_the_expanded_sender)
{
    BOUNCE_ROUTE *r = bounce_route_new();

    ck_assert(bounce_route_verp("list-return-12@example.org", "-="));
    ck_assert_int_eq(bounce_route_sender(r, BOUNCE_KIND_FAILURE, "list-return-12@example.org",
					 "-=", "bad@host.test"), BOUNCE_TO_SENDER);
    ck_assert_str_eq(dstr_str(r->rcpt), "list-return-12-bad=host.test@example.org");
    ck_assert_str_eq(dstr_str(r->env_sender), "");
    ck_assert_int_eq(bounce_route_sender(r, BOUNCE_KIND_FAILURE, "list-return-12@example.org",
					 "-=", "other@else.test"), BOUNCE_TO_SENDER);
    ck_assert_str_eq(dstr_str(r->rcpt), "list-return-12-other=else.test@example.org");
    bounce_route_free(r);
}
END_TEST

START_TEST(verp_off_when_disabled_or_for_delays)
{
    BOUNCE_ROUTE *r = bounce_route_new();

    (void) bounce_route_sender(r, BOUNCE_KIND_DELAY, "list-return-12@example.org", "-=",
			       "bad@host.test");
    ck_assert_str_eq(dstr_str(r->rcpt), "list-return-12@example.org");
    var_disable_verp_bounces = 1;
    ck_assert(!bounce_route_verp("list-return-12@example.org", "-="));
    (void) bounce_route_sender(r, BOUNCE_KIND_FAILURE, "list-return-12@example.org", "-=",
			       "bad@host.test");
    ck_assert_str_eq(dstr_str(r->rcpt), "list-return-12@example.org");
    ck_assert(!bounce_route_verp("alice@example.org", ""));
    bounce_route_free(r);
}
END_TEST

START_TEST(double_bounce_goes_to_2bounce_recipient_when_asked)
{
    BOUNCE_ROUTE *r = bounce_route_new();

    var_notify_classes = "resource, software, 2bounce";
    ck_assert_int_eq(bounce_route_sender(r, BOUNCE_KIND_FAILURE, "", "", NULL),
		     BOUNCE_TO_2BOUNCE);
    ck_assert_str_eq(dstr_str(r->rcpt), "2bounce-admin@example.net");
    ck_assert_str_eq(dstr_str(r->env_sender), "double-bounce@example.net");
    bounce_route_free(r);
}
END_TEST

START_TEST(double_bounce_is_discarded_by_default)
{
    BOUNCE_ROUTE *r = bounce_route_new();

    ck_assert_int_eq(bounce_route_sender(r, BOUNCE_KIND_FAILURE, "", "", NULL),
		     BOUNCE_TO_NOBODY);
    ck_assert_ptr_nonnull(strstr(r->why, "2bounce"));
    bounce_route_free(r);
}
END_TEST

START_TEST(double_bounce_sender_never_gets_a_notice)
{
    BOUNCE_ROUTE *r = bounce_route_new();

    var_notify_classes = "bounce, 2bounce, delay";
    ck_assert_int_eq(bounce_route_sender(r, BOUNCE_KIND_FAILURE, "double-bounce@example.net",
					 "", NULL), BOUNCE_TO_NOBODY);
    ck_assert_int_eq(bounce_route_sender(r, BOUNCE_KIND_FAILURE, "Double-Bounce@EXAMPLE.NET",
					 "", NULL), BOUNCE_TO_NOBODY);
    ck_assert_int_eq(bounce_route_sender(r, BOUNCE_KIND_DELAY, "double-bounce@example.net",
					 "", NULL), BOUNCE_TO_NOBODY);
    bounce_route_free(r);
}
END_TEST

START_TEST(no_delay_warning_for_null_sender)
{
    BOUNCE_ROUTE *r = bounce_route_new();

    var_notify_classes = "2bounce";
    ck_assert_int_eq(bounce_route_sender(r, BOUNCE_KIND_DELAY, "", "", NULL), BOUNCE_TO_NOBODY);
    bounce_route_free(r);
}
END_TEST

START_TEST(postmaster_copies_follow_notify_classes)
{
    BOUNCE_ROUTE *r = bounce_route_new();

    ck_assert_int_eq(bounce_route_postmaster(r, BOUNCE_KIND_FAILURE), BOUNCE_TO_NOBODY);
    ck_assert_int_eq(bounce_route_postmaster(r, BOUNCE_KIND_DELAY), BOUNCE_TO_NOBODY);
    var_notify_classes = "bounce";
    ck_assert_int_eq(bounce_route_postmaster(r, BOUNCE_KIND_FAILURE), BOUNCE_TO_POSTMASTER);
    ck_assert_str_eq(dstr_str(r->rcpt), "postmaster@example.net");
    ck_assert_str_eq(dstr_str(r->env_sender), "double-bounce@example.net");
    ck_assert_int_eq(bounce_route_postmaster(r, BOUNCE_KIND_DELAY), BOUNCE_TO_NOBODY);
    var_notify_classes = "delay";
    ck_assert_int_eq(bounce_route_postmaster(r, BOUNCE_KIND_DELAY), BOUNCE_TO_POSTMASTER);
    ck_assert_str_eq(dstr_str(r->rcpt), "delay-admin@example.net");
    bounce_route_free(r);
}
END_TEST

START_TEST(notify_classes_words)
{
    ck_assert(bounce_route_class("resource, software,2bounce", "2bounce"));
    ck_assert(bounce_route_class("  BOUNCE\tdelay", "bounce"));
    ck_assert(bounce_route_class("bounce", "bounce"));
    ck_assert(!bounce_route_class("2bounce", "bounce"));
    ck_assert(!bounce_route_class("bounces", "bounce"));
    ck_assert(!bounce_route_class("", "bounce"));
}
END_TEST

/* bounce_dsn_suite - the cases */

static Suite *bounce_dsn_suite(void)
{
    Suite  *s = suite_create("bounce_dsn");
    TCase  *tc = tcase_create("compose");
    TCase  *tr = tcase_create("route");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, failure_has_the_required_header_fields);
    tcase_add_test(tc, three_parts_in_order_and_one_closing_boundary);
    tcase_add_test(tc, notification_text_lists_each_recipient_with_its_reason);
    tcase_add_test(tc, delivery_status_has_message_and_recipient_fields);
    tcase_add_test(tc, one_block_per_recipient);
    tcase_add_test(tc, missing_diagnostic_uses_our_reason);
    tcase_add_test(tc, original_is_attached_as_stored_with_return_path);
    tcase_add_test(tc, original_without_final_newline_gets_one);
    tcase_add_test(tc, size_limit_decides_headers_only);
    tcase_add_test(tc, headers_only_attaches_the_header_section);
    tcase_add_test(tc, header_section_length);
    tcase_add_test(tc, eight_bit_original_is_declared);
    tcase_add_test(tc, delay_warning_fields);
    tcase_add_test(tc, long_diagnostic_is_folded);
    tcase_add_test(tc, overlong_word_is_cut_below_the_line_limit);
    tcase_add_test(tc, overlong_prefix_does_not_break_folding);
    tcase_add_test(tc, peer_text_cannot_start_a_header_or_part);
    tcase_add_test(tc, double_bounce_notice_is_for_the_postmaster);
    tcase_add_test(tc, postmaster_delay_copy_subject);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(tr, setup, NULL);
    tcase_add_test(tr, sender_notice_has_null_envelope_sender);
    tcase_add_test(tr, verp_notice_goes_to_the_expanded_sender);
    tcase_add_test(tr, verp_off_when_disabled_or_for_delays);
    tcase_add_test(tr, double_bounce_goes_to_2bounce_recipient_when_asked);
    tcase_add_test(tr, double_bounce_is_discarded_by_default);
    tcase_add_test(tr, double_bounce_sender_never_gets_a_notice);
    tcase_add_test(tr, no_delay_warning_for_null_sender);
    tcase_add_test(tr, postmaster_copies_follow_notify_classes);
    tcase_add_test(tr, notify_classes_words);
    suite_add_tcase(s, tr);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(bounce_dsn_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
