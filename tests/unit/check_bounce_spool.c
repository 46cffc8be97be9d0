/*
 * check_bounce_spool - unit tests for the bounce daemon's spool work
 * DESCRIPTION
 *	Each test runs in a fresh queue directory (tmp/, active/, bounce/,
 *	defer/, private/) made its working directory, as the daemon's is.
 *	append: records land in bounce/ID or defer/ID (mode 0600), one per
 *	request, a torn record is ended before the next, bad requests write
 *	nothing. The recipient table takes the last record per recipient by
 *	offset (by address when the offset is damaged), a bounce record is
 *	never replaced by a defer record, damaged and foreign records are
 *	skipped. notify runs against a fake cleanup service (a child process
 *	on private/cleanup that records each submission and answers as told),
 *	so the tests see every notice: nothing to do without a bounce log,
 *	one notice and the log removed on success, the log kept on failure,
 *	one notice per recipient with VERP, the double bounce to the
 *	postmaster or nowhere, expiry with defer reasons and 4.4.7, delay
 *	warnings that keep the logs, postmaster copies, headers only over
 *	bounce_size_limit, and a retry with headers only when cleanup refuses
 *	the full notice.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attr.h"
#include "bounce/bounce.h"
#include "bounce_client.h"
#include "bounce_log.h"
#include "cfg_params.h"
#include "cleanup_client.h"
#include "dstr.h"
#include "fsutil.h"
#include "ios.h"
#include "msg.h"
#include "netstring.h"
#include "qfile.h"
#include "sockutil.h"

#define QID	"0S44WE80000ABCDE"
#define ORIG	"Subject: hi\nFrom: alice@example.org\n\nHello\nsecond body line\n"

static char topdir[64];
static char testdir[128];
static DSTR *logged;				/* msg_* lines of the current test */
static pid_t fake_pid;

/* Fake cleanup answers: always OK, always DEFER, or REJECT what has a full original. */
#define FAKE_OK		0
#define FAKE_DEFER	1
#define FAKE_REJECT_FULL 2

/* capture_sink - collect log lines for assertions */

static void capture_sink(int level, const char *text)
{
    (void) level;
    dstr_printf(logged, "%s\n", text);
}

/* remove_one - nftw() callback */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st;
    (void) flag;
    (void) ftw;
    (void) remove(path);
    return (0);
}

/* setup - a queue directory as cwd, parameters, a log capture */

static void setup(void)
{
    static const char *const dirs[] = {"tmp", "active", "bounce", "defer", "private",
    "captured", 0};
    const char *const *dp;

    snprintf(testdir, sizeof(testdir), "%s/t.XXXXXX", topdir);
    if (mkdtemp(testdir) == NULL || chdir(testdir) < 0)
	ck_abort_msg("mkdtemp/chdir: %s", strerror(errno));
    for (dp = dirs; *dp; dp++)
	if (mkdir(*dp, 0700) < 0)
	    ck_abort_msg("mkdir %s: %s", *dp, strerror(errno));
    setenv("TZ", "UTC", 1);
    tzset();
    var_myhostname = "mx.example.net";
    var_myorigin = "example.net";
    var_mail_name = "posthorn";
    var_double_bounce_sender = "double-bounce";
    var_notify_classes = "resource, software";
    var_bounce_rcpt = "postmaster";
    var_2bounce_rcpt = "postmaster";
    var_delay_rcpt = "postmaster";
    var_disable_verp_bounces = 0;
    var_bounce_limit = 50000;
    var_max_queue_time = 5 * 86400;
    var_bounce_queue_time = 5 * 86400;
    var_ipc_timeout = 10;
    logged = dstr_new(1024);
    msg_set_sink(capture_sink);
    fake_pid = 0;
}

/* teardown - stop the fake cleanup */

