/*
 * check_smtp_session - unit tests for the SMTP client's phase deadlines
 * DESCRIPTION
 *	A session over a socketpair whose other end is a child process
 *	playing the server. A server that drips its greeting a byte every
 *	DRIP_MS never finishes it: the greeting phase ends at its deadline
 *	(not at the next byte, and not after hours) with Postfix's words,
 *	"conversation with H[A] timed out while receiving the initial server
 *	greeting". A server that answers at once gets many commands, each
 *	one a phase of its own, in more time than any single phase allows.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "smtp/smtp.h"
#include "cfg_params.h"
#include "ios.h"
#include "unit_peer.h"

#define DRIP_MS		200		/* between two bytes of the tarpit */
#define DRIP_MAX	100		/* bytes, so the child stops by itself */

/* tarpit - a child that sends "220-" lines one byte per DRIP_MS */

static pid_t tarpit(int fd)
{
    return (unit_drip_peer(fd, "220-tarpit.test slow\r\n", DRIP_MS, DRIP_MAX));
}

START_TEST(dripped_greeting_times_out_at_the_phase_deadline)
{
    int     sv[2];
    SMTP_SESSION *session;
    SMTP_REPLY *reply = smtp_reply_new();
    DSTR   *why = dstr_new(128);
    long long start;
    long long elapsed;
    pid_t   pid;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    pid = tarpit(sv[1]);
    session = smtp_session_new(sv[0], "mx.tarpit.test", "192.0.2.7", 25);
    smtp_session_phase(session, 2);
    start = ios_now_ms();
    ck_assert_int_eq(smtp_session_reply(session, reply), -1);
    elapsed = ios_now_ms() - start;
    ck_assert_int_ge(elapsed, 1950);
    ck_assert_int_lt(elapsed, 2000 + DRIP_MS);
    ck_assert_int_gt(session->ios->bytes_in, 5);	/* it did send, slowly */
    ck_assert_int_ne(session->broken, 0);
    smtp_session_trouble(why, session, "receiving the initial server greeting");
    ck_assert_str_eq(dstr_str(why), "conversation with mx.tarpit.test[192.0.2.7] timed out"
		     " while receiving the initial server greeting");
    unit_reap(pid);
    smtp_session_free(session);
    (void) close(sv[1]);
    smtp_reply_free(reply);
    dstr_free(why);
}
END_TEST

START_TEST(prompt_server_gets_many_phases_beyond_one_phase_limit)
{
    int     sv[2];
    SMTP_SESSION *session;
    SMTP_REPLY *reply = smtp_reply_new();
    long long start;
    pid_t   pid;
    int     i;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    pid = unit_answer_peer(sv[1], "220 fast.test ESMTP\r\n", "250 2.0.0 ok\r\n");
    session = smtp_session_new(sv[0], "fast.test", "192.0.2.8", 25);
    start = ios_now_ms();
    smtp_session_phase(session, 1);
    ck_assert_int_eq(smtp_session_reply(session, reply), 0);
    ck_assert_int_eq(reply->code, 220);
    /* Six commands 300 ms apart: 1.8 s in all, each within its own 1 s. */
    for (i = 0; i < 6; i++) {
	unit_sleep_ms(300);
	ck_assert_int_eq(smtp_session_chat(session, 1, "NOOP\r\n", 6, reply), 0);
	ck_assert_int_eq(reply->code, 250);
    }
    ck_assert_int_ge(ios_now_ms() - start, 1800);
    ck_assert_int_eq(session->broken, 0);
    ck_assert_int_eq(ios_failed(session->ios), 0);
    unit_reap(pid);
    smtp_session_free(session);
    (void) close(sv[1]);
    smtp_reply_free(reply);
}
END_TEST

/* smtp_session_suite - the tests */

static Suite *smtp_session_suite(void)
{
    Suite  *s = suite_create("smtp_session");
    TCase  *tc = tcase_create("phases");

    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, dripped_greeting_times_out_at_the_phase_deadline);
    tcase_add_test(tc, prompt_server_gets_many_phases_beyond_one_phase_limit);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(smtp_session_suite());
    int     failed;

    var_smtp_helo_tmout = 300;			/* the phase before the first one */
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
