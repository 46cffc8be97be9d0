#!/usr/bin/python3
"""bounce_proto - speak posthorn's bounce protocol and look at queue files and notices.

usage:
  bounce_proto.py append SPOOL LOG QID ADDRESS OFFSET STATUS ACTION REMOTE_MTA DIAGNOSTIC REASON
        one append request on SPOOL/private/bounce (LOG: bounce or defer)
  bounce_proto.py notify SPOOL WHAT QUEUE QID
        one notify request (WHAT: failed, expired or delayed)
  bounce_proto.py raw SPOOL NAME=VALUE...
        any request, attributes as given
    These print one line: "STATUS <status> <reason>", or "NOREPLY" when the
    service closed without an answer.
  bounce_proto.py rcpts QUEUEFILE
        one line per recipient record: "OFFSET ADDRESS pending|done"
  bounce_proto.py mark QUEUEFILE OFFSET
        mark the recipient record at OFFSET done, as a delivery agent does
  bounce_proto.py log LOGFILE
        one line per record of a bounce/defer log, as JSON (bad lines: {"bad": "..."})
  bounce_proto.py dsn FILE
        parse a notice (the content part of "posthorn cat") with Python's email
        package and print a JSON summary: headers, part types, per-message and
        per-recipient delivery-status fields, the attached original's first line
Exit status 0, except for usage errors and unreadable files.
"""
import email
import email.policy
import json
import socket
import sys


def ns(b):
    return str(len(b)).encode() + b":" + b + b","


def attr_list(pairs):
    out = b""
    for name, value in pairs:
        out += ns(name.encode() + b"=" + value.encode("utf-8", "surrogateescape"))
    return out + b"0:,"


def parse_netstrings(data):
    """Split an attribute list into (name, value) pairs; stop at the terminator."""
    pairs, i = [], 0
    while i < len(data):
        colon = data.index(b":", i)
        n = int(data[i:colon])
        payload = data[colon + 1:colon + 1 + n]
        if data[colon + 1 + n:colon + 2 + n] != b",":
            raise ValueError("bad netstring")
        i = colon + 2 + n
        if n == 0:
            return pairs, data[i:]
        name, _, value = payload.partition(b"=")
        pairs.append((name.decode(), value.decode("utf-8", "replace")))
    raise ValueError("list not terminated")


def call(spool, pairs, timeout=60):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(spool + "/private/bounce")
    s.sendall(attr_list(pairs))
    reply = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        reply += chunk
        if reply.endswith(b"0:,"):
            try:
                parse_netstrings(reply)
                break
            except ValueError:
                pass
    s.close()
    if not reply:
        print("NOREPLY")
        return
    attrs = dict(parse_netstrings(reply)[0])
    print("STATUS", attrs.get("status", "?"), attrs.get("reason", ""))


def read_records(path):
    """The records of a queue file: (offset, type, payload)."""
    data = open(path, "rb").read()
    i, recs = 0, []
    while i < len(data):
        start, rtype = i, chr(data[i])
        i += 1
        n, shift = 0, 0
        while True:
            b = data[i]
            i += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        recs.append((start, rtype, data[i:i + n]))
        i += n
    return recs


def rcpts(path):
    for off, rtype, payload in read_records(path):
        if rtype in "RD":
            print(off, payload.decode("utf-8", "replace"), "done" if rtype == "D" else "pending")


def mark(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        if f.read(1) not in (b"R", b"D"):
            sys.exit("bounce_proto.py: no recipient record at offset %d" % offset)
        f.seek(offset)
        f.write(b"D")


def show_log(path):
    for line in open(path, "rb").read().split(b"\n"):
        if not line:
            continue
        try:
            pairs, rest = parse_netstrings(line)
            if rest:
                raise ValueError("trailing data")
            print(json.dumps(dict(pairs)))
        except (ValueError, IndexError) as e:
            print(json.dumps({"bad": str(e)}))


def fields(text):
    """Delivery-status field blocks: a list of dicts (first: per message)."""
    blocks, cur, last = [], {}, None
    for line in text.split("\n"):
        if line.strip() == "":
            if cur:
                blocks.append(cur)
            cur, last = {}, None
        elif line[0] in " \t" and last:
            cur[last] += " " + line.strip()
        else:
            name, _, value = line.partition(":")
            last = name.strip()
            cur[last] = value.strip()
    if cur:
        blocks.append(cur)
    return blocks


def dsn(path):
    raw = open(path, "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    out = {
        "content_type": msg.get_content_type(),
        "report_type": msg.get_param("report-type"),
        "boundary": msg.get_boundary(),
        "from": msg.get("From"),
        "to": msg.get("To"),
        "subject": msg.get("Subject"),
        "auto_submitted": msg.get("Auto-Submitted"),
        "received": " ".join((msg.get("Received") or "").split()),
        "defects": [type(d).__name__ for d in msg.defects],
        "parts": [],
    }
    if msg.is_multipart():
        for part in msg.get_payload():
            info = {"type": part.get_content_type(),
                    "description": part.get("Content-Description")}
            ctype = part.get_content_type()
            if ctype == "message/delivery-status":
                # compat32 parses the blocks as a list of messages
                blocks = []
                for sub in part.get_payload():
                    blocks.append({k: " ".join(v.split()) for k, v in sub.items()})
                info["per_message"] = blocks[0] if blocks else {}
                info["per_recipient"] = blocks[1:]
            elif ctype == "message/rfc822":
                inner = part.get_payload()[0]
                info["return_path"] = inner.get("Return-Path")
                info["subject"] = inner.get("Subject")
                info["body"] = inner.get_payload()
            else:
                text = part.get_payload(decode=True).decode("utf-8", "replace")
                info["text"] = text
                if ctype == "text/rfc822-headers":
                    info["headers"] = fields(text)[0] if fields(text) else {}
            out["parts"].append(info)
    print(json.dumps(out, indent=1))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    cmd = argv[1]
    if cmd == "append" and len(argv) == 12:
        names = ["log", "queue_id", "address", "offset", "status", "action",
                 "remote_mta", "diagnostic", "reason"]
        call(argv[2], [("request", "append")] + list(zip(names, argv[3:])))
    elif cmd == "notify" and len(argv) == 6:
        call(argv[2], [("request", "notify"), ("notify", argv[3]),
                       ("queue_name", argv[4]), ("queue_id", argv[5])])
    elif cmd == "raw":
        call(argv[2], [tuple(a.split("=", 1)) for a in argv[3:]])
    elif cmd == "rcpts":
        rcpts(argv[2])
    elif cmd == "mark" and len(argv) == 4:
        mark(argv[2], int(argv[3]))
    elif cmd == "log":
        show_log(argv[2])
    elif cmd == "dsn":
        dsn(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
