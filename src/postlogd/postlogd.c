/*
 * postlogd - write maillog_file for daemons that cannot reach it
 * DESCRIPTION
 *	Chrooted daemons send each finished log line as a datagram to the
 *	postlog socket in private/ (maillog.c formats the whole line); this
 *	daemon, running outside the chroot, appends them to maillog_file,
 *	many lines per write. With POSTHORN_LOG_TEE set (posthorn start-fg)
 *	it copies them to standard output too. On reload or stop it drains
 *	what is queued before it exits, so no line is lost; `posthorn
 *	logrotate` restarts it to reopen the file. The skeleton's watchdog
 *	bounds each round of the loop (a write to a hung file system), not
 *	the wait for lines.
 *
 *	Each datagram becomes exactly one line: control characters, a
 *	newline among them, are replaced (str_one_line()), so no sender can
 *	make one datagram look like two log lines.
 * SECURITY
 *	Opens maillog_file as root (refusing a symbolic link, a file with
 *	other links, or one owned by someone else), then runs as mail_owner,
 *	not chrooted. Its socket is in private/, which only root and
 *	mail_owner can enter; on top of that it asks the kernel who sent
 *	each datagram (SO_PASSCRED) and drops any that root or mail_owner
 *	did not send.
 * PARAMETERS
 *	maillog_file, postlog_service_name.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cfg_params.h"
#include "fsutil.h"
#include "maillog.h"
#include "master_proto.h"
#include "msg.h"
#include "server.h"
#include "sockcred.h"
#include "strutil.h"
#include "timefmt.h"
#include "user_acl.h"
#include "watchdog.h"

#define POSTLOGD_LINE_MAX	8192
#define POSTLOGD_BATCH		(256 * 1024)

static int postlogd_fd = -1;
static int postlogd_tee;

/* postlogd_stranger - a datagram from someone else: drop it, say so now and then */

static void postlogd_stranger(const SOCK_CRED *cred)
{
    static time_t last;
    time_t  now = time((time_t *) 0);

    if (now != last) {
	msg_warn("dropped a log line from uid %ld (pid %ld): only root and mail_owner may log",
		 (long) cred->uid, (long) cred->pid);
	last = now;
    }
}

/* postlogd_drain - read queued datagrams, append up to a batch in one write;
 * returns the number of bytes written */

static size_t postlogd_drain(int sock)
{
    DSTR   *batch = dstr_new(POSTLOGD_BATCH);
    SOCK_CRED cred;
    char   *line;
    ssize_t n;

    for (;;) {
	line = dstr_space(batch, POSTLOGD_LINE_MAX + 1);
	n = sockcred_recv(sock, line, POSTLOGD_LINE_MAX, &cred, NULL);
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0)
	    break;
	if (!user_acl_privileged(cred.uid)) {
	    postlogd_stranger(&cred);
	    continue;
	}
	if ((n = (ssize_t) str_one_line(line, (size_t) n)) == 0)
	    continue;
	line[n++] = '\n';
	dstr_addlen(batch, (size_t) n);
	if (dstr_len(batch) >= POSTLOGD_BATCH)
	    break;
    }
    if (dstr_len(batch) > 0) {
	if (postlogd_fd >= 0
	    && fs_write_all(postlogd_fd, dstr_str(batch), dstr_len(batch)) < 0)
	    msg_warn("write %s: %m", var_maillog_file);
	if (postlogd_tee)
	    (void) fs_write_all(STDOUT_FILENO, dstr_str(batch), dstr_len(batch));
    }
    n = (ssize_t) dstr_len(batch);
    dstr_free(batch);
    return ((size_t) n);
}

/* postlogd_loop - serve until master says go, then drain and exit */

static void postlogd_loop(const int *fds, int nfds)
{
    struct pollfd pfd[2];
    int     n;

    if (nfds != 1)
	msg_fatal("expected one unix-dgram listener, got %d", nfds);
    if (sockcred_enable(fds[0]) < 0)
	msg_fatal("cannot ask for senders' credentials on the log socket: %m");
    pfd[0].fd = fds[0];
    pfd[0].events = POLLIN;
    pfd[1].fd = server_alive_fd();
    pfd[1].events = POLLIN;
    for (;;) {
	watchdog_pause();			/* waiting for lines is no hang */
	n = poll(pfd, pfd[1].fd >= 0 ? 2 : 1, -1);
	watchdog_pat();
	if (n < 0) {
	    if (errno == EINTR)
		continue;
	    msg_fatal("poll: %m");
	}
	if (pfd[0].revents)
	    postlogd_drain(fds[0]);
	if (pfd[1].fd >= 0 && pfd[1].revents) {
	    while (postlogd_drain(fds[0]) > 0)
		 /* everything queued before we go */ ;
	    return;
	}
    }
}

/* postlogd_pre_jail - open the file while still root */

static void postlogd_pre_jail(const char *service, char **argv)
{
    (void) service;
    (void) argv;
    postlogd_tee = getenv(MASTER_ENV_LOG_TEE) != NULL;
    if (*var_maillog_file == 0)
	return;
    if ((postlogd_fd = fs_open_append(var_maillog_file, 0640)) < 0)
	msg_fatal("open %s: %m", var_maillog_file);
    /* Our own complaints go straight to the file: through our own socket, a
     * warning about a failing write would only come back to us. */
    maillog_init("postlogd", MAILLOG_DIRECT);
}

int     main(int argc, char **argv)
{
    static const SERVER_DESC desc = {
	.name = "postlogd",
	.pre_jail = postlogd_pre_jail,
	.loop = postlogd_loop,
	.flags = SERVER_FLAG_PERSISTENT,
    };

    server_main(argc, argv, &desc);
}
