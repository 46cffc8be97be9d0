/*
 * check_dns - unit tests for the resolver layer (src/dns/dns.c)
 * DESCRIPTION
 *	Address text helpers, then real queries over UDP to a tiny canned
 *	DNS server that a forked child runs on a 127.x.y.z address of its own
 *	(port 53, so the test needs root; without it the lookup tests say so
 *	and pass): MX records in answer order, the null MX ("0 ."), A and
 *	AAAA records, TXT records (the v=DKIM1 one preferred, its strings
 *	joined), NXDOMAIN, NODATA, SERVFAIL, a malformed answer, and a
 *	server that never answers, which must end at our deadline.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "ios.h"

static pid_t server_pid;
static char resolv_conf[] = "/tmp/check_dns.XXXXXX";
static int have_server;

/* put_name - a domain name as DNS labels */

static size_t put_name(unsigned char *p, const char *name)
{
    size_t  n = 0;
    const char *dot;
    size_t  len;

    while (*name) {
	dot = strchr(name, '.');
	len = dot ? (size_t) (dot - name) : strlen(name);
	p[n++] = (unsigned char) len;
	memcpy(p + n, name, len);
	n += len;
	name += len + (dot ? 1 : 0);
    }
    p[n++] = 0;
    return (n);
}

/* put_rr - one answer record for the question name (pointer to offset 12) */

static size_t put_rr(unsigned char *p, int type, const unsigned char *rdata, size_t rdlen)
{
    static const unsigned char fixed[] = {0xc0, 0x0c, 0, 0, 0, 1, 0, 0, 0, 60};
    size_t  n = sizeof(fixed);

    memcpy(p, fixed, n);
    p[3] = (unsigned char) type;
    p[n++] = (unsigned char) (rdlen >> 8);
    p[n++] = (unsigned char) rdlen;
    memcpy(p + n, rdata, rdlen);
    return (n + rdlen);
}

/* put_mx - one MX record */

static size_t put_mx(unsigned char *p, int pref, const char *host)
{
    unsigned char rd[300];
    size_t  n;

    rd[0] = 0;
    rd[1] = (unsigned char) pref;
    n = 2 + put_name(rd + 2, host);
    return (put_rr(p, 15, rd, n));
}

/* put_txt - one TXT record of the given strings (NULL-terminated list) */

static size_t put_txt(unsigned char *p, const char *const *strings)
{
    unsigned char rd[1024];
    size_t  n = 0;
    size_t  len;

    for (; *strings; strings++) {
	len = strlen(*strings);
	rd[n++] = (unsigned char) len;
	memcpy(rd + n, *strings, len);
	n += len;
    }
    return (put_rr(p, 16, rd, n));
}

/* txt_answers - TXT records of name put at r + *n; how many, 0 when none */

static int txt_answers(const char *name, unsigned char *r, size_t *n)
{
    static const char *const spf[] = {"v=spf1 -all", 0};
    static const char *const two[] = {"hello ", "world", 0};
    static const char *const other[] = {"other", 0};
    static char p1[256];			/* "p=AAA...": a full string */
    static char p2[101];			/* the rest of p= */
    const char *const dkim[] = {"v=DKIM1; k=rsa; ", p1, p2, 0};

    memset(p1, 'A', 255);
    memcpy(p1, "p=", 2);
    memset(p2, 'B', 100);
    if (strcmp(name, "txt.test") == 0) {	/* the DKIM record second */
	*n += put_txt(r + *n, spf);
	*n += put_txt(r + *n, dkim);
	return (2);
    }
    if (strcmp(name, "two.test") == 0) {	/* no DKIM record: the first one */
	*n += put_txt(r + *n, two);
	*n += put_txt(r + *n, other);
	return (2);
    }
    return (0);
}

/* answer - the canned answer to one query; length, or 0 for silence */

