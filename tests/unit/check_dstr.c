/*
 * check_dstr - unit tests for dynamic strings
 * DESCRIPTION
 *	Growth, binary payloads, the length limit that protocol code relies
 *	on to refuse hostile input, formatting (with glibc's %m), and the
 *	direct-write interface (dstr_space/dstr_addlen).
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dstr.h"
#include "msg.h"

/* assert_content - payload equals the given bytes and is NUL-terminated */

static void assert_content(const DSTR *ds, const void *want, size_t len)
{
    ck_assert_uint_eq(dstr_len(ds), len);
    ck_assert_int_eq(memcmp(dstr_str(ds), want, len), 0);
    ck_assert_int_eq(dstr_str(ds)[len], 0);
}

/* quiet_sink - keep expected panic lines out of the test output */

static void quiet_sink(int level, const char *text)
{
    (void) level;
    (void) text;
}

/* Basics */

START_TEST(new_string_is_empty_and_terminated)
{
    DSTR   *ds = dstr_new(0);

    assert_content(ds, "", 0);
    ck_assert_uint_eq(ds->limit, 0);
    dstr_free(ds);
}
END_TEST

START_TEST(free_returns_null_and_accepts_null)
{
    ck_assert_ptr_null(dstr_free(dstr_new(10)));
    ck_assert_ptr_null(dstr_free(0));
}
END_TEST

START_TEST(cat_appends_bytes)
{
    DSTR   *ds = dstr_new(4);

    ck_assert_int_eq(dstr_cat(ds, "abc", 3), 0);
    ck_assert_int_eq(dstr_cat(ds, "defg", 2), 0);
    assert_content(ds, "abcde", 5);
    dstr_free(ds);
}
END_TEST

START_TEST(cats_appends_c_string)
{
    DSTR   *ds = dstr_new(4);

    ck_assert_int_eq(dstr_cats(ds, "hello"), 0);
    ck_assert_int_eq(dstr_cats(ds, ""), 0);
    ck_assert_int_eq(dstr_cats(ds, " world"), 0);
    assert_content(ds, "hello world", 11);
    dstr_free(ds);
}
END_TEST

START_TEST(catc_appends_one_byte)
{
    DSTR   *ds = dstr_new(4);

    ck_assert_int_eq(dstr_catc(ds, 'x'), 0);
    ck_assert_int_eq(dstr_catc(ds, 0xff), 0);
    assert_content(ds, "x\xff", 2);
    dstr_free(ds);
}
END_TEST

START_TEST(reset_empties_string)
{
    DSTR   *ds = dstr_new(4);

    (void) dstr_cats(ds, "abc");
    DSTR_RESET(ds);
    assert_content(ds, "", 0);
    dstr_free(ds);
}
END_TEST

/* Growth */

START_TEST(growth_by_single_bytes_keeps_every_byte)
{
    DSTR   *ds = dstr_new(1);
    size_t  i;

    for (i = 0; i < 100000; i++)
	ck_assert_int_eq(dstr_catc(ds, (int) (i % 251)), 0);
    ck_assert_uint_eq(dstr_len(ds), 100000);
    ck_assert_uint_ge(ds->cap, dstr_len(ds));
    for (i = 0; i < 100000; i++)
	ck_assert_int_eq((unsigned char) dstr_str(ds)[i], i % 251);
    ck_assert_int_eq(dstr_str(ds)[100000], 0);
    dstr_free(ds);
}
END_TEST

START_TEST(growth_by_one_large_append)
{
    size_t  n = 1 << 20;
    char   *big = malloc(n);
    DSTR   *ds = dstr_new(16);

    memset(big, 'q', n);
    ck_assert_int_eq(dstr_cats(ds, "<"), 0);
    ck_assert_int_eq(dstr_cat(ds, big, n), 0);
    ck_assert_uint_eq(dstr_len(ds), n + 1);
    ck_assert_int_eq(dstr_str(ds)[0], '<');
    ck_assert_int_eq(memcmp(dstr_str(ds) + 1, big, n), 0);
    ck_assert_int_eq(dstr_str(ds)[n + 1], 0);
    free(big);
    dstr_free(ds);
}
END_TEST

