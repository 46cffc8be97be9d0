/*
 * check_qmgr_stats - unit tests for qmgr's counters (posthorn metrics)
 * DESCRIPTION
 *	What qmgr_stats.c adds up and prints: recipients per transport and
 *	outcome, messages and bytes per protocol, DKIM signatures per domain
 *	and algorithm and unsigned messages per reason from the attributes
 *	cleanup writes (docs/design.md, "Observability"); values it does not
 *	expect, and the bound on distinct names, which folds the rest into
 *	"other"; a message qmgr moved back into incoming/ counts once. The
 *	process keeps its counters, so each test reads the change it made.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmgr/qmgr.h"
#include "attr.h"
#include "qfile.h"

/* qmgr_now - qmgr's clock (qmgr.c), fixed here */

double  qmgr_now(void)
{
    return (1700000000.0);
}

/* sample - the value of one series in the metrics text, or -1 when absent */

static double sample(const char *series)
{
    DSTR   *out = dstr_new(4096);
    const char *cp;
    double  v = -1;
    size_t  n = strlen(series);

    qmgr_stats_metrics(out);
    for (cp = dstr_str(out); cp && *cp; cp = strchr(cp, '\n') ? strchr(cp, '\n') + 1 : NULL)
	if (strncmp(cp, series, n) == 0 && cp[n] == ' ')
	    v = strtod(cp + n + 1, NULL);
    dstr_free(out);
    return (v);
}

/* import - qmgr takes in message id with these attributes (name, value, ..., NULL) */

static void import(const char *id, long bytes, va_list ap)
{
    ATTR_LIST *attrs = attr_list_new();
    const char *name;

    while ((name = va_arg(ap, const char *)) != NULL)
	attr_list_add(attrs, name, strlen(name), va_arg(ap, const char *));
    qmgr_stats_message(id, attrs, bytes);
    attr_list_free(attrs);
}

/* message - a new message (an id of its own) with these attributes */

static void message(long bytes, ...)
{
    static int seq;
    char    id[32];
    va_list ap;

    snprintf(id, sizeof(id), "NEW%d", seq++);
    va_start(ap, bytes);
    import(id, bytes, ap);
    va_end(ap);
}

/* message_id - message id with these attributes */

static void message_id(const char *id, long bytes, ...)
{
    va_list ap;

    va_start(ap, bytes);
    import(id, bytes, ap);
    va_end(ap);
}

#define SIG(d, a) "posthorn_dkim_signatures_total{domain=\"" d "\",algorithm=\"" a "\"}"
#define UNSIGNED(r) "posthorn_dkim_unsigned_messages_total{reason=\"" r "\"}"

START_TEST(deliveries_add_up_per_transport_and_outcome)
{
    qmgr_stats_init();
    qmgr_stats_add("smtp", QMGR_STAT_SENT, 5);
    qmgr_stats_add("smtp", QMGR_STAT_SENT, 2);
    qmgr_stats_add("smtp", QMGR_STAT_DEFERRED, 1);
    qmgr_stats_add("none", QMGR_STAT_BOUNCED, 1);
    qmgr_stats_add("smtp", QMGR_STAT_EXPIRED, 0);	/* nothing */
    qmgr_stats_add("smtp", QMGR_STAT_COUNT, 9);		/* not an outcome */
    ck_assert_double_eq(sample("posthorn_deliveries_total{status=\"sent\",transport=\"smtp\"}"), 7);
    ck_assert_double_eq(sample("posthorn_deliveries_total{status=\"deferred\",transport=\"smtp\"}"), 1);
    ck_assert_double_eq(sample("posthorn_deliveries_total{status=\"expired\",transport=\"smtp\"}"), 0);
    ck_assert_double_eq(sample("posthorn_deliveries_total{status=\"bounced\",transport=\"none\"}"), 1);
    ck_assert_double_eq(sample("posthorn_qmgr_start_time_seconds"), 1700000000.0);
}
END_TEST

START_TEST(messages_count_per_protocol)
{
    double  before = sample("posthorn_messages_queued_total{protocol=\"QMQP\"}");

    message(100, "protocol", "QMQP", NULL);
    message(50, "protocol", "QMQP", NULL);
    message(7, NULL);
    ck_assert_double_eq(sample("posthorn_messages_queued_total{protocol=\"QMQP\"}"),
			(before < 0 ? 0 : before) + 2);
    ck_assert_double_ge(sample("posthorn_messages_queued_bytes_total{protocol=\"QMQP\"}"), 150);
    ck_assert_double_ge(sample("posthorn_messages_queued_total{protocol=\"unknown\"}"), 1);
}
END_TEST

