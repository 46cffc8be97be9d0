/* qid - queue ids: unique while their file exists, sorting by arrival time */
#ifndef QID_H
#define QID_H
#include <time.h>

#define QID_LEN		16		/* 7 time + 4 microsecond + 5 pid digits, base 36 */
#define QID_SIZE	(QID_LEN + 1)

/* A fresh id; strictly increasing within a process, distinct between live processes. */
extern void qid_new(char id[QID_SIZE]);
/* Is this a well-formed id (so it may become part of a path)? */
extern int qid_valid(const char *id);
/* Arrival second encoded in a valid id. */
extern time_t qid_time(const char *id);

#endif
