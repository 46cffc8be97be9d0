/*
 * fuzz_qmqp - libFuzzer target for the QMQP request reader
 * DESCRIPTION
 *	qmqpd_read_request() is the first code that sees a client's bytes.
 *	The target feeds arbitrary bytes through ios_open_mem() under small,
 *	medium and default limits, with a sink that checks the order and the
 *	shape of what it is given, and that refuses one call in one of the
 *	runs. Besides the sanitizers' checks, it aborts when a property fails:
 *	- content_start() comes once, first, with a total within the message
 *	  limit; the pieces add up to at most that total (exactly, once the
 *	  sender arrives); no piece is empty or longer than QMQPD_CHUNK;
 *	- the sender comes once, after the whole message; recipients after
 *	  the sender; addresses are within the address limit and hold no NUL
 *	  or other control character;
 *	  recipients are not empty;
 *	- after a sink refusal nothing more is called and the result is
 *	  QMQPD_ERR_SINK; every other failure comes with a reason;
 *	- an independent decoder (netstring_parse() over the whole input)
 *	  accepts the request exactly when the reader returns QMQPD_OK, and
 *	  then both give the same message, sender and recipients, and the
 *	  reader has consumed exactly the outer netstring.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dstr.h"
#include "ios.h"
#include "netstring.h"
#include "qmqpd/qmqpd.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_qmqp.c:%d: property failed: %s\n", line, what);
    abort();
}

/* What the sink saw. */
typedef struct FUZZ_REC {
    const QMQPD_LIMITS *lim;
    int     calls;
    int     refuse_call;		/* 1-based; 0: never refuse */
    int     refused;
    int     started;
    size_t  total;
    DSTR   *content;
    int     senders;
    DSTR   *sender;
    int     nrcpt;
    DSTR   *rcpts;			/* netstring-encoded, in order */
} FUZZ_REC;

/* fuzz_call - common bookkeeping; non-zero when this call must be refused */

static int fuzz_call(FUZZ_REC *rec)
{
    FUZZ_CHECK(!rec->refused);			/* nothing after a refusal */
    if (++rec->calls == rec->refuse_call) {
	rec->refused = 1;
	return (1);
    }
    return (0);
}

/* fuzz_start - content_start() */

static int fuzz_start(void *ctx, size_t total)
{
    FUZZ_REC *rec = ctx;

    FUZZ_CHECK(rec->started == 0 && rec->senders == 0);
    FUZZ_CHECK(total <= rec->lim->message);
    rec->started = 1;
    rec->total = total;
    return (fuzz_call(rec));
}

/* fuzz_content - content() */

static int fuzz_content(void *ctx, const char *buf, size_t len)
{
    FUZZ_REC *rec = ctx;

    FUZZ_CHECK(rec->started && rec->senders == 0);
    FUZZ_CHECK(len > 0 && len <= QMQPD_CHUNK);
    FUZZ_CHECK(dstr_len(rec->content) + len <= rec->total);
    (void) dstr_cat(rec->content, buf, len);
    return (fuzz_call(rec));
}

/* fuzz_has_control - NUL, another C0 control character or DEL: refused in addresses */

static int fuzz_has_control(const char *p, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++)
	if ((unsigned char) p[i] < 0x20 || (unsigned char) p[i] == 0x7f)
	    return (1);
    return (0);
}

/* fuzz_address - checks common to sender and recipients */

static void fuzz_address(FUZZ_REC *rec, const char *addr, size_t len)
{
    FUZZ_CHECK(len <= rec->lim->address);
    FUZZ_CHECK(!fuzz_has_control(addr, len));
}

/* fuzz_sender - sender() */

static int fuzz_sender(void *ctx, const char *addr, size_t len)
{
    FUZZ_REC *rec = ctx;

    FUZZ_CHECK(rec->started && rec->senders == 0 && rec->nrcpt == 0);
    FUZZ_CHECK(dstr_len(rec->content) == rec->total);
    fuzz_address(rec, addr, len);
    rec->senders++;
    (void) dstr_memcpy(rec->sender, addr, len);
    return (fuzz_call(rec));
}

/* fuzz_recipient - recipient() */

static int fuzz_recipient(void *ctx, const char *addr, size_t len)
{
    FUZZ_REC *rec = ctx;

    FUZZ_CHECK(rec->senders == 1);
    FUZZ_CHECK(len > 0);
    fuzz_address(rec, addr, len);
    rec->nrcpt++;
    netstring_put(rec->rcpts, addr, len);
    return (fuzz_call(rec));
}

/* fuzz_reference - decode the request with netstring_parse(); 1 if acceptable */

