/*
 * bounce_route - who receives a notification, and from which sender
 * DESCRIPTION
 *	The rules that keep notifications from looping, in one place:
 *	a notice to a sender has the null envelope sender, so it can never
 *	cause another notice to that sender; a failed message that had the
 *	null sender is a double bounce and goes to the postmaster (notify_
 *	classes "2bounce") or nowhere; notices to the postmaster come from
 *	the double-bounce address, and anything sent to or from that address
 *	that fails is dropped, which ends every chain. With VERP, as ezmlm
 *	expects, each failed recipient gets its own notice addressed to the
 *	sender expanded for that recipient, so the list manager learns which
 *	subscriber failed from the address alone.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce.h"
#include "cfg_params.h"
#include "mailaddr.h"
#include "mymalloc.h"
#include "verp.h"

/* bounce_route_new - empty route */

BOUNCE_ROUTE *bounce_route_new(void)
{
    BOUNCE_ROUTE *route = mycalloc(1, sizeof(*route));

    route->env_sender = dstr_new(64);
    route->rcpt = dstr_new(64);
    route->why = "";
    return (route);
}

/* bounce_route_free - release */

void    bounce_route_free(BOUNCE_ROUTE *route)
{
    dstr_free(route->env_sender);
    dstr_free(route->rcpt);
    free(route);
}

/* bounce_route_class - word test in a notify_classes list */

int     bounce_route_class(const char *classes, const char *class_name)
{
    static const char sep[] = " \t\r\n,";
    size_t  want = strlen(class_name);
    const char *cp = classes;
    size_t  len;

    while (*(cp += strspn(cp, sep)) != 0) {
	len = strcspn(cp, sep);
	if (len == want && strncasecmp(cp, class_name, len) == 0)
	    return (1);
	cp += len;
    }
    return (0);
}

/* bounce_route_double_bounce - the address whose mail is dropped */

void    bounce_route_double_bounce(DSTR *out)
{
    mailaddr_canonical(out, var_double_bounce_sender);
}

/* bounce_route_verp - one notice per failed recipient? */

int     bounce_route_verp(const char *sender, const char *verp)
{
    return (*sender != 0 && verp != NULL && strlen(verp) == 2 && !var_disable_verp_bounces);
}

/* bounce_route_nobody - a discard */

static int bounce_route_nobody(BOUNCE_ROUTE *route, const char *why)
{
    route->who = BOUNCE_TO_NOBODY;
    route->why = why;
    DSTR_RESET(route->env_sender);
    DSTR_RESET(route->rcpt);
    return (route->who);
}

/* bounce_route_postmaster_to - a notice for a postmaster address */

static int bounce_route_postmaster_to(BOUNCE_ROUTE *route, int who, const char *rcpt)
{
    if (*rcpt == 0)
	return (bounce_route_nobody(route, "the notice recipient parameter is empty"));
    route->who = who;
    route->why = "";
    bounce_route_double_bounce(route->env_sender);
    mailaddr_canonical(route->rcpt, rcpt);
    return (route->who);
}

/* bounce_route_sender - the notice for the sender */

int     bounce_route_sender(BOUNCE_ROUTE *route, int kind, const char *sender,
			            const char *verp, const char *failed_rcpt)
{
    DSTR   *dbl = dstr_new(64);
    int     is_dbl;

    bounce_route_double_bounce(dbl);
    is_dbl = strcasecmp(sender, dstr_str(dbl)) == 0
	|| strcasecmp(sender, var_double_bounce_sender) == 0;
    dstr_free(dbl);
    if (is_dbl)
	return (bounce_route_nobody(route, "undeliverable postmaster notification discarded"));
    if (*sender == 0) {
	if (kind == BOUNCE_KIND_DELAY)
	    return (bounce_route_nobody(route, "no delay warning for the null sender"));
	if (!bounce_route_class(var_notify_classes, "2bounce"))
	    return (bounce_route_nobody(route,
			"double bounce discarded (notify_classes lacks 2bounce)"));
	return (bounce_route_postmaster_to(route, BOUNCE_TO_2BOUNCE, var_2bounce_rcpt));
    }
    route->who = BOUNCE_TO_SENDER;
    route->why = "";
    DSTR_RESET(route->env_sender);
    if (failed_rcpt != NULL && kind == BOUNCE_KIND_FAILURE && bounce_route_verp(sender, verp))
	verp_expand(route->rcpt, sender, verp, failed_rcpt);
    else
	dstr_strcpy(route->rcpt, sender);
    return (route->who);
}

/* bounce_route_postmaster - the copy for the postmaster */

int     bounce_route_postmaster(BOUNCE_ROUTE *route, int kind)
{
    if (kind == BOUNCE_KIND_FAILURE && bounce_route_class(var_notify_classes, "bounce"))
	return (bounce_route_postmaster_to(route, BOUNCE_TO_POSTMASTER, var_bounce_rcpt));
    if (kind == BOUNCE_KIND_DELAY && bounce_route_class(var_notify_classes, "delay"))
	return (bounce_route_postmaster_to(route, BOUNCE_TO_POSTMASTER, var_delay_rcpt));
    return (bounce_route_nobody(route, "notify_classes asks for no copy"));
}
