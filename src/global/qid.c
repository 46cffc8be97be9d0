/*
 * qid - queue ids
 * DESCRIPTION
 *	An id is the arrival time (seconds and microseconds) and the pid of
 *	the process that made it, in fixed-width upper-case base 36, so ids
 *	sort by arrival time and an admin can type them. Two live processes
 *	never share a pid, and one process never repeats a microsecond, so
 *	ids are unique without touching the disk; qmqpd can therefore name a
 *	message (for its Received: header) before cleanup writes it. Writers
 *	still refuse to replace an existing file, in case the clock stepped back.
 */
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "procid.h"
#include "qid.h"
#include "msg.h"

static const char qid_digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* qid_put - fixed-width base 36 */

static void qid_put(char *out, unsigned long val, int width)
{
    int     i;

    for (i = width - 1; i >= 0; i--) {
	out[i] = qid_digits[val % 36];
	val /= 36;
    }
}

/* qid_new - make an id */

void    qid_new(char id[QID_SIZE])
{
    static struct timeval last;
    struct timeval now;

    gettimeofday(&now, NULL);
    if (now.tv_sec < last.tv_sec
	|| (now.tv_sec == last.tv_sec && now.tv_usec <= last.tv_usec)) {
	now = last;
	if (++now.tv_usec >= 1000000) {
	    now.tv_usec = 0;
	    now.tv_sec++;
	}
    }
    last = now;
    qid_put(id, (unsigned long) now.tv_sec, 7);
    qid_put(id + 7, (unsigned long) now.tv_usec, 4);
    qid_put(id + 11, (unsigned long) procid_self(), 5);
    id[QID_LEN] = 0;
}

/* qid_valid - syntax check */

int     qid_valid(const char *id)
{
    int     i;

    for (i = 0; i < QID_LEN; i++)
	if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'A' && id[i] <= 'Z')))
	    return (0);
    return (id[QID_LEN] == 0);
}

/* qid_time - decode the arrival second */

time_t  qid_time(const char *id)
{
    unsigned long val = 0;
    int     i;

    if (!qid_valid(id))
	msg_panic("%s: bad queue id \"%.40s\"", __func__, id);
    for (i = 0; i < 7; i++)
	val = val * 36 + (unsigned long) (strchr(qid_digits, id[i]) - qid_digits);
    return ((time_t) val);
}
