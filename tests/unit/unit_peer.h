/*
 * unit_peer - a child process at the other end of a socket, for unit tests
 * of deadlines: short sleeps, a peer that drips a text a byte at a time, a
 * peer that answers every line at once, and the reaping of such a child. Header-only, because each check_*.c is
 * linked on its own (as unit_tmpdir.h).
 */
#ifndef UNIT_PEER_H
#define UNIT_PEER_H
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ios.h"

/* unit_sleep_ms - pause, whatever signals come */

static inline void unit_sleep_ms(long ms)
{
    struct timespec ts;

    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
	 /* void */ ;
}

/* unit_drip_peer - a child that sends text (cycled) one byte every interval_ms,
 * at most max bytes so that it stops by itself; returns its pid */

static inline pid_t unit_drip_peer(int fd, const char *text, long interval_ms, size_t max)
{
    pid_t   pid;
    size_t  i;

    ck_assert_int_ne(pid = fork(), -1);
    if (pid == 0) {
	for (i = 0; i < max; i++) {
	    if (send(fd, text + i % strlen(text), 1, MSG_NOSIGNAL) != 1)
		_exit(0);
	    unit_sleep_ms(interval_ms);
	}
	_exit(0);
    }
    return (pid);
}

/* unit_answer_peer - a child that sends greeting (if not NULL), then answers
 * every line at once with answer, until the other end closes; returns its pid */

static inline pid_t unit_answer_peer(int fd, const char *greeting, const char *answer)
{
    pid_t   pid;
    IOS    *ios;
    DSTR   *line;

    ck_assert_int_ne(pid = fork(), -1);
    if (pid == 0) {
	ios = ios_open(fd);
	line = dstr_new(64);
	ios_set_phase(ios, 20);
	if (greeting && (ios_puts(ios, greeting) < 0 || ios_flush(ios) < 0))
	    _exit(0);
	while (ios_get_line(ios, line, 1000, 1) == IOS_LINE_FULL)
	    if (ios_puts(ios, answer) < 0 || ios_flush(ios) < 0)
		break;
	_exit(0);
    }
    return (pid);
}

/* unit_reap - stop and collect a helper child */

static inline void unit_reap(pid_t pid)
{
    (void) kill(pid, SIGKILL);
    (void) waitpid(pid, NULL, 0);
}

#endif
