/*
 * check_qmqpd_proto - unit tests for the QMQP request reader
 * DESCRIPTION
 *	qmqpd_read_request() over memory streams with a sink that records
 *	every call: the byte-exact requests of docs/protocols.md §2.4, big
 *	messages in bounded pieces, what Postfix accepts (leading zeros, no
 *	final LF), and every malformed or over-limit request of §2.7 with
 *	its error code and reason. A socketpair peer that stops sending
 *	must end in a timeout.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dstr.h"
#include "ios.h"
#include "netstring.h"
#include "qmqpd/qmqpd.h"

#define MSG_LIMIT	10240000		/* message_size_limit default */
#define ADDR_LIMIT	2048			/* line_length_limit default */

#define EX_TWO_RCPT \
    "80:19:Subject: hi\n\nHello\n,17:alice@example.org,13:bob@host.test,15:carol@host.test,,"
#define EX_NULL_SENDER \
    "50:19:Subject: hi\n\nHello\n,0:,20:postmaster@host.test,,"
#define EX_EZMLM \
    "121:46:From: list@example.org\nSubject: post 12\n\nbody\n,31:list-return-12-@example.org-@[]," \
    "13:bob@host.test,15:dave@other.test,,"

/* What the sink saw. */
typedef struct REC {
    int     calls;			/* sink calls so far */
    int     starts;			/* content_start() calls */
    size_t  total;			/* announced message size */
    int     content_before_start;
    int     pieces;
    size_t  max_piece;
    DSTR   *content;
    int     senders;
    DSTR   *sender;
    int     content_after_sender;
    int     nrcpt;
    DSTR   *rcpts;			/* recipients, each followed by '\n' */
    int     refuse_call;		/* 1-based call number to refuse; 0 none */
} REC;

/* rec_new - empty record */

static REC *rec_new(void)
{
    REC    *rec = calloc(1, sizeof(*rec));

    rec->content = dstr_new(1024);
    rec->sender = dstr_new(64);
    rec->rcpts = dstr_new(64);
    return (rec);
}

/* rec_free - release */

static void rec_free(REC *rec)
{
    dstr_free(rec->content);
    dstr_free(rec->sender);
    dstr_free(rec->rcpts);
    free(rec);
}

/* rec_refuse - should this call fail? */

static int rec_refuse(REC *rec)
{
    return (++rec->calls == rec->refuse_call);
}

/* sink_start - content_start() */

static int sink_start(void *ctx, size_t total)
{
    REC    *rec = ctx;

    rec->starts++;
    rec->total = total;
    return (rec_refuse(rec));
}

/* sink_content - content() */

static int sink_content(void *ctx, const char *buf, size_t len)
{
    REC    *rec = ctx;

    if (rec->starts == 0)
	rec->content_before_start = 1;
    if (rec->senders)
	rec->content_after_sender = 1;
    rec->pieces++;
    if (len > rec->max_piece)
	rec->max_piece = len;
    dstr_cat(rec->content, buf, len);
    return (rec_refuse(rec));
}

/* sink_sender - sender() */

static int sink_sender(void *ctx, const char *addr, size_t len)
{
    REC    *rec = ctx;

    rec->senders++;
    dstr_memcpy(rec->sender, addr, len);
    return (rec_refuse(rec));
}

/* sink_rcpt - recipient() */

static int sink_rcpt(void *ctx, const char *addr, size_t len)
{
    REC    *rec = ctx;

    rec->nrcpt++;
    dstr_cat(rec->rcpts, addr, len);
    dstr_catc(rec->rcpts, '\n');
    return (rec_refuse(rec));
}

/* read_from - qmqpd_read_request() over an existing stream */

static int read_from(IOS *ios, size_t msg_limit, size_t addr_limit, REC *rec, DSTR *why)
{
    QMQPD_LIMITS lim;
    QMQPD_SINK sink;

    lim.message = msg_limit;
    lim.address = addr_limit;
    sink.content_start = sink_start;
    sink.content = sink_content;
    sink.sender = sink_sender;
    sink.recipient = sink_rcpt;
    sink.ctx = rec;
    return (qmqpd_read_request(ios, &lim, &sink, why));
}

