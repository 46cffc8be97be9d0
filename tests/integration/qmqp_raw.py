#!/usr/bin/python3
"""qmqp_raw - send exact bytes to a QMQP server and report what came back.

usage: qmqp_raw.py PORT [options]           (server 127.0.0.1 unless --host)
  --bind ADDR       connect from this source address (e.g. 127.0.0.3)
  --data STR        bytes to send, with Python escapes (\\n, \\x00 ...)
  --file PATH       bytes to send, from a file
  --request MSG SENDER RCPT...   build a well-formed request (escapes allowed)
  --pad N           (before --request) append N bytes of 76-column text lines to the message
  --cut N           send only the first N bytes of the request
  --hold SECONDS    after sending, wait this long before closing (no shutdown)
  --pause-at N S    send N bytes, wait S seconds, send the rest
  --drip SECONDS    send one byte, then wait SECONDS, and so on
  --rate BYTES      send at about BYTES per second, in tenth-of-a-second pieces
  --no-shutdown     do not half-close after sending (wait for the reply)
  --timeout S       reply wait (default 10)
Prints one line: "REPLY <status> <text>", "NOREPLY" (EOF without data),
"BADREPLY <bytes>", "TIMEOUT" or "RESET", then, with --drip or --rate,
" after S.Ss" (seconds from connect to that outcome). Exit status 0 always.
"""
import select
import socket
import sys
import time


def ns(b):
    return str(len(b)).encode() + b":" + b + b","


def unescape(s):
    return s.encode("latin-1").decode("unicode_escape").encode("latin-1")


def main(argv):
    port = int(argv[1])
    host = "127.0.0.1"
    bind = None
    drip = None
    rate = None
    data = b""
    cut = None
    hold = 0.0
    shutdown = True
    timeout = 10.0
    pause_at, pause = None, 0.0
    pad = 0
    i = 2
    while i < len(argv):
        a = argv[i]
        if a == "--host":
            host = argv[i + 1]; i += 2
        elif a == "--bind":
            bind = argv[i + 1]; i += 2
        elif a == "--drip":
            drip = float(argv[i + 1]); i += 2
        elif a == "--rate":
            rate = int(argv[i + 1]); i += 2
        elif a == "--data":
            data = unescape(argv[i + 1]); i += 2
        elif a == "--file":
            data = open(argv[i + 1], "rb").read(); i += 2
        elif a == "--pad":
            pad = int(argv[i + 1]); i += 2
        elif a == "--request":
            msg, sender = unescape(argv[i + 1]), unescape(argv[i + 2])
            line = b"x" * 76 + b"\n"
            msg += (line * (pad // len(line) + 1))[:pad]
            rcpts = []
            i += 3
            while i < len(argv) and not argv[i].startswith("--"):
                rcpts.append(unescape(argv[i])); i += 1
            data = ns(ns(msg) + ns(sender) + b"".join(ns(r) for r in rcpts))
        elif a == "--cut":
            cut = int(argv[i + 1]); i += 2
        elif a == "--pause-at":
            pause_at, pause = int(argv[i + 1]), float(argv[i + 2]); i += 3
        elif a == "--hold":
            hold = float(argv[i + 1]); i += 2
        elif a == "--no-shutdown":
            shutdown = False; i += 1
        elif a == "--timeout":
            timeout = float(argv[i + 1]); i += 2
        else:
            sys.exit("qmqp_raw.py: unknown option " + a)
    if cut is not None:
        data = data[:cut]
    start = time.monotonic()
    s = socket.create_connection((host, port), timeout=timeout,
                                 source_address=(bind, 0) if bind else None)
    outcome = report
    if drip is not None or rate is not None:
        outcome = lambda line: report(line + " after %.1fs" % (time.monotonic() - start))
    try:
        if pause_at is not None:
            s.sendall(data[:pause_at])
            time.sleep(pause)
            data = data[pause_at:]
        if drip is not None or rate is not None:
            step = 1 if drip is not None else max(1, rate // 10)
            wait = drip if drip is not None else 0.1
            while len(data) > step:
                s.sendall(data[:step])
                data = data[step:]
                if select.select([s], [], [], wait)[0]:
                    data = b""      # the server answered or hung up
        s.sendall(data)
        if hold:
            time.sleep(hold)
        if shutdown and not hold:
            s.shutdown(socket.SHUT_WR)
        reply = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
    except socket.timeout:
        outcome("TIMEOUT")
        return
    except (ConnectionResetError, BrokenPipeError):
        outcome("RESET")
        return
    if not reply:
        outcome("NOREPLY")
        return
    colon = reply.find(b":")
    if colon < 1 or not reply[:colon].isdigit() or not reply.endswith(b","):
        outcome("BADREPLY " + repr(reply[:200]))
        return
    body = reply[colon + 1:-1]
    outcome("REPLY " + chr(body[0]) + " " + body[1:].decode("latin-1"))


def report(line):
    print(line)


if __name__ == "__main__":
    main(sys.argv)
