/* cfg_int - what the cfg*.c files share and nobody else may use */
#ifndef CFG_INT_H
#define CFG_INT_H
#include "cfg.h"
#include "dstr.h"
#include "argv.h"

/* Where the effective value of a name comes from. */
#define CFG_SRC_DEFAULT		0	/* the table (raw defval, or computed) */
#define CFG_SRC_FILE		1	/* main.cf */
#define CFG_SRC_OVERRIDE	2	/* cfg_override(), i.e. -o name=value */

#define CFG_MAX_DEPTH		100	/* $name nesting before "recursion loop" */
#define CFG_EXPAND_BUDGET	(16 << 20)	/* expanded bytes one load may make */

/*
 * One name known to a snapshot: set in main.cf or by -o, or a table
 * parameter at its default. Values are expanded once and kept (memo),
 * which makes expansion linear and lets cfg_lookup() return stable text.
 */
typedef struct CFG_VALUE {
    char   *name;
    char   *raw;			/* as written; NULL: computed default */
    char   *value;			/* expanded; NULL until computed */
    const CFG_PARAM *param;		/* table entry, or NULL */
    int     source;			/* CFG_SRC_* */
    int     line;			/* main.cf line of the last setting; 0 none */
    int     busy;			/* being expanded: a reference is a loop */
} CFG_VALUE;

/* Everything one load produced; replaced as a whole by the next good load. */
typedef struct CFG_STATE {
    char   *filename;			/* main.cf path, for messages */
    char   *config_dir;		/* value of a computed config_directory */
    CFG_VALUE **values;			/* sorted by name */
    size_t  count;
    size_t  cap;
    ARGV   *file_names;		/* names set in main.cf, first-seen order */
    size_t  budget;			/* expansion bytes left */
} CFG_STATE;

/* cfg.c: snapshots, main.cf syntax, loading */
extern void cfg_state_free(CFG_STATE *st);
extern CFG_VALUE *cfg_state_find(const CFG_STATE *st, const char *name);
extern CFG_VALUE *cfg_state_findn(const CFG_STATE *st, const char *name, size_t len);
/* The last good load (defaults only before the first); do not free. */
extern CFG_STATE *cfg_state_current(void);
/* A fully expanded snapshot of an empty main.cf without -o; caller frees. */
extern CFG_STATE *cfg_state_defaults(const CFG_STATE *like);
extern const CFG_PARAM *cfg_param_find(const char *name);
/* "FILE, line N: parameter NAME: " + text into err (replacing it); -1. */
extern int cfg_fail(const CFG_STATE *st, const CFG_VALUE *v, DSTR *err,
		            const char *fmt,...) PRINTF_LIKE(4, 5);
extern void cfg_join(DSTR *path, const char *dir, const char *file);
extern int cfg_read_file(const char *path, DSTR *buf, DSTR *err);
/* "name = value" into trimmed copies; err is "WHAT: reason". */
extern int cfg_split_nameval(const char *text, const char *what,
			             char **name, char **value, DSTR *err);

/* cfg_lookup.c: typed values, known names */
/* v's expanded value as param's type (not CFG_STR), bounds checked. */
extern int cfg_convert(const CFG_STATE *st, const CFG_VALUE *v,
		               const CFG_PARAM *param, long *num, DSTR *err);
/* "default_<suffix>" for "<word>_<suffix>", or NULL. */
extern const CFG_PARAM *cfg_transport_fallback(const char *name);

/* cfg_expand.c: $name expansion, computed defaults */
extern const char *cfg_expand_value(CFG_STATE *st, CFG_VALUE *v, int depth, DSTR *err);
extern int cfg_expand_all(CFG_STATE *st, DSTR *err);
/* Append every $name that raw refers to (any form) to names. */
extern void cfg_scan_refs(const char *raw, ARGV *names);

#endif
