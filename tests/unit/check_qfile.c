/*
 * check_qfile - unit tests for the queue file format
 * DESCRIPTION
 *	Files are written with the QFILE_OUT API into tmp/ of a fresh
 *	directory, committed into incoming/, and read back with QFILE_IN:
 *	sizes, arrival time, attributes, content bytes, sender, VERP
 *	delimiters, recipients and their marks. Commit never replaces a
 *	file and leaves no temp file behind; the size limit and abort leave
 *	nothing on disk; a big message spills to the temp file before
 *	commit. The reader must refuse every damaged file: each truncation,
 *	a wrong first byte, bad size and time records, a content length
 *	that disagrees, data after the end record.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attr.h"
#include "dstr.h"
#include "msg.h"
#include "qfile.h"

#define MSG_TEXT	"Subject: hi\n\nHello\n"
#define SPILL_SIZE	(300 * 1024)		/* over the 256 KiB kept in memory */

static char topdir[64];				/* made by the runner, for all tests */
static char testdir[128];			/* topdir/t.XXXXXX, one per test */
static int tmp_fd = -1;				/* topdir/tmp */
static int inc_fd = -1;				/* topdir/incoming */

/* quiet_sink - keep expected panic lines out of the test output */

static void quiet_sink(int level, const char *text)
{
    (void) level;
    (void) text;
}

/* open_dir - a directory descriptor */

static int open_dir(const char *parent, const char *name)
{
    char    path[256];
    int     fd;

    snprintf(path, sizeof(path), "%s/%s", parent, name);
    if (mkdir(path, 0700) < 0)
	ck_abort_msg("mkdir %s: %s", path, strerror(errno));
    if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
	ck_abort_msg("open %s: %s", path, strerror(errno));
    return (fd);
}


/* empty_dir - remove every file in a directory; returns how many there were */

static int empty_dir(int dirfd, int do_remove)
{
    DIR    *dir;
    struct dirent *de;
    int     count = 0;
    int     fd = dup(dirfd);

    if (fd < 0 || (dir = fdopendir(fd)) == NULL)
	ck_abort_msg("fdopendir: %s", strerror(errno));
    rewinddir(dir);
    while ((de = readdir(dir)) != NULL) {
	if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
	    continue;
	count++;
	if (do_remove)
	    (void) unlinkat(dirfd, de->d_name, 0);
    }
    closedir(dir);
    return (count);
}

/* count_files - entries in a directory */

static int count_files(int dirfd)
{
    return (empty_dir(dirfd, 0));
}

/* teardown - remove what setup() made */

static void teardown(void)
{
    char    path[256];

    (void) empty_dir(tmp_fd, 1);
    (void) empty_dir(inc_fd, 1);
    close(tmp_fd);
    close(inc_fd);
    snprintf(path, sizeof(path), "%s/tmp", testdir);
    (void) rmdir(path);
    snprintf(path, sizeof(path), "%s/incoming", testdir);
    (void) rmdir(path);
    (void) rmdir(testdir);
}

/* setup - a fresh spool with tmp/ and incoming/ for one test */

static void setup(void)
{
    snprintf(testdir, sizeof(testdir), "%s/t.XXXXXX", topdir);
    if (mkdtemp(testdir) == NULL)
	ck_abort_msg("mkdtemp: %s", strerror(errno));
    tmp_fd = open_dir(testdir, "tmp");
    inc_fd = open_dir(testdir, "incoming");
}

/* remove_one - nftw() callback */

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st;
    (void) flag;
    (void) ftw;
    (void) remove(path);
    return (0);
}

/* suite_setup - the directory every test works under (made by the runner) */

static void suite_setup(void)
{
    strcpy(topdir, "/tmp/check_qfile.XXXXXX");
    if (mkdtemp(topdir) == NULL)
	ck_abort_msg("mkdtemp: %s", strerror(errno));
}

/* suite_teardown - remove it all, including what failed or aborted tests left */

static void suite_teardown(void)
{
    (void) nftw(topdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* exists - is there a file of that name in the directory? */

static int exists(int dirfd, const char *name)
{
    struct stat st;

    return (fstatat(dirfd, name, &st, 0) == 0);
}

/* sample_out - a typical message up to its recipients (not committed) */

static QFILE_OUT *sample_out(const char *tmpname, long limit, const char *verp)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, tmpname, limit);

    qfile_out_time(out, 1700000000L, 123456L);
    qfile_out_attr(out, "client_name", "localhost");
    qfile_out_attr(out, "protocol", "QMQP");
    qfile_out_content(out, "Subject: hi\n", 12);
    qfile_out_content(out, "\nHello\n", 7);
    qfile_out_sender(out, "list-return-12@example.org");
    if (verp)
	qfile_out_verp(out, verp);
    qfile_out_attr(out, "envelope_note", "after=sender");
    qfile_out_rcpt(out, "bob@host.test");
    qfile_out_rcpt(out, "carol@host.test");
    return (out);
}

/* write_sample - commit the typical message as incoming/name */

static void write_sample(const char *name, const char *verp)
{
    ck_assert_int_eq(qfile_out_commit(sample_out(name, 0, verp), inc_fd, name), QFILE_OK);
}

/* open_in - open incoming/name for reading and marking */

static int open_in(const char *name)
{
    int     fd = openat(inc_fd, name, O_RDWR | O_CLOEXEC);

    if (fd < 0)
	ck_abort_msg("open %s: %s", name, strerror(errno));
    return (fd);
}

/* slurp - the whole of incoming/name */

static DSTR *slurp(const char *name)
{
    int     fd = open_in(name);
    DSTR   *buf = dstr_new(1024);
    char    chunk[8192];
    ssize_t n;

    while ((n = read(fd, chunk, sizeof(chunk))) > 0)
	dstr_cat(buf, chunk, (size_t) n);
    close(fd);
    return (buf);
}

/* mem_file - a memory file holding len bytes of data */

