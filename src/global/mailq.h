/* mailq - list the queued mail, as Postfix's mailq and postqueue -j do */
#ifndef MAILQ_H
#define MAILQ_H
#include "argv.h"
#include "dstr.h"
#include "ios.h"
#include "qfile.h"

/*
 * Write the listing of incoming, active, deferred and hold (cwd: the queue
 * directory) to out: Postfix's mailq text, or with json one JSON object
 * per line per message (postqueue -j's fields). Unreadable or damaged
 * files are logged and left out; messages that go away meanwhile too.
 */
extern void mailq_print(IOS *out, int json);

/* The valid queue ids in queue (cwd: the queue directory), sorted. */
extern ARGV *mailq_ids(const char *queue);
/*
 * Open queue/id (its name goes to path) and read its envelope into info:
 * the reader, positioned at the recipients, and the descriptor in *fd; or
 * NULL when the file went away (delivered meanwhile) or is unreadable or
 * damaged (logged). mailq_close() frees both and returns NULL.
 */
extern QFILE_IN *mailq_open(const char *queue, const char *id, DSTR *path,
			            QFILE_INFO *info, int *fd);
extern QFILE_IN *mailq_close(QFILE_IN *in, int fd);
/* Append the recipients of an open file not yet delivered to rcpts, in
 * file order: 0, or -1 when the file is damaged (logged under path; rcpts
 * then holds those before the damage). */
extern int mailq_pending(QFILE_IN *in, const char *path, ARGV *rcpts);

#endif
