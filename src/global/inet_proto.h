/* inet_proto - which IP versions inet_protocols allows */
#ifndef INET_PROTO_H
#define INET_PROTO_H
#include "dstr.h"

#define INET_PROTO_V4	(1<<0)
#define INET_PROTO_V6	(1<<1)

/* "all", "ipv4", "ipv6" or a list of those (white space or commas, any
 * case) as INET_PROTO_* bits; -1 and a reason in why (may be NULL) for
 * an empty list or another word. */
extern int inet_proto_parse(const char *value, DSTR *why);

#endif
