/*
 * fuzz_smtp_sasl - libFuzzer target for what SMTP AUTH reads from servers
 * DESCRIPTION
 *	A server controls two inputs of the SASL client: the AUTH lines of
 *	its EHLO reply, and the base64 of its 334 challenges. The bytes go to
 *	both: parsed as a reply and searched for mechanisms, and decoded as
 *	base64 under a small output limit. Also the username word that comes
 *	back from the connection cache. The target aborts when a property
 *	fails:
 *	- every mechanism kept is 1..SMTP_SASL_MECH_LEN_MAX characters of
 *	  [A-Z0-9-_], appears once, and there are at most SMTP_SASL_MECHS_MAX;
 *	  none is found in a reply without an "AUTH" keyword;
 *	- base64_decode() output fits the limit and has 3/4 of the input's
 *	  length minus padding; encoding it and decoding again gives the same
 *	  bytes; any input encodes to text that decodes back to it;
 *	- a username word that decodes encodes back to a word that decodes to
 *	  the same name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp.h"
#include "smtp/smtp_sasl.h"
#include "base64.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

#define FUZZ_B64_LIMIT	64

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_smtp_sasl.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_has_auth - does text hold "auth" in any case */

static int fuzz_has_auth(const char *text, size_t len)
{
    size_t  i;

    for (i = 0; i + 4 <= len; i++)
	if (strncasecmp(text + i, "auth", 4) == 0)
	    return (1);
    return (0);
}

/* fuzz_mechs - EHLO AUTH parsing */

static void fuzz_mechs(const uint8_t *data, size_t size)
{
    SMTP_REPLY *reply = smtp_reply_new();
    ARGV   *mechs = argv_new(4);
    const char *cp;
    size_t  i;
    size_t  j;
    int     offered;

    if (smtp_reply_parse((const char *) data, size, reply) > 0) {
	offered = smtp_sasl_ehlo_mechs(reply, mechs);
	FUZZ_CHECK(mechs->argc <= SMTP_SASL_MECHS_MAX);
	FUZZ_CHECK(offered || mechs->argc == 0);
	if (offered)
	    FUZZ_CHECK(fuzz_has_auth(dstr_str(reply->text), dstr_len(reply->text)));
	for (i = 0; i < mechs->argc; i++) {
	    FUZZ_CHECK(strlen(mechs->argv[i]) >= 1
		       && strlen(mechs->argv[i]) <= SMTP_SASL_MECH_LEN_MAX);
	    for (cp = mechs->argv[i]; *cp; cp++)
		FUZZ_CHECK((*cp >= 'A' && *cp <= 'Z') || (*cp >= '0' && *cp <= '9')
			   || *cp == '-' || *cp == '_');
	    for (j = 0; j < i; j++)
		FUZZ_CHECK(strcmp(mechs->argv[i], mechs->argv[j]) != 0);
	}
    }
    argv_free(mechs);
    smtp_reply_free(reply);
}

/* fuzz_base64 - strict decoding, and encoding of anything */

static void fuzz_base64(const uint8_t *data, size_t size)
{
    DSTR   *out = dstr_new(16);
    DSTR   *text = dstr_new(16);
    DSTR   *back = dstr_new(16);
    size_t  pad = 0;

    dstr_set_limit(out, FUZZ_B64_LIMIT);
    if (base64_decode(out, (const char *) data, size) == 0) {
	FUZZ_CHECK(dstr_len(out) <= FUZZ_B64_LIMIT);
	if (size > 0 && data[size - 1] == '=')
	    pad = (size > 1 && data[size - 2] == '=') ? 2 : 1;
	FUZZ_CHECK(size % 4 == 0 && dstr_len(out) == size / 4 * 3 - pad);
	base64_encode(text, dstr_str(out), dstr_len(out));
	FUZZ_CHECK(dstr_len(text) == size);
	FUZZ_CHECK(base64_decode(back, dstr_str(text), dstr_len(text)) == 0);
	FUZZ_CHECK(dstr_len(back) == dstr_len(out)
		   && memcmp(dstr_str(back), dstr_str(out), dstr_len(out)) == 0);
    }
    DSTR_RESET(text);
    DSTR_RESET(back);
    FUZZ_CHECK(base64_encode(text, data, size) == 0);
    FUZZ_CHECK(base64_decode(back, dstr_str(text), dstr_len(text)) == 0);
    FUZZ_CHECK(dstr_len(back) == size && memcmp(dstr_str(back), data, size) == 0);
    dstr_free(out);
    dstr_free(text);
    dstr_free(back);
}

/* fuzz_user - the connection cache's username word */

static void fuzz_user(const uint8_t *data, size_t size)
{
    DSTR   *word = dstr_new(16);
    DSTR   *name = dstr_new(16);
    DSTR   *again = dstr_new(16);
    DSTR   *back = dstr_new(16);
    int     rc;

    dstr_cat(word, data, size);			/* stops at the first NUL, as props do */
    rc = smtp_sasl_user_decode(name, dstr_str(word));
    FUZZ_CHECK(rc >= -1 && rc <= 1);
    if (rc == 1) {
	FUZZ_CHECK(strlen(dstr_str(name)) == dstr_len(name));
	smtp_sasl_user_encode(again, dstr_str(name));
	FUZZ_CHECK(smtp_sasl_user_decode(back, dstr_str(again)) == 1);
	FUZZ_CHECK(strcmp(dstr_str(back), dstr_str(name)) == 0);
    }
    dstr_free(word);
    dstr_free(name);
    dstr_free(again);
    dstr_free(back);
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_mechs(data, size);
    fuzz_base64(data, size);
    fuzz_user(data, size);
    return (0);
}
