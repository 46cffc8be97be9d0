/*
 * check_smtp_result - unit tests for outcome classes and per-recipient records
 * DESCRIPTION
 *	Reply codes to OK/DEFER/BOUNCE, the "host H[A] said: ... (in reply to
 *	...)" text, soft_bounce. Then the recording rules of docs/design.md
 *	invariant 3 on a real file in a temporary directory: a sent recipient
 *	is marked done (its record type byte becomes 'D') and logged as sent;
 *	a deferred one is left alone; a bounced one is marked done only when
 *	the bounce service took the record (a stand-in server on
 *	private/bounce answers), and is deferred instead when there is no
 *	bounce service; soft_bounce defers; the hop status goes to the queue
 *	manager only for a temporary failure of the destination (including a
 *	session that timed out after EHLO) with no completed transaction.
 */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smtp/smtp.h"
#include "attr.h"
#include "cfg_params.h"
#include "msg.h"
#include "sockutil.h"

static char tmpdir[] = "/tmp/check_smtp_result.XXXXXX";
static char olddir[4096];
static DSTR *logged;
static pid_t bounce_pid;

#define QF_TEXT	"xxxxRaaaaRbbbbRcccc"	/* recipient records at 4, 9, 14 */

/* capture - log sink */

static void capture(int level, const char *text)
{
    (void) level;
    dstr_cats(logged, text);
    dstr_catc(logged, '\n');
}

/* setup - a scratch directory as cwd, with a queue file */

static void setup(void)
{
    int     fd;

    ck_assert_ptr_nonnull(getcwd(olddir, sizeof(olddir)));
    strcpy(tmpdir, "/tmp/check_smtp_result.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    ck_assert_int_eq(chdir(tmpdir), 0);
    ck_assert_int_eq(mkdir("private", 0700), 0);
    fd = open("qf", O_CREAT | O_WRONLY, 0600);
    ck_assert_int_eq(write(fd, QF_TEXT, strlen(QF_TEXT)), (ssize_t) strlen(QF_TEXT));
    close(fd);
    logged = dstr_new(1024);
    msg_set_sink(capture);
    var_soft_bounce = 0;
    bounce_pid = 0;
}

/* teardown - remove the scratch directory */

static void teardown(void)
{
    if (bounce_pid > 0) {
	kill(bounce_pid, SIGKILL);	/* Check forwards SIGTERM to the group */
	waitpid(bounce_pid, NULL, 0);
    }
    unlink("qf");
    unlink("private/bounce");
    rmdir("private");
    ck_assert_int_eq(chdir(olddir), 0);
    rmdir(tmpdir);
    msg_set_sink(NULL);
    dstr_free(logged);
}

/* bounce_server - a bounce service that accepts every record */

static void bounce_server(void)
{
    DSTR   *err = dstr_new(64);
    int     lfd = sock_unix_listen("private/bounce", 10, 0600, err);

    ck_assert_int_ge(lfd, 0);
    if ((bounce_pid = fork()) == 0) {
	for (;;) {
	    int     fd;
	    IOS    *ios;
	    ATTR_LIST *req = attr_list_new();
	    DSTR   *out = dstr_new(64);

	    fcntl(lfd, F_SETFL, 0);
	    if ((fd = accept(lfd, NULL, NULL)) < 0)
		_exit(0);
	    ios = ios_open(fd);
	    if (attr_read(ios, req, ATTR_MAX_LEN, 64) == ATTR_OK
		&& attr_get_str(req, "address") != NULL) {
		attr_put_long(out, "status", 0);
		attr_put_str(out, "reason", "");
		attr_put_end(out);
		(void) ios_write(ios, dstr_str(out), dstr_len(out));
		(void) ios_flush(ios);
	    }
	    ios_close(ios);
	    attr_list_free(req);
	    dstr_free(out);
	}
    }
    close(lfd);
    dstr_free(err);
}

/* state - a request for the three recipients of QF_TEXT and its state */

static SMTP_STATE *state(void)
{
    DELIVER_REQUEST *req = deliver_request_new();
    SMTP_STATE *st;

    req->queue_id = strdup("0TOYNZZGERJ006YF");
    req->queue_name = strdup("active");
    deliver_request_add_rcpt(req, "a@x.test", 4);
    deliver_request_add_rcpt(req, "b@x.test", 9);
    deliver_request_add_rcpt(req, "c@x.test", 14);
    st = smtp_state_new(req);
    st->qfd = open("qf", O_RDWR);
    ck_assert_int_ge(st->qfd, 0);
    return (st);
}

/* done_state - free, and return the queue file's text */

static const char *done_state(SMTP_STATE *st)
{
    static char buf[64];
    int     fd;
    ssize_t n;

    deliver_request_free(st->req);
    smtp_state_free(st);
    fd = open("qf", O_RDONLY);
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    return (buf);
}

/* a_session - a session object for log lines (no real socket needed) */

static SMTP_SESSION *a_session(void)
{
    int     fds[2];

    ck_assert_int_eq(pipe(fds), 0);
    close(fds[1]);
    return (smtp_session_new(fds[0], "mx.x.test", "192.0.2.1", 25));
}

START_TEST(reply_classes)
{
    ck_assert_int_eq(smtp_reply_class(250), SMTP_OK);
    ck_assert_int_eq(smtp_reply_class(354), SMTP_OK);
    ck_assert_int_eq(smtp_reply_class(421), SMTP_DEFER);
    ck_assert_int_eq(smtp_reply_class(452), SMTP_DEFER);
    ck_assert_int_eq(smtp_reply_class(550), SMTP_BOUNCE);
    ck_assert_int_eq(smtp_reply_class(0), SMTP_DEFER);
    ck_assert_int_eq(smtp_reply_class(199), SMTP_DEFER);
}
END_TEST

START_TEST(reason_text_in_postfix_words)
{
    SMTP_REPLY *r = smtp_reply_new();
    DSTR   *out = dstr_new(64);
    char    dsn[16] = "5.1.1";

    ck_assert_int_gt(smtp_reply_parse("550-5.1.1 no\r\n550 5.1.1 such user\r\n", 35, r), 0);
    smtp_reason_said(out, "mx.x.test[192.0.2.1]", r, "RCPT TO command");
    ck_assert_str_eq(dstr_str(out), "host mx.x.test[192.0.2.1] said: 550-5.1.1 no 550 5.1.1 such user "
		     "(in reply to RCPT TO command)");
    smtp_dsn_soften(dsn);
    ck_assert_str_eq(dsn, "4.1.1");
    smtp_dsn_soften(dsn);
    ck_assert_str_eq(dsn, "4.1.1");
    smtp_reply_free(r);
    dstr_free(out);
}
END_TEST

START_TEST(sent_is_marked_done_and_logged)
{
    SMTP_STATE *st = state();
    SMTP_SESSION *session = a_session();
    SMTP_REPLY *r = smtp_reply_new();

    ck_assert_int_gt(smtp_reply_parse("250 2.0.0 Ok: queued as X1\r\n", 28, r), 0);
    session->use_count = 2;
    smtp_rcpt_sent(st, 1, session, r);
    ck_assert_uint_eq(st->pending, 2);
    ck_assert_int_eq(st->status, DELIVER_STAT_OK);
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "0TOYNZZGERJ006YF: to=<b@x.test>, "
			    "relay=mx.x.test[192.0.2.1]:25, conn_use=2, delay="));
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), ", dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as X1)"));
    smtp_reply_free(r);
    smtp_session_free(session);
    ck_assert_str_eq(done_state(st), "xxxxRaaaaDbbbbRcccc");
}
END_TEST

