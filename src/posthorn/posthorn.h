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
extern int posthorn_qshape(int argc, char **argv);
extern int posthorn_cat(int argc, char **argv);
extern int posthorn_conf(int argc, char **argv);
extern int posthorn_send(int argc, char **argv);
extern int posthorn_flush(int argc, char **argv);
extern int posthorn_map(int argc, char **argv);
/* Prometheus metrics of the instance on stdout */
extern int posthorn_metrics(int argc, char **argv);
/* sendmail (-bp: queue, -q: flush); also run by the names sendmail and mailq */
extern int posthorn_sendmail(int argc, char **argv);
/* dkim keygen, dkim verify (argv[1] says which) */
extern int posthorn_dkim(int argc, char **argv);
/* hold, release, delete, requeue (argv[0] says which) */
extern int posthorn_admin(int argc, char **argv);
/* DKIM keys and tables as cleanup will load them; use_dns: compare with DNS. 0 or -1. */
extern int posthorn_dkim_check(int use_dns);

/* sendmail's options (posthorn_sendmail.c). */
#define SENDMAIL_DELIVER	0	/* -bm: queue the message */
#define SENDMAIL_MAILQ		1	/* -bp: list the queue */
#define SENDMAIL_FLUSH		2	/* -q: flush */
typedef struct SENDMAIL_OPTS {
    int     mode;			/* SENDMAIL_* */
    int     extract;			/* -t */
    int     ignore_dots;		/* -i, -oi */
    const char *sender;			/* -f, -r; NULL: our own */
    const char *full_name;		/* -F */
    const char *config_dir;		/* -C */
    char  **rcpts;			/* the arguments after the options */
    int     nrcpt;
} SENDMAIL_OPTS;
struct DSTR;
/* Parse sendmail's command line (argv[0] is the command's name): 0, or
 * -1 with the reason in err (a bad or unsupported option, no recipient
 * without -t). Options of other MTAs that mean nothing here are skipped. */
extern int posthorn_sendmail_parse(int argc, char **argv, SENDMAIL_OPTS *opts, struct DSTR *err);
/* Select the instance in dir (made absolute), for this process and the
 * programs it starts. */
extern void posthorn_set_config_dir(const char *dir);

/* Load main.cf of the selected instance or exit with the error. */
extern void posthorn_load_config(void);
/* For commands that change nothing (queue, cat, flush, status): main.cf,
 * or while it is broken the copy master last validated, with a warning. */
extern void posthorn_load_config_readonly(void);
/* Pid of the running master of this instance, or 0. */
extern pid_t posthorn_master_pid(void);

/* Talking to the running qmgr (posthorn_admin.c). One request (an
 * attribute list, admin_proto.h): the count it answered, or -1 with the
 * reason in why; what follows the answer goes to body when not NULL. */
struct DSTR;
extern int posthorn_qmgr_ask(const struct DSTR *req, struct DSTR *body, struct DSTR *why);
/* qmgr's report (request status) in format json, text or metrics into
 * body: 0, or -1 with the reason in why. */
extern int posthorn_qmgr_report(const char *format, struct DSTR *body, struct DSTR *why);
/* The spool's queues and qmgr's report (format json, json_summary or
 * text) on stdout; 0 or -1. */
extern int posthorn_qmgr_status(const char *format);
/* Whether the instance has a queue manager socket (ingest-only ones do not). */
extern int posthorn_qmgr_running(void);
/* May we change the queue? (root or mail_owner: we can enter private/) */
extern int posthorn_privileged(void);
/* Stop with a clear reason unless posthorn_privileged(). */
extern void posthorn_require_privilege(const char *what);

/* Embedded default master.cf (conf/master.cf). */
extern const char posthorn_master_cf[];
extern const char posthorn_reply_throttle[];	/* conf/smtp_reply_throttle */
extern const char posthorn_mx_group[];	/* conf/smtp_mx_group */

#endif
