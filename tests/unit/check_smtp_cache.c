/*
 * check_smtp_cache - unit tests for connection reuse rules and the scache table
 * DESCRIPTION
 *	smtp side: when caching is wanted (DELIVER_FLAG_CACHE with
 *	smtp_connection_cache_on_demand, or the next hop in
 *	smtp_connection_cache_destinations), when a connection may be reused
 *	(not broken, no open transaction, under the reuse count and time
 *	limits), and the properties that travel with a cached socket.
 *	scache side (src/scache/scache_table.c, with an injected clock and
 *	close function): entries expire at their time and are closed, the
 *	newest live entry for a label is handed out and leaves the cache,
 *	the oldest is closed when the cache is full.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtp/smtp.h"
#include "scache/scache.h"

/* request - a request to a next hop with flags */

static DELIVER_REQUEST *request(const char *nexthop, int flags)
{
    DELIVER_REQUEST *req = deliver_request_new();

    req->nexthop = strdup(nexthop);
    req->flags = flags;
    return (req);
}

START_TEST(caching_wanted_on_demand_or_by_destination)
{
    DELIVER_REQUEST *r1 = request("example.com", DELIVER_FLAG_CACHE);
    DELIVER_REQUEST *r2 = request("[mx.example.org]:2525", 0);
    DELIVER_REQUEST *r3 = request("other.test", 0);

    ck_assert_int_eq(smtp_cache_wanted(r1, "", 1), 1);
    ck_assert_int_eq(smtp_cache_wanted(r1, "", 0), 0);
    ck_assert_int_eq(smtp_cache_wanted(r2, "a.test, mx.example.org", 1), 1);
    ck_assert_int_eq(smtp_cache_wanted(r2, "[mx.example.org]:2525", 0), 1);
    ck_assert_int_eq(smtp_cache_wanted(r2, "mx.example", 1), 0);
    ck_assert_int_eq(smtp_cache_wanted(r3, "a.test mx.example.org", 1), 0);
    ck_assert_int_eq(smtp_cache_wanted(r3, "OTHER.test", 1), 1);
    deliver_request_free(r1);
    deliver_request_free(r2);
    deliver_request_free(r3);
}
END_TEST

/* session - a session on a harmless descriptor */

static SMTP_SESSION *session(void)
{
    return (smtp_session_new(dup(0), "mx.example.com", "192.0.2.1", 25));
}

START_TEST(reuse_limits)
{
    SMTP_SESSION *s = session();
    time_t  t0 = s->first_use;

    s->use_count = 1;
    ck_assert_int_eq(smtp_cache_reusable(s, t0, 0, 300), 1);
    ck_assert_int_eq(smtp_cache_reusable(s, t0 + 299, 0, 300), 1);
    ck_assert_int_eq(smtp_cache_reusable(s, t0 + 300, 0, 300), 0);	/* time limit */
    ck_assert_int_eq(smtp_cache_reusable(s, t0, 2, 300), 1);
    s->use_count = 2;
    ck_assert_int_eq(smtp_cache_reusable(s, t0, 2, 300), 0);	/* count limit */
    ck_assert_int_eq(smtp_cache_reusable(s, t0, 0, 300), 1);	/* 0: no limit */
    s->dirty = 1;
    ck_assert_int_eq(smtp_cache_reusable(s, t0, 0, 300), 0);
    s->dirty = 0;
    s->broken = 1;
    ck_assert_int_eq(smtp_cache_reusable(s, t0, 0, 300), 0);
    smtp_session_free(s);
}
END_TEST

START_TEST(properties_round_trip)
{
    SMTP_SESSION *s = session();
    SMTP_SESSION *back;
    DSTR   *props = dstr_new(64);

    s->features = SMTP_FEAT_ESMTP | SMTP_FEAT_PIPELINING | SMTP_FEAT_SIZE;
    s->size_limit = 10240000;
    s->use_count = 3;
    s->first_use = 1700000000;
    smtp_cache_props(props, s);
    back = smtp_cache_unprops(dup(0), dstr_str(props));
    ck_assert_ptr_nonnull(back);
    ck_assert_str_eq(back->host, "mx.example.com");
    ck_assert_str_eq(back->addr, "192.0.2.1");
    ck_assert_uint_eq(back->port, 25);
    ck_assert_int_eq(back->features, s->features);
    ck_assert_int_eq(back->size_limit, 10240000);
    ck_assert_int_eq(back->use_count, 3);
    ck_assert_int_eq(back->first_use, 1700000000);
    ck_assert_int_eq(back->reused, 1);
    ck_assert_str_eq(dstr_str(back->relay), "mx.example.com[192.0.2.1]:25");
    smtp_session_free(back);
    smtp_session_free(s);
    dstr_free(props);
}
END_TEST

