/* bounce_client - talk to the bounce service: defer and bounce logs, notifications */
#ifndef BOUNCE_CLIENT_H
#define BOUNCE_CLIENT_H
#include "dstr.h"

#define BOUNCE_SERVICE		"private/bounce"

/*
 * What happened to one recipient, as recorded in bounce/ID (failed) or
 * defer/ID (delayed) and as reported in a delivery status notification
 * (RFC 3464): status "5.1.1", action "failed" or "delayed", the remote MTA
 * if one answered ("mx1.example.net"), the diagnostic ("smtp; 550 5.1.1
 * ...", or "X-Postfix; ..." for our own text), and the reason as logged
 * ("host mx1.example.net[192.0.2.1] said: 550 ... (in reply to RCPT TO
 * command)").
 */
typedef struct BOUNCE_RCPT {
    const char *address;
    long    offset;			/* recipient record in the queue file */
    const char *status;			/* DSN status code */
    const char *action;			/* "failed" or "delayed" */
    const char *remote_mta;		/* may be "" */
    const char *diagnostic;		/* may be "" */
    const char *reason;
} BOUNCE_RCPT;

#define BOUNCE_LOG_BOUNCE	1	/* bounce/ID: durable before the call returns */
#define BOUNCE_LOG_DEFER	2	/* defer/ID */

/*
 * Append a record for one recipient to the bounce or defer log of queue_id.
 * Returns 0 once the bounce service has it (for BOUNCE_LOG_BOUNCE: fsynced),
 * -1 (and the reason in err) otherwise: the caller must then defer the
 * recipient, never mark it done.
 */
extern int bounce_log(int which, const char *queue_id, const BOUNCE_RCPT *rcpt, DSTR *err);

/* Notification requests, from qmgr, for the message queue_name/queue_id. */
#define BOUNCE_NOTIFY_FAILED	1	/* the bounce log: non-delivery notice */
#define BOUNCE_NOTIFY_EXPIRED	2	/* every recipient not done: give up (the
					 * defer log gives the reasons) */
#define BOUNCE_NOTIFY_DELAYED	3	/* delay warning from the defer log */

/*
 * Have the bounce service send the notification(s) for the message (one per
 * failed recipient to its expanded sender when the message uses VERP and
 * disable_verp_bounces is off) through cleanup, and then remove the log it
 * consumed. Returns 0 when the notices are queued (or there was nothing to
 * send, or the sender is the double-bounce address), -1 with err when the
 * caller must keep the message and try again later.
 */
extern int bounce_notify(int what, const char *queue_name, const char *queue_id,
			         DSTR *err);

 /*
  * The protocol on private/bounce: one request per connection, both ways
  * an attribute list (attr.h).
  *   append: request=append, log=bounce|defer, queue_id, and the record:
  *           address, offset, status, action, remote_mta, diagnostic, reason;
  *   notify: request=notify, notify=failed|expired|delayed, queue_name,
  *           queue_id.
  * The answer: status (BOUNCE_STAT_*) and reason (empty on success).
  */
#define BOUNCE_REQ_APPEND	"append"
#define BOUNCE_REQ_NOTIFY	"notify"
#define BOUNCE_STAT_OK		0
#define BOUNCE_STAT_FAIL	1

/* Protocol names of BOUNCE_LOG_* and BOUNCE_NOTIFY_* values (NULL if unknown), and back (0). */
extern const char *bounce_client_log_name(int which);
extern int bounce_client_log_code(const char *name);
extern const char *bounce_client_notify_name(int what);
extern int bounce_client_notify_code(const char *name);

#endif
