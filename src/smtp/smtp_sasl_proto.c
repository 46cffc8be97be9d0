/*
 * smtp_sasl_proto - SMTP AUTH logic that needs no SASL library
 * DESCRIPTION
 *	What the SMTP client decides before and around the Cyrus SASL calls
 *	of smtp_sasl_glue.c, kept pure so unit tests and the fuzzer can
 *	reach it: which mechanisms a server's EHLO reply offers (the RFC 4954
 *	"AUTH mech ..." line and the old "AUTH=mech ..." form some servers
 *	still send for Outlook, merged as Postfix merges them), which of those
 *	smtp_sasl_mechanism_filter lets through, and which password table
 *	entry a server gets (its host name first, then the next hop as the
 *	request spells it, as Postfix looks them up). EHLO words are bounded: at most SMTP_SASL_MECHS_MAX
 *	names of at most SMTP_SASL_MECH_LEN_MAX characters are kept, so a
 *	server's reply cannot grow our state beyond that.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_sasl.h"
#include "mymalloc.h"
#include "strutil.h"

/* smtp_sasl_mech_valid - an RFC 4422 mechanism name of acceptable length */

static int smtp_sasl_mech_valid(const char *word, size_t len)
{
    size_t  i;

    if (len == 0 || len > SMTP_SASL_MECH_LEN_MAX)
	return (0);
    for (i = 0; i < len; i++)
	if (!isalnum((unsigned char) word[i]) && word[i] != '-' && word[i] != '_')
	    return (0);
    return (1);
}

/* smtp_sasl_mech_add - one offered word, upper-cased, if new and room is left */

static void smtp_sasl_mech_add(ARGV *mechs, const char *word, size_t len)
{
    char    name[SMTP_SASL_MECH_LEN_MAX + 1];
    size_t  i;

    if (!smtp_sasl_mech_valid(word, len) || mechs->argc >= SMTP_SASL_MECHS_MAX)
	return;
    for (i = 0; i < len; i++)
	name[i] = (char) toupper((unsigned char) word[i]);
    name[len] = 0;
    for (i = 0; i < mechs->argc; i++)
	if (strcmp(mechs->argv[i], name) == 0)
	    return;
    argv_add(mechs, name);
}

/* smtp_sasl_ehlo_words - the mechanism words of one AUTH line (from cp to end) */

static void smtp_sasl_ehlo_words(ARGV *mechs, const char *cp, const char *end)
{
    const char *word;

    while (cp < end) {
	while (cp < end && (*cp == ' ' || *cp == '\t'))
	    cp++;
	for (word = cp; cp < end && *cp != ' ' && *cp != '\t'; cp++)
	     /* void */ ;
	if (cp > word)
	    smtp_sasl_mech_add(mechs, word, (size_t) (cp - word));
    }
}

/* smtp_sasl_ehlo_mechs - mechanisms offered in an EHLO reply */

int     smtp_sasl_ehlo_mechs(const SMTP_REPLY *reply, ARGV *mechs)
{
    const char *cp = dstr_str(reply->text);
    const char *end = cp + dstr_len(reply->text);
    const char *eol;
    const char *kw;
    int     offered = 0;
    int     first = 1;

    for (; cp < end; cp = eol + 1) {
	if ((eol = memchr(cp, '\n', (size_t) (end - cp))) == NULL)
	    eol = end;
	if (first) {				/* "250-name greeting": no keyword */
	    first = 0;
	    continue;
	}
	if (eol - cp < 8)			/* "250-AUTH" */
	    continue;
	kw = cp + 4;
	if (strncasecmp(kw, "AUTH", 4) != 0)
	    continue;
	if (kw + 4 == eol || kw[4] == ' ' || kw[4] == '\t' || kw[4] == '=') {
	    offered = 1;
	    smtp_sasl_ehlo_words(mechs, kw + 5 < eol ? kw + 5 : eol, eol);
	}
    }
    return (offered);
}

 /*
  * A mechanism filter: patterns in order, each a name or a table, maybe
  * negated.
  */
typedef struct SMTP_SASL_PATTERN {
    int     negate;
    char   *name;			/* NULL for a table */
    DICT   *dict;
} SMTP_SASL_PATTERN;

struct SMTP_SASL_FILTER {
    SMTP_SASL_PATTERN *pat;
    size_t  count;
};

/* smtp_sasl_filter_free - release */

void    smtp_sasl_filter_free(SMTP_SASL_FILTER *filter)
{
    size_t  i;

    if (filter == 0)
	return;
    for (i = 0; i < filter->count; i++) {
	free(filter->pat[i].name);
	if (filter->pat[i].dict)
	    dict_close(filter->pat[i].dict);
    }
    free(filter->pat);
    free(filter);
}

