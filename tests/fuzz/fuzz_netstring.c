/*
 * fuzz_netstring - libFuzzer target for the netstring decoders
 * DESCRIPTION
 *	Netstrings are the first thing qmqpd reads from the network, so both
 *	decoders get arbitrary bytes: netstring_parse() walks through the
 *	input as a run of concatenated netstrings under several limits, and
 *	netstring_get() reads the same bytes from a memory stream. Besides
 *	the sanitizers' memory and UB checks, the target aborts when a
 *	property fails:
 *	- a parse result is a byte count inside the input, ending in ',',
 *	  with the payload inside it and no longer than the limit; or one of
 *	  NETSTRING_MORE, _ERR_FORMAT, _ERR_SIZE;
 *	- the last byte is needed: one byte less gives NETSTRING_MORE;
 *	- what the parser accepts re-encodes (netstring_put) to the same
 *	  bytes, except for leading zeros in the length, which are dropped;
 *	- the streaming decoder agrees with the parser netstring by
 *	  netstring (NETSTRING_MORE there is NETSTRING_ERR_EOF here);
 *	- any input wrapped by netstring_put()/netstring_write() parses back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dstr.h"
#include "ios.h"
#include "netstring.h"

/* Limits for the in-memory parser; it allocates nothing, so SIZE_MAX is fine. */
static const size_t parse_limits[] = {0, 1, 7, 100, 65536, SIZE_MAX};

/* The stream decoder allocates the declared length: keep it modest. */
static const size_t stream_limits[] = {0, 5, 4096, 1 << 20};

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_netstring.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_canonical - the netstring at in with leading zeros removed from its length */

static void fuzz_canonical(DSTR *out, const char *in, size_t len)
{
    size_t  zeros = 0;

    while (in[zeros] == '0' && in[zeros + 1] != ':')
	zeros++;
    (void) dstr_memcpy(out, in + zeros, len - zeros);
}

/* fuzz_check_accepted - properties of one netstring the parser accepted */

static void fuzz_check_accepted(const char *in, size_t inlen, size_t max, ssize_t used,
				        const char *payload, size_t paylen, DSTR *tmp)
{
    const char *dummy;
    size_t  dummy_len;
    DSTR   *canon;

    FUZZ_CHECK((size_t) used <= inlen && used >= 3);
    FUZZ_CHECK(in[used - 1] == ',');
    FUZZ_CHECK(paylen <= max);
    FUZZ_CHECK(payload > in && payload + paylen == in + used - 1);
    FUZZ_CHECK(payload[-1] == ':');
    FUZZ_CHECK(netstring_parse(in, (size_t) used - 1, max, &dummy, &dummy_len)
	       == NETSTRING_MORE);

    DSTR_RESET(tmp);
    netstring_put(tmp, payload, paylen);
    canon = dstr_new((size_t) used);
    fuzz_canonical(canon, in, (size_t) used);
    FUZZ_CHECK(dstr_len(tmp) == dstr_len(canon)
	       && memcmp(dstr_str(tmp), dstr_str(canon), dstr_len(tmp)) == 0);
    dstr_free(canon);
}

/* fuzz_stream_agrees - the stream decoder's next result matches the parser's */

static void fuzz_stream_agrees(IOS *ios, DSTR *buf, size_t max, ssize_t parsed,
			               const char *payload, size_t paylen)
{
    int     got;

    if (ios == 0)
	return;
    got = netstring_get(ios, buf, max);
    if (parsed > 0) {
	FUZZ_CHECK(got == 0);
	FUZZ_CHECK(dstr_len(buf) == paylen
		   && memcmp(dstr_str(buf), payload, paylen) == 0);
    } else if (parsed == NETSTRING_MORE) {
	FUZZ_CHECK(got == NETSTRING_ERR_EOF);
    } else {
	FUZZ_CHECK(got == parsed);
    }
}

/* fuzz_walk - parse concatenated netstrings; compare with the stream if given */

static void fuzz_walk(const char *in, size_t len, size_t max, IOS *ios, DSTR *tmp)
{
    DSTR   *buf = dstr_new(64);
    const char *payload = 0;
    size_t  paylen = 0;
    ssize_t used;

    for (;;) {
	used = netstring_parse(in, len, max, &payload, &paylen);
	FUZZ_CHECK(used > 0 || used == NETSTRING_MORE
		   || used == NETSTRING_ERR_FORMAT || used == NETSTRING_ERR_SIZE);
	if (used > 0)
	    fuzz_check_accepted(in, len, max, used, payload, paylen, tmp);
	fuzz_stream_agrees(ios, buf, max, used, payload, paylen);
	if (used <= 0)
	    break;
	in += used;
	len -= (size_t) used;
    }
    dstr_free(buf);
}

/* fuzz_round_trip - any bytes, encoded both ways, decode to themselves */

static void fuzz_round_trip(const char *data, size_t size, DSTR *tmp)
{
    IOS    *ios = ios_open_mem("", 0);
    const DSTR *wire;
    const char *payload;
    size_t  paylen;

    DSTR_RESET(tmp);
    netstring_put(tmp, data, size);
    FUZZ_CHECK(netstring_parse(dstr_str(tmp), dstr_len(tmp), size, &payload, &paylen)
	       == (ssize_t) dstr_len(tmp));
    FUZZ_CHECK(paylen == size && memcmp(payload, data, size) == 0);
    if (size > 0)
	FUZZ_CHECK(netstring_parse(dstr_str(tmp), dstr_len(tmp), size - 1,
				   &payload, &paylen) == NETSTRING_ERR_SIZE);
    FUZZ_CHECK(netstring_write(ios, data, size) == 0);
    wire = ios_mem_output(ios);
    FUZZ_CHECK(dstr_len(wire) == dstr_len(tmp)
	       && memcmp(dstr_str(wire), dstr_str(tmp), dstr_len(tmp)) == 0);
    ios_free(ios);
}

/* LLVMFuzzerTestOneInput - libFuzzer entry point */

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *) data;
    DSTR   *tmp = dstr_new(size + 32);
    IOS    *ios;
    size_t  i;

    for (i = 0; i < sizeof(parse_limits) / sizeof(parse_limits[0]); i++)
	fuzz_walk(in, size, parse_limits[i], 0, tmp);
    for (i = 0; i < sizeof(stream_limits) / sizeof(stream_limits[0]); i++) {
	ios = ios_open_mem(data, size);
	fuzz_walk(in, size, stream_limits[i], ios, tmp);
	ios_free(ios);
    }
    fuzz_round_trip(in, size, tmp);
    dstr_free(tmp);
    return (0);
}
