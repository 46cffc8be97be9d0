/*
 * cfg_unused - main.cf names that no parameter knows
 * DESCRIPTION
 *	A misspelled name in main.cf does nothing, silently; Postfix's
 *	postconf warns "unused parameter" for it, and so do posthorn check
 *	and posthorn reload, naming the file and line. A name is used when it
 *	is a table parameter, a per-transport form of one for a service that
 *	master.cf runs ("relay_destination_concurrency_limit" with a relay
 *	service; "relya_..." is a typo), or a user-defined parameter that a
 *	used name refers to as $name, in main.cf or in a master.cf -o value.
 */
#include <string.h>

#include "msg.h"
#include "cfg.h"
#include "cfg_int.h"

/* cfg_argv_has - linear membership test */

static int cfg_argv_has(const ARGV *av, const char *name)
{
    size_t  i;

    for (i = 0; i < av->argc; i++)
	if (strcmp(av->argv[i], name) == 0)
	    return (1);
    return (0);
}

/* cfg_used_names - names that known parameters and values refer to, transitively */

static ARGV *cfg_used_names(const CFG_STATE *st, const ARGV *services, const ARGV *values)
{
    ARGV   *used = argv_new(16);
    ARGV   *scanned = argv_new(16);
    CFG_VALUE *v;
    size_t  i;

    for (i = 0; i < st->count; i++) {
	v = st->values[i];
	if (v->source != CFG_SRC_DEFAULT && v->raw && cfg_is_known_for(v->name, services))
	    cfg_scan_refs(v->raw, used);
    }
    for (i = 0; values && i < values->argc; i++)
	cfg_scan_refs(values->argv[i], used);

    /*
     * A user-defined parameter may itself use another one; follow those
     * too ("used" grows while we walk it, and each name is scanned once).
     */
    for (i = 0; i < used->argc; i++) {
	if (cfg_is_known_for(used->argv[i], services) || cfg_argv_has(scanned, used->argv[i]))
	    continue;
	argv_add(scanned, used->argv[i]);
	if ((v = cfg_state_find(st, used->argv[i])) != NULL && v->raw)
	    cfg_scan_refs(v->raw, used);
    }
    argv_free(scanned);
    return (used);
}

/* cfg_is_used - a known parameter or a value refers to name */

int     cfg_is_used(const char *name, const ARGV *services, const ARGV *values)
{
    ARGV   *used = cfg_used_names(cfg_state_current(), services, values);
    int     found = cfg_argv_has(used, name);

    argv_free(used);
    return (found);
}

/* cfg_unknown_names - main.cf names that are no parameter */

ARGV   *cfg_unknown_names(const ARGV *services, const ARGV *values)
{
    const CFG_STATE *st = cfg_state_current();
    ARGV   *unknown = argv_new(4);
    ARGV   *used = cfg_used_names(st, services, values);
    size_t  i;
    const char *name;

    for (i = 0; i < st->file_names->argc; i++) {
	name = st->file_names->argv[i];
	if (!cfg_is_known_for(name, services) && !cfg_argv_has(used, name))
	    argv_add(unknown, name);
    }
    argv_free(used);
    return (unknown);
}

/* cfg_warn_unknown - one warning per unused main.cf name */

int     cfg_warn_unknown(const ARGV *services, const ARGV *values)
{
    const CFG_STATE *st = cfg_state_current();
    ARGV   *unknown = cfg_unknown_names(services, values);
    const CFG_VALUE *v;
    size_t  i;
    int     count = (int) unknown->argc;

    for (i = 0; i < unknown->argc; i++) {
	v = cfg_state_find(st, unknown->argv[i]);
	msg_warn("%s, line %d: unused parameter: %s=%s", st->filename,
		 v ? v->line : 0, unknown->argv[i], v && v->raw ? v->raw : "");
    }
    argv_free(unknown);
    return (count);
}
