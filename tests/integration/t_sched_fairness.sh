#!/bin/bash
# Fairness between new and deferred mail (scheduler.md §10 item 2, and the
# issue's "a large deferred backlog does not hold up new mail"). With 10
# files in incoming/ and 10 due in deferred/ when qmgr starts, the imports
# alternate incoming, deferred, incoming... Then, with a backlog of 300
# deferred messages for a slow destination filling a small active queue,
# a new message for another destination is still delivered within seconds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sched_lib.sh"

# Queue 20 messages with qmgr not running; move 10 to deferred/, due.
t_instance
t_delivery_services
sed -i -E '/^qmgr[[:space:]]/d' "$INST/master.cf"
SPORT=$(t_port)
$PH conf -e "relayhost = [127.0.0.1]:$SPORT" >/dev/null || t_fail "conf -e"
t_sink "$SPORT" "$T_TMP/sink"
t_start
t_submit 20 -t rcpt@example.net
t_wait_until 10 t_dir_has "$SPOOL/incoming" 20 || t_fail "20 messages not queued"
t_stop
ls "$SPOOL/incoming" | head -10 > "$T_TMP/from_deferred"
for id in $(cat "$T_TMP/from_deferred"); do
    mv "$SPOOL/incoming/$id" "$SPOOL/deferred/$id"
    touch -d '1 hour ago' "$SPOOL/deferred/$id"
done
echo "qmgr unix-dgram n - y 300 1 qmgr" >> "$INST/master.cf"
t_start
t_wait_until 20 t_queue_empty || t_fail "$(t_queue_count) messages still queued"
order=$(grep -E 'qmgr\[[0-9]+\]: [0-9A-Z]{16}: from=.*\(queue active\)' "$INST/maillog" \
    | sed -E 's/.*: ([0-9A-Z]{16}): from=.*/\1/' \
    | while read -r id; do grep -qx "$id" "$T_TMP/from_deferred" && echo D || echo I; done \
    | tr -d '\n')
t_log "import order: $order"
t_assert_eq IDIDIDIDIDIDIDIDIDID "$order" "origin of the imports"
t_stop
t_sink_stop
rm -rf "$T_TMP/inst" "$T_TMP/sink"

# A backlog of 300 deferred messages for a slow destination.
PY2=$(t_port)
t_deliver_instance qmgr_message_active_limit=20 minimal_backoff_time=1s maximal_backoff_time=1s \
    "transport_maps=inline:{ y.test = smtp:[127.0.0.1]:$PY2 }"
t_start
t_submit 300 -t rcpt@example.net
t_wait_until 60 sh -c "[ \$(ls '$SPOOL/deferred' | wc -l) = 300 ]" \
    || t_fail "$(ls "$SPOOL/deferred" | wc -l) of 300 messages deferred"
t_sink "$SPORT" "$T_TMP/sink" -w 1
t_sink "$PY2" "$T_TMP/sinky"
$PH flush || t_fail "posthorn flush"
t_wait_until 10 sh -c "[ \$(ls '$SPOOL/active' | wc -l) -ge 15 ]" || t_fail "the backlog is not being retried"
start=$(date +%s.%N)
t_submit 1 -t rcpt@y.test
t_wait_until 20 t_dir_has "$T_TMP/sinky" 1 || t_fail "new mail not delivered behind the backlog"
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
left=$(ls "$SPOOL/deferred" "$SPOOL/active" "$SPOOL/incoming" | grep -cE '^[0-9A-Z]{16}$')
t_log "new mail delivered after $took s with $left backlog messages still queued"
awk -v t="$took" 'BEGIN { exit !(t < 5) }' || t_fail "new mail waited $took s behind the backlog"
[ "$left" -ge 200 ] || t_fail "only $left backlog messages left: the backlog did not hold the queue"
t_pass
