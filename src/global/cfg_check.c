/*
 * cfg_check - value checks for main.cf parameters with a syntax of their own
 * DESCRIPTION
 *	A string parameter whose value only one daemon interprets (a TLS
 *	security level, a protocol list, SASL security options) would
 *	otherwise be accepted by posthorn check and reload and stop that
 *	daemon at start, far from the admin's edit. The parameter table
 *	names one of these checks, so every reader of main.cf (and of
 *	master.cf -o overrides) reports a bad value with its file, line and
 *	parameter. The checks use the same parsers as the daemons.
 */
#include <string.h>
#include <strings.h>

#include "cfg_check.h"
#include "argv.h"
#include "conc_feedback.h"
#include "dkim_canon.h"
#include "inet_proto.h"
#include "sasl_secopts.h"
#include "tls_policy.h"

/* cfg_check_inet_protocols - all, ipv4, ipv6, or a list of them */

int     cfg_check_inet_protocols(const char *value, DSTR *why)
{
    return (inet_proto_parse(value, why) < 0 ? -1 : 0);
}

/* cfg_check_tls_level - empty, or a level smtp supports */

int     cfg_check_tls_level(const char *value, DSTR *why)
{
    /* "dane" runs as "may" with a warning (no DNSSEC), as posthorn-smtp(8) says. */
    if (*value == 0 || tls_level_lookup(value) != TLS_LEV_INVALID
	|| strcasecmp(value, "dane") == 0)
	return (0);
    dstr_sprintf(why, "invalid or unsupported TLS security level \"%s\"", value);
    return (-1);
}

/* cfg_check_tls_protocols - a protocol list such as ">=TLSv1.2" or "!SSLv3" */

int     cfg_check_tls_protocols(const char *value, DSTR *why)
{
    int     lo;
    int     hi;

    return (tls_protocols_parse(value, &lo, &hi, why) < 0 ? -1 : 0);
}

/* cfg_check_tls_grade - a cipher grade: high, medium, low, export, null */

int     cfg_check_tls_grade(const char *value, DSTR *why)
{
    if (tls_cipher_grade_list(value) != 0)
	return (0);
    dstr_sprintf(why, "invalid cipher grade \"%s\"", value);
    return (-1);
}

/* cfg_check_tls_exclude - a cipher exclusion list */

int     cfg_check_tls_exclude(const char *value, DSTR *why)
{
    return (tls_cipher_exclude_check(value, why) < 0 ? -1 : 0);
}

/* cfg_check_tls_match - a certificate match list */

int     cfg_check_tls_match(const char *value, DSTR *why)
{
    ARGV   *list;

    if ((list = tls_match_list_parse(value, TLS_MAIN_LIST_SEPS, why)) == 0)
	return (-1);
    argv_free(list);
    return (0);
}

/* cfg_check_tls_servername - empty, "hostname", "nexthop" or a DNS name */

int     cfg_check_tls_servername(const char *value, DSTR *why)
{
    if (*value == 0 || strcmp(value, "hostname") == 0 || strcmp(value, "nexthop") == 0
	|| tls_valid_hostname(value))
	return (0);
    dstr_sprintf(why, "invalid name \"%s\"", value);
    return (-1);
}

/* cfg_check_sasl_secopts - SASL security option words */

int     cfg_check_sasl_secopts(const char *value, DSTR *why)
{
    int     flags;

    return (sasl_secopts_parse(value, &flags, why));
}

/* cfg_check_sasl_type - the SASL implementation: only cyrus */

int     cfg_check_sasl_type(const char *value, DSTR *why)
{
    if (strcmp(value, "cyrus") == 0)
	return (0);
    dstr_sprintf(why, "unsupported SASL client implementation \"%s\" (only cyrus)", value);
    return (-1);
}

/* cfg_check_feedback - a destination concurrency feedback value */

int     cfg_check_feedback(const char *value, DSTR *why)
{
    double  v;
    int     per_window;

    if (conc_feedback_parse(value, &v, &per_window) == 0)
	return (0);
    dstr_sprintf(why, "invalid feedback value \"%s\": expected a number from 0 to 1,"
		 " a fraction such as 1/4, or N/concurrency", value);
    return (-1);
}

/* cfg_check_dkim_canon - "header/body" or one word */

int     cfg_check_dkim_canon(const char *value, DSTR *why)
{
    DKIM_CANON head;
    DKIM_CANON body;

    if (dkim_canon_parse_pair(value, &head, &body) == 0)
	return (0);
    dstr_sprintf(why, "invalid DKIM canonicalization \"%s\": expected simple or relaxed,"
		 " or header/body such as relaxed/relaxed", value);
    return (-1);
}

/* cfg_check_dkim_headers - a list of header field names */

int     cfg_check_dkim_headers(const char *value, DSTR *why)
{
    ARGV   *names = argv_split(value, DKIM_HEADER_LIST_DELIM);
    size_t  i;
    int     ret = 0;

    for (i = 0; ret == 0 && i < names->argc; i++)
	if (!dkim_canon_field_name_ok(names->argv[i])) {
	    dstr_sprintf(why, "invalid header field name \"%s\"", names->argv[i]);
	    ret = -1;
	}
    argv_free(names);
    return (ret);
}
