/*
 * scache - keep idle SMTP connections for reuse by any smtp process
 * DESCRIPTION
 *	One long-running process (master.cf: "scache unix - - y - 1 scache")
 *	that holds connected sockets handed to it by posthorn-smtp(8) after a
 *	successful transaction, and hands them back to the next smtp process
 *	that delivers to the same next hop. A connection is kept at most the
 *	time the client asked for (smtp_connection_cache_time_limit), never
 *	longer than connection_cache_ttl_limit; when more than SCACHE_MAX
 *	connections are held, the oldest is closed. Closing an idle cached
 *	connection just closes the socket: the server sees the client go away,
 *	as with Postfix's scache.
 *
 *	Protocol on private/scache, one request per connection (scache_proto.h): the client sends one byte,
 *	'F' with a descriptor attached (SCM_RIGHTS) or 'Q' without, then an
 *	attribute list: request=save with label, endpoint, props and ttl
 *	(seconds), or request=find with label. The answer is one byte, 'F'
 *	with a descriptor or 'N', then an attribute list: status (0 done or
 *	found, 1 not found or refused) and, for a found connection, endpoint
 *	and props. The descriptor byte travels first, so buffered reads of the
 *	attribute list can never swallow it.
 *
 *	It also keeps TLS sessions for posthorn-smtp(8) (request=sess_save with
 *	label, session and ttl; request=sess_find with label; no descriptor
 *	either way), Postfix's tlsmgr(8) session cache in memory: at most
 *	SCACHE_SESS_MAX sessions and SCACHE_SESS_BYTES bytes, each for the
 *	time smtp asked (smtp_tls_session_cache_timeout), the oldest first
 *	to go. A session stays cached when it is handed out.
 *
 *	Requests are tiny and come from local daemons only, so each is served
 *	to its end before the next one is taken, bounded by SCACHE_TIMEOUT.
 *	The process exits when master says so, or after max_idle seconds with
 *	nothing cached (connections or TLS sessions) and no requests.
 * SECURITY
 *	Reachable only by posthorn daemons (private/); runs chrooted as
 *	mail_owner; never reads from or writes to the cached connections.
 * PARAMETERS
 *	connection_cache_ttl_limit (2s), max_idle (100s), ipc_timeout.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "scache.h"
#include "attr.h"
#include "cfg_params.h"
#include "evloop.h"
#include "fdpass.h"
#include "scache_proto.h"
#include "ios.h"
#include "msg.h"
#include "server.h"

#define SCACHE_MAX	500		/* connections held at most */
#define SCACHE_TIMEOUT	5		/* seconds for one request */
#define SCACHE_SESS_MAX	2000		/* TLS sessions held at most */
#define SCACHE_SESS_BYTES (16 * 1024 * 1024)	/* and their bytes */
#define SCACHE_SESS_TTL_MAX 8640000	/* seconds (100 days, as Postfix) */
#define SCACHE_LABEL_MAX 1024		/* bytes of a session key */

static SCACHE *scache;
static SCACHE_SESS_TABLE *scache_sess;
static int scache_stop;
static long long scache_last_request;

/* scache_answer - the attribute list after the descriptor byte */

static void scache_answer(IOS *ios, int status, const SCACHE_ENTRY *found)
{
    DSTR   *out = dstr_new(256);

    attr_put_long(out, "status", status);
    if (found) {
	attr_put_str(out, "endpoint", found->endpoint);
	attr_put_str(out, "props", found->props);
    }
    attr_put_end(out);
    (void) ios_write(ios, dstr_str(out), dstr_len(out));
    (void) ios_flush(ios);
    dstr_free(out);
}

/* scache_save - keep a connection */

static void scache_save(IOS *ios, int sock, const ATTR_LIST *req, int fd)
{
    const char *label = attr_get_str(req, "label");
    const char *endpoint = attr_get_str(req, "endpoint");
    const char *props = attr_get_str(req, "props");
    long    ttl;

    if (fd < 0 || label == 0 || endpoint == 0 || props == 0
	|| attr_get_long(req, "ttl", &ttl, 1, 86400) < 0) {
	msg_warn("malformed save request");
	if (fd >= 0)
	    close(fd);
	(void) fdpass_send(sock, SCACHE_NONE, -1);
	scache_answer(ios, 1, 0);
	return;
    }
    if (ttl > var_scache_ttl_lim)
	ttl = var_scache_ttl_lim;
    scache_add(scache, label, endpoint, props, fd, ios_now_ms(), ttl * 1000);
    if (msg_verbose)
	msg_info("save %s %s for %lds", label, endpoint, ttl);
    (void) fdpass_send(sock, SCACHE_NONE, -1);
    scache_answer(ios, 0, 0);
}

/* scache_find - hand a connection back */

static void scache_find(IOS *ios, int sock, const ATTR_LIST *req)
{
    const char *label = attr_get_str(req, "label");
    SCACHE_ENTRY found;

    if (label == 0 || scache_take(scache, label, ios_now_ms(), &found) < 0) {
	(void) fdpass_send(sock, SCACHE_NONE, -1);
	scache_answer(ios, 1, 0);
	return;
    }
    if (msg_verbose)
	msg_info("find %s: %s", label, found.endpoint);
    if (fdpass_send(sock, SCACHE_WITH_FD, found.fd) == 0)
	scache_answer(ios, 0, &found);
    close(found.fd);				/* the client has its own copy now */
    scache_entry_free(&found);
}

/* scache_sess_save - keep a TLS session */

