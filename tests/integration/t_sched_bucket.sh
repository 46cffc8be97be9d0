#!/bin/bash
# Memory bounds (scheduler.md §10 items 1 and 25). The leaky bucket: with
# qmgr_message_active_limit = 5 and a slow sink, active/ never holds more
# than 5 of 50 messages, the clog warning is logged, and all 50 arrive.
# In-memory recipients: 20 messages of 500 recipients each with active limit
# 50, qmgr_message_recipient_limit 100, default_recipient_limit 100, extra
# 10, minimum 10: all 10 000 recipients are delivered while qmgr never holds
# more than 10 x 50 + 100 + 10 = 610 recipients in memory (its high-water
# mark in posthorn status -j), and its resident memory stays small.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sched_lib.sh"

active_max() { sort -n "$1" | tail -1; }

t_deliver_instance qmgr_message_active_limit=5
t_sink "$SPORT" "$T_TMP/sink" -w 1
t_start
( while :; do ls "$SPOOL/active" | wc -l >> "$T_TMP/active"; sleep 0.1; done ) &
T_BG_PIDS="$T_BG_PIDS $!"
t_submit 50 -t rcpt@example.net
t_wait_until 60 t_queue_empty || t_fail "$(t_queue_count) messages still queued"
kill $T_BG_PIDS 2>/dev/null
t_wait_until 5 t_dir_has "$T_TMP/sink" 50 || t_fail "not all 50 messages at the sink"
t_log "most files in active/: $(active_max "$T_TMP/active")"
[ "$(active_max "$T_TMP/active")" -le 5 ] || t_fail "more than 5 files in active/"
[ "$(active_max "$T_TMP/active")" -ge 4 ] || t_fail "the bucket was never full"
t_log_has 'qmgr\[[0-9]+\]: warning: mail for 5 messages is in the active queue' \
    || t_fail "no warning that the active queue is full"
t_stop
t_sink_stop
rm -rf "$T_TMP/inst" "$T_TMP/sink"

t_deliver_instance qmgr_message_active_limit=50 qmgr_message_recipient_limit=100 \
    default_recipient_limit=100 default_extra_recipient_limit=10 \
    qmgr_message_recipient_minimum=10
t_sink "$SPORT" "$T_TMP/sink"
t_start
timeout 120 qmqp-source -s 5 -m 20 -r 500 -l 500 -f sender@example.org -t rcpt@example.net \
    "127.0.0.1:$QPORT" || t_fail "qmqp-source failed"
qpid=$(t_pids qmgr | head -1)
rss=0
end=$(( $(date +%s) + 120 ))
while ! t_queue_empty && [ "$(date +%s)" -lt "$end" ]; do
    r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$qpid/status" 2>/dev/null)
    [ -n "$r" ] && [ "$r" -gt "$rss" ] && rss=$r
    sleep 0.1
done
t_queue_empty || t_fail "$(t_queue_count) messages still queued"
sent=$(grep -c 'posthorn/smtp\[[0-9]*\]: .*status=sent' "$INST/maillog")
# qmgr's own high-water mark: every recipient it ever held counts.
peak=$(t_status_field 's["active_recipients_peak"]')
t_log "recipients delivered: $sent; most in memory: $peak; qmgr peak RSS: $rss kB"
t_assert_eq 10000 "$sent" "recipients delivered"
t_assert_eq 0 "$(t_status_field 's["active_recipients"]')" "recipients in memory at the end"
[ "$peak" -le 610 ] || t_fail "$peak recipients in memory (bound 610)"
[ "$peak" -ge 100 ] || t_fail "only $peak recipients in memory: the limits were never reached"
# AddressSanitizer's quarantine and shadow memory make RSS meaningless there.
if [ -z "${ASAN_OPTIONS:-}" ]; then
    [ "$rss" -gt 0 ] && [ "$rss" -lt 30000 ] || t_fail "qmgr resident memory $rss kB"
fi
t_pass
