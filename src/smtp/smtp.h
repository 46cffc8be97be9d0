/* smtp - the SMTP delivery agent: types and functions shared by its topic files */
#ifndef SMTP_H
#define SMTP_H
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "deliver_request.h"
#include "delivery_log.h"
#include "dns.h"
#include "dstr.h"
#include "ios.h"

 /*
  * Server replies (smtp_reply.c). Everything a server sends is bounded:
  * one stored line, one stored reply, and the number of lines of one reply
  * (past that the reply is a protocol error, so an endless multi-line
  * reply cannot keep us reading).
  */
#define SMTP_REPLY_LINE_MAX	2048	/* bytes kept of one line */
#define SMTP_REPLY_TEXT_MAX	8192	/* bytes kept of one reply */
#define SMTP_REPLY_LINES_MAX	500	/* lines of one reply */
#define SMTP_REPLY_DRAIN_MAX	65536	/* bytes of one line we skip beyond the limit */

#define SMTP_REPLY_FLAG_TRUNC	(1<<0)	/* text was cut at a limit */
#define SMTP_REPLY_FLAG_GARBAGE	(1<<1)	/* a line did not start with a code */

typedef struct SMTP_REPLY {
    int     code;			/* 200..599, or 0 when malformed */
    char    dsn[16];			/* "5.1.1": from the text, else derived */
    DSTR   *text;			/* every line, "\n" between them */
    int     lines;
    int     flags;
} SMTP_REPLY;

#define SMTP_LINE_LAST		0	/* "250 ..." or "250": ends a reply */
#define SMTP_LINE_MORE		1	/* "250-...": more lines follow */
#define SMTP_LINE_GARBAGE	2	/* no three-digit code */

#define SMTP_ADD_DONE		1	/* the reply is complete */
#define SMTP_ADD_MORE		0	/* feed the next line */
#define SMTP_ADD_TOO_MANY	(-1)	/* SMTP_REPLY_LINES_MAX reached */

extern SMTP_REPLY *smtp_reply_new(void);
extern SMTP_REPLY *smtp_reply_free(SMTP_REPLY *reply);
extern void smtp_reply_reset(SMTP_REPLY *reply);
/* Classify one line (without its line end); sets *code for LAST and MORE. */
extern int smtp_reply_line(const char *line, size_t len, int *code);
/* Add one line (without its line end) to a reply being read. */
extern int smtp_reply_add(SMTP_REPLY *reply, const char *line, size_t len);
/* Enhanced status code at the start of text (len bytes); its class must
 * match the code. 0 and dsn, or -1. */
extern int smtp_reply_esc(const char *text, size_t len, int code, char dsn[16]);
/* One whole reply from memory (LF or CRLF line ends): bytes used, 0 = need
 * more, -1 = too many lines. */
extern ssize_t smtp_reply_parse(const char *buf, size_t len, SMTP_REPLY *reply);
/* One whole reply from a stream: 0, or -1 when the stream failed or the reply was too long. */
extern int smtp_reply_read(IOS *ios, SMTP_REPLY *reply);
/* The reply as one log line: lines joined with a space, control bytes made safe. */
extern const char *smtp_reply_str(const SMTP_REPLY *reply, DSTR *out);

 /*
  * EHLO features (smtp_reply.c).
  */
#define SMTP_FEAT_ESMTP		(1<<0)	/* EHLO was accepted */
#define SMTP_FEAT_PIPELINING	(1<<1)
#define SMTP_FEAT_SIZE		(1<<2)
#define SMTP_FEAT_8BITMIME	(1<<3)
#define SMTP_FEAT_ESC		(1<<4)	/* ENHANCEDSTATUSCODES */
#define SMTP_FEAT_STARTTLS	(1<<5)
#define SMTP_FEAT_DSN		(1<<6)
#define SMTP_FEAT_SMTPUTF8	(1<<7)
#define SMTP_FEAT_AUTH		(1<<8)

/* Features, the SIZE limit (0: none given) and the server's name from an EHLO reply. */
extern int smtp_ehlo_parse(const SMTP_REPLY *reply, long *size_limit, DSTR *server_name);

 /*
  * Next hop (smtp_addr.c): "domain[:port]" asks for an MX lookup,
  * "[host][:port]" and "[address][:port]" do not.
  */
typedef struct SMTP_NEXTHOP {
    char   *host;			/* without brackets, lower case */
    unsigned port;
    int     no_mx;			/* brackets were given */
    int     literal;			/* host is a numeric address */
} SMTP_NEXTHOP;

