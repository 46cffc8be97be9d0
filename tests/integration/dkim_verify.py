#!/usr/bin/python3
"""dkim_verify - check every DKIM-Signature of a message with dkimpy, keys
from a test name server (the loopback unbound of smtp_lib.sh's s_unbound).

usage: dkim_verify.py [options] FILE
  --resolv PATH   name server: the first "nameserver" line of PATH
  --dns ADDR      name server address (port 53 unless --port)
  --port N        name server port (default 53)
  --raw-dns       use this script's own DNS client even if dnspython is there
  --records PATH  no DNS: key records from PATH, lines "NAME TXT" (NAME as
                  SELECTOR._domainkey.DOMAIN, TXT as in DNS)
  --count N       also require exactly N DKIM-Signature fields
  --minkey BITS   smallest RSA key accepted (default 1024, dkimpy's)

FILE may have LF or CR LF line ends; a LF without a CR before it becomes
CR LF first (as an MTA would put it on the wire), a lone CR stays a byte.
Prints one line per signature, top first:
  sig N: d=DOMAIN s=SELECTOR a=ALG c=CANON: pass
  sig N: d=DOMAIN s=SELECTOR a=ALG c=CANON: fail (REASON)
then "dkimpy: P of N signatures pass (DNS: dnspython|raw)". Exit status:
0 when there is at least one signature and all pass (and --count holds),
1 when one fails or --count does not hold, 2 when there is no signature,
3 on a usage or file error.
"""
import logging
import os
import random
import re
import signal
import socket
import struct
import sys

import dkim

try:
    import dns.resolver
    import dns.rdatatype
    HAVE_DNSPYTHON = True
except ImportError:
    HAVE_DNSPYTHON = False


class DnsError(Exception):
    pass


def dns_name(name):
    """Wire form of a domain name (labels, then the root)."""
    out = b""
    for label in name.rstrip(".").split("."):
        raw = label.encode("ascii")
        if not raw or len(raw) > 63:
            raise DnsError("bad name %r" % name)
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def skip_name(msg, pos):
    """Position after the (possibly compressed) name at pos."""
    while True:
        if pos >= len(msg):
            raise DnsError("truncated name")
        n = msg[pos]
        if n & 0xC0 == 0xC0:
            return pos + 2
        if n == 0:
            return pos + 1
        pos += 1 + n


