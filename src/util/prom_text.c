/*
 * prom_text - write metrics as Prometheus scrapes them
 * DESCRIPTION
 *	The text exposition format, version 0.0.4, which promtool checks
 *	and every Prometheus reads: "# HELP", "# TYPE", then one line per
 *	sample. Label values come from the outside world (domain names,
 *	transport names from master.cf), so they are escaped here, once.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "prom_text.h"

/* prom_escape - backslash, and the one other character the context needs */

static void prom_escape(DSTR *out, const char *text, int quote)
{
    const char *cp;

    for (cp = text; *cp; cp++) {
	if (*cp == '\\')
	    dstr_cats(out, "\\\\");
	else if (*cp == '\n')
	    dstr_cats(out, "\\n");
	else if (*cp == '"' && quote)
	    dstr_cats(out, "\\\"");
	else
	    dstr_catc(out, *cp);
    }
}

/* prom_family - # HELP and # TYPE */

void    prom_family(DSTR *out, const char *name, const char *type, const char *help)
{
    dstr_printf(out, "# HELP %s ", name);
    prom_escape(out, help, 0);
    dstr_printf(out, "\n# TYPE %s %s\n", name, type);
}

/* prom_value - a number as the format writes it */

static void prom_value(DSTR *out, double value)
{
    if (isnan(value))
	dstr_cats(out, "NaN");
    else if (isinf(value))
	dstr_cats(out, value > 0 ? "+Inf" : "-Inf");
    else if (value > -9007199254740992.0 && value < 9007199254740992.0
	     && value == (double) (long long) value)
	dstr_printf(out, "%lld", (long long) value);
    else
	dstr_printf(out, "%.17g", value);
}

/* prom_sample - one line */

void    prom_sample(DSTR *out, double value, const char *name,...)
{
    const char *label;
    const char *val;
    va_list ap;
    int     n = 0;

    dstr_cats(out, name);
    va_start(ap, name);
    while ((label = va_arg(ap, const char *)) != NULL) {
	val = va_arg(ap, const char *);
	dstr_printf(out, "%s%s=\"", n++ ? "," : "{", label);
	prom_escape(out, val ? val : "", 1);
	dstr_catc(out, '"');
    }
    va_end(ap);
    if (n)
	dstr_catc(out, '}');
    dstr_catc(out, ' ');
    prom_value(out, value);
    dstr_catc(out, '\n');
}