static void teardown(void)
{
    if (fake_pid > 0) {
	kill(fake_pid, SIGKILL);
	waitpid(fake_pid, NULL, 0);
    }
    if (chdir("/") == 0)
	(void) nftw(testdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    msg_set_sink(NULL);
    dstr_free(logged);
}

 /*
  * The fake cleanup service.
  */

/* fake_serve - one submission: record it (as number *n, if accepted), answer per mode */

static void fake_serve(int fd, int mode, int *n)
{
    IOS    *ios = ios_open(fd);
    ATTR_LIST *attrs = attr_list_new();
    DSTR   *buf = dstr_new(1024);
    DSTR   *rec = dstr_new(4096);
    DSTR   *content = dstr_new(4096);
    DSTR   *reply = dstr_new(64);
    const char *val;
    char    path[64];
    int     status;

    ios_set_timeout(ios, 5);
    if (attr_read(ios, attrs, ATTR_MAX_LEN, 64) != ATTR_OK)
	_exit(2);
    if ((val = attr_get_str(attrs, "sender")) == NULL)
	_exit(3);
    dstr_printf(rec, "sender=%s\n", val);
    dstr_printf(rec, "queue_id=%s\n", (val = attr_get_str(attrs, "queue_id")) ? val : "");
    for (;;) {
	if (netstring_get(ios, buf, CLEANUP_CHUNK) != 0)
	    _exit(4);
	if (dstr_len(buf) == 0)
	    break;
	dstr_cat(content, dstr_str(buf), dstr_len(buf));
    }
    if (attr_read(ios, attrs, ATTR_MAX_LEN, 16) != ATTR_OK)
	_exit(5);
    for (;;) {
	if (netstring_get(ios, buf, CLEANUP_CHUNK) != 0)
	    _exit(6);
	if (dstr_len(buf) == 0)
	    break;
	dstr_printf(rec, "rcpt=%s\n", dstr_str(buf));
    }
    status = mode == FAKE_DEFER ? CLEANUP_STAT_DEFER :
	mode == FAKE_REJECT_FULL && strstr(dstr_str(content), "message/rfc822") ?
	CLEANUP_STAT_REJECT : CLEANUP_STAT_OK;
    if (status == CLEANUP_STAT_OK) {
	dstr_printf(rec, "\n%s", dstr_str(content));
	snprintf(path, sizeof(path), "captured/%02d", (*n)++);
	if (fs_replace_file(path, dstr_str(rec), dstr_len(rec), 0600) < 0)
	    _exit(7);
    }
    attr_put_long(reply, "status", status);
    attr_put_str(reply, "reason", status ? "fake refusal" : "");
    attr_put_str(reply, "queue_id", status ? "" : "0S44WF10000FAKE0");
    attr_put_end(reply);
    (void) ios_write(ios, dstr_str(reply), dstr_len(reply));
    (void) ios_flush(ios);
    ios_close(ios);
    attr_list_free(attrs);
    dstr_free(buf);
    dstr_free(rec);
    dstr_free(content);
    dstr_free(reply);
}

/* fake_cleanup_start - a child serving private/cleanup until killed */

static void fake_cleanup_start(int mode)
{
    DSTR   *err = dstr_new(64);
    struct pollfd pfd;
    int     lfd = sock_unix_listen(CLEANUP_SERVICE, 16, 0600, err);
    int     fd;
    int     n = 0;

    ck_assert_msg(lfd >= 0, "%s", dstr_str(err));
    dstr_free(err);
    if ((fake_pid = fork()) < 0)
	ck_abort_msg("fork: %s", strerror(errno));
    if (fake_pid == 0) {
	for (;;) {
	    pfd.fd = lfd;
	    pfd.events = POLLIN;
	    if (poll(&pfd, 1, 30000) <= 0)
		_exit(0);
	    if ((fd = accept(lfd, NULL, NULL)) >= 0)
		fake_serve(fd, mode, &n);
	}
    }
    close(lfd);
}

/* captured - the text of submission n (sender=, queue_id=, rcpt= lines, blank, content) */

static DSTR *captured(int n)
{
    DSTR   *buf = dstr_new(4096);
    char    path[64];

    snprintf(path, sizeof(path), "captured/%02d", n);
    if (fs_read_file(path, buf, 0) < 0)
	return (dstr_free(buf));
    return (buf);
}

/* captured_count - how many submissions were recorded */

static int captured_count(void)
{
    struct stat st;
    char    path[64];
    int     n;

    for (n = 0; n < 100; n++) {
	snprintf(path, sizeof(path), "captured/%02d", n);
	if (stat(path, &st) < 0)
	    break;
    }
    return (n);
}

 /*
  * Queue files and log records.
  */

/* write_queue_file - active/QID with sender, VERP and recipients; done[i] marks */

static void write_queue_file(const char *sender, const char *verp, const char *const *rcpts,
			             const int *done, long *offsets)
{
    int     tmp_fd = open("tmp", O_RDONLY | O_DIRECTORY);
    int     act_fd = open("active", O_RDONLY | O_DIRECTORY);
    QFILE_OUT *out = qfile_out_new(tmp_fd, QID, 0);
    QFILE_INFO info;
    QFILE_IN *in;
    DSTR   *addr = dstr_new(64);
    DSTR   *err = dstr_new(64);
    long    off;
    int     isdone;
    int     fd;
    int     i;

    qfile_out_time(out, 1715677201L, 0);
    qfile_out_content(out, ORIG, strlen(ORIG));
    qfile_out_sender(out, sender);
    if (verp)
	qfile_out_verp(out, verp);
    for (i = 0; rcpts[i]; i++)
	qfile_out_rcpt(out, rcpts[i]);
    ck_assert_int_eq(qfile_out_commit(out, act_fd, QID), QFILE_OK);
    fd = open("active/" QID, O_RDWR);
    ck_assert_int_ge(fd, 0);
    in = qfile_in_open(fd);
    qfile_info_init(&info);
    ck_assert_int_eq(qfile_in_info(in, &info, err), 0);
    for (i = 0; rcpts[i]; i++) {
	ck_assert_int_eq(qfile_in_rcpt(in, addr, &off, &isdone, err), 1);
	offsets[i] = off;
	if (done && done[i])
	    ck_assert_int_eq(qfile_mark_done(fd, off), 0);
    }
    qfile_info_free(&info);
    qfile_in_free(in);
    close(fd);
    close(tmp_fd);
    close(act_fd);
    dstr_free(addr);
    dstr_free(err);
}

/* append_req - an append request as the daemon receives it */

static ATTR_LIST *append_req(const char *log, const char *addr, long offset,
			             const char *status, const char *reason)
{
    ATTR_LIST *req = attr_list_new();
    char    num[32];

#define ADD(n, v) attr_list_add(req, n, strlen(n), v)
    ADD("request", "append");
    if (log)
	ADD("log", log);
    ADD("queue_id", QID);
    ADD("address", addr);
    snprintf(num, sizeof(num), "%ld", offset);
    ADD("offset", num);
    ADD("status", status);
    ADD("action", status[0] == '4' ? "delayed" : "failed");
    ADD("remote_mta", "mx1.host.test");
    ADD("diagnostic", status[0] == '4' ? "smtp; 450 4.2.0 try later"
	: "smtp; 550 5.1.1 no such user");
    ADD("reason", reason);
#undef ADD
    return (req);
}

/* append - one append request; its result */

static int append(const char *log, const char *addr, long offset, const char *status,
		          const char *reason)
{
    ATTR_LIST *req = append_req(log, addr, offset, status, reason);
    DSTR   *why = dstr_new(64);
    int     ret = bounce_append(req, why);

    attr_list_free(req);
    dstr_free(why);
    return (ret);
}

/* notify - one notify request; its result, the reason in why (may be NULL) */

static int notify(const char *what, const char *queue_name, DSTR *why)
{
    ATTR_LIST *req = attr_list_new();
    DSTR   *tmp = dstr_new(64);
    int     ret;

    attr_list_add(req, "request", 7, "notify");
    attr_list_add(req, "notify", 6, what);
    attr_list_add(req, "queue_name", 10, queue_name);
    attr_list_add(req, "queue_id", 8, QID);
    ret = bounce_notify_request(req, why ? why : tmp);
    attr_list_free(req);
    dstr_free(tmp);
    return (ret);
}

/* file_exists - stat() succeeds */

static int file_exists(const char *path)
{
    struct stat st;

    return (stat(path, &st) == 0);
}

/* count_lines - LF characters in text */

static int count_lines(const char *text)
{
    int     n = 0;

    while ((text = strchr(text, '\n')) != NULL) {
	n++;
	text++;
    }
    return (n);
}

/* read_codes - the reader's results for a log, as a string of O, B, E */

static void read_codes(const char *path, DSTR *codes)
{
    BOUNCE_LOG_READER *log = bounce_log_open(path);
    BOUNCE_LOG_REC rec;
    DSTR   *why = dstr_new(64);
    int     got;

    ck_assert_ptr_nonnull(log);
    do {
	got = bounce_log_read(log, &rec, why);
	dstr_catc(codes, got == BOUNCE_LOG_OK ? 'O' : got == BOUNCE_LOG_BAD ? 'B' : 'E');
    } while (got == BOUNCE_LOG_OK || got == BOUNCE_LOG_BAD);
    bounce_log_close(log);
    dstr_free(why);
}

 /*
  * append
  */
START_TEST(append_creates_private_log_with_the_record)
{
    struct stat st;
    DSTR   *codes = dstr_new(8);
    DSTR   *text = dstr_new(512);

    ck_assert_int_eq(append("bounce", "a@host.test", 123, "5.1.1", "gone"), 0);
    ck_assert_int_eq(stat("bounce/" QID, &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0600);
    ck_assert(!file_exists("defer/" QID));
    ck_assert_int_eq(append("bounce", "b@host.test", 456, "5.1.1", "gone too"), 0);
    read_codes("bounce/" QID, codes);
    ck_assert_str_eq(dstr_str(codes), "OOE");
    ck_assert_int_eq(fs_read_file("bounce/" QID, text, 0), 0);
    ck_assert_int_eq(count_lines(dstr_str(text)), 2);	/* nothing between records */
    ck_assert_int_eq(append("defer", "c@host.test", 789, "4.2.0", "later"), 0);
    ck_assert(file_exists("defer/" QID));
    dstr_free(codes);
    dstr_free(text);
}
END_TEST

START_TEST(append_ends_a_torn_record_first)
{
    DSTR   *codes = dstr_new(8);
    DSTR   *text = dstr_new(512);
    int     fd = open("defer/" QID, O_WRONLY | O_CREAT, 0600);

    ck_assert_int_eq(write(fd, "15:time=17156", 13), 13);	/* a crash mid-append */
    close(fd);
    ck_assert_int_eq(append("defer", "c@host.test", 789, "4.2.0", "later"), 0);
    read_codes("defer/" QID, codes);
    ck_assert_str_eq(dstr_str(codes), "BOE");
    ck_assert_int_eq(fs_read_file("defer/" QID, text, 0), 0);
    ck_assert_int_eq(count_lines(dstr_str(text)), 2);	/* the torn line, the record */
    dstr_free(codes);
    dstr_free(text);
}
END_TEST

START_TEST(append_refuses_bad_requests_and_writes_nothing)
{
    ATTR_LIST *req;
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(append(NULL, "a@host.test", 1, "5.1.1", "x"), -1);
    ck_assert_int_eq(append("trace", "a@host.test", 1, "5.1.1", "x"), -1);
    ck_assert_int_eq(append("bounce", "", 1, "5.1.1", "x"), -1);
    ck_assert_int_eq(append("bounce", "a@host.test", -5, "5.1.1", "x"), -1);
    ck_assert_int_eq(append("bounce", "a@host.test", 1, "550", "x"), -1);
    req = append_req("bounce", "a@host.test", 1, "5.1.1", "x");
    attr_list_add(req, "queue_id", 8, "../../etc/passwd");	/* last one wins */
    ck_assert_int_eq(bounce_append(req, why), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(why), "queue_id"));
    ck_assert(!file_exists("bounce/" QID));
    attr_list_free(req);
    dstr_free(why);
}
END_TEST

 /*
  * The recipient table.
  */
START_TEST(table_keeps_last_record_and_final_bounce)
{
    static const char *const rcpts[] = {"a@host.test", "b@host.test", "a@host.test", 0};
    static const int done[] = {0, 1, 0};
    long    off[3];
    BOUNCE_TABLE *t;
    QFILE_INFO info;
    QFILE_IN *in;
    DSTR   *err = dstr_new(64);
    FILE   *fp;
    int     exists;
    int     fd;

    write_queue_file("alice@example.org", NULL, rcpts, done, off);
    ck_assert_int_eq(append("defer", "a@host.test", off[0], "4.2.0", "first try"), 0);
    ck_assert_int_eq(append("defer", "a@host.test", off[0], "4.4.1", "second try"), 0);
    ck_assert_int_eq(append("defer", "a@host.test", off[2], "4.3.0", "the other a"), 0);
    ck_assert_int_eq(append("defer", "a@host.test", 99999, "4.4.2", "damaged offset"), 0);
    ck_assert_int_eq(append("defer", "z@host.test", 99999, "4.4.2", "nobody's"), 0);
    fp = fopen("defer/" QID, "a");
    fputs("garbage line\n", fp);
    fclose(fp);
    ck_assert_int_eq(append("bounce", "b@host.test", off[1], "5.1.1", "bounced"), 0);

    fd = open("active/" QID, O_RDONLY);
    in = qfile_in_open(fd);
    qfile_info_init(&info);
    ck_assert_int_eq(qfile_in_info(in, &info, err), 0);
    t = bounce_table_load(in, err);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(t->count, 3);
    ck_assert(t->entries[0].offset < t->entries[1].offset);
    ck_assert_int_eq(t->entries[1].done, 1);
    ck_assert_int_eq(t->entries[0].done, 0);

    ck_assert_int_eq(bounce_table_merge(t, "bounce/" QID, BOUNCE_SRC_BOUNCE, QID, &exists, err), 1);
    ck_assert_int_eq(bounce_table_merge(t, "defer/" QID, BOUNCE_SRC_DEFER, QID, &exists, err), 4);
    ck_assert_int_eq(exists, 1);
    /* damaged offset, right address: the first a@ takes it, as the last record */
    ck_assert_str_eq(t->entries[0].reason, "damaged offset");
    ck_assert_str_eq(t->entries[2].reason, "the other a");
    ck_assert_str_eq(t->entries[2].status, "4.3.0");
    ck_assert_int_eq(t->entries[1].source, BOUNCE_SRC_BOUNCE);
    ck_assert_str_eq(t->entries[1].reason, "bounced");
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "skipping damaged record"));
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "no recipient <z@host.test>"));
    ck_assert_int_eq(bounce_table_merge(t, "defer/NOTHERE", BOUNCE_SRC_DEFER, QID, &exists,
					err), 0);
    ck_assert_int_eq(exists, 0);
    bounce_table_free(t);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
    dstr_free(err);
}
END_TEST

