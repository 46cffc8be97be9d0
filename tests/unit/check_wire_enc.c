/*
 * check_wire_enc - unit tests for the wire encoder (what smtp sends)
 * DESCRIPTION
 *	LF to CR LF, a CR LF in the content kept as one line end, a bare CR
 *	made a line end, dot-stuffing (also of a lone "."), folding at the
 *	line length limit (a line of exactly the limit is not folded; the
 *	stuffed dot does not count; continuation lines start with a space
 *	that counts), the final line end added when missing, the final ".",
 *	the empty message, and the same output whatever the chunk size.
 *	Also the 8-bit content test.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "wire_enc.h"

/* encode - whole input in chunks of size chunk (0: one chunk) with a line limit */

static DSTR *encode(const char *in, size_t len, size_t limit, size_t chunk)
{
    DSTR   *out = dstr_new(256);
    WIRE_ENC enc;
    size_t  off;
    size_t  n;

    wire_enc_init(&enc, limit, 1);
    if (chunk == 0)
	chunk = len ? len : 1;
    for (off = 0; off < len; off += n) {
	n = len - off < chunk ? len - off : chunk;
	wire_enc_feed(&enc, in + off, n, out);
    }
    wire_enc_end(&enc, out);
    dstr_cat(out, ".\r\n", 3);
    return (out);
}

/* expect - encode with every chunk size and compare */

static void expect(const char *in, size_t limit, const char *want)
{
    size_t  chunk;
    DSTR   *out;

    for (chunk = 0; chunk <= 4; chunk++) {
	out = encode(in, strlen(in), limit, chunk);
	ck_assert_msg(strcmp(dstr_str(out), want) == 0,
		      "chunk %zu: input \"%s\": got \"%s\", want \"%s\"",
		      chunk, in, dstr_str(out), want);
	dstr_free(out);
    }
}

START_TEST(lf_becomes_crlf)
{
    expect("a\nb\n", 0, "a\r\nb\r\n.\r\n");
}
END_TEST

START_TEST(crlf_stays_one_line_end)
{
    expect("a\r\nb\r\n", 0, "a\r\nb\r\n.\r\n");
    expect("a\r\n\r\nb\n", 0, "a\r\n\r\nb\r\n.\r\n");
}
END_TEST

START_TEST(bare_cr_becomes_line_end)
{
    expect("a\rb\n", 0, "a\r\nb\r\n.\r\n");
    expect("a\r\rb", 0, "a\r\n\r\nb\r\n.\r\n");
    expect("end\r", 0, "end\r\n.\r\n");
}
END_TEST

START_TEST(leading_dots_are_stuffed)
{
    expect(".x\n..y\nz.\n", 0, "..x\r\n...y\r\nz.\r\n.\r\n");
    expect(".\n", 0, "..\r\n.\r\n");
    expect("a\r.b\r\n.c", 0, "a\r\n..b\r\n..c\r\n.\r\n");
}
END_TEST

START_TEST(missing_final_line_end_is_added)
{
    expect("no newline", 0, "no newline\r\n.\r\n");
}
END_TEST

START_TEST(empty_message_is_just_the_dot)
{
    expect("", 0, ".\r\n");
    expect("\n", 0, "\r\n.\r\n");
}
END_TEST

START_TEST(line_at_the_limit_is_not_folded)
{
    expect("abcde\n", 5, "abcde\r\n.\r\n");
    expect(".abcd\n", 5, "..abcd\r\n.\r\n");	/* the stuffed dot is extra */
}
END_TEST

START_TEST(longer_lines_are_folded_with_crlf_space)
{
    expect("abcdef\n", 5, "abcde\r\n f\r\n.\r\n");
    expect("abcdefghijklm\n", 5, "abcde\r\n fghi\r\n jklm\r\n.\r\n");
    expect("abcdefghi", 5, "abcde\r\n fghi\r\n.\r\n");
    expect(".bcdef\n", 5, "..bcde\r\n f\r\n.\r\n");
}
END_TEST

START_TEST(folding_restarts_on_each_line)
{
    expect("abcdef\nxy\nuvwxyz\n", 5, "abcde\r\n f\r\nxy\r\nuvwxy\r\n z\r\n.\r\n");
}
END_TEST

START_TEST(a_998_byte_line_is_sent_whole_and_999_folded)
{
    char   *line = malloc(1001);
    DSTR   *out;

    memset(line, 'q', 999);
    line[999] = '\n';
    line[1000] = 0;
    out = encode(line + 1, 999, 998, 0);	/* 998 q's and LF */
    ck_assert_uint_eq(dstr_len(out), 998 + 2 + 3);
    dstr_free(out);
    out = encode(line, 1000, 998, 0);		/* 999 q's */
    ck_assert_uint_eq(dstr_len(out), 998 + 3 + 1 + 2 + 3);
    ck_assert(memcmp(dstr_str(out) + 998, "\r\n q\r\n.\r\n", 9) == 0);
    dstr_free(out);
    free(line);
}
END_TEST

START_TEST(binary_bytes_pass_through)
{
    static const char in[] = "caf\xc3\xa9\0x\n";
    DSTR   *out = encode(in, sizeof(in) - 1, 0, 0);

    ck_assert_uint_eq(dstr_len(out), sizeof(in) - 1 - 1 + 2 + 3);
    ck_assert(memcmp(dstr_str(out), "caf\xc3\xa9\0x\r\n.\r\n", dstr_len(out)) == 0);
    dstr_free(out);
}
END_TEST

START_TEST(without_stuffing_dots_stay_and_folding_is_the_same)
{
    DSTR   *out = dstr_new(64);
    WIRE_ENC enc;

    /* What the DKIM signer hashes: the receiver's view, no stuffing, no final dot. */
    wire_enc_init(&enc, 5, 0);
    wire_enc_feed(&enc, ".abcdef\n.", 9, out);
    wire_enc_end(&enc, out);
    ck_assert_str_eq(dstr_str(out), ".abcd\r\n ef\r\n.\r\n");
    dstr_free(out);
}
END_TEST

START_TEST(eight_bit_detection)
{
    ck_assert_int_eq(wire_enc_8bit("plain ascii\n", 12), 0);
    ck_assert_int_eq(wire_enc_8bit("caf\xe9", 4), 1);
    ck_assert_int_eq(wire_enc_8bit("", 0), 0);
}
END_TEST

/* wire_enc_suite - the tests */

static Suite *wire_enc_suite(void)
{
    Suite  *s = suite_create("wire_enc");
    TCase  *tc = tcase_create("encode");

    tcase_add_test(tc, lf_becomes_crlf);
    tcase_add_test(tc, crlf_stays_one_line_end);
    tcase_add_test(tc, bare_cr_becomes_line_end);
    tcase_add_test(tc, leading_dots_are_stuffed);
    tcase_add_test(tc, missing_final_line_end_is_added);
    tcase_add_test(tc, empty_message_is_just_the_dot);
    tcase_add_test(tc, line_at_the_limit_is_not_folded);
    tcase_add_test(tc, longer_lines_are_folded_with_crlf_space);
    tcase_add_test(tc, folding_restarts_on_each_line);
    tcase_add_test(tc, a_998_byte_line_is_sent_whole_and_999_folded);
    tcase_add_test(tc, binary_bytes_pass_through);
    tcase_add_test(tc, without_stuffing_dots_stay_and_folding_is_the_same);
    tcase_add_test(tc, eight_bit_detection);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(wire_enc_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
