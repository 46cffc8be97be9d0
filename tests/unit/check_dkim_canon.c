/*
 * check_dkim_canon - unit tests for DKIM canonicalization
 * DESCRIPTION
 *	RFC 6376 section 3.4.6's example both ways; the same result whatever
 *	the line ends of the queued text (LF, CR LF, lone CR, as smtp sends
 *	them) and whatever the chunk size; empty bodies, bodies of empty
 *	lines, an unterminated last line, white space only lines, 8-bit
 *	bytes, folded and odd header fields.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_canon.h"

/* collect - DKIM_BODY_SINK into a DSTR */

static void collect(void *ctx, const char *buf, size_t len)
{
    dstr_cat((DSTR *) ctx, buf, len);
}

/* body - canonical body of text fed in chunks of step bytes (0: all at once) */

static const char *body(DKIM_CANON canon, const char *text, size_t step, DSTR *out)
{
    DKIM_BODY *b = dkim_body_new(canon, collect, out);
    size_t  len = strlen(text);
    size_t  off;
    size_t  n;

    DSTR_RESET(out);
    for (off = 0; off < len; off += n) {
	n = step == 0 || len - off < step ? len - off : step;
	dkim_body_update(b, text + off, n);
    }
    dkim_body_end(b);
    return (dstr_str(out));
}

/* header - canonical header field */

static const char *header(DKIM_CANON canon, const char *field, DSTR *out)
{
    DSTR_RESET(out);
    dkim_canon_header(canon, field, strlen(field), out);
    return (dstr_str(out));
}

START_TEST(rfc6376_example_relaxed)
{
    DSTR   *out = dstr_new(64);

    ck_assert_str_eq(header(DKIM_CANON_RELAXED, "A: X", out), "a:X\r\n");
    ck_assert_str_eq(header(DKIM_CANON_RELAXED, "B : Y\t\n\tZ  ", out), "b:Y Z\r\n");
    ck_assert_str_eq(body(DKIM_CANON_RELAXED, " C \nD \t E\n\n\n", 0, out), " C\r\nD E\r\n");
    dstr_free(out);
}
END_TEST

START_TEST(rfc6376_example_simple)
{
    DSTR   *out = dstr_new(64);

    ck_assert_str_eq(header(DKIM_CANON_SIMPLE, "A: X", out), "A: X\r\n");
    ck_assert_str_eq(header(DKIM_CANON_SIMPLE, "B : Y\t\n\tZ  ", out), "B : Y\t\r\n\tZ  \r\n");
    ck_assert_str_eq(body(DKIM_CANON_SIMPLE, " C \nD \t E\n\n\n", 0, out), " C \r\nD \t E\r\n");
    dstr_free(out);
}
END_TEST

START_TEST(line_ends_and_chunks_do_not_matter)
{
    static const char *const forms[] = {
	"a  b \nc\n\n d\n\n", "a  b \r\nc\r\n\r\n d\r\n\r\n", "a  b \rc\r\r d\r\r", 0,
    };
    DSTR   *out = dstr_new(64);
    size_t  step;
    int     i;

    for (i = 0; forms[i]; i++) {
	for (step = 0; step <= 4; step++) {
	    ck_assert_str_eq(body(DKIM_CANON_SIMPLE, forms[i], step, out),
			     "a  b \r\nc\r\n\r\n d\r\n");
	    ck_assert_str_eq(body(DKIM_CANON_RELAXED, forms[i], step, out),
			     "a b\r\nc\r\n\r\n d\r\n");
	}
    }
    ck_assert_str_eq(header(DKIM_CANON_SIMPLE, "X: a\r\n b\r c", out), "X: a\r\n b\r\n c\r\n");
    ck_assert_str_eq(header(DKIM_CANON_RELAXED, "X: a\r\n b\r c", out), "x:a b c\r\n");
    dstr_free(out);
}
END_TEST

