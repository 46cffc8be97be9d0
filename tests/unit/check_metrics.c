/*
 * check_metrics - unit tests for the metrics plumbing: the Prometheus
 *	text format writer (prom_text.c: escapes, numbers), the HTTP request
 *	reader of the metrics listener (http_req.c), and the spool counter
 *	(spool_stats.c: names and sizes only, age from the queue id)
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dstr.h"
#include "http_req.h"
#include "prom_text.h"
#include "qid.h"
#include "spool_stats.h"
#include "unit_tmpdir.h"

START_TEST(prom_lines_and_escapes)
{
    DSTR   *out = dstr_new(256);

    prom_family(out, "x_total", "counter", "a\\b\nc \"q\"");
    ck_assert_str_eq(dstr_str(out), "# HELP x_total a\\\\b\\nc \"q\"\n# TYPE x_total counter\n");
    DSTR_RESET(out);
    prom_sample(out, 3, "x_total", "transport", "smtp", "destination", "a\"b\\c\nd", NULL);
    ck_assert_str_eq(dstr_str(out),
		     "x_total{transport=\"smtp\",destination=\"a\\\"b\\\\c\\nd\"} 3\n");
    DSTR_RESET(out);
    prom_sample(out, 9007199254740991.0, "big", NULL);
    prom_sample(out, 1796661819.25, "t", NULL);
    prom_sample(out, -2, "neg", NULL);
    prom_sample(out, 0.5, "half", "l", "", NULL);
    ck_assert_str_eq(dstr_str(out), "big 9007199254740991\nt 1796661819.25\nneg -2\n"
		     "half{l=\"\"} 0.5\n");
    dstr_free(out);
}
END_TEST

/* parse - one request head; the HTTP_REQ_* result */

static int parse(const char *text, HTTP_REQ *req)
{
    return (http_req_parse(text, strlen(text), 64, req));
}

START_TEST(http_request_heads)
{
    HTTP_REQ req;

    http_req_init(&req);
    ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &req), HTTP_REQ_OK);
    ck_assert_str_eq(dstr_str(req.method), "GET");
    ck_assert_str_eq(dstr_str(req.path), "/metrics");
    ck_assert_int_eq(req.minor, 1);
    ck_assert_int_eq(parse("\r\nGET /metrics?x=1 HTTP/1.0\n\n", &req), HTTP_REQ_OK);
    ck_assert_str_eq(dstr_str(req.path), "/metrics");
    ck_assert_int_eq(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", &req), HTTP_REQ_NEED_MORE);
    ck_assert_int_eq(parse("GET /metrics HTTP/2.0\r\n\r\n", &req), HTTP_REQ_BAD);
    ck_assert_int_eq(parse("GET  /metrics HTTP/1.1\r\n\r\n", &req), HTTP_REQ_BAD);
    ck_assert_int_eq(parse("GET /me\001trics HTTP/1.1\r\n\r\n", &req), HTTP_REQ_BAD);
    ck_assert_int_eq(parse("G(T / HTTP/1.1\r\n\r\n", &req), HTTP_REQ_BAD);
    ck_assert_int_eq(parse("HELLO\r\n\r\n", &req), HTTP_REQ_BAD);
    ck_assert_int_eq(parse("GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			   &req), HTTP_REQ_TOO_LONG);
    http_req_free(&req);
}
END_TEST

/* id_time - set the 7 base-36 time digits of a queue id */

static void id_time(char *id, time_t when)
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    unsigned long val = (unsigned long) when;
    int     i;

    for (i = 6; i >= 0; i--, val /= 36)
	id[i] = digits[val % 36];
}

/* put - a file of size bytes in spool/queue */

static void put(const char *dir, const char *queue, const char *name, size_t size)
{
    char    path[512];
    char   *data = calloc(1, size + 1);
    int     fd;

    snprintf(path, sizeof(path), "%s/%s/%s", dir, queue, name);
    ck_assert_int_ge(fd = open(path, O_CREAT | O_WRONLY, 0600), 0);
    ck_assert_int_eq(write(fd, data, size), (ssize_t) size);
    close(fd);
    free(data);
}

START_TEST(spool_counts_sizes_and_ages)
{
    char   *dir = unit_tmpdir_make("check_metrics");
    SPOOL_STATS stats[SPOOL_STATS_QUEUES];
    char    path[512];
    char    old[QID_SIZE];
    char    young[QID_SIZE];
    DSTR   *out = dstr_new(1024);
    const char *q[] = {"incoming", "active", "deferred", "hold"};
    time_t  now;
    int     fd;
    int     i;

    for (i = 0; i < 4; i++) {
	snprintf(path, sizeof(path), "%s/%s", dir, q[i]);
	ck_assert_int_eq(mkdir(path, 0700), 0);
    }						/* corrupt/ is missing */
    qid_new(young);
    now = qid_time(young);
    strcpy(old, young);
    id_time(old, now - 3600);			/* an hour older */
    put(dir, "deferred", young, 100);
    put(dir, "deferred", old, 50);
    put(dir, "deferred", "not-a-queue-id", 7000);
    put(dir, "hold", young, 10);
    ck_assert_int_ge(fd = open(dir, O_RDONLY | O_DIRECTORY), 0);
    spool_stats_read(fd, stats);
    close(fd);
    ck_assert_str_eq(stats[2].queue, "deferred");
    ck_assert_int_eq(stats[2].messages, 2);
    ck_assert_int_eq(stats[2].bytes, 150);
    ck_assert_int_eq(stats[2].oldest, now - 3600);	/* from the id, not the file */
    ck_assert_int_eq(stats[3].messages, 1);
    ck_assert_int_eq(stats[3].oldest, now);
    ck_assert_int_eq(stats[0].messages, 0);
    ck_assert_int_eq(stats[0].readable, 1);
    ck_assert_int_eq(stats[4].readable, 0);
    spool_stats_metrics(stats, now + 90, out);
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "posthorn_queue_messages{queue=\"deferred\"} 2\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out), "posthorn_queue_bytes{queue=\"deferred\"} 150\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out),
				 "posthorn_queue_oldest_age_seconds{queue=\"hold\"} 90\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out),
				 "posthorn_queue_oldest_age_seconds{queue=\"deferred\"} 3690\n"));
    ck_assert_ptr_nonnull(strstr(dstr_str(out),
				 "posthorn_queue_oldest_age_seconds{queue=\"incoming\"} 0\n"));
    ck_assert_ptr_null(strstr(dstr_str(out), "queue=\"corrupt\""));
    dstr_free(out);
    dir = unit_tmpdir_remove(dir);
}
END_TEST

/* metrics_suite - every test above */

static Suite *metrics_suite(void)
{
    Suite  *s = suite_create("metrics");
    TCase  *tc = tcase_create("metrics");

    tcase_add_test(tc, prom_lines_and_escapes);
    tcase_add_test(tc, http_request_heads);
    tcase_add_test(tc, spool_counts_sizes_and_ages);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(metrics_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