START_TEST(bounce_record_is_never_replaced_by_a_defer_record)
{
    BOUNCE_ENTRY e;
    static const BOUNCE_RCPT b = {"a@b", 1, "5.1.1", "failed", "", "", "final"};
    static const BOUNCE_RCPT d = {"a@b", 1, "4.1.1", "delayed", "", "", "later"};

    memset(&e, 0, sizeof(e));
    bounce_table_attach(&e, BOUNCE_SRC_DEFER, &d, 1);
    ck_assert_str_eq(e.reason, "later");
    bounce_table_attach(&e, BOUNCE_SRC_BOUNCE, &b, 2);
    bounce_table_attach(&e, BOUNCE_SRC_DEFER, &d, 3);
    ck_assert_str_eq(e.reason, "final");
    ck_assert_int_eq(e.when, 2);
    free(e.status);
    free(e.action);
    free(e.remote_mta);
    free(e.diagnostic);
    free(e.reason);
}
END_TEST

 /*
  * notify
  */
START_TEST(failed_without_bounce_log_has_nothing_to_do)
{
    ck_assert_int_eq(notify("failed", "active", NULL), 0);	/* no queue file either */
    close(open("bounce/" QID, O_WRONLY | O_CREAT, 0600));
    ck_assert_int_eq(notify("failed", "active", NULL), 0);
    ck_assert(!file_exists("bounce/" QID));
}
END_TEST

