#!/bin/bash
# qmqpd_authorized_clients: an unauthorized client gets D and a log line;
# posthorn reload makes a changed list take effect while master keeps its
# pid and its listener (no refused connection during reloads); a reload
# onto a port another process holds fails with master's reason; a broken
# main.cf on reload is reported with file, line and parameter, the
# instance keeps working with its old settings, and queue, cat and status
# work from the configuration master last validated.
. "$(dirname "$0")/lib.sh"
t_instance qmqpd_authorized_clients=127.0.0.2
t_ingest_only
t_start
pid=$(t_master_pid)
MSG='Subject: hi\n\nHello\n'

got=$(t_qmqp "$QPORT" --request "$MSG" a@example.org b@example.org)
t_assert_eq "REPLY D Error: localhost[127.0.0.1] is not authorized to use this service" "$got" \
    "unauthorized client"
t_wait_log 'warning: localhost\[127.0.0.1\]: not authorized by qmqpd_authorized_clients' \
    || t_fail "no log line for the unauthorized client"

$PH conf -e 'qmqpd_authorized_clients=127.0.0.0/8' || t_fail "conf -e"
$PH reload >/dev/null || t_fail "reload"
t_wait_until 10 t_log_has 'reload -- version' || t_fail "no reload log line"
got=$(t_qmqp "$QPORT" --request "$MSG" a@example.org b@example.org)
case $got in "REPLY K"*) ;; *) t_fail "after reload: $got" ;; esac
t_assert_eq "$pid" "$(t_master_pid)" "master pid after reload"

# Submissions while reloads happen: every one must be accepted.
(
    for i in $(seq 1 60); do
	printf 'Subject: r%d\n\nbody\n' "$i" | $PH send -f s@example.org "r$i@example.org" \
	    > /dev/null 2>&1 || echo "send $i failed"
    done
) > "$T_TMP/sends" &
loader=$!
for i in 1 2 3 4 5; do
    sleep 0.2
    $PH reload > /dev/null || t_fail "reload $i"
done
wait $loader
[ -s "$T_TMP/sends" ] && t_fail "submissions failed during reloads: $(head -3 "$T_TMP/sends")"
t_assert_eq 61 "$(t_queue_count)" "messages queued across reloads"

# A port another process listens on: master cannot bind it, so posthorn
# reload fails with master's reason, and the old port keeps working; once
# the port is free, the same reload succeeds.
BPORT=$(t_port)
$PY -c 'import socket,sys,time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5); time.sleep(60)' "$BPORT" &
blocker=$!
T_BG_PIDS="$T_BG_PIDS $blocker"
t_wait_until 5 sh -c "ss -Htln 'sport = :$BPORT' | grep -q ." || t_fail "blocker did not listen"
cp "$INST/master.cf" "$T_TMP/master.cf.good"
sed -i "s/^127.0.0.1:$QPORT /127.0.0.1:$BPORT /" "$INST/master.cf"
$PH reload > "$T_TMP/reload.out" 2>&1 && t_fail "reload onto a busy port succeeded: $(cat "$T_TMP/reload.out")"
grep -q "posthorn: fatal: reload failed: bind 127.0.0.1 port $BPORT: Address already in use" \
    "$T_TMP/reload.out" || t_fail "reload onto a busy port: $(cat "$T_TMP/reload.out")"
grep -q "refreshing" "$T_TMP/reload.out" && t_fail "reload claims success: $(cat "$T_TMP/reload.out")"
t_wait_log "reload failed: bind 127.0.0.1 port $BPORT" || t_fail "master did not log the failed bind"
got=$(t_qmqp "$QPORT" --request "$MSG" a@example.org b@example.org)
case $got in "REPLY K"*) ;; *) t_fail "old port after a refused reload: $got" ;; esac
kill "$blocker"; wait "$blocker" 2>/dev/null
$PH reload > "$T_TMP/reload.out" 2>&1 || t_fail "reload onto a free port: $(cat "$T_TMP/reload.out")"
got=$(t_qmqp "$BPORT" --request "$MSG" a@example.org b@example.org)
case $got in "REPLY K"*) ;; *) t_fail "new port after reload: $got" ;; esac
cp "$T_TMP/master.cf.good" "$INST/master.cf"
$PH reload > /dev/null || t_fail "reload back to port $QPORT"
queued=$(t_queue_count)

