#!/bin/bash
# Whatever is not a regular file with a queue id name in incoming/,
# active/, deferred/ or hold/ goes to corrupt/ with one log line each: a
# directory and a symbolic link with queue id names, a FIFO in hold/, stray
# names. Mail keeps flowing, the listing does not hang on the FIFO, and junk
# that cannot be moved is reported once, not at every scan.
. "$(dirname "$0")/lib.sh"
t_deliver_instance queue_run_delay=1s
t_sink "$SPORT" "$T_TMP/sink"
D1=0AAAAAAAAAAAAAA1; L1=0AAAAAAAAAAAAAA2; L2=0AAAAAAAAAAAAAA3; F1=0AAAAAAAAAAAAAA4
mkdir "$SPOOL/incoming/$D1"
ln -s /etc/passwd "$SPOOL/incoming/$L1"
ln -s /etc/shadow "$SPOOL/active/$L2"
mkfifo "$SPOOL/hold/$F1"
echo junk > "$SPOOL/deferred/not-a-queue-id"
echo junk > "$SPOOL/deferred/stuck-junk"
echo older > "$SPOOL/corrupt/stuck-junk"		# taken: this one cannot move
chown -R --reference="$SPOOL/incoming" "$SPOOL"/incoming/* "$SPOOL"/deferred/* 2>/dev/null
t_start
printf 'Subject: flows\n\nbody\n' | $PH send -f a@example.org b@example.net > /dev/null || t_fail "send"
t_wait_until 20 sh -c "ls '$T_TMP/sink' | grep -q ." || t_fail "mail stopped flowing"
for j in "incoming/$D1" "incoming/$L1" "active/$L2" "hold/$F1" deferred/not-a-queue-id; do
    t_wait_log "warning: $j: not a queue file .*moved to corrupt" || t_fail "$j not reported"
    [ -e "$SPOOL/$j" ] || [ -L "$SPOOL/$j" ] && t_fail "$j still there"
    [ -e "$SPOOL/corrupt/${j#*/}" ] || [ -L "$SPOOL/corrupt/${j#*/}" ] || t_fail "$j not in corrupt/"
done
t_wait_log "warning: deferred/stuck-junk: not a queue file, and it cannot be moved to corrupt" \
    || t_fail "unmovable junk not reported"
sleep 3							# three deferred scans more
t_assert_eq 1 "$(grep -c 'deferred/stuck-junk' "$INST/maillog")" "reports of the unmovable junk"
t_assert_eq older "$(cat "$SPOOL/corrupt/stuck-junk")" "corrupt/ file that was there first"
# New junk while running, found by the next scan.
D2=0AAAAAAAAAAAAAA5
mkdir "$SPOOL/incoming/$D2"
$PH flush > /dev/null
t_wait_log "warning: incoming/$D2: not a queue file" || t_fail "junk made while running not moved"
# A FIFO under a queue id name must not hang the listing.
F2=0AAAAAAAAAAAAAA6
mkfifo "$SPOOL/hold/$F2"
timeout 10 $PH queue > "$T_TMP/q.out" 2>&1 || t_fail "posthorn queue hung or failed on a FIFO in hold/"
timeout 10 $PH cat "$F2" > /dev/null 2>&1 && t_fail "posthorn cat of a FIFO succeeded"
[ "$(ls "$T_TMP/sink" | wc -l)" -ge 1 ] || t_fail "no delivery"
t_pass