static int mem_file(const void *data, size_t len)
{
    int     fd = memfd_create("qfile", MFD_CLOEXEC);

    if (fd < 0)
	ck_abort_msg("memfd_create: %s", strerror(errno));
    if (len > 0 && write(fd, data, len) != (ssize_t) len)
	ck_abort_msg("write: %s", strerror(errno));
    return (fd);
}

/* read_all - read a whole file; 0 when accepted, -1 when refused (err says why) */

static int read_all(int fd, int *nrcpt, DSTR *err)
{
    QFILE_INFO info;
    QFILE_IN *in = qfile_in_open(fd);
    DSTR   *addr = dstr_new(64);
    long    off;
    int     done;
    int     ret;
    int     n = 0;

    qfile_info_init(&info);
    if ((ret = qfile_in_info(in, &info, err)) == 0) {
	while ((ret = qfile_in_rcpt(in, addr, &off, &done, err)) == 1)
	    n++;
    }
    if (nrcpt)
	*nrcpt = n;
    qfile_info_free(&info);
    qfile_in_free(in);
    dstr_free(addr);
    return (ret);
}

/* read_bytes - read_all() over a memory file */

static int read_bytes(const void *data, size_t len, DSTR *err)
{
    int     fd = mem_file(data, len);
    int     ret = read_all(fd, NULL, err);

    close(fd);
    return (ret);
}

/* info_of - qfile_in_info() of incoming/name; the descriptor stays open in *fdp */

static QFILE_IN *info_of(const char *name, QFILE_INFO *info, int *fdp)
{
    DSTR   *err = dstr_new(64);
    QFILE_IN *in;

    *fdp = open_in(name);
    in = qfile_in_open(*fdp);
    qfile_info_init(info);
    ck_assert_msg(qfile_in_info(in, info, err) == 0, "qfile_in_info: %s", dstr_str(err));
    dstr_free(err);
    return (in);
}

/* Where the C record's payload sits: after the type byte and one length byte (63). */
#define SIZE_PAYLOAD_OFF	2
#define SIZE_PAYLOAD_LEN	(4 * QFILE_SIZE_WIDTH + 3)

/* set_sizes - rewrite the C record payload in a file image */

static void set_sizes(DSTR *file, long co, long cs, long eo, long nr)
{
    char    buf[128];

    ck_assert_int_eq(snprintf(buf, sizeof(buf), "%*ld %*ld %*ld %*ld", QFILE_SIZE_WIDTH, co,
			      QFILE_SIZE_WIDTH, cs, QFILE_SIZE_WIDTH, eo,
			      QFILE_SIZE_WIDTH, nr), SIZE_PAYLOAD_LEN);
    memcpy(dstr_data(file) + SIZE_PAYLOAD_OFF, buf, SIZE_PAYLOAD_LEN);
}

/* find - offset of a byte string in a file image */

static size_t find(const DSTR *file, const char *what)
{
    const char *p = memmem(dstr_str(file), dstr_len(file), what, strlen(what));

    ck_assert_msg(p != NULL, "\"%s\" not in the file", what);
    return ((size_t) (p - dstr_str(file)));
}

 /*
  * Round trip.
  */
START_TEST(sizes_read_back)
{
    QFILE_INFO info;
    QFILE_IN *in;
    struct stat st;
    int     fd;

    write_sample("A1", "-=");
    in = info_of("A1", &info, &fd);
    ck_assert_int_eq(fstat(fd, &st), 0);
    ck_assert_int_eq(info.content_size, strlen(MSG_TEXT));
    ck_assert_int_gt(info.content_offset, 0);
    ck_assert_int_ge(info.envelope_offset, info.content_offset + info.content_size);
    ck_assert_int_lt(info.envelope_offset, st.st_size);
    ck_assert_int_eq(info.rcpt_count, 2);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
}
END_TEST

START_TEST(time_reads_back)
{
    QFILE_INFO info;
    QFILE_IN *in;
    int     fd;

    write_sample("A1", NULL);
    in = info_of("A1", &info, &fd);
    ck_assert_int_eq(info.arrival_sec, 1700000000L);
    ck_assert_int_eq(info.arrival_usec, 123456L);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
}
END_TEST

START_TEST(attributes_before_and_after_content_read_back)
{
    QFILE_INFO info;
    QFILE_IN *in;
    int     fd;

    write_sample("A1", "-=");
    in = info_of("A1", &info, &fd);
    ck_assert_str_eq(attr_get_str(info.attrs, "client_name"), "localhost");
    ck_assert_str_eq(attr_get_str(info.attrs, "protocol"), "QMQP");
    ck_assert_str_eq(attr_get_str(info.attrs, "envelope_note"), "after=sender");
    ck_assert_uint_eq(info.attrs->count, 3);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
}
END_TEST

START_TEST(content_bytes_read_back_at_content_offset)
{
    QFILE_INFO info;
    QFILE_IN *in;
    char    buf[64];
    int     fd;

    write_sample("A1", NULL);
    in = info_of("A1", &info, &fd);
    ck_assert_int_eq(pread(fd, buf, (size_t) info.content_size, info.content_offset),
		     info.content_size);
    ck_assert_int_eq(memcmp(buf, MSG_TEXT, strlen(MSG_TEXT)), 0);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
}
END_TEST

START_TEST(sender_and_verp_read_back)
{
    QFILE_INFO info;
    QFILE_IN *in;
    int     fd;

    write_sample("A1", "-=");
    in = info_of("A1", &info, &fd);
    ck_assert_str_eq(dstr_str(info.sender), "list-return-12@example.org");
    ck_assert_str_eq(info.verp, "-=");
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
}
END_TEST

START_TEST(no_verp_record_reads_as_empty_verp)
{
    QFILE_INFO info;
    QFILE_IN *in;
    int     fd;

    write_sample("A1", NULL);
    in = info_of("A1", &info, &fd);
    ck_assert_str_eq(info.verp, "");
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
}
END_TEST

