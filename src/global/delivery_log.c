/*
 * delivery_log - one line per recipient per delivery attempt
 * DESCRIPTION
 *	The exact shape pflogsumm and other Postfix log tools parse
 *	(docs/protocols.md §7): "to=<..>, relay=.., [conn_use=N, ]delay=..,
 *	delays=a/b/c/d, dsn=.., status=.. (..)".
 */
#include <stdio.h>
#include <string.h>

#include "delivery_log.h"
#include "cfg_params.h"
#include "msg.h"

/* delivery_log_delay - Postfix's number format for delays */

void    delivery_log_delay(DSTR *out, double secs)
{
    int     res = var_delay_max_res;
    int     digits;
    double  limit;
    double  tiny = 1;

    if (secs < 0)
	secs = 0;
    for (digits = 0; digits < res; digits++)
	tiny /= 10;
    if (res > 0 && secs < tiny) {
	dstr_catc(out, '0');
	return;
    }
    if (secs >= 100 || res == 0) {
	dstr_printf(out, "%.0f", secs);
	return;
    }
    /* At most res significant decimals: 0.05, 0.5, 1.2, 12 (no ".0"). */
    for (digits = res, limit = 1; digits > 0; digits--, limit *= 10)
	if (secs < limit)
	    break;
    dstr_printf(out, "%.*f", digits, secs);
    if (digits > 0) {				/* trailing zeros say nothing */
	while (dstr_len(out) > 0 && dstr_str(out)[dstr_len(out) - 1] == '0')
	    dstr_truncate(out, dstr_len(out) - 1);
	if (dstr_str(out)[dstr_len(out) - 1] == '.')
	    dstr_truncate(out, dstr_len(out) - 1);
    }
}

/* delivery_log - the line */

void    delivery_log(const char *queue_id, const char *rcpt, const char *relay,
		             int conn_use, const DELIVERY_TIMES *t,
		             const char *dsn, const char *status, const char *text)
{
    DSTR   *line = dstr_new(256);
    double  conn_start = t->conn_start ? t->conn_start : t->done;
    double  conn_done = t->conn_done ? t->conn_done : conn_start;

    dstr_printf(line, "%s: to=<%s>, relay=%s, ", queue_id, rcpt, relay);
    if (conn_use > 1)
	dstr_printf(line, "conn_use=%d, ", conn_use);
    dstr_cats(line, "delay=");
    delivery_log_delay(line, t->done - t->arrival);
    dstr_cats(line, ", delays=");
    delivery_log_delay(line, t->active - t->arrival);
    dstr_catc(line, '/');
    delivery_log_delay(line, conn_start - t->active);
    dstr_catc(line, '/');
    delivery_log_delay(line, conn_done - conn_start);
    dstr_catc(line, '/');
    delivery_log_delay(line, t->done - conn_done);
    dstr_printf(line, ", dsn=%s, status=%s (%s)", dsn, status, text);
    msg_info("%s", dstr_str(line));
    dstr_free(line);
}
