/*
 * qmgr_scan - walk the incoming and deferred queues
 * DESCRIPTION
 *	Each scanner yields queue ids from one directory listing, one at a
 *	time, so importing stays interleaved with delivery. A request that
 *	arrives during a pass is remembered and starts another pass as soon
 *	as this one ends, so no trigger is ever lost (docs/scheduler.md §2.3);
 *	a burst of triggers collapses into one further pass.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>

#include "qmgr.h"
#include "msg.h"
#include "mymalloc.h"
#include "qid.h"
#include "spool.h"

struct QMGR_SCAN {
    const char *queue;
    int     flags;			/* of the pass under way */
    int     next_flags;			/* of the pass to come; START: one is due */
    DIR    *dir;
};

QMGR_SCAN *qmgr_scan_incoming;
QMGR_SCAN *qmgr_scan_deferred;

/* qmgr_scan_new - one scanner */

static QMGR_SCAN *qmgr_scan_new(const char *queue)
{
    QMGR_SCAN *scan = mycalloc(1, sizeof(*scan));

    scan->queue = queue;
    return (scan);
}

/* qmgr_scan_init - both scanners */

void    qmgr_scan_init(void)
{
    qmgr_scan_incoming = qmgr_scan_new(SPOOL_INCOMING);
    qmgr_scan_deferred = qmgr_scan_new(SPOOL_DEFERRED);
}

/* qmgr_scan_queue - which directory */

const char *qmgr_scan_queue(const QMGR_SCAN *scan)
{
    return (scan->queue);
}

/* qmgr_scan_request - start a pass, or schedule one */

void    qmgr_scan_request(QMGR_SCAN *scan, int flags)
{
    /* Modifiers also apply to the pass under way. */
    if (scan->dir)
	scan->flags |= flags & (QMGR_SCAN_ALL | QMGR_SCAN_FLUSH);
    if (flags & QMGR_SCAN_START)
	scan->next_flags |= flags;
    else
	scan->next_flags |= flags & (QMGR_SCAN_ALL | QMGR_SCAN_FLUSH);
    qmgr_kick();
}

/* qmgr_scan_start - open a pass if one is due */

static int qmgr_scan_start(QMGR_SCAN *scan)
{
    if (!(scan->next_flags & QMGR_SCAN_START))
	return (0);
    if ((scan->dir = opendir(scan->queue)) == NULL) {
	msg_warn("open directory %s: %m", scan->queue);
	scan->next_flags = 0;
	return (0);
    }
    scan->flags = scan->next_flags;
    scan->next_flags = 0;
    return (1);
}

/* qmgr_scan_next - next id of this scanner */

int     qmgr_scan_next(QMGR_SCAN *scan, DSTR *id, int *flags)
{
    struct dirent *de;

    for (;;) {
	if (scan->dir == NULL && !qmgr_scan_start(scan))
	    return (0);
	while ((de = readdir(scan->dir)) != NULL) {
	    if (!qmgr_junk_check(scan->queue, de->d_name, de->d_type)) {
		dstr_strcpy(id, de->d_name);
		*flags = scan->flags;
		return (1);
	    }
	}
	closedir(scan->dir);
	scan->dir = NULL;
    }
}

/* qmgr_scan_import - one file into the active queue, the two queues in turn */

int     qmgr_scan_import(int bucket_full, QMGR_IMPORT_FN import)
{
    static int turn;			/* 0: incoming next, 1: deferred next */
    QMGR_SCAN *scan;
    DSTR   *id;
    int     tries;
    int     flags;
    int     imported = 0;

    if (bucket_full) {
	turn = 0;				/* a full bucket prefers new mail */
	return (0);
    }
    id = dstr_new(QID_SIZE);
    for (tries = 0; tries < 2 && !imported; tries++) {
	scan = turn == 0 ? qmgr_scan_incoming : qmgr_scan_deferred;
	turn ^= 1;
	while (!imported && qmgr_scan_next(scan, id, &flags))
	    imported = import(scan->queue, dstr_str(id), flags);
    }
    dstr_free(id);
    return (imported);
}
