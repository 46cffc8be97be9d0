/* submit_proto - local submission: what posthorn sendmail says to pickup on public/pickup */
#ifndef SUBMIT_PROTO_H
#define SUBMIT_PROTO_H

/*
 * One submission per connection, in four steps:
 *   1. client: an attribute list with at most SUBMIT_ATTR_SENDER
 *      (sendmail -f; absent: the user's own address) and
 *      SUBMIT_ATTR_FULL_NAME (for an added From:);
 *   2. pickup: an attribute list, status and reason: SUBMIT_STAT_GO, or
 *      why not (SUBMIT_STAT_NOPERM, SUBMIT_STAT_DEFER), and then it
 *      closes. So a refused user learns it before sending the message;
 *   3. client: the content as netstrings of at most SUBMIT_CHUNK bytes,
 *      then "0:,"; the recipients, one netstring each, then "0:,";
 *   4. pickup: status, reason, queue_id, as cleanup answered it
 *      (SUBMIT_STAT_OK only once the queue file is durable).
 * pickup learns who the user is from the kernel (SO_PEERCRED), never
 * from the request (docs/design.md, "Sockets and who may reach each").
 */
#define SUBMIT_SERVICE		"public/pickup"
#define SUBMIT_ATTR_SENDER	"sender"
#define SUBMIT_ATTR_FULL_NAME	"full_name"
#define SUBMIT_ATTR_STATUS	"status"
#define SUBMIT_ATTR_REASON	"reason"
#define SUBMIT_ATTR_QUEUE_ID	"queue_id"

#define SUBMIT_STAT_GO		0	/* step 2: send the message */
#define SUBMIT_STAT_OK		0	/* step 4: queued */
#define SUBMIT_STAT_DEFER	4	/* try again later */
#define SUBMIT_STAT_REJECT	5	/* the message is refused */
#define SUBMIT_STAT_NOPERM	7	/* this user may not submit, or not with that sender */

#define SUBMIT_CHUNK		65536	/* largest content netstring */
#define SUBMIT_RCPT_LIMIT	10000	/* recipients in one submission */

#endif
