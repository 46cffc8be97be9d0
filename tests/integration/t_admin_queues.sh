#!/bin/bash
# Queue names limit an admin operation, as with Postfix's postsuper:
# "delete ALL deferred" leaves held mail alone, "delete ALL bogus" and any
# other unknown argument changes nothing and exits non-zero; "release ALL
# deferred" is refused (release acts on hold only). Both through qmgr while
# the instance runs and directly on the files when it is stopped, where
# the command itself logs the audit lines.
. "$(dirname "$0")/lib.sh"
t_deliver_instance minimal_backoff_time=300s maximal_backoff_time=600s queue_run_delay=300s
t_sink "$SPORT" "$T_TMP/sink" -r RCPT		# everything is deferred
t_start

# queue_four - one held and three deferred messages
queue_four() {
    local i
    for i in 1 2 3 4; do
	printf 'Subject: %d\n\nbody\n' "$i" | $PH send -f a@example.org "r$i@example.net" > /dev/null \
	    || t_fail "send $i"
    done
    t_wait_until 10 t_dir_has "$SPOOL/deferred" 4 || t_fail "messages not deferred"
    held=$(ls "$SPOOL/deferred" | head -1)
    $PH hold "$held" | grep -q "Placed on hold: 1 message" || t_fail "hold"
}

# refused ARGS... - the command fails, says why, and changes nothing
refused() {
    local before
    before=$(cd "$SPOOL" && ls incoming active deferred hold corrupt)
    $PH "$@" > "$T_TMP/out" 2>&1 && t_fail "posthorn $* succeeded"
    grep -q "nothing done\|does not act on" "$T_TMP/out" || t_fail "posthorn $*: no reason: $(cat "$T_TMP/out")"
    t_assert_eq "$before" "$(cd "$SPOOL" && ls incoming active deferred hold corrupt)" "queue after posthorn $*"
}

# check_queues - delete ALL deferred, with bad arguments first
check_queues() {
    queue_four
    refused delete ALL bogus
    grep -q '"bogus": not a queue id, ALL, or a queue name' "$T_TMP/out" || t_fail "bogus not named"
    refused delete ALL deferred bogus
    refused delete "$held" ALL Deferred
    refused release ALL deferred
    grep -q "release does not act on the deferred queue" "$T_TMP/out" || t_fail "release reason"
    refused hold ALL corrupt
    $PH delete ALL deferred | grep -q "Deleted: 3 messages" || t_fail "delete ALL deferred"
    [ -e "$SPOOL/hold/$held" ] || t_fail "delete ALL deferred removed the held message"
    t_assert_eq 1 "$(t_queue_count)" "messages left"
    # An id in a queue the operation is not limited to is not touched.
    $PH delete "$held" deferred > /dev/null 2>&1 && t_fail "delete of a held id limited to deferred"
    [ -e "$SPOOL/hold/$held" ] || t_fail "held message removed by delete ID deferred"
    $PH delete "$held" hold | grep -q "Deleted: 1 message" || t_fail "delete ID hold"
    t_assert_eq 0 "$(t_queue_count)" "messages left at the end"
}

check_queues
t_log "through qmgr: done"
# The same with the instance stopped: the command moves the files itself.
queue_four
t_stop
$PH delete ALL bogus > /dev/null 2>&1 && t_fail "offline delete ALL bogus succeeded"
t_assert_eq 4 "$(t_queue_count)" "messages after offline delete ALL bogus"
$PH delete ALL deferred | grep -q "Deleted: 3 messages" || t_fail "offline delete ALL deferred"
[ -e "$SPOOL/hold/$held" ] || t_fail "offline delete ALL deferred removed the held message"
$PH requeue ALL hold | grep -q "Requeued: 1 message" || t_fail "offline requeue ALL hold"
[ -e "$SPOOL/incoming/$held" ] || t_fail "requeued message not in incoming/"
t_assert_eq 3 "$(grep -c 'posthorn/posthorn\[[0-9]*\]: [0-9A-Z]*: removed by the administrator$' "$INST/maillog")" \
    "offline deletions logged"
grep -q "posthorn/posthorn\[[0-9]*\]: $held: requeued\$" "$INST/maillog" || t_fail "offline requeue not logged"
t_pass
