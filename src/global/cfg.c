/*
 * cfg - read main.cf and the -o overrides into the var_ variables
 * DESCRIPTION
 *	A load builds a snapshot (CFG_STATE) of every name main.cf or -o
 *	sets, plus every table parameter at its default; expands every value
 *	(cfg_expand.c); converts every table parameter to its type
 *	(cfg_lookup.c); and only when all of that worked, stores the results
 *	in the var_ variables and keeps the snapshot for cfg_lookup(). So a
 *	bad file at "posthorn reload" leaves a running daemon exactly as it
 *	was. Problems go back to the caller as one line naming file, line and
 *	parameter; nothing here logs or exits except cfg_load_or_die().
 *
 *	main.cf syntax is Postfix's: "name = value", white space around "="
 *	and at line ends ignored, blank and "#" lines ignored (they do not end
 *	a logical line), lines starting with white space continue the
 *	previous one, later settings win.
 * SEE ALSO
 *	cfg_expand.c, cfg_lookup.c, cfg_print.c, cfg_edit.c, posthorn.conf(5)
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mymalloc.h"
#include "msg.h"
#include "cfg.h"
#include "cfg_int.h"

 /*
  * The snapshot of the last good load, and the -o overrides in the order
  * given (applying them in order makes the last one win).
  */
static CFG_STATE *cfg_current;
static ARGV *cfg_ovr_names;
static ARGV *cfg_ovr_values;

 /*
  * What cfg_convert_all() produces for one table parameter, before it is
  * allowed into the var_ variable.
  */
typedef union CFG_CONV {
    char   *str;
    int     num;
    long    lnum;
} CFG_CONV;

#define CFG_ISSPACE(c)	isspace((unsigned char) (c))

/* cfg_state_new - empty snapshot */

static CFG_STATE *cfg_state_new(const char *filename, const char *config_dir)
{
    CFG_STATE *st = mycalloc(1, sizeof(*st));

    st->filename = mystrdup(filename);
    st->config_dir = mystrdup(config_dir);
    st->cap = 64;
    st->values = mymalloc(st->cap * sizeof(*st->values));
    st->file_names = argv_new(16);
    st->budget = CFG_EXPAND_BUDGET;
    return (st);
}

/* cfg_state_free - release a snapshot and every value in it */

void    cfg_state_free(CFG_STATE *st)
{
    size_t  i;

    if (st == NULL)
	return;
    for (i = 0; i < st->count; i++) {
	free(st->values[i]->name);
	free(st->values[i]->raw);
	free(st->values[i]->value);
	free(st->values[i]);
    }
    free(st->values);
    argv_free(st->file_names);
    free(st->filename);
    free(st->config_dir);
    free(st);
}

/* cfg_state_slot - binary search: index of name, or where it would go */

static size_t cfg_state_slot(const CFG_STATE *st, const char *name,
			             size_t len, int *found)
{
    size_t  lo = 0;
    size_t  hi = st->count;
    size_t  mid;
    int     cmp;

    while (lo < hi) {
	mid = lo + (hi - lo) / 2;
	cmp = strncmp(st->values[mid]->name, name, len);
	if (cmp == 0 && st->values[mid]->name[len] != 0)
	    cmp = 1;				/* longer name sorts after */
	if (cmp == 0) {
	    *found = 1;
	    return (mid);
	}
	if (cmp < 0)
	    lo = mid + 1;
	else
	    hi = mid;
    }
    *found = 0;
    return (lo);
}

/* cfg_state_findn - value of the first len bytes of name, or NULL */

CFG_VALUE *cfg_state_findn(const CFG_STATE *st, const char *name, size_t len)
{
    int     found;
    size_t  slot = cfg_state_slot(st, name, len, &found);

    return (found ? st->values[slot] : NULL);
}

/* cfg_state_find - value of name, or NULL */

CFG_VALUE *cfg_state_find(const CFG_STATE *st, const char *name)
{
    return (cfg_state_findn(st, name, strlen(name)));
}

