/*
 * check_base64 - unit tests for RFC 4648 base64
 * DESCRIPTION
 *	The RFC 4648 test vectors both ways; every length of a binary string
 *	round-trips; the decoder refuses what is not canonical (length,
 *	alphabet, white space, misplaced padding, non-zero pad bits) and stops at the output
 *	limit.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"

static const char *const vectors[][2] = {
    {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}, {0, 0},
};

START_TEST(rfc4648_vectors)
{
    DSTR   *out = dstr_new(16);
    int     i;

    for (i = 0; vectors[i][0]; i++) {
	DSTR_RESET(out);
	ck_assert_int_eq(base64_encode(out, vectors[i][0], strlen(vectors[i][0])), 0);
	ck_assert_str_eq(dstr_str(out), vectors[i][1]);
	DSTR_RESET(out);
	ck_assert_int_eq(base64_decode(out, vectors[i][1], strlen(vectors[i][1])), 0);
	ck_assert_str_eq(dstr_str(out), vectors[i][0]);
    }
    dstr_free(out);
}
END_TEST

START_TEST(binary_round_trip)
{
    unsigned char bin[300];
    DSTR   *text = dstr_new(16);
    DSTR   *back = dstr_new(16);
    size_t  len;
    size_t  i;

    for (i = 0; i < sizeof(bin); i++)
	bin[i] = (unsigned char) (i * 7 + 3);
    for (len = 0; len <= sizeof(bin); len++) {
	DSTR_RESET(text);
	DSTR_RESET(back);
	base64_encode(text, bin, len);
	ck_assert_uint_eq(dstr_len(text), (len + 2) / 3 * 4);
	ck_assert_int_eq(base64_decode(back, dstr_str(text), dstr_len(text)), 0);
	ck_assert_uint_eq(dstr_len(back), len);
	ck_assert(memcmp(dstr_str(back), bin, len) == 0);
    }
    dstr_free(text);
    dstr_free(back);
}
END_TEST

START_TEST(decoder_refuses_non_canonical_input)
{
    static const char *const bad[] = {
	"Zg", "Zg=", "Zm9", "Z===", "=Zm9", "Zg==Zm9v", "Zm=v", "Zm9v\n", " Zm9v",
	"Zm9v ", "Zm9*", "Zm9v====", "Zg=A",
	"Zh==", "Zm9=",			/* "f", "fo" with non-zero pad bits */
	0,
    };
    DSTR   *out = dstr_new(16);
    int     i;

    for (i = 0; bad[i]; i++)
	ck_assert_msg(base64_decode(out, bad[i], strlen(bad[i])) == -1, "accepted \"%s\"", bad[i]);
    dstr_free(out);
}
END_TEST

START_TEST(decoder_stops_at_the_output_limit)
{
    DSTR   *out = dstr_new(16);

    dstr_set_limit(out, 5);
    ck_assert_int_eq(base64_decode(out, "Zm9vYmFy", 8), -1);	/* 6 bytes */
    DSTR_RESET(out);
    ck_assert_int_eq(base64_decode(out, "Zm9vYmE=", 8), 0);	/* 5 bytes */
    ck_assert_str_eq(dstr_str(out), "fooba");
    DSTR_RESET(out);
    ck_assert_int_eq(base64_encode(out, "foobar", 6), DSTR_TOO_LONG);
    dstr_free(out);
}
END_TEST

/* base64_suite - the tests */

static Suite *base64_suite(void)
{
    Suite  *s = suite_create("base64");
    TCase  *tc = tcase_create("core");

    tcase_add_test(tc, rfc4648_vectors);
    tcase_add_test(tc, binary_round_trip);
    tcase_add_test(tc, decoder_refuses_non_canonical_input);
    tcase_add_test(tc, decoder_stops_at_the_output_limit);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(base64_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
