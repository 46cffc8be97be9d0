/*
 * user_acl - local users' rights over the queue
 * DESCRIPTION
 *	Postfix decides in its setgid client (postqueue) whether a user may
 *	flush or list the queue; posthorn has no setgid programs, so the
 *	daemon that does the work decides, from the uid the kernel reports
 *	for the socket (docs/design.md, "The privilege model"). Root and
 *	mail_owner may always; in a daemon, mail_owner is the process's own
 *	user (in unprivileged mode, whoever started the instance).
 */
#include <unistd.h>

#include "user_acl.h"
#include "msg.h"

/* user_acl_open - parse and resolve, or die */

USERLIST *user_acl_open(const char *param, const char *value)
{
    DSTR   *err = dstr_new(128);
    USERLIST *list;

    if ((list = userlist_parse(value, err)) == NULL)
	msg_fatal("parameter %s: %s", param, dstr_str(err));
    userlist_resolve(list);
    dstr_free(err);
    return (list);
}

/* user_acl_privileged - root or ourselves */

int     user_acl_privileged(uid_t uid)
{
    static uid_t self;

    /* postlogd asks for every log line. An unprivileged process cannot
     * become root again, so its euid, once not root, is remembered. */
    if (self == 0)
	self = geteuid();
    return (uid == 0 || uid == self);
}

/* user_acl_allows - privileged, or on the list */

int     user_acl_allows(const USERLIST *list, uid_t uid)
{
    return (user_acl_privileged(uid) || (uid != (uid_t) -1 && userlist_match_uid(list, uid)));
}
