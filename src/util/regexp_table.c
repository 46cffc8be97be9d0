/*
 * regexp_table - regular expression lookup tables
 * DESCRIPTION
 *	Postfix's regexp_table(5) format: the rules of ptable.c (pattern
 *	result, !pattern result, if/endif, first match wins) whose patterns
 *	are POSIX extended regular expressions, compiled by libc's regcomp:
 *
 *	    /regex/flags result
 *	    /regex1/flags!/regex2/flags result	regex1 matches, regex2 not
 *
 *	Flags toggle: i case (insensitive by default), x extended syntax
 *	(on by default), m newline-sensitive ^ and $. The result may name
 *	what a parenthesized subexpression matched: $1 to $9, ${1}, $(1);
 *	$$ is a dollar sign. A $n beyond the pattern's subexpressions, or in
 *	a rule that matches when its pattern does not, is refused when the
 *	table is read, not found out at lookup time.
 *
 *	Patterns come from a file the administrator writes, but regcomp's
 *	time and memory grow exponentially with counted and stacked
 *	repetition, so a pattern is bounded (REGEXP_PATTERN_MAX bytes,
 *	regexp_repeat_ok()).
 */
#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "mymalloc.h"
#include "ptable.h"
#include "regexp_table.h"

#define REGEXP_NMATCH	10		/* $0 .. $9 */

typedef struct REGEXP_PAT {
    regex_t re;				/* must match */
    regex_t not_re;			/* must not match, when has_not */
    int     has_not;
    size_t  nsub;			/* subexpressions of re */
} REGEXP_PAT;

struct REGEXP_TABLE {
    PTABLE *rules;
};

/* What a lookup carries through ptable_lookup. */
typedef struct REGEXP_KEY {
    const char *key;
    regmatch_t pm[REGEXP_NMATCH];
} REGEXP_KEY;

/* regexp_delim_ok - may c delimit a pattern? */

static int regexp_delim_ok(int c)
{
    return (c != 0 && !isspace(c) && !isalnum(c) && c != '!' && c != '\\');
}

/* regexp_bracket_end - past a bracket expression starting at cp ('[') */

static const char *regexp_bracket_end(const char *cp)
{
    cp++;
    if (*cp == '^')
	cp++;
    if (*cp == ']')
	cp++;					/* a leading ] is literal */
    for (; *cp && *cp != ']'; cp++)
	if (*cp == '[' && (cp[1] == ':' || cp[1] == '.' || cp[1] == '=')) {
	    const char *close = strstr(cp + 2, cp[1] == ':' ? ":]" : cp[1] == '.' ? ".]" : "=]");

	    if (close == NULL)
		return (cp + strlen(cp));
	    cp = close + 1;
	}
    return (*cp ? cp + 1 : cp);
}

/*
 * regexp_repeat_ok - the pattern's repetition stays small. libc's regcomp
 * expands counted repetition and stacked operators ("a+++", "(a*)*") into
 * its automaton, which grows exponentially with them: so no operator may
 * apply to what already ends in one, and the counts of all {n,m} together
 * stay within REGEXP_REPEAT_MAX.
 */
static int regexp_repeat_ok(const char *text)
{
    const char *cp = text;
    long    total = 0;
    long    n;
    int     after_op = 0;			/* the last atom ends in an operator */
    int     depth = 0;
    unsigned long group_ends_in_op = 0;		/* one bit per open group */

    while (*cp) {
	if (*cp == '*' || *cp == '+' || *cp == '?' || *cp == '{') {
	    if (after_op)
		return (0);
	    if (*cp == '{') {
		for (cp++; isdigit((unsigned char) *cp) || *cp == ','; cp++) {
		    for (n = 0; isdigit((unsigned char) *cp); cp++)
			if ((n = n * 10 + (*cp - '0')) > REGEXP_REPEAT_MAX)
			    return (0);
		    if ((total += n) > REGEXP_REPEAT_MAX)
			return (0);
		    if (*cp != ',')
			break;
		}
		if (*cp == '}')
		    cp++;
	    } else
		cp++;
	    after_op = 1;
	    continue;
	}
	if (*cp == '(') {
	    if (++depth >= 8 * (int) sizeof(group_ends_in_op))
		return (0);			/* 63 nested groups are plenty */
	    group_ends_in_op &= ~(1UL << depth);
	    after_op = 0;
	    cp++;
	    continue;
	}
	if (*cp == ')' && depth > 0) {
	    if (after_op)
		group_ends_in_op |= 1UL << depth;
	    after_op = (group_ends_in_op >> depth) & 1;	/* some branch ends in one */
	    depth--;
	    cp++;
	    continue;
	}
	if (*cp == '|') {
	    if (after_op)
		group_ends_in_op |= 1UL << depth;
	    after_op = 0;
	    cp++;
	    continue;
	}
	/* an atom: a bracket expression, an escaped character, any other */
	after_op = 0;
	if (*cp == '[')
	    cp = regexp_bracket_end(cp);
	else if (*cp == '\\' && cp[1] != 0)
	    cp += 2;
	else
	    cp++;
    }
    return (1);
}

