/*
 * tls_policy - TLS security levels, policy values, protocol lists, cipher grades
 * DESCRIPTION
 *	The text side of the TLS client configuration, kept apart from
 *	OpenSSL (src/tls) so that it is unit-tested and fuzzed as plain
 *	parsing, and so that the main.cf value checks (cfg_check.c), which
 *	every program runs, need no OpenSSL:
 *	security level names, the values of smtp_tls_policy_maps
 *	("verify match=hostname:nexthop protocols=>=TLSv1.2"), protocol lists
 *	as smtp_tls_protocols writes them, cipher grades and exclusions, and
 *	certificate match lists. Names and meanings are Postfix's
 *	(postconf(5): smtp_tls_policy_maps, smtp_tls_protocols,
 *	smtp_tls_ciphers, smtp_tls_verify_cert_match).
 *
 *	Everything here is bounded: a policy value of at most
 *	TLS_POLICY_MAX_LEN bytes with at most TLS_POLICY_MAX_ATTRS
 *	attributes, match lists of at most TLS_MATCH_MAX words, names of at
 *	most TLS_NAME_MAX bytes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tls_policy.h"
#include "mymalloc.h"
#include "strutil.h"

static const struct {
    const char *name;
    int     level;
} tls_levels[] = {
    {"none", TLS_LEV_NONE},
    {"may", TLS_LEV_MAY},
    {"encrypt", TLS_LEV_ENCRYPT},
    {"verify", TLS_LEV_VERIFY},
    {"secure", TLS_LEV_SECURE},
};

#define TLS_NLEVELS	(sizeof(tls_levels) / sizeof(tls_levels[0]))

/* tls_level_lookup - level by name */

int     tls_level_lookup(const char *name)
{
    size_t  i;

    for (i = 0; i < TLS_NLEVELS; i++)
	if (strcasecmp(name, tls_levels[i].name) == 0)
	    return (tls_levels[i].level);
    return (TLS_LEV_INVALID);
}

/* tls_level_name - name by level */

const char *tls_level_name(int level)
{
    size_t  i;

    for (i = 0; i < TLS_NLEVELS; i++)
	if (tls_levels[i].level == level)
	    return (tls_levels[i].name);
    return ("invalid");
}

 /*
  * Protocols by name. SSLv2 is only ever named to be excluded; OpenSSL
  * cannot speak it at all.
  */
static const struct {
    const char *name;
    int     version;
} tls_protos[] = {
    {"SSLv2", TLS_PROTO_SSLv2},
    {"SSLv3", TLS_PROTO_SSLv3},
    {"TLSv1", TLS_PROTO_TLSv1},
    {"TLSv1.1", TLS_PROTO_TLSv1_1},
    {"TLSv1.2", TLS_PROTO_TLSv1_2},
    {"TLSv1.3", TLS_PROTO_TLSv1_3},
};

#define TLS_NPROTOS	(sizeof(tls_protos) / sizeof(tls_protos[0]))

/* tls_protocol_name - "TLSv1.2" for 0x0303 */

const char *tls_protocol_name(int version)
{
    size_t  i;

    for (i = 0; i < TLS_NPROTOS; i++)
	if (tls_protos[i].version == version)
	    return (tls_protos[i].name);
    return (NULL);
}

/* tls_proto_index - index into tls_protos by name (case-insensitive), or -1 */

static int tls_proto_index(const char *name)
{
    size_t  i;

    for (i = 0; i < TLS_NPROTOS; i++)
	if (strcasecmp(name, tls_protos[i].name) == 0)
	    return ((int) i);
    return (-1);
}

/* tls_proto_version - a name, or with hex_ok a hexadecimal version ("0x0303", "303"); -1 */

static int tls_proto_version(const char *word, int hex_ok)
{
    int     i = tls_proto_index(word);
    const char *cp = word;
    long    v = 0;

    if (i >= 0)
	return (tls_protos[i].version);
    if (!hex_ok)
	return (-1);
    if (cp[0] == '0' && (cp[1] == 'x' || cp[1] == 'X'))
	cp += 2;
    if (*cp == 0 || strlen(cp) > 4)
	return (-1);
    for (; *cp; cp++) {
	if (!isxdigit((unsigned char) *cp))
	    return (-1);
	v = v * 16 + (isdigit((unsigned char) *cp) ? *cp - '0' : tolower((unsigned char) *cp) - 'a' + 10);
    }
    /* SSLv3 and later only: the major version byte is 3. */
    return (v >= 0x0300 && v <= 0x03ff ? (int) v : -1);
}

/* tls_protocols_parse - protocol list to an enforced version range */

