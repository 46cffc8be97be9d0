/*
 * ptable - rule tables in Postfix's pattern style
 * DESCRIPTION
 *	cidr_table(5) and regexp_table(5) share their shape; only the
 *	patterns differ. Each logical line (comments and continuation lines
 *	as in every table source, lline.c) is a rule:
 *
 *	    pattern result	the result when the key matches pattern
 *	    !pattern result	the result when it does not
 *	    if pattern		the rules up to the matching endif apply
 *	    if !pattern		only to keys that match (do not match)
 *	    endif
 *
 *	Rules are tried in order and the first match wins. The table type
 *	parses and matches its patterns (PTABLE_TYPE); this file keeps the
 *	rules, the if/endif nesting, the warnings and the lookup loop.
 *
 *	As in Postfix, a bad rule costs only itself: it is logged with its
 *	file and line and skipped. An if without endif is closed at the end
 *	of the file, an endif without if is ignored, both with a warning.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lline.h"
#include "msg.h"
#include "mymalloc.h"
#include "ptable.h"

#define PTABLE_OP_MATCH	1		/* pattern result */
#define PTABLE_OP_IF	2		/* if pattern */
#define PTABLE_OP_ENDIF	3		/* endif */

typedef struct PTABLE_RULE {
    int     op;				/* PTABLE_OP_* */
    int     negate;			/* !pattern */
    void   *pattern;			/* the type's; NULL for endif */
    char   *value;			/* PTABLE_OP_MATCH */
    size_t  skip;			/* PTABLE_OP_IF: index after its endif */
    long    lineno;			/* PTABLE_OP_IF: for "missing endif" */
} PTABLE_RULE;

struct PTABLE {
    const PTABLE_TYPE *type;
    PTABLE_RULE *rules;
    size_t  count;
    size_t  cap;
};

/* State of one read: the table and the if rules not closed yet. */
typedef struct PTABLE_PARSE {
    PTABLE *table;
    size_t *open;			/* indexes of open if rules */
    size_t  nopen;
    size_t  cap;
} PTABLE_PARSE;

/* ptable_add - append a rule */

static PTABLE_RULE *ptable_add(PTABLE *table, const PTABLE_RULE *tmp)
{
    if (table->count == table->cap) {
	table->cap = table->cap ? 2 * table->cap : 16;
	table->rules = myrealloc(table->rules, table->cap * sizeof(*table->rules));
    }
    table->rules[table->count] = *tmp;
    return (table->rules + table->count++);
}

/* ptable_word - is cp the keyword, followed by white space or the end? */

static int ptable_word(const char *cp, const char *word)
{
    size_t  len = strlen(word);

    return (strncasecmp(cp, word, len) == 0
	    && (cp[len] == 0 || isspace((unsigned char) cp[len])));
}

/* ptable_skip_space - past white space */

static const char *ptable_skip_space(const char *cp)
{
    while (*cp && isspace((unsigned char) *cp))
	cp++;
    return (cp);
}

/* ptable_pattern - "[!]pattern" into rule; the byte after it (and blanks), or NULL */

static const char *ptable_pattern(const PTABLE_TYPE *type, const char *cp,
				          PTABLE_RULE *rule, DSTR *why)
{
    if (*cp == '!') {
	rule->negate = 1;
	cp++;
    }
    if ((cp = type->parse(cp, &rule->pattern, why)) == NULL)
	return (NULL);
    if (*cp && !isspace((unsigned char) *cp)) {
	type->free(rule->pattern);
	rule->pattern = NULL;
	dstr_strcpy(why, "garbage after pattern");
	return (NULL);
    }
    return (ptable_skip_space(cp));
}

/* ptable_parse_endif - close the innermost if */

static int ptable_parse_endif(PTABLE_PARSE *ps, const char *cp, DSTR *why)
{
    PTABLE_RULE tmp;

    if (*ptable_skip_space(cp) != 0) {
	dstr_strcpy(why, "garbage after endif");
	return (-1);
    }
    if (ps->nopen == 0) {
	dstr_strcpy(why, "endif without matching if");
	return (-1);
    }
    memset(&tmp, 0, sizeof(tmp));
    tmp.op = PTABLE_OP_ENDIF;
    (void) ptable_add(ps->table, &tmp);
    ps->table->rules[ps->open[--ps->nopen]].skip = ps->table->count;
    return (0);
}

/* ptable_parse_if - open a conditional block */

