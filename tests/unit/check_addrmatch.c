/*
 * check_addrmatch - unit tests for the client match lists
 * DESCRIPTION
 *	Address, network, host name, file and table patterns, the first-match
 *	and negation rules, and every way a list can be refused at parse
 *	time. Pattern files and tables are written to a private temporary
 *	directory.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addrmatch.h"
#include "dict_db.h"
#include "dstr.h"
#include "mymalloc.h"
#include "unit_tmpdir.h"

static char *tmpdir;

/* setup_tmpdir - a fresh directory for pattern files */

static void setup_tmpdir(void)
{
    tmpdir = unit_tmpdir_make("check_addrmatch");
}

/* teardown_tmpdir - remove the directory and what the test wrote there */

static void teardown_tmpdir(void)
{
    tmpdir = unit_tmpdir_remove(tmpdir);
}

/* write_file - create tmpdir/name with content; returns the path (caller frees) */

static char *write_file(const char *name, const char *content)
{
    DSTR   *path = dstr_new(100);
    FILE   *fp;

    (void) dstr_sprintf(path, "%s/%s", tmpdir, name);
    ck_assert_ptr_nonnull(fp = fopen(dstr_str(path), "w"));
    ck_assert_int_eq(fputs(content, fp) >= 0, 1);
    ck_assert_int_eq(fclose(fp), 0);
    return (dstr_export(path));
}

/* try_match - parse spec (must succeed), match one client, free */

static int try_match(const char *spec, int flags, const char *host, const char *addr)
{
    DSTR   *err = dstr_new(100);
    ADDRLIST *list = addrlist_parse(spec, flags, err);
    int     ret;

    ck_assert_msg(list != 0, "parse \"%s\": %s", spec, dstr_str(err));
    ret = addrlist_match(list, host, addr);
    addrlist_free(list);
    dstr_free(err);
    return (ret);
}

/* expect_error - parse must fail with an error text containing each word */

static void expect_error(const char *spec, const char *want1, const char *want2)
{
    DSTR   *err = dstr_new(100);
    ADDRLIST *list = addrlist_parse(spec, 0, err);

    ck_assert_msg(list == 0, "\"%s\" was accepted", spec);
    ck_assert_msg(strstr(dstr_str(err), want1) != 0, "\"%s\": error \"%s\" lacks \"%s\"",
		  spec, dstr_str(err), want1);
    if (want2)
	ck_assert_msg(strstr(dstr_str(err), want2) != 0,
		      "\"%s\": error \"%s\" lacks \"%s\"", spec, dstr_str(err), want2);
    dstr_free(err);
}

/* needs_hostname - parse spec and ask whether it holds a name pattern */

static int needs_hostname(const char *spec)
{
    ADDRLIST *list = addrlist_parse(spec, 0, 0);
    int     ret;

    ck_assert_ptr_nonnull(list);
    ret = addrlist_needs_hostname(list);
    addrlist_free(list);
    return (ret);
}

/* IPv4 */

START_TEST(ipv4_address_matches_itself)
{
    ck_assert_int_eq(try_match("192.0.2.1", 0, 0, "192.0.2.1"), 1);
}
END_TEST

START_TEST(ipv4_address_does_not_match_neighbour)
{
    ck_assert_int_eq(try_match("192.0.2.1", 0, 0, "192.0.2.2"), 0);
}
END_TEST

START_TEST(ipv4_cidr_matches_first_and_last_address)
{
    ck_assert_int_eq(try_match("192.0.2.0/24", 0, 0, "192.0.2.0"), 1);
    ck_assert_int_eq(try_match("192.0.2.0/24", 0, 0, "192.0.2.255"), 1);
}
END_TEST

START_TEST(ipv4_cidr_does_not_match_outside)
{
    ck_assert_int_eq(try_match("192.0.2.0/24", 0, 0, "192.0.3.0"), 0);
    ck_assert_int_eq(try_match("192.0.2.0/24", 0, 0, "192.0.1.255"), 0);
}
END_TEST

START_TEST(ipv4_cidr_off_byte_boundary)
{
    ck_assert_int_eq(try_match("10.0.0.0/9", 0, 0, "10.127.255.255"), 1);
    ck_assert_int_eq(try_match("10.0.0.0/9", 0, 0, "10.128.0.0"), 0);
}
END_TEST

START_TEST(ipv4_slash_zero_matches_all_ipv4_only)
{
    ck_assert_int_eq(try_match("0.0.0.0/0", 0, 0, "203.0.113.7"), 1);
    ck_assert_int_eq(try_match("0.0.0.0/0", 0, 0, "2001:db8::1"), 0);
}
END_TEST