START_TEST(empty_sender_and_empty_content_read_back)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "B1", 0);
    QFILE_INFO info;
    QFILE_IN *in;
    int     fd;

    qfile_out_sender(out, "");
    qfile_out_rcpt(out, "postmaster@host.test");
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, "B1"), QFILE_OK);
    in = info_of("B1", &info, &fd);
    ck_assert_str_eq(dstr_str(info.sender), "");
    ck_assert_int_eq(info.content_size, 0);
    ck_assert_int_eq(info.rcpt_count, 1);
    ck_assert_uint_eq(info.attrs->count, 0);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
}
END_TEST

START_TEST(recipients_read_back_in_order_with_offsets)
{
    QFILE_INFO info;
    QFILE_IN *in;
    DSTR   *addr = dstr_new(64);
    DSTR   *err = dstr_new(64);
    DSTR   *file;
    long    off1 = -1;
    long    off2 = -1;
    int     done = -1;
    int     fd;

    write_sample("A1", "-=");
    file = slurp("A1");
    in = info_of("A1", &info, &fd);
    ck_assert_int_eq(qfile_in_rcpt(in, addr, &off1, &done, err), 1);
    ck_assert_str_eq(dstr_str(addr), "bob@host.test");
    ck_assert_int_eq(done, 0);
    ck_assert_int_eq(qfile_in_rcpt(in, addr, &off2, &done, err), 1);
    ck_assert_str_eq(dstr_str(addr), "carol@host.test");
    ck_assert_int_eq(done, 0);
    ck_assert_int_gt(off1, info.envelope_offset);
    ck_assert_int_gt(off2, off1);
    ck_assert_int_eq(dstr_str(file)[off1], QREC_RCPT);
    ck_assert_int_eq(dstr_str(file)[off2], QREC_RCPT);
    ck_assert_int_eq(qfile_in_rcpt(in, addr, &off2, &done, err), 0);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
    dstr_free(addr);
    dstr_free(err);
    dstr_free(file);
}
END_TEST

START_TEST(mark_done_then_reread_shows_done)
{
    QFILE_INFO info;
    QFILE_IN *in;
    DSTR   *addr = dstr_new(64);
    DSTR   *err = dstr_new(64);
    long    off1;
    long    off2;
    int     done;
    int     fd;

    write_sample("A1", NULL);
    in = info_of("A1", &info, &fd);
    ck_assert_int_eq(qfile_in_rcpt(in, addr, &off1, &done, err), 1);
    ck_assert_int_eq(qfile_mark_done(fd, off1), 0);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);

    in = info_of("A1", &info, &fd);
    ck_assert_int_eq(qfile_in_rcpt(in, addr, &off1, &done, err), 1);
    ck_assert_str_eq(dstr_str(addr), "bob@host.test");
    ck_assert_int_eq(done, 1);
    ck_assert_int_eq(qfile_in_rcpt(in, addr, &off2, &done, err), 1);
    ck_assert_str_eq(dstr_str(addr), "carol@host.test");
    ck_assert_int_eq(done, 0);
    ck_assert_int_eq(qfile_in_rcpt(in, addr, &off2, &done, err), 0);
    ck_assert_int_eq(info.rcpt_count, 2);	/* done ones still counted */
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
    dstr_free(addr);
    dstr_free(err);
}
END_TEST

START_TEST(seek_continues_at_a_recipient_offset)
{
    QFILE_INFO info;
    QFILE_IN *in;
    DSTR   *addr = dstr_new(64);
    DSTR   *err = dstr_new(64);
    long    off1;
    long    off2;
    long    off;
    int     done;
    int     fd;

    write_sample("A1", NULL);
    in = info_of("A1", &info, &fd);
    ck_assert_int_eq(qfile_in_rcpt(in, addr, &off1, &done, err), 1);
    ck_assert_int_eq(qfile_in_rcpt(in, addr, &off2, &done, err), 1);
    ck_assert_int_eq(qfile_in_seek(in, off2), 0);
    ck_assert_int_eq(qfile_in_rcpt(in, addr, &off, &done, err), 1);
    ck_assert_int_eq(off, off2);
    ck_assert_str_eq(dstr_str(addr), "carol@host.test");
    ck_assert_int_eq(qfile_in_seek(in, off1), 0);
    ck_assert_int_eq(qfile_in_rcpt(in, addr, &off, &done, err), 1);
    ck_assert_str_eq(dstr_str(addr), "bob@host.test");
    ck_assert_int_eq(qfile_in_seek(in, -1), -1);
    ck_assert_int_eq(qfile_in_seek(in, 1L << 40), -1);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
    dstr_free(addr);
    dstr_free(err);
}
END_TEST

START_TEST(size_so_far_counts_every_byte_but_the_end_record)
{
    QFILE_OUT *out = sample_out("A1", 0, "-=");
    long    size = qfile_out_size(out);
    struct stat st;

    ck_assert_int_eq(qfile_out_status(out), QFILE_OK);
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, "A1"), QFILE_OK);
    ck_assert_int_eq(fstatat(inc_fd, "A1", &st, 0), 0);
    ck_assert_int_eq(st.st_size, size + 2);		/* "E" and a zero length */
}
END_TEST

START_TEST(long_records_read_back)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "L1", 0);
    QFILE_INFO info;
    QFILE_IN *in;
    DSTR   *addr = dstr_new(64);
    DSTR   *err = dstr_new(64);
    char    big[20000];
    long    off;
    int     done;
    int     fd;

    memset(big, 'r', sizeof(big) - 1);		/* multi-byte record lengths */
    big[sizeof(big) - 1] = 0;
    qfile_out_attr(out, "long", big);
    qfile_out_content(out, big, sizeof(big) - 1);
    qfile_out_sender(out, big);
    qfile_out_rcpt(out, big);
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, "L1"), QFILE_OK);
    in = info_of("L1", &info, &fd);
    ck_assert_int_eq(info.content_size, (long) sizeof(big) - 1);
    ck_assert_str_eq(attr_get_str(info.attrs, "long"), big);
    ck_assert_str_eq(dstr_str(info.sender), big);
    ck_assert_int_eq(qfile_in_rcpt(in, addr, &off, &done, err), 1);
    ck_assert_str_eq(dstr_str(addr), big);
    ck_assert_int_eq(qfile_in_rcpt(in, addr, &off, &done, err), 0);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
    dstr_free(addr);
    dstr_free(err);
}
END_TEST

 /*
  * Commit, limits, spilling, abort.
  */
