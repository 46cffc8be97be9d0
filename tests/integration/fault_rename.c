/*
 * fault_rename - an LD_PRELOAD shim for fault injection in qmgr
 * DESCRIPTION
 *	rename(2) fails with EIO in a process named qmgr while a file
 *	"fault-rename" exists in its working directory (the queue directory,
 *	which is also its root once chrooted); everything else, and every
 *	other process, is untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern char *program_invocation_short_name;

int     rename(const char *from, const char *to)
{
    static int (*real) (const char *, const char *);

    if (strcmp(program_invocation_short_name, "qmgr") == 0
	&& access("fault-rename", F_OK) == 0) {
	errno = EIO;
	return (-1);
    }
    if (real == NULL)
	real = (int (*) (const char *, const char *)) dlsym(RTLD_NEXT, "rename");
    return (real(from, to));
}