int     tls_protocols_parse(const char *spec, int *min, int *max, DSTR *err)
{
    ARGV   *words;
    int     include = 0;		/* bit per tls_protos entry */
    int     exclude = 0;
    int     lo = 0;			/* from >= */
    int     hi = 0;			/* from <= */
    int     v;
    int     i;
    int     first;
    int     ret = -1;
    size_t  n;
    const char *w;

    *min = *max = 0;
    if (strlen(spec) > TLS_POLICY_MAX_LEN) {
	dstr_strcpy(err, "protocol list too long");
	return (-1);
    }
    words = argv_split(spec, " \t\r\n,:");
    for (n = 0; n < words->argc; n++) {
	w = words->argv[n];
	if (w[0] == '>' && w[1] == '=') {
	    if ((v = tls_proto_version(w + 2, 1)) < 0)
		goto bad;
	    if (v > lo && v >= TLS_PROTO_SSLv3)	/* ">=SSLv2": everything */
		lo = v;
	} else if (w[0] == '<' && w[1] == '=') {
	    if ((v = tls_proto_version(w + 2, 1)) < 0)
		goto bad;
	    if (v < TLS_PROTO_SSLv3) {		/* "<=SSLv2": nothing */
		dstr_sprintf(err, "protocol list \"%s\" disables every protocol", spec);
		goto out;
	    }
	    if (hi == 0 || v < hi)
		hi = v;
	} else if (w[0] == '!') {
	    if ((i = tls_proto_index(w + 1)) < 0)
		goto bad;
	    exclude |= 1 << i;
	} else {
	    if ((i = tls_proto_index(w)) < 0)
		goto bad;
	    include |= 1 << i;
	}
    }
    /* Names listed or excluded: the enabled run starts at the lowest enabled one. */
    if (include || exclude) {
	/* SSLv2 (index 0) does not exist for OpenSSL: never count it as enabled. */
	int     enabled = (include ? include : (1 << TLS_NPROTOS) - 1) & ~exclude & ~1;

	for (first = 1; first < (int) TLS_NPROTOS && !(enabled & (1 << first)); first++)
	     /* void */ ;
	if (first == (int) TLS_NPROTOS) {
	    dstr_sprintf(err, "protocol list \"%s\" disables every protocol", spec);
	    goto out;
	}
	for (i = first; i < (int) TLS_NPROTOS && (enabled & (1 << i)); i++)
	     /* void */ ;
	*min = tls_protos[first].version;
	/* Up to the newest version we know: no upper bound, later ones allowed. */
	*max = i == (int) TLS_NPROTOS ? 0 : tls_protos[i - 1].version;
    }
    if (lo && lo > *min)
	*min = lo;
    if (hi && (*max == 0 || hi < *max))
	*max = hi;
    if (*min && *max && *min > *max) {
	dstr_sprintf(err, "protocol list \"%s\" leaves no protocol enabled", spec);
	goto out;
    }
    ret = 0;
    goto out;
bad:
    dstr_sprintf(err, "invalid protocol \"%s\" in \"%s\"", w, spec);
out:
    argv_free(words);
    return (ret);
}

 /*
  * Cipher grades and Postfix's default tls_*_cipherlist for each. The
  * lists start with aNULL and take it away again so that anonymous
  * ciphers sort last when they are not excluded outright.
  */
static const struct {
    const char *grade;
    const char *list;
} tls_grades[] = {
    {"export", "aNULL:-aNULL:HIGH:MEDIUM:LOW:EXPORT:+RC4:@STRENGTH"},
    {"low", "aNULL:-aNULL:HIGH:MEDIUM:LOW:+RC4:@STRENGTH"},
    {"medium", "aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH"},
    {"high", "aNULL:-aNULL:HIGH:@STRENGTH"},
    {"null", "eNULL:!aNULL"},
};

/* tls_cipher_grade_list - the cipher list of a grade */

const char *tls_cipher_grade_list(const char *grade)
{
    size_t  i;

    for (i = 0; i < sizeof(tls_grades) / sizeof(tls_grades[0]); i++)
	if (strcasecmp(grade, tls_grades[i].grade) == 0)
	    return (tls_grades[i].list);
    return (NULL);
}

/* tls_cipher_word_ok - an OpenSSL cipher or cipher class name */

static int tls_cipher_word_ok(const char *w)
{
    if (*w == 0 || strlen(w) > 64)
	return (0);
    for (; *w; w++)
	if (!isalnum((unsigned char) *w) && strchr("-_+.=", *w) == 0)
	    return (0);
    return (1);
}

/* tls_cipher_exclude_check - every exclusion is a plain name */

