/*
 * check_qshape - unit tests for the queue shape (posthorn qshape, showq)
 * DESCRIPTION
 *	Age columns as Postfix's qshape draws them (under 5 minutes, 5 to
 *	10, ... 1280 and more, each limit's first second in the next
 *	column, future arrivals in the first); domains lower-cased after the
 *	last '@', dots folded, MAILER-DAEMON for the null sender; rows by
 *	count, then shorter name, then name; -n cuts; the domain table's
 *	bound sends the rest to "other". A spool built with qfile's writer
 *	(unit_spool.h), with back-dated arrivals, gives exact cells: only
 *	recipients not yet delivered, only the chosen queues, senders once
 *	per message, a message with nobody left and a damaged file not
 *	counted. The request to showq round-trips and bad ones are refused.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "admin_proto.h"
#include "argv.h"
#include "attr.h"
#include "dstr.h"
#include "ios.h"
#include "qshape.h"
#include "unit_spool.h"
#include "unit_warnings.h"

#define NOW	1700100000L
#define MIN	60L

/* Column widths of the default table while every count has one digit:
 * T 5 10 20 40 80 160 320 640 1280 1280+, the domain column gets the rest of 80. */
static const int widths[] = {3, 3, 3, 3, 3, 3, 4, 4, 4, 5, 6};
#define HEADINGS	"                                       " \
			"  T  5 10 20 40 80 160 320 640 1280 1280+\n"

static char *spool;

/* setup - a queue directory and a log capture */

static void setup(void)
{
    spool = unit_spool_make("check_qshape");
    unit_warnings_setup();
}

/* teardown - remove the queue directory */

static void teardown(void)
{
    unit_warnings_teardown();
    spool = unit_tmpdir_remove(spool);
}

/* row - an expected line of the default table: name, then 11 counts */

static void row(DSTR *out, const char *name, const char *counts)
{
    ARGV   *cells = argv_split(counts, " ");
    size_t  i;

    ck_assert_uint_eq(cells->argc, 11);
    dstr_printf(out, "%39s", name);
    for (i = 0; i < cells->argc; i++)
	dstr_printf(out, "%*s", widths[i], cells->argv[i]);
    dstr_catc(out, '\n');
    argv_free(cells);
}

/* written - qshape_write()'s output; the caller frees it */

static DSTR *written(const QSHAPE *qs)
{
    IOS    *out = ios_open_mem("", 0);

    qshape_write(qs, out);
    return (unit_spool_output(out));
}

/* scanned - the shape of the queues opts names, as of NOW */

static DSTR *scanned(const QSHAPE_OPTS *opts)
{
    QSHAPE *qs = qshape_new(opts, NOW, QSHAPE_DOMAINS_MAX);
    DSTR   *text;
    int     bit;

    for (bit = ADMIN_Q_INCOMING; bit <= ADMIN_Q_HOLD; bit <<= 1)
	if (opts->queues & bit)
	    qshape_scan(qs, admin_queue_name(bit));
    text = written(qs);
    qshape_free(qs);
    return (text);
}

/* sample_spool - messages of known ages and domains in every queue */

static void sample_spool(void)
{
    static const char *const a[] = {"bob@x.test", "carol@X.Test", "!dave@y.test",
    "erin@y.test", 0};
    static const char *const b[] = {"p@y.test", "q@z.test", 0};
    static const char *const c[] = {"u@x.test", 0};
    static const char *const d[] = {"!v@w.test", 0};
    static const char *const e[] = {"r@deferred.test", 0};
    static const char *const f[] = {"h@hold.test", 0};
    FILE   *fp;

    unit_spool_msg("incoming", "0S44WE80000AAAAA", NOW - 1 * MIN, "Alice@Example.ORG", a);
    unit_spool_msg("active", "0S44WE80000BBBBB", NOW - 7 * MIN, "", b);
    unit_spool_msg("incoming", "0S44WE80000CCCCC", NOW - 2000 * MIN, "list@lists.example.org", c);
    unit_spool_msg("incoming", "0S44WE80000DDDDD", NOW - 3 * MIN, "all@done.test", d);
    unit_spool_msg("deferred", "0S44WE80000EEEEE", NOW - 30 * MIN, "x@example.org", e);
    unit_spool_msg("hold", "0S44WE80000FFFFF", NOW - 100 * MIN, "x@example.org", f);
    ck_assert_ptr_nonnull(fp = fopen("incoming/0S44WE80000GGGGG", "w"));
    fputs("not a queue file", fp);
    fclose(fp);
}