extern int smtp_nexthop_parse(const char *nexthop, SMTP_NEXTHOP *hop, DSTR *err);
extern void smtp_nexthop_free(SMTP_NEXTHOP *hop);

 /*
  * Candidate servers, best first.
  */
typedef struct SMTP_ADDR {
    char   *host;			/* MX host name or the literal */
    DNS_ADDR addr;
    int     pref;			/* MX preference; 0 for implicit MX */
} SMTP_ADDR;

typedef struct SMTP_ADDR_LIST {
    SMTP_ADDR *addr;
    size_t  count;
} SMTP_ADDR_LIST;

typedef unsigned (*SMTP_RAND_FN) (unsigned limit);	/* 0 .. limit-1 */

/* Sort MX records by preference (stable); shuffle equal ones when rnd is not NULL. */
extern void smtp_mx_sort(DNS_MX *mx, size_t count, SMTP_RAND_FN rnd);
extern void smtp_addr_list_add(SMTP_ADDR_LIST *list, const char *host,
			               const DNS_ADDR *addr, int pref);
extern void smtp_addr_list_free(SMTP_ADDR_LIST *list);
/* Within each preference, put the preferred family ("ipv4", "ipv6", "any") first. */
extern void smtp_addr_order(SMTP_ADDR_LIST *list, const char *family_pref);
/*
 * Mail loop check: drop every address whose preference is equal to or worse
 * than that of the best MX host that is one of our own addresses. Returns
 * 1 when that removes everything (we are the best MX), else 0.
 */
extern int smtp_addr_drop_self(SMTP_ADDR_LIST *list, const DNS_ADDR_LIST *own);
/* Keep at most limit addresses (0: no limit). */
extern void smtp_addr_truncate(SMTP_ADDR_LIST *list, size_t limit);


 /*
  * Commands and transactions (smtp_trans.c).
  */
typedef struct SMTP_TRANS {
    char   *sender;			/* envelope sender for MAIL FROM */
    size_t *rcpt;			/* indexes into the request's recipients */
    size_t  nrcpt;
} SMTP_TRANS;

typedef struct SMTP_TRANS_LIST {
    SMTP_TRANS *trans;
    size_t  count;
} SMTP_TRANS_LIST;

/* One transaction for all, or one per recipient with its VERP sender. */
extern void smtp_trans_build(SMTP_TRANS_LIST *list, const char *sender, const char *verp,
			             char *const *rcpts, size_t nrcpt);
extern void smtp_trans_free(SMTP_TRANS_LIST *list);
/* "MAIL FROM:<s>[ SIZE=n][ BODY=8BITMIME]\r\n" and "RCPT TO:<r>\r\n". */
extern void smtp_cmd_mail(DSTR *out, const char *sender, long size, int body8);
extern void smtp_cmd_rcpt(DSTR *out, const char *rcpt);
/* An address as RFC 5321 wants it inside <>: local part quoted when needed. */
extern void smtp_quote_addr(DSTR *out, const char *addr);
/* Control characters, or too long for a command line: never send it. */
extern int smtp_addr_unsafe(const char *addr);

 /*
  * Outcome classes and texts (smtp_dsn.c).
  */
#define SMTP_OK		0
#define SMTP_DEFER	1
#define SMTP_BOUNCE	2

/* By reply code: 2xx/3xx OK, 4xx DEFER, 5xx BOUNCE, anything else DEFER. */
extern int smtp_reply_class(int code);
/* "host H[A] said: TEXT (in reply to CMD)" */
extern void smtp_reason_said(DSTR *out, const char *namaddr, const SMTP_REPLY *reply,
			             const char *cmd);
/* dsn of class 5 becomes class 4 (soft_bounce); in place. */
extern void smtp_dsn_soften(char *dsn);

 /*
  * One SMTP connection (smtp_session.c, smtp_connect.c).
  */