START_TEST(dkim_signatures_and_unsigned_reasons)
{
    message(10, "protocol", "QMQP", QFILE_ATTR_DKIM_SIGNED,
	    "example.org/rsa-sha256 example.org/ed25519-sha256", NULL);
    message(10, "protocol", "QMQP", QFILE_ATTR_DKIM_SIGNED, "lists.example.net/rsa-sha256", NULL);
    message(10, "protocol", "QMQP", QFILE_ATTR_DKIM_SIGNED, "  example.org/rsa-sha256  ", NULL);
    message(10, "protocol", "QMQP", QFILE_ATTR_DKIM_UNSIGNED, "no_from", NULL);
    message(10, "protocol", "QMQP", QFILE_ATTR_DKIM_UNSIGNED, "no_from", NULL);
    message(10, "protocol", "QMQP", NULL);	/* signing not configured: nothing */
    ck_assert_double_eq(sample(SIG("example.org", "rsa-sha256")), 2);
    ck_assert_double_eq(sample(SIG("example.org", "ed25519-sha256")), 1);
    ck_assert_double_eq(sample(SIG("lists.example.net", "rsa-sha256")), 1);
    ck_assert_double_eq(sample(UNSIGNED("no_from")), 2);
    ck_assert_double_eq(sample(UNSIGNED("no_signing_entry")), -1);
}
END_TEST

START_TEST(odd_dkim_values_are_bounded)
{
    char    longword[400];

    memset(longword, 'x', sizeof(longword) - 1);
    longword[sizeof(longword) - 1] = 0;
    longword[10] = '/';
    message(1, QFILE_ATTR_DKIM_SIGNED, "noslash", NULL);
    message(1, QFILE_ATTR_DKIM_SIGNED, longword, NULL);
    message(1, QFILE_ATTR_DKIM_SIGNED, "", NULL);
    message(1, QFILE_ATTR_DKIM_SIGNED, "a/b/c", NULL);	/* the last slash splits */
    message(1, QFILE_ATTR_DKIM_UNSIGNED, longword, NULL);
    ck_assert_double_eq(sample(SIG("other", "other")), 2);
    ck_assert_double_eq(sample(SIG("a/b", "c")), 1);
    ck_assert_double_eq(sample(UNSIGNED("other")), 1);
}
END_TEST

START_TEST(a_message_moved_back_counts_once)
{
    double  before = sample("posthorn_messages_queued_total{protocol=\"local\"}");

    before = before < 0 ? 0 : before;
    message_id("0ABC", 10, "protocol", "local", QFILE_ATTR_DKIM_SIGNED, "back.example/rsa-sha256",
	       NULL);
    qmgr_stats_moved_back("0ABC");		/* requeued, or released from hold */
    qmgr_stats_moved_back("0ABC");		/* twice: still one entry */
    message_id("0ABC", 10, "protocol", "local", QFILE_ATTR_DKIM_SIGNED, "back.example/rsa-sha256",
	       NULL);
    ck_assert_double_eq(sample("posthorn_messages_queued_total{protocol=\"local\"}"), before + 1);
    ck_assert_double_eq(sample(SIG("back.example", "rsa-sha256")), 1);
    message_id("0DEF", 10, "protocol", "local", NULL);	/* others still count */
    ck_assert_double_eq(sample("posthorn_messages_queued_total{protocol=\"local\"}"), before + 2);
}
END_TEST

START_TEST(distinct_names_are_bounded)
{
    char    name[64];
    DSTR   *out = dstr_new(65536);
    const char *cp;
    int     i;
    int     rows = 0;

    for (i = 0; i < 1500; i++) {
	snprintf(name, sizeof(name), "d%d.example/rsa-sha256", i);
	message(1, QFILE_ATTR_DKIM_SIGNED, name, NULL);
    }
    qmgr_stats_metrics(out);
    for (cp = dstr_str(out); (cp = strstr(cp, "\nposthorn_dkim_signatures_total{")) != NULL; cp++)
	rows++;
    ck_assert_int_le(rows, 1000);
    ck_assert_double_ge(sample(SIG("other", "other")), 500);
    dstr_free(out);
}
END_TEST

static Suite *qmgr_stats_suite(void)
{
    Suite  *s = suite_create("qmgr_stats");
    TCase  *tc = tcase_create("core");

    tcase_add_test(tc, deliveries_add_up_per_transport_and_outcome);
    tcase_add_test(tc, messages_count_per_protocol);
    tcase_add_test(tc, dkim_signatures_and_unsigned_reasons);
    tcase_add_test(tc, odd_dkim_values_are_bounded);
    tcase_add_test(tc, a_message_moved_back_counts_once);
    tcase_add_test(tc, distinct_names_are_bounded);
    suite_add_tcase(s, tc);
    return (s);
}

int     main(void)
{
    SRunner *sr = srunner_create(qmgr_stats_suite());
    int     failed;

    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
