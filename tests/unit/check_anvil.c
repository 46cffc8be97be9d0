/*
 * check_anvil - unit tests for the connection counting service
 * DESCRIPTION
 *	The counting table (counts per ident, forgotten at zero, each
 *	stream's share given back when it ends, per-stream bounds), the
 *	request parser (every prefix of a request needs more, bad requests
 *	are named, nothing beyond ANVIL_REQUEST_MAX is buffered) and the
 *	answers. Then anvil_client against a real anvil: a forked child
 *	serving a UNIX socket with anvil's own stream code, where a client
 *	that closes its stream or is killed gives its counts back, a client
 *	without a server fails open with a warning, and a client whose
 *	server restarted carries on over a new stream.
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

#include "anvil/anvil.h"
#include "anvil_client.h"
#include "anvil_proto.h"
#include "dstr.h"
#include "evloop.h"
#include "ios.h"
#include "msg.h"
#include "sockutil.h"
#include "unit_tmpdir.h"

#define REQ_CONNECT_A	"15:request=connect,19:ident=628:192.0.2.1,0:,"

/* Table */

START_TEST(connect_counts_per_ident)
{
    ANVIL_TABLE *t = anvil_table_new();
    ANVIL_OWNER *a = anvil_owner_new();
    ANVIL_OWNER *b = anvil_owner_new();

    ck_assert_int_eq(anvil_connect(t, a, "628:192.0.2.1", 0), 1);
    ck_assert_int_eq(anvil_connect(t, b, "628:192.0.2.1", 0), 2);
    ck_assert_int_eq(anvil_connect(t, b, "628:192.0.2.2", 0), 1);
    ck_assert_int_eq(anvil_connect(t, a, "2628:192.0.2.1", 0), 1);	/* other service */
    ck_assert_int_eq(anvil_lookup(t, "628:192.0.2.1"), 2);
    ck_assert_int_eq(anvil_lookup(t, "628:192.0.2.9"), 0);
    ck_assert_int_eq(anvil_table_size(t), 3);
    ck_assert_int_eq(anvil_owner_count(a), 2);
    ck_assert_int_eq(anvil_owner_count(b), 2);
    ck_assert_int_eq(anvil_owner_holds(a, "628:192.0.2.1"), 1);
    ck_assert_int_eq(anvil_owner_holds(a, "628:192.0.2.2"), 0);
    anvil_owner_free(t, a);
    anvil_owner_free(t, b);
    anvil_table_free(t);
}
END_TEST

START_TEST(disconnect_counts_down_and_forgets_at_zero)
{
    ANVIL_TABLE *t = anvil_table_new();
    ANVIL_OWNER *a = anvil_owner_new();

    ck_assert_int_eq(anvil_connect(t, a, "628:192.0.2.1", 0), 1);
    ck_assert_int_eq(anvil_connect(t, a, "628:192.0.2.1", 0), 2);
    ck_assert_int_eq(anvil_disconnect(t, a, "628:192.0.2.1"), 0);
    ck_assert_int_eq(anvil_lookup(t, "628:192.0.2.1"), 1);
    ck_assert_int_eq(anvil_disconnect(t, a, "628:192.0.2.1"), 0);
    ck_assert_int_eq(anvil_lookup(t, "628:192.0.2.1"), 0);
    ck_assert_int_eq(anvil_table_size(t), 0);
    ck_assert_int_eq(anvil_owner_count(a), 0);
    anvil_owner_free(t, a);
    anvil_table_free(t);
}
END_TEST

START_TEST(disconnect_of_what_the_stream_does_not_hold_is_refused)
{
    ANVIL_TABLE *t = anvil_table_new();
    ANVIL_OWNER *a = anvil_owner_new();
    ANVIL_OWNER *b = anvil_owner_new();

    ck_assert_int_eq(anvil_disconnect(t, a, "628:192.0.2.1"), -1);
    ck_assert_int_eq(anvil_connect(t, a, "628:192.0.2.1", 0), 1);
    /* b cannot release a's connection, nor push the count below zero */
    ck_assert_int_eq(anvil_disconnect(t, b, "628:192.0.2.1"), -1);
    ck_assert_int_eq(anvil_lookup(t, "628:192.0.2.1"), 1);
    ck_assert_int_eq(anvil_disconnect(t, a, "628:192.0.2.1"), 0);
    ck_assert_int_eq(anvil_disconnect(t, a, "628:192.0.2.1"), -1);
    ck_assert_int_eq(anvil_table_size(t), 0);
    anvil_owner_free(t, a);
    anvil_owner_free(t, b);
    anvil_table_free(t);
}
END_TEST

