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
#include "cfg_check.h"

#ifndef POSTHORN_VERSION
#define POSTHORN_VERSION "unknown"	/* built without the Makefile (fuzz targets) */
#endif

const char cfg_mail_version[] = POSTHORN_VERSION;

/* RFC 6376 5.4.1's recommended fields, and the mailing list fields (RFC 2369,
 * 2919, 8058) that providers check on bulk mail. */
#define DEF_DKIM_SIGN_HEADERS "From, Reply-To, Subject, Date, To, Cc, Message-ID, " \
	"In-Reply-To, References, MIME-Version, Content-Type, Content-Transfer-Encoding, " \
	"List-Id, List-Help, List-Unsubscribe, List-Unsubscribe-Post, List-Subscribe, " \
	"List-Post, List-Owner, List-Archive"

#ifndef DEF_DAEMON_DIR
#define DEF_DAEMON_DIR	"/usr/local/libexec/posthorn"
#endif

const char cfg_daemon_dir_default[] = DEF_DAEMON_DIR;

 /*
  * The variables. Strings start NULL and numbers 0 until the first
  * cfg_load(); after that they always hold a complete, valid set.
  */
char   *var_config_dir;
char   *var_queue_dir;
char   *var_daemon_dir;
char   *var_data_dir;
char   *var_mail_owner;
char   *var_mail_version;
char   *var_mail_name;
char   *var_myhostname;
char   *var_mydomain;
char   *var_myorigin;
char   *var_inet_interfaces;
char   *var_inet_protocols;

char   *var_syslog_name;
char   *var_syslog_facility;
char   *var_maillog_file;
char   *var_flush_users;
char   *var_mailq_users;
char   *var_submit_users;
char   *var_login_sender_maps;
int     var_metrics_dest_limit;
char   *var_metrics_clients;
int     var_metrics_timeout;
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
long    var_queue_minfree;
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
int     var_qmqpd_cconn_limit;
char   *var_qmqpd_hoggers;
int     var_qmqpd_min_rate;

/* Delivery: queue manager, bounces, SMTP client (issue 3). */
char   *var_relayhost;
char   *var_transport_maps;
char   *var_default_transport;
int     var_queue_run_delay;
int     var_min_backoff;
int     var_max_backoff;
int     var_max_queue_time;
int     var_bounce_queue_time;
int     var_delay_warn_time;
int     var_qmgr_active_limit;
int     var_qmgr_rcpt_limit;
int     var_qmgr_rcpt_minimum;
int     var_dest_con_limit;
int     var_dest_rcpt_limit;
int     var_init_dest_con;
int     var_transport_retry_time;
char   *var_defer_transports;
char   *var_notify_classes;
char   *var_bounce_rcpt;
char   *var_2bounce_rcpt;
char   *var_delay_rcpt;
char   *var_error_rcpt;
long    var_bounce_limit;
int     var_disable_verp_bounces;
char   *var_dkim_canon;
char   *var_dkim_key_table;
char   *var_dkim_oversign_headers;
char   *var_dkim_sign_headers;
int     var_dkim_sig_ttl;
char   *var_dkim_signing_table;
int     var_delay_max_res;
char   *var_dns_resolv_conf;
int     var_disable_dns;
char   *var_smtp_helo_name;
char   *var_smtp_bind_addr;
char   *var_smtp_bind_addr6;
int     var_smtp_conn_tmout;
int     var_smtp_helo_tmout;
int     var_smtp_mail_tmout;
int     var_smtp_rcpt_tmout;
int     var_smtp_data0_tmout;
int     var_smtp_data1_tmout;
int     var_smtp_data2_tmout;
int     var_smtp_rset_tmout;
int     var_smtp_quit_tmout;
int     var_smtp_mxaddr_limit;
int     var_smtp_mx_group_conc;
char   *var_smtp_mx_group_maps;
int     var_smtp_mx_group_delay;
int     var_smtp_mxsess_limit;
char   *var_smtp_reply_throttle_maps;
int     var_smtp_skip_5xx;
int     var_smtp_skip_quit_resp;
int     var_smtp_always_ehlo;
int     var_smtp_line_limit;
int     var_smtp_rand_addr;
char   *var_smtp_addr_pref;
int     var_smtp_defer_mxaddr;
int     var_smtp_cache_demand;
char   *var_smtp_cache_dest;
int     var_smtp_cache_conn;
int     var_smtp_reuse_count;
int     var_smtp_reuse_time;
int     var_smtp_sasl_enable;
char   *var_smtp_sasl_passwd;
char   *var_smtp_sasl_mechs;
char   *var_smtp_sasl_opts;
char   *var_smtp_sasl_tls_opts;
char   *var_smtp_sasl_tlsv_opts;
int     var_smtp_sasl_soft_bounce;
char   *var_smtp_sasl_type;
int     var_smtp_starttls_tmout;
char   *var_smtp_tls_level;
char   *var_smtp_tls_policy_maps;
char   *var_smtp_tls_CAfile;
char   *var_smtp_tls_CApath;
char   *var_smtp_tls_cert_file;
char   *var_smtp_tls_key_file;
char   *var_smtp_tls_protocols;
char   *var_smtp_tls_mand_proto;
char   *var_smtp_tls_ciphers;
char   *var_smtp_tls_mand_ciph;
char   *var_smtp_tls_excl_ciph;
char   *var_smtp_tls_mand_excl;
char   *var_smtp_tls_vfy_match;
char   *var_smtp_tls_sec_match;
char   *var_smtp_tls_servername;
int     var_smtp_tls_loglevel;
int     var_smtp_tls_note_offer;
int     var_smtp_tls_scache_tmout;
int     var_smtp_tls_verify_depth;
char   *var_proxy_interfaces;
int     var_scache_ttl_lim;

