/*
 * tls_client_info - what a finished handshake tells: trust, names, cipher
 * DESCRIPTION
 *	After the handshake: is there a server certificate, does its chain
 *	lead to a CA we trust (for a resumed session OpenSSL keeps both the
 *	certificate and the verification result with the session), which
 *	DNS names does it carry (subjectAltName dNSName entries; the Common
 *	Name only when there are none at all, as RFC 6125 says: dNSName
 *	entries we refuse to look at still rule the Common Name out, as in
 *	Postfix), and the pieces of
 *	Postfix's summary line: protocol, cipher and its bits, key exchange,
 *	server (and client) signature and digest.
 *
 *	Certificate names are untrusted bytes: a name is kept only when it
 *	is at most TLS_NAME_MAX bytes of printable ASCII without NUL, and at
 *	most TLS_PEER_NAMES_MAX names are kept.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls_client_int.h"
#include "tls_policy.h"

/* tls_client_name_ok - a certificate name we are willing to look at */

static int tls_client_name_ok(const unsigned char *data, int len)
{
    int     i;

    if (data == 0 || len <= 0 || len > TLS_NAME_MAX)
	return (0);
    for (i = 0; i < len; i++)
	if (data[i] <= 0x20 || data[i] >= 0x7f)
	    return (0);
    return (1);
}

/* tls_client_cert_names - DNS names of the certificate, or its Common Name */

void    tls_client_cert_names(X509 *cert, ARGV *names, DSTR *cn)
{
    GENERAL_NAMES *gens;
    GENERAL_NAME *gen;
    X509_NAME *subject;
    X509_NAME_ENTRY *entry;
    unsigned char *utf8;
    int     len;
    int     i;
    int     idx;
    int     has_dns = 0;

    if ((gens = X509_get_ext_d2i(cert, NID_subject_alt_name, 0, 0)) != 0) {
	for (i = 0; i < sk_GENERAL_NAME_num(gens) && names->argc < TLS_PEER_NAMES_MAX; i++) {
	    gen = sk_GENERAL_NAME_value(gens, i);
	    if (gen->type != GEN_DNS)
		continue;
	    has_dns = 1;
	    len = ASN1_STRING_length(gen->d.dNSName);
	    if (tls_client_name_ok(ASN1_STRING_get0_data(gen->d.dNSName), len))
		argv_addn(names, (const char *) ASN1_STRING_get0_data(gen->d.dNSName),
			  (size_t) len);
	}
	GENERAL_NAMES_free(gens);
    }
    if ((subject = X509_get_subject_name(cert)) != 0
	&& (idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1)) >= 0
	&& (entry = X509_NAME_get_entry(subject, idx)) != 0
	&& (len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry))) >= 0) {
	if (tls_client_name_ok(utf8, len)) {
	    dstr_memcpy(cn, utf8, (size_t) len);
	    if (!has_dns)
		argv_add(names, dstr_str(cn));
	}
	OPENSSL_free(utf8);
    }
    ERR_clear_error();
}

/* tls_client_key_desc - " (2048 bits)" or " (prime256v1)" for a key */

static void tls_client_key_desc(DSTR *out, EVP_PKEY *key)
{
    char    group[80];			/* an OpenSSL curve name */
    size_t  glen;

    if (key == 0)
	return;
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC
	&& EVP_PKEY_get_group_name(key, group, sizeof(group), &glen) == 1)
	dstr_printf(out, " (%s)", group);
    else if (EVP_PKEY_get_bits(key) > 0)
	dstr_printf(out, " (%d bits)", EVP_PKEY_get_bits(key));
}

/* tls_client_kex - " key-exchange X25519" and the like */

static void tls_client_kex(SSL *ssl, DSTR *out)
{
    EVP_PKEY *tmp = 0;

    if (!SSL_get_peer_tmp_key(ssl, &tmp) || tmp == 0) {
	ERR_clear_error();
	return;
    }
    switch (EVP_PKEY_get_base_id(tmp)) {
    case EVP_PKEY_X25519:
	dstr_cats(out, " key-exchange X25519");
	break;
    case EVP_PKEY_X448:
	dstr_cats(out, " key-exchange X448");
	break;
    case EVP_PKEY_EC:
	dstr_cats(out, " key-exchange ECDHE");
	tls_client_key_desc(out, tmp);
	break;
    case EVP_PKEY_DH:
	dstr_cats(out, " key-exchange DHE");
	tls_client_key_desc(out, tmp);
	break;
    default:
	dstr_printf(out, " key-exchange %s", OBJ_nid2sn(EVP_PKEY_get_base_id(tmp)));
	break;
    }
    EVP_PKEY_free(tmp);
}