START_TEST(small_message_has_no_temp_file_before_commit)
{
    QFILE_OUT *out = sample_out("A1", 0, NULL);

    ck_assert_int_eq(exists(tmp_fd, "A1"), 0);
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, "A1"), QFILE_OK);
    ck_assert_int_eq(exists(tmp_fd, "A1"), 0);
    ck_assert_int_ne(exists(inc_fd, "A1"), 0);
}
END_TEST

START_TEST(group_commit_names_a_whole_file_and_counts_a_ticket)
{
    GCOMMIT *gc = gcommit_open(tmp_fd, GCOMMIT_FILE);
    QFILE_OUT *out = qfile_out_new(tmp_fd, "G9", 0);
    unsigned long tickets;
    unsigned long syncs;
    QFILE_INFO info;
    QFILE_IN *in;
    int     fd;

    ck_assert_ptr_nonnull(gc);
    qfile_out_group(out, gc);
    qfile_out_content(out, "grouped\n", 8);
    qfile_out_sender(out, "a@b");
    qfile_out_rcpt(out, "c@d");
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, "G9"), QFILE_OK);
    ck_assert_int_eq(exists(tmp_fd, "G9"), 0);
    in = info_of("G9", &info, &fd);
    ck_assert_int_eq(info.content_size, 8);
    gcommit_counts(gc, &tickets, &syncs);
    ck_assert_uint_eq(tickets, 1);
    ck_assert_uint_eq(syncs, 1);			/* alone: it led its own sync */
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
    gcommit_close(gc);
}
END_TEST

START_TEST(commit_refuses_to_replace_an_existing_name)
{
    QFILE_OUT *out;
    DSTR   *before;
    DSTR   *after;

    write_sample("A1", NULL);
    before = slurp("A1");
    out = qfile_out_new(tmp_fd, "T2", 0);
    qfile_out_content(out, "other\n", 6);
    qfile_out_sender(out, "x@y");
    qfile_out_rcpt(out, "z@w");
    errno = 0;
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, "A1"), QFILE_ERR_WRITE);
    ck_assert_int_eq(errno, EEXIST);
    after = slurp("A1");
    ck_assert_uint_eq(dstr_len(after), dstr_len(before));
    ck_assert_int_eq(memcmp(dstr_str(after), dstr_str(before), dstr_len(before)), 0);
    dstr_free(before);
    dstr_free(after);
}
END_TEST

START_TEST(refused_commit_leaves_no_temp_file)
{
    QFILE_OUT *out;

    write_sample("A1", NULL);
    out = sample_out("T2", 0, NULL);
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, "A1"), QFILE_ERR_WRITE);
    ck_assert_int_eq(count_files(tmp_fd), 0);
    ck_assert_int_eq(count_files(inc_fd), 1);
}
END_TEST

START_TEST(write_error_keeps_the_errno_of_the_failed_call)
{
    char    gone[sizeof(testdir) + 8];
    static char big[300 * 1024];	/* more than qfile keeps in memory */
    QFILE_OUT *out;
    int     gone_fd;

    /* A directory removed under our feet: the first flush fails with ENOENT. */
    snprintf(gone, sizeof(gone), "%s/gone", testdir);
    ck_assert_int_eq(mkdir(gone, 0700), 0);
    ck_assert_int_ge(gone_fd = open(gone, O_RDONLY | O_DIRECTORY), 0);
    ck_assert_int_eq(rmdir(gone), 0);
    out = qfile_out_new(gone_fd, "W1", 0);
    ck_assert_int_eq(qfile_out_errno(out), 0);
    memset(big, 'x', sizeof(big));
    qfile_out_content(out, big, sizeof(big));
    qfile_out_sender(out, "a@b");
    qfile_out_rcpt(out, "c@d");
    ck_assert_int_eq(qfile_out_status(out), QFILE_ERR_WRITE);
    ck_assert_int_eq(qfile_out_errno(out), ENOENT);
    errno = EAGAIN;					/* what unrelated calls leave */
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, "W1"), QFILE_ERR_WRITE);
    ck_assert_int_eq(errno, ENOENT);
    close(gone_fd);
}
END_TEST

START_TEST(size_limit_gives_err_size)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "S1", 200);
    char    buf[1000];

    memset(buf, 'x', sizeof(buf));
    qfile_out_content(out, buf, sizeof(buf));
    ck_assert_int_eq(qfile_out_status(out), QFILE_ERR_SIZE);
    qfile_out_abort(out);
    ck_assert_int_eq(count_files(tmp_fd), 0);
    ck_assert_int_eq(count_files(inc_fd), 0);
}
END_TEST

START_TEST(size_limit_error_is_sticky)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "S1", 200);
    char    buf[1000];

    memset(buf, 'x', sizeof(buf));
    qfile_out_content(out, buf, sizeof(buf));
    qfile_out_content(out, "y", 1);			/* would fit on its own */
    qfile_out_sender(out, "a@b");
    qfile_out_rcpt(out, "c@d");
    ck_assert_int_eq(qfile_out_status(out), QFILE_ERR_SIZE);
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, "S1"), QFILE_ERR_SIZE);
    ck_assert_int_eq(count_files(tmp_fd), 0);
    ck_assert_int_eq(count_files(inc_fd), 0);
}
END_TEST

START_TEST(size_limit_exactly_the_file_size_is_accepted)
{
    struct stat st;
    long    size;

    write_sample("A1", "-=");
    ck_assert_int_eq(fstatat(inc_fd, "A1", &st, 0), 0);
    size = (long) st.st_size;
    ck_assert_int_eq(qfile_out_commit(sample_out("A2", size, "-="), inc_fd, "A2"), QFILE_OK);
    ck_assert_int_eq(qfile_out_commit(sample_out("A3", size - 1, "-="), inc_fd, "A3"),
		     QFILE_ERR_SIZE);
    ck_assert_int_eq(exists(inc_fd, "A3"), 0);
    ck_assert_int_eq(count_files(tmp_fd), 0);
}
END_TEST

