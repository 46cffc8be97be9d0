/*
 * procid - this process's id without a system call each time
 * DESCRIPTION
 *	Every log line, every busy/idle report to master and every queue ID
 *	carries the process id; glibc no longer caches getpid(), so that was
 *	several system calls per message. The id is remembered after the
 *	first call and forgotten in the child of every fork() (an atfork
 *	handler), the only way our processes are made.
 */
#include <pthread.h>
#include <unistd.h>

#include "procid.h"

static pid_t procid_cached;

/* procid_forget - in a new child: ask again */

static void procid_forget(void)
{
    procid_cached = 0;
}

/* procid_self - getpid(), once per process */

pid_t   procid_self(void)
{
    static int registered;

    if (!registered) {
	(void) pthread_atfork(NULL, NULL, procid_forget);
	registered = 1;
    }
    if (procid_cached == 0)
	procid_cached = getpid();
    return (procid_cached);
}
