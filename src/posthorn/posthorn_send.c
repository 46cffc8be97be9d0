/*
 * posthorn_send - submit a message over QMQP
 * DESCRIPTION
 *	posthorn send [-s ADDR:PORT] [-f SENDER] RECIPIENT ... < message
 *	reads a message from standard input (CRLF line ends become LF, as
 *	QMQP wants), sends it to a QMQP server (by default this instance's
 *	qmqpd) and prints the server's answer. Exit status: 0 accepted (K),
 *	75 temporary failure (Z, or no answer), 69 permanent failure (D).
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "posthorn.h"
#include "cfg.h"
#include "cfg_params.h"
#include "ios.h"
#include "mastercf.h"
#include "msg.h"
#include "netstring.h"
#include "sockutil.h"

#define SEND_TIMEOUT	300
#define SEND_CONNECT_TIMEOUT 30
#define SEND_EX_TEMPFAIL 75
#define SEND_EX_UNAVAILABLE 69

/* posthorn_send_default_server - this instance's qmqpd, or 127.0.0.1:628 */

static void posthorn_send_default_server(DSTR *out)
{
    DSTR   *err = dstr_new(64);
    DSTR   *path = dstr_new(128);
    DSTR   *host = dstr_new(64);
    DSTR   *port = dstr_new(8);
    MASTERCF *cf = NULL;
    size_t  i;

    dstr_strcpy(out, "127.0.0.1:628");
    if (cfg_load(cfg_default_dir(), err) == 0) {
	dstr_sprintf(path, "%s/master.cf", var_config_dir);
	cf = mastercf_parse_file(dstr_str(path), err);
    }
    for (i = 0; cf && i < cf->count; i++) {
	const MASTERCF_ENTRY *e = cf->entries + i;
	const char *cmd = strrchr(e->args->argv[0], '/');

	cmd = cmd ? cmd + 1 : e->args->argv[0];
	if (strcmp(e->type, "inet") != 0 || strcmp(cmd, "qmqpd") != 0
	    || sock_split_hostport(e->name, host, port) < 0)
	    continue;
	if (dstr_len(host) == 0 || strcmp(dstr_str(host), "0.0.0.0") == 0)
	    dstr_sprintf(out, "127.0.0.1:%s", dstr_str(port));
	else if (strcmp(dstr_str(host), "::") == 0)
	    dstr_sprintf(out, "[::1]:%s", dstr_str(port));
	else
	    dstr_strcpy(out, e->name);
	break;
    }
    if (cf)
	mastercf_free(cf);
    dstr_free(err);
    dstr_free(path);
    dstr_free(host);
    dstr_free(port);
}

/* posthorn_send_connect - TCP connection with a time limit */

static int posthorn_send_connect(const char *server)
{
    DSTR   *host = dstr_new(64);
    DSTR   *port = dstr_new(8);
    struct addrinfo hints;
    struct addrinfo *res;
    struct addrinfo *ai;
    struct pollfd pfd;
    int     fd = -1;
    int     rc;
    int     soerr;
    socklen_t len = sizeof(soerr);

    if (sock_split_hostport(server, host, port) < 0 || dstr_len(host) == 0)
	msg_fatal("bad server address \"%s\": expected HOST:PORT or [IPV6]:PORT", server);
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    if ((rc = getaddrinfo(dstr_str(host), dstr_str(port), &hints, &res)) != 0) {
	msg_warn("%s: %s", server, gai_strerror(rc));
	exit(SEND_EX_TEMPFAIL);
    }
    for (ai = res; ai; ai = ai->ai_next) {
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
	    continue;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
	    break;
	if (errno == EINPROGRESS) {
	    pfd.fd = fd;
	    pfd.events = POLLOUT;
	    if (poll(&pfd, 1, SEND_CONNECT_TIMEOUT * 1000) == 1
		&& getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0)
		break;
	    errno = soerr ? soerr : ETIMEDOUT;
	}
	close(fd);
	fd = -1;
    }
    freeaddrinfo(res);
    dstr_free(host);
    dstr_free(port);
    return (fd);
}

/* posthorn_send_read_message - stdin, CRLF to LF */

static void posthorn_send_read_message(DSTR *msg)
{
    char    buf[65536];
    size_t  n;
    size_t  i;

    while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
	for (i = 0; i < n; i++) {
	    if (buf[i] == '\n' && dstr_len(msg) > 0
		&& dstr_str(msg)[dstr_len(msg) - 1] == '\r')
		dstr_truncate(msg, dstr_len(msg) - 1);
	    dstr_catc(msg, buf[i]);
	}
    }
    if (ferror(stdin))
	msg_fatal("read message from standard input: %m");
}

/* posthorn_send - the command */

int     posthorn_send(int argc, char **argv)
{
    const char *server = NULL;
    const char *sender = "";
    DSTR   *def = dstr_new(64);
    DSTR   *msg = dstr_new(65536);
    DSTR   *inner = dstr_new(65536);
    DSTR   *req = dstr_new(65536);
    DSTR   *reply = dstr_new(256);
    IOS    *ios;
    int     ch;
    int     fd;
    int     err;
    int     i;

    while ((ch = getopt(argc, argv, "f:s:")) != -1) {
	switch (ch) {
	case 'f':
	    sender = optarg;
	    break;
	case 's':
	    server = optarg;
	    break;
	default:
	    msg_fatal("usage: posthorn send [-s ADDR:PORT] [-f SENDER] RECIPIENT ... < message");
	}
    }
    if (optind >= argc)
	msg_fatal("usage: posthorn send [-s ADDR:PORT] [-f SENDER] RECIPIENT ... < message");
    if (server == NULL) {
	posthorn_send_default_server(def);
	server = dstr_str(def);
    }
    posthorn_send_read_message(msg);
    netstring_put(inner, dstr_str(msg), dstr_len(msg));
    netstring_puts(inner, sender);
    for (i = optind; i < argc; i++)
	netstring_puts(inner, argv[i]);
    netstring_put(req, dstr_str(inner), dstr_len(inner));
    if ((fd = posthorn_send_connect(server)) < 0) {
	msg_warn("connect to %s: %m", server);
	return (SEND_EX_TEMPFAIL);
    }
    ios = ios_open(fd);
    ios_set_timeout(ios, SEND_TIMEOUT);
    if (ios_write(ios, dstr_str(req), dstr_len(req)) < 0 || ios_flush(ios) < 0) {
	msg_warn("send to %s: %s", server, ios_timedout(ios) ? "timeout" : strerror(errno));
	return (SEND_EX_TEMPFAIL);
    }
    if ((err = netstring_get(ios, reply, 4096)) != 0 || dstr_len(reply) == 0) {
	msg_warn("no valid answer from %s: %s", server,
		 err ? netstring_strerror(err) : "empty reply");
	return (SEND_EX_TEMPFAIL);
    }
    ios_close(ios);
    printf("%s: %s\n", server, dstr_str(reply) + 1);
    switch (dstr_str(reply)[0]) {
    case 'K':
	return (0);
    case 'D':
	return (SEND_EX_UNAVAILABLE);
    default:
	return (SEND_EX_TEMPFAIL);
    }
}
