/*
 * inet_proto - the one reading of inet_protocols
 * DESCRIPTION
 *	master (which listeners to open) and smtp (which address records to
 *	look up) must agree on what inet_protocols means, and a typo such as
 *	"ip4" must be an error in posthorn check, not an instance whose
 *	inet services have no address to listen on.
 */
#include <strings.h>

#include "inet_proto.h"
#include "argv.h"

/* inet_proto_parse - see inet_proto.h */

int     inet_proto_parse(const char *value, DSTR *why)
{
    ARGV   *av = argv_split(value, " \t,");
    int     bits = 0;
    size_t  i;

    for (i = 0; i < av->argc && bits >= 0; i++) {
	if (strcasecmp(av->argv[i], "all") == 0)
	    bits |= INET_PROTO_V4 | INET_PROTO_V6;
	else if (strcasecmp(av->argv[i], "ipv4") == 0)
	    bits |= INET_PROTO_V4;
	else if (strcasecmp(av->argv[i], "ipv6") == 0)
	    bits |= INET_PROTO_V6;
	else {
	    if (why)
		dstr_sprintf(why, "unknown protocol \"%s\": expected all, ipv4 or ipv6", av->argv[i]);
	    bits = -1;
	}
    }
    if (bits == 0 && why)
	dstr_strcpy(why, "no protocol: expected all, ipv4 or ipv6");
    argv_free(av);
    return (bits == 0 ? -1 : bits);
}