def raw_txt(name, server, port, timeout):
    """TXT strings of name (the first TXT record, joined), or None:
    a small DNS client, UDP first, TCP when the answer is truncated."""
    qid = random.randrange(65536)
    query = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + dns_name(name) \
        + struct.pack(">HH", 16, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(query, (server, port))
        while True:
            msg, peer = s.recvfrom(65535)
            if len(msg) >= 12 and struct.unpack(">H", msg[:2])[0] == qid:
                break
    finally:
        s.close()
    if struct.unpack(">H", msg[2:4])[0] & 0x0200:       # TC: ask again over TCP
        t = socket.create_connection((server, port), timeout=timeout)
        try:
            t.sendall(struct.pack(">H", len(query)) + query)
            data = b""
            while len(data) < 2 or len(data) < 2 + struct.unpack(">H", data[:2])[0]:
                chunk = t.recv(65535)
                if not chunk:
                    raise DnsError("TCP answer cut short")
                data += chunk
        finally:
            t.close()
        msg = data[2:2 + struct.unpack(">H", data[:2])[0]]
    flags, qd, an = struct.unpack(">HHH", msg[2:8])
    rcode = flags & 0x000F
    if rcode == 3:
        return None                                     # NXDOMAIN
    if rcode != 0:
        raise DnsError("rcode %d for %s" % (rcode, name))
    pos = 12
    for _ in range(qd):
        pos = skip_name(msg, pos) + 4
    for _ in range(an):
        pos = skip_name(msg, pos)
        rtype, rclass, ttl, rdlen = struct.unpack(">HHIH", msg[pos:pos + 10])
        pos += 10
        rdata = msg[pos:pos + rdlen]
        pos += rdlen
        if rtype != 16:
            continue
        strings, i = [], 0
        while i < len(rdata):
            n = rdata[i]
            strings.append(rdata[i + 1:i + 1 + n])
            i += 1 + n
        return b"".join(strings)
    return None


def make_dnsfunc(server, port, raw):
    """A dkimpy dnsfunc that asks only the given server."""
    if HAVE_DNSPYTHON and not raw:
        res = dns.resolver.Resolver(configure=False)
        res.nameservers = [server]
        res.port = port

        def txt(name, timeout=5):
            qname = name.decode("ascii") if isinstance(name, bytes) else name
            try:
                ans = res.resolve(qname, dns.rdatatype.TXT, lifetime=timeout,
                                  raise_on_no_answer=False, search=False)
            except dns.resolver.NXDOMAIN:
                return None
            for rrset in ans.response.answer:
                if rrset.rdtype == dns.rdatatype.TXT:
                    return b"".join(list(rrset.items)[0].strings)
            return None
        return txt, "dnspython"

    def txt(name, timeout=5):
        qname = name.decode("ascii") if isinstance(name, bytes) else name
        return raw_txt(qname, server, port, timeout)
    return txt, "raw"


def records_dnsfunc(path):
    """A dkimpy dnsfunc answering from a file instead of DNS."""
    table = {}
    for line in open(path):
        if line.strip():
            name, txt = line.strip().split(None, 1)
            table[name.lower().rstrip(".")] = txt.encode()

    def txt(name, timeout=5):
        qname = name.decode("ascii") if isinstance(name, bytes) else name
        return table.get(qname.lower().rstrip("."))
    return txt, "records from " + path


def crlf(data):
    """LF not after CR becomes CR LF."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def sig_fields(value):
    """Tag list of a DKIM-Signature value, as str, whitespace removed."""
    tags = {}
    for part in value.decode("latin-1").split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            tags[k.strip()] = re.sub(r"\s+", "", v)
    return tags


def main(argv):
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)       # quiet under "| grep -q"
    server, port, raw, count, minkey, path, records = None, 53, False, None, 1024, None, None
    i = 1
    try:
        while i < len(argv):
            a = argv[i]
            if a == "--resolv":
                for line in open(argv[i + 1]):
                    w = line.split()
                    if len(w) >= 2 and w[0] == "nameserver":
                        server = w[1]
                        break
                i += 2
            elif a == "--dns":
                server = argv[i + 1]; i += 2
            elif a == "--port":
                port = int(argv[i + 1]); i += 2
            elif a == "--raw-dns":
                raw = True; i += 1
            elif a == "--records":
                records = argv[i + 1]; i += 2
            elif a == "--count":
                count = int(argv[i + 1]); i += 2
            elif a == "--minkey":
                minkey = int(argv[i + 1]); i += 2
            elif a.startswith("--") or path is not None:
                raise ValueError("unknown argument " + a)
            else:
                path = a; i += 1
        if path is None or (server is None and records is None):
            raise ValueError("need a FILE and a name server (--resolv or --dns) or --records")
        data = crlf(open(path, "rb").read())
        if records is not None:
            dnsfunc, how = records_dnsfunc(records)
        else:
            dnsfunc, how = make_dnsfunc(server, port, raw)
    except (OSError, ValueError, IndexError) as e:
        print("dkim_verify.py: %s" % e, file=sys.stderr)
        return 3
    errors = []

    class Keep(logging.Handler):
        def emit(self, record):
            errors.append(record.getMessage())
    log = logging.getLogger("dkim_verify")
    log.propagate = False
    log.setLevel(logging.ERROR)
    log.addHandler(Keep())
    d = dkim.DKIM(data, logger=log, minkey=minkey)
    sigs = [v for k, v in d.headers if k.lower() == b"dkim-signature"]
    passed = 0
    for idx, value in enumerate(sigs):
        t = sig_fields(value)
        label = "sig %d: d=%s s=%s a=%s c=%s" % (idx + 1, t.get("d", "?"), t.get("s", "?"),
                                                 t.get("a", "?"), t.get("c", "simple/simple"))
        del errors[:]
        try:
            ok = dkim.DKIM(data, logger=log, minkey=minkey).verify(idx=idx, dnsfunc=dnsfunc)
            why = errors[-1] if errors else "signature does not match"
        except (dkim.DKIMException, DnsError, OSError) as e:
            ok, why = False, "%s: %s" % (type(e).__name__, e)
        if ok:
            passed += 1
            print("%s: pass" % label)
        else:
            print("%s: fail (%s)" % (label, why))
    print("dkimpy: %d of %d signatures pass (DNS: %s)" % (passed, len(sigs), how))
    if not sigs:
        return 2
    if count is not None and len(sigs) != count:
        print("dkimpy: expected %d signatures, found %d" % (count, len(sigs)))
        return 1
    return 0 if passed == len(sigs) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
