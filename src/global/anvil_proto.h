/* anvil_proto - the connection counting protocol shared by anvil and its clients */
#ifndef ANVIL_PROTO_H
#define ANVIL_PROTO_H

/*
 * A client keeps one stream to private/anvil for as long as it lives and
 * sends one attribute list per request, each answered by one list before
 * the next (Postfix's anvil protocol, connection counts only):
 *   request=connect ident=SERVICE:ADDR    -> status=0 count=N (this one included)
 *   request=disconnect ident=SERVICE:ADDR [event=NAME] -> status=0
 *   request=lookup ident=SERVICE:ADDR     -> status=0 count=N
 *   request=stats ident=ANY               -> status=0 text=LINES
 * anvil also counts, in memory, every connect ("connect") and every event
 * a disconnect names (what came of the connection, e.g. "accepted" or
 * "rejected:too_large": ANVIL_EVENT_MAX bytes of [a-z0-9_:.-]); stats
 * gives them as lines "NAME COUNT", for posthorn metrics.
 * status=1 refuses a request (malformed, nothing to disconnect, or the
 * stream holds too much). anvil ties every count to the stream that made
 * it: when a client's stream closes (it exited or was killed), its counts
 * are released.
 */
#define ANVIL_SERVICE		"private/anvil"

#define ANVIL_ATTR_REQUEST	"request"
#define ANVIL_ATTR_IDENT	"ident"
#define ANVIL_ATTR_STATUS	"status"
#define ANVIL_ATTR_COUNT	"count"

#define ANVIL_REQ_CONNECT	"connect"
#define ANVIL_REQ_DISCONNECT	"disconnect"
#define ANVIL_REQ_LOOKUP	"lookup"
#define ANVIL_REQ_STATS		"stats"
#define ANVIL_ATTR_EVENT	"event"
#define ANVIL_ATTR_TEXT		"text"
#define ANVIL_EVENT_MAX		64	/* bytes of an event name */
#define ANVIL_COUNTERS_MAX	128	/* distinct counters; more go to "other" */
#define ANVIL_STATS_MAX		(ANVIL_COUNTERS_MAX * (ANVIL_EVENT_MAX + 24))

#define ANVIL_STAT_OK		0	/* on the wire and from anvil_client_*() */
#define ANVIL_STAT_REFUSED	1	/* on the wire: request not done */
#define ANVIL_STAT_FAIL		(-1)	/* from anvil_client_*(): no answer */

#define ANVIL_IDENT_MAX		512	/* bytes of "service:address" */
#define ANVIL_ATTR_LEN_MAX	(ANVIL_IDENT_MAX + 16)	/* one "name=value" */
#define ANVIL_ATTR_COUNT_MAX	8	/* attributes in one list */
#define ANVIL_REQUEST_MAX	2048	/* bytes of one whole request */

#endif
