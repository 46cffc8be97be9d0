/*
 * mailaddr - envelope addresses
 * DESCRIPTION
 *	Postfix canonicalizes envelope addresses in its "local" rewriting
 *	context: an unqualified address is completed with $myorigin. posthorn
 *	does the same in cleanup, so every queued address has a domain.
 */
#include <string.h>

#include "mailaddr.h"
#include "cfg_params.h"
#include "strutil.h"

/* mailaddr_canonical - qualify an address */

void    mailaddr_canonical(DSTR *out, const char *addr)
{
    dstr_strcpy(out, addr);
    if (*addr != 0 && strchr(addr, '@') == NULL && *var_myorigin != 0)
	dstr_printf(out, "@%s", var_myorigin);
}

/* mailaddr_domain - domain part */

void    mailaddr_domain(DSTR *out, const char *addr)
{
    const char *at = strrchr(addr, '@');

    dstr_strcpy(out, at ? at + 1 : "");
    str_lower(dstr_data(out));
}
