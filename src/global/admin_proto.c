/*
 * admin_proto - what the queue operations are
 * DESCRIPTION
 *	posthorn checks an administrator's arguments with these tables and
 *	qmgr checks the request it receives with the same ones, so the two
 *	can never disagree about which queues "delete ALL deferred" touches.
 *	The queue names and default queues are Postfix's postsuper(1)'s:
 *	delete and requeue act on hold, incoming, active and deferred, hold
 *	on incoming, active and deferred, release on hold. corrupt/ is ours:
 *	delete acts on it only when it is named. Whoever carries an
 *	operation out (qmgr, or the posthorn command when the instance is
 *	stopped) logs one audit line per message, "ID: placed on hold" and
 *	so on (docs/design.md, "Queue operations"), so a message removed by
 *	the administrator never looks like one that was delivered ("ID:
 *	removed").
 *
 *	A request travels to qmgr as one attribute list (request, queue_id,
 *	queues) in a datagram on public/qmgr, with one end of a socket pair
 *	attached; qmgr answers on that socket (status, count, reason, then
 *	for "status" the report itself) and closes it. See docs/design.md,
 *	"Sockets and who may reach them".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "admin_proto.h"
#include "spool.h"

#define ADMIN_Q_POSTSUPER	(ADMIN_Q_HOLD | ADMIN_Q_INCOMING | ADMIN_Q_ACTIVE | ADMIN_Q_DEFERRED)

static const ADMIN_OP admin_ops[] = {
    {"hold", "Placed on hold", "placed on hold",
	ADMIN_Q_INCOMING | ADMIN_Q_ACTIVE | ADMIN_Q_DEFERRED,
	ADMIN_Q_INCOMING | ADMIN_Q_ACTIVE | ADMIN_Q_DEFERRED, SPOOL_HOLD},
    {"release", "Released from hold", "released from hold",
	ADMIN_Q_HOLD, ADMIN_Q_HOLD, SPOOL_INCOMING},
    {"delete", "Deleted", "removed by the administrator",
	ADMIN_Q_POSTSUPER | ADMIN_Q_CORRUPT, ADMIN_Q_POSTSUPER, NULL},
    {"requeue", "Requeued", "requeued",
	ADMIN_Q_POSTSUPER, ADMIN_Q_POSTSUPER, SPOOL_INCOMING},
    {0},
};

static const struct {
    int     bit;
    const char *name;
}       admin_queues[] = {
    {ADMIN_Q_INCOMING, SPOOL_INCOMING},
    {ADMIN_Q_ACTIVE, SPOOL_ACTIVE},
    {ADMIN_Q_DEFERRED, SPOOL_DEFERRED},
    {ADMIN_Q_HOLD, SPOOL_HOLD},
    {ADMIN_Q_CORRUPT, SPOOL_CORRUPT},
    {0, 0},
};

/* admin_op_find - by name */

const ADMIN_OP *admin_op_find(const char *name)
{
    const ADMIN_OP *op;

    for (op = admin_ops; op->name; op++)
	if (strcmp(op->name, name) == 0)
	    return (op);
    return (NULL);
}

/* admin_queue_bit - a queue name's bit */

int     admin_queue_bit(const char *name)
{
    int     i;

    for (i = 0; admin_queues[i].name; i++)
	if (strcmp(admin_queues[i].name, name) == 0)
	    return (admin_queues[i].bit);
    return (0);
}

/* admin_queue_name - a bit's queue name */

const char *admin_queue_name(int bit)
{
    int     i;

    for (i = 0; admin_queues[i].name; i++)
	if (admin_queues[i].bit == bit)
	    return (admin_queues[i].name);
    return ("?");
}

/* admin_queues_parse - names into bits, or a reason */

int     admin_queues_parse(const ADMIN_OP *op, const char *names, int *bits, DSTR *err)
{
    const char *cp = names ? names : "";
    size_t  len;
    int     bit;
    int     got = 0;
    DSTR   *one = dstr_new(16);

    for (;;) {
	cp += strspn(cp, " \t,");
	if ((len = strcspn(cp, " \t,")) == 0)
	    break;
	dstr_memcpy(one, cp, len);
	cp += len;
	if ((bit = admin_queue_bit(dstr_str(one))) == 0) {
	    dstr_sprintf(err, "\"%s\" is not a queue name", dstr_str(one));
	    dstr_free(one);
	    return (-1);
	}
	if (!(op->allowed & bit)) {
	    dstr_sprintf(err, "%s does not act on the %s queue (only on: ",
			 op->name, dstr_str(one));
	    admin_queues_format(op->allowed, one);
	    dstr_printf(err, "%s)", dstr_str(one));
	    dstr_free(one);
	    return (-1);
	}
	got |= bit;
    }
    dstr_free(one);
    *bits = got ? got : op->defaults;
    return (0);
}

/* admin_queues_format - bits into names */

void    admin_queues_format(int bits, DSTR *out)
{
    int     i;

    DSTR_RESET(out);
    for (i = 0; admin_queues[i].name; i++)
	if (bits & admin_queues[i].bit)
	    dstr_printf(out, "%s%s", dstr_len(out) ? " " : "", admin_queues[i].name);
}

/* admin_file_apply - move or remove one queue file */

int     admin_file_apply(const ADMIN_OP *op, const char *queue, const char *id)
{
    DSTR   *path = dstr_new(64);
    DSTR   *dest = dstr_new(64);
    int     ret;

    spool_path(path, queue, id);
    if (op->to && strcmp(queue, op->to) == 0) {	/* requeue of a new message */
	ret = access(dstr_str(path), F_OK) == 0 ? 1 : 0;
    } else if (op->to) {
	/* Now is its time: a requeued or released message is tried at once. */
	(void) utimes(dstr_str(path), NULL);
	ret = rename(dstr_str(path), spool_path(dest, op->to, id)) == 0 ? 1 : -1;
    } else if ((ret = unlink(dstr_str(path)) == 0 ? 1 : -1) > 0) {
	(void) unlink(spool_path(dest, SPOOL_BOUNCE, id));
	(void) unlink(spool_path(dest, SPOOL_DEFER, id));
    }
    if (ret < 0 && errno == ENOENT)
	ret = 0;
    dstr_free(path);
    dstr_free(dest);
    return (ret);
}
