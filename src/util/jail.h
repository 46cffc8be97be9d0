/* jail - give up root for good: chroot and/or become an unprivileged user */
#ifndef JAIL_H
#define JAIL_H
#include <sys/types.h>

/* Look up user; 0 and uid/gid, or -1 when unknown. */
extern int jail_lookup_user(const char *user, uid_t *uid, gid_t *gid);
/* chroot to root (if not NULL) and become user (if not NULL); dies on failure
 * and panics if root privileges survive the switch. */
extern void jail_enter(const char *root, const char *user);

#endif