/* regexp_parse_one - "/regex/flags" at cp into re; the byte after it, or NULL */

static const char *regexp_parse_one(const char *cp, regex_t *re, size_t *nsub, DSTR *why)
{
    int     delim = (unsigned char) *cp;
    int     cflags = REG_EXTENDED | REG_ICASE;
    DSTR   *text;
    int     err;
    char    msg[256];

    if (!regexp_delim_ok(delim)) {
	dstr_strcpy(why, "a regular expression must start with a delimiter such as /");
	return (NULL);
    }
    text = dstr_new(64);
    for (cp++; *cp && *cp != delim; cp++) {
	if (*cp == '\\' && cp[1] == delim)
	    cp++;				/* an escaped delimiter is itself */
	else if (*cp == '\\' && cp[1] != 0)
	    dstr_catc(text, *cp++);
	dstr_catc(text, *cp);
    }
    if (*cp != delim) {
	dstr_sprintf(why, "no closing delimiter %c", delim);
	dstr_free(text);
	return (NULL);
    }
    for (cp++; *cp == 'i' || *cp == 'x' || *cp == 'm'; cp++)
	cflags ^= (*cp == 'i' ? REG_ICASE : *cp == 'x' ? REG_EXTENDED : REG_NEWLINE);
    if (isalpha((unsigned char) *cp)) {
	dstr_sprintf(why, "unknown regular expression flag '%c'", *cp);
	cp = NULL;
    } else if (dstr_len(text) > REGEXP_PATTERN_MAX) {
	dstr_sprintf(why, "regular expression longer than %d bytes", REGEXP_PATTERN_MAX);
	cp = NULL;
    } else if (!regexp_repeat_ok(dstr_str(text))) {
	dstr_sprintf(why, "too much repetition (an operator on a repeated part, "
		     "counts over %d in all, or groups nested too deep)", REGEXP_REPEAT_MAX);
	cp = NULL;
    } else if ((err = regcomp(re, dstr_str(text), cflags)) != 0) {
	(void) regerror(err, re, msg, sizeof(msg));
	dstr_sprintf(why, "bad regular expression \"%s\": %s", dstr_str(text), msg);
	cp = NULL;
    } else
	*nsub = re->re_nsub;
    dstr_free(text);
    return (cp);
}

/* regexp_pattern_parse - "/re/flags" or "/re1/flags!/re2/flags" */

static const char *regexp_pattern_parse(const char *cp, void **pattern, DSTR *why)
{
    REGEXP_PAT *pat = mycalloc(1, sizeof(*pat));
    size_t  unused;

    if ((cp = regexp_parse_one(cp, &pat->re, &pat->nsub, why)) == NULL) {
	free(pat);
	return (NULL);
    }
    if (cp[0] == '!' && regexp_delim_ok((unsigned char) cp[1])) {
	if ((cp = regexp_parse_one(cp + 1, &pat->not_re, &unused, why)) == NULL) {
	    regfree(&pat->re);
	    free(pat);
	    return (NULL);
	}
	pat->has_not = 1;
    }
    *pattern = pat;
    return (cp);
}

/* regexp_pattern_free - release */

static void regexp_pattern_free(void *pattern)
{
    REGEXP_PAT *pat = pattern;

    regfree(&pat->re);
    if (pat->has_not)
	regfree(&pat->not_re);
    free(pat);
}

