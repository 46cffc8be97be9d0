# smtp_lib.sh - helpers for the posthorn-smtp(8) integration tests (source after lib.sh).
# There is no queue manager in these tests: messages are submitted over
# QMQP, moved from incoming/ to active/ by hand, and smtp_fake_qmgr.py sends
# the delivery request to private/smtp itself. Peers are
# smtp_test_server.py (records every byte) and Postfix's smtp-sink, on
# loopback; DNS tests run unbound on a 127.x address of their own.

S_PIDS=
S_DIR=$T_ROOT/tests/integration

# s_kill_all - stop the peers this test started (by pid), then the instance
s_kill_all() {
    local p
    for p in $S_PIDS; do
	kill "$p" 2>/dev/null
    done
    for p in $S_PIDS; do
	wait "$p" 2>/dev/null
    done
    t_cleanup
}
trap s_kill_all EXIT

# s_setup [NAME=VALUE ...] - instance with smtp and scache in master.cf, started
s_setup() {
    t_instance inet_interfaces=127.0.0.1 smtp_connect_timeout=5s "$@"
    # No queue manager: this test plays it. The delivery agents go in.
    sed -i '/^qmgr[[:space:]]/d' "$INST/master.cf"
    cat >> "$INST/master.cf" <<EOF
smtp         unix       -       -       y       -       -       smtp
scache       unix       -       -       y       -       1       scache
EOF
    # S_BOUNCE=1: the bounce service too, when it is built and not configured yet.
    if [ -n "${S_BOUNCE:-}" ] && [ -x "$T_BUILD/libexec/bounce" ] \
	&& ! grep -q '^bounce[[:space:]]' "$INST/master.cf"; then
	echo "bounce       unix       -       -       y       -       0       bounce" >> "$INST/master.cf"
    fi
    t_start
    t_wait_until 10 test -S "$SPOOL/private/smtp" || t_fail "private/smtp did not appear"
}

# s_addr - a loopback address of our own (127.x.y.z, never 127.0.0.1)
s_addr() {
    echo "127.$(( $(od -An -N1 -tu1 /dev/urandom) % 200 + 20 )).$(( $(od -An -N1 -tu1 /dev/urandom) % 250 + 1 )).$(( $(od -An -N1 -tu1 /dev/urandom) % 250 + 2 ))"
}

# s_server NAME HOST PORT [options] - smtp_test_server.py recording into $T_TMP/NAME
s_server() {
    local name=$1 host=$2 port=$3
    shift 3
    rm -rf "${T_TMP:?}/$name"
    $PY "$S_DIR/smtp_test_server.py" "$host" "$port" "$T_TMP/$name" --lifetime 120 "$@" \
	> "$T_TMP/$name.out" 2>&1 &
    S_PIDS="$S_PIDS $!"
    t_wait_until 10 test -f "$T_TMP/$name/ready" || t_fail "test server $name did not start: $(tail -3 "$T_TMP/$name.out")"
}

# s_sink NAME HOST:PORT [smtp-sink options] - Postfix's smtp-sink dumping into $T_TMP/NAME/
s_sink() {
    local name=$1 hp=$2
    shift 2
    mkdir -p "$T_TMP/$name"
    chown nobody "$T_TMP/$name"
    smtp-sink -u nobody -c -d "$T_TMP/$name/%H%M%S." "$@" "$hp" 64 > "$T_TMP/$name.out" 2>&1 &
    S_PIDS="$S_PIDS $!"
    t_wait_until 10 sh -c "ss -Htln | grep -q ' ${hp}[[:space:]]'" || t_fail "smtp-sink $name did not start: $(tail -3 "$T_TMP/$name.out")"
}

# s_submit MSG SENDER RCPT... - queue a message over QMQP, move it to active/; prints its id
s_submit() {
    local got id
    got=$(t_qmqp "$QPORT" --request "$@")
    case $got in "REPLY K"*) ;; *) t_fail "submission: $got" ;; esac
    id=${got##* }
    t_wait_until 10 test -f "$SPOOL/incoming/$id" || t_fail "$id not in incoming/"
    mv "$SPOOL/incoming/$id" "$SPOOL/active/$id" || t_fail "cannot move $id to active/"
    echo "$id"
}

# s_deliver ID NEXTHOP [smtp_fake_qmgr options] - one delivery request; prints the reply
s_deliver() {
    local id=$1 hop=$2
    shift 2
    $PY "$S_DIR/smtp_fake_qmgr.py" "$SPOOL" "$id" "$hop" "$@"
}

# s_pending ID - recipients of ID not yet done, one a line
s_pending() {
    $PH cat "$1" | sed -n 's/^recipient: //p'
}

# s_done ID - recipients of ID marked done, one a line
s_done() {
    $PH cat "$1" | sed -n 's/^done_recipient: //p'
}

# s_bounce_service - is a bounce service configured (private/bounce exists)?
s_bounce_service() { test -S "$SPOOL/private/bounce"; }

# s_events NAME - the test server's event log
s_events() { cat "$T_TMP/$1/events.jsonl" 2>/dev/null; }

# expect_bounced ID RCPT DSN TEXT - bounced and done, or (no bounce service) deferred and pending
expect_bounced() {
    local id=$1 rcpt=$2 dsn=$3 text=$4 soft
    if s_bounce_service; then
	t_wait_log "$id: to=<$rcpt>, .*dsn=$dsn, status=bounced \($text" || t_fail "$rcpt not bounced ($text)"
	s_done "$id" | grep -qx "$rcpt" || t_fail "bounced $rcpt not marked done"
    else
	soft=4${dsn#5}
	t_wait_log "$id: to=<$rcpt>, .*dsn=$soft, status=deferred \($text" \
	    || t_fail "$rcpt not deferred after a failed bounce log ($text)"
	t_log_has "warning: $id: bounce log for $rcpt: .* -- deferring instead" \
	    || t_fail "no warning about the bounce log for $rcpt"
	s_pending "$id" | grep -qx "$rcpt" || t_fail "$rcpt marked done without a bounce record"
    fi
}

# s_unbound ADDR - a real DNS server (unbound) on ADDR:53 for the "test."
# zone, whose records are the unbound.conf lines on standard input
# ("local-data: ..." or "local-zone: ..."); $T_TMP/resolv.conf points at it
s_unbound() {
    local dns=$1
    mkdir -p "$T_TMP/unbound"
    {
	cat <<EOF
server:
  interface: $dns
  port: 53
  do-daemonize: no
  chroot: ""
  username: ""
  directory: "$T_TMP/unbound"
  pidfile: "$T_TMP/unbound/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 0
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
  local-zone: "test." static
EOF
	sed 's/^[[:space:]]*/  /'
	printf 'remote-control:\n  control-enable: no\n'
    } > "$T_TMP/unbound/unbound.conf"
    unbound -d -c "$T_TMP/unbound/unbound.conf" > "$T_TMP/unbound/log" 2>&1 &
    S_PIDS="$S_PIDS $!"
    t_wait_until 10 test -s "$T_TMP/unbound/unbound.pid" || t_fail "unbound did not start: $(cat "$T_TMP/unbound/log")"
    echo "nameserver $dns" > "$T_TMP/resolv.conf"
}
