/*
 * pwsnap - a snapshot of the password database
 * DESCRIPTION
 *	A chrooted daemon cannot ask getpwuid() (the name service reads
 *	/etc/passwd, or talks to a directory, outside the jail), yet it may
 *	need the login name behind a uid the kernel reported for a socket.
 *	So it reads every account once before the chroot. An account made
 *	later is unknown until the process is replaced, which master does
 *	after max_idle or max_use.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>

#include "pwsnap.h"
#include "htable.h"
#include "mymalloc.h"

struct PWSNAP {
    HTABLE *names;			/* decimal uid -> login name */
};

/* pwsnap_key - the table key of a uid */

static void pwsnap_key(char *key, size_t len, uid_t uid)
{
    snprintf(key, len, "%lu", (unsigned long) uid);
}

/* pwsnap_load - every account, now */

PWSNAP *pwsnap_load(void)
{
    PWSNAP *snap = mycalloc(1, sizeof(*snap));
    struct passwd *pw;
    char    key[32];

    snap->names = htable_new(64);
    setpwent();
    while ((pw = getpwent()) != NULL) {
	pwsnap_key(key, sizeof(key), pw->pw_uid);
	if (htable_find(snap->names, key) == NULL)
	    htable_enter(snap->names, key, mystrdup(pw->pw_name));
    }
    endpwent();
    return (snap);
}

/* pwsnap_name - look one up */

const char *pwsnap_name(const PWSNAP *snap, uid_t uid)
{
    char    key[32];

    pwsnap_key(key, sizeof(key), uid);
    return (htable_find(snap->names, key));
}

/* pwsnap_free - release */

PWSNAP *pwsnap_free(PWSNAP *snap)
{
    if (snap) {
	htable_free(snap->names, free);
	free(snap);
    }
    return (NULL);
}
