/* spool_stats - how much mail each queue holds, and how old the oldest is */
#ifndef SPOOL_STATS_H
#define SPOOL_STATS_H
#include <time.h>
#include "dstr.h"

typedef struct SPOOL_STATS {
    const char *queue;			/* incoming, active, deferred, hold, corrupt */
    long    messages;
    long long bytes;
    time_t  oldest;			/* arrival of the oldest message, if any */
    int     readable;			/* 0: the directory could not be read */
} SPOOL_STATS;

#define SPOOL_STATS_QUEUES	5

/*
 * Count the queue files of the five queues of the spool whose directory
 * descriptor is spool_fd: names and sizes only (a queue id holds the
 * arrival time), no file is opened, so a scrape costs one directory read
 * and one stat per message.
 */
extern void spool_stats_read(int spool_fd, SPOOL_STATS stats[SPOOL_STATS_QUEUES]);
/* The same as Prometheus gauges, ages as of now. */
extern void spool_stats_metrics(const SPOOL_STATS stats[SPOOL_STATS_QUEUES], time_t now, DSTR *out);

#endif