/* Scheduling: nqmgr per-transport defaults (issue 4). */
char   *var_dest_con_pos_fb;
char   *var_dest_con_neg_fb;
int     var_dest_con_cohort;
int     var_dest_con_fb_debug;
int     var_dest_rate_delay;
int     var_transport_rate_delay;
int     var_transport_rcpt_limit;
int     var_transport_extra_rcpt;
int     var_rcpt_refill_limit;
int     var_rcpt_refill_delay;
int     var_slot_cost;
int     var_slot_discount;
int     var_slot_loan;
int     var_min_slots;
int     var_qmgr_clog_warn_time;

 /*
  * One macro per type, so each table line stays short and a variable of
  * the wrong C type fails to compile (the conditional needs both pointer
  * types to agree) instead of being written through the wrong pointer.
  */
#define CFG_VAR(type, var)	((void *) (1 ? &(var) : (type *) 0))

#define P_STR(name, def, var, what) \
	{ name, CFG_STR, def, 0, 0, CFG_VAR(char *, var), what, 0 }
#define P_STRC(name, def, var, check, what) \
	{ name, CFG_STR, def, 0, 0, CFG_VAR(char *, var), what, check }
#define P_BOOL(name, def, var, what) \
	{ name, CFG_BOOL, def, 0, 0, CFG_VAR(int, var), what, 0 }
#define P_INT(name, def, min, max, var, what) \
	{ name, CFG_INT, def, min, max, CFG_VAR(int, var), what, 0 }
#define P_LONG(name, def, min, max, var, what) \
	{ name, CFG_LONG, def, min, max, CFG_VAR(long, var), what, 0 }
#define P_TIME(name, def, min, max, var, what) \
	{ name, CFG_TIME, def, min, max, CFG_VAR(int, var), what, 0 }

