/* cfg_params - the var_ variable behind every main.cf parameter */
#ifndef CFG_PARAMS_H
#define CFG_PARAMS_H

/* Installation and identity */
extern char *var_config_dir;		/* config_directory */
extern char *var_queue_dir;		/* queue_directory */
extern char *var_daemon_dir;		/* daemon_directory */
extern char *var_data_dir;		/* data_directory */
extern char *var_mail_owner;		/* mail_owner */
extern char *var_mail_version;		/* mail_version */
/* The release this build is (the file VERSION), without reading main.cf. */
extern const char cfg_mail_version[];
/* daemon_directory as this build installs it (make DAEMON_DIR=...). */
extern const char cfg_daemon_dir_default[];
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
extern char *var_flush_users;		/* authorized_flush_users */
extern char *var_mailq_users;		/* authorized_mailq_users */
extern char *var_submit_users;		/* authorized_submit_users */
extern char *var_login_sender_maps;	/* local_login_sender_maps */
extern int var_metrics_dest_limit;	/* metrics_destination_limit */
extern char *var_metrics_clients;	/* metrics_authorized_clients */
extern int var_metrics_timeout;		/* metrics_timeout */
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
extern long var_queue_minfree;		/* queue_minfree */
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
extern int var_qmqpd_cconn_limit;	/* qmqpd_client_connection_limit */
extern char *var_qmqpd_hoggers;		/* qmqpd_client_event_limit_exceptions */
extern int var_qmqpd_min_rate;		/* qmqpd_min_data_rate */