START_TEST(ipv4_slash_32_is_one_address)
{
    ck_assert_int_eq(try_match("192.0.2.1/32", 0, 0, "192.0.2.1"), 1);
    ck_assert_int_eq(try_match("192.0.2.1/32", 0, 0, "192.0.2.0"), 0);
}
END_TEST

START_TEST(ipv4_mask_with_leading_zero_is_accepted)
{
    ck_assert_int_eq(try_match("192.0.2.0/024", 0, 0, "192.0.2.9"), 1);
}
END_TEST

START_TEST(ipv4_bracketed_pattern_is_accepted)
{
    ck_assert_int_eq(try_match("[192.0.2.1]", 0, 0, "192.0.2.1"), 1);
}
END_TEST

/* IPv6 */

START_TEST(ipv6_bare_address_matches)
{
    ck_assert_int_eq(try_match("::1", 0, 0, "::1"), 1);
    ck_assert_int_eq(try_match("::1", 0, 0, "::2"), 0);
}
END_TEST

START_TEST(ipv6_bracketed_address_matches)
{
    ck_assert_int_eq(try_match("[::1]", 0, 0, "::1"), 1);
    ck_assert_int_eq(try_match("[::1]", 0, 0, "::2"), 0);
}
END_TEST

START_TEST(ipv6_bracketed_network_matches)
{
    ck_assert_int_eq(try_match("[2001:db8::]/32", 0, 0, "2001:db8:ffff::1"), 1);
    ck_assert_int_eq(try_match("[2001:db8::]/32", 0, 0, "2001:db9::1"), 0);
}
END_TEST

START_TEST(ipv6_unbracketed_network_matches)
{
    ck_assert_int_eq(try_match("2001:db8::/32", 0, 0, "2001:db8::42"), 1);
    ck_assert_int_eq(try_match("2001:db8::/32", 0, 0, "2001:db7::42"), 0);
}
END_TEST

START_TEST(ipv6_network_off_byte_boundary)
{
    ck_assert_int_eq(try_match("[2001:db8:8000::]/33", 0, 0, "2001:db8:ffff::1"), 1);
    ck_assert_int_eq(try_match("[2001:db8:8000::]/33", 0, 0, "2001:db8:7fff::1"), 0);
}
END_TEST

START_TEST(ipv6_address_text_forms_are_equivalent)
{
    ck_assert_int_eq(try_match("2001:DB8:0:0::1", 0, 0, "2001:db8::1"), 1);
}
END_TEST

START_TEST(ipv6_pattern_does_not_match_ipv4_client)
{
    ck_assert_int_eq(try_match("::/0", 0, 0, "192.0.2.1"), 0);
}
END_TEST

START_TEST(ipv4_pattern_does_not_match_ipv6_client)
{
    ck_assert_int_eq(try_match("0.0.0.0/0", 0, 0, "::"), 0);
}
END_TEST

START_TEST(mapped_client_matches_ipv4_pattern)
{
    ck_assert_int_eq(try_match("192.0.2.0/24", 0, 0, "::ffff:192.0.2.7"), 1);
    ck_assert_int_eq(try_match("192.0.2.0/24", 0, 0, "::ffff:192.0.3.7"), 0);
}
END_TEST

START_TEST(mapped_pattern_matches_ipv4_client)
{
    ck_assert_int_eq(try_match("[::ffff:192.0.2.0]/120", 0, 0, "192.0.2.7"), 1);
    ck_assert_int_eq(try_match("[::ffff:192.0.2.0]/120", 0, 0, "192.0.3.7"), 0);
}
END_TEST

START_TEST(bracketed_client_address_is_accepted)
{
    ck_assert_int_eq(try_match("::1", 0, 0, "[::1]"), 1);
}
END_TEST

START_TEST(client_zone_id_is_ignored)
{
    ck_assert_int_eq(try_match("[fe80::]/10", 0, 0, "fe80::1%eth0"), 1);
}
END_TEST

START_TEST(malformed_client_address_matches_no_address)
{
    ck_assert_int_eq(try_match("0.0.0.0/0 ::/0", 0, 0, "not-an-address"), 0);
    ck_assert_int_eq(try_match("0.0.0.0/0 ::/0", 0, 0, 0), 0);
}
END_TEST

START_TEST(malformed_client_address_still_matches_name)
{
    ck_assert_int_eq(try_match("0.0.0.0/0 host.example.com", 0,
			       "host.example.com", "bogus"), 1);
}
END_TEST

/* List structure and negation */

START_TEST(empty_list_matches_nothing)
{
    ck_assert_int_eq(try_match("", 0, "host.example.com", "192.0.2.1"), 0);
    ck_assert_int_eq(try_match(" , ,\t\n", 0, "host.example.com", "192.0.2.1"), 0);
}
END_TEST

