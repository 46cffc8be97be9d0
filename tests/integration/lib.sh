# lib.sh - shared helpers for integration tests: a real posthorn instance in a
# temporary directory (root mode: chroot, mail_owner), real peers on loopback.
# Each test script sources this file, calls t_instance, and ends with t_pass.
set -u

T_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T_BUILD=${BUILD:-build}
case $T_BUILD in /*) ;; *) T_BUILD=$T_ROOT/$T_BUILD ;; esac
POSTHORN=$T_BUILD/bin/posthorn
T_LIBEXEC=$T_BUILD/libexec		# the daemons (t_pids looks for them here)
PY=/usr/bin/python3
# No __pycache__ in the clone from the helper modules the tests import.
export PYTHONDONTWRITEBYTECODE=1
T_NAME=$(basename "$0" .sh)
T_TMP=$(mktemp -d "/tmp/posthorn-$T_NAME.XXXXXX")
chmod 755 "$T_TMP"
INST=
PH=
SPOOL=
NULLMAILER_QMQP=${NULLMAILER_DIR:-/opt/posthorn-peers/nullmailer}/usr/lib/nullmailer/qmqp

t_log() { echo "[$T_NAME] $*"; }

# t_fail MSG - report, show the end of the instance's log, stop
t_fail() {
    echo "FAIL [$T_NAME]: $*"
    if [ -n "$INST" ] && [ -f "$INST/maillog" ]; then
	echo "--- last lines of $INST/maillog"
	tail -n 30 "$INST/maillog"
    fi
    exit 1
}

# t_pass - but not if a daemon crashed (a sanitizer abort, a panic, a fault)
t_pass() {
    if [ -n "$INST" ] && [ -f "$INST/maillog" ] \
	&& grep -Eq 'killed by signal (4|6|7|8|11)\b|panic:' "$INST/maillog"; then
	t_fail "a daemon crashed: $(grep -E 'killed by signal (4|6|7|8|11)\b|panic:' "$INST/maillog" | head -3)"
    fi
    echo "PASS [$T_NAME]"
    exit 0
}

t_cleanup() {
    [ -n "${T_SINK_PIDS:-}" ] && kill $T_SINK_PIDS 2>/dev/null
    [ -n "${T_BG_PIDS:-}" ] && kill $T_BG_PIDS 2>/dev/null
    if [ -n "$PH" ]; then
	$PH stop >/dev/null 2>&1 || true
    fi
    if [ -n "${T_KEEP:-}" ]; then
	echo "[$T_NAME] keeping $T_TMP"
    else
	rm -rf "$T_TMP"
    fi
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# t_sanitized - this build has AddressSanitizer (make asan): every
# process runs several times slower, so time bounds meant for the
# normal build must widen
t_sanitized() { nm "$T_BUILD/lib/libutil.a" 2>/dev/null | grep -q __asan_; }

# t_port - a TCP port nobody listens on, below the ephemeral range so no
# client connection can be holding it, and not handed out before in this
# test: a test takes several ports before its servers bind them, and is
# called as $(t_port), a subshell, so the ports given out live in a file
t_port() {
    local low p used="$T_TMP/ports.given"
    low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
    [ "${low:-0}" -gt 12000 ] || low=32768
    while :; do
	p=$(( 10000 + $(od -An -N2 -tu2 /dev/urandom) % (low - 10000) ))
	grep -qx "$p" "$used" 2>/dev/null && continue
	if ! ss -Htln "sport = :$p" | grep -q .; then
	    echo "$p" >> "$used"
	    echo "$p"
	    return
	fi
    done
}

# t_instance [NAME=VALUE ...] - create (not start) an instance with qmqpd on
# 127.0.0.1:$QPORT and without the delivery side (qmgr, smtp, bounce, scache):
# accepted mail stays in incoming/ for inspection. t_deliver_instance and the
# smtp and bounce test libraries put back what they need.
t_instance() {
    QPORT=$(t_port)
    INST=$T_TMP/inst
    $POSTHORN init "$INST" --qmqp "127.0.0.1:$QPORT" qmqpd_error_delay=0 "$@" >/dev/null \
	|| t_fail "posthorn init failed"
    PH="$POSTHORN -c $INST"
    SPOOL=$INST/spool
    sed -i -E '/^(qmgr|smtp|bounce|scache)[[:space:]]/d' "$INST/master.cf"
}

t_start() { $PH start >/dev/null || t_fail "posthorn start failed"; }
t_stop() { $PH stop >/dev/null || t_fail "posthorn stop failed"; }

# t_assert_eq EXPECTED ACTUAL WHAT
t_assert_eq() {
    [ "$1" = "$2" ] || t_fail "$3: expected '$1', got '$2'"
}

# t_queue_count - complete messages in the message queues
t_queue_count() {
    find "$SPOOL/incoming" "$SPOOL/active" "$SPOOL/deferred" "$SPOOL/hold" \
	-maxdepth 1 -type f -regextype posix-extended -regex '.*/[0-9A-Z]{16}' 2>/dev/null | wc -l
}

