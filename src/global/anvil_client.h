/* anvil_client - count connections per client with the anvil service */
#ifndef ANVIL_CLIENT_H
#define ANVIL_CLIENT_H
#include "anvil_proto.h"
#include "dstr.h"

typedef struct ANVIL_CLIENT ANVIL_CLIENT;

/*
 * A client of the anvil service at path (ANVIL_SERVICE) whose requests
 * wait at most timeout seconds. It connects on first use and keeps the
 * stream for the life of the process, so that anvil releases this
 * process's counts when the process dies, however it dies.
 */
extern ANVIL_CLIENT *anvil_client_create(const char *path, int timeout);
extern void anvil_client_free(ANVIL_CLIENT *cl);
/*
 * Count one more connection from addr to service: ANVIL_STAT_OK with the
 * number of such connections now open, this one included, in *count; or
 * ANVIL_STAT_FAIL, with a warning logged, when anvil cannot be reached or
 * does not answer properly (callers fail open, as Postfix's do).
 */
extern int anvil_client_connect(ANVIL_CLIENT *cl, const char *service,
				        const char *addr, int *count);
/*
 * Undo one successful anvil_client_connect(): ANVIL_STAT_OK, also when the
 * stream it was counted on has ended (anvil exited and the count with
 * it); ANVIL_STAT_FAIL with a warning when anvil does not answer properly
 * (the stream is then closed, which releases the count too).
 */
extern int anvil_client_disconnect(ANVIL_CLIENT *cl, const char *service,
				           const char *addr);
/* The same, also counting event (what came of the connection: a name of
 * [a-z0-9_:.-], anvil_proto.h) for posthorn metrics. */
extern int anvil_client_disconnect_event(ANVIL_CLIENT *cl, const char *service,
				                 const char *addr, const char *event);
/* anvil's counters (connects and events) as "NAME COUNT" lines into text:
 * ANVIL_STAT_OK, or ANVIL_STAT_FAIL with a warning logged. */
extern int anvil_client_stats(ANVIL_CLIENT *cl, DSTR *text);
/* The number of open connections from addr to service, as anvil_client_connect. */
extern int anvil_client_lookup(ANVIL_CLIENT *cl, const char *service,
			               const char *addr, int *count);

#endif
