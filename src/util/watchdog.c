/*
 * watchdog - end a process that hangs, with a log line that says so
 * DESCRIPTION
 *	Postfix's watchdog: a process that spends more than its time on one
 *	step (a request, an iteration of its event loop) logs "fatal:
 *	watchdog timeout" and exits, so master starts a fresh one and the
 *	administrator learns why, instead of finding only "killed by signal
 *	14". Waiting for work is not a step, so a loop pauses the count
 *	around its blocking wait.
 *
 *	Patting and pausing happen several times per message in every
 *	daemon, so they must cost no system call (re-arming alarm() each
 *	time did: about ten calls per message over the ingest path). As in
 *	Postfix, an interval timer ticks WATCHDOG_STEPS times per timeout;
 *	the handler counts the ticks since the last pat and fires at the
 *	WATCHDOG_STEPS'th, so a hung step ends between 9/10 of the timeout
 *	and the timeout after it began. A pat is one store to memory.
 *
 *	Logging from a signal handler is not async-signal-safe: the code we
 *	interrupted may hold a lock the log sink needs. As Postfix does, the
 *	handler first puts SIGALRM back to its default action and arms it
 *	again, so a hung log call still ends the process a few seconds later.
 */
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "msg.h"
#include "watchdog.h"

#define WATCHDOG_STEPS	10		/* ticks per timeout */

static volatile sig_atomic_t watchdog_ticks;	/* since the last pat */
static volatile sig_atomic_t watchdog_paused;	/* waiting for work */
static int watchdog_running;

/* watchdog_timer - tick every ms milliseconds; 0 stops the timer */

static void watchdog_timer(long ms)
{
    struct itimerval it;

    memset(&it, 0, sizeof(it));
    it.it_value.tv_sec = it.it_interval.tv_sec = ms / 1000;
    it.it_value.tv_usec = it.it_interval.tv_usec = (ms % 1000) * 1000;
    if (setitimer(ITIMER_REAL, &it, NULL) < 0 && ms > 0)
	msg_fatal("setitimer: %m");
}

/* watchdog_event - one tick: count it, and go when the step took too long */

static void watchdog_event(int sig)
{
    (void) sig;
    if (watchdog_paused)
	return;
    if (++watchdog_ticks < WATCHDOG_STEPS)
	return;
    (void) signal(SIGALRM, SIG_DFL);
    watchdog_timer(0);
    (void) alarm(WATCHDOG_KILL_DELAY);
    msg_fatal("watchdog timeout");
}

/* watchdog_start - install the handler, start counting */

void    watchdog_start(unsigned seconds)
{
    struct sigaction sa;
    long    step_ms;

    if (seconds == 0)
	msg_panic("%s: zero timeout", __func__);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = watchdog_event;
    sa.sa_flags = SA_RESTART;		/* a tick must not fail a read */
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) < 0)
	msg_fatal("sigaction SIGALRM: %m");
    watchdog_ticks = 0;
    watchdog_paused = 0;
    watchdog_running = 1;
    step_ms = (long) seconds * 1000 / WATCHDOG_STEPS;
    watchdog_timer(step_ms > 0 ? step_ms : 1);
}

/* watchdog_pat - the step made progress: count again */

void    watchdog_pat(void)
{
    watchdog_ticks = 0;
    watchdog_paused = 0;
}

/* watchdog_pause - waiting for work */

void    watchdog_pause(void)
{
    watchdog_paused = 1;
}

/* watchdog_stop - disarm */

void    watchdog_stop(void)
{
    if (watchdog_running)
	watchdog_timer(0);
    watchdog_running = 0;
    watchdog_paused = 1;
    (void) signal(SIGALRM, SIG_DFL);
}
