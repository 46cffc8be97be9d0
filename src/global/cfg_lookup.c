/*
 * cfg_lookup - typed values, per-transport lookups and known names
 * DESCRIPTION
 *	Converts expanded text to booleans, bounded numbers and times, for
 *	the load (every table parameter) and for the per-transport lookups
 *	that qmgr and the delivery agents make ("smtp_recipient_limit",
 *	falling back to "default_recipient_limit"): such names are not in
 *	the table, so their type, unit and bounds come from the fallback.
 *	Also decides which names are parameters at all (cfg_unused.c warns
 *	about the others, so that a typo does not silently do nothing).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "mymalloc.h"
#include "msg.h"
#include "strutil.h"
#include "cfg.h"
#include "cfg_int.h"

 /*
  * Suffixes that make "<transport>_<suffix>" a parameter even when the
  * table has no "default_<suffix>" (Postfix's per-transport scheduler
  * and delivery-agent controls).
  */
static const char *const cfg_transport_suffixes[] = {
    "initial_destination_concurrency",
    "destination_concurrency_limit",
    "destination_recipient_limit",
    "destination_concurrency_positive_feedback",
    "destination_concurrency_negative_feedback",
    "destination_concurrency_failed_cohort_limit",
    "destination_rate_delay",
    "transport_rate_delay",
    "recipient_limit",
    "extra_recipient_limit",
    "recipient_refill_limit",
    "recipient_refill_delay",
    "delivery_slot_cost",
    "delivery_slot_discount",
    "delivery_slot_loan",
    "minimum_delivery_slots",
    "mx_group_concurrency_limit",	/* posthorn: exchanger groups */
    "mx_group_rate_delay",
    "time_limit",
    0,
};

/* cfg_parse_time - "10", "10s", "5m", "2h", "1d", "1w" to seconds */

int     cfg_parse_time(const char *value, int def_unit, long *seconds)
{
    const char *cp;
    long    num = 0;
    long    mult;
    int     unit;

    for (cp = value; *cp >= '0' && *cp <= '9'; cp++) {
	if (num > (LONG_MAX - 9) / 10)
	    return (-1);
	num = num * 10 + (*cp - '0');
    }
    if (cp == value)
	return (-1);
    unit = *cp ? *cp++ : def_unit;
    if (*cp != 0)
	return (-1);				/* one unit letter at most */
    switch (unit) {
    case 's':
	mult = 1;
	break;
    case 'm':
	mult = 60;
	break;
    case 'h':
	mult = 3600;
	break;
    case 'd':
	mult = 86400;
	break;
    case 'w':
	mult = 604800;
	break;
    default:
	return (-1);
    }
    if (num > LONG_MAX / mult)
	return (-1);
    *seconds = num * mult;
    return (0);
}

/* cfg_default_unit - a bare time number is in the unit of the default */

static int cfg_default_unit(const CFG_PARAM *param)
{
    size_t  len;
    int     last;

    if (param->defval == NULL || (len = strlen(param->defval)) == 0)
	return ('s');
    last = param->defval[len - 1];
    return (last >= 'a' && last <= 'z' ? last : 's');
}

/* cfg_convert - expanded text to a bounded number, time or boolean */

int     cfg_convert(const CFG_STATE *st, const CFG_VALUE *v,
		            const CFG_PARAM *param, long *num, DSTR *err)
{
    const char *val = v->value;
    const char *unit = "";
    long    hi;
    int     yes;

    switch (param->type) {
    case CFG_BOOL:
	if ((yes = str_to_bool(val)) < 0)
	    return (cfg_fail(st, v, err, "bad boolean value \"%s\" (use yes or no)",
			     val));
	*num = yes;
	return (0);
    case CFG_INT:
    case CFG_LONG:
	if (str_to_long(val, LONG_MIN, LONG_MAX, num) < 0)
	    return (cfg_fail(st, v, err, "bad numerical value \"%s\"", val));
	break;
    case CFG_TIME:
	if (cfg_parse_time(val, cfg_default_unit(param), num) < 0)
	    return (cfg_fail(st, v, err, "bad time value \"%s\"", val));
	unit = "s";
	break;
    default:
	msg_panic("%s: %s: not a typed parameter", __func__, param->name);
    }
    hi = (param->type == CFG_LONG) ? LONG_MAX : INT_MAX;
    if (param->max > 0 && param->max < hi)
	hi = param->max;
    if (*num < param->min)
	return (cfg_fail(st, v, err, "value \"%s\" is below the minimum %ld%s",
			 val, param->min, unit));
    if (*num > hi)
	return (cfg_fail(st, v, err, "value \"%s\" is above the maximum %ld%s",
			 val, hi, unit));
    return (0);
}

