#!/bin/bash
# After relayhost is changed and posthorn reload runs, the next message goes
# to the new relay host; qmgr and smtp pick the change up, master keeps its pid.
. "$(dirname "$0")/lib.sh"
t_deliver_instance
PORT2=$(t_port)
t_sink "$SPORT" "$T_TMP/sink1"
t_sink "$PORT2" "$T_TMP/sink2"
t_start
pid=$(t_master_pid)
printf 'Subject: one\n\nbody\n' | $PH send -f a@example.org b@example.net > /dev/null || t_fail "send 1"
t_wait_until 20 t_queue_empty || t_fail "first message not delivered"
t_assert_eq 1 "$(ls "$T_TMP/sink1" | wc -l)" "messages at the first relay"
$PH conf -e "relayhost=[127.0.0.1]:$PORT2" || t_fail "conf -e"
$PH reload > /dev/null || t_fail "reload"
t_wait_log 'reload -- version' || t_fail "reload not logged"
printf 'Subject: two\n\nbody\n' | $PH send -f a@example.org b@example.net > /dev/null || t_fail "send 2"
t_wait_until 20 t_queue_empty || t_fail "second message not delivered"
t_assert_eq 1 "$(ls "$T_TMP/sink1" | wc -l)" "messages at the first relay after reload"
t_assert_eq 1 "$(ls "$T_TMP/sink2" | wc -l)" "messages at the new relay"
t_assert_eq "$pid" "$(t_master_pid)" "master pid"
t_pass