START_TEST(failed_sends_one_notice_and_removes_the_log)
{
    static const char *const rcpts[] = {"a@host.test", "b@host.test", 0};
    long    off[2];
    DSTR   *c;

    write_queue_file("alice@example.org", NULL, rcpts, NULL, off);
    ck_assert_int_eq(append("bounce", "b@host.test", off[1], "5.1.1", "no such user"), 0);
    fake_cleanup_start(FAKE_OK);
    ck_assert_int_eq(notify("failed", "active", NULL), 0);
    ck_assert_int_eq(captured_count(), 1);
    c = captured(0);
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "sender=\nqueue_id="));
    ck_assert_int_eq(strcspn(dstr_str(c) + strlen("sender=\nqueue_id="), "\n"), 16);
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "\nrcpt=alice@example.org\n\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "\nFinal-Recipient: rfc822; b@host.test\n"));
    ck_assert_ptr_null(strstr(dstr_str(c), "a@host.test"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "\nReturn-Path: <alice@example.org>\n" ORIG));
    ck_assert(!file_exists("bounce/" QID));
    ck_assert_ptr_nonnull(strstr(dstr_str(logged),
			    QID ": sender non-delivery notification: 0S44WF10000FAKE0\n"));
    dstr_free(c);
}
END_TEST

