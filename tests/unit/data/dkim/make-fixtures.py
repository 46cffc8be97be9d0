#!/usr/bin/python3
# make-fixtures.py - regenerate the DKIM test data of check_dkim_key.c and
# check_dkim_verify.c: keys made with openssl(1), messages signed by dkimpy
# (Debian's python3-dkim, an independent implementation), their key records.
#
# Usage: /usr/bin/python3 tests/unit/data/dkim/make-fixtures.py
# (run from anywhere; writes next to itself). The output is committed so
# the unit tests need neither python nor openssl(1); rerunning makes new
# keys and signatures, which the tests accept just the same.
import base64
import os
import subprocess
import sys

import dkim

HERE = os.path.dirname(os.path.abspath(__file__))
DOMAIN = b"example.org"


def path(name):
    return os.path.join(HERE, name)


def openssl(*args, stdin=None):
    return subprocess.run(("openssl",) + args, input=stdin, check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


def keys():
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
            "-out", path("rsa2048.pem"))
    # The traditional "BEGIN RSA PRIVATE KEY" form, which we load too.
    openssl("genrsa", "-traditional", "-out", path("rsa1024.pem"), "1024")
    openssl("genrsa", "-traditional", "-out", path("rsa512.pem"), "512")
    openssl("genpkey", "-algorithm", "ED25519", "-out", path("ed25519.pem"))
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", path("ec256.pem"))
    write("garbage.pem", b"-----BEGIN PRIVATE KEY-----\nthis is not base64 !\n"
          b"-----END PRIVATE KEY-----\n")
    # RFC 8463 A.2's Ed25519 key: its seed behind the fixed PKCS#8 prefix.
    seed = base64.b64decode("nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=")
    der = bytes.fromhex("302e020100300506032b657004220420") + seed
    write("rfc8463-ed25519.pem", b"-----BEGIN PRIVATE KEY-----\n"
          + base64.b64encode(der) + b"\n-----END PRIVATE KEY-----\n")


def record(pem_name, kind):
    pem = open(path(pem_name), "rb").read()
    der = openssl("pkey", "-pubout", "-outform", "DER", stdin=pem)
    if kind == b"ed25519":
        der = der[-32:]                 # the raw key ends the SPKI
    return b"v=DKIM1; k=" + kind + b"; p=" + base64.b64encode(der)


MESSAGE = (
    b"Received: from a.example.net by b.example.org; Mon, 1 Jan 2024 00:00:01 +0000\r\n"
    b"Received: from c.example.net by a.example.net; Mon, 1 Jan 2024 00:00:00 +0000\r\n"
    b"From: Alice Example <alice@example.org>\r\n"
    b"To: bob@example.com,\r\n"
    b"\tcarol@example.com\r\n"
    b"Subject:   Testing   DKIM \t with folded\r\n"
    b" and spaced header fields  \r\n"
    b"Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
    b"Message-ID: <fixture-1@example.org>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Hello Bob,   \r\n"
    b"\tan indented line with a trailing tab\t\r\n"
    b"  \r\n"
    b"Gr\xc3\xbc\xc3\x9fe, 8-bit text\r\n"
    b"\r\n"
    b"-- \r\n"
    b"Alice\r\n"
    b"\r\n"
    b"\r\n"
)

SIGNED_HEADERS = [b"from", b"to", b"subject", b"date", b"message-id",
                  b"mime-version", b"content-type", b"reply-to", b"from"]


def sign(name, pem_name, selector, alg, canon, length=False):
    key = open(path(pem_name), "rb").read()
    if alg == b"ed25519-sha256":
        # dkimpy takes an Ed25519 key as the base64 of its 32-byte seed,
        # which ends the PKCS#8 DER.
        der = openssl("pkey", "-outform", "DER", stdin=key)
        key = base64.b64encode(der[-32:])
    sig = dkim.sign(MESSAGE, selector, DOMAIN, key, canonicalize=canon,
                    signature_algorithm=alg, include_headers=SIGNED_HEADERS,
                    length=length)
    signed = sig + MESSAGE
    records = {selector + b"._domainkey." + DOMAIN + b".": RECORDS[selector]}
    ok = dkim.verify(signed, dnsfunc=lambda n, timeout=5: records.get(n))
    if not ok:
        sys.exit("dkimpy does not verify its own " + name)
    write(name, signed)


keys()
RECORDS = {b"rsa": record("rsa2048.pem", b"rsa"), b"ed": record("ed25519.pem", b"ed25519")}
write("rsa2048.txt", RECORDS[b"rsa"] + b"\n")
write("ed25519.txt", RECORDS[b"ed"] + b"\n")
write("rsa1024.txt", record("rsa1024.pem", b"rsa") + b"\n")
write("rsa512.txt", record("rsa512.pem", b"rsa") + b"\n")
write("message.eml", MESSAGE)
sign("rsa-relaxed.eml", "rsa2048.pem", b"rsa", b"rsa-sha256", (b"relaxed", b"relaxed"))
sign("rsa-simple.eml", "rsa2048.pem", b"rsa", b"rsa-sha256", (b"simple", b"simple"))
sign("ed25519-relaxed.eml", "ed25519.pem", b"ed", b"ed25519-sha256", (b"relaxed", b"relaxed"))
sign("ed25519-simple.eml", "ed25519.pem", b"ed", b"ed25519-sha256", (b"simple", b"simple"))
sign("rsa-relaxed-simple-l.eml", "rsa2048.pem", b"rsa", b"rsa-sha256",
     (b"relaxed", b"simple"), length=True)
print("fixtures written to", HERE)
