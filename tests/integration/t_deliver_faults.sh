#!/bin/bash
# smtp-sink's fault options: temporary failures (4xx at RCPT, DATA, 421 at
# connect) defer with backoff and the reason shows in posthorn queue; once
# the sink is fixed, posthorn flush delivers at once. Permanent failures
# (5xx at RCPT, DATA) produce a bounce whose multipart/report parses and
# names the recipient and the status.
. "$(dirname "$0")/lib.sh"
NPORT=$(t_port)				# where notifications to example.org go
t_deliver_instance minimal_backoff_time=120s maximal_backoff_time=240s queue_run_delay=60s \
    "transport_maps=inline:{ example.org = smtp:[127.0.0.1]:$NPORT }"
t_sink "$NPORT" "$T_TMP/notices"
t_start

# send TAG - one message to tag@example.net from sender@example.org
send() {
    printf 'Subject: %s\n\nbody of %s\n' "$1" "$1" \
	| $PH send -f sender@example.org "$1@example.net" > /dev/null || t_fail "send $1"
}

# Temporary failures: deferred, with the reason and a next-try time.
n=0
for fault in "-r RCPT" "-r DATA" "-Q CONNECT"; do
    n=$((n + 1))
    tag=tmp$n
    t_sink "$SPORT" "$T_TMP/sink" $fault
    send "$tag"
    t_wait_until 20 sh -c "ls '$SPOOL/deferred' | grep -q ." || t_fail "$fault: not deferred"
    id=$(ls "$SPOOL/deferred")
    left=$(( $(stat -c %Y "$SPOOL/deferred/$id") - $(date +%s) ))
    [ "$left" -ge 100 ] && [ "$left" -le 125 ] \
	|| t_fail "$fault: next try in ${left}s, expected about minimal_backoff_time (120s)"
    $PH queue -j > "$T_TMP/q.json"
    $PY - "$T_TMP/q.json" "$fault" <<'PYEOF' || t_fail "$fault: no delay reason in posthorn queue"
import json, sys
m = json.loads(open(sys.argv[1]).read())
r = m["recipients"][0]
fault = sys.argv[2]
want = {"-r RCPT": "(in reply to RCPT TO command)", "-r DATA": "(in reply to DATA command)",
        "-Q CONNECT": "421"}[fault]
assert m["queue_name"] == "deferred", m
assert want in r.get("delay_reason", ""), r
PYEOF
    t_sink_stop
    t_sink "$NPORT" "$T_TMP/notices"
    # Fixed: a flush delivers now, long before the next try.
    t_sink "$SPORT" "$T_TMP/sink"
    $PH flush || t_fail "flush"
    t_wait_until 10 t_queue_empty || t_fail "$fault: flush did not deliver"
    t_sink_stop
    t_sink "$NPORT" "$T_TMP/notices"
    t_wait_log "$id: to=<$tag@example.net>, relay=127.0.0.1\[127.0.0.1\]:$SPORT, .*status=sent" \
	|| t_fail "$fault: no delivery after flush"
done

# Permanent failures: bounced, and the sender gets a report.
for fault in "-f RCPT" "-f DATA"; do
    n=$((n + 1))
    tag=perm$n
    t_sink "$SPORT" "$T_TMP/sink" $fault
    send "$tag"
    t_wait_until 20 sh -c "grep -ls 'Final-Recipient: rfc822; $tag@example.net' '$T_TMP'/notices/m.* >/dev/null" \
	|| t_fail "$fault: no non-delivery report for $tag"
    t_wait_until 10 t_queue_empty || t_fail "$fault: messages left in the queue"
    t_sink_stop
    t_sink "$NPORT" "$T_TMP/notices"
    report=$(grep -ls "Final-Recipient: rfc822; $tag@example.net" "$T_TMP"/notices/m.*)
    $PY - "$report" "$tag" <<'PYEOF' || t_fail "$fault: report does not parse as RFC 3464"
import email, sys
raw = open(sys.argv[1], "rb").read().split(b"\n")
while raw and raw[0].startswith(b"X-"):       # smtp-sink's envelope lines
    raw.pop(0)
msg = email.message_from_bytes(b"\n".join(raw))
assert msg.get_content_type() == "multipart/report", msg.get_content_type()
assert msg.get_param("report-type") == "delivery-status"
parts = msg.get_payload()
assert parts[0].get_content_type() == "text/plain"
ds = parts[1]
assert ds.get_content_type() == "message/delivery-status", ds.get_content_type()
blocks = ds.get_payload()
rcpt = blocks[1]
assert rcpt["Final-Recipient"] == "rfc822; %s@example.net" % sys.argv[2], rcpt["Final-Recipient"]
assert rcpt["Action"] == "failed", rcpt["Action"]
assert rcpt["Status"].startswith("5."), rcpt["Status"]
assert "smtp; 500" in rcpt["Diagnostic-Code"], rcpt["Diagnostic-Code"]
assert parts[2].get_content_type() in ("message/rfc822", "text/rfc822-headers")
PYEOF
    t_wait_log "to=<$tag@example.net>, .*dsn=5\.[0-9.]+, status=bounced" || t_fail "$fault: no bounce log line"
    t_wait_log "sender non-delivery notification" || t_fail "$fault: bounce not logged"
done
t_pass
