/*
 * qshape - queue shape: queued mail by domain and age (posthorn qshape, showq)
 * DESCRIPTION
 *	Postfix's qshape(1) for our spool. Each message in the chosen queues
 *	(default incoming and active) counts once per recipient not yet
 *	delivered under that recipient's domain, or with -s once under its
 *	sender's domain (MAILER-DAEMON for the null sender), in the age
 *	column of its arrival time (the queue file's T record). Columns:
 *	T (all ages), then buckets of geometrically growing age: under 5
 *	minutes, under 10, 20, ... 1280, and 1280 or more (qshape's -b 10
 *	-t 5). Domains are lower-cased, taken after the last '@', with runs
 *	of dots folded and a leading or trailing dot dropped, as qshape does.
 *	Rows: TOTAL, then the domains by count (ties: shorter name first, then
 *	by name), cut to the top N when asked.
 *
 *	Bounded whatever the spool holds: at most QSHAPE_DOMAINS_MAX distinct
 *	domains get a row (the rest are counted under "other"), names are cut
 *	at QSHAPE_DOMAIN_LEN bytes, a message's file is read by the checked
 *	reader (mailq_open). posthorn-showq(8) runs it for users, the posthorn
 *	command itself when the instance is down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qshape.h"
#include "admin_proto.h"
#include "argv.h"
#include "cfg_params.h"
#include "htable.h"
#include "json.h"
#include "mailq.h"
#include "msg.h"
#include "mymalloc.h"

#define QSHAPE_WIDTH		80	/* qshape's terminal width */
#define QSHAPE_NAME_MIN		18	/* narrowest domain column */

typedef struct QSHAPE_ROW {
    const char *domain;			/* set when the rows are sorted */
    long    total;
    long    counts[];			/* one per bucket */
} QSHAPE_ROW;

struct QSHAPE {
    QSHAPE_OPTS opts;
    long    now;
    size_t  max_domains;
    HTABLE *rows;			/* domain -> QSHAPE_ROW */
    QSHAPE_ROW *total;			/* every address */
    QSHAPE_ROW *other;			/* domains past max_domains */
    DSTR   *name;			/* scratch: the domain being counted */
};

/* The queues qshape reads: the message queues but corrupt/. */
static const ADMIN_OP qshape_op = {
    .name = "qshape",
    .allowed = ADMIN_Q_INCOMING | ADMIN_Q_ACTIVE | ADMIN_Q_DEFERRED | ADMIN_Q_HOLD,
    .defaults = ADMIN_Q_INCOMING | ADMIN_Q_ACTIVE,
};

/* qshape_opts_init - Postfix's defaults */

void    qshape_opts_init(QSHAPE_OPTS *opts)
{
    opts->queues = qshape_op.defaults;
    opts->senders = 0;
    opts->top = 0;
    opts->buckets = QSHAPE_BUCKETS_DEF;
    opts->minutes = QSHAPE_MINUTES_DEF;
    opts->json = 0;
}

/* qshape_queues_parse - queue names into bits */

int     qshape_queues_parse(QSHAPE_OPTS *opts, const char *names, DSTR *err)
{
    return (admin_queues_parse(&qshape_op, names, &opts->queues, err));
}

/* qshape_format - a queue shape request? */

int     qshape_format(const char *format)
{
    return (format != NULL && (strcmp(format, QSHAPE_FORMAT_TEXT) == 0
			       || strcmp(format, QSHAPE_FORMAT_JSON) == 0));
}

/* qshape_request - the attributes showq reads */

void    qshape_request(DSTR *req, const QSHAPE_OPTS *opts)
{
    DSTR   *names = dstr_new(64);

    admin_queues_format(opts->queues, names);
    attr_put_str(req, ADMIN_ATTR_FORMAT, opts->json ? QSHAPE_FORMAT_JSON : QSHAPE_FORMAT_TEXT);
    attr_put_str(req, ADMIN_ATTR_QUEUES, dstr_str(names));
    attr_put_long(req, "senders", opts->senders);
    attr_put_long(req, "top", opts->top);
    attr_put_long(req, "buckets", opts->buckets);
    attr_put_long(req, "minutes", opts->minutes);
    dstr_free(names);
}

/* qshape_request_read - the options from a request, checked */

