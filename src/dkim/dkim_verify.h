/* dkim_verify - verify every DKIM signature of a message in memory */
#ifndef DKIM_VERIFY_H
#define DKIM_VERIFY_H
#include <stddef.h>
#include <time.h>

#include "dstr.h"

#define DKIM_VERIFY_MAX_SIGS	16	/* signatures looked at, from the top */
#define DKIM_VERIFY_TXT_MAX	8192	/* bytes of key record text accepted */

/*
 * Fetch the key record text of name ("sel._domainkey.example.org") into
 * txt (which has a DKIM_VERIFY_TXT_MAX limit). DKIM_TXT_FOUND, or
 * DKIM_TXT_PERMFAIL (no such record) or DKIM_TXT_TEMPFAIL (try later),
 * with why.
 */
#define DKIM_TXT_FOUND		0
#define DKIM_TXT_PERMFAIL	(-1)
#define DKIM_TXT_TEMPFAIL	(-2)
typedef int (*DKIM_TXT_LOOKUP) (void *ctx, const char *name, DSTR *txt, DSTR *why);

typedef enum DKIM_STATUS {
    DKIM_STATUS_PASS,
    DKIM_STATUS_FAIL,			/* permanent: bad signature, no key */
    DKIM_STATUS_TEMPFAIL,		/* the key could not be fetched now */
} DKIM_STATUS;

/* One signature's outcome. Strings are never NULL; d, s and a are the
 * tags as written (bytes outside printable ASCII shown as '?', at most
 * 255 of them), empty when the signature has none or is unreadable. */
typedef struct DKIM_RESULT {
    char   *domain;			/* d= */
    char   *selector;			/* s= */
    char   *alg;			/* a= */
    DKIM_STATUS status;
    char   *reason;			/* why it failed; "" for a pass */
} DKIM_RESULT;

typedef struct DKIM_RESULTS {
    DKIM_RESULT *res;
    size_t  count;
} DKIM_RESULTS;

/*
 * Verify the DKIM-Signature fields of msg (a whole message, header, empty
 * line, body; lines ended by LF, CR LF or a lone CR, as posthorn-smtp(8) reads them):
 * at most DKIM_VERIFY_MAX_SIGS, from the top, each independently (RFC 6376
 * 6.1), with now for x= expiry and lookup for key records. Fills out (one
 * result per signature, in header order) and returns the count; 0 when
 * there is no DKIM-Signature. The caller bounds len; a header of more than
 * 10000 fields fails every signature (selection costs fields x names).
 */
extern size_t dkim_verify(const char *msg, size_t len, time_t now,
			          DKIM_TXT_LOOKUP lookup, void *ctx, DKIM_RESULTS *out);
extern void dkim_results_free(DKIM_RESULTS *out);

/* "pass", "fail", "temperror" */
extern const char *dkim_status_name(DKIM_STATUS status);
/* Append "d=example.org s=sel a=rsa-sha256 pass" or "... fail (reason)". */
extern void dkim_result_format(const DKIM_RESULT *res, DSTR *out);

#endif
