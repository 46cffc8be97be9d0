/*
 * sasl_secopts - the SASL security option words of main.cf
 * DESCRIPTION
 *	The words Postfix documents for the Cyrus SASL client's
 *	smtp_sasl_security_options (and the TLS variants). They live in
 *	global, not with the SMTP client, because main.cf is checked by
 *	every reader of it (posthorn check, reload, each daemon at start),
 *	so a misspelt option is reported with its file and line there
 *	instead of stopping the SMTP client later.
 */
#include <string.h>
#include <strings.h>

#include "sasl_secopts.h"
#include "argv.h"

static const struct {
    const char *name;
    int     flag;
}       sasl_secopt_table[] = {
    {"noplaintext", SASL_SECOPT_NOPLAINTEXT},
    {"noactive", SASL_SECOPT_NOACTIVE},
    {"nodictionary", SASL_SECOPT_NODICTIONARY},
    {"noanonymous", SASL_SECOPT_NOANONYMOUS},
    {"mutual_auth", SASL_SECOPT_MUTUAL_AUTH},
    {0, 0},
};

#define SASL_SECOPT_SEPARATORS	", \t\r\n"

/* sasl_secopts_parse - option words to bits */

int     sasl_secopts_parse(const char *value, int *flags, DSTR *err)
{
    ARGV   *words = argv_split(value, SASL_SECOPT_SEPARATORS);
    size_t  i;
    int     j;
    int     ret = 0;

    *flags = 0;
    for (i = 0; i < words->argc && ret == 0; i++) {
	for (j = 0; sasl_secopt_table[j].name; j++)
	    if (strcasecmp(words->argv[i], sasl_secopt_table[j].name) == 0)
		break;
	if (sasl_secopt_table[j].name == 0) {
	    dstr_sprintf(err, "unknown SASL security option \"%s\"", words->argv[i]);
	    ret = -1;
	} else {
	    *flags |= sasl_secopt_table[j].flag;
	}
    }
    argv_free(words);
    return (ret);
}
