/* mastercf - master.cf: the services master runs */
#ifndef MASTERCF_H
#define MASTERCF_H
#include <stddef.h>
#include "argv.h"
#include "dstr.h"

typedef struct MASTERCF_ENTRY {
    char   *name;			/* service field as written: "628",
					 * "127.0.0.1:628", "[::1]:628", "cleanup" */
    char   *type;			/* "inet", "unix" or "unix-dgram" */
    int     private_;			/* y: socket in private/, n: public/ */
    int     unpriv;			/* y: run as mail_owner */
    int     chroot;			/* y: chroot to queue_directory */
    int     wakeup;			/* seconds between "W" triggers; 0 = none */
    int     wakeup_if_used;		/* the wakeup field ended in '?' */
    int     maxproc;			/* 0 = no limit; -1 = '-' (default_process_limit) */
    ARGV   *args;			/* command (argv[0]) and its arguments, "-o"
					 * pairs kept as written, {...} groups unwrapped */
    int     line;			/* where the entry starts, for messages */
} MASTERCF_ENTRY;

typedef struct MASTERCF {
    MASTERCF_ENTRY *entries;
    size_t  count;
} MASTERCF;

/*
 * Parse master.cf syntax: "#" comment lines, logical lines continued by
 * lines that start with white space, eight columns then arguments; '-'
 * means the column's default (private y, unpriv y, chroot n, wakeup 0,
 * maxproc -1). Returns NULL and one line in err naming file and line
 * ("master.cf, line 7: bad maxproc field \"x\"") on any error, including
 * an unknown type, a duplicate service name and type, or a posthorn daemon
 * on a socket it cannot serve (qmgr and showq need public sockets of type
 * unix-dgram and unix, postlogd a private unix-dgram one, cleanup, smtp,
 * bounce and scache private unix ones, qmqpd inet).
 */
extern MASTERCF *mastercf_parse_file(const char *path, DSTR *err);
extern MASTERCF *mastercf_parse_text(const char *text, size_t len,
				             const char *filename, DSTR *err);
extern void mastercf_free(MASTERCF *cf);

#endif
