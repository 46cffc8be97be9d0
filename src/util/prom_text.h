/* prom_text - Prometheus text exposition format (version 0.0.4) */
#ifndef PROM_TEXT_H
#define PROM_TEXT_H
#include "dstr.h"

#define PROM_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* Start a metric family: its # HELP and # TYPE lines (type: counter,
 * gauge...). Each family must be started once, before its samples. */
extern void prom_family(DSTR *out, const char *name, const char *type, const char *help);
/*
 * One sample line: name{label="value",...} value. After value come label
 * name and value pairs, ended by a NULL name; values are escaped as the
 * format wants (backslash, double quote, line feed), so any bytes are
 * safe. Whole numbers print without exponent up to 2^53.
 */
extern void prom_sample(DSTR *out, double value, const char *name, ...);

#endif
