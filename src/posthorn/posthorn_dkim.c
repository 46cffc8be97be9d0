/*
 * posthorn_dkim - DKIM keys and signature checks for the administrator
 * DESCRIPTION
 *	posthorn dkim keygen [-t rsa|ed25519] [-b BITS] DOMAIN SELECTOR KEYFILE
 *	makes a new private key (RSA 2048 by default), writes it to KEYFILE
 *	(a new file, mode 0600: an existing one is never overwritten) and
 *	prints the TXT record to publish, in zone-file syntax, on standard
 *	output, so it can be appended to a zone file as it is.
 *
 *	posthorn [-c DIR] dkim verify [FILE] checks every DKIM-Signature of
 *	the message in FILE (standard input without one), looking the keys
 *	up through the resolver the instance's main.cf names
 *	(dns_resolv_conf), and prints one line per signature:
 *	"d=example.org s=sel a=rsa-sha256 pass", or "... fail (reason)", or
 *	"... temperror (reason)" when a key could not be fetched now. Exit
 *	status 0 when at least one signature passed, 1 otherwise (also for
 *	a message with no signature, which says "no DKIM-Signature").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "posthorn.h"
#include "dkim_sig.h"
#include "cfg.h"
#include "cfg_params.h"
#include "dkim_key.h"
#include "dkim_verify.h"
#include "dns.h"
#include "msg.h"
#include "strutil.h"

#define POSTHORN_DKIM_MSG_MAX	(64 * 1024 * 1024)	/* bytes of a message we check */
#define POSTHORN_DKIM_DNS_MS	10000	/* per key lookup */
#define POSTHORN_DKIM_RSA_BITS	2048

#define POSTHORN_DKIM_USAGE \
    "usage: posthorn dkim keygen [-t rsa|ed25519] [-b BITS] DOMAIN SELECTOR KEYFILE" \
    " | posthorn dkim verify [FILE]"

/* posthorn_dkim_keygen - make a key, print its record */

static int posthorn_dkim_keygen(int argc, char **argv)
{
    DKIM_ALG alg = DKIM_ALG_RSA_SHA256;
    int     bits = POSTHORN_DKIM_RSA_BITS;
    DSTR   *why = dstr_new(128);
    DSTR   *rec = dstr_new(1024);
    DSTR   *domain = dstr_new(64);
    DKIM_KEY *key;
    char   *end;
    int     ch;

    while ((ch = getopt(argc, argv, "b:t:")) != -1) {
	switch (ch) {
	case 'b':
	    errno = 0;
	    bits = (int) strtol(optarg, &end, 10);
	    if (errno || *end || end == optarg)
		msg_fatal("bad key size: %s", optarg);
	    break;
	case 't':
	    if (strcmp(optarg, "rsa") == 0)
		alg = DKIM_ALG_RSA_SHA256;
	    else if (strcmp(optarg, "ed25519") == 0)
		alg = DKIM_ALG_ED25519_SHA256;
	    else
		msg_fatal("bad key type: %s (rsa or ed25519)", optarg);
	    break;
	default:
	    msg_fatal("%s", POSTHORN_DKIM_USAGE);
	}
    }
    if (argc - optind != 3)
	msg_fatal("%s", POSTHORN_DKIM_USAGE);
    dstr_strcpy(domain, argv[optind]);
    if (dstr_len(domain) > 1 && dstr_str(domain)[dstr_len(domain) - 1] == '.')
	dstr_truncate(domain, dstr_len(domain) - 1);
    if (!str_dns_name_ok(dstr_str(domain)))
	msg_fatal("bad domain name: %s", argv[optind]);
    if (!dkim_sig_names_ok(dstr_str(domain), argv[optind + 1]))
	msg_fatal("bad selector: %s", argv[optind + 1]);
    if ((key = dkim_key_generate(alg, bits, why)) == NULL)
	msg_fatal("%s", dstr_str(why));
    if (alg == DKIM_ALG_RSA_SHA256 && bits < DKIM_RSA_GOOD_BITS)
	msg_warn("an RSA key of %d bits: RFC 8301 asks for at least %d", bits, DKIM_RSA_GOOD_BITS);
    if (dkim_key_save(key, argv[optind + 2], why) < 0) {
	dkim_key_free(key);			/* OpenSSL wipes the key material */
	msg_fatal("%s", dstr_str(why));
    }
    dkim_key_dns_record(key, dstr_str(domain), argv[optind + 1], rec);
    printf("%s\n", dstr_str(rec));
    dkim_key_free(key);
    dstr_free(why);
    dstr_free(rec);
    dstr_free(domain);
    return (0);
}

