/*
 * reload_status - master's verdict on the last reload, for posthorn reload
 * DESCRIPTION
 *	A reload is a signal, and a signal carries no answer. So that
 *	"posthorn reload" can say whether the new configuration runs, or
 *	why master refused it (a port in use, a missing program), master
 *	writes the outcome of every reload it begins to a small file in
 *	pid/, numbered, and the command waits for a number higher than the
 *	one it saw before it signalled. A number rather than a time stamp:
 *	signals that arrive together are folded into one reload, which then
 *	answers every sender, and a reload already under way when the
 *	command looked does not count as its own.
 *
 *	The file is written by root into a directory only root may change,
 *	and read by root; the parser still bounds and checks everything.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "msg.h"
#include "mymalloc.h"
#include "reload_status.h"
#include "strutil.h"

#define RELOAD_REASON_MAX	4000	/* keeps the file within RELOAD_STATUS_MAX */

static const char *const reload_state_names[] = {"running", "ok", "failed"};

/* reload_status_new - empty status */

RELOAD_STATUS *reload_status_new(void)
{
    RELOAD_STATUS *st = mycalloc(1, sizeof(*st));

    st->reason = dstr_new(64);
    return (st);
}

/* reload_status_free - release */

RELOAD_STATUS *reload_status_free(RELOAD_STATUS *st)
{
    dstr_free(st->reason);
    free(st);
    return (NULL);
}

/* reload_status_format - "name = value" lines */

void    reload_status_format(const RELOAD_STATUS *st, DSTR *out)
{
    DSTR   *reason = dstr_new(dstr_len(st->reason) + 1);
    size_t  n;

    if (st->state < RELOAD_STATE_RUNNING || st->state > RELOAD_STATE_FAILED)
	msg_panic("%s: bad state %d", __func__, st->state);
    (void) dstr_cat(reason, dstr_str(st->reason), dstr_len(st->reason) > RELOAD_REASON_MAX ?
		    RELOAD_REASON_MAX : dstr_len(st->reason));
    n = str_one_line(dstr_data(reason), dstr_len(reason));
    dstr_truncate(reason, n);
    dstr_sprintf(out, "pid = %ld\ngeneration = %ld\nstate = %s\nreason = %s\n",
		 st->pid, st->generation, reload_state_names[st->state], dstr_str(reason));
    dstr_free(reason);
}

/* reload_status_field - one "name = value" line into st; -1 if bad */

static int reload_status_field(const char *line, size_t len, RELOAD_STATUS *st, int *seen)
{
    const char *eq = memchr(line, '=', len);
    const char *val;
    size_t  nlen;
    size_t  vlen;
    char    num[32];
    long    value;
    int     i;

    if (eq == NULL)
	return (-1);
    for (nlen = (size_t) (eq - line); nlen > 0 && line[nlen - 1] == ' '; nlen--)
	 /* void */ ;
    for (val = eq + 1; val < line + len && *val == ' '; val++)
	 /* void */ ;
    vlen = (size_t) (line + len - val);
    if (nlen == 6 && memcmp(line, "reason", 6) == 0) {
	dstr_memcpy(st->reason, val, vlen);
	*seen |= 8;
	return (0);
    }
    if (vlen == 0 || vlen >= sizeof(num))
	return (-1);
    memcpy(num, val, vlen);
    num[vlen] = 0;
    if (nlen == 5 && memcmp(line, "state", 5) == 0) {
	for (i = RELOAD_STATE_RUNNING; i <= RELOAD_STATE_FAILED; i++)
	    if (strcmp(num, reload_state_names[i]) == 0)
		break;
	if (i > RELOAD_STATE_FAILED)
	    return (-1);
	st->state = i;
	*seen |= 4;
	return (0);
    }
    if (str_to_long(num, 0, LONG_MAX, &value) < 0)
	return (-1);
    if (nlen == 3 && memcmp(line, "pid", 3) == 0) {
	st->pid = value;
	*seen |= 1;
    } else if (nlen == 10 && memcmp(line, "generation", 10) == 0) {
	st->generation = value;
	*seen |= 2;
    } else {
	return (-1);
    }
    return (0);
}

/* reload_status_parse - text to st */

int     reload_status_parse(const char *text, size_t len, RELOAD_STATUS *st)
{
    const char *cp = text;
    const char *end = text + len;
    const char *eol;
    int     seen = 0;

    if (len > RELOAD_STATUS_MAX)
	return (-1);
    DSTR_RESET(st->reason);
    while (cp < end) {
	if ((eol = memchr(cp, '\n', (size_t) (end - cp))) == NULL)
	    return (-1);			/* written whole, or not at all */
	if (reload_status_field(cp, (size_t) (eol - cp), st, &seen) < 0)
	    return (-1);
	cp = eol + 1;
    }
    return (seen == 15 ? 0 : -1);
}

/* reload_status_write - replace the file */

int     reload_status_write(const char *path, const RELOAD_STATUS *st)
{
    DSTR   *text = dstr_new(256);
    int     ret;
    int     saved_errno;

    reload_status_format(st, text);
    ret = fs_replace_file(path, dstr_str(text), dstr_len(text), 0644);
    saved_errno = errno;
    dstr_free(text);
    errno = saved_errno;
    return (ret);
}

/* reload_status_read - read and parse the file */

int     reload_status_read(const char *path, RELOAD_STATUS *st)
{
    DSTR   *text = dstr_new(256);
    int     ret = -1;

    if (fs_read_file(path, text, RELOAD_STATUS_MAX) == 0) {
	if ((ret = reload_status_parse(dstr_str(text), dstr_len(text), st)) < 0)
	    errno = EINVAL;
    }
    dstr_free(text);
    return (ret);
}
