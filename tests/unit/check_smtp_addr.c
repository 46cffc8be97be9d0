/*
 * check_smtp_addr - unit tests for next hops and server address lists
 * DESCRIPTION
 *	Next-hop forms (domain, domain:port, [host], [host]:port, [address],
 *	IPv6 literals, the "smtp" port name) and malformed ones; MX sorting
 *	by preference, stable without randomization and shuffled only within
 *	one preference with it; address family preference; the mail loop
 *	rule (drop our own MX and every worse one, "loops back to myself"
 *	when we are the best); the address limit.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "smtp/smtp.h"

/* parse_ok - parse a next hop that must be good */

static void parse_ok(const char *text, const char *host, unsigned port, int no_mx, int literal)
{
    SMTP_NEXTHOP hop;
    DSTR   *err = dstr_new(64);

    ck_assert_msg(smtp_nexthop_parse(text, &hop, err) == 0, "%s: %s", text, dstr_str(err));
    ck_assert_str_eq(hop.host, host);
    ck_assert_uint_eq(hop.port, port);
    ck_assert_int_eq(hop.no_mx, no_mx);
    ck_assert_int_eq(hop.literal, literal);
    smtp_nexthop_free(&hop);
    dstr_free(err);
}

START_TEST(nexthop_forms)
{
    parse_ok("example.com", "example.com", 25, 0, 0);
    parse_ok("Example.COM:2525", "example.com", 2525, 0, 0);
    parse_ok("[mail.example.com]", "mail.example.com", 25, 1, 0);
    parse_ok("[mail.example.com]:587", "mail.example.com", 587, 1, 0);
    parse_ok("[192.0.2.1]:2525", "192.0.2.1", 2525, 1, 1);
    parse_ok("[2001:db8::1]:25", "2001:db8::1", 25, 1, 1);
    parse_ok("example.com:smtp", "example.com", 25, 0, 0);
}
END_TEST

START_TEST(nexthop_malformed)
{
    static const char *const bad[] = {
	"", "[", "[host", "[host]x", "[host]:", "host:", "host:0", "host:65536",
	"host:12x", "ho st", "host;rm", "[]", "exa\nmple.com", "a:b:c", 0,
    };
    const char *const *cpp;
    SMTP_NEXTHOP hop;
    DSTR   *err = dstr_new(64);

    for (cpp = bad; *cpp; cpp++) {
	DSTR_RESET(err);
	ck_assert_msg(smtp_nexthop_parse(*cpp, &hop, err) == -1, "accepted \"%s\"", *cpp);
	ck_assert(dstr_len(err) > 0);
	ck_assert_ptr_null(hop.host);
    }
    dstr_free(err);
}
END_TEST

/* mx_fill - records from "pref:host" pairs */

static DNS_MX *mx_fill(const char *const *spec, size_t n)
{
    DNS_MX *mx = calloc(n, sizeof(*mx));
    size_t  i;

    for (i = 0; i < n; i++) {
	mx[i].pref = atoi(spec[i]);
	mx[i].host = strdup(strchr(spec[i], ':') + 1);
    }
    return (mx);
}

/* mx_free - release records */

static void mx_free(DNS_MX *mx, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++)
	free(mx[i].host);
    free(mx);
}

START_TEST(mx_sorted_by_preference_stable_without_randomization)
{
    static const char *const spec[] = {"20:c", "10:a", "30:e", "10:b", "20:d"};
    static const char *const want[] = {"a", "b", "c", "d", "e"};
    DNS_MX *mx = mx_fill(spec, 5);
    size_t  i;

    smtp_mx_sort(mx, 5, 0);
    for (i = 0; i < 5; i++)
	ck_assert_str_eq(mx[i].host, want[i]);
    mx_free(mx, 5);
}
END_TEST

static unsigned fake_state;

/* fake_rand - deterministic "random" numbers for the shuffle */

static unsigned fake_rand(unsigned limit)
{
    fake_state = fake_state * 1103515245 + 12345;
    return ((fake_state >> 16) % limit);
}

START_TEST(mx_randomized_only_within_one_preference)
{
    static const char *const spec[] = {"10:a", "10:b", "10:c", "10:d", "20:x", "5:first"};
    int     seen_first[4] = {0, 0, 0, 0};
    DNS_MX *mx;
    int     round;
    size_t  i;

    for (round = 0; round < 200; round++) {
	mx = mx_fill(spec, 6);
	smtp_mx_sort(mx, 6, fake_rand);
	ck_assert_str_eq(mx[0].host, "first");
	ck_assert_str_eq(mx[5].host, "x");
	for (i = 1; i < 5; i++)
	    ck_assert_int_eq(mx[i].pref, 10);
	seen_first[mx[1].host[0] - 'a']++;
	mx_free(mx, 6);
    }
    /* Every equal-preference host gets to be first some of the time. */
    for (i = 0; i < 4; i++)
	ck_assert_int_gt(seen_first[i], 20);
}
END_TEST

/* addr_list - build a list from "pref host address" triples */

