#!/bin/bash
# master killed with SIGKILL while a slow QMQP client is in the middle of a
# request: its children let go of the listening port at once (the idle ones
# because the alive pipe closed, the busy one by its parent-death signal),
# the busy qmqpd still finishes the request, and posthorn start succeeds on
# the first try, with the port free before it even runs.
. "$(dirname "$0")/lib.sh"
t_instance
t_ingest_only
t_start
MSG='Subject: hi\n\nHello\n'

# Idle qmqpd and cleanup processes of the first master.
for i in 1 2 3; do
    got=$(t_qmqp "$QPORT" --request "$MSG" a@example.org "b$i@example.org")
    case $got in "REPLY K"*) ;; *) t_fail "message $i: $got" ;; esac
done
old=$(t_master_pid)

# A client that sends 20 bytes, then nothing for 4 seconds, then the rest.
t_qmqp "$QPORT" --request "$MSG" a@example.org slow@example.org --pause-at 20 4 \
    > "$T_TMP/slow" &
slow=$!
sleep 1
busy=$(for p in $(t_pids qmqpd); do
    ls -l "/proc/$p/fd" 2>/dev/null | grep -q socket && echo "$p"; done)
[ -n "$busy" ] || t_fail "no qmqpd process serving the slow client"

kill -9 "$old"
# The port is free within a second, while a qmqpd still reads the slow client.
t_wait_until 1 sh -c "! ss -Htln 'sport = :$QPORT' | grep -q ." \
    || t_fail "port $QPORT still listened on after master's death: $(ss -Htlnp "sport = :$QPORT")"
live=$(for p in $(t_pids qmqpd); do kill -0 "$p" 2>/dev/null && echo "$p"; done)
[ -n "$live" ] || t_fail "the busy qmqpd did not wait for its request"
for p in $live; do
    [ "$(awk '{print $4}' "/proc/$p/stat")" != "$old" ] || t_fail "qmqpd $p: parent is still $old"
done

$PH start > "$T_TMP/start.out" 2>&1 || t_fail "start after master's SIGKILL: $(cat "$T_TMP/start.out")"
[ "$(t_master_pid)" != "$old" ] || t_fail "no new master"

# The slow client's request was finished by the old qmqpd (its cleanup is
# now the new master's) and answered.
wait $slow
case $(cat "$T_TMP/slow") in "REPLY K"*) ;; *) t_fail "slow client: $(cat "$T_TMP/slow")" ;; esac
t_wait_until 5 sh -c "for p in $live; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0" \
    || t_fail "orphaned qmqpd $live did not exit after its request"
got=$(t_qmqp "$QPORT" --request "$MSG" a@example.org after@example.org)
case $got in "REPLY K"*) ;; *) t_fail "message to the new master: $got" ;; esac
t_assert_eq 5 "$(t_queue_count)" "messages queued"
t_log_has 'status update to master' && t_fail "a child complained that master was gone"
t_pass