static size_t answer(const unsigned char *q, size_t qlen, unsigned char *r)
{
    char    name[256];
    size_t  n = 12;
    size_t  o = 0;
    int     qtype;
    int     rcode = 0;
    int     ancount = 0;
    unsigned char a4[4];
    unsigned char a6[16];

    while (n < qlen && q[n] && o + q[n] + 1 < sizeof(name)) {	/* question name */
	if (o)
	    name[o++] = '.';
	memcpy(name + o, q + n + 1, q[n]);
	o += q[n];
	n += q[n] + 1;
    }
    name[o] = 0;
    n += 1;
    qtype = q[n + 1];
    n += 4;					/* type and class */
    memcpy(r, q, n);				/* id, flags, counts, question */
    r[2] = 0x81;
    r[3] = 0x80;
    r[7] = 0;
    if (strcmp(name, "silent.test") == 0)
	return (0);
    if (strcmp(name, "mx.test") == 0 && qtype == 15) {
	n += put_mx(r + n, 20, "b.mx.test");
	n += put_mx(r + n, 10, "a.mx.test");
	ancount = 2;
    } else if (strcmp(name, "null.test") == 0 && qtype == 15) {
	n += put_mx(r + n, 0, "");
	ancount = 1;
    } else if (strcmp(name, "host.test") == 0 && qtype == 1) {
	inet_pton(AF_INET, "192.0.2.1", a4);
	n += put_rr(r + n, 1, a4, 4);
	inet_pton(AF_INET, "192.0.2.2", a4);
	n += put_rr(r + n, 1, a4, 4);
	ancount = 2;
    } else if (strcmp(name, "host.test") == 0 && qtype == 28) {
	inet_pton(AF_INET6, "2001:db8::1", a6);
	n += put_rr(r + n, 28, a6, 16);
	ancount = 1;
    } else if (qtype == 16 && (ancount = txt_answers(name, r, &n)) > 0) {
	/* TXT records */
    } else if (strcmp(name, "garbage.test") == 0) {
	ancount = 1;				/* promised, never sent */
    } else if (strcmp(name, "fail.test") == 0) {
	rcode = 2;
    } else if (strcmp(name, "host.test") != 0 && strcmp(name, "mx.test") != 0
	       && strcmp(name, "null.test") != 0 && strcmp(name, "txt.test") != 0
	       && strcmp(name, "two.test") != 0) {
	rcode = 3;				/* NXDOMAIN */
    }
    r[3] |= (unsigned char) rcode;
    r[7] = (unsigned char) ancount;
    return (n);
}

/* serve - the child: answer queries until killed */

static void serve(int sock)
{
    unsigned char q[512];
    unsigned char r[2048];
    struct sockaddr_storage from;
    socklen_t flen;
    ssize_t n;
    size_t  rlen;

    signal(SIGTERM, SIG_DFL);
    for (;;) {
	flen = sizeof(from);
	if ((n = recvfrom(sock, q, sizeof(q), 0, (struct sockaddr *) &from, &flen)) < 12)
	    continue;
	if ((rlen = answer(q, (size_t) n, r)) > 0)
	    (void) sendto(sock, r, rlen, 0, (struct sockaddr *) &from, flen);
    }
}

/* setup - start the canned server on a loopback address of its own */

static void setup(void)
{
    struct sockaddr_in sin;
    char    addr[32];
    FILE   *fp;
    int     sock;
    int     fd;

    have_server = 0;
    srandom((unsigned) (time(NULL) ^ getpid()));
    snprintf(addr, sizeof(addr), "127.%ld.%ld.%ld", 20 + random() % 200, 1 + random() % 250,
	     2 + random() % 250);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(53);
    inet_pton(AF_INET, addr, &sin.sin_addr);
    sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (bind(sock, (struct sockaddr *) &sin, sizeof(sin)) < 0) {
	fprintf(stderr, "check_dns: cannot bind %s:53 (%m): lookup tests skipped\n", addr);
	close(sock);
	return;
    }
    if ((server_pid = fork()) == 0)
	serve(sock);
    close(sock);
    strcpy(resolv_conf, "/tmp/check_dns.XXXXXX");
    fd = mkstemp(resolv_conf);
    fp = fdopen(fd, "w");
    fprintf(fp, "nameserver %s\n", addr);
    fclose(fp);
    have_server = 1;
}

/* teardown - stop the server */

static void teardown(void)
{
    if (!have_server)
	return;
    kill(server_pid, SIGKILL);
    waitpid(server_pid, NULL, 0);
    unlink(resolv_conf);
}

/* open_dns - a resolver for the canned server */

