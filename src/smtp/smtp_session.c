/*
 * smtp_session - one connection to an SMTP server
 * DESCRIPTION
 *	The connection, what we know about the server (name, address,
 *	EHLO features, SIZE limit), and how often it was used: that travels
 *	with the socket into the connection cache and back.
 *
 *	Time is spent in phases: the greeting, EHLO, STARTTLS, the TLS
 *	handshake, AUTH, each MAIL, RCPT and DATA, each block of content, the
 *	end of data, RSET, QUIT. smtp_session_phase() starts one with its
 *	smtp_*_timeout as a deadline on the stream (ios_set_phase()), and
 *	every read and write of that phase, in plaintext or over TLS, shares
 *	it. A limit per read would let a server that sends a byte every few
 *	seconds keep us for hours; a phase deadline cannot be stretched, so a
 *	session never lasts longer than the sum of its phases' limits.
 */
#include <stdlib.h>
#include <string.h>

#include "smtp.h"
#include "cfg_params.h"
#include "msg.h"
#include "mymalloc.h"

/* smtp_session_new - wrap a connected socket */

SMTP_SESSION *smtp_session_new(int fd, const char *host, const char *addr, unsigned port)
{
    SMTP_SESSION *session = mycalloc(1, sizeof(*session));

    session->ios = ios_open(fd);
    /* Never without a limit: the caller starts the real first phase. */
    ios_set_phase(session->ios, var_smtp_helo_tmout);
    session->host = mystrdup(host);
    session->addr = mystrdup(addr);
    session->port = port;
    session->namaddr = dstr_new(64);
    session->relay = dstr_new(64);
    dstr_sprintf(session->namaddr, "%s[%s]", host, addr);
    dstr_sprintf(session->relay, "%s[%s]:%u", host, addr, port);
    session->first_use = time((time_t *) 0);
    return (session);
}

/* smtp_session_free - close and release */

void    smtp_session_free(SMTP_SESSION *session)
{
    if (session->tls)
	smtp_tls_end(session);			/* close_notify before the socket goes */
    (void) ios_close(session->ios);
    free(session->host);
    free(session->addr);
    dstr_free(session->namaddr);
    dstr_free(session->relay);
    free(session->sasl_user);
    free(session);
}

/* smtp_session_phase - start a phase that must end within timeout seconds */

void    smtp_session_phase(SMTP_SESSION *session, int timeout)
{
    ios_set_phase(session->ios, timeout);
}

/* smtp_session_send - write one command now, within the current phase */

int     smtp_session_send(SMTP_SESSION *session, const char *cmd, size_t len)
{
    if (ios_write(session->ios, cmd, len) < 0 || ios_flush(session->ios) < 0) {
	session->broken = 1;
	return (-1);
    }
    return (0);
}

/* smtp_session_send_secret - smtp_session_send for a line the caller wipes */

int     smtp_session_send_secret(SMTP_SESSION *session, const char *cmd, size_t len)
{
    if (ios_write_direct(session->ios, cmd, len) < 0) {
	session->broken = 1;
	return (-1);
    }
    return (0);
}

/* smtp_session_reply - read one reply within the current phase */

int     smtp_session_reply(SMTP_SESSION *session, SMTP_REPLY *reply)
{
    if (smtp_reply_read(session->ios, reply) < 0) {
	session->broken = 1;
	return (-1);
    }
    if (reply->code == 421)			/* the server is going away */
	session->broken = 1;
    smtp_throttle_note(reply);			/* a provider's rate limit? */
    return (0);
}

/* smtp_session_chat - one command and its reply as one phase */

int     smtp_session_chat(SMTP_SESSION *session, int timeout, const char *cmd, size_t len,
			          SMTP_REPLY *reply)
{
    smtp_session_phase(session, timeout);
    if (smtp_session_send(session, cmd, len) < 0)
	return (-1);
    return (smtp_session_reply(session, reply));
}

/* smtp_session_trouble - "lost connection with H[A] while X" and the like */

void    smtp_session_trouble(DSTR *out, const SMTP_SESSION *session, const char *while_doing)
{
    if (ios_timedout(session->ios))
	dstr_sprintf(out, "conversation with %s timed out while %s",
		     dstr_str(session->namaddr), while_doing);
    else if (session->ios->flags & (IOS_FLAG_EOF | IOS_FLAG_ERR))
	dstr_sprintf(out, "lost connection with %s while %s",
		     dstr_str(session->namaddr), while_doing);
    else					/* the reply was too long or malformed */
	dstr_sprintf(out, "malformed or overlong reply from %s while %s",
		     dstr_str(session->namaddr), while_doing);
}

/* smtp_session_rset - end an unfinished transaction */

int     smtp_session_rset(SMTP_SESSION *session)
{
    SMTP_REPLY *reply = smtp_reply_new();
    int     ret = -1;

    if (smtp_session_chat(session, var_smtp_rset_tmout, "RSET\r\n", 6, reply) == 0
	&& reply->code / 100 == 2) {
	session->dirty = 0;
	ret = 0;
    } else {
	session->broken = 1;
    }
    smtp_reply_free(reply);
    return (ret);
}

/* smtp_session_quit - say goodbye (politely, if the connection allows) and close */

void    smtp_session_quit(SMTP_SESSION *session)
{
    SMTP_REPLY *reply;

    if (!session->broken) {
	smtp_session_phase(session, var_smtp_quit_tmout);
	if (smtp_session_send(session, "QUIT\r\n", 6) == 0 && !var_smtp_skip_quit_resp) {
	    reply = smtp_reply_new();
	    (void) smtp_session_reply(session, reply);
	    smtp_reply_free(reply);
	}
    }
    smtp_session_free(session);
}
