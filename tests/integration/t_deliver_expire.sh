#!/bin/bash
# Expiry and delay warnings end to end: a message that keeps failing
# temporarily gets one delay warning after delay_warning_time and is
# returned to its sender once it is older than maximal_queue_lifetime,
# never before; the log says "status=expired, returned to sender".
. "$(dirname "$0")/lib.sh"
NPORT=$(t_port)
t_deliver_instance minimal_backoff_time=1s maximal_backoff_time=2s queue_run_delay=1s \
    maximal_queue_lifetime=8s delay_warning_time=2s \
    "transport_maps=inline:{ example.org = smtp:[127.0.0.1]:$NPORT }"
t_sink "$NPORT" "$T_TMP/notices"
t_sink "$SPORT" "$T_TMP/sink" -r RCPT
t_start
start=$(date +%s)
printf 'Subject: expire me\n\nbody\n' | $PH send -f sender@example.org r@example.net > /dev/null \
    || t_fail "send"
t_wait_until 10 sh -c "cat '$T_TMP'/notices/m.* 2>/dev/null | grep -q 'Action: delayed'" \
    || t_fail "no delay warning"
warned=$(date +%s)
[ $((warned - start)) -ge 2 ] || t_fail "delay warning after $((warned - start))s, before delay_warning_time"
t_wait_log 'from=<sender@example.org>, status=expired, returned to sender' 20 \
    || t_fail "no expiry log line"
done_at=$(date +%s)
[ $((done_at - start)) -ge 8 ] || t_fail "returned after $((done_at - start))s, before maximal_queue_lifetime"
t_wait_until 10 t_queue_empty || t_fail "message still queued after its expiry"
t_assert_eq 1 "$(cat "$T_TMP"/notices/m.* | grep -c 'Action: delayed')" "delay warnings"
failed=$(grep -l 'Action: failed' "$T_TMP"/notices/m.*)
[ -n "$failed" ] || t_fail "no non-delivery report"
grep -q 'Final-Recipient: rfc822; r@example.net' $failed || t_fail "report does not name the recipient"
grep -q '^Status: 4\.' $failed || t_fail "report does not keep the temporary status"
t_pass
