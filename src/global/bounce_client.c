/*
 * bounce_client - client side of the bounce protocol
 * DESCRIPTION
 *	The smtp client records every recipient it defers or bounces with
 *	bounce_log(); the queue manager asks for notifications with
 *	bounce_notify(). One request per connection on private/bounce (the
 *	path is relative: every daemon runs in the queue directory, chrooted
 *	or not), every read and write bounded by ipc_timeout. The answer is
 *	the only proof that the service did its part: no answer, no success,
 *	so a caller never marks a bounced recipient done on a guess
 *	(docs/design.md invariant 3).
 */
#include <errno.h>
#include <string.h>

#include "bounce_client.h"
#include "attr.h"
#include "bounce_log.h"
#include "cfg_params.h"
#include "ios.h"
#include "msg.h"
#include "qid.h"
#include "sockutil.h"

static const char *const bounce_client_logs[] = {0, "bounce", "defer"};
static const char *const bounce_client_notifies[] = {0, "failed", "expired", "delayed"};

#define BOUNCE_CLIENT_COUNT(a)	((int) (sizeof(a) / sizeof((a)[0])))

/* bounce_client_log_name - BOUNCE_LOG_* to its protocol name */

const char *bounce_client_log_name(int which)
{
    return (which > 0 && which < BOUNCE_CLIENT_COUNT(bounce_client_logs) ?
	    bounce_client_logs[which] : NULL);
}

/* bounce_client_log_code - protocol name to BOUNCE_LOG_*, or 0 */

int     bounce_client_log_code(const char *name)
{
    int     i;

    for (i = 1; i < BOUNCE_CLIENT_COUNT(bounce_client_logs); i++)
	if (strcmp(name, bounce_client_logs[i]) == 0)
	    return (i);
    return (0);
}

/* bounce_client_notify_name - BOUNCE_NOTIFY_* to its protocol name */

const char *bounce_client_notify_name(int what)
{
    return (what > 0 && what < BOUNCE_CLIENT_COUNT(bounce_client_notifies) ?
	    bounce_client_notifies[what] : NULL);
}

/* bounce_client_notify_code - protocol name to BOUNCE_NOTIFY_*, or 0 */

int     bounce_client_notify_code(const char *name)
{
    int     i;

    for (i = 1; i < BOUNCE_CLIENT_COUNT(bounce_client_notifies); i++)
	if (strcmp(name, bounce_client_notifies[i]) == 0)
	    return (i);
    return (0);
}

/* bounce_client_put_text - a text attribute, cut to what a log record keeps */

static void bounce_client_put_text(DSTR *req, DSTR *tmp, const char *name, const char *value)
{
    if (value == NULL)
	value = "";
    dstr_memcpy(tmp, value, strnlen(value, BOUNCE_LOG_TEXT_MAX));
    attr_put_str(req, name, dstr_str(tmp));
}

/* bounce_client_call - send one request, read the answer; 0 or -1 and err */

static int bounce_client_call(const DSTR *req, DSTR *err)
{
    ATTR_LIST *reply;
    IOS    *ios;
    const char *reason;
    long    status;
    int     fd;
    int     ret = -1;
    int     rc;

    if ((fd = sock_unix_connect(BOUNCE_SERVICE)) < 0) {
	dstr_sprintf(err, "connect to %s: %s", BOUNCE_SERVICE, strerror(errno));
	return (-1);
    }
    ios = ios_open(fd);
    ios_set_timeout(ios, var_ipc_timeout);
    reply = attr_list_new();
    if (ios_write(ios, dstr_str(req), dstr_len(req)) < 0 || ios_flush(ios) < 0) {
	dstr_sprintf(err, "write to %s: %s", BOUNCE_SERVICE,
		     ios_timedout(ios) ? "timeout" : strerror(errno));
    } else if ((rc = attr_read(ios, reply, ATTR_MAX_LEN, 16)) != ATTR_OK) {
	dstr_sprintf(err, "reply from %s: %s", BOUNCE_SERVICE,
		     rc == ATTR_ERR_EOF ? "no answer" : attr_strerror(rc));
    } else if (attr_get_long(reply, "status", &status, 0, 255) < 0) {
	dstr_sprintf(err, "malformed reply from %s", BOUNCE_SERVICE);
    } else if (status != BOUNCE_STAT_OK) {
	reason = attr_get_str(reply, "reason");
	dstr_sprintf(err, "%s", reason && *reason ? reason : "bounce service failure");
    } else {
	ret = 0;
    }
    attr_list_free(reply);
    (void) ios_close(ios);
    return (ret);
}

/* bounce_log - append one recipient record, durably for the bounce log */

int     bounce_log(int which, const char *queue_id, const BOUNCE_RCPT *rcpt, DSTR *err)
{
    const char *log_name = bounce_client_log_name(which);
    DSTR   *req;
    DSTR   *tmp;
    int     ret;

    if (log_name == NULL || !qid_valid(queue_id))
	msg_panic("%s: bad log %d or queue id \"%.40s\"", __func__, which, queue_id);
    if (rcpt->address == NULL || *rcpt->address == 0
	|| strlen(rcpt->address) > BOUNCE_LOG_ADDR_MAX) {
	/* Said here, as the service would refuse it: the record could not
	 * hold it. The caller defers; expiry then reports the recipient. */
	dstr_sprintf(err, "recipient address empty or longer than %d bytes",
		     BOUNCE_LOG_ADDR_MAX);
	return (-1);
    }
    req = dstr_new(512);
    tmp = dstr_new(256);
    attr_put_str(req, "request", BOUNCE_REQ_APPEND);
    attr_put_str(req, "log", log_name);
    attr_put_str(req, "queue_id", queue_id);
    attr_put_str(req, "address", rcpt->address);
    attr_put_long(req, "offset", rcpt->offset);
    bounce_client_put_text(req, tmp, "status", rcpt->status);
    bounce_client_put_text(req, tmp, "action", rcpt->action);
    bounce_client_put_text(req, tmp, "remote_mta", rcpt->remote_mta);
    bounce_client_put_text(req, tmp, "diagnostic", rcpt->diagnostic);
    bounce_client_put_text(req, tmp, "reason", rcpt->reason);
    attr_put_end(req);
    ret = bounce_client_call(req, err);
    dstr_free(tmp);
    dstr_free(req);
    return (ret);
}

/* bounce_notify - ask for the notifications of one message */

int     bounce_notify(int what, const char *queue_name, const char *queue_id, DSTR *err)
{
    const char *notify_name = bounce_client_notify_name(what);
    DSTR   *req;
    int     ret;

    if (notify_name == NULL || !qid_valid(queue_id) || queue_name == NULL
	|| *queue_name == 0 || strchr(queue_name, '/') != NULL)
	msg_panic("%s: bad request %d for \"%.40s\"/\"%.40s\"", __func__, what,
		  queue_name ? queue_name : "(null)", queue_id);
    req = dstr_new(128);
    attr_put_str(req, "request", BOUNCE_REQ_NOTIFY);
    attr_put_str(req, "notify", notify_name);
    attr_put_str(req, "queue_name", queue_name);
    attr_put_str(req, "queue_id", queue_id);
    attr_put_end(req);
    ret = bounce_client_call(req, err);
    dstr_free(req);
    return (ret);
}
