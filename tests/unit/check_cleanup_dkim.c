/*
 * check_cleanup_dkim - unit tests for DKIM signing in cleanup
 * DESCRIPTION
 *	Messages go through the real header pass and signer into a queue
 *	file, with an RSA-2048 and an Ed25519 key made for the run; the
 *	content is then put in the form smtp sends (wire_enc) and checked with
 *	the verifier of src/dkim, keys served by a lookup function. Checked:
 *	both signatures pass for plain mail and for awkward content (CR LF,
 *	lone CR, lines over the fold limit, 8-bit bytes, dot lines, trailing
 *	empty lines, an empty body, no empty line at all), whatever the chunk
 *	size; a changed body byte fails; h= oversigns; the parent-domain
 *	rule; and the cases that must stay unsigned (no key, two From:
 *	fields, two addresses, a header section over the limit).
 *	dkimpy and Mail::DKIM check the same against delivered mail in
 *	tests/integration/t_dkim_sign.sh.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "cfg_params.h"
#include "cleanup/cleanup.h"
#include "dkim_key.h"
#include "dkim_verify.h"
#include "unit_tmpdir.h"
#include "wire_enc.h"

#define QID	"0S44WE80000DKIMX"

static char *topdir;
static DSTR *rsa_txt;				/* the key records */
static DSTR *ed_txt;
static int tmp_fd = -1;
static int inc_fd = -1;
static char outcome[512];		/* the DKIM attribute of the last file, name=value */

/* make_key - a key file in topdir and its DNS record text */

static void make_key(DKIM_ALG alg, const char *file, DSTR *txt)
{
    DSTR   *path = dstr_new(64);
    DSTR   *why = dstr_new(64);
    DKIM_KEY *key;

    dstr_sprintf(path, "%s/%s", topdir, file);
    key = dkim_key_generate(alg, 2048, why);
    ck_assert_msg(key != NULL, "generate: %s", dstr_str(why));
    ck_assert_msg(dkim_key_save(key, dstr_str(path), why) == 0, "save: %s", dstr_str(why));
    dstr_sprintf(txt, "v=DKIM1; k=%s; p=", alg == DKIM_ALG_RSA_SHA256 ? "rsa" : "ed25519");
    dkim_key_public_b64(key, txt);
    dkim_key_free(key);
    dstr_free(path);
    dstr_free(why);
}

/* lookup - DKIM_TXT_LOOKUP with the two records */

static int lookup(void *ctx, const char *name, DSTR *txt, DSTR *why)
{
    (void) ctx;
    if (strcmp(name, "rsa._domainkey.example.org") == 0)
	dstr_strcpy(txt, dstr_str(rsa_txt));
    else if (strcmp(name, "ed._domainkey.example.org") == 0)
	dstr_strcpy(txt, dstr_str(ed_txt));
    else {
	dstr_sprintf(why, "no record %s", name);
	return (DKIM_TXT_PERMFAIL);
    }
    return (DKIM_TXT_FOUND);
}

/* sign_cuts - the content cleanup queues for msg, fed in pieces of chunk bytes (0: whole) */

