/*
 * qmgr_stats - delivery totals since this queue manager started
 * DESCRIPTION
 *	Every recipient's fate passes through qmgr: the delivery agent
 *	reports how many recipients of a request it sent, bounced and
 *	deferred, and qmgr settles some itself (unroutable, a dead
 *	destination). These counters add them up per transport, in memory
 *	only, for posthorn metrics: no disk write is made for counting
 *	(docs/design.md, "Observability"). They start from zero with each
 *	qmgr process (after a reload too), which Prometheus reads as a
 *	counter reset; posthorn_qmgr_start_time_seconds says when.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qmgr.h"
#include "htable.h"
#include "json.h"
#include "mymalloc.h"
#include "prom_text.h"

#define QMGR_STATS_KEYS_MAX	1000	/* transports and protocols counted apart */

typedef struct QMGR_STATS_ROW {
    long    count[QMGR_STAT_COUNT];
} QMGR_STATS_ROW;

static const char *const qmgr_stats_names[QMGR_STAT_COUNT] = {
    "sent", "bounced", "deferred", "expired",
};

static HTABLE *qmgr_stats_rows;		/* transport -> QMGR_STATS_ROW */
static HTABLE *qmgr_stats_received;	/* protocol -> QMGR_STATS_ROW (messages, bytes) */
static double qmgr_stats_started;

/* qmgr_stats_row - the row of key, made on first use (bounded) */

static QMGR_STATS_ROW *qmgr_stats_row(HTABLE **table, const char *key)
{
    QMGR_STATS_ROW *row;

    if (*table == NULL)
	*table = htable_new(8);
    if ((row = htable_find(*table, key)) == NULL) {
	if (htable_count(*table) >= QMGR_STATS_KEYS_MAX)
	    key = "other";
	if ((row = htable_find(*table, key)) == NULL) {
	    row = mycalloc(1, sizeof(*row));
	    htable_enter(*table, key, row);
	}
    }
    return (row);
}

/* qmgr_stats_init - the clock starts */

void    qmgr_stats_init(void)
{
    qmgr_stats_started = qmgr_now();
}

/* qmgr_stats_add - recipients of a transport that ended one way */

void    qmgr_stats_add(const char *transport, int what, long n)
{
    if (n > 0 && what >= 0 && what < QMGR_STAT_COUNT)
	qmgr_stats_row(&qmgr_stats_rows, transport)->count[what] += n;
}

/* qmgr_stats_message - a message came in from incoming/ */

void    qmgr_stats_message(const char *protocol, long bytes)
{
    QMGR_STATS_ROW *row = qmgr_stats_row(&qmgr_stats_received,
					 protocol && *protocol ? protocol : "unknown");

    row->count[0] += 1;
    row->count[1] += bytes > 0 ? bytes : 0;
}

/* qmgr_stats_keys - a table's keys in order (none for no table); free() them */

static const char **qmgr_stats_keys(HTABLE *table)
{
    const char **keys;

    if (table)
	return (htable_keys_sorted(table));
    keys = mymalloc(sizeof(*keys));
    keys[0] = NULL;
    return (keys);
}

/* qmgr_stats_received_row - the row of a protocol that is there */

static const QMGR_STATS_ROW *qmgr_stats_received_row(const char *protocol)
{
    return (htable_find(qmgr_stats_received, protocol));
}

/* qmgr_stats_metrics - the counters in Prometheus text format */

void    qmgr_stats_metrics(DSTR *out)
{
    const char **keys = qmgr_stats_keys(qmgr_stats_rows);
    const QMGR_STATS_ROW *row;
    size_t  i;
    int     w;

    prom_family(out, "posthorn_qmgr_start_time_seconds", "gauge",
		"When the running queue manager started (the counters below start from zero then)");
    prom_sample(out, qmgr_stats_started, "posthorn_qmgr_start_time_seconds", NULL);
    prom_family(out, "posthorn_deliveries_total", "counter",
		"Recipients by how a delivery attempt ended, per transport (none: settled by qmgr)");
    for (i = 0; keys[i]; i++) {
	row = htable_find(qmgr_stats_rows, keys[i]);
	for (w = 0; w < QMGR_STAT_COUNT; w++)
	    prom_sample(out, (double) row->count[w], "posthorn_deliveries_total",
			"status", qmgr_stats_names[w], "transport", keys[i], NULL);
    }
    free(keys);
    keys = qmgr_stats_keys(qmgr_stats_received);
    prom_family(out, "posthorn_messages_queued_total", "counter",
		"Messages the queue manager took in from incoming/, by the protocol they came with");
    for (i = 0; keys[i]; i++)
	prom_sample(out, (double) qmgr_stats_received_row(keys[i])->count[0],
		    "posthorn_messages_queued_total", "protocol", keys[i], NULL);
    prom_family(out, "posthorn_messages_queued_bytes_total", "counter",
		"Message bytes the queue manager took in from incoming/, by protocol");
    for (i = 0; keys[i]; i++)
	prom_sample(out, (double) qmgr_stats_received_row(keys[i])->count[1],
		    "posthorn_messages_queued_bytes_total", "protocol", keys[i], NULL);
    free(keys);
}

/* qmgr_stats_json - "deliveries": the totals, as a JSON member */

void    qmgr_stats_json(DSTR *out)
{
    const char **keys = qmgr_stats_keys(qmgr_stats_rows);
    const QMGR_STATS_ROW *row;
    size_t  i;
    int     w;

    dstr_printf(out, "\"deliveries\": {\"since\": %ld, \"transports\": [",
		(long) qmgr_stats_started);
    for (i = 0; keys[i]; i++) {
	row = htable_find(qmgr_stats_rows, keys[i]);
	dstr_cats(out, i ? ", {\"name\": " : "{\"name\": ");
	json_str(out, keys[i]);
	for (w = 0; w < QMGR_STAT_COUNT; w++)
	    dstr_printf(out, ", \"%s\": %ld", qmgr_stats_names[w], row->count[w]);
	dstr_catc(out, '}');
    }
    free(keys);
    keys = qmgr_stats_keys(qmgr_stats_received);
    dstr_cats(out, "], \"queued\": [");
    for (i = 0; keys[i]; i++) {
	row = qmgr_stats_received_row(keys[i]);
	dstr_cats(out, i ? ", {\"protocol\": " : "{\"protocol\": ");
	json_str(out, keys[i]);
	dstr_printf(out, ", \"messages\": %ld, \"bytes\": %ld}", row->count[0], row->count[1]);
    }
    dstr_cats(out, "]}");
    free(keys);
}

/* qmgr_stats_text - one line of totals, for posthorn status */

void    qmgr_stats_text(DSTR *out)
{
    const char **keys = qmgr_stats_keys(qmgr_stats_rows);
    long    sum[QMGR_STAT_COUNT] = {0};
    const QMGR_STATS_ROW *row;
    char    when[32];
    time_t  t = (time_t) qmgr_stats_started;
    struct tm tm;
    size_t  i;
    int     w;

    for (i = 0; keys[i]; i++) {
	row = htable_find(qmgr_stats_rows, keys[i]);
	for (w = 0; w < QMGR_STAT_COUNT; w++)
	    sum[w] += row->count[w];
    }
    free(keys);
    strftime(when, sizeof(when), "%b %e %H:%M:%S", localtime_r(&t, &tm));
    dstr_printf(out, "recipients since %s: %ld sent, %ld bounced, %ld deferred, %ld expired\n",
		when, sum[QMGR_STAT_SENT], sum[QMGR_STAT_BOUNCED], sum[QMGR_STAT_DEFERRED],
		sum[QMGR_STAT_EXPIRED]);
}
