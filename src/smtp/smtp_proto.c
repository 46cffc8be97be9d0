/*
 * smtp_proto - one mail transaction: MAIL, RCPT..., DATA, content, "."
 * DESCRIPTION
 *	With PIPELINING (RFC 2920) MAIL, every RCPT and DATA go out as one
 *	batch and the replies are read in order afterwards; without it each
 *	command waits for its reply. A batch is cut whenever the commands
 *	sent but not yet answered would pass SMTP_PIPE_MAX bytes, which every
 *	socket send buffer holds, so we never block writing while the server
 *	blocks writing replies we do not read. Each command is a phase with
 *	a deadline (smtp_session.c): smtp_mail_timeout, smtp_rcpt_timeout or
 *	smtp_data_init_timeout for everything from sending the command (or,
 *	pipelined, from flushing the batch) to the last byte of its reply;
 *	smtp_data_xfer_timeout for each block of content written;
 *	smtp_data_done_timeout for the rest of the content, "." and the reply.
 *	The content comes straight from the queue file with pread() through
 *	the SMTP encoder.
 *
 *	Results are recorded as they come: a rejected recipient at once, the
 *	accepted ones after the reply to ".". A broken session (lost
 *	connection, timeout, 421) before "." leaves the transaction's
 *	recipients pending so the next server can be tried; after "." they
 *	are deferred, because the server may have the message already.
 *	Either way a timeout or lost connection is also a failure of the
 *	destination (hop status, negative feedback in the queue manager)
 *	unless a transaction completed, as in Postfix: otherwise a server
 *	that answers EHLO at once and then drips its replies would keep its
 *	full concurrency window.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtp.h"
#include "cfg_params.h"
#include "msg.h"
#include "wire_enc.h"
#include "mymalloc.h"

#define SMTP_PIPE_MAX	4096		/* unanswered command bytes in flight */
#define SMTP_CHUNK	65536		/* content read and write size */

#define SMTP_CMD_MAIL	0
#define SMTP_CMD_RCPT	1
#define SMTP_CMD_DATA	2

typedef struct SMTP_CMD {
    int     kind;
    size_t  rcpt;			/* request recipient index (RCPT) */
    size_t  len;
} SMTP_CMD;

typedef struct SMTP_XFER {
    SMTP_STATE *st;
    SMTP_SESSION *session;
    SMTP_REPLY *reply;
    SMTP_REPLY *mail_reply;		/* a failed MAIL, for every recipient */
    char   *accepted;			/* per command: RCPT got 2xx */
    size_t  naccepted;
    DSTR   *reason;
    DSTR   *diag;
} SMTP_XFER;

static const char *const smtp_cmd_sending[] = {
    "sending MAIL FROM", "sending RCPT TO", "sending DATA command",
};

/* smtp_phase_timeout - the time limit for a command's phase */

static int smtp_phase_timeout(int kind)
{
    return (kind == SMTP_CMD_MAIL ? var_smtp_mail_tmout :
	    kind == SMTP_CMD_RCPT ? var_smtp_rcpt_tmout : var_smtp_data0_tmout);
}

/* smtp_xfer_broken - session trouble before ".": leave recipients pending */

static int smtp_xfer_broken(SMTP_XFER *x, const char *while_doing, const char *cmd)
{
    SMTP_SESSION *session = x->session;

    session->broken = 1;
    if (x->reply->code == 421 && cmd != 0) {
	smtp_reason_said(x->reason, dstr_str(session->namaddr), x->reply, cmd);
	dstr_sprintf(x->diag, "smtp; %s", smtp_reply_str(x->reply, x->st->buf));
	smtp_site_fail(x->st, SMTP_DEFER, 0, x->reply->dsn, dstr_str(session->relay),
		       session->host, dstr_str(x->diag), dstr_str(x->reason));
    } else {
	smtp_session_trouble(x->reason, session, while_doing);
	smtp_site_fail(x->st, SMTP_DEFER, 1, "4.4.2", dstr_str(session->relay),
		       session->host, "", dstr_str(x->reason));
    }
    return (SMTP_DEFER);
}

/* smtp_xfer_fail - recipient i failed with the current reply to cmd */

