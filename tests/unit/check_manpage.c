/*
 * check_manpage - posthorn.conf(5) documents exactly the parameter table
 * DESCRIPTION
 *	Every parameter has one entry of the form
 *	    .IP "\fBname\fR (default: text)"
 *	where text is the table default with '-' written "\-" and '\\'
 *	written "\e", "empty" for an empty default and "computed" for a
 *	computed one; entries are in alphabetical order and name nothing
 *	that is not in the table. So neither can drift from the other.
 *	The page is found under SRCDIR when defined, else under the
 *	current directory (tests run from the top of the tree).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dstr.h"
#include "argv.h"
#include "cfg.h"

#ifndef SRCDIR
#define SRCDIR	"."
#endif
#define MANPAGE		SRCDIR "/man/man5/posthorn.conf.5"
#define ENTRY_START	".IP \"\\fB"		/* .IP "\fB */
#define ENTRY_MID	"\\fR (default: "	/* \fR (default: */
#define ENTRY_END	")\""

 /*
  * daemon_directory's default is set at build time (DEF_DAEMON_DIR); the
  * page documents the one used when the build does not set it.
  */
#define BUILTIN_DAEMON_DIR	"/usr/local/libexec/posthorn"

static ARGV *man_lines;

/* setup - the man page, one line per entry */

static void setup(void)
{
    FILE   *fp = fopen(MANPAGE, "r");
    DSTR   *text = dstr_new(10000);
    int     ch;

    ck_assert_msg(fp != NULL, "cannot open %s", MANPAGE);
    while ((ch = getc(fp)) != EOF)
	dstr_catc(text, ch);
    fclose(fp);
    man_lines = argv_split(dstr_str(text), "\n");
    dstr_free(text);
}

/* teardown - release the lines */

static void teardown(void)
{
    man_lines = argv_free(man_lines);
}

/* entry_name - the parameter an entry line documents (in buf), or NULL */

static const char *entry_name(const char *line, DSTR *buf)
{
    const char *end;

    if (strncmp(line, ENTRY_START, strlen(ENTRY_START)) != 0
	|| (end = strstr(line, ENTRY_MID)) == NULL)
	return (NULL);
    line += strlen(ENTRY_START);
    dstr_memcpy(buf, line, (size_t) (end - line));
    return (dstr_str(buf));
}

/* entry_default - the default text of an entry, unescaped, or NULL */

static const char *entry_default(const char *line, DSTR *buf)
{
    const char *cp = strstr(line, ENTRY_MID);
    size_t  len;

    if (cp == NULL)
	return (NULL);
    cp += strlen(ENTRY_MID);
    len = strlen(cp);
    if (len < 2 || strcmp(cp + len - 2, ENTRY_END) != 0)
	return (NULL);
    DSTR_RESET(buf);
    for (len -= 2; len > 0; cp++, len--) {
	if (cp[0] == '\\' && len > 1 && (cp[1] == '-' || cp[1] == 'e')) {
	    dstr_catc(buf, cp[1] == '-' ? '-' : '\\');
	    cp++, len--;
	} else {
	    dstr_catc(buf, *cp);
	}
    }
    return (dstr_str(buf));
}

/* expected_default - how the page writes a table default */

static const char *expected_default(const CFG_PARAM *p)
{
    if (p->defval == NULL)
	return ("computed");
    if (*p->defval == 0)
	return ("empty");
    return (p->defval);
}

/* find_entry - the entry line of a parameter, or NULL */

static const char *find_entry(const char *name)
{
    DSTR   *buf = dstr_new(64);
    const char *found = NULL;
    const char *n;
    size_t  i;

    for (i = 0; i < man_lines->argc && found == NULL; i++)
	if ((n = entry_name(man_lines->argv[i], buf)) != NULL && strcmp(n, name) == 0)
	    found = man_lines->argv[i];
    dstr_free(buf);
    return (found);
}

START_TEST(every_parameter_is_documented_with_its_default)
{
    DSTR   *buf = dstr_new(64);
    const CFG_PARAM *p;
    const char *line;
    const char *def;

    for (p = cfg_params; p->name; p++) {
	line = find_entry(p->name);
	ck_assert_msg(line != NULL, "%s: parameter %s is not documented",
		      MANPAGE, p->name);
	def = entry_default(line, buf);
	ck_assert_msg(def != NULL, "%s: entry of %s does not end in ')\"'",
		      MANPAGE, p->name);
	if (strcmp(p->name, "daemon_directory") == 0
	    && strcmp(p->defval, BUILTIN_DAEMON_DIR) != 0)
	    ck_assert_str_eq(def, BUILTIN_DAEMON_DIR);	/* built elsewhere */
	else
	    ck_assert_msg(strcmp(def, expected_default(p)) == 0,
			  "%s: %s: page says default \"%s\", table says \"%s\"",
			  MANPAGE, p->name, def, expected_default(p));
    }
    dstr_free(buf);
}
END_TEST

START_TEST(every_documented_parameter_is_in_the_table)
{
    DSTR   *buf = dstr_new(64);
    const CFG_PARAM *p;
    const char *name;
    size_t  i;
    int     entries = 0;
    int     params = 0;

    for (i = 0; i < man_lines->argc; i++) {
	if ((name = entry_name(man_lines->argv[i], buf)) == NULL)
	    continue;
	entries++;
	for (p = cfg_params; p->name && strcmp(p->name, name) != 0; p++)
	     /* void */ ;
	ck_assert_msg(p->name != NULL, "%s documents %s, which is not a parameter",
		      MANPAGE, name);
    }
    for (p = cfg_params; p->name; p++)
	params++;
    ck_assert_int_eq(entries, params);		/* no entry twice */
    dstr_free(buf);
}
END_TEST

START_TEST(documented_parameters_are_in_alphabetical_order)
{
    DSTR   *buf = dstr_new(64);
    DSTR   *prev = dstr_new(64);
    const char *name;
    size_t  i;

    for (i = 0; i < man_lines->argc; i++) {
	if ((name = entry_name(man_lines->argv[i], buf)) == NULL)
	    continue;
	ck_assert_msg(strcmp(dstr_str(prev), name) < 0, "%s: %s comes after %s",
		      MANPAGE, name, dstr_str(prev));
	dstr_strcpy(prev, name);
    }
    ck_assert_int_gt(dstr_len(prev), 0);
    dstr_free(buf);
    dstr_free(prev);
}
END_TEST

/* manpage_suite - every test above */

static Suite *manpage_suite(void)
{
    Suite  *s = suite_create("manpage");
    TCase  *tc = tcase_create("posthorn.conf.5");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_parameter_is_documented_with_its_default);
    tcase_add_test(tc, every_documented_parameter_is_in_the_table);
    tcase_add_test(tc, documented_parameters_are_in_alphabetical_order);
    suite_add_tcase(s, tc);
    return (s);
}

int     main(void)
{
    SRunner *sr = srunner_create(manpage_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed ? EXIT_FAILURE : EXIT_SUCCESS);
}
