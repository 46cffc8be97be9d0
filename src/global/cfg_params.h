/* cfg_params - the var_ variable behind every main.cf parameter */
#ifndef CFG_PARAMS_H
#define CFG_PARAMS_H

/* Installation and identity */
extern char *var_config_dir;		/* config_directory */
extern char *var_queue_dir;		/* queue_directory */
extern char *var_daemon_dir;		/* daemon_directory */
extern char *var_data_dir;		/* data_directory */
extern char *var_mail_owner;		/* mail_owner */
extern char *var_mail_name;		/* mail_name: "posthorn" in Received: */
extern char *var_myhostname;		/* myhostname */
extern char *var_mydomain;		/* mydomain */
extern char *var_myorigin;		/* myorigin */
extern char *var_inet_interfaces;	/* inet_interfaces */
extern char *var_inet_protocols;	/* inet_protocols */

/* Logging */
extern char *var_syslog_name;		/* syslog_name */
extern char *var_syslog_facility;	/* syslog_facility */
extern char *var_maillog_file;		/* maillog_file */
extern char *var_maillog_rotate_suffix;	/* maillog_file_rotate_suffix */
extern char *var_postlog_service;	/* postlog_service_name */

/* Process management */
extern int var_proc_limit;		/* default_process_limit */
extern int var_use_limit;		/* max_use */
extern int var_idle_limit;		/* max_idle */
extern int var_throttle_time;		/* service_throttle_time */
extern int var_ipc_timeout;		/* ipc_timeout */
extern int var_daemon_timeout;		/* daemon_timeout */
extern char *var_pid_dir;		/* process_id_directory */

/* Submission limits and policy */
extern long var_message_limit;		/* message_size_limit */
extern int var_line_limit;		/* line_length_limit */
extern int var_hopcount_limit;		/* hopcount_limit */
extern long var_header_limit;		/* header_size_limit */
extern char *var_verp_filter;		/* verp_delimiter_filter */
extern int var_soft_bounce;		/* soft_bounce */
extern char *var_double_bounce_sender;	/* double_bounce_sender */
extern char *var_empty_addr;		/* empty_address_recipient */

/* qmqpd */
extern char *var_qmqpd_clients;		/* qmqpd_authorized_clients */
extern int var_qmqpd_timeout;		/* qmqpd_timeout */
extern int var_qmqpd_err_sleep;		/* qmqpd_error_delay */
extern int var_qmqpd_port_logging;	/* qmqpd_client_port_logging */

#endif
