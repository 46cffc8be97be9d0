/*
 * check_dkim_key - unit tests for DKIM private keys (src/dkim/dkim_key.c)
 * DESCRIPTION
 *	Loading the keys of tests/unit/data/dkim (made by make-fixtures.py
 *	with openssl): RSA 2048 (PKCS#8) is fine, RSA 1024 (traditional PEM)
 *	loads with a warning, RSA 512, an EC key, garbage, a missing file and
 *	an oversize file are refused with the reason, a key others may read
 *	is a warning. Each key is copied into a scratch directory with the
 *	mode the test wants, so the checkout's modes do not matter. Then
 *	generate, save and load round trips, save refusing to overwrite, the
 *	DNS record (strings of at most 255 characters whose p= parses back to
 *	the same key), and SHA-256 through dkim_hash.
 */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dkim_hash.h"
#include "dkim_sig.h"
#include "dkim_key.h"
#include "dkim_pubkey.h"
#include "base64.h"
#include "fsutil.h"
#include "unit_tmpdir.h"

#ifndef SRCDIR
#define SRCDIR	"."
#endif
#define DATA	SRCDIR "/tests/unit/data/dkim/"

static char *tmpdir;

static void setup(void)
{
    tmpdir = unit_tmpdir_make("check_dkim_key");
}

static void teardown(void)
{
    tmpdir = unit_tmpdir_remove(tmpdir);
}

/* tmp_path - a name in the scratch directory */

static const char *tmp_path(DSTR *out, const char *name)
{
    dstr_sprintf(out, "%s/%s", tmpdir, name);
    return (dstr_str(out));
}

/* install - copy a data file into the scratch directory with mode; its path */