static void scache_sess_save(IOS *ios, int sock, const ATTR_LIST *req)
{
    const char *label = attr_get_str(req, "label");
    const char *session = attr_get_str(req, "session");
    long    ttl;

    (void) fdpass_send(sock, SCACHE_NONE, -1);
    if (label == 0 || session == 0 || strlen(label) > SCACHE_LABEL_MAX
	|| strlen(session) > SCACHE_SESSION_MAX
	|| strspn(session, "0123456789abcdefABCDEF") != strlen(session)
	|| attr_get_long(req, "ttl", &ttl, 1, SCACHE_SESS_TTL_MAX) < 0) {
	msg_warn("malformed TLS session save request");
	scache_answer(ios, 1, 0);
	return;
    }
    scache_sess_put(scache_sess, label, session, ios_now_ms(), ttl * 1000);
    if (msg_verbose)
	msg_info("sess_save %s for %lds", label, ttl);
    scache_answer(ios, 0, 0);
}

/* scache_sess_find - hand a TLS session out (it stays: tickets may be reused) */

static void scache_sess_find(IOS *ios, int sock, const ATTR_LIST *req)
{
    const char *label = attr_get_str(req, "label");
    const char *session = label ? scache_sess_get(scache_sess, label, ios_now_ms()) : 0;
    DSTR   *out;

    (void) fdpass_send(sock, SCACHE_NONE, -1);
    if (msg_verbose)
	msg_info("sess_find %s: %s", label ? label : "(none)", session ? "found" : "not found");
    if (session == 0) {
	scache_answer(ios, 1, 0);
	return;
    }
    out = dstr_new(strlen(session) + 64);
    attr_put_long(out, "status", 0);
    attr_put_str(out, "session", session);
    attr_put_end(out);
    (void) ios_write(ios, dstr_str(out), dstr_len(out));
    (void) ios_flush(ios);
    dstr_free(out);
}

/* scache_serve - one request on an accepted connection */

static void scache_serve(int sock)
{
    ATTR_LIST *req = attr_list_new();
    IOS    *ios = ios_open(sock);
    const char *what;
    int     fd = -1;
    int     first;

    ios_set_timeout(ios, SCACHE_TIMEOUT);
    if ((first = fdpass_recv(sock, &fd, SCACHE_TIMEOUT * 1000)) != SCACHE_WITH_FD && first != SCACHE_NO_FD) {
	msg_warn("malformed request from client");
    } else if (attr_read(ios, req, SCACHE_SESSION_ATTR_MAX, 16) != ATTR_OK
	       || (what = attr_get_str(req, "request")) == 0) {
	msg_warn("malformed request from client");
    } else if (strcmp(what, SCACHE_REQ_SAVE) == 0) {
	scache_save(ios, sock, req, fd);
	fd = -1;
    } else if (strcmp(what, SCACHE_REQ_FIND) == 0) {
	scache_find(ios, sock, req);
    } else if (strcmp(what, SCACHE_REQ_SESS_SAVE) == 0) {
	scache_sess_save(ios, sock, req);
    } else if (strcmp(what, SCACHE_REQ_SESS_FIND) == 0) {
	scache_sess_find(ios, sock, req);
    } else {
	msg_warn("unknown request \"%s\"", what);
    }
    if (fd >= 0)
	close(fd);
    ios_close(ios);
    attr_list_free(req);
}

/* scache_accept - a client is there */

static void scache_accept(int listen_fd, void *ctx)
{
    int     sock;

    (void) ctx;
    if ((sock = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
	    && errno != ECONNABORTED)
	    msg_warn("accept: %m");
	return;
    }
    scache_last_request = ios_now_ms();
    scache_serve(sock);
}

/* scache_alive - master closed our alive pipe: reload or stop */

static void scache_alive(int fd, void *ctx)
{
    (void) fd;
    (void) ctx;
    scache_stop = 1;
}

/* scache_loop - serve until told to go, or idle and empty */

static void scache_loop(const int *fds, int nfds)
{
    long long next;
    long long sess_next;
    long long now;
    long long wait;
    int     i;

    scache = scache_new(SCACHE_MAX, 0);
    scache_sess = scache_sess_new(SCACHE_SESS_MAX, SCACHE_SESS_BYTES);
    for (i = 0; i < nfds; i++)
	evloop_read(fds[i], scache_accept, 0);
    if (server_alive_fd() >= 0)
	evloop_read(server_alive_fd(), scache_alive, 0);
    scache_last_request = ios_now_ms();
    while (!scache_stop) {
	now = ios_now_ms();
	next = scache_expire(scache, now);
	/* TLS sessions keep us alive too, until they expire. */
	if ((sess_next = scache_sess_expire(scache_sess, now)) != 0
	    && (next == 0 || sess_next < next))
	    next = sess_next;
	if (next == 0 && now - scache_last_request >= (long long) var_idle_limit * 1000)
	    break;				/* nothing to keep, nobody asking */
	wait = next ? next - now : (long long) var_idle_limit * 1000;
	if (wait < 1)
	    wait = 1;
	(void) evloop_run_once((int) (wait > 0x7fffffff ? 0x7fffffff : wait));
    }
    if (msg_verbose)
	msg_info("statistics: hits=%ld misses=%ld expired=%ld evicted=%ld",
		 scache->hits, scache->misses, scache->expired, scache->evicted);
    scache_free(scache);
    scache_sess_free(scache_sess);
}

int     main(int argc, char **argv)
{
    static const SERVER_DESC desc = {
	.name = "scache",
	.loop = scache_loop,
	.flags = SERVER_FLAG_PERSISTENT,
    };

    server_main(argc, argv, &desc);
}
