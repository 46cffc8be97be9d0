/*
 * cfg_params - the main.cf parameter table and the var_ variables behind it
 * DESCRIPTION
 *	One line per parameter: name, type, raw default, bounds, variable
 *	and a one-line meaning. The table is sorted by name (cfg looks names
 *	up by binary search; a unit test checks the order) and ends with a
 *	zeroed entry. Names, defaults and meanings follow Postfix wherever
 *	Postfix has the parameter. A NULL default is computed at load time
 *	(see cfg.c). Adding a parameter: one variable here, one extern in
 *	cfg_params.h, one table line, one entry in posthorn.conf(5).
 */
#include <stddef.h>

#include "cfg.h"
#include "cfg_params.h"

#ifndef DEF_DAEMON_DIR
#define DEF_DAEMON_DIR	"/usr/local/libexec/posthorn"
#endif

 /*
  * The variables. Strings start NULL and numbers 0 until the first
  * cfg_load(); after that they always hold a complete, valid set.
  */
char   *var_config_dir;
char   *var_queue_dir;
char   *var_daemon_dir;
char   *var_data_dir;
char   *var_mail_owner;
char   *var_mail_name;
char   *var_myhostname;
char   *var_mydomain;
char   *var_myorigin;
char   *var_inet_interfaces;
char   *var_inet_protocols;

char   *var_syslog_name;
char   *var_syslog_facility;
char   *var_maillog_file;
char   *var_maillog_rotate_suffix;
char   *var_postlog_service;

int     var_proc_limit;
int     var_use_limit;
int     var_idle_limit;
int     var_throttle_time;
int     var_ipc_timeout;
int     var_daemon_timeout;
char   *var_pid_dir;

long    var_message_limit;
int     var_line_limit;
int     var_hopcount_limit;
long    var_header_limit;
char   *var_verp_filter;
int     var_soft_bounce;
char   *var_double_bounce_sender;
char   *var_empty_addr;

char   *var_qmqpd_clients;
int     var_qmqpd_timeout;
int     var_qmqpd_err_sleep;
int     var_qmqpd_port_logging;

 /*
  * One macro per type, so each table line stays short and a variable of
  * the wrong C type fails to compile (the conditional needs both pointer
  * types to agree) instead of being written through the wrong pointer.
  */
#define CFG_VAR(type, var)	((void *) (1 ? &(var) : (type *) 0))

#define P_STR(name, def, var, what) \
	{ name, CFG_STR, def, 0, 0, CFG_VAR(char *, var), what }
#define P_BOOL(name, def, var, what) \
	{ name, CFG_BOOL, def, 0, 0, CFG_VAR(int, var), what }
#define P_INT(name, def, min, max, var, what) \
	{ name, CFG_INT, def, min, max, CFG_VAR(int, var), what }
#define P_LONG(name, def, min, max, var, what) \
	{ name, CFG_LONG, def, min, max, CFG_VAR(long, var), what }
#define P_TIME(name, def, min, max, var, what) \
	{ name, CFG_TIME, def, min, max, CFG_VAR(int, var), what }