static DSTR *sign_cuts(const char *msg, size_t len, size_t chunk)
{
    QFILE_OUT *out = qfile_out_new(tmp_fd, "tmpfile", 0);
    CLEANUP_DKIM *dk = cleanup_dkim_new(out, QID);
    CLEANUP_HDR *hdr = cleanup_hdr_new(out, dk, QID, "list@example.org", 50, 102400);
    DSTR   *reason = dstr_new(64);
    DSTR   *content;
    QFILE_INFO info;
    QFILE_IN *in;
    size_t  off;
    int     fd;

    ck_assert_ptr_nonnull(dk);
    for (off = 0; off < len; off += chunk ? chunk : len)
	cleanup_hdr_feed(hdr, msg + off, chunk && len - off > chunk ? chunk : len - off);
    cleanup_hdr_finish(hdr);
    ck_assert_msg(cleanup_dkim_finish(dk, reason) == 0, "%s", dstr_str(reason));
    cleanup_hdr_free(hdr);
    qfile_out_sender(out, "list@example.org");
    cleanup_dkim_record(dk, out);
    cleanup_dkim_free(dk);
    qfile_out_rcpt(out, "bob@example.net");
    ck_assert_int_eq(qfile_out_commit(out, inc_fd, "F"), QFILE_OK);
    ck_assert_int_ge(fd = openat(inc_fd, "F", O_RDONLY), 0);
    in = qfile_in_open(fd);
    qfile_info_init(&info);
    ck_assert_int_eq(qfile_in_info(in, &info, reason), 0);
    ck_assert_int_eq(info.attrs->count, 1);
    snprintf(outcome, sizeof(outcome), "%s=%s", info.attrs->attrs[0].name,
	     info.attrs->attrs[0].value);
    content = dstr_new((size_t) info.content_size + 1);
    ck_assert_int_eq(pread(fd, dstr_space(content, (size_t) info.content_size),
			   (size_t) info.content_size, info.content_offset), info.content_size);
    dstr_addlen(content, (size_t) info.content_size);
    qfile_info_free(&info);
    qfile_in_free(in);
    close(fd);
    (void) unlinkat(inc_fd, "F", 0);
    dstr_free(reason);
    return (content);
}

/* sign - the whole message at once */

static DSTR *sign(const char *msg)
{
    return (sign_cuts(msg, strlen(msg), 0));
}

/* verify - results of the verifier over what smtp would send; returns passes */

static size_t verify(const DSTR *content, size_t want_sigs)
{
    DSTR   *wire = dstr_new(dstr_len(content) + 64);
    DSTR   *line = dstr_new(128);
    DKIM_RESULTS res;
    WIRE_ENC enc;
    size_t  n;
    size_t  i;
    size_t  pass = 0;

    wire_enc_init(&enc, 998, 0);
    wire_enc_feed(&enc, dstr_str(content), dstr_len(content), wire);
    wire_enc_end(&enc, wire);
    n = dkim_verify(dstr_str(wire), dstr_len(wire), time((time_t *) 0), lookup, NULL, &res);
    ck_assert_msg(n == want_sigs, "%zu signatures, want %zu:\n%s", n, want_sigs,
		  dstr_str(content));
    for (i = 0; i < n; i++) {
	DSTR_RESET(line);
	dkim_result_format(res.res + i, line);
	if (res.res[i].status == DKIM_STATUS_PASS)
	    pass++;
	else if (want_sigs > 0)
	    fprintf(stderr, "check_cleanup_dkim: %s\n", dstr_str(line));
    }
    dkim_results_free(&res);
    dstr_free(wire);
    dstr_free(line);
    return (pass);
}

/* expect_signed - both signatures, both pass, both recorded for qmgr's count */

static void expect_signed(const char *msg)
{
    DSTR   *content = sign(msg);

    ck_assert_msg(verify(content, 2) == 2, "not both passed:\n%s", dstr_str(content));
    ck_assert_str_eq(outcome, "dkim_signed=example.org/rsa-sha256 example.org/ed25519-sha256");
    dstr_free(content);
}

/* expect_unsigned - no DKIM-Signature in the queued content; why recorded */

static void expect_unsigned(const char *msg, const char *why)
{
    DSTR   *content = sign(msg);

    ck_assert_msg(strstr(dstr_str(content), "DKIM-Signature") == NULL, "%s", dstr_str(content));
    ck_assert_str_eq(outcome + strlen("dkim_unsigned="), why);
    ck_assert_int_eq(strncmp(outcome, "dkim_unsigned=", strlen("dkim_unsigned=")), 0);
    dstr_free(content);
}

START_TEST(plain_mail_gets_two_passing_signatures_on_top)
{
    DSTR   *content = sign("From: The List <list@example.org>\nTo: a@example.net\n"
			   "Subject: hello\nList-Unsubscribe: <mailto:u@example.org>\n"
			   "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n\nbody\n");

    ck_assert_uint_eq(verify(content, 2), 2);
    ck_assert(strncmp(dstr_str(content), "DKIM-Signature: v=1; a=rsa-sha256;", 34) == 0);
    ck_assert_ptr_nonnull(strstr(dstr_str(content), "\nDKIM-Signature: v=1; a=ed25519-sha256;"));
    dstr_free(content);
}
END_TEST

