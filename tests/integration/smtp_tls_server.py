#!/usr/bin/python3
"""smtp_tls_server - a real SMTP server with STARTTLS (aiosmtpd) that records what it got.

usage: smtp_tls_server.py HOST PORT LOGDIR [options]
  --cert FILE        offer STARTTLS with this certificate chain (PEM); without
                     it the server does not offer STARTTLS at all
  --key FILE         its private key (default: the --cert file)
  --max-tls VER      highest TLS version the server speaks ("1.2", "1.3")
  --client-ca FILE   ask for a client certificate (optional) and verify it
                     with the CAs in FILE
  --inject           answer STARTTLS with "220 ..." and, in the same write,
                     a plaintext "250 injected" line (CVE-2011-0411): a client
                     that does not discard it goes out of step
  --refuse-after N   once N connections said EHLO, greet new ones with "421"
                     instead of 220 (connections without EHLO, such as
                     aiosmtpd's own start-up check, do not count)
  --name NAME        host name in the greeting and EHLO reply (default tls.test)
  --lifetime S       exit after S seconds (default 120)

The server is aiosmtpd (Debian's python3-aiosmtpd) with its own STARTTLS;
one SSL context serves every connection, so TLS 1.3 session tickets it
issues can be resumed on a later connection.

Records in LOGDIR: events.jsonl with one JSON object per line:
{"event": "connect", "n": N, "refused": BOOL} for every connection,
{"event": "ehlo", "peer": PORT, "tls": BOOL} for every EHLO,
{"event": "tls", "peer": PORT, "version": "TLSv1.3", "cipher": NAME,
"reused": BOOL, "client": CN} after each completed STARTTLS handshake
(client: the Common Name of a verified client certificate, or null), and
{"event": "message", "n": N, "tls": BOOL, "mail": ADDR, "rcpts": [...]} for
each accepted message, whose content is in msg-N.eml. LOGDIR/ready appears
once the server listens.
"""
import json
import os
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

LOCK = threading.Lock()
COUNT = {"msg": 0, "conn": 0, "ehlo_conns": 0}


def record(logdir, event):
    with LOCK:
        with open(os.path.join(logdir, "events.jsonl"), "a") as f:
            f.write(json.dumps(event) + "\n")


class Handler:
    def __init__(self, logdir):
        self.logdir = logdir

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if not getattr(session, "counted", False):
            session.counted = True
            with LOCK:
                COUNT["ehlo_conns"] += 1
        record(self.logdir, {"event": "ehlo", "peer": session.peer[1],
                             "tls": session.ssl is not None})
        return responses

    def handle_STARTTLS(self, server, session, envelope):
        obj = session.ssl.get("ssl_object") if session.ssl else None
        client = None
        cert = obj.getpeercert() if obj else None
        for rdn in (cert or {}).get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    client = value
        record(self.logdir, {"event": "tls", "peer": session.peer[1],
                             "version": obj.version() if obj else None,
                             "cipher": obj.cipher()[0] if obj else None,
                             "reused": bool(obj.session_reused) if obj else False,
                             "client": client})
        return True

    async def handle_DATA(self, server, session, envelope):
        with LOCK:
            COUNT["msg"] += 1
            n = COUNT["msg"]
        with open(os.path.join(self.logdir, "msg-%d.eml" % n), "wb") as f:
            f.write(envelope.original_content or b"")
        record(self.logdir, {"event": "message", "n": n, "tls": session.ssl is not None,
                             "mail": envelope.mail_from, "rcpts": envelope.rcpt_tos})
        return "250 2.0.0 Ok: queued as TLS%d" % n


class TestSMTP(SMTP):
    """With inject, sends a forged plaintext line right behind the 220 to
    STARTTLS; with refuse_after, greets late connections with 421."""
    inject = False
    refuse_after = None

    async def push(self, status):
        if not getattr(self, "_greeted", False):
            self._greeted = True
            with LOCK:
                COUNT["conn"] += 1
                n = COUNT["conn"]
                refused = self.refuse_after is not None and COUNT["ehlo_conns"] >= self.refuse_after
            record(self.event_handler.logdir, {"event": "connect", "n": n, "refused": refused})
            if refused:
                status = "421 4.3.2 Service not available"
        if self.inject and status.startswith("220 Ready to start TLS"):
            status = status + "\r\n250 injected"
        await super().push(status)


class TestController(Controller):
    def factory(self):
        return TestSMTP(self.handler, **self.SMTP_kwargs)


def main(argv):
    host, port, logdir = argv[1], int(argv[2]), argv[3]
    cert = key = None
    max_tls = None
    client_ca = None
    inject = False
    refuse_after = None
    name = "tls.test"
    lifetime = 120.0
    i = 4
    while i < len(argv):
        a = argv[i]
        if a == "--cert":
            cert = argv[i + 1]; i += 2
        elif a == "--key":
            key = argv[i + 1]; i += 2
        elif a == "--max-tls":
            max_tls = argv[i + 1]; i += 2
        elif a == "--client-ca":
            client_ca = argv[i + 1]; i += 2
        elif a == "--inject":
            inject = True; i += 1
        elif a == "--refuse-after":
            refuse_after = int(argv[i + 1]); i += 2
        elif a == "--name":
            name = argv[i + 1]; i += 2
        elif a == "--lifetime":
            lifetime = float(argv[i + 1]); i += 2
        else:
            sys.exit("unknown option " + a)
    os.makedirs(logdir, exist_ok=True)
    kwargs = {"hostname": host, "port": port, "server_hostname": name,
              "ready_timeout": 10.0}
    if cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key or cert)
        if max_tls == "1.2":
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        elif max_tls == "1.3":
            ctx.maximum_version = ssl.TLSVersion.TLSv1_3
        if client_ca:
            ctx.verify_mode = ssl.CERT_OPTIONAL
            ctx.load_verify_locations(client_ca)
        kwargs["tls_context"] = ctx
        kwargs["require_starttls"] = False
    TestSMTP.inject = inject
    TestSMTP.refuse_after = refuse_after
    controller = TestController(Handler(logdir), **kwargs)
    controller.start()
    open(os.path.join(logdir, "ready"), "w").close()
    try:
        time.sleep(lifetime)
    finally:
        controller.stop()


if __name__ == "__main__":
    main(sys.argv)