START_TEST(size_limit_after_spill_leaves_nothing_after_abort)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "S2", SPILL_SIZE + 1000);
    char    buf[4096];
    int     i;

    memset(buf, 'x', sizeof(buf));
    for (i = 0; i < (SPILL_SIZE + 8192) / (int) sizeof(buf); i++)
	qfile_out_content(out, buf, sizeof(buf));
    ck_assert_int_eq(qfile_out_status(out), QFILE_ERR_SIZE);
    qfile_out_abort(out);
    ck_assert_int_eq(count_files(tmp_fd), 0);
    ck_assert_int_eq(count_files(inc_fd), 0);
}
END_TEST

/* spill_out - a message of SPILL_SIZE bytes of a known pattern */

static QFILE_OUT *spill_out(const char *tmpname)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, tmpname, 0);
    char    buf[1000];
    int     i;
    int     j;

    for (i = 0; i < SPILL_SIZE / (int) sizeof(buf); i++) {
	for (j = 0; j < (int) sizeof(buf); j++)
	    buf[j] = (char) ('a' + (i + j) % 26);
	qfile_out_content(out, buf, sizeof(buf));
    }
    qfile_out_content(out, "end\n", 4);
    return (out);
}

START_TEST(big_message_spills_to_temp_file_before_commit)
{
    QFILE_OUT *out = spill_out("G1");
    struct stat st;

    ck_assert_int_eq(fstatat(tmp_fd, "G1", &st, 0), 0);
    ck_assert_int_gt(st.st_size, 0);
    qfile_out_sender(out, "a@b");
    qfile_out_rcpt(out, "c@d");
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, "G1"), QFILE_OK);
    ck_assert_int_eq(exists(tmp_fd, "G1"), 0);
    ck_assert_int_ne(exists(inc_fd, "G1"), 0);
}
END_TEST

START_TEST(big_message_reads_back_whole)
{
    QFILE_OUT *out = spill_out("G1");
    QFILE_INFO info;
    QFILE_IN *in;
    char   *got;
    char    buf[1000];
    int     fd;
    int     i;
    int     j;

    qfile_out_sender(out, "a@b");
    qfile_out_rcpt(out, "c@d");
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, "G1"), QFILE_OK);
    in = info_of("G1", &info, &fd);
    ck_assert_int_eq(info.content_size, SPILL_SIZE / 1000 * 1000 + 4);
    got = malloc((size_t) info.content_size);
    ck_assert_int_eq(pread(fd, got, (size_t) info.content_size, info.content_offset),
		     info.content_size);
    for (i = 0; i < SPILL_SIZE / (int) sizeof(buf); i++) {
	for (j = 0; j < (int) sizeof(buf); j++)
	    buf[j] = (char) ('a' + (i + j) % 26);
	ck_assert_int_eq(memcmp(got + i * 1000, buf, sizeof(buf)), 0);
    }
    ck_assert_int_eq(memcmp(got + info.content_size - 4, "end\n", 4), 0);
    ck_assert_str_eq(dstr_str(info.sender), "a@b");
    free(got);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
}
END_TEST

START_TEST(content_patch_reaches_disk_and_buffer)
{
    QFILE_OUT *out = spill_out("G1");
    QFILE_INFO info;
    QFILE_IN *in;
    char   *got;
    long    size = qfile_out_content_size(out);
    int     fd;

    ck_assert_int_eq(size, SPILL_SIZE / 1000 * 1000 + 4);
    qfile_out_content_patch(out, 0, "HEAD", 4);		/* flushed long ago */
    qfile_out_content_patch(out, size - 4, "END\n", 4);	/* still in memory */
    qfile_out_sender(out, "a@b");
    qfile_out_rcpt(out, "c@d");
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, "G1"), QFILE_OK);
    in = info_of("G1", &info, &fd);
    got = malloc((size_t) info.content_size);
    ck_assert_int_eq(pread(fd, got, (size_t) info.content_size, info.content_offset),
		     info.content_size);
    ck_assert_int_eq(memcmp(got, "HEAD", 4), 0);
    ck_assert_int_eq(got[4], 'a' + 4 % 26);
    ck_assert_int_eq(memcmp(got + size - 4, "END\n", 4), 0);
    free(got);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
}
END_TEST

START_TEST(content_patch_straddling_the_flush_point)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "G2", 0);
    char   *big = malloc(300 * 1024);
    QFILE_INFO info;
    QFILE_IN *in;
    char    got[8];
    int     fd;

    /* The first append crosses the memory limit and is flushed whole; the
     * second stays in memory: patch 4 bytes on each side of the seam. */
    memset(big, 'b', 300 * 1024);
    qfile_out_content(out, big, 300 * 1024);
    qfile_out_content(out, "cccccccc", 8);
    qfile_out_content_patch(out, 300 * 1024 - 4, "12345678", 8);
    qfile_out_sender(out, "a@b");
    qfile_out_rcpt(out, "c@d");
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, "G2"), QFILE_OK);
    in = info_of("G2", &info, &fd);
    ck_assert_int_eq(pread(fd, got, 8, info.content_offset + 300 * 1024 - 4), 8);
    ck_assert_int_eq(memcmp(got, "12345678", 8), 0);
    free(big);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
}
END_TEST

START_TEST(content_patch_beyond_the_content_panics)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "P1", 0);

    qfile_out_content(out, "abc", 3);
    qfile_out_content_patch(out, 2, "xy", 2);
}
END_TEST

