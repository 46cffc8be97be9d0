#!/bin/bash
# The queue file and the directory that names it are fsynced before qmqpd
# writes K: SIGKILL cannot catch a missing fsync (the page cache survives
# it), so this traces the system calls of a real submission.
. "$(dirname "$0")/lib.sh"
command -v strace > /dev/null || t_fail "strace is not installed"
t_instance
t_ingest_only
t_start
pid=$(t_master_pid)
strace -f -qq -ttt -s 80 -e trace=openat,fsync,fdatasync,rename,renameat,renameat2,write \
    -o "$T_TMP/trace" -p "$pid" &
tracer=$!
sleep 1					# let strace attach
got=$(t_qmqp "$QPORT" --request 'Subject: traced\n\nbody\n' a@example.org b@example.org)
sleep 0.3
kill $tracer; wait $tracer 2>/dev/null
case $got in "REPLY K Ok: queued as "*) ;; *) t_fail "submission under strace: $got" ;; esac
qid=${got##* }
$PY - "$T_TMP/trace" "$qid" <<'PYEOF' || t_fail "fsync order is wrong (trace in $T_TMP/trace)"
import re, sys
trace, qid = sys.argv[1], sys.argv[2]
lines = [l.rstrip("\n") for l in open(trace)]
ev = []                                  # (time, pid, text)
pending = {}                             # pid -> index of an unfinished call
for l in lines:
    m = re.match(r"(\d+) +(\d+\.\d+) (.*)", l)
    if not m:
        continue
    t, pid, text = float(m.group(2)), int(m.group(1)), m.group(3)
    r = re.match(r"<\.\.\. \w+ resumed>(.*)", text)
    if r and pid in pending:             # join "call(... <unfinished ...>" and its end
        i = pending.pop(pid)
        ev[i] = (ev[i][0], pid, ev[i][2] + r.group(1))
        continue
    if text.endswith("<unfinished ...>"):
        pending[pid] = len(ev)
        text = text[:-len("<unfinished ...>")].rstrip()
    ev.append((t, pid, text))
def find(pred, what, after=0.0, pid=None):
    for t, p, s in ev:
        if t >= after and (pid is None or p == pid) and pred(s):
            return t, p, s
    sys.exit("not found in trace: " + what)
# cleanup creates the file in tmp/ and renames it into incoming/
t_open, cpid, s = find(lambda s: re.search(r'openat\(\d+, "%s", O_WRONLY\|O_CREAT\|O_EXCL' % qid, s),
                       "creation of tmp/" + qid)
fd = int(s.rsplit("=", 1)[1])
t_fsync_file, _, _ = find(lambda s: s.startswith("fsync(%d)" % fd) and s.endswith("= 0"),
                          "fsync of the queue file", t_open, cpid)
t_rename, _, s = find(lambda s: s.startswith("renameat2(") and '"%s"' % qid in s and s.endswith("= 0"),
                      "rename into incoming/", t_fsync_file, cpid)
dirfd = int(re.search(r'"%s", (\d+), "%s"' % (qid, qid), s).group(1))
t_fsync_dir, _, _ = find(lambda s: s.startswith("fsync(%d)" % dirfd) and s.endswith("= 0"),
                         "fsync of incoming/", t_rename, cpid)
t_k, qpid, _ = find(lambda s: re.search(r'write\(\d+, "\d+:KOk: queued as %s' % qid, s), "the K reply")
assert qpid != cpid
print("fsync file %.6f < rename %.6f < fsync dir %.6f < K %.6f" % (t_fsync_file, t_rename, t_fsync_dir, t_k))
if not (t_fsync_file <= t_rename <= t_fsync_dir < t_k):
    sys.exit("wrong order")
PYEOF
t_pass
