/*
 * check_cleanup_header - unit tests for cleanup's header pass
 * DESCRIPTION
 *	Messages go through cleanup_hdr_feed() into a QFILE_OUT that is
 *	committed into a temporary spool and read back, so the tests see
 *	exactly the content a queue file would hold. The content must not
 *	depend on how the message was cut into pieces (one piece, byte by
 *	byte, random chunk sizes, every two-piece split). Behaviour: missing
 *	Message-Id:, Date: and From: are added where the header section
 *	ends, present ones are not duplicated, Received: headers are
 *	counted against the hop limit, an mbox "From " line becomes
 *	X-Mailbox-Line:, a body that starts without a blank line gets one,
 *	CRLF lines work, an over-long header is cut while the body never
 *	is. Time-dependent text of added headers is masked before comparing.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfg_params.h"
#include "cleanup/cleanup.h"
#include "dstr.h"
#include "qfile.h"
#include "qid.h"
#include "timefmt.h"

#define QID		"0S44WE80000ABCDE"
#define HOPS		50			/* hopcount_limit default */
#define HDR_LIMIT	102400			/* header_size_limit default */
#define ADDED_ID	"Message-Id: <STAMP." QID "@mx.example.com>\n"
#define ADDED_DATE	"Date: <DATE>\n"

static char topdir[64];				/* made by the runner, for all tests */
static char testdir[128];			/* topdir/t.XXXXXX, one per test */
static int tmp_fd = -1;
static int inc_fd = -1;

/* One pass of the header code over a message. */
typedef struct RUN {
    DSTR   *content;			/* what the queue file holds, masked */
    int     too_many_hops;
    DSTR   *message_id;			/* cleanup_hdr_message_id(), masked */
} RUN;

/* The parameters of a pass. */
typedef struct OPTS {
    const char *sender;			/* NULL: unknown */
    int     hop_limit;
    size_t  header_limit;
} OPTS;

static const OPTS defaults = {"alice@example.org", HOPS, HDR_LIMIT};

/* open_dir - make and open a directory */

static int open_dir(const char *parent, const char *name)
{
    char    path[256];
    int     fd;

    snprintf(path, sizeof(path), "%s/%s", parent, name);
    if (mkdir(path, 0700) < 0)
	ck_abort_msg("mkdir %s: %s", path, strerror(errno));
    if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
	ck_abort_msg("open %s: %s", path, strerror(errno));
    return (fd);
}

/* setup - parameters and a fresh spool for one test */

static void setup(void)
{
    var_myhostname = "mx.example.com";
    var_empty_addr = "MAILER-DAEMON";
    snprintf(testdir, sizeof(testdir), "%s/t.XXXXXX", topdir);
    if (mkdtemp(testdir) == NULL)
	ck_abort_msg("mkdtemp: %s", strerror(errno));
    tmp_fd = open_dir(testdir, "tmp");
    inc_fd = open_dir(testdir, "incoming");
}

/* teardown - close the spool (suite_teardown removes it) */

