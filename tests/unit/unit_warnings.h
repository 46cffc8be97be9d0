/*
 * unit_warnings - capture what the code under test logs (warnings about
 * skipped table rules and the like), one line each, so a test can assert
 * it. Header-only, because each check_*.c is linked on its own. Use
 * unit_warnings_setup/unit_warnings_teardown as a checked fixture, or
 * call them around a test.
 */
#ifndef UNIT_WARNINGS_H
#define UNIT_WARNINGS_H

#include "dstr.h"
#include "msg.h"

static DSTR *unit_warnings;		/* every line logged since setup */

/* unit_warnings_sink - keep one line */

static void unit_warnings_sink(int level, const char *text)
{
    (void) level;
    dstr_cats(unit_warnings, text);
    dstr_catc(unit_warnings, '\n');
}

/* unit_warnings_setup - start capturing */

static void unit_warnings_setup(void)
{
    unit_warnings = dstr_new(256);
    msg_set_sink(unit_warnings_sink);
}

/* unit_warnings_teardown - stop capturing */

static void unit_warnings_teardown(void)
{
    msg_set_sink(NULL);
    unit_warnings = dstr_free(unit_warnings);
}

#endif
