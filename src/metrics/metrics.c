/*
 * metrics - serve posthorn metrics over HTTP for Prometheus to scrape
 * DESCRIPTION
 *	An inet service in master.cf (commented out in the default file):
 *	one connection, one request. GET /metrics gets the Prometheus text
 *	exposition that posthorn metrics prints: the spool's queues, read
 *	here (spool_stats.c), and the queue manager's counters and gauges,
 *	asked of qmgr as posthorn status asks (admin_client.c). Everything
 *	else gets its 4xx: another path 404, another method 405, a
 *	malformed request 400, a head longer than METRICS_HEAD_LIMIT 431.
 *	The answer always closes the connection.
 * SECURITY
 *	Faces whoever can reach its port: listen on loopback (the commented
 *	default) and let metrics_authorized_clients (default: loopback)
 *	decide who may scrape; others get 403. The request must arrive
 *	whole within metrics_timeout of the connection, however slowly it is
 *	sent; at most METRICS_HEAD_LIMIT bytes are read. Chrooted in the
 *	queue directory as mail_owner, like every daemon; mail_owner may
 *	read the queue directories and ask qmgr.
 * PARAMETERS
 *	metrics_authorized_clients, metrics_timeout,
 *	metrics_destination_limit (qmgr's).
 */
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addrmatch.h"
#include "admin_client.h"
#include "cfg_params.h"
#include "http_req.h"
#include "ios.h"
#include "msg.h"
#include "peername.h"
#include "anvil_proto.h"
#include "prom_text.h"
#include "qmqp_metrics.h"
#include "server.h"
#include "spool_stats.h"
#include "trigger.h"

#define METRICS_HEAD_LIMIT	8192	/* bytes of request line and headers */

static ADDRLIST *metrics_clients;	/* metrics_authorized_clients */

/* metrics_answer - status line, a few headers, the body; then close */

static void metrics_answer(IOS *ios, const char *status, const char *type, const DSTR *body,
			           const char *extra)
{
    ios_printf(ios, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
	       "Connection: close\r\n\r\n", status, type, dstr_len(body), extra ? extra : "");
    (void) ios_write(ios, dstr_str(body), dstr_len(body));
    (void) ios_flush(ios);
}

/* metrics_error - a short text answer */

static void metrics_error(IOS *ios, const char *status, const char *extra)
{
    DSTR   *body = dstr_new(64);

    dstr_sprintf(body, "%s\n", status);
    metrics_answer(ios, status, "text/plain; charset=utf-8", body, extra);
    dstr_free(body);
}

/* metrics_compose - the exposition, as posthorn metrics prints it */

static void metrics_compose(DSTR *out)
{
    SPOOL_STATS stats[SPOOL_STATS_QUEUES];
    DSTR   *body = dstr_new(8192);
    DSTR   *why = dstr_new(128);
    int     up;
    int     fd;

    /* The working directory is the queue directory (chroot or not). */
    if ((fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
	spool_stats_read(fd, stats);
	close(fd);
	spool_stats_metrics(stats, time((time_t *) 0), out);
    }
    if ((up = admin_client_report(TRIGGER_QMGR_SERVICE, "metrics", body, why) == 0) == 0)
	msg_warn("queue manager: %s", dstr_str(why));
    prom_family(out, "posthorn_up", "gauge", "1 when the queue manager answered this scrape");
    prom_sample(out, up, "posthorn_up", NULL);
    dstr_cat(out, dstr_str(body), dstr_len(body));
    (void) qmqp_metrics(ANVIL_SERVICE, out);	/* qmqpd counts with anvil, qmgr or not */
    dstr_free(body);
    dstr_free(why);
}

/* metrics_read_head - the request head within the limits; HTTP_REQ_* */

static int metrics_read_head(IOS *ios, HTTP_REQ *req)
{
    DSTR   *buf = dstr_new(1024);
    int     ret = HTTP_REQ_NEED_MORE;
    int     c;

    while (ret == HTTP_REQ_NEED_MORE && (c = ios_getc(ios)) >= 0) {
	dstr_catc(buf, (char) c);
	if (c == '\n' || dstr_len(buf) >= METRICS_HEAD_LIMIT)
	    ret = http_req_parse(dstr_str(buf), dstr_len(buf), METRICS_HEAD_LIMIT, req);
    }
    dstr_free(buf);
    return (ret);
}

/* metrics_service - one connection */

static void metrics_service(int fd, const char *service, char **argv)
{
    IOS    *ios = ios_open(fd);
    DSTR   *name = dstr_new(64);
    DSTR   *addr = dstr_new(64);
    DSTR   *port = dstr_new(8);
    DSTR   *body;
    HTTP_REQ req;
    int     ret;

    (void) service;
    (void) argv;
    http_req_init(&req);
    ios_set_deadline(ios, var_metrics_timeout);
    (void) peername_lookup(fd, addrlist_needs_hostname(metrics_clients), name, addr, port);
    if (!addrlist_match(metrics_clients, dstr_str(name), dstr_str(addr))) {
	msg_warn("refusing a scrape from %s[%s]: not in metrics_authorized_clients",
		 dstr_str(name), dstr_str(addr));
	metrics_error(ios, "403 Forbidden", NULL);
    } else if ((ret = metrics_read_head(ios, &req)) == HTTP_REQ_TOO_LONG) {
	metrics_error(ios, "431 Request Header Fields Too Large", NULL);
    } else if (ret == HTTP_REQ_BAD) {
	metrics_error(ios, "400 Bad Request", NULL);
    } else if (ret != HTTP_REQ_OK) {
	/* the deadline passed or the client left: nothing to say */
    } else if (strcmp(dstr_str(req.method), "GET") != 0) {
	metrics_error(ios, "405 Method Not Allowed", "Allow: GET\r\n");
    } else if (strcmp(dstr_str(req.path), "/metrics") != 0) {
	metrics_error(ios, "404 Not Found", NULL);
    } else {
	body = dstr_new(16384);
	metrics_compose(body);
	metrics_answer(ios, "200 OK", PROM_CONTENT_TYPE, body, NULL);
	dstr_free(body);
    }
    http_req_free(&req);
    ios_free(ios);
    dstr_free(name);
    dstr_free(addr);
    dstr_free(port);
}

/* metrics_pre_jail - who may scrape */

static void metrics_pre_jail(const char *service, char **argv)
{
    DSTR   *err = dstr_new(128);

    (void) service;
    (void) argv;
    if ((metrics_clients = addrlist_parse(var_metrics_clients, ADDRLIST_FLAG_PARENT, err)) == NULL)
	msg_fatal("parameter metrics_authorized_clients: %s", dstr_str(err));
    dstr_free(err);
}

int     main(int argc, char **argv)
{
    static const SERVER_DESC desc = {
	.name = "metrics",
	.service = metrics_service,
	.pre_jail = metrics_pre_jail,
    };

    server_main(argc, argv, &desc);
}
