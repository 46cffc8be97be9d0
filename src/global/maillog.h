/* maillog - where daemons' log lines go: syslog, or maillog_file through postlogd */
#ifndef MAILLOG_H
#define MAILLOG_H
#include "dstr.h"

#define MAILLOG_DIRECT	(1<<0)		/* write maillog_file ourselves (master, unchrooted) */
#define MAILLOG_TEE	(1<<1)		/* also copy every formatted line to stdout */

/*
 * Set msg sinks from the loaded configuration, for program name prog:
 * with maillog_file empty, syslog(3) with ident "syslog_name/prog"; else
 * lines "Mmm dd hh:mm:ss host syslog_name/prog[pid]: text" appended to
 * maillog_file, directly (MAILLOG_DIRECT) or as datagrams to postlogd's
 * socket in private/, connected now so it keeps working after chroot.
 */
extern void maillog_init(const char *prog, int flags);
/* Reopen maillog_file (after posthorn logrotate moved it). */
extern void maillog_reopen(void);
/* The full line for text, as written to maillog_file (no newline). */
extern void maillog_format(DSTR *out, const char *text);
/* Map a syslog_facility name ("mail", "local0"...) to its value; -1 if unknown. */
extern int maillog_facility(const char *name);

#endif
