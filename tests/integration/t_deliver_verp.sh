#!/bin/bash
# VERP: a "-@[]" submission with 3 recipients reaches the server as 3
# transactions with the 3 expected envelope senders, over one connection;
# a 5xx for one of them sends its notification to that recipient's
# expanded sender (list-return-12-bad=host.test@example.org), as ezmlm-return
# expects.
. "$(dirname "$0")/lib.sh"
NPORT=$(t_port)
t_deliver_instance "transport_maps=inline:{ example.org = smtp:[127.0.0.1]:$NPORT }"
t_sink "$NPORT" "$T_TMP/notices"
mkdir -p "$T_TMP/server"
$PY "$T_ROOT/tests/integration/smtp_test_server.py" 127.0.0.1 "$SPORT" "$T_TMP/server" \
    --rcpt-reply 'bad@host.test=550 5.1.1 <bad@host.test>: no such user' --lifetime 60 \
    > "$T_TMP/server.out" 2>&1 &
T_SINK_PIDS="$T_SINK_PIDS $!"
t_wait_until 5 sh -c "ss -Htln 'sport = :$SPORT' | grep -q ." || t_fail "test server did not start"
t_start
got=$(t_qmqp "$QPORT" --request 'From: list@example.org\nSubject: post 12\n\nbody\n' \
    'list-return-12-@example.org-@[]' good1@host.test bad@host.test good2@host.test)
case $got in "REPLY K"*) ;; *) t_fail "VERP submission: $got" ;; esac
t_wait_until 20 t_queue_empty || t_fail "the message is still queued"
t_wait_until 10 sh -c "cat '$T_TMP'/notices/m.* 2>/dev/null | grep -q 'Final-Recipient: rfc822; bad@host.test'" \
    || t_fail "no notification for bad@host.test"
$PY - "$T_TMP/server/events.jsonl" <<'PYEOF' || t_fail "transactions at the server are wrong"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
msgs = [e for e in ev if e["event"] == "message"]
senders = sorted(m["mail"].split(">")[0].lstrip("<") for m in msgs)
want = ["list-return-12-good1=host.test@example.org", "list-return-12-good2=host.test@example.org"]
assert senders == want, senders
assert all(len(m["rcpts"]) == 1 for m in msgs), msgs
conns = [e for e in ev if e["event"] == "connect"]
assert len(conns) == 1, "%d connections" % len(conns)
# the rejected one was tried too, in its own transaction on the same connection
batches = " ".join(" ".join(e["commands"]) for e in ev if e["event"] == "batch")
assert "MAIL FROM:<list-return-12-bad=host.test@example.org>" in batches, batches
PYEOF
dump=$(grep -l 'Final-Recipient: rfc822; bad@host.test' "$T_TMP"/notices/m.*)
grep -q '^X-Mail-Args: <>' "$dump" || t_fail "notification not sent with a null sender"
grep -q '^X-Rcpt-Args: <list-return-12-bad=host.test@example.org>' "$dump" \
    || t_fail "notification not sent to the expanded sender: $(grep X-Rcpt "$dump")"
grep -q 'Final-Recipient: rfc822; good' "$dump" && t_fail "a delivered recipient is in the report"
t_wait_log 'from=<list-return-12@example.org>' || t_fail "qmgr did not log the unexpanded sender"
t_pass