typedef struct SMTP_SESSION {
    IOS    *ios;
    char   *host;			/* server name as we looked it up */
    char   *addr;			/* numeric address */
    unsigned port;
    DSTR   *namaddr;			/* "host[addr]" */
    DSTR   *relay;			/* "host[addr]:port" */
    int     features;		/* SMTP_FEAT_* */
    long    size_limit;			/* from EHLO SIZE; 0: none */
    int     use_count;			/* transactions done so far */
    time_t  first_use;			/* when the connection was made */
    int     reused;			/* came from the connection cache */
    int     dirty;			/* a transaction was left open: RSET */
    int     broken;			/* the connection is unusable */
    int     sasl_tls;			/* SMTP_SASL_TLS_*: set by STARTTLS (smtp_sasl.h) */
    char   *sasl_user;			/* SASL username looked up for it, or NULL */
    struct SMTP_TLS_CONN *tls;		/* after STARTTLS (smtp_tls.c); never cached */
} SMTP_SESSION;

extern SMTP_SESSION *smtp_session_new(int fd, const char *host, const char *addr, unsigned port);
extern void smtp_session_free(SMTP_SESSION *session);	/* closes the socket */

 /*
  * The state of one delivery request.
  */
#define SMTP_RCPT_PENDING	0
#define SMTP_RCPT_DONE		1	/* sent, bounced or deferred: recorded */

typedef struct SMTP_STATE {
    DELIVER_REQUEST *req;
    int     qfd;			/* queue file, shared lock */
    SMTP_NEXTHOP hop;
    DSTR   *label;			/* connection cache key */
    int    *rcpt_state;		/* SMTP_RCPT_* per recipient */
    size_t  pending;			/* recipients still SMTP_RCPT_PENDING */
    long    nsent;			/* recipients sent, bounced, deferred: */
    long    nbounced;			/* counted for qmgr's delivery totals */
    long    ndeferred;
    int     status;			/* DELIVER_STAT_* so far */
    DELIVERY_TIMES times;
    int     body8;			/* content has 8-bit bytes */
    int     cache_wanted;		/* keep the connection after use */
    int     sessions;			/* sessions that got past EHLO */
    int     completed;			/* transactions the server saw through */
    /* The latest failure that concerns every pending recipient. */
    int     site_class;			/* SMTP_OK: none yet */
    int     site_hop;			/* it was a failure of the destination */
    DSTR   *site_dsn;
    DSTR   *site_reason;
    DSTR   *site_relay;		/* "none" or host[addr]:port */
    DSTR   *site_mta;			/* remote MTA name or "" */
    DSTR   *site_diag;			/* diagnostic for the DSN */
    DSTR   *hop_status;		/* reply to qmgr */
    DSTR   *hop_reason;
    DSTR   *mx_group;			/* exchanger group, "" unknown (smtp_group.c) */
    long    mx_group_ttl;		/* seconds qmgr may keep it */
    IOS    *qmgr;			/* the queue manager's stream (the group question) */
    int     requeued;			/* qmgr takes the request back: touch nothing */
    DSTR   *buf;			/* scratch */
    struct SMTP_TLS *tls;		/* TLS policy for the next hop (smtp_tls.c) */
} SMTP_STATE;

/* smtp_group.c: the exchanger group of the next hop, for qmgr. */
extern void smtp_group_init(void);
extern void smtp_group_set(SMTP_STATE *st, const char *host, long ttl);
extern void smtp_group_from_mx(SMTP_STATE *st, const DNS_MX_LIST *mxl);
/* Before the first connection: may this delivery go on? 0: qmgr takes it back. */
extern int smtp_group_admit(SMTP_STATE *st);

/* smtp_throttle.c: rate-limit replies (smtp_reply_throttle_maps), for qmgr. */
extern void smtp_throttle_init(void);
extern void smtp_throttle_reset(void);
/* Any reply received: the first 4xx of a request that the table names is kept. */
extern void smtp_throttle_note(const SMTP_REPLY *reply);
/* What qmgr is told: the action ("" none) and the reply key. */
extern const char *smtp_throttle_action_text(void);
extern const char *smtp_throttle_reply_text(void);

/* Per-process state (smtp.c). */
extern DNS *smtp_dns;
extern DNS_ADDR_LIST smtp_own_addrs;

/* smtp_result.c: state of one request (the queue file is closed by free). */
extern SMTP_STATE *smtp_state_new(DELIVER_REQUEST *req);
extern void smtp_state_free(SMTP_STATE *st);

/* smtp_result.c: record what happened to one recipient, or to all pending ones. */
extern void smtp_rcpt_sent(SMTP_STATE *st, size_t i, const SMTP_SESSION *session,
			           const SMTP_REPLY *reply);
extern void smtp_rcpt_fail(SMTP_STATE *st, size_t i, int class, const char *dsn,
			           const char *relay, const char *mta, const char *diag,
			           const char *reason, int conn_use);
