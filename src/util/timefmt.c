/*
 * timefmt - dates
 * DESCRIPTION
 *	Received:, Date: and DSN dates (RFC 5322) and the classic syslog
 *	stamp that pflogsumm expects at the start of maillog_file lines.
 *	Uses the local time zone; daemons call tzset() before chroot.
 */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "timefmt.h"

static const char *const timefmt_days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const timefmt_months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* timefmt_rfc5322 - header date */

void    timefmt_rfc5322(DSTR *out, time_t when)
{
    struct tm tm;
    long    off;
    int     sign;

    localtime_r(&when, &tm);
    off = tm.tm_gmtoff / 60;
    sign = off < 0 ? '-' : '+';
    if (off < 0)
	off = -off;
    dstr_printf(out, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld (%s)",
		timefmt_days[tm.tm_wday], tm.tm_mday, timefmt_months[tm.tm_mon],
		tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
		sign, off / 60, off % 60, tm.tm_zone ? tm.tm_zone : "UTC");
}

/* timefmt_syslog - "Mmm dd hh:mm:ss" */

void    timefmt_syslog(DSTR *out, time_t when)
{
    struct tm tm;

    localtime_r(&when, &tm);
    dstr_printf(out, "%s %2d %02d:%02d:%02d", timefmt_months[tm.tm_mon],
		tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* timefmt_now - seconds since the epoch, with microseconds */

double  timefmt_now(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (tv.tv_sec + tv.tv_usec / 1e6);
}