START_TEST(new_panics_on_absurd_hint)
{
    msg_set_sink(quiet_sink);
    (void) dstr_new(SIZE_MAX);
}
END_TEST

START_TEST(cat_refuses_length_that_would_overflow)
{
    DSTR   *ds = dstr_new(4);

    (void) dstr_cats(ds, "ab");
    ck_assert_int_eq(dstr_cat(ds, "x", SIZE_MAX - 1), DSTR_TOO_LONG);
    assert_content(ds, "ab", 2);
    dstr_free(ds);
}
END_TEST

/* Binary data */

START_TEST(binary_data_with_nuls_is_kept)
{
    static const char bin[] = {'a', 0, 'b', 0, 0, 'c'};
    DSTR   *ds = dstr_new(2);

    ck_assert_int_eq(dstr_cat(ds, bin, sizeof(bin)), 0);
    ck_assert_int_eq(dstr_catc(ds, 0), 0);
    ck_assert_uint_eq(dstr_len(ds), sizeof(bin) + 1);
    ck_assert_int_eq(memcmp(dstr_str(ds), bin, sizeof(bin)), 0);
    ck_assert_int_eq(dstr_str(ds)[sizeof(bin)], 0);
    dstr_free(ds);
}
END_TEST

START_TEST(memcpy_replaces_with_binary)
{
    DSTR   *ds = dstr_new(2);

    (void) dstr_cats(ds, "old content");
    ck_assert_int_eq(dstr_memcpy(ds, "x\0y", 3), 0);
    assert_content(ds, "x\0y", 3);
    dstr_free(ds);
}
END_TEST

START_TEST(strcpy_replaces_content)
{
    DSTR   *ds = dstr_new(2);

    (void) dstr_cats(ds, "old content");
    ck_assert_int_eq(dstr_strcpy(ds, "new"), 0);
    assert_content(ds, "new", 3);
    dstr_free(ds);
}
END_TEST

/* Limits */

START_TEST(limit_allows_payload_up_to_limit)
{
    DSTR   *ds = dstr_new(2);

    dstr_set_limit(ds, 5);
    ck_assert_int_eq(dstr_cat(ds, "abc", 3), 0);
    ck_assert_int_eq(dstr_cat(ds, "de", 2), 0);
    assert_content(ds, "abcde", 5);
    dstr_free(ds);
}
END_TEST

START_TEST(limit_refuses_cat_and_leaves_content_unchanged)
{
    DSTR   *ds = dstr_new(2);

    dstr_set_limit(ds, 5);
    (void) dstr_cats(ds, "abcd");
    ck_assert_int_eq(dstr_cat(ds, "ef", 2), DSTR_TOO_LONG);
    assert_content(ds, "abcd", 4);
    dstr_free(ds);
}
END_TEST

START_TEST(limit_refuses_cats_and_catc)
{
    DSTR   *ds = dstr_new(2);

    dstr_set_limit(ds, 3);
    (void) dstr_cats(ds, "abc");
    ck_assert_int_eq(dstr_cats(ds, "d"), DSTR_TOO_LONG);
    ck_assert_int_eq(dstr_catc(ds, 'd'), DSTR_TOO_LONG);
    assert_content(ds, "abc", 3);
    dstr_free(ds);
}
END_TEST

START_TEST(limit_refuses_printf_within_allocation_unchanged)
{
    DSTR   *ds = dstr_new(100);		/* fits the buffer, not the limit */

    dstr_set_limit(ds, 8);
    (void) dstr_cats(ds, "abc");
    ck_assert_int_eq(dstr_printf(ds, "%s", "123456"), DSTR_TOO_LONG);
    assert_content(ds, "abc", 3);
    dstr_free(ds);
}
END_TEST

START_TEST(limit_refuses_printf_needing_growth_unchanged)
{
    DSTR   *ds = dstr_new(16);

    dstr_set_limit(ds, 100);
    (void) dstr_cats(ds, "abc");
    ck_assert_int_eq(dstr_printf(ds, "%200s", "x"), DSTR_TOO_LONG);
    assert_content(ds, "abc", 3);
    dstr_free(ds);
}
END_TEST