START_TEST(ending_a_stream_gives_back_exactly_its_share)
{
    ANVIL_TABLE *t = anvil_table_new();
    ANVIL_OWNER *a = anvil_owner_new();
    ANVIL_OWNER *b = anvil_owner_new();
    int     i;

    for (i = 0; i < 3; i++)
	(void) anvil_connect(t, a, "628:192.0.2.1", 0);
    (void) anvil_connect(t, a, "628:192.0.2.2", 0);
    (void) anvil_connect(t, b, "628:192.0.2.1", 0);
    ck_assert_int_eq(anvil_lookup(t, "628:192.0.2.1"), 4);
    anvil_owner_free(t, a);			/* as if its process was killed */
    ck_assert_int_eq(anvil_lookup(t, "628:192.0.2.1"), 1);
    ck_assert_int_eq(anvil_lookup(t, "628:192.0.2.2"), 0);
    ck_assert_int_eq(anvil_table_size(t), 1);
    anvil_owner_free(t, b);
    ck_assert_int_eq(anvil_table_size(t), 0);
    anvil_table_free(t);
}
END_TEST

START_TEST(a_stream_holds_a_bounded_number_of_idents)
{
    ANVIL_TABLE *t = anvil_table_new();
    ANVIL_OWNER *a = anvil_owner_new();
    DSTR   *ident = dstr_new(32);
    int     i;

    for (i = 0; i < ANVIL_OWNER_IDENTS; i++) {
	dstr_sprintf(ident, "628:192.0.2.%d", i);
	ck_assert_int_eq(anvil_connect(t, a, dstr_str(ident), 0), 1);
    }
    ck_assert_int_eq(anvil_connect(t, a, "628:198.51.100.1", 0), -1);
    ck_assert_int_eq(anvil_lookup(t, "628:198.51.100.1"), 0);
    ck_assert_int_eq(anvil_connect(t, a, "628:192.0.2.0", 0), 2);	/* one it holds */
    ck_assert_int_eq(anvil_table_size(t), ANVIL_OWNER_IDENTS);
    anvil_owner_free(t, a);
    ck_assert_int_eq(anvil_table_size(t), 0);
    anvil_table_free(t);
    dstr_free(ident);
}
END_TEST

START_TEST(a_stream_holds_a_bounded_count_per_ident)
{
    ANVIL_TABLE *t = anvil_table_new();
    ANVIL_OWNER *a = anvil_owner_new();
    int     i;

    for (i = 1; i <= ANVIL_OWNER_COUNT; i++)
	ck_assert_int_eq(anvil_connect(t, a, "628:192.0.2.1", 0), i);
    ck_assert_int_eq(anvil_connect(t, a, "628:192.0.2.1", 0), -1);
    ck_assert_int_eq(anvil_lookup(t, "628:192.0.2.1"), ANVIL_OWNER_COUNT);
    anvil_owner_free(t, a);
    anvil_table_free(t);
}
END_TEST

START_TEST(statistics_report_the_highest_count_once)
{
    ANVIL_TABLE *t = anvil_table_new();
    ANVIL_OWNER *a = anvil_owner_new();
    DSTR   *ident = dstr_new(32);
    time_t  when = 0;

    ck_assert_int_eq(anvil_table_max(t, ident, &when), 0);
    (void) anvil_connect(t, a, "628:192.0.2.1", 100);
    (void) anvil_connect(t, a, "628:192.0.2.2", 200);
    (void) anvil_connect(t, a, "628:192.0.2.2", 300);
    (void) anvil_disconnect(t, a, "628:192.0.2.2");
    ck_assert_int_eq(anvil_table_max(t, ident, &when), 2);
    ck_assert_str_eq(dstr_str(ident), "628:192.0.2.2");
    ck_assert_int_eq(when, 300);
    ck_assert_int_eq(anvil_table_max(t, ident, &when), 0);	/* reset */
    anvil_owner_free(t, a);
    anvil_table_free(t);
    dstr_free(ident);
}
END_TEST

/* Protocol */

