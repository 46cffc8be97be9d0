#!/usr/bin/python3
"""qmqp_idle - hold many idle QMQP connections from one source address.

usage: qmqp_idle.py PORT --bind ADDR --count N --status FILE
                    [--release FILE] [--settle S] [--lifetime S]

Opens N connections from ADDR (a loopback address such as 127.0.0.2) to
127.0.0.1:PORT, all at once, and sends nothing. It notes for each one when
a reply arrives. Once every connection is established and no reply has
come for --settle seconds (default 2), it writes one line to FILE (written
to FILE.tmp, then renamed):

  connected=N silent=S replied=R z=Z other=O eof=E failed=F max_reply_ms=M

silent: established, no byte and no end of file yet (the server holds it);
z: the reply was a QMQP netstring starting with Z; eof: closed without a
reply; failed: connect failed; max_reply_ms: the longest time from
connect to a reply. It then keeps every socket open, sending nothing and
reading nothing more, until FILE given by --release exists, or --lifetime
seconds (default 120) have passed since the start, and exits 0.
"""
import os
import selectors
import socket
import sys
import time


def parse(argv):
    opts = {"port": int(argv[1]), "bind": "127.0.0.1", "count": 1, "status": None,
            "release": None, "settle": 2.0, "lifetime": 120.0}
    i = 2
    while i < len(argv):
        key = argv[i][2:]
        if key not in opts or i + 1 >= len(argv):
            sys.exit("qmqp_idle.py: bad option " + argv[i])
        val = argv[i + 1]
        opts[key] = float(val) if key in ("settle", "lifetime") else \
            int(val) if key == "count" else val
        i += 2
    if not opts["status"]:
        sys.exit("qmqp_idle.py: --status FILE is required")
    return opts


def open_all(opts, sel):
    conns = {}
    failed = 0
    for _ in range(opts["count"]):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((opts["bind"], 0))
        s.setblocking(False)
        err = s.connect_ex(("127.0.0.1", opts["port"]))
        if err not in (0, 115):            # 115: EINPROGRESS
            failed += 1
            s.close()
            continue
        conns[s] = {"t0": time.monotonic(), "state": "connecting", "data": b""}
        sel.register(s, selectors.EVENT_WRITE)
    return conns, failed


def on_event(s, c, sel):
    """One readiness event: connected, or the first reply (or end) arrived."""
    if c["state"] == "connecting":
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
            c["state"] = "failed"
            sel.unregister(s)
        else:
            c["state"] = "silent"
            sel.modify(s, selectors.EVENT_READ)
        return
    try:
        chunk = s.recv(4096)
    except (ConnectionResetError, BlockingIOError):
        chunk = b""
    sel.unregister(s)               # the first answer is all we want
    c["t1"] = time.monotonic()
    colon = chunk.find(b":")
    if not chunk:
        c["state"] = "eof"
    elif colon > 0 and chunk[colon + 1:colon + 2] == b"Z":
        c["state"] = "z"
    else:
        c["state"] = "other"


def report(opts, conns, failed):
    states = [c["state"] for c in conns.values()]
    lat = [int((c["t1"] - c["t0"]) * 1000) for c in conns.values() if "t1" in c]
    line = ("connected=%d silent=%d replied=%d z=%d other=%d eof=%d failed=%d max_reply_ms=%d\n"
            % (len(conns) - states.count("failed"), states.count("silent"),
               states.count("z") + states.count("other"), states.count("z"),
               states.count("other"), states.count("eof"),
               failed + states.count("failed"), max(lat) if lat else 0))
    with open(opts["status"] + ".tmp", "w") as f:
        f.write(line)
    os.rename(opts["status"] + ".tmp", opts["status"])


def main(argv):
    opts = parse(argv)
    start = time.monotonic()
    sel = selectors.DefaultSelector()
    conns, failed = open_all(opts, sel)
    last_change = time.monotonic()
    while time.monotonic() - start < opts["lifetime"]:
        connecting = any(c["state"] == "connecting" for c in conns.values())
        if not connecting and time.monotonic() - last_change >= opts["settle"]:
            break
        for key, _ in sel.select(timeout=0.1):
            on_event(key.fileobj, conns[key.fileobj], sel)
            last_change = time.monotonic()
    report(opts, conns, failed)
    while time.monotonic() - start < opts["lifetime"]:
        if opts["release"] and os.path.exists(opts["release"]):
            break
        time.sleep(0.1)
    for s in conns:
        s.close()


if __name__ == "__main__":
    main(sys.argv)