START_TEST(separators_are_commas_and_white_space)
{
    const char *spec = "192.0.2.1,192.0.2.2 192.0.2.3\t192.0.2.4\n192.0.2.5 , 192.0.2.6";
    char    addr[32];
    int     i;

    for (i = 1; i <= 6; i++) {
	snprintf(addr, sizeof(addr), "192.0.2.%d", i);
	ck_assert_msg(try_match(spec, 0, 0, addr) == 1, "%s not matched", addr);
    }
    ck_assert_int_eq(try_match(spec, 0, 0, "192.0.2.7"), 0);
}
END_TEST

START_TEST(negated_match_means_no_match)
{
    ck_assert_int_eq(try_match("!192.0.2.1, 192.0.2.0/24", 0, 0, "192.0.2.1"), 0);
}
END_TEST

START_TEST(negated_non_match_goes_on_to_next_pattern)
{
    ck_assert_int_eq(try_match("!192.0.2.1, 192.0.2.0/24", 0, 0, "192.0.2.2"), 1);
}
END_TEST

START_TEST(first_match_decides_over_later_negation)
{
    ck_assert_int_eq(try_match("192.0.2.0/24, !192.0.2.1", 0, 0, "192.0.2.1"), 1);
}
END_TEST

START_TEST(double_negation_cancels)
{
    ck_assert_int_eq(try_match("!!192.0.2.1", 0, 0, "192.0.2.1"), 1);
}
END_TEST

START_TEST(negated_name_stops_before_address)
{
    ck_assert_int_eq(try_match("!bad.example.com 0.0.0.0/0", 0,
			       "bad.example.com", "192.0.2.1"), 0);
    ck_assert_int_eq(try_match("!bad.example.com 0.0.0.0/0", 0,
			       "good.example.com", "192.0.2.1"), 1);
}
END_TEST

/* Host names */

START_TEST(name_matches_case_insensitively)
{
    ck_assert_int_eq(try_match("Mail.Example.COM", 0, "mail.example.com", "192.0.2.1"), 1);
    ck_assert_int_eq(try_match("mail.example.com", 0, "MAIL.EXAMPLE.COM", "192.0.2.1"), 1);
}
END_TEST

START_TEST(name_does_not_match_other_name)
{
    ck_assert_int_eq(try_match("mail.example.com", 0, "mx.example.com", "192.0.2.1"), 0);
}
END_TEST

START_TEST(name_without_parent_flag_skips_subdomains)
{
    ck_assert_int_eq(try_match("example.com", 0, "mail.example.com", "192.0.2.1"), 0);
}
END_TEST

START_TEST(name_with_parent_flag_matches_subdomains)
{
    ck_assert_int_eq(try_match("example.com", ADDRLIST_FLAG_PARENT,
			       "a.b.example.com", "192.0.2.1"), 1);
    ck_assert_int_eq(try_match("example.com", ADDRLIST_FLAG_PARENT,
			       "example.com", "192.0.2.1"), 1);
}
END_TEST

START_TEST(parent_flag_respects_label_boundary)
{
    ck_assert_int_eq(try_match("example.com", ADDRLIST_FLAG_PARENT,
			       "badexample.com", "192.0.2.1"), 0);
}
END_TEST

START_TEST(dot_pattern_matches_subdomains)
{
    ck_assert_int_eq(try_match(".example.com", 0, "mail.example.com", "192.0.2.1"), 1);
    ck_assert_int_eq(try_match(".example.com", 0, "a.b.EXAMPLE.com", "192.0.2.1"), 1);
}
END_TEST

START_TEST(dot_pattern_skips_the_domain_itself)
{
    ck_assert_int_eq(try_match(".example.com", 0, "example.com", "192.0.2.1"), 0);
    ck_assert_int_eq(try_match(".example.com", ADDRLIST_FLAG_PARENT,
			       "example.com", "192.0.2.1"), 0);
}
END_TEST

START_TEST(dot_pattern_respects_label_boundary)
{
    ck_assert_int_eq(try_match(".example.com", 0, "badexample.com", "192.0.2.1"), 0);
}
END_TEST

START_TEST(unknown_host_matches_no_name_pattern)
{
    ck_assert_int_eq(try_match("unknown", 0, "unknown", "192.0.2.1"), 0);
    ck_assert_int_eq(try_match(".example.com unknown", ADDRLIST_FLAG_PARENT,
			       "unknown", "192.0.2.1"), 0);
}
END_TEST

START_TEST(null_host_matches_no_name_pattern)
{
    ck_assert_int_eq(try_match("example.com", ADDRLIST_FLAG_PARENT, 0, "192.0.2.1"), 0);
}
END_TEST