static void teardown(void)
{
    close(tmp_fd);
    close(inc_fd);
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

/* suite_setup - the directory all tests work under */

static void suite_setup(void)
{
    strcpy(topdir, "/tmp/check_cleanup_header.XXXXXX");
    if (mkdtemp(topdir) == NULL)
	ck_abort_msg("mkdtemp: %s", strerror(errno));
}

/* suite_teardown - remove everything, including what failed tests left */

static void suite_teardown(void)
{
    (void) nftw(topdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* replace_all - replace every occurrence of from by to */

static void replace_all(DSTR *buf, const char *from, const char *to)
{
    DSTR   *out = dstr_new(dstr_len(buf) + 16);
    const char *cp = dstr_str(buf);
    const char *end = cp + dstr_len(buf);
    const char *hit;
    size_t  flen = strlen(from);

    while ((hit = memmem(cp, (size_t) (end - cp), from, flen)) != NULL) {
	dstr_cat(out, cp, (size_t) (hit - cp));
	dstr_cats(out, to);
	cp = hit + flen;
    }
    dstr_cat(out, cp, (size_t) (end - cp));
    dstr_memcpy(buf, dstr_str(out), dstr_len(out));
    dstr_free(out);
}

/* mask_time - replace the time stamps of added headers made in [t0,t1] */

static void mask_time(DSTR *buf, time_t t0, time_t t1)
{
    DSTR   *date = dstr_new(64);
    char    stamp[32];
    struct tm tm;
    time_t  t;

    for (t = t0; t <= t1; t++) {
	DSTR_RESET(date);
	timefmt_rfc5322(date, t);
	replace_all(buf, dstr_str(date), "<DATE>");
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	replace_all(buf, stamp, "STAMP");
    }
    dstr_free(date);
}

/* read_content - commit out and return the content of the queue file */

static DSTR *read_content(QFILE_OUT *out)
{
    static int seq;
    char    name[32];
    QFILE_INFO info;
    QFILE_IN *in;
    DSTR   *err = dstr_new(64);
    DSTR   *content;
    int     fd;

    snprintf(name, sizeof(name), "F%d", seq++);
    qfile_out_sender(out, "alice@example.org");
    qfile_out_rcpt(out, "bob@host.test");
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, name), QFILE_OK);
    ck_assert_int_ge(fd = openat(inc_fd, name, O_RDONLY), 0);
    in = qfile_in_open(fd);
    qfile_info_init(&info);
    ck_assert_msg(qfile_in_info(in, &info, err) == 0, "%s", dstr_str(err));
    content = dstr_new((size_t) info.content_size + 1);
    ck_assert_int_eq(pread(fd, dstr_space(content, (size_t) info.content_size),
			   (size_t) info.content_size, info.content_offset),
		     info.content_size);
    dstr_addlen(content, (size_t) info.content_size);
    qfile_info_free(&info);
    qfile_in_free(in);
    close(fd);
    (void) unlinkat(inc_fd, name, 0);
    dstr_free(err);
    return (content);
}

/* filter_cuts - run the header pass over msg cut at the given offsets */

static RUN filter_cuts(const char *msg, size_t len, const OPTS *opts,
		               const size_t *cuts, size_t ncuts)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "tmpfile", 0);
    CLEANUP_HDR *hdr;
    RUN     run;
    size_t  pos = 0;
    size_t  i;
    time_t  t0 = time((time_t *) 0);
    time_t  t1;

    hdr = cleanup_hdr_new(out, NULL, QID, opts->sender, opts->hop_limit, opts->header_limit);
    for (i = 0; i <= ncuts; i++) {
	size_t  end = i < ncuts ? cuts[i] : len;

	if (end > pos)
	    cleanup_hdr_feed(hdr, msg + pos, end - pos);
	pos = end;
    }
    cleanup_hdr_finish(hdr);
    t1 = time((time_t *) 0);
    run.too_many_hops = cleanup_hdr_too_many_hops(hdr);
    run.message_id = dstr_new(64);
    dstr_cats(run.message_id, cleanup_hdr_message_id(hdr));
    cleanup_hdr_free(hdr);
    run.content = read_content(out);
    mask_time(run.content, t0, t1);
    mask_time(run.message_id, t0, t1);
    return (run);
}

/* filter - the whole message in one piece */

static RUN filter(const char *msg, const OPTS *opts)
{
    return (filter_cuts(msg, strlen(msg), opts, NULL, 0));
}

/* run_free - release */

static void run_free(RUN *run)
{
    dstr_free(run->content);
    dstr_free(run->message_id);
}

/* assert_same - two runs gave the same result */

static void assert_same(const RUN *ref, const RUN *got, const char *how)
{
    ck_assert_msg(dstr_len(ref->content) == dstr_len(got->content)
		  && memcmp(dstr_str(ref->content), dstr_str(got->content),
			    dstr_len(ref->content)) == 0,
		  "content differs when fed %s:\n--- one piece:\n%s\n--- %s:\n%s",
		  how, dstr_str(ref->content), how, dstr_str(got->content));
    ck_assert_msg(ref->too_many_hops == got->too_many_hops,
		  "hop verdict differs when fed %s", how);
    ck_assert_msg(strcmp(dstr_str(ref->message_id), dstr_str(got->message_id)) == 0,
		  "message id differs when fed %s", how);
}

/* assert_split_independent - every way of cutting msg gives the one-piece result */

