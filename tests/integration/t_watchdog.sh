#!/bin/bash
# The watchdog: a qmqpd with daemon_timeout 2s that is kept busy by a client
# that stops in the middle of its request logs "fatal: watchdog timeout"
# and exits 1 (master logs the exit, and does not take it for a failed
# start); an idle qmqpd, waiting longer than that for its next client, is
# left alone, and serves it.
. "$(dirname "$0")/lib.sh"
t_instance
t_ingest_only
sed -i -E "s/^(127\.0\.0\.1:$QPORT[[:space:]].*qmqpd.*)$/\1 -o daemon_timeout=2s/" "$INST/master.cf"
grep -q 'daemon_timeout=2s' "$INST/master.cf" || t_fail "master.cf edit: $(cat "$INST/master.cf")"
t_start
MSG='Subject: hi\n\nHello\n'

got=$(t_qmqp "$QPORT" --request "$MSG" a@example.org b@example.org)
case $got in "REPLY K"*) ;; *) t_fail "first message: $got" ;; esac
idle=$(t_pids qmqpd)
[ -n "$idle" ] || t_fail "no idle qmqpd"
sleep 3
for p in $idle; do
    kill -0 "$p" 2>/dev/null || t_fail "idle qmqpd $p did not outlive daemon_timeout"
done
got=$(t_qmqp "$QPORT" --request "$MSG" a@example.org c@example.org)
case $got in "REPLY K"*) ;; *) t_fail "message after an idle spell: $got" ;; esac

# 10 bytes of a request, then silence for 6 s (qmqpd_timeout is 300 s).
got=$(t_qmqp "$QPORT" --request "$MSG" a@example.org d@example.org --cut 10 --hold 6 --timeout 8)
case $got in NOREPLY|RESET) ;; *) t_fail "stuck request: $got" ;; esac
t_wait_log 'posthorn/qmqpd\[[0-9]+\]: fatal: watchdog timeout' || t_fail "no watchdog line from qmqpd"
pid=$(grep -E 'qmqpd\[[0-9]+\]: fatal: watchdog timeout' "$INST/maillog" | head -1 | sed -E 's/.*qmqpd\[([0-9]+)\].*/\1/')
t_wait_log "process .*/qmqpd pid $pid exit status 1" || t_fail "master did not log the watchdog's exit"
t_log_has "qmqpd pid $pid killed by signal 14" && t_fail "the watchdog killed silently"
t_log_has 'qmqpd: bad command startup' && t_fail "a watchdog exit mid-request throttled qmqpd"
got=$(t_qmqp "$QPORT" --request "$MSG" a@example.org e@example.org)
case $got in "REPLY K"*) ;; *) t_fail "message after the watchdog: $got" ;; esac
t_pass
