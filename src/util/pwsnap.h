/* pwsnap - login names by uid, read once while the password database is reachable */
#ifndef PWSNAP_H
#define PWSNAP_H
#include <sys/types.h>

typedef struct PWSNAP PWSNAP;

/* Read every account now (before chroot): the first account of each uid,
 * as getpwuid() would answer. */
extern PWSNAP *pwsnap_load(void);
/* The login name of uid as it was at load time, or NULL. */
extern const char *pwsnap_name(const PWSNAP *snap, uid_t uid);
extern PWSNAP *pwsnap_free(PWSNAP *snap);

#endif
