/*
 * check_smtp_reply - unit tests for SMTP reply parsing and EHLO keywords
 * DESCRIPTION
 *	One-line and multi-line replies from memory and from a stream, the
 *	bare "250", enhanced status codes taken from the text or derived from
 *	the code (and refused when their class disagrees), garbage lines, the
 *	bounds that keep a hostile server from making us buffer without end
 *	(line length, reply text, line count), end of file inside a reply,
 *	the one-line log form, and the EHLO keyword parser.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp.h"

/* read_reply - smtp_reply_read() over a memory stream; its result */

static int read_reply(const char *text, size_t len, SMTP_REPLY *reply)
{
    IOS    *ios = ios_open_mem(text, len);
    int     rc = smtp_reply_read(ios, reply);

    ios_free(ios);
    return (rc);
}

START_TEST(one_line_reply_with_enhanced_code)
{
    SMTP_REPLY *r = smtp_reply_new();
    const char *in = "250 2.1.5 Ok\r\n";

    ck_assert_int_eq(smtp_reply_parse(in, strlen(in), r), (ssize_t) strlen(in));
    ck_assert_int_eq(r->code, 250);
    ck_assert_str_eq(r->dsn, "2.1.5");
    ck_assert_str_eq(dstr_str(r->text), "250 2.1.5 Ok");
    ck_assert_int_eq(r->lines, 1);
    ck_assert_int_eq(r->flags, 0);
    smtp_reply_free(r);
}
END_TEST

START_TEST(multi_line_reply_keeps_every_line)
{
    SMTP_REPLY *r = smtp_reply_new();
    DSTR   *out = dstr_new(64);
    const char *in = "550-5.1.1 first\r\n550-5.1.1 second\r\n550 5.1.1 third\r\n250 next\r\n";
    ssize_t n = smtp_reply_parse(in, strlen(in), r);

    ck_assert_int_eq(n, (ssize_t) (strlen(in) - strlen("250 next\r\n")));
    ck_assert_int_eq(r->code, 550);
    ck_assert_str_eq(r->dsn, "5.1.1");
    ck_assert_int_eq(r->lines, 3);
    ck_assert_str_eq(dstr_str(r->text), "550-5.1.1 first\n550-5.1.1 second\n550 5.1.1 third");
    ck_assert_str_eq(smtp_reply_str(r, out), "550-5.1.1 first 550-5.1.1 second 550 5.1.1 third");
    smtp_reply_free(r);
    dstr_free(out);
}
END_TEST

START_TEST(partial_reply_needs_more)
{
    SMTP_REPLY *r = smtp_reply_new();

    ck_assert_int_eq(smtp_reply_parse("250-a\r\n250 b", 12, r), 0);
    ck_assert_int_eq(smtp_reply_parse("", 0, r), 0);
    smtp_reply_free(r);
}
END_TEST

START_TEST(bare_code_ends_reply_and_lf_alone_is_accepted)
{
    SMTP_REPLY *r = smtp_reply_new();

    ck_assert_int_eq(smtp_reply_parse("354\n", 4, r), 4);
    ck_assert_int_eq(r->code, 354);
    ck_assert_str_eq(r->dsn, "3.0.0");
    smtp_reply_free(r);
}
END_TEST

START_TEST(missing_enhanced_code_is_derived_from_reply_code)
{
    SMTP_REPLY *r = smtp_reply_new();

    ck_assert_int_gt(smtp_reply_parse("450 mailbox busy\r\n", 18, r), 0);
    ck_assert_str_eq(r->dsn, "4.0.0");
    ck_assert_int_gt(smtp_reply_parse("554 5.7.1\r\n", 11, r), 0);
    ck_assert_str_eq(r->dsn, "5.7.1");
    smtp_reply_free(r);
}
END_TEST

START_TEST(enhanced_code_of_another_class_is_not_used)
{
    SMTP_REPLY *r = smtp_reply_new();

    ck_assert_int_gt(smtp_reply_parse("550 2.1.5 confused\r\n", 20, r), 0);
    ck_assert_str_eq(r->dsn, "5.0.0");
    smtp_reply_free(r);
}
END_TEST