START_TEST(unknown_host_still_matches_by_address)
{
    ck_assert_int_eq(try_match("example.com 192.0.2.1", 0, "unknown", "192.0.2.1"), 1);
}
END_TEST

START_TEST(needs_hostname_false_for_addresses_only)
{
    ck_assert_int_eq(needs_hostname("192.0.2.1 [::1] 10.0.0.0/8"), 0);
    ck_assert_int_eq(needs_hostname(""), 0);
}
END_TEST

START_TEST(needs_hostname_true_for_any_name)
{
    ck_assert_int_eq(needs_hostname("192.0.2.1 host.example.com"), 1);
    ck_assert_int_eq(needs_hostname("!.example.com"), 1);
}
END_TEST

/* Files */

START_TEST(file_patterns_are_read)
{
    char   *path = write_file("list", "# trusted\n\n192.0.2.1 192.0.2.2,\n"
			      "   # indented comment\r\n.example.com\r\n\n");

    ck_assert_int_eq(try_match(path, 0, 0, "192.0.2.2"), 1);
    ck_assert_int_eq(try_match(path, 0, "a.example.com", "198.51.100.1"), 1);
    ck_assert_int_eq(try_match(path, 0, 0, "192.0.2.3"), 0);
    free(path);
}
END_TEST

START_TEST(file_last_line_without_newline_is_read)
{
    char   *path = write_file("list", "192.0.2.1\n192.0.2.9");

    ck_assert_int_eq(try_match(path, 0, 0, "192.0.2.9"), 1);
    free(path);
}
END_TEST

START_TEST(file_keeps_its_place_in_list_order)
{
    char   *path = write_file("list", "!192.0.2.1\n");
    DSTR   *spec = dstr_new(100);

    (void) dstr_sprintf(spec, "%s 192.0.2.0/24", path);
    ck_assert_int_eq(try_match(dstr_str(spec), 0, 0, "192.0.2.1"), 0);
    ck_assert_int_eq(try_match(dstr_str(spec), 0, 0, "192.0.2.2"), 1);
    dstr_free(spec);
    free(path);
}
END_TEST

START_TEST(negated_file_negates_each_pattern)
{
    char   *path = write_file("list", "192.0.2.1\n");
    DSTR   *spec = dstr_new(100);

    (void) dstr_sprintf(spec, "!%s 0.0.0.0/0", path);
    ck_assert_int_eq(try_match(dstr_str(spec), 0, 0, "192.0.2.1"), 0);
    ck_assert_int_eq(try_match(dstr_str(spec), 0, 0, "192.0.2.2"), 1);
    dstr_free(spec);
    free(path);
}
END_TEST

START_TEST(nested_file_is_read)
{
    char   *inner = write_file("inner", "192.0.2.77\n");
    DSTR   *text = dstr_new(100);
    char   *outer;

    (void) dstr_sprintf(text, "192.0.2.1\n%s\n", inner);
    outer = write_file("outer", dstr_str(text));
    ck_assert_int_eq(try_match(outer, 0, 0, "192.0.2.77"), 1);
    free(outer);
    free(inner);
    dstr_free(text);
}
END_TEST

START_TEST(ten_nested_files_are_allowed)
{
    DSTR   *text = dstr_new(100);
    DSTR   *name = dstr_new(100);
    char   *path = write_file("f1", "192.0.2.10\n");
    int     i;

    for (i = 2; i <= 10; i++) {
	(void) dstr_sprintf(text, "%s\n", path);
	(void) dstr_sprintf(name, "f%d", i);
	free(path);
	path = write_file(dstr_str(name), dstr_str(text));
    }
    ck_assert_int_eq(try_match(path, 0, 0, "192.0.2.10"), 1);
    free(path);
    dstr_free(name);
    dstr_free(text);
}
END_TEST

START_TEST(eleven_nested_files_are_refused)
{
    DSTR   *text = dstr_new(100);
    DSTR   *name = dstr_new(100);
    char   *path = write_file("f1", "192.0.2.10\n");
    int     i;

    for (i = 2; i <= 11; i++) {
	(void) dstr_sprintf(text, "%s\n", path);
	(void) dstr_sprintf(name, "f%d", i);
	free(path);
	path = write_file(dstr_str(name), dstr_str(text));
    }
    expect_error(path, "nested", "f1");
    free(path);
    dstr_free(name);
    dstr_free(text);
}
END_TEST

START_TEST(self_including_file_is_refused)
{
    DSTR   *path = dstr_new(100);
    FILE   *fp;

    (void) dstr_sprintf(path, "%s/loop", tmpdir);
    ck_assert_ptr_nonnull(fp = fopen(dstr_str(path), "w"));
    fprintf(fp, "192.0.2.1\n%s\n", dstr_str(path));
    ck_assert_int_eq(fclose(fp), 0);
    expect_error(dstr_str(path), "nested", dstr_str(path));
    dstr_free(path);
}
END_TEST

