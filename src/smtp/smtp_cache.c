/*
 * smtp_cache - hand idle connections to posthorn-scache(8) and take them back
 * DESCRIPTION
 *	After a transaction to a destination that has more mail waiting
 *	(the request's DELIVER_FLAG_CACHE, when smtp_connection_cache_on_demand
 *	is on) or that is listed in smtp_connection_cache_destinations, the
 *	connection goes to the connection cache instead of getting QUIT: the
 *	socket travels over private/scache with SCM_RIGHTS, together with what
 *	we know of the server (name, address, port, EHLO features, SIZE limit,
 *	use count, time of first use). The next delivery to that next hop, by
 *	any smtp process, asks the cache first and skips DNS, connect, greeting
 *	and EHLO. smtp_connection_reuse_count_limit and
 *	smtp_connection_reuse_time_limit bound how long one connection lives.
 *	With SMTP AUTH the properties also carry the SASL username the
 *	session was set up under (smtp_sasl.h), and a cached session is
 *	taken only when the password table still gives that name for its
 *	server and this next hop: an authenticated connection never serves
 *	another credential. (The label, transport and next hop, already keeps
 *	next hops apart, as Postfix's does.)
 *	When scache cannot be reached, smtp simply connects and says QUIT.
 *
 *	Protocol on private/scache (one request per connection; the same
 *	constants are in src/scache/scache.c): the client sends one byte,
 *	'F' with a descriptor attached or 'Q' without, then an attribute list
 *	"request=save|find", "label", and for save "endpoint", "props", "ttl".
 *	scache answers one byte ('F' with a descriptor, or 'N'), then an
 *	attribute list "status" (0 found or saved, 1 not found) and, with a
 *	descriptor, "endpoint" and "props". The descriptor byte goes first so
 *	no buffered read can swallow it.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtp.h"
#include "smtp_sasl.h"
#include "argv.h"
#include "attr.h"
#include "cfg_params.h"
#include "fdpass.h"
#include "scache_proto.h"
#include "msg.h"
#include "mymalloc.h"
#include "sockutil.h"
#include "spool.h"
#include "strutil.h"

#define SMTP_CACHE_TIMEOUT	5	/* seconds for one conversation with scache */
#define SMTP_CACHE_TRIES	3	/* stale connections skipped per lookup */

/* smtp_cache_wanted - keep connections to this request's next hop? */

int     smtp_cache_wanted(const DELIVER_REQUEST *req, const char *dest_list, int on_demand)
{
    ARGV   *dests;
    size_t  i;
    int     hit = 0;
    const char *host = req->nexthop;
    size_t  hlen;

    if (on_demand && (req->flags & DELIVER_FLAG_CACHE))
	return (1);
    if (dest_list == 0 || *dest_list == 0)
	return (0);
    /* The whole next hop, or its host part without brackets or port. */
    if (*host == '[')
	host++;
    hlen = strcspn(host, "]:");
    dests = argv_split(dest_list, ", \t\r\n");
    for (i = 0; i < dests->argc && !hit; i++)
	hit = strcasecmp(dests->argv[i], req->nexthop) == 0
	    || (strlen(dests->argv[i]) == hlen && strncasecmp(dests->argv[i], host, hlen) == 0);
    argv_free(dests);
    return (hit);
}

/* smtp_cache_reusable - may this connection serve another transaction */

int     smtp_cache_reusable(const SMTP_SESSION *session, time_t now,
			            int count_limit, int time_limit)
{
    if (session->broken || session->dirty || session->tls)
	return (0);				/* TLS state cannot travel with the socket */
    if (count_limit > 0 && session->use_count >= count_limit)
	return (0);
    return (now - session->first_use < time_limit);
}

/* smtp_cache_props - what travels with the socket */

void    smtp_cache_props(DSTR *out, const SMTP_SESSION *session)
{
    DSTR   *user = dstr_new(32);

    smtp_sasl_user_encode(user, session->sasl_user);
    dstr_sprintf(out, "%s %s %u %d %ld %d %lld %s", session->host, session->addr,
		 session->port, session->features, session->size_limit,
		 session->use_count, (long long) session->first_use, dstr_str(user));
    dstr_free(user);
}

/* smtp_cache_unprops - a session from a cached socket and its properties */

SMTP_SESSION *smtp_cache_unprops(int fd, const char *props)
{
    ARGV   *f = argv_split(props, " ");
    DSTR   *user = dstr_new(32);
    SMTP_SESSION *session = 0;
    long    port;
    long    features;
    long    size;
    long    uses;
    long    first;
    int     has_user;

    if (f->argc == 8
	&& str_to_long(f->argv[2], 1, 65535, &port) == 0
	&& str_to_long(f->argv[3], 0, 0x7fffffff, &features) == 0
	&& str_to_long(f->argv[4], 0, 0x7fffffffffffL, &size) == 0
	&& str_to_long(f->argv[5], 0, 0x7fffffff, &uses) == 0
	&& str_to_long(f->argv[6], 0, 0x7fffffffffffL, &first) == 0
	&& (has_user = smtp_sasl_user_decode(user, f->argv[7])) >= 0) {
	session = smtp_session_new(fd, f->argv[0], f->argv[1], (unsigned) port);
	session->features = (int) features;
	session->size_limit = size;
	session->use_count = (int) uses;
	session->first_use = (time_t) first;
	session->reused = 1;
	session->sasl_user = has_user ? mystrdup(dstr_str(user)) : 0;
    }
    argv_free(f);
    dstr_free(user);
    return (session);
}

