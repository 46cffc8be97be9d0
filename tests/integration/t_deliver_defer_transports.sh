#!/bin/bash
# defer_transports = smtp: nothing is attempted and the messages are
# deferred with 4.3.2; posthorn flush delivers them (scheduler.md item 40).
. "$(dirname "$0")/lib.sh"
t_deliver_instance defer_transports=smtp minimal_backoff_time=60s maximal_backoff_time=120s \
    queue_run_delay=60s
t_sink "$SPORT" "$T_TMP/sink"
t_start
for i in 1 2; do
    printf 'Subject: %d\n\nbody\n' "$i" | $PH send -f a@example.org "r$i@example.net" > /dev/null \
	|| t_fail "send $i"
done
t_wait_until 10 t_dir_has "$SPOOL/deferred" 2 || t_fail "messages not deferred"
t_wait_log 'to=<r2@example.net>, relay=none, .*dsn=4.3.2, status=deferred \(deferred transport\)' \
    || t_fail "no deferral log line"
t_assert_eq 0 "$(ls "$T_TMP/sink" | wc -l)" "messages at the sink before flush"
$PH queue -j | grep -q '"delay_reason": "deferred transport"' || t_fail "no delay reason"
$PH flush || t_fail "flush"
t_wait_until 10 t_queue_empty || t_fail "flush did not deliver"
t_assert_eq 2 "$(ls "$T_TMP/sink" | wc -l)" "messages at the sink after flush"
t_pass