/* Delivery: queue manager, bounces, SMTP client */
extern char *var_relayhost;		/* relayhost */
extern char *var_transport_maps;		/* transport_maps */
extern char *var_default_transport;		/* default_transport */
extern int var_queue_run_delay;		/* queue_run_delay */
extern int var_min_backoff;		/* minimal_backoff_time */
extern int var_max_backoff;		/* maximal_backoff_time */
extern int var_max_queue_time;		/* maximal_queue_lifetime */
extern int var_bounce_queue_time;		/* bounce_queue_lifetime */
extern int var_delay_warn_time;		/* delay_warning_time */
extern int var_qmgr_active_limit;		/* qmgr_message_active_limit */
extern int var_qmgr_rcpt_limit;		/* qmgr_message_recipient_limit */
extern int var_qmgr_rcpt_minimum;		/* qmgr_message_recipient_minimum */
extern int var_dest_con_limit;		/* default_destination_concurrency_limit */
extern int var_dest_rcpt_limit;		/* default_destination_recipient_limit */
extern int var_init_dest_con;		/* initial_destination_concurrency */
extern int var_transport_retry_time;		/* transport_retry_time */
extern char *var_defer_transports;		/* defer_transports */
extern char *var_notify_classes;		/* notify_classes */
extern char *var_bounce_rcpt;		/* bounce_notice_recipient */
extern char *var_2bounce_rcpt;		/* 2bounce_notice_recipient */
extern char *var_delay_rcpt;		/* delay_notice_recipient */
extern char *var_error_rcpt;		/* error_notice_recipient */
extern long var_bounce_limit;		/* bounce_size_limit */
extern int var_disable_verp_bounces;		/* disable_verp_bounces */
extern char *var_dkim_canon;		/* dkim_canonicalization */
extern char *var_dkim_key_table;		/* dkim_key_table */
extern char *var_dkim_oversign_headers;	/* dkim_oversign_headers */
extern char *var_dkim_sign_headers;		/* dkim_sign_headers */
extern int var_dkim_sig_ttl;		/* dkim_signature_ttl */
extern char *var_dkim_signing_table;		/* dkim_signing_table */
extern int var_delay_max_res;		/* delay_logging_resolution_limit */
extern char *var_dns_resolv_conf;		/* dns_resolv_conf */
extern int var_disable_dns;		/* disable_dns_lookups */
extern char *var_smtp_helo_name;		/* smtp_helo_name */
extern char *var_smtp_bind_addr;		/* smtp_bind_address */
extern char *var_smtp_bind_addr6;		/* smtp_bind_address6 */
extern int var_smtp_conn_tmout;		/* smtp_connect_timeout */
extern int var_smtp_helo_tmout;		/* smtp_helo_timeout */
extern int var_smtp_mail_tmout;		/* smtp_mail_timeout */
extern int var_smtp_rcpt_tmout;		/* smtp_rcpt_timeout */
extern int var_smtp_data0_tmout;		/* smtp_data_init_timeout */
extern int var_smtp_data1_tmout;		/* smtp_data_xfer_timeout */
extern int var_smtp_data2_tmout;		/* smtp_data_done_timeout */
extern int var_smtp_rset_tmout;		/* smtp_rset_timeout */
extern int var_smtp_quit_tmout;		/* smtp_quit_timeout */
extern int var_smtp_mxaddr_limit;		/* smtp_mx_address_limit */
extern int var_smtp_mx_group_conc;		/* smtp_mx_group_concurrency_limit */
extern char *var_smtp_mx_group_maps;		/* smtp_mx_group_maps */
extern int var_smtp_mx_group_delay;		/* smtp_mx_group_rate_delay */
extern int var_smtp_mxsess_limit;		/* smtp_mx_session_limit */
extern char *var_smtp_reply_throttle_maps;	/* smtp_reply_throttle_maps */
extern int var_smtp_skip_5xx;		/* smtp_skip_5xx_greeting */
extern int var_smtp_skip_quit_resp;		/* smtp_skip_quit_response */
extern int var_smtp_always_ehlo;		/* smtp_always_send_ehlo */
extern int var_smtp_line_limit;		/* smtp_line_length_limit */
extern int var_smtp_rand_addr;		/* smtp_randomize_addresses */
extern char *var_smtp_addr_pref;		/* smtp_address_preference */
extern int var_smtp_defer_mxaddr;		/* smtp_defer_if_no_mx_address_found */
extern int var_smtp_cache_demand;		/* smtp_connection_cache_on_demand */
extern char *var_smtp_cache_dest;		/* smtp_connection_cache_destinations */
extern int var_smtp_cache_conn;		/* smtp_connection_cache_time_limit */
extern int var_smtp_reuse_count;		/* smtp_connection_reuse_count_limit */
extern int var_smtp_reuse_time;		/* smtp_connection_reuse_time_limit */
extern int var_smtp_sasl_enable;		/* smtp_sasl_auth_enable */
extern char *var_smtp_sasl_passwd;		/* smtp_sasl_password_maps */
extern char *var_smtp_sasl_mechs;		/* smtp_sasl_mechanism_filter */
extern char *var_smtp_sasl_opts;		/* smtp_sasl_security_options */
extern char *var_smtp_sasl_tls_opts;		/* smtp_sasl_tls_security_options */
extern char *var_smtp_sasl_tlsv_opts;		/* smtp_sasl_tls_verified_security_options */
extern int var_smtp_sasl_soft_bounce;		/* smtp_sasl_auth_soft_bounce */
extern char *var_smtp_sasl_type;		/* smtp_sasl_type */
extern int var_smtp_starttls_tmout;		/* smtp_starttls_timeout */
extern char *var_smtp_tls_level;		/* smtp_tls_security_level */
extern char *var_smtp_tls_policy_maps;		/* smtp_tls_policy_maps */
extern char *var_smtp_tls_CAfile;		/* smtp_tls_CAfile */
extern char *var_smtp_tls_CApath;		/* smtp_tls_CApath */
extern char *var_smtp_tls_cert_file;		/* smtp_tls_cert_file */
extern char *var_smtp_tls_key_file;		/* smtp_tls_key_file */
extern char *var_smtp_tls_protocols;		/* smtp_tls_protocols */
extern char *var_smtp_tls_mand_proto;		/* smtp_tls_mandatory_protocols */
extern char *var_smtp_tls_ciphers;		/* smtp_tls_ciphers */
extern char *var_smtp_tls_mand_ciph;		/* smtp_tls_mandatory_ciphers */
extern char *var_smtp_tls_excl_ciph;		/* smtp_tls_exclude_ciphers */
extern char *var_smtp_tls_mand_excl;		/* smtp_tls_mandatory_exclude_ciphers */
extern char *var_smtp_tls_vfy_match;		/* smtp_tls_verify_cert_match */
extern char *var_smtp_tls_sec_match;		/* smtp_tls_secure_cert_match */
extern char *var_smtp_tls_servername;		/* smtp_tls_servername */
extern int var_smtp_tls_loglevel;		/* smtp_tls_loglevel */
extern int var_smtp_tls_note_offer;		/* smtp_tls_note_starttls_offer */
extern int var_smtp_tls_scache_tmout;		/* smtp_tls_session_cache_timeout */
extern int var_smtp_tls_verify_depth;		/* smtp_tls_scert_verifydepth */
extern char *var_proxy_interfaces;		/* proxy_interfaces */
extern int var_scache_ttl_lim;		/* connection_cache_ttl_limit */

/* Scheduling (issue 4) */
extern char *var_dest_con_pos_fb;		/* default_destination_concurrency_positive_feedback */
extern char *var_dest_con_neg_fb;		/* default_destination_concurrency_negative_feedback */
extern int var_dest_con_cohort;		/* default_destination_concurrency_failed_cohort_limit */
extern int var_dest_con_fb_debug;		/* destination_concurrency_feedback_debug */
extern int var_dest_rate_delay;		/* default_destination_rate_delay */
extern int var_transport_rate_delay;		/* default_transport_rate_delay */
extern int var_transport_rcpt_limit;		/* default_recipient_limit */
extern int var_transport_extra_rcpt;		/* default_extra_recipient_limit */
extern int var_rcpt_refill_limit;		/* default_recipient_refill_limit */
extern int var_rcpt_refill_delay;		/* default_recipient_refill_delay */
extern int var_slot_cost;		/* default_delivery_slot_cost */
extern int var_slot_discount;		/* default_delivery_slot_discount */
extern int var_slot_loan;		/* default_delivery_slot_loan */
extern int var_min_slots;		/* default_minimum_delivery_slots */
extern int var_qmgr_clog_warn_time;		/* qmgr_clog_warn_time */

#endif
