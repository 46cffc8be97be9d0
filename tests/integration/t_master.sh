#!/bin/bash
# master: per-service process limits, children spawned on demand, and a
# service whose program dies at start-up is throttled instead of being
# respawned in a tight loop, then retried after service_throttle_time.
. "$(dirname "$0")/lib.sh"
t_instance service_throttle_time=3s
sed -i "s/^127.0.0.1:$QPORT .*/127.0.0.1:$QPORT inet n - y - 2 qmqpd/" "$INST/master.cf"
echo "broken unix - - n - - /bin/false" >> "$INST/master.cf"
t_start
t_assert_eq "" "$(t_pids qmqpd)" "qmqpd processes before any client"

# Five clients that send half a request and wait: at most 2 qmqpd processes.
for i in 1 2 3 4 5; do
    t_qmqp "$QPORT" --request 'Subject: x\n\nbody\n' a@example.org b@example.org \
	--cut 10 --hold 3 --timeout 1 > /dev/null &
done
sleep 1.5
n=$(t_pids qmqpd | wc -l)
[ "$n" -ge 1 ] && [ "$n" -le 2 ] || t_fail "$n qmqpd processes, maxproc is 2"
wait

# A program that exits at once: one failed start, then nothing until the
# throttle time has passed.
for i in 1 2 3; do
    $PY -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()' \
	"$SPOOL/private/broken" 2>/dev/null
    sleep 0.3
done
t_wait_log 'bad command startup -- throttling' || t_fail "no throttling"
t_assert_eq 1 "$(grep -c 'process /bin/false pid [0-9]* exit status 1' "$INST/maillog")" \
    "failed starts within the throttle time"
sleep 3.5
$PY -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()' \
    "$SPOOL/private/broken" 2>/dev/null
t_wait_until 5 sh -c "[ \$(grep -c 'process /bin/false pid [0-9]* exit status 1' '$INST/maillog') -ge 2 ]" \
    || t_fail "the service was not retried after the throttle time"
t_pass