static RUN assert_split_independent(const char *msg, size_t len, const OPTS *opts)
{
    RUN     ref = filter_cuts(msg, len, opts, NULL, 0);
    RUN     got;
    size_t *cuts = calloc(len + 1, sizeof(size_t));
    size_t  n;
    size_t  i;
    unsigned seed;
    char    how[64];

    for (i = 0; i < len; i++)				/* byte by byte */
	cuts[i] = i + 1;
    got = filter_cuts(msg, len, opts, cuts, len);
    assert_same(&ref, &got, "byte by byte");
    run_free(&got);

    for (seed = 1; seed <= 8; seed++) {			/* random chunk sizes */
	unsigned state = seed;
	size_t  pos = 0;
	size_t  maxchunk = seed <= 4 ? 7 : 300;

	for (n = 0; pos < len; n++) {
	    pos += 1 + (size_t) rand_r(&state) % maxchunk;
	    cuts[n] = pos < len ? pos : len;
	}
	got = filter_cuts(msg, len, opts, cuts, n);
	snprintf(how, sizeof(how), "in random chunks (seed %u)", seed);
	assert_same(&ref, &got, how);
	run_free(&got);
    }

    for (i = 1; i < len; i++) {				/* every two-piece split */
	got = filter_cuts(msg, len, opts, &i, 1);
	snprintf(how, sizeof(how), "in two pieces cut at %zu", i);
	assert_same(&ref, &got, how);
	run_free(&got);
    }
    free(cuts);
    return (ref);
}

/* assert_content - the one-piece content is exactly want */

static void assert_content(const RUN *run, const char *want)
{
    ck_assert_msg(dstr_len(run->content) == strlen(want)
		  && memcmp(dstr_str(run->content), want, strlen(want)) == 0,
		  "content is:\n%s\n--- want:\n%s", dstr_str(run->content), want);
}

/* assert_filters_to - in every split, msg becomes want */

static void assert_filters_to(const char *msg, const OPTS *opts, const char *want)
{
    RUN     run = assert_split_independent(msg, strlen(msg), opts);

    assert_content(&run, want);
    run_free(&run);
}

 /*
  * Split independence.
  */
static const char *const sample_msgs[] = {
    "Subject: hi\n\nHello\n",
    "From: list@example.org\nSubject: post 12\n\nbody\n",
    "Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\n"
    "Received: from c\n\tby d; Mon, 1 Jan 2024 00:00:01 +0000\n"
    "Message-ID: <abc@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n"
    "From: a@b\nTo: c@d\nSubject: folded\n  subject line\n\nline 1\nline 2\n",
    "From alice@example.org Mon Jan  1 00:00:00 2024\nSubject: mbox\n\nbody\n",
    "Subject: no separator\nthis is body text\nmore\n",
    " leading space line\nSubject: not a header\n\n",
    "Subject: crlf\r\nMessage-Id: <x@y>\r\n\r\nbody\r\n",
    "Subject: no final lf\n\nbody without lf",
    "Subject: header without lf",
    "Subject : obsolete form\nMessage-Id  :<q@r>\n\nb\n",
    "\n\nempty header section\n",
    "\r\n",
    "\r",
    "X",
    ":colon first\n\n",
    "Bad header\x01: x\nSubject: y\n\nz\n",
    "Subject: a\n\tcontinued\n more\nTo: b\n\n",
};

START_TEST(output_is_identical_for_every_split)
{
    size_t  i;
    RUN     run;

    for (i = 0; i < sizeof(sample_msgs) / sizeof(sample_msgs[0]); i++) {
	run = assert_split_independent(sample_msgs[i], strlen(sample_msgs[i]), &defaults);
	run_free(&run);
    }
}
END_TEST

START_TEST(output_without_sender_is_identical_for_every_split)
{
    static const OPTS no_sender = {NULL, HOPS, HDR_LIMIT};
    size_t  i;
    RUN     run;

    for (i = 0; i < sizeof(sample_msgs) / sizeof(sample_msgs[0]); i++) {
	run = assert_split_independent(sample_msgs[i], strlen(sample_msgs[i]), &no_sender);
	run_free(&run);
    }
}
END_TEST

 /*
  * Added headers.
  */
START_TEST(missing_message_id_and_date_added_before_blank_line)
{
    assert_filters_to("Subject: hi\nFrom: a@b\n\nbody\n", &defaults,
		      "Subject: hi\nFrom: a@b\n" ADDED_ID ADDED_DATE "\nbody\n");
}
END_TEST

START_TEST(missing_from_added_when_sender_known)
{
    assert_filters_to("Subject: hi\n\nbody\n", &defaults,
		      "Subject: hi\n" ADDED_ID ADDED_DATE "From: alice@example.org\n\nbody\n");
}
END_TEST