# t_wait_until SECONDS COMMAND... - poll until the command succeeds
t_wait_until() {
    local limit=$1; shift
    local end=$(( $(date +%s) + limit ))
    while ! "$@" >/dev/null 2>&1; do
	[ "$(date +%s)" -ge "$end" ] && return 1
	sleep 0.1
    done
    return 0
}

# t_log_has PATTERN - grep -E the instance log
t_log_has() { grep -Eq -- "$1" "$INST/maillog"; }

# t_trace_start FILE STRACE_OPTION... - strace master, the daemons it runs
# now and every daemon it starts from now on into FILE, with timestamps for
# strace_events.py; t_trace_stop ends it. The tracer's pid is in T_TRACER.
t_trace_start() {
    local out=$1 m p pids
    shift
    command -v strace > /dev/null || t_fail "strace is not installed"
    m=$(t_master_pid)
    pids="-p $m"
    for p in $(pgrep -P "$m"); do pids="$pids -p $p"; done
    # shellcheck disable=SC2086 # one -p per process
    strace -f -qq -ttt -s 80 "$@" -o "$out" $pids &
    T_TRACER=$!
    sleep 1				# let strace attach
}
t_trace_stop() { kill "$T_TRACER"; wait "$T_TRACER" 2>/dev/null; }

# t_qmqp ARGS... - the raw QMQP client (see qmqp_raw.py)
t_qmqp() { $PY "$T_ROOT/tests/integration/qmqp_raw.py" "$@"; }

# t_master_pid
t_master_pid() { tr -d ' \n' < "$SPOOL/pid/master.pid"; }

[ "$(id -u)" = 0 ] || { echo "SKIP [$T_NAME]: integration tests run as root (chroot mode)"; exit 77; }
[ -x "$POSTHORN" ] || { echo "FAIL [$T_NAME]: $POSTHORN not built"; exit 1; }

# t_wait_log PATTERN [SECONDS] - the log line may lag a little (postlogd writes it)
t_wait_log() { t_wait_until "${2:-5}" t_log_has "$1"; }

# t_pids PROGRAM - pids of this instance's processes running PROGRAM (master, qmqpd ...)
t_pids() {
    local p
    for p in $(pgrep -f "$T_LIBEXEC/$1" 2>/dev/null); do
	if tr '\0' '\n' 2>/dev/null < "/proc/$p/environ" | grep -qx "POSTHORN_CONFIG_DIR=$INST" \
	    || tr '\0' ' ' 2>/dev/null < "/proc/$p/cmdline" | grep -q -- "-c $INST "; then
	    echo "$p"
	fi
    done
}