START_TEST(failed_keeps_the_log_when_cleanup_fails)
{
    static const char *const rcpts[] = {"a@host.test", 0};
    long    off[1];
    DSTR   *why = dstr_new(64);

    write_queue_file("alice@example.org", NULL, rcpts, NULL, off);
    ck_assert_int_eq(append("bounce", "a@host.test", off[0], "5.1.1", "no such user"), 0);
    ck_assert_int_eq(notify("failed", "active", why), -1);	/* nobody listens */
    ck_assert_ptr_nonnull(strstr(dstr_str(why), "private/cleanup"));
    ck_assert(file_exists("bounce/" QID));
    fake_cleanup_start(FAKE_DEFER);
    ck_assert_int_eq(notify("failed", "active", why), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(why), "fake refusal"));
    ck_assert(file_exists("bounce/" QID));
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "notification (failed) not sent"));
    dstr_free(why);
}
END_TEST

START_TEST(failed_keeps_the_log_without_the_queue_file)
{
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(append("bounce", "a@host.test", 100, "5.1.1", "no such user"), 0);
    fake_cleanup_start(FAKE_OK);
    ck_assert_int_eq(notify("failed", "active", why), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(why), "open queue file active/" QID));
    ck_assert(file_exists("bounce/" QID));
    ck_assert_int_eq(captured_count(), 0);
    ck_assert_int_eq(notify("failed", "../etc", why), -1);
    ck_assert_int_eq(notify("sideways", "active", why), -1);
    dstr_free(why);
}
END_TEST

START_TEST(verp_gives_one_notice_per_failed_recipient)
{
    static const char *const rcpts[] = {"bad1@host.test", "good@host.test", "bad2@other.test", 0};
    static const int done[] = {1, 1, 1};
    long    off[3];
    DSTR   *c0;
    DSTR   *c1;

    write_queue_file("list-return-12@example.org", "-=", rcpts, done, off);
    ck_assert_int_eq(append("bounce", "bad1@host.test", off[0], "5.1.1", "r1"), 0);
    ck_assert_int_eq(append("bounce", "bad2@other.test", off[2], "5.2.1", "r2"), 0);
    fake_cleanup_start(FAKE_OK);
    ck_assert_int_eq(notify("failed", "active", NULL), 0);
    ck_assert_int_eq(captured_count(), 2);
    c0 = captured(0);
    c1 = captured(1);
    ck_assert_ptr_nonnull(strstr(dstr_str(c0), "\nrcpt=list-return-12-bad1=host.test@example.org\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c0), "Final-Recipient: rfc822; bad1@host.test\n"));
    ck_assert_ptr_null(strstr(dstr_str(c0), "bad2@"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c1), "\nrcpt=list-return-12-bad2=other.test@example.org\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c1), "Status: 5.2.1\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c1), "To: <list-return-12-bad2=other.test@example.org>\n"));
    dstr_free(c0);
    dstr_free(c1);
}
END_TEST

START_TEST(double_bounce_goes_to_the_postmaster)
{
    static const char *const rcpts[] = {"a@host.test", 0};
    long    off[1];
    DSTR   *c;

    var_notify_classes = "2bounce";
    write_queue_file("", NULL, rcpts, NULL, off);
    ck_assert_int_eq(append("bounce", "a@host.test", off[0], "5.1.1", "no such user"), 0);
    fake_cleanup_start(FAKE_OK);
    ck_assert_int_eq(notify("failed", "active", NULL), 0);
    ck_assert_int_eq(captured_count(), 1);
    c = captured(0);
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "sender=double-bounce@example.net\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "\nrcpt=postmaster@example.net\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "Subject: Postmaster Copy: Undelivered Mail\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "postmaster non-delivery notification"));
    ck_assert(!file_exists("bounce/" QID));
    dstr_free(c);
}
END_TEST

START_TEST(double_bounce_is_discarded_without_2bounce)
{
    static const char *const rcpts[] = {"a@host.test", 0};
    long    off[1];

    write_queue_file("", NULL, rcpts, NULL, off);
    ck_assert_int_eq(append("bounce", "a@host.test", off[0], "5.1.1", "no such user"), 0);
    fake_cleanup_start(FAKE_OK);
    ck_assert_int_eq(notify("failed", "active", NULL), 0);
    ck_assert_int_eq(captured_count(), 0);
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), QID ": double bounce discarded"));
    ck_assert(!file_exists("bounce/" QID));
}
END_TEST

