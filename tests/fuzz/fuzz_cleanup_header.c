/*
 * fuzz_cleanup_header - libFuzzer target for cleanup's header pass
 * DESCRIPTION
 *	cleanup_hdr_feed() sees message content in whatever pieces the
 *	client's netstrings happened to have, so what it writes must not
 *	depend on where the pieces were cut. The first four input bytes
 *	choose the options (sender known, empty or unknown; header size
 *	limit; hop limit) and two ways of cutting the rest, which is the
 *	message: split A uses a fixed chunk size, split B random chunk sizes
 *	from a seed (or one piece). Both results are committed as queue
 *	files into a temporary directory and read back. The target aborts
 *	when a property fails:
 *	- the content, the hop verdict and the message id are the same for
 *	  both splits (time stamps of added headers masked);
 *	- when the whole message (plus an X-Mailbox-Line: prefix) is within
 *	  the header size limit, so nothing may be cut, the content holds
 *	  every message byte, in order.
 *	Durability is not under test here, so fsync() is stubbed out below
 *	to keep the target fast.
 */
#include <fcntl.h>
#include <sanitizer/common_interface_defs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfg_params.h"
#include "cleanup/cleanup.h"
#include "dstr.h"
#include "qfile.h"
#include "timefmt.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

#define QID	"0S44WE80000ABCDE"

static char fuzz_dir[64];
static int tmp_fd = -1;
static int inc_fd = -1;

static void fuzz_cleanup(void);

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_cleanup_header.c:%d: property failed: %s\n", line, what);
    fuzz_cleanup();				/* abort() skips atexit() */
    abort();
}

/* fsync - durability is not under test: skip the disk flush */

int     fsync(int fd);

int     fsync(int fd)
{
    (void) fd;
    return (0);
}

/* fuzz_cleanup - remove the temporary spool at exit, after a failure, or on a sanitizer report */

static void fuzz_cleanup(void)
{
    char    path[128];

    if (fuzz_dir[0] == 0)
	return;
    snprintf(path, sizeof(path), "%s/tmp", fuzz_dir);
    (void) unlinkat(tmp_fd, "t", 0);
    (void) rmdir(path);
    snprintf(path, sizeof(path), "%s/incoming", fuzz_dir);
    (void) unlinkat(inc_fd, "f", 0);
    (void) rmdir(path);
    (void) rmdir(fuzz_dir);
    fuzz_dir[0] = 0;
}

/* fuzz_init - parameters and a temporary spool, once */

static void fuzz_init(void)
{
    char    path[128];

    var_myhostname = "mx.example.com";
    var_empty_addr = "MAILER-DAEMON";
    strcpy(fuzz_dir, "/tmp/fuzz_cleanup_header.XXXXXX");
    if (mkdtemp(fuzz_dir) == NULL) {
	perror("mkdtemp");
	abort();
    }
    snprintf(path, sizeof(path), "%s/tmp", fuzz_dir);
    if (mkdir(path, 0700) < 0 || (tmp_fd = open(path, O_RDONLY | O_DIRECTORY)) < 0) {
	perror(path);
	abort();
    }
    snprintf(path, sizeof(path), "%s/incoming", fuzz_dir);
    if (mkdir(path, 0700) < 0 || (inc_fd = open(path, O_RDONLY | O_DIRECTORY)) < 0) {
	perror(path);
	abort();
    }
    atexit(fuzz_cleanup);
    __sanitizer_set_death_callback(fuzz_cleanup);
}

/* fuzz_replace - replace every occurrence of from by to */

static void fuzz_replace(DSTR *buf, const char *from, const char *to)
{
    DSTR   *out;
    const char *cp = dstr_str(buf);
    const char *end = cp + dstr_len(buf);
    const char *hit;
    size_t  flen = strlen(from);

    if (memmem(cp, dstr_len(buf), from, flen) == NULL)
	return;
    out = dstr_new(dstr_len(buf));
    while ((hit = memmem(cp, (size_t) (end - cp), from, flen)) != NULL) {
	(void) dstr_cat(out, cp, (size_t) (hit - cp));
	(void) dstr_cats(out, to);
	cp = hit + flen;
    }
    (void) dstr_cat(out, cp, (size_t) (end - cp));
    (void) dstr_memcpy(buf, dstr_str(out), dstr_len(out));
    dstr_free(out);
}

/* fuzz_mask - hide the time stamps that added headers made in [t0,t1] */

static void fuzz_mask(DSTR *buf, time_t t0, time_t t1)
{
    DSTR   *date = dstr_new(64);
    char    stamp[64];
    struct tm tm;
    time_t  t;

    for (t = t0; t <= t1; t++) {
	DSTR_RESET(date);
	timefmt_rfc5322(date, t);
	fuzz_replace(buf, dstr_str(date), "<DATE>");
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "<%Y%m%d%H%M%S." QID, &tm);
	fuzz_replace(buf, stamp, "<STAMP." QID);
    }
    dstr_free(date);
}

/* The result of one pass. */
typedef struct FUZZ_RUN {
    DSTR   *content;
    int     too_many;
    DSTR   *id;
} FUZZ_RUN;

/* fuzz_content - commit out and read the content back */