int     qshape_request_read(const ATTR_LIST *req, QSHAPE_OPTS *opts, DSTR *err)
{
    const char *format = attr_get_str(req, ADMIN_ATTR_FORMAT);
    long    senders;

    qshape_opts_init(opts);
    if (!qshape_format(format)
	|| attr_get_long(req, "senders", &senders, 0, 1) < 0
	|| attr_get_long(req, "top", &opts->top, 0, QSHAPE_DOMAINS_MAX) < 0
	|| attr_get_long(req, "buckets", &opts->buckets, 1, QSHAPE_BUCKETS_MAX) < 0
	|| attr_get_long(req, "minutes", &opts->minutes, 1, QSHAPE_MINUTES_MAX) < 0) {
	dstr_strcpy(err, "bad queue shape request");
	return (-1);
    }
    opts->senders = (int) senders;
    opts->json = strcmp(format, QSHAPE_FORMAT_JSON) == 0;
    return (qshape_queues_parse(opts, attr_get_str(req, ADMIN_ATTR_QUEUES), err));
}

/* qshape_row_new - a row of zeros */

static QSHAPE_ROW *qshape_row_new(const QSHAPE *qs, const char *domain)
{
    size_t  size = sizeof(QSHAPE_ROW) + (size_t) qs->opts.buckets * sizeof(long);
    QSHAPE_ROW *row = mymalloc(size);

    memset(row, 0, size);
    row->domain = domain;
    return (row);
}

/* qshape_new - empty counts */

QSHAPE *qshape_new(const QSHAPE_OPTS *opts, long now, size_t max_domains)
{
    QSHAPE *qs = mymalloc(sizeof(*qs));

    qs->opts = *opts;
    if (qs->opts.buckets < 1 || qs->opts.buckets > QSHAPE_BUCKETS_MAX
	|| qs->opts.minutes < 1 || qs->opts.minutes > QSHAPE_MINUTES_MAX)
	msg_panic("%s: bad buckets %ld or minutes %ld", __func__,
		  qs->opts.buckets, qs->opts.minutes);
    qs->now = now;
    qs->max_domains = max_domains;
    qs->rows = htable_new(64);
    qs->total = qshape_row_new(qs, "TOTAL");
    qs->other = qshape_row_new(qs, "other");
    qs->name = dstr_new(64);
    return (qs);
}

/* qshape_free - release everything */

void    qshape_free(QSHAPE *qs)
{
    htable_free(qs->rows, free);
    myfree(qs->total);
    myfree(qs->other);
    dstr_free(qs->name);
    myfree(qs);
}

/* qshape_bucket - the age column of an arrival time */

static int qshape_bucket(const QSHAPE *qs, long arrival)
{
    long    unit = 60 * qs->opts.minutes;
    long    age = qs->now - arrival;
    long    q;
    int     b;

    if (age < unit || qs->opts.buckets == 1)
	return (0);
    /* Bucket 1 + floor(log2(age / unit)), the last one open-ended. */
    for (b = 1, q = age / unit; q > 1 && b < qs->opts.buckets - 1; q >>= 1)
	b++;
    return (b);
}

/* qshape_domain - qshape's domain of an address, into out */

static const char *qshape_domain(DSTR *out, const char *address)
{
    const char *at = strrchr(address, '@');
    const char *cp = at ? at + 1 : address;

    DSTR_RESET(out);
    if (*address == 0) {
	dstr_strcpy(out, "MAILER-DAEMON");
	return (dstr_str(out));
    }
    for (cp += strspn(cp, "."); *cp && dstr_len(out) < QSHAPE_DOMAIN_LEN; cp++) {
	if (*cp == '.' && (cp[1] == '.' || cp[1] == 0))
	    continue;				/* runs of dots, a final dot */
	dstr_catc(out, *cp >= 'A' && *cp <= 'Z' ? *cp - 'A' + 'a' : *cp);
    }
    return (dstr_str(out));
}

/* qshape_add - count one address */

void    qshape_add(QSHAPE *qs, const char *address, long arrival)
{
    int     b = qshape_bucket(qs, arrival);
    const char *domain = qshape_domain(qs->name, address);
    QSHAPE_ROW *row;

    if ((row = htable_find(qs->rows, domain)) == NULL) {
	if (htable_count(qs->rows) < qs->max_domains)
	    htable_enter(qs->rows, domain, row = qshape_row_new(qs, NULL));
	else
	    row = qs->other;
    }
    row->total++;
    row->counts[b]++;
    qs->total->total++;
    qs->total->counts[b]++;
}

/* qshape_message - count one message, if it is sound and has recipients left */

static void qshape_message(QSHAPE *qs, const char *queue, const char *id)
{
    DSTR   *path = dstr_new(64);
    ARGV   *rcpts = argv_new(4);
    QFILE_INFO info;
    QFILE_IN *in;
    size_t  i;
    int     ok = 0;
    int     fd;

    qfile_info_init(&info);
    if ((in = mailq_open(queue, id, path, &info, &fd)) != NULL) {
	ok = mailq_pending(in, dstr_str(path), rcpts) == 0;
	mailq_close(in, fd);
    }
    if (ok && rcpts->argc > 0 && qs->opts.senders)
	qshape_add(qs, dstr_str(info.sender), info.arrival_sec);
    else if (ok)
	for (i = 0; i < rcpts->argc; i++)
	    qshape_add(qs, rcpts->argv[i], info.arrival_sec);
    qfile_info_free(&info);
    argv_free(rcpts);
    dstr_free(path);
}

