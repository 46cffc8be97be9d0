#!/bin/bash
# A failed rename in qmgr's bookkeeping is fatal, never ignored: with
# rename(2) failing (an LD_PRELOAD shim, fault_rename.c) while qmgr moves a
# deferred message out of active/, qmgr logs the failure and exits; master
# starts a new one, and once renames work again the message is in
# deferred/, not stranded in active/, and nothing is lost.
. "$(dirname "$0")/lib.sh"
command -v cc > /dev/null || t_fail "cc is missing"
SHIM=$T_TMP/fault_rename.so
cc -shared -fPIC -O2 -o "$SHIM" "$T_ROOT/tests/integration/fault_rename.c" -ldl || t_fail "build the shim"
chmod 755 "$SHIM"
t_deliver_instance minimal_backoff_time=300s maximal_backoff_time=600s queue_run_delay=300s
t_sink "$SPORT" "$T_TMP/sink" -r RCPT -W MAIL:3	# deferred, after 3 s in active/
# Under AddressSanitizer (make asan) the shim may come before its runtime.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
LD_PRELOAD=$SHIM $PH start > /dev/null || t_fail "start with the shim"
old=$(t_pids qmgr)
[ -n "$old" ] || t_fail "no qmgr"
# Renames fail once the message is in active/: its move to deferred/ fails.
printf 'Subject: f\n\nbody\n' | $PH send -f a@example.org b@example.net > /dev/null || t_fail "send"
t_wait_until 10 sh -c "ls '$SPOOL/active' | grep -q ." || t_fail "message not active"
touch "$SPOOL/fault-rename"
t_wait_log "qmgr\[$old\]: fatal: rename active/[0-9A-Z]+ to deferred/[0-9A-Z]+: Input/output error" 20 \
    || t_fail "failed rename not fatal"
t_wait_until 10 sh -c "! kill -0 $old 2>/dev/null" || t_fail "qmgr $old still running"
id=$(ls "$SPOOL/active")
[ -n "$id" ] || t_fail "the message left active/ although renames failed"
# Renames work again: a new qmgr recovers the message from active/.
rm -f "$SPOOL/fault-rename"
$PH flush > /dev/null 2>&1				# wakes master's qmgr service
t_wait_until 20 test -e "$SPOOL/deferred/$id" || t_fail "message not deferred after recovery"
t_assert_eq 0 "$(ls "$SPOOL/active" | wc -l)" "files stranded in active/"
new=$(t_pids qmgr)
[ -n "$new" ] && [ "$new" != "$old" ] || t_fail "no new qmgr"
t_assert_eq 1 "$(t_queue_count)" "messages queued"
t_pass
