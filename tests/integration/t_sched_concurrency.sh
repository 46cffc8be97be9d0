#!/bin/bash
# Concurrency slow start (scheduler.md §10 items 8 and 9): against a sink that
# takes 1 s per message, 200 messages to one destination open more than the
# initial 5 sessions and never more than the limit of 20, and posthorn
# status -j shows the window reaching 20; with positive feedback 0 the
# window never grows, so there are never more than 5 sessions.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sched_lib.sh"

# Connection caching would keep idle sessions open: count busy ones only.
t_deliver_instance smtp_connection_cache_on_demand=no
t_sink "$SPORT" "$T_TMP/sink" -w 1
t_start
t_sample_start "$T_TMP/sessions" "$SPORT"
: > "$T_TMP/windows"
t_submit 200 -t rcpt@example.net
end=$(( $(date +%s) + 90 ))
while ! t_queue_empty && [ "$(date +%s)" -lt "$end" ]; do
    t_dest window >> "$T_TMP/windows"
    sleep 0.3
done
t_sample_stop
t_queue_empty || t_fail "$(t_queue_count) messages still queued"
t_wait_until 10 t_dir_has "$T_TMP/sink" 200 || t_fail "not all 200 messages at the sink"
peak=$(t_sample_max "$T_TMP/sessions")
wmax=$(grep -E '^[0-9]+$' "$T_TMP/windows" | sort -n | tail -1)
t_log "peak sessions $peak, largest window seen $wmax"
[ "$peak" -gt 5 ] || t_fail "never more than $peak sessions: no slow start"
[ "$peak" -le 20 ] || t_fail "$peak sessions: above the concurrency limit of 20"
t_assert_eq 20 "$wmax" "largest window in posthorn status -j"
t_stop
t_sink_stop
rm -rf "$T_TMP/sink" "$T_TMP/inst"

# No positive feedback: the window stays at the initial 5.
t_deliver_instance smtp_connection_cache_on_demand=no \
    default_destination_concurrency_positive_feedback=0
t_sink "$SPORT" "$T_TMP/sink" -w 1
t_start
t_sample_start "$T_TMP/sessions" "$SPORT"
t_submit 40 -t rcpt@example.net
t_wait_until 60 t_queue_empty || t_fail "$(t_queue_count) messages still queued"
t_sample_stop
peak=$(t_sample_max "$T_TMP/sessions")
t_log "peak sessions without positive feedback: $peak"
[ "$peak" -le 5 ] || t_fail "$peak sessions with positive feedback 0 (initial window 5)"
[ "$peak" -ge 4 ] || t_fail "only $peak sessions: the initial window of 5 was not used"
t_pass