/* qshape_scan - count every message in one queue */

void    qshape_scan(QSHAPE *qs, const char *queue)
{
    ARGV   *ids = mailq_ids(queue);
    size_t  i;

    for (i = 0; i < ids->argc; i++)
	qshape_message(qs, queue, ids->argv[i]);
    argv_free(ids);
}

/* qshape_cmp - more first, then shorter names, then by name */

static int qshape_cmp(const void *a, const void *b)
{
    const QSHAPE_ROW *ra = *(QSHAPE_ROW * const *) a;
    const QSHAPE_ROW *rb = *(QSHAPE_ROW * const *) b;
    size_t  la = strlen(ra->domain);
    size_t  lb = strlen(rb->domain);

    if (ra->total != rb->total)
	return (ra->total > rb->total ? -1 : 1);
    if (la != lb)
	return (la < lb ? -1 : 1);
    return (strcmp(ra->domain, rb->domain));
}

typedef struct QSHAPE_SORT {
    QSHAPE_ROW **rows;
    size_t  count;
} QSHAPE_SORT;

/* qshape_collect - htable_walk() callback: name the row, keep it */

static void qshape_collect(const char *key, void *value, void *ctx)
{
    QSHAPE_SORT *sort = ctx;
    QSHAPE_ROW *row = value;

    row->domain = key;
    sort->rows[sort->count++] = row;
}

/* qshape_sorted - the domain rows, most first, cut to opts.top */

static QSHAPE_SORT qshape_sorted(const QSHAPE *qs)
{
    QSHAPE_SORT sort;

    sort.rows = mymalloc((htable_count(qs->rows) + 1) * sizeof(*sort.rows));
    sort.count = 0;
    htable_walk(qs->rows, qshape_collect, &sort);
    qsort(sort.rows, sort.count, sizeof(*sort.rows), qshape_cmp);
    if (qs->opts.top > 0 && sort.count > (size_t) qs->opts.top)
	sort.count = (size_t) qs->opts.top;
    return (sort);
}

/* qshape_limit - age limit of column b in minutes (the last one: its start) */

static long long qshape_limit(const QSHAPE *qs, long b)
{
    if (b == qs->opts.buckets - 1)
	b--;
    return (b < 0 ? 0 : (long long) qs->opts.minutes << b);
}

/* qshape_json_counts - "total": N, "counts": [...] */

static void qshape_json_counts(DSTR *out, const QSHAPE *qs, const QSHAPE_ROW *row)
{
    long    b;

    dstr_printf(out, "\"total\": %ld, \"counts\": [", row->total);
    for (b = 0; b < qs->opts.buckets; b++)
	dstr_printf(out, "%s%ld", b ? ", " : "", row->counts[b]);
    dstr_catc(out, ']');
}

/* qshape_json - one object with the same numbers as the table */

static void qshape_json(DSTR *out, const QSHAPE *qs, const QSHAPE_SORT *sort)
{
    DSTR   *names = dstr_new(64);
    ARGV   *queues;
    size_t  i;
    long    b;

    admin_queues_format(qs->opts.queues, names);
    queues = argv_split(dstr_str(names), " ");
    dstr_cats(out, "{\"queues\": [");
    for (i = 0; i < queues->argc; i++) {
	dstr_cats(out, i ? ", " : "");
	json_str(out, queues->argv[i]);
    }
    dstr_printf(out, "], \"senders\": %s, \"minutes\": %ld, \"buckets\": [",
		qs->opts.senders ? "true" : "false", qs->opts.minutes);
    for (b = 0; b < qs->opts.buckets - 1; b++)
	dstr_printf(out, "%lld, ", qshape_limit(qs, b));
    dstr_printf(out, "null], \"domains\": %zu, \"total\": {", htable_count(qs->rows));
    qshape_json_counts(out, qs, qs->total);
    dstr_cats(out, "}, \"rows\": [");
    for (i = 0; i < sort->count; i++) {
	dstr_cats(out, i ? ", {\"domain\": " : "{\"domain\": ");
	json_str(out, sort->rows[i]->domain);
	dstr_cats(out, ", ");
	qshape_json_counts(out, qs, sort->rows[i]);
	dstr_catc(out, '}');
    }
    dstr_cats(out, "], \"other\": {");
    qshape_json_counts(out, qs, qs->other);
    dstr_cats(out, "}}\n");
    argv_free(queues);
    dstr_free(names);
}

