/* cleanup_dkim - DKIM signing as the message streams through cleanup */
#ifndef CLEANUP_DKIM_H
#define CLEANUP_DKIM_H
#include <stddef.h>
#include "dstr.h"
#include "qfile.h"

typedef struct CLEANUP_DKIM CLEANUP_DKIM;

#define CLEANUP_DKIM_HEAD_LIMIT	(256 * 1024)	/* header section we hold to sign */

/* Before the chroot: load the keys and open the tables (fatal on error). */
extern void cleanup_dkim_pre_jail(void);

/* A signer for one message, or NULL when signing is not configured. */
extern CLEANUP_DKIM *cleanup_dkim_new(QFILE_OUT *out, const char *qid);
/* Header section bytes, whole lines, the empty line that ends it included. */
extern void cleanup_dkim_head(CLEANUP_DKIM *dk, const char *buf, size_t len);
/* The header section is complete: choose keys, write the fields and the header. */
extern void cleanup_dkim_head_end(CLEANUP_DKIM *dk);
/* Body bytes (after the header section), any split. */
extern void cleanup_dkim_body(CLEANUP_DKIM *dk, const char *buf, size_t len);
/*
 * End of content: sign and fill in the signatures. 0, or -1 with reason
 * when a signature could not be made (the message must then be deferred:
 * its DKIM-Signature field would be a placeholder).
 */
extern int cleanup_dkim_finish(CLEANUP_DKIM *dk, DSTR *reason);
/*
 * After the sender: record what came of signing (the signatures, or why
 * none) as an envelope attribute that qmgr counts for posthorn metrics.
 */
extern void cleanup_dkim_record(const CLEANUP_DKIM *dk, QFILE_OUT *out);
extern void cleanup_dkim_free(CLEANUP_DKIM *dk);

#endif
