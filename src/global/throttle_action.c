/*
 * throttle_action - actions for rate-limit replies
 * DESCRIPTION
 *	A mailbox provider that thinks we send too fast says so in a 4xx
 *	reply (Gmail's "421 4.7.28 ... unusual rate"); the cure it documents
 *	is to stop for a while, then come back slowly. smtp_reply_throttle_maps
 *	maps the whole reply to one of three actions, parsed here: stop new
 *	sessions to the provider's exchanger group for a time, cap the
 *	group's concurrency for a time, or cap its delivery rate for a time.
 *	The words and numbers come from a table the administrator writes;
 *	the reply they are looked up with comes from a remote server, so its
 *	key is built here with a bound on its size.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "throttle_action.h"

/* throttle_word - the next white-space separated word at *cp, into out */

static int throttle_word(const char **cp, DSTR *out)
{
    const char *start;

    while (**cp && isspace((unsigned char) **cp))
	(*cp)++;
    for (start = *cp; **cp && !isspace((unsigned char) **cp); (*cp)++)
	 /* void */ ;
    dstr_memcpy(out, start, (size_t) (*cp - start));
    return (*cp > start);
}

/* throttle_duration - a time value within bounds */

static int throttle_duration(const char *word, long *seconds, DSTR *why)
{
    if (cfg_parse_time(word, 's', seconds) < 0 || *seconds < 1
	|| *seconds > THROTTLE_DURATION_MAX) {
	dstr_sprintf(why, "bad duration \"%s\" (1s to %ldd)", word,
		     THROTTLE_DURATION_MAX / 86400);
	return (-1);
    }
    return (0);
}

/* throttle_limit - a count within bounds, the whole word or up to '/' */

static int throttle_limit(const char *word, int *limit, char **end, DSTR *why)
{
    long    n;

    if (!isdigit((unsigned char) *word)
	|| (n = strtol(word, end, 10)) < 1 || n > THROTTLE_LIMIT_MAX) {
	dstr_sprintf(why, "bad number \"%s\" (1 to %d)", word, THROTTLE_LIMIT_MAX);
	return (-1);
    }
    *limit = (int) n;
    return (0);
}

/* throttle_action_parse - "suspend D", "concurrency N D", "rate N/D D" */

int     throttle_action_parse(const char *text, THROTTLE_ACTION *act, DSTR *why)
{
    DSTR   *word = dstr_new(32);
    const char *cp = text;
    char   *end;
    int     ret = -1;

    memset(act, 0, sizeof(*act));
    if (!throttle_word(&cp, word)) {
	dstr_strcpy(why, "empty action");
    } else if (strcasecmp(dstr_str(word), "suspend") == 0) {
	act->kind = THROTTLE_SUSPEND;
	if (!throttle_word(&cp, word))
	    dstr_strcpy(why, "suspend: duration missing");
	else
	    ret = throttle_duration(dstr_str(word), &act->duration, why);
    } else if (strcasecmp(dstr_str(word), "concurrency") == 0) {
	act->kind = THROTTLE_CONCURRENCY;
	if (!throttle_word(&cp, word))
	    dstr_strcpy(why, "concurrency: number missing");
	else if (throttle_limit(dstr_str(word), &act->limit, &end, why) < 0)
	     /* why is set */ ;
	else if (*end != 0)
	    dstr_sprintf(why, "bad number \"%s\"", dstr_str(word));
	else if (!throttle_word(&cp, word))
	    dstr_strcpy(why, "concurrency: duration missing");
	else
	    ret = throttle_duration(dstr_str(word), &act->duration, why);
    } else if (strcasecmp(dstr_str(word), "rate") == 0) {
	act->kind = THROTTLE_RATE;
	if (!throttle_word(&cp, word))
	    dstr_strcpy(why, "rate: N/DURATION missing");
	else if (throttle_limit(dstr_str(word), &act->limit, &end, why) < 0)
	     /* why is set */ ;
	else if (*end != '/')
	    dstr_sprintf(why, "rate: \"%s\" is not N/DURATION", dstr_str(word));
	else if (throttle_duration(end + 1, &act->per, why) < 0)
	     /* why is set */ ;
	else if (!throttle_word(&cp, word))
	    dstr_strcpy(why, "rate: duration missing");
	else
	    ret = throttle_duration(dstr_str(word), &act->duration, why);
    } else {
	dstr_sprintf(why, "unknown action \"%s\" (suspend, concurrency or rate)",
		     dstr_str(word));
    }
    if (ret == 0 && throttle_word(&cp, word)) {
	dstr_sprintf(why, "garbage after the action: \"%s\"", dstr_str(word));
	ret = -1;
    }
    dstr_free(word);
    return (ret);
}

/* throttle_action_format - back to text */

void    throttle_action_format(const THROTTLE_ACTION *act, DSTR *out)
{
    switch (act->kind) {
    case THROTTLE_SUSPEND:
	dstr_sprintf(out, "suspend %lds", act->duration);
	break;
    case THROTTLE_CONCURRENCY:
	dstr_sprintf(out, "concurrency %d %lds", act->limit, act->duration);
	break;
    case THROTTLE_RATE:
	dstr_sprintf(out, "rate %d/%lds %lds", act->limit, act->per, act->duration);
	break;
    default:
	dstr_strcpy(out, "none");
	break;
    }
}

/* throttle_skip_codes - past "CODE[-| ]" and an enhanced code "d.d.d " */

static const char *throttle_skip_codes(const char *cp, int keep_enhanced, DSTR *key)
{
    const char *ep;

    if (isdigit((unsigned char) cp[0]) && isdigit((unsigned char) cp[1])
	&& isdigit((unsigned char) cp[2]) && (cp[3] == '-' || cp[3] == ' ' || cp[3] == 0)) {
	if (keep_enhanced)
	    dstr_cat(key, cp, 3);
	cp += cp[3] ? 4 : 3;
    }
    for (ep = cp; isdigit((unsigned char) *ep) || *ep == '.'; ep++)
	 /* void */ ;
    if (ep > cp && (*ep == ' ' || *ep == 0) && memchr(cp, '.', (size_t) (ep - cp))) {
	if (keep_enhanced) {
	    dstr_catc(key, ' ');
	    dstr_cat(key, cp, (size_t) (ep - cp));
	}
	cp = *ep ? ep + 1 : ep;
    }
    return (cp);
}

/* throttle_reply_key - "CODE ENHANCED text..." */

void    throttle_reply_key(const char *const *lines, int nlines, DSTR *key,
			           size_t keylen_max)
{
    const char *text;
    char   *cp;
    int     i;

    DSTR_RESET(key);
    for (i = 0; i < nlines; i++) {
	text = throttle_skip_codes(lines[i], i == 0, key);
	if (*text == 0)
	    continue;
	if (dstr_len(key) > 0)
	    dstr_catc(key, ' ');
	dstr_cats(key, text);
	if (dstr_len(key) >= keylen_max)
	    break;
    }
    if (dstr_len(key) > keylen_max)
	dstr_truncate(key, keylen_max);
    /* It goes into log lines and status output: no control bytes. */
    for (cp = dstr_data(key); *cp; cp++)
	if ((unsigned char) *cp < ' ' || *cp == 0x7f)
	    *cp = '?';
}