START_TEST(expired_reports_every_recipient_not_done)
{
    static const char *const rcpts[] = {"a@host.test", "b@host.test", "c@host.test",
    "d@host.test", 0};
    static const int done[] = {0, 0, 1, 1};
    long    off[4];
    DSTR   *c;

    write_queue_file("alice@example.org", NULL, rcpts, done, off);
    ck_assert_int_eq(append("defer", "a@host.test", off[0], "4.2.0", "old reason"), 0);
    ck_assert_int_eq(append("defer", "a@host.test", off[0], "4.4.1", "last reason"), 0);
    ck_assert_int_eq(append("defer", "c@host.test", off[2], "4.4.1", "delivered later"), 0);
    ck_assert_int_eq(append("bounce", "d@host.test", off[3], "5.1.1", "bounced"), 0);
    fake_cleanup_start(FAKE_OK);
    ck_assert_int_eq(notify("expired", "active", NULL), 0);
    ck_assert_int_eq(captured_count(), 1);
    c = captured(0);
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "Final-Recipient: rfc822; a@host.test\n"
			       "Original-Recipient: rfc822;a@host.test\n"
			       "Action: failed\nStatus: 4.4.1\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "<a@host.test>: last reason\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "Final-Recipient: rfc822; b@host.test\n"
			       "Original-Recipient: rfc822;b@host.test\n"
			       "Action: failed\nStatus: 4.4.7\n"
			       "Diagnostic-Code: X-Postfix; delivery time expired\n"));
    ck_assert_ptr_null(strstr(dstr_str(c), "c@host.test"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "Final-Recipient: rfc822; d@host.test\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(logged),
			   QID ": from=<alice@example.org>, status=expired, returned to sender\n"));
    ck_assert(!file_exists("bounce/" QID));
    ck_assert(file_exists("defer/" QID));			/* qmgr removes it with the message */
    dstr_free(c);
}
END_TEST

START_TEST(delayed_warns_and_keeps_the_logs)
{
    static const char *const rcpts[] = {"a@host.test", "b@host.test", 0};
    long    off[2];
    DSTR   *c;

    var_notify_classes = "delay";
    write_queue_file("alice@example.org", NULL, rcpts, NULL, off);
    ck_assert_int_eq(append("defer", "a@host.test", off[0], "4.4.1", "no answer"), 0);
    fake_cleanup_start(FAKE_OK);
    ck_assert_int_eq(notify("delayed", "active", NULL), 0);
    ck_assert_int_eq(captured_count(), 2);			/* sender, postmaster copy */
    c = captured(0);
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "Subject: Delayed Mail (still being retried)\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "Action: delayed\nStatus: 4.4.1\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "Will-Retry-Until: "));
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "Content-Type: text/rfc822-headers\n"));
    ck_assert_ptr_null(strstr(dstr_str(c), "b@host.test"));
    ck_assert_ptr_null(strstr(dstr_str(c), "second body line"));
    dstr_free(c);
    c = captured(1);
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "sender=double-bounce@example.net\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "Subject: Postmaster Warning: Delayed Mail\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "sender delay notification"));
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "postmaster delay notification"));
    ck_assert(file_exists("defer/" QID));
    dstr_free(c);
}
END_TEST

START_TEST(postmaster_copy_has_headers_only)
{
    static const char *const rcpts[] = {"a@host.test", 0};
    long    off[1];
    DSTR   *c;

    var_notify_classes = "bounce";
    write_queue_file("alice@example.org", NULL, rcpts, NULL, off);
    ck_assert_int_eq(append("bounce", "a@host.test", off[0], "5.1.1", "no such user"), 0);
    fake_cleanup_start(FAKE_OK);
    ck_assert_int_eq(notify("failed", "active", NULL), 0);
    ck_assert_int_eq(captured_count(), 2);
    c = captured(1);
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "sender=double-bounce@example.net\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "\nrcpt=postmaster@example.net\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "Content-Type: text/rfc822-headers\n"));
    ck_assert_ptr_null(strstr(dstr_str(c), "second body line"));
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "postmaster non-delivery notification"));
    dstr_free(c);
}
END_TEST

START_TEST(big_original_is_returned_as_headers)
{
    static const char *const rcpts[] = {"a@host.test", 0};
    long    off[1];
    DSTR   *c;

    var_bounce_limit = 20;				/* ORIG is longer */
    write_queue_file("alice@example.org", NULL, rcpts, NULL, off);
    ck_assert_int_eq(append("bounce", "a@host.test", off[0], "5.1.1", "no such user"), 0);
    fake_cleanup_start(FAKE_OK);
    ck_assert_int_eq(notify("failed", "active", NULL), 0);
    c = captured(0);
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "Content-Type: text/rfc822-headers\n\n"
			       "Return-Path: <alice@example.org>\nSubject: hi\nFrom: al\n"));
    ck_assert_ptr_null(strstr(dstr_str(c), "Hello"));
    dstr_free(c);
}
END_TEST