START_TEST(parse_connect_request)
{
    ANVIL_REQUEST *req = anvil_request_new();
    DSTR   *why = dstr_new(32);
    const char *in = REQ_CONNECT_A "rest";

    ck_assert_int_eq(anvil_request_parse(in, strlen(in), req, why),
		     (long) strlen(REQ_CONNECT_A));
    ck_assert_int_eq(req->op, ANVIL_OP_CONNECT);
    ck_assert_str_eq(dstr_str(req->ident), "628:192.0.2.1");
    anvil_request_free(req);
    dstr_free(why);
}
END_TEST

START_TEST(parse_each_request_name)
{
    static const struct {
	const char *in;
	int     op;
    }       cases[] = {
	{"18:request=disconnect,13:ident=628:::1,0:,", ANVIL_OP_DISCONNECT},
	{"14:request=lookup,13:ident=628:::1,0:,", ANVIL_OP_LOOKUP},
	/* unknown attributes are skipped, so the protocol can grow */
	{"13:ident=628:::1,5:new=1,15:request=connect,0:,", ANVIL_OP_CONNECT},
    };
    ANVIL_REQUEST *req = anvil_request_new();
    DSTR   *why = dstr_new(32);
    size_t  i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	ck_assert_int_eq(anvil_request_parse(cases[i].in, strlen(cases[i].in), req, why),
			 (long) strlen(cases[i].in));
	ck_assert_int_eq(req->op, cases[i].op);
	ck_assert_str_eq(dstr_str(req->ident), "628:::1");
    }
    anvil_request_free(req);
    dstr_free(why);
}
END_TEST

START_TEST(every_prefix_of_a_request_needs_more)
{
    ANVIL_REQUEST *req = anvil_request_new();
    DSTR   *why = dstr_new(32);
    size_t  len;

    for (len = 0; len < strlen(REQ_CONNECT_A); len++)
	ck_assert_int_eq(anvil_request_parse(REQ_CONNECT_A, len, req, why), ANVIL_PARSE_MORE);
    anvil_request_free(req);
    dstr_free(why);
}
END_TEST

START_TEST(bad_requests_are_refused_with_a_reason)
{
    static const struct {
	const char *in;
	const char *why;
    }       cases[] = {
	{"hello", "malformed"},
	{"13:ident=628:::1,0:,", "request without a name"},
	{"12:request=kill,13:ident=628:::1,0:,", "unknown request"},
	{"15:request=connect,0:,", "connect request with a missing ident"},
	{"15:request=connect,6:ident=,0:,", "connect request with a malformed ident"},
	{"15:request=connect,15:ident=628:a b c,0:,", "connect request with a malformed ident"},
	{"15:request=connect,13:ident=628:\001:1,0:,", "connect request with a malformed ident"},
	{"15:request=connect,5:ident,0:,", "malformed"},
    };
    ANVIL_REQUEST *req = anvil_request_new();
    DSTR   *why = dstr_new(32);
    size_t  i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	DSTR_RESET(why);
	ck_assert_msg(anvil_request_parse(cases[i].in, strlen(cases[i].in), req, why)
		      == ANVIL_PARSE_BAD, "case %zu accepted", i);
	ck_assert_msg(strstr(dstr_str(why), cases[i].why) != NULL,
		      "case %zu: reason \"%s\"", i, dstr_str(why));
    }
    anvil_request_free(req);
    dstr_free(why);
}
END_TEST

START_TEST(ident_length_is_bounded)
{
    ANVIL_REQUEST *req = anvil_request_new();
    DSTR   *why = dstr_new(32);
    DSTR   *in = dstr_new(1024);
    DSTR   *ident = dstr_new(1024);
    size_t  len;

    for (len = ANVIL_IDENT_MAX; len <= ANVIL_IDENT_MAX + 1; len++) {
	dstr_sprintf(ident, "ident=%0*d", (int) len, 0);
	DSTR_RESET(in);
	dstr_printf(in, "15:request=connect,%zu:%s,0:,", dstr_len(ident), dstr_str(ident));
	ck_assert_int_eq(anvil_request_parse(dstr_str(in), dstr_len(in), req, why),
			 len == ANVIL_IDENT_MAX ? (long) dstr_len(in) : ANVIL_PARSE_BAD);
    }
    anvil_request_free(req);
    dstr_free(why);
    dstr_free(in);
    dstr_free(ident);
}
END_TEST

