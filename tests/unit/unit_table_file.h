/*
 * unit_table_file - a lookup table's source file for unit tests of table
 * types read from a file (cidr:, regexp:): write it, and check what every
 * such type promises: an edit in place is seen as a change, and once the
 * file is gone, opening it fails with an error that names it.
 * Header-only, because each check_*.c is linked on its own.
 */
#ifndef UNIT_TABLE_FILE_H
#define UNIT_TABLE_FILE_H
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dict.h"
#include "dstr.h"

/* unit_table_write - a new file from the mkstemp template path, holding text */

static inline void unit_table_write(char *path, const char *text)
{
    FILE   *fp;
    int     fd;

    ck_assert_int_ge(fd = mkstemp(path), 0);
    ck_assert_ptr_nonnull(fp = fdopen(fd, "w"));
    fputs(text, fp);
    ck_assert_int_eq(fclose(fp), 0);
}

/*
 * unit_table_edit_then_gone - dict (opened as spec, on path) sees no change
 * until more is appended to its file, then one; it is closed, the file
 * removed, and opening spec again fails naming path.
 */
static inline void unit_table_edit_then_gone(DICT *dict, const char *spec, const char *path,
					             const char *more)
{
    DSTR   *err = dstr_new(100);
    FILE   *fp;

    ck_assert_ptr_null(dict_changed_name());
    ck_assert_ptr_nonnull(fp = fopen(path, "a"));
    fputs(more, fp);
    ck_assert_int_eq(fclose(fp), 0);
    ck_assert_str_eq(dict_changed_name(), spec);
    dict_close(dict);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_ptr_null(dict_open(spec, err));
    ck_assert_msg(strstr(dstr_str(err), path) != 0, "%s", dstr_str(err));
    dstr_free(err);
}

#endif