/* check_scan - the shape of the sample spool: the default table's lines */

static void check_scan(const QSHAPE_OPTS *opts, const char *const rows[][2])
{
    DSTR   *want = dstr_new(1024);
    DSTR   *got;

    sample_spool();
    got = scanned(opts);
    dstr_strcpy(want, HEADINGS);
    for (; rows[0][0]; rows++)
	row(want, rows[0][0], rows[0][1]);
    ck_assert_str_eq(dstr_str(got), dstr_str(want));
    ck_assert(strstr(dstr_str(unit_warnings), "incoming/0S44WE80000GGGGG") != NULL
	      || !(opts->queues & ADMIN_Q_INCOMING));
    dstr_free(want);
    dstr_free(got);
}

START_TEST(default_queues_count_pending_recipients_by_domain_and_age)
{
    static const char *const rows[][2] = {
	{"TOTAL", "6 3 2 0 0 0 0 0 0 0 1"},
	{"x.test", "3 2 0 0 0 0 0 0 0 0 1"},
	{"y.test", "2 1 1 0 0 0 0 0 0 0 0"},
	{"z.test", "1 0 1 0 0 0 0 0 0 0 0"},
	{0, 0},
    };
    QSHAPE_OPTS opts;

    qshape_opts_init(&opts);
    check_scan(&opts, rows);
}
END_TEST

START_TEST(named_queues_only)
{
    static const char *const rows[][2] = {
	{"TOTAL", "2 0 0 0 1 0 1 0 0 0 0"},
	{"hold.test", "1 0 0 0 0 0 1 0 0 0 0"},
	{"deferred.test", "1 0 0 0 1 0 0 0 0 0 0"},
	{0, 0},
    };
    QSHAPE_OPTS opts;
    DSTR   *err = dstr_new(64);

    qshape_opts_init(&opts);
    ck_assert_int_eq(qshape_queues_parse(&opts, "hold, deferred", err), 0);
    check_scan(&opts, rows);
    dstr_free(err);
}
END_TEST

START_TEST(senders_count_messages_with_recipients_left)
{
    static const char *const rows[][2] = {
	{"TOTAL", "3 1 1 0 0 0 0 0 0 0 1"},
	{"example.org", "1 1 0 0 0 0 0 0 0 0 0"},
	{"MAILER-DAEMON", "1 0 1 0 0 0 0 0 0 0 0"},
	{"lists.example.org", "1 0 0 0 0 0 0 0 0 0 1"},
	{0, 0},
    };
    QSHAPE_OPTS opts;

    qshape_opts_init(&opts);
    opts.senders = 1;
    check_scan(&opts, rows);
}
END_TEST

/* one_per_age - one recipient at each age in minutes (negative: future) */

static DSTR *one_per_age(const long *ages, size_t count)
{
    QSHAPE_OPTS opts;
    QSHAPE *qs;
    DSTR   *got;
    size_t  i;

    qshape_opts_init(&opts);
    opts.json = 1;
    qs = qshape_new(&opts, NOW, QSHAPE_DOMAINS_MAX);
    for (i = 0; i < count; i++)
	qshape_add(qs, "a@b.test", NOW - ages[i]);
    got = written(qs);
    qshape_free(qs);
    return (got);
}