START_TEST(missing_file_is_an_error_naming_it)
{
    DSTR   *path = dstr_new(100);

    (void) dstr_sprintf(path, "%s/no-such-file", tmpdir);
    expect_error(dstr_str(path), dstr_str(path), "No such file");
    dstr_free(path);
}
END_TEST

START_TEST(unreadable_file_is_an_error_naming_it)
{
    expect_error(tmpdir, tmpdir, "directory");	/* open works, read fails */
}
END_TEST

START_TEST(bad_pattern_in_file_names_file_and_line)
{
    char   *path = write_file("list", "192.0.2.1\n# ok\n192.0.2.0/33\n");

    expect_error(path, path, "line 3");
    expect_error(path, "192.0.2.0/33", 0);
    free(path);
}
END_TEST

START_TEST(file_name_pattern_needs_hostname)
{
    char   *path = write_file("list", "192.0.2.1\nmx.example.com\n");

    ck_assert_int_eq(needs_hostname(path), 1);
    free(path);
}
END_TEST

/* Errors */

START_TEST(error_ipv4_mask_too_long)
{
    expect_error("192.0.2.1/33", "bad network prefix length in \"192.0.2.1/33\"", 0);
}
END_TEST

START_TEST(error_ipv4_host_bits_set)
{
    expect_error("192.0.2.1/24", "non-null host address bits in \"192.0.2.1/24\"",
		 "192.0.2.0/24");
}
END_TEST

START_TEST(error_ipv6_host_bits_set)
{
    expect_error("2001:db8::1/64", "non-null host address bits", "[2001:db8::]/64");
}
END_TEST

START_TEST(error_ipv6_mask_too_long)
{
    expect_error("[::1]/129", "bad network prefix length in \"[::1]/129\"", 0);
}
END_TEST

START_TEST(error_mask_not_a_number)
{
    expect_error("192.0.2.0/", "bad network prefix length", "192.0.2.0/");
    expect_error("192.0.2.0/x", "bad network prefix length", "192.0.2.0/x");
    expect_error("192.0.2.0/+24", "bad network prefix length", "192.0.2.0/+24");
    expect_error("192.0.2.0/-1", "bad network prefix length", "192.0.2.0/-1");
    expect_error("192.0.2.0/99999999999999999999", "bad network prefix length", 0);
}
END_TEST

START_TEST(error_missing_close_bracket)
{
    expect_error("[::1", "missing ']'", "[::1");
}
END_TEST

START_TEST(error_garbage_after_close_bracket)
{
    expect_error("[::1]x", "garbage", "[::1]x");
}
END_TEST

START_TEST(error_malformed_bracketed_address)
{
    expect_error("[foo]", "malformed IP address", "[foo]");
    expect_error("[]", "malformed IP address", "[]");
}
END_TEST

START_TEST(error_malformed_ipv4_address)
{
    expect_error("192.0.2", "malformed IP address", "192.0.2");
    expect_error("192.0.2.256", "malformed IP address", "192.0.2.256");
    expect_error("example.com/24", "malformed IP address", "example.com/24");
}
END_TEST

START_TEST(error_lookup_table)
{
    expect_error("ldap:/etc/posthorn/clients",
		 "unsupported lookup table type in \"ldap:/etc/posthorn/clients\"", 0);
    expect_error("192.0.2.1 hash:/nonexistent/clients", "/nonexistent/clients.db", 0);
    expect_error("192.0.2.1 inline:{x}", "inline:{x}", "key = value");
    expect_error("cidr:/nonexistent/clients.cidr", "/nonexistent/clients.cidr", 0);
}
END_TEST

START_TEST(error_bang_without_pattern)
{
    expect_error("192.0.2.1 !", "no pattern after '!'", 0);
    expect_error("!! 192.0.2.1", "no pattern after '!'", 0);
}
END_TEST

START_TEST(error_malformed_host_name)
{
    expect_error("a..example.com", "malformed host name", "a..example.com");
    expect_error("*.example.com", "malformed host name", "*.example.com");
    expect_error("example.com.", "malformed host name", 0);
    expect_error("..example.com", "malformed host name", 0);
}
END_TEST

START_TEST(error_stops_at_first_bad_pattern)
{
    expect_error("192.0.2.1 bad..name 192.0.2.0/33", "bad..name", 0);
}
END_TEST

START_TEST(error_without_err_buffer_returns_null)
{
    ck_assert_ptr_null(addrlist_parse("192.0.2.1/33", 0, 0));
}
END_TEST

START_TEST(free_accepts_null)
{
    ck_assert_ptr_null(addrlist_free(0));
}
END_TEST