static void smtp_xfer_fail(SMTP_XFER *x, size_t i, const SMTP_REPLY *reply, const char *cmd)
{
    SMTP_SESSION *session = x->session;

    smtp_reason_said(x->reason, dstr_str(session->namaddr), reply, cmd);
    dstr_sprintf(x->diag, "smtp; %s", smtp_reply_str(reply, x->st->buf));
    smtp_rcpt_fail(x->st, i, smtp_reply_class(reply->code) == SMTP_BOUNCE ?
		   SMTP_BOUNCE : SMTP_DEFER, reply->dsn, dstr_str(session->relay),
		   session->host, dstr_str(x->diag), dstr_str(x->reason),
		   session->use_count);
}

/* smtp_xfer_local - trouble after DATA: defer the accepted recipients */

static void smtp_xfer_local(SMTP_XFER *x, const SMTP_CMD *cmds, size_t ncmd,
			            const char *dsn, const char *why)
{
    size_t  c;

    for (c = 0; c < ncmd; c++)
	if (x->accepted[c] && x->st->rcpt_state[cmds[c].rcpt] == SMTP_RCPT_PENDING)
	    smtp_rcpt_fail(x->st, cmds[c].rcpt, SMTP_DEFER, dsn,
			   dstr_str(x->session->relay), x->session->host, "", why,
			   x->session->use_count);
}

/* smtp_xfer_content - the message from the queue file, then "." */

static int smtp_xfer_content(SMTP_XFER *x, const SMTP_CMD *cmds, size_t ncmd)
{
    SMTP_STATE *st = x->st;
    IOS    *ios = x->session->ios;
    char   *buf = mymalloc(SMTP_CHUNK);
    DSTR   *out = dstr_new(2 * SMTP_CHUNK);
    WIRE_ENC enc;
    long    off = st->req->content_offset;
    long    left = st->req->content_size;
    ssize_t n;
    int     ret = -1;

    wire_enc_init(&enc, var_smtp_line_limit > 0 ? (size_t) var_smtp_line_limit : 0, 1);
    while (left > 0) {
	n = pread(st->qfd, buf, left > SMTP_CHUNK ? SMTP_CHUNK : (size_t) left, off);
	if (n <= 0) {
	    dstr_sprintf(x->reason, "error reading message file: %s",
			 n < 0 ? strerror(errno) : "unexpected end of file");
	    msg_warn("%s: %s", st->req->queue_id, dstr_str(x->reason));
	    /* Never send "." for a message we could not read whole. */
	    x->session->broken = 1;
	    smtp_xfer_local(x, cmds, ncmd, "4.3.0", dstr_str(x->reason));
	    goto out;
	}
	off += n;
	left -= n;
	wire_enc_feed(&enc, buf, (size_t) n, out);
	smtp_session_phase(x->session, var_smtp_data1_tmout);	/* per block */
	if (ios_write(ios, dstr_str(out), dstr_len(out)) < 0) {
	    (void) smtp_xfer_broken(x, "sending message body", 0);
	    goto out;
	}
	DSTR_RESET(out);
    }
    wire_enc_end(&enc, out);
    dstr_cat(out, ".\r\n", 3);
    /* One phase from here to the reply to "." (smtp_xfer_done). */
    smtp_session_phase(x->session, var_smtp_data2_tmout);
    if (ios_write(ios, dstr_str(out), dstr_len(out)) < 0 || ios_flush(ios) < 0) {
	(void) smtp_xfer_broken(x, "sending message body", 0);
	goto out;
    }
    ret = 0;
out:
    free(buf);
    dstr_free(out);
    return (ret);
}

/* smtp_xfer_done - the reply to "." */

static int smtp_xfer_done(SMTP_XFER *x, const SMTP_CMD *cmds, size_t ncmd)
{
    SMTP_SESSION *session = x->session;
    size_t  c;

    if (smtp_session_reply(session, x->reply) < 0 || x->reply->code == 421) {
	session->broken = 1;
	if (x->reply->code == 421) {
	    smtp_reason_said(x->reason, dstr_str(session->namaddr), x->reply,
			     "end of DATA command");
	} else {
	    smtp_session_trouble(x->reason, session, "sending end of data");
	    /* The destination's failure, and the fate of any other pending recipient. */
	    smtp_site_fail(x->st, SMTP_DEFER, 1, "4.4.2", dstr_str(session->relay),
			   session->host, "", dstr_str(x->reason));
	}
	dstr_cats(x->reason, " -- message may be sent more than once");
	smtp_xfer_local(x, cmds, ncmd, x->reply->code == 421 ? x->reply->dsn : "4.4.2",
			dstr_str(x->reason));
	return (SMTP_DEFER);
    }
    for (c = 0; c < ncmd; c++) {
	if (!x->accepted[c] || x->st->rcpt_state[cmds[c].rcpt] != SMTP_RCPT_PENDING)
	    continue;
	if (x->reply->code / 100 == 2)
	    smtp_rcpt_sent(x->st, cmds[c].rcpt, session, x->reply);
	else
	    smtp_xfer_fail(x, cmds[c].rcpt, x->reply, "end of DATA command");
    }
    return (SMTP_OK);
}