START_TEST(enhanced_code_syntax)
{
    char    dsn[16];

    ck_assert_int_eq(smtp_reply_esc("5.1.10 null MX", 14, 556, dsn), 0);
    ck_assert_str_eq(dsn, "5.1.10");
    ck_assert_int_eq(smtp_reply_esc("4.123.456", 9, 421, dsn), 0);
    ck_assert_str_eq(dsn, "4.123.456");
    ck_assert_int_eq(smtp_reply_esc("4.1234.1 x", 10, 450, dsn), -1);
    ck_assert_int_eq(smtp_reply_esc("4.1. x", 6, 450, dsn), -1);
    ck_assert_int_eq(smtp_reply_esc("4.1.1x", 6, 450, dsn), -1);
    ck_assert_int_eq(smtp_reply_esc("3.0.0 go ahead", 14, 354, dsn), -1);
    ck_assert_int_eq(smtp_reply_esc("", 0, 250, dsn), -1);
    ck_assert_int_eq(smtp_reply_esc("2.0.0\r\n", 5, 250, dsn), 0);	/* no NUL needed */
    ck_assert_str_eq(dsn, "2.0.0");
    ck_assert_int_eq(smtp_reply_esc("2.0.", 4, 250, dsn), -1);
}
END_TEST

START_TEST(the_last_line_decides_the_code)
{
    SMTP_REPLY *r = smtp_reply_new();
    const char *in = "250-first\r\n451 4.3.0 changed its mind\r\n";

    ck_assert_int_gt(smtp_reply_parse(in, strlen(in), r), 0);
    ck_assert_int_eq(r->code, 451);
    ck_assert_str_eq(r->dsn, "4.3.0");
    smtp_reply_free(r);
}
END_TEST

START_TEST(garbage_lines_are_kept_and_flagged_but_do_not_end_the_reply)
{
    SMTP_REPLY *r = smtp_reply_new();
    const char *in = "hello there\r\n2500 not a code\r\n250 ok\r\n";

    ck_assert_int_eq(smtp_reply_parse(in, strlen(in), r), (ssize_t) strlen(in));
    ck_assert_int_eq(r->code, 250);
    ck_assert(r->flags & SMTP_REPLY_FLAG_GARBAGE);
    ck_assert_int_eq(r->lines, 3);
    smtp_reply_free(r);
}
END_TEST

START_TEST(codes_outside_2xx_to_5xx_are_malformed)
{
    SMTP_REPLY *r = smtp_reply_new();

    ck_assert_int_gt(smtp_reply_parse("999 what\r\n", 10, r), 0);
    ck_assert_int_eq(r->code, 0);
    ck_assert_str_eq(r->dsn, "4.5.0");
    ck_assert(r->flags & SMTP_REPLY_FLAG_GARBAGE);
    ck_assert_int_eq(smtp_reply_class(r->code), SMTP_DEFER);
    smtp_reply_free(r);
}
END_TEST

START_TEST(line_classification)
{
    int     code = 0;

    ck_assert_int_eq(smtp_reply_line("250-x", 5, &code), SMTP_LINE_MORE);
    ck_assert_int_eq(code, 250);
    ck_assert_int_eq(smtp_reply_line("421", 3, &code), SMTP_LINE_LAST);
    ck_assert_int_eq(code, 421);
    ck_assert_int_eq(smtp_reply_line("25", 2, &code), SMTP_LINE_GARBAGE);
    ck_assert_int_eq(smtp_reply_line("25x ok", 6, &code), SMTP_LINE_GARBAGE);
    ck_assert_int_eq(smtp_reply_line("250\tok", 6, &code), SMTP_LINE_GARBAGE);
}
END_TEST

START_TEST(stream_reply_is_read_line_by_line)
{
    SMTP_REPLY *r = smtp_reply_new();
    const char *in = "220-smtp.example ESMTP\r\n220 welcome\r\n";

    ck_assert_int_eq(read_reply(in, strlen(in), r), 0);
    ck_assert_int_eq(r->code, 220);
    ck_assert_int_eq(r->lines, 2);
    smtp_reply_free(r);
}
END_TEST