/* write_hash - tmpdir/name.db with the keys (value "ok"); returns "hash:tmpdir/name" */

static char *write_hash(const char *name, const char *const *keys)
{
    DSTR   *path = dstr_new(100);
    DSTR   *err = dstr_new(100);
    DICT_DB_WRITER *w;

    (void) dstr_sprintf(path, "%s/%s.db", tmpdir, name);
    w = dict_db_create("hash", dstr_str(path), err);
    ck_assert_msg(w != 0, "%s", dstr_str(err));
    for (; *keys; keys++)
	ck_assert_int_eq(dict_db_put(w, *keys, "ok", err), 0);
    ck_assert_int_eq(dict_db_finish(w, err), 0);
    (void) dstr_sprintf(path, "hash:%s/%s", tmpdir, name);
    dstr_free(err);
    return (dstr_export(path));
}

/* table_spec - "type:tmpdir/name" for a file written with write_file */

static char *table_spec(const char *type, const char *name, const char *content)
{
    DSTR   *spec = dstr_new(100);
    char   *path = write_file(name, content);

    (void) dstr_sprintf(spec, "%s:%s", type, path);
    free(path);
    return (dstr_export(spec));
}

START_TEST(inline_table_matches_address)
{
    ck_assert_int_eq(try_match("inline:{ 192.0.2.1 = ok }", 0, 0, "192.0.2.1"), 1);
    ck_assert_int_eq(try_match("inline:{ 192.0.2.1 = ok }", 0, 0, "192.0.2.2"), 0);
}
END_TEST

START_TEST(inline_table_keeps_its_commas_and_blanks_in_a_list)
{
    const char *spec = "192.0.2.9, inline:{ 192.0.2.1 = x, 192.0.2.2 = y } 192.0.2.3";

    ck_assert_int_eq(try_match(spec, 0, 0, "192.0.2.1"), 1);
    ck_assert_int_eq(try_match(spec, 0, 0, "192.0.2.2"), 1);
    ck_assert_int_eq(try_match(spec, 0, 0, "192.0.2.3"), 1);
    ck_assert_int_eq(try_match(spec, 0, 0, "192.0.2.9"), 1);
    ck_assert_int_eq(try_match(spec, 0, 0, "192.0.2.4"), 0);
}
END_TEST

START_TEST(table_lookup_result_is_ignored)
{
    /* As in Postfix's client lists: found is a match, whatever the value. */
    ck_assert_int_eq(try_match("inline:{ 192.0.2.1 = REJECT }", 0, 0, "192.0.2.1"), 1);
    ck_assert_int_eq(try_match("inline:{ 192.0.2.1 = no }", 0, 0, "192.0.2.1"), 1);
}
END_TEST

START_TEST(negated_table_excludes_its_entries)
{
    const char *spec = "!inline:{ 192.0.2.1 = x } 192.0.2.0/24";

    ck_assert_int_eq(try_match(spec, 0, 0, "192.0.2.1"), 0);
    ck_assert_int_eq(try_match(spec, 0, 0, "192.0.2.2"), 1);
}
END_TEST

START_TEST(table_key_is_canonical_ipv6_text)
{
    const char *spec = "inline:{ 2001:db8::1 = x }";

    ck_assert_int_eq(try_match(spec, 0, 0, "2001:DB8:0:0::1"), 1);
    ck_assert_int_eq(try_match(spec, 0, 0, "[2001:db8::1]"), 1);
    ck_assert_int_eq(try_match(spec, 0, 0, "2001:db8::2"), 0);
}
END_TEST

START_TEST(table_key_for_mapped_client_is_ipv4)
{
    ck_assert_int_eq(try_match("inline:{ 192.0.2.1 = x }", 0, 0, "::ffff:192.0.2.1"), 1);
}
END_TEST

START_TEST(hash_table_matches_address_and_name)
{
    static const char *const keys[] = {"192.0.2.1", "relay.example.com", 0};
    char   *spec = write_hash("clients", keys);

    ck_assert_int_eq(try_match(spec, 0, 0, "192.0.2.1"), 1);
    ck_assert_int_eq(try_match(spec, 0, "relay.example.com", "198.51.100.1"), 1);
    ck_assert_int_eq(try_match(spec, 0, "RELAY.Example.COM", "198.51.100.1"), 1);
    ck_assert_int_eq(try_match(spec, 0, "other.example.com", "198.51.100.1"), 0);
    ck_assert_int_eq(try_match(spec, 0, "unknown", "198.51.100.1"), 0);
    free(spec);
}
END_TEST