/* run_lim - read a request from len bytes of in under given limits */

static int run_lim(const char *in, size_t len, size_t msg_limit, size_t addr_limit,
		           REC *rec, DSTR *why)
{
    IOS    *ios = ios_open_mem(in, len);
    int     ret = read_from(ios, msg_limit, addr_limit, rec, why);

    ios_free(ios);
    return (ret);
}

/* run - read a request from a C string under the default limits */

static int run(const char *in, REC *rec, DSTR *why)
{
    return (run_lim(in, strlen(in), MSG_LIMIT, ADDR_LIMIT, rec, why));
}

/* build_request - frame message, sender and recipients as QMQP does */

static DSTR *build_request(const char *msg, size_t msglen, const char *sender,
			           const char *const *rcpts)
{
    DSTR   *inner = dstr_new(msglen + 256);
    DSTR   *req = dstr_new(msglen + 256);

    netstring_put(inner, msg, msglen);
    netstring_puts(inner, sender);
    for (; *rcpts; rcpts++)
	netstring_puts(inner, *rcpts);
    netstring_put(req, dstr_str(inner), dstr_len(inner));
    dstr_free(inner);
    return (req);
}

 /*
  * Good requests.
  */
START_TEST(two_recipient_example_gives_its_pieces)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run(EX_TWO_RCPT, rec, why), QMQPD_OK);
    ck_assert_str_eq(dstr_str(rec->content), "Subject: hi\n\nHello\n");
    ck_assert_str_eq(dstr_str(rec->sender), "alice@example.org");
    ck_assert_str_eq(dstr_str(rec->rcpts), "bob@host.test\ncarol@host.test\n");
    ck_assert_int_eq(rec->senders, 1);
    ck_assert_int_eq(rec->nrcpt, 2);
    ck_assert_str_eq(dstr_str(why), "");
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(content_start_announces_total_once_before_content)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run(EX_TWO_RCPT, rec, why), QMQPD_OK);
    ck_assert_int_eq(rec->starts, 1);
    ck_assert_uint_eq(rec->total, 19);
    ck_assert_int_eq(rec->content_before_start, 0);
    ck_assert_int_eq(rec->content_after_sender, 0);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(null_sender_example_gives_empty_sender)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run(EX_NULL_SENDER, rec, why), QMQPD_OK);
    ck_assert_str_eq(dstr_str(rec->content), "Subject: hi\n\nHello\n");
    ck_assert_int_eq(rec->senders, 1);
    ck_assert_uint_eq(dstr_len(rec->sender), 0);
    ck_assert_str_eq(dstr_str(rec->rcpts), "postmaster@host.test\n");
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(ezmlm_verp_example_passes_sender_verbatim)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run(EX_EZMLM, rec, why), QMQPD_OK);
    ck_assert_str_eq(dstr_str(rec->content),
		     "From: list@example.org\nSubject: post 12\n\nbody\n");
    ck_assert_uint_eq(rec->total, 46);
    ck_assert_str_eq(dstr_str(rec->sender), "list-return-12-@example.org-@[]");
    ck_assert_str_eq(dstr_str(rec->rcpts), "bob@host.test\ndave@other.test\n");
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(big_message_arrives_in_bounded_pieces)
{
    static const char *const rcpts[] = {"bob@host.test", 0};
    size_t  size = 200 * 1000;
    char   *msg = malloc(size);
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    DSTR   *req;
    size_t  i;

    for (i = 0; i < size; i++)
	msg[i] = (i % 80 == 79) ? '\n' : (char) ('a' + i % 23);
    req = build_request(msg, size, "a@b", rcpts);
    ck_assert_int_eq(run_lim(dstr_str(req), dstr_len(req), MSG_LIMIT, ADDR_LIMIT, rec, why),
		     QMQPD_OK);
    ck_assert_uint_eq(rec->total, size);
    ck_assert_uint_le(rec->max_piece, QMQPD_CHUNK);
    ck_assert_int_ge(rec->pieces, (int) ((size + QMQPD_CHUNK - 1) / QMQPD_CHUNK));
    ck_assert_uint_eq(dstr_len(rec->content), size);
    ck_assert_int_eq(memcmp(dstr_str(rec->content), msg, size), 0);
    ck_assert_str_eq(dstr_str(rec->rcpts), "bob@host.test\n");
    free(msg);
    dstr_free(req);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(message_of_exactly_the_limit_is_accepted)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run_lim(EX_TWO_RCPT, strlen(EX_TWO_RCPT), 19, ADDR_LIMIT, rec, why),
		     QMQPD_OK);
    ck_assert_uint_eq(dstr_len(rec->content), 19);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(address_of_exactly_the_limit_is_accepted)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    /* alice@example.org is the longest address: 17 bytes */
    ck_assert_int_eq(run_lim(EX_TWO_RCPT, strlen(EX_TWO_RCPT), MSG_LIMIT, 17, rec, why),
		     QMQPD_OK);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(leading_zeros_are_accepted)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    const char *in = "0086:0019:Subject: hi\n\nHello\n,017:alice@example.org,"
    "013:bob@host.test,0015:carol@host.test,,";

    ck_assert_int_eq(run(in, rec, why), QMQPD_OK);
    ck_assert_str_eq(dstr_str(rec->content), "Subject: hi\n\nHello\n");
    ck_assert_str_eq(dstr_str(rec->sender), "alice@example.org");
    ck_assert_str_eq(dstr_str(rec->rcpts), "bob@host.test\ncarol@host.test\n");
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(message_without_final_lf_is_accepted)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run("49:18:Subject: hi\n\nHello,0:,20:postmaster@host.test,,", rec, why),
		     QMQPD_OK);
    ck_assert_str_eq(dstr_str(rec->content), "Subject: hi\n\nHello");
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(empty_message_is_accepted)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run("30:0:,3:a@b,17:postmaster@host.t,,", rec, why), QMQPD_OK);
    ck_assert_int_eq(rec->starts, 1);
    ck_assert_uint_eq(rec->total, 0);
    ck_assert_int_eq(rec->pieces, 0);
    ck_assert_str_eq(dstr_str(rec->sender), "a@b");
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(bytes_after_the_request_stay_unread)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    DSTR   *in = dstr_new(256);
    IOS    *ios;

    dstr_cats(in, EX_NULL_SENDER);
    dstr_cats(in, EX_TWO_RCPT);
    ios = ios_open_mem(dstr_str(in), dstr_len(in));
    ck_assert_int_eq(read_from(ios, MSG_LIMIT, ADDR_LIMIT, rec, why), QMQPD_OK);
    ck_assert_int_eq(rec->nrcpt, 1);
    ck_assert_int_eq(ios_getc(ios), '8');
    ck_assert_int_eq(ios_getc(ios), '0');
    ios_free(ios);
    dstr_free(in);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

 /*
  * Malformed requests.
  */
