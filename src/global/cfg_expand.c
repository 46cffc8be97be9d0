/*
 * cfg_expand - $name expansion and computed defaults
 * DESCRIPTION
 *	Forms (Postfix's): $name, ${name}, $(name); ${name?text} gives text
 *	when name is non-empty, ${name:text} when it is empty or undefined,
 *	${name?{text1}:{text2}} picks one of two; the text parts are expanded
 *	too; $$ is a literal "$"; an undefined name expands to nothing.
 *
 *	Each value is expanded once and kept, so a chain of references costs
 *	linear time; a reference back into a value under expansion, or more
 *	than CFG_MAX_DEPTH levels, is a "recursion loop". Every byte produced
 *	counts against one per-load budget: "a = $b$b", "b = $c$c" ... would
 *	otherwise double the memory with each line of a hostile or careless
 *	file.
 *
 *	myhostname, mydomain and config_directory have computed defaults.
 *	myhostname is gethostname(), plus "." and $mydomain when that has no
 *	dot, but only when main.cf sets mydomain ("localdomain" otherwise);
 *	mydomain is $myhostname minus its first label. So the two never
 *	depend on each other's default, and setting either one alone gives
 *	Postfix's result.
 */
#include <string.h>
#include <unistd.h>

#include "mymalloc.h"
#include "msg.h"
#include "cfg.h"
#include "cfg_int.h"

#define CFG_NAME_CHAR(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z') \
			  || ((c) >= '0' && (c) <= '9') || (c) == '_')

#define CFG_MYDOMAIN_DEFAULT	"localdomain"

static char *cfg_fake_hostname;		/* cfg_set_hostname(), for tests */

static int cfg_expand_text(CFG_STATE *, CFG_VALUE *, const char *, size_t,
			           int, DSTR *, DSTR *);

/* cfg_emit - append expansion output, within the load's budget */

static int cfg_emit(CFG_STATE *st, CFG_VALUE *v, DSTR *out,
		            const char *text, size_t len, DSTR *err)
{
    if (len > st->budget)
	return (cfg_fail(st, v, err, "expansion exceeds %d bytes",
			 CFG_EXPAND_BUDGET));
    st->budget -= len;
    dstr_cat(out, text, len);
    return (0);
}

/* cfg_name_len - length of the parameter name at text */

static size_t cfg_name_len(const char *text, size_t len)
{
    size_t  n;

    for (n = 0; n < len && CFG_NAME_CHAR(text[n]); n++)
	 /* void */ ;
    return (n);
}

/* cfg_match - the bracket that closes the one at open, or NULL */

static const char *cfg_match(const char *open, const char *end)
{
    int     ch = *open;
    int     close = (ch == '{') ? '}' : ')';
    int     level = 0;
    const char *cp;

    for (cp = open; cp < end; cp++) {
	if (*cp == ch)
	    level++;
	else if (*cp == close && --level == 0)
	    return (cp);
    }
    return (NULL);
}

/* cfg_name_value - expanded value of a referenced name; "" if undefined */

static const char *cfg_name_value(CFG_STATE *st, const char *name, size_t len,
				          int depth, DSTR *err)
{
    CFG_VALUE *w = cfg_state_findn(st, name, len);

    return (w ? cfg_expand_value(st, w, depth + 1, err) : "");
}

/* cfg_expand_branch - the text part of ${name?text} or ${name:text} */

static int cfg_expand_branch(CFG_STATE *st, CFG_VALUE *v, int op, int cond,
			             const char *text, size_t len, int depth,
			             DSTR *out, DSTR *err)
{
    const char *end = text + len;
    const char *close;
    const char *alt;

    /*
     * "{text1}:{text2}" after "?" chooses; a lone "{text}" loses its
     * braces (Postfix 3.0 forms). Anything else is the text itself.
     */
    if (len > 0 && *text == '{' && (close = cfg_match(text, end)) != NULL) {
	if (close + 1 == end)
	    return (cond ? cfg_expand_text(st, v, text + 1,
					(size_t) (close - text - 1),
					depth + 1, out, err) : 0);
	alt = close + 2;
	if (op == '?' && close[1] == ':' && alt < end && *alt == '{'
	    && cfg_match(alt, end) == end - 1) {
	    if (cond)
		return (cfg_expand_text(st, v, text + 1,
					(size_t) (close - text - 1),
					depth + 1, out, err));
	    return (cfg_expand_text(st, v, alt + 1, (size_t) (end - alt - 2),
				    depth + 1, out, err));
	}
    }
    return (cond ? cfg_expand_text(st, v, text, len, depth + 1, out, err) : 0);
}