/* qshape_text_row - one line: the name right-aligned (or cut), the cells */

static void qshape_text_row(DSTR *out, const char *name, size_t name_width,
			            const int *widths, const ARGV *cells)
{
    size_t  len = strlen(name);
    size_t  i;

    if (len > name_width)
	dstr_printf(out, "+%s", name + len - name_width + 1);
    else
	dstr_printf(out, "%*s", (int) name_width, name);
    for (i = 0; i < cells->argc; i++)
	dstr_printf(out, "%*s", widths[i], cells->argv[i]);
    dstr_catc(out, '\n');
}

/* qshape_cells - a row's numbers as text: total, then each bucket */

static ARGV *qshape_cells(const QSHAPE *qs, const QSHAPE_ROW *row)
{
    ARGV   *cells = argv_new((size_t) qs->opts.buckets + 1);
    char    buf[32];
    long    b;

    snprintf(buf, sizeof(buf), "%ld", row->total);
    argv_add(cells, buf);
    for (b = 0; b < qs->opts.buckets; b++) {
	snprintf(buf, sizeof(buf), "%ld", row->counts[b]);
	argv_add(cells, buf);
    }
    return (cells);
}

/* qshape_headings - T, then each bucket's age limit; the last with '+' */

static ARGV *qshape_headings(const QSHAPE *qs)
{
    ARGV   *heads = argv_new((size_t) qs->opts.buckets + 1);
    char    buf[32];
    long    b;

    argv_add(heads, "T");
    for (b = 0; b < qs->opts.buckets; b++) {
	snprintf(buf, sizeof(buf), "%lld%s", qshape_limit(qs, b),
		 b == qs->opts.buckets - 1 ? "+" : "");
	argv_add(heads, buf);
    }
    return (heads);
}

/* qshape_text_line - one row of the table */

static void qshape_text_line(DSTR *out, const QSHAPE *qs, const QSHAPE_ROW *row,
			             size_t name_width, const int *widths)
{
    ARGV   *cells = qshape_cells(qs, row);

    qshape_text_row(out, row->domain, name_width, widths, cells);
    argv_free(cells);
}

/* qshape_text - qshape's table, columns as wide as TOTAL's numbers need */

static void qshape_text(DSTR *out, const QSHAPE *qs, const QSHAPE_SORT *sort)
{
    ARGV   *heads = qshape_headings(qs);
    ARGV   *cells = qshape_cells(qs, qs->total);
    int    *widths = mymalloc(heads->argc * sizeof(int));
    int     name_width = QSHAPE_WIDTH;
    size_t  i;

    for (i = 0; i < heads->argc; i++) {
	widths[i] = (int) strlen(cells->argv[i]);
	if ((int) strlen(heads->argv[i]) > widths[i])
	    widths[i] = (int) strlen(heads->argv[i]);
	widths[i] = widths[i] > 2 ? widths[i] + 1 : 3;
	name_width -= widths[i];
    }
    if (name_width < QSHAPE_NAME_MIN)
	name_width = QSHAPE_NAME_MIN;
    qshape_text_row(out, "", (size_t) name_width, widths, heads);
    qshape_text_row(out, qs->total->domain, (size_t) name_width, widths, cells);
    for (i = 0; i < sort->count; i++)
	qshape_text_line(out, qs, sort->rows[i], (size_t) name_width, widths);
    if (qs->other->total > 0)
	qshape_text_line(out, qs, qs->other, (size_t) name_width, widths);
    argv_free(heads);
    argv_free(cells);
    myfree(widths);
}

/* qshape_write - the table or the JSON object */

void    qshape_write(const QSHAPE *qs, IOS *out)
{
    QSHAPE_SORT sort = qshape_sorted(qs);
    DSTR   *text = dstr_new(1024);

    if (qs->opts.json)
	qshape_json(text, qs, &sort);
    else
	qshape_text(text, qs, &sort);
    (void) ios_write(out, dstr_str(text), dstr_len(text));
    dstr_free(text);
    myfree(sort.rows);
}

/* qshape_print - scan the chosen queues, write the result */

void    qshape_print(IOS *out, const QSHAPE_OPTS *opts)
{
    QSHAPE *qs = qshape_new(opts, (long) time(NULL), QSHAPE_DOMAINS_MAX);
    int     bit;

    for (bit = ADMIN_Q_INCOMING; bit <= ADMIN_Q_HOLD; bit <<= 1)
	if (opts->queues & bit)
	    qshape_scan(qs, admin_queue_name(bit));
    qshape_write(qs, out);
    qshape_free(qs);
}
