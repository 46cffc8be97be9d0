/* timefmt - time stamps for mail headers and log lines */
#ifndef TIMEFMT_H
#define TIMEFMT_H
#include <time.h>
#include "dstr.h"

/* Append an RFC 5322 date with a zone comment: "Mon, 23 Nov 2026 14:20:01 +0100 (CET)". */
extern void timefmt_rfc5322(DSTR *out, time_t when);
/* Append a syslog time stamp "Nov  3 09:05:01" (local time, day padded with a space). */
extern void timefmt_syslog(DSTR *out, time_t when);
/* Wall clock with microseconds. */
extern double timefmt_now(void);

#endif
