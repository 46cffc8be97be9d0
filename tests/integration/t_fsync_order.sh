#!/bin/bash
# Every K qmqpd writes comes after the message was made durable: SIGKILL
# cannot catch a missing sync (the page cache survives it), so this traces
# the system calls of 12 concurrent submissions. For each queue id, cleanup
# wrote the file's data out (sync_file_range, waiting) before renaming it
# into incoming/, and before the K there finished either a syncfs() of the
# spool that began after that rename (by this cleanup or by another, the
# group commit's leader; docs/design.md "Group commit"), or this cleanup's
# own fsync of the file and then of incoming/. syncfs is slowed down as on
# a slow disk, and at least one message must be covered by another
# process's sync, or the group commit did not group.
. "$(dirname "$0")/lib.sh"
t_instance
t_ingest_only
t_start
# Twelve qmqpd processes, each with its cleanup, before the traced burst:
# started one after another on demand (as master does), slowly under
# sanitizers, they would otherwise spread the burst out over time.
for i in $(seq 12); do
    t_qmqp "$QPORT" --pause-at 10 1 --request "Subject: warm-up $i\n\nbody\n" \
	a@example.org b@example.org > "$T_TMP/warm.$i" &
done
wait
for i in $(seq 12); do
    grep -q "^REPLY K" "$T_TMP/warm.$i" || t_fail "warm-up $i: $(cat "$T_TMP/warm.$i")"
done
# Each syncfs is made to last 50 ms longer, as on a slow disk, so that
# messages arrive while a leader syncs and must be covered by the next.
t_trace_start "$T_TMP/trace" \
    -e trace=openat,fsync,fdatasync,sync_file_range,syncfs,rename,renameat,renameat2,write \
    -e inject=syncfs:delay_exit=50000
# All connect, send 10 bytes and wait, then send the rest at about the
# same moment, so that several cleanups commit at once.
for i in $(seq 12); do
    t_qmqp "$QPORT" --pause-at 10 2 --request "Subject: traced $i\n\nbody\n" \
	a@example.org b@example.org > "$T_TMP/reply.$i" &
done
wait $(jobs -p | grep -v "^$T_TRACER\$") 2>/dev/null
sleep 0.3
t_trace_stop
ids=""
for i in $(seq 12); do
    got=$(cat "$T_TMP/reply.$i")
    case $got in "REPLY K Ok: queued as "*) ;; *) t_fail "submission $i under strace: $got" ;; esac
    ids="$ids ${got##* }"
done
$PY - "$T_ROOT/tests/integration" "$T_TMP/trace" $ids <<'PYEOF' || t_fail "sync order is wrong (trace in $T_TMP/trace)"
import re, sys
sys.path.insert(0, sys.argv[1])
from strace_events import events, find as find_in, ok
trace, qids = sys.argv[2], sys.argv[3:]
ev = events(trace)
find = lambda pred, what, after=0.0, pid=None: find_in(ev, pred, what, after, pid)
grouped = 0
for qid in qids:
    e = find(lambda s: re.search(r'openat\(\d+, "%s", O_WRONLY\|O_CREAT\|O_EXCL' % qid, s),
             "creation of tmp/" + qid)
    t_open, cpid, fd = e[0], e[2], int(e[3].rsplit("=", 1)[1])
    e = find(lambda s: s.startswith("renameat2(") and '"%s"' % qid in s and ok(s),
             qid + ": rename into incoming/", t_open, cpid)
    t_rename, dirfd = e[1], int(re.search(r'"%s", (\d+), "%s"' % (qid, qid), e[3]).group(1))
    e = find(lambda s: (s.startswith("sync_file_range(%d," % fd) or s.startswith("fsync(%d)" % fd))
             and ok(s), qid + ": data written out", t_open, cpid)
    if e[1] > t_rename:
        sys.exit(qid + ": renamed before its data was written out")
    t_k = find(lambda s: re.search(r'write\(\d+, "\d+:KOk: queued as %s' % qid, s), qid + ": K")[0]
    # A syncfs by any process that began after the rename and ended before K ...
    cover = [x for x in ev if x[3].startswith("syncfs(") and ok(x[3])
             and x[0] >= t_rename and x[1] <= t_k]
    if cover:
        if all(x[2] != cpid for x in cover):
            grouped += 1
        print("%s: renamed %.6f, syncfs %.6f-%.6f by %s, K %.6f" % (qid, t_rename, cover[0][0],
              cover[0][1], "itself" if cover[0][2] == cpid else "a leader", t_k))
        continue
    # ... or its own fsync of the file and then of the directory.
    f = find(lambda s: s.startswith("fsync(%d)" % fd) and ok(s), qid + ": a sync before K",
             t_rename, cpid)
    d = find(lambda s: s.startswith("fsync(%d)" % dirfd) and ok(s), qid + ": fsync of incoming/",
             f[1], cpid)
    if d[1] > t_k:
        sys.exit(qid + ": K before the sync finished")
    print("%s: renamed %.6f, own fsyncs until %.6f, K %.6f" % (qid, t_rename, d[1], t_k))
print("%d of %d messages made durable by another cleanup's sync" % (grouped, len(qids)))
if grouped == 0:
    sys.exit("no message was covered by another process's sync: nothing was grouped")
PYEOF
t_pass
