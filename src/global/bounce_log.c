/*
 * bounce_log - per-message status logs
 * DESCRIPTION
 *	bounce/ID and defer/ID keep what happened to each recipient until a
 *	notification is sent or the message leaves the queue. The bounce
 *	service is their only writer; the service itself, the queue manager
 *	and the admin command read them. A record is an attribute list on a
 *	line of its own (format in bounce_log.h): the same codec as every
 *	request, so no second escaping scheme, and a line per record so that
 *	damage (a torn append after a crash, a stray edit) is confined to one
 *	line that the reader reports and skips. The reader holds one line at
 *	a time, never the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounce_log.h"
#include "attr.h"
#include "mymalloc.h"
#include "strutil.h"

#define BOUNCE_LOG_ATTR_COUNT	32	/* attributes per record, unknown ones included */

struct BOUNCE_LOG_READER {
    IOS    *ios;
    int     own_fd;			/* opened by bounce_log_open() */
    DSTR   *line;
    ATTR_LIST *attrs;
    long    lineno;
};

/* bounce_log_status_ok - RFC 3463 syntax */

int     bounce_log_status_ok(const char *status)
{
    const char *cp = status;
    int     part;
    int     digits;

    if (*cp != '2' && *cp != '4' && *cp != '5')
	return (0);
    if (*++cp != '.')
	return (0);
    for (part = 0; part < 2; part++) {
	for (digits = 0, cp++; *cp >= '0' && *cp <= '9'; cp++)
	    digits++;
	if (digits < 1 || digits > 3)
	    return (0);
	if (part == 0 && *cp != '.')
	    return (0);
    }
    return (*cp == 0);
}

/* bounce_log_put_text - one value, control characters blanked, cut at max */

static void bounce_log_put_text(DSTR *out, DSTR *tmp, const char *name,
				        const char *value, size_t max)
{
    size_t  len = strnlen(value, max);
    char   *cp;
    size_t  i;

    dstr_memcpy(tmp, value, len);
    for (cp = dstr_data(tmp), i = 0; i < len; i++)
	if ((unsigned char) cp[i] < 0x20 || cp[i] == 0x7f)
	    cp[i] = ' ';
    attr_put_str(out, name, dstr_str(tmp));
}

/* bounce_log_format - encode one record */

int     bounce_log_format(DSTR *out, const BOUNCE_RCPT *rcpt, long when, DSTR *err)
{
    DSTR   *tmp;

    if (rcpt->address == NULL || *rcpt->address == 0) {
	dstr_strcpy(err, "empty recipient address");
	return (-1);
    }
    if (strlen(rcpt->address) > BOUNCE_LOG_ADDR_MAX) {
	dstr_sprintf(err, "recipient address longer than %d bytes", BOUNCE_LOG_ADDR_MAX);
	return (-1);
    }
    if (rcpt->offset < 0) {
	dstr_sprintf(err, "bad recipient offset %ld", rcpt->offset);
	return (-1);
    }
    if (rcpt->status == NULL || !bounce_log_status_ok(rcpt->status)) {
	dstr_sprintf(err, "bad status \"%.20s\"", rcpt->status ? rcpt->status : "");
	return (-1);
    }
    if (rcpt->action == NULL
	|| (strcmp(rcpt->action, "failed") != 0 && strcmp(rcpt->action, "delayed") != 0)) {
	dstr_sprintf(err, "bad action \"%.20s\"", rcpt->action ? rcpt->action : "");
	return (-1);
    }
    tmp = dstr_new(256);
    attr_put_long(out, "time", when < 0 ? 0 : when);
    attr_put_long(out, "offset", rcpt->offset);
    bounce_log_put_text(out, tmp, "address", rcpt->address, BOUNCE_LOG_ADDR_MAX);
    attr_put_str(out, "status", rcpt->status);
    attr_put_str(out, "action", rcpt->action);
    bounce_log_put_text(out, tmp, "remote_mta", rcpt->remote_mta ? rcpt->remote_mta : "",
			BOUNCE_LOG_TEXT_MAX);
    bounce_log_put_text(out, tmp, "diagnostic", rcpt->diagnostic ? rcpt->diagnostic : "",
			BOUNCE_LOG_TEXT_MAX);
    bounce_log_put_text(out, tmp, "reason", rcpt->reason ? rcpt->reason : "",
			BOUNCE_LOG_TEXT_MAX);
    attr_put_end(out);
    dstr_catc(out, '\n');
    dstr_free(tmp);
    return (0);
}

/* bounce_log_open_ios - reader on a stream */

BOUNCE_LOG_READER *bounce_log_open_ios(IOS *ios)
{
    BOUNCE_LOG_READER *log = mycalloc(1, sizeof(*log));

    log->ios = ios;
    log->line = dstr_new(256);
    log->attrs = attr_list_new();
    return (log);
}