static DNS *open_dns(void)
{
    DSTR   *err = dstr_new(64);
    DNS    *dns = dns_open(resolv_conf, err);

    ck_assert_msg(dns != NULL, "dns_open: %s", dstr_str(err));
    dstr_free(err);
    return (dns);
}

START_TEST(address_text)
{
    DNS_ADDR a;
    DNS_ADDR b;
    DSTR   *out = dstr_new(64);

    ck_assert_int_eq(dns_addr_parse("192.0.2.7", &a), 0);
    ck_assert_int_eq(a.family, AF_INET);
    dns_addr_format(out, &a);
    ck_assert_str_eq(dstr_str(out), "192.0.2.7");
    ck_assert_int_eq(dns_addr_parse("2001:DB8::7", &b), 0);
    ck_assert_int_eq(b.family, AF_INET6);
    dns_addr_format(out, &b);
    ck_assert_str_eq(dstr_str(out), "2001:db8::7");
    ck_assert_int_eq(dns_addr_equal(&a, &b), 0);
    ck_assert_int_eq(dns_addr_parse("192.0.2.7", &b), 0);
    ck_assert_int_eq(dns_addr_equal(&a, &b), 1);
    ck_assert_int_eq(dns_addr_parse("mx.example.com", &a), -1);
    ck_assert_int_eq(dns_addr_parse("192.0.2", &a), -1);
    dstr_free(out);
}
END_TEST

START_TEST(unreadable_resolv_conf_is_an_error)
{
    DSTR   *err = dstr_new(64);

    ck_assert_ptr_null(dns_open("/nonexistent/resolv.conf", err));
    ck_assert_str_eq(dstr_str(err), "cannot read /nonexistent/resolv.conf: No such file or directory");
    dstr_free(err);
}
END_TEST

START_TEST(mx_records_in_answer_order)
{
    DNS    *dns;
    DNS_MX_LIST mx;
    DSTR   *why = dstr_new(64);

    if (!have_server)
	return;
    dns = open_dns();
    ck_assert_int_eq(dns_lookup_mx(dns, "mx.test", 3000, &mx, why), DNS_OK);
    ck_assert_uint_eq(mx.count, 2);
    ck_assert_str_eq(mx.mx[0].host, "b.mx.test");
    ck_assert_int_eq(mx.mx[0].pref, 20);
    ck_assert_str_eq(mx.mx[1].host, "a.mx.test");
    ck_assert_int_eq(mx.mx[1].pref, 10);
    ck_assert_int_eq(mx.ttl, 60);		/* the test server's TTL */
    dns_mx_list_free(&mx);
    ck_assert_int_eq(dns_lookup_mx(dns, "null.test", 3000, &mx, why), DNS_OK);
    ck_assert_uint_eq(mx.count, 1);
    ck_assert_str_eq(mx.mx[0].host, "");
    ck_assert_int_eq(mx.mx[0].pref, 0);
    dns_mx_list_free(&mx);
    dns_close(dns);
    dstr_free(why);
}
END_TEST

START_TEST(address_records)
{
    DNS    *dns;
    DNS_ADDR_LIST al = {0, 0};
    DSTR   *why = dstr_new(64);
    DSTR   *text = dstr_new(64);

    if (!have_server)
	return;
    dns = open_dns();
    ck_assert_int_eq(dns_lookup_addr(dns, "host.test", AF_INET, 3000, &al, why), DNS_OK);
    ck_assert_int_eq(dns_lookup_addr(dns, "host.test", AF_INET6, 3000, &al, why), DNS_OK);
    ck_assert_uint_eq(al.count, 3);
    dns_addr_format(text, al.addr + 1);
    ck_assert_str_eq(dstr_str(text), "192.0.2.2");
    dns_addr_format(text, al.addr + 2);
    ck_assert_str_eq(dstr_str(text), "2001:db8::1");
    dns_addr_list_free(&al);
    dns_close(dns);
    dstr_free(why);
    dstr_free(text);
}
END_TEST

