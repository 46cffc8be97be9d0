#!/usr/bin/python3
"""smtp_tarpit_server.py - hostile SMTP servers that drip, for t_smtp_tarpit.sh

usage: smtp_tarpit_server.py DIR PORT ADDR=MODE... [--lifetime S] [--drip MIN MAX]
       smtp_tarpit_server.py --report DIR [--first-round N]

Listens on PORT at every ADDR (loopback addresses) and plays one tarpit
per address. Modes:
  greet  never finishes the greeting: "220-" lines, one byte every MIN..MAX
         seconds (default 1..2), for ever
  rcpt   greets, answers EHLO and MAIL at once, then drips the reply to RCPT
  dot    answers everything at once up to the content, then drips the reply
         to the final "."
A client that gives up is noticed at once (its end of file), so a
connection's recorded end is when the client hung up.

DIR/ready appears when every address listens. Each connection becomes one
JSON line in DIR/conns.jsonl when it ends: addr, mode, start and end (epoch
seconds), bytes_in. The server stops by itself after --lifetime seconds
(default 150) or on SIGTERM; connections still open are then written with
their end as that moment and "open": true.

--report prints figures from DIR/conns.jsonl as "name value" lines:
connections, peak concurrent connections (in all, and to one address), the
longest finished connection per mode, and with --first-round N the most
connections one address had at once after the first N connections to it
had all ended (and how many connections came after those N).
"""
import asyncio
import json
import os
import random
import signal
import sys
import time

GREET_DRIP = b"220-tarpit.test ESMTP is thinking it over\r\n"
RCPT_DRIP = b"250-2.1.5 still checking that recipient\r\n"
DOT_DRIP = b"250-2.0.0 still storing your message\r\n"


class Tarpit:
    def __init__(self, outdir, drip_min, drip_max):
        self.outdir = outdir
        self.drip_min = drip_min
        self.drip_max = drip_max
        self.open = {}
        self.log = open(os.path.join(outdir, "conns.jsonl"), "a", buffering=1)

    def record(self, rec, still_open=False):
        rec = dict(rec)
        rec["end"] = time.time()
        if still_open:
            rec["open"] = True
        self.log.write(json.dumps(rec) + "\n")

    async def drip(self, reader, writer, text):
        """One byte at a time for ever; returns when the client hangs up."""
        eof = asyncio.ensure_future(reader.read())     # the client sends nothing more
        i = 0
        try:
            while not eof.done():
                writer.write(text[i % len(text):i % len(text) + 1])
                i += 1
                await writer.drain()
                await asyncio.wait([eof], timeout=random.uniform(self.drip_min, self.drip_max))
        except (ConnectionError, OSError):
            pass
        finally:
            eof.cancel()

    async def converse(self, reader, writer, mode, rec):
        async def say(text):
            writer.write(text)
            await writer.drain()

        await say(b"220 tarpit.test ESMTP\r\n")
        while True:
            line = await reader.readline()
            if not line:
                return
            rec["bytes_in"] += len(line)
            cmd = line[:4].upper()
            if cmd in (b"EHLO", b"HELO"):
                await say(b"250 tarpit.test\r\n")
            elif cmd == b"MAIL":
                await say(b"250 2.1.0 Ok\r\n")
            elif cmd == b"RCPT":
                if mode == "rcpt":
                    return await self.drip(reader, writer, RCPT_DRIP)
                await say(b"250 2.1.5 Ok\r\n")
            elif cmd == b"DATA":
                await say(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                while True:
                    line = await reader.readline()
                    if not line:
                        return
                    rec["bytes_in"] += len(line)
                    if line in (b".\r\n", b".\n"):
                        break
                if mode == "dot":
                    return await self.drip(reader, writer, DOT_DRIP)
                await say(b"250 2.0.0 Ok: queued\r\n")
            elif cmd == b"RSET":
                await say(b"250 2.0.0 Ok\r\n")
            elif cmd == b"QUIT":
                await say(b"221 2.0.0 Bye\r\n")
                return
            else:
                await say(b"502 5.5.2 Error: command not recognized\r\n")

    async def serve(self, reader, writer, addr, mode):
        rec = {"addr": addr, "mode": mode, "start": time.time(), "bytes_in": 0}
        key = id(rec)
        self.open[key] = rec
        try:
            if mode == "greet":
                await self.drip(reader, writer, GREET_DRIP)
            else:
                await self.converse(reader, writer, mode, rec)
        except (ConnectionError, OSError):
            pass
        finally:
            del self.open[key]
            self.record(rec)
            writer.close()

    def flush_open(self):
        for rec in list(self.open.values()):
            self.record(rec, still_open=True)
        self.open.clear()


async def main(argv):
    lifetime = 150.0
    drip_min, drip_max = 1.0, 2.0
    args = []
    i = 0
    while i < len(argv):
        if argv[i] == "--lifetime":
            lifetime = float(argv[i + 1])
            i += 2
        elif argv[i] == "--drip":
            drip_min, drip_max = float(argv[i + 1]), float(argv[i + 2])
            i += 3
        else:
            args.append(argv[i])
            i += 1
    outdir, port, specs = args[0], int(args[1]), args[2:]
    os.makedirs(outdir, exist_ok=True)
    tarpit = Tarpit(outdir, drip_min, drip_max)
    servers = []
    for spec in specs:
        addr, mode = spec.split("=", 1)
        if mode not in ("greet", "rcpt", "dot"):
            sys.exit("unknown mode: " + mode)

        def handler(r, w, addr=addr, mode=mode):
            return tarpit.serve(r, w, addr, mode)
        servers.append(await asyncio.start_server(handler, addr, port, reuse_address=True,
                                                  backlog=256))
    stop = asyncio.get_running_loop().create_future()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(0))
    loop.call_later(lifetime, lambda: stop.done() or stop.set_result(0))
    with open(os.path.join(outdir, "ready"), "w") as f:
        f.write("%d\n" % os.getpid())
    await stop
    for s in servers:
        s.close()
    tarpit.flush_open()