static int fuzz_reference(const char *in, size_t len, const QMQPD_LIMITS *lim,
			          size_t *used, DSTR *msg, DSTR *sender, DSTR *rcpts)
{
    const char *outer;
    size_t  outer_len;
    const char *p;
    size_t  plen;
    ssize_t n;
    int     nrcpt = 0;

    if ((n = netstring_parse(in, len, (size_t) 999999999, &outer, &outer_len)) <= 0)
	return (0);
    *used = (size_t) n;
    if ((n = netstring_parse(outer, outer_len, lim->message, &p, &plen)) <= 0)
	return (0);
    (void) dstr_memcpy(msg, p, plen);
    outer += n;
    outer_len -= (size_t) n;
    if ((n = netstring_parse(outer, outer_len, lim->address, &p, &plen)) <= 0
	|| fuzz_has_control(p, plen))
	return (0);
    (void) dstr_memcpy(sender, p, plen);
    outer += n;
    outer_len -= (size_t) n;
    while (outer_len > 0) {
	if ((n = netstring_parse(outer, outer_len, lim->address, &p, &plen)) <= 0
	    || plen == 0 || fuzz_has_control(p, plen))
	    return (0);
	netstring_put(rcpts, p, plen);
	nrcpt++;
	outer += n;
	outer_len -= (size_t) n;
    }
    return (nrcpt > 0);
}

/* fuzz_same - two byte strings are equal */

static int fuzz_same(const DSTR *a, const DSTR *b)
{
    return (dstr_len(a) == dstr_len(b) && memcmp(dstr_str(a), dstr_str(b), dstr_len(a)) == 0);
}

/* fuzz_one - one run under one set of limits */

static void fuzz_one(const uint8_t *data, size_t size, const QMQPD_LIMITS *lim, int refuse_call)
{
    IOS    *ios = ios_open_mem(data, size);
    DSTR   *why = dstr_new(64);
    FUZZ_REC rec;
    QMQPD_SINK sink;
    DSTR   *ref_msg = dstr_new(64);
    DSTR   *ref_sender = dstr_new(64);
    DSTR   *ref_rcpts = dstr_new(64);
    size_t  ref_used = 0;
    int     ref_ok;
    int     ret;

    memset(&rec, 0, sizeof(rec));
    rec.lim = lim;
    rec.refuse_call = refuse_call;
    rec.content = dstr_new(64);
    rec.sender = dstr_new(64);
    rec.rcpts = dstr_new(64);
    sink.content_start = fuzz_start;
    sink.content = fuzz_content;
    sink.sender = fuzz_sender;
    sink.recipient = fuzz_recipient;
    sink.ctx = &rec;

    ret = qmqpd_read_request(ios, lim, &sink, why);
    FUZZ_CHECK(ret >= QMQPD_OK && ret <= QMQPD_ERR_SINK);
    if (rec.refused)
	FUZZ_CHECK(ret == QMQPD_ERR_SINK);
    else
	FUZZ_CHECK(ret != QMQPD_ERR_SINK);
    if (ret != QMQPD_OK && ret != QMQPD_ERR_SINK)
	FUZZ_CHECK(dstr_len(why) > 0);

    ref_ok = fuzz_reference((const char *) data, size, lim, &ref_used,
			    ref_msg, ref_sender, ref_rcpts);
    if (ret == QMQPD_OK) {
	FUZZ_CHECK(ref_ok);
	FUZZ_CHECK(rec.started && rec.senders == 1 && rec.nrcpt > 0);
	FUZZ_CHECK(dstr_len(rec.content) == rec.total);
	FUZZ_CHECK(fuzz_same(rec.content, ref_msg));
	FUZZ_CHECK(fuzz_same(rec.sender, ref_sender));
	FUZZ_CHECK(fuzz_same(rec.rcpts, ref_rcpts));
	FUZZ_CHECK(ios->bytes_in - (long long) ios_buffered(ios) == (long long) ref_used);
    } else if (ret != QMQPD_ERR_SINK) {
	FUZZ_CHECK(!ref_ok);
    }

    dstr_free(rec.content);
    dstr_free(rec.sender);
    dstr_free(rec.rcpts);
    dstr_free(ref_msg);
    dstr_free(ref_sender);
    dstr_free(ref_rcpts);
    dstr_free(why);
    ios_free(ios);
}

/* LLVMFuzzerTestOneInput - libFuzzer entry point */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const QMQPD_LIMITS small = {64, 16};
    static const QMQPD_LIMITS medium = {QMQPD_CHUNK + 100, 100};
    static const QMQPD_LIMITS deflt = {10240000, 2048};

    fuzz_one(data, size, &small, 0);
    fuzz_one(data, size, &medium, 0);
    fuzz_one(data, size, &deflt, 0);
    fuzz_one(data, size, &deflt, 1 + (int) (size % 6));
    return (0);
}