START_TEST(no_from_added_when_sender_unknown)
{
    static const OPTS opts = {NULL, HOPS, HDR_LIMIT};

    assert_filters_to("Subject: hi\n\nbody\n", &opts,
		      "Subject: hi\n" ADDED_ID ADDED_DATE "\nbody\n");
}
END_TEST

START_TEST(empty_sender_adds_from_mailer_daemon)
{
    static const OPTS opts = {"", HOPS, HDR_LIMIT};

    assert_filters_to("Subject: bounce\n\nbody\n", &opts,
		      "Subject: bounce\n" ADDED_ID ADDED_DATE "From: MAILER-DAEMON\n\nbody\n");
}
END_TEST

START_TEST(present_headers_are_not_duplicated)
{
    const char *msg = "Message-Id: <a@b>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n"
    "From: x@y\n\nbody\n";

    assert_filters_to(msg, &defaults, msg);
}
END_TEST

START_TEST(header_names_are_case_insensitive)
{
    const char *msg = "MESSAGE-ID: <a@b>\ndate: Mon, 1 Jan 2024 00:00:00 +0000\n"
    "fRoM: x@y\n\nbody\n";

    assert_filters_to(msg, &defaults, msg);
}
END_TEST

START_TEST(message_ID_spelling_counts_as_present)
{
    const char *msg = "Message-ID: <a@b>\nSubject: s\n\nbody\n";

    assert_filters_to(msg, &defaults,
		      "Message-ID: <a@b>\nSubject: s\n" ADDED_DATE
		      "From: alice@example.org\n\nbody\n");
}
END_TEST

START_TEST(obsolete_space_before_colon_counts_as_present)
{
    const char *msg = "Message-Id : <a@b>\nDate\t: Mon, 1 Jan 2024\nFrom  : x@y\n\nb\n";

    assert_filters_to(msg, &defaults, msg);
}
END_TEST

START_TEST(similar_names_do_not_count_as_present)
{
    static const OPTS opts = {NULL, HOPS, HDR_LIMIT};

    assert_filters_to("Message-Ids: <a@b>\nDated: x\n\nb\n", &opts,
		      "Message-Ids: <a@b>\nDated: x\n" ADDED_ID ADDED_DATE "\nb\n");
}
END_TEST

START_TEST(headers_in_the_body_do_not_count)
{
    static const OPTS opts = {NULL, HOPS, HDR_LIMIT};

    assert_filters_to("Subject: s\n\nMessage-Id: <a@b>\nDate: x\n", &opts,
		      "Subject: s\n" ADDED_ID ADDED_DATE "\nMessage-Id: <a@b>\nDate: x\n");
}
END_TEST

START_TEST(headers_added_at_end_of_header_only_message)
{
    static const OPTS opts = {NULL, HOPS, HDR_LIMIT};

    assert_filters_to("Subject: only headers\n", &opts,
		      "Subject: only headers\n" ADDED_ID ADDED_DATE);
}
END_TEST

START_TEST(empty_message_gets_only_the_added_headers)
{
    RUN     run = filter("", &defaults);

    assert_content(&run, ADDED_ID ADDED_DATE "From: alice@example.org\n");
    run_free(&run);
}
END_TEST

 /*
  * Hop count.
  */

/* received - n Received: headers, then a body */

static char *received(int n, const char *name)
{
    DSTR   *msg = dstr_new(256);
    int     i;

    for (i = 0; i < n; i++)
	dstr_printf(msg, "%s: from h%d\n\tby mx%d; Mon, 1 Jan 2024 00:00:00 +0000\n",
		    name, i, i);
    dstr_cats(msg, "Subject: hops\n\nbody\n");
    return (dstr_export(msg));
}

START_TEST(received_headers_at_the_limit_are_not_too_many)
{
    static const OPTS opts = {"a@b", 5, HDR_LIMIT};
    char   *msg = received(5, "Received");
    RUN     run = assert_split_independent(msg, strlen(msg), &opts);

    ck_assert_int_eq(run.too_many_hops, 0);
    run_free(&run);
    free(msg);
}
END_TEST

START_TEST(received_headers_over_the_limit_are_too_many)
{
    static const OPTS opts = {"a@b", 5, HDR_LIMIT};
    char   *msg = received(6, "Received");
    RUN     run = assert_split_independent(msg, strlen(msg), &opts);

    ck_assert_int_ne(run.too_many_hops, 0);
    run_free(&run);
    free(msg);
}
END_TEST

