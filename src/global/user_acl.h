/* user_acl - may this local user flush or list the queue? (authorized_*_users, by kernel uid) */
#ifndef USER_ACL_H
#define USER_ACL_H
#include <sys/types.h>
#include "userlist.h"

/*
 * Parse and resolve the value of a user list parameter (userlist.h) while
 * the password database is reachable (before chroot); dies naming the
 * parameter on a bad pattern or table.
 */
extern USERLIST *user_acl_open(const char *param, const char *value);
/* Root and this process's own user (mail_owner, in a daemon) always; anyone
 * else as the list says. */
extern int user_acl_allows(const USERLIST *list, uid_t uid);
/* Root or this process's own user: who may change or inspect the queue. */
extern int user_acl_privileged(uid_t uid);

#endif