/* cfg_state_set - record a setting; a later one replaces an earlier one */

static CFG_VALUE *cfg_state_set(CFG_STATE *st, const char *name, size_t len,
				        const char *raw, int source, int line)
{
    int     found;
    size_t  slot = cfg_state_slot(st, name, len, &found);
    CFG_VALUE *v;

    if (found) {
	v = st->values[slot];
	free(v->raw);
    } else {
	if (st->count == st->cap) {
	    st->cap *= 2;
	    st->values = myrealloc(st->values, st->cap * sizeof(*st->values));
	}
	memmove(st->values + slot + 1, st->values + slot,
		(st->count - slot) * sizeof(*st->values));
	v = st->values[slot] = mycalloc(1, sizeof(*v));
	v->name = mystrndup(name, len);
	st->count++;
	if (source == CFG_SRC_FILE)
	    argv_add(st->file_names, v->name);
    }
    v->raw = raw ? mystrdup(raw) : NULL;
    v->source = source;
    if (source == CFG_SRC_FILE)
	v->line = line;
    return (v);
}

/* cfg_param_count - entries in the table, not counting the terminator */

static size_t cfg_param_count(void)
{
    static size_t count;

    if (count == 0)
	while (cfg_params[count].name)
	    count++;
    return (count);
}

/* cfg_param_cmp - bsearch() helper */

static int cfg_param_cmp(const void *key, const void *elem)
{
    return (strcmp((const char *) key, ((const CFG_PARAM *) elem)->name));
}

/* cfg_param_find - table entry of name, or NULL */

const CFG_PARAM *cfg_param_find(const char *name)
{
    return (bsearch(name, cfg_params, cfg_param_count(),
		    sizeof(cfg_params[0]), cfg_param_cmp));
}

/* cfg_fail - one error line: where, parameter, what; returns -1 */

int     cfg_fail(const CFG_STATE *st, const CFG_VALUE *v, DSTR *err,
		         const char *fmt,...)
{
    va_list ap;

    DSTR_RESET(err);
    if (v->source == CFG_SRC_OVERRIDE)
	dstr_printf(err, "-o %s=%s", v->name, v->raw);
    else if (v->source == CFG_SRC_FILE)
	dstr_printf(err, "%s, line %d", st->filename, v->line);
    else
	dstr_printf(err, "%s: default value", st->filename);
    dstr_printf(err, ": parameter %s: ", v->name);
    va_start(ap, fmt);
    dstr_vprintf(err, fmt, ap);
    va_end(ap);
    return (-1);
}

/* cfg_parse_setting - one logical line "name = value" into the snapshot */

static int cfg_parse_setting(CFG_STATE *st, const char *line, int lineno,
			             DSTR *err)
{
    size_t  nlen = strcspn(line, " \t\r\v\f=");
    const char *cp = line + nlen;

    if (nlen == 0) {
	dstr_sprintf(err, "%s, line %d: missing parameter name before '='",
		     st->filename, lineno);
	return (-1);
    }
    while (CFG_ISSPACE(*cp))
	cp++;
    if (*cp != '=') {
	dstr_sprintf(err, "%s, line %d: missing '=' after parameter name",
		     st->filename, lineno);
	return (-1);
    }
    cp++;
    while (CFG_ISSPACE(*cp))
	cp++;
    (void) cfg_state_set(st, line, nlen, cp, CFG_SRC_FILE, lineno);
    return (0);
}

/* cfg_parse_line - fold one physical line into the logical line */

