/* admin_proto - queue operations (hold, release, delete, requeue): verbs, queues, request and answer */
#ifndef ADMIN_PROTO_H
#define ADMIN_PROTO_H
#include "dstr.h"

/* The queues an operation can act on, as bits. */
#define ADMIN_Q_INCOMING	(1<<0)
#define ADMIN_Q_ACTIVE		(1<<1)
#define ADMIN_Q_DEFERRED	(1<<2)
#define ADMIN_Q_HOLD		(1<<3)
#define ADMIN_Q_CORRUPT		(1<<4)

typedef struct ADMIN_OP {
    const char *name;			/* hold, release, delete, requeue */
    const char *done;			/* "Placed on hold", for the summary line */
    const char *audit;			/* "placed on hold": the log line per message */
    int     allowed;			/* ADMIN_Q_* it may act on */
    int     defaults;			/* ADMIN_Q_* when no queue is named */
    const char *to;			/* destination queue; NULL: delete */
} ADMIN_OP;

/* The operation called name, or NULL. */
extern const ADMIN_OP *admin_op_find(const char *name);
/* ADMIN_Q_* for a queue name (incoming, active, deferred, hold, corrupt), or 0. */
extern int admin_queue_bit(const char *name);
/* The spool queue name of one ADMIN_Q_* bit. */
extern const char *admin_queue_name(int bit);
/*
 * Queue names separated by white space or commas into ADMIN_Q_* bits for
 * op (NULL or empty: op's defaults). -1 and a reason naming the queue for
 * an unknown name or a queue op does not act on; nothing is half-parsed.
 */
extern int admin_queues_parse(const ADMIN_OP *op, const char *names, int *bits, DSTR *err);
/* The names of the queues in bits, separated by single spaces. */
extern void admin_queues_format(int bits, DSTR *out);

/*
 * Apply op to the file queue/id (relative to the queue directory): rename
 * it into op->to with the time stamp now, or remove it and its bounce and
 * defer logs. 1 when done, 0 when there is no such file, -1 with errno on
 * another failure.
 */
extern int admin_file_apply(const ADMIN_OP *op, const char *queue, const char *id);

/* Attribute names of a request to qmgr and of its answer. */
#define ADMIN_ATTR_REQUEST	"request"	/* hold, release, delete, requeue, status */
#define ADMIN_ATTR_QUEUE_ID	"queue_id"	/* an id, or ALL */
#define ADMIN_ATTR_QUEUES	"queues"	/* admin_queues_format() text; optional */
#define ADMIN_ATTR_FORMAT	"format"	/* status: json (default), text or metrics;
					 * showq: text, json, shape, shape_json */
#define ADMIN_ATTR_STATUS	"status"	/* answer: 0 done, 1 refused or failed */
#define ADMIN_ATTR_COUNT	"count"		/* answer: messages affected */
#define ADMIN_ATTR_REASON	"reason"	/* answer: why not, for the admin */
#define ADMIN_ALL		"ALL"

#endif