static DSTR *fuzz_content(QFILE_OUT *out)
{
    QFILE_IN *in;
    QFILE_INFO info;
    DSTR   *err = dstr_new(64);
    DSTR   *content;
    int     fd;

    qfile_out_sender(out, "a@b");
    qfile_out_rcpt(out, "c@d");
    FUZZ_CHECK(qfile_out_commit(out, inc_fd, "f") == QFILE_OK);
    FUZZ_CHECK((fd = openat(inc_fd, "f", O_RDONLY)) >= 0);
    in = qfile_in_open(fd);
    qfile_info_init(&info);
    FUZZ_CHECK(qfile_in_info(in, &info, err) == 0);
    content = dstr_new((size_t) info.content_size + 1);
    FUZZ_CHECK(pread(fd, dstr_space(content, (size_t) info.content_size),
		     (size_t) info.content_size, info.content_offset) == info.content_size);
    dstr_addlen(content, (size_t) info.content_size);
    qfile_info_free(&info);
    qfile_in_free(in);
    close(fd);
    FUZZ_CHECK(unlinkat(inc_fd, "f", 0) == 0);
    dstr_free(err);
    return (content);
}

/* fuzz_pass - feed msg in chunks: fixed size if chunk > 0, else random from seed (0: one piece) */

static FUZZ_RUN fuzz_pass(const char *msg, size_t len, const char *sender, int hops,
			          size_t hdr_limit, size_t chunk, unsigned seed)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "t", 0);
    CLEANUP_HDR *hdr = cleanup_hdr_new(out, NULL, QID, sender, hops, hdr_limit);
    FUZZ_RUN run;
    size_t  pos = 0;
    size_t  n;

    while (pos < len) {
	if (chunk > 0)
	    n = chunk;
	else if (seed == 0)
	    n = len;
	else
	    n = 1 + (size_t) rand_r(&seed) % 97;
	if (n > len - pos)
	    n = len - pos;
	cleanup_hdr_feed(hdr, msg + pos, n);
	pos += n;
    }
    cleanup_hdr_finish(hdr);
    run.too_many = cleanup_hdr_too_many_hops(hdr);
    run.id = dstr_new(64);
    (void) dstr_cats(run.id, cleanup_hdr_message_id(hdr));
    cleanup_hdr_free(hdr);
    run.content = fuzz_content(out);
    return (run);
}

/* fuzz_same - equal byte strings */

static int fuzz_same(const DSTR *a, const DSTR *b)
{
    return (dstr_len(a) == dstr_len(b) && memcmp(dstr_str(a), dstr_str(b), dstr_len(a)) == 0);
}

/* fuzz_is_subsequence - every byte of msg appears in content, in order */

static int fuzz_is_subsequence(const char *msg, size_t len, const DSTR *content)
{
    const char *cp = dstr_str(content);
    const char *end = cp + dstr_len(content);
    size_t  i;

    for (i = 0; i < len; i++) {
	while (cp < end && *cp != msg[i])
	    cp++;
	if (cp == end)
	    return (0);
	cp++;
    }
    return (1);
}

/* LLVMFuzzerTestOneInput - libFuzzer entry point */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const senders[] = {NULL, "", "alice@example.org", NULL};
    static const size_t hdr_limits[] = {102400, 8, 40, 200};
    const char *msg = (const char *) data + 4;
    size_t  len;
    const char *sender;
    size_t  hdr_limit;
    int     hops;
    size_t  chunk;
    unsigned seed;
    FUZZ_RUN a;
    FUZZ_RUN b;
    time_t  t0;
    time_t  t1;

    if (tmp_fd < 0)
	fuzz_init();
    if (size < 4)
	return (0);
    len = size - 4;
    sender = senders[data[0] & 3];
    hdr_limit = hdr_limits[(data[0] >> 2) & 3];
    hops = (data[0] >> 4) & 7;
    chunk = 1 + data[1] % 64;
    seed = (unsigned) data[2] << 8 | data[3];

    t0 = time((time_t *) 0);
    a = fuzz_pass(msg, len, sender, hops, hdr_limit, chunk, 0);
    b = fuzz_pass(msg, len, sender, hops, hdr_limit, 0, seed);
    t1 = time((time_t *) 0);
    /* Before masking: the message itself may contain a date we would mask.
     * An mbox line counts 16 more bytes for its "X-Mailbox-Line: " prefix. */
    if (len + 16 <= hdr_limit)
	FUZZ_CHECK(fuzz_is_subsequence(msg, len, a.content));
    fuzz_mask(a.content, t0, t1);
    fuzz_mask(b.content, t0, t1);
    fuzz_mask(a.id, t0, t1);
    fuzz_mask(b.id, t0, t1);

    if (!fuzz_same(a.content, b.content)) {
	fprintf(stderr, "split A (chunks of %zu) gave %zu bytes:\n%.*s\n"
		"split B (seed %u) gave %zu bytes:\n%.*s\n",
		chunk, dstr_len(a.content), (int) dstr_len(a.content), dstr_str(a.content),
		seed, dstr_len(b.content), (int) dstr_len(b.content), dstr_str(b.content));
	FUZZ_CHECK(!"same content for both splits");
    }
    FUZZ_CHECK(a.too_many == b.too_many);
    FUZZ_CHECK(fuzz_same(a.id, b.id));

    dstr_free(a.content);
    dstr_free(a.id);
    dstr_free(b.content);
    dstr_free(b.id);
    return (0);
}
