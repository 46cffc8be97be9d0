/*
 * spool_stats - the queues' size for posthorn metrics
 * DESCRIPTION
 *	Prometheus asks every few seconds, so this must stay cheap however
 *	full the queue: it reads each queue directory once and stats each
 *	queue file, and takes the arrival time from the queue id (qid.c)
 *	rather than from the file. A deferred file's time stamp is its next
 *	retry, not its age, so the id is also the only right source. Names
 *	that are not queue ids (a stray file, a tmp name) are not counted.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool_stats.h"
#include "prom_text.h"
#include "qid.h"
#include "spool.h"

static const char *const spool_stats_queues[SPOOL_STATS_QUEUES] = {
    SPOOL_INCOMING, SPOOL_ACTIVE, SPOOL_DEFERRED, SPOOL_HOLD, SPOOL_CORRUPT,
};

/* spool_stats_queue - one directory */

static void spool_stats_queue(int spool_fd, SPOOL_STATS *s)
{
    struct dirent *de;
    struct stat st;
    DIR    *dir;
    time_t  when;
    int     fd;

    if ((fd = openat(spool_fd, s->queue, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0
	|| (dir = fdopendir(fd)) == NULL) {
	if (fd >= 0)
	    close(fd);
	return;
    }
    s->readable = 1;
    while ((de = readdir(dir)) != NULL) {
	if (!qid_valid(de->d_name)
	    || fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0
	    || !S_ISREG(st.st_mode))
	    continue;
	s->messages++;
	s->bytes += st.st_size;
	when = qid_time(de->d_name);
	if (s->messages == 1 || when < s->oldest)
	    s->oldest = when;
    }
    closedir(dir);
}

/* spool_stats_read - see spool_stats.h */

void    spool_stats_read(int spool_fd, SPOOL_STATS stats[SPOOL_STATS_QUEUES])
{
    int     i;

    for (i = 0; i < SPOOL_STATS_QUEUES; i++) {
	memset(stats + i, 0, sizeof(stats[i]));
	stats[i].queue = spool_stats_queues[i];
	spool_stats_queue(spool_fd, stats + i);
    }
}

/* spool_stats_metrics - see spool_stats.h */

void    spool_stats_metrics(const SPOOL_STATS stats[SPOOL_STATS_QUEUES], time_t now, DSTR *out)
{
    int     i;

    prom_family(out, "posthorn_queue_messages", "gauge", "Messages in a queue of the spool");
    for (i = 0; i < SPOOL_STATS_QUEUES; i++)
	if (stats[i].readable)
	    prom_sample(out, (double) stats[i].messages, "posthorn_queue_messages",
			"queue", stats[i].queue, NULL);
    prom_family(out, "posthorn_queue_bytes", "gauge", "Bytes of the queue files in a queue");
    for (i = 0; i < SPOOL_STATS_QUEUES; i++)
	if (stats[i].readable)
	    prom_sample(out, (double) stats[i].bytes, "posthorn_queue_bytes",
			"queue", stats[i].queue, NULL);
    prom_family(out, "posthorn_queue_oldest_age_seconds", "gauge",
		"Age of the oldest message in a queue, from its arrival (0: the queue is empty)");
    for (i = 0; i < SPOOL_STATS_QUEUES; i++)
	if (stats[i].readable)
	    prom_sample(out, stats[i].messages > 0 && now > stats[i].oldest ?
			(double) (now - stats[i].oldest) : 0,
			"posthorn_queue_oldest_age_seconds", "queue", stats[i].queue, NULL);
}
