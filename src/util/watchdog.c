/*
 * watchdog - end a process that hangs, with a log line that says so
 * DESCRIPTION
 *	Postfix's watchdog, simplified: a process that spends more than its
 *	time on one step (a request, an iteration of its event loop) logs
 *	"fatal: watchdog timeout" and exits, so master starts a fresh one and
 *	the administrator learns why, instead of finding only "killed by
 *	signal 14". The step is bounded with alarm(); waiting for work is
 *	not a step, so a loop pauses the count around its blocking wait.
 *
 *	Logging from a signal handler is not async-signal-safe: the code we
 *	interrupted may hold a lock the log sink needs. As Postfix does, the
 *	handler first puts SIGALRM back to its default action and arms it
 *	again, so a hung log call still ends the process a few seconds later.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"
#include "watchdog.h"

static unsigned watchdog_seconds;	/* 0: not started */

/* watchdog_event - time is up: say so, then go */

static void watchdog_event(int sig)
{
    (void) sig;
    (void) signal(SIGALRM, SIG_DFL);
    (void) alarm(WATCHDOG_KILL_DELAY);
    msg_fatal("watchdog timeout");
}

/* watchdog_start - install the handler, start counting */

void    watchdog_start(unsigned seconds)
{
    struct sigaction sa;

    if (seconds == 0)
	msg_panic("%s: zero timeout", __func__);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = watchdog_event;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) < 0)
	msg_fatal("sigaction SIGALRM: %m");
    watchdog_seconds = seconds;
    (void) alarm(seconds);
}

/* watchdog_pat - the step made progress: count again */

void    watchdog_pat(void)
{
    if (watchdog_seconds)
	(void) alarm(watchdog_seconds);
}

/* watchdog_pause - waiting for work */

void    watchdog_pause(void)
{
    if (watchdog_seconds)
	(void) alarm(0);
}

/* watchdog_stop - disarm */

void    watchdog_stop(void)
{
    (void) alarm(0);
    watchdog_seconds = 0;
    (void) signal(SIGALRM, SIG_DFL);
}
