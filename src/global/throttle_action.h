/* throttle_action - what smtp_reply_throttle_maps may say to do about a provider's rate-limit reply */
#ifndef THROTTLE_ACTION_H
#define THROTTLE_ACTION_H
#include "dstr.h"

#define THROTTLE_SUSPEND	1	/* no new session to the group */
#define THROTTLE_CONCURRENCY	2	/* at most limit sessions to the group */
#define THROTTLE_RATE		3	/* at most limit deliveries per per seconds */

#define THROTTLE_DURATION_MAX	(7 * 86400L)	/* seconds a throttle may last */
#define THROTTLE_LIMIT_MAX	10000	/* sessions, or deliveries per interval */

typedef struct THROTTLE_ACTION {
    int     kind;			/* THROTTLE_* */
    int     limit;			/* CONCURRENCY: sessions; RATE: deliveries */
    long    per;			/* RATE: seconds the limit is counted over */
    long    duration;			/* seconds the throttle lasts */
} THROTTLE_ACTION;

/*
 * Parse a table result: "suspend DURATION", "concurrency N DURATION" or
 * "rate N/DURATION DURATION", DURATION in main.cf's time syntax (default
 * unit seconds: 600, 10m, 1h, 1d), between 1 s and THROTTLE_DURATION_MAX;
 * N from 1 to THROTTLE_LIMIT_MAX. 0, or -1 with a reason in why.
 */
extern int throttle_action_parse(const char *text, THROTTLE_ACTION *act, DSTR *why);
/* The action as text, in the form it was parsed from (for logs and status). */
extern void throttle_action_format(const THROTTLE_ACTION *act, DSTR *out);
/*
 * The lookup key of an SMTP reply: "CODE ENHANCED-CODE text" from its
 * first line and the text of every further line joined with single spaces
 * (each line's own code and enhanced code dropped), at most keylen_max
 * bytes, control bytes made '?'. enhanced may be empty. lines holds the
 * reply's lines as received, without line ends.
 */
extern void throttle_reply_key(const char *const *lines, int nlines, DSTR *key,
			               size_t keylen_max);

#endif