static int cfg_parse_line(CFG_STATE *st, DSTR *logical, int *start,
			          const char *line, size_t len, int lineno,
			          DSTR *err)
{
    size_t  first;
    size_t  end = len;

    if (memchr(line, 0, len) != NULL) {
	dstr_sprintf(err, "%s, line %d: NUL character in line",
		     st->filename, lineno);
	return (-1);
    }
    for (first = 0; first < len && CFG_ISSPACE(line[first]); first++)
	 /* void */ ;
    if (first == len || line[first] == '#')
	return (0);				/* blank or comment: skip */
    while (end > first && CFG_ISSPACE(line[end - 1]))
	end--;
    if (first > 0) {				/* continuation */
	if (*start == 0) {
	    dstr_sprintf(err, "%s, line %d: continuation line without "
			 "a preceding parameter", st->filename, lineno);
	    return (-1);
	}
	dstr_catc(logical, ' ');
	dstr_cat(logical, line + first, end - first);
	return (0);
    }
    if (*start && cfg_parse_setting(st, dstr_str(logical), *start, err) < 0)
	return (-1);
    dstr_memcpy(logical, line, end);
    *start = lineno;
    return (0);
}

/* cfg_parse_text - collect the settings of main.cf text */

static int cfg_parse_text(CFG_STATE *st, const char *text, size_t len,
			          DSTR *err)
{
    DSTR   *logical = dstr_new(128);
    const char *cp = text;
    const char *end = text + len;
    const char *eol;
    int     lineno = 0;
    int     start = 0;
    int     ret = 0;

    while (ret == 0 && cp < end) {
	if ((eol = memchr(cp, '\n', (size_t) (end - cp))) == NULL)
	    eol = end;
	ret = cfg_parse_line(st, logical, &start, cp, (size_t) (eol - cp),
			     ++lineno, err);
	cp = (eol < end) ? eol + 1 : end;
    }
    if (ret == 0 && start)
	ret = cfg_parse_setting(st, dstr_str(logical), start, err);
    dstr_free(logical);
    return (ret);
}

/* cfg_state_add_defaults - table parameters not set get their default */

static void cfg_state_add_defaults(CFG_STATE *st)
{
    const CFG_PARAM *p;
    CFG_VALUE *v;

    for (p = cfg_params; p->name; p++) {
	if ((v = cfg_state_find(st, p->name)) == NULL)
	    v = cfg_state_set(st, p->name, strlen(p->name), p->defval,
			      CFG_SRC_DEFAULT, 0);
	v->param = p;
    }
}

/* cfg_state_build - parse text, apply overrides, add defaults */

static CFG_STATE *cfg_state_build(const char *text, size_t len,
				          const char *filename,
				          const char *config_dir,
				          int overrides, DSTR *err)
{
    CFG_STATE *st = cfg_state_new(filename, config_dir);
    size_t  i;

    if (cfg_parse_text(st, text, len, err) < 0) {
	cfg_state_free(st);
	return (NULL);
    }
    if (overrides && cfg_ovr_names)
	for (i = 0; i < cfg_ovr_names->argc; i++)
	    (void) cfg_state_set(st, cfg_ovr_names->argv[i],
				 strlen(cfg_ovr_names->argv[i]),
				 cfg_ovr_values->argv[i], CFG_SRC_OVERRIDE, 0);
    cfg_state_add_defaults(st);
    return (st);
}

/* cfg_check_value - a string parameter's own syntax check, with file and line */

static int cfg_check_value(const CFG_STATE *st, const CFG_VALUE *v, const CFG_PARAM *p,
			           DSTR *err)
{
    DSTR   *why = dstr_new(64);
    int     ret = 0;

    if (p->check(v->value, why) < 0) {
	/* A default that is bad on its own is our bug, not the admin's. */
	if (v->source == CFG_SRC_DEFAULT && (v->raw == NULL || strchr(v->raw, '$') == NULL))
	    msg_panic("bad table default for %s: %s", p->name, dstr_str(why));
	ret = cfg_fail(st, v, err, "%s", dstr_str(why));
    }
    dstr_free(why);
    return (ret);
}

/*
 * cfg_check_transport_forms - a per-transport form ("smtp_destination_
 * concurrency_positive_feedback") set in main.cf or by -o gets the check
 * of the default_ parameter it overrides, so it too is named by file and
 * line rather than found by the daemon that reads it.
 */

