/*
 * cidr_table - CIDR lookup tables
 * DESCRIPTION
 *	Postfix's cidr_table(5) format. Each logical line (comments and
 *	continuation lines as in every table source, lline.c) is a rule:
 *
 *	    pattern result	the result when the key is inside pattern
 *	    !pattern result	the result when it is not
 *	    if pattern		the rules up to the matching endif apply
 *	    if !pattern		only to keys inside (outside) pattern
 *	    endif
 *
 *	A pattern is an address (a full-length network) or network/prefix,
 *	IPv4 or IPv6, the address optionally in [ ], parsed and matched by
 *	cidr_net.c. Rules are tried in order and the first match wins; keys
 *	and patterns compare in binary, so "2001:DB8::1" and "2001:db8:0::1"
 *	are the same address. IPv4-mapped IPv6 addresses count as IPv4, as
 *	everywhere in posthorn.
 *
 *	As in Postfix, a bad rule costs only itself: it is logged with its
 *	file and line and skipped. An if without endif is closed at the end
 *	of the file, an endif without if is ignored, both with a warning.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cidr_net.h"
#include "cidr_table.h"
#include "lline.h"
#include "msg.h"
#include "mymalloc.h"

#define CIDR_OP_MATCH	1		/* pattern result */
#define CIDR_OP_IF	2		/* if pattern */
#define CIDR_OP_ENDIF	3		/* endif */

typedef struct CIDR_RULE {
    int     op;				/* CIDR_OP_* */
    int     negate;			/* !pattern */
    CIDR_NET net;
    char   *value;			/* CIDR_OP_MATCH */
    size_t  skip;			/* CIDR_OP_IF: index after its endif */
    long    lineno;			/* CIDR_OP_IF: for "missing endif" */
} CIDR_RULE;

struct CIDR_TABLE {
    CIDR_RULE *rules;
    size_t  count;
    size_t  cap;
};

/* cidr_add - append a rule */

static CIDR_RULE *cidr_add(CIDR_TABLE *table, int op)
{
    CIDR_RULE *rule;

    if (table->count == table->cap) {
	table->cap = table->cap ? 2 * table->cap : 16;
	table->rules = myrealloc(table->rules, table->cap * sizeof(*table->rules));
    }
    rule = table->rules + table->count++;
    memset(rule, 0, sizeof(*rule));
    rule->op = op;
    return (rule);
}

/* cidr_word - is cp the keyword, followed by white space or the end? */

static int cidr_word(const char *cp, const char *word)
{
    size_t  len = strlen(word);

    return (strncasecmp(cp, word, len) == 0
	    && (cp[len] == 0 || isspace((unsigned char) cp[len])));
}

/* cidr_pattern - "[!]pattern" up to white space; returns the end or NULL */

static const char *cidr_pattern(const char *cp, CIDR_RULE *rule, DSTR *why)
{
    const char *end;
    char   *text;
    int     ret;

    if (*cp == '!') {
	rule->negate = 1;
	cp++;
    }
    for (end = cp; *end && !isspace((unsigned char) *end); end++)
	 /* void */ ;
    if (end == cp) {
	dstr_strcpy(why, "missing address pattern");
	return (NULL);
    }
    text = mystrndup(cp, (size_t) (end - cp));
    ret = cidr_net_parse(text, &rule->net, why);
    free(text);
    while (*end && isspace((unsigned char) *end))
	end++;
    return (ret < 0 ? NULL : end);
}

/* State of one read: the table and the if rules not closed yet. */
typedef struct CIDR_PARSE {
    CIDR_TABLE *table;
    size_t *open;			/* indexes of open if rules */
    size_t  nopen;
    size_t  cap;
} CIDR_PARSE;

/* cidr_parse_endif - close the innermost if */

static int cidr_parse_endif(CIDR_PARSE *ps, const char *cp, DSTR *why)
{
    CIDR_TABLE *table = ps->table;

    while (*cp && isspace((unsigned char) *cp))
	cp++;
    if (*cp != 0) {
	dstr_strcpy(why, "garbage after endif");
	return (-1);
    }
    if (ps->nopen == 0) {
	dstr_strcpy(why, "endif without matching if");
	return (-1);
    }
    (void) cidr_add(table, CIDR_OP_ENDIF);
    table->rules[ps->open[--ps->nopen]].skip = table->count;
    return (0);
}

/* cidr_parse_if - open a conditional block */