/* smtp_sasl_filter_new - parse smtp_sasl_mechanism_filter */

SMTP_SASL_FILTER *smtp_sasl_filter_new(const char *spec, DSTR *err)
{
    SMTP_SASL_FILTER *filter = mycalloc(1, sizeof(*filter));
    SMTP_SASL_PATTERN *pat;
    DSTR   *word = dstr_new(32);
    const char *cp = spec;
    const char *text;

    DSTR_RESET(err);
    while (dict_list_next(&cp, word)) {		/* inline:{...} stays whole */
	filter->pat = myrealloc(filter->pat, (filter->count + 1) * sizeof(*filter->pat));
	pat = filter->pat + filter->count++;
	memset(pat, 0, sizeof(*pat));
	text = dstr_str(word);
	if ((pat->negate = (*text == '!')) != 0)
	    text++;
	if (*text == '/') {
	    dstr_sprintf(err, "\"%s\": /file/name patterns are not supported", text);
	    break;
	}
	if (strchr(text, ':') != 0) {
	    if ((pat->dict = dict_open(text, err)) == NULL)
		break;
	} else if (smtp_sasl_mech_valid(text, strlen(text))) {
	    pat->name = mystrdup(text);
	} else {
	    dstr_sprintf(err, "\"%s\": not a SASL mechanism name", text);
	    break;
	}
    }
    dstr_free(word);
    if (dstr_len(err) > 0 || filter->count == 0) {
	smtp_sasl_filter_free(filter);
	return (NULL);
    }
    return (filter);
}

/* smtp_sasl_filter_match - first matching pattern decides; no match drops */

int     smtp_sasl_filter_match(const SMTP_SASL_FILTER *filter, const char *mech)
{
    const SMTP_SASL_PATTERN *pat;
    size_t  i;
    int     hit;

    if (filter == 0)
	return (1);
    for (i = 0; i < filter->count; i++) {
	pat = filter->pat + i;
	hit = pat->name ? strcasecmp(pat->name, mech) == 0 : dict_get(pat->dict, mech) != NULL;
	if (hit)
	    return (!pat->negate);
    }
    return (0);
}

/* smtp_sasl_passwd_find - credentials for this server */

int     smtp_sasl_passwd_find(DICT_LIST *maps, const char *host, const char *nexthop,
			              DSTR *user, DSTR *pass)
{
    const char *value = 0;
    const char *colon;

    if (host && *host)
	value = dict_list_get(maps, host);
    if (value == 0 && nexthop && *nexthop)
	value = dict_list_get(maps, nexthop);
    if (value == 0)
	return (0);
    if ((colon = strchr(value, ':')) != 0) {
	dstr_memcpy(user, value, (size_t) (colon - value));
	dstr_strcpy(pass, colon + 1);
    } else {
	dstr_strcpy(user, value);
	DSTR_RESET(pass);
    }
    return (1);
}

/* smtp_sasl_user_encode - "-" or the name with %XX for anything but plain visible ASCII */

void    smtp_sasl_user_encode(DSTR *out, const char *user)
{
    const unsigned char *cp;

    DSTR_RESET(out);
    if (user == 0) {
	dstr_catc(out, '-');
	return;
    }
    dstr_catc(out, '=');			/* so "" and "-" stay apart from "none" */
    for (cp = (const unsigned char *) user; *cp; cp++) {
	if (*cp <= 0x20 || *cp >= 0x7f || *cp == '%')
	    dstr_printf(out, "%%%02X", *cp);
	else
	    dstr_catc(out, *cp);
    }
}

/* smtp_sasl_hex - one hex digit's value, or -1 */

static int smtp_sasl_hex(int ch)
{
    if (ch >= '0' && ch <= '9')
	return (ch - '0');
    if (ch >= 'A' && ch <= 'F')
	return (ch - 'A' + 10);
    return (-1);
}

/* smtp_sasl_user_decode - the inverse: 1 and the name, 0 for none, -1 malformed */

int     smtp_sasl_user_decode(DSTR *out, const char *word)
{
    const char *cp;
    int     hi;
    int     lo;

    DSTR_RESET(out);
    if (strcmp(word, "-") == 0)
	return (0);
    if (*word != '=')
	return (-1);
    for (cp = word + 1; *cp; cp++) {
	if (*cp != '%') {
	    if ((unsigned char) *cp <= 0x20 || (unsigned char) *cp >= 0x7f)
		return (-1);
	    dstr_catc(out, *cp);
	    continue;
	}
	if ((hi = smtp_sasl_hex(cp[1])) < 0 || (lo = smtp_sasl_hex(cp[2])) < 0 || hi * 16 + lo == 0)
	    return (-1);
	dstr_catc(out, hi * 16 + lo);
	cp += 2;
    }
    return (1);
}
