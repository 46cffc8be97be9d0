/*
 * gcommit - group commit of the spool
 * DESCRIPTION
 *	A message is accepted only once its queue file and the directory entry
 *	that names it are durable (docs/design.md, invariants 1 and 2, and
 *	"Group commit"). A disk flush is the slowest thing a relay does, and
 *	concurrent cleanup processes each asking for their own would pay for
 *	one (or two) per message. Instead they share one: a small file mapped
 *	by every cleanup holds a ticket counter and the highest ticket known
 *	durable. A process that needs durability takes a ticket; if no sync
 *	that began after its ticket has finished, it tries to become the
 *	leader (a non-blocking flock), reads the ticket counter, runs syncfs()
 *	on the spool's file system, and then publishes that counter as
 *	durable: every process whose ticket is at most that value had done its
 *	writes and renames before the sync began, so the sync covers them.
 *	Those who find a leader at work wait on a futex in the shared page and
 *	are woken when it publishes; the first of them not covered becomes the
 *	next leader. So while one flush runs, the next batch gathers. When the
 *	last sync covered more than one message, a new leader also waits
 *	GCOMMIT_GATHER_US before it reads the counter, as PostgreSQL's
 *	commit_delay does: measured on the bench's virtual disk, that cut the
 *	flushes per message by a quarter at no cost in throughput.
 *
 *	A leader can be stopped (SIGSTOP) or stuck in the sync; a follower
 *	waits at most the caller's timeout and then syncs on its own (the
 *	caller fsyncs its file and directory), so nobody is answered early and
 *	nobody waits forever. A leader that dies releases the flock with its
 *	descriptor. The shared file carries no mail: when it is damaged or
 *	missing, cleanup falls back to its own syncs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "gcommit.h"
#include "mymalloc.h"

#define GCOMMIT_MAP_SIZE	4096
#define GCOMMIT_RECHECK_MS	20	/* a waiter looks again without a wake-up */
#define GCOMMIT_GATHER_US	300	/* a leader waits for company this long */

/* The shared page. Only ever grows from zero, so a fresh file is valid. */
typedef struct GCOMMIT_SHARED {
    uint64_t ticket;			/* last ticket handed out */
    uint64_t durable;			/* every ticket up to this is durable */
    uint32_t wake;			/* futex word: bumped when durable moves */
    uint32_t last_batch;		/* tickets the last sync covered */
    uint64_t syncs;			/* leaders' syncs so far */
} GCOMMIT_SHARED;

struct GCOMMIT {
    int     fd;
    GCOMMIT_SHARED *sh;
};

/* gcommit_open - map the shared state */

GCOMMIT *gcommit_open(int dirfd, const char *name)
{
    struct stat st;
    GCOMMIT *gc;
    void   *map;
    int     fd;

    if ((fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
	return (NULL);
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)
	|| (st.st_size < GCOMMIT_MAP_SIZE && ftruncate(fd, GCOMMIT_MAP_SIZE) < 0)
	|| (map = mmap(NULL, GCOMMIT_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0)) == MAP_FAILED) {
	if (errno == 0)
	    errno = EINVAL;
	close(fd);
	return (NULL);
    }
    gc = mymalloc(sizeof(*gc));
    gc->fd = fd;
    gc->sh = map;
    return (gc);
}

/* gcommit_close - unmap */

void    gcommit_close(GCOMMIT *gc)
{
    (void) munmap(gc->sh, GCOMMIT_MAP_SIZE);
    (void) close(gc->fd);
    free(gc);
}

/* gcommit_now_ms - monotonic milliseconds */