START_TEST(limit_below_current_length_refuses_appends)
{
    DSTR   *ds = dstr_new(16);

    (void) dstr_cats(ds, "abcdef");
    dstr_set_limit(ds, 3);
    ck_assert_int_eq(dstr_catc(ds, 'g'), DSTR_TOO_LONG);
    assert_content(ds, "abcdef", 6);
    dstr_free(ds);
}
END_TEST

START_TEST(limit_zero_lifts_the_limit)
{
    DSTR   *ds = dstr_new(2);

    dstr_set_limit(ds, 2);
    ck_assert_int_eq(dstr_cats(ds, "abc"), DSTR_TOO_LONG);
    dstr_set_limit(ds, 0);
    ck_assert_int_eq(dstr_cats(ds, "abc"), 0);
    assert_content(ds, "abc", 3);
    dstr_free(ds);
}
END_TEST

START_TEST(limit_allows_replacement_within_limit)
{
    DSTR   *ds = dstr_new(2);

    dstr_set_limit(ds, 4);
    (void) dstr_cats(ds, "abcd");
    ck_assert_int_eq(dstr_strcpy(ds, "wxyz"), 0);
    assert_content(ds, "wxyz", 4);
    dstr_free(ds);
}
END_TEST

/* Formatting */

START_TEST(printf_appends_formatted_text)
{
    DSTR   *ds = dstr_new(2);

    (void) dstr_cats(ds, "n=");
    ck_assert_int_eq(dstr_printf(ds, "%d %s %zu", -42, "x", (size_t) 7), 0);
    assert_content(ds, "n=-42 x 7", 9);
    dstr_free(ds);
}
END_TEST

START_TEST(printf_grows_for_long_output)
{
    DSTR   *ds = dstr_new(16);

    ck_assert_int_eq(dstr_printf(ds, "%999s|", "-"), 0);
    ck_assert_uint_eq(dstr_len(ds), 1000);
    ck_assert_int_eq(dstr_str(ds)[0], ' ');
    ck_assert_int_eq(dstr_str(ds)[998], '-');
    ck_assert_int_eq(dstr_str(ds)[999], '|');
    ck_assert_int_eq(dstr_str(ds)[1000], 0);
    dstr_free(ds);
}
END_TEST

START_TEST(printf_exactly_filling_buffer)
{
    DSTR   *ds = dstr_new(16);

    ck_assert_int_eq(dstr_printf(ds, "%s", "0123456789abcdef"), 0);
    assert_content(ds, "0123456789abcdef", 16);
    ck_assert_int_eq(dstr_printf(ds, "%c", 'g'), 0);
    assert_content(ds, "0123456789abcdefg", 17);
    dstr_free(ds);
}
END_TEST

START_TEST(sprintf_replaces_content)
{
    DSTR   *ds = dstr_new(2);

    (void) dstr_cats(ds, "old");
    ck_assert_int_eq(dstr_sprintf(ds, "<%s>", "new"), 0);
    assert_content(ds, "<new>", 5);
    dstr_free(ds);
}
END_TEST

START_TEST(printf_percent_m_expands_errno)
{
    DSTR   *ds = dstr_new(100);
    const char *want = strerror(ENOENT);

    errno = ENOENT;
    ck_assert_int_eq(dstr_printf(ds, "open: %m"), 0);
    ck_assert_str_eq(dstr_str(ds) + 6, want);
    ck_assert_int_eq(strncmp(dstr_str(ds), "open: ", 6), 0);
    dstr_free(ds);
}
END_TEST

START_TEST(printf_percent_m_survives_growth)
{
    DSTR   *ds = dstr_new(16);
    DSTR   *want = dstr_new(16);

    (void) dstr_printf(want, "%300s: %s", "path", strerror(EACCES));
    errno = EACCES;
    ck_assert_int_eq(dstr_printf(ds, "%300s: %m", "path"), 0);
    ck_assert_str_eq(dstr_str(ds), dstr_str(want));
    dstr_free(want);
    dstr_free(ds);
}
END_TEST

/* Editing */

