/* sasl_secopts - the SASL security option words of main.cf, as bits */
#ifndef SASL_SECOPTS_H
#define SASL_SECOPTS_H
#include "dstr.h"

 /*
  * smtp_sasl_security_options and friends. A SASL client maps these to its
  * library's flags (smtp_sasl_glue.c: Cyrus SASL_SEC_*).
  */
#define SASL_SECOPT_NOPLAINTEXT		(1<<0)
#define SASL_SECOPT_NOACTIVE		(1<<1)
#define SASL_SECOPT_NODICTIONARY	(1<<2)
#define SASL_SECOPT_NOANONYMOUS		(1<<3)
#define SASL_SECOPT_MUTUAL_AUTH		(1<<4)

/* Parse a list ("noplaintext, noanonymous", case-insensitive); 0, or -1 and err. */
extern int sasl_secopts_parse(const char *value, int *flags, DSTR *err);

#endif