/* A failure of the whole destination or session, for recipients still pending at the end. */
extern void smtp_site_fail(SMTP_STATE *st, int class, int hop, const char *dsn,
			           const char *relay, const char *mta, const char *diag,
			           const char *reason);
/* Same, finishing every pending recipient at once. */
extern void smtp_site_final(SMTP_STATE *st, int class, const char *dsn,
			            const char *relay, const char *reason);
extern void smtp_rcpt_finish(SMTP_STATE *st);

/* smtp_addr.c (DNS side): candidate servers, or a site failure recorded in st. */
extern int smtp_resolve(SMTP_STATE *st, SMTP_ADDR_LIST *list);
extern void smtp_own_addrs_init(void);

/* smtp_connect.c: a session with greeting and EHLO done, or NULL (failure recorded). */
extern SMTP_SESSION *smtp_connect(SMTP_STATE *st, const SMTP_ADDR *addr);
/*
 * smtp_session.c: start a phase (greeting, EHLO, MAIL, a block of content,
 * ...) whose reads and writes together must end within timeout seconds,
 * the phase's smtp_*_timeout; the TLS layer keeps the same deadline.
 */
extern void smtp_session_phase(SMTP_SESSION *session, int timeout);
/* Write one command / read one reply within the current phase; 0 or -1. */
extern int smtp_session_send(SMTP_SESSION *session, const char *cmd, size_t len);
/* The same for a line holding a secret: it is not copied into the stream's buffer. */
extern int smtp_session_send_secret(SMTP_SESSION *session, const char *cmd, size_t len);
extern int smtp_session_reply(SMTP_SESSION *session, SMTP_REPLY *reply);
/* A new phase of timeout seconds for one command and its reply; 0 or -1. */
extern int smtp_session_chat(SMTP_SESSION *session, int timeout, const char *cmd, size_t len,
			             SMTP_REPLY *reply);
/* "lost connection with H[A] while X", "conversation with H[A] timed out while X". */
extern void smtp_session_trouble(DSTR *out, const SMTP_SESSION *session, const char *while_doing);
/* smtp_session.c: send QUIT and close. */
extern void smtp_session_quit(SMTP_SESSION *session);
/* smtp_session.c: RSET; 0 when the server took it. */
extern int smtp_session_rset(SMTP_SESSION *session);

/* smtp_proto.c: one transaction; SMTP_OK, or SMTP_DEFER when the session broke. */
extern int smtp_xfer(SMTP_STATE *st, SMTP_SESSION *session, const SMTP_TRANS *trans);

/* smtp_cache.c: connection reuse through scache. */
extern int smtp_cache_reusable(const SMTP_SESSION *session, time_t now,
			               int count_limit, int time_limit);
extern int smtp_cache_wanted(const DELIVER_REQUEST *req, const char *dest_list,
			             int on_demand);
extern SMTP_SESSION *smtp_cache_find(const char *label, const char *nexthop);
extern void smtp_cache_save(SMTP_SESSION *session, const char *label, int ttl);
extern void smtp_cache_props(DSTR *out, const SMTP_SESSION *session);
extern SMTP_SESSION *smtp_cache_unprops(int fd, const char *props);

/*
 * smtp_tls.c: STARTTLS. smtp_tls_init() opens OpenSSL, certificates and the
 * policy tables before chroot; smtp_tls_policy() settles the request's
 * policy (0, or -1 with the failure recorded); smtp_tls_start() runs after
 * EHLO and says whether the session stays in plaintext, needs EHLO again
 * over TLS, or failed (recorded); smtp_tls_retry_plain() says, once, to
 * connect to the same server again without STARTTLS after an opportunistic
 * handshake failed (when Postfix's rule allows that).
 */
#define SMTP_TLS_PLAIN	0
#define SMTP_TLS_EHLO	1
#define SMTP_TLS_FAIL	(-1)
extern void smtp_tls_init(void);
extern int smtp_tls_policy(SMTP_STATE *st);
extern int smtp_tls_start(SMTP_STATE *st, SMTP_SESSION *session);
extern int smtp_tls_retry_plain(SMTP_STATE *st);
extern void smtp_tls_state_free(SMTP_STATE *st);
extern void smtp_tls_end(SMTP_SESSION *session);	/* close_notify, save the session */

/* smtp_deliver.c: the whole delivery of one request. */
extern void smtp_deliver(SMTP_STATE *st);

#endif
