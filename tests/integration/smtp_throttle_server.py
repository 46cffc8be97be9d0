#!/usr/bin/python3
"""smtp_throttle_server - an SMTP server that throttles like a big mail provider.

usage: smtp_throttle_server.py HOST PORT LOGDIR [options]
  HOST may be a range of loopback addresses, 127.0.0.2-101: one provider
  listening on all of them (its MX pool), counting sessions across them.
  --throttle-after N    after N accepted transactions, answer MAIL FROM with
                        the throttle reply for --throttle-for seconds
  --throttle-for S      how long the throttle lasts (default 3)
  --throttle-reply R    the reply (default Gmail's "421 4.7.28 ..."); a 421
                        closes the session after it, as a provider does
  --max-sessions N      greet a session beyond N open ones with the throttle
                        reply and close it
  --rate N/S            more than N transactions within S seconds: the
                        throttle reply to MAIL FROM (counted over a sliding window)
  --delay S             wait S seconds before answering the final "." (default 0.05)
  --lifetime S          exit after S seconds (default 120)

LOGDIR/events.jsonl gets one JSON object per line, each with "t" (seconds
since the epoch) and "open" (sessions open after the event): connect,
close (at QUIT, or when the connection ends without one), message (with
"rcpt"), throttled (with "stage"). LOGDIR/ready
appears when it listens. Nothing is stored of the messages themselves.
"""
import json
import os
import select
import socket
import sys
import threading
import time

GMAIL = ("421 4.7.28 [127.0.0.1] Our system has detected an unusual rate of "
         "unsolicited mail originating from your IP address. To protect our users "
         "from spam, mail sent from your IP address has been temporarily rate limited.")


class State:
    def __init__(self, argv):
        self.host, self.port, self.logdir = argv[1], int(argv[2]), argv[3]
        self.after = None
        self.throttle_for = 3.0
        self.reply = GMAIL
        self.max_sessions = None
        self.rate = None
        self.delay = 0.05
        self.lifetime = 120.0
        i = 4
        while i < len(argv):
            opt, val = argv[i], argv[i + 1] if i + 1 < len(argv) else None
            if opt == "--throttle-after":
                self.after = int(val)
            elif opt == "--throttle-for":
                self.throttle_for = float(val)
            elif opt == "--throttle-reply":
                self.reply = val
            elif opt == "--max-sessions":
                self.max_sessions = int(val)
            elif opt == "--rate":
                n, s = val.split("/")
                self.rate = (int(n), float(s))
            elif opt == "--delay":
                self.delay = float(val)
            elif opt == "--lifetime":
                self.lifetime = float(val)
            else:
                sys.exit("unknown option " + opt)
            i += 2
        self.lock = threading.Lock()
        self.open = 0
        self.accepted = 0
        self.throttle_until = 0.0
        self.recent = []
        os.makedirs(self.logdir, exist_ok=True)
        self.log = open(os.path.join(self.logdir, "events.jsonl"), "a")

    def event(self, kind, **kw):
        kw.update(event=kind, t=time.time(), open=self.open)
        self.log.write(json.dumps(kw) + "\n")
        self.log.flush()

    def throttled_now(self):
        """Under the lock: should this transaction get the throttle reply?"""
        now = time.time()
        if now < self.throttle_until:
            return True
        if self.after is not None and self.accepted >= self.after:
            self.after = None
            self.throttle_until = now + self.throttle_for
            return True
        if self.rate:
            n, span = self.rate
            self.recent = [t for t in self.recent if t > now - span]
            if len(self.recent) >= n:
                return True
        return False


def session(st, conn):
    f = conn.makefile("rb")
    quit_seen = False

    def send(text):
        conn.sendall(text.encode() + b"\r\n")

    def throttle(stage):
        with st.lock:
            st.event("throttled", stage=stage)
        send(st.reply)
        return st.reply.startswith("421")

    try:
        with st.lock:
            st.open += 1
            st.event("connect")
            busy = st.max_sessions is not None and st.open > st.max_sessions
        if busy:
            throttle("greeting")
            return
        send("220 mx.provider.test ESMTP")
        rcpts = []
        while True:
            line = f.readline()
            if not line:
                return
            cmd = line.decode("latin-1").rstrip("\r\n")
            verb = cmd[:4].upper()
            if verb in ("EHLO", "HELO"):
                send("250-mx.provider.test|250-PIPELINING|250 8BITMIME".replace("|", "\r\n"))
            elif verb == "MAIL":
                with st.lock:
                    bad = st.throttled_now()
                if bad:
                    if throttle("mail"):
                        return
                    continue
                rcpts = []
                send("250 2.1.0 ok")
            elif verb == "RCPT":
                rcpts.append(cmd[8:].strip("<> "))
                send("250 2.1.5 ok")
            elif verb == "DATA":
                send("354 go ahead")
                while True:
                    d = f.readline()
                    if not d or d in (b".\r\n", b".\n"):
                        break
                time.sleep(st.delay)
                with st.lock:
                    st.accepted += 1
                    st.recent.append(time.time())
                    st.event("message", rcpt=rcpts)
                send("250 2.0.0 ok")
            elif verb == "RSET":
                rcpts = []
                send("250 2.0.0 ok")
            elif verb == "QUIT":
                # The client is done: it no longer counts as open, before it
                # can learn so (221) and start another session.
                with st.lock:
                    st.open -= 1
                    quit_seen = True
                    st.event("close")
                send("221 2.0.0 bye")
                return
            else:
                send("502 5.5.2 what")
    except OSError:
        pass
    finally:
        conn.close()
        if not quit_seen:
            with st.lock:
                st.open -= 1
                st.event("close")


def hosts(spec):
    """"127.0.0.2-101" -> every address of the range; anything else -> itself."""
    head, _, last = spec.rpartition(".")
    if "-" not in last:
        return [spec]
    lo, hi = last.split("-")
    return ["%s.%d" % (head, n) for n in range(int(lo), int(hi) + 1)]


def main():
    st = State(sys.argv)
    servers = []
    for host in hosts(st.host):
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((host, st.port))
        srv.listen(256)
        servers.append(srv)
    open(os.path.join(st.logdir, "ready"), "w").close()
    end = time.time() + st.lifetime
    while time.time() < end:
        ready, _, _ = select.select(servers, [], [], 0.5)
        for srv in ready:
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            threading.Thread(target=session, args=(st, conn), daemon=True).start()


if __name__ == "__main__":
    main()
