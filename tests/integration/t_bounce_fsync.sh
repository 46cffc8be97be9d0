#!/bin/bash
# A bounce record is durable before the bounce service answers
# (docs/design.md invariant 3: the smtp client marks the recipient done on that answer):
# write the record, fsync the file, fsync bounce/ when the file is new,
# and only then write status 0. SIGKILL cannot catch a missing fsync (the
# page cache survives it), so this traces the system calls, as
# t_fsync_order.sh does for cleanup.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bounce_lib.sh"
b_instance
t_start
qid=$(b_submit 'Subject: traced\n\nbody\n' alice@example.org a@host.test b@host.test)
t_trace_start "$T_TMP/trace" -e trace=openat,fsync,fdatasync,write,flock
b_append bounce "$qid" a@host.test 5.1.1 mx1.host.test 'smtp; 550 5.1.1 no such user' 'first'
b_append bounce "$qid" b@host.test 5.1.1 mx1.host.test 'smtp; 550 5.1.1 no such user' 'second'
sleep 0.3
t_trace_stop
t_assert_eq 2 "$(wc -l < "$SPOOL/bounce/$qid")" "records in bounce/$qid"
$PY - "$T_ROOT/tests/integration" "$T_TMP/trace" "$qid" <<'PYEOF' || t_fail "bounce record not durable before the answer (trace in $T_TMP/trace)"
import re, sys
sys.path.insert(0, sys.argv[1])
from strace_events import events, find as find_in
trace, qid = sys.argv[2], sys.argv[3]
ev = events(trace)
def find(pred, what, after=0.0, pid=None):
    e = find_in(ev, pred, what, after, pid)
    return e[0], e[2], e[3]
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
