/*
 * qmgr_resolve - where does a recipient go: transport and next hop
 * DESCRIPTION
 *	transport_maps first (the full address, then the domain, then each
 *	parent domain as ".parent", as Postfix's transport(5)); a result
 *	"transport:nexthop" with either part empty falls back for that part.
 *	Then default_transport (which may itself carry a next hop), then
 *	relayhost, then the recipient's domain.
 */
#include <string.h>

#include "qmgr.h"
#include "cfg_params.h"
#include "dict.h"
#include "mailaddr.h"
#include "msg.h"
#include "strutil.h"

static DICT_LIST *qmgr_transport_maps;

/* qmgr_resolve_init - open the tables */

int     qmgr_resolve_init(DSTR *err)
{
    if ((qmgr_transport_maps = dict_list_open(var_transport_maps, err)) == NULL) {
	dstr_printf(err, " (transport_maps)");
	return (-1);
    }
    return (0);
}

/* qmgr_split_route - "transport:nexthop" into its parts (either may be empty) */

static void qmgr_split_route(const char *route, DSTR *transport, DSTR *nexthop)
{
    const char *colon = strchr(route, ':');

    if (colon == NULL) {
	dstr_strcpy(transport, route);
	DSTR_RESET(nexthop);
    } else {
	dstr_memcpy(transport, route, (size_t) (colon - route));
	dstr_strcpy(nexthop, colon + 1);
    }
}

/* qmgr_lookup_route - transport_maps for an address or its domains */

static const char *qmgr_lookup_route(const char *rcpt, const char *domain)
{
    const char *val;
    const char *dot;
    DSTR   *key;

    if (dict_list_empty(qmgr_transport_maps))
	return (NULL);
    if ((val = dict_list_get(qmgr_transport_maps, rcpt)) != NULL)
	return (val);
    if (*domain == 0)
	return (NULL);
    if ((val = dict_list_get(qmgr_transport_maps, domain)) != NULL)
	return (val);
    key = dstr_new(64);
    for (dot = strchr(domain, '.'); dot && !val; dot = strchr(dot + 1, '.')) {
	dstr_strcpy(key, dot);
	val = dict_list_get(qmgr_transport_maps, dstr_str(key));
    }
    dstr_free(key);
    return (val);
}

/* qmgr_resolve - one recipient */

int     qmgr_resolve(const char *rcpt, DSTR *transport, DSTR *nexthop, DSTR *why)
{
    DSTR   *domain = dstr_new(64);
    DSTR   *t2 = dstr_new(16);
    DSTR   *n2 = dstr_new(64);
    const char *route;
    int     ret = 0;

    mailaddr_domain(domain, rcpt);
    if (*rcpt == 0 || dstr_len(domain) == 0) {
	dstr_sprintf(why, "bad address syntax");
	ret = -1;
	goto out;
    }
    DSTR_RESET(transport);
    DSTR_RESET(nexthop);
    if ((route = qmgr_lookup_route(rcpt, dstr_str(domain))) != NULL)
	qmgr_split_route(route, transport, nexthop);
    qmgr_split_route(var_default_transport, t2, n2);
    if (dstr_len(transport) == 0)
	dstr_strcpy(transport, dstr_len(t2) ? dstr_str(t2) : "smtp");
    if (dstr_len(nexthop) == 0)
	dstr_strcpy(nexthop, dstr_len(n2) ? dstr_str(n2) :
		    *var_relayhost ? var_relayhost : dstr_str(domain));
    str_lower(dstr_data(nexthop));
out:
    dstr_free(domain);
    dstr_free(t2);
    dstr_free(n2);
    return (ret);
}

/* qmgr_is_double_bounce - mail to the double-bounce address is discarded */

int     qmgr_is_double_bounce(const char *rcpt)
{
    size_t  n = strlen(var_double_bounce_sender);

    return (strncasecmp(rcpt, var_double_bounce_sender, n) == 0
	    && (rcpt[n] == 0 || (rcpt[n] == '@' && strcasecmp(rcpt + n + 1, var_myorigin) == 0)));
}
