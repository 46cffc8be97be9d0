/*
 * qmgr_timer - the scheduler's timers on the event loop
 * DESCRIPTION
 *	The scheduling core never reads the clock; it asks for a timer per
 *	object (a dead or rate-delayed destination, a dead transport) and
 *	cancels it by asking again with time 0. Each such timer is one
 *	evloop timer here, found by kind and object address.
 */
#include <stdio.h>
#include <stdlib.h>

#include "qmgr.h"
#include "evloop.h"
#include "htable.h"
#include "mymalloc.h"

typedef struct QMGR_TIMER {
    EVLOOP_TIMER timer;
    int     kind;
    void   *obj;
    char    key[40];
} QMGR_TIMER;

static HTABLE *qmgr_timers;

/* qmgr_timer_event - due: forget the timer, then tell the scheduler */

static void qmgr_timer_event(void *ctx)
{
    QMGR_TIMER *qt = ctx;
    int     kind = qt->kind;
    void   *obj = qt->obj;

    (void) htable_delete(qmgr_timers, qt->key);
    free(qt);
    qmgr_clock();
    sched_timer_fired(qmgr_sched, kind, obj);
    qmgr_kick();
}

/* qmgr_timer - SCHED_OPS timer: arm at when (absolute), or cancel when 0 */

void    qmgr_timer(void *ctx, int kind, void *obj, double when)
{
    char    key[40];
    QMGR_TIMER *qt;
    double  delay;

    (void) ctx;
    if (qmgr_timers == NULL)
	qmgr_timers = htable_new(64);
    (void) snprintf(key, sizeof(key), "%d:%p", kind, obj);
    qt = htable_find(qmgr_timers, key);
    if (when <= 0) {
	if (qt != NULL) {
	    evloop_timer_cancel(&qt->timer);
	    (void) htable_delete(qmgr_timers, key);
	    free(qt);
	}
	return;
    }
    if (qt == NULL) {
	qt = mycalloc(1, sizeof(*qt));
	qt->kind = kind;
	qt->obj = obj;
	(void) snprintf(qt->key, sizeof(qt->key), "%s", key);
	htable_enter(qmgr_timers, key, qt);
    }
    delay = when - qmgr_now();
    evloop_timer_set(&qt->timer, qmgr_timer_event, qt,
		     delay > 0 ? (long long) (delay * 1000 + 0.5) : 0);
}
