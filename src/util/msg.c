/*
 * msg - diagnostics
 * DESCRIPTION
 *	Every line gets Postfix's severity word ("warning: ", "fatal: " ...)
 *	so admins' greps and pflogsumm keep working, is stripped of control
 *	characters (peer bytes end up in logs), and goes to each sink. fatal
 *	exits 1 after the cleanup hook; panic aborts for a core file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "msg.h"

#define MSG_MAX_SINKS	4
#define MSG_LINE_MAX	4096

int     msg_verbose;
const char *msg_progname = "posthorn";

static MSG_SINK_FN msg_sinks[MSG_MAX_SINKS] = {msg_stderr_sink};
static int msg_nsinks = 1;
static MSG_CLEANUP_FN msg_cleanup_fn;
static int msg_errors;
static int msg_busy;			/* a sink that logs must not recurse */

static const char *const msg_words[] = {
    "", "warning: ", "error: ", "fatal: ", "panic: ",
};

/* msg_init - set program name */

void    msg_init(const char *progname)
{
    const char *slash = strrchr(progname, '/');

    msg_progname = slash ? slash + 1 : progname;
}

/* msg_set_sink - replace all sinks */

MSG_SINK_FN msg_set_sink(MSG_SINK_FN fn)
{
    MSG_SINK_FN prev = msg_nsinks ? msg_sinks[0] : 0;

    msg_sinks[0] = fn ? fn : msg_stderr_sink;
    msg_nsinks = 1;
    return (prev);
}

/* msg_add_sink - one more destination */

void    msg_add_sink(MSG_SINK_FN fn)
{
    int     i;

    for (i = 0; i < msg_nsinks; i++)
	if (msg_sinks[i] == fn)
	    return;
    if (msg_nsinks == MSG_MAX_SINKS)
	msg_panic("%s: too many sinks", __func__);
    msg_sinks[msg_nsinks++] = fn;
}

/* msg_set_cleanup - hook run before fatal exit */

MSG_CLEANUP_FN msg_set_cleanup(MSG_CLEANUP_FN fn)
{
    MSG_CLEANUP_FN prev = msg_cleanup_fn;

    msg_cleanup_fn = fn;
    return (prev);
}

/* msg_stderr_sink - "progname: text" on stderr, one write per line */

void    msg_stderr_sink(int level, const char *text)
{
    char    buf[MSG_LINE_MAX + 128];
    int     n;

    (void) level;
    n = snprintf(buf, sizeof(buf), "%s: %s\n", msg_progname, text);
    if (n > (int) sizeof(buf) - 1)
	n = (int) sizeof(buf) - 1;
    if (n > 0 && write(STDERR_FILENO, buf, (size_t) n) < 0) {
	/* nowhere left to complain */
    }
}

/* msg_syslog_open - remember ident and facility for the syslog sink */

void    msg_syslog_open(const char *ident, int facility)
{
    openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

/* msg_syslog_sink - to syslog(3) */

void    msg_syslog_sink(int level, const char *text)
{
    static const int prio[] = {LOG_INFO, LOG_WARNING, LOG_ERR, LOG_CRIT, LOG_CRIT};

    syslog(prio[level], "%s", text);
}

/* msg_error_count - how many errors */

int     msg_error_count(void)
{
    return (msg_errors);
}

/* msg_vprintf - format, sanitize and dispatch one line */

void    msg_vprintf(int level, const char *fmt, va_list ap)
{
    char    line[MSG_LINE_MAX];
    size_t  off;
    int     n;
    int     i;
    unsigned char *cp;

    if (msg_busy)
	return;
    msg_busy = 1;
    off = strlen(msg_words[level]);
    memcpy(line, msg_words[level], off);
    n = vsnprintf(line + off, sizeof(line) - off, fmt, ap);
    if (n < 0)
	line[off] = 0;
    for (cp = (unsigned char *) line + off; *cp; cp++)
	if (*cp < 0x20 || *cp == 0x7f)
	    *cp = '?';
    for (i = 0; i < msg_nsinks; i++)
	msg_sinks[i] (level, line);
    msg_busy = 0;
}

#define MSG_BODY(level) do { \
	int saved_errno = errno; \
	va_list ap; \
	va_start(ap, fmt); \
	errno = saved_errno; \
	msg_vprintf((level), fmt, ap); \
	va_end(ap); \
	errno = saved_errno; \
    } while (0)

/* msg_info - informational */

void    msg_info(const char *fmt,...)
{
    MSG_BODY(MSG_INFO);
}

/* msg_warn - recoverable trouble */

void    msg_warn(const char *fmt,...)
{
    MSG_BODY(MSG_WARN);
}

/* msg_error - counted trouble */

void    msg_error(const char *fmt,...)
{
    msg_errors++;
    MSG_BODY(MSG_ERROR);
}

/* msg_fatal - unrecoverable environment trouble: exit 1 */

void    msg_fatal(const char *fmt,...)
{
    MSG_BODY(MSG_FATAL);
    if (msg_cleanup_fn) {
	MSG_CLEANUP_FN fn = msg_cleanup_fn;

	msg_cleanup_fn = 0;
	fn();
    }
    exit(1);
}

/* msg_panic - our own bug: abort for a core file */

void    msg_panic(const char *fmt,...)
{
    MSG_BODY(MSG_PANIC);
    abort();
}
