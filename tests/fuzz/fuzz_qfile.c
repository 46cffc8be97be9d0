/*
 * fuzz_qfile - libFuzzer target for the queue file reader
 * DESCRIPTION
 *	qmgr, smtp, bounce and the admin command read queue files that a
 *	crash, a full disk or an admin may have damaged; a bad file must be
 *	reported, never misread. The input becomes a file (memfd_create) and
 *	is read the way qmgr does: qfile_in_info(), then qfile_in_rcpt()
 *	until the end record or an error. The target aborts when a property
 *	fails:
 *	- every call returns one of its documented results, and a refusal
 *	  comes with a reason;
 *	- accepted sizes are consistent: the content lies inside the file and
 *	  before the envelope, which starts inside the file;
 *	- what the writer cannot produce is not accepted: VERP delimiters are
 *	  two non-NUL bytes, sender and recipients hold no NUL;
 *	- recipient records lie after the envelope offset, strictly
 *	  increasing, inside the file; the loop ends (at most one recipient
 *	  per two bytes);
 *	- qfile_in_seek() to a returned offset gives the same recipient again;
 *	- after qfile_mark_done() on the first pending recipient a fresh read
 *	  gives the same result with that recipient done.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dstr.h"
#include "qfile.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

#define FUZZ_MAX_RCPT	64			/* recipients compared across reads */

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_qfile.c:%d: property failed: %s\n", line, what);
    abort();
}

/* What one read of the file gave. */
typedef struct FUZZ_READ {
    int     info;			/* qfile_in_info() */
    int     last;			/* last qfile_in_rcpt() result */
    int     nrcpt;
    long    offset[FUZZ_MAX_RCPT];
    int     done[FUZZ_MAX_RCPT];
    DSTR   *addrs;			/* all addresses, NUL-separated */
} FUZZ_READ;

/* fuzz_read - read the whole file once */

static void fuzz_read(int fd, size_t size, FUZZ_READ *rd)
{
    QFILE_IN *in = qfile_in_open(fd);
    QFILE_INFO info;
    DSTR   *err = dstr_new(64);
    DSTR   *addr = dstr_new(64);
    DSTR   *again = dstr_new(64);
    long    off;
    long    prev = -1;
    long    off2;
    int     done;
    int     done2;
    int     n = 0;

    rd->nrcpt = 0;
    rd->last = -1;
    rd->addrs = dstr_new(64);
    qfile_info_init(&info);
    rd->info = qfile_in_info(in, &info, err);
    FUZZ_CHECK(rd->info == 0 || rd->info == -1);
    if (rd->info < 0) {
	FUZZ_CHECK(dstr_len(err) > 0);
    } else {
	FUZZ_CHECK(info.content_offset > 0 && info.content_size >= 0);
	FUZZ_CHECK(info.content_offset + info.content_size <= info.envelope_offset);
	FUZZ_CHECK(info.envelope_offset < (long) size);
	FUZZ_CHECK(info.rcpt_count >= 0);
	FUZZ_CHECK(info.verp[0] == 0 || strlen(info.verp) == 2);
	FUZZ_CHECK(memchr(dstr_str(info.sender), 0, dstr_len(info.sender)) == NULL);
	for (;;) {
	    DSTR_RESET(err);
	    rd->last = qfile_in_rcpt(in, addr, &off, &done, err);
	    FUZZ_CHECK(rd->last >= -1 && rd->last <= 1);
	    if (rd->last <= 0)
		break;
	    FUZZ_CHECK(++n <= (int) (size / 2));
	    FUZZ_CHECK(off > info.envelope_offset && off > prev && off < (long) size);
	    FUZZ_CHECK(done == 0 || done == 1);
	    FUZZ_CHECK(memchr(dstr_str(addr), 0, dstr_len(addr)) == NULL);
	    prev = off;
	    if (rd->nrcpt < FUZZ_MAX_RCPT) {
		rd->offset[rd->nrcpt] = off;
		rd->done[rd->nrcpt] = done;
		rd->nrcpt++;
		(void) dstr_cat(rd->addrs, dstr_str(addr), dstr_len(addr));
		(void) dstr_catc(rd->addrs, 0);
	    }
	    /* Going back to this record gives it again, then continues as before. */
	    FUZZ_CHECK(qfile_in_seek(in, off) == 0);
	    FUZZ_CHECK(qfile_in_rcpt(in, again, &off2, &done2, err) == 1);
	    FUZZ_CHECK(off2 == off && done2 == done);
	    FUZZ_CHECK(dstr_len(again) == dstr_len(addr)
		       && memcmp(dstr_str(again), dstr_str(addr), dstr_len(addr)) == 0);
	}
	if (rd->last < 0)
	    FUZZ_CHECK(dstr_len(err) > 0);
    }
    qfile_info_free(&info);
    qfile_in_free(in);
    dstr_free(err);
    dstr_free(addr);
    dstr_free(again);
}

/* LLVMFuzzerTestOneInput - libFuzzer entry point */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FUZZ_READ first;
    FUZZ_READ second;
    int     fd = memfd_create("fuzz_qfile", MFD_CLOEXEC);
    int     i;
    int     marked = -1;

    if (fd < 0) {
	perror("memfd_create");
	abort();
    }
    if (size > 0 && write(fd, data, size) != (ssize_t) size) {
	perror("write");
	abort();
    }
    fuzz_read(fd, size, &first);

    /* Mark the first pending recipient done; a fresh read must agree. */
    for (i = 0; i < first.nrcpt; i++) {
	if (!first.done[i]) {
	    marked = i;
	    break;
	}
    }
    if (marked >= 0) {
	FUZZ_CHECK(qfile_mark_done(fd, first.offset[marked]) == 0);
	fuzz_read(fd, size, &second);
	FUZZ_CHECK(second.info == first.info && second.last == first.last);
	FUZZ_CHECK(second.nrcpt == first.nrcpt);
	FUZZ_CHECK(dstr_len(second.addrs) == dstr_len(first.addrs)
		   && memcmp(dstr_str(second.addrs), dstr_str(first.addrs),
			     dstr_len(first.addrs)) == 0);
	for (i = 0; i < first.nrcpt; i++) {
	    FUZZ_CHECK(second.offset[i] == first.offset[i]);
	    FUZZ_CHECK(second.done[i] == (i == marked ? 1 : first.done[i]));
	}
	dstr_free(second.addrs);
    }
    dstr_free(first.addrs);
    close(fd);
    return (0);
}