static int ptable_parse_if(PTABLE_PARSE *ps, const char *cp, long lineno, DSTR *why)
{
    const PTABLE_TYPE *type = ps->table->type;
    PTABLE_RULE tmp;

    memset(&tmp, 0, sizeof(tmp));
    if ((cp = ptable_pattern(type, ptable_skip_space(cp), &tmp, why)) == NULL)
	return (-1);
    if (*cp != 0) {
	type->free(tmp.pattern);
	dstr_strcpy(why, "garbage after if pattern");
	return (-1);
    }
    if (ps->nopen == ps->cap) {
	ps->cap = ps->cap ? 2 * ps->cap : 8;
	ps->open = myrealloc(ps->open, ps->cap * sizeof(*ps->open));
    }
    ps->open[ps->nopen++] = ps->table->count;
    tmp.op = PTABLE_OP_IF;
    tmp.lineno = lineno;
    (void) ptable_add(ps->table, &tmp);
    return (0);
}

/* ptable_parse_match - "[!]pattern result" */

static int ptable_parse_match(PTABLE_PARSE *ps, const char *cp, DSTR *why)
{
    const PTABLE_TYPE *type = ps->table->type;
    PTABLE_RULE tmp;
    const char *end;

    memset(&tmp, 0, sizeof(tmp));
    if ((cp = ptable_pattern(type, cp, &tmp, why)) == NULL)
	return (-1);
    for (end = cp + strlen(cp); end > cp && isspace((unsigned char) end[-1]); end--)
	 /* void */ ;
    if (end == cp) {
	type->free(tmp.pattern);
	dstr_strcpy(why, "no lookup result");
	return (-1);
    }
    tmp.op = PTABLE_OP_MATCH;
    tmp.value = mystrndup(cp, (size_t) (end - cp));
    if (type->result && type->result(tmp.pattern, tmp.negate, tmp.value, why) < 0) {
	type->free(tmp.pattern);
	free(tmp.value);
	return (-1);
    }
    (void) ptable_add(ps->table, &tmp);
    return (0);
}

/* ptable_parse_rule - one logical line (no leading white space); 0 or -1 */

static int ptable_parse_rule(PTABLE_PARSE *ps, const char *line, long lineno, DSTR *why)
{
    if (ptable_word(line, "endif"))
	return (ptable_parse_endif(ps, line + 5, why));
    if (ptable_word(line, "if"))
	return (ptable_parse_if(ps, line + 2, lineno, why));
    return (ptable_parse_match(ps, line, why));
}

/* ptable_read - every rule of a source */

PTABLE *ptable_read(IOS *ios, const char *path, const PTABLE_TYPE *type, DSTR *err)
{
    PTABLE_PARSE ps;
    LLINE  *lp = lline_open(ios, path, type->line_max);
    DSTR   *line = dstr_new(128);
    DSTR   *why = dstr_new(128);
    long    lineno;
    int     status;

    memset(&ps, 0, sizeof(ps));
    ps.table = mycalloc(1, sizeof(*ps.table));
    ps.table->type = type;
    while ((status = lline_get(lp, line, &lineno, err)) != LLINE_END && status != LLINE_ERR) {
	if (status == LLINE_ORPHAN)
	    msg_warn("%s map %s: skipping this rule", type->kind, dstr_str(err));
	else if (ptable_parse_rule(&ps, dstr_str(line), lineno, why) < 0)
	    msg_warn("%s map %s, line %ld: %s: skipping this rule",
		     type->kind, path, lineno, dstr_str(why));
    }
    while (status == LLINE_END && ps.nopen > 0) {
	PTABLE_RULE *rule = ps.table->rules + ps.open[--ps.nopen];

	msg_warn("%s map %s, line %ld: if without matching endif: "
		 "it ends at the end of the file", type->kind, path, rule->lineno);
	rule->skip = ps.table->count;
    }
    free(ps.open);
    lline_free(lp);
    dstr_free(line);
    dstr_free(why);
    if (status == LLINE_ERR) {
	ptable_free(ps.table);
	return (NULL);
    }
    return (ps.table);
}

/* ptable_lookup - first matching rule */

const char *ptable_lookup(const PTABLE *table, PTABLE_MATCH_FN match, void *ctx,
			          int *negated)
{
    const PTABLE_RULE *rule;
    size_t  i = 0;

    while (i < table->count) {
	rule = table->rules + i;
	switch (rule->op) {
	case PTABLE_OP_MATCH:
	    if (match(rule->pattern, ctx) != rule->negate) {
		if (negated)
		    *negated = rule->negate;
		return (rule->value);
	    }
	    i++;
	    break;
	case PTABLE_OP_IF:
	    i = (match(rule->pattern, ctx) != rule->negate) ? i + 1 : rule->skip;
	    break;
	default:				/* endif */
	    i++;
	    break;
	}
    }
    return (NULL);
}

/* ptable_size - rules kept */

size_t  ptable_size(const PTABLE *table)
{
    return (table->count);
}

/* ptable_free - release */

void    ptable_free(PTABLE *table)
{
    size_t  i;

    for (i = 0; i < table->count; i++) {
	if (table->rules[i].pattern)
	    table->type->free(table->rules[i].pattern);
	free(table->rules[i].value);
    }
    free(table->rules);
    free(table);
}