# A broken main.cf: posthorn reload refuses with file, line and parameter;
# master, signalled anyway, reports it too and goes on with the old settings.
echo 'qmqpd_timeout = 5x' >> "$INST/main.cf"
line=$(wc -l < "$INST/main.cf")
$PH reload > "$T_TMP/reload.out" 2>&1 && t_fail "posthorn reload accepted a broken main.cf"
grep -q "$INST/main.cf, line $line: parameter qmqpd_timeout: bad time value \"5x\"" "$T_TMP/reload.out" \
    || t_fail "posthorn reload output: $(cat "$T_TMP/reload.out")"
kill -HUP "$pid"
t_wait_until 10 t_log_has "reload failed: $INST/main.cf, line $line: parameter qmqpd_timeout" \
    || t_fail "broken main.cf not reported by master with file, line and parameter"
t_assert_eq "$pid" "$(t_master_pid)" "master pid after a bad reload"
kill -0 "$pid" || t_fail "master died on a bad reload"
$PH status > /dev/null 2>&1 || t_fail "posthorn status with a broken main.cf"
sleep 0.5
got=$(t_qmqp "$QPORT" --request "$MSG" a@example.org b@example.org)
case $got in "REPLY K"*) ;; *) t_fail "with a broken main.cf on disk: $got" ;; esac

# Commands that only look at the queue work from master's validated copy,
# and say so.
snap="$SPOOL/pid/main.cf.valid"
$PH queue > "$T_TMP/queue.out" 2> "$T_TMP/queue.err" || t_fail "queue with a broken main.cf: $(cat "$T_TMP/queue.err")"
grep -q "line $line: parameter qmqpd_timeout: bad time value \"5x\" -- using the configuration master last validated ($snap)" \
    "$T_TMP/queue.err" || t_fail "queue: no warning about the broken main.cf: $(cat "$T_TMP/queue.err")"
grep -q "in $((queued + 1)) Requests" "$T_TMP/queue.out" || t_fail "queue listing: $(tail -2 "$T_TMP/queue.out")"
id=$(ls "$SPOOL/incoming" | head -1)
$PH cat "$id" > "$T_TMP/cat.out" 2> "$T_TMP/cat.err" || t_fail "cat with a broken main.cf: $(cat "$T_TMP/cat.err")"
grep -q "using the configuration master last validated" "$T_TMP/cat.err" || t_fail "cat: no warning"
grep -q "^\*\*\* MESSAGE FILE END incoming/$id \*\*\*" "$T_TMP/cat.out" || t_fail "cat output"
$PH status 2>&1 | grep -q "using the configuration master last validated" || t_fail "status: no warning"

# A postlogd that starts while main.cf is broken, with its socket full,
# says so in the log and goes on: its warning must not wait in the queue
# only it reads. The running postlogd is stopped first, so that the flood
# fills its socket instead of being drained before the kill (then no new
# postlogd would be needed until the next log line).
old_postlogd=$(t_pids postlogd)
kill -STOP $old_postlogd
$PY -c 'import socket,sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.settimeout(20)
for i in range(3000): s.sendto(b"flood %d" % i, sys.argv[1])' "$SPOOL/private/postlog" &
flood=$!
sleep 0.5					# the flood fills the stopped postlogd's socket
kill -9 $old_postlogd
wait $flood || t_fail "log lines could not be sent: postlogd hangs"
t_wait_log 'postlogd\[[0-9]+\]: warning: .*main.cf, line [0-9]+: parameter qmqpd_timeout: .* -- running with the configuration master last validated' 10 \
    || t_fail "no warning from a postlogd started with a broken main.cf"
t_wait_log 'flood 2999$' 10 || t_fail "the flood did not reach the log"
t_pass
