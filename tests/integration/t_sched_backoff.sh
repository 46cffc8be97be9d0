#!/bin/bash
# Backoff (scheduler.md §10 items 36, 37): a message whose recipient the
# sink always rejects with 4xx, with minimal_backoff_time 2s, maximal 8s and
# queue_run_delay 1s. Each time it is deferred, the file's mtime (its next
# try) is now + clamp(age, 2, 8) within 1 s, and the next attempt comes in
# [delay - 1, delay + 2] s: the gaps grow about 2, 2, 4, 8, then stay 8.
. "$(dirname "$0")/lib.sh"

t_deliver_instance minimal_backoff_time=2s maximal_backoff_time=8s queue_run_delay=1s
t_sink "$SPORT" "$T_TMP/sink" -r RCPT
t_start
$PH send -f sender@example.org rcpt@example.net <<EOF >/dev/null || t_fail "send"
Subject: backoff

always deferred
EOF
id=$(ls "$SPOOL/incoming" "$SPOOL/active" "$SPOOL/deferred" 2>/dev/null | grep -E '^[0-9A-Z]{16}$' | head -1)
[ -n "$id" ] || t_fail "message not queued"
# Watch the file move between active/ and deferred/ for 36 s.
$PY - "$SPOOL" "$id" > "$T_TMP/report" <<'PYEOF' || { cat "$T_TMP/report"; t_fail "backoff out of bounds"; }
import os, sys, time
spool, qid = sys.argv[1], sys.argv[2]
deferred = os.path.join(spool, "deferred", qid)
start = time.time()
last_mtime = None
events = []          # (deferred_at, delay_in_mtime, age)
# An attempt takes milliseconds: a new deferral shows as a new mtime.
while time.time() - start < 36:
    try:
        st = os.stat(deferred)
        now = time.time()
        if st.st_mtime != last_mtime:
            events.append((now, st.st_mtime - now, now - start))
            last_mtime = st.st_mtime
    except FileNotFoundError:
        pass
    time.sleep(0.02)
bad = 0
for i, (at, delay, age) in enumerate(events):
    want = min(max(age, 2), 8)
    line = "deferral at age %5.1f: next try in %4.1f s (expected %4.1f)" % (age, delay, want)
    # The mtime has whole seconds, rounded up.
    if not (want - 0.1 <= delay <= want + 1.1):
        line += "  <-- mtime out of bounds"; bad = 1
    if i + 1 < len(events):
        gap = events[i + 1][0] - at
        line += "; retried after %4.1f s" % gap
        if not (want - 1.05 <= gap <= want + 2):
            line += "  <-- gap out of bounds"; bad = 1
    print(line)
if len(events) < 5:
    print("only %d deferrals in 36 s" % len(events)); bad = 1
elif max(d for _, d, _ in events) < 7.9:
    print("the delay never reached maximal_backoff_time"); bad = 1
sys.exit(bad)
PYEOF
sed "s/^/[$T_NAME] /" "$T_TMP/report"
t_pass
