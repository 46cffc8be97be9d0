/* trigger - one-byte wake-up requests to qmgr (and any other datagram service) */
#ifndef TRIGGER_H
#define TRIGGER_H
#include <stddef.h>

#define TRIGGER_SCAN_INCOMING	'I'	/* scan incoming/ */
#define TRIGGER_SCAN_DEFERRED	'D'	/* scan deferred/ */
#define TRIGGER_SCAN_ALL	'A'	/* ignore deferred time stamps */
#define TRIGGER_FLUSH_DEAD	'F'	/* forget dead destinations */
#define TRIGGER_WAKEUP		'W'	/* periodic wake-up from master */

#define TRIGGER_QMGR_SERVICE	"public/qmgr"

/*
 * Send the bytes as one datagram to the service socket (a path relative to
 * the queue directory, or absolute). Never blocks: a missing or busy service
 * is not an error for the caller, who gets -1 with errno only to log it.
 */
extern int trigger_send(const char *service_path, const char *buf, size_t len);

#endif
