#!/bin/bash
# Dead destinations (scheduler.md §10 items 12, 13, 14, 16): nothing listens at
# the relayhost, 30 messages go to it; at most the initial window of 5
# deliveries is attempted, the destination is dead within 3 completions and
# the rest is deferred with "delivery temporarily suspended"; mail for it
# during minimal_backoff_time makes no connection; posthorn flush forgets
# the dead state at once; after minimal_backoff_time a retry connects again.
# With negative feedback 0 and cohort limit 0 every message is attempted and
# the window stays 5; recipients rejected with 4xx are not hop failures.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sched_lib.sh"

refused() { grep -Ec "posthorn/smtp\[[0-9]+\]: .*status=deferred \(connect to .*:$SPORT: Connection refused" "$INST/maillog"; }
suspended() { grep -c 'status=deferred (delivery temporarily suspended: ' "$INST/maillog"; }
refused_more_than() { [ "$(refused)" -gt "$1" ]; }
deferred_count() { ls "$SPOOL/deferred" | wc -l; }

t_deliver_instance minimal_backoff_time=10s maximal_backoff_time=20s \
    destination_concurrency_feedback_debug=yes
t_start
t_submit 30 -t rcpt@example.net
t_wait_until 30 sh -c "[ \$(ls '$SPOOL/deferred' | wc -l) = 30 ]" \
    || t_fail "$(deferred_count) of 30 messages deferred"
r=$(refused)
t_log "connection attempts: $r; deferred without one: $(suspended)"
[ "$r" -ge 3 ] && [ "$r" -le 5 ] || t_fail "$r connection attempts (expected 3 to 5)"
t_assert_eq "$((30 - r))" "$(suspended)" "messages deferred as suspended"
t_log_has '\[127\.0\.0\.1\]:[0-9]+: dead: ' || t_fail "no feedback log line shows the destination dead"
t_assert_eq dead "$(t_dest state)" "destination state in posthorn status -j"
# smtp reported the exchanger group of the next hop (here: its address).
t_assert_eq 127.0.0.1 "$(t_dest mx_group)" "exchanger group in posthorn status -j"
# The readable summary says the same.
$PH status > "$T_TMP/status" || t_fail "posthorn status failed"
grep -q "is running" "$T_TMP/status" || t_fail "posthorn status: no running line"
grep -Eq "^transport smtp: 1 destinations" "$T_TMP/status" || t_fail "posthorn status: no transport line"
grep -Eq "^  \[127\.0\.0\.1\]:$SPORT +dead, retry in [0-9]+s: delivery temporarily suspended: connect to" \
    "$T_TMP/status" || { cat "$T_TMP/status"; t_fail "posthorn status: the dead destination is not shown"; }
t_assert_eq True "$(t_status_field '[d for t in s["transports"] for d in t["destinations"]][0]["dead_until"] is not None')" "dead_until shown"

# More mail while it is dead: deferred at once, no connection.
t_submit 5 -t rcpt@example.net
t_wait_until 10 sh -c "[ \$(ls '$SPOOL/deferred' | wc -l) = 35 ]" || t_fail "new mail not deferred"
t_assert_eq "$r" "$(refused)" "connection attempts while dead"

# posthorn flush: the dead state is forgotten and the queue retried now.
$PH flush || t_fail "posthorn flush failed"
t_wait_until 3 refused_more_than "$r" || t_fail "no connection attempt right after posthorn flush"
t_wait_until 10 sh -c "[ \$(ls '$SPOOL/deferred' | wc -l) = 35 ]" || t_fail "not all deferred again"
r=$(refused)
# The flush made it dead again; minimal_backoff_time (10 s) later a retry connects.
sleep 5
t_assert_eq "$r" "$(refused)" "connection attempts 5 s after the flush"
t_wait_until 25 refused_more_than "$r" || t_fail "no retry after minimal_backoff_time"
t_stop
rm -rf "$T_TMP/inst"

# Immunity: no negative feedback, no dead state; all 30 are attempted.
t_deliver_instance minimal_backoff_time=60s maximal_backoff_time=60s \
    default_destination_concurrency_negative_feedback=0 \
    default_destination_concurrency_failed_cohort_limit=0 \
    destination_concurrency_feedback_debug=yes
t_start
t_submit 30 -t rcpt@example.net
t_wait_until 30 sh -c "[ \$(ls '$SPOOL/deferred' | wc -l) = 30 ]" \
    || t_fail "$(deferred_count) of 30 messages deferred"
t_assert_eq 30 "$(refused)" "connection attempts without negative feedback"
t_assert_eq 0 "$(suspended)" "messages deferred as suspended"
if grep -E '\[127\.0\.0\.1\]:[0-9]+: (dead|negative feedback): .* window [0-4] ' "$INST/maillog"; then
    t_fail "the window shrank or the destination died"
fi
t_stop
rm -rf "$T_TMP/inst"

# Recipients rejected with 4xx: deferred, but the destination is fine.
t_deliver_instance minimal_backoff_time=60s maximal_backoff_time=60s \
    destination_concurrency_feedback_debug=yes
t_sink "$SPORT" "$T_TMP/sink" -r RCPT
t_start
t_submit 30 -t rcpt@example.net
t_wait_until 30 sh -c "[ \$(ls '$SPOOL/deferred' | wc -l) = 30 ]" \
    || t_fail "$(deferred_count) of 30 messages deferred"
t_assert_eq 0 "$(suspended)" "messages deferred as suspended"
if grep -E ': (dead|negative feedback): ' "$INST/maillog"; then
    t_fail "rejected recipients were taken for a failing destination"
fi
t_pass
