/*
 * json - JSON strings
 * DESCRIPTION
 *	posthorn queue -j and posthorn status -j print one JSON object per
 *	line; addresses and reasons come from the outside, so every string is
 *	escaped here.
 */
#include "json.h"

/* json_str - quoted, escaped */

void    json_str(DSTR *out, const char *str)
{
    const unsigned char *cp;

    dstr_catc(out, '"');
    for (cp = (const unsigned char *) str; *cp; cp++) {
	switch (*cp) {
	case '"':
	    dstr_cats(out, "\\\"");
	    break;
	case '\\':
	    dstr_cats(out, "\\\\");
	    break;
	case '\n':
	    dstr_cats(out, "\\n");
	    break;
	case '\r':
	    dstr_cats(out, "\\r");
	    break;
	case '\t':
	    dstr_cats(out, "\\t");
	    break;
	default:
	    if (*cp < 0x20 || *cp == 0x7f)
		dstr_printf(out, "\\u%04x", *cp);
	    else
		dstr_catc(out, *cp);
	}
    }
    dstr_catc(out, '"');
}
