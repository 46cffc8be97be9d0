/*
 * check_sockcred - unit tests for peer credentials and passed descriptors
 * DESCRIPTION
 *	A datagram received on a socket with SO_PASSCRED carries the
 *	sender's pid and uid; a child that became another user is reported
 *	as that user; one passed descriptor (fdpass_send_to()) is handed
 *	over and any more are closed; a stream
 *	peer's credentials come from SO_PEERCRED; a datagram on a socket
 *	without SO_PASSCRED reports "unknown" (-1), never root.
 */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dstr.h"
#include "fdpass.h"
#include "sockcred.h"
#include "sockutil.h"
#include "unit_tmpdir.h"

static char *test_dir;
static DSTR *test_path;

static void setup(void)
{
    test_dir = unit_tmpdir_make("check_sockcred");
    test_path = dstr_new(64);
    dstr_sprintf(test_path, "%s/sock", test_dir);
}

static void teardown(void)
{
    test_dir = unit_tmpdir_remove(test_dir);
    dstr_free(test_path);
}

/* bound - a datagram socket at test_path, with or without SO_PASSCRED */

static int bound(int passcred)
{
    DSTR   *err = dstr_new(64);
    int     fd = sock_unix_dgram_bind(dstr_str(test_path), 0666, err);

    ck_assert_int_ge(fd, 0);
    if (passcred)
	ck_assert_int_eq(sockcred_enable(fd), 0);
    dstr_free(err);
    return (fd);
}

/* fd_is_open - is fd a live descriptor? */

static int fd_is_open(int fd)
{
    return (fcntl(fd, F_GETFD) >= 0);
}

START_TEST(datagram_carries_the_senders_credentials)
{
    int     fd = bound(1);
    SOCK_CRED cred;
    char    buf[16];

    ck_assert_int_eq(sock_unix_dgram_send(dstr_str(test_path), "W", 1), 0);
    ck_assert_int_eq(sockcred_recv(fd, buf, sizeof(buf), &cred, NULL), 1);
    ck_assert_int_eq(buf[0], 'W');
    ck_assert_int_eq(cred.pid, getpid());
    ck_assert_int_eq(cred.uid, getuid());
    ck_assert_int_eq(cred.gid, getgid());
    close(fd);
}
END_TEST