START_TEST(hash_table_parent_domains_follow_the_flag)
{
    static const char *const keys[] = {"example.com", ".example.org", 0};
    char   *spec = write_hash("clients", keys);

    /* With the flag "example.com" covers its subdomains; without, only ".example.org" does. */
    ck_assert_int_eq(try_match(spec, ADDRLIST_FLAG_PARENT, "a.b.example.com", "192.0.2.1"), 1);
    ck_assert_int_eq(try_match(spec, 0, "a.b.example.com", "192.0.2.1"), 0);
    ck_assert_int_eq(try_match(spec, 0, "example.com", "192.0.2.1"), 1);
    ck_assert_int_eq(try_match(spec, 0, "x.example.org", "192.0.2.1"), 1);
    ck_assert_int_eq(try_match(spec, 0, "example.org", "192.0.2.1"), 0);
    ck_assert_int_eq(try_match(spec, ADDRLIST_FLAG_PARENT, "badexample.com", "192.0.2.1"), 0);
    free(spec);
}
END_TEST

START_TEST(cidr_table_matches_networks)
{
    char   *spec = table_spec("cidr", "clients.cidr",
			      "192.0.2.0/24 ok\n2001:db8::/32 ok\n");

    ck_assert_int_eq(try_match(spec, 0, 0, "192.0.2.77"), 1);
    ck_assert_int_eq(try_match(spec, 0, 0, "2001:db8:1::5"), 1);
    ck_assert_int_eq(try_match(spec, 0, 0, "::ffff:192.0.2.77"), 1);
    ck_assert_int_eq(try_match(spec, 0, 0, "198.51.100.1"), 0);
    ck_assert_int_eq(try_match(spec, 0, "localhost", "198.51.100.1"), 0);
    free(spec);
}
END_TEST

START_TEST(table_in_pattern_file_is_opened)
{
    char   *table = table_spec("cidr", "clients.cidr", "192.0.2.0/24 ok\n");
    DSTR   *line = dstr_new(100);
    char   *file;

    (void) dstr_sprintf(line, "# tables too\n%s\n", table);
    file = write_file("list", dstr_str(line));
    ck_assert_int_eq(try_match(file, 0, 0, "192.0.2.5"), 1);
    ck_assert_int_eq(try_match(file, 0, 0, "192.0.3.5"), 0);
    free(file);
    free(table);
    dstr_free(line);
}
END_TEST

START_TEST(needs_hostname_for_name_tables_only)
{
    DSTR   *err = dstr_new(100);
    char   *cidr = table_spec("cidr", "clients.cidr", "192.0.2.0/24 ok\n");
    ADDRLIST *list;

    ck_assert_ptr_nonnull(list = addrlist_parse(cidr, 0, err));
    ck_assert_int_eq(addrlist_needs_hostname(list), 0);
    addrlist_free(list);
    ck_assert_ptr_nonnull(list = addrlist_parse("inline:{ a = b }", 0, err));
    ck_assert_int_eq(addrlist_needs_hostname(list), 1);
    addrlist_free(list);
    free(cidr);
    dstr_free(err);
}
END_TEST

/* addrmatch_suite - every test above */