START_TEST(refused_notice_is_retried_with_headers_only)
{
    static const char *const rcpts[] = {"a@host.test", 0};
    long    off[1];
    DSTR   *c;

    write_queue_file("alice@example.org", NULL, rcpts, NULL, off);
    ck_assert_int_eq(append("bounce", "a@host.test", off[0], "5.1.1", "no such user"), 0);
    fake_cleanup_start(FAKE_REJECT_FULL);
    ck_assert_int_eq(notify("failed", "active", NULL), 0);
    ck_assert_int_eq(captured_count(), 1);
    c = captured(0);
    ck_assert_ptr_nonnull(strstr(dstr_str(c), "Content-Type: text/rfc822-headers\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(logged), "trying with headers only"));
    dstr_free(c);
}
END_TEST


 /*
  * The client side (bounce_client.c), against a child that serves
  * private/bounce with the daemon's request functions.
  */
#define FAKE_BOUNCE_SERVE	0	/* do what the request asks */
#define FAKE_BOUNCE_SILENT	1	/* read the request, close without an answer */

/* fake_bounce_start - a child serving private/bounce until killed */

static void fake_bounce_start(int mode)
{
    DSTR   *err = dstr_new(64);
    struct pollfd pfd;
    int     lfd = sock_unix_listen(BOUNCE_SERVICE, 16, 0600, err);
    ATTR_LIST *req;
    DSTR   *why;
    DSTR   *reply;
    const char *what;
    IOS    *ios;
    int     fd;
    int     ret;

    ck_assert_msg(lfd >= 0, "%s", dstr_str(err));
    dstr_free(err);
    if ((fake_pid = fork()) < 0)
	ck_abort_msg("fork: %s", strerror(errno));
    if (fake_pid > 0) {
	close(lfd);
	return;
    }
    for (;;) {
	pfd.fd = lfd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 30000) <= 0)
	    _exit(0);
	if ((fd = accept(lfd, NULL, NULL)) < 0)
	    continue;
	ios = ios_open(fd);
	ios_set_timeout(ios, 5);
	req = attr_list_new();
	why = dstr_new(64);
	reply = dstr_new(64);
	if (attr_read(ios, req, BOUNCE_LOG_ATTR_MAX, 32) == ATTR_OK && mode == FAKE_BOUNCE_SERVE) {
	    what = attr_get_str(req, "request");
	    ret = what && strcmp(what, BOUNCE_REQ_APPEND) == 0 ? bounce_append(req, why)
		: bounce_notify_request(req, why);
	    attr_put_long(reply, "status", ret < 0 ? BOUNCE_STAT_FAIL : BOUNCE_STAT_OK);
	    attr_put_str(reply, "reason", ret < 0 ? dstr_str(why) : "");
	    attr_put_end(reply);
	    (void) ios_write(ios, dstr_str(reply), dstr_len(reply));
	    (void) ios_flush(ios);
	}
	ios_close(ios);
	attr_list_free(req);
	dstr_free(why);
	dstr_free(reply);
    }
}

START_TEST(client_appends_through_the_service)
{
    BOUNCE_RCPT r = {"a@host.test", 321, "5.1.1", "failed", "mx1.host.test",
    "smtp; 550 5.1.1 no such user", NULL};
    BOUNCE_LOG_READER *log;
    BOUNCE_LOG_REC rec;
    DSTR   *err = dstr_new(64);
    char   *big = malloc(3 * BOUNCE_LOG_TEXT_MAX + 1);

    memset(big, 'r', 3 * BOUNCE_LOG_TEXT_MAX);
    big[3 * BOUNCE_LOG_TEXT_MAX] = 0;
    r.reason = big;				/* longer than a record keeps */
    fake_bounce_start(FAKE_BOUNCE_SERVE);
    ck_assert_msg(bounce_log(BOUNCE_LOG_BOUNCE, QID, &r, err) == 0, "%s", dstr_str(err));
    r.status = "4.4.1", r.action = "delayed", r.reason = "later";
    ck_assert_msg(bounce_log(BOUNCE_LOG_DEFER, QID, &r, err) == 0, "%s", dstr_str(err));
    log = bounce_log_open("bounce/" QID);
    ck_assert_ptr_nonnull(log);
    ck_assert_int_eq(bounce_log_read(log, &rec, err), BOUNCE_LOG_OK);
    ck_assert_str_eq(rec.rcpt.address, "a@host.test");
    ck_assert_int_eq(rec.rcpt.offset, 321);
    ck_assert_str_eq(rec.rcpt.diagnostic, "smtp; 550 5.1.1 no such user");
    ck_assert_uint_eq(strlen(rec.rcpt.reason), BOUNCE_LOG_TEXT_MAX);
    ck_assert_int_eq(bounce_log_read(log, &rec, err), BOUNCE_LOG_END);
    bounce_log_close(log);
    log = bounce_log_open("defer/" QID);
    ck_assert_ptr_nonnull(log);
    ck_assert_int_eq(bounce_log_read(log, &rec, err), BOUNCE_LOG_OK);
    ck_assert_str_eq(rec.rcpt.status, "4.4.1");
    ck_assert_str_eq(rec.rcpt.reason, "later");
    bounce_log_close(log);
    /* no bounce log, nothing to do: success */
    ck_assert_msg(bounce_notify(BOUNCE_NOTIFY_FAILED, "active", "0S44WE80000ABCDF", err) == 0,
		  "%s", dstr_str(err));
    free(big);
    dstr_free(err);
}
END_TEST

START_TEST(client_reports_the_service_refusal)
{
    BOUNCE_RCPT r = {"a@host.test", 1, "5.1.1", "failed", "", "", "x"};
    DSTR   *err = dstr_new(64);

    fake_bounce_start(FAKE_BOUNCE_SERVE);
    r.status = "550";
    ck_assert_int_eq(bounce_log(BOUNCE_LOG_BOUNCE, QID, &r, err), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "bad status"));
    ck_assert_int_eq(bounce_notify(BOUNCE_NOTIFY_EXPIRED, "active", QID, err), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "open queue file active/" QID));
    dstr_free(err);
}
END_TEST