START_TEST(another_users_datagram_shows_that_user)
{
    int     fd = bound(1);
    SOCK_CRED cred;
    char    buf[16];
    pid_t   pid;
    int     status;

    if (getuid() != 0)
	return;					/* needs root to become someone else */
    ck_assert_int_eq(chmod(test_dir, 0755), 0);
    if ((pid = fork()) == 0) {
	if (setgid(65534) < 0 || setuid(65534) < 0)
	    _exit(2);
	_exit(sock_unix_dgram_send(dstr_str(test_path), "F", 1) == 0 ? 0 : 1);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_int_eq(sockcred_recv(fd, buf, sizeof(buf), &cred, NULL), 1);
    ck_assert_int_eq(cred.uid, 65534);
    ck_assert_int_eq(cred.pid, pid);
    close(fd);
}
END_TEST

START_TEST(one_passed_descriptor_is_kept_and_more_are_closed)
{
    int     fd = bound(1);
    int     sv[2];
    int     got;
    SOCK_CRED cred;
    char    buf[16];

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(fdpass_send_to(dstr_str(test_path), "1:x,", 4, sv[1]), 0);
    ck_assert_int_eq(sockcred_recv(fd, buf, sizeof(buf), &cred, &got), 4);
    ck_assert_int_ge(got, 0);
    ck_assert_int_eq(write(got, "hi", 2), 2);	/* the same socket pair */
    ck_assert_int_eq(read(sv[0], buf, 2), 2);
    ck_assert_int_eq(memcmp(buf, "hi", 2), 0);
    ck_assert_int_eq(fcntl(got, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    close(got);

    /* Without room for a descriptor, a passed one is closed at once. */
    ck_assert_int_eq(fdpass_send_to(dstr_str(test_path), "x", 1, sv[1]), 0);
    ck_assert_int_eq(sockcred_recv(fd, buf, sizeof(buf), &cred, NULL), 1);
    close(sv[1]);
    /* Nobody holds the other end any more: end of file. */
    ck_assert_int_eq(read(sv[0], buf, 1), 0);
    close(sv[0]);
    close(fd);
}
END_TEST

START_TEST(many_passed_descriptors_do_not_pile_up)
{
    int     fd = bound(1);
    int     fds[8];
    int     sv[2];
    int     got;
    int     i;
    SOCK_CRED cred;
    char    buf[16];
    struct sockaddr_un sun;
    struct msghdr msg;
    struct iovec iov = {"x", 1};
    union {
	struct cmsghdr hdr;
	char    buf[CMSG_SPACE(sizeof(fds))];
    }       ctl;
    struct cmsghdr *cmsg;
    int     snd = socket(AF_UNIX, SOCK_DGRAM, 0);

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    for (i = 0; i < 8; i++)
	fds[i] = sv[1];
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    strcpy(sun.sun_path, dstr_str(test_path));
    memset(&msg, 0, sizeof(msg));
    msg.msg_name = &sun;
    msg.msg_namelen = sizeof(sun);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl.buf;
    msg.msg_controllen = sizeof(ctl.buf);
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(fds));
    memcpy(CMSG_DATA(cmsg), fds, sizeof(fds));
    ck_assert_int_eq(sendmsg(snd, &msg, 0), 1);
    close(snd);
    close(sv[1]);
    ck_assert_int_eq(sockcred_recv(fd, buf, sizeof(buf), &cred, &got), 1);
    ck_assert_int_ge(got, 0);
    ck_assert(fd_is_open(got));
    close(got);
    /* Every copy is gone: the other end sees end of file. */
    ck_assert_int_eq(read(sv[0], buf, 1), 0);
    close(sv[0]);
    close(fd);
}
END_TEST

START_TEST(stream_peer_credentials)
{
    int     sv[2];
    SOCK_CRED cred;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(sockcred_peer(sv[0], &cred), 0);
    ck_assert_int_eq(cred.pid, getpid());
    ck_assert_int_eq(cred.uid, getuid());
    close(sv[0]);
    close(sv[1]);
}
END_TEST

START_TEST(without_passcred_the_sender_is_unknown)
{
    int     fd = bound(0);
    SOCK_CRED cred;
    char    buf[4];

    ck_assert_int_eq(sock_unix_dgram_send(dstr_str(test_path), "W", 1), 0);
    ck_assert_int_eq(sockcred_recv(fd, buf, sizeof(buf), &cred, NULL), 1);
    ck_assert_int_eq(cred.uid, (uid_t) -1);
    ck_assert_int_eq(cred.pid, -1);
    close(fd);
}
END_TEST

START_TEST(nothing_queued_is_eagain)
{
    int     fd = bound(1);
    SOCK_CRED cred;
    char    buf[4];

    ck_assert_int_eq(sockcred_recv(fd, buf, sizeof(buf), &cred, NULL), -1);
    ck_assert_int_eq(cred.uid, (uid_t) -1);
    close(fd);
}
END_TEST

static Suite *sockcred_suite(void)
{
    Suite  *s = suite_create("sockcred");
    TCase  *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, datagram_carries_the_senders_credentials);
    tcase_add_test(tc, another_users_datagram_shows_that_user);
    tcase_add_test(tc, one_passed_descriptor_is_kept_and_more_are_closed);
    tcase_add_test(tc, many_passed_descriptors_do_not_pile_up);
    tcase_add_test(tc, stream_peer_credentials);
    tcase_add_test(tc, without_passcred_the_sender_is_unknown);
    tcase_add_test(tc, nothing_queued_is_eagain);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(sockcred_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
