/* qmqp_metrics - what became of QMQP connections, from anvil's counters, for Prometheus */
#ifndef QMQP_METRICS_H
#define QMQP_METRICS_H
#include "dstr.h"

/*
 * Ask anvil at anvil_path for its counters and append them to out as
 * posthorn_qmqp_connections_total and posthorn_qmqp_requests_total{result,
 * reason}; 0, or -1 (nothing appended but the families' HELP and TYPE)
 * when anvil does not answer.
 */
extern int qmqp_metrics(const char *anvil_path, DSTR *out);

#endif
