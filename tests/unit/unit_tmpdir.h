/*
 * unit_tmpdir - a scratch directory for unit tests that write files
 * (tables, pattern files): made fresh per test by a checked fixture and
 * removed with everything in it afterwards. Header-only, because each
 * check_*.c is linked on its own.
 */
#ifndef UNIT_TMPDIR_H
#define UNIT_TMPDIR_H
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "dstr.h"
#include "mymalloc.h"

/* unit_tmpdir_make - a new empty /tmp/NAME.XXXXXX; the caller frees the name */

static inline char *unit_tmpdir_make(const char *name)
{
    DSTR   *templ = dstr_new(64);

    (void) dstr_sprintf(templ, "/tmp/%s.XXXXXX", name);
    ck_assert_ptr_nonnull(mkdtemp(dstr_data(templ)));
    return (dstr_export(templ));
}

/* unit_tmpdir_remove - remove the directory and its contents; returns NULL */

static inline char *unit_tmpdir_remove(char *dir)
{
    DSTR   *cmd = dstr_new(100);

    (void) dstr_sprintf(cmd, "rm -rf '%s'", dir);
    if (system(dstr_str(cmd)) != 0)
	fprintf(stderr, "could not remove %s\n", dir);
    dstr_free(cmd);
    return (myfree(dir));
}

#endif
