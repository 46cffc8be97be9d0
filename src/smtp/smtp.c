/*
 * smtp - deliver mail to SMTP servers
 * DESCRIPTION
 *	Serves delivery requests from the queue manager on private/<service>,
 *	one per connection: says "ready", reads the request, opens the queue
 *	file read-write under a shared lock (the queue manager's exclusive
 *	lock test tells it whether an agent still works on a file), delivers
 *	(smtp_deliver.c), and answers with the request status and, when the
 *	destination itself failed, a hop status. Every recipient's fate is
 *	recorded before the answer: done marks in the queue file, defer and
 *	bounce logs through the bounce service, one log line each.
 *	The resolver channel is opened once per process, before chroot, from
 *	dns_resolv_conf, and so are the SASL password tables and plugins;
 *	idle connections live in posthorn-scache(8) between requests.
 * SECURITY
 *	Talks to SMTP servers and DNS servers on the network; runs chrooted
 *	in the queue directory as mail_owner. Every reply line, reply, and
 *	DNS answer is bounded.
 * PARAMETERS
 *	smtp_helo_name, smtp_*_timeout, smtp_mx_address_limit,
 *	smtp_mx_session_limit, smtp_skip_5xx_greeting, smtp_skip_quit_response,
 *	smtp_always_send_ehlo, smtp_line_length_limit, smtp_randomize_addresses,
 *	smtp_address_preference, smtp_defer_if_no_mx_address_found,
 *	smtp_bind_address, smtp_bind_address6, smtp_connection_cache_*,
 *	smtp_connection_reuse_*, dns_resolv_conf, disable_dns_lookups,
 *	inet_interfaces, inet_protocols, proxy_interfaces, soft_bounce,
 *	myhostname, ipc_timeout, smtp_sasl_* (SMTP AUTH), smtp_starttls_timeout,
 *	smtp_tls_* (TLS: smtp_tls.c). See posthorn-smtp(8).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "smtp.h"
#include "smtp_sasl.h"
#include "cfg.h"
#include "cfg_params.h"
#include "msg.h"
#include "wire_enc.h"
#include "mymalloc.h"
#include "server.h"
#include "sockutil.h"
#include "spool.h"
#include "strutil.h"
#include "timefmt.h"

#define SMTP_SCAN_CHUNK	65536

/* smtp_scan_8bit - does the message need BODY=8BITMIME; -1 on a read error */

static int smtp_scan_8bit(int fd, long off, long len)
{
    char   *buf = mymalloc(SMTP_SCAN_CHUNK);
    ssize_t n;
    int     ret = 0;

    while (len > 0 && ret == 0) {
	if ((n = pread(fd, buf, len > SMTP_SCAN_CHUNK ? SMTP_SCAN_CHUNK : (size_t) len, off)) <= 0) {
	    ret = -1;
	    break;
	}
	ret = wire_enc_8bit(buf, (size_t) n);
	off += n;
	len -= n;
    }
    free(buf);
    return (ret);
}

/* smtp_open_queue_file - open, lock and check the message; 0 or a site failure */

static int smtp_open_queue_file(SMTP_STATE *st)
{
    DELIVER_REQUEST *req = st->req;
    DSTR   *path = dstr_new(64);
    struct stat sb;
    int     ret = -1;

    spool_path(path, req->queue_name, req->queue_id);
    if ((st->qfd = open(dstr_str(path), O_RDWR | O_CLOEXEC)) < 0) {
	msg_warn("%s: open %s: %m", req->queue_id, dstr_str(path));
	dstr_sprintf(st->buf, "mail system error: cannot open queue file: %s", strerror(errno));
	smtp_site_final(st, SMTP_DEFER, "4.3.0", "none", dstr_str(st->buf));
	goto out;
    }
    /* Shared: the queue manager's exclusive lock test then says "in delivery". */
    if (flock(st->qfd, LOCK_SH | LOCK_NB) < 0) {
	msg_warn("%s: lock %s: %m", req->queue_id, dstr_str(path));
	smtp_site_final(st, SMTP_DEFER, "4.3.0", "none", "queue file is locked");
	goto out;
    }
    if (fstat(st->qfd, &sb) < 0 || req->content_offset + req->content_size > sb.st_size
	|| (st->body8 = smtp_scan_8bit(st->qfd, req->content_offset, req->content_size)) < 0) {
	msg_warn("%s: %s: cannot read the message content", req->queue_id, dstr_str(path));
	smtp_site_final(st, SMTP_DEFER, "4.3.0", "none", "error reading message file");
	goto out;
    }
    ret = 0;
out:
    dstr_free(path);
    return (ret);
}