static int cfg_check_transport_forms(const CFG_STATE *st, DSTR *err)
{
    const CFG_PARAM *fallback;
    size_t  i;

    for (i = 0; i < st->count; i++) {
	CFG_VALUE *v = st->values[i];

	if (v->param != NULL || v->source == CFG_SRC_DEFAULT || v->value == NULL)
	    continue;
	fallback = cfg_transport_fallback(v->name);
	if (fallback != NULL && fallback->type == CFG_STR && fallback->check != NULL
	    && cfg_check_value(st, v, fallback, err) < 0)
	    return (-1);
    }
    return (0);
}

/* cfg_convert_all - every table parameter to its C value */

static int cfg_convert_all(CFG_STATE *st, CFG_CONV *conv, DSTR *err)
{
    size_t  i;
    CFG_VALUE *v;
    long    num;

    for (i = 0; cfg_params[i].name; i++) {
	v = cfg_state_find(st, cfg_params[i].name);
	if (cfg_params[i].type == CFG_STR) {
	    if (cfg_params[i].check && cfg_check_value(st, v, &cfg_params[i], err) < 0)
		return (-1);
	    conv[i].str = mystrdup(v->value);
	    continue;
	}
	if (cfg_convert(st, v, &cfg_params[i], &num, err) < 0) {
	    /* A default that is bad on its own is our bug, not the admin's. */
	    if (v->source == CFG_SRC_DEFAULT
		&& (v->raw == NULL || strchr(v->raw, '$') == NULL))
		msg_panic("bad table default: %s", dstr_str(err));
	    return (-1);
	}
	if (cfg_params[i].type == CFG_LONG)
	    conv[i].lnum = num;
	else
	    conv[i].num = (int) num;
    }
    return (0);
}

/*
 * cfg_check_relations - limits one parameter puts on another. A DKIM
 * signature that expires while its message may still be queued would be
 * refused by receivers for the last retries, so dkim_signature_ttl, when
 * set, must exceed maximal_queue_lifetime.
 */

static int cfg_check_relations(const CFG_STATE *st, const CFG_CONV *conv, DSTR *err)
{
    const CFG_PARAM *ttl = cfg_param_find("dkim_signature_ttl");
    const CFG_PARAM *life = cfg_param_find("maximal_queue_lifetime");
    int     ttl_val = conv[ttl - cfg_params].num;
    int     life_val = conv[life - cfg_params].num;

    if (ttl_val > 0 && ttl_val <= life_val)
	return (cfg_fail(st, cfg_state_find(st, ttl->name), err,
			 "%ds is not above maximal_queue_lifetime (%ds): signatures"
			 " would expire while their mail may still be queued",
			 ttl_val, life_val));
    return (0);
}

/* cfg_conv_free - drop converted strings that never reached a variable */

static void cfg_conv_free(CFG_CONV *conv)
{
    size_t  i;

    for (i = 0; cfg_params[i].name; i++)
	if (cfg_params[i].type == CFG_STR)
	    free(conv[i].str);
    free(conv);
}

/* cfg_commit - converted values into the var_ variables; keep the snapshot */

static void cfg_commit(CFG_STATE *st, CFG_CONV *conv)
{
    const CFG_PARAM *p;
    size_t  i;

    for (i = 0; (p = cfg_params + i)->name; i++) {
	switch (p->type) {
	case CFG_STR:
	    free(*(char **) p->var);
	    *(char **) p->var = conv[i].str;
	    break;
	case CFG_LONG:
	    *(long *) p->var = conv[i].lnum;
	    break;
	case CFG_BOOL:
	case CFG_INT:
	case CFG_TIME:
	    *(int *) p->var = conv[i].num;
	    break;
	}
    }
    free(conv);
    cfg_state_free(cfg_current);
    cfg_current = st;
}

/* cfg_load_internal - text to variables, all or nothing */