START_TEST(not_a_netstring_is_format_error_in_header)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run("hello world", rec, why), QMQPD_ERR_FORMAT);
    ck_assert_str_eq(dstr_str(why), "netstring format error while receiving QMQP packet header");
    ck_assert_int_eq(rec->calls, 0);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(empty_input_is_lost_connection)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run("", rec, why), QMQPD_ERR_LOST);
    ck_assert_str_eq(dstr_str(why), "lost connection while receiving QMQP packet header");
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(missing_outer_comma_then_eof_is_lost)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    const char *in = EX_TWO_RCPT;

    ck_assert_int_eq(run_lim(in, strlen(in) - 1, MSG_LIMIT, ADDR_LIMIT, rec, why),
		     QMQPD_ERR_LOST);
    ck_assert_str_eq(dstr_str(why), "lost connection while receiving QMQP packet trailer");
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(wrong_outer_terminator_is_format_error)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    DSTR   *in = dstr_new(128);

    dstr_cats(in, EX_TWO_RCPT);
    dstr_data(in)[dstr_len(in) - 1] = ';';
    ck_assert_int_eq(run(dstr_str(in), rec, why), QMQPD_ERR_FORMAT);
    ck_assert_str_eq(dstr_str(why), "netstring format error while receiving QMQP packet trailer");
    dstr_free(in);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(recipient_length_larger_than_data_then_eof_is_lost)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    const char *in = "80:19:Subject: hi\n\nHello\n,17:alice@example.org,13:bob@host.test,15:carol";

    ck_assert_int_eq(run(in, rec, why), QMQPD_ERR_LOST);
    ck_assert_str_eq(dstr_str(why), "lost connection while receiving recipient address");
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(message_length_larger_than_data_then_eof_is_lost)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run("80:30:Subject: hi\n\nHello\n", rec, why), QMQPD_ERR_LOST);
    ck_assert_str_eq(dstr_str(why), "lost connection while receiving message content");
    ck_assert_int_eq(rec->senders, 0);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(non_digit_in_outer_length_is_format_error)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run("8x:19:Subject: hi\n\nHello\n,0:,3:a@b,,", rec, why), QMQPD_ERR_FORMAT);
    ck_assert_str_eq(dstr_str(why), "netstring format error while receiving QMQP packet header");
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(non_digit_in_message_length_is_format_error)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run("80:1x:Subject: hi\n\nHello\n,", rec, why), QMQPD_ERR_FORMAT);
    ck_assert_str_eq(dstr_str(why), "netstring format error while receiving message content");
    ck_assert_int_eq(rec->starts, 0);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(non_digit_in_recipient_length_is_format_error)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    const char *in = "80:19:Subject: hi\n\nHello\n,17:alice@example.org,1a:bob@host.test,"
    "15:carol@host.test,,";

    ck_assert_int_eq(run(in, rec, why), QMQPD_ERR_FORMAT);
    ck_assert_str_eq(dstr_str(why), "netstring format error while receiving recipient address");
    ck_assert_int_eq(rec->nrcpt, 0);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(outer_length_with_ten_digits_is_format_error)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run("1000000000:", rec, why), QMQPD_ERR_FORMAT);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(missing_comma_after_message_is_format_error)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run("80:19:Subject: hi\n\nHello\n;17:alice@example.org,", rec, why),
		     QMQPD_ERR_FORMAT);
    ck_assert_str_eq(dstr_str(why), "netstring format error while receiving message content");
    ck_assert_int_eq(rec->senders, 0);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(message_over_limit_is_size_error_before_any_content)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run_lim(EX_TWO_RCPT, strlen(EX_TWO_RCPT), 18, ADDR_LIMIT, rec, why),
		     QMQPD_ERR_SIZE);
    ck_assert_str_eq(dstr_str(why),
		 "netstring length exceeds storage limit while receiving message content");
    ck_assert_int_eq(rec->calls, 0);
    ck_assert_uint_eq(dstr_len(rec->content), 0);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(huge_message_length_is_refused_before_the_body_arrives)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    /* protocols.md §2.7: message length 20000000, the body never sent */
    ck_assert_int_eq(run("20000100:20000000:", rec, why), QMQPD_ERR_SIZE);
    ck_assert_str_eq(dstr_str(why),
		 "netstring length exceeds storage limit while receiving message content");
    ck_assert_int_eq(rec->calls, 0);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(sender_over_limit_is_size_error)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run_lim(EX_TWO_RCPT, strlen(EX_TWO_RCPT), MSG_LIMIT, 16, rec, why),
		     QMQPD_ERR_SIZE);
    ck_assert_str_eq(dstr_str(why),
		 "netstring length exceeds storage limit while receiving sender address");
    ck_assert_int_eq(rec->senders, 0);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(sender_of_3000_bytes_is_size_error_under_default_limit)
{
    static const char *const rcpts[] = {"bob@host.test", 0};
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    char    sender[3001];
    DSTR   *req;

    memset(sender, 's', 3000);
    sender[3000] = 0;
    req = build_request("x\n", 2, sender, rcpts);
    ck_assert_int_eq(run_lim(dstr_str(req), dstr_len(req), MSG_LIMIT, ADDR_LIMIT, rec, why),
		     QMQPD_ERR_SIZE);
    ck_assert_str_eq(dstr_str(why),
		 "netstring length exceeds storage limit while receiving sender address");
    dstr_free(req);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(recipient_over_limit_is_size_error)
{
    static const char *const rcpts[] = {"bob@host.test", "a-much-longer-recipient@host.test", 0};
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    DSTR   *req = build_request("x\n", 2, "a@b", rcpts);

    ck_assert_int_eq(run_lim(dstr_str(req), dstr_len(req), MSG_LIMIT, 20, rec, why),
		     QMQPD_ERR_SIZE);
    ck_assert_str_eq(dstr_str(why),
		 "netstring length exceeds storage limit while receiving recipient address");
    ck_assert_int_eq(rec->nrcpt, 1);
    dstr_free(req);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(zero_recipients_is_norcpt)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run("26:19:Subject: hi\n\nHello\n,0:,,", rec, why), QMQPD_ERR_NORCPT);
    ck_assert_str_eq(dstr_str(why), "Error: no recipients specified");
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(empty_recipient_is_addr_error)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run("29:19:Subject: hi\n\nHello\n,0:,0:,,", rec, why), QMQPD_ERR_ADDR);
    ck_assert_str_eq(dstr_str(why), "Error: empty recipient address");
    ck_assert_int_eq(rec->nrcpt, 0);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(nul_in_recipient_is_addr_error)
{
    static const char in[] = "50:19:Subject: hi\n\nHello\n,0:,20:postmaster@ho\0t.test,,";
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run_lim(in, sizeof(in) - 1, MSG_LIMIT, ADDR_LIMIT, rec, why),
		     QMQPD_ERR_ADDR);
    ck_assert_int_eq(rec->nrcpt, 0);
    ck_assert_uint_gt(dstr_len(why), 0);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(nul_in_sender_is_addr_error)
{
    static const char in[] = "53:19:Subject: hi\n\nHello\n,3:a\0b,20:postmaster@host.test,,";
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    ck_assert_int_eq(run_lim(in, sizeof(in) - 1, MSG_LIMIT, ADDR_LIMIT, rec, why),
		     QMQPD_ERR_ADDR);
    ck_assert_int_eq(rec->senders, 0);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(control_characters_in_addresses_are_addr_errors)
{
    static const char *const bad[] = {"a\r\nb@c", "a\tb@c", "\x1b[2J@c", "a\x7f@c", "a@c\n", 0};
    REC    *rec;
    DSTR   *why = dstr_new(64);
    DSTR   *in = dstr_new(128);
    DSTR   *inner = dstr_new(128);
    int     i;
    int     as_sender;

    for (i = 0; bad[i]; i++) {
	for (as_sender = 0; as_sender < 2; as_sender++) {
	    rec = rec_new();
	    dstr_sprintf(inner, "19:Subject: hi\n\nHello\n,%zu:%s,%zu:%s,",
			 strlen(as_sender ? bad[i] : "s@h"), as_sender ? bad[i] : "s@h",
			 strlen(as_sender ? "r@h" : bad[i]), as_sender ? "r@h" : bad[i]);
	    dstr_sprintf(in, "%zu:%s,", dstr_len(inner), dstr_str(inner));
	    ck_assert_int_eq(run(dstr_str(in), rec, why), QMQPD_ERR_ADDR);
	    ck_assert_str_eq(dstr_str(why), as_sender ?
			     "Error: malformed sender address (control character)" :
			     "Error: malformed recipient address (control character)");
	    ck_assert_int_eq(rec->nrcpt, 0);
	    rec_free(rec);
	}
    }
    dstr_free(why);
    dstr_free(in);
    dstr_free(inner);
}
END_TEST

START_TEST(recipient_overrunning_outer_length_is_format_error)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    const char *in =
    "70:19:Subject: hi\n\nHello\n,17:alice@example.org,13:bob@host.test,15:carol@host.test,,";

    ck_assert_int_eq(run(in, rec, why), QMQPD_ERR_FORMAT);
    ck_assert_str_eq(dstr_str(why), "netstring format error while receiving recipient address");
    ck_assert_str_eq(dstr_str(rec->rcpts), "bob@host.test\n");
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(message_overrunning_outer_length_is_format_error_before_content)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    const char *in =
    "10:19:Subject: hi\n\nHello\n,17:alice@example.org,13:bob@host.test,15:carol@host.test,,";

    ck_assert_int_eq(run(in, rec, why), QMQPD_ERR_FORMAT);
    ck_assert_str_eq(dstr_str(why), "netstring format error while receiving message content");
    ck_assert_int_eq(rec->calls, 0);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(sender_overrunning_outer_length_is_format_error)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    const char *in =
    "30:19:Subject: hi\n\nHello\n,17:alice@example.org,13:bob@host.test,15:carol@host.test,,";

    ck_assert_int_eq(run(in, rec, why), QMQPD_ERR_FORMAT);
    ck_assert_str_eq(dstr_str(why), "netstring format error while receiving sender address");
    ck_assert_int_eq(rec->senders, 0);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(outer_length_one_short_is_format_error)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    const char *in =
    "79:19:Subject: hi\n\nHello\n,17:alice@example.org,13:bob@host.test,15:carol@host.test,,";

    /* the last recipient's comma would be the 80th byte */
    ck_assert_int_eq(run(in, rec, why), QMQPD_ERR_FORMAT);
    ck_assert_int_eq(rec->nrcpt, 1);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(outer_length_longer_than_content_is_format_error)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    const char *in =
    "90:19:Subject: hi\n\nHello\n,17:alice@example.org,13:bob@host.test,15:carol@host.test,,";

    /* the outer ',' is then read where the next recipient's length belongs */
    ck_assert_int_eq(run(in, rec, why), QMQPD_ERR_FORMAT);
    ck_assert_str_eq(dstr_str(why), "netstring format error while receiving recipient address");
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(outer_length_longer_than_content_then_eof_is_lost)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    const char *in =
    "90:19:Subject: hi\n\nHello\n,17:alice@example.org,13:bob@host.test,15:carol@host.test,";

    ck_assert_int_eq(run(in, rec, why), QMQPD_ERR_LOST);
    ck_assert_str_eq(dstr_str(why), "lost connection while receiving recipient address");
    rec_free(rec);
    dstr_free(why);
}
END_TEST

 /*
  * A sink that refuses.
  */