START_TEST(age_columns_are_qshapes)
{
    /* In seconds: each column's first and last second, and beyond. */
    static const long ages[] = {-3600, 0, 5 * MIN - 1, 5 * MIN, 10 * MIN - 1, 10 * MIN,
	20 * MIN - 1, 20 * MIN, 40 * MIN, 80 * MIN, 160 * MIN, 320 * MIN, 640 * MIN,
    1280 * MIN - 1, 1280 * MIN, 10 * 1440 * MIN};
    DSTR   *got = one_per_age(ages, sizeof(ages) / sizeof(ages[0]));

    ck_assert_str_eq(dstr_str(got),
		     "{\"queues\": [\"incoming\", \"active\"], \"senders\": false, "
		     "\"minutes\": 5, \"buckets\": [5, 10, 20, 40, 80, 160, 320, 640, 1280, null], "
		     "\"domains\": 1, "
		     "\"total\": {\"total\": 16, \"counts\": [3, 2, 2, 1, 1, 1, 1, 1, 2, 2]}, "
		     "\"rows\": [{\"domain\": \"b.test\", \"total\": 16, "
		     "\"counts\": [3, 2, 2, 1, 1, 1, 1, 1, 2, 2]}], "
		     "\"other\": {\"total\": 0, \"counts\": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}}\n");
    dstr_free(got);
}
END_TEST

START_TEST(bucket_count_and_first_limit_change_the_columns)
{
    QSHAPE_OPTS opts;
    QSHAPE *qs;
    DSTR   *got;
    DSTR   *want = dstr_new(256);

    qshape_opts_init(&opts);
    opts.buckets = 3;
    opts.minutes = 1;
    qs = qshape_new(&opts, NOW, QSHAPE_DOMAINS_MAX);
    qshape_add(qs, "a@b.test", NOW - 30);
    qshape_add(qs, "a@b.test", NOW - 90);
    qshape_add(qs, "a@b.test", NOW - 120);
    qshape_add(qs, "a@b.test", NOW - 86400);
    got = written(qs);
    /* Four columns of 3: the domain column is 80 - 12 wide. */
    dstr_sprintf(want, "%68s  T  1  2 2+\n%68s  4  1  1  2\n%68s  4  1  1  2\n",
		 "", "TOTAL", "b.test");
    ck_assert_str_eq(dstr_str(got), dstr_str(want));
    qshape_free(qs);
    dstr_free(got);
    dstr_free(want);
}
END_TEST

/* shape_of - the JSON shape of some recipients, all of age 0 */

static DSTR *shape_of(const char *const *addrs, long top, size_t max_domains)
{
    QSHAPE_OPTS opts;
    QSHAPE *qs;
    DSTR   *got;

    qshape_opts_init(&opts);
    opts.json = 1;
    opts.buckets = 1;
    opts.top = top;
    qs = qshape_new(&opts, NOW, max_domains);
    for (; *addrs; addrs++)
	qshape_add(qs, *addrs, NOW);
    got = written(qs);
    qshape_free(qs);
    return (got);
}

/* rows_of - the "rows" and "other" part of a JSON shape */

static const char *rows_of(const DSTR *json)
{
    const char *cp = strstr(dstr_str(json), "\"rows\": ");

    ck_assert_ptr_nonnull(cp);
    return (cp);
}

START_TEST(domains_are_folded_as_qshape_does)
{
    static const char *const addrs[] = {"User@Sub..Example.COM.", "x@sub.example.com",
    "a@b@.Dot.Test", "root", "", 0};
    DSTR   *got = shape_of(addrs, 0, QSHAPE_DOMAINS_MAX);

    ck_assert_str_eq(rows_of(got), "\"rows\": ["
		     "{\"domain\": \"sub.example.com\", \"total\": 2, \"counts\": [2]}, "
		     "{\"domain\": \"root\", \"total\": 1, \"counts\": [1]}, "
		     "{\"domain\": \"dot.test\", \"total\": 1, \"counts\": [1]}, "
		     "{\"domain\": \"MAILER-DAEMON\", \"total\": 1, \"counts\": [1]}], "
		     "\"other\": {\"total\": 0, \"counts\": [0]}}\n");
    dstr_free(got);
}
END_TEST

