#!/usr/bin/python3
"""smtp_auth_server - an SMTP server with AUTH (aiosmtpd) that records what clients did.

usage: smtp_auth_server.py HOST PORT LOGDIR [options]
  --user NAME:PASSWORD   an account (repeatable)
  --mechs "M1 M2..."     mechanisms offered, from PLAIN LOGIN CRAM-MD5
                         (default: all three)
  --form auth|equals|both
                         advertise "250-AUTH mechs" (default), the old
                         "250-AUTH=mechs", or both lines
  --auth-reply REPLY     answer every AUTH command with REPLY at once
                         (e.g. "454 4.7.0 Temporary authentication failure")
  --challenge TEXT       answer every AUTH command with "334 TEXT", record the
                         client's answer ({"event": "auth-response", ...}), then
                         reply 501 to "*" and 535 to anything else
  --require-auth         refuse MAIL FROM with 530 before a successful AUTH
  --cert FILE            offer STARTTLS with this certificate chain and key (PEM)
  --lifetime S           exit after S seconds (default 120)

AUTH is offered in the clear (auth_require_tls=False), as a server behind
a submission port with lax settings would. CRAM-MD5 (RFC 2195) is
implemented here, because aiosmtpd has only PLAIN and LOGIN: a client
that refuses plaintext mechanisms still has something to use.

Records in LOGDIR/events.jsonl, one JSON object per line:
  {"event": "connect", "conn": N}
  {"event": "auth-command", "conn": N, "mech": "PLAIN", "tls": BOOL}
                                       (every AUTH command; tls: after STARTTLS)
  {"event": "auth", "conn": N, "mech": M, "user": U, "ok": true|false}
  {"event": "message", "conn": N, "auth_user": U or null, "mail": S, "rcpts": [...]}
LOGDIR/ready appears once the server listens.
"""
import asyncio
import base64
import hmac
import json
import os
import secrets
import ssl
import sys
import threading
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, MISSING, auth_mechanism

LOCK = threading.Lock()
COUNT = {"conn": 0}
ALL_MECHS = ["CRAM-MD5", "LOGIN", "PLAIN"]


class Config:
    def __init__(self, argv):
        self.host, self.port, self.logdir = argv[1], int(argv[2]), argv[3]
        self.users = {}
        self.mechs = list(ALL_MECHS)
        self.form = "auth"
        self.auth_reply = None
        self.challenge = None
        self.require_auth = False
        self.cert = None
        self.lifetime = 120.0
        i = 4
        while i < len(argv):
            a = argv[i]
            if a == "--user":
                name, _, password = argv[i + 1].partition(":")
                self.users[name.encode()] = password.encode()
                i += 2
            elif a == "--mechs":
                self.mechs = argv[i + 1].upper().split()
                i += 2
            elif a == "--form":
                self.form = argv[i + 1]
                i += 2
            elif a == "--auth-reply":
                self.auth_reply = argv[i + 1]
                i += 2
            elif a == "--challenge":
                self.challenge = argv[i + 1]
                i += 2
            elif a == "--require-auth":
                self.require_auth = True
                i += 1
            elif a == "--cert":
                self.cert = argv[i + 1]
                i += 2
            elif a == "--lifetime":
                self.lifetime = float(argv[i + 1])
                i += 2
            else:
                sys.exit("unknown option " + a)


CFG = Config(sys.argv)


def event(obj):
    with LOCK:
        with open(os.path.join(CFG.logdir, "events.jsonl"), "a") as f:
            f.write(json.dumps(obj) + "\n")


def authenticator(server, session, envelope, mechanism, auth_data):
    """Check a user name and password (PLAIN, LOGIN)."""
    user, password = auth_data.login, auth_data.password
    ok = CFG.users.get(user) == password
    event({"event": "auth", "conn": session.conn, "mech": mechanism,
           "user": user.decode("latin-1"), "ok": ok})
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


class Handler:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        out = []
        for line in responses:
            if line.startswith("250-AUTH "):
                mechs = line[len("250-AUTH "):]
                if CFG.form in ("auth", "both"):
                    out.append("250-AUTH " + mechs)
                if CFG.form in ("equals", "both"):
                    out.append("250-AUTH=" + mechs)
            else:
                out.append(line)
        return out

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if CFG.require_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        user = session.auth_data.login.decode("latin-1") if session.authenticated else None
        event({"event": "message", "conn": session.conn, "auth_user": user,
               "mail": envelope.mail_from, "rcpts": envelope.rcpt_tos})
        return "250 2.0.0 Ok: queued"


class AuthSMTP(SMTP):
    def connection_made(self, transport):
        super().connection_made(transport)
        with LOCK:
            COUNT["conn"] += 1
            self.session.conn = COUNT["conn"]
        event({"event": "connect", "conn": self.session.conn})

    async def smtp_AUTH(self, arg):
        event({"event": "auth-command", "conn": self.session.conn,
               "mech": (arg.split() or [""])[0].upper(),
               "tls": self._tls_protocol is not None})
        if CFG.auth_reply is not None:
            return await self.push(CFG.auth_reply)
        if CFG.challenge is not None:
            await self.push("334 " + CFG.challenge)
            line = (await self._reader.readline()).strip().decode("latin-1")
            event({"event": "auth-response", "conn": self.session.conn, "line": line})
            return await self.push("501 5.7.0 Auth aborted" if line == "*"
                                   else "535 5.7.8 Authentication credentials invalid")
        return await super().smtp_AUTH(arg)

    @auth_mechanism("CRAM-MD5")
    async def auth_CRAM_MD5(self, server, args):
        challenge = ("<%s.%d@sink.test>" % (secrets.token_hex(8), int(time.time()))).encode()
        response = await self.challenge_auth(challenge)
        if response is MISSING:
            return AuthResult(success=False, handled=True)
        user, _, digest = response.rpartition(b" ")
        password = CFG.users.get(user)
        ok = password is not None and hmac.compare_digest(
            hmac.new(password, challenge, "md5").hexdigest().encode(), digest)
        event({"event": "auth", "conn": self.session.conn, "mech": "CRAM-MD5",
               "user": user.decode("latin-1"), "ok": ok})
        return AuthResult(success=ok, handled=False, auth_data=LoginPassword(user, b""))


def main():
    os.makedirs(CFG.logdir, exist_ok=True)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    excluded = [m for m in ALL_MECHS if m not in CFG.mechs]
    tls = None
    if CFG.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(CFG.cert)

    def factory():
        return AuthSMTP(Handler(), hostname="sink.test", authenticator=authenticator,
                        auth_require_tls=False, auth_exclude_mechanism=excluded,
                        tls_context=tls, require_starttls=False, loop=loop)

    server = loop.run_until_complete(loop.create_server(factory, CFG.host, CFG.port))
    open(os.path.join(CFG.logdir, "ready"), "w").close()
    loop.call_later(CFG.lifetime, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