def peak(recs, since=None):
    """Most connections open at once (counting only instants from since on)."""
    events = sorted([(r["start"], 1) for r in recs] + [(r["end"], -1) for r in recs],
                    key=lambda e: (e[0], e[1]))
    now = top = 0
    for t, d in events:
        now += d
        if since is None or t >= since:
            top = max(top, now)
    return top


def report(outdir, first_round):
    recs = [json.loads(l) for l in open(os.path.join(outdir, "conns.jsonl")) if l.strip()]
    print("connections %d" % len(recs))
    print("peak_concurrent %d" % peak(recs))
    for mode in ("greet", "rcpt", "dot"):
        durations = [r["end"] - r["start"] for r in recs if r["mode"] == mode and not r.get("open")]
        print("longest_%s %.1f" % (mode, max(durations) if durations else 0))
        print("closed_%s %d" % (mode, len(durations)))
    per_addr = after = later = 0
    for addr in set(r["addr"] for r in recs):
        mine = sorted([r for r in recs if r["addr"] == addr], key=lambda r: r["start"])
        per_addr = max(per_addr, peak(mine))
        if first_round and len(mine) > first_round:
            # From the moment the first round's last connection closed.
            end = max(r["end"] for r in mine[:first_round])
            after = max(after, peak(mine, since=end))
            later += len(mine) - first_round
    print("peak_per_address %d" % per_addr)
    if first_round:
        print("peak_per_address_after_first_round %d" % after)
        print("connections_after_first_round %d" % later)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--report":
        first = 0
        if "--first-round" in sys.argv:
            first = int(sys.argv[sys.argv.index("--first-round") + 1])
        report(sys.argv[2], first)
    else:
        asyncio.run(main(sys.argv[1:]))
