/*
 * maillog - log destinations
 * DESCRIPTION
 *	A chrooted daemon cannot open a file outside its jail, so with
 *	maillog_file set, daemons send each finished line as a datagram to
 *	the postlogd service and postlogd appends it; master, which is not
 *	chrooted, appends directly. The socket is in private/: only root and
 *	mail_owner may write the log (docs/design.md). The sender formats the whole line (time,
 *	host, syslog_name/program[pid]) so pflogsumm reads it as a syslog line
 *	and lines stay correct even if postlogd writes them late.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "procid.h"
#include "maillog.h"
#include "cfg.h"
#include "cfg_params.h"
#include "msg.h"
#include "sockutil.h"
#include "spool.h"
#include "timefmt.h"
#include "fsutil.h"
#include "mymalloc.h"

static char *maillog_prog;
static char maillog_host[256];
static int maillog_fd = -1;		/* file (direct) or connected socket */
static int maillog_direct;
static DSTR *maillog_line;

/* maillog_facility - syslog facility by name */

int     maillog_facility(const char *name)
{
    static const struct {
	const char *name;
	int     value;
    }       map[] = {
	{"mail", LOG_MAIL}, {"daemon", LOG_DAEMON}, {"user", LOG_USER},
	{"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
	{"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
	{"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
    };
    size_t  i;

    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
	if (strcasecmp(map[i].name, name) == 0)
	    return (map[i].value);
    return (-1);
}

/* maillog_format - syslog-shaped line */

void    maillog_format(DSTR *out, const char *text)
{
    DSTR_RESET(out);
    timefmt_syslog(out, time((time_t *) 0));
    dstr_printf(out, " %s %s/%s[%ld]: %s", maillog_host, var_syslog_name,
		maillog_prog ? maillog_prog : msg_progname, (long) procid_self(), text);
}

/* maillog_sink - msg sink for maillog_file */

static void maillog_sink(int level, const char *text)
{
    (void) level;
    maillog_format(maillog_line, text);
    if (maillog_direct) {
	(void) dstr_catc(maillog_line, '\n');
	if (maillog_fd >= 0
	    && fs_write_all(maillog_fd, dstr_str(maillog_line), dstr_len(maillog_line)) == 0)
	    return;
    } else if (maillog_fd >= 0) {
	if (send(maillog_fd, dstr_str(maillog_line), dstr_len(maillog_line), 0) >= 0)
	    return;
	(void) dstr_catc(maillog_line, '\n');
    }
    /* Nowhere else to go: stderr (a terminal in the foreground, else /dev/null). */
    if (fs_write_all(STDERR_FILENO, dstr_str(maillog_line), dstr_len(maillog_line)) < 0) {
	/* nothing left to try */
    }
}

/* maillog_tee_sink - formatted copy on stdout (start-fg) */

static void maillog_tee_sink(int level, const char *text)
{
    DSTR   *line = dstr_new(256);

    (void) level;
    maillog_format(line, text);
    (void) dstr_catc(line, '\n');
    (void) fs_write_all(STDOUT_FILENO, dstr_str(line), dstr_len(line));
    dstr_free(line);
}

/* maillog_open - (re)open the destination */

static void maillog_open(void)
{
    DSTR   *path;

    if (maillog_fd >= 0)
	close(maillog_fd);
    if (maillog_direct) {
	if ((maillog_fd = fs_open_append(var_maillog_file, 0640)) < 0)
	    msg_warn("open %s: %m", var_maillog_file);	/* lines go to stderr */
    } else {
	path = dstr_new(256);
	dstr_sprintf(path, "%s/%s/%s", var_queue_dir, SPOOL_PRIVATE, var_postlog_service);
	maillog_fd = sock_unix_dgram_connect(dstr_str(path));
	dstr_free(path);
    }
}

/* maillog_init - choose sinks */

void    maillog_init(const char *prog, int flags)
{
    int     facility;
    DSTR   *ident;

    if (maillog_prog)
	maillog_prog = myfree(maillog_prog);
    maillog_prog = mystrdup(prog);
    if (gethostname(maillog_host, sizeof(maillog_host) - 1) < 0)
	strcpy(maillog_host, "localhost");
    maillog_host[strcspn(maillog_host, ".")] = 0;
    tzset();					/* before any chroot */
    if (maillog_line == 0)
	maillog_line = dstr_new(256);
    if (*var_maillog_file) {
	maillog_direct = (flags & MAILLOG_DIRECT) != 0;
	maillog_open();
	msg_set_sink(maillog_sink);
    } else {
	if ((facility = maillog_facility(var_syslog_facility)) < 0)
	    facility = LOG_MAIL;
	ident = dstr_new(64);
	dstr_sprintf(ident, "%s/%s", var_syslog_name, prog);
	closelog();
	msg_syslog_open(dstr_export(ident), facility);	/* openlog keeps the pointer */
	msg_set_sink(msg_syslog_sink);
    }
    if (flags & MAILLOG_TEE)
	msg_add_sink(maillog_tee_sink);
}

/* maillog_reopen - after rotation */

void    maillog_reopen(void)
{
    if (*var_maillog_file && maillog_direct)
	maillog_open();
}
