/* spool - queue directory layout: queue names, paths, set-up */
#ifndef SPOOL_H
#define SPOOL_H
#include <sys/types.h>
#include "dstr.h"

/* Message queues. */
#define SPOOL_INCOMING	"incoming"
#define SPOOL_ACTIVE	"active"
#define SPOOL_DEFERRED	"deferred"
#define SPOOL_HOLD	"hold"
#define SPOOL_CORRUPT	"corrupt"
/* Files under construction by cleanup: never scheduled, cleared by master at start. */
#define SPOOL_TMP	"tmp"
/* Per-message status logs, named like the message. */
#define SPOOL_BOUNCE	"bounce"
#define SPOOL_DEFER	"defer"
#define SPOOL_TRACE	"trace"
/* Sockets and the pid file. */
#define SPOOL_PRIVATE	"private"
#define SPOOL_PUBLIC	"public"
#define SPOOL_PID	"pid"

/* The message queues in the order an admin listing shows them; NULL-terminated. */
extern const char *const spool_message_queues[];

/* Is name (may be NULL) one of spool_message_queues? A request naming any
 * other queue is refused before the name becomes part of a path. */
extern int spool_message_queue(const char *name);
/*
 * Is there room in the queue file system (the current directory's) for
 * new mail: at least minfree bytes free, and at least 1.5 times size_limit
 * (when it is not 0), as Postfix's queue_minfree rule says? 1, or 0 and
 * a log-ready reason in why. A failed statvfs() counts as room.
 */
extern int spool_space_ok(long minfree, long size_limit, DSTR *why);
/* "queue/id" relative to queue_directory; panics on a bad queue id. */
extern const char *spool_path(DSTR *out, const char *queue, const char *id);
/* "private/name" or "public/name". */
extern const char *spool_service_path(DSTR *out, int private_, const char *name);
/*
 * Create queue_dir (root-owned) and every subdirectory with its owner and
 * mode: message and log queues 0700 owned by uid/gid, public 0755, private
 * 0700, pid root 0755. Idempotent; -1 and err on failure.
 */
extern int spool_create(const char *queue_dir, uid_t uid, gid_t gid, DSTR *err);

#endif
