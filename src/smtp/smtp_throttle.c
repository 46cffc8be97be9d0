/*
 * smtp_throttle - spot a provider's rate-limit reply and tell qmgr what it asks for
 * DESCRIPTION
 *	Every 4xx reply a server sends, at any stage (greeting, EHLO, MAIL,
 *	RCPT, DATA, end of data), is looked up in smtp_reply_throttle_maps
 *	as "CODE ENHANCED-CODE text" (throttle_reply_key). The first match
 *	of a delivery wins; its action ("suspend 10m", "concurrency N D",
 *	"rate N/P D") and the reply go to qmgr with the delivery status, and
 *	qmgr throttles the destination's exchanger group (docs/scheduler.md
 *	§10a). smtp itself changes nothing about the delivery: the reply
 *	defers what it defers as any 4xx does.
 *
 *	One delivery request is handled at a time per process, so the match
 *	is kept here and reset at the start of each request. The table is
 *	opened before the chroot; one that cannot be opened is logged and
 *	throttling is off (deliveries go on as without it).
 */
#include <stdlib.h>
#include <string.h>

#include "smtp.h"
#include "argv.h"
#include "cfg_params.h"
#include "dict.h"
#include "msg.h"
#include "throttle_action.h"

#define SMTP_THROTTLE_KEY_MAX	1000	/* bytes of a reply key, and of what qmgr logs */

static DICT_LIST *smtp_throttle_maps;
static DSTR *smtp_throttle_action;	/* the match of this request, "" none */
static DSTR *smtp_throttle_reply;

/* smtp_throttle_init - open smtp_reply_throttle_maps before the chroot */

void    smtp_throttle_init(void)
{
    DSTR   *err;

    smtp_throttle_action = dstr_new(32);
    smtp_throttle_reply = dstr_new(128);
    if (*var_smtp_reply_throttle_maps == 0)
	return;
    err = dstr_new(128);
    if ((smtp_throttle_maps = dict_list_open(var_smtp_reply_throttle_maps, err)) == NULL)
	msg_warn("smtp_reply_throttle_maps: %s -- rate-limit replies will not throttle "
		 "delivery", dstr_str(err));
    dstr_free(err);
}

/* smtp_throttle_reset - a new delivery request */

void    smtp_throttle_reset(void)
{
    DSTR_RESET(smtp_throttle_action);
    DSTR_RESET(smtp_throttle_reply);
}

/* smtp_throttle_note - a reply was received: remember the first 4xx the table names */

void    smtp_throttle_note(const SMTP_REPLY *reply)
{
    ARGV   *lines;
    DSTR   *key;
    DSTR   *why;
    const char *action;
    THROTTLE_ACTION act;

    if (smtp_throttle_maps == NULL || reply->code / 100 != 4
	|| dstr_len(smtp_throttle_action) > 0)
	return;
    lines = argv_split(dstr_str(reply->text), "\n");
    key = dstr_new(128);
    throttle_reply_key((const char *const *) lines->argv, (int) lines->argc, key,
		       SMTP_THROTTLE_KEY_MAX);
    if ((action = dict_list_get(smtp_throttle_maps, dstr_str(key))) != NULL) {
	why = dstr_new(64);
	if (throttle_action_parse(action, &act, why) < 0) {
	    msg_warn("smtp_reply_throttle_maps: bad result \"%s\" for \"%s\": %s",
		     action, dstr_str(key), dstr_str(why));
	} else {
	    throttle_action_format(&act, smtp_throttle_action);
	    dstr_strcpy(smtp_throttle_reply, dstr_str(key));
	}
	dstr_free(why);
    }
    dstr_free(key);
    argv_free(lines);
}

/* smtp_throttle_action_text - the action for qmgr, "" when none */

const char *smtp_throttle_action_text(void)
{
    return (dstr_str(smtp_throttle_action));
}

/* smtp_throttle_reply_text - the reply that called for it */

const char *smtp_throttle_reply_text(void)
{
    return (dstr_str(smtp_throttle_reply));
}
