/*
 * qmqp_metrics - QMQP counters for posthorn metrics
 * DESCRIPTION
 *	qmqpd counts each connection with anvil anyway (the connection
 *	limit), and tells it, when it lets the count go, what came of the
 *	connection: "accepted", "rejected:REASON", "deferred:REASON" or
 *	"lost". anvil adds them up in memory (src/anvil/anvil_table.c), so
 *	counting costs qmqpd no extra request and nothing is written to
 *	disk. The counters live as long as anvil does: they start again when
 *	it is restarted (reload, or max_idle without any qmqpd), which
 *	Prometheus reads as a counter reset. Connections that
 *	qmqpd_client_event_limit_exceptions exempts, or all of them when
 *	qmqpd_client_connection_limit is 0, are not counted.
 */
#include <stdlib.h>
#include <string.h>

#include "qmqp_metrics.h"
#include "anvil_client.h"
#include "prom_text.h"

#define QMQP_METRICS_TIMEOUT	5	/* seconds anvil may take */

/* qmqp_metrics_line - one "NAME COUNT" line as a sample */

static void qmqp_metrics_line(const char *line, size_t len, DSTR *conns, DSTR *reqs)
{
    const char *sp = memchr(line, ' ', len);
    const char *colon;
    DSTR   *result;
    DSTR   *reason;
    double  n;

    if (sp == NULL)
	return;
    n = strtod(sp + 1, (char **) 0);
    if ((size_t) (sp - line) == 7 && strncmp(line, "connect", 7) == 0) {
	prom_sample(conns, n, "posthorn_qmqp_connections_total", NULL);
	return;
    }
    result = dstr_new(16);
    reason = dstr_new(32);
    if ((colon = memchr(line, ':', (size_t) (sp - line))) != NULL) {
	dstr_memcpy(result, line, (size_t) (colon - line));
	dstr_memcpy(reason, colon + 1, (size_t) (sp - colon - 1));
    } else {
	dstr_memcpy(result, line, (size_t) (sp - line));
    }
    prom_sample(reqs, n, "posthorn_qmqp_requests_total", "result", dstr_str(result),
		"reason", dstr_str(reason), NULL);
    dstr_free(result);
    dstr_free(reason);
}

/* qmqp_metrics - see qmqp_metrics.h */

int     qmqp_metrics(const char *anvil_path, DSTR *out)
{
    ANVIL_CLIENT *cl = anvil_client_create(anvil_path, QMQP_METRICS_TIMEOUT);
    DSTR   *text = dstr_new(1024);
    DSTR   *conns = dstr_new(128);
    DSTR   *reqs = dstr_new(1024);
    const char *cp;
    const char *nl;
    int     ret = -1;

    if (anvil_client_stats(cl, text) == ANVIL_STAT_OK) {
	ret = 0;
	for (cp = dstr_str(text); (nl = strchr(cp, '\n')) != NULL; cp = nl + 1)
	    qmqp_metrics_line(cp, (size_t) (nl - cp), conns, reqs);
    }
    prom_family(out, "posthorn_qmqp_connections_total", "counter",
		"QMQP connections counted by anvil since it started");
    dstr_cat(out, dstr_str(conns), dstr_len(conns));
    prom_family(out, "posthorn_qmqp_requests_total", "counter",
		"What came of QMQP connections: accepted, rejected or deferred (with a reason), lost");
    dstr_cat(out, dstr_str(reqs), dstr_len(reqs));
    anvil_client_free(cl);
    dstr_free(text);
    dstr_free(conns);
    dstr_free(reqs);
    return (ret);
}
