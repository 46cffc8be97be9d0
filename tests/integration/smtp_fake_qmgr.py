#!/usr/bin/python3
"""smtp_fake_qmgr - play the queue manager for one delivery request to posthorn-smtp(8).

usage: smtp_fake_qmgr.py SPOOL QUEUE_ID NEXTHOP [options]
  --queue NAME      queue directory of the file (default active)
  --service NAME    private/NAME socket of the delivery agent (default smtp)
  --flags N         request flags (1 = DELIVER_FLAG_CACHE)
  --rcpt ADDR       deliver only these recipients (repeatable; default: all
                    pending recipients of the file)
  --timeout S       reply wait (default 120)
  --info            print the parsed queue file as JSON and exit
  --group           also print the exchanger group smtp reported:
                    " mx_group=G mx_group_ttl=N" (both empty when none)

Reads the queue file's C, T, S, V and R records (src/global/qfile.h), builds
the request exactly as deliver_request_encode() does, connects to
SPOOL/private/SERVICE, reads the agent's "ready" list, sends the request and
prints the reply as one line: "REPLY status=N hop_status=X hop_reason=Y".
Prints "NOREPLY" when the agent closed without answering.
"""
import json
import socket
import sys
import time


def ns(b):
    return str(len(b)).encode() + b":" + b + b","


def attr(name, value):
    if isinstance(value, str):
        value = value.encode("latin-1")
    return ns(name.encode() + b"=" + value)


def parse_queue_file(path):
    data = open(path, "rb").read()
    pos = 0
    info = {"recipients": []}
    while pos < len(data):
        off = pos
        rtype = chr(data[pos])
        pos += 1
        length, shift = 0, 0
        while True:
            ch = data[pos]
            pos += 1
            length |= (ch & 0x7F) << shift
            shift += 7
            if not ch & 0x80:
                break
        payload = data[pos:pos + length]
        pos += length
        if rtype == "C":
            f = payload.split()
            info["content_offset"] = int(f[0])
            info["content_size"] = int(f[1])
        elif rtype == "T":
            sec, usec = payload.split()
            info["arrival_time"] = int(sec) + int(usec) / 1e6
        elif rtype == "S":
            info["sender"] = payload.decode("latin-1")
        elif rtype == "V":
            info["verp"] = payload.decode("latin-1")
        elif rtype in "RD":
            info["recipients"].append({"offset": off, "address": payload.decode("latin-1"),
                                       "done": rtype == "D"})
        elif rtype == "E":
            break
    return info


def read_attrs(sock_file):
    """One attribute list: netstrings up to the empty one."""
    attrs = {}
    while True:
        digits = b""
        while True:
            ch = sock_file.read(1)
            if not ch:
                return None
            if ch == b":":
                break
            digits += ch
        n = int(digits)
        payload = sock_file.read(n)
        if sock_file.read(1) != b",":
            return None
        if n == 0:
            return attrs
        name, _, value = payload.partition(b"=")
        attrs[name.decode()] = value.decode("latin-1")


def main(argv):
    spool, qid, nexthop = argv[1], argv[2], argv[3]
    queue, service, flags, only, timeout, info_only = "active", "smtp", 0, [], 120.0, False
    group = False
    i = 4
    while i < len(argv):
        a = argv[i]
        if a == "--queue":
            queue = argv[i + 1]; i += 2
        elif a == "--service":
            service = argv[i + 1]; i += 2
        elif a == "--flags":
            flags = int(argv[i + 1]); i += 2
        elif a == "--rcpt":
            only.append(argv[i + 1]); i += 2
        elif a == "--timeout":
            timeout = float(argv[i + 1]); i += 2
        elif a == "--info":
            info_only = True; i += 1
        elif a == "--group":
            group = True; i += 1
        else:
            sys.exit("unknown option " + a)
    info = parse_queue_file("%s/%s/%s" % (spool, queue, qid))
    if info_only:
        print(json.dumps(info))
        return
    rcpts = [r for r in info["recipients"] if not r["done"]
             and (not only or r["address"] in only)]
    now = time.time()
    req = b"".join([
        attr("queue_name", queue), attr("queue_id", qid),
        attr("content_offset", str(info["content_offset"])),
        attr("content_size", str(info["content_size"])),
        attr("arrival_time", "%.6f" % info["arrival_time"]),
        attr("active_time", "%.6f" % now), attr("request_time", "%.6f" % now),
        attr("sender", info["sender"]), attr("verp_delimiters", info.get("verp", "")),
        attr("transport", service), attr("nexthop", nexthop), attr("flags", str(flags)),
        b"0:,"])
    for r in rcpts:
        req += attr("offset", str(r["offset"])) + attr("address", r["address"]) + b"0:,"
    req += b"0:,"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect("%s/private/%s" % (spool, service))
    f = s.makefile("rb")
    ready = read_attrs(f)
    if ready is None or ready.get("status") != "0":
        print("NOTREADY %r" % ready)
        return
    s.sendall(req)
    try:
        reply = read_attrs(f)
    except socket.timeout:
        print("TIMEOUT")
        return
    if reply is None:
        print("NOREPLY")
        return
    line = "REPLY status=%s hop_status=%s hop_reason=%s" % (
        reply.get("status"), reply.get("hop_status", ""), reply.get("hop_reason", ""))
    if group:
        line += " mx_group=%s mx_group_ttl=%s" % (
            reply.get("mx_group", ""), reply.get("mx_group_ttl", ""))
    print(line)


if __name__ == "__main__":
    main(sys.argv)