START_TEST(oversigned_fields_are_named_once_more)
{
    DSTR   *content = sign("From: list@example.org\nSubject: s\nCc: c@example.net\n"
			   "List-Unsubscribe: <mailto:u@example.org>\n\nbody\n");
    char   *h = strstr(dstr_str(content), "h=");
    DSTR   *flat = dstr_new(256);
    const char *cp;

    ck_assert_ptr_nonnull(h);
    for (cp = h; *cp && *cp != ';'; cp++)
	if (*cp != '\n' && *cp != '\t' && *cp != ' ')
	    dstr_catc(flat, *cp);
    /* Cc once (present, not oversigned); Date and Message-Id were added by cleanup. */
    ck_assert_str_eq(dstr_str(flat), "h=From:From:Subject:Subject:Date:Date:To:Cc:Message-ID:"
		     "List-Unsubscribe:List-Unsubscribe:List-Unsubscribe-Post");
    dstr_free(flat);
    dstr_free(content);
}
END_TEST

START_TEST(awkward_content_still_verifies)
{
    DSTR   *msg = dstr_new(8192);

    dstr_cats(msg, "From: list@example.org\r\nSubject: crlf\r\nX-Long: ");
    for (int i = 0; i < 1500; i++)
	dstr_catc(msg, 'h');
    dstr_cats(msg, "\r\n\r\n.dot line\r\nlone\rcr\n8bit caf\xc3\xa9 \t \n");
    for (int i = 0; i < 2500; i++)
	dstr_catc(msg, 'b');
    dstr_cats(msg, "\n  trailing space   \n\n\n\n");
    expect_signed(dstr_str(msg));
    dstr_free(msg);
}
END_TEST

START_TEST(empty_body_and_no_empty_line)
{
    expect_signed("From: list@example.org\nSubject: empty\n\n");
    expect_signed("From: list@example.org\nSubject: no separator");
    expect_signed("Subject: From: added by cleanup from the sender\n\nbody\n");
}
END_TEST

START_TEST(any_chunk_size_gives_the_same_signed_message)
{
    static const char msg[] = "From: list@example.org\nSubject: chunks\nX-A: 1\n\tfolded\n\n"
	"line one\r\n\r\nline three\rfour\n\n\n";
    DSTR   *whole;
    DSTR   *bits;
    size_t  chunk;

    for (chunk = 1; chunk <= 7; chunk++) {
	whole = sign(msg);
	bits = sign_cuts(msg, sizeof(msg) - 1, chunk);
	ck_assert_uint_eq(verify(bits, 2), 2);
	/* Both algorithms are deterministic: in the same second (t=) the
	 * signed messages are the same bytes. */
	if (memcmp(strstr(dstr_str(whole), "t="), strstr(dstr_str(bits), "t="), 12) == 0)
	    ck_assert_str_eq(dstr_str(whole), dstr_str(bits));
	dstr_free(whole);
	dstr_free(bits);
    }
}
END_TEST

START_TEST(a_changed_body_byte_fails)
{
    DSTR   *content = sign("From: list@example.org\nSubject: tamper\n\nthe body\n");
    char   *body = strstr(dstr_str(content), "the body");

    body[4] = 'B';
    ck_assert_uint_eq(verify(content, 2), 0);
    dstr_free(content);
}
END_TEST

START_TEST(parent_domain_entry_signs_subdomains)
{
    DSTR   *content = sign("From: x@lists.sub.example.org\nSubject: parent\n\nbody\n");

    /* ".example.org = ed" in the signing table: one signature. */
    ck_assert_uint_eq(verify(content, 1), 1);
    ck_assert_ptr_nonnull(strstr(dstr_str(content), "a=ed25519-sha256"));
    dstr_free(content);
}
END_TEST

