#!/bin/bash
# Unprivileged mode: an instance created and started by an ordinary user
# runs every daemon as that user, without chroot, and works end to end
# (submission and delivery to a sink). It runs copies of the programs
# (t_stage_for_user), so that the instance's daemon_directory is one the
# user can reach wherever the build tree lies.
. "$(dirname "$0")/lib.sh"
command -v runuser > /dev/null || t_fail "runuser (util-linux) is missing"
U=nobody
as_user() { runuser -u "$U" -- "$@"; }
# The build tree may be out of nobody's reach: run copies of the programs.
t_stage_for_user "$U" "$T_BUILD/bin" "$T_BUILD/libexec"
POSTHORN=$T_STAGE/bin/posthorn
T_LIBEXEC=$T_STAGE/libexec
QPORT=$(t_port)
SPORT=$(t_port)
INST=$T_TMP/user/inst
SPOOL=$INST/spool
mkdir -p "$T_TMP/user" && chown "$U" "$T_TMP/user"
as_user "$POSTHORN" init "$INST" --qmqp "127.0.0.1:$QPORT" qmqpd_error_delay=0 \
    "relayhost=[127.0.0.1]:$SPORT" > /dev/null || t_fail "init as $U"
PH="as_user $POSTHORN -c $INST"
t_sink "$SPORT" "$T_TMP/sink"
$PH start > /dev/null || t_fail "start as $U"
pid=$(t_master_pid)
t_assert_eq "$U" "$(ps -o user= -p "$pid" | tr -d ' ')" "master's user"
printf 'Subject: unpriv\n\nbody\n' | $PH send -f a@example.org b@example.net > /dev/null \
    || t_fail "send"
t_wait_until 20 t_queue_empty || t_fail "message not delivered"
t_assert_eq 1 "$(ls "$T_TMP/sink" | wc -l)" "messages at the sink"
for prog in qmqpd cleanup qmgr smtp; do
    p=$(t_pids $prog | head -1)
    [ -n "$p" ] || t_fail "no $prog process"
    t_assert_eq "$U" "$(ps -o user= -p "$p" | tr -d ' ')" "$prog's user"
    t_assert_eq "/" "$(readlink /proc/$p/root)" "$prog's root directory (no chroot)"
done
$PH stop > /dev/null || t_fail "stop as $U"
t_pass