/* smtp_cache_connect - a connection to scache, or -1 (quietly: it is optional) */

static int smtp_cache_connect(void)
{
    DSTR   *path = dstr_new(64);
    int     sock = sock_unix_connect(spool_service_path(path, 1, SCACHE_SERVICE));

    if (sock < 0 && msg_verbose)
	msg_info("connect to %s: %m", dstr_str(path));
    dstr_free(path);
    return (sock);
}

/* smtp_cache_alive - a cached connection the server has not closed meanwhile */

static int smtp_cache_alive(int fd)
{
    struct pollfd pfd;

    pfd.fd = fd;
    pfd.events = POLLIN;
    /* Readable while idle means end of file or an unsolicited 421. */
    return (poll(&pfd, 1, 0) == 0);
}

/* smtp_cache_find_one - one lookup: a session, NULL when none is cached */

static SMTP_SESSION *smtp_cache_find_one(const char *label, const char *nexthop, int *again)
{
    SMTP_SESSION *session = 0;
    ATTR_LIST *reply = attr_list_new();
    DSTR   *req = dstr_new(128);
    const char *props;
    IOS    *ios;
    int     sock;
    int     fd = -1;

    *again = 0;
    if ((sock = smtp_cache_connect()) < 0)
	goto out;
    attr_put_str(req, "request", SCACHE_REQ_FIND);
    attr_put_str(req, "label", label);
    attr_put_end(req);
    ios = ios_open(sock);
    ios_set_timeout(ios, SMTP_CACHE_TIMEOUT);
    if (fdpass_send(sock, SCACHE_NO_FD, -1) < 0
	|| ios_write(ios, dstr_str(req), dstr_len(req)) < 0 || ios_flush(ios) < 0
	|| fdpass_recv(sock, &fd, SMTP_CACHE_TIMEOUT * 1000) != SCACHE_WITH_FD || fd < 0
	|| attr_read(ios, reply, ATTR_MAX_LEN, 16) != ATTR_OK
	|| (props = attr_get_str(reply, "props")) == 0) {
	ios_close(ios);
	goto out;
    }
    ios_close(ios);
    if (!smtp_cache_alive(fd)) {
	*again = 1;
    } else if ((session = smtp_cache_unprops(fd, props)) == 0) {
	msg_warn("scache: malformed connection properties \"%s\"", props);
	*again = 1;
    } else if (!smtp_sasl_reuse_ok(session, nexthop)) {
	fd = -1;				/* the session owns it now */
	smtp_session_quit(session);
	session = 0;
	*again = 1;
    } else {
	fd = -1;
    }
out:
    if (fd >= 0)
	close(fd);
    attr_list_free(reply);
    dstr_free(req);
    return (session);
}

/* smtp_cache_find - an idle connection to this next hop, if one is cached */

SMTP_SESSION *smtp_cache_find(const char *label, const char *nexthop)
{
    SMTP_SESSION *session = 0;
    int     again = 1;
    int     tries;

    for (tries = 0; session == 0 && again && tries < SMTP_CACHE_TRIES; tries++)
	session = smtp_cache_find_one(label, nexthop, &again);
    if (session && msg_verbose)
	msg_info("%s: reusing cached connection to %s (use %d)", label,
		 dstr_str(session->relay), session->use_count + 1);
    return (session);
}

/* smtp_cache_save - give the connection to scache; QUIT when it will not take it */

void    smtp_cache_save(SMTP_SESSION *session, const char *label, int ttl)
{
    DSTR   *req = dstr_new(256);
    DSTR   *props = dstr_new(128);
    IOS    *ios;
    int     sock;
    int     ok = 0;
    int     fd = -1;

    if ((sock = smtp_cache_connect()) >= 0) {
	smtp_cache_props(props, session);
	attr_put_str(req, "request", SCACHE_REQ_SAVE);
	attr_put_str(req, "label", label);
	attr_put_str(req, "endpoint", dstr_str(session->relay));
	attr_put_str(req, "props", dstr_str(props));
	attr_put_long(req, "ttl", ttl);
	attr_put_end(req);
	ios = ios_open(sock);
	ios_set_timeout(ios, SMTP_CACHE_TIMEOUT);
	ok = fdpass_send(sock, SCACHE_WITH_FD, ios_fd(session->ios)) == 0
	    && ios_write(ios, dstr_str(req), dstr_len(req)) == 0 && ios_flush(ios) == 0
	    && fdpass_recv(sock, &fd, SMTP_CACHE_TIMEOUT * 1000) == SCACHE_NONE;
	if (fd >= 0)
	    close(fd);
	ios_close(ios);
    }
    dstr_free(req);
    dstr_free(props);
    if (ok)
	smtp_session_free(session);		/* our copy only: scache keeps its own */
    else
	smtp_session_quit(session);
}
