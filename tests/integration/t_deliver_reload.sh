#!/bin/bash
# After relayhost is changed and posthorn reload runs, the next message goes
# to the new relay host; qmgr and smtp pick the change up, master keeps its pid.
# Reloads while deliveries are in flight (qmgr exits at once, its agents
# finish and find it gone) log no warning and lose nothing; posthorn flush
# works from master's validated copy while main.cf is broken.
. "$(dirname "$0")/lib.sh"
t_deliver_instance
PORT2=$(t_port)
t_sink "$SPORT" "$T_TMP/sink1"
t_sink "$PORT2" "$T_TMP/sink2" -w 1
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

# The new relay waits 1 s before answering DATA, so deliveries are in
# flight when the reloads come.
for i in $(seq 1 20); do
    printf 'Subject: load %d\n\nbody\n' "$i" | $PH send -f a@example.org "r$i@example.net" > /dev/null \
	|| t_fail "send load $i"
done
for i in 1 2 3; do
    sleep 0.7
    $PH reload > /dev/null || t_fail "reload $i under load"
done
t_wait_until 60 sh -c "[ \$(ls '$T_TMP/sink2' | wc -l) -ge 21 ]" \
    || t_fail "$(ls "$T_TMP/sink2" | wc -l) messages at the relay, 21 sent"
grep -E 'Broken pipe|warning:' "$INST/maillog" && t_fail "warnings from reloads under load"

# A message whose delivery an earlier qmgr started waits in deferred/ for a
# minute (qmgr scans for it then by itself), logged once per attempt; a
# flush takes it up at once if that delivery has ended, also with a
# broken main.cf: posthorn uses master's validated copy, with a warning.
echo 'queue_run_delay = 1x' >> "$INST/main.cf"
$PH flush > /dev/null 2> "$T_TMP/flush.err" || t_fail "flush with a broken main.cf: $(cat "$T_TMP/flush.err")"
grep -q "parameter queue_run_delay: bad time value \"1x\" -- using the configuration master last validated" \
    "$T_TMP/flush.err" || t_fail "flush: $(cat "$T_TMP/flush.err")"
t_wait_until 30 sh -c "[ \$(find '$SPOOL/incoming' '$SPOOL/active' '$SPOOL/deferred' -type f | wc -l) = 0 ] \
    || { $PH flush > /dev/null 2>&1; sleep 1; false; }" \
    || t_fail "messages left after reloads under load and flushes: $(t_queue_count)"
sed -i '/queue_run_delay = 1x/d' "$INST/main.cf"
# One attempt, one line: never the same message twice within a second.
dups=$(grep 'still being delivered by an earlier queue manager' "$INST/maillog" \
    | awk '{print $3, $6}' | sort | uniq -d | head -3)
[ -z "$dups" ] || t_fail "the same message reported twice in one second as still being delivered: $dups"
t_pass
