/*
 * check_throttle_action - unit tests for throttle_action.c (actions of
 *	smtp_reply_throttle_maps, reply keys) and for the shipped default
 *	table conf/smtp_reply_throttle: it parses cleanly, and the replies it
 *	names, as the providers document them, get the action it says; and
 *	conf/smtp_mx_group, the default smtp_mx_group_maps, likewise
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dstr.h"
#include "ios.h"
#include "msg.h"
#include "regexp_table.h"
#include "throttle_action.h"
#include "unit_warnings.h"

#ifndef SRCDIR
#define SRCDIR	"."			/* tests run from the top of the tree */
#endif

/* parse_ok - text parses; returns the action formatted */

static const char *parse_ok(const char *text, THROTTLE_ACTION *act)
{
    static DSTR *out;
    DSTR   *why = dstr_new(64);

    if (out == NULL)
	out = dstr_new(64);
    ck_assert_msg(throttle_action_parse(text, act, why) == 0, "%s: %s", text, dstr_str(why));
    throttle_action_format(act, out);
    dstr_free(why);
    return (dstr_str(out));
}

START_TEST(actions_parse)
{
    THROTTLE_ACTION act;

    ck_assert_str_eq(parse_ok("suspend 10m", &act), "suspend 600s");
    ck_assert_int_eq(act.kind, THROTTLE_SUSPEND);
    ck_assert_str_eq(parse_ok("  Concurrency 1 1h ", &act), "concurrency 1 3600s");
    ck_assert_int_eq(act.limit, 1);
    ck_assert_str_eq(parse_ok("rate 200/10s 15m", &act), "rate 200/10s 900s");
    ck_assert_int_eq(act.per, 10);
    ck_assert_str_eq(parse_ok("suspend 600", &act), "suspend 600s");	/* seconds by default */
}
END_TEST

START_TEST(bad_actions_say_why)
{
    static const struct {
	const char *text;
	const char *why;
    }       bad[] = {
	{"", "empty action"},
	{"pause 10m", "unknown action \"pause\""},
	{"suspend", "duration missing"},
	{"suspend 0", "bad duration \"0\""},
	{"suspend 8d", "bad duration \"8d\""},
	{"suspend 10x", "bad duration \"10x\""},
	{"suspend 10m now", "garbage after the action: \"now\""},
	{"concurrency 0 1h", "bad number \"0\""},
	{"concurrency 20001 1h", "bad number \"20001\""},
	{"concurrency 2x 1h", "bad number \"2x\""},
	{"concurrency 2", "concurrency: duration missing"},
	{"rate 10 1h", "rate: \"10\" is not N/DURATION"},
	{"rate 10/0s 1h", "bad duration \"0s\""},
	{"rate 10/1m", "rate: duration missing"},
	{"rate -1/1m 1h", "bad number \"-1/1m\""},
    };
    THROTTLE_ACTION act;
    DSTR   *why = dstr_new(64);
    size_t  i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
	DSTR_RESET(why);
	ck_assert_msg(throttle_action_parse(bad[i].text, &act, why) < 0, "accepted: %s", bad[i].text);
	ck_assert_msg(strstr(dstr_str(why), bad[i].why) != 0, "%s: %s", bad[i].text, dstr_str(why));
    }
    dstr_free(why);
}
END_TEST

START_TEST(reply_keys)
{
    DSTR   *key = dstr_new(64);
    const char *gmail[] = {
	"421-4.7.28 [192.0.2.1      15] Our system has detected an unusual rate of",
	"421-4.7.28 unsolicited mail originating from your IP address. To protect our",
	"421 4.7.28 users from spam, mail sent from your IP address has been temporarily",
    };
    const char *plain[] = {"450 mailbox busy"};
    const char *bare[] = {"421"};
    char    big[3000];

    throttle_reply_key(gmail, 3, key, 1000);
    ck_assert_str_eq(dstr_str(key), "421 4.7.28 [192.0.2.1      15] Our system has detected an "
		     "unusual rate of unsolicited mail originating from your IP address. To "
		     "protect our users from spam, mail sent from your IP address has been temporarily");
    throttle_reply_key(plain, 1, key, 1000);
    ck_assert_str_eq(dstr_str(key), "450 mailbox busy");
    throttle_reply_key(bare, 1, key, 1000);
    ck_assert_str_eq(dstr_str(key), "421");
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    memcpy(big, "421 4.7.0 ", 10);
    {
	const char *lines[] = {big, big};

	throttle_reply_key(lines, 2, key, 1000);
	ck_assert_uint_eq(dstr_len(key), 1000);
    }
    dstr_free(key);
}
END_TEST

/* default_action - what the shipped table says to one reply, or "-" */

static const char *default_action(REGEXP_TABLE *table, const char *const *lines, int n)
{
    static char result[128];
    DSTR   *key = dstr_new(128);
    DSTR   *out = dstr_new(64);

    throttle_reply_key(lines, n, key, 1000);
    snprintf(result, sizeof(result), "%s",
	     regexp_table_lookup(table, dstr_str(key), out) ? dstr_str(out) : "-");
    dstr_free(key);
    dstr_free(out);
    return (result);
}

