#!/usr/bin/python3
"""smtp_test_server - a scriptable SMTP server that records exactly what it got.

usage: smtp_test_server.py HOST PORT LOGDIR [options]
  --name NAME           host name in the greeting and EHLO reply (default sink.test)
  --greet REPLY         greeting instead of "220 NAME ESMTP"; "421 ..." or "554 ..." to refuse
  --silent              accept connections and never say anything
  --no-ehlo             answer EHLO with 502 (HELO works)
  --no-pipelining       do not announce PIPELINING
  --no-8bitmime         do not announce 8BITMIME
  --size N              announce SIZE N (default: SIZE without a limit)
  --mail-reply REPLY    reply to every MAIL FROM
  --rcpt-reply ADDR=REPLY   reply to RCPT TO:<ADDR> (repeatable)
  --data-reply REPLY    reply to DATA
  --dot-reply REPLY     reply to the final "."
  --drop-after-dot      close the connection instead of answering "."
  --dot-delay S         wait S seconds before answering "."
  --lifetime S          exit after S seconds (default 60)
  --max-sessions N      with N sessions open, greet further connections with
                        "421 4.7.0 too many sessions" and hang up (a server
                        with a concurrency limit); events.jsonl gets
                        {"event": "busy", "conn": N} for each
A REPLY may hold several lines separated by "|" ("550-5.1.1 a|550 5.1.1 b").

Records in LOGDIR: conn-N.raw (every byte the client sent on connection N),
msg-N.raw (the DATA bytes of transaction N as sent, dot-stuffing and CRLF
included, up to and including the final ".\\r\\n"), and events.jsonl, one
JSON object per line: {"event": "connect", "conn": N, "peer": ADDR}, {"event": "batch",
"conn": N, "commands": [...]} for each read that held commands (so a
pipelined MAIL/RCPT/DATA shows as one batch), and {"event": "message",
"conn": N, "msg": M, "mail": "...", "rcpts": [...]} for each accepted message.
"""
import json
import os
import socket
import sys
import threading
import time

LOCK = threading.Lock()
COUNTERS = {"conn": 0, "msg": 0, "open": 0}


def reply_bytes(text):
    return b"".join(line.encode() + b"\r\n" for line in text.split("|"))


class Config:
    def __init__(self, argv):
        self.host, self.port, self.logdir = argv[1], int(argv[2]), argv[3]
        self.name = "sink.test"
        self.greet = None
        self.silent = False
        self.ehlo = True
        self.pipelining = True
        self.eightbit = True
        self.size = None
        self.mail_reply = None
        self.rcpt_reply = {}
        self.data_reply = None
        self.dot_reply = None
        self.drop_after_dot = False
        self.dot_delay = 0.0
        self.lifetime = 60.0
        self.max_sessions = 0
        i = 4
        while i < len(argv):
            a = argv[i]
            if a == "--name":
                self.name = argv[i + 1]; i += 2
            elif a == "--greet":
                self.greet = argv[i + 1]; i += 2
            elif a == "--silent":
                self.silent = True; i += 1
            elif a == "--no-ehlo":
                self.ehlo = False; i += 1
            elif a == "--no-pipelining":
                self.pipelining = False; i += 1
            elif a == "--no-8bitmime":
                self.eightbit = False; i += 1
            elif a == "--size":
                self.size = int(argv[i + 1]); i += 2
            elif a == "--mail-reply":
                self.mail_reply = argv[i + 1]; i += 2
            elif a == "--rcpt-reply":
                addr, _, rep = argv[i + 1].partition("=")
                self.rcpt_reply[addr.lower()] = rep; i += 2
            elif a == "--data-reply":
                self.data_reply = argv[i + 1]; i += 2
            elif a == "--dot-reply":
                self.dot_reply = argv[i + 1]; i += 2
            elif a == "--drop-after-dot":
                self.drop_after_dot = True; i += 1
            elif a == "--dot-delay":
                self.dot_delay = float(argv[i + 1]); i += 2
            elif a == "--max-sessions":
                self.max_sessions = int(argv[i + 1]); i += 2
            elif a == "--lifetime":
                self.lifetime = float(argv[i + 1]); i += 2
            else:
                sys.exit("unknown option " + a)


def event(cfg, obj):
    with LOCK:
        with open(os.path.join(cfg.logdir, "events.jsonl"), "a") as f:
            f.write(json.dumps(obj) + "\n")


