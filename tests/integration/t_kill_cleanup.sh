#!/bin/bash
# kill -9 of cleanup in the middle of a message leaves no queue file and
# no reply but Z; master starts a new cleanup and the next message is accepted.
. "$(dirname "$0")/lib.sh"
t_instance
t_ingest_only
t_start
MSG='Subject: hi\n\nHello\n'
# Prime: make sure a cleanup process exists.
got=$(t_qmqp "$QPORT" --request "$MSG" a@example.org b@example.org)
case $got in "REPLY K"*) ;; *) t_fail "first message: $got" ;; esac
# 600 KB: qmqpd streams it to cleanup, which spills it to tmp/ as it comes.
t_qmqp "$QPORT" --pad 600000 --request "Subject: big\n\n" a@example.org b@example.org \
    --pause-at 400000 3 > "$T_TMP/reply" &
client=$!
sleep 1.5
pids=$(t_pids cleanup)
[ -n "$pids" ] || t_fail "no cleanup process to kill"
kill -9 $pids
wait $client
got=$(cat "$T_TMP/reply")
case $got in "REPLY Z"*) ;; *) t_fail "message whose cleanup died: expected Z, got '$got'" ;; esac
t_assert_eq 1 "$(t_queue_count)" "queue files (only the first message)"
$PH queue -j | grep -c queue_id | grep -qx 1 || t_fail "posthorn queue shows more than one message"
got=$(t_qmqp "$QPORT" --request "$MSG" c@example.org d@example.org)
case $got in "REPLY K"*) ;; *) t_fail "message after the kill: $got" ;; esac
t_assert_eq 2 "$(t_queue_count)" "queue files after the next message"
t_wait_log 'process .*/cleanup pid [0-9]+ killed by signal 9' || t_fail "the kill was not logged"
t_log_has 'throttling' && t_fail "cleanup was throttled after a crash mid-request"
t_pass