/* refuse_at - the request of EX_TWO_RCPT with call n refused */

static void refuse_at(int n, int calls_expected)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);

    rec->refuse_call = n;
    ck_assert_int_eq(run(EX_TWO_RCPT, rec, why), QMQPD_ERR_SINK);
    ck_assert_int_eq(rec->calls, calls_expected);
    rec_free(rec);
    dstr_free(why);
}

START_TEST(sink_refusing_content_start_stops_with_sink_error)
{
    refuse_at(1, 1);
}
END_TEST

START_TEST(sink_refusing_content_stops_with_sink_error)
{
    refuse_at(2, 2);
}
END_TEST

START_TEST(sink_refusing_sender_stops_with_sink_error)
{
    refuse_at(3, 3);
}
END_TEST

START_TEST(sink_refusing_recipient_stops_with_sink_error)
{
    refuse_at(4, 4);
}
END_TEST

 /*
  * A silent peer.
  */
START_TEST(client_stopping_mid_message_times_out_as_lost)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    const char *part = "80:19:Subject: hi\n";
    int     sv[2];
    IOS    *ios;
    long long start;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(write(sv[1], part, strlen(part)), (ssize_t) strlen(part));
    ios = ios_open(sv[0]);
    ios_set_timeout(ios, 1);
    start = ios_now_ms();
    ck_assert_int_eq(read_from(ios, MSG_LIMIT, ADDR_LIMIT, rec, why), QMQPD_ERR_LOST);
    ck_assert_ptr_nonnull(strstr(dstr_str(why), "timeout"));
    ck_assert_int_ge(ios_now_ms() - start, 900);
    ck_assert_int_eq(rec->senders, 0);
    ios_free(ios);
    close(sv[0]);
    close(sv[1]);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