def serve(cfg, conn, n):
    raw = open(os.path.join(cfg.logdir, "conn-%d.raw" % n), "wb")
    event(cfg, {"event": "connect", "conn": n, "peer": conn.getpeername()[0]})
    buf = b""
    in_data = False
    data = b""
    mail = None
    rcpts = []

    def send(text):
        conn.sendall(reply_bytes(text))

    try:
        if cfg.silent:
            while conn.recv(65536):
                pass
            return
        send(cfg.greet or "220 %s ESMTP test server" % cfg.name)
        if cfg.greet and not cfg.greet.startswith("2"):
            # A refusing server still answers QUIT, then hangs up.
            conn.settimeout(5)
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return
            raw.write(chunk)
            raw.flush()
            buf += chunk
            batch = []
            while True:
                if in_data:
                    data += buf
                    buf = b""
                    if data.startswith(b".\r\n"):
                        cut = 3
                    else:
                        end = data.find(b"\r\n.\r\n")
                        if end < 0:
                            break
                        cut = end + 5
                    buf = data[cut:]
                    data = data[:cut]
                    in_data = False
                    with LOCK:
                        COUNTERS["msg"] += 1
                        m = COUNTERS["msg"]
                    with open(os.path.join(cfg.logdir, "msg-%d.raw" % m), "wb") as f:
                        f.write(data)
                    batch.append(".")
                    if cfg.drop_after_dot:
                        event(cfg, {"event": "batch", "conn": n, "commands": batch})
                        return
                    if cfg.dot_delay:
                        open(os.path.join(cfg.logdir, "dot-%d" % m), "w").close()
                        time.sleep(cfg.dot_delay)
                    rep = cfg.dot_reply or "250 2.0.0 Ok: queued as SINK%d" % m
                    if rep.startswith("2"):
                        event(cfg, {"event": "message", "conn": n, "msg": m,
                                    "mail": mail, "rcpts": rcpts})
                    send(rep)
                    mail, rcpts = None, []
                    continue
                nl = buf.find(b"\r\n")
                if nl < 0:
                    break
                line = buf[:nl].decode("latin-1")
                buf = buf[nl + 2:]
                verb = line.split(" ", 1)[0].upper()
                verb = verb.split(":", 1)[0]
                batch.append(line)
                if verb == "EHLO":
                    if not cfg.ehlo:
                        send("502 5.5.2 Error: command not recognized")
                        continue
                    lines = ["250-" + cfg.name]
                    if cfg.pipelining:
                        lines.append("250-PIPELINING")
                    lines.append("250-SIZE" + (" %d" % cfg.size if cfg.size else ""))
                    if cfg.eightbit:
                        lines.append("250-8BITMIME")
                    lines.append("250 ENHANCEDSTATUSCODES")
                    send("|".join(lines))
                elif verb == "HELO":
                    send("250 " + cfg.name)
                elif verb == "MAIL":
                    mail = line[10:] if line.upper().startswith("MAIL FROM:") else line
                    rcpts = []
                    send(cfg.mail_reply or "250 2.1.0 Ok")
                elif verb == "RCPT":
                    arg = line[8:] if line.upper().startswith("RCPT TO:") else line
                    addr = arg.strip().strip("<>").lower()
                    rep = cfg.rcpt_reply.get(addr, "250 2.1.5 Ok")
                    if rep.startswith("2") and not (cfg.mail_reply and not cfg.mail_reply.startswith("2")):
                        rcpts.append(arg)
                    send(rep)
                elif verb == "DATA":
                    if not rcpts:
                        send("554 5.5.1 Error: no valid recipients")
                    elif cfg.data_reply:
                        send(cfg.data_reply)
                    else:
                        send("354 End data with <CR><LF>.<CR><LF>")
                        in_data = True
                        data = b""
                elif verb == "RSET":
                    mail, rcpts = None, []
                    send("250 2.0.0 Ok")
                elif verb == "NOOP":
                    send("250 2.0.0 Ok")
                elif verb == "QUIT":
                    event(cfg, {"event": "batch", "conn": n, "commands": batch})
                    send("221 2.0.0 Bye")
                    return
                else:
                    send("502 5.5.2 Error: command not recognized")
            if batch:
                event(cfg, {"event": "batch", "conn": n, "commands": batch})
    except (OSError, socket.timeout):
        pass
    finally:
        raw.close()
        event(cfg, {"event": "close", "conn": n})
        try:
            conn.close()
        except OSError:
            pass


def serve_counted(cfg, conn, n):
    try:
        serve(cfg, conn, n)
    finally:
        with LOCK:
            COUNTERS["open"] -= 1


def main(argv):
    cfg = Config(argv)
    os.makedirs(cfg.logdir, exist_ok=True)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((cfg.host, cfg.port))
    srv.listen(64)
    srv.settimeout(0.2)
    open(os.path.join(cfg.logdir, "ready"), "w").close()
    end = time.time() + cfg.lifetime
    while time.time() < end:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        with LOCK:
            COUNTERS["conn"] += 1
            n = COUNTERS["conn"]
        conn.settimeout(cfg.lifetime)
        with LOCK:
            busy = cfg.max_sessions > 0 and COUNTERS["open"] >= cfg.max_sessions
            if not busy:
                COUNTERS["open"] += 1
        if busy:
            event(cfg, {"event": "busy", "conn": n})
            try:
                conn.sendall(reply_bytes("421 4.7.0 too many sessions"))
                conn.close()
            except OSError:
                pass
            continue
        threading.Thread(target=serve_counted, args=(cfg, conn, n), daemon=True).start()


if __name__ == "__main__":
    main(sys.argv)
