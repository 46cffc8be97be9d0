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
 *	IPv4 or IPv6, the address optionally in [ ]. Rules are tried in
 *	order and the first match wins; keys and patterns compare in binary,
 *	so "2001:DB8::1" and "2001:db8:0::1" are the same address.
 *	IPv4-mapped IPv6 addresses count as IPv4, as everywhere in posthorn.
 *
 *	As in Postfix, a bad rule costs only itself: it is logged with its
 *	file and line and skipped. An if without endif is closed at the end
 *	of the file, an endif without if is ignored, both with a warning.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "cidr_table.h"
#include "lline.h"
#include "msg.h"
#include "mymalloc.h"
#include "strutil.h"

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

/* cidr_text_to_addr - numeric text of len bytes to binary, full length */

static int cidr_text_to_addr(const char *text, size_t len, CIDR_NET *net)
{
    char   *copy = mystrndup(text, len);
    int     ret = 0;

    memset(net, 0, sizeof(*net));
    if (inet_pton(AF_INET, copy, net->addr) == 1) {
	net->family = AF_INET;
	net->masklen = 32;
    } else if (inet_pton(AF_INET6, copy, net->addr) == 1) {
	net->family = AF_INET6;
	net->masklen = 128;
    } else
	ret = -1;
    free(copy);
    return (ret);
}

/* cidr_unmap - a network inside ::ffff:0:0/96 becomes the IPv4 network */

static void cidr_unmap(CIDR_NET *net)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    if (net->family != AF_INET6 || net->masklen < 96 || memcmp(net->addr, mapped, 12) != 0)
	return;
    memmove(net->addr, net->addr + 12, 4);
    memset(net->addr + 4, 0, 12);
    net->family = AF_INET;
    net->masklen -= 96;
}

/* cidr_host_bits - clear the bits past masklen; 1 if any were set */

static int cidr_host_bits(unsigned char *addr, unsigned masklen, unsigned bits)
{
    unsigned i;
    int     dirty = 0;

    for (i = masklen; i < bits; i++) {
	if (addr[i / 8] & (0x80 >> (i % 8))) {
	    addr[i / 8] &= (unsigned char) ~(0x80 >> (i % 8));
	    dirty = 1;
	}
    }
    return (dirty);
}

/* cidr_net_parse - address or network pattern */

int     cidr_net_parse(const char *text, CIDR_NET *net, DSTR *why)
{
    const char *addr = text;
    const char *mask;
    const char *end;
    size_t  len;
    unsigned bits;
    long    masklen;
    char    buf[INET6_ADDRSTRLEN];	/* our own binary address, not input */

    if (*text == '[') {
	if ((end = strchr(text, ']')) == NULL || (end[1] != 0 && end[1] != '/')) {
	    dstr_sprintf(why, "malformed address in \"%s\"", text);
	    return (-1);
	}
	addr = text + 1;
	len = (size_t) (end - addr);
	mask = end[1] == '/' ? end + 2 : NULL;
    } else {
	mask = strchr(text, '/');
	len = mask ? (size_t) (mask - text) : strlen(text);
	mask = mask ? mask + 1 : NULL;
    }
    if (cidr_text_to_addr(addr, len, net) < 0) {
	dstr_sprintf(why, "malformed address in \"%s\"", text);
	return (-1);
    }
    bits = net->masklen;
    masklen = bits;
    if (mask != NULL && (!str_alldig(mask) || str_to_long(mask, 0, bits, &masklen) < 0)) {
	dstr_sprintf(why, "bad network prefix length in \"%s\"", text);
	return (-1);
    }
    if (cidr_host_bits(net->addr, (unsigned) masklen, bits)) {
	(void) inet_ntop(net->family, net->addr, buf, sizeof(buf));
	dstr_sprintf(why, "non-null host address bits in \"%s\", "
		     "perhaps you should use \"%s%s%s/%ld\" instead", text,
		     bits == 128 ? "[" : "", buf, bits == 128 ? "]" : "", masklen);
	return (-1);
    }
    net->masklen = (unsigned) masklen;
    cidr_unmap(net);
    return (0);
}

/* cidr_addr_parse - one host address */

int     cidr_addr_parse(const char *text, CIDR_NET *addr)
{
    size_t  len = strlen(text);
    size_t  zone;

    if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
	text++;
	len -= 2;
    }
    if ((zone = strcspn(text, "%")) < len)	/* fe80::1%eth0 */
	len = zone;
    if (cidr_text_to_addr(text, len, addr) < 0)
	return (-1);
    cidr_unmap(addr);
    return (0);
}

/* cidr_net_match - prefix comparison */

int     cidr_net_match(const CIDR_NET *net, const CIDR_NET *addr)
{
    unsigned full = net->masklen / 8;
    unsigned rest = net->masklen % 8;
    unsigned char mask;

    if (net->family != addr->family || memcmp(net->addr, addr->addr, full) != 0)
	return (0);
    if (rest == 0)
	return (1);
    mask = (unsigned char) (0xff << (8 - rest));
    return ((addr->addr[full] & mask) == net->addr[full]);
}

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

    if (cidr_addr_parse(key, &addr) < 0)
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
