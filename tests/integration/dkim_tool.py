#!/usr/bin/python3
"""dkim_tool - the DKIM tests' helpers that are not verification: sign with
dkimpy, read a signature's tags, spoil a message on purpose, and turn
smtp-sink dump files back into messages.

usage:
  dkim_tool.py sign FILE KEYFILE DOMAIN SELECTOR [ALG [CANON [HEADERS]]]
      Print FILE with a DKIM-Signature from dkimpy on top. KEYFILE is a PEM
      private key (PKCS#8 or PKCS#1 RSA, PKCS#8 Ed25519); ALG rsa-sha256
      (default) or ed25519-sha256; CANON header/body (default
      relaxed/relaxed); HEADERS the h= list, colon separated (default:
      dkimpy's, From signed twice). The output keeps FILE's line ends: LF
      if FILE has no CR, else CR LF (a bare LF then becomes CR LF first).
  dkim_tool.py tag FILE N TAG
      Print the value of tag TAG of the N-th DKIM-Signature (1 = top), all
      white space removed; exit 1 if there is no such signature or tag.
  dkim_tool.py tamper-body IN OUT
      Copy IN to OUT with the case of the body's first letter flipped.
  dkim_tool.py tamper-header IN OUT NAME
      Copy IN to OUT with the case of the first letter in the value of the
      first NAME: field flipped.
  dkim_tool.py sink DUMPDIR OUTDIR
      For each smtp-sink -d dump file in DUMPDIR (oldest first), write the
      message as the client sent it to OUTDIR/NAME.eml and smtp-sink's
      envelope lines (X-Client-Addr, X-Mail-Args, X-Rcpt-Args ...) to
      OUTDIR/NAME.env; print the .eml paths, one a line. See sink_extract.
"""
import base64
import os
import re
import sys

ED25519_PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")


def crlf(data):
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def pem_der(pem):
    m = re.search(rb"-----BEGIN [A-Z ]+-----(.*?)-----END", pem, re.DOTALL)
    if m is None:
        sys.exit("dkim_tool.py: no PEM block in key file")
    return base64.b64decode(b"".join(m.group(1).split()))


def sign(path, keyfile, domain, selector, alg="rsa-sha256", canon="relaxed/relaxed",
         headers=None):
    import dkim
    raw = open(path, "rb").read()
    lf_only = b"\r" not in raw
    data = crlf(raw)
    pem = open(keyfile, "rb").read()
    if alg == "ed25519-sha256":
        der = pem_der(pem)
        if len(der) != 48 or not der.startswith(ED25519_PKCS8_PREFIX):
            sys.exit("dkim_tool.py: %s is not a PKCS#8 Ed25519 private key" % keyfile)
        key = base64.b64encode(der[16:])               # dkimpy wants the seed
    elif alg in ("rsa-sha256", "rsa-sha1"):
        key = pem
    else:
        sys.exit("dkim_tool.py: unknown algorithm " + alg)
    hc, bc = canon.split("/") if "/" in canon else (canon, "simple")
    d = dkim.DKIM(data, signature_algorithm=alg.encode(), linesep=b"\r\n")
    hdrs = [h.encode() for h in headers.split(":")] if headers else None
    sig = d.sign(selector.encode(), domain.encode(), key,
                 canonicalize=(hc.encode(), bc.encode()), include_headers=hdrs)
    out = sig + data
    if lf_only:
        out = out.replace(b"\r\n", b"\n")
    sys.stdout.buffer.write(out)


def header_end(data):
    """Offset of the empty line that ends the header (or len(data))."""
    m = re.search(rb"\r?\n\r?\n", data)
    return m.start() + 1 if m else len(data)


def flip(data, start, end, what):
    m = re.compile(rb"[A-Za-z]").search(data, start, end)
    if m is None:
        sys.exit("dkim_tool.py: no letter to change in the %s" % what)
    i = m.start()
    return data[:i] + data[i:i + 1].swapcase() + data[i + 1:]