static int cfg_load_internal(const char *text, size_t len,
			             const char *filename,
			             const char *config_dir, DSTR *err)
{
    CFG_STATE *st;
    CFG_CONV *conv;

    if ((st = cfg_state_build(text, len, filename, config_dir, 1, err)) == NULL)
	return (-1);
    conv = mycalloc(cfg_param_count() + 1, sizeof(*conv));
    if (cfg_expand_all(st, err) < 0 || cfg_convert_all(st, conv, err) < 0
	|| cfg_check_transport_forms(st, err) < 0 || cfg_check_relations(st, conv, err) < 0) {
	cfg_conv_free(conv);
	cfg_state_free(st);
	return (-1);
    }
    cfg_commit(st, conv);
    return (0);
}

/* cfg_join - "dir/file" without doubling a trailing slash */

void    cfg_join(DSTR *path, const char *dir, const char *file)
{
    size_t  len = strlen(dir);

    dstr_strcpy(path, dir);
    if (len > 0 && dir[len - 1] != '/')
	dstr_catc(path, '/');
    dstr_cats(path, file);
}

/* cfg_read_file - whole file into buf; -1 and err on failure */

int     cfg_read_file(const char *path, DSTR *buf, DSTR *err)
{
    int     fd;
    ssize_t n;

    DSTR_RESET(buf);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
	dstr_sprintf(err, "open %s: %m", path);
	return (-1);
    }
    do {
	n = read(fd, dstr_space(buf, 8192), 8192);
	if (n > 0)
	    dstr_addlen(buf, (size_t) n);
    } while (n > 0 || (n < 0 && errno == EINTR));
    if (n < 0)
	dstr_sprintf(err, "read %s: %m", path);
    (void) close(fd);
    return (n < 0 ? -1 : 0);
}

/* cfg_load - read DIR/main.cf */

int     cfg_load(const char *config_dir, DSTR *err)
{
    DSTR   *path = dstr_new(100);
    DSTR   *text = dstr_new(4096);
    int     ret;

    cfg_join(path, config_dir, "main.cf");
    if ((ret = cfg_read_file(dstr_str(path), text, err)) == 0)
	ret = cfg_load_internal(dstr_str(text), dstr_len(text),
				dstr_str(path), config_dir, err);
    dstr_free(path);
    dstr_free(text);
    return (ret);
}

/* cfg_peek - one expanded value from DIR/main.cf, ignoring errors elsewhere */

int     cfg_peek(const char *config_dir, const char *name, DSTR *value, DSTR *err)
{
    DSTR   *path = dstr_new(100);
    DSTR   *text = dstr_new(4096);
    CFG_STATE *st = NULL;
    CFG_VALUE *v;
    const char *val;
    int     ret = -1;

    cfg_join(path, config_dir, "main.cf");
    if (cfg_read_file(dstr_str(path), text, err) == 0
	&& (st = cfg_state_build(dstr_str(text), dstr_len(text), dstr_str(path),
				 config_dir, 1, err)) != NULL) {
	if ((v = cfg_state_find(st, name)) == NULL)
	    dstr_sprintf(err, "%s: parameter %s is not set", dstr_str(path), name);
	else if ((val = cfg_expand_value(st, v, 0, err)) != NULL) {
	    dstr_strcpy(value, val);
	    ret = 0;
	}
    }
    if (st)
	cfg_state_free(st);
    dstr_free(path);
    dstr_free(text);
    return (ret);
}

/* cfg_load_text - main.cf text from memory */

int     cfg_load_text(const char *text, size_t len, const char *filename,
		              DSTR *err)
{
    return (cfg_load_internal(text, len, filename, CFG_DEFAULT_CONFIG_DIR, err));
}

/* cfg_load_or_die - what daemons call: a bad configuration is fatal */

void    cfg_load_or_die(const char *config_dir)
{
    DSTR   *err = dstr_new(100);

    if (cfg_load(config_dir, err) < 0)
	msg_fatal("%s", dstr_str(err));
    dstr_free(err);
}

/* cfg_default_dir - $POSTHORN_CONFIG_DIR or the compiled-in default */

const char *cfg_default_dir(void)
{
    const char *dir = getenv(CFG_ENV_CONFIG_DIR);

    return (dir && *dir ? dir : CFG_DEFAULT_CONFIG_DIR);
}