/* cfg_lookup - expanded value of any name, or NULL */

const char *cfg_lookup(const char *name)
{
    CFG_VALUE *v = cfg_state_find(cfg_state_current(), name);

    return (v ? v->value : NULL);
}

/* cfg_lookup_num - name if set, else fallback, typed like fallback */

static int cfg_lookup_num(const char *name, const char *fallback,
			          CFG_TYPE type, long *num, DSTR *err)
{
    const CFG_PARAM *param = cfg_param_find(fallback);
    CFG_STATE *st = cfg_state_current();
    CFG_VALUE *v;

    if (param == NULL || param->type != type)
	msg_panic("%s: fallback \"%s\" is not a table parameter of the "
		  "requested type", __func__, fallback);
    if ((v = cfg_state_find(st, name)) == NULL || v->source == CFG_SRC_DEFAULT)
	v = cfg_state_find(st, fallback);
    return (cfg_convert(st, v, param, num, err));
}

/* cfg_lookup_int - per-transport number */

int     cfg_lookup_int(const char *name, const char *fallback, int *result,
		               DSTR *err)
{
    long    num;

    if (cfg_lookup_num(name, fallback, CFG_INT, &num, err) < 0)
	return (-1);
    *result = (int) num;
    return (0);
}

/* cfg_lookup_time - per-transport time in seconds */

int     cfg_lookup_time(const char *name, const char *fallback, int *result,
			        DSTR *err)
{
    long    num;

    if (cfg_lookup_num(name, fallback, CFG_TIME, &num, err) < 0)
	return (-1);
    *result = (int) num;
    return (0);
}

/* cfg_lookup_bool - per-transport yes/no */

int     cfg_lookup_bool(const char *name, const char *fallback, int *result,
			        DSTR *err)
{
    long    num;

    if (cfg_lookup_num(name, fallback, CFG_BOOL, &num, err) < 0)
	return (-1);
    *result = (int) num;
    return (0);
}

/* cfg_transport_fallback - "default_<suffix>" of "<word>_<suffix>" */

const CFG_PARAM *cfg_transport_fallback(const char *name)
{
    DSTR   *key = dstr_new(64);
    const CFG_PARAM *param = NULL;
    const char *cp;

    for (cp = strchr(name, '_'); cp && !param; cp = strchr(cp + 1, '_')) {
	if (cp == name || cp[1] == 0)
	    continue;				/* need a word and a suffix */
	dstr_sprintf(key, "default_%s", cp + 1);
	param = cfg_param_find(dstr_str(key));
    }
    dstr_free(key);
    return (param);
}

/* cfg_is_transport_suffix - a per-transport suffix: listed, or with a default_ parameter */

static int cfg_is_transport_suffix(const char *suffix)
{
    const char *const * sp;
    DSTR   *key;
    int     found;

    if (*suffix == 0)
	return (0);
    for (sp = cfg_transport_suffixes; *sp; sp++)
	if (strcmp(suffix, *sp) == 0)
	    return (1);
    key = dstr_new(64);
    dstr_sprintf(key, "default_%s", suffix);
    found = cfg_param_find(dstr_str(key)) != NULL;
    dstr_free(key);
    return (found);
}

/* cfg_is_known_for - table parameter, or "<service>_<suffix>" of a known service */

int     cfg_is_known_for(const char *name, const ARGV *services)
{
    const char *cp;
    size_t  i;
    size_t  len;

    if (cfg_param_find(name) != NULL)
	return (1);
    if (services == NULL) {			/* any word may be a transport */
	for (cp = strchr(name, '_'); cp; cp = strchr(cp + 1, '_'))
	    if (cp != name && cfg_is_transport_suffix(cp + 1))
		return (1);
	return (0);
    }
    for (i = 0; i < services->argc; i++) {
	len = strlen(services->argv[i]);
	if (len > 0 && strncmp(name, services->argv[i], len) == 0 && name[len] == '_'
	    && cfg_is_transport_suffix(name + len + 1))
	    return (1);
    }
    return (0);
}

/* cfg_is_known - table parameter or per-transport form of any word */

int     cfg_is_known(const char *name)
{
    return (cfg_is_known_for(name, NULL));
}
