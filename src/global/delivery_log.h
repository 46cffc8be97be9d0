/* delivery_log - the Postfix delivery log line that pflogsumm and friends read */
#ifndef DELIVERY_LOG_H
#define DELIVERY_LOG_H
#include "dstr.h"

/*
 * Times of one delivery attempt, in seconds since the epoch (sub-second).
 * delays=a/b/c/d is arrival->active, active->connection setup start,
 * connection setup (DNS, connect, greeting, EHLO, TLS), transmission.
 */
typedef struct DELIVERY_TIMES {
    double  arrival;
    double  active;
    double  conn_start;
    double  conn_done;
    double  done;
} DELIVERY_TIMES;

/*
 * Log "QID: to=<rcpt>, relay=RELAY, [conn_use=N, ]delay=T, delays=a/b/c/d,
 * dsn=X.Y.Z, status=STATUS (TEXT)" at info level. relay is "host[addr]:port"
 * or "none"; conn_use 0 or 1 is not shown. Numbers follow Postfix's
 * delay_logging_resolution_limit (2): below 0.01 "0", under 100 at most two
 * significant decimals, above that whole seconds.
 */
extern void delivery_log(const char *queue_id, const char *rcpt, const char *relay,
			         int conn_use, const DELIVERY_TIMES *times,
			         const char *dsn, const char *status, const char *text);
/* Format one delay value the way delivery_log() does. */
extern void delivery_log_delay(DSTR *out, double seconds);

#endif