START_TEST(client_fails_without_an_answer)
{
    BOUNCE_RCPT r = {"a@host.test", 1, "5.1.1", "failed", "", "", "x"};
    DSTR   *err = dstr_new(64);
    char   *longaddr = malloc(BOUNCE_LOG_ADDR_MAX + 2);

    ck_assert_int_eq(bounce_log(BOUNCE_LOG_BOUNCE, QID, &r, err), -1);	/* nobody there */
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "connect to private/bounce"));
    fake_bounce_start(FAKE_BOUNCE_SILENT);
    ck_assert_int_eq(bounce_log(BOUNCE_LOG_BOUNCE, QID, &r, err), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "no answer"));
    ck_assert_int_eq(bounce_notify(BOUNCE_NOTIFY_FAILED, "active", QID, err), -1);
    memset(longaddr, 'a', BOUNCE_LOG_ADDR_MAX + 1);
    longaddr[BOUNCE_LOG_ADDR_MAX + 1] = 0;
    r.address = longaddr;
    ck_assert_int_eq(bounce_log(BOUNCE_LOG_BOUNCE, QID, &r, err), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(err), "longer than"));
    free(longaddr);
    dstr_free(err);
}
END_TEST

START_TEST(client_panics_on_a_bad_queue_id)
{
    BOUNCE_RCPT r = {"a@host.test", 1, "5.1.1", "failed", "", "", "x"};
    DSTR   *err = dstr_new(64);

    (void) bounce_log(BOUNCE_LOG_BOUNCE, "../../etc/passwd", &r, err);
}
END_TEST

START_TEST(protocol_names)
{
    ck_assert_str_eq(bounce_client_log_name(BOUNCE_LOG_BOUNCE), "bounce");
    ck_assert_str_eq(bounce_client_log_name(BOUNCE_LOG_DEFER), "defer");
    ck_assert_ptr_null(bounce_client_log_name(0));
    ck_assert_ptr_null(bounce_client_log_name(3));
    ck_assert_int_eq(bounce_client_log_code("defer"), BOUNCE_LOG_DEFER);
    ck_assert_int_eq(bounce_client_log_code("trace"), 0);
    ck_assert_str_eq(bounce_client_notify_name(BOUNCE_NOTIFY_EXPIRED), "expired");
    ck_assert_ptr_null(bounce_client_notify_name(4));
    ck_assert_int_eq(bounce_client_notify_code("delayed"), BOUNCE_NOTIFY_DELAYED);
    ck_assert_int_eq(bounce_client_notify_code(""), 0);
}
END_TEST

/* suite_setup - the directory every test works under */

static void suite_setup(void)
{
    strcpy(topdir, "/tmp/check_bounce.XXXXXX");
    if (mkdtemp(topdir) == NULL)
	ck_abort_msg("mkdtemp: %s", strerror(errno));
}

/* suite_teardown - remove it all */

static void suite_teardown(void)
{
    (void) nftw(topdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* bounce_spool_suite - the cases */

static Suite *bounce_spool_suite(void)
{
    Suite  *s = suite_create("bounce_spool");
    TCase  *ta = tcase_create("append");
    TCase  *tt = tcase_create("table");
    TCase  *tn = tcase_create("notify");
    TCase  *tc = tcase_create("client");

    tcase_add_unchecked_fixture(ta, suite_setup, suite_teardown);
    tcase_add_checked_fixture(ta, setup, teardown);
    tcase_add_test(ta, append_creates_private_log_with_the_record);
    tcase_add_test(ta, append_ends_a_torn_record_first);
    tcase_add_test(ta, append_refuses_bad_requests_and_writes_nothing);
    suite_add_tcase(s, ta);

    tcase_add_unchecked_fixture(tt, suite_setup, suite_teardown);
    tcase_add_checked_fixture(tt, setup, teardown);
    tcase_add_test(tt, table_keeps_last_record_and_final_bounce);
    tcase_add_test(tt, bounce_record_is_never_replaced_by_a_defer_record);
    suite_add_tcase(s, tt);

    tcase_add_unchecked_fixture(tn, suite_setup, suite_teardown);
    tcase_add_checked_fixture(tn, setup, teardown);
    tcase_add_test(tn, failed_without_bounce_log_has_nothing_to_do);
    tcase_add_test(tn, failed_sends_one_notice_and_removes_the_log);
    tcase_add_test(tn, failed_keeps_the_log_when_cleanup_fails);
    tcase_add_test(tn, failed_keeps_the_log_without_the_queue_file);
    tcase_add_test(tn, verp_gives_one_notice_per_failed_recipient);
    tcase_add_test(tn, double_bounce_goes_to_the_postmaster);
    tcase_add_test(tn, double_bounce_is_discarded_without_2bounce);
    tcase_add_test(tn, expired_reports_every_recipient_not_done);
    tcase_add_test(tn, delayed_warns_and_keeps_the_logs);
    tcase_add_test(tn, postmaster_copy_has_headers_only);
    tcase_add_test(tn, big_original_is_returned_as_headers);
    tcase_add_test(tn, refused_notice_is_retried_with_headers_only);
    suite_add_tcase(s, tn);

    tcase_add_unchecked_fixture(tc, suite_setup, suite_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, client_appends_through_the_service);
    tcase_add_test(tc, client_reports_the_service_refusal);
    tcase_add_test(tc, client_fails_without_an_answer);
    tcase_add_test_raise_signal(tc, client_panics_on_a_bad_queue_id, SIGABRT);
    tcase_add_test(tc, protocol_names);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(bounce_spool_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