START_TEST(unsigned_cases)
{
    DSTR   *big = dstr_new(300 * 1024);

    expect_unsigned("From: someone@other.net\nSubject: no key\n\nbody\n", "no_signing_entry");
    expect_unsigned("From: list@example.org\nFrom: list@example.org\nSubject: two\n\nbody\n",
		    "no_from");
    expect_unsigned("From: list@example.org, other@example.org\nSubject: two\n\nbody\n",
		    "no_from");
    expect_unsigned("From: <list@example.org\nSubject: broken\n\nbody\n", "no_from");
    dstr_cats(big, "From: list@example.org\n");
    while (dstr_len(big) < CLEANUP_DKIM_HEAD_LIMIT + 1000)
	dstr_cats(big, "X-Filler: 0123456789012345678901234567890123456789012345678901234567\n");
    dstr_cats(big, "\nbody\n");
    expect_unsigned(dstr_str(big), "header_too_large");
    dstr_free(big);
}
END_TEST

/* open_dir - make and open a spool directory */

static int open_dir(const char *name)
{
    DSTR   *path = dstr_new(64);
    int     fd;

    dstr_sprintf(path, "%s/%s", topdir, name);
    ck_assert_msg(mkdir(dstr_str(path), 0700) == 0, "mkdir %s: %s", dstr_str(path),
		  strerror(errno));
    ck_assert_msg((fd = open(dstr_str(path), O_RDONLY | O_DIRECTORY)) >= 0, "open %s: %s",
		  dstr_str(path), strerror(errno));
    dstr_free(path);
    return (fd);
}

/* configure - keys, tables, cleanup's signer state */

static void configure(void)
{
    DSTR   *cf = dstr_new(256);
    DSTR   *err = dstr_new(64);

    topdir = unit_tmpdir_make("check_cleanup_dkim");
    rsa_txt = dstr_new(512);
    ed_txt = dstr_new(128);
    make_key(DKIM_ALG_RSA_SHA256, "rsa.pem", rsa_txt);
    make_key(DKIM_ALG_ED25519_SHA256, "ed.pem", ed_txt);
    dstr_sprintf(cf, "myhostname = mx.example.org\n"
		 "dkim_key_table = inline:{ r = example.org:rsa:%s/rsa.pem,"
		 " e = example.org:ed:%s/ed.pem }\n"
		 "dkim_signing_table = inline:{ example.org = r e, .example.org = e }\n",
		 topdir, topdir);
    ck_assert_msg(cfg_load_text(dstr_str(cf), dstr_len(cf), "main.cf", err) == 0,
		"%s", dstr_str(err));
    cleanup_dkim_pre_jail();
    tmp_fd = open_dir("tmp");
    inc_fd = open_dir("incoming");
    dstr_free(cf);
    dstr_free(err);
}

/* unconfigure - the keys and spool go */

static void unconfigure(void)
{
    close(tmp_fd);
    close(inc_fd);
    topdir = unit_tmpdir_remove(topdir);
}

static Suite *cleanup_dkim_suite(void)
{
    Suite  *s = suite_create("cleanup_dkim");
    TCase  *tc = tcase_create("sign");

    /* Once for all tests: the signer's keys are process state, as in cleanup. */
    tcase_add_unchecked_fixture(tc, configure, unconfigure);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, plain_mail_gets_two_passing_signatures_on_top);
    tcase_add_test(tc, oversigned_fields_are_named_once_more);
    tcase_add_test(tc, awkward_content_still_verifies);
    tcase_add_test(tc, empty_body_and_no_empty_line);
    tcase_add_test(tc, any_chunk_size_gives_the_same_signed_message);
    tcase_add_test(tc, a_changed_body_byte_fails);
    tcase_add_test(tc, parent_domain_entry_signs_subdomains);
    tcase_add_test(tc, unsigned_cases);
    suite_add_tcase(s, tc);
    return (s);
}

int     main(void)
{
    SRunner *sr = srunner_create(cleanup_dkim_suite());
    int     failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return (failed ? 1 : 0);
}