START_TEST(received_count_is_case_insensitive)
{
    static const OPTS opts = {"a@b", 5, HDR_LIMIT};
    char   *msg = received(6, "rECEIVED");
    RUN     run = filter(msg, &opts);

    ck_assert_int_ne(run.too_many_hops, 0);
    run_free(&run);
    free(msg);
}
END_TEST

START_TEST(default_limit_rejects_51_received_headers)
{
    char   *msg50 = received(50, "Received");
    char   *msg51 = received(51, "Received");
    RUN     run50 = filter(msg50, &defaults);
    RUN     run51 = filter(msg51, &defaults);

    ck_assert_int_eq(run50.too_many_hops, 0);
    ck_assert_int_ne(run51.too_many_hops, 0);
    run_free(&run50);
    run_free(&run51);
    free(msg50);
    free(msg51);
}
END_TEST

START_TEST(received_in_the_body_is_not_counted)
{
    static const OPTS opts = {"a@b", 0, HDR_LIMIT};
    RUN     run = filter("Subject: s\n\nReceived: from x\n", &opts);

    ck_assert_int_eq(run.too_many_hops, 0);
    run_free(&run);
}
END_TEST

 /*
  * Special first lines and separators.
  */
START_TEST(mbox_from_line_becomes_x_mailbox_line)
{
    static const OPTS opts = {NULL, HOPS, HDR_LIMIT};

    assert_filters_to("From alice@example.org Mon Jan  1 00:00:00 2024\nSubject: s\n\nb\n", &opts,
		      "X-Mailbox-Line: From alice@example.org Mon Jan  1 00:00:00 2024\n"
		      "Subject: s\n" ADDED_ID ADDED_DATE "\nb\n");
}
END_TEST

START_TEST(mbox_line_does_not_count_as_from_header)
{
    assert_filters_to("From alice@example.org Mon Jan  1 00:00:00 2024\n\nb\n", &defaults,
		      "X-Mailbox-Line: From alice@example.org Mon Jan  1 00:00:00 2024\n"
		      ADDED_ID ADDED_DATE "From: alice@example.org\n\nb\n");
}
END_TEST

START_TEST(from_space_after_a_header_starts_the_body)
{
    static const OPTS opts = {NULL, HOPS, HDR_LIMIT};

    assert_filters_to("Subject: s\nFrom alice Mon\n", &opts,
		      "Subject: s\n" ADDED_ID ADDED_DATE "\nFrom alice Mon\n");
}
END_TEST

START_TEST(body_line_without_blank_separator_gets_one)
{
    static const OPTS opts = {NULL, HOPS, HDR_LIMIT};

    assert_filters_to("Subject: s\nthis is the body\nline 2\n", &opts,
		      "Subject: s\n" ADDED_ID ADDED_DATE "\nthis is the body\nline 2\n");
}
END_TEST

START_TEST(leading_white_space_first_line_is_body_after_blank_line)
{
    static const OPTS opts = {NULL, HOPS, HDR_LIMIT};

    assert_filters_to(" indented\nSubject: s\n", &opts,
		      ADDED_ID ADDED_DATE "\n indented\nSubject: s\n");
}
END_TEST

START_TEST(folded_header_stays_one_field)
{
    static const OPTS opts = {NULL, HOPS, HDR_LIMIT};

    assert_filters_to("Subject: a\n\tb\n c\n\nbody\n", &opts,
		      "Subject: a\n\tb\n c\n" ADDED_ID ADDED_DATE "\nbody\n");
}
END_TEST

START_TEST(crlf_lines_are_recognised)
{
    static const OPTS opts = {NULL, HOPS, HDR_LIMIT};

    assert_filters_to("Message-Id: <a@b>\r\nSubject: s\r\n\r\nbody\r\n", &opts,
		      "Message-Id: <a@b>\r\nSubject: s\r\n" ADDED_DATE "\r\nbody\r\n");
}
END_TEST

START_TEST(crlf_message_id_is_found_without_line_end)
{
    RUN     run = filter("Message-Id:  <a@b> \r\n\r\nbody\r\n", &defaults);

    ck_assert_str_eq(dstr_str(run.message_id), "<a@b>");
    run_free(&run);
}
END_TEST