/* smtp_xfer_handle - one reply in order; SMTP_OK to go on */

static int smtp_xfer_handle(SMTP_XFER *x, const SMTP_CMD *cmd, size_t c)
{
    SMTP_REPLY *r = x->reply;

    if (r->code == 421)
	return (smtp_xfer_broken(x, smtp_cmd_sending[cmd->kind],
				 cmd->kind == SMTP_CMD_DATA ? "DATA command" :
				 cmd->kind == SMTP_CMD_RCPT ? "RCPT TO command" :
				 "MAIL FROM command"));
    switch (cmd->kind) {
    case SMTP_CMD_MAIL:
	if (r->code / 100 != 2) {
	    x->mail_reply = smtp_reply_new();
	    dstr_memcpy(x->mail_reply->text, dstr_str(r->text), dstr_len(r->text));
	    x->mail_reply->code = r->code;
	    strcpy(x->mail_reply->dsn, r->dsn);
	}
	break;
    case SMTP_CMD_RCPT:
	if (x->mail_reply)
	    break;				/* answers to a refused MAIL say nothing */
	if (r->code / 100 == 2) {
	    x->accepted[c] = 1;
	    x->naccepted++;
	} else {
	    smtp_xfer_fail(x, cmd->rcpt, r, "RCPT TO command");
	}
	break;
    }
    return (SMTP_OK);
}

/* smtp_xfer - one transaction */

