/* qshape - queue shape: queued mail by domain and age, as Postfix's qshape(1) */
#ifndef QSHAPE_H
#define QSHAPE_H
#include <stddef.h>
#include "attr.h"
#include "dstr.h"
#include "ios.h"

#define QSHAPE_BUCKETS_DEF	10	/* qshape -b: age columns */
#define QSHAPE_BUCKETS_MAX	20
#define QSHAPE_MINUTES_DEF	5	/* qshape -t: the first column's age limit */
#define QSHAPE_MINUTES_MAX	10080	/* a week */
#define QSHAPE_DOMAINS_MAX	100000	/* distinct domains counted; the rest: other */
#define QSHAPE_DOMAIN_LEN	255	/* longer names are cut */
#define QSHAPE_TOP_TTY		20	/* qshape's -n default on a terminal */

typedef struct QSHAPE_OPTS {
    int     queues;			/* ADMIN_Q_* bits (incoming, active, deferred, hold) */
    int     senders;			/* sender domains, one per message (qshape -s) */
    long    top;			/* rows besides TOTAL; 0: every domain */
    long    buckets;			/* age columns besides T */
    long    minutes;			/* first column's age limit; each next one doubles */
    int     json;			/* one JSON object instead of the table */
} QSHAPE_OPTS;

/* Postfix's defaults: recipient domains of incoming and active, every
 * domain, 10 buckets from 5 minutes, text. */
extern void qshape_opts_init(QSHAPE_OPTS *opts);
/* Queue names (white space or commas; empty: incoming and active) into
 * opts->queues: 0, or -1 and a reason for a name that is not one of
 * incoming, active, deferred, hold. */
extern int qshape_queues_parse(QSHAPE_OPTS *opts, const char *names, DSTR *err);

/*
 * The request for showq (format=shape or shape_json, queues, senders,
 * top, buckets, minutes), and its checked reading there: 0, or -1 and
 * a reason when an attribute is missing or out of range.
 */
#define QSHAPE_FORMAT_TEXT	"shape"
#define QSHAPE_FORMAT_JSON	"shape_json"
extern void qshape_request(DSTR *req, const QSHAPE_OPTS *opts);
extern int qshape_request_read(const ATTR_LIST *req, QSHAPE_OPTS *opts, DSTR *err);
/* Is this showq format (may be NULL) a queue shape? */
extern int qshape_format(const char *format);

/* The counts: one row per domain (at most max_domains), ages against now. */
typedef struct QSHAPE QSHAPE;

extern QSHAPE *qshape_new(const QSHAPE_OPTS *opts, long now, size_t max_domains);
extern void qshape_free(QSHAPE *qs);
/* Count one recipient or sender address of a message that arrived then. */
extern void qshape_add(QSHAPE *qs, const char *address, long arrival);
/*
 * Count each message in queue (cwd: the queue directory): its recipients
 * not yet delivered, or with opts->senders its sender once; a message with
 * none left is not counted, a damaged one is logged and not counted.
 */
extern void qshape_scan(QSHAPE *qs, const char *queue);
/* The table (TOTAL, then the top domains by count, then other when the
 * domain table overflowed), or the JSON object, as opts say. */
extern void qshape_write(const QSHAPE *qs, IOS *out);

/* Scan opts->queues (cwd: the queue directory) and write the result. */
extern void qshape_print(IOS *out, const QSHAPE_OPTS *opts);

#endif
