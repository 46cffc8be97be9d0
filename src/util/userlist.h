/* userlist - Postfix-style lists of local users (authorized_flush_users), matched by uid */
#ifndef USERLIST_H
#define USERLIST_H
#include <sys/types.h>
#include "dstr.h"

typedef struct USERLIST USERLIST;

/*
 * Parse a list of login names, "!pattern", "/file" and "type:table"
 * patterns (a table matches a name it has a key for; its value is
 * ignored; static:anyone matches everyone). Tables are opened now. NULL
 * and a one-line reason in err for a bad pattern. An empty list matches
 * nobody.
 */
extern USERLIST *userlist_parse(const char *spec, DSTR *err);
/* First matching pattern decides: 1 match, 0 not. Names ignore case. */
extern int userlist_match_name(const USERLIST *list, const char *name);
/*
 * Decide now, for every account in the password database, whether its
 * login name matches, so that userlist_match_uid() needs no password file
 * later (inside a chroot). Call it before chroot.
 */
extern void userlist_resolve(USERLIST *list);
/* The decision for uid's login name as resolved; a uid that had no account
 * then is matched as the name "unknown", as Postfix does. */
extern int userlist_match_uid(const USERLIST *list, uid_t uid);
extern USERLIST *userlist_free(USERLIST *list);

#endif
