/*
 * cfg_print - show parameters the way postconf does
 * DESCRIPTION
 *	"name = value" lines sorted by name: defaults (conf -d), what main.cf
 *	and -o set (conf -n), or every table parameter's current value
 *	(conf), raw as written or with $names expanded (conf -x); or the
 *	table itself, one TAB-separated line per parameter, for scripts and
 *	for checking the documentation. Defaults come from a snapshot of an
 *	empty main.cf, so they do not depend on what the admin wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "cfg.h"
#include "cfg_int.h"

/* cfg_print_cmp - qsort() helper for names */

static int cfg_print_cmp(const void *a, const void *b)
{
    return (strcmp(*(char *const *) a, *(char *const *) b));
}

/* cfg_print_select - the requested names that exist; warn about the rest */

static int cfg_print_select(const CFG_STATE *cur, char **names, ARGV *list)
{
    CFG_VALUE *v;
    int     status = 0;

    for (; *names; names++) {
	v = cfg_state_find(cur, *names);
	if (cfg_is_known(*names) || (v && v->source != CFG_SRC_DEFAULT)) {
	    argv_add(list, *names);
	} else {
	    msg_warn("%s: unknown parameter", *names);
	    status = -1;
	}
    }
    return (status);
}

/* cfg_print_all_names - every name the mode shows */

static void cfg_print_all_names(const CFG_STATE *cur, int what, ARGV *list)
{
    const CFG_PARAM *p;
    size_t  i;

    if (what == CFG_PRINT_NONDEFAULT) {
	for (i = 0; i < cur->count; i++)
	    if (cur->values[i]->source != CFG_SRC_DEFAULT)
		argv_add(list, cur->values[i]->name);
    } else {
	for (p = cfg_params; p->name; p++)
	    argv_add(list, p->name);
    }
}

/* cfg_print_text - raw or expanded text of name */

static const char *cfg_print_text(const CFG_STATE *st, const char *name,
				          int expand, DSTR *buf)
{
    CFG_VALUE *v = cfg_state_find(st, name);
    const CFG_PARAM *fallback;

    if (v)					/* computed: value is all there is */
	return (expand || v->raw == NULL ? v->value : v->raw);

    /*
     * A per-transport name that nobody set: show what it falls back to,
     * as postconf shows "smtp_x = $default_x".
     */
    if ((fallback = cfg_transport_fallback(name)) == NULL)
	return ("");
    if (expand)
	return (cfg_state_find(st, fallback->name)->value);
    dstr_sprintf(buf, "$%s", fallback->name);
    return (dstr_str(buf));
}

/* cfg_print_line - one "name = value" line */

static void cfg_print_line(FILE *fp, const CFG_STATE *st, int what,
			           const char *name, int expand, int value_only, DSTR *buf)
{
    CFG_VALUE *v = cfg_state_find(st, name);
    const char *text;

    if (what == CFG_PRINT_NONDEFAULT && (v == NULL || v->source == CFG_SRC_DEFAULT))
	return;
    text = cfg_print_text(st, name, expand, buf);
    if (value_only)
	fprintf(fp, "%s\n", text);
    else
	fprintf(fp, "%s =%s%s\n", name, *text ? " " : "", text);
}

/* cfg_print_bounds - "min..max" text of a numeric parameter */

static const char *cfg_print_bounds(const CFG_PARAM *p, DSTR *buf)
{
    const char *unit = (p->type == CFG_TIME) ? "s" : "";

    if (p->type == CFG_STR || p->type == CFG_BOOL)
	return ("-");
    dstr_sprintf(buf, "%ld%s..", p->min, unit);
    if (p->max > 0)
	dstr_printf(buf, "%ld%s", p->max, unit);
    return (dstr_str(buf));
}

/* cfg_print_row - name TAB type TAB default TAB bounds TAB meaning */

static void cfg_print_row(FILE *fp, const CFG_STATE *st, const char *name,
			          int expand, DSTR *buf)
{
    static const char *const types[] = {"string", "bool", "int", "long", "time"};
    const CFG_PARAM *p = cfg_param_find(name);
    CFG_VALUE *v;
    const char *def;

    if (p == NULL)
	return;					/* per-transport: no table row */
    v = cfg_state_find(st, name);
    def = (expand || p->defval == NULL) ? v->value : p->defval;
    fprintf(fp, "%s\t%s\t%s\t", name, types[p->type], def);
    fprintf(fp, "%s\t%s\n", cfg_print_bounds(p, buf), p->meaning);
}

/* cfg_print - print parameters */

int     cfg_print(FILE *fp, int mode, char **names)
{
    int     expand = (mode & CFG_PRINT_EXPAND) != 0;
    int     value_only = (mode & CFG_PRINT_VALUE) != 0;
    int     what = mode & ~(CFG_PRINT_EXPAND | CFG_PRINT_VALUE);
    CFG_STATE *cur = cfg_state_current();
    CFG_STATE *defaults = NULL;
    const CFG_STATE *st = cur;
    ARGV   *list = argv_new(64);
    DSTR   *buf = dstr_new(100);
    int     status = 0;
    size_t  i;

    if (what < CFG_PRINT_DEFAULTS || what > CFG_PRINT_TABLE)
	msg_panic("%s: bad mode 0x%x", __func__, (unsigned) mode);
    if (what == CFG_PRINT_DEFAULTS || what == CFG_PRINT_TABLE)
	st = defaults = cfg_state_defaults(cur);
    if (names)
	status = cfg_print_select(cur, names, list);
    else
	cfg_print_all_names(cur, what, list);
    /* Values alone are read by scripts in the order they asked for them. */
    if (!(value_only && names))
	qsort(list->argv, list->argc, sizeof(list->argv[0]), cfg_print_cmp);
    for (i = 0; i < list->argc; i++) {
	if (!value_only && i > 0 && strcmp(list->argv[i], list->argv[i - 1]) == 0)
	    continue;				/* asked for twice */
	if (what == CFG_PRINT_TABLE)
	    cfg_print_row(fp, st, list->argv[i], expand, buf);
	else
	    cfg_print_line(fp, st, what, list->argv[i], expand, value_only, buf);
    }
    cfg_state_free(defaults);
    argv_free(list);
    dstr_free(buf);
    return (status);
}
