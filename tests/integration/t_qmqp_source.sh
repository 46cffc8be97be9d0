#!/bin/bash
# Postfix's qmqp-source sends 2000 messages with 3 recipients each at
# concurrency 20: exactly 2000 complete queue files with the right envelopes.
. "$(dirname "$0")/lib.sh"
t_instance
t_ingest_only
t_start
timeout 120 qmqp-source -s 20 -m 2000 -r 3 -l 1500 -f sender@example.org \
    -t rcpt@example.net "127.0.0.1:$QPORT" || t_fail "qmqp-source failed"
t_assert_eq 2000 "$(t_queue_count)" "queue files after 2000 submissions"
$PH queue -j > "$T_TMP/queue.json" || t_fail "posthorn queue -j"
$PY - "$T_TMP/queue.json" <<'PYEOF' || t_fail "envelopes are not as sent"
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
assert len(msgs) == 2000, len(msgs)
want = ["0rcpt@example.net", "1rcpt@example.net", "2rcpt@example.net"]
for m in msgs:
    assert m["queue_name"] == "incoming", m
    assert m["sender"] == "sender@example.org", m
    got = sorted(r["address"] for r in m["recipients"])
    assert got == want, got
    assert m["message_size"] > 1500, m
assert len({m["queue_id"] for m in msgs}) == 2000
PYEOF
[ -z "$(ls "$SPOOL/tmp")" ] || t_fail "files left in tmp/"
t_log_has 'warning|fatal|panic' && t_fail "warnings in the log"
t_pass