/* tls_client_sig_name - signature algorithm by key type */

static const char *tls_client_sig_name(int nid)
{
    switch (nid) {
    case EVP_PKEY_RSA:
	return ("RSA");
    case EVP_PKEY_RSA_PSS:
	return ("RSA-PSS");
    case EVP_PKEY_EC:
	return ("ECDSA");
    case EVP_PKEY_ED25519:
	return ("ED25519");
    case EVP_PKEY_ED448:
	return ("ED448");
    default:
	return (OBJ_nid2sn(nid));
    }
}

/* tls_client_sig - " server-signature RSA-PSS (2048 bits) server-digest SHA256" */

static void tls_client_sig(SSL *ssl, int peer, DSTR *out)
{
    X509   *cert = peer ? SSL_get0_peer_certificate(ssl) : SSL_get_certificate(ssl);
    const char *who = peer ? "server" : "client";
    int     nid;
    int     dgst;

    /* Nothing to say for a resumed session or a certificate we did not send. */
    if (cert == 0
	|| !(peer ? SSL_get_peer_signature_type_nid(ssl, &nid) : SSL_get_signature_type_nid(ssl, &nid))) {
	ERR_clear_error();
	return;
    }
    dstr_printf(out, " %s-signature %s", who, tls_client_sig_name(nid));
    tls_client_key_desc(out, X509_get0_pubkey(cert));
    if ((peer ? SSL_get_peer_signature_nid(ssl, &dgst) : SSL_get_signature_nid(ssl, &dgst))
	&& dgst != NID_undef)
	dstr_printf(out, " %s-digest %s", who, OBJ_nid2sn(dgst));
    ERR_clear_error();
}

/* tls_client_collect - everything the caller and the log want to know */

void    tls_client_collect(TLS_SESS *sess)
{
    SSL    *ssl = sess->ssl;
    X509   *peer = SSL_get0_peer_certificate(ssl);
    const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
    long    result;

    sess->reused = SSL_session_reused(ssl);
    sess->cert_present = peer != 0;
    if (peer) {
	result = SSL_get_verify_result(ssl);
	sess->trusted = result == X509_V_OK;
	/* A resumed session brings its result, not the callback's notes. */
	if (!sess->trusted && sess->verify_error == 0)
	    sess->verify_error = result;
	tls_client_cert_names(peer, sess->peer_names, sess->peer_cn);
    }
    dstr_strcpy(sess->protocol, SSL_get_version(ssl));
    if (cipher) {
	dstr_strcpy(sess->cipher, SSL_CIPHER_get_name(cipher));
	sess->cipher_bits = SSL_CIPHER_get_bits(cipher, &sess->cipher_alg_bits);
    }
    tls_client_kex(ssl, sess->details);
    tls_client_sig(ssl, 1, sess->details);
    tls_client_sig(ssl, 0, sess->details);
    ERR_clear_error();
}

/* tls_client_summary - Postfix's "... TLS connection established to ..." line */

void    tls_client_summary(const TLS_SESS *sess, const char *trust, DSTR *out)
{
    dstr_sprintf(out, "%s TLS connection established to %s: %s with cipher %s (%d/%d bits)%s",
		 trust, sess->namaddr, dstr_str(sess->protocol), dstr_str(sess->cipher),
		 sess->cipher_bits, sess->cipher_alg_bits, dstr_str(sess->details));
}

/* tls_client_verify_reason - the first chain error in words */

void    tls_client_verify_reason(const TLS_SESS *sess, DSTR *out)
{
    if (!sess->cert_present) {
	dstr_strcpy(out, "the server sent no certificate");
	return;
    }
    dstr_sprintf(out, "num=%ld:%s", sess->verify_error,
		 X509_verify_cert_error_string(sess->verify_error));
    if (dstr_len(sess->verify_subject) > 0)
	dstr_printf(out, " (depth %d, subject %s)", sess->verify_depth,
		    dstr_str(sess->verify_subject));
}