def tamper_body(src, dst):
    data = open(src, "rb").read()
    open(dst, "wb").write(flip(data, header_end(data), len(data), "body"))


def tamper_header(src, dst, name):
    data = open(src, "rb").read()
    m = re.compile(rb"(?im)^" + re.escape(name.encode()) + rb"[ \t]*:").search(data, 0, header_end(data))
    if m is None:
        sys.exit("dkim_tool.py: no %s: field" % name)
    end = re.compile(rb"\r?\n(?![ \t])").search(data, m.end())
    open(dst, "wb").write(flip(data, m.end(), end.start() if end else len(data), name + ": field"))


def sig_tag(path, n, tag):
    import dkim
    d = dkim.DKIM(crlf(open(path, "rb").read()))
    sigs = [v for k, v in d.headers if k.lower() == b"dkim-signature"]
    if n < 1 or n > len(sigs):
        return 1
    for part in sigs[n - 1].decode("latin-1").split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            if k.strip() == tag:
                print(re.sub(r"\s+", "", v))
                return 0
    return 1


ENVELOPE = (b"X-Client-Addr: ", b"X-Client-Proto: ", b"X-Helo-Args: ",
            b"X-Mail-Args: ", b"X-Rcpt-Args: ")


def sink_extract(dump):
    """(envelope lines, message) of one smtp-sink -d dump.

    smtp-sink (Postfix 3.x) writes its envelope lines and a three-line
    Received: field, then the DATA bytes with every CR dropped and the dot
    that follows a CR LF dropped (this undoes dot stuffing; it also drops
    the terminating dot, whose LF stays: one extra LF at the end). So the
    message comes back with LF line ends, exactly as sent when it had no
    bare CR (posthorn's smtp never sends one: a bare CR becomes CR LF)."""
    lines = dump.split(b"\n")
    i = 0
    while i < len(lines) and lines[i].startswith(ENVELOPE):
        i += 1
    env = lines[:i]
    if not any(l.startswith(b"X-Mail-Args: ") for l in env) \
            or not any(l.startswith(b"X-Rcpt-Args: ") for l in env):
        raise ValueError("no X-Mail-Args/X-Rcpt-Args lines")
    if i + 3 > len(lines) or not lines[i].startswith(b"Received: from ") \
            or not lines[i + 1].startswith(b"\tby ") or b" (smtp-sink) with " not in lines[i + 1] \
            or not lines[i + 2].startswith(b"\t"):
        raise ValueError("no smtp-sink Received: field after the envelope lines")
    msg = b"\n".join(lines[i + 3:])
    if not msg.endswith(b"\n\n") and msg != b"\n":
        raise ValueError("does not end with the LF of the final dot (incomplete?)")
    return b"\n".join(env) + b"\n", msg[:-1]


def sink(dumpdir, outdir):
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        if f.endswith((".eml", ".env")):
            os.unlink(os.path.join(outdir, f))
    names = [n for n in os.listdir(dumpdir) if os.path.isfile(os.path.join(dumpdir, n))]
    names.sort(key=lambda n: (os.stat(os.path.join(dumpdir, n)).st_mtime_ns, n))
    bad = 0
    for n in names:
        try:
            env, msg = sink_extract(open(os.path.join(dumpdir, n), "rb").read())
        except ValueError as e:
            print("dkim_tool.py: %s: %s" % (n, e), file=sys.stderr)
            bad += 1
            continue
        base = os.path.join(outdir, n)
        open(base + ".env", "wb").write(env)
        open(base + ".eml", "wb").write(msg)
        print(base + ".eml")
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 6 and argv[1] == "sign" and len(argv) <= 9:
        sign(*argv[2:])
        return 0
    if len(argv) == 5 and argv[1] == "tag":
        return sig_tag(argv[2], int(argv[3]), argv[4])
    if len(argv) == 4 and argv[1] == "tamper-body":
        tamper_body(argv[2], argv[3])
        return 0
    if len(argv) == 5 and argv[1] == "tamper-header":
        tamper_header(argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 4 and argv[1] == "sink":
        return sink(argv[2], argv[3])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
