/* master_proto - what master and its children agree on: descriptors and status messages */
#ifndef MASTER_PROTO_H
#define MASTER_PROTO_H
#include <sys/types.h>

/*
 * A child finds these descriptors ready when it starts:
 * MASTER_ALIVE_FD reads from a pipe whose other end master holds; end of
 * file means "finish the current request and exit" (reload, stop, master
 * died). MASTER_STATUS_FD writes status messages to master. Listeners
 * follow from MASTER_LISTEN_FD on, as many as the -s option says. A child
 * busy with a request when master dies learns it from its parent-death
 * signal instead (server.c) and closes its copies of the listeners at
 * once, so a new master can open them.
 */
#define MASTER_ALIVE_FD		3
#define MASTER_STATUS_FD	4
#define MASTER_LISTEN_FD	5

typedef struct MASTER_STATUS {
    pid_t   pid;
    int     avail;			/* MASTER_STAT_* */
} MASTER_STATUS;

#define MASTER_STAT_TAKEN	0	/* busy with a client */
#define MASTER_STAT_AVAIL	1	/* waiting for a client */

/* Environment: (postlogd only) copy log lines to stdout. */
#define MASTER_ENV_LOG_TEE	"POSTHORN_LOG_TEE"

/*
 * The main.cf master last validated (start or reload), with its
 * config_directory appended. A daemon whose main.cf has become unreadable
 * or invalid since then runs with this instead, so a broken edit cannot
 * take a running instance down before the admin notices it.
 */
#define MASTER_ENV_SNAPSHOT	"POSTHORN_CONFIG_SNAPSHOT"
#define MASTER_SNAPSHOT_FILE	"pid/main.cf.valid"

/*
 * master's verdict on its newest reload (reload_status.h): written at
 * start-up and at the beginning and end of every reload, read by posthorn
 * reload, which waits for it. Removed with the pid file at stop.
 */
#define MASTER_RELOAD_FILE	"pid/master.reload"

#endif