START_TEST(message_without_final_lf_keeps_its_last_line)
{
    static const OPTS opts = {NULL, HOPS, HDR_LIMIT};

    assert_filters_to("Subject: s\n\nlast line", &opts,
		      "Subject: s\n" ADDED_ID ADDED_DATE "\nlast line");
}
END_TEST

START_TEST(header_without_final_lf_is_ended_before_added_headers)
{
    static const OPTS opts = {NULL, HOPS, HDR_LIMIT};

    assert_filters_to("Subject: s", &opts, "Subject: s\n" ADDED_ID ADDED_DATE);
}
END_TEST

 /*
  * Limits.
  */

/* long_line - "prefix" followed by n copies of c and a LF */

static char *long_line(const char *prefix, size_t n, int c, const char *suffix)
{
    DSTR   *buf = dstr_new(n + 64);
    size_t  i;

    dstr_cats(buf, prefix);
    for (i = 0; i < n; i++)
	dstr_catc(buf, c);
    dstr_cats(buf, suffix);
    return (dstr_export(buf));
}

START_TEST(long_header_is_cut_at_header_size_limit)
{
    static const OPTS opts = {NULL, HOPS, 100};
    char   *msg = long_line("Subject: ", 300, 'x', "\nTo: a@b\n\nbody\n");
    char   *want_subject = long_line("Subject: ", 91, 'x', "\n");
    DSTR   *want = dstr_new(256);

    dstr_cats(want, want_subject);
    dstr_cats(want, "To: a@b\n" ADDED_ID ADDED_DATE "\nbody\n");
    assert_filters_to(msg, &opts, dstr_str(want));
    dstr_free(want);
    free(want_subject);
    free(msg);
}
END_TEST

START_TEST(continuation_past_header_size_limit_is_dropped)
{
    static const OPTS opts = {NULL, HOPS, 100};
    char   *msg = long_line("Subject: a\n ", 200, 'y', "\n\tz\nTo: a@b\n\nbody\n");

    assert_filters_to(msg, &opts, "Subject: a\nTo: a@b\n" ADDED_ID ADDED_DATE "\nbody\n");
    free(msg);
}
END_TEST

START_TEST(long_mbox_line_is_cut_the_same_in_every_split)
{
    static const OPTS opts = {NULL, HOPS, 100};
    char   *msg = long_line("From ", 300, 'm', "\nTo: a@b\n\nbody\n");
    RUN     run = assert_split_independent(msg, strlen(msg), &opts);
    const char *nl = memchr(dstr_str(run.content), '\n', dstr_len(run.content));

    ck_assert_ptr_nonnull(nl);
    ck_assert_int_eq(strncmp(dstr_str(run.content), "X-Mailbox-Line: From mmm", 24), 0);
    ck_assert_uint_le((size_t) (nl - dstr_str(run.content)), 100 + strlen("X-Mailbox-Line: "));
    run_free(&run);
    free(msg);
}
END_TEST

START_TEST(body_is_never_cut)
{
    static const OPTS opts = {NULL, HOPS, 100};
    char   *msg = long_line("Subject: s\n\n", 5000, 'b', "\nend\n");
    char   *want = long_line("Subject: s\n" ADDED_ID ADDED_DATE "\n", 5000, 'b', "\nend\n");
    RUN     run = filter(msg, &opts);

    assert_content(&run, want);
    run_free(&run);
    free(want);
    free(msg);
}
END_TEST

START_TEST(body_without_separator_is_never_cut)
{
    static const OPTS opts = {NULL, HOPS, 100};
    char   *msg = long_line("Subject: s\n", 5000, 'b', "\n");
    char   *want = long_line("Subject: s\n" ADDED_ID ADDED_DATE "\n", 5000, 'b', "\n");
    RUN     run = filter(msg, &opts);

    assert_content(&run, want);
    run_free(&run);
    free(want);
    free(msg);
}
END_TEST

 /*
  * The message id.
  */
START_TEST(message_id_returns_the_found_id)
{
    RUN     run = filter("Subject: s\nMessage-ID: <abc@example.org>\n\nb\n", &defaults);

    ck_assert_str_eq(dstr_str(run.message_id), "<abc@example.org>");
    run_free(&run);
}
END_TEST

START_TEST(message_id_returns_the_added_id)
{
    RUN     run = filter("Subject: s\n\nb\n", &defaults);

    ck_assert_str_eq(dstr_str(run.message_id), "<STAMP." QID "@mx.example.com>");
    run_free(&run);
}
END_TEST

