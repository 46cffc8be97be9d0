#!/bin/bash
# A hostile local user (nobody) against a running instance: admin requests
# (delete, hold, status) sent straight to every socket in public/, the
# posthorn command's delete, hold and status, a forged two-line log
# datagram, and flush and listing rights. The queue stays untouched, no file
# appears in public/, no forged line reaches the log, and every refusal is
# clear: on the command line and in the log (docs/design.md, "Sockets and
# who may reach them").
. "$(dirname "$0")/lib.sh"
command -v runuser > /dev/null || t_fail "runuser (util-linux) is missing"
t_deliver_instance minimal_backoff_time=300s maximal_backoff_time=600s queue_run_delay=300s
t_sink "$SPORT" "$T_TMP/sink" -r RCPT		# everything is deferred
t_start
for i in 1 2 3 4; do
    printf 'Subject: %d\n\nbody\n' "$i" | $PH send -f a@example.org "r$i@example.net" > /dev/null \
	|| t_fail "send $i"
done
t_wait_until 10 t_dir_has "$SPOOL/deferred" 4 || t_fail "messages not deferred"
held=$(ls "$SPOOL/deferred" | head -1)
$PH hold "$held" > /dev/null || t_fail "hold"

U=nobody
UID_U=$(id -u $U)
t_stage_for_user "$U" "$POSTHORN" "$T_ROOT/tests/integration/local_attack.py"
UPH="runuser -u $U -- $T_STAGE/posthorn -c $INST"
ATTACK="runuser -u $U -- $PY $T_STAGE/local_attack.py"
spool_state() { (cd "$SPOOL" && ls incoming active deferred hold corrupt public); }
before=$(spool_state)

# 1. Requests straight to every socket in public/.
$ATTACK requests "$SPOOL" > "$T_TMP/attack.out" 2>&1 || t_fail "attack script failed"
cat "$T_TMP/attack.out"
t_assert_eq 3 "$(grep -c '^ANSWER qmgr ' "$T_TMP/attack.out")" "answers from qmgr"
t_assert_eq 3 "$(grep '^ANSWER qmgr ' "$T_TMP/attack.out" | grep -c 'permission denied')" \
    "qmgr answers that say permission denied"
grep -q '^ANSWER showq' "$T_TMP/attack.out" || t_fail "showq did not answer (listing is for anyone)"
t_wait_log "warning: refusing an admin request from uid $UID_U" || t_fail "refusal not logged"

# 2. The posthorn command as nobody.
for cmd in "delete ALL" "hold ALL" "requeue ALL" "status -j"; do
    if $UPH $cmd > "$T_TMP/cli.out" 2>&1; then
	t_fail "posthorn $cmd as $U succeeded"
    fi
    grep -q "permission denied: only root and mail_owner" "$T_TMP/cli.out" \
	|| t_fail "posthorn $cmd as $U: no clear reason: $(cat "$T_TMP/cli.out")"
done

# 3. A forged log line: the log socket is out of reach, and postlogd drops
# what a stranger sends even through a socket root connected for it.
forged='first\nDec  7 00:00:00 vm posthorn/smtp[1]: FORGEDID: to=<x@example.net>, status=sent (250 forged)'
$ATTACK log "$SPOOL" "$forged" > "$T_TMP/log.out" 2>&1
grep -q "^REFUSED $SPOOL/private/postlog EACCES" "$T_TMP/log.out" \
    || t_fail "nobody reached private/postlog: $(cat "$T_TMP/log.out")"
grep -q "^SENT" "$T_TMP/log.out" && t_fail "a log datagram from nobody was sent: $(cat "$T_TMP/log.out")"
$PY "$T_ROOT/tests/integration/local_attack.py" log-fd "$SPOOL" "$forged" "$UID_U" | grep -qx SENT \
    || t_fail "log-fd datagram not sent"
t_wait_log "warning: dropped a log line from uid $UID_U" || t_fail "postlogd kept a stranger's line"
# Root's (mail_owner's) datagrams are logged, but as one line each.
$PY - "$SPOOL/private/postlog" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"ROOTLINE\nDec  7 00:00:00 vm posthorn/qmgr[1]: FORGEDROOT: removed\r\x1b[2J", sys.argv[1])
PY
t_wait_log "ROOTLINE" || t_fail "root's log line missing"
grep -q FORGEDID "$INST/maillog" && t_fail "a forged line reached the log"
t_assert_eq 1 "$(grep -c FORGEDROOT "$INST/maillog")" "lines with the second half of root's datagram"
grep FORGEDROOT "$INST/maillog" | grep -q '^.*ROOTLINE?Dec  7 00:00:00 vm posthorn/qmgr\[1\]: FORGEDROOT: removed??\[2J$' \
    || t_fail "control characters not replaced: $(grep FORGEDROOT "$INST/maillog" | od -c | head -5)"

# Nothing changed in the queue, and nothing new appeared in public/.
t_assert_eq "$before" "$(spool_state)" "queue and public/ after the attacks"
[ -e "$SPOOL/hold/$held" ] || t_fail "the held message moved"
t_assert_eq 4 "$(t_queue_count)" "messages queued"

# 4. Listing and flushing are for anyone by default (Postfix's static:anyone).
$UPH queue > "$T_TMP/q.out" 2>&1 || t_fail "posthorn queue as $U: $(cat "$T_TMP/q.out")"
t_assert_eq 4 "$(grep -cE '^[0-9A-Z]{16}' "$T_TMP/q.out")" "messages $U sees in the listing"
grep -qE "^$held +!" "$T_TMP/q.out" || t_fail "held message not marked in the listing"
n=$(grep -c 'status=deferred' "$INST/maillog")
$UPH flush || t_fail "posthorn flush as $U"
t_wait_until 10 sh -c "[ \$(grep -c 'status=deferred' '$INST/maillog') -ge $((n + 3)) ]" \
    || t_fail "flush by $U did not retry the deferred mail"

# ... and for whom authorized_flush_users and authorized_mailq_users say.
$PH conf -e authorized_flush_users=root authorized_mailq_users=root > /dev/null || t_fail "conf -e"
$PH reload > /dev/null || t_fail "reload"
$UPH flush > "$T_TMP/f.out" 2>&1 && t_fail "flush as $U allowed with authorized_flush_users=root"
grep -q "User $U($UID_U) is not allowed to flush the mail queue" "$T_TMP/f.out" \
    || t_fail "flush refusal unclear: $(cat "$T_TMP/f.out")"
sleep 1
$ATTACK flush "$SPOOL" > /dev/null
t_wait_log "warning: refusing to flush the queue for uid $UID_U" || t_fail "raw flush not refused"
t_wait_until 10 sh -c "! $UPH queue > '$T_TMP/q2.out' 2>&1" \
    || t_fail "listing as $U allowed with authorized_mailq_users=root"
grep -q "permission denied: not in authorized_mailq_users" "$T_TMP/q2.out" \
    || t_fail "listing refusal unclear: $(cat "$T_TMP/q2.out")"
$PH queue | grep -cE '^[0-9A-Z]{16}' | grep -qx 4 || t_fail "root cannot list the queue"
t_assert_eq 4 "$(t_queue_count)" "messages queued at the end"
t_pass