/* cfg_split_nameval - "name = value" into trimmed copies; -1 and err */

int     cfg_split_nameval(const char *text, const char *what,
			          char **name, char **value, DSTR *err)
{
    const char *eq = strchr(text, '=');
    const char *np = text;
    const char *ne;
    const char *vp;
    const char *ve;

    if (eq == NULL) {
	dstr_sprintf(err, "%s: missing '=' after parameter name", what);
	return (-1);
    }
    while (np < eq && CFG_ISSPACE(*np))
	np++;
    for (ne = eq; ne > np && CFG_ISSPACE(ne[-1]); ne--)
	 /* void */ ;
    if (ne == np) {
	dstr_sprintf(err, "%s: missing parameter name before '='", what);
	return (-1);
    }
    for (vp = np; vp < ne; vp++) {
	if (CFG_ISSPACE(*vp)) {
	    dstr_sprintf(err, "%s: white space in parameter name", what);
	    return (-1);
	}
    }
    for (vp = eq + 1; CFG_ISSPACE(*vp); vp++)
	 /* void */ ;
    for (ve = vp + strlen(vp); ve > vp && CFG_ISSPACE(ve[-1]); ve--)
	 /* void */ ;
    *name = mystrndup(np, (size_t) (ne - np));
    *value = mystrndup(vp, (size_t) (ve - vp));
    return (0);
}

/* cfg_override - remember "name=value" to win over main.cf from now on */

int     cfg_override(const char *name_eq_value, DSTR *err)
{
    DSTR   *what = dstr_new(100);
    char   *name;
    char   *value;
    int     ret;

    dstr_sprintf(what, "-o %s", name_eq_value);
    ret = cfg_split_nameval(name_eq_value, dstr_str(what), &name, &value, err);
    dstr_free(what);
    if (ret < 0)
	return (-1);
    if (cfg_ovr_names == NULL) {
	cfg_ovr_names = argv_new(8);
	cfg_ovr_values = argv_new(8);
    }
    argv_add(cfg_ovr_names, name);
    argv_add(cfg_ovr_values, value);
    free(name);
    free(value);
    return (0);
}

/* cfg_override_clear - forget the -o overrides; the next cfg_load() is main.cf alone */

void    cfg_override_clear(void)
{
    cfg_ovr_names = argv_free(cfg_ovr_names);
    cfg_ovr_values = argv_free(cfg_ovr_values);
}

/* cfg_unload - forget everything: values, overrides, variables */

void    cfg_unload(void)
{
    const CFG_PARAM *p;

    for (p = cfg_params; p->name; p++) {
	if (p->type == CFG_STR)
	    *(char **) p->var = myfree(*(char **) p->var);
	else if (p->type == CFG_LONG)
	    *(long *) p->var = 0;
	else
	    *(int *) p->var = 0;
    }
    cfg_state_free(cfg_current);
    cfg_current = NULL;
    cfg_override_clear();
    cfg_set_hostname(NULL);
}

/* cfg_state_defaults - the snapshot of an empty main.cf, without -o */

CFG_STATE *cfg_state_defaults(const CFG_STATE *like)
{
    DSTR   *err = dstr_new(100);
    DSTR   *path = dstr_new(100);
    CFG_STATE *st;

    if (like == NULL)
	cfg_join(path, CFG_DEFAULT_CONFIG_DIR, "main.cf");
    st = cfg_state_build("", 0, like ? like->filename : dstr_str(path),
		      like ? like->config_dir : CFG_DEFAULT_CONFIG_DIR, 0, err);
    if (st == NULL || cfg_expand_all(st, err) < 0)
	msg_panic("bad table default: %s", dstr_str(err));
    dstr_free(err);
    dstr_free(path);
    return (st);
}

/* cfg_state_current - the last good load; defaults before the first one */

CFG_STATE *cfg_state_current(void)
{
    if (cfg_current == NULL)
	cfg_current = cfg_state_defaults(NULL);
    return (cfg_current);
}
