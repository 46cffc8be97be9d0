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
 *
 *	DKIM signatures are counted here too, from the envelope attribute
 *	cleanup writes into the queue file (qfile.h), as each message is
 *	taken in: cleanup has no channel of its own to report on, and a
 *	message per mail to a counting service would cost more than the
 *	few bytes in a file that is written anyway.
 *
 *	A message counts once: one that qmgr itself moves back into incoming/
 *	(requeue, release from hold, the active queue at start) was counted
 *	when it first came, so its next import is not counted again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qmgr.h"
#include "attr.h"
#include "htable.h"
#include "json.h"
#include "mymalloc.h"
#include "prom_text.h"
#include "qfile.h"

#define QMGR_STATS_KEYS_MAX	1000	/* transports and protocols counted apart */
#define QMGR_STATS_WORD_MAX	255	/* longest DOMAIN/ALGORITHM word counted as is */
#define QMGR_STATS_OTHER_SIG	"other/other"	/* every signature key has a slash */
#define QMGR_STATS_BACK_MAX	1000000	/* ids remembered as moved back (beyond: counted twice) */

typedef struct QMGR_STATS_ROW {
    long    count[QMGR_STAT_COUNT];
} QMGR_STATS_ROW;

static const char *const qmgr_stats_names[QMGR_STAT_COUNT] = {
    "sent", "bounced", "deferred", "expired",
};

static HTABLE *qmgr_stats_rows;		/* transport -> QMGR_STATS_ROW */
static HTABLE *qmgr_stats_received;	/* protocol -> QMGR_STATS_ROW (messages, bytes) */
static HTABLE *qmgr_stats_signed;	/* DOMAIN/ALGORITHM -> QMGR_STATS_ROW (signatures) */
static HTABLE *qmgr_stats_unsigned;	/* reason -> QMGR_STATS_ROW (messages) */
static HTABLE *qmgr_stats_back;		/* ids qmgr moved back into incoming/ */
static double qmgr_stats_started;

/* qmgr_stats_row - the row of key, made on first use; past the bound, other's */

static QMGR_STATS_ROW *qmgr_stats_row(HTABLE **table, const char *key, const char *other)
{
    QMGR_STATS_ROW *row;

    if (*table == NULL)
	*table = htable_new(8);
    if ((row = htable_find(*table, key)) == NULL) {
	if (htable_count(*table) >= QMGR_STATS_KEYS_MAX)
	    key = other;
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
	qmgr_stats_row(&qmgr_stats_rows, transport, "other")->count[what] += n;
}

/* qmgr_stats_signatures - count each DOMAIN/ALGORITHM word of a dkim_signed value */

static void qmgr_stats_signatures(const char *value)
{
    const char *cp = value;
    char    word[QMGR_STATS_WORD_MAX + 1];
    size_t  len;

    while (*(cp += strspn(cp, " ")) != 0) {
	len = strcspn(cp, " ");
	if (len <= QMGR_STATS_WORD_MAX && memchr(cp, '/', len) != NULL) {
	    memcpy(word, cp, len);
	    word[len] = 0;
	    qmgr_stats_row(&qmgr_stats_signed, word, QMGR_STATS_OTHER_SIG)->count[0] += 1;
	} else {				/* not what cleanup writes */
	    qmgr_stats_row(&qmgr_stats_signed, QMGR_STATS_OTHER_SIG,
			   QMGR_STATS_OTHER_SIG)->count[0] += 1;
	}
	cp += len;
    }
}

/* qmgr_stats_moved_back - id went back into incoming/: not new when imported */

void    qmgr_stats_moved_back(const char *id)
{
    if (qmgr_stats_back == NULL)
	qmgr_stats_back = htable_new(64);
    if (htable_count(qmgr_stats_back) < QMGR_STATS_BACK_MAX && !htable_find(qmgr_stats_back, id))
	htable_enter(qmgr_stats_back, id, qmgr_stats_back);	/* any non-NULL value */
}

/* qmgr_stats_message - a message came in from incoming/ */

void    qmgr_stats_message(const char *id, const ATTR_LIST *attrs, long bytes)
{
    const char *protocol;
    const char *val;
    QMGR_STATS_ROW *row;

    if (qmgr_stats_back && htable_delete(qmgr_stats_back, id) != NULL)
	return;
    protocol = attr_get_str(attrs, "protocol");
    row = qmgr_stats_row(&qmgr_stats_received, protocol && *protocol ? protocol : "unknown",
			 "other");
    row->count[0] += 1;
    row->count[1] += bytes > 0 ? bytes : 0;
    if ((val = attr_get_str(attrs, QFILE_ATTR_DKIM_SIGNED)) != NULL)
	qmgr_stats_signatures(val);
    if ((val = attr_get_str(attrs, QFILE_ATTR_DKIM_UNSIGNED)) != NULL)
	qmgr_stats_row(&qmgr_stats_unsigned, strlen(val) <= QMGR_STATS_WORD_MAX ?
		       val : "other", "other")->count[0] += 1;
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

/* qmgr_stats_counter - one counter family: column of each row of table, keyed by label */

static void qmgr_stats_counter(DSTR *out, HTABLE *table, int column, const char *name,
			               const char *help, const char *label)
{
    const char **keys = qmgr_stats_keys(table);
    size_t  i;

    prom_family(out, name, "counter", help);
    for (i = 0; keys[i]; i++)
	prom_sample(out, (double) ((const QMGR_STATS_ROW *) htable_find(table, keys[i]))->count[column],
		    name, label, keys[i], NULL);
    free(keys);
}

/* qmgr_stats_dkim_metrics - signatures cleanup added, messages it left unsigned */

static void qmgr_stats_dkim_metrics(DSTR *out)
{
    const char **keys = qmgr_stats_keys(qmgr_stats_signed);
    const QMGR_STATS_ROW *row;
    char    word[QMGR_STATS_WORD_MAX + 1];	/* every key fits (qmgr_stats_signatures) */
    char   *slash;
    size_t  i;

    prom_family(out, "posthorn_dkim_signatures_total", "counter",
		"DKIM-Signature fields cleanup added, by signing domain and algorithm "
		"(counted as the queue manager takes the message in)");
    for (i = 0; keys[i]; i++) {
	row = htable_find(qmgr_stats_signed, keys[i]);
	snprintf(word, sizeof(word), "%s", keys[i]);
	slash = strrchr(word, '/');		/* every key has one */
	*slash = 0;
	prom_sample(out, (double) row->count[0], "posthorn_dkim_signatures_total",
		    "domain", word, "algorithm", slash + 1, NULL);
    }
    free(keys);
    qmgr_stats_counter(out, qmgr_stats_unsigned, 0, "posthorn_dkim_unsigned_messages_total",
		       "Messages cleanup passed unsigned although dkim_signing_table is set, by reason",
		       "reason");
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
    qmgr_stats_counter(out, qmgr_stats_received, 0, "posthorn_messages_queued_total",
		       "Messages the queue manager took in from incoming/, by the protocol they came with",
		       "protocol");
    qmgr_stats_counter(out, qmgr_stats_received, 1, "posthorn_messages_queued_bytes_total",
		       "Message bytes the queue manager took in from incoming/, by protocol",
		       "protocol");
    qmgr_stats_dkim_metrics(out);
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