START_TEST(stream_strips_only_one_cr_like_the_memory_parser)
{
    SMTP_REPLY *m = smtp_reply_new();
    SMTP_REPLY *r = smtp_reply_new();
    static const char in[] = "250 odd\r\r\n";	/* from the fuzzer: crash-eca68740... */

    ck_assert_int_eq(read_reply(in, sizeof(in) - 1, r), 0);
    ck_assert_int_eq(smtp_reply_parse(in, sizeof(in) - 1, m), (ssize_t) sizeof(in) - 1);
    ck_assert_str_eq(dstr_str(r->text), "250 odd\r");
    ck_assert_str_eq(dstr_str(m->text), dstr_str(r->text));
    smtp_reply_free(m);
    smtp_reply_free(r);
}
END_TEST

START_TEST(stream_eof_inside_reply_fails)
{
    SMTP_REPLY *r = smtp_reply_new();

    ck_assert_int_eq(read_reply("250-more\r\n", 10, r), -1);
    ck_assert_int_eq(read_reply("250 no line end", 15, r), -1);
    ck_assert_int_eq(read_reply("", 0, r), -1);
    smtp_reply_free(r);
}
END_TEST

START_TEST(overlong_line_is_cut_and_the_rest_skipped)
{
    SMTP_REPLY *r = smtp_reply_new();
    DSTR   *in = dstr_new(10000);
    size_t  i;

    dstr_cats(in, "550 5.1.1 ");
    for (i = 0; i < 5000; i++)
	dstr_catc(in, 'a' + i % 26);
    dstr_cats(in, "\r\n250 next\r\n");
    ck_assert_int_eq(read_reply(dstr_str(in), dstr_len(in), r), 0);
    ck_assert_int_eq(r->code, 550);
    ck_assert_str_eq(r->dsn, "5.1.1");
    ck_assert_uint_eq(dstr_len(r->text), SMTP_REPLY_LINE_MAX);
    ck_assert(r->flags & SMTP_REPLY_FLAG_TRUNC);
    smtp_reply_free(r);
    dstr_free(in);
}
END_TEST

START_TEST(endless_line_is_an_error)
{
    SMTP_REPLY *r = smtp_reply_new();
    size_t  len = SMTP_REPLY_LINE_MAX + SMTP_REPLY_DRAIN_MAX + 100;
    char   *in = malloc(len);

    memset(in, 'x', len);
    memcpy(in, "250 ", 4);
    ck_assert_int_eq(read_reply(in, len, r), -1);
    free(in);
    smtp_reply_free(r);
}
END_TEST

START_TEST(too_many_lines_is_an_error)
{
    SMTP_REPLY *r = smtp_reply_new();
    DSTR   *in = dstr_new(10000);
    int     i;

    for (i = 0; i < SMTP_REPLY_LINES_MAX + 5; i++)
	dstr_cats(in, "250-more and more\r\n");
    dstr_cats(in, "250 end\r\n");
    ck_assert_int_eq(smtp_reply_parse(dstr_str(in), dstr_len(in), r), -1);
    ck_assert_int_eq(read_reply(dstr_str(in), dstr_len(in), r), -1);
    smtp_reply_free(r);
    dstr_free(in);
}
END_TEST

START_TEST(reply_text_is_bounded)
{
    SMTP_REPLY *r = smtp_reply_new();
    DSTR   *in = dstr_new(100000);
    int     i;

    for (i = 0; i < 40; i++) {
	dstr_cats(in, "250-");
	while (dstr_len(in) % 1000 != 0)
	    dstr_catc(in, 'z');
	dstr_cats(in, "\r\n");
    }
    dstr_cats(in, "250 end\r\n");
    ck_assert_int_eq(read_reply(dstr_str(in), dstr_len(in), r), 0);
    ck_assert_int_eq(r->code, 250);
    ck_assert_uint_le(dstr_len(r->text), SMTP_REPLY_TEXT_MAX + 1);
    ck_assert(r->flags & SMTP_REPLY_FLAG_TRUNC);
    smtp_reply_free(r);
    dstr_free(in);
}
END_TEST

START_TEST(log_form_makes_control_bytes_safe)
{
    SMTP_REPLY *r = smtp_reply_new();
    DSTR   *out = dstr_new(64);

    ck_assert_int_gt(smtp_reply_parse("550 bad\x01\tthing\r\n", 16, r), 0);
    ck_assert_str_eq(smtp_reply_str(r, out), "550 bad? thing");
    smtp_reply_free(r);
    dstr_free(out);
}
END_TEST

