/*
 * jail - privilege drop
 * DESCRIPTION
 *	Daemons facing the network run chrooted in the spool as mail_owner.
 *	The user is looked up before chroot (the password file is outside),
 *	groups are reduced to one, and the switch is verified: a daemon that
 *	could regain root is a bug worth a core file.
 */
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "jail.h"
#include "msg.h"

/* jail_lookup_user - uid and gid of a user name */

int     jail_lookup_user(const char *user, uid_t *uid, gid_t *gid)
{
    struct passwd *pw;

    if ((pw = getpwnam(user)) == NULL)
	return (-1);
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    return (0);
}

/* jail_enter - chroot and setuid */

void    jail_enter(const char *root, const char *user)
{
    uid_t   uid = 0;
    gid_t   gid = 0;

    if (user != NULL) {
	if (jail_lookup_user(user, &uid, &gid) < 0)
	    msg_fatal("unknown user: %s", user);
	if (uid == 0)
	    msg_fatal("refusing to run as root via user %s", user);
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0)
	    msg_fatal("set groups for %s: %m", user);
    }
    if (root != NULL && (chroot(root) < 0 || chdir("/") < 0))
	msg_fatal("chroot %s: %m", root);
    if (user != NULL) {
	if (setuid(uid) < 0)
	    msg_fatal("setuid %ld: %m", (long) uid);
	if (setuid(0) == 0 || getuid() != uid || geteuid() != uid)
	    msg_panic("%s: privileges still held after setuid", __func__);
    }
}