static long long gcommit_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ((long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/*
 * gcommit_gather - when the last sync covered more than one message, others
 * are committing too: wait GCOMMIT_GATHER_US before reading the ticket
 * counter, so that the ones a moment away share this flush instead of
 * paying for the next one. A lone client never waits.
 */

static void gcommit_gather(GCOMMIT_SHARED *sh)
{
    static const struct timespec gather = {0, GCOMMIT_GATHER_US * 1000L};

    if (__atomic_load_n(&sh->last_batch, __ATOMIC_ACQUIRE) > 1)
	(void) nanosleep(&gather, NULL);
}

/* gcommit_wake - every waiter looks again */

static void gcommit_wake(GCOMMIT_SHARED *sh)
{
    __atomic_add_fetch(&sh->wake, 1, __ATOMIC_RELEASE);
    (void) syscall(SYS_futex, &sh->wake, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* gcommit_publish - tickets up to target are durable; wake the waiters */

static void gcommit_publish(GCOMMIT_SHARED *sh, uint64_t target)
{
    uint64_t cur = __atomic_load_n(&sh->durable, __ATOMIC_ACQUIRE);

    if (target > cur)
	__atomic_store_n(&sh->last_batch, (uint32_t) (target - cur > UINT32_MAX ?
					      UINT32_MAX : target - cur), __ATOMIC_RELEASE);
    while (cur < target
	   && !__atomic_compare_exchange_n(&sh->durable, &cur, target, 0,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
	 /* cur was reloaded */ ;
    gcommit_wake(sh);
}

/* gcommit_lead - we hold the flock: sync for everyone who came before */

static int gcommit_lead(GCOMMIT *gc, int fs_fd, uint64_t mine)
{
    uint64_t target;
    int     ret = 0;
    int     saved = 0;

    if (__atomic_load_n(&gc->sh->durable, __ATOMIC_ACQUIRE) < mine) {
	gcommit_gather(gc->sh);
	target = __atomic_load_n(&gc->sh->ticket, __ATOMIC_ACQUIRE);
	if ((ret = syncfs(fs_fd)) < 0) {
	    saved = errno;
	} else {
	    __atomic_add_fetch(&gc->sh->syncs, 1, __ATOMIC_RELAXED);
	    gcommit_publish(gc->sh, target);
	}
    }
    (void) flock(gc->fd, LOCK_UN);
    if (ret < 0) {
	/* Wake the others: one of them will try again, or fail as we did. */
	gcommit_wake(gc->sh);
	errno = saved;
	return (-1);
    }
    return (0);
}

/* gcommit_sync - durable, together with whoever else is committing */

int     gcommit_sync(GCOMMIT *gc, int fs_fd, int timeout_ms)
{
    uint64_t mine = __atomic_add_fetch(&gc->sh->ticket, 1, __ATOMIC_ACQ_REL);
    long long deadline = gcommit_now_ms() + timeout_ms;
    struct timespec wait;
    uint32_t seen;
    long long left;

    for (;;) {
	seen = __atomic_load_n(&gc->sh->wake, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&gc->sh->durable, __ATOMIC_ACQUIRE) >= mine)
	    return (0);
	if (flock(gc->fd, LOCK_EX | LOCK_NB) == 0)
	    return (gcommit_lead(gc, fs_fd, mine));
	if ((left = deadline - gcommit_now_ms()) <= 0)
	    return (-2);
	/* Sleep until the leader publishes, or GCOMMIT_RECHECK_MS pass: a
	 * leader that died published nothing, and its flock is free now.
	 * Not shorter: fifty waiters polling every millisecond cost more
	 * CPU than the sync they wait for. */
	if (left > GCOMMIT_RECHECK_MS)
	    left = GCOMMIT_RECHECK_MS;
	wait.tv_sec = 0;
	wait.tv_nsec = left * 1000000L;
	(void) syscall(SYS_futex, &gc->sh->wake, FUTEX_WAIT, seen, &wait, NULL, 0);
    }
}

/* gcommit_counts - for tests and diagnostics */

void    gcommit_counts(const GCOMMIT *gc, unsigned long *tickets, unsigned long *syncs)
{
    *tickets = (unsigned long) __atomic_load_n(&gc->sh->ticket, __ATOMIC_ACQUIRE);
    *syncs = (unsigned long) __atomic_load_n(&gc->sh->syncs, __ATOMIC_ACQUIRE);
}