/* posthorn_dkim_read - the message from path (NULL: standard input), bounded */

static void posthorn_dkim_read(const char *path, DSTR *msg)
{
    const char *what = path ? path : "standard input";
    int     fd = path ? open(path, O_RDONLY | O_CLOEXEC) : 0;
    ssize_t n;

    if (fd < 0)
	msg_fatal("open %s: %m", path);
    for (;;) {
	n = read(fd, dstr_space(msg, 65536), 65536);
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0)
	    msg_fatal("read %s: %m", what);
	if (n == 0)
	    break;
	dstr_addlen(msg, (size_t) n);
	if (dstr_len(msg) > POSTHORN_DKIM_MSG_MAX)
	    msg_fatal("%s: larger than %d bytes", what, POSTHORN_DKIM_MSG_MAX);
    }
    if (path)
	close(fd);
}

/* posthorn_dkim_lookup - DKIM_TXT_LOOKUP through the resolver */

static int posthorn_dkim_lookup(void *ctx, const char *name, DSTR *txt, DSTR *why)
{
    switch (dns_lookup_txt((DNS *) ctx, name, POSTHORN_DKIM_DNS_MS, txt, why)) {
    case DNS_OK:
	return (DKIM_TXT_FOUND);
    case DNS_RETRY:
	return (DKIM_TXT_TEMPFAIL);
    default:
	return (DKIM_TXT_PERMFAIL);
    }
}

/* posthorn_dkim_resolver - the instance's resolver, or the system's */

static DNS *posthorn_dkim_resolver(void)
{
    DSTR   *err = dstr_new(128);
    const char *resolv_conf = NULL;
    DNS    *dns;

    /* Checking a message needs no instance: without one, use the system's. */
    if (cfg_load(cfg_default_dir(), err) == 0)
	resolv_conf = var_dns_resolv_conf;
    else
	msg_warn("%s; using the system resolver configuration", dstr_str(err));
    if ((dns = dns_open(resolv_conf, err)) == NULL)
	msg_fatal("%s", dstr_str(err));
    dstr_free(err);
    return (dns);
}

/* posthorn_dkim_verify - check a message's signatures */

static int posthorn_dkim_verify(int argc, char **argv)
{
    DSTR   *msg = dstr_new(65536);
    DSTR   *line = dstr_new(256);
    DKIM_RESULTS res;
    DNS    *dns;
    size_t  i;
    int     passed = 0;

    if (argc > 2)
	msg_fatal("%s", POSTHORN_DKIM_USAGE);
    posthorn_dkim_read(argc == 2 ? argv[1] : NULL, msg);
    dns = posthorn_dkim_resolver();
    if (dkim_verify(dstr_str(msg), dstr_len(msg), time(NULL), posthorn_dkim_lookup,
		    dns, &res) == 0)
	printf("no DKIM-Signature\n");
    for (i = 0; i < res.count; i++) {
	DSTR_RESET(line);
	dkim_result_format(res.res + i, line);
	printf("%s\n", dstr_str(line));
	passed |= res.res[i].status == DKIM_STATUS_PASS;
    }
    dkim_results_free(&res);
    dns_close(dns);
    dstr_free(msg);
    dstr_free(line);
    return (passed ? 0 : 1);
}

/* posthorn_dkim - dispatch keygen and verify */

int     posthorn_dkim(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
	return (posthorn_dkim_keygen(argc - 1, argv + 1));
    if (argc >= 2 && strcmp(argv[1], "verify") == 0)
	return (posthorn_dkim_verify(argc - 1, argv + 1));
    msg_warn("%s", POSTHORN_DKIM_USAGE);
    return (2);
}