START_TEST(abort_removes_the_temp_file)
{
    QFILE_OUT *out = spill_out("G1");

    ck_assert_int_ne(exists(tmp_fd, "G1"), 0);
    qfile_out_abort(out);
    ck_assert_int_eq(exists(tmp_fd, "G1"), 0);
    ck_assert_int_eq(count_files(tmp_fd), 0);
    ck_assert_int_eq(count_files(inc_fd), 0);
}
END_TEST

START_TEST(abort_of_small_message_leaves_nothing)
{
    QFILE_OUT *out = sample_out("A1", 0, NULL);

    qfile_out_abort(out);
    ck_assert_int_eq(count_files(tmp_fd), 0);
    ck_assert_int_eq(count_files(inc_fd), 0);
}
END_TEST

START_TEST(time_after_content_panics)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "P1", 0);

    msg_set_sink(quiet_sink);
    qfile_out_content(out, "x", 1);
    qfile_out_time(out, 1, 2);
}
END_TEST

START_TEST(recipient_before_sender_panics)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "P1", 0);

    msg_set_sink(quiet_sink);
    qfile_out_content(out, "x", 1);
    qfile_out_rcpt(out, "a@b");
}
END_TEST

START_TEST(content_after_sender_panics)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "P1", 0);

    msg_set_sink(quiet_sink);
    qfile_out_sender(out, "a@b");
    qfile_out_content(out, "x", 1);
}
END_TEST

START_TEST(verp_of_wrong_length_panics)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "P1", 0);

    msg_set_sink(quiet_sink);
    qfile_out_sender(out, "a@b");
    qfile_out_verp(out, "-=+");
}
END_TEST

START_TEST(attribute_name_with_equals_panics)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "P1", 0);

    msg_set_sink(quiet_sink);
    qfile_out_attr(out, "a=b", "c");
}
END_TEST

START_TEST(commit_without_envelope_panics)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "P1", 0);

    msg_set_sink(quiet_sink);
    qfile_out_content(out, "x", 1);
    (void) qfile_out_commit(out, inc_fd, "P1");
}
END_TEST

 /*
  * Damaged files.
  */
START_TEST(complete_file_is_accepted_with_all_recipients)
{
    DSTR   *file;
    DSTR   *err = dstr_new(64);
    int     fd;
    int     n = -1;

    write_sample("A1", "-=");
    file = slurp("A1");
    fd = mem_file(dstr_str(file), dstr_len(file));
    ck_assert_int_eq(read_all(fd, &n, err), 0);
    ck_assert_int_eq(n, 2);
    close(fd);
    dstr_free(file);
    dstr_free(err);
}
END_TEST

/* check_truncations - every proper prefix of incoming/name is refused */

static void check_truncations(const char *name)
{
    DSTR   *file = slurp(name);
    DSTR   *err = dstr_new(64);
    size_t  len;

    for (len = 0; len < dstr_len(file); len++) {
	DSTR_RESET(err);
	ck_assert_msg(read_bytes(dstr_str(file), len, err) == -1,
		      "file of %zu bytes truncated to %zu was not refused",
		      dstr_len(file), len);
	ck_assert_msg(dstr_len(err) > 0, "no reason given at truncation %zu", len);
    }
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), 0);
    dstr_free(file);
    dstr_free(err);
}

START_TEST(every_truncation_is_refused)
{
    write_sample("A1", "-=");
    check_truncations("A1");
}
END_TEST

START_TEST(every_truncation_of_a_file_with_long_records_is_refused)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "L1", 0);
    char    big[10000];

    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    qfile_out_time(out, 1, 2);
    qfile_out_attr(out, "a", big);
    qfile_out_content(out, big, sizeof(big) - 1);
    qfile_out_sender(out, "s@x");
    qfile_out_attr(out, "b", "c");
    qfile_out_rcpt(out, big);
    qfile_out_rcpt(out, "r@x");
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, "L1"), QFILE_OK);
    check_truncations("L1");
}
END_TEST

START_TEST(empty_file_is_refused)
{
    DSTR   *err = dstr_new(64);

    ck_assert_int_eq(read_bytes("", 0, err), -1);
    dstr_free(err);
}
END_TEST

START_TEST(flipped_first_byte_is_refused)
{
    DSTR   *file;
    DSTR   *err = dstr_new(64);

    write_sample("A1", "-=");
    file = slurp("A1");
    dstr_data(file)[0] ^= 0x01;
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    ck_assert_uint_gt(dstr_len(err), 0);
    dstr_free(file);
    dstr_free(err);
}
END_TEST

START_TEST(size_record_with_garbage_is_refused)
{
    DSTR   *file;
    DSTR   *err = dstr_new(64);

    write_sample("A1", NULL);
    file = slurp("A1");
    memset(dstr_data(file) + SIZE_PAYLOAD_OFF, 'x', 10);
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    dstr_free(file);
    dstr_free(err);
}
END_TEST

START_TEST(size_record_with_envelope_past_end_is_refused)
{
    QFILE_INFO info;
    QFILE_IN *in;
    DSTR   *file;
    DSTR   *err = dstr_new(64);
    int     fd;

    write_sample("A1", NULL);
    in = info_of("A1", &info, &fd);
    file = slurp("A1");
    set_sizes(file, info.content_offset, info.content_size, (long) dstr_len(file),
	      info.rcpt_count);
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
    dstr_free(file);
    dstr_free(err);
}
END_TEST

START_TEST(size_record_with_wrong_content_size_is_refused)
{
    QFILE_INFO info;
    QFILE_IN *in;
    DSTR   *file;
    DSTR   *err = dstr_new(64);
    int     fd;

    write_sample("A1", NULL);
    in = info_of("A1", &info, &fd);
    file = slurp("A1");
    set_sizes(file, info.content_offset, info.content_size - 1, info.envelope_offset,
	      info.rcpt_count);
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
    dstr_free(file);
    dstr_free(err);
}
END_TEST

START_TEST(size_record_with_wrong_envelope_offset_is_refused)
{
    QFILE_INFO info;
    QFILE_IN *in;
    DSTR   *file;
    DSTR   *err = dstr_new(64);
    int     fd;

    write_sample("A1", NULL);
    in = info_of("A1", &info, &fd);
    file = slurp("A1");
    set_sizes(file, info.content_offset, info.content_size, info.envelope_offset + 1,
	      info.rcpt_count);
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
    dstr_free(file);
    dstr_free(err);
}
END_TEST

