/* mailaddr - envelope address helpers: canonical form, domain part */
#ifndef MAILADDR_H
#define MAILADDR_H
#include "dstr.h"

/* An address without '@' gets "@$myorigin"; the empty address stays empty. */
extern void mailaddr_canonical(DSTR *out, const char *addr);
/* The domain after the last '@', lower-cased, into out ("" when none). */
extern void mailaddr_domain(DSTR *out, const char *addr);

#endif
