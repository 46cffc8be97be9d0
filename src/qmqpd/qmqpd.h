/* qmqpd - internal interfaces of the QMQP server */
#ifndef QMQPD_H
#define QMQPD_H
#include <stddef.h>
#include "dstr.h"
#include "ios.h"

/* What the request reader does with the pieces it has read. */
typedef struct QMQPD_SINK {
    /* The message is total bytes long; called once, before content(). */
    int     (*content_start) (void *ctx, size_t total);
    /* Message bytes, in order, in pieces of at most QMQPD_CHUNK. */
    int     (*content) (void *ctx, const char *buf, size_t len);
    int     (*sender) (void *ctx, const char *addr, size_t len);
    int     (*recipient) (void *ctx, const char *addr, size_t len);
    void   *ctx;
} QMQPD_SINK;
/* A sink function returns 0, or non-zero to stop with QMQPD_ERR_SINK (it
 * leaves its reason in the why buffer it shares with the caller). */

typedef struct QMQPD_LIMITS {
    size_t  message;			/* message_size_limit */
    size_t  address;			/* line_length_limit */
} QMQPD_LIMITS;

#define QMQPD_CHUNK	65536

#define QMQPD_OK	0
#define QMQPD_ERR_FORMAT 1		/* malformed netstrings: reply D */
#define QMQPD_ERR_SIZE	2		/* a field over its limit: reply D */
#define QMQPD_ERR_LOST	3		/* EOF, read error or timeout: no reply */
#define QMQPD_ERR_NORCPT 4		/* no recipients: reply D */
#define QMQPD_ERR_ADDR	5		/* empty recipient or NUL in an address: D */
#define QMQPD_ERR_SINK	6		/* a sink function refused */

/*
 * Read one QMQP request (docs/protocols.md §2.2) from client under the
 * limits, handing the pieces to sink. The outer length is enforced exactly.
 * Returns QMQPD_OK or an error with a reason in why (reply text without the
 * status byte, e.g. "netstring format error while receiving sender address").
 */
extern int qmqpd_read_request(IOS *client, const QMQPD_LIMITS *limits,
			              const QMQPD_SINK *sink, DSTR *why);

#endif
