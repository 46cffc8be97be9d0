/*
 * fuzz_dkim_verify - libFuzzer target for the whole-message DKIM verifier
 * DESCRIPTION
 *	The bytes are a message for dkim_verify(). Key lookups answer from a
 *	fixed table: RFC 8463's Ed25519 and RSA records for its selectors
 *	(so the seed from its Appendix A passes, and mutations of it reach
 *	the signature checks), and by the selector's first letter a revoked
 *	key ('r'), a temporary failure ('x'), no key ('n') or the Ed25519
 *	key. The target aborts when a property fails:
 *	- at most DKIM_VERIFY_MAX_SIGS results, each with printable d=, s=
 *	  and a= of at most 255 bytes, a reason exactly when it did not pass;
 *	- at most one key lookup per result, each for a name of at most 253
 *	  bytes with "._domainkey." in it;
 *	- a message without CR verifies the same (status by status) when
 *	  every LF becomes CR LF, as posthorn-smtp(8) sends it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_verify.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

#define FUZZ_NOW	1528637909	/* RFC 8463's t= */

static const char fuzz_ed_record[] =
"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
static const char fuzz_rsa_record[] =
"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR"
"iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC"
"DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3"
"Ip3G+2kryOTIKT+l/K4w3QIDAQAB";

static int fuzz_lookups;

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_dkim_verify.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_lookup - the fixed key table */

static int fuzz_lookup(void *ctx, const char *name, DSTR *txt, DSTR *why)
{
    (void) ctx;
    fuzz_lookups++;
    FUZZ_CHECK(strlen(name) <= 253 && strstr(name, "._domainkey.") != NULL);
    if (strcmp(name, "test._domainkey.football.example.com") == 0)
	dstr_strcpy(txt, fuzz_rsa_record);
    else if (name[0] == 'r')
	dstr_strcpy(txt, "v=DKIM1; p=");
    else if (name[0] == 'x' || name[0] == 'n') {
	dstr_strcpy(why, "no key today");
	return (name[0] == 'x' ? DKIM_TXT_TEMPFAIL : DKIM_TXT_PERMFAIL);
    } else
	dstr_strcpy(txt, fuzz_ed_record);
    return (DKIM_TXT_FOUND);
}

/* fuzz_check_string - printable, bounded */

static void fuzz_check_string(const char *s)
{
    size_t  n;

    FUZZ_CHECK(s != NULL);
    for (n = 0; s[n]; n++)
	FUZZ_CHECK(s[n] > 0x20 && s[n] < 0x7f);
    FUZZ_CHECK(n <= 255);
}

/* fuzz_run - verify, check each result; the results */

static void fuzz_run(const char *msg, size_t len, DKIM_RESULTS *res)
{
    size_t  i;

    fuzz_lookups = 0;
    FUZZ_CHECK(dkim_verify(msg, len, FUZZ_NOW, fuzz_lookup, NULL, res) == res->count);
    FUZZ_CHECK(res->count <= DKIM_VERIFY_MAX_SIGS);
    FUZZ_CHECK((size_t) fuzz_lookups <= res->count);
    for (i = 0; i < res->count; i++) {
	fuzz_check_string(res->res[i].domain);
	fuzz_check_string(res->res[i].selector);
	fuzz_check_string(res->res[i].alg);
	FUZZ_CHECK(res->res[i].reason != NULL);
	FUZZ_CHECK((res->res[i].status == DKIM_STATUS_PASS) == (res->res[i].reason[0] == 0));
	FUZZ_CHECK(res->res[i].status == DKIM_STATUS_PASS
		   || res->res[i].status == DKIM_STATUS_FAIL
		   || res->res[i].status == DKIM_STATUS_TEMPFAIL);
    }
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    DKIM_RESULTS lf;
    DKIM_RESULTS crlf;
    DSTR   *wire;
    size_t  i;

    fuzz_run((const char *) data, size, &lf);
    if (memchr(data, '\r', size) == NULL) {
	wire = dstr_new(2 * size + 1);
	for (i = 0; i < size; i++) {
	    if (data[i] == '\n')
		dstr_catc(wire, '\r');
	    dstr_catc(wire, (char) data[i]);
	}
	fuzz_run(dstr_str(wire), dstr_len(wire), &crlf);
	FUZZ_CHECK(crlf.count == lf.count);
	for (i = 0; i < lf.count; i++)
	    FUZZ_CHECK(crlf.res[i].status == lf.res[i].status);
	dkim_results_free(&crlf);
	dstr_free(wire);
    }
    dkim_results_free(&lf);
    return (0);
}