START_TEST(malformed_properties_are_refused)
{
    static const char *const bad[] = {
	"", "h a 25 1 0 1", "h a 0 1 0 1 5", "h a 25 x 0 1 5", "h a 25 1 -1 1 5", "h a 25 1 0 1 5 extra", 0,
    };
    const char *const *cpp;

    for (cpp = bad; *cpp; cpp++)
	ck_assert_msg(smtp_cache_unprops(-1, *cpp) == 0, "accepted \"%s\"", *cpp);
}
END_TEST

static int closed[16];
static int nclosed;

/* fake_close - record instead of closing */

static void fake_close(int fd)
{
    if (nclosed < 16)
	closed[nclosed++] = fd;
}

START_TEST(entries_expire_and_are_closed)
{
    SCACHE *c = scache_new(10, fake_close);
    SCACHE_ENTRY e;

    nclosed = 0;
    scache_add(c, "smtp:a", "a[1]:25", "p1", 101, 1000, 2000);
    scache_add(c, "smtp:b", "b[2]:25", "p2", 102, 1500, 2000);
    ck_assert_int_eq(scache_expire(c, 2999), 3000);
    ck_assert_int_eq(nclosed, 0);
    ck_assert_int_eq(scache_expire(c, 3000), 3500);
    ck_assert_int_eq(nclosed, 1);
    ck_assert_int_eq(closed[0], 101);
    ck_assert_int_eq(scache_take(c, "smtp:a", 3000, &e), -1);
    ck_assert_int_eq(scache_take(c, "smtp:b", 3499, &e), 0);
    ck_assert_int_eq(e.fd, 102);
    scache_entry_free(&e);
    ck_assert_int_eq(scache_expire(c, 4000), 0);
    ck_assert_int_eq(c->hits, 1);
    ck_assert_int_eq(c->misses, 1);
    ck_assert_int_eq(c->expired, 1);
    scache_free(c);
}
END_TEST

START_TEST(take_hands_out_the_newest_live_entry_once)
{
    SCACHE *c = scache_new(10, fake_close);
    SCACHE_ENTRY e;

    nclosed = 0;
    scache_add(c, "smtp:a", "a[1]:25", "old", 1, 0, 10000);
    scache_add(c, "smtp:x", "x[9]:25", "other", 9, 10, 10000);
    scache_add(c, "smtp:a", "a[2]:25", "new", 2, 20, 10000);
    ck_assert_int_eq(scache_take(c, "smtp:a", 30, &e), 0);
    ck_assert_int_eq(e.fd, 2);
    ck_assert_str_eq(e.props, "new");
    ck_assert_str_eq(e.endpoint, "a[2]:25");
    scache_entry_free(&e);
    ck_assert_int_eq(scache_take(c, "smtp:a", 30, &e), 0);
    ck_assert_int_eq(e.fd, 1);
    scache_entry_free(&e);
    ck_assert_int_eq(scache_take(c, "smtp:a", 30, &e), -1);
    ck_assert_int_eq(scache_take(c, "SMTP:X", 30, &e), -1);	/* labels are exact */
    ck_assert_uint_eq(c->count, 1);
    ck_assert_int_eq(nclosed, 0);
    scache_free(c);
    ck_assert_int_eq(nclosed, 1);
    ck_assert_int_eq(closed[0], 9);
}
END_TEST

START_TEST(a_full_cache_closes_its_oldest_entry)
{
    SCACHE *c = scache_new(2, fake_close);
    SCACHE_ENTRY e;

    nclosed = 0;
    scache_add(c, "l", "e", "p", 11, 0, 10000);
    scache_add(c, "l", "e", "p", 12, 1, 10000);
    scache_add(c, "l", "e", "p", 13, 2, 10000);
    ck_assert_int_eq(nclosed, 1);
    ck_assert_int_eq(closed[0], 11);
    ck_assert_int_eq(c->evicted, 1);
    ck_assert_int_eq(scache_take(c, "l", 3, &e), 0);
    ck_assert_int_eq(e.fd, 13);
    scache_entry_free(&e);
    scache_free(c);
}
END_TEST

/* smtp_cache_suite - the tests */

static Suite *smtp_cache_suite(void)
{
    Suite  *s = suite_create("smtp_cache");
    TCase  *ts = tcase_create("smtp");
    TCase  *tc = tcase_create("scache");

    tcase_add_test(ts, caching_wanted_on_demand_or_by_destination);
    tcase_add_test(ts, reuse_limits);
    tcase_add_test(ts, properties_round_trip);
    tcase_add_test(ts, malformed_properties_are_refused);
    suite_add_tcase(s, ts);

    tcase_add_test(tc, entries_expire_and_are_closed);
    tcase_add_test(tc, take_hands_out_the_newest_live_entry_once);
    tcase_add_test(tc, a_full_cache_closes_its_oldest_entry);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(smtp_cache_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
