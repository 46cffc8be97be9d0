#!/bin/bash
# qmqpd_authorized_clients: an unauthorized client gets D and a log line;
# posthorn reload makes a changed list take effect while master keeps its
# pid and its listener (no refused connection during reloads); a broken
# main.cf on reload is reported with file, line and parameter, and the
# instance keeps working with its old settings.
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
$PH status > /dev/null || t_fail "posthorn status with a broken main.cf"
sleep 0.5
got=$(t_qmqp "$QPORT" --request "$MSG" a@example.org b@example.org)
case $got in "REPLY K"*) ;; *) t_fail "with a broken main.cf on disk: $got" ;; esac
t_pass