START_TEST(truncate_shortens)
{
    DSTR   *ds = dstr_new(2);

    (void) dstr_cats(ds, "abcdef");
    dstr_truncate(ds, 2);
    assert_content(ds, "ab", 2);
    dstr_truncate(ds, 0);
    assert_content(ds, "", 0);
    dstr_free(ds);
}
END_TEST

START_TEST(truncate_beyond_length_changes_nothing)
{
    DSTR   *ds = dstr_new(2);

    (void) dstr_cats(ds, "abc");
    dstr_truncate(ds, 3);
    dstr_truncate(ds, 100);
    assert_content(ds, "abc", 3);
    dstr_free(ds);
}
END_TEST

START_TEST(drop_head_removes_prefix)
{
    DSTR   *ds = dstr_new(2);

    (void) dstr_cat(ds, "ab\0cdef", 7);
    dstr_drop_head(ds, 2);
    assert_content(ds, "\0cdef", 5);
    dstr_drop_head(ds, 0);
    assert_content(ds, "\0cdef", 5);
    dstr_free(ds);
}
END_TEST

START_TEST(drop_head_of_everything_empties)
{
    DSTR   *ds = dstr_new(2);

    (void) dstr_cats(ds, "abc");
    dstr_drop_head(ds, 3);
    assert_content(ds, "", 0);
    (void) dstr_cats(ds, "abc");
    dstr_drop_head(ds, 1000);
    assert_content(ds, "", 0);
    dstr_free(ds);
}
END_TEST

START_TEST(space_then_addlen_appends_written_bytes)
{
    DSTR   *ds = dstr_new(2);
    char   *cp;

    (void) dstr_cats(ds, "head:");
    cp = dstr_space(ds, 1000);
    memset(cp, 'z', 1000);
    ck_assert_uint_eq(dstr_len(ds), 5);		/* nothing committed yet */
    dstr_addlen(ds, 1000);
    ck_assert_uint_eq(dstr_len(ds), 1005);
    ck_assert_int_eq(strncmp(dstr_str(ds), "head:zzz", 8), 0);
    ck_assert_int_eq(dstr_str(ds)[1004], 'z');
    ck_assert_int_eq(dstr_str(ds)[1005], 0);
    dstr_free(ds);
}
END_TEST

START_TEST(addlen_may_commit_part_of_reservation)
{
    DSTR   *ds = dstr_new(2);
    char   *cp = dstr_space(ds, 100);

    memcpy(cp, "abc", 3);
    dstr_addlen(ds, 3);
    assert_content(ds, "abc", 3);
    dstr_free(ds);
}
END_TEST

START_TEST(addlen_beyond_reservation_panics)
{
    DSTR   *ds = dstr_new(16);

    msg_set_sink(quiet_sink);
    (void) dstr_space(ds, 10);
    dstr_addlen(ds, ds->cap + 1);
}
END_TEST

START_TEST(space_is_not_limited_by_payload_limit)
{
    DSTR   *ds = dstr_new(2);

    dstr_set_limit(ds, 4);
    ck_assert_ptr_nonnull(dstr_space(ds, 100));
    ck_assert_uint_ge(ds->cap, 100);
    ck_assert_uint_eq(ds->limit, 4);		/* limit restored afterwards */
    ck_assert_int_eq(dstr_cats(ds, "abcde"), DSTR_TOO_LONG);
    dstr_free(ds);
}
END_TEST

START_TEST(export_hands_over_terminated_buffer)
{
    DSTR   *ds = dstr_new(2);
    char   *str;

    (void) dstr_cats(ds, "exported");
    str = dstr_export(ds);
    ck_assert_str_eq(str, "exported");
    free(str);
}
END_TEST

START_TEST(limit_refuses_strcpy_and_leaves_content_unchanged)
{
    DSTR   *ds = dstr_new(2);

    dstr_set_limit(ds, 4);
    (void) dstr_cats(ds, "keep");
    ck_assert_int_eq(dstr_strcpy(ds, "too long"), DSTR_TOO_LONG);
    assert_content(ds, "keep", 4);
    dstr_free(ds);
}
END_TEST

