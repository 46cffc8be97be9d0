/* server - the daemon skeleton every posthorn program started by master runs in */
#ifndef SERVER_H
#define SERVER_H

typedef struct SERVER_DESC {
    const char *name;			/* program name, for logging */
    /* One client connection (stream services); the skeleton closes fd after. */
    void    (*service) (int fd, const char *service, char **argv);
    /* While still privileged and outside the chroot: open files, tables, sockets. */
    void    (*pre_jail) (const char *service, char **argv);
    /* After the privilege drop, before serving. */
    void    (*post_jail) (const char *service, char **argv);
    /* Event-driven servers (qmgr, postlogd) run their own loop instead of
     * the accept loop; they must return once server_should_exit() says so. */
    void    (*loop) (const int *fds, int nfds);
    int     flags;
} SERVER_DESC;

#define SERVER_FLAG_PERSISTENT	(1<<0)	/* ignore max_idle and max_use */

/*
 * Generic options, as Postfix daemons take them from master.cf:
 * -c chroot to queue_directory (when root), -u accepted for master.cf
 * habits (a daemon started as root always becomes mail_owner), -n service name, -t transport type, -s listener count, -o
 * name=value parameter override (repeatable), -v more logging, -S serve
 * one session on standard input/output (tests). Then: read main.cf, set up
 * logging, chdir to queue_directory, pre_jail, chroot and setuid,
 * post_jail, serve until max_use requests, max_idle idle seconds, or master
 * says to go. Never returns.
 */
extern _Noreturn void server_main(int argc, char **argv, const SERVER_DESC *desc);
/* Descriptor that becomes readable (end of file) when the daemon should exit. */
extern int server_alive_fd(void);
/* Non-zero once master has asked us to exit (checked without blocking). */
extern int server_should_exit(void);
/*
 * Has a lookup table this process opened been rebuilt or removed? Then
 * log "table TYPE:NAME has changed -- restarting" and return 1; the
 * caller finishes its current request and exits 0, and master starts a
 * new process. The accept loop does this by itself; daemons with their
 * own loop (qmgr) call it between requests.
 */
extern int server_tables_changed(void);
/* Tell master we are busy / idle again (no-op when not run by master). */
extern void server_status(int avail);
/* The master.cf service name (-n), e.g. "cleanup" or "628". */
extern const char *server_service_name;

#endif