int     tls_cipher_exclude_check(const char *spec, DSTR *err)
{
    ARGV   *words;
    size_t  n;
    int     ret = 0;

    if (strlen(spec) > TLS_POLICY_MAX_LEN) {
	dstr_strcpy(err, "cipher exclusion list too long");
	return (-1);
    }
    words = argv_split(spec, " \t\r\n,:");
    for (n = 0; ret == 0 && n < words->argc; n++) {
	if (!tls_cipher_word_ok(words->argv[n])) {
	    dstr_sprintf(err, "invalid cipher exclusion \"%s\"", words->argv[n]);
	    ret = -1;
	}
    }
    argv_free(words);
    return (ret);
}

/* tls_cipher_add_exclusions - ":!name" for each word */

static void tls_cipher_add_exclusions(DSTR *out, const char *spec)
{
    ARGV   *words;
    size_t  n;

    if (spec == 0 || *spec == 0)
	return;
    words = argv_split(spec, " \t\r\n,:");
    for (n = 0; n < words->argc; n++)
	if (tls_cipher_word_ok(words->argv[n]))
	    dstr_printf(out, ":!%s", words->argv[n]);
    argv_free(words);
}

/* tls_cipher_string - grade list plus exclusions */

void    tls_cipher_string(DSTR *out, const char *grade_list, const char *exclude,
			          const char *exclude2, int no_anon)
{
    dstr_strcpy(out, grade_list);
    tls_cipher_add_exclusions(out, exclude);
    tls_cipher_add_exclusions(out, exclude2);
    if (no_anon)
	dstr_cats(out, ":!aNULL");
}

/* tls_valid_hostname - letters, digits, '-', '_' in dot-separated labels */

int     tls_valid_hostname(const char *name)
{
    size_t  label = 0;
    const char *cp;

    if (*name == 0 || strlen(name) > TLS_NAME_MAX)
	return (0);
    for (cp = name; *cp; cp++) {
	if (*cp == '.') {
	    /* No empty label, no label that ends with a hyphen. */
	    if (label == 0 || cp[-1] == '-')
		return (0);
	    label = 0;
	} else if (isalnum((unsigned char) *cp) || *cp == '_'
		   || (*cp == '-' && label > 0)) {
	    if (++label > 63)
		return (0);
	} else {
	    return (0);
	}
    }
    return (label > 0 && cp[-1] != '-');
}

/* tls_match_list_parse - strategies and domains, lower case */

ARGV   *tls_match_list_parse(const char *spec, const char *seps, DSTR *err)
{
    ARGV   *words;
    size_t  n;
    char   *w;

    if (strlen(spec) > TLS_POLICY_MAX_LEN) {
	dstr_strcpy(err, "match list too long");
	return (NULL);
    }
    words = argv_split(spec, seps);
    if (words->argc == 0 || words->argc > TLS_MATCH_MAX) {
	dstr_sprintf(err, "match list \"%s\" must have 1 to %d entries", spec, TLS_MATCH_MAX);
	return (argv_free(words));
    }
    for (n = 0; n < words->argc; n++) {
	w = str_lower(words->argv[n]);
	if (strcmp(w, "hostname") == 0 || strcmp(w, "nexthop") == 0
	    || strcmp(w, "dot-nexthop") == 0)
	    continue;
	if (!tls_valid_hostname(w[0] == '.' ? w + 1 : w)) {
	    dstr_sprintf(err, "invalid match \"%s\"", w);
	    return (argv_free(words));
	}
    }
    return (words);
}

/* tls_policy_free - release what a parse left */

void    tls_policy_free(TLS_POLICY *policy)
{
    free(policy->protocols);
    free(policy->ciphers);
    free(policy->exclude);
    free(policy->match);
    free(policy->servername);
    memset(policy, 0, sizeof(*policy));
    policy->level = TLS_LEV_INVALID;
}

/* tls_policy_attr - one name=value; TLS_POLICY_* */