# t_delivery_services - make sure master.cf runs the delivery side
# (qmgr, smtp, bounce, scache), whatever the default master.cf holds.
t_delivery_services() {
    local line
    for line in "qmgr unix-dgram n - y 300 1 qmgr" "smtp unix - - y - - smtp" \
	"bounce unix - - y - 0 bounce" "scache unix - - y - 1 scache"; do
	grep -Eq "^${line%% *}[[:space:]]" "$INST/master.cf" || echo "$line" >> "$INST/master.cf"
    done
}

# t_ingest_only - say so in a test: t_instance already leaves delivery out
t_ingest_only() { :; }

# t_deliver_instance [NAME=VALUE ...] - instance that delivers to a sink on
# 127.0.0.1:$SPORT (relayhost), with test-friendly timers
t_deliver_instance() {
    SPORT=$(t_port)
    t_instance "relayhost=[127.0.0.1]:$SPORT" smtp_connect_timeout=5s \
	minimal_backoff_time=2s maximal_backoff_time=8s queue_run_delay=1s "$@"
    t_delivery_services
}

T_SINK_PIDS=
T_BG_PIDS=
# t_sink PORT DIR [smtp-sink options] - Postfix's smtp-sink on 127.0.0.1:PORT,
# one file per message in DIR
t_sink() {
    local port=$1 dir=$2; shift 2
    mkdir -p "$dir" && chmod 777 "$dir"
    smtp-sink -u nobody -d "$dir/m." "$@" "127.0.0.1:$port" 100 > "$T_TMP/sink.$port.out" 2>&1 &
    T_SINK_PIDS="$T_SINK_PIDS $!"
    t_wait_until 5 sh -c "ss -Htln 'sport = :$port' | grep -q ." || t_fail "smtp-sink did not start"
}

# t_sink_stop - stop every sink this test started
t_sink_stop() {
    [ -n "$T_SINK_PIDS" ] && kill $T_SINK_PIDS 2>/dev/null
    wait $T_SINK_PIDS 2>/dev/null
    T_SINK_PIDS=
}

# t_queue_has N - exactly N messages queued
t_queue_has() { [ "$(t_queue_count)" = "$1" ]; }

# t_queue_empty - no message in the queues, seen by two scans 0.2 s apart:
# find reads the directories one after another, so a file that qmgr renames
# from deferred/ into active/ between those reads is missed by one scan; a
# message moves between queues at most once per retry, so not by both.
t_queue_empty() {
    [ "$(t_queue_count)" = 0 ] || return 1
    sleep 0.2
    [ "$(t_queue_count)" = 0 ]
}

# t_dir_has DIR N - exactly N queue files in DIR (for t_wait_until: evaluated each time)
t_dir_has() { [ "$(ls "$1" 2>/dev/null | wc -l)" = "$2" ]; }

# t_stage_for_user USER FILE... - copy programs and scripts USER must run
# into $T_STAGE (inside $T_TMP), where USER can reach them: the build tree
# may live where only root can read (a clone in /root). A directory is
# copied whole: "t_stage_for_user U $T_BUILD/bin $T_BUILD/libexec" keeps the
# build tree's layout, so posthorn init run from $T_STAGE/bin/posthorn sets
# daemon_directory to the copied daemons ($T_STAGE/libexec).
t_stage_for_user() {
    local user=$1 f; shift
    T_STAGE=$T_TMP/stage
    mkdir -p "$T_STAGE" && chmod 755 "$T_STAGE"
    for f in "$@"; do
	if [ -d "$f" ]; then
	    cp -R "$f" "$T_STAGE/" && chmod -R go-w,a+rX "$T_STAGE/$(basename "$f")"
	else
	    cp "$f" "$T_STAGE/" && chmod 755 "$T_STAGE/$(basename "$f")"
	fi || t_fail "stage $f"
    done
    runuser -u "$user" -- test -x "$T_STAGE/$(basename "$1")" || t_fail "$user cannot run $T_STAGE/$(basename "$1")"
}
