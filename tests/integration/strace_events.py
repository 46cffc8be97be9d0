"""strace_events - read an "strace -f -ttt" trace as system call events.

events(path) -> list of [start, end, pid, text], in the order the calls
began: a call strace split into "<unfinished ...>" and "<... resumed>"
lines is joined, its end being the time of the resumed line; text is the
whole call with its result ("fsync(9) = 0", perhaps "(DELAYED)" after it).
find(events, pred, what, after, pid) -> the first event at or after
`after` (by start), of that pid if given, whose text pred accepts; exits
with "not found in trace: what" otherwise. ok(text): the call returned 0.
"""
import re
import sys


def events(path):
    ev = []
    pending = {}                        # pid -> index of an unfinished call
    for line in open(path):
        m = re.match(r"(\d+) +(\d+\.\d+) (.*)", line.rstrip("\n"))
        if not m:
            continue
        pid, t, text = int(m.group(1)), float(m.group(2)), m.group(3)
        r = re.match(r"<\.\.\. \w+ resumed>(.*)", text)
        if r and pid in pending:
            i = pending.pop(pid)
            ev[i][1] = t
            ev[i][3] += r.group(1)
            continue
        if text.endswith("<unfinished ...>"):
            pending[pid] = len(ev)
            text = text[:-len("<unfinished ...>")].rstrip()
        ev.append([t, t, pid, text])
    return ev


def find(ev, pred, what, after=0.0, pid=None):
    for e in ev:
        if e[0] >= after and (pid is None or e[2] == pid) and pred(e[3]):
            return e
    sys.exit("not found in trace: " + what)


def ok(text):
    return re.search(r"= 0( \(DELAYED\))?$", text) is not None