START_TEST(size_record_with_shifted_content_offset_is_refused)
{
    QFILE_INFO info;
    QFILE_IN *in;
    DSTR   *file;
    DSTR   *err = dstr_new(64);
    int     fd;

    /* Same end of content, but the content would be read one byte late. */
    write_sample("A1", NULL);
    in = info_of("A1", &info, &fd);
    file = slurp("A1");
    set_sizes(file, info.content_offset + 1, info.content_size - 1, info.envelope_offset,
	      info.rcpt_count);
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
    dstr_free(file);
    dstr_free(err);
}
END_TEST

START_TEST(size_record_with_huge_numbers_is_refused)
{
    DSTR   *file;
    DSTR   *err = dstr_new(64);
    static const char huge[] =
    "9223372036854775807 9223372036854775807 9223372036854775807 0  ";

    ck_assert_uint_eq(sizeof(huge) - 1, SIZE_PAYLOAD_LEN);
    write_sample("A1", NULL);
    file = slurp("A1");
    memcpy(dstr_data(file) + SIZE_PAYLOAD_OFF, huge, SIZE_PAYLOAD_LEN);
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    dstr_free(file);
    dstr_free(err);
}
END_TEST

START_TEST(size_record_with_negative_numbers_is_refused)
{
    QFILE_INFO info;
    QFILE_IN *in;
    DSTR   *file;
    DSTR   *err = dstr_new(64);
    int     fd;

    write_sample("A1", NULL);
    in = info_of("A1", &info, &fd);
    file = slurp("A1");
    set_sizes(file, info.content_offset, info.content_size, info.envelope_offset, -1);
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    set_sizes(file, info.content_offset, -1, info.envelope_offset, info.rcpt_count);
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
    dstr_free(file);
    dstr_free(err);
}
END_TEST

START_TEST(content_length_not_matching_is_refused)
{
    QFILE_INFO info;
    QFILE_IN *in;
    DSTR   *file;
    DSTR   *err = dstr_new(64);
    unsigned char *len;
    int     fd;

    write_sample("A1", NULL);
    in = info_of("A1", &info, &fd);
    file = slurp("A1");
    /* The M length is 5 bytes before the content, least significant first. */
    len = (unsigned char *) dstr_data(file) + info.content_offset - 5;
    ck_assert_int_eq(len[-1], QREC_CONTENT);
    ck_assert_int_eq(len[0] & 0x7f, info.content_size);
    len[0] = (unsigned char) ((len[0] & 0x80) | (info.content_size - 1));
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    len[0] = (unsigned char) ((len[0] & 0x80) | (info.content_size + 1));
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    qfile_in_free(in);
    qfile_info_free(&info);
    close(fd);
    dstr_free(file);
    dstr_free(err);
}
END_TEST

START_TEST(data_after_end_record_is_refused)
{
    DSTR   *file;
    DSTR   *err = dstr_new(64);

    write_sample("A1", NULL);
    file = slurp("A1");
    dstr_catc(file, 'X');
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    ck_assert_uint_gt(dstr_len(err), 0);
    dstr_free(file);
    dstr_free(err);
}
END_TEST

START_TEST(record_after_end_record_is_refused)
{
    DSTR   *file;
    DSTR   *err = dstr_new(64);

    write_sample("A1", NULL);
    file = slurp("A1");
    dstr_cat(file, "R\003a@b", 5);
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    dstr_free(file);
    dstr_free(err);
}
END_TEST

START_TEST(bad_time_record_is_refused)
{
    DSTR   *file;
    DSTR   *err = dstr_new(64);

    write_sample("A1", NULL);
    file = slurp("A1");
    dstr_data(file)[find(file, "1700000000 123456")] = 'x';
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    dstr_free(file);
    dstr_free(err);
}
END_TEST

START_TEST(attribute_without_equals_is_refused)
{
    DSTR   *file;
    DSTR   *err = dstr_new(64);

    write_sample("A1", NULL);
    file = slurp("A1");
    dstr_data(file)[find(file, "protocol=QMQP") + 8] = '_';
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    dstr_free(file);
    dstr_free(err);
}
END_TEST

START_TEST(unknown_record_among_recipients_is_refused)
{
    DSTR   *file;
    DSTR   *err = dstr_new(64);
    size_t  off;

    write_sample("A1", NULL);
    file = slurp("A1");
    off = find(file, "carol@host.test");
    ck_assert_int_eq(dstr_str(file)[off - 2], QREC_RCPT);
    dstr_data(file)[off - 2] = 'Q';
    ck_assert_int_eq(read_bytes(dstr_str(file), dstr_len(file), err), -1);
    dstr_free(file);
    dstr_free(err);
}
END_TEST

/* refused_with_nul - the sample file with one byte of what inside a record made NUL */

static int refused_with_nul(const char *verp, const char *what, size_t at)
{
    DSTR   *file;
    DSTR   *err = dstr_new(64);
    int     ret;

    write_sample("A1", verp);
    file = slurp("A1");
    dstr_data(file)[find(file, what) + at] = 0;
    ret = read_bytes(dstr_str(file), dstr_len(file), err);
    dstr_free(file);
    dstr_free(err);
    return (ret == -1);
}

START_TEST(verp_record_with_nul_is_refused)
{
    /* the writer only writes two-character delimiters: "-\0" is damage */
    ck_assert_msg(refused_with_nul("-=", "V\002-=", 3), "VERP record \"-\\0\" accepted");
}
END_TEST

START_TEST(sender_with_nul_is_refused)
{
    ck_assert_msg(refused_with_nul(NULL, "list-return-12@example.org", 4),
		  "sender with a NUL byte accepted");
}
END_TEST