START_TEST(an_endless_request_is_refused_at_the_request_limit)
{
    ANVIL_REQUEST *req = anvil_request_new();
    DSTR   *why = dstr_new(32);
    DSTR   *in = dstr_new(4096);

    /* small attributes that never end the list */
    while (dstr_len(in) < ANVIL_REQUEST_MAX - 10)
	dstr_cats(in, "3:a=b,");
    ck_assert_int_eq(anvil_request_parse(dstr_str(in), dstr_len(in), req, why),
		     ANVIL_PARSE_BAD);		/* too many attributes already */
    DSTR_RESET(in);
    dstr_printf(in, "15:request=connect,%d:ident=", ANVIL_IDENT_MAX * 4);
    while (dstr_len(in) < ANVIL_REQUEST_MAX + 10)
	dstr_catc(in, 'x');
    ck_assert_int_eq(anvil_request_parse(dstr_str(in), dstr_len(in), req, why),
		     ANVIL_PARSE_BAD);		/* an attribute over its limit */
    anvil_request_free(req);
    dstr_free(why);
    dstr_free(in);
}
END_TEST

START_TEST(events_are_counted_and_reported)
{
    ANVIL_TABLE *t = anvil_table_new();
    ANVIL_OWNER *a = anvil_owner_new();
    ANVIL_REQUEST *req = anvil_request_new();
    DSTR   *why = dstr_new(32);
    DSTR   *out = dstr_new(64);
    const char *in;
    int     i;

    in = "18:request=disconnect,13:ident=628:::1,24:event=rejected:too_large,0:,";
    ck_assert_int_eq(anvil_request_parse(in, strlen(in), req, why), (long) strlen(in));
    ck_assert_str_eq(dstr_str(req->event), "rejected:too_large");
    /* an event only with a disconnect, of [a-z0-9_:.-] only */
    in = "15:request=connect,13:ident=628:::1,14:event=accepted,0:,";
    ck_assert_int_eq(anvil_request_parse(in, strlen(in), req, why), ANVIL_PARSE_BAD);
    in = "18:request=disconnect,13:ident=628:::1,14:event=Accepted,0:,";
    ck_assert_int_eq(anvil_request_parse(in, strlen(in), req, why), ANVIL_PARSE_BAD);
    ck_assert_str_eq(dstr_str(why), "disconnect request with a malformed event");
    /* two connections, one accepted, one refused */
    req->op = ANVIL_OP_CONNECT;
    dstr_strcpy(req->ident, "628:192.0.2.1");
    dstr_strcpy(req->event, "");
    anvil_request_apply(t, a, req, 0, out);
    anvil_request_apply(t, a, req, 0, out);
    req->op = ANVIL_OP_DISCONNECT;
    dstr_strcpy(req->event, "accepted");
    anvil_request_apply(t, a, req, 0, out);
    dstr_strcpy(req->event, "deferred:too_many_connections");
    anvil_request_apply(t, a, req, 0, out);
    DSTR_RESET(out);
    req->op = ANVIL_OP_STATS;
    dstr_strcpy(req->event, "");
    anvil_request_apply(t, a, req, 0, out);
    ck_assert_str_eq(dstr_str(out), "8:status=0,58:text=accepted 1\nconnect 2\n"
		     "deferred:too_many_connections 1\n,0:,");
    /* the number of counters is bounded */
    for (i = 0; i < 2 * ANVIL_COUNTERS_MAX; i++) {
	dstr_sprintf(req->event, "e%d", i);
	anvil_count(t, dstr_str(req->event));
    }
    DSTR_RESET(out);
    anvil_counters_text(t, out);
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "\nother "));
    ck_assert_int_le((long) dstr_len(out), ANVIL_STATS_MAX);
    anvil_owner_free(t, a);
    anvil_table_free(t);
    anvil_request_free(req);
    dstr_free(why);
    dstr_free(out);
}
END_TEST

START_TEST(answers_carry_status_and_count)
{
    ANVIL_TABLE *t = anvil_table_new();
    ANVIL_OWNER *a = anvil_owner_new();
    ANVIL_REQUEST *req = anvil_request_new();
    DSTR   *out = dstr_new(64);

    req->op = ANVIL_OP_CONNECT;
    dstr_strcpy(req->ident, "628:192.0.2.1");
    anvil_request_apply(t, a, req, 0, out);
    anvil_request_apply(t, a, req, 0, out);
    req->op = ANVIL_OP_LOOKUP;
    anvil_request_apply(t, a, req, 0, out);
    req->op = ANVIL_OP_DISCONNECT;
    anvil_request_apply(t, a, req, 0, out);
    dstr_strcpy(req->ident, "628:192.0.2.2");
    anvil_request_apply(t, a, req, 0, out);
    ck_assert_str_eq(dstr_str(out),
		     "8:status=0,7:count=1,0:,"
		     "8:status=0,7:count=2,0:,"
		     "8:status=0,7:count=2,0:,"
		     "8:status=0,0:,"
		     "8:status=1,0:,");
    anvil_owner_free(t, a);
    anvil_table_free(t);
    anvil_request_free(req);
    dstr_free(out);
}
END_TEST