START_TEST(deferred_is_left_pending)
{
    SMTP_STATE *st = state();

    smtp_rcpt_fail(st, 0, SMTP_DEFER, "4.2.0", "none", "", "", "try later", 0);
    ck_assert_int_eq(st->status, DELIVER_STAT_DEFER);
    ck_assert_uint_eq(st->pending, 2);
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "to=<a@x.test>, relay=none, delay="));
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "dsn=4.2.0, status=deferred (try later)"));
    ck_assert_str_eq(done_state(st), QF_TEXT);
}
END_TEST

START_TEST(bounce_without_bounce_service_is_deferred_not_done)
{
    SMTP_STATE *st = state();

    smtp_rcpt_fail(st, 2, SMTP_BOUNCE, "5.1.1", "mx[192.0.2.1]:25", "mx", "smtp; 550 no",
		   "host mx[192.0.2.1] said: 550 no (in reply to RCPT TO command)", 1);
    ck_assert_int_eq(st->status, DELIVER_STAT_DEFER);
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "bounce log for c@x.test: "));
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "-- deferring instead"));
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "dsn=4.1.1, status=deferred (host mx"));
    ck_assert_str_eq(done_state(st), QF_TEXT);
}
END_TEST

START_TEST(bounce_accepted_by_bounce_service_is_done)
{
    SMTP_STATE *st;

    bounce_server();
    st = state();
    smtp_rcpt_fail(st, 2, SMTP_BOUNCE, "5.1.1", "mx[192.0.2.1]:25", "mx", "smtp; 550 no",
		   "host mx[192.0.2.1] said: 550 no (in reply to RCPT TO command)", 1);
    ck_assert_int_eq(st->status, DELIVER_STAT_OK);
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "dsn=5.1.1, status=bounced (host mx"));
    ck_assert_str_eq(done_state(st), "xxxxRaaaaRbbbbDcccc");
}
END_TEST

START_TEST(soft_bounce_defers)
{
    SMTP_STATE *st;

    bounce_server();
    var_soft_bounce = 1;
    st = state();
    smtp_rcpt_fail(st, 0, SMTP_BOUNCE, "5.7.1", "none", "", "", "go away", 0);
    ck_assert_int_eq(st->status, DELIVER_STAT_DEFER);
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "dsn=4.7.1, status=deferred (go away)"));
    ck_assert_ptr_null(strstr(dstr_str(logged), "bounced"));
    ck_assert_str_eq(done_state(st), QF_TEXT);
}
END_TEST