static Suite *addrmatch_suite(void)
{
    Suite  *s = suite_create("addrmatch");
    TCase  *tc = tcase_create("addresses");
    TCase  *tl = tcase_create("lists");
    TCase  *tn = tcase_create("names");
    TCase  *tf = tcase_create("files");
    TCase  *te = tcase_create("errors");
    TCase  *tt = tcase_create("tables");

    tcase_add_test(tc, ipv4_address_matches_itself);
    tcase_add_test(tc, ipv4_address_does_not_match_neighbour);
    tcase_add_test(tc, ipv4_cidr_matches_first_and_last_address);
    tcase_add_test(tc, ipv4_cidr_does_not_match_outside);
    tcase_add_test(tc, ipv4_cidr_off_byte_boundary);
    tcase_add_test(tc, ipv4_slash_zero_matches_all_ipv4_only);
    tcase_add_test(tc, ipv4_slash_32_is_one_address);
    tcase_add_test(tc, ipv4_mask_with_leading_zero_is_accepted);
    tcase_add_test(tc, ipv4_bracketed_pattern_is_accepted);
    tcase_add_test(tc, ipv6_bare_address_matches);
    tcase_add_test(tc, ipv6_bracketed_address_matches);
    tcase_add_test(tc, ipv6_bracketed_network_matches);
    tcase_add_test(tc, ipv6_unbracketed_network_matches);
    tcase_add_test(tc, ipv6_network_off_byte_boundary);
    tcase_add_test(tc, ipv6_address_text_forms_are_equivalent);
    tcase_add_test(tc, ipv6_pattern_does_not_match_ipv4_client);
    tcase_add_test(tc, ipv4_pattern_does_not_match_ipv6_client);
    tcase_add_test(tc, mapped_client_matches_ipv4_pattern);
    tcase_add_test(tc, mapped_pattern_matches_ipv4_client);
    tcase_add_test(tc, bracketed_client_address_is_accepted);
    tcase_add_test(tc, client_zone_id_is_ignored);
    tcase_add_test(tc, malformed_client_address_matches_no_address);
    tcase_add_test(tc, malformed_client_address_still_matches_name);
    suite_add_tcase(s, tc);

    tcase_add_test(tl, empty_list_matches_nothing);
    tcase_add_test(tl, separators_are_commas_and_white_space);
    tcase_add_test(tl, negated_match_means_no_match);
    tcase_add_test(tl, negated_non_match_goes_on_to_next_pattern);
    tcase_add_test(tl, first_match_decides_over_later_negation);
    tcase_add_test(tl, double_negation_cancels);
    tcase_add_test(tl, negated_name_stops_before_address);
    suite_add_tcase(s, tl);

    tcase_add_test(tn, name_matches_case_insensitively);
    tcase_add_test(tn, name_does_not_match_other_name);
    tcase_add_test(tn, name_without_parent_flag_skips_subdomains);
    tcase_add_test(tn, name_with_parent_flag_matches_subdomains);
    tcase_add_test(tn, parent_flag_respects_label_boundary);
    tcase_add_test(tn, dot_pattern_matches_subdomains);
    tcase_add_test(tn, dot_pattern_skips_the_domain_itself);
    tcase_add_test(tn, dot_pattern_respects_label_boundary);
    tcase_add_test(tn, unknown_host_matches_no_name_pattern);
    tcase_add_test(tn, null_host_matches_no_name_pattern);
    tcase_add_test(tn, unknown_host_still_matches_by_address);
    tcase_add_test(tn, needs_hostname_false_for_addresses_only);
    tcase_add_test(tn, needs_hostname_true_for_any_name);
    suite_add_tcase(s, tn);

    tcase_add_checked_fixture(tf, setup_tmpdir, teardown_tmpdir);
    tcase_add_test(tf, file_patterns_are_read);
    tcase_add_test(tf, file_last_line_without_newline_is_read);
    tcase_add_test(tf, file_keeps_its_place_in_list_order);
    tcase_add_test(tf, negated_file_negates_each_pattern);
    tcase_add_test(tf, nested_file_is_read);
    tcase_add_test(tf, ten_nested_files_are_allowed);
    tcase_add_test(tf, eleven_nested_files_are_refused);
    tcase_add_test(tf, self_including_file_is_refused);
    tcase_add_test(tf, missing_file_is_an_error_naming_it);
    tcase_add_test(tf, unreadable_file_is_an_error_naming_it);
    tcase_add_test(tf, bad_pattern_in_file_names_file_and_line);
    tcase_add_test(tf, file_name_pattern_needs_hostname);
    suite_add_tcase(s, tf);

    tcase_add_test(te, error_ipv4_mask_too_long);
    tcase_add_test(te, error_ipv4_host_bits_set);
    tcase_add_test(te, error_ipv6_host_bits_set);
    tcase_add_test(te, error_ipv6_mask_too_long);
    tcase_add_test(te, error_mask_not_a_number);
    tcase_add_test(te, error_missing_close_bracket);
    tcase_add_test(te, error_garbage_after_close_bracket);
    tcase_add_test(te, error_malformed_bracketed_address);
    tcase_add_test(te, error_malformed_ipv4_address);
    tcase_add_test(te, error_lookup_table);
    tcase_add_test(te, error_bang_without_pattern);
    tcase_add_test(te, error_malformed_host_name);
    tcase_add_test(te, error_stops_at_first_bad_pattern);
    tcase_add_test(te, error_without_err_buffer_returns_null);
    tcase_add_test(te, free_accepts_null);
    suite_add_tcase(s, te);

    tcase_add_checked_fixture(tt, setup_tmpdir, teardown_tmpdir);
    tcase_add_test(tt, inline_table_matches_address);
    tcase_add_test(tt, inline_table_keeps_its_commas_and_blanks_in_a_list);
    tcase_add_test(tt, table_lookup_result_is_ignored);
    tcase_add_test(tt, negated_table_excludes_its_entries);
    tcase_add_test(tt, table_key_is_canonical_ipv6_text);
    tcase_add_test(tt, table_key_for_mapped_client_is_ipv4);
    tcase_add_test(tt, hash_table_matches_address_and_name);
    tcase_add_test(tt, hash_table_parent_domains_follow_the_flag);
    tcase_add_test(tt, cidr_table_matches_networks);
    tcase_add_test(tt, table_in_pattern_file_is_opened);
    tcase_add_test(tt, needs_hostname_for_name_tables_only);
    suite_add_tcase(s, tt);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(addrmatch_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