static int tls_policy_attr(TLS_POLICY *policy, const char *name, char *value, DSTR *err)
{
    ARGV   *list;
    int     lo;
    int     hi;
    char  **slot = 0;
    DSTR   *joined;

    if (strcasecmp(name, "match") == 0) {
	if (!TLS_MUST_MATCH(policy->level)) {
	    dstr_sprintf(err, "match attribute is not valid at security level %s",
			 tls_level_name(policy->level));
	    return (TLS_POLICY_ERR);
	}
	if ((list = tls_match_list_parse(value, ":", err)) == 0)
	    return (TLS_POLICY_ERR);
	argv_free(list);
	/* Repeated match attributes add to the list. */
	if (policy->match) {
	    joined = dstr_new(128);
	    dstr_sprintf(joined, "%s:%s", policy->match, value);
	    free(policy->match);
	    policy->match = dstr_export(joined);
	    if ((list = tls_match_list_parse(policy->match, ":", err)) == 0)
		return (TLS_POLICY_ERR);
	    argv_free(list);
	} else {
	    policy->match = mystrdup(value);
	}
	return (TLS_POLICY_OK);
    }
    if (strcasecmp(name, "protocols") == 0) {
	if (tls_protocols_parse(value, &lo, &hi, err) < 0)
	    return (TLS_POLICY_ERR);
	slot = &policy->protocols;
    } else if (strcasecmp(name, "ciphers") == 0) {
	if (tls_cipher_grade_list(value) == 0) {
	    dstr_sprintf(err, "invalid cipher grade \"%s\"", value);
	    return (TLS_POLICY_ERR);
	}
	slot = &policy->ciphers;
    } else if (strcasecmp(name, "exclude") == 0) {
	if (tls_cipher_exclude_check(value, err) < 0)
	    return (TLS_POLICY_ERR);
	slot = &policy->exclude;
    } else if (strcasecmp(name, "servername") == 0) {
	if (strcasecmp(value, "hostname") != 0 && strcasecmp(value, "nexthop") != 0
	    && !tls_valid_hostname(value)) {
	    dstr_sprintf(err, "invalid servername \"%s\"", value);
	    return (TLS_POLICY_ERR);
	}
	slot = &policy->servername;
    } else if (strcasecmp(name, "connection_reuse") == 0) {
	if (str_to_bool(value) < 0) {
	    dstr_sprintf(err, "invalid connection_reuse \"%s\"", value);
	    return (TLS_POLICY_ERR);
	}
	if (str_to_bool(value) == 1) {
	    dstr_strcpy(err, "connection_reuse=yes is not supported: TLS connections are closed after use");
	    return (TLS_POLICY_WARN);
	}
	return (TLS_POLICY_OK);
    } else {
	dstr_sprintf(err, "unknown or unsupported attribute \"%s\"", name);
	return (TLS_POLICY_ERR);
    }
    if (*slot) {
	dstr_sprintf(err, "attribute \"%s\" given twice", name);
	return (TLS_POLICY_ERR);
    }
    *slot = mystrdup(value);
    return (TLS_POLICY_OK);
}

/* tls_policy_parse - "level [name=value ...]" */

int     tls_policy_parse(const char *value, TLS_POLICY *policy, DSTR *err)
{
    ARGV   *words;
    DSTR   *note = dstr_new(64);
    size_t  n;
    char   *eq;
    int     ret = TLS_POLICY_OK;
    int     r;

    memset(policy, 0, sizeof(*policy));
    policy->level = TLS_LEV_INVALID;
    DSTR_RESET(err);
    if (strlen(value) > TLS_POLICY_MAX_LEN) {
	dstr_sprintf(err, "policy longer than %d bytes", TLS_POLICY_MAX_LEN);
	dstr_free(note);
	return (TLS_POLICY_ERR);
    }
    words = argv_split(value, " \t\r\n,");
    if (words->argc == 0) {
	dstr_strcpy(err, "empty policy");
	ret = TLS_POLICY_ERR;
	goto out;
    }
    if (words->argc > TLS_POLICY_MAX_ATTRS + 1) {
	dstr_sprintf(err, "more than %d policy attributes", TLS_POLICY_MAX_ATTRS);
	ret = TLS_POLICY_ERR;
	goto out;
    }
    if (strcasecmp(words->argv[0], "dane") == 0) {
	policy->level = TLS_LEV_MAY;
	dstr_strcpy(note, "security level dane needs DNSSEC, which is not supported: using may");
	ret = TLS_POLICY_WARN;
    } else if ((policy->level = tls_level_lookup(words->argv[0])) == TLS_LEV_INVALID) {
	dstr_sprintf(err, "invalid or unsupported security level \"%s\"", words->argv[0]);
	ret = TLS_POLICY_ERR;
	goto out;
    }
    if (policy->level == TLS_LEV_NONE && words->argc > 1) {
	dstr_strcpy(err, "security level none takes no attributes");
	ret = TLS_POLICY_ERR;
	goto out;
    }
    for (n = 1; n < words->argc; n++) {
	if ((eq = strchr(words->argv[n], '=')) == 0 || eq == words->argv[n] || eq[1] == 0) {
	    dstr_sprintf(err, "malformed attribute \"%s\": expected name=value", words->argv[n]);
	    ret = TLS_POLICY_ERR;
	    goto out;
	}
	*eq = 0;
	if ((r = tls_policy_attr(policy, words->argv[n], eq + 1, err)) == TLS_POLICY_ERR) {
	    ret = TLS_POLICY_ERR;
	    goto out;
	}
	if (r == TLS_POLICY_WARN) {
	    dstr_printf(note, "%s%s", dstr_len(note) ? "; " : "", dstr_str(err));
	    ret = TLS_POLICY_WARN;
	}
	DSTR_RESET(err);
    }
    if (ret == TLS_POLICY_WARN)
	dstr_strcpy(err, dstr_str(note));
out:
    argv_free(words);
    dstr_free(note);
    return (ret);
}
