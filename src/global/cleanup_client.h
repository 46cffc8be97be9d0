/* cleanup_client - hand a message to the cleanup service */
#ifndef CLEANUP_CLIENT_H
#define CLEANUP_CLIENT_H
#include <stddef.h>
#include "dstr.h"

/*
 * The request is a stream of four parts, written in this order:
 *   1. attributes: queue_id (optional: cleanup makes one), protocol,
 *      client_name, client_address, client_port ..., full_name (pickup:
 *      sendmail -F, the display name of an added From:), and sender and
 *      verp_delimiters when the client knows them before the content;
 *   2. the content as netstrings of at most CLEANUP_CHUNK bytes, then "0:,";
 *   3. attributes: sender, verp_delimiters, if not given in part 1;
 *   4. recipients, one netstring each, then "0:,".
 * A sender known early lets cleanup add a From: header where one is missing.
 * cleanup answers one attribute list: status (CLEANUP_STAT_*), reason, queue_id.
 * It answers only after the queue file is durable (docs/design.md
 * invariant 1).
 */
#define CLEANUP_SERVICE		"private/cleanup"
#define CLEANUP_CHUNK		65536

#define CLEANUP_STAT_OK		0	/* queued */
#define CLEANUP_STAT_DEFER	4	/* try again later */
#define CLEANUP_STAT_REJECT	5	/* permanent: do not retry */

typedef struct CLEANUP_CLIENT CLEANUP_CLIENT;

/* Connect; NULL with errno when the service cannot be reached. */
extern CLEANUP_CLIENT *cleanup_client_open(const char *service_path, int timeout);
extern void cleanup_client_attr(CLEANUP_CLIENT *cl, const char *name, const char *value);
extern void cleanup_client_content(CLEANUP_CLIENT *cl, const void *buf, size_t len);
/* The sender: in part 1 when called before any content, else in part 3. */
extern void cleanup_client_sender(CLEANUP_CLIENT *cl, const char *sender, const char *verp);
extern void cleanup_client_rcpt(CLEANUP_CLIENT *cl, const char *rcpt);
/*
 * End the request and wait for the answer: a CLEANUP_STAT_* value with the
 * reason (and queue id, if wanted) filled in. Write or read trouble gives
 * CLEANUP_STAT_DEFER with a reason saying so.
 */
extern int cleanup_client_finish(CLEANUP_CLIENT *cl, DSTR *reason, DSTR *queue_id);
/*
 * Make the stream ready for another request: 0, or -1 when it cannot
 * carry one (the last request got no proper reply, or cleanup has closed
 * its end); then close it and open a new one.
 */
extern int cleanup_client_reset(CLEANUP_CLIENT *cl);
/* Close and free (aborting the request when it was not finished). */
extern void cleanup_client_close(CLEANUP_CLIENT *cl);

#endif