/* cfg_expand_expr - the inside of ${...} or $(...) */

static int cfg_expand_expr(CFG_STATE *st, CFG_VALUE *v, const char *expr,
			           size_t len, int depth, DSTR *out, DSTR *err)
{
    size_t  nlen = cfg_name_len(expr, len);
    const char *val;
    int     op;

    if (nlen == 0 || (nlen < len && expr[nlen] != '?' && expr[nlen] != ':'))
	return (cfg_fail(st, v, err, "bad parameter expression \"%.*s\"",
			 (int) len, expr));
    if ((val = cfg_name_value(st, expr, nlen, depth, err)) == NULL)
	return (-1);
    if (nlen == len)
	return (cfg_emit(st, v, out, val, strlen(val), err));
    op = expr[nlen];
    return (cfg_expand_branch(st, v, op, op == '?' ? *val != 0 : *val == 0,
			      expr + nlen + 1, len - nlen - 1, depth,
			      out, err));
}

/* cfg_expand_text - expand text that belongs to the value of v */

static int cfg_expand_text(CFG_STATE *st, CFG_VALUE *v, const char *text,
			           size_t len, int depth, DSTR *out, DSTR *err)
{
    const char *cp = text;
    const char *end = text + len;
    const char *dollar;
    const char *close;
    const char *val;
    size_t  nlen;

    if (depth > CFG_MAX_DEPTH)
	return (cfg_fail(st, v, err, "recursion loop"));
    while (cp < end) {
	if ((dollar = memchr(cp, '$', (size_t) (end - cp))) == NULL)
	    return (cfg_emit(st, v, out, cp, (size_t) (end - cp), err));
	if (cfg_emit(st, v, out, cp, (size_t) (dollar - cp), err) < 0)
	    return (-1);
	cp = dollar + 1;
	if (cp < end && *cp == '$') {		/* $$ is a literal $ */
	    if (cfg_emit(st, v, out, cp++, 1, err) < 0)
		return (-1);
	} else if (cp < end && (*cp == '{' || *cp == '(')) {
	    if ((close = cfg_match(cp, end)) == NULL)
		return (cfg_fail(st, v, err, "missing '%c' after \"$%c\"",
				 *cp == '{' ? '}' : ')', *cp));
	    if (cfg_expand_expr(st, v, cp + 1, (size_t) (close - cp - 1),
				depth, out, err) < 0)
		return (-1);
	    cp = close + 1;
	} else if ((nlen = cfg_name_len(cp, (size_t) (end - cp))) > 0) {
	    if ((val = cfg_name_value(st, cp, nlen, depth, err)) == NULL
		|| cfg_emit(st, v, out, val, strlen(val), err) < 0)
		return (-1);
	    cp += nlen;
	} else {
	    return (cfg_fail(st, v, err, "missing parameter name after '$' "
			     "(write $$ for a literal '$')"));
	}
    }
    return (0);
}

/* cfg_hostname - gethostname(), or the name a test asked for */

static void cfg_hostname(DSTR *out)
{
    char    buf[256];			/* a host name, not file contents */

    if (cfg_fake_hostname) {
	dstr_strcpy(out, cfg_fake_hostname);
	return;
    }
    if (gethostname(buf, sizeof(buf)) < 0)
	buf[0] = 0;
    buf[sizeof(buf) - 1] = 0;
    dstr_strcpy(out, buf[0] ? buf : "localhost");
}

/* cfg_set_hostname - test hook for the computed defaults */

void    cfg_set_hostname(const char *name)
{
    cfg_fake_hostname = myfree(cfg_fake_hostname);
    if (name)
	cfg_fake_hostname = mystrdup(name);
}

/* cfg_compute_myhostname - gethostname(), made fully qualified */

static int cfg_compute_myhostname(CFG_STATE *st, CFG_VALUE *v, int depth,
				          DSTR *out, DSTR *err)
{
    DSTR   *host = dstr_new(64);
    CFG_VALUE *dom = cfg_state_find(st, "mydomain");
    const char *domain = CFG_MYDOMAIN_DEFAULT;
    int     ret;

    cfg_hostname(host);
    if (strchr(dstr_str(host), '.') == NULL) {
	/* Only an explicit mydomain: its default would come back here. */
	if (dom && dom->source != CFG_SRC_DEFAULT
	    && (domain = cfg_expand_value(st, dom, depth + 1, err)) == NULL) {
	    dstr_free(host);
	    return (-1);
	}
	dstr_catc(host, '.');
	dstr_cats(host, domain);
    }
    ret = cfg_emit(st, v, out, dstr_str(host), dstr_len(host), err);
    dstr_free(host);
    return (ret);
}