START_TEST(top_n_cuts_after_sorting)
{
    static const char *const addrs[] = {"a@bb.test", "a@aa.test", "a@c.test",
    "a@long.test", "b@long.test", 0};
    DSTR   *got = shape_of(addrs, 3, QSHAPE_DOMAINS_MAX);

    ck_assert_str_eq(rows_of(got), "\"rows\": ["
		     "{\"domain\": \"long.test\", \"total\": 2, \"counts\": [2]}, "
		     "{\"domain\": \"c.test\", \"total\": 1, \"counts\": [1]}, "
		     "{\"domain\": \"aa.test\", \"total\": 1, \"counts\": [1]}], "
		     "\"other\": {\"total\": 0, \"counts\": [0]}}\n");
    ck_assert_ptr_nonnull(strstr(dstr_str(got), "\"domains\": 4, \"total\": {\"total\": 5,"));
    dstr_free(got);
}
END_TEST

START_TEST(domains_past_the_bound_count_as_other)
{
    static const char *const addrs[] = {"a@one.test", "a@two.test", "a@three.test",
    "b@one.test", "a@four.test", "a@three.test", 0};
    DSTR   *got = shape_of(addrs, 0, 2);

    ck_assert_str_eq(rows_of(got), "\"rows\": ["
		     "{\"domain\": \"one.test\", \"total\": 2, \"counts\": [2]}, "
		     "{\"domain\": \"two.test\", \"total\": 1, \"counts\": [1]}], "
		     "\"other\": {\"total\": 3, \"counts\": [3]}}\n");
    dstr_free(got);
}
END_TEST

START_TEST(text_shows_other)
{
    QSHAPE_OPTS opts;
    QSHAPE *qs;
    DSTR   *got;
    DSTR   *want = dstr_new(512);

    qshape_opts_init(&opts);
    qs = qshape_new(&opts, NOW, 1);
    qshape_add(qs, "a@x.test", NOW);
    qshape_add(qs, "a@y.test", NOW);
    qshape_add(qs, "a@x.test", NOW);
    got = written(qs);
    dstr_strcpy(want, HEADINGS);
    row(want, "TOTAL", "3 3 0 0 0 0 0 0 0 0 0");
    row(want, "x.test", "2 2 0 0 0 0 0 0 0 0 0");
    row(want, "other", "1 1 0 0 0 0 0 0 0 0 0");
    ck_assert_str_eq(dstr_str(got), dstr_str(want));
    qshape_free(qs);
    dstr_free(got);
    dstr_free(want);
}
END_TEST

START_TEST(long_names_are_cut)
{
    /* In the table: '+' and the kept name's last 38 bytes; kept: its first 255. */
    QSHAPE_OPTS opts;
    QSHAPE *qs;
    DSTR   *got;
    DSTR   *want = dstr_new(512);
    char    name[300];
    int     json;

    memset(name, 'n', sizeof(name) - 6);
    strcpy(name + sizeof(name) - 6, ".test");
    for (json = 0; json < 2; json++) {
	qshape_opts_init(&opts);
	opts.json = json;
	qs = qshape_new(&opts, NOW, 10);
	qshape_add(qs, name, NOW);
	got = written(qs);
	if (json)
	    dstr_sprintf(want, "{\"domain\": \"%.255s\", ", name);
	else
	    dstr_sprintf(want, "\n+%.38s  1  1", name);
	ck_assert_msg(strstr(dstr_str(got), dstr_str(want)) != NULL, "%s", dstr_str(got));
	qshape_free(qs);
	dstr_free(got);
    }
    dstr_free(want);
}
END_TEST

/* request_of - a request as showq parses it: 0 or -1 */

static int request_of(const char *text, QSHAPE_OPTS *opts, DSTR *err)
{
    ATTR_LIST *req = attr_list_new();
    int     ret;

    ck_assert_int_ge(attr_parse(text, strlen(text), req, ATTR_MAX_LEN, 8), 0);
    ret = qshape_request_read(req, opts, err);
    attr_list_free(req);
    return (ret);
}