START_TEST(client_closing_mid_message_is_lost_without_timeout)
{
    REC    *rec = rec_new();
    DSTR   *why = dstr_new(64);
    const char *part = "80:19:Subject: hi\n";
    int     sv[2];
    IOS    *ios;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(write(sv[1], part, strlen(part)), (ssize_t) strlen(part));
    close(sv[1]);
    ios = ios_open(sv[0]);
    ios_set_timeout(ios, 1);
    ck_assert_int_eq(read_from(ios, MSG_LIMIT, ADDR_LIMIT, rec, why), QMQPD_ERR_LOST);
    ck_assert_str_eq(dstr_str(why), "lost connection while receiving message content");
    ios_free(ios);
    close(sv[0]);
    rec_free(rec);
    dstr_free(why);
}
END_TEST

/* qmqpd_proto_suite - every test above */

static Suite *qmqpd_proto_suite(void)
{
    Suite  *s = suite_create("qmqpd_proto");
    TCase  *tg = tcase_create("good");
    TCase  *tb = tcase_create("bad");
    TCase  *ts = tcase_create("sink");
    TCase  *tt = tcase_create("socket");

    tcase_add_test(tg, two_recipient_example_gives_its_pieces);
    tcase_add_test(tg, content_start_announces_total_once_before_content);
    tcase_add_test(tg, null_sender_example_gives_empty_sender);
    tcase_add_test(tg, ezmlm_verp_example_passes_sender_verbatim);
    tcase_add_test(tg, big_message_arrives_in_bounded_pieces);
    tcase_add_test(tg, message_of_exactly_the_limit_is_accepted);
    tcase_add_test(tg, address_of_exactly_the_limit_is_accepted);
    tcase_add_test(tg, leading_zeros_are_accepted);
    tcase_add_test(tg, message_without_final_lf_is_accepted);
    tcase_add_test(tg, empty_message_is_accepted);
    tcase_add_test(tg, bytes_after_the_request_stay_unread);
    suite_add_tcase(s, tg);

    tcase_add_test(tb, not_a_netstring_is_format_error_in_header);
    tcase_add_test(tb, empty_input_is_lost_connection);
    tcase_add_test(tb, missing_outer_comma_then_eof_is_lost);
    tcase_add_test(tb, wrong_outer_terminator_is_format_error);
    tcase_add_test(tb, recipient_length_larger_than_data_then_eof_is_lost);
    tcase_add_test(tb, message_length_larger_than_data_then_eof_is_lost);
    tcase_add_test(tb, non_digit_in_outer_length_is_format_error);
    tcase_add_test(tb, non_digit_in_message_length_is_format_error);
    tcase_add_test(tb, non_digit_in_recipient_length_is_format_error);
    tcase_add_test(tb, outer_length_with_ten_digits_is_format_error);
    tcase_add_test(tb, missing_comma_after_message_is_format_error);
    tcase_add_test(tb, message_over_limit_is_size_error_before_any_content);
    tcase_add_test(tb, huge_message_length_is_refused_before_the_body_arrives);
    tcase_add_test(tb, sender_over_limit_is_size_error);
    tcase_add_test(tb, sender_of_3000_bytes_is_size_error_under_default_limit);
    tcase_add_test(tb, recipient_over_limit_is_size_error);
    tcase_add_test(tb, zero_recipients_is_norcpt);
    tcase_add_test(tb, empty_recipient_is_addr_error);
    tcase_add_test(tb, nul_in_recipient_is_addr_error);
    tcase_add_test(tb, nul_in_sender_is_addr_error);
    tcase_add_test(tb, control_characters_in_addresses_are_addr_errors);
    tcase_add_test(tb, recipient_overrunning_outer_length_is_format_error);
    tcase_add_test(tb, message_overrunning_outer_length_is_format_error_before_content);
    tcase_add_test(tb, sender_overrunning_outer_length_is_format_error);
    tcase_add_test(tb, outer_length_one_short_is_format_error);
    tcase_add_test(tb, outer_length_longer_than_content_is_format_error);
    tcase_add_test(tb, outer_length_longer_than_content_then_eof_is_lost);
    suite_add_tcase(s, tb);

    tcase_add_test(ts, sink_refusing_content_start_stops_with_sink_error);
    tcase_add_test(ts, sink_refusing_content_stops_with_sink_error);
    tcase_add_test(ts, sink_refusing_sender_stops_with_sink_error);
    tcase_add_test(ts, sink_refusing_recipient_stops_with_sink_error);
    suite_add_tcase(s, ts);

    tcase_set_timeout(tt, 10);
    tcase_add_test(tt, client_stopping_mid_message_times_out_as_lost);
    tcase_add_test(tt, client_closing_mid_message_is_lost_without_timeout);
    suite_add_tcase(s, tt);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(qmqpd_proto_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
