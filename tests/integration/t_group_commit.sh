#!/bin/bash
# A group commit's leader that stops in the middle (SIGSTOP) holds back no
# one for long and lets no one be answered early. A stand-in leader (a
# process that takes the leader's lock on tmp/.commit, as a cleanup does
# before its syncfs, and is then stopped) blocks the group: clients that
# submit meanwhile get K only after the follower's wait (about 1 s), never
# at once, and not never; their cleanups then sync on their own (fsync of
# the file and of incoming/, seen in a trace) before answering. Once the
# stopped leader is killed, submissions are answered at once again.
. "$(dirname "$0")/lib.sh"
t_instance
t_ingest_only
t_start
# Traced from before the first submission, so that every process the
# submissions use is followed.
t_trace_start "$T_TMP/trace" -e trace=fsync,syncfs,write,renameat2
got=$(t_qmqp "$QPORT" --request 'Subject: warm-up\n\nbody\n' a@example.org b@example.org)
case $got in "REPLY K "*) ;; *) t_fail "warm-up: $got" ;; esac
[ -f "$SPOOL/tmp/.commit" ] || t_fail "no group commit file $SPOOL/tmp/.commit"

# The stand-in leader: lock, then stop itself.
$PY - "$SPOOL/tmp/.commit" > "$T_TMP/leader.out" <<'PYEOF' &
import fcntl, os, signal, sys
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
os.kill(os.getpid(), signal.SIGSTOP)
PYEOF
leader=$!
t_wait_until 5 grep -q locked "$T_TMP/leader.out" || t_fail "stand-in leader did not lock"
t_wait_until 5 sh -c "grep -q '^State:.*T' /proc/$leader/status" || t_fail "stand-in leader did not stop"

t0=$(date +%s.%N)
for i in 1 2 3; do
    t_qmqp "$QPORT" --request "Subject: behind a stopped leader $i\n\nbody\n" \
	a@example.org b@example.org > "$T_TMP/reply.$i" &
done
start=$(date +%s.%N)
wait $(jobs -p | grep -v -e "^$T_TRACER\$" -e "^$leader\$") 2>/dev/null
took=$(echo "$(date +%s.%N) - $start" | bc)
t_trace_stop
for i in 1 2 3; do
    got=$(cat "$T_TMP/reply.$i")
    case $got in "REPLY K Ok: queued as "*) ;; *) t_fail "submission $i behind a stopped leader: $got" ;; esac
done
t_log "three submissions behind a stopped leader answered after $took s"
[ "$(echo "$took >= 0.9" | bc)" = 1 ] || t_fail "answered after $took s: before the follower's wait was over"
[ "$(echo "$took < 8" | bc)" = 1 ] || t_fail "answered only after $took s"
# Their cleanups synced on their own: fsync of the file, then of the
# directory, and no syncfs (the lock was never theirs).
$PY - "$T_ROOT/tests/integration" "$T_TMP/trace" "$t0" \
    $(for i in 1 2 3; do sed 's/.* //' "$T_TMP/reply.$i"; done) <<'PYEOF' \
    || t_fail "the followers' own syncs are wrong (trace in $T_TMP/trace)"
import re, sys
sys.path.insert(0, sys.argv[1])
from strace_events import events, ok
t0 = float(sys.argv[3])
# Joined events, so that a call strace split across lines (another
# process wrote in between) still counts.
ev = [e for e in events(sys.argv[2]) if e[0] >= t0]
if any(e[3].startswith("syncfs(") for e in ev):
    sys.exit("a syncfs ran while the leader's lock was held")
for qid in sys.argv[4:]:
    k = [e[0] for e in ev if re.match(r'write\(\d+, "\d+:KOk: queued as %s' % qid, e[3])]
    if not k:
        sys.exit(qid + ": no K in the trace")
    r = [e for e in ev if e[0] < k[0] and e[3].startswith("renameat2(")
         and re.search(r'"%s"' % qid, e[3]) and ok(e[3])]
    if not r:
        sys.exit(qid + ": no rename into place before its K")
    # The cleanup that renamed it: two fsyncs (file, directory) after the
    # rename, finished before the K.
    own = [e for e in ev if e[2] == r[0][2] and e[3].startswith("fsync(")
           and ok(e[3]) and r[0][1] <= e[0] and e[1] < k[0]]
    if len(own) < 2:
        sys.exit("%s: K with %d of its cleanup's fsyncs after the rename" % (qid, len(own)))
print("each K came after its cleanup's own fsyncs")
PYEOF

# The stopped leader dies: its lock goes with it, and the group works again.
kill -KILL $leader; wait $leader 2>/dev/null
start=$(date +%s.%N)
got=$(t_qmqp "$QPORT" --request 'Subject: after\n\nbody\n' a@example.org b@example.org)
took=$(echo "$(date +%s.%N) - $start" | bc)
case $got in "REPLY K "*) ;; *) t_fail "after the leader died: $got" ;; esac
[ "$(echo "$took < 0.8" | bc)" = 1 ] || t_fail "after the leader died a submission took $took s"
t_pass
