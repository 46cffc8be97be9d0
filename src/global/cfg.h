/* cfg - main.cf: one parameter table, Postfix syntax, $name expansion, typed values */
#ifndef CFG_H
#define CFG_H
#include <stdio.h>
#include "dstr.h"
#include "argv.h"

typedef enum CFG_TYPE {
    CFG_STR,				/* char *, expanded */
    CFG_BOOL,				/* int: yes/no */
    CFG_INT,				/* int, bounded */
    CFG_LONG,				/* long, bounded (sizes in bytes) */
    CFG_TIME,				/* int seconds; unit suffix s m h d w, bare
					 * number in the unit of the default */
} CFG_TYPE;

typedef struct CFG_PARAM {
    const char *name;
    CFG_TYPE type;
    const char *defval;			/* raw default, may use $name; NULL:
					 * computed at load time (myhostname ...) */
    long    min;			/* bounds for INT, LONG, TIME (seconds) */
    long    max;			/* max 0: no upper bound */
    void   *var;			/* char **, int * or long * */
    const char *meaning;		/* one line: conf -d, posthorn.conf(5) */
    /* STR only: 0 or -1 and a reason for a value the daemon would refuse */
    int     (*check) (const char *value, DSTR *why);
} CFG_PARAM;

/* The table, ending with a zeroed entry; defined in cfg_params.c. */
extern const CFG_PARAM cfg_params[];

#define CFG_DEFAULT_CONFIG_DIR	"/etc/posthorn"
#define CFG_ENV_CONFIG_DIR	"POSTHORN_CONFIG_DIR"	/* master passes it on */

/*
 * Read DIR/main.cf, apply earlier -o overrides, expand and convert every
 * parameter into its var_ variable. On a bad file or value returns -1 and
 * puts one line into err naming file, line and parameter ("/etc/posthorn/
 * main.cf, line 12: parameter qmqpd_timeout: bad time value \"5x\"");
 * the variables then keep their previous values. Never exits.
 */
extern int cfg_load(const char *config_dir, DSTR *err);
/* cfg_load() on main.cf text in memory (tests, fuzzing); filename is only
 * used in messages, and a computed config_directory is the default one. */
extern int cfg_load_text(const char *text, size_t len, const char *filename, DSTR *err);
/* Free every value, the overrides and the var_ strings; back to the state
 * before the first load (var_ strings NULL, numbers 0). */
extern void cfg_unload(void);
/* For tests: computed defaults use name instead of gethostname(); NULL undoes. */
extern void cfg_set_hostname(const char *name);
/*
 * The expanded value of one parameter of DIR/main.cf, even when other
 * parameters there are invalid (so "posthorn stop" still finds the pid file
 * of an instance whose main.cf was broken meanwhile). 0, or -1 and err.
 */
extern int cfg_peek(const char *config_dir, const char *name, DSTR *value, DSTR *err);
/* cfg_load() that logs the error and exits 1; what daemons call. */
extern void cfg_load_or_die(const char *config_dir);
/* The directory to read: $POSTHORN_CONFIG_DIR or the compiled-in default. */
extern const char *cfg_default_dir(void);
/* Record "name=value" (master.cf -o, or a command line) to win over main.cf;
 * takes effect at the next cfg_load(). -1 and err on bad syntax. */
extern int cfg_override(const char *name_eq_value, DSTR *err);
/* Forget every recorded override (the next cfg_load() reads main.cf alone). */
extern void cfg_override_clear(void);

/* Expanded value of any parameter, known or not (e.g. smtp_recipient_limit);
 * NULL when main.cf does not set it and it has no default. The text stays
 * valid until the next successful cfg_load() or cfg_unload(). */
extern const char *cfg_lookup(const char *name);
/* Typed value of a per-transport parameter "<transport>_<suffix>", falling back
 * to the parameter named fallback (e.g. "default_recipient_limit"). -1 and err
 * when the value is invalid. */
extern int cfg_lookup_int(const char *name, const char *fallback, int *result, DSTR *err);
extern int cfg_lookup_time(const char *name, const char *fallback, int *result, DSTR *err);
extern int cfg_lookup_bool(const char *name, const char *fallback, int *result, DSTR *err);
/* Convert a time value in the given default unit ('s','m','h','d','w'). */
extern int cfg_parse_time(const char *value, int def_unit, long *seconds);

/*
 * What master.cf tells about main.cf names: services, its service names
 * (a per-transport form "<service>_<suffix>" is a parameter only for one
 * of them; NULL: for any word), and values, its -o values (a $name there
 * uses a user-defined parameter; may be NULL).
 */
/* Names in main.cf that are neither in the table nor a per-transport form,
 * in file order; a name used as $name by a known parameter or in values
 * counts as a user-defined parameter (as in Postfix) and is not listed.
 * Caller frees. */
extern ARGV *cfg_unknown_names(const ARGV *services, const ARGV *values);
/* Warn about each of those, as Postfix's postconf does but with the line:
 * "FILE, line N: unused parameter: name=value". Returns how many. */
extern int cfg_warn_unknown(const ARGV *services, const ARGV *values);
/* Does a known parameter of main.cf, or one of values, use $name? */
extern int cfg_is_used(const char *name, const ARGV *services, const ARGV *values);
/* Is name a parameter: in the table, or "<service>_<suffix>" of a per-transport one? */
extern int cfg_is_known_for(const char *name, const ARGV *services);
/* cfg_is_known_for(name, NULL): any word may be a transport. */
extern int cfg_is_known(const char *name);

#define CFG_PRINT_DEFAULTS	1	/* conf -d: every default */
#define CFG_PRINT_NONDEFAULT	2	/* conf -n: only what main.cf sets */
#define CFG_PRINT_ALL		3	/* conf: every parameter's value */
#define CFG_PRINT_TABLE		4	/* name TAB type TAB default TAB bounds TAB meaning */
#define CFG_PRINT_EXPAND	0x10	/* flag: expand $names (conf -x) */
#define CFG_PRINT_VALUE		0x20	/* flag: values only, in the order asked (conf -h) */
/* Print "name = value" lines, sorted; names == NULL means all. -1 if a name is
 * unknown (after printing the others; each unknown name gets a warning). */
extern int cfg_print(FILE *fp, int mode, char **names);
/* Edit DIR/main.cf in place as postconf -e does: replace each setting, append
 * new ones, keep comments and order; atomic (write, fsync, rename). */
extern int cfg_edit(const char *config_dir, char **name_eq_values, DSTR *err);

#endif
