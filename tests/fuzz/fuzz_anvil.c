/*
 * fuzz_anvil - libFuzzer target for what anvil reads from its clients
 * DESCRIPTION
 *	anvil reads a stream of requests (attribute lists) from each client
 *	and applies them to its counting table. The bytes are fed as such a
 *	stream, the way anvil_conn.c does (a buffer of at most
 *	ANVIL_REQUEST_MAX bytes, requests taken from its front), and the
 *	target aborts when a property fails:
 *	- anvil_request_parse() returns "need more" only below
 *	  ANVIL_REQUEST_MAX bytes, or a length within what it was given, or
 *	  "bad"; an accepted ident is printable and within ANVIL_IDENT_MAX;
 *	  an event comes only with a disconnect, within ANVIL_EVENT_MAX
 *	  bytes of its alphabet; an accepted request, encoded again, parses
 *	  to the same request;
 *	- the answers do not depend on how the stream was split into reads;
 *	- with the requests spread over three client streams, each ident's
 *	  count equals what the streams hold of it, and once every stream
 *	  has ended the table is empty.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anvil/anvil.h"
#include "anvil_proto.h"
#include "attr.h"
#include "dstr.h"

#define FUZZ_OWNERS	3

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_anvil.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_reparse - an accepted request encodes and parses back to itself */

static void fuzz_reparse(const ANVIL_REQUEST *req)
{
    static const char *const names[] = {0, ANVIL_REQ_CONNECT, ANVIL_REQ_DISCONNECT,
    ANVIL_REQ_LOOKUP, ANVIL_REQ_STATS};
    ANVIL_REQUEST *again = anvil_request_new();
    DSTR   *out = dstr_new(64);
    DSTR   *why = dstr_new(64);
    size_t  i;

    FUZZ_CHECK(req->op >= ANVIL_OP_CONNECT && req->op <= ANVIL_OP_STATS);
    /* An event only with a disconnect, and only of its small alphabet. */
    FUZZ_CHECK(dstr_len(req->event) == 0 || req->op == ANVIL_OP_DISCONNECT);
    FUZZ_CHECK(dstr_len(req->event) <= ANVIL_EVENT_MAX);
    for (i = 0; i < dstr_len(req->event); i++)
	FUZZ_CHECK(strchr("abcdefghijklmnopqrstuvwxyz0123456789_:.-", dstr_str(req->event)[i]));
    FUZZ_CHECK(dstr_len(req->ident) > 0 && dstr_len(req->ident) <= ANVIL_IDENT_MAX);
    for (i = 0; i < dstr_len(req->ident); i++)
	FUZZ_CHECK(dstr_str(req->ident)[i] > ' ' && dstr_str(req->ident)[i] <= '~');
    attr_put_str(out, ANVIL_ATTR_REQUEST, names[req->op]);
    attr_put_str(out, ANVIL_ATTR_IDENT, dstr_str(req->ident));
    if (dstr_len(req->event))
	attr_put_str(out, ANVIL_ATTR_EVENT, dstr_str(req->event));
    attr_put_end(out);
    FUZZ_CHECK(anvil_request_parse(dstr_str(out), dstr_len(out), again, why)
	       == (long) dstr_len(out));
    FUZZ_CHECK(again->op == req->op);
    FUZZ_CHECK(strcmp(dstr_str(again->ident), dstr_str(req->ident)) == 0);
    FUZZ_CHECK(strcmp(dstr_str(again->event), dstr_str(req->event)) == 0);
    anvil_request_free(again);
    dstr_free(out);
    dstr_free(why);
}

/* fuzz_check_counts - the table holds what the owners hold */

static void fuzz_check_counts(ANVIL_TABLE *table, ANVIL_OWNER **owners,
			              const ANVIL_REQUEST *req)
{
    int     held = 0;
    int     all = 0;
    int     i;

    for (i = 0; i < FUZZ_OWNERS; i++) {
	held += anvil_owner_holds(owners[i], dstr_str(req->ident));
	all += anvil_owner_count(owners[i]);
    }
    FUZZ_CHECK(anvil_lookup(table, dstr_str(req->ident)) == held);
    FUZZ_CHECK(anvil_table_size(table) <= (size_t) all);
}

/*
 * fuzz_stream - feed data in reads of at most chunk bytes, as anvil_conn.c
 * does; request number k goes to owner k % nowners. The answers go to
 * out; returns the number of requests served.
 */
static int fuzz_stream(const uint8_t *data, size_t len, size_t chunk, int nowners, DSTR *out)
{
    ANVIL_TABLE *table = anvil_table_new();
    ANVIL_OWNER *owners[FUZZ_OWNERS];
    ANVIL_REQUEST *req = anvil_request_new();
    DSTR   *in = dstr_new(ANVIL_REQUEST_MAX);
    DSTR   *why = dstr_new(64);
    size_t  off = 0;
    size_t  take;
    long    used;
    int     served = 0;
    int     bad = 0;
    int     i;

    for (i = 0; i < FUZZ_OWNERS; i++)
	owners[i] = anvil_owner_new();
    while (!bad && off < len) {
	take = ANVIL_REQUEST_MAX - dstr_len(in);
	FUZZ_CHECK(take > 0);
	if (take > chunk)
	    take = chunk;
	if (take > len - off)
	    take = len - off;
	dstr_cat(in, data + off, take);
	off += take;
	while (dstr_len(in) > 0) {
	    used = anvil_request_parse(dstr_str(in), dstr_len(in), req, why);
	    if (used == ANVIL_PARSE_MORE) {
		FUZZ_CHECK(dstr_len(in) < ANVIL_REQUEST_MAX);
		break;
	    }
	    if (used < 0) {
		FUZZ_CHECK(used == ANVIL_PARSE_BAD && dstr_len(why) > 0);
		bad = 1;
		break;
	    }
	    FUZZ_CHECK((size_t) used <= dstr_len(in) && used <= ANVIL_REQUEST_MAX);
	    fuzz_reparse(req);
	    anvil_request_apply(table, owners[served % nowners], req, 0, out);
	    fuzz_check_counts(table, owners, req);
	    served++;
	    dstr_drop_head(in, (size_t) used);
	}
    }
    for (i = 0; i < FUZZ_OWNERS; i++)
	anvil_owner_free(table, owners[i]);
    FUZZ_CHECK(anvil_table_size(table) == 0);
    anvil_table_free(table);
    anvil_request_free(req);
    dstr_free(in);
    dstr_free(why);
    return (served);
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    DSTR   *whole;
    DSTR   *split;
    size_t  chunk;

    if (size == 0)
	return (0);
    whole = dstr_new(256);
    split = dstr_new(256);
    chunk = (size_t) data[0] % 17 + 1;		/* reads of 1 to 17 bytes */
    FUZZ_CHECK(fuzz_stream(data + 1, size - 1, size, 1, whole)
	       == fuzz_stream(data + 1, size - 1, chunk, 1, split));
    FUZZ_CHECK(dstr_len(whole) == dstr_len(split)
	       && memcmp(dstr_str(whole), dstr_str(split), dstr_len(whole)) == 0);
    DSTR_RESET(split);
    (void) fuzz_stream(data + 1, size - 1, chunk, FUZZ_OWNERS, split);
    dstr_free(whole);
    dstr_free(split);
    return (0);
}
