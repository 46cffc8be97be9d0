/* master - internal interfaces of the process manager */
#ifndef MASTER_H
#define MASTER_H
#include <sys/types.h>
#include "argv.h"
#include "dstr.h"
#include "evloop.h"
#include "mastercf.h"

#define MASTER_LISTEN_OFF	0	/* not watched: children accept */
#define MASTER_LISTEN_SPAWN	1	/* work waits: spawn a child */
#define MASTER_LISTEN_DRAIN	2	/* throttled: close what connects */

typedef struct MASTER_SERV {
    char   *key;			/* "type name": identity across reloads */
    char   *name;			/* master.cf service field */
    char   *type;			/* inet, unix, unix-dgram */
    int     private_;
    int     unpriv;
    int     chroot;
    int     wakeup;			/* seconds, 0 = none */
    int     wakeup_if_used;		/* "N?": only after the first child ran */
    int     used;			/* a child was ever spawned */
    int     maxproc;			/* 0 = no limit */
    ARGV   *args;			/* master.cf command and arguments */
    char   *path;			/* daemon_directory/command */
    char   *sock_path;			/* unix types: absolute socket path */
    int    *listen_fds;
    int     nlisten;
    int     status_rd;			/* children's status messages */
    int     status_wr;
    int     alive_rd;			/* end of file: children must go */
    int     alive_wr;
    int     gen;			/* bumped when children must be replaced */
    int     total;			/* children of the current generation */
    int     avail;			/* ... of which idle */
    int     throttled;
    int     listening;			/* MASTER_LISTEN_*: how listeners are watched */
    int     active;			/* still in master.cf */
    EVLOOP_TIMER throttle_timer;
    EVLOOP_TIMER wakeup_timer;
    struct MASTER_SERV *next;
} MASTER_SERV;

typedef struct MASTER_PROC {
    pid_t   pid;
    MASTER_SERV *serv;
    int     gen;
    int     avail;
    int     use_count;
    long long start_ms;			/* when it was spawned (monotonic) */
    struct MASTER_PROC *next;
} MASTER_PROC;

extern MASTER_SERV *master_services;
extern const char *master_config_dir;
extern int master_foreground;		/* start-fg: log lines go to stdout too */
extern int master_stopping;

/* master_service.c */
/* Build services from master.cf, reusing listeners of unchanged services. 0, or
 * -1 and err, with errno EADDRINUSE when a listening address was taken. */
extern int master_services_load(const MASTERCF *cf, DSTR *err);
/* Make the children of one service (all: serv NULL) exit after their current request. */
extern void master_services_retire(MASTER_SERV *serv);
/* Watch a service's listeners exactly when a new child could be needed. */
extern void master_service_update(MASTER_SERV *serv);
/* Free services that left master.cf and have no children left. */
extern void master_services_gc(void);
/* The service with this master.cf name and type, or NULL. */
extern MASTER_SERV *master_service_find(const char *type, const char *name);

/* master_spawn.c */
/*
 * A child that ends abnormally counts as a failed start, which throttles
 * its service for service_throttle_time, when it never took a request
 * (Postfix's rule) or when, with one request on record, it died outside
 * it within this time of being spawned, other than by SIGKILL (an
 * event-driven daemon reports its one request as soon as it runs, so only
 * this catches it crashing right away).
 */
#define MASTER_START_GRACE_MS	2000
extern void master_spawn(MASTER_SERV *serv);
extern void master_reap(void);
extern void master_status_event(int fd, void *ctx);
extern void master_wakeup_arm(MASTER_SERV *serv, int delay);
/* Signal every child of serv (all: NULL); returns how many are left. */
extern int master_kill(MASTER_SERV *serv, int sig);
extern int master_proc_count(MASTER_SERV *serv);

/* master_listen.c */
/* Open the listeners of an inet service ("host:port" or "port"); -1, err and errno. */
extern int master_listen_inet(MASTER_SERV *serv, DSTR *err);
extern int master_listen_unix(MASTER_SERV *serv, DSTR *err);

#endif
