#!/bin/bash
# kill -9 of qmgr and of smtp processes while 1000 messages are delivered:
# every message still reaches the sink at least once, and after a restart
# the queue is empty.
. "$(dirname "$0")/lib.sh"
t_deliver_instance
t_sink "$SPORT" "$T_TMP/sink"
t_start
timeout 120 qmqp-source -s 10 -m 1000 -r 1 -l 800 -f sender@example.org \
    -t rcpt@example.net "127.0.0.1:$QPORT" &
source=$!
kills=0
for i in $(seq 1 12); do
    sleep 0.2
    victims="$(t_pids qmgr) $(t_pids smtp | shuf -n 2)"
    kill -9 $victims 2>/dev/null && kills=$((kills + 1))
done
wait $source || t_fail "qmqp-source failed"
t_log "$kills rounds of kill -9 (qmgr and smtp)"
t_wait_log 'process .*/qmgr pid [0-9]+ killed by signal 9' || t_fail "qmgr was never killed"
# Whatever was in flight is retried (minimal_backoff_time is 2s here).
t_wait_until 120 t_queue_empty || t_fail "$(t_queue_count) messages still queued"
t_stop
t_start
t_wait_until 10 t_queue_empty || t_fail "queue not empty after restart"
got=$(cat "$T_TMP"/sink/m.* | grep -o 'with QMQP id [0-9A-Z]*' | sort -u | wc -l)
t_assert_eq 1000 "$got" "distinct messages at the sink"
total=$(ls "$T_TMP/sink" | wc -l)
t_log "$total deliveries for 1000 messages (duplicates allowed: at least once)"
t_log_has 'panic' && t_fail "a daemon panicked"
t_pass
