/*
 * fuzz_dns_ttl - libFuzzer target for dns_answer_ttl()
 * DESCRIPTION
 *	The MX answer's TTL decides how long qmgr remembers a domain's
 *	exchanger group; it is read from the DNS server's bytes by a walker
 *	of our own (c-ares's MX parser drops TTLs). The bytes are an answer;
 *	the target aborts when the result is not -1 or a TTL in 0..2^31-1,
 *	or differs between two calls.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dns.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int     len = size > 65535 ? 65535 : (int) size;
    long    ttl = dns_answer_ttl(data, len, 15);

    if (ttl < -1 || ttl > 0x7fffffffL || dns_answer_ttl(data, len, 15) != ttl) {
	fprintf(stderr, "fuzz_dns_ttl.c: bad result %ld\n", ttl);
	abort();
    }
    (void) dns_answer_ttl(data, len, 1);
    return (0);
}