/* smtp_request - deliver one request; the status for the reply */

static void smtp_request(SMTP_STATE *st)
{
    DELIVER_REQUEST *req = st->req;
    DSTR   *err = dstr_new(64);

    if (smtp_open_queue_file(st) < 0)
	goto out;
    if (smtp_nexthop_parse(req->nexthop, &st->hop, err) < 0) {
	msg_warn("%s: %s", req->queue_id, dstr_str(err));
	dstr_sprintf(st->buf, "mail system configuration error: %s", dstr_str(err));
	smtp_site_final(st, SMTP_DEFER, "4.3.5", "none", dstr_str(st->buf));
	goto out;
    }
    st->cache_wanted = smtp_cache_wanted(req, var_smtp_cache_dest, var_smtp_cache_demand);
    if (smtp_tls_policy(st) < 0)		/* may turn cache_wanted off */
	goto out;
    dstr_sprintf(st->label, "%s:%s", req->transport, req->nexthop);
    str_lower(dstr_data(st->label));
    smtp_deliver(st);
out:
    dstr_free(err);
}

/* smtp_service - one connection from the queue manager */

static void smtp_service(int fd, const char *service, char **argv)
{
    IOS    *ios = ios_open(fd);
    DSTR   *buf = dstr_new(256);
    DELIVER_REQUEST *req = deliver_request_new();
    DELIVER_REPLY reply;
    SMTP_STATE *st;

    (void) service;
    (void) argv;
    ios_set_timeout(ios, var_ipc_timeout);
    deliver_ready_encode(buf);
    /* A queue manager that left before we were ready (reload, stop) is
     * routine, as below: it had handed us nothing yet. */
    if (ios_write(ios, dstr_str(buf), dstr_len(buf)) < 0 || ios_flush(ios) < 0) {
	if (!sock_peer_closed(errno))
	    msg_warn("write ready status to queue manager: %m");
	goto out;
    }
    if (deliver_request_read(ios, req, buf) < 0) {
	if (!(ios->flags & IOS_FLAG_EOF) || ios->bytes_in > 0)
	    msg_warn("%s", dstr_str(buf));	/* no answer: qmgr sees a failure */
	goto out;
    }
    st = smtp_state_new(req);
    st->qmgr = ios;
    smtp_throttle_reset();
    smtp_request(st);
    DSTR_RESET(buf);
    memset(&reply, 0, sizeof(reply));
    reply.status = st->status;
    reply.hop_status = dstr_str(st->hop_status);
    reply.hop_reason = dstr_str(st->hop_reason);
    reply.mx_group = dstr_str(st->mx_group);
    reply.mx_group_ttl = st->mx_group_ttl;
    reply.throttle = smtp_throttle_action_text();
    reply.throttle_reply = smtp_throttle_reply_text();
    reply.sent = st->nsent;
    reply.bounced = st->nbounced;
    reply.deferred = st->ndeferred;
    deliver_reply_encode(buf, &reply);
    if (ios_write(ios, dstr_str(buf), dstr_len(buf)) < 0 || ios_flush(ios) < 0) {
	/*
	 * qmgr exits at once on reload and stop. What this delivery did is
	 * in the queue file and its logs already, and the next qmgr takes
	 * the message up from there (docs/design.md invariant 4): routine.
	 */
	if (!sock_peer_closed(errno))
	    msg_warn("%s: write delivery status to queue manager: %m", req->queue_id);
	else if (msg_verbose)
	    msg_info("%s: queue manager gone before the delivery status", req->queue_id);
    }
    smtp_state_free(st);
out:
    deliver_request_free(req);
    dstr_free(buf);
    ios_free(ios);				/* the skeleton closes fd */
}

/* smtp_pre_jail - what must be opened outside the chroot */

static void smtp_pre_jail(const char *service, char **argv)
{
    DSTR   *err = dstr_new(128);

    (void) service;
    (void) argv;
    if ((smtp_dns = dns_open(var_dns_resolv_conf, err)) == 0)
	msg_warn("%s -- DNS lookups will be deferred", dstr_str(err));
    smtp_own_addrs_init();
    smtp_sasl_init();				/* loads SASL plugins from outside the jail */
    smtp_tls_init();				/* OpenSSL, certificates, policy tables */
    smtp_group_init();
    smtp_throttle_init();
    srandom((unsigned) (time((time_t *) 0) ^ (getpid() << 8)));
    dstr_free(err);
}

int     main(int argc, char **argv)
{
    static const SERVER_DESC desc = {
	.name = "smtp",
	.service = smtp_service,
	.pre_jail = smtp_pre_jail,
    };

    server_main(argc, argv, &desc);
}
