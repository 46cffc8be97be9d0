#!/bin/bash
# A bounce record is durable before the bounce service answers
# (docs/design.md invariant 3: the smtp client marks the recipient done on that answer):
# write the record, fsync the file, fsync bounce/ when the file is new,
# and only then write status 0. SIGKILL cannot catch a missing fsync (the
# page cache survives it), so this traces the system calls, as
# t_fsync_order.sh does for cleanup.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bounce_lib.sh"
command -v strace > /dev/null || t_fail "strace is not installed"
b_instance
t_start
qid=$(b_submit 'Subject: traced\n\nbody\n' alice@example.org a@host.test b@host.test)
pid=$(t_master_pid)
strace -f -qq -ttt -s 80 -e trace=openat,fsync,fdatasync,write,flock \
    -o "$T_TMP/trace" -p "$pid" &
tracer=$!
sleep 1					# let strace attach
b_append bounce "$qid" a@host.test 5.1.1 mx1.host.test 'smtp; 550 5.1.1 no such user' 'first'
b_append bounce "$qid" b@host.test 5.1.1 mx1.host.test 'smtp; 550 5.1.1 no such user' 'second'
sleep 0.3
kill $tracer; wait $tracer 2>/dev/null
t_assert_eq 2 "$(wc -l < "$SPOOL/bounce/$qid")" "records in bounce/$qid"
$PY - "$T_TMP/trace" "$qid" <<'PYEOF' || t_fail "bounce record not durable before the answer (trace in $T_TMP/trace)"
import re, sys
trace, qid = sys.argv[1], sys.argv[2]
ev, pending = [], {}
for l in open(trace):
    m = re.match(r"(\d+) +(\d+\.\d+) (.*)", l.rstrip("\n"))
    if not m:
        continue
    pid, t, text = int(m.group(1)), float(m.group(2)), m.group(3)
    r = re.match(r"<\.\.\. \w+ resumed>(.*)", text)
    if r and pid in pending:
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
# First append: the file is created.
t_open, bpid, s = find(lambda s: re.search(r'openat\(AT_FDCWD, "bounce/%s", [^)]*O_CREAT' % qid, s)
                       and not s.endswith("= -1 EEXIST (File exists)"), "creation of bounce/" + qid)
fd = int(s.rsplit("=", 1)[1])
t_rec, _, _ = find(lambda s: s.startswith("write(%d, \"" % fd) and "address=a@host.test" in s,
                   "the first record written", t_open, bpid)
t_fsync, _, _ = find(lambda s: s.startswith("fsync(%d)" % fd) and s.endswith("= 0"),
                     "fsync of bounce/" + qid, t_rec, bpid)
t_dopen, _, s = find(lambda s: re.search(r'openat\(AT_FDCWD, "bounce", O_RDONLY[^)]*O_DIRECTORY', s),
                     "open of bounce/", t_fsync, bpid)
dfd = int(s.rsplit("=", 1)[1])
t_dsync, _, _ = find(lambda s: s.startswith("fsync(%d)" % dfd) and s.endswith("= 0"),
                     "fsync of bounce/", t_dopen, bpid)
t_ans, _, _ = find(lambda s: re.match(r'write\(\d+, "8:status=0,', s), "the answer", t_rec, bpid)
print("record %.6f < fsync file %.6f < fsync dir %.6f < answer %.6f" % (t_rec, t_fsync, t_dsync, t_ans))
if not (t_rec < t_fsync < t_dsync < t_ans):
    sys.exit("wrong order for the first record")
# Second append, to the existing file: fsync before the answer too.
t_open2, bpid2, s = find(lambda s: re.search(r'openat\(AT_FDCWD, "bounce/%s", ' % qid, s)
                         and re.search(r"= \d+$", s), "second open of bounce/" + qid, t_ans)
fd2 = int(s.rsplit("=", 1)[1])
t_rec2, _, _ = find(lambda s: s.startswith("write(%d, \"" % fd2) and "address=b@host.test" in s,
                    "the second record written", t_open2, bpid2)
t_fsync2, _, _ = find(lambda s: s.startswith("fsync(%d)" % fd2) and s.endswith("= 0"),
                      "second fsync of bounce/" + qid, t_rec2, bpid2)
t_ans2, _, _ = find(lambda s: re.match(r'write\(\d+, "8:status=0,', s), "the second answer", t_rec2, bpid2)
print("record %.6f < fsync file %.6f < answer %.6f" % (t_rec2, t_fsync2, t_ans2))
if not (t_rec2 < t_fsync2 < t_ans2):
    sys.exit("wrong order for the second record")
PYEOF
t_pass
