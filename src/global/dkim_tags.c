/*
 * dkim_tags - parse a DKIM tag list
 * DESCRIPTION
 *	DKIM-Signature header fields and the TXT records that publish keys
 *	are both tag lists. They come from strangers (a message to verify, a
 *	DNS answer), so the parser is pure, bounded, strict about the RFC's
 *	grammar and fuzzed (fuzz_dkim_tags): a list with a duplicate tag is
 *	invalid as a whole, as RFC 6376 3.2 says, so a second "d=" can never
 *	slip past a check of the first.
 */
#include <ctype.h>
#include <string.h>

#include "dkim_tags.h"

typedef struct DKIM_TAGS_SCAN {
    const char *cp;
    const char *end;
} DKIM_TAGS_SCAN;

/* dkim_tags_fws - skip folding white space: SP, TAB, and a line end before one of them */

static void dkim_tags_fws(DKIM_TAGS_SCAN *sc)
{
    for (;;) {
	if (sc->cp < sc->end && (*sc->cp == ' ' || *sc->cp == '\t')) {
	    sc->cp++;
	} else if (sc->end - sc->cp >= 2 && sc->cp[0] == '\n'
		   && (sc->cp[1] == ' ' || sc->cp[1] == '\t')) {
	    sc->cp += 2;
	} else if (sc->end - sc->cp >= 3 && sc->cp[0] == '\r' && sc->cp[1] == '\n'
		   && (sc->cp[2] == ' ' || sc->cp[2] == '\t')) {
	    sc->cp += 3;
	} else {
	    return;
	}
    }
}

/* dkim_tags_valchar - printable ASCII but ';' */

static int dkim_tags_valchar(char c)
{
    return (c >= 0x21 && c <= 0x7e && c != ';');
}

/* dkim_tags_name - a tag name into out; -1 when there is none */

static int dkim_tags_name(DKIM_TAGS_SCAN *sc, DSTR *out)
{
    const char *start = sc->cp;

    if (sc->cp >= sc->end || !isalpha((unsigned char) *sc->cp))
	return (-1);
    while (sc->cp < sc->end && (isalnum((unsigned char) *sc->cp) || *sc->cp == '_'))
	sc->cp++;
    dstr_memcpy(out, start, (size_t) (sc->cp - start));
    return (0);
}

/* dkim_tags_value - a value into out (white space inside it kept), and the white space after it */

static void dkim_tags_value(DKIM_TAGS_SCAN *sc, DSTR *out)
{
    const char *start = sc->cp;
    const char *last;				/* end of the value so far */

    for (;;) {
	while (sc->cp < sc->end && dkim_tags_valchar(*sc->cp))
	    sc->cp++;
	last = sc->cp;
	dkim_tags_fws(sc);
	if (sc->cp == last || sc->cp >= sc->end || !dkim_tags_valchar(*sc->cp))
	    break;				/* no more value after the white space */
    }
    dstr_memcpy(out, start, (size_t) (last - start));
}

/* dkim_tags_parse - the whole list */

int     dkim_tags_parse(const char *text, size_t len, ATTR_LIST *list, DSTR *why)
{
    DKIM_TAGS_SCAN sc;
    DSTR   *name = dstr_new(16);
    DSTR   *value = dstr_new(64);
    int     ret = -1;

    attr_list_reset(list);
    sc.cp = text;
    sc.end = text + len;
    if (len > DKIM_TAGS_MAX_LEN) {
	dstr_sprintf(why, "tag list longer than %d bytes", DKIM_TAGS_MAX_LEN);
	goto out;
    }
    for (;;) {
	dkim_tags_fws(&sc);
	if (sc.cp >= sc.end)
	    break;				/* the last ';' may end the list */
	if (dkim_tags_name(&sc, name) < 0) {
	    dstr_sprintf(why, "malformed tag name at offset %zu", (size_t) (sc.cp - text));
	    goto out;
	}
	dkim_tags_fws(&sc);
	if (sc.cp >= sc.end || *sc.cp++ != '=') {
	    dstr_sprintf(why, "tag \"%s\" without '='", dstr_str(name));
	    goto out;
	}
	dkim_tags_fws(&sc);
	dkim_tags_value(&sc, value);
	if (attr_get_str(list, dstr_str(name)) != NULL) {
	    dstr_sprintf(why, "tag \"%s\" occurs twice", dstr_str(name));
	    goto out;
	}
	if (list->count >= DKIM_TAGS_MAX_COUNT) {
	    dstr_sprintf(why, "more than %d tags", DKIM_TAGS_MAX_COUNT);
	    goto out;
	}
	attr_list_add(list, dstr_str(name), dstr_len(name), dstr_str(value));
	if (sc.cp >= sc.end)
	    break;
	if (*sc.cp++ != ';') {
	    dstr_sprintf(why, "bad character in the value of tag \"%s\"", dstr_str(name));
	    goto out;
	}
    }
    ret = 0;
out:
    if (ret < 0)
	attr_list_reset(list);
    dstr_free(name);
    dstr_free(value);
    return (ret);
}
