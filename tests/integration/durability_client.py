#!/usr/bin/python3
"""durability_client - submit numbered messages over QMQP and record each K.

usage: durability_client.py PORT SECONDS THREADS OUTFILE
Each message goes to recipient u<N>@example.org with a unique N. A line "N"
is appended to OUTFILE (flushed and fsynced) only after the server's K
reply, so OUTFILE lists exactly the messages the client was promised.
Connection failures (the server is being killed) are counted, not retried.
"""
import os
import socket
import sys
import threading
import time

port, seconds, threads, outfile = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
lock = threading.Lock()
counter = [0]
stats = {"K": 0, "Z": 0, "D": 0, "fail": 0}
out = open(outfile, "a")
deadline = time.time() + seconds


def ns(b):
    return str(len(b)).encode() + b":" + b + b","


def next_id():
    with lock:
        counter[0] += 1
        return counter[0]


def one(n):
    msg = b"Subject: durability %d\nMessage-Id: <d%d@example.org>\n\nbody %d\n" % (n, n, n)
    req = ns(ns(msg) + ns(b"sender@example.org") + ns(b"u%d@example.org" % n))
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(req)
        s.shutdown(socket.SHUT_WR)
        reply = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
        s.close()
    except OSError:
        return "fail"
    colon = reply.find(b":")
    if colon < 1 or len(reply) < colon + 2:
        return "fail"
    status = chr(reply[colon + 1])
    if status == "K":
        with lock:
            out.write("%d\n" % n)
            out.flush()
            os.fsync(out.fileno())
    return status if status in "KZD" else "fail"


def worker():
    while time.time() < deadline:
        r = one(next_id())
        with lock:
            stats[r] = stats.get(r, 0) + 1
        if r == "fail":
            time.sleep(0.05)


ts = [threading.Thread(target=worker) for _ in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("submitted %d: %s" % (counter[0], stats))