START_TEST(limit_refuses_sprintf_and_leaves_content_unchanged)
{
    DSTR   *ds = dstr_new(2);

    dstr_set_limit(ds, 4);
    (void) dstr_cats(ds, "keep");
    ck_assert_int_eq(dstr_sprintf(ds, "%s", "too long"), DSTR_TOO_LONG);
    assert_content(ds, "keep", 4);
    dstr_free(ds);
}
END_TEST

START_TEST(addlen_past_limit_panics)
{
    DSTR   *ds = dstr_new(2);
    char   *cp;

    dstr_set_limit(ds, 4);
    cp = dstr_space(ds, 10);
    memset(cp, 'x', 10);
    dstr_addlen(ds, 10);			/* a caller bug: must abort */
    ck_abort_msg("dstr_addlen committed %zu bytes past the limit", dstr_len(ds));
}
END_TEST

/* dstr_suite - every test above */

static Suite *dstr_suite(void)
{
    Suite  *s = suite_create("dstr");
    TCase  *tc = tcase_create("basics");
    TCase  *tl = tcase_create("limits");
    TCase  *tf = tcase_create("format");
    TCase  *te = tcase_create("editing");

    tcase_add_test(tc, new_string_is_empty_and_terminated);
    tcase_add_test(tc, free_returns_null_and_accepts_null);
    tcase_add_test(tc, cat_appends_bytes);
    tcase_add_test(tc, cats_appends_c_string);
    tcase_add_test(tc, catc_appends_one_byte);
    tcase_add_test(tc, reset_empties_string);
    tcase_add_test(tc, growth_by_single_bytes_keeps_every_byte);
    tcase_add_test(tc, growth_by_one_large_append);
    tcase_add_test_raise_signal(tc, new_panics_on_absurd_hint, SIGABRT);
    tcase_add_test(tc, cat_refuses_length_that_would_overflow);
    tcase_add_test(tc, binary_data_with_nuls_is_kept);
    tcase_add_test(tc, memcpy_replaces_with_binary);
    tcase_add_test(tc, strcpy_replaces_content);
    suite_add_tcase(s, tc);

    tcase_add_test(tl, limit_allows_payload_up_to_limit);
    tcase_add_test(tl, limit_refuses_cat_and_leaves_content_unchanged);
    tcase_add_test(tl, limit_refuses_cats_and_catc);
    tcase_add_test(tl, limit_refuses_printf_within_allocation_unchanged);
    tcase_add_test(tl, limit_refuses_printf_needing_growth_unchanged);
    tcase_add_test(tl, limit_below_current_length_refuses_appends);
    tcase_add_test(tl, limit_zero_lifts_the_limit);
    tcase_add_test(tl, limit_allows_replacement_within_limit);
    suite_add_tcase(s, tl);

    tcase_add_test(tf, printf_appends_formatted_text);
    tcase_add_test(tf, printf_grows_for_long_output);
    tcase_add_test(tf, printf_exactly_filling_buffer);
    tcase_add_test(tf, sprintf_replaces_content);
    tcase_add_test(tf, printf_percent_m_expands_errno);
    tcase_add_test(tf, printf_percent_m_survives_growth);
    suite_add_tcase(s, tf);

    tcase_add_test(te, truncate_shortens);
    tcase_add_test(te, truncate_beyond_length_changes_nothing);
    tcase_add_test(te, drop_head_removes_prefix);
    tcase_add_test(te, drop_head_of_everything_empties);
    tcase_add_test(te, space_then_addlen_appends_written_bytes);
    tcase_add_test(te, addlen_may_commit_part_of_reservation);
    tcase_add_test_raise_signal(te, addlen_beyond_reservation_panics, SIGABRT);
    tcase_add_test(te, space_is_not_limited_by_payload_limit);
    tcase_add_test(te, export_hands_over_terminated_buffer);
    suite_add_tcase(s, te);

    tcase_add_test(tl, limit_refuses_strcpy_and_leaves_content_unchanged);
    tcase_add_test(tl, limit_refuses_sprintf_and_leaves_content_unchanged);
    tcase_add_test_raise_signal(te, addlen_past_limit_panics, SIGABRT);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(dstr_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
