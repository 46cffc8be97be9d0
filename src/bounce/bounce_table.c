/*
 * bounce_table - the recipients of one message with their last log record
 * DESCRIPTION
 *	A notice is about recipients, and the queue file is the list of them;
 *	the logs only add reasons. So the table starts from the queue file
 *	(every recipient, with its record offset and done flag) and each log
 *	record is attached to the recipient it names, by offset, the key the
 *	smtp client used (addresses need not be unique). Memory is then bounded
 *	by the queue file, not by how often a recipient was deferred: the
 *	defer log grows by one record per attempt, the table keeps only the
 *	last. A bounce record is final and is never replaced by a defer record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bounce.h"
#include "bounce_log.h"
#include "msg.h"
#include "mymalloc.h"

/* bounce_table_free_record - drop an entry's attached record */

static void bounce_table_free_record(BOUNCE_ENTRY *entry)
{
    entry->status = myfree(entry->status);
    entry->action = myfree(entry->action);
    entry->remote_mta = myfree(entry->remote_mta);
    entry->diagnostic = myfree(entry->diagnostic);
    entry->reason = myfree(entry->reason);
    entry->source = BOUNCE_SRC_NONE;
}

/* bounce_table_free - release */

void    bounce_table_free(BOUNCE_TABLE *table)
{
    size_t  i;

    for (i = 0; i < table->count; i++) {
	free(table->entries[i].address);
	bounce_table_free_record(table->entries + i);
    }
    free(table->entries);
    free(table);
}

/* bounce_table_load - the recipients of a queue file */

BOUNCE_TABLE *bounce_table_load(QFILE_IN *in, DSTR *err)
{
    BOUNCE_TABLE *table = mycalloc(1, sizeof(*table));
    BOUNCE_ENTRY *entry;
    DSTR   *addr = dstr_new(64);
    long    offset;
    int     done;
    int     n;

    while ((n = qfile_in_rcpt(in, addr, &offset, &done, err)) > 0) {
	if (table->count == table->cap) {
	    table->cap = table->cap ? 2 * table->cap : 16;
	    table->entries = myrealloc(table->entries, table->cap * sizeof(BOUNCE_ENTRY));
	}
	entry = table->entries + table->count++;
	memset(entry, 0, sizeof(*entry));
	entry->address = mystrdup(dstr_str(addr));
	entry->offset = offset;
	entry->done = done;
    }
    dstr_free(addr);
    if (n < 0) {
	bounce_table_free(table);
	return (NULL);
    }
    return (table);
}

/* bounce_table_find - entry by record offset, else by address */

BOUNCE_ENTRY *bounce_table_find(BOUNCE_TABLE *table, long offset, const char *address)
{
    size_t  lo = 0;
    size_t  hi = table->count;
    size_t  mid;
    size_t  i;

    while (lo < hi) {				/* offsets ascend in file order */
	mid = lo + (hi - lo) / 2;
	if (table->entries[mid].offset == offset) {
	    if (strcmp(table->entries[mid].address, address) == 0)
		return (table->entries + mid);
	    break;
	}
	if (table->entries[mid].offset < offset)
	    lo = mid + 1;
	else
	    hi = mid;
    }

    /*
     * No such recipient record there: the offset is damaged. The address may
     * still be right, and a reason delivered to the wrong one of two equal
     * addresses harms nobody.
     */
    for (i = 0; i < table->count; i++)
	if (strcmp(table->entries[i].address, address) == 0)
	    return (table->entries + i);
    return (NULL);
}

/* bounce_table_attach - remember a record for an entry */

void    bounce_table_attach(BOUNCE_ENTRY *entry, int source, const BOUNCE_RCPT *rcpt,
			            long when)
{
    if (entry->source == BOUNCE_SRC_BOUNCE && source != BOUNCE_SRC_BOUNCE)
	return;					/* a final reason stays */
    bounce_table_free_record(entry);
    entry->source = source;
    entry->when = when;
    entry->status = mystrdup(rcpt->status);
    entry->action = mystrdup(rcpt->action);
    entry->remote_mta = mystrdup(rcpt->remote_mta ? rcpt->remote_mta : "");
    entry->diagnostic = mystrdup(rcpt->diagnostic ? rcpt->diagnostic : "");
    entry->reason = mystrdup(rcpt->reason ? rcpt->reason : "");
}

/* bounce_table_merge - attach the records of one log */

long    bounce_table_merge(BOUNCE_TABLE *table, const char *path, int source,
			           const char *queue_id, int *exists, DSTR *err)
{
    BOUNCE_LOG_READER *log;
    BOUNCE_LOG_REC rec;
    BOUNCE_ENTRY *entry;
    DSTR   *why = dstr_new(64);
    long    used = 0;
    int     got;

    *exists = 0;
    if ((log = bounce_log_open(path)) == NULL) {
	dstr_free(why);
	if (errno == ENOENT)
	    return (0);
	dstr_sprintf(err, "open %s: %s", path, strerror(errno));
	return (-1);
    }
    *exists = 1;
    while ((got = bounce_log_read(log, &rec, why)) != BOUNCE_LOG_END) {
	if (got == BOUNCE_LOG_ERR) {
	    dstr_sprintf(err, "%s: %s", path, dstr_str(why));
	    used = -1;
	    break;
	}
	if (got == BOUNCE_LOG_BAD) {
	    msg_warn("%s: %s: skipping damaged record: %s", queue_id, path, dstr_str(why));
	    continue;
	}
	if ((entry = bounce_table_find(table, rec.rcpt.offset, rec.rcpt.address)) == NULL) {
	    msg_warn("%s: %s: line %ld: no recipient <%.100s> at offset %ld; record skipped",
		     queue_id, path, rec.line, rec.rcpt.address, rec.rcpt.offset);
	    continue;
	}
	bounce_table_attach(entry, source, &rec.rcpt, rec.when);
	used++;
    }
    bounce_log_close(log);
    dstr_free(why);
    return (used);
}