START_TEST(ehlo_keywords_and_size)
{
    SMTP_REPLY *r = smtp_reply_new();
    DSTR   *name = dstr_new(64);
    const char *in = "250-mx.example.net Hello\r\n250-pipelining\r\n250-SIZE 10240000\r\n"
    "250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n250-STARTTLS\r\n250-X-UNKNOWN\r\n"
    "250 ENHANCEDSTATUSCODES\r\n";
    long    size;
    int     f;

    ck_assert_int_gt(smtp_reply_parse(in, strlen(in), r), 0);
    f = smtp_ehlo_parse(r, &size, name);
    ck_assert_str_eq(dstr_str(name), "mx.example.net");
    ck_assert_int_eq(size, 10240000);
    ck_assert_int_eq(f, SMTP_FEAT_ESMTP | SMTP_FEAT_PIPELINING | SMTP_FEAT_SIZE | SMTP_FEAT_8BITMIME
		     | SMTP_FEAT_AUTH | SMTP_FEAT_STARTTLS | SMTP_FEAT_ESC);
    smtp_reply_free(r);
    dstr_free(name);
}
END_TEST

START_TEST(ehlo_size_without_or_with_bad_limit_means_none)
{
    SMTP_REPLY *r = smtp_reply_new();
    DSTR   *name = dstr_new(64);
    long    size = 99;

    ck_assert_int_gt(smtp_reply_parse("250-x\r\n250 SIZE\r\n", 17, r), 0);
    ck_assert(smtp_ehlo_parse(r, &size, name) & SMTP_FEAT_SIZE);
    ck_assert_int_eq(size, 0);
    ck_assert_int_gt(smtp_reply_parse("250-x\r\n250 SIZE 12x\r\n", 21, r), 0);
    (void) smtp_ehlo_parse(r, &size, name);
    ck_assert_int_eq(size, 0);
    ck_assert_int_gt(smtp_reply_parse("250 x\r\n", 7, r), 0);
    ck_assert_int_eq(smtp_ehlo_parse(r, &size, name), SMTP_FEAT_ESMTP);
    smtp_reply_free(r);
    dstr_free(name);
}
END_TEST

/* smtp_reply_suite - the tests */

static Suite *smtp_reply_suite(void)
{
    Suite  *s = suite_create("smtp_reply");
    TCase  *tp = tcase_create("parse");
    TCase  *tl = tcase_create("limits");
    TCase  *te = tcase_create("ehlo");

    tcase_add_test(tp, one_line_reply_with_enhanced_code);
    tcase_add_test(tp, multi_line_reply_keeps_every_line);
    tcase_add_test(tp, partial_reply_needs_more);
    tcase_add_test(tp, bare_code_ends_reply_and_lf_alone_is_accepted);
    tcase_add_test(tp, missing_enhanced_code_is_derived_from_reply_code);
    tcase_add_test(tp, enhanced_code_of_another_class_is_not_used);
    tcase_add_test(tp, enhanced_code_syntax);
    tcase_add_test(tp, the_last_line_decides_the_code);
    tcase_add_test(tp, garbage_lines_are_kept_and_flagged_but_do_not_end_the_reply);
    tcase_add_test(tp, codes_outside_2xx_to_5xx_are_malformed);
    tcase_add_test(tp, line_classification);
    tcase_add_test(tp, stream_reply_is_read_line_by_line);
    tcase_add_test(tp, stream_strips_only_one_cr_like_the_memory_parser);
    tcase_add_test(tp, stream_eof_inside_reply_fails);
    tcase_add_test(tp, log_form_makes_control_bytes_safe);
    suite_add_tcase(s, tp);

    tcase_add_test(tl, overlong_line_is_cut_and_the_rest_skipped);
    tcase_add_test(tl, endless_line_is_an_error);
    tcase_add_test(tl, too_many_lines_is_an_error);
    tcase_add_test(tl, reply_text_is_bounded);
    suite_add_tcase(s, tl);

    tcase_add_test(te, ehlo_keywords_and_size);
    tcase_add_test(te, ehlo_size_without_or_with_bad_limit_means_none);
    suite_add_tcase(s, te);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(smtp_reply_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