static void addr_list(SMTP_ADDR_LIST *list, const char *const *spec, size_t n)
{
    DNS_ADDR a;
    char    host[64];
    char    text[64];
    int     pref;
    size_t  i;

    list->addr = 0;
    list->count = 0;
    for (i = 0; i < n; i++) {
	ck_assert_int_eq(sscanf(spec[i], "%d %63s %63s", &pref, host, text), 3);
	ck_assert_int_eq(dns_addr_parse(text, &a), 0);
	smtp_addr_list_add(list, host, &a, pref);
    }
}

START_TEST(address_family_preference_within_one_mx_preference)
{
    static const char *const spec[] = {
	"10 a 2001:db8::1", "10 a 192.0.2.1", "10 b 2001:db8::2", "20 c 2001:db8::3", "20 c 192.0.2.3",
    };
    SMTP_ADDR_LIST list;

    addr_list(&list, spec, 5);
    smtp_addr_order(&list, "ipv4");
    ck_assert_int_eq(list.addr[0].addr.family, AF_INET);
    ck_assert_int_eq(list.addr[1].addr.family, AF_INET6);
    ck_assert_str_eq(list.addr[1].host, "a");	/* stable among the rest */
    ck_assert_str_eq(list.addr[2].host, "b");
    ck_assert_int_eq(list.addr[3].addr.family, AF_INET);
    ck_assert_int_eq(list.addr[3].pref, 20);
    smtp_addr_order(&list, "ipv6");
    ck_assert_int_eq(list.addr[0].addr.family, AF_INET6);
    ck_assert_int_eq(list.addr[2].addr.family, AF_INET);
    ck_assert_int_eq(list.addr[3].addr.family, AF_INET6);
    smtp_addr_list_free(&list);
}
END_TEST

START_TEST(own_mx_and_worse_ones_are_dropped)
{
    static const char *const spec[] = {
	"10 a 192.0.2.1", "20 b 192.0.2.2", "30 self 127.0.0.1", "30 c 192.0.2.3", "40 d 192.0.2.4",
    };
    SMTP_ADDR_LIST list;
    DNS_ADDR_LIST own = {0, 0};
    DNS_ADDR a;

    (void) dns_addr_parse("127.0.0.1", &a);
    dns_addr_list_add(&own, &a);
    addr_list(&list, spec, 5);
    ck_assert_int_eq(smtp_addr_drop_self(&list, &own), 0);
    ck_assert_uint_eq(list.count, 2);
    ck_assert_str_eq(list.addr[1].host, "b");
    smtp_addr_list_free(&list);
    dns_addr_list_free(&own);
}
END_TEST

START_TEST(best_mx_is_ourselves_means_loop)
{
    static const char *const spec[] = {"10 self 192.0.2.9", "20 b 192.0.2.2"};
    SMTP_ADDR_LIST list;
    DNS_ADDR_LIST own = {0, 0};
    DNS_ADDR a;

    (void) dns_addr_parse("192.0.2.9", &a);
    dns_addr_list_add(&own, &a);
    addr_list(&list, spec, 2);
    ck_assert_int_eq(smtp_addr_drop_self(&list, &own), 1);
    ck_assert_uint_eq(list.count, 0);
    smtp_addr_list_free(&list);
    addr_list(&list, spec + 1, 1);		/* not in the list: untouched */
    ck_assert_int_eq(smtp_addr_drop_self(&list, &own), 0);
    ck_assert_uint_eq(list.count, 1);
    smtp_addr_list_free(&list);
    dns_addr_list_free(&own);
}
END_TEST

START_TEST(address_limit)
{
    static const char *const spec[] = {"10 a 192.0.2.1", "20 b 192.0.2.2", "30 c 192.0.2.3"};
    SMTP_ADDR_LIST list;

    addr_list(&list, spec, 3);
    smtp_addr_truncate(&list, 5);
    ck_assert_uint_eq(list.count, 3);
    smtp_addr_truncate(&list, 2);
    ck_assert_uint_eq(list.count, 2);
    ck_assert_str_eq(list.addr[1].host, "b");
    smtp_addr_list_free(&list);
    ck_assert_uint_eq(list.count, 0);
}
END_TEST

/* smtp_addr_suite - the tests */

static Suite *smtp_addr_suite(void)
{
    Suite  *s = suite_create("smtp_addr");
    TCase  *tn = tcase_create("nexthop");
    TCase  *tm = tcase_create("mx");

    tcase_add_test(tn, nexthop_forms);
    tcase_add_test(tn, nexthop_malformed);
    suite_add_tcase(s, tn);

    tcase_add_test(tm, mx_sorted_by_preference_stable_without_randomization);
    tcase_add_test(tm, mx_randomized_only_within_one_preference);
    tcase_add_test(tm, address_family_preference_within_one_mx_preference);
    tcase_add_test(tm, own_mx_and_worse_ones_are_dropped);
    tcase_add_test(tm, best_mx_is_ourselves_means_loop);
    tcase_add_test(tm, address_limit);
    suite_add_tcase(s, tm);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(smtp_addr_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