static int cidr_parse_if(CIDR_PARSE *ps, const char *cp, long lineno, DSTR *why)
{
    CIDR_RULE tmp;

    memset(&tmp, 0, sizeof(tmp));
    while (*cp && isspace((unsigned char) *cp))
	cp++;
    if ((cp = cidr_pattern(cp, &tmp, why)) == NULL)
	return (-1);
    if (*cp != 0) {
	dstr_strcpy(why, "garbage after if pattern");
	return (-1);
    }
    if (ps->nopen == ps->cap) {
	ps->cap = ps->cap ? 2 * ps->cap : 8;
	ps->open = myrealloc(ps->open, ps->cap * sizeof(*ps->open));
    }
    ps->open[ps->nopen++] = ps->table->count;
    tmp.op = CIDR_OP_IF;
    tmp.lineno = lineno;
    *cidr_add(ps->table, CIDR_OP_IF) = tmp;
    return (0);
}

/* cidr_parse_match - "[!]pattern result" */

static int cidr_parse_match(CIDR_PARSE *ps, const char *cp, DSTR *why)
{
    CIDR_RULE tmp;
    const char *end;

    memset(&tmp, 0, sizeof(tmp));
    if ((cp = cidr_pattern(cp, &tmp, why)) == NULL)
	return (-1);
    for (end = cp + strlen(cp); end > cp && isspace((unsigned char) end[-1]); end--)
	 /* void */ ;
    if (end == cp) {
	dstr_strcpy(why, "no lookup result");
	return (-1);
    }
    tmp.op = CIDR_OP_MATCH;
    tmp.value = mystrndup(cp, (size_t) (end - cp));
    *cidr_add(ps->table, CIDR_OP_MATCH) = tmp;
    return (0);
}

/* cidr_parse_rule - one logical line (no leading white space); 0 or -1 */

static int cidr_parse_rule(CIDR_PARSE *ps, const char *line, long lineno, DSTR *why)
{
    if (cidr_word(line, "endif"))
	return (cidr_parse_endif(ps, line + 5, why));
    if (cidr_word(line, "if"))
	return (cidr_parse_if(ps, line + 2, lineno, why));
    return (cidr_parse_match(ps, line, why));
}

/* cidr_table_read - every rule of a source */

CIDR_TABLE *cidr_table_read(IOS *ios, const char *path, DSTR *err)
{
    CIDR_PARSE ps;
    LLINE  *lp = lline_open(ios, path, CIDR_TABLE_LINE_MAX);
    DSTR   *line = dstr_new(128);
    DSTR   *why = dstr_new(128);
    long    lineno;
    int     status;

    memset(&ps, 0, sizeof(ps));
    ps.table = mycalloc(1, sizeof(*ps.table));
    while ((status = lline_get(lp, line, &lineno, err)) != LLINE_END && status != LLINE_ERR) {
	if (status == LLINE_ORPHAN)
	    msg_warn("cidr map %s: skipping this rule", dstr_str(err));
	else if (cidr_parse_rule(&ps, dstr_str(line), lineno, why) < 0)
	    msg_warn("cidr map %s, line %ld: %s: skipping this rule",
		     path, lineno, dstr_str(why));
    }
    while (status == LLINE_END && ps.nopen > 0) {
	CIDR_RULE *rule = ps.table->rules + ps.open[--ps.nopen];

	msg_warn("cidr map %s, line %ld: if without matching endif: "
		 "it ends at the end of the file", path, rule->lineno);
	rule->skip = ps.table->count;
    }
    free(ps.open);
    lline_free(lp);
    dstr_free(line);
    dstr_free(why);
    if (status == LLINE_ERR) {
	cidr_table_free(ps.table);
	return (NULL);
    }
    return (ps.table);
}

/* cidr_table_lookup - first matching rule */

const char *cidr_table_lookup(const CIDR_TABLE *table, const char *key)
{
    CIDR_NET addr;
    const CIDR_RULE *rule;
    size_t  i = 0;

    if (cidr_net_parse_addr(key, &addr) < 0)
	return (NULL);
    while (i < table->count) {
	rule = table->rules + i;
	switch (rule->op) {
	case CIDR_OP_MATCH:
	    if (cidr_net_match(&rule->net, &addr) != rule->negate)
		return (rule->value);
	    i++;
	    break;
	case CIDR_OP_IF:
	    i = (cidr_net_match(&rule->net, &addr) != rule->negate) ? i + 1 : rule->skip;
	    break;
	default:				/* endif */
	    i++;
	    break;
	}
    }
    return (NULL);
}

/* cidr_table_size - rules kept */

size_t  cidr_table_size(const CIDR_TABLE *table)
{
    return (table->count);
}

/* cidr_table_free - release */

void    cidr_table_free(CIDR_TABLE *table)
{
    size_t  i;

    for (i = 0; i < table->count; i++)
	free(table->rules[i].value);
    free(table->rules);
    free(table);
}
