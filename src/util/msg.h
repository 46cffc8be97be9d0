/* msg - diagnostics with Postfix's severity words, to pluggable sinks */
#ifndef MSG_H
#define MSG_H
#include <stdarg.h>

#define MSG_INFO	0
#define MSG_WARN	1
#define MSG_ERROR	2
#define MSG_FATAL	3
#define MSG_PANIC	4

#ifndef PRINTF_LIKE
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#endif

/* A sink receives one finished line (severity word included, no newline). */
typedef void (*MSG_SINK_FN) (int level, const char *text);
typedef void (*MSG_CLEANUP_FN) (void);

extern int msg_verbose;			/* one -v per level */
extern const char *msg_progname;	/* set by msg_init() */

/* Name the program for the default stderr sink and for sinks that want it. */
extern void msg_init(const char *progname);
/* Replace every sink by fn (NULL: the stderr default); returns the previous first sink. */
extern MSG_SINK_FN msg_set_sink(MSG_SINK_FN fn);
/* Send lines to one more sink as well. */
extern void msg_add_sink(MSG_SINK_FN fn);
/* Run fn before msg_fatal() exits (e.g. remove a pid file). */
extern MSG_CLEANUP_FN msg_set_cleanup(MSG_CLEANUP_FN fn);
/* Built-in sinks: "progname: text" on stderr; syslog(3) with ident and facility. */
extern void msg_stderr_sink(int level, const char *text);
extern void msg_syslog_open(const char *ident, int facility);
extern void msg_syslog_sink(int level, const char *text);
/* Number of msg_error() calls so far. */
extern int msg_error_count(void);

/* %m expands to strerror(errno) as it was on entry. */
extern void msg_info(const char *fmt,...) PRINTF_LIKE(1, 2);
extern void msg_warn(const char *fmt,...) PRINTF_LIKE(1, 2);
extern void msg_error(const char *fmt,...) PRINTF_LIKE(1, 2);
extern _Noreturn void msg_fatal(const char *fmt,...) PRINTF_LIKE(1, 2);
extern _Noreturn void msg_panic(const char *fmt,...) PRINTF_LIKE(1, 2);
extern void msg_vprintf(int level, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);

#endif
