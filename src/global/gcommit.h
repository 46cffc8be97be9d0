/* gcommit - group commit: one file system sync makes many cleanups' messages durable */
#ifndef GCOMMIT_H
#define GCOMMIT_H

typedef struct GCOMMIT GCOMMIT;

#define GCOMMIT_FILE	".commit"	/* in tmp/: master's clean-up skips dot files */

/*
 * Open (creating it, mode 0600) the shared state file name in dirfd and
 * map it. NULL, with errno, when that fails: callers then sync on their own.
 */
extern GCOMMIT *gcommit_open(int dirfd, const char *name);
extern void gcommit_close(GCOMMIT *gc);

/*
 * Make durable everything this process did to the file system that fs_fd
 * is on before the call: return only after a syncfs() of that file system
 * that began after the call began (this process's own, or a leader's that
 * another cleanup ran for everyone). 0 when done; -1 with errno when the
 * sync failed; -2 when another process has held the leader's role longer
 * than timeout_ms (stopped or stuck): the caller then syncs on its own,
 * so no client waits forever for another.
 */
extern int gcommit_sync(GCOMMIT *gc, int fs_fd, int timeout_ms);

/* Tickets handed out and leaders' syncs made, since the file was created. */
extern void gcommit_counts(const GCOMMIT *gc, unsigned long *tickets, unsigned long *syncs);

#endif