START_TEST(empty_and_blank_bodies)
{
    DSTR   *out = dstr_new(64);

    ck_assert_str_eq(body(DKIM_CANON_SIMPLE, "", 0, out), "\r\n");
    ck_assert_str_eq(body(DKIM_CANON_RELAXED, "", 0, out), "");
    ck_assert_str_eq(body(DKIM_CANON_SIMPLE, "\n\n\n", 0, out), "\r\n");
    ck_assert_str_eq(body(DKIM_CANON_RELAXED, "\n\n\n", 0, out), "");
    /* White space only: a line in simple, nothing in relaxed. */
    ck_assert_str_eq(body(DKIM_CANON_SIMPLE, " \t\n\n", 0, out), " \t\r\n");
    ck_assert_str_eq(body(DKIM_CANON_RELAXED, " \t\n\n", 0, out), "");
    /* ... but kept as an empty line when text follows. */
    ck_assert_str_eq(body(DKIM_CANON_RELAXED, "a\n \t\nb", 1, out), "a\r\n\r\nb\r\n");
    dstr_free(out);
}
END_TEST

START_TEST(last_line_and_eight_bit_bytes)
{
    DSTR   *out = dstr_new(64);

    ck_assert_str_eq(body(DKIM_CANON_SIMPLE, "no end", 0, out), "no end\r\n");
    ck_assert_str_eq(body(DKIM_CANON_RELAXED, "no end  ", 3, out), "no end\r\n");
    ck_assert_str_eq(body(DKIM_CANON_RELAXED, "caf\xc3\xa9  \xc3\xa9t\xc3\xa9\n", 2, out),
		     "caf\xc3\xa9 \xc3\xa9t\xc3\xa9\r\n");
    dstr_free(out);
}
END_TEST

START_TEST(odd_header_fields)
{
    DSTR   *out = dstr_new(64);

    ck_assert_str_eq(header(DKIM_CANON_RELAXED, "Subject:", out), "subject:\r\n");
    ck_assert_str_eq(header(DKIM_CANON_RELAXED, "SUBJECT \t:  \t ", out), "subject:\r\n");
    ck_assert_str_eq(header(DKIM_CANON_RELAXED, "To: a@b,\n\tc@d", out), "to:a@b, c@d\r\n");
    ck_assert_str_eq(header(DKIM_CANON_RELAXED, "X-Colons: a:b : c", out), "x-colons:a:b : c\r\n");
    ck_assert_str_eq(header(DKIM_CANON_RELAXED, "No colon here", out), "no colon here\r\n");
    /* Found by fuzz_dkim_canon: a folded field without a colon kept its CR. */
    ck_assert_str_eq(header(DKIM_CANON_RELAXED, "a\r\n \t\r\rb", out), "a \tb\r\n");
    ck_assert_str_eq(header(DKIM_CANON_SIMPLE, "Subject:", out), "Subject:\r\n");
    dstr_free(out);
}
END_TEST

START_TEST(canonicalization_names)
{
    DKIM_CANON c = DKIM_CANON_SIMPLE;

    ck_assert_int_eq(dkim_canon_parse("relaxed", &c), 0);
    ck_assert_int_eq(c, DKIM_CANON_RELAXED);
    ck_assert_int_eq(dkim_canon_parse("simple", &c), 0);
    ck_assert_int_eq(c, DKIM_CANON_SIMPLE);
    ck_assert_int_eq(dkim_canon_parse("Relaxed", &c), -1);
    ck_assert_int_eq(dkim_canon_parse("", &c), -1);
}
END_TEST

static Suite *dkim_canon_suite(void)
{
    Suite  *s = suite_create("dkim_canon");
    TCase  *tc = tcase_create("core");

    tcase_add_test(tc, rfc6376_example_relaxed);
    tcase_add_test(tc, rfc6376_example_simple);
    tcase_add_test(tc, line_ends_and_chunks_do_not_matter);
    tcase_add_test(tc, empty_and_blank_bodies);
    tcase_add_test(tc, last_line_and_eight_bit_bytes);
    tcase_add_test(tc, odd_header_fields);
    tcase_add_test(tc, canonicalization_names);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(dkim_canon_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
