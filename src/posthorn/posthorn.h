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
/* hold, release, delete, requeue (argv[0] says which) */
extern int posthorn_admin(int argc, char **argv);

/* Load main.cf of the selected instance or exit with the error. */
extern void posthorn_load_config(void);
/* Pid of the running master of this instance, or 0. */
extern pid_t posthorn_master_pid(void);

/* Embedded default master.cf (conf/master.cf). */
extern const char posthorn_master_cf[];

#endif
