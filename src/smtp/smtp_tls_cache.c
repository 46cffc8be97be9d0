/*
 * smtp_tls_cache - TLS sessions shared by every smtp process, kept by posthorn-scache(8)
 * DESCRIPTION
 *	A TLS session that a server handed out is saved in scache's memory
 *	under a key naming everything the session's worth depends on (see
 *	smtp_tls.c), for smtp_tls_session_cache_timeout; the next
 *	connection to that server by any smtp process offers it, and the
 *	server may resume it: no certificate exchange, one round trip less.
 *	This is Postfix's tlsmgr(8) session cache in the service that
 *	already holds the connection cache; nothing is written to disk.
 *
 *	Protocol on private/scache (scache_proto.h), one request per
 *	connection: the byte SCACHE_NO_FD, then an attribute list
 *	"request=sess_save" with "label", "session" (the DER in hex) and
 *	"ttl", or "request=sess_find" with "label"; scache answers the byte
 *	SCACHE_NONE and a list with "status" (0 found or saved) and, when
 *	found, "session". The cache is optional: when scache cannot be
 *	reached, every handshake is simply a full one.
 */
#include <string.h>
#include <unistd.h>

#include "smtp_tls.h"
#include "attr.h"
#include "fdpass.h"
#include "msg.h"
#include "scache_proto.h"
#include "sockutil.h"
#include "spool.h"

#define SMTP_TLS_CACHE_TIMEOUT	5	/* seconds for one conversation with scache */

/* smtp_tls_hex_encode - two lower-case hex digits per byte */

void    smtp_tls_hex_encode(DSTR *out, const unsigned char *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    size_t  i;

    DSTR_RESET(out);
    for (i = 0; i < len; i++) {
	dstr_catc(out, digits[data[i] >> 4]);
	dstr_catc(out, digits[data[i] & 15]);
    }
}

/* smtp_tls_hex_value - one hex digit, or -1 */

static int smtp_tls_hex_value(int ch)
{
    if (ch >= '0' && ch <= '9')
	return (ch - '0');
    if (ch >= 'a' && ch <= 'f')
	return (ch - 'a' + 10);
    if (ch >= 'A' && ch <= 'F')
	return (ch - 'A' + 10);
    return (-1);
}

/* smtp_tls_hex_decode - back to bytes */

int     smtp_tls_hex_decode(DSTR *out, const char *hex)
{
    size_t  len = strlen(hex);
    size_t  i;
    int     hi;
    int     lo;

    DSTR_RESET(out);
    if (len % 2 != 0)
	return (-1);
    for (i = 0; i < len; i += 2) {
	if ((hi = smtp_tls_hex_value((unsigned char) hex[i])) < 0
	    || (lo = smtp_tls_hex_value((unsigned char) hex[i + 1])) < 0)
	    return (-1);
	dstr_catc(out, hi * 16 + lo);
    }
    return (0);
}

/* smtp_tls_cache_call - one request to scache; the reply list, or NULL */

static ATTR_LIST *smtp_tls_cache_call(const DSTR *req)
{
    DSTR   *path = dstr_new(64);
    ATTR_LIST *reply = attr_list_new();
    IOS    *ios;
    int     sock;
    int     fd = -1;
    int     ok;

    sock = sock_unix_connect(spool_service_path(path, 1, SCACHE_SERVICE));
    dstr_free(path);
    if (sock < 0) {
	if (msg_verbose)
	    msg_info("TLS session cache: cannot connect to scache: %m");
	return (attr_list_free(reply));
    }
    ios = ios_open(sock);
    ios_set_timeout(ios, SMTP_TLS_CACHE_TIMEOUT);
    ok = fdpass_send(sock, SCACHE_NO_FD, -1) == 0
	&& ios_write(ios, dstr_str(req), dstr_len(req)) == 0 && ios_flush(ios) == 0
	&& fdpass_recv(sock, &fd, SMTP_TLS_CACHE_TIMEOUT * 1000) == SCACHE_NONE
	&& attr_read(ios, reply, SCACHE_SESSION_ATTR_MAX, 16) == ATTR_OK;
    if (fd >= 0)
	(void) close(fd);
    ios_close(ios);
    return (ok ? reply : attr_list_free(reply));
}

/* smtp_tls_cache_find - a saved session for key */

int     smtp_tls_cache_find(const char *key, DSTR *der)
{
    DSTR   *req = dstr_new(256);
    ATTR_LIST *reply;
    const char *hex;
    long    status;
    int     ret = -1;

    attr_put_str(req, "request", SCACHE_REQ_SESS_FIND);
    attr_put_str(req, "label", key);
    attr_put_end(req);
    if ((reply = smtp_tls_cache_call(req)) != 0) {
	if (attr_get_long(reply, "status", &status, 0, 1) == 0 && status == 0
	    && (hex = attr_get_str(reply, "session")) != 0) {
	    if (smtp_tls_hex_decode(der, hex) == 0 && dstr_len(der) <= TLS_SESSION_MAX)
		ret = 0;
	    else
		msg_warn("TLS session cache: malformed session for %s", key);
	}
	attr_list_free(reply);
    }
    dstr_free(req);
    return (ret);
}

/* smtp_tls_cache_save - hand a session to scache */

void    smtp_tls_cache_save(const char *key, const DSTR *der, int ttl)
{
    DSTR   *req = dstr_new(2 * dstr_len(der) + 256);
    DSTR   *hex = dstr_new(2 * dstr_len(der) + 1);
    ATTR_LIST *reply;

    smtp_tls_hex_encode(hex, (const unsigned char *) dstr_str(der), dstr_len(der));
    attr_put_str(req, "request", SCACHE_REQ_SESS_SAVE);
    attr_put_str(req, "label", key);
    attr_put_str(req, "session", dstr_str(hex));
    attr_put_long(req, "ttl", ttl);
    attr_put_end(req);
    if ((reply = smtp_tls_cache_call(req)) != 0)
	attr_list_free(reply);
    dstr_free(req);
    dstr_free(hex);
}