START_TEST(shipped_table_parses_and_matches_what_it_names)
{
    int     fd = open(SRCDIR "/conf/smtp_reply_throttle", O_RDONLY);
    IOS    *ios;
    DSTR   *err = dstr_new(64);
    REGEXP_TABLE *table;
    const char *gmail[] = {"421-4.7.28 [192.0.2.1] Our system has detected an unusual rate of",
    "421 4.7.28 unsolicited mail originating from your IP address. - gsmtp"};
    const char *gmail_dkim[] = {"421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your DKIM domain. - gsmtp"};
    const char *yahoo[] = {"421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes"};
    const char *yahoo_ts01[] = {"421 4.7.0 [TS01] Messages from 192.0.2.1 temporarily deferred due to user complaints - 4.16.55.1"};
    const char *ms650[] = {"451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://aka.ms/postmaster (S775)"};
    const char *ms651[] = {"451 4.7.651 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation. (S3114)"};
    const char *per_user[] = {"450-4.2.1 The user you are trying to contact is receiving mail at a rate that",
    "450 4.2.1 prevents additional messages from being delivered. - gsmtp"};
    const char *busy[] = {"421 4.7.0 Try again later, closing connection."};
    const char *gmail_5xx[] = {"550 5.7.28 unusual rate"};
    THROTTLE_ACTION act;
    DSTR   *why = dstr_new(64);
    const char *a;
    const char *const *cases[] = {gmail, gmail_dkim, yahoo, yahoo_ts01, ms650, ms651};
    int     ncases[] = {2, 1, 1, 1, 1, 1};
    size_t  i;

    ck_assert_int_ge(fd, 0);
    unit_warnings_setup();
    ios = ios_open(fd);
    ck_assert_ptr_nonnull(table = regexp_table_read(ios, "conf/smtp_reply_throttle", err));
    ck_assert_msg(dstr_len(unit_warnings) == 0, "%s", dstr_str(unit_warnings));
    ck_assert_uint_ge(regexp_table_size(table), 3);
    ck_assert_str_eq(default_action(table, gmail, 2), "suspend 10m");
    ck_assert_str_eq(default_action(table, yahoo, 1), "suspend 4h");
    ck_assert_str_eq(default_action(table, ms650, 1), "suspend 1h");
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	a = default_action(table, cases[i], ncases[i]);
	ck_assert_msg(strcmp(a, "-") != 0, "case %lu not matched", (unsigned long) i);
	ck_assert_msg(throttle_action_parse(a, &act, why) == 0, "%s: %s", a, dstr_str(why));
    }
    /* Not about us, not documented, or not temporary: no throttle. */
    ck_assert_str_eq(default_action(table, per_user, 2), "-");
    ck_assert_str_eq(default_action(table, busy, 1), "-");
    ck_assert_str_eq(default_action(table, gmail_5xx, 1), "-");
    regexp_table_free(table);
    (void) ios_close(ios);
    unit_warnings_teardown();
    dstr_free(err);
    dstr_free(why);
}
END_TEST

/* The shipped smtp_mx_group table parses cleanly and names the providers' MX hosts. */
START_TEST(shipped_group_table_names_the_providers)
{
    static const char *const cases[][2] = {
	{"aspmx.l.google.com", "google"},
	{"alt4.aspmx.l.google.com", "google"},
	{"gmail-smtp-in.l.google.com", "google"},
	{"aspmx2.googlemail.com", "google"},
	{"example-com.mail.protection.outlook.com", "microsoft"},
	{"hotmail-com.olc.protection.outlook.com", "microsoft"},
	{"mta5.am0.yahoodns.net", "yahoo"},
	{"mx-aol.mail.gm0.yahoodns.net", "yahoo"},
	{"mx01.mail.icloud.com", "apple"},
	{"mx00.gmx.net", "gmx"},
	{"mx00.web.de", "gmx"},
	{"mx.example.org", "-"},
	{"notgoogle.com", "-"},			/* a name that only ends alike */
	{"google.com.evil.test", "-"},
    };
    int     fd = open(SRCDIR "/conf/smtp_mx_group", O_RDONLY);
    IOS    *ios;
    DSTR   *err = dstr_new(64);
    DSTR   *out = dstr_new(64);
    REGEXP_TABLE *table;
    const char *got;
    size_t  i;

    ck_assert_int_ge(fd, 0);
    unit_warnings_setup();
    ios = ios_open(fd);
    ck_assert_ptr_nonnull(table = regexp_table_read(ios, "conf/smtp_mx_group", err));
    ck_assert_msg(dstr_len(unit_warnings) == 0, "%s", dstr_str(unit_warnings));
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	got = regexp_table_lookup(table, cases[i][0], out) ? dstr_str(out) : "-";
	ck_assert_msg(strcmp(got, cases[i][1]) == 0, "%s: got %s, expected %s",
		      cases[i][0], got, cases[i][1]);
    }
    regexp_table_free(table);
    (void) ios_close(ios);
    unit_warnings_teardown();
    dstr_free(err);
    dstr_free(out);
}
END_TEST

/* throttle_suite - every test above */

static Suite *throttle_suite(void)
{
    Suite  *s = suite_create("throttle_action");
    TCase  *tc = tcase_create("throttle_action");

    tcase_add_test(tc, actions_parse);
    tcase_add_test(tc, bad_actions_say_why);
    tcase_add_test(tc, reply_keys);
    tcase_add_test(tc, shipped_table_parses_and_matches_what_it_names);
    tcase_add_test(tc, shipped_group_table_names_the_providers);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(throttle_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