/* A real anvil in a child process, and clients */

static char *tmpdir;
static DSTR *sock_path;
static int listen_fd = -1;
static pid_t server_pid;
static DSTR *warnings;

/* warn_sink - keep warnings for the tests to look at */

static void warn_sink(int level, const char *text)
{
    if (level >= MSG_WARN) {
	dstr_cats(warnings, text);
	dstr_catc(warnings, '\n');
    }
}

/* server_start - fork an anvil that serves listen_fd until killed */

static void server_start(void)
{
    if ((server_pid = fork()) == 0) {
	anvil_conn_listen(anvil_table_new(), listen_fd);
	for (;;)
	    (void) evloop_run_once(-1);
    }
    ck_assert_int_gt(server_pid, 0);
}

/* server_stop - kill it; its streams end with it */

static void server_stop(void)
{
    int     status;

    if (server_pid > 0) {
	(void) kill(server_pid, SIGKILL);
	(void) waitpid(server_pid, &status, 0);
    }
    server_pid = 0;
}

/* setup_server - a listening socket in a fresh directory, and anvil on it */

static void setup_server(void)
{
    DSTR   *err = dstr_new(64);

    tmpdir = unit_tmpdir_make("check_anvil");
    sock_path = dstr_new(64);
    dstr_sprintf(sock_path, "%s/anvil", tmpdir);
    listen_fd = sock_unix_listen(dstr_str(sock_path), 64, 0600, err);
    ck_assert_msg(listen_fd >= 0, "listen: %s", dstr_str(err));
    dstr_free(err);
    warnings = dstr_new(256);
    msg_set_sink(warn_sink);
    server_start();
}

/* teardown_server - stop and clean up */

static void teardown_server(void)
{
    server_stop();
    (void) close(listen_fd);
    sock_path = dstr_free(sock_path);
    warnings = dstr_free(warnings);
    msg_set_sink(NULL);
    tmpdir = unit_tmpdir_remove(tmpdir);
}

/* count_becomes - poll until a lookup of 628:addr gives want (streams end asynchronously) */

static int count_becomes(ANVIL_CLIENT *cl, const char *addr, int want)
{
    long long end = ios_now_ms() + 3000;
    int     count = -1;

    while (ios_now_ms() < end) {
	if (anvil_client_lookup(cl, "628", addr, &count) == ANVIL_STAT_OK && count == want)
	    return (1);
	(void) usleep(10000);
    }
    return (0);
}

START_TEST(client_counts_and_releases)
{
    ANVIL_CLIENT *a = anvil_client_create(dstr_str(sock_path), 5);
    ANVIL_CLIENT *b = anvil_client_create(dstr_str(sock_path), 5);
    int     count = -1;

    ck_assert_int_eq(anvil_client_connect(a, "628", "192.0.2.1", &count), ANVIL_STAT_OK);
    ck_assert_int_eq(count, 1);
    ck_assert_int_eq(anvil_client_connect(b, "628", "192.0.2.1", &count), ANVIL_STAT_OK);
    ck_assert_int_eq(count, 2);
    ck_assert_int_eq(anvil_client_connect(b, "628", "192.0.2.7", &count), ANVIL_STAT_OK);
    ck_assert_int_eq(count, 1);
    ck_assert_int_eq(anvil_client_disconnect(a, "628", "192.0.2.1"), ANVIL_STAT_OK);
    ck_assert_int_eq(anvil_client_lookup(a, "628", "192.0.2.1", &count), ANVIL_STAT_OK);
    ck_assert_int_eq(count, 1);
    /* a second disconnect has nothing to undo and is no error */
    ck_assert_int_eq(anvil_client_disconnect(a, "628", "192.0.2.1"), ANVIL_STAT_OK);
    ck_assert_int_eq(anvil_client_lookup(b, "628", "192.0.2.1", &count), ANVIL_STAT_OK);
    ck_assert_int_eq(count, 1);
    ck_assert_str_eq(dstr_str(warnings), "");
    anvil_client_free(a);
    anvil_client_free(b);
}
END_TEST