START_TEST(hop_status_only_for_a_destination_failure_without_session)
{
    SMTP_STATE *st = state();

    smtp_site_fail(st, SMTP_DEFER, 1, "4.4.1", "none", "", "", "connect to x[192.0.2.1]:25: Connection refused");
    smtp_rcpt_finish(st);
    ck_assert_uint_eq(st->pending, 0);
    ck_assert_str_eq(dstr_str(st->hop_status), "4.4.1");
    ck_assert_str_eq(dstr_str(st->hop_reason), "connect to x[192.0.2.1]:25: Connection refused");
    ck_assert_str_eq(done_state(st), QF_TEXT);

    st = state();				/* a transaction completed earlier */
    st->sessions = 1;
    st->completed = 1;
    smtp_site_fail(st, SMTP_DEFER, 1, "4.4.1", "none", "", "", "refused");
    smtp_rcpt_finish(st);
    ck_assert_str_eq(dstr_str(st->hop_status), "");
    (void) done_state(st);

    st = state();				/* not a hop failure (a 5xx greeting) */
    smtp_site_fail(st, SMTP_DEFER, 0, "4.7.1", "x[192.0.2.1]:25", "x", "", "refused to talk");
    smtp_rcpt_finish(st);
    ck_assert_str_eq(dstr_str(st->hop_status), "");
    ck_assert_int_eq(st->status, DELIVER_STAT_DEFER);
    (void) done_state(st);
}
END_TEST

START_TEST(timeout_after_ehlo_is_a_hop_failure_without_completed_transaction)
{
    SMTP_STATE *st = state();
    const char *why = "conversation with x[192.0.2.1] timed out while sending RCPT TO";

    st->sessions = 1;				/* past EHLO, then a tarpit */
    smtp_site_fail(st, SMTP_DEFER, 1, "4.4.2", "x[192.0.2.1]:25", "x", "", why);
    smtp_rcpt_finish(st);
    ck_assert_str_eq(dstr_str(st->hop_status), "4.4.2");
    ck_assert_str_eq(dstr_str(st->hop_reason), why);
    (void) done_state(st);
}
END_TEST

START_TEST(hop_status_even_when_the_failure_deferred_every_recipient_itself)
{
    SMTP_STATE *st = state();
    const char *why = "conversation with x[192.0.2.1] timed out while sending end of data";
    size_t  i;

    /* After ".": the transaction's recipients are deferred on the spot. */
    st->sessions = 1;
    smtp_site_fail(st, SMTP_DEFER, 1, "4.4.2", "x[192.0.2.1]:25", "x", "", why);
    for (i = 0; i < 3; i++)
	smtp_rcpt_fail(st, i, SMTP_DEFER, "4.4.2", "x[192.0.2.1]:25", "x", "", why, 1);
    ck_assert_uint_eq(st->pending, 0);
    smtp_rcpt_finish(st);
    ck_assert_str_eq(dstr_str(st->hop_status), "4.4.2");
    (void) done_state(st);
}
END_TEST

START_TEST(site_failure_spares_finished_recipients)
{
    SMTP_STATE *st = state();
    SMTP_SESSION *session = a_session();
    SMTP_REPLY *r = smtp_reply_new();

    ck_assert_int_gt(smtp_reply_parse("250 ok\r\n", 8, r), 0);
    smtp_rcpt_sent(st, 0, session, r);
    smtp_site_fail(st, SMTP_DEFER, 0, "4.4.2", "x", "x", "", "lost connection");
    smtp_rcpt_finish(st);
    ck_assert_ptr_null(strstr(dstr_str(logged), "to=<a@x.test>, relay=none"));
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "to=<b@x.test>, relay=x, delay="));
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "to=<c@x.test>, relay=x, delay="));
    smtp_reply_free(r);
    smtp_session_free(session);
    ck_assert_str_eq(done_state(st), "xxxxDaaaaRbbbbRcccc");
}
END_TEST

/* smtp_result_suite - the tests */

static Suite *smtp_result_suite(void)
{
    Suite  *s = suite_create("smtp_result");
    TCase  *tc = tcase_create("classes");
    TCase  *tr = tcase_create("records");

    tcase_add_test(tc, reply_classes);
    tcase_add_test(tc, reason_text_in_postfix_words);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(tr, setup, teardown);
    tcase_add_test(tr, sent_is_marked_done_and_logged);
    tcase_add_test(tr, deferred_is_left_pending);
    tcase_add_test(tr, bounce_without_bounce_service_is_deferred_not_done);
    tcase_add_test(tr, bounce_accepted_by_bounce_service_is_done);
    tcase_add_test(tr, soft_bounce_defers);
    tcase_add_test(tr, hop_status_only_for_a_destination_failure_without_session);
    tcase_add_test(tr, timeout_after_ehlo_is_a_hop_failure_without_completed_transaction);
    tcase_add_test(tr, hop_status_even_when_the_failure_deferred_every_recipient_itself);
    tcase_add_test(tr, site_failure_spares_finished_recipients);
    suite_add_tcase(s, tr);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(smtp_result_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
