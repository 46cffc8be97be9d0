/* posthorn - internal interfaces of the admin command */
#ifndef POSTHORN_H
#define POSTHORN_H
#include <sys/types.h>

/* Each subcommand gets its own arguments (argv[0] is the subcommand name)
 * and returns the exit status. Failures print one line and return non-zero. */
extern int posthorn_init(int argc, char **argv);
extern int posthorn_start(int argc, char **argv);
extern int posthorn_start_fg(int argc, char **argv);
extern int posthorn_stop(int argc, char **argv);
extern int posthorn_reload(int argc, char **argv);
extern int posthorn_status(int argc, char **argv);
extern int posthorn_check(int argc, char **argv);
extern int posthorn_logrotate(int argc, char **argv);
extern int posthorn_queue(int argc, char **argv);
extern int posthorn_cat(int argc, char **argv);
extern int posthorn_conf(int argc, char **argv);
extern int posthorn_send(int argc, char **argv);
extern int posthorn_flush(int argc, char **argv);
extern int posthorn_map(int argc, char **argv);
/* hold, release, delete, requeue (argv[0] says which) */
extern int posthorn_admin(int argc, char **argv);

/* Load main.cf of the selected instance or exit with the error. */
extern void posthorn_load_config(void);
/* Pid of the running master of this instance, or 0. */
extern pid_t posthorn_master_pid(void);

/* Talking to the running qmgr (posthorn_admin.c): a reply socket in
 * public/ (cwd must be the queue directory), one request and its count
 * (-1 on failure), and the scheduler state as JSON or text on stdout. */
struct DSTR;
extern int posthorn_qmgr_open(struct DSTR *reply_to);
extern void posthorn_qmgr_close(int sock, struct DSTR *reply_to);
extern int posthorn_qmgr_request(const char *request, const char *id, int sock,
				         const char *reply_to, const char *format);
extern int posthorn_qmgr_status(int json);
/* Whether the instance has a queue manager socket (ingest-only ones do not). */
extern int posthorn_qmgr_running(void);

/* Embedded default master.cf (conf/master.cf). */
extern const char posthorn_master_cf[];

#endif