/* cfg_compute_mydomain - $myhostname minus its first label */

static int cfg_compute_mydomain(CFG_STATE *st, CFG_VALUE *v, int depth,
				        DSTR *out, DSTR *err)
{
    CFG_VALUE *host = cfg_state_find(st, "myhostname");
    const char *name;
    const char *dot;

    if ((name = cfg_expand_value(st, host, depth + 1, err)) == NULL)
	return (-1);
    if ((dot = strchr(name, '.')) != NULL)
	return (cfg_emit(st, v, out, dot + 1, strlen(dot + 1), err));
    return (cfg_emit(st, v, out, CFG_MYDOMAIN_DEFAULT,
		     sizeof(CFG_MYDOMAIN_DEFAULT) - 1, err));
}

/* cfg_compute_config_dir - where main.cf was read from */

static int cfg_compute_config_dir(CFG_STATE *st, CFG_VALUE *v, int depth,
				          DSTR *out, DSTR *err)
{
    (void) depth;
    return (cfg_emit(st, v, out, st->config_dir, strlen(st->config_dir), err));
}

 /*
  * Table parameters whose default is NULL. The result is final text: it
  * is not expanded again.
  */
typedef int (*CFG_COMPUTE_FN) (CFG_STATE *, CFG_VALUE *, int, DSTR *, DSTR *);

static const struct {
    const char *name;
    CFG_COMPUTE_FN fn;
} cfg_computed[] = {
    {"config_directory", cfg_compute_config_dir},
    {"mydomain", cfg_compute_mydomain},
    {"myhostname", cfg_compute_myhostname},
};

/* cfg_compute - the computed default of v */

static int cfg_compute(CFG_STATE *st, CFG_VALUE *v, int depth, DSTR *out,
		               DSTR *err)
{
    size_t  i;

    for (i = 0; i < sizeof(cfg_computed) / sizeof(cfg_computed[0]); i++)
	if (strcmp(cfg_computed[i].name, v->name) == 0)
	    return (cfg_computed[i].fn(st, v, depth, out, err));
    msg_panic("%s: parameter %s has no default and no way to compute one",
	      __func__, v->name);
}

/* cfg_expand_value - expanded value of v, computed once */

const char *cfg_expand_value(CFG_STATE *st, CFG_VALUE *v, int depth, DSTR *err)
{
    DSTR   *buf;
    int     ret;

    if (v->value)
	return (v->value);
    if (v->busy || depth > CFG_MAX_DEPTH) {
	(void) cfg_fail(st, v, err, "recursion loop");
	return (NULL);
    }
    v->busy = 1;
    buf = dstr_new(v->raw ? strlen(v->raw) : 64);
    if (v->raw)
	ret = cfg_expand_text(st, v, v->raw, strlen(v->raw), depth, buf, err);
    else
	ret = cfg_compute(st, v, depth, buf, err);
    v->busy = 0;
    if (ret < 0) {
	dstr_free(buf);
	return (NULL);
    }
    v->value = dstr_export(buf);
    return (v->value);
}

/* cfg_expand_all - expand every value, so errors show at load time */

int     cfg_expand_all(CFG_STATE *st, DSTR *err)
{
    size_t  i;

    for (i = 0; i < st->count; i++)
	if (cfg_expand_value(st, st->values[i], 0, err) == NULL)
	    return (-1);
    return (0);
}

/* cfg_scan_refs - names that raw refers to, in any form, either branch */

void    cfg_scan_refs(const char *raw, ARGV *names)
{
    const char *cp = raw;
    size_t  nlen;

    while ((cp = strchr(cp, '$')) != NULL) {
	cp++;
	if (*cp == '$') {
	    cp++;
	    continue;
	}
	if (*cp == '{' || *cp == '(')
	    cp++;
	for (nlen = 0; CFG_NAME_CHAR(cp[nlen]); nlen++)
	     /* void */ ;
	if (nlen > 0)
	    argv_addn(names, cp, nlen);
	cp += nlen;
    }
}
