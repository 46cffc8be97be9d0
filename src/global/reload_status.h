/* reload_status - master's verdict on the last reload, for posthorn reload */
#ifndef RELOAD_STATUS_H
#define RELOAD_STATUS_H
#include <sys/types.h>
#include "dstr.h"

 /*
  * master keeps MASTER_RELOAD_FILE (master_proto.h) under queue_directory:
  * "name = value" lines for its pid, the number of reloads it has begun
  * (0 at start-up), the state of the newest one and, when that failed, why.
  * posthorn reload notes the generation, sends SIGHUP and waits for a
  * finished one with a higher number from the same master.
  */
typedef struct RELOAD_STATUS {
    long    pid;			/* master's process id */
    long    generation;			/* reloads begun; 0: start-up */
    int     state;			/* RELOAD_STATE_* */
    DSTR   *reason;			/* one line; empty unless failed */
} RELOAD_STATUS;

#define RELOAD_STATE_RUNNING	0	/* master is reading the files */
#define RELOAD_STATE_OK		1	/* the new configuration runs */
#define RELOAD_STATE_FAILED	2	/* refused: the old one still runs */

#define RELOAD_STATUS_MAX	8192	/* bytes: a longer file is malformed */

/* A zeroed status with an empty reason; never NULL. */
extern RELOAD_STATUS *reload_status_new(void);
/* Returns NULL: st = reload_status_free(st). */
extern RELOAD_STATUS *reload_status_free(RELOAD_STATUS *st);
/* Text of st, control characters in the reason replaced. */
extern void reload_status_format(const RELOAD_STATUS *st, DSTR *out);
/* Parse text into st: 0, or -1 when a field is missing, unknown or out of range. */
extern int reload_status_parse(const char *text, size_t len, RELOAD_STATUS *st);
/* Replace the file at path atomically (mode 0644); 0 or -1 with errno. */
extern int reload_status_write(const char *path, const RELOAD_STATUS *st);
/* Read and parse the file at path; 0, or -1 with errno (EINVAL: malformed). */
extern int reload_status_read(const char *path, RELOAD_STATUS *st);

#endif