const CFG_PARAM cfg_params[] = {
    P_STR("config_directory", NULL, var_config_dir,
	  "directory with main.cf and master.cf (the one main.cf was read from)"),
    P_STR("daemon_directory", DEF_DAEMON_DIR, var_daemon_dir,
	  "directory with the daemon programs that master runs"),
    P_TIME("daemon_timeout", "18000s", 1, 0, var_daemon_timeout,
	   "time a daemon may spend on one request before its watchdog kills it"),
    P_STR("data_directory", "/var/lib/posthorn", var_data_dir,
	  "directory for posthorn-writable data that is not queue files"),
    P_INT("default_process_limit", "100", 1, 0, var_proc_limit,
	  "process limit of a master.cf service whose maxproc field is -"),
    P_STR("double_bounce_sender", "double-bounce", var_double_bounce_sender,
	  "sender of notices that must not bounce, and where such bounces go"),
    P_STR("empty_address_recipient", "MAILER-DAEMON", var_empty_addr,
	  "name shown for the null sender, e.g. in an added From: header"),
    P_LONG("header_size_limit", "102400", 1, 0, var_header_limit,
	   "bytes kept of one message header field; the excess is discarded"),
    P_INT("hopcount_limit", "50", 1, 0, var_hopcount_limit,
	  "Received: headers a message may carry before it is rejected as a loop"),
    P_STR("inet_interfaces", "all", var_inet_interfaces,
	  "local addresses that inet services listen on (all, loopback-only, a list)"),
    P_STR("inet_protocols", "all", var_inet_protocols,
	  "IP versions to use: all, ipv4, ipv6, or ipv4, ipv6"),
    P_TIME("ipc_timeout", "3600s", 1, 0, var_ipc_timeout,
	   "time limit for one read or write on an internal connection"),
    P_INT("line_length_limit", "2048", 1, 0, var_line_limit,
	  "longest QMQP sender or recipient address accepted, in bytes"),
    P_STR("mail_name", "posthorn", var_mail_name,
	  "the mail system's name, as shown in Received: headers"),
    P_STR("mail_owner", "posthorn", var_mail_owner,
	  "unprivileged user that owns the queue and runs unprivileged daemons"),
    P_STR("maillog_file", "", var_maillog_file,
	  "log to this file instead of syslog (empty: syslog)"),
    P_STR("maillog_file_rotate_suffix", "%Y%m%d-%H%M%S", var_maillog_rotate_suffix,
	  "strftime(3) format appended to maillog_file when it is rotated"),
    P_TIME("max_idle", "100s", 1, 0, var_idle_limit,
	   "time a daemon waits for a new request before it exits"),
    P_INT("max_use", "100", 1, 0, var_use_limit,
	  "requests a daemon serves before it exits"),
    P_LONG("message_size_limit", "10240000", 0, 0, var_message_limit,
	   "largest message in bytes, envelope included; 0 means no limit"),
    P_STR("mydomain", NULL, var_mydomain,
	  "this system's domain (myhostname minus its first label, or localdomain)"),
    P_STR("myhostname", NULL, var_myhostname,
	  "this system's fully-qualified host name (gethostname, plus $mydomain)"),
    P_STR("myorigin", "$myhostname", var_myorigin,
	  "domain that locally-posted mail appears to come from"),
    P_STR("postlog_service_name", "postlog", var_postlog_service,
	  "name of the public/ socket that carries log lines to maillog_file"),
    P_STR("process_id_directory", "pid", var_pid_dir,
	  "directory for pid files, relative to queue_directory"),
    P_STR("qmqpd_authorized_clients", "", var_qmqpd_clients,
	  "clients allowed to use the QMQP service (empty: none)"),
    P_BOOL("qmqpd_client_port_logging", "no", var_qmqpd_port_logging,
	   "log the client port along with its name and address"),
    P_TIME("qmqpd_error_delay", "1s", 0, 0, var_qmqpd_err_sleep,
	   "delay before the QMQP server sends a negative reply"),
    P_TIME("qmqpd_timeout", "300s", 1, 0, var_qmqpd_timeout,
	   "time limit for one read or write by the QMQP server"),
    P_STR("queue_directory", "/var/spool/posthorn", var_queue_dir,
	  "root of the mail queue; daemons chroot here"),
    P_TIME("service_throttle_time", "60s", 1, 0, var_throttle_time,
	   "time master waits before restarting a service that failed at start"),
    P_BOOL("soft_bounce", "no", var_soft_bounce,
	   "turn permanent delivery and receipt errors into temporary ones"),
    P_STR("syslog_facility", "mail", var_syslog_facility,
	  "syslog facility of posthorn's log lines"),
    P_STR("syslog_name", "posthorn", var_syslog_name,
	  "prefix of every log line: syslog_name/daemon[pid]"),
    P_STR("verp_delimiter_filter", "-=+", var_verp_filter,
	  "characters allowed as VERP delimiters"),
    {0},
};