START_TEST(client_reports_events_and_reads_the_counters)
{
    ANVIL_CLIENT *a = anvil_client_create(dstr_str(sock_path), 5);
    DSTR   *text = dstr_new(64);
    int     count = -1;

    ck_assert_int_eq(anvil_client_connect(a, "628", "192.0.2.9", &count), ANVIL_STAT_OK);
    ck_assert_int_eq(anvil_client_disconnect_event(a, "628", "192.0.2.9", "rejected:bad_verp"),
		     ANVIL_STAT_OK);
    ck_assert_int_eq(anvil_client_lookup(a, "628", "192.0.2.9", &count), ANVIL_STAT_OK);
    ck_assert_int_eq(count, 0);
    ck_assert_int_eq(anvil_client_stats(a, text), ANVIL_STAT_OK);
    ck_assert_ptr_nonnull(strstr(dstr_str(text), "rejected:bad_verp 1\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(text), "connect "));
    ck_assert_str_eq(dstr_str(warnings), "");
    anvil_client_free(a);
    dstr_free(text);
}
END_TEST

START_TEST(closing_the_stream_releases_its_counts)
{
    ANVIL_CLIENT *a = anvil_client_create(dstr_str(sock_path), 5);
    ANVIL_CLIENT *b = anvil_client_create(dstr_str(sock_path), 5);
    int     count = -1;
    int     i;

    for (i = 0; i < 3; i++)
	ck_assert_int_eq(anvil_client_connect(a, "628", "192.0.2.1", &count), ANVIL_STAT_OK);
    ck_assert_int_eq(anvil_client_connect(b, "628", "192.0.2.1", &count), ANVIL_STAT_OK);
    ck_assert_int_eq(count, 4);
    anvil_client_free(a);
    ck_assert(count_becomes(b, "192.0.2.1", 1));
    anvil_client_free(b);
}
END_TEST

START_TEST(a_killed_client_process_releases_its_counts)
{
    ANVIL_CLIENT *b = anvil_client_create(dstr_str(sock_path), 5);
    int     sync_pipe[2];
    pid_t   pid;
    int     status;
    int     count;
    char    ch;

    ck_assert_int_eq(pipe(sync_pipe), 0);
    if ((pid = fork()) == 0) {			/* a qmqpd with two clients */
	ANVIL_CLIENT *a = anvil_client_create(dstr_str(sock_path), 5);

	(void) anvil_client_connect(a, "628", "192.0.2.1", &count);
	(void) anvil_client_connect(a, "628", "192.0.2.1", &count);
	(void) write(sync_pipe[1], "x", 1);
	pause();
	_exit(0);
    }
    ck_assert_int_eq(read(sync_pipe[0], &ch, 1), 1);
    ck_assert_int_eq(anvil_client_lookup(b, "628", "192.0.2.1", &count), ANVIL_STAT_OK);
    ck_assert_int_eq(count, 2);
    (void) kill(pid, SIGKILL);
    (void) waitpid(pid, &status, 0);
    ck_assert(count_becomes(b, "192.0.2.1", 0));
    (void) close(sync_pipe[0]);
    (void) close(sync_pipe[1]);
    anvil_client_free(b);
}
END_TEST

START_TEST(client_without_a_server_fails_with_a_warning)
{
    ANVIL_CLIENT *cl;
    DSTR   *path = dstr_new(64);
    int     count = -1;

    dstr_sprintf(path, "%s/nothing-here", tmpdir);
    cl = anvil_client_create(dstr_str(path), 5);
    ck_assert_int_eq(anvil_client_connect(cl, "628", "192.0.2.1", &count), ANVIL_STAT_FAIL);
    ck_assert_int_eq(count, -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(warnings), "warning: connect to "));
    ck_assert_ptr_nonnull(strstr(dstr_str(warnings), "nothing-here: No such file or directory"));
    /* nothing was counted, so there is nothing to undo */
    ck_assert_int_eq(anvil_client_disconnect(cl, "628", "192.0.2.1"), ANVIL_STAT_OK);
    anvil_client_free(cl);
    dstr_free(path);
}
END_TEST

START_TEST(client_carries_on_after_the_server_restarted)
{
    ANVIL_CLIENT *a = anvil_client_create(dstr_str(sock_path), 5);
    int     count = -1;

    ck_assert_int_eq(anvil_client_connect(a, "628", "192.0.2.1", &count), ANVIL_STAT_OK);
    ck_assert_int_eq(count, 1);
    server_stop();				/* reload: the counts die with it */
    server_start();
    /* the count went with the old server: no error, no warning */
    ck_assert_int_eq(anvil_client_disconnect(a, "628", "192.0.2.1"), ANVIL_STAT_OK);
    ck_assert_int_eq(anvil_client_connect(a, "628", "192.0.2.1", &count), ANVIL_STAT_OK);
    ck_assert_int_eq(count, 1);
    ck_assert_int_eq(anvil_client_connect(a, "628", "192.0.2.1", &count), ANVIL_STAT_OK);
    ck_assert_int_eq(count, 2);
    ck_assert_str_eq(dstr_str(warnings), "");
    anvil_client_free(a);
}
END_TEST

START_TEST(a_client_that_sends_garbage_is_dropped_and_its_counts_released)
{
    ANVIL_CLIENT *b = anvil_client_create(dstr_str(sock_path), 5);
    int     fd = sock_unix_connect(dstr_str(sock_path));
    char    buf[256];
    const char *req = REQ_CONNECT_A;
    ssize_t n;
    int     count;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, req, strlen(req)), (ssize_t) strlen(req));
    n = read(fd, buf, sizeof(buf));
    ck_assert_int_eq(n, 24);			/* status=0 count=1 */
    ck_assert_int_eq(anvil_client_lookup(b, "628", "192.0.2.1", &count), ANVIL_STAT_OK);
    ck_assert_int_eq(count, 1);
    ck_assert_int_eq(write(fd, "x:junk,", 7), 7);
    ck_assert_int_eq(read(fd, buf, sizeof(buf)), 0);	/* anvil hung up */
    ck_assert(count_becomes(b, "192.0.2.1", 0));
    (void) close(fd);
    anvil_client_free(b);
}
END_TEST