START_TEST(request_round_trips)
{
    QSHAPE_OPTS sent;
    QSHAPE_OPTS got;
    DSTR   *req = dstr_new(128);
    DSTR   *err = dstr_new(64);

    qshape_opts_init(&sent);
    sent.senders = 1;
    sent.top = 7;
    sent.buckets = 4;
    sent.minutes = 15;
    sent.json = 1;
    ck_assert_int_eq(qshape_queues_parse(&sent, "deferred hold", err), 0);
    qshape_request(req, &sent);
    attr_put_end(req);
    ck_assert_int_eq(request_of(dstr_str(req), &got, err), 0);
    ck_assert_int_eq(got.queues, ADMIN_Q_DEFERRED | ADMIN_Q_HOLD);
    ck_assert_int_eq(got.senders, 1);
    ck_assert_int_eq(got.top, 7);
    ck_assert_int_eq(got.buckets, 4);
    ck_assert_int_eq(got.minutes, 15);
    ck_assert_int_eq(got.json, 1);
    dstr_free(req);
    dstr_free(err);
}
END_TEST

START_TEST(bad_requests_are_refused)
{
    static const char *const bad[] = {
	"12:format=shape,9:senders=0,5:top=0,9:buckets=0,9:minutes=5,0:,",
	"12:format=shape,9:senders=0,5:top=0,9:buckets=9,9:minutes=0,0:,",
	"12:format=shape,9:senders=2,5:top=0,9:buckets=9,9:minutes=5,0:,",
	"12:format=shape,9:senders=0,5:top=0,9:buckets=9,0:,",
	"11:format=json,9:senders=0,5:top=0,9:buckets=9,9:minutes=5,0:,",
	"12:format=shape,9:senders=0,5:top=0,9:buckets=9,9:minutes=5,14:queues=corrupt,0:,",
	"12:format=shape,9:senders=0,5:top=0,9:buckets=9,9:minutes=5,11:queues=../x,0:,",
	0,
    };
    const char *const *bp;
    QSHAPE_OPTS opts;
    DSTR   *err = dstr_new(64);

    for (bp = bad; *bp; bp++)
	ck_assert_msg(request_of(*bp, &opts, err) < 0, "accepted: %s", *bp);
    ck_assert_int_eq(request_of("12:format=shape,9:senders=0,5:top=0,9:buckets=9,"
				"9:minutes=5,0:,", &opts, err), 0);
    ck_assert_int_eq(opts.queues, ADMIN_Q_INCOMING | ADMIN_Q_ACTIVE);
    dstr_free(err);
}
END_TEST

/* qshape_suite - every test above */

static Suite *qshape_suite(void)
{
    Suite  *s = suite_create("qshape");
    TCase  *ts = tcase_create("spool");
    TCase  *tc = tcase_create("counts");
    TCase  *tr = tcase_create("request");

    tcase_add_checked_fixture(ts, setup, teardown);
    tcase_add_test(ts, default_queues_count_pending_recipients_by_domain_and_age);
    tcase_add_test(ts, named_queues_only);
    tcase_add_test(ts, senders_count_messages_with_recipients_left);
    suite_add_tcase(s, ts);

    tcase_add_test(tc, age_columns_are_qshapes);
    tcase_add_test(tc, bucket_count_and_first_limit_change_the_columns);
    tcase_add_test(tc, domains_are_folded_as_qshape_does);
    tcase_add_test(tc, top_n_cuts_after_sorting);
    tcase_add_test(tc, domains_past_the_bound_count_as_other);
    tcase_add_test(tc, text_shows_other);
    tcase_add_test(tc, long_names_are_cut);
    suite_add_tcase(s, tc);

    tcase_add_test(tr, request_round_trips);
    tcase_add_test(tr, bad_requests_are_refused);
    suite_add_tcase(s, tr);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(qshape_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
