#!/bin/bash
# qmqpd keeps its stream to cleanup from one message to the next
# (cleanup_client.c): messages that one qmqpd process handled were all
# written by one cleanup process. A cleanup that dies between two messages
# (kill -9), or exits for a reload, costs the next message nothing: qmqpd
# sees the stream's end before it starts and opens a new one, so the client
# still hears K, never Z.
. "$(dirname "$0")/lib.sh"
t_instance
t_ingest_only
t_start
MSG='Subject: hi\n\nHello\n'
send_ok() {
    local got
    got=$(t_qmqp "$QPORT" --request "$MSG" a@example.org "$1")
    case $got in "REPLY K Ok: queued as "*) echo "${got##* }" ;; *) t_fail "$2: $got" ;; esac
}
for i in 1 2 3 4 5 6; do send_ok "r$i@example.org" "message $i" > /dev/null; done
t_wait_log 'cleanup\[[0-9]+\]: .*message-id=' || t_fail "no cleanup log lines"
sleep 0.5
# Which qmqpd (client=) and which cleanup (message-id=) handled each id.
pairs=$(sed -nE 's/.*qmqpd\[([0-9]+)\]: ([0-9A-Z]+): client=.*/\2 \1/p' "$INST/maillog" | sort)
cpairs=$(sed -nE 's/.*cleanup\[([0-9]+)\]: ([0-9A-Z]+): message-id=.*/\2 \1/p' "$INST/maillog" | sort)
joined=$(join <(echo "$pairs") <(echo "$cpairs"))
[ "$(echo "$joined" | wc -l)" -ge 6 ] || t_fail "log lines for 6 messages: $joined"
# Each qmqpd process used exactly one cleanup process.
bad=$(echo "$joined" | awk '{print $2, $3}' | sort -u | awk '{print $1}' | uniq -d)
[ -z "$bad" ] || t_fail "qmqpd $bad talked to more than one cleanup: $joined"
nq=$(echo "$joined" | awk '{print $2}' | sort -u | wc -l)
nc=$(echo "$joined" | awk '{print $3}' | sort -u | wc -l)
t_log "6 messages: $nq qmqpd and $nc cleanup processes"
[ "$nc" -le "$nq" ] || t_fail "$nc cleanup processes for $nq qmqpd processes"
# Between messages the stream stays open: an idle cleanup holds an
# established connection on private/cleanup.
held=0
for p in $(t_pids cleanup); do
    ss -xpn state established 2>/dev/null | grep "private/cleanup" | grep -q "pid=$p," && held=$((held + 1))
done
[ "$held" -ge 1 ] || t_fail "no cleanup keeps a stream open between messages: $(ss -xpn | grep cleanup)"

# cleanup killed between messages: the kept stream is dead, the next
# message goes over a new one and is accepted.
pids=$(t_pids cleanup)
[ -n "$pids" ] || t_fail "no cleanup process waits on a kept stream"
kill -9 $pids
sleep 0.3
for i in 1 2 3; do send_ok "k$i@example.org" "message $i after cleanup was killed" > /dev/null; done

# A reload: old processes go once their stream ends; nothing is refused,
# and the messages after it are written by cleanups started after it.
old_cleanups=" $(t_pids cleanup | tr '\n' ' ') "
$PH reload > /dev/null || t_fail "reload"
for i in 1 2 3; do
    qid=$(send_ok "l$i@example.org" "message $i after a reload")
    t_wait_log "cleanup\[[0-9]+\]: $qid: message-id=" || t_fail "$qid: no cleanup line"
    pid=$(sed -nE "s/.*cleanup\[([0-9]+)\]: $qid: message-id=.*/\1/p" "$INST/maillog")
    case $old_cleanups in *" $pid "*) t_fail "$qid was written by cleanup $pid from before the reload" ;; esac
done
t_assert_eq 12 "$(t_queue_count)" "queue files"
grep -E '(qmqpd|cleanup)\[[0-9]+\]: warning' "$INST/maillog" && t_fail "qmqpd or cleanup warned"
t_pass