static const char *install(DSTR *out, const char *name, mode_t mode)
{
    DSTR   *text = dstr_new(4096);
    DSTR   *src = dstr_new(64);
    int     fd;

    dstr_sprintf(src, DATA "%s", name);
    ck_assert_msg(fs_read_file(dstr_str(src), text, 0) == 0, "read %s", dstr_str(src));
    tmp_path(out, name);
    fd = open(dstr_str(out), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(fs_write_all(fd, dstr_str(text), dstr_len(text)), 0);
    ck_assert_int_eq(fchmod(fd, mode), 0);
    close(fd);
    dstr_free(text);
    dstr_free(src);
    return (dstr_str(out));
}

/* load - dkim_key_load with fresh why and warn */

static DKIM_KEY *load(const char *path, DSTR *why, DSTR *warn)
{
    DSTR_RESET(why);
    DSTR_RESET(warn);
    return (dkim_key_load(path, why, warn));
}

START_TEST(algorithm_names)
{
    DKIM_ALG alg;

    ck_assert_str_eq(dkim_alg_name(DKIM_ALG_RSA_SHA256), "rsa-sha256");
    ck_assert_str_eq(dkim_alg_name(DKIM_ALG_ED25519_SHA256), "ed25519-sha256");
    ck_assert_int_eq(dkim_alg_parse("ed25519-sha256", &alg), 0);
    ck_assert_int_eq(alg, DKIM_ALG_ED25519_SHA256);
    ck_assert_int_eq(dkim_alg_parse("rsa-sha256", &alg), 0);
    ck_assert_int_eq(alg, DKIM_ALG_RSA_SHA256);
    ck_assert_int_eq(dkim_alg_parse("rsa-sha1", &alg), -1);
    ck_assert_int_eq(dkim_alg_parse("RSA-SHA256", &alg), -1);
    ck_assert_int_eq(dkim_alg_parse("", &alg), -1);
}
END_TEST

START_TEST(rsa_2048_loads_without_warning)
{
    DSTR   *path = dstr_new(64);
    DSTR   *why = dstr_new(64);
    DSTR   *warn = dstr_new(64);
    DKIM_KEY *key = load(install(path, "rsa2048.pem", 0600), why, warn);

    ck_assert_msg(key != NULL, "%s", dstr_str(why));
    ck_assert_str_eq(dstr_str(warn), "");
    ck_assert_int_eq(dkim_key_alg(key), DKIM_ALG_RSA_SHA256);
    ck_assert_int_eq(dkim_key_bits(key), 2048);
    ck_assert_uint_eq(dkim_key_sig_b64_len(key), 344);	/* 4 * ceil(256 / 3) */
    dkim_key_free(key);
    dstr_free(path);
    dstr_free(why);
    dstr_free(warn);
}
END_TEST

START_TEST(rsa_1024_traditional_pem_loads_with_a_warning)
{
    DSTR   *path = dstr_new(64);
    DSTR   *why = dstr_new(64);
    DSTR   *warn = dstr_new(64);
    DSTR   *want = dstr_new(64);
    DKIM_KEY *key = load(install(path, "rsa1024.pem", 0600), why, warn);

    ck_assert_msg(key != NULL, "%s", dstr_str(why));
    ck_assert_int_eq(dkim_key_bits(key), 1024);
    ck_assert_uint_eq(dkim_key_sig_b64_len(key), 172);	/* 4 * ceil(128 / 3) */
    dstr_sprintf(want, "%s: RSA key of 1024 bits: RFC 8301 asks for at least 2048",
		 dstr_str(path));
    ck_assert_str_eq(dstr_str(warn), dstr_str(want));
    dkim_key_free(key);
    dstr_free(path);
    dstr_free(why);
    dstr_free(warn);
    dstr_free(want);
}
END_TEST

START_TEST(readable_key_file_is_a_warning)
{
    DSTR   *path = dstr_new(64);
    DSTR   *why = dstr_new(64);
    DSTR   *warn = dstr_new(64);
    DSTR   *want = dstr_new(64);
    DKIM_KEY *key;

    key = load(install(path, "ed25519.pem", 0644), why, warn);
    ck_assert_msg(key != NULL, "%s", dstr_str(why));
    dstr_sprintf(want, "private key file %s is readable by other users", dstr_str(path));
    ck_assert_str_eq(dstr_str(warn), dstr_str(want));
    dkim_key_free(key);
    /* Two warnings at once: "; " between them. */
    key = load(install(path, "rsa1024.pem", 0640), why, warn);
    ck_assert_msg(key != NULL, "%s", dstr_str(why));
    DSTR_RESET(want);
    dstr_sprintf(want, "%s: RSA key of 1024 bits: RFC 8301 asks for at least 2048; "
		 "private key file %s is readable by other users",
		 dstr_str(path), dstr_str(path));
    ck_assert_str_eq(dstr_str(warn), dstr_str(want));
    dkim_key_free(key);
    dstr_free(path);
    dstr_free(why);
    dstr_free(warn);
    dstr_free(want);
}
END_TEST

START_TEST(ed25519_loads)
{
    DSTR   *path = dstr_new(64);
    DSTR   *why = dstr_new(64);
    DSTR   *warn = dstr_new(64);
    DKIM_KEY *key = load(install(path, "ed25519.pem", 0400), why, warn);

    ck_assert_msg(key != NULL, "%s", dstr_str(why));
    ck_assert_str_eq(dstr_str(warn), "");
    ck_assert_int_eq(dkim_key_alg(key), DKIM_ALG_ED25519_SHA256);
    ck_assert_int_eq(dkim_key_bits(key), 256);
    ck_assert_uint_eq(dkim_key_sig_b64_len(key), 88);
    dkim_key_free(key);
    dstr_free(path);
    dstr_free(why);
    dstr_free(warn);
}
END_TEST

/* refused - load name (installed 0600) fails with "PATH: what" */

static void refused(const char *name, const char *what)
{
    DSTR   *path = dstr_new(64);
    DSTR   *why = dstr_new(64);
    DSTR   *warn = dstr_new(64);
    DSTR   *want = dstr_new(64);

    ck_assert_ptr_null(load(install(path, name, 0600), why, warn));
    dstr_sprintf(want, "%s: %s", dstr_str(path), what);
    ck_assert_str_eq(dstr_str(why), dstr_str(want));
    dstr_free(path);
    dstr_free(why);
    dstr_free(warn);
    dstr_free(want);
}

START_TEST(weak_foreign_and_broken_keys_are_refused)
{
    refused("rsa512.pem", "RSA key of 512 bits is too weak (at least 1024)");
    refused("ec256.pem", "unsupported key type EC");
    refused("garbage.pem", "not a PEM private key");
    refused("rsa2048.txt", "not a PEM private key");	/* a public key record */
}
END_TEST

START_TEST(missing_and_oversize_files_are_refused)
{
    DSTR   *path = dstr_new(64);
    DSTR   *why = dstr_new(64);
    DSTR   *warn = dstr_new(64);
    DSTR   *want = dstr_new(64);
    char    junk[4096];
    int     fd;
    int     i;

    ck_assert_ptr_null(load(tmp_path(path, "nonexistent.pem"), why, warn));
    dstr_sprintf(want, "open %s: No such file or directory", dstr_str(path));
    ck_assert_str_eq(dstr_str(why), dstr_str(want));

    fd = open(tmp_path(path, "big.pem"), O_WRONLY | O_CREAT, 0600);
    memset(junk, 'A', sizeof(junk));
    for (i = 0; i < 17; i++)			/* 69632 bytes */
	ck_assert_int_eq(fs_write_all(fd, junk, sizeof(junk)), 0);
    close(fd);
    ck_assert_ptr_null(load(dstr_str(path), why, warn));
    DSTR_RESET(want);
    dstr_sprintf(want, "%s: larger than 65536 bytes, not a key file", dstr_str(path));
    ck_assert_str_eq(dstr_str(why), dstr_str(want));

    ck_assert_ptr_null(load(tmpdir, why, warn));
    DSTR_RESET(want);
    dstr_sprintf(want, "%s: not a regular file", tmpdir);
    ck_assert_str_eq(dstr_str(why), dstr_str(want));
    dstr_free(path);
    dstr_free(why);
    dstr_free(warn);
    dstr_free(want);
}
END_TEST

/* record_text - the TXT strings of a zone-file line, joined; checks their lengths */

static void record_text(const char *line, DSTR *txt)
{
    const char *cp = strstr(line, " IN TXT ");
    const char *end;

    ck_assert_ptr_nonnull(cp);
    for (cp += 8; *cp; cp = end + 1) {
	ck_assert_int_eq(*cp, '"');
	end = strchr(++cp, '"');
	ck_assert_ptr_nonnull(end);
	ck_assert_int_le(end - cp, 255);
	dstr_cat(txt, cp, (size_t) (end - cp));
	if (end[1] == 0)
	    break;
	ck_assert_int_eq(end[1], ' ');
	end++;
    }
}

/* sign_and_check - key signs a digest; the DNS record's key verifies it */

static void sign_and_check(const DKIM_KEY *key, const char *record)
{
    static const unsigned char digest[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    DSTR   *txt = dstr_new(512);
    DSTR   *b64 = dstr_new(512);
    DSTR   *sig = dstr_new(512);
    DSTR   *why = dstr_new(64);
    DKIM_PUBKEY *pk;
    unsigned char other[32] = {0};

    record_text(record, txt);
    pk = dkim_pubkey_parse(dstr_str(txt), dstr_len(txt), why);
    ck_assert_msg(pk != NULL, "%s: %s", dstr_str(txt), dstr_str(why));
    ck_assert_int_eq(dkim_pubkey_matches(pk, key), 1);
    ck_assert_int_eq(dkim_pubkey_alg(pk), dkim_key_alg(key));
    ck_assert_int_eq(dkim_key_sign(key, digest, b64, why), 0);
    ck_assert_uint_eq(dstr_len(b64), dkim_key_sig_b64_len(key));
    ck_assert_int_eq(base64_decode(sig, dstr_str(b64), dstr_len(b64)), 0);
    ck_assert_int_eq(dkim_pubkey_verify(pk, dkim_key_alg(key), digest,
			      (unsigned char *) dstr_str(sig), dstr_len(sig), why), 0);
    ck_assert_int_eq(dkim_pubkey_verify(pk, dkim_key_alg(key), other,
			      (unsigned char *) dstr_str(sig), dstr_len(sig), why), -1);
    ck_assert_str_eq(dstr_str(why), "signature did not verify");
    dkim_pubkey_free(pk);
    dstr_free(txt);
    dstr_free(b64);
    dstr_free(sig);
    dstr_free(why);
}

START_TEST(dns_record_of_an_rsa_key)
{
    DSTR   *path = dstr_new(64);
    DSTR   *why = dstr_new(64);
    DSTR   *warn = dstr_new(64);
    DSTR   *rec = dstr_new(512);
    DKIM_KEY *key = load(install(path, "rsa2048.pem", 0600), why, warn);

    ck_assert_ptr_nonnull(key);
    dkim_key_dns_record(key, "example.org.", "sel", rec);
    ck_assert_msg(strncmp(dstr_str(rec), "sel._domainkey.example.org. IN TXT "
			  "\"v=DKIM1; k=rsa; \" \"p=MIIBIjAN", 60) == 0, "%s", dstr_str(rec));
    ck_assert_ptr_null(strchr(dstr_str(rec), '\n'));
    sign_and_check(key, dstr_str(rec));
    dkim_key_free(key);
    dstr_free(path);
    dstr_free(why);
    dstr_free(warn);
    dstr_free(rec);
}
END_TEST

START_TEST(dns_record_of_an_ed25519_key)
{
    DSTR   *path = dstr_new(64);
    DSTR   *why = dstr_new(64);
    DSTR   *warn = dstr_new(64);
    DSTR   *rec = dstr_new(512);
    DSTR   *p = dstr_new(64);
    DKIM_KEY *key = load(install(path, "rfc8463-ed25519.pem", 0600), why, warn);

    ck_assert_ptr_nonnull(key);
    dkim_key_public_b64(key, p);
    ck_assert_str_eq(dstr_str(p), "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    dkim_key_dns_record(key, "football.example.com", "brisbane", rec);
    ck_assert_str_eq(dstr_str(rec), "brisbane._domainkey.football.example.com. IN TXT "
		     "\"v=DKIM1; k=ed25519; \" \"p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"");
    sign_and_check(key, dstr_str(rec));
    dkim_key_free(key);
    dstr_free(path);
    dstr_free(why);
    dstr_free(warn);
    dstr_free(rec);
    dstr_free(p);
}
END_TEST

/* round_trip - generate, save, load back, compare */

static void round_trip(DKIM_ALG alg, int bits, const char *name)
{
    DSTR   *path = dstr_new(64);
    DSTR   *why = dstr_new(64);
    DSTR   *warn = dstr_new(64);
    DSTR   *rec = dstr_new(1024);
    DKIM_KEY *key = dkim_key_generate(alg, bits, why);
    DKIM_KEY *again;
    struct stat st;

    ck_assert_msg(key != NULL, "%s", dstr_str(why));
    ck_assert_int_eq(dkim_key_alg(key), alg);
    ck_assert_int_eq(dkim_key_save(key, tmp_path(path, name), why), 0);
    ck_assert_int_eq(stat(dstr_str(path), &st), 0);
    ck_assert_int_eq(st.st_mode & 07777, 0600);
    again = load(dstr_str(path), why, warn);
    ck_assert_msg(again != NULL, "%s", dstr_str(why));
    ck_assert_int_eq(dkim_key_bits(again), dkim_key_bits(key));
    dkim_key_dns_record(key, "example.org", "gen", rec);
    sign_and_check(again, dstr_str(rec));	/* same public key: same record */
    dkim_key_free(key);
    dkim_key_free(again);
    dstr_free(path);
    dstr_free(why);
    dstr_free(warn);
    dstr_free(rec);
}

START_TEST(generate_save_load_round_trip)
{
    round_trip(DKIM_ALG_ED25519_SHA256, 0, "ed.pem");
    round_trip(DKIM_ALG_RSA_SHA256, 1024, "rsa1024.pem");
    round_trip(DKIM_ALG_RSA_SHA256, 3072, "rsa3072.pem");	/* three TXT strings */
}
END_TEST

START_TEST(generate_refuses_bad_sizes)
{
    DSTR   *why = dstr_new(64);

    ck_assert_ptr_null(dkim_key_generate(DKIM_ALG_RSA_SHA256, 512, why));
    ck_assert_str_eq(dstr_str(why), "RSA key size 512 is out of range (1024..8192)");
    ck_assert_ptr_null(dkim_key_generate(DKIM_ALG_RSA_SHA256, 16384, why));
    dstr_free(why);
}
END_TEST

START_TEST(save_never_overwrites)
{
    DSTR   *path = dstr_new(64);
    DSTR   *why = dstr_new(64);
    DSTR   *before = dstr_new(512);
    DSTR   *after = dstr_new(512);
    DSTR   *want = dstr_new(64);
    DKIM_KEY *key = dkim_key_generate(DKIM_ALG_ED25519_SHA256, 0, why);

    ck_assert_ptr_nonnull(key);
    install(path, "ed25519.pem", 0600);
    ck_assert_int_eq(fs_read_file(dstr_str(path), before, 0), 0);
    ck_assert_int_eq(dkim_key_save(key, dstr_str(path), why), -1);
    dstr_sprintf(want, "%s exists already: not overwritten", dstr_str(path));
    ck_assert_str_eq(dstr_str(why), dstr_str(want));
    ck_assert_int_eq(fs_read_file(dstr_str(path), after, 0), 0);
    ck_assert_str_eq(dstr_str(after), dstr_str(before));
    /* Nor through a dangling symbolic link. */
    ck_assert_int_eq(symlink("/nonexistent/dkim.pem", tmp_path(path, "link.pem")), 0);
    ck_assert_int_eq(dkim_key_save(key, dstr_str(path), why), -1);
    /* A directory that does not exist: a reason, no file. */
    ck_assert_int_eq(dkim_key_save(key, tmp_path(path, "no/such.pem"), why), -1);
    ck_assert_ptr_nonnull(strstr(dstr_str(why), "No such file or directory"));
    dkim_key_free(key);
    dstr_free(path);
    dstr_free(why);
    dstr_free(before);
    dstr_free(after);
    dstr_free(want);
}
END_TEST

START_TEST(sha256_known_answer)
{
    static const unsigned char abc[32] = {	/* SHA-256("abc"), FIPS 180-2 */
	0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
	0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
	0xf2, 0x00, 0x15, 0xad,
    };
    unsigned char out[DKIM_HASH_LEN];
    DKIM_HASH *h = dkim_hash_new();

    dkim_hash_update(h, "a", 1);
    dkim_hash_sink(h, "bc", 2);
    dkim_hash_update(h, "", 0);
    dkim_hash_final(h, out);
    ck_assert_mem_eq(out, abc, sizeof(abc));
    dkim_hash_free(h);
}
END_TEST

/* dkim_key_suite - the tests */

static Suite *dkim_key_suite(void)
{
    Suite  *s = suite_create("dkim_key");
    TCase  *tc = tcase_create("keys");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);			/* RSA key generation */
    tcase_add_test(tc, algorithm_names);
    tcase_add_test(tc, rsa_2048_loads_without_warning);
    tcase_add_test(tc, rsa_1024_traditional_pem_loads_with_a_warning);
    tcase_add_test(tc, readable_key_file_is_a_warning);
    tcase_add_test(tc, ed25519_loads);
    tcase_add_test(tc, weak_foreign_and_broken_keys_are_refused);
    tcase_add_test(tc, missing_and_oversize_files_are_refused);
    tcase_add_test(tc, dns_record_of_an_rsa_key);
    tcase_add_test(tc, dns_record_of_an_ed25519_key);
    tcase_add_test(tc, generate_save_load_round_trip);
    tcase_add_test(tc, generate_refuses_bad_sizes);
    tcase_add_test(tc, save_never_overwrites);
    tcase_add_test(tc, sha256_known_answer);
    suite_add_tcase(s, tc);
    return (s);
}

/* main - run the suite; exit status says whether everything passed */

int     main(void)
{
    SRunner *sr = srunner_create(dkim_key_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