const CFG_PARAM cfg_params[] = {
    P_STR("2bounce_notice_recipient", "postmaster", var_2bounce_rcpt,
	  "who gets undeliverable bounces (notify_classes 2bounce)"),
    P_STR("authorized_flush_users", "static:anyone", var_flush_users,
	  "users who may flush the queue (besides root and mail_owner)"),
    P_STR("authorized_mailq_users", "static:anyone", var_mailq_users,
	  "users who may list the queue (besides root and mail_owner)"),
    P_STR("authorized_submit_users", "static:anyone", var_submit_users,
	  "users who may submit mail with sendmail (besides root and mail_owner)"),
    P_STR("bounce_notice_recipient", "postmaster", var_bounce_rcpt,
	  "who gets a copy of bounced mail's headers (notify_classes bounce)"),
    P_TIME("bounce_queue_lifetime", "5d", 0, 8640000, var_bounce_queue_time,
	   "the same for bounces (mail with a null sender)"),
    P_LONG("bounce_size_limit", "50000", 1, 0, var_bounce_limit,
	   "largest original message returned whole in a notification; larger ones send only the headers"),
    P_STR("config_directory", NULL, var_config_dir,
	  "directory with main.cf and master.cf (the one main.cf was read from)"),
    P_TIME("connection_cache_ttl_limit", "2s", 1, 0, var_scache_ttl_lim,
	   "longest time the connection cache keeps an idle connection"),
    P_STR("daemon_directory", DEF_DAEMON_DIR, var_daemon_dir,
	  "directory with the daemon programs that master runs"),
    P_TIME("daemon_timeout", "18000s", 1, 0, var_daemon_timeout,
	   "time a daemon may spend on one request before its watchdog ends it"),
    P_STR("data_directory", "/var/lib/posthorn", var_data_dir,
	  "directory for posthorn-writable data that is not queue files"),
    P_INT("default_delivery_slot_cost", "5", 0, 0, var_slot_cost,
	   "deliveries a job must have made per delivery of a job that preempts it (0, 1: no preemption)"),
    P_INT("default_delivery_slot_discount", "50", 0, 100, var_slot_discount,
	   "percentage of a job's slots that count before it has used them all"),
    P_INT("default_delivery_slot_loan", "3", 0, 0, var_slot_loan,
	   "delivery slots lent to a short job so it may preempt early"),
    P_INT("default_destination_concurrency_failed_cohort_limit", "1", 0, 0, var_dest_con_cohort,
	   "failed pseudo-cohorts after which a destination is marked dead (0: never)"),
    P_INT("default_destination_concurrency_limit", "20", 0, 0, var_dest_con_limit,
	   "most parallel deliveries to one destination (0: no limit)"),
    P_STRC("default_destination_concurrency_negative_feedback", "1", var_dest_con_neg_fb,
	   cfg_check_feedback,
	  "window decrease per failed delivery: a number, a/b, or a/concurrency"),
    P_STRC("default_destination_concurrency_positive_feedback", "1", var_dest_con_pos_fb,
	   cfg_check_feedback,
	  "window increase per delivery: a number, a/b, or a/concurrency"),
    P_TIME("default_destination_rate_delay", "0s", 0, 0, var_dest_rate_delay,
	   "pause between deliveries to one destination (forces concurrency 1)"),
    P_INT("default_destination_recipient_limit", "50", 0, 0, var_dest_rcpt_limit,
	   "most recipients per delivery request (0: no limit)"),
    P_INT("default_extra_recipient_limit", "1000", 0, 0, var_transport_extra_rcpt,
	   "extra in-memory recipients a transport lends to jobs beyond its limit"),
    P_INT("default_minimum_delivery_slots", "3", 0, 0, var_min_slots,
	   "recipients a job needs before it may be preempted"),
    P_INT("default_process_limit", "100", 1, 0, var_proc_limit,
	  "process limit of a master.cf service whose maxproc field is -"),
    P_INT("default_recipient_limit", "20000", 1, 0, var_transport_rcpt_limit,
	   "in-memory recipients of one transport"),
    P_TIME("default_recipient_refill_delay", "5s", 1, 0, var_rcpt_refill_delay,
	   "time after which a message's recipients are refilled anyway"),
    P_INT("default_recipient_refill_limit", "100", 1, 0, var_rcpt_refill_limit,
	   "free recipient slots that trigger reading more recipients of a message"),
    P_STR("default_transport", "smtp", var_default_transport,
	  "delivery transport for mail that no table routes elsewhere"),
    P_TIME("default_transport_rate_delay", "0s", 0, 0, var_transport_rate_delay,
	   "pause between deliveries on one transport"),
    P_STR("defer_transports", "", var_defer_transports,
	  "transports whose mail is deferred until posthorn flush"),
    P_INT("delay_logging_resolution_limit", "2", 0, 6, var_delay_max_res,
	   "decimals shown in delay= and delays= log fields"),
    P_STR("delay_notice_recipient", "postmaster", var_delay_rcpt,
	  "who gets a copy of delay warnings (notify_classes delay)"),
    P_TIME("delay_warning_time", "0h", 0, 0, var_delay_warn_time,
	   "age at which the sender gets a delay warning (0: never)"),
    P_BOOL("destination_concurrency_feedback_debug", "no", var_dest_con_fb_debug,
	  "log every concurrency window change"),
    P_BOOL("disable_dns_lookups", "no", var_disable_dns,
	  "look up no MX records: use the host's address records only"),
    P_BOOL("disable_verp_bounces", "no", var_disable_verp_bounces,
	  "send one notification for all failed recipients even with VERP"),
    P_STRC("dkim_canonicalization", "relaxed/relaxed", var_dkim_canon, cfg_check_dkim_canon,
	   "header/body canonicalization of DKIM signatures (simple or relaxed; one word: that/simple)"),
    P_STR("dkim_key_table", "", var_dkim_key_table,
	  "table of KEYNAME -> DOMAIN:SELECTOR:/path/to/private-key.pem for DKIM signing"),
    P_STRC("dkim_oversign_headers", "From, Subject, Date, To, List-Unsubscribe, List-Unsubscribe-Post",
	   var_dkim_oversign_headers, cfg_check_dkim_headers,
	   "signed fields named once more than they occur, so no copy can be added later"),
    P_STRC("dkim_sign_headers", DEF_DKIM_SIGN_HEADERS, var_dkim_sign_headers, cfg_check_dkim_headers,
	   "header fields a DKIM signature covers, each occurrence present"),
    P_TIME("dkim_signature_ttl", "0s", 0, 0, var_dkim_sig_ttl,
	   "lifetime of a DKIM signature (the x= tag); 0: none; else above maximal_queue_lifetime"),
    P_STR("dkim_signing_table", "", var_dkim_signing_table,
	  "table of From: address, domain, .parent domain or * -> KEYNAMEs that sign the message"),
    P_STR("dns_resolv_conf", "/etc/resolv.conf", var_dns_resolv_conf,
	  "resolver configuration the SMTP client reads before chroot (posthorn)"),
    P_STR("double_bounce_sender", "double-bounce", var_double_bounce_sender,
	  "sender of notices that must not bounce, and where such bounces go"),
    P_STR("empty_address_recipient", "MAILER-DAEMON", var_empty_addr,
	  "name shown for the null sender, e.g. in an added From: header"),
    P_STR("error_notice_recipient", "postmaster", var_error_rcpt,
	  "who gets reports of resource, software and protocol problems"),
    P_LONG("header_size_limit", "102400", 1, 0, var_header_limit,
	   "bytes kept of one message header field; the excess is discarded"),
    P_INT("hopcount_limit", "50", 1, 0, var_hopcount_limit,
	  "Received: headers a message may carry before it is rejected as a loop"),
    P_STR("inet_interfaces", "all", var_inet_interfaces,
	  "local addresses that inet services listen on (all, loopback-only, a list)"),
    P_STRC("inet_protocols", "all", var_inet_protocols, cfg_check_inet_protocols,
	  "IP versions to use: all, ipv4, ipv6, or ipv4, ipv6"),
    P_INT("initial_destination_concurrency", "5", 1, 0, var_init_dest_con,
	   "parallel deliveries to a destination before feedback adjusts it"),
    P_TIME("ipc_timeout", "3600s", 1, 0, var_ipc_timeout,
	   "time limit for one read or write on an internal connection"),
    P_INT("line_length_limit", "2048", 1, 0, var_line_limit,
	  "longest QMQP sender or recipient address accepted, in bytes"),
    P_STR("local_login_sender_maps", "", var_login_sender_maps,
	  "tables: login name -> envelope senders that user may give with sendmail -f"),
    P_STR("mail_name", "posthorn", var_mail_name,
	  "the mail system's name, as shown in Received: headers"),
    P_STR("mail_owner", "posthorn", var_mail_owner,
	  "unprivileged user that owns the queue and runs unprivileged daemons"),
    P_STR("mail_version", POSTHORN_VERSION, var_mail_version,
	  "the release of posthorn (set by the build, from the file VERSION)"),
    P_STR("maillog_file", "", var_maillog_file,
	  "log to this file instead of syslog (empty: syslog)"),
    P_STR("maillog_file_rotate_suffix", "%Y%m%d-%H%M%S", var_maillog_rotate_suffix,
	  "strftime(3) format appended to maillog_file when it is rotated"),
    P_TIME("max_idle", "100s", 1, 0, var_idle_limit,
	   "time a daemon waits for a new request before it exits"),
    P_INT("max_use", "100", 1, 0, var_use_limit,
	  "requests a daemon serves before it exits"),
    P_TIME("maximal_backoff_time", "4000s", 1, 0, var_max_backoff,
	   "longest time before a deferred message is tried again"),
    P_TIME("maximal_queue_lifetime", "5d", 0, 8640000, var_max_queue_time,
	   "age after which undeliverable mail is returned to its sender (0: one attempt)"),
    P_LONG("message_size_limit", "10240000", 0, 0, var_message_limit,
	   "largest message in bytes, envelope included; 0 means no limit"),
    P_STR("metrics_authorized_clients", "127.0.0.0/8 [::1]/128", var_metrics_clients,
	  "who may scrape the metrics HTTP listener (addresses, networks, names, tables)"),
    P_INT("metrics_destination_limit", "20", 0, 100000, var_metrics_dest_limit,
	  "destinations listed by posthorn metrics, the top ones by waiting recipients"),
    P_TIME("metrics_timeout", "10s", 1, 3600, var_metrics_timeout,
	   "time a scraper has to send its whole request to the metrics listener"),
    P_TIME("minimal_backoff_time", "300s", 1, 0, var_min_backoff,
	   "shortest time before a deferred message is tried again"),
    P_STR("mydomain", NULL, var_mydomain,
	  "this system's domain (myhostname minus its first label, or localdomain)"),
    P_STR("myhostname", NULL, var_myhostname,
	  "this system's fully-qualified host name (gethostname, plus $mydomain)"),
    P_STR("myorigin", "$myhostname", var_myorigin,
	  "domain that locally-posted mail appears to come from"),
    P_STR("notify_classes", "resource, software", var_notify_classes,
	  "problem classes reported to the postmaster: bounce, 2bounce, delay, resource, software, protocol"),
    P_STR("postlog_service_name", "postlog", var_postlog_service,
	  "name of the private/ socket that carries log lines to maillog_file"),
    P_STR("process_id_directory", "pid", var_pid_dir,
	  "directory for pid files, relative to queue_directory"),
    P_STR("proxy_interfaces", "", var_proxy_interfaces,
	  "addresses that reach this host through a proxy or NAT (mail loop detection)"),
    P_TIME("qmgr_clog_warn_time", "300s", 0, 0, var_qmgr_clog_warn_time,
	   "interval between warnings that the active queue is full (0: none)"),
    P_INT("qmgr_message_active_limit", "20000", 1, 0, var_qmgr_active_limit,
	   "most messages in the active queue at once"),
    P_INT("qmgr_message_recipient_limit", "20000", 1, 0, var_qmgr_rcpt_limit,
	   "in-memory recipient target of the queue manager"),
    P_INT("qmgr_message_recipient_minimum", "10", 1, 0, var_qmgr_rcpt_minimum,
	   "recipients every message may always hold in memory"),
    P_STR("qmqpd_authorized_clients", "", var_qmqpd_clients,
	  "clients allowed to use the QMQP service (empty: none)"),
    P_INT("qmqpd_client_connection_limit", "50", 0, 0, var_qmqpd_cconn_limit,
	  "simultaneous QMQP connections one client address may have (0: no limit)"),
    P_STR("qmqpd_client_event_limit_exceptions", "", var_qmqpd_hoggers,
	  "clients that qmqpd_client_connection_limit does not apply to"),
    P_BOOL("qmqpd_client_port_logging", "no", var_qmqpd_port_logging,
	   "log the client port along with its name and address"),
    P_TIME("qmqpd_error_delay", "1s", 0, 0, var_qmqpd_err_sleep,
	   "delay before the QMQP server sends a negative reply"),
    P_INT("qmqpd_min_data_rate", "500", 0, 0, var_qmqpd_min_rate,
	  "bytes per second that earn a QMQP client one more second (0: none)"),
    P_TIME("qmqpd_timeout", "300s", 1, 0, var_qmqpd_timeout,
	   "time limit for a whole QMQP request, and for each read or write"),
    P_STR("queue_directory", "/var/spool/posthorn", var_queue_dir,
	  "root of the mail queue; daemons chroot here"),
    P_LONG("queue_minfree", "0", 0, 0, var_queue_minfree,
	   "free bytes the queue file system must keep for new mail (at least 1.5 x message_size_limit)"),
    P_TIME("queue_run_delay", "300s", 1, 0, var_queue_run_delay,
	   "interval between scans of the deferred queue"),
    P_STR("relayhost", "", var_relayhost,
	  "next hop for all mail without a transport_maps entry ([host]:port: no MX lookup)"),
    P_TIME("service_throttle_time", "60s", 1, 0, var_throttle_time,
	   "time master waits before restarting a service that failed at start"),
    P_STR("smtp_address_preference", "any", var_smtp_addr_pref,
	  "address family tried first: ipv4, ipv6 or any"),
    P_BOOL("smtp_always_send_ehlo", "yes", var_smtp_always_ehlo,
	  "send EHLO (falling back to HELO) even without ESMTP in the greeting"),
    P_STR("smtp_bind_address", "", var_smtp_bind_addr,
	  "local IPv4 address for outgoing SMTP connections"),
    P_STR("smtp_bind_address6", "", var_smtp_bind_addr6,
	  "local IPv6 address for outgoing SMTP connections"),
    P_TIME("smtp_connect_timeout", "30s", 0, 0, var_smtp_conn_tmout,
	   "time limit for completing a TCP connection"),
    P_STR("smtp_connection_cache_destinations", "", var_smtp_cache_dest,
	  "destinations whose connections are always kept for reuse"),
    P_BOOL("smtp_connection_cache_on_demand", "yes", var_smtp_cache_demand,
	  "keep connections open while a destination has mail waiting"),
    P_TIME("smtp_connection_cache_time_limit", "2s", 1, 0, var_smtp_cache_conn,
	   "time an idle cached connection is kept"),
    P_INT("smtp_connection_reuse_count_limit", "0", 0, 0, var_smtp_reuse_count,
	   "transactions per cached connection before it is closed (0: no limit)"),
    P_TIME("smtp_connection_reuse_time_limit", "300s", 1, 0, var_smtp_reuse_time,
	   "time during which a connection may be reused"),
    P_TIME("smtp_data_done_timeout", "600s", 1, 0, var_smtp_data2_tmout,
	   "time limit for the reply to the final dot"),
    P_TIME("smtp_data_init_timeout", "120s", 1, 0, var_smtp_data0_tmout,
	   "time limit for the DATA command and reply"),
    P_TIME("smtp_data_xfer_timeout", "180s", 1, 0, var_smtp_data1_tmout,
	   "time limit for sending each part of the message content"),
    P_BOOL("smtp_defer_if_no_mx_address_found", "no", var_smtp_defer_mxaddr,
	  "defer, not bounce, when MX hosts have no address"),
    P_STR("smtp_helo_name", "$myhostname", var_smtp_helo_name,
	  "host name the SMTP client sends in EHLO and HELO"),
    P_TIME("smtp_helo_timeout", "300s", 1, 0, var_smtp_helo_tmout,
	   "time limit for the greeting and the EHLO or HELO reply"),
    P_INT("smtp_line_length_limit", "998", 0, 0, var_smtp_line_limit,
	   "longest line sent; longer lines are folded with CRLF and a space (0: no limit)"),
    P_TIME("smtp_mail_timeout", "300s", 1, 0, var_smtp_mail_tmout,
	   "time limit for the MAIL FROM command and reply"),
    P_INT("smtp_mx_address_limit", "5", 0, 0, var_smtp_mxaddr_limit,
	   "most MX host addresses tried per delivery (0: no limit)"),
    P_INT("smtp_mx_group_concurrency_limit", "20", 0, 0, var_smtp_mx_group_conc,
	   "most parallel deliveries to all destinations of one exchanger group (0: no limit)"),
    P_STR("smtp_mx_group_maps", "regexp:$config_directory/smtp_mx_group",
	  var_smtp_mx_group_maps,
	  "tables from a primary MX host name to its exchanger group (default: the name)"),
    P_TIME("smtp_mx_group_rate_delay", "0s", 0, 0, var_smtp_mx_group_delay,
	   "pause between the starts of two deliveries to one exchanger group"),
    P_INT("smtp_mx_session_limit", "2", 0, 0, var_smtp_mxsess_limit,
	   "most SMTP sessions per delivery before giving up (0: no limit)"),
    P_TIME("smtp_quit_timeout", "300s", 1, 0, var_smtp_quit_tmout,
	   "time limit for the QUIT command and reply"),
    P_BOOL("smtp_randomize_addresses", "yes", var_smtp_rand_addr,
	  "shuffle MX hosts of equal preference and a host's addresses"),
    P_TIME("smtp_rcpt_timeout", "300s", 1, 0, var_smtp_rcpt_tmout,
	   "time limit for the RCPT TO command and reply"),
    P_STR("smtp_reply_throttle_maps", "regexp:$config_directory/smtp_reply_throttle",
	  var_smtp_reply_throttle_maps,
	  "tables from a 4xx reply (\"CODE ENHANCED text\") to a throttle of its exchanger group"),
    P_TIME("smtp_rset_timeout", "20s", 1, 0, var_smtp_rset_tmout,
	   "time limit for the RSET command and reply"),
    P_BOOL("smtp_sasl_auth_enable", "no", var_smtp_sasl_enable,
	   "authenticate to servers that offer SMTP AUTH, with smtp_sasl_password_maps"),
    P_BOOL("smtp_sasl_auth_soft_bounce", "yes", var_smtp_sasl_soft_bounce,
	   "defer, not bounce, when a server rejects our authentication with 5xx"),
    P_STR("smtp_sasl_mechanism_filter", "", var_smtp_sasl_mechs,
	  "SASL mechanisms of a server's list that the client considers (empty: all)"),
    P_STR("smtp_sasl_password_maps", "", var_smtp_sasl_passwd,
	  "tables: remote host name or next hop to username:password"),
    P_STRC("smtp_sasl_security_options", "noplaintext, noanonymous", var_smtp_sasl_opts,
	   cfg_check_sasl_secopts,
	  "SASL mechanism restrictions without TLS"),
    P_STRC("smtp_sasl_tls_security_options", "$smtp_sasl_security_options", var_smtp_sasl_tls_opts,
	   cfg_check_sasl_secopts,
	  "SASL mechanism restrictions over TLS"),
    P_STRC("smtp_sasl_tls_verified_security_options", "$smtp_sasl_tls_security_options",
	  var_smtp_sasl_tlsv_opts, cfg_check_sasl_secopts,
	  "SASL mechanism restrictions over TLS with a verified server certificate"),
    P_STRC("smtp_sasl_type", "cyrus", var_smtp_sasl_type, cfg_check_sasl_type,
	  "SASL implementation of the SMTP client (cyrus)"),
    P_BOOL("smtp_skip_5xx_greeting", "yes", var_smtp_skip_5xx,
	  "treat a 5xx greeting like 4xx: try the next host, then defer"),
    P_BOOL("smtp_skip_quit_response", "yes", var_smtp_skip_quit_resp,
	  "do not wait for the reply to QUIT"),
    P_TIME("smtp_starttls_timeout", "300s", 1, 0, var_smtp_starttls_tmout,
	   "time limit for the TLS handshake after STARTTLS"),
    P_STR("smtp_tls_CAfile", "", var_smtp_tls_CAfile,
	  "file with the CA certificates the SMTP client trusts (PEM)"),
    P_STR("smtp_tls_CApath", "", var_smtp_tls_CApath,
	  "directory with CA certificates the SMTP client trusts (read at start)"),
    P_STR("smtp_tls_cert_file", "", var_smtp_tls_cert_file,
	  "SMTP client certificate chain (PEM), shown when a server asks"),
    P_STRC("smtp_tls_ciphers", "medium", var_smtp_tls_ciphers, cfg_check_tls_grade,
	  "cipher grade with opportunistic TLS: export, low, medium, high or null"),
    P_STRC("smtp_tls_exclude_ciphers", "", var_smtp_tls_excl_ciph, cfg_check_tls_exclude,
	  "ciphers or cipher types never used by the SMTP client"),
    P_STR("smtp_tls_key_file", "$smtp_tls_cert_file", var_smtp_tls_key_file,
	  "private key of the SMTP client certificate (PEM)"),
    P_INT("smtp_tls_loglevel", "0", 0, 4, var_smtp_tls_loglevel,
	  "SMTP client TLS logging: 1 summary line, 2 also session cache and chain details"),
    P_STRC("smtp_tls_mandatory_ciphers", "medium", var_smtp_tls_mand_ciph, cfg_check_tls_grade,
	  "minimum cipher grade with mandatory TLS (encrypt and above)"),
    P_STRC("smtp_tls_mandatory_exclude_ciphers", "", var_smtp_tls_mand_excl, cfg_check_tls_exclude,
	  "further ciphers excluded with mandatory TLS"),
    P_STRC("smtp_tls_mandatory_protocols", ">=TLSv1", var_smtp_tls_mand_proto,
	   cfg_check_tls_protocols,
	  "TLS protocols allowed with mandatory TLS"),
    P_BOOL("smtp_tls_note_starttls_offer", "no", var_smtp_tls_note_offer,
	   "log servers that offer STARTTLS when TLS is not used with them"),
    P_STR("smtp_tls_policy_maps", "", var_smtp_tls_policy_maps,
	  "tables with the TLS security policy by next-hop destination"),
    P_STRC("smtp_tls_protocols", ">=TLSv1", var_smtp_tls_protocols, cfg_check_tls_protocols,
	  "TLS protocols allowed with opportunistic TLS"),
    P_INT("smtp_tls_scert_verifydepth", "9", 1, 100, var_smtp_tls_verify_depth,
	  "longest server certificate chain that is verified"),
    P_STRC("smtp_tls_secure_cert_match", "nexthop, dot-nexthop", var_smtp_tls_sec_match,
	   cfg_check_tls_match,
	  "names a server certificate must match at the secure level"),
    P_STRC("smtp_tls_security_level", "", var_smtp_tls_level, cfg_check_tls_level,
	  "default TLS security level: none (empty), may, encrypt, verify or secure"),
    P_STRC("smtp_tls_servername", "", var_smtp_tls_servername, cfg_check_tls_servername,
	  "name sent in the TLS SNI extension: hostname, nexthop, a name, or empty for none"),
    P_TIME("smtp_tls_session_cache_timeout", "3600s", 0, 8640000, var_smtp_tls_scache_tmout,
	   "time a TLS session is kept for resumption in scache (0: no session cache)"),
    P_STRC("smtp_tls_verify_cert_match", "hostname", var_smtp_tls_vfy_match, cfg_check_tls_match,
	  "names a server certificate must match at the verify level"),
    P_BOOL("soft_bounce", "no", var_soft_bounce,
	   "turn permanent delivery and receipt errors into temporary ones"),
    P_STR("syslog_facility", "mail", var_syslog_facility,
	  "syslog facility of posthorn's log lines"),
    P_STR("syslog_name", "posthorn", var_syslog_name,
	  "prefix of every log line: syslog_name/daemon[pid]"),
    P_STR("transport_maps", "", var_transport_maps,
	  "tables that map a recipient or its domain to transport:nexthop"),
    P_TIME("transport_retry_time", "60s", 1, 0, var_transport_retry_time,
	   "time a delivery service that cannot be reached is left alone"),
    P_STR("verp_delimiter_filter", "-=+", var_verp_filter,
	  "characters allowed as VERP delimiters"),
    {0},
};
