/*
 * evloop - event loop
 * DESCRIPTION
 *	master, qmgr and postlogd are single-threaded state machines driven
 *	by descriptor readiness and timers. epoll keeps the cost per wakeup
 *	independent of how many descriptors are watched; timers sit in a
 *	binary heap in their owners' memory, so arming and cancelling never
 *	allocate and cost O(log n). A process that started a watchdog has it
 *	paused while the loop waits and patted after every wait, so the
 *	watchdog bounds one round of work, never an idle spell.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "evloop.h"
#include "ios.h"
#include "mymalloc.h"
#include "msg.h"
#include "watchdog.h"

typedef struct EVLOOP_FD {
    EVLOOP_FD_FN rfn;
    void   *rctx;
    EVLOOP_FD_FN wfn;
    void   *wctx;
    unsigned events;			/* what epoll currently watches */
} EVLOOP_FD;

static int evloop_epfd = -1;
static EVLOOP_FD *evloop_fds;
static size_t evloop_nfds;
static EVLOOP_TIMER **evloop_heap;
static size_t evloop_heap_len;
static size_t evloop_heap_cap;
static long long evloop_time;

/* evloop_init - create the epoll instance on first use */

static void evloop_init(void)
{
    if (evloop_epfd < 0 && (evloop_epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
	msg_fatal("epoll_create1: %m");
    if (evloop_time == 0)
	evloop_time = ios_now_ms();
}

/* evloop_slot - per-descriptor state, grown on demand */

static EVLOOP_FD *evloop_slot(int fd)
{
    size_t  n;

    if (fd < 0)
	msg_panic("evloop: bad descriptor %d", fd);
    if ((size_t) fd >= evloop_nfds) {
	n = evloop_nfds ? evloop_nfds : 64;
	while (n <= (size_t) fd)
	    n *= 2;
	evloop_fds = myrealloc(evloop_fds, n * sizeof(*evloop_fds));
	memset(evloop_fds + evloop_nfds, 0, (n - evloop_nfds) * sizeof(*evloop_fds));
	evloop_nfds = n;
    }
    return (evloop_fds + fd);
}

/* evloop_update - tell epoll what we want for fd */

static void evloop_update(int fd, EVLOOP_FD *s)
{
    struct epoll_event ev;
    unsigned want = (s->rfn ? EPOLLIN : 0) | (s->wfn ? EPOLLOUT : 0);
    int     op;

    if (want == s->events)
	return;
    memset(&ev, 0, sizeof(ev));
    ev.events = want;
    ev.data.fd = fd;
    op = s->events == 0 ? EPOLL_CTL_ADD : want == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    if (epoll_ctl(evloop_epfd, op, fd, &ev) < 0 && !(op == EPOLL_CTL_DEL && errno == EBADF))
	msg_fatal("epoll_ctl fd %d: %m", fd);
    s->events = want;
}

/* evloop_read - watch for input */

void    evloop_read(int fd, EVLOOP_FD_FN fn, void *ctx)
{
    EVLOOP_FD *s;

    evloop_init();
    s = evloop_slot(fd);
    s->rfn = fn;
    s->rctx = ctx;
    evloop_update(fd, s);
}

/* evloop_write - watch for output room */

void    evloop_write(int fd, EVLOOP_FD_FN fn, void *ctx)
{
    EVLOOP_FD *s;

    evloop_init();
    s = evloop_slot(fd);
    s->wfn = fn;
    s->wctx = ctx;
    evloop_update(fd, s);
}

/* evloop_read_off - stop watching input */

void    evloop_read_off(int fd)
{
    EVLOOP_FD *s;

    if (fd < 0 || (size_t) fd >= evloop_nfds)
	return;
    s = evloop_fds + fd;
    s->rfn = 0;
    evloop_update(fd, s);
}

/* evloop_write_off - stop watching output */

void    evloop_write_off(int fd)
{
    EVLOOP_FD *s;

    if (fd < 0 || (size_t) fd >= evloop_nfds)
	return;
    s = evloop_fds + fd;
    s->wfn = 0;
    evloop_update(fd, s);
}

/* evloop_forget - stop watching fd at all (call before close) */

void    evloop_forget(int fd)
{
    evloop_read_off(fd);
    evloop_write_off(fd);
}

/* Heap helpers: slot is index+1 so 0 can mean "not armed". */

static void evloop_heap_put(size_t i, EVLOOP_TIMER *t)
{
    evloop_heap[i] = t;
    t->slot = i + 1;
}

static void evloop_sift_up(size_t i)
{
    EVLOOP_TIMER *t = evloop_heap[i];

    while (i > 0 && evloop_heap[(i - 1) / 2]->when > t->when) {
	evloop_heap_put(i, evloop_heap[(i - 1) / 2]);
	i = (i - 1) / 2;
    }
    evloop_heap_put(i, t);
}

static void evloop_sift_down(size_t i)
{
    EVLOOP_TIMER *t = evloop_heap[i];
    size_t  c;

    for (;;) {
	c = 2 * i + 1;
	if (c >= evloop_heap_len)
	    break;
	if (c + 1 < evloop_heap_len && evloop_heap[c + 1]->when < evloop_heap[c]->when)
	    c++;
	if (evloop_heap[c]->when >= t->when)
	    break;
	evloop_heap_put(i, evloop_heap[c]);
	i = c;
    }
    evloop_heap_put(i, t);
}

/* evloop_timer_cancel - disarm */

void    evloop_timer_cancel(EVLOOP_TIMER *t)
{
    size_t  i;
    EVLOOP_TIMER *last;

    if (t->slot == 0)
	return;
    i = t->slot - 1;
    t->slot = 0;
    last = evloop_heap[--evloop_heap_len];
    if (i == evloop_heap_len)
	return;
    evloop_heap_put(i, last);
    evloop_sift_down(i);
    evloop_sift_up(last->slot - 1);
}

/* evloop_timer_set - arm or re-arm */

void    evloop_timer_set(EVLOOP_TIMER *t, EVLOOP_TIMER_FN fn, void *ctx, long long delay_ms)
{
    evloop_init();
    evloop_timer_cancel(t);
    t->fn = fn;
    t->ctx = ctx;
    t->when = ios_now_ms() + (delay_ms > 0 ? delay_ms : 0);
    if (evloop_heap_len == evloop_heap_cap) {
	evloop_heap_cap = evloop_heap_cap ? 2 * evloop_heap_cap : 64;
	evloop_heap = myrealloc(evloop_heap, evloop_heap_cap * sizeof(*evloop_heap));
    }
    evloop_heap_put(evloop_heap_len++, t);
    evloop_sift_up(evloop_heap_len - 1);
}

/* evloop_now - time of this iteration */

long long evloop_now(void)
{
    if (evloop_time == 0)
	evloop_time = ios_now_ms();
    return (evloop_time);
}

/* evloop_run_timers - fire what is due */

static int evloop_run_timers(void)
{
    EVLOOP_TIMER *t;
    int     count = 0;

    while (evloop_heap_len > 0 && evloop_heap[0]->when <= evloop_time) {
	t = evloop_heap[0];
	evloop_timer_cancel(t);
	t->fn(t->ctx);
	count++;
    }
    return (count);
}

/* evloop_run_once - one round of waiting and dispatching */

int     evloop_run_once(int max_wait_ms)
{
    struct epoll_event evs[64];
    long long wait = max_wait_ms;
    int     n;
    int     i;
    int     count;
    EVLOOP_FD *s;

    evloop_init();
    evloop_time = ios_now_ms();
    if (evloop_heap_len > 0) {
	long long due = evloop_heap[0]->when - evloop_time;

	if (due < 0)
	    due = 0;
	if (wait < 0 || due < wait)
	    wait = due;
    }
    /* Waiting for work is no hang; what the handlers and the caller's
     * loop do until the next call is one watchdog step. */
    if (wait != 0)
	watchdog_pause();
    n = epoll_wait(evloop_epfd, evs, 64, (int) wait);
    if (n < 0 && errno != EINTR)
	msg_fatal("epoll_wait: %m");
    watchdog_pat();
    evloop_time = ios_now_ms();
    count = 0;
    for (i = 0; i < n; i++) {
	int     fd = evs[i].data.fd;

	s = evloop_slot(fd);
	if ((evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && s->rfn) {
	    s->rfn(fd, s->rctx);
	    count++;
	}
	s = evloop_slot(fd);			/* the handler may have grown the table */
	if ((evs[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) && s->wfn) {
	    s->wfn(fd, s->wctx);
	    count++;
	}
    }
    count += evloop_run_timers();
    return (count);
}