START_TEST(recipient_with_nul_is_refused)
{
    ck_assert_msg(refused_with_nul(NULL, "carol@host.test", 5),
		  "recipient with a NUL byte accepted");
}
END_TEST

START_TEST(endless_record_length_is_refused)
{
    static const char in[] = "C\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01";
    DSTR   *err = dstr_new(64);

    ck_assert_int_eq(read_bytes(in, sizeof(in) - 1, err), -1);
    dstr_free(err);
}
END_TEST

START_TEST(record_longer_than_file_is_refused)
{
    static const char in[] = "C\xff\xff\x7f" "0";
    DSTR   *err = dstr_new(64);

    ck_assert_int_eq(read_bytes(in, sizeof(in) - 1, err), -1);
    dstr_free(err);
}
END_TEST

/* qfile_suite - every test above */

static Suite *qfile_suite(void)
{
    Suite  *s = suite_create("qfile");
    TCase  *tr = tcase_create("round trip");
    TCase  *tw = tcase_create("write");
    TCase  *tp = tcase_create("misuse");
    TCase  *tc = tcase_create("corrupt");

    tcase_add_unchecked_fixture(tr, suite_setup, suite_teardown);
    tcase_add_checked_fixture(tr, setup, teardown);
    tcase_add_test(tr, sizes_read_back);
    tcase_add_test(tr, time_reads_back);
    tcase_add_test(tr, attributes_before_and_after_content_read_back);
    tcase_add_test(tr, content_bytes_read_back_at_content_offset);
    tcase_add_test(tr, sender_and_verp_read_back);
    tcase_add_test(tr, no_verp_record_reads_as_empty_verp);
    tcase_add_test(tr, empty_sender_and_empty_content_read_back);
    tcase_add_test(tr, recipients_read_back_in_order_with_offsets);
    tcase_add_test(tr, mark_done_then_reread_shows_done);
    tcase_add_test(tr, seek_continues_at_a_recipient_offset);
    tcase_add_test(tr, size_so_far_counts_every_byte_but_the_end_record);
    tcase_add_test(tr, long_records_read_back);
    suite_add_tcase(s, tr);

    tcase_add_unchecked_fixture(tw, suite_setup, suite_teardown);
    tcase_add_checked_fixture(tw, setup, teardown);
    tcase_add_test(tw, small_message_has_no_temp_file_before_commit);
    tcase_add_test(tw, commit_refuses_to_replace_an_existing_name);
    tcase_add_test(tw, group_commit_names_a_whole_file_and_counts_a_ticket);
    tcase_add_test(tw, refused_commit_leaves_no_temp_file);
    tcase_add_test(tw, write_error_keeps_the_errno_of_the_failed_call);
    tcase_add_test(tw, size_limit_gives_err_size);
    tcase_add_test(tw, size_limit_error_is_sticky);
    tcase_add_test(tw, size_limit_exactly_the_file_size_is_accepted);
    tcase_add_test(tw, size_limit_after_spill_leaves_nothing_after_abort);
    tcase_add_test(tw, big_message_spills_to_temp_file_before_commit);
    tcase_add_test(tw, big_message_reads_back_whole);
    tcase_add_test(tw, content_patch_reaches_disk_and_buffer);
    tcase_add_test(tw, content_patch_straddling_the_flush_point);
    tcase_add_test(tw, abort_removes_the_temp_file);
    tcase_add_test(tw, abort_of_small_message_leaves_nothing);
    suite_add_tcase(s, tw);

    /* A panicking test skips its teardown: suite_teardown() cleans up. */
    tcase_add_unchecked_fixture(tp, suite_setup, suite_teardown);
    tcase_add_checked_fixture(tp, setup, teardown);
    tcase_add_test_raise_signal(tp, time_after_content_panics, SIGABRT);
    tcase_add_test_raise_signal(tp, recipient_before_sender_panics, SIGABRT);
    tcase_add_test_raise_signal(tp, content_after_sender_panics, SIGABRT);
    tcase_add_test_raise_signal(tp, verp_of_wrong_length_panics, SIGABRT);
    tcase_add_test_raise_signal(tp, attribute_name_with_equals_panics, SIGABRT);
    tcase_add_test_raise_signal(tp, commit_without_envelope_panics, SIGABRT);
    tcase_add_test_raise_signal(tp, content_patch_beyond_the_content_panics, SIGABRT);
    suite_add_tcase(s, tp);

    tcase_add_unchecked_fixture(tc, suite_setup, suite_teardown);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, complete_file_is_accepted_with_all_recipients);
    tcase_add_test(tc, every_truncation_is_refused);
    tcase_add_test(tc, every_truncation_of_a_file_with_long_records_is_refused);
    tcase_add_test(tc, empty_file_is_refused);
    tcase_add_test(tc, flipped_first_byte_is_refused);
    tcase_add_test(tc, size_record_with_garbage_is_refused);
    tcase_add_test(tc, size_record_with_envelope_past_end_is_refused);
    tcase_add_test(tc, size_record_with_wrong_content_size_is_refused);
    tcase_add_test(tc, size_record_with_wrong_envelope_offset_is_refused);
    tcase_add_test(tc, size_record_with_shifted_content_offset_is_refused);
    tcase_add_test(tc, size_record_with_huge_numbers_is_refused);
    tcase_add_test(tc, size_record_with_negative_numbers_is_refused);
    tcase_add_test(tc, content_length_not_matching_is_refused);
    tcase_add_test(tc, data_after_end_record_is_refused);
    tcase_add_test(tc, record_after_end_record_is_refused);
    tcase_add_test(tc, bad_time_record_is_refused);
    tcase_add_test(tc, attribute_without_equals_is_refused);
    tcase_add_test(tc, unknown_record_among_recipients_is_refused);
    tcase_add_test(tc, verp_record_with_nul_is_refused);
    tcase_add_test(tc, sender_with_nul_is_refused);
    tcase_add_test(tc, recipient_with_nul_is_refused);
    tcase_add_test(tc, endless_record_length_is_refused);
    tcase_add_test(tc, record_longer_than_file_is_refused);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(qfile_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