int     smtp_xfer(SMTP_STATE *st, SMTP_SESSION *session, const SMTP_TRANS *trans)
{
    SMTP_XFER x;
    SMTP_CMD *cmds;
    DSTR   *line = dstr_new(256);
    size_t  ncmd = 0;
    size_t  sent = 0;
    size_t  recv = 0;
    size_t  inflight = 0;
    size_t  i;
    size_t  c;
    int     pipelining = session->features & SMTP_FEAT_PIPELINING;
    int     ret = SMTP_OK;

    memset(&x, 0, sizeof(x));
    x.st = st;
    x.session = session;
    cmds = mymalloc((trans->nrcpt + 2) * sizeof(SMTP_CMD));
    cmds[ncmd++].kind = SMTP_CMD_MAIL;
    for (i = 0; i < trans->nrcpt; i++) {
	if (st->rcpt_state[trans->rcpt[i]] != SMTP_RCPT_PENDING)
	    continue;				/* finished with an earlier server */
	cmds[ncmd].kind = SMTP_CMD_RCPT;
	cmds[ncmd++].rcpt = trans->rcpt[i];
    }
    if (ncmd == 1) {				/* nothing left to send */
	free(cmds);
	dstr_free(line);
	return (SMTP_OK);
    }
    cmds[ncmd++].kind = SMTP_CMD_DATA;
    x.reply = smtp_reply_new();
    x.accepted = mycalloc(ncmd, 1);
    x.reason = dstr_new(128);
    x.diag = dstr_new(128);
    if (session->dirty && smtp_session_rset(session) < 0) {
	ret = smtp_xfer_broken(&x, "sending RSET", 0);
	goto out;
    }
    session->use_count++;
    session->dirty = 1;				/* until the reply to "." */

    /* A message the server has already said it will not take: do not try. */
    if ((session->features & SMTP_FEAT_SIZE) && session->size_limit > 0
	&& st->req->content_size > session->size_limit) {
	dstr_sprintf(x.reason, "message size %ld exceeds size limit %ld of server %s",
		     st->req->content_size, session->size_limit, dstr_str(session->namaddr));
	for (c = 1; c < ncmd - 1; c++)
	    smtp_rcpt_fail(st, cmds[c].rcpt, SMTP_BOUNCE, "5.3.4", dstr_str(session->relay),
			   session->host, "", dstr_str(x.reason), session->use_count);
	session->use_count--;
	session->dirty = 0;
	goto out;
    }
    while (recv < ncmd) {
	/*
	 * The phase of the command whose reply comes next: it covers the
	 * commands written meanwhile, the flush, and all of the reply.
	 */
	smtp_session_phase(session, smtp_phase_timeout(cmds[recv].kind));
	/* Send what the pipeline allows: one at a time without PIPELINING. */
	while (sent < ncmd && (sent == recv || (pipelining && inflight < SMTP_PIPE_MAX))) {
	    DSTR_RESET(line);
	    if (cmds[sent].kind == SMTP_CMD_MAIL)
		smtp_cmd_mail(line, trans->sender,
			      (session->features & SMTP_FEAT_SIZE) ? st->req->content_size : -1,
			      st->body8 && (session->features & SMTP_FEAT_8BITMIME));
	    else if (cmds[sent].kind == SMTP_CMD_RCPT)
		smtp_cmd_rcpt(line, st->req->rcpts[cmds[sent].rcpt].address);
	    else
		dstr_cats(line, "DATA\r\n");
	    if (sent > recv && inflight + dstr_len(line) > SMTP_PIPE_MAX)
		break;				/* read some replies first */
	    if (ios_write(session->ios, dstr_str(line), dstr_len(line)) < 0) {
		ret = smtp_xfer_broken(&x, smtp_cmd_sending[cmds[sent].kind], 0);
		goto out;
	    }
	    cmds[sent].len = dstr_len(line);
	    inflight += cmds[sent].len;
	    sent++;
	}
	if (ios_flush(session->ios) < 0 || smtp_session_reply(session, x.reply) < 0) {
	    ret = smtp_xfer_broken(&x, smtp_cmd_sending[cmds[recv].kind], 0);
	    goto out;
	}
	inflight -= cmds[recv].len;
	if (cmds[recv].kind == SMTP_CMD_DATA)
	    break;
	if ((ret = smtp_xfer_handle(&x, cmds + recv, recv)) != SMTP_OK)
	    goto out;
	recv++;
	/* Without a pipeline, stop as soon as the transaction cannot succeed. */
	if (!pipelining && sent == recv
	    && (x.mail_reply || (recv == ncmd - 1 && x.naccepted == 0))) {
	    if (x.mail_reply)
		for (c = 1; c < ncmd - 1; c++)
		    smtp_xfer_fail(&x, cmds[c].rcpt, x.mail_reply, "MAIL FROM command");
	    goto out;				/* dirty: RSET before the next one */
	}
    }
    /* The reply to DATA. */
    if (x.reply->code == 421) {
	ret = smtp_xfer_broken(&x, "sending DATA command", "DATA command");
	goto out;
    }
    if (x.mail_reply || x.naccepted == 0) {
	/* RFC 2920: after a 354 that should not have come, end with a lone ".". */
	if (x.reply->code == 354
	    && smtp_session_chat(session, var_smtp_data2_tmout, ".\r\n", 3, x.reply) < 0) {
	    ret = smtp_xfer_broken(&x, "sending end of data", 0);
	    goto out;
	}
	if (x.mail_reply)
	    for (c = 1; c < ncmd - 1; c++)
		smtp_xfer_fail(&x, cmds[c].rcpt, x.mail_reply, "MAIL FROM command");
	goto out;				/* dirty: RSET before the next one */
    }
    if (x.reply->code != 354) {
	for (c = 1; c < ncmd - 1; c++)
	    if (x.accepted[c])
		smtp_xfer_fail(&x, cmds[c].rcpt, x.reply, "DATA command");
	goto out;
    }
    if (smtp_xfer_content(&x, cmds, ncmd) < 0) {
	ret = SMTP_DEFER;
	goto out;
    }
    ret = smtp_xfer_done(&x, cmds, ncmd);
    if (ret == SMTP_OK)
	session->dirty = 0;
out:
    free(cmds);
    free(x.accepted);
    dstr_free(line);
    smtp_reply_free(x.reply);
    smtp_reply_free(x.mail_reply);
    dstr_free(x.reason);
    dstr_free(x.diag);
    return (ret);
}