/* bounce_log_open - reader on a file */

BOUNCE_LOG_READER *bounce_log_open(const char *path)
{
    BOUNCE_LOG_READER *log;
    int     fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
	return (NULL);
    log = bounce_log_open_ios(ios_open(fd));
    log->own_fd = 1;
    return (log);
}

/* bounce_log_close - release */

void    bounce_log_close(BOUNCE_LOG_READER *log)
{
    if (log->own_fd)
	(void) ios_close(log->ios);
    dstr_free(log->line);
    attr_list_free(log->attrs);
    free(log);
}

/* bounce_log_decode - one line into a record; 0, or -1 with the reason */

static int bounce_log_decode(BOUNCE_LOG_READER *log, BOUNCE_LOG_REC *rec, DSTR *why)
{
    const char *text = dstr_str(log->line);
    size_t  len = dstr_len(log->line);
    long    used;
    const char *val;

    used = attr_parse(text, len, log->attrs, BOUNCE_LOG_ATTR_MAX, BOUNCE_LOG_ATTR_COUNT);
    if (used == 0) {
	dstr_sprintf(why, "line %ld: incomplete record", log->lineno);
	return (-1);
    }
    if (used < 0) {
	dstr_sprintf(why, "line %ld: %s", log->lineno, attr_strerror((int) used));
	return (-1);
    }
    if ((size_t) used != len) {
	dstr_sprintf(why, "line %ld: data after the end of the record", log->lineno);
	return (-1);
    }
    memset(rec, 0, sizeof(*rec));
    rec->line = log->lineno;
    if (attr_get_long(log->attrs, "time", &rec->when, 0, LONG_MAX) < 0
	|| attr_get_long(log->attrs, "offset", &rec->rcpt.offset, 0, LONG_MAX) < 0) {
	dstr_sprintf(why, "line %ld: missing or bad time or offset", log->lineno);
	return (-1);
    }
    if ((rec->rcpt.address = attr_get_str(log->attrs, "address")) == NULL
	|| *rec->rcpt.address == 0) {
	dstr_sprintf(why, "line %ld: no recipient address", log->lineno);
	return (-1);
    }
    if ((rec->rcpt.status = attr_get_str(log->attrs, "status")) == NULL
	|| !bounce_log_status_ok(rec->rcpt.status)) {
	dstr_sprintf(why, "line %ld: missing or bad status", log->lineno);
	return (-1);
    }
    if ((rec->rcpt.action = attr_get_str(log->attrs, "action")) == NULL
	|| (strcmp(rec->rcpt.action, "failed") != 0
	    && strcmp(rec->rcpt.action, "delayed") != 0)) {
	dstr_sprintf(why, "line %ld: missing or bad action", log->lineno);
	return (-1);
    }
    rec->rcpt.remote_mta = (val = attr_get_str(log->attrs, "remote_mta")) ? val : "";
    rec->rcpt.diagnostic = (val = attr_get_str(log->attrs, "diagnostic")) ? val : "";
    rec->rcpt.reason = (val = attr_get_str(log->attrs, "reason")) ? val : "";
    return (0);
}

/* bounce_log_read - next record */

int     bounce_log_read(BOUNCE_LOG_READER *log, BOUNCE_LOG_REC *rec, DSTR *why)
{
    int     got;

    for (;;) {
	got = ios_get_line(log->ios, log->line, BOUNCE_LOG_RECORD_MAX, 0);
	if (got == IOS_EOF) {
	    if (log->ios->flags & (IOS_FLAG_ERR | IOS_FLAG_TIMEOUT)) {
		dstr_sprintf(why, "read error after line %ld: %s", log->lineno,
			     ios_timedout(log->ios) ? "timeout" : strerror(errno));
		return (BOUNCE_LOG_ERR);
	    }
	    return (BOUNCE_LOG_END);
	}
	log->lineno++;
	if (got == IOS_LINE_PART) {
	    /* Skip the rest of the line, a bounded piece at a time. */
	    while ((got = ios_get_line(log->ios, log->line, BOUNCE_LOG_RECORD_MAX, 0))
		   == IOS_LINE_PART)
		 /* void */ ;
	    dstr_sprintf(why, "line %ld: record longer than %d bytes", log->lineno,
			 BOUNCE_LOG_RECORD_MAX);
	    return (BOUNCE_LOG_BAD);
	}
	if (got == IOS_LINE_LAST) {
	    dstr_sprintf(why, "line %ld: incomplete last record", log->lineno);
	    return (BOUNCE_LOG_BAD);
	}
	if (dstr_len(log->line) == 0)
	    continue;
	return (bounce_log_decode(log, rec, why) < 0 ? BOUNCE_LOG_BAD : BOUNCE_LOG_OK);
    }
}