START_TEST(message_id_is_empty_before_finish_when_none_seen)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "tmpfile", 0);
    CLEANUP_HDR *hdr = cleanup_hdr_new(out, NULL, QID, NULL, HOPS, HDR_LIMIT);

    cleanup_hdr_feed(hdr, "Subject: s\n", 11);
    ck_assert_str_eq(cleanup_hdr_message_id(hdr), "");
    cleanup_hdr_free(hdr);
    qfile_out_abort(out);
}
END_TEST

/* cleanup_header_suite - every test above */

static Suite *cleanup_header_suite(void)
{
    Suite  *s = suite_create("cleanup_header");
    TCase  *ts = tcase_create("splits");
    TCase  *ta = tcase_create("added");
    TCase  *th = tcase_create("hops");
    TCase  *tl = tcase_create("lines");
    TCase  *tm = tcase_create("limits");
    TCase  *ti = tcase_create("message_id");
    TCase  *all[] = {ts, ta, th, tl, tm, ti};
    size_t  i;

    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
	tcase_add_unchecked_fixture(all[i], suite_setup, suite_teardown);
	tcase_add_checked_fixture(all[i], setup, teardown);
	tcase_set_timeout(all[i], 120);
    }
    tcase_add_test(ts, output_is_identical_for_every_split);
    tcase_add_test(ts, output_without_sender_is_identical_for_every_split);
    suite_add_tcase(s, ts);

    tcase_add_test(ta, missing_message_id_and_date_added_before_blank_line);
    tcase_add_test(ta, missing_from_added_when_sender_known);
    tcase_add_test(ta, no_from_added_when_sender_unknown);
    tcase_add_test(ta, empty_sender_adds_from_mailer_daemon);
    tcase_add_test(ta, present_headers_are_not_duplicated);
    tcase_add_test(ta, header_names_are_case_insensitive);
    tcase_add_test(ta, message_ID_spelling_counts_as_present);
    tcase_add_test(ta, obsolete_space_before_colon_counts_as_present);
    tcase_add_test(ta, similar_names_do_not_count_as_present);
    tcase_add_test(ta, headers_in_the_body_do_not_count);
    tcase_add_test(ta, headers_added_at_end_of_header_only_message);
    tcase_add_test(ta, empty_message_gets_only_the_added_headers);
    suite_add_tcase(s, ta);

    tcase_add_test(th, received_headers_at_the_limit_are_not_too_many);
    tcase_add_test(th, received_headers_over_the_limit_are_too_many);
    tcase_add_test(th, received_count_is_case_insensitive);
    tcase_add_test(th, default_limit_rejects_51_received_headers);
    tcase_add_test(th, received_in_the_body_is_not_counted);
    suite_add_tcase(s, th);

    tcase_add_test(tl, mbox_from_line_becomes_x_mailbox_line);
    tcase_add_test(tl, mbox_line_does_not_count_as_from_header);
    tcase_add_test(tl, from_space_after_a_header_starts_the_body);
    tcase_add_test(tl, body_line_without_blank_separator_gets_one);
    tcase_add_test(tl, leading_white_space_first_line_is_body_after_blank_line);
    tcase_add_test(tl, folded_header_stays_one_field);
    tcase_add_test(tl, crlf_lines_are_recognised);
    tcase_add_test(tl, crlf_message_id_is_found_without_line_end);
    tcase_add_test(tl, message_without_final_lf_keeps_its_last_line);
    tcase_add_test(tl, header_without_final_lf_is_ended_before_added_headers);
    suite_add_tcase(s, tl);

    tcase_add_test(tm, long_header_is_cut_at_header_size_limit);
    tcase_add_test(tm, continuation_past_header_size_limit_is_dropped);
    tcase_add_test(tm, long_mbox_line_is_cut_the_same_in_every_split);
    tcase_add_test(tm, body_is_never_cut);
    tcase_add_test(tm, body_without_separator_is_never_cut);
    suite_add_tcase(s, tm);

    tcase_add_test(ti, message_id_returns_the_found_id);
    tcase_add_test(ti, message_id_returns_the_added_id);
    tcase_add_test(ti, message_id_is_empty_before_finish_when_none_seen);
    suite_add_tcase(s, ti);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(cleanup_header_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
