/*
 * qfile_make - write one queue file with qfile's own writer, for tests
 * that need mail older than the test: the arrival time is an argument.
 * Usage: qfile_make QUEUE_DIR QUEUE ARRIVAL SENDER RCPT...
 * Writes QUEUE_DIR/tmp/ID, commits it as QUEUE_DIR/QUEUE/ID (fsync and
 * rename, as cleanup does) and prints ID. Built by the test itself with
 * cc against the build's libglobal.a and libutil.a.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dstr.h"
#include "msg.h"
#include "qfile.h"
#include "qid.h"

/* open_dir - a directory under the queue directory */

static int open_dir(const char *top, const char *name)
{
    DSTR   *path = dstr_new(128);
    int     fd;

    dstr_sprintf(path, "%s/%s", top, name);
    if ((fd = open(dstr_str(path), O_RDONLY | O_DIRECTORY)) < 0)
	msg_fatal("open %s: %m", dstr_str(path));
    dstr_free(path);
    return (fd);
}

int     main(int argc, char **argv)
{
    static const char body[] = "Subject: back-dated\n\nwritten by qfile_make\n";
    char    id[QID_SIZE];
    QFILE_OUT *out;
    int     tmp_fd;
    int     q_fd;
    int     i;

    msg_init("qfile_make");
    if (argc < 6)
	msg_fatal("usage: qfile_make QUEUE_DIR QUEUE ARRIVAL SENDER RCPT...");
    tmp_fd = open_dir(argv[1], "tmp");
    q_fd = open_dir(argv[1], argv[2]);
    qid_new(id);
    out = qfile_out_new(tmp_fd, id, 0);
    qfile_out_time(out, atol(argv[3]), 0);
    qfile_out_attr(out, "protocol", "test");
    qfile_out_content(out, body, sizeof(body) - 1);
    qfile_out_sender(out, argv[4]);
    for (i = 5; i < argc; i++)
	qfile_out_rcpt(out, argv[i]);
    if (qfile_out_commit(out, q_fd, id) != QFILE_OK)
	msg_fatal("commit %s/%s/%s: %m", argv[1], argv[2], id);
    printf("%s\n", id);
    return (0);
}
