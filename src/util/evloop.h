/* evloop - single-threaded event loop: descriptor readiness and timers */
#ifndef EVLOOP_H
#define EVLOOP_H
#include <stddef.h>

typedef void (*EVLOOP_FD_FN) (int fd, void *ctx);
typedef void (*EVLOOP_TIMER_FN) (void *ctx);

/* A timer lives in its owner's memory; zero it (or EVLOOP_TIMER_INIT) before first use. */
typedef struct EVLOOP_TIMER {
    long long when;			/* monotonic ms */
    size_t  slot;			/* heap position + 1; 0 = not armed */
    EVLOOP_TIMER_FN fn;
    void   *ctx;
} EVLOOP_TIMER;

#define EVLOOP_TIMER_INIT {0, 0, 0, 0}

/* Call fn when fd is readable / writable (level-triggered); replaces any earlier handler. */
extern void evloop_read(int fd, EVLOOP_FD_FN fn, void *ctx);
extern void evloop_write(int fd, EVLOOP_FD_FN fn, void *ctx);
/* Stop watching fd for reading / writing / both. Safe for unwatched fds. */
extern void evloop_read_off(int fd);
extern void evloop_write_off(int fd);
extern void evloop_forget(int fd);
/* (Re)arm t to call fn(ctx) once, delay_ms from now. */
extern void evloop_timer_set(EVLOOP_TIMER *t, EVLOOP_TIMER_FN fn, void *ctx, long long delay_ms);
extern void evloop_timer_cancel(EVLOOP_TIMER *t);
#define evloop_timer_armed(t) ((t)->slot != 0)
/*
 * Wait at most max_wait_ms (-1: until something happens) and dispatch what
 * is ready and every timer that is due. Returns the number of callbacks run.
 */
extern int evloop_run_once(int max_wait_ms);
/* Time of the current iteration, monotonic ms (cheap: no system call). */
extern long long evloop_now(void);

#endif
