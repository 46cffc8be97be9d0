/* anvil - the connection counting service: types shared by its files */
#ifndef ANVIL_H
#define ANVIL_H
#include <stddef.h>
#include <time.h>
#include "dstr.h"

 /*
  * The counting table (anvil_table.c): how many connections each ident
  * ("service:address") has open, and which client stream (owner) holds
  * which of them, so that a stream's end releases exactly its share. Pure
  * bookkeeping without I/O; callers pass the wall-clock time only for the
  * statistics.
  */
typedef struct ANVIL_TABLE ANVIL_TABLE;
typedef struct ANVIL_OWNER ANVIL_OWNER;

#define ANVIL_OWNER_IDENTS	16	/* idents one stream may hold */
#define ANVIL_OWNER_COUNT	10000	/* connections per ident one stream may hold */

extern ANVIL_TABLE *anvil_table_new(void);
extern void anvil_table_free(ANVIL_TABLE *table);	/* owners first */
extern ANVIL_OWNER *anvil_owner_new(void);
/* Release everything owner holds (its stream ended) and free it. */
extern void anvil_owner_free(ANVIL_TABLE *table, ANVIL_OWNER *owner);
/*
 * One more connection for ident, held by owner: the number now open for
 * ident, or -1 (nothing changed) when owner already holds
 * ANVIL_OWNER_IDENTS other idents or ANVIL_OWNER_COUNT of this one.
 */
extern int anvil_connect(ANVIL_TABLE *table, ANVIL_OWNER *owner, const char *ident,
			         time_t now);
/* One connection fewer: 0, or -1 (nothing changed) when owner holds none for ident. */
extern int anvil_disconnect(ANVIL_TABLE *table, ANVIL_OWNER *owner, const char *ident);
/* Connections open for ident (0 for one never seen or forgotten). */
extern int anvil_lookup(const ANVIL_TABLE *table, const char *ident);
/* Idents with connections open; an ident whose count drops to 0 is forgotten. */
extern size_t anvil_table_size(const ANVIL_TABLE *table);
/* Count one more of name ("connect", or an event); bounded by
 * ANVIL_COUNTERS_MAX distinct names, the rest counted as "other". */
extern void anvil_count(ANVIL_TABLE *table, const char *name);
/* Every counter as a line "NAME COUNT", sorted by name. */
extern void anvil_counters_text(const ANVIL_TABLE *table, DSTR *out);
/* Connections owner holds, over all idents. */
extern int anvil_owner_count(const ANVIL_OWNER *owner);
/* Connections owner holds for ident. */
extern int anvil_owner_holds(const ANVIL_OWNER *owner, const char *ident);
/*
 * The highest count since the last call, for Postfix's statistics line
 * ("max connection count N for (ident) at time"): 0 when nothing was
 * counted, else the count, with ident and time filled in; then reset.
 */
extern int anvil_table_max(ANVIL_TABLE *table, DSTR *ident, time_t *when);

 /*
  * The protocol (anvil_proto.c, wire format in anvil_proto.h): a pure
  * parser from bytes to a request, and the request applied to the table,
  * which gives the answer's bytes.
  */
#define ANVIL_OP_CONNECT	1
#define ANVIL_OP_DISCONNECT	2
#define ANVIL_OP_LOOKUP		3
#define ANVIL_OP_STATS		4

typedef struct ANVIL_REQUEST {
    int     op;				/* ANVIL_OP_* */
    DSTR   *ident;			/* printable ASCII, 1..ANVIL_IDENT_MAX bytes */
    DSTR   *event;			/* disconnect: what came of it; "" none */
} ANVIL_REQUEST;

#define ANVIL_PARSE_MORE	0	/* an incomplete request: read more */
#define ANVIL_PARSE_BAD		(-1)	/* not a request: drop the client */

extern ANVIL_REQUEST *anvil_request_new(void);
extern void anvil_request_free(ANVIL_REQUEST *req);
/*
 * Decode the request at the start of buf: the number of bytes it used
 * (> 0, with req filled in), ANVIL_PARSE_MORE when buf holds less than a
 * request (and fewer than ANVIL_REQUEST_MAX bytes), or ANVIL_PARSE_BAD
 * with a reason in why (an attribute list that does not parse or is too
 * big, an unknown or missing request, a missing, empty, too long or
 * non-printable ident).
 */
extern long anvil_request_parse(const char *buf, size_t len, ANVIL_REQUEST *req, DSTR *why);
/* Do what req asks for owner and append the answer (an attribute list) to out. */
extern void anvil_request_apply(ANVIL_TABLE *table, ANVIL_OWNER *owner,
				        const ANVIL_REQUEST *req, time_t now, DSTR *out);


 /*
  * Client streams (anvil_conn.c), served from the event loop (evloop.h).
  */
/* Accept clients on listen_fd and answer their requests against table. */
extern void anvil_conn_listen(ANVIL_TABLE *table, int listen_fd);
/* Client streams open now. */
extern int anvil_conn_count(void);
/* Monotonic ms of the last accept, request or end of a stream. */
extern long long anvil_conn_last_active(void);

#endif