static Suite *anvil_suite(void)
{
    Suite  *s = suite_create("anvil");
    TCase  *tt = tcase_create("table");
    TCase  *tp = tcase_create("protocol");
    TCase  *tc = tcase_create("client");

    tcase_add_test(tt, connect_counts_per_ident);
    tcase_add_test(tt, disconnect_counts_down_and_forgets_at_zero);
    tcase_add_test(tt, disconnect_of_what_the_stream_does_not_hold_is_refused);
    tcase_add_test(tt, ending_a_stream_gives_back_exactly_its_share);
    tcase_add_test(tt, a_stream_holds_a_bounded_number_of_idents);
    tcase_add_test(tt, a_stream_holds_a_bounded_count_per_ident);
    tcase_add_test(tt, statistics_report_the_highest_count_once);
    suite_add_tcase(s, tt);
    tcase_add_test(tp, parse_connect_request);
    tcase_add_test(tp, parse_each_request_name);
    tcase_add_test(tp, every_prefix_of_a_request_needs_more);
    tcase_add_test(tp, bad_requests_are_refused_with_a_reason);
    tcase_add_test(tp, ident_length_is_bounded);
    tcase_add_test(tp, an_endless_request_is_refused_at_the_request_limit);
    tcase_add_test(tp, answers_carry_status_and_count);
    tcase_add_test(tp, events_are_counted_and_reported);
    suite_add_tcase(s, tp);
    tcase_add_checked_fixture(tc, setup_server, teardown_server);
    tcase_add_test(tc, client_counts_and_releases);
    tcase_add_test(tc, closing_the_stream_releases_its_counts);
    tcase_add_test(tc, a_killed_client_process_releases_its_counts);
    tcase_add_test(tc, client_without_a_server_fails_with_a_warning);
    tcase_add_test(tc, client_reports_events_and_reads_the_counters);
    tcase_add_test(tc, client_carries_on_after_the_server_restarted);
    tcase_add_test(tc, a_client_that_sends_garbage_is_dropped_and_its_counts_released);
    suite_add_tcase(s, tc);
    return (s);
}

int     main(void)
{
    SRunner *sr = srunner_create(anvil_suite());
    int     failed;

    signal(SIGPIPE, SIG_IGN);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed ? EXIT_FAILURE : EXIT_SUCCESS);
}
