/*
 * header_addr - the address in an address header field
 * DESCRIPTION
 *	The DKIM signer chooses its key by the From: address. The field is
 *	whatever the sender wrote, so this reads it defensively: one pass,
 *	no recursion, nesting of comments counted, and any doubt (more than
 *	one address, brackets that do not balance) is reported as such so
 *	the caller can refuse to sign rather than guess.
 *
 *	Each comma-separated member (commas inside quotes, comments and
 *	<...> do not count) is one address: the text inside <...> when it
 *	has one, else its words with comments and white space removed. A
 *	group "name: a, b;" has its members counted; "undisclosed:;" none.
 *	A control character (NUL included) anywhere makes the field malformed.
 *
 *	sendmail -t reads To:, Cc: and Bcc: with the same scan and takes
 *	every member's address (header_addr_list).
 */
#include "header_addr.h"

typedef struct HEADER_ADDR_SCAN {
    int     count;			/* members with an address */
    int     bad;
    int     angles;			/* <...> seen in this member */
    DSTR   *cur;			/* this member's address so far */
    DSTR   *plain;			/* its words outside <...> */
    ARGV   *all;			/* every address, or NULL */
} HEADER_ADDR_SCAN;

/* header_addr_end_member - a comma, a group's ';' or the end */

static void header_addr_end_member(HEADER_ADDR_SCAN *sc, DSTR *addr)
{
    DSTR   *got = sc->angles ? sc->cur : sc->plain;

    if (sc->angles > 1)
	sc->bad = 1;
    if (dstr_len(got) > 0) {
	if (++sc->count == 1)
	    dstr_memcpy(addr, dstr_str(got), dstr_len(got));
	if (sc->all)
	    argv_addn(sc->all, dstr_str(got), dstr_len(got));
    }
    DSTR_RESET(sc->cur);
    DSTR_RESET(sc->plain);
    sc->angles = 0;
}

/* header_addr_scan - the one pass behind both interfaces */

static int header_addr_scan(const char *value, size_t len, DSTR *addr, ARGV *all)
{
    HEADER_ADDR_SCAN sc = {0, 0, 0, dstr_new(64), dstr_new(64), all};
    const char *cp = value;
    const char *end = value + len;
    int     comment = 0;			/* nesting depth */
    int     quoted = 0;
    int     in_angle = 0;
    int     ret;
    char    c;

    DSTR_RESET(addr);
    for (; cp < end && !sc.bad; cp++) {
	c = *cp;
	if (((unsigned char) c < 0x20 && c != ' ' && c != '\t' && c != '\r' && c != '\n')
	    || c == 0x7f) {
	    sc.bad = 1;				/* no control character belongs in a header */
	    break;
	}
	if (c == '\\' && (quoted || comment) && cp + 1 < end) {
	    cp++;				/* quoted-pair, kept as written */
	    if (quoted && !comment) {
		dstr_catc(in_angle ? sc.cur : sc.plain, c);
		dstr_catc(in_angle ? sc.cur : sc.plain, *cp);
	    }
	    continue;
	}
	if (comment) {
	    comment += (c == '(') - (c == ')');
	    continue;
	}
	if (quoted) {
	    if (c == '"')
		quoted = 0;
	    dstr_catc(in_angle ? sc.cur : sc.plain, c);
	    continue;
	}
	switch (c) {
	case '(':
	    comment = 1;
	    break;
	case '"':
	    quoted = 1;
	    dstr_catc(in_angle ? sc.cur : sc.plain, c);
	    break;
	case '<':
	    if (in_angle)
		sc.bad = 1;
	    in_angle = 1;
	    sc.angles++;
	    DSTR_RESET(sc.cur);
	    break;
	case '>':
	    if (!in_angle)
		sc.bad = 1;
	    in_angle = 0;
	    break;
	case ':':				/* a group's name: drop it */
	    /* A group's name, or inside <...> the end of an obsolete route
	     * "@a,@b:": either way what came before is no address. */
	    if (in_angle)
		DSTR_RESET(sc.cur);
	    else
		DSTR_RESET(sc.plain);
	    break;
	case ',':
	case ';':
	    if (in_angle) {
		if (c == ',')
		    DSTR_RESET(sc.cur);		/* obsolete route list */
		else
		    sc.bad = 1;
		break;
	    }
	    header_addr_end_member(&sc, addr);
	    break;
	case ' ':
	case '\t':
	case '\r':
	case '\n':
	    break;
	default:
	    dstr_catc(in_angle ? sc.cur : sc.plain, c);
	    break;
	}
    }
    if (comment || quoted || in_angle)
	sc.bad = 1;
    if (!sc.bad)
	header_addr_end_member(&sc, addr);
    ret = sc.bad ? HEADER_ADDR_BAD : sc.count == 0 ? HEADER_ADDR_NONE
	: sc.count == 1 ? HEADER_ADDR_ONE : HEADER_ADDR_MANY;
    if (ret != HEADER_ADDR_ONE)
	DSTR_RESET(addr);
    dstr_free(sc.cur);
    dstr_free(sc.plain);
    return (ret);
}

/* header_addr_one - exactly one address? */

int     header_addr_one(const char *value, size_t len, DSTR *addr)
{
    return (header_addr_scan(value, len, addr, NULL));
}

/* header_addr_list - every address */

int     header_addr_list(const char *value, size_t len, ARGV *addrs)
{
    DSTR   *first = dstr_new(64);
    size_t  before = addrs->argc;
    int     ret = header_addr_scan(value, len, first, addrs);

    if (ret == HEADER_ADDR_BAD)
	argv_truncate(addrs, before);
    dstr_free(first);
    return (ret);
}
