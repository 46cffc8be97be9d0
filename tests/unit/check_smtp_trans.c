/*
 * check_smtp_trans - unit tests for transactions and their commands
 * DESCRIPTION
 *	Without VERP one transaction holds every recipient; with VERP each
 *	recipient gets its own transaction with the expanded sender of
 *	docs/protocols.md §3.4, except for the null sender. MAIL FROM with
 *	SIZE= and BODY=8BITMIME, RCPT TO, RFC 5321 quoting of local parts
 *	that are not dot-strings, and addresses that must never reach a
 *	command line.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "smtp/smtp.h"

static char *rcpts[] = {"bob@host.test", "dave@other.test", "carol"};

START_TEST(one_transaction_without_verp)
{
    SMTP_TRANS_LIST tl;

    smtp_trans_build(&tl, "list@example.org", "", rcpts, 3);
    ck_assert_uint_eq(tl.count, 1);
    ck_assert_str_eq(tl.trans[0].sender, "list@example.org");
    ck_assert_uint_eq(tl.trans[0].nrcpt, 3);
    ck_assert_uint_eq(tl.trans[0].rcpt[2], 2);
    smtp_trans_free(&tl);
    ck_assert_uint_eq(tl.count, 0);
}
END_TEST

START_TEST(one_transaction_per_recipient_with_verp)
{
    SMTP_TRANS_LIST tl;

    smtp_trans_build(&tl, "list-return-12@example.org", "-=", rcpts, 3);
    ck_assert_uint_eq(tl.count, 3);
    ck_assert_str_eq(tl.trans[0].sender, "list-return-12-bob=host.test@example.org");
    ck_assert_str_eq(tl.trans[1].sender, "list-return-12-dave=other.test@example.org");
    ck_assert_str_eq(tl.trans[2].sender, "list-return-12-carol@example.org");
    ck_assert_uint_eq(tl.trans[1].nrcpt, 1);
    ck_assert_uint_eq(tl.trans[1].rcpt[0], 1);
    smtp_trans_free(&tl);
}
END_TEST

START_TEST(null_sender_is_never_expanded)
{
    SMTP_TRANS_LIST tl;

    smtp_trans_build(&tl, "", "-=", rcpts, 3);
    ck_assert_uint_eq(tl.count, 1);
    ck_assert_str_eq(tl.trans[0].sender, "");
    ck_assert_uint_eq(tl.trans[0].nrcpt, 3);
    smtp_trans_free(&tl);
}
END_TEST

START_TEST(mail_from_with_size_and_body)
{
    DSTR   *out = dstr_new(64);

    smtp_cmd_mail(out, "a@b.example", 324, 0);
    ck_assert_str_eq(dstr_str(out), "MAIL FROM:<a@b.example> SIZE=324\r\n");
    DSTR_RESET(out);
    smtp_cmd_mail(out, "a@b.example", 324, 1);
    ck_assert_str_eq(dstr_str(out), "MAIL FROM:<a@b.example> SIZE=324 BODY=8BITMIME\r\n");
    DSTR_RESET(out);
    smtp_cmd_mail(out, "", -1, 0);
    ck_assert_str_eq(dstr_str(out), "MAIL FROM:<>\r\n");
    DSTR_RESET(out);
    smtp_cmd_rcpt(out, "bob@host.test");
    ck_assert_str_eq(dstr_str(out), "RCPT TO:<bob@host.test>\r\n");
    dstr_free(out);
}
END_TEST

/* quoted - smtp_quote_addr() result */

static void quoted(const char *addr, const char *want)
{
    DSTR   *out = dstr_new(64);

    smtp_quote_addr(out, addr);
    ck_assert_msg(strcmp(dstr_str(out), want) == 0, "%s: got %s, want %s", addr,
		  dstr_str(out), want);
    dstr_free(out);
}

START_TEST(local_parts_are_quoted_when_needed)
{
    quoted("john.doe+tag@example.com", "john.doe+tag@example.com");
    quoted("o'hara!x#y$z%w&v*u/t=s?r^q_p`o{n|m}l~k@x", "o'hara!x#y$z%w&v*u/t=s?r^q_p`o{n|m}l~k@x");
    quoted("john doe@example.com", "\"john doe\"@example.com");
    quoted(".lead@example.com", "\".lead\"@example.com");
    quoted("trail.@example.com", "\"trail.\"@example.com");
    quoted("two..dots@example.com", "\"two..dots\"@example.com");
    quoted("a\"b\\c@example.com", "\"a\\\"b\\\\c\"@example.com");
    quoted("\"already quoted\"@example.com", "\"already quoted\"@example.com");
    quoted("user@with@at@example.com", "\"user@with@at\"@example.com");
    quoted("nodomain", "nodomain");
    quoted("", "");
}
END_TEST

START_TEST(unsafe_addresses)
{
    DSTR   *big = dstr_new(3000);

    ck_assert_int_eq(smtp_addr_unsafe("bob@host.test"), 0);
    ck_assert_int_eq(smtp_addr_unsafe("bob@host.test\r\nRSET"), 1);
    ck_assert_int_eq(smtp_addr_unsafe("a\tb@x"), 1);
    ck_assert_int_eq(smtp_addr_unsafe("caf\xc3\xa9@x"), 0);
    while (dstr_len(big) < 2500)
	dstr_catc(big, 'x');
    ck_assert_int_eq(smtp_addr_unsafe(dstr_str(big)), 1);
    dstr_free(big);
}
END_TEST

/* smtp_trans_suite - the tests */

static Suite *smtp_trans_suite(void)
{
    Suite  *s = suite_create("smtp_trans");
    TCase  *tt = tcase_create("transactions");
    TCase  *tc = tcase_create("commands");

    tcase_add_test(tt, one_transaction_without_verp);
    tcase_add_test(tt, one_transaction_per_recipient_with_verp);
    tcase_add_test(tt, null_sender_is_never_expanded);
    suite_add_tcase(s, tt);

    tcase_add_test(tc, mail_from_with_size_and_body);
    tcase_add_test(tc, local_parts_are_quoted_when_needed);
    tcase_add_test(tc, unsafe_addresses);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(smtp_trans_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
