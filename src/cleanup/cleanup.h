/* cleanup - internal interfaces of the cleanup daemon */
#ifndef CLEANUP_H
#define CLEANUP_H
#include <stddef.h>
#include "dstr.h"
#include "qfile.h"
#include "cleanup_dkim.h"

/* The header pass: streams content into the queue file, looking only at headers. */
typedef struct CLEANUP_HDR CLEANUP_HDR;

/*
 * Start a header pass for message qid. dkim (NULL: none) gets the header
 * section and the body instead of out, to sign them. sender, when already
 * known (NULL otherwise), is used for an added From:. hop_limit is
 * hopcount_limit, header_limit header_size_limit.
 */
extern CLEANUP_HDR *cleanup_hdr_new(QFILE_OUT *out, CLEANUP_DKIM *dkim, const char *qid,
				            const char *sender, int hop_limit, size_t header_limit);
/* The display name for an added From: (sendmail -F); "" for none. */
extern void cleanup_hdr_full_name(CLEANUP_HDR *hdr, const char *name);
/* Feed message bytes, any split. Headers missing at the end of the header
 * section (Message-Id:, Date:, From: when the sender is known) are added there. */
extern void cleanup_hdr_feed(CLEANUP_HDR *hdr, const char *buf, size_t len);
/* End of content (adds the missing headers if the header section never ended). */
extern void cleanup_hdr_finish(CLEANUP_HDR *hdr);
/* Did the message have more Received: headers than hopcount_limit? */
extern int cleanup_hdr_too_many_hops(const CLEANUP_HDR *hdr);
/* The Message-Id value, whether found or added ("" before finish). */
extern const char *cleanup_hdr_message_id(const CLEANUP_HDR *hdr);
extern void cleanup_hdr_free(CLEANUP_HDR *hdr);
/* Does the header field (len bytes, need not end in NUL) have this name, in
 * any case, white space allowed before its colon? */
extern int cleanup_hdr_name_is(const char *field, size_t len, const char *name);

#endif
