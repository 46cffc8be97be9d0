/* watchdog - end a process that hangs, with a log line that says so */
#ifndef WATCHDOG_H
#define WATCHDOG_H

/*
 * Arm the watchdog: unless it is patted or paused within seconds (it
 * fires after 9/10 of that at the earliest), the process logs "fatal:
 * watchdog timeout" and exits 1 (and is killed by SIGALRM
 * WATCHDOG_KILL_DELAY seconds later, should logging itself hang). Takes
 * SIGALRM, alarm() and ITIMER_REAL for itself.
 */
extern void watchdog_start(unsigned seconds);
/* Start the count again (each loop iteration, each request); no system call. */
extern void watchdog_pat(void);
/* Stop the count while waiting for work, which is no hang; watchdog_pat() resumes it.
 * No system call. */
extern void watchdog_pause(void);
/* Disarm for good (SIGALRM back to its default). */
extern void watchdog_stop(void);

#define WATCHDOG_KILL_DELAY	5	/* seconds: a hung log sink cannot save us */

#endif
