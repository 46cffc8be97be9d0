/*
 * check_watchdog - unit tests for the watchdog: it logs why it fires
 * DESCRIPTION
 *	A process whose step outlasts the watchdog must leave
 *	"fatal: watchdog timeout" behind and exit 1, not vanish with signal
 *	14; one that pats it in time, or waits for work with it paused,
 *	lives on. Each case runs in a child whose log lines come back
 *	through a pipe, because the interesting outcome is the child's end.
 */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"
#include "watchdog.h"

static int log_fd = -1;			/* the child's end of the log pipe */

/* pipe_sink - one log line per write, newline-terminated */

static void pipe_sink(int level, const char *text)
{
    (void) level;
    if (write(log_fd, text, strlen(text)) < 0 || write(log_fd, "\n", 1) < 0)
	_exit(3);
}

/* sleep_ms - nanosleep, resumed after signals */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) < 0)
	 /* interrupted: sleep what is left */ ;
}

/* spin_ms - busy for ms, as a stuck loop is */

static void spin_ms(long ms)
{
    struct timespec t0;
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
	clock_gettime(CLOCK_MONOTONIC, &t1);
    } while ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < ms);
}

/* run_child - fn in a child; its log text into out, its wait status returned */

static int run_child(void (*fn) (void), char *out, size_t outlen)
{
    int     fds[2];
    pid_t   pid;
    size_t  got = 0;
    ssize_t n;
    int     status;

    ck_assert_int_eq(pipe(fds), 0);
    if ((pid = fork()) == 0) {
	close(fds[0]);
	log_fd = fds[1];
	msg_init("test");
	msg_set_sink(pipe_sink);
	fn();
	_exit(0);
    }
    ck_assert_int_gt(pid, 0);
    close(fds[1]);
    while (got + 1 < outlen && (n = read(fds[0], out + got, outlen - got - 1)) > 0)
	got += (size_t) n;
    out[got] = 0;
    close(fds[0]);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    return (status);
}

/* stuck_step - a step that never ends */

static void stuck_step(void)
{
    watchdog_start(1);
    spin_ms(4000);
}

/* patted_steps - short steps, each patted */

static void patted_steps(void)
{
    int     i;

    watchdog_start(1);
    for (i = 0; i < 8; i++) {
	spin_ms(300);
	watchdog_pat();
    }
    watchdog_stop();
}

/* long_idle_wait - a long wait for work with the watchdog paused */

static void long_idle_wait(void)
{
    watchdog_start(1);
    watchdog_pause();
    sleep_ms(2200);
    watchdog_pat();
    spin_ms(300);
    watchdog_stop();
}

/* now_ms - monotonic milliseconds */

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

START_TEST(stuck_step_logs_watchdog_timeout_and_exits_1)
{
    char    out[1024];
    long    t0 = now_ms();
    int     status = run_child(stuck_step, out, sizeof(out));
    long    took = now_ms() - t0;

    /* The ticks come every tenth of the timeout: not before 9/10 of it. */
    ck_assert_msg(took >= 900, "fired after %ld ms of a 1 s timeout", took);
    ck_assert_msg(took < 3500, "fired only after %ld ms of a 1 s timeout", took);

    ck_assert_msg(WIFEXITED(status), "child did not exit (signal %d)",
		  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    ck_assert_int_eq(WEXITSTATUS(status), 1);
    ck_assert_msg(strstr(out, "fatal: watchdog timeout\n") != NULL, "log: %s", out);
}
END_TEST

START_TEST(patted_steps_live_on)
{
    char    out[1024];
    int     status = run_child(patted_steps, out, sizeof(out));

    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(paused_wait_does_not_fire)
{
    char    out[1024];
    int     status = run_child(long_idle_wait, out, sizeof(out));

    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_str_eq(out, "");
}
END_TEST

/* watchdog_suite - every test above */

static Suite *watchdog_suite(void)
{
    Suite  *s = suite_create("watchdog");
    TCase  *tc = tcase_create("watchdog");

    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, stuck_step_logs_watchdog_timeout_and_exits_1);
    tcase_add_test(tc, patted_steps_live_on);
    tcase_add_test(tc, paused_wait_does_not_fire);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(watchdog_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
