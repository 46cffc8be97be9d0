/*
 * fuzz_hdr_extract - libFuzzer target for sendmail -t's header work
 * DESCRIPTION
 *	The bytes are a header section as sendmail -t hands it to
 *	hdr_extract(): the user's own message, but a parser is a parser.
 *	The target aborts when a property fails:
 *	- a refusal comes with a reason;
 *	- the kept section is the input with whole fields taken out: never
 *	  longer, and every kept byte appears in the input in order;
 *	- no kept field is a Bcc: or Resent-Bcc: field;
 *	- at most HDR_EXTRACT_MAX_RCPT recipients, each non-empty;
 *	- extracting again from the kept section keeps all of it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hdr_extract.h"

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) \
	    fuzz_fail(__LINE__, #cond); \
    } while (0)

/* fuzz_fail - report a broken property and crash, so libFuzzer saves the input */

static void fuzz_fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_hdr_extract.c:%d: property failed: %s\n", line, what);
    abort();
}

/* fuzz_is_subsequence - every byte of small, in order, in big */

static int fuzz_is_subsequence(const char *small, size_t slen, const char *big, size_t blen)
{
    size_t  i = 0;
    size_t  j;

    for (j = 0; j < blen && i < slen; j++)
	if (big[j] == small[i])
	    i++;
    return (i == slen);
}

/* fuzz_no_bcc - no line of the kept section starts a Bcc: field */

static void fuzz_no_bcc(const DSTR *kept)
{
    const char *cp = dstr_str(kept);
    const char *end = cp + dstr_len(kept);
    const char *nl;
    size_t  len;
    size_t  i;

    for (; cp < end; cp = nl ? nl + 1 : end) {
	nl = memchr(cp, '\n', (size_t) (end - cp));
	len = (size_t) ((nl ? nl : end) - cp);
	if (len > 7 && strncasecmp(cp, "Resent-", 7) == 0) {
	    cp += 7;
	    len -= 7;
	}
	if (len >= 3 && strncasecmp(cp, "Bcc", 3) == 0) {
	    for (i = 3; i < len && (cp[i] == ' ' || cp[i] == '\t'); i++)
		 /* void */ ;
	    FUZZ_CHECK(i >= len || cp[i] != ':');	/* a kept Bcc: field */
	}
    }
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *) data;
    ARGV   *rcpts = argv_new(4);
    ARGV   *again = argv_new(4);
    DSTR   *kept = dstr_new(256);
    DSTR   *kept2 = dstr_new(256);
    DSTR   *err = dstr_new(64);
    size_t  i;

    if (hdr_extract(text, size, rcpts, kept, err) < 0) {
	FUZZ_CHECK(dstr_len(err) > 0);
    } else {
	FUZZ_CHECK(dstr_len(kept) <= size);
	FUZZ_CHECK(fuzz_is_subsequence(dstr_str(kept), dstr_len(kept), text, size));
	FUZZ_CHECK(rcpts->argc <= HDR_EXTRACT_MAX_RCPT);
	for (i = 0; i < rcpts->argc; i++)
	    FUZZ_CHECK(*rcpts->argv[i] != 0);
	/* A section that starts with a continuation line is no input sendmail
	 * makes; the rest of the properties hold only for real sections. */
	if (size == 0 || (text[0] != ' ' && text[0] != '\t')) {
	    fuzz_no_bcc(kept);
	    if (hdr_extract(dstr_str(kept), dstr_len(kept), again, kept2, err) == 0)
		FUZZ_CHECK(dstr_len(kept2) == dstr_len(kept)
			   && memcmp(dstr_str(kept2), dstr_str(kept), dstr_len(kept)) == 0);
	}
    }
    argv_free(rcpts);
    argv_free(again);
    dstr_free(kept);
    dstr_free(kept2);
    dstr_free(err);
    return (0);
}
