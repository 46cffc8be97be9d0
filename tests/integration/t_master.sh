#!/bin/bash
# master: per-service process limits, children spawned on demand, and a
# service whose program dies at start-up is throttled instead of being
# respawned in a tight loop, then retried after service_throttle_time; so
# is one that reports a request first and dies at once, and a real daemon
# with a bad -o value: a few log lines in 8 s, not thousands.
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

# lines_in_8s PATTERN - log lines matching PATTERN written during the last 8 s
lines_in_8s() {
    local before
    before=$(grep -cE -- "$1" "$INST/maillog")
    sleep 8
    echo $(( $(grep -cE -- "$1" "$INST/maillog") - before ))
}

# A program that reports one request as soon as it runs, as event-driven
# daemons do, then dies, while a client waits in its listen queue (a
# master.cf entry copied with the wrong socket type did this to qmgr):
# throttled all the same, instead of thousands of restarts a second.
cat > "$T_TMP/crasher" <<'EOF'
#!/usr/bin/python3
import os, struct, sys
os.write(4, struct.pack("ii", os.getpid(), 0))	# taken: one request on record
os.write(4, struct.pack("ii", os.getpid(), 1))	# available
sys.exit(1)
EOF
chmod 755 "$T_TMP/crasher"
echo "crasher unix - - n - 1 $T_TMP/crasher" >> "$INST/master.cf"
$PH reload > /dev/null || t_fail "reload with the crasher service"
$PY -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(12)' \
    "$SPOOL/private/crasher" 2>/dev/null &
T_BG_PIDS="$T_BG_PIDS $!"
n=$(lines_in_8s 'crasher')
[ "$n" -le 12 ] || t_fail "$n log lines in 8 s from a crashing event-driven service"
t_log_has "$T_TMP/crasher: bad command startup -- throttling" || t_fail "crasher not throttled"

# A real daemon with a bad -o value, which posthorn check would refuse, put
# in behind its back (master itself does not read -o values): clients keep
# coming for 8 s, the log stays at a few lines.
P2=$(t_port)
echo "127.0.0.1:$P2 inet n - y - - qmqpd -o qmqpd_timeout=5x" >> "$INST/master.cf"
kill -HUP "$(t_master_pid)"
t_wait_until 10 sh -c "ss -Htln 'sport = :$P2' | grep -q ." || t_fail "no listener on $P2"
(
    end=$(( $(date +%s) + 9 ))
    while [ "$(date +%s)" -lt "$end" ]; do
	t_qmqp "$P2" --request 'Subject: x\n\nx\n' a@example.org b@example.org --timeout 2 > /dev/null 2>&1
	sleep 0.05
    done
) &
T_BG_PIDS="$T_BG_PIDS $!"
n=$(lines_in_8s '.')
[ "$n" -le 16 ] || t_fail "$n log lines in 8 s while qmqpd dies at start: $(tail -n 20 "$INST/maillog")"
t_log_has 'qmqpd.*fatal: .*qmqpd_timeout' || t_fail "qmqpd did not die of its bad -o value"
t_log_has 'qmqpd: bad command startup -- throttling' || t_fail "qmqpd with a bad -o value not throttled"
t_pass