/*
 * regexp_dollar - the $ reference at cp (just after the $): its number in
 * *n (0 for "$$"), the byte after it; NULL when it is none.
 */
static const char *regexp_dollar(const char *cp, int *n)
{
    if (*cp == '$') {
	*n = 0;
	return (cp + 1);
    }
    if (*cp >= '1' && *cp <= '9') {
	*n = *cp - '0';
	return (cp + 1);
    }
    if ((*cp == '{' || *cp == '(') && cp[1] >= '1' && cp[1] <= '9'
	&& cp[2] == (*cp == '{' ? '}' : ')')) {
	*n = cp[1] - '0';
	return (cp + 3);
    }
    return (NULL);
}

/* regexp_result_check - every $ in the result is one we can fill */

static int regexp_result_check(const void *pattern, int negated, const char *result, DSTR *why)
{
    const REGEXP_PAT *pat = pattern;
    const char *cp;
    int     n;

    for (cp = result; (cp = strchr(cp, '$')) != NULL;) {
	if ((cp = regexp_dollar(cp + 1, &n)) == NULL) {
	    dstr_strcpy(why, "bad $ in the result (use $1 to $9, ${1}, $(1) or $$)");
	    return (-1);
	}
	if (n > 0 && negated) {
	    dstr_sprintf(why, "$%d in the result of a rule that matches when its pattern does not", n);
	    return (-1);
	}
	if (n > 0 && (size_t) n > pat->nsub) {
	    dstr_sprintf(why, "$%d in the result, but the pattern has %lu subexpression%s",
			 n, (unsigned long) pat->nsub, pat->nsub == 1 ? "" : "s");
	    return (-1);
	}
    }
    return (0);
}

/* regexp_pattern_match - does the key (ctx) match? */

static int regexp_pattern_match(const void *pattern, void *ctx)
{
    const REGEXP_PAT *pat = pattern;
    REGEXP_KEY *k = ctx;

    if (regexec(&pat->re, k->key, REGEXP_NMATCH, k->pm, 0) != 0)
	return (0);
    return (!pat->has_not || regexec(&pat->not_re, k->key, 0, NULL, 0) != 0);
}

static const PTABLE_TYPE regexp_type = {
    .kind = "regexp",
    .line_max = REGEXP_TABLE_LINE_MAX,
    .parse = regexp_pattern_parse,
    .result = regexp_result_check,
    .free = regexp_pattern_free,
};

/* regexp_table_read - every rule of a source */

REGEXP_TABLE *regexp_table_read(IOS *ios, const char *path, DSTR *err)
{
    REGEXP_TABLE *table;
    PTABLE *rules;

    if ((rules = ptable_read(ios, path, &regexp_type, err)) == NULL)
	return (NULL);
    table = mymalloc(sizeof(*table));
    table->rules = rules;
    return (table);
}

/* regexp_table_lookup - first matching rule, $n filled in */

int     regexp_table_lookup(const REGEXP_TABLE *table, const char *key, DSTR *out)
{
    REGEXP_KEY k;
    const char *value;
    const char *cp;
    const char *next;
    int     n;

    k.key = key;
    if ((value = ptable_lookup(table->rules, regexp_pattern_match, &k, NULL)) == NULL)
	return (0);
    DSTR_RESET(out);
    for (cp = value; (next = strchr(cp, '$')) != NULL; cp = next) {
	dstr_cat(out, cp, (size_t) (next - cp));
	next = regexp_dollar(next + 1, &n);	/* checked when read */
	if (n == 0)
	    dstr_catc(out, '$');
	else if (k.pm[n].rm_so >= 0)
	    dstr_cat(out, key + k.pm[n].rm_so, (size_t) (k.pm[n].rm_eo - k.pm[n].rm_so));
    }
    dstr_cats(out, cp);
    return (1);
}

/* regexp_table_size - rules kept */

size_t  regexp_table_size(const REGEXP_TABLE *table)
{
    return (ptable_size(table->rules));
}

/* regexp_table_free - release */

void    regexp_table_free(REGEXP_TABLE *table)
{
    ptable_free(table->rules);
    free(table);
}
