#!/bin/bash
# Queue administration while the instance runs: hold, release, requeue,
# delete (one id and ALL) through qmgr; a message being delivered is held
# once its delivery in flight ends; a corrupt queue file goes to corrupt/
# with a log line and does not stop the queue. Each operation logs one
# audit line per message, never the "removed" of a finished delivery.
. "$(dirname "$0")/lib.sh"
t_deliver_instance minimal_backoff_time=300s maximal_backoff_time=600s queue_run_delay=300s
t_sink "$SPORT" "$T_TMP/sink" -r RCPT		# everything is deferred
t_start
for i in 1 2 3; do
    printf 'Subject: %d\n\nbody\n' "$i" | $PH send -f a@example.org "r$i@example.net" > /dev/null \
	|| t_fail "send $i"
done
t_wait_until 10 t_dir_has "$SPOOL/deferred" 3 || t_fail "messages not deferred"
set -- $(ls "$SPOOL/deferred")
$PH hold "$1" | grep -q "Placed on hold: 1 message" || t_fail "hold"
[ -e "$SPOOL/hold/$1" ] || t_fail "held message not in hold/"
t_wait_log "posthorn/qmgr\[[0-9]*\]: $1: placed on hold\$" || t_fail "hold not logged"
$PH hold ALL | grep -q "Placed on hold: 2 messages" || t_fail "hold ALL"
t_assert_eq 3 "$(ls "$SPOOL/hold" | wc -l)" "messages in hold/"
for id in "$2" "$3"; do
    t_wait_log "$id: placed on hold\$" || t_fail "hold ALL not logged for $id"
done
$PH queue | grep -c '!' | grep -qx 3 || t_fail "posthorn queue does not mark held messages"
$PH delete "$2" | grep -q "Deleted: 1 message" || t_fail "delete"
[ -e "$SPOOL/hold/$2" ] && t_fail "deleted message still there"
t_wait_log "$2: removed by the administrator\$" || t_fail "delete not logged"
grep -q "$2: removed\$" "$INST/maillog" && t_fail "a deletion logged as a delivery's removed"
$PH release ALL | grep -q "Released from hold: 2 messages" || t_fail "release ALL"
for id in "$1" "$3"; do
    t_wait_log "$id: released from hold\$" || t_fail "release not logged for $id"
done
t_wait_until 10 t_dir_has "$SPOOL/deferred" 2 || t_fail "released messages not retried"
$PH delete nosuchid > /dev/null 2>&1 && t_fail "delete of a bad id succeeded"
$PH delete 0000000000000000 > "$T_TMP/out" 2>&1 && t_fail "delete of a missing id succeeded"

# The sink accepts now: requeue delivers at once.
t_sink_stop
t_sink "$SPORT" "$T_TMP/sink"
$PH requeue ALL | grep -q "Requeued: 2 messages" || t_fail "requeue ALL"
t_wait_until 10 t_queue_empty || t_fail "requeued messages not delivered"
for id in "$1" "$3"; do
    t_wait_log "$id: requeued\$" || t_fail "requeue not logged for $id"
    t_wait_log "$id: removed\$" || t_fail "requeued $id: no removed after its delivery"
done
t_assert_eq 2 "$(ls "$T_TMP/sink" | wc -l)" "messages at the sink"

# Hold a message while it is being delivered: the sink waits 3s, then defers it.
t_sink_stop
t_sink "$SPORT" "$T_TMP/sink" -r RCPT -W MAIL:3
printf 'Subject: slow\n\nbody\n' | $PH send -f a@example.org slow@example.net > /dev/null || t_fail "send slow"
t_wait_until 10 sh -c "ls '$SPOOL/active' | grep -q ." || t_fail "slow message not active"
id=$(ls "$SPOOL/active")
$PH hold "$id" | grep -q "Placed on hold: 1 message" || t_fail "hold of an active message"
t_wait_until 10 test -e "$SPOOL/hold/$id" || t_fail "active message not held after its delivery"
t_wait_log "$id: placed on hold\$" || t_fail "hold of an active message not logged"
$PH delete "$id" | grep -q "Deleted: 1 message" || t_fail "delete of the held slow message"
t_wait_log "$id: removed by the administrator\$" || t_fail "delete of $id not logged"

# A corrupt file in incoming/ goes to corrupt/, and mail still flows.
t_sink_stop
t_sink "$SPORT" "$T_TMP/sink"
printf 'this is not a queue file' > "$SPOOL/incoming/0ZZZZZZZZZZZZZZZ"
chown --reference="$SPOOL/incoming" "$SPOOL/incoming/0ZZZZZZZZZZZZZZZ"
printf 'Subject: after\n\nbody\n' | $PH send -f a@example.org after@example.net > /dev/null || t_fail "send after"
t_wait_until 10 test -e "$SPOOL/corrupt/0ZZZZZZZZZZZZZZZ" || t_fail "corrupt file not moved"
t_wait_log 'warning: 0ZZZZZZZZZZZZZZZ: .*moved to corrupt' || t_fail "corrupt file not logged"
t_wait_until 10 sh -c "grep -ql 'Subject: after' '$T_TMP'/sink/m.*" || t_fail "mail stopped after a corrupt file"
t_pass
