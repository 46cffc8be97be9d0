#!/bin/bash
# Only master runs as root: every daemon it starts runs as mail_owner
# (real, effective, saved and file-system uid and gid) with the queue
# directory as its root, except postlogd, which runs as mail_owner without
# a chroot (it writes maillog_file). Checked in /proc for every child of
# master of an instance with the default master.cf, with each daemon
# started by real work (a message submitted and delivered, a listing, a
# bounce), and even for a service whose master.cf line says unpriv n.
. "$(dirname "$0")/lib.sh"
SPORT=$(t_port)
BPORT=$(t_port)
QPORT=$(t_port)
INST=$T_TMP/inst
SPOOL=$INST/spool
$POSTHORN init "$INST" --qmqp "127.0.0.1:$QPORT" qmqpd_error_delay=0 \
    "relayhost=[127.0.0.1]:$SPORT" smtp_connection_cache_destinations=127.0.0.1 > /dev/null || t_fail "init"
PH="$POSTHORN -c $INST"
# Postfix habit: a delivery service marked unpriv n; posthorn ignores it.
echo "rootsmtp unix - n y - - smtp" >> "$INST/master.cf"
$PH conf -e 'transport_maps=inline:{bounce.example.net=rootsmtp:[127.0.0.1]:'"$BPORT"'}' > /dev/null \
    || t_fail "conf -e"
$PH check > "$T_TMP/check.out" 2>&1 || t_fail "check: $(cat "$T_TMP/check.out")"
grep -q "rootsmtp.*unpriv" "$T_TMP/check.out" || t_fail "check does not warn about unpriv n: $(cat "$T_TMP/check.out")"
t_sink "$SPORT" "$T_TMP/sink"
t_sink "$BPORT" "$T_TMP/bsink" -f RCPT		# a hard error: the message bounces
t_start
printf 'Subject: p\n\nbody\n' | $PH send -f a@example.org b@example.net > /dev/null || t_fail "send"
printf 'Subject: b\n\nbody\n' | $PH send -f a@example.org bounced@bounce.example.net > /dev/null \
    || t_fail "send to the bouncing address"
t_wait_until 20 t_queue_empty || t_fail "mail not delivered"
$PH queue > /dev/null || t_fail "queue"			# starts showq

owner=$(awk -F: '/^mail_owner *=/ {print $2}' "$INST/main.cf" | tr -d ' ')
[ -n "$owner" ] || owner=posthorn
uid=$(id -u "$owner")
gid=$(id -g "$owner")
master=$(t_master_pid)
t_assert_eq 0 "$(awk '/^Uid:/ {print $2}' /proc/$master/status)" "master's uid"
spool_real=$(readlink -f "$SPOOL")
seen=""
for p in $(pgrep -P "$master"); do
    prog=$(basename "$(readlink /proc/$p/exe)")
    seen="$seen $prog"
    t_assert_eq "$uid $uid $uid $uid" "$(awk '/^Uid:/ {print $2, $3, $4, $5}' /proc/$p/status)" \
	"$prog[$p] uids"
    t_assert_eq "$gid $gid $gid $gid" "$(awk '/^Gid:/ {print $2, $3, $4, $5}' /proc/$p/status)" \
	"$prog[$p] gids"
    t_assert_eq "" "$(awk '/^Groups:/ {$1=""; print}' /proc/$p/status | tr -d ' ' | tr -d "$gid")" \
	"$prog[$p] supplementary groups"
    if [ "$prog" = postlogd ]; then
	t_assert_eq "/" "$(readlink /proc/$p/root)" "postlogd's root directory"
    else
	t_assert_eq "$spool_real" "$(readlink /proc/$p/root)" "$prog[$p]'s root directory"
    fi
done
for prog in qmqpd anvil cleanup qmgr smtp bounce scache postlogd showq; do
    case " $seen " in *" $prog "*) ;; *) t_fail "no $prog process was running (saw:$seen)" ;; esac
done
t_log "children checked:$seen"
# One process of the instance runs as root: master.
t_assert_eq 1 "$(for p in $master $(pgrep -P "$master"); do awk '/^Uid:/ {print $2}' /proc/$p/status; done | grep -cx 0)" \
    "processes running as root"
t_pass