START_TEST(negative_answers)
{
    DNS    *dns;
    DNS_MX_LIST mx;
    DNS_ADDR_LIST al = {0, 0};
    DSTR   *why = dstr_new(64);

    if (!have_server)
	return;
    dns = open_dns();
    ck_assert_int_eq(dns_lookup_mx(dns, "nx.test", 3000, &mx, why), DNS_NOTFOUND);
    ck_assert_str_eq(dstr_str(why), "Host not found");
    ck_assert_uint_eq(mx.count, 0);
    ck_assert_int_eq(dns_lookup_mx(dns, "host.test", 3000, &mx, why), DNS_NODATA);
    ck_assert_int_eq(dns_lookup_addr(dns, "mx.test", AF_INET, 3000, &al, why), DNS_NODATA);
    ck_assert_uint_eq(al.count, 0);
    ck_assert_int_eq(dns_lookup_mx(dns, "fail.test", 3000, &mx, why), DNS_RETRY);
    ck_assert_str_eq(dstr_str(why), "Host not found, try again");
    ck_assert_int_eq(dns_lookup_mx(dns, "garbage.test", 3000, &mx, why), DNS_RETRY);
    ck_assert_int_eq(dns_lookup_mx(dns, "", 3000, &mx, why), DNS_FAIL);
    dns_close(dns);
    dstr_free(why);
}
END_TEST

START_TEST(txt_records)
{
    DNS    *dns;
    DSTR   *why = dstr_new(64);
    DSTR   *txt = dstr_new(64);
    DSTR   *want = dstr_new(512);

    if (!have_server)
	return;
    dns = open_dns();
    /* The v=DKIM1 record, though second, its three strings joined. */
    ck_assert_int_eq(dns_lookup_txt(dns, "txt.test", 3000, txt, why), DNS_OK);
    dstr_cats(want, "v=DKIM1; k=rsa; p=");
    while (dstr_len(want) < 16 + 255)
	dstr_catc(want, 'A');
    while (dstr_len(want) < 16 + 255 + 100)
	dstr_catc(want, 'B');
    ck_assert_str_eq(dstr_str(txt), dstr_str(want));
    /* No DKIM record: the first record, and only it. */
    ck_assert_int_eq(dns_lookup_txt(dns, "two.test", 3000, txt, why), DNS_OK);
    ck_assert_str_eq(dstr_str(txt), "hello world");
    ck_assert_int_eq(dns_lookup_txt(dns, "nx.test", 3000, txt, why), DNS_NOTFOUND);
    ck_assert_uint_eq(dstr_len(txt), 0);
    ck_assert_int_eq(dns_lookup_txt(dns, "host.test", 3000, txt, why), DNS_NODATA);
    ck_assert_int_eq(dns_lookup_txt(dns, "fail.test", 3000, txt, why), DNS_RETRY);
    ck_assert_int_eq(dns_lookup_txt(dns, "garbage.test", 3000, txt, why), DNS_RETRY);
    dns_close(dns);
    dstr_free(why);
    dstr_free(txt);
    dstr_free(want);
}
END_TEST

START_TEST(silent_server_ends_at_the_deadline)
{
    DNS    *dns;
    DNS_MX_LIST mx;
    DSTR   *why = dstr_new(64);
    long long start;
    long long took;

    if (!have_server)
	return;
    dns = open_dns();
    start = ios_now_ms();
    ck_assert_int_eq(dns_lookup_mx(dns, "silent.test", 700, &mx, why), DNS_RETRY);
    took = ios_now_ms() - start;
    ck_assert_int_ge(took, 600);
    ck_assert_int_lt(took, 2000);
    /* The channel still works afterwards. */
    ck_assert_int_eq(dns_lookup_mx(dns, "mx.test", 3000, &mx, why), DNS_OK);
    dns_mx_list_free(&mx);
    dns_close(dns);
    dstr_free(why);
}
END_TEST

/* dns_suite - the tests */

static Suite *dns_suite(void)
{
    Suite  *s = suite_create("dns");
    TCase  *ta = tcase_create("addr");
    TCase  *tq = tcase_create("query");

    tcase_add_test(ta, address_text);
    tcase_add_test(ta, unreadable_resolv_conf_is_an_error);
    suite_add_tcase(s, ta);

    tcase_add_checked_fixture(tq, setup, teardown);
    tcase_add_test(tq, mx_records_in_answer_order);
    tcase_add_test(tq, address_records);
    tcase_add_test(tq, negative_answers);
    tcase_add_test(tq, txt_records);
    tcase_add_test(tq, silent_server_ends_at_the_deadline);
    suite_add_tcase(s, tq);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(dns_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
