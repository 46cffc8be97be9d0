/* bounce - interfaces between the bounce daemon's files */
#ifndef BOUNCE_H
#define BOUNCE_H
#include <stddef.h>
#include "attr.h"
#include "bounce_client.h"
#include "dstr.h"
#include "qfile.h"

 /*
  * bounce_append.c: the append request. 0 once the record is written (and,
  * for the bounce log, on disk), -1 and the reason otherwise.
  */
extern int bounce_append(const ATTR_LIST *req, DSTR *why);

 /*
  * bounce_notify.c: the notify request. 0 when every notice it owes is
  * queued (or nothing was owed), -1 and the reason when qmgr must ask again.
  */
extern int bounce_notify_request(const ATTR_LIST *req, DSTR *why);

 /*
  * bounce_route.c: who gets a notice, from which envelope sender. Pure
  * functions of their arguments and of notify_classes, the *_notice_recipient
  * parameters, double_bounce_sender, myorigin and disable_verp_bounces.
  */
#define BOUNCE_KIND_FAILURE	1	/* non-delivery (failed or expired) */
#define BOUNCE_KIND_DELAY	2	/* delay warning */

#define BOUNCE_TO_NOBODY	0	/* discard (why says so) */
#define BOUNCE_TO_SENDER	1	/* the sender, or its VERP expansion */
#define BOUNCE_TO_POSTMASTER	2	/* a copy for the postmaster */
#define BOUNCE_TO_2BOUNCE	3	/* a bounce of a bounce, to the postmaster */

typedef struct BOUNCE_ROUTE {
    int     who;			/* BOUNCE_TO_* */
    DSTR   *env_sender;			/* "" for sender notices */
    DSTR   *rcpt;			/* envelope recipient, also To: */
    const char *why;			/* for BOUNCE_TO_NOBODY: a log text */
} BOUNCE_ROUTE;

extern BOUNCE_ROUTE *bounce_route_new(void);
extern void bounce_route_free(BOUNCE_ROUTE *route);
/* Is class (e.g. "2bounce") listed in a notify_classes value? */
extern int bounce_route_class(const char *classes, const char *class_name);
/* The double-bounce address: double_bounce_sender, with @myorigin when bare. */
extern void bounce_route_double_bounce(DSTR *out);
/* Do failures of this message get one notice per recipient (VERP)? */
extern int bounce_route_verp(const char *sender, const char *verp);
/*
 * The notice of kind for the sender of a message: to the sender, to the VERP
 * expansion of sender for failed_rcpt (when not NULL), to 2bounce_notice_
 * recipient for a null sender, or nobody. Returns route->who.
 */
extern int bounce_route_sender(BOUNCE_ROUTE *route, int kind, const char *sender,
			               const char *verp, const char *failed_rcpt);
/* The postmaster copy of kind, when notify_classes asks for it. Returns route->who. */
extern int bounce_route_postmaster(BOUNCE_ROUTE *route, int kind);

 /*
  * bounce_dsn.c: the text of one notification (RFC 3464, laid out as
  * Postfix does), a pure function of its input and of myhostname and
  * mail_name.
  */
typedef struct BOUNCE_DSN {
    int     kind;			/* BOUNCE_KIND_* */
    int     who;			/* BOUNCE_TO_SENDER, _POSTMASTER or _2BOUNCE */
    int     expired;			/* failure because of the queue lifetime */
    const char *queue_id;		/* of the original */
    const char *new_id;			/* of this notice (Received: id) */
    const char *sender;			/* the original's envelope sender */
    const char *to;			/* the notice's recipient (To:) */
    long    arrival;			/* the original's arrival time */
    long    now;
    long    retry_until;		/* delays: when we give up */
    const BOUNCE_RCPT *rcpts;
    size_t  nrcpt;
    const char *orig;			/* the original (LF lines), maybe cut short */
    size_t  orig_len;
    int     headers_only;		/* attach only orig's header section */
} BOUNCE_DSN;

#define BOUNCE_DSN_WIDTH	78	/* fold report lines here where possible */
#define BOUNCE_DSN_HARD_WIDTH	990	/* and always before this */

extern void bounce_dsn_compose(DSTR *out, const BOUNCE_DSN *dsn);
/* Attach only the headers? Delays and postmaster copies do, and originals over limit. */
extern int bounce_dsn_headers_only(int kind, int who, long content_size, long limit);
/* Length of the header section of a message (without the empty line after it). */
extern size_t bounce_dsn_header_len(const char *msg, size_t len);
/* Append "prefix text" folded at BOUNCE_DSN_WIDTH, continuation lines indented, and a LF. */
extern void bounce_dsn_fold(DSTR *out, const char *prefix, const char *text);

 /*
  * bounce_table.c: the recipients of a queue file, each with the last log
  * record that concerns it (a bounce record wins over defer records).
  */
#define BOUNCE_SRC_NONE		0
#define BOUNCE_SRC_DEFER	1
#define BOUNCE_SRC_BOUNCE	2

typedef struct BOUNCE_ENTRY {
    char   *address;
    long    offset;			/* recipient record offset */
    int     done;
    int     source;			/* BOUNCE_SRC_* of the record below */
    long    when;
    char   *status;
    char   *action;
    char   *remote_mta;
    char   *diagnostic;
    char   *reason;
} BOUNCE_ENTRY;

typedef struct BOUNCE_TABLE {
    BOUNCE_ENTRY *entries;		/* in queue file order: offsets ascend */
    size_t  count;
    size_t  cap;
} BOUNCE_TABLE;

/* Every recipient after qfile_in_info(); NULL and err if the file is damaged. */
extern BOUNCE_TABLE *bounce_table_load(QFILE_IN *in, DSTR *err);
extern void bounce_table_free(BOUNCE_TABLE *table);
/* The entry for a record: by offset, else by address; NULL if none. */
extern BOUNCE_ENTRY *bounce_table_find(BOUNCE_TABLE *table, long offset, const char *address);
/* Attach a record (keeping a bounce record over a defer record). */
extern void bounce_table_attach(BOUNCE_ENTRY *entry, int source, const BOUNCE_RCPT *rcpt,
				        long when);
/*
 * Read the log at path and attach its records; damaged records and records
 * for no recipient are logged (queue_id names the message) and skipped.
 * Returns the records attached, or -1 and err on a read error; *exists
 * says whether the file was there.
 */
extern long bounce_table_merge(BOUNCE_TABLE *table, const char *path, int source,
			               const char *queue_id, int *exists, DSTR *err);

#endif
