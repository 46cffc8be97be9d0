#!/bin/sh
# bench/run.sh - posthorn and Debian's Postfix side by side, same load, one run.
#
# usage: sh bench/run.sh [BUILD_DIR] [SCENARIO ...]
#   BUILD_DIR   where "make" put bin/posthorn and libexec/ (default: build)
#   SCENARIO    ingest, e2e, mix (default: these three), dkim (only when
#               named: DKIM signing on both sides, see bench/README.md),
#               slowdisk (only when named: ingest and e2e next to a process
#               that fsyncs in a loop on the same file system), fanout (only
#               when named: one VERP post to BENCH_FANOUT_RCPTS recipients),
#               provider (only when named: one VERP post to
#               BENCH_PROVIDER_RCPTS recipients at 100 domains of one
#               provider that throttles)
#
# environment:
#   BENCH_MESSAGES     messages per run                      (default 10000)
#   BENCH_ROUNDS       rounds; each round runs every scenario
#                      step twice, posthorn first, then Postfix first (default 1)
#   BENCH_CONCURRENCY  qmqp-source sessions, space separated   (default "10 50")
#   BENCH_SIZE         message size in bytes (qmqp-source -l)  (default 2000)
#   BENCH_TIMEOUT      seconds one qmqp-source run, or one e2e run up to
#                      the last delivery, may take             (default 600)
#   BENCH_KEEP=1       keep the instance directories and the work directory
#                      (mix: the last run's client logs and sink dumps)
#   BENCH_MIX_PROCS    mix: smtp process limit (master.cf maxproc) on both
#                      sides                                   (default 10)
#   BENCH_MIX_DELAY    mix: seconds each smtp-sink waits before answering
#                      DATA (smtp-sink -w)                     (default 1)
#   BENCH_MIX_GAP      mix: milliseconds from the start of one small message
#                      to the start of the next; 0 = back to back (default 0)
#   BENCH_DKIM_KEYS    dkim: the keys that sign each message, "rsa ed25519"
#   BENCH_PROVIDER_RCPTS  provider: recipients of the post     (default 5000)
#   BENCH_PROVIDER_DELAY  provider: seconds the provider takes per message
#                      (before its reply to ".")                (default 0.1)
#   BENCH_PROVIDER_TIMEOUT  provider: seconds one MTA may take; one still at
#                      it then is reported with its time so far ("> T")
#                      (default 1800)
#   BENCH_STRACE       1: count each run's system calls per message (strace -c -f;
#                      slows the run, so its rates are not comparable)
#                      (default) or "rsa" (RSA 2048 only)
#
# Builds nothing (make bench builds first); needs root (Postfix's master and
# posthorn's root mode). Both instances live in fresh directories under
# /var/tmp, on the same file system, and are stopped and removed on exit,
# on error and on Ctrl-C, as are the smtp-sink processes of e2e and mix and
# the opendkim of dkim.
# See bench/README.md.

set -u

BUILD=${1:-build}
[ $# -gt 0 ] && shift
SCENARIOS=${*:-all}

N=${BENCH_MESSAGES:-10000}
ROUNDS=${BENCH_ROUNDS:-1}
CONCURRENCY=${BENCH_CONCURRENCY:-10 50}
SIZE=${BENCH_SIZE:-2000}
RUN_TIMEOUT=${BENCH_TIMEOUT:-600}
SENDER=sender@example.org
RCPT=rcpt@example.net

PF_DAEMON_DIR=/usr/lib/postfix/sbin
ALL_SCENARIOS="ingest e2e mix"
SINK_BACKLOG=256		# smtp-sink's listen backlog
STALL=60			# e2e, mix: seconds without a delivery before we give up
MIX_RCPTS=5000			# mix: recipients of the big message,
MIX_DOMAINS=50			# spread evenly over this many destinations
MIX_SMALL=200			# mix: small messages of one recipient each
MIX_PROCS=${BENCH_MIX_PROCS:-10}
MIX_DELAY=${BENCH_MIX_DELAY:-1}
MIX_GAP=${BENCH_MIX_GAP:-0}
MIX_PY=$(dirname "$0")/mix.py
MIX_SEQ=0
PYTHON=/usr/bin/python3
DKIM_TOOLS=$(dirname "$0")/../tests/integration	# dkim_verify.py, dkim_tool.py
DKIM_KEYS=${BENCH_DKIM_KEYS:-rsa ed25519}
DKIM_DOMAIN=example.org		# SENDER's domain: qmqp-source writes From: <SENDER>
DKIM=0				# 1: both MTAs sign (posthorn itself, Postfix through OpenDKIM)
DKIM_SCEN=0			# 1: in the dkim scenario (sinks dump, signatures counted)
DKIM_NSIG=0			# signatures each message gets when DKIM=1
PH_DKIM=0			# 1: this posthorn has the dkim_* parameters
OD_DIR=				# OpenDKIM's directory (configs, keys, sockets, pid files)
OD_PIDS=			# the running opendkims (one per key type)
OD_MILTERS=			# their sockets, as non_smtpd_milters
LABEL_PREFIX=			# dkim: "dkim-on-" or "dkim-off-" before ingest/e2e labels
FANOUT=0			# 1: one_e2e sends one VERP post to FANOUT_RCPTS recipients
FANOUT_RCPTS=${BENCH_FANOUT_RCPTS:-20000}
FANOUT_SENDER='list-return-1-@src.test-@[]'	# ezmlm's VERP request over QMQP
PROV_RCPTS=${BENCH_PROVIDER_RCPTS:-5000}	# provider: recipients of the post,
PROV_DOMAINS=100			# spread over this many domains
PROV_SESSIONS=10			# the provider's limits: sessions at once,
PROV_RATE=200/10			# transactions per seconds
PROV_DELAY=${BENCH_PROVIDER_DELAY:-0.1}
PROV_SERVER=$(dirname "$0")/../tests/integration/smtp_throttle_server.py
PROV_STALL=600				# longer than any backoff or suspension below
PROV_TIMEOUT=${BENCH_PROVIDER_TIMEOUT:-1800}	# seconds one provider run may take
PH_PROV_PID=
PF_PROV_PID=
NB_PID=				# slowdisk: the fsync-heavy neighbour
NB_FILE=

PH_DIR=
PF_DIR=
PH_PORT=
PF_PORT=
PH_SINK_PORT=
PF_SINK_PORT=
PH_SINK_PID=
PF_SINK_PID=
PH_MIX_PIDS=			# mix: the MIX_DOMAINS smtp-sinks of each MTA
PF_MIX_PIDS=
MODE=ingest			# what the instances are set up for: ingest, e2e or mix
MODE_DKIM=0			# and whether they sign (DKIM)
RENEW_QUEUES=0			# 1: set_aside makes every queue directory anew
PH_BIN=
QMQP_SOURCE=
SMTP_SINK=
LOAD_PID=
DISK_STAT=
LAST_STAMP=/var/tmp/posthorn-bench.last
TRASH_SEQ=0
RESULTS=
CMDLINE="sh bench/run.sh $BUILD${*:+ $*}"

say()  { printf '%s\n' "$*"; }
info() { printf 'bench: %s\n' "$*"; }
die()  { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- plumbing

now() { date +%s.%N; }

# free_port BASE - the first TCP port from BASE up that nothing listens on
free_port() {
    p=$1
    while [ "$p" -lt $(($1 + 200)) ]; do
	case " $PH_PORT $PF_PORT $PH_SINK_PORT $PF_SINK_PORT " in
	*" $p "*) p=$((p + 1)); continue ;;
	esac
	if [ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ]; then
	    echo "$p"
	    return 0
	fi
	p=$((p + 1))
    done
    die "no free TCP port in $1..$(($1 + 199))"
}

# wait_port PORT - until something listens on 127.0.0.1:PORT (10 s)
wait_port() {
    wp_i=0
    while [ -z "$(ss -Htln "sport = :$1" 2>/dev/null)" ]; do
	wp_i=$((wp_i + 1))
	[ $wp_i -gt 100 ] && return 1
	sleep 0.1
    done
    return 0
}

# cpu_busy - percent of all CPU time that was not idle/iowait during 1 s
cpu_busy() {
    a=$(head -n 1 /proc/stat)
    sleep 1
    b=$(head -n 1 /proc/stat)
    printf '%s\n%s\n' "$a" "$b" | awk '
	{ idle = $5 + $6; tot = 0; for (i = 2; i <= NF; i++) tot += $i }
	NR == 1 { i1 = idle; t1 = tot }
	NR == 2 { printf "%d\n", (tot > t1) ? 100 * (1 - (idle - i1) / (tot - t1)) : 0 }'
}

# tree_ticks PID - CPU clock ticks used by PID, its live children and the
# children it has reaped (utime stime cutime cstime); 0 when PID is gone
tree_ticks() {
    for t in "$1" $(pgrep -P "$1"); do
	sed 's/.*) //' "/proc/$t/stat" 2>/dev/null
    done | awk '{ n += $12 + $13 + $14 + $15 } END { print n + 0 }'
}

# strace_start NAME - with BENCH_STRACE=1: count the system calls of NAME's
# master and every process it has or starts (strace -c -f), until
# strace_stop; the rates of such a run are not comparable, the counts are
strace_start() {
    ST_PID=
    [ "${BENCH_STRACE:-0}" = 1 ] || return 0
    st_args=
    for st_p in $(mta_pid "$1") $(pgrep -P "$(mta_pid "$1")"); do
	st_args="$st_args -p $st_p"
    done
    strace -c -f -o "$WORK/strace.$1" $st_args 2>/dev/null &
    ST_PID=$!
    sleep 1				# let strace attach
}

# strace_stop NAME COUNT - end the count; ", N syscalls/msg" in ST_RATE
strace_stop() {
    ST_RATE=
    [ -n "$ST_PID" ] || return 0
    sleep 0.5
    kill -INT "$ST_PID" 2>/dev/null
    wait "$ST_PID" 2>/dev/null
    ST_RATE=$(awk -v n="$2" '$NF == "total" { printf ", %.1f syscalls/msg", $4 / n }' \
	"$WORK/strace.$1" 2>/dev/null)
    ST_PID=
}

# disk_ios - "WRITES FLUSHES" completed so far by the block device of DISK_STAT
disk_ios() {
    if [ -r "$DISK_STAT" ]; then
	awk '{ print $5, ($16 == "" ? 0 : $16) }' "$DISK_STAT"
    else
	echo "0 0"
    fi
}

# has_journal DEV - whether jbd2 runs a journal for block device DEV
has_journal() {
    for hj in /proc/fs/jbd2/"$1"-*; do
	[ -e "$hj" ] && return 0
    done
    return 1
}

# fsync_baseline DIR - milliseconds per synchronous 4 KiB write in DIR
fsync_baseline() {
    f=$1/fsync-probe
    t0=$(now)
    dd if=/dev/zero of="$f" bs=4k count=200 oflag=dsync 2>/dev/null
    t1=$(now)
    rm -f "$f"
    echo "$t0 $t1" | awk '{ printf "%.2f\n", ($2 - $1) * 1000 / 200 }'
}

# spool_count DIR - regular files in the message queues under DIR
spool_count() {
    n=0
    for q in incoming active deferred hold; do
	[ -d "$1/$q" ] || continue
	c=$(find "$1/$q" -type f | wc -l)
	n=$((n + c))
    done
    echo $n
}

# set_aside SPOOL TRASH QUEUE... - empty queue directories without deleting:
# each non-empty one is renamed into TRASH (same file system) and made again
# with the same owner and mode. Deleting thousands of files right before a
# timed run would make the next run slow: ext4 without a journal (this VM's
# root file system) skips inodes deleted in the last 60 s when it allocates
# new ones (ialloc.c, recently_deleted), which more than tripled cleanup's
# kernel time on both MTAs. TRASH goes when the instance directory goes.
# With RENEW_QUEUES=1 (e2e) empty directories are made anew too; see set_mode.
set_aside() {
    sa_spool=$1 sa_trash=$2
    shift 2
    mkdir -p "$sa_trash"
    for sa_q in "$@"; do
	[ -d "$sa_spool/$sa_q" ] || continue
	[ "$RENEW_QUEUES" = 1 ] || [ -n "$(ls -A "$sa_spool/$sa_q")" ] || continue
	sa_u=$(stat -c %U "$sa_spool/$sa_q")
	sa_g=$(stat -c %G "$sa_spool/$sa_q")
	sa_m=$(stat -c %a "$sa_spool/$sa_q")
	TRASH_SEQ=$((TRASH_SEQ + 1))
	mv "$sa_spool/$sa_q" "$sa_trash/$TRASH_SEQ-$sa_q" || die "cannot move $sa_spool/$sa_q aside"
	# e2e: made under a name never used before, then renamed (see set_mode)
	sa_new=$sa_spool/$sa_q
	[ "$RENEW_QUEUES" = 1 ] && sa_new=$sa_spool/.$sa_q.$$.$TRASH_SEQ
	install -d -o "$sa_u" -g "$sa_g" -m "$sa_m" "$sa_new" || die "cannot make $sa_spool/$sa_q again"
	[ "$sa_new" = "$sa_spool/$sa_q" ] || mv "$sa_new" "$sa_spool/$sa_q" || die "cannot rename $sa_new"
    done
}

# log_lines FILE - number of lines so far (0 when missing)
log_lines() {
    if [ -f "$1" ]; then wc -l < "$1" | tr -d ' '; else echo 0; fi
}

# log_problems FILE FROMLINE LABEL - show warnings/errors logged after FROMLINE
log_problems() {
    [ -f "$1" ] || return 0
    lp_bad=$(tail -n +"$(($2 + 1))" "$1" | grep -E ': (warning|error|fatal|panic):' || true)
    [ -z "$lp_bad" ] && return 0
    lp_cnt=$(printf '%s\n' "$lp_bad" | wc -l)
    info "$3 logged $lp_cnt warning/error lines during the run, distinct kinds:"
    printf '%s\n' "$lp_bad" | sed -e 's/^.*\]: //' -e 's/^[0-9A-Z]\{10,\}: //' |
	sort | uniq -c | sort -rn | head -5 | sed 's/^/    /'
}

# ---------------------------------------------------------------- posthorn

ph_setup() {
    PH_DIR=$(mktemp -d /var/tmp/posthorn-bench.XXXXXX) || die "mktemp failed"
    rmdir "$PH_DIR"		# posthorn init never overwrites; give it a new name
    PH_PORT=$(free_port 16628) || exit 1
    PH_SINK_PORT=$(free_port 16828) || exit 1
    # relayhost matters only when qmgr runs (e2e); every other parameter
    # keeps posthorn's default.
    "$PH_BIN" init "$PH_DIR" --qmqp "127.0.0.1:$PH_PORT" qmqpd_error_delay=0 \
	"relayhost=[127.0.0.1]:$PH_SINK_PORT" >/dev/null ||
	die "posthorn init $PH_DIR failed"
    PH_SPOOL=$PH_DIR/spool
    # Ingest measures receiving and queueing only, and the Postfix instance
    # runs without a queue manager then. posthorn's default master.cf has a
    # qmgr; switch it off here. e2e turns it back on (ph_mode). smtp,
    # bounce and scache stay: without qmgr nobody asks them for anything,
    # and master starts them only on demand.
    if grep -q '^qmgr[[:space:]]' "$PH_DIR/master.cf"; then
	sed -i 's/^qmgr[[:space:]]/#&/' "$PH_DIR/master.cf"
	info "posthorn: qmgr switched off in $PH_DIR/master.cf (ingest only queues, as in the Postfix instance)"
    fi
}

# ph_mode ingest|e2e|mix - master.cf without or with qmgr; in mix also the
# smtp process limit and transport_maps (instance stopped)
ph_mode() {
    case $1 in
    ingest) sed -i 's/^qmgr[[:space:]]/#&/' "$PH_DIR/master.cf" ;;
    e2e|mix|provider)
	sed -i 's/^#\(qmgr[[:space:]]\)/\1/' "$PH_DIR/master.cf"
	for svc in qmgr smtp bounce scache; do
	    grep -q "^$svc[[:space:]]" "$PH_DIR/master.cf" ||
		die "posthorn's master.cf has no $svc service; $1 needs qmgr, smtp, bounce and scache"
	done
	;;
    esac
    # the maxproc column of the smtp line: the default (-) but in mix
    pm_procs=-
    pm_maps=
    if [ "$1" = mix ]; then
	pm_procs=$MIX_PROCS
	pm_maps=$(mix_transport_maps "$PH_SINK_PORT")
    fi
    # provider: the 100 addresses are one provider's MX pool (the group
    # map says so, as an administrator's map names Google's MX hosts), and
    # Gmail's "421 4.7.28" suspends it for a tenth of its 10 minutes, as
    # every other time below is a tenth of its default (prov_times)
    pm_groups=
    pm_throttle=regexp:$PH_DIR/smtp_reply_throttle
    pm_times="minimal_backoff_time=300s maximal_backoff_time=4000s queue_run_delay=300s"
    if [ "$1" = provider ]; then
	pm_maps=$(mix_transport_maps "$PH_SINK_PORT" "$PROV_DOMAINS")
	printf '/^127\\.0\\.0\\.[0-9]+$/\tprovider\n' > "$PH_DIR/bench_groups"
	printf '/^421 4\\.7\\.28 /\tsuspend 60s\n' > "$PH_DIR/bench_throttle"
	pm_groups=regexp:$PH_DIR/bench_groups
	pm_throttle=regexp:$PH_DIR/bench_throttle
	pm_times=$(prov_times)
    fi
    # shellcheck disable=SC2086 # NAME=VALUE words
    "$PH_BIN" -c "$PH_DIR" conf -e "smtp_mx_group_maps=$pm_groups" \
	"smtp_reply_throttle_maps=$pm_throttle" $pm_times ||
	die "posthorn -c $PH_DIR conf -e smtp_mx_group_maps=... failed"
    awk -v p="$pm_procs" '$1 == "smtp" && $2 == "unix" { $7 = p } { print }' \
	"$PH_DIR/master.cf" > "$PH_DIR/master.cf.new" ||
	die "cannot set the smtp process limit in $PH_DIR/master.cf"
    mv "$PH_DIR/master.cf.new" "$PH_DIR/master.cf" || die "cannot rename $PH_DIR/master.cf.new"
    "$PH_BIN" -c "$PH_DIR" conf -e "transport_maps=$pm_maps" ||
	die "posthorn -c $PH_DIR conf -e transport_maps=... failed"
    # dkim: cleanup signs with the bench keys (DKIM=1), or not (empty tables)
    [ "$PH_DKIM" = 1 ] || return 0
    pm_keys=
    pm_names=
    [ "$DKIM" = 1 ] && for pm_k in $DKIM_KEYS; do
	pm_keys="$pm_keys${pm_keys:+, }k$pm_k = $DKIM_DOMAIN:$pm_k:$PH_DIR/dkim/$pm_k.pem"
	pm_names="$pm_names${pm_names:+, }k$pm_k"
    done
    if [ -n "$pm_keys" ]; then
	pm_kt="inline:{ $pm_keys }"
	pm_st="inline:{ $DKIM_DOMAIN = {$pm_names} }"
    else
	pm_kt=
	pm_st=
    fi
    "$PH_BIN" -c "$PH_DIR" conf -e "dkim_key_table=$pm_kt" "dkim_signing_table=$pm_st" ||
	die "posthorn -c $PH_DIR conf -e dkim_key_table=... failed"
}

ph_start() {
    "$PH_BIN" -c "$PH_DIR" start >/dev/null || die "posthorn -c $PH_DIR start failed"
    wait_port "$PH_PORT" || die "posthorn does not listen on 127.0.0.1:$PH_PORT"
}

ph_stop() {
    [ -n "$PH_DIR" ] && [ -f "$PH_DIR/main.cf" ] || return 0
    "$PH_BIN" -c "$PH_DIR" status >/dev/null 2>&1 || return 0
    "$PH_BIN" -c "$PH_DIR" stop >/dev/null 2>&1 ||
	info "warning: posthorn -c $PH_DIR stop failed"
}

# ph_clear - empty the message queues (instance stopped)
ph_clear() {
    set_aside "$PH_SPOOL" "$PH_DIR/trash" incoming active deferred hold tmp defer bounce trace
}

# ---------------------------------------------------------------- Postfix
#
# A private Postfix: its own main.cf/master.cf in PF_DIR, run by starting
# Debian's master(8) with -c (MAIL_CONFIG is passed on to every daemon), so
# /etc/postfix is never read for configuration nor written. No chroot.
# Two set-ups (pf_mode):
#   ingest  qmqpd, cleanup, trivial-rewrite (cleanup needs it), postlogd
#           (maillog_file). No qmgr, so nothing is moved or delivered, as in
#           the posthorn instance; see bench/README.md for why in_flow_delay
#           is 0 then and why public/qmgr is a FIFO nobody reads.
#   e2e     adds qmgr, smtp, scache, bounce, defer; relayhost is this
#           instance's smtp-sink; in_flow_delay back at its default.
#   mix     as e2e, plus transport_maps (d1.test .. d50.test to 50 smtp-sinks)
#           and the smtp process limit MIX_PROCS.

pf_setup() {
    PF_DIR=$(mktemp -d /var/tmp/postfix-bench.XXXXXX) || die "mktemp failed"
    chmod 755 "$PF_DIR"
    PF_PORT=$(free_port 16728) || exit 1
    PF_SINK_PORT=$(free_port 16928) || exit 1
    PF_SPOOL=$PF_DIR/queue
    mkdir -p "$PF_SPOOL" "$PF_DIR/data"
    for d in active bounce corrupt defer deferred flush hold incoming private saved trace; do
	install -d -o postfix -g root -m 700 "$PF_SPOOL/$d"
    done
    install -d -o postfix -g postdrop -m 730 "$PF_SPOOL/maildrop"
    install -d -o postfix -g postdrop -m 710 "$PF_SPOOL/public"
    install -d -o root -g root -m 755 "$PF_SPOOL/pid"
    install -d -o postfix -g root -m 700 "$PF_DIR/data"
    pf_mode ingest
}

# pf_mode ingest|e2e|mix - write main.cf and master.cf (instance stopped)
pf_mode() {
    cat > "$PF_DIR/main.cf" <<EOF
# Postfix instance for posthorn's bench/run.sh ($1)
compatibility_level = 3.6
config_directory = $PF_DIR
queue_directory = $PF_SPOOL
data_directory = $PF_DIR/data
daemon_directory = $PF_DAEMON_DIR
mail_owner = postfix
setgid_group = postdrop
myhostname = bench.localdomain
mydestination =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
qmqpd_authorized_clients = 127.0.0.0/8
qmqpd_error_delay = 0
maillog_file = $PF_DIR/maillog
EOF
    cat > "$PF_DIR/master.cf" <<EOF
# service          type  private unpriv chroot wakeup maxproc command
127.0.0.1:$PF_PORT inet  n       -      n      -      -       qmqpd
cleanup            unix  n       -      n      -      0       cleanup
rewrite            unix  -       -      n      -      -       trivial-rewrite
postlog            unix-dgram n  -      n      -      1       postlogd
EOF
    rm -f "$PF_SPOOL/public/qmgr"
    case $1 in
    ingest)
	cat >> "$PF_DIR/main.cf" <<EOF
# No qmgr runs, so nobody returns inflow tokens: without this every message
# would sleep in_flow_delay (1s) in cleanup.
in_flow_delay = 0
EOF
	# cleanup wakes qmgr after each message; without a qmgr service Postfix
	# logs "unable to look up public/qmgr" once per message. A FIFO without
	# a reader makes that wake-up fail silently, as posthorn's does.
	mkfifo -m 622 "$PF_SPOOL/public/qmgr" && chown postfix:postdrop "$PF_SPOOL/public/qmgr" ||
	    die "mkfifo $PF_SPOOL/public/qmgr failed"
	;;
    e2e|mix|provider)
	# Everything else at Postfix's defaults: concurrency (initial 5, limit
	# 20 per destination), connection caching on demand, in_flow_delay 1s,
	# no TLS (so no tlsmgr). bounce and defer are only contacted when a
	# delivery fails (and then the run fails anyway); they are here so that
	# a failure is logged the Postfix way instead of as a missing service.
	# retry (Debian's default master.cf has it) takes the mail of a
	# destination Postfix found dead, as in provider.
	cat >> "$PF_DIR/main.cf" <<EOF
relayhost = [127.0.0.1]:$PF_SINK_PORT
EOF
	pm_procs=-
	if [ "$1" = mix ]; then
	    pm_procs=$MIX_PROCS
	    echo "transport_maps = $(mix_transport_maps "$PF_SINK_PORT")" >> "$PF_DIR/main.cf"
	fi
	if [ "$1" = provider ]; then
	    echo "transport_maps = $(mix_transport_maps "$PF_SINK_PORT" "$PROV_DOMAINS")" >> "$PF_DIR/main.cf"
	    prov_times | tr ' ' '\n' | sed 's/=/ = /' >> "$PF_DIR/main.cf"
	fi
	cat >> "$PF_DIR/master.cf" <<EOF
qmgr               unix  n       -      n      300    1       qmgr
smtp               unix  -       -      n      -      $pm_procs       smtp
scache             unix  -       -      n      -      1       scache
bounce             unix  -       -      n      -      0       bounce
defer              unix  -       -      n      -      0       bounce
retry              unix  -       -      n      -      -       error
EOF
	;;
    esac
    # dkim: cleanup hands QMQP mail (non-SMTP mail to Postfix) to OpenDKIM
    if [ "$DKIM" = 1 ]; then
	cat >> "$PF_DIR/main.cf" <<EOF
non_smtpd_milters = $OD_MILTERS
milter_default_action = tempfail
EOF
    fi
}

pf_pid() {
    [ -n "$PF_DIR" ] && [ -f "$PF_SPOOL/pid/master.pid" ] || return 1
    p=$(tr -dc '0-9' < "$PF_SPOOL/pid/master.pid")
    [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"
}

pf_start() {
    MAIL_CONFIG=$PF_DIR "$PF_DAEMON_DIR/master" -w -c "$PF_DIR" ||
	die "Postfix master -c $PF_DIR did not start (see $PF_DIR/maillog)"
    wait_port "$PF_PORT" || die "Postfix does not listen on 127.0.0.1:$PF_PORT"
}

pf_stop() {
    pf_p=$(pf_pid) || return 0
    kill -TERM "$pf_p" 2>/dev/null	# master terminates its process group
    pf_i=0
    while kill -0 "$pf_p" 2>/dev/null; do
	pf_i=$((pf_i + 1))
	if [ $pf_i -gt 300 ]; then
	    info "warning: Postfix master $pf_p did not stop in 30s, killing it"
	    kill -KILL "$pf_p" 2>/dev/null
	    break
	fi
	sleep 0.1
    done
}

pf_clear() {
    set_aside "$PF_SPOOL" "$PF_DIR/trash" incoming active deferred hold defer bounce trace
}

# ---------------------------------------------------------------- DKIM (scenario dkim)
#
# The same keys on both sides, made with openssl for this run: posthorn's
# copies in PH_DIR/dkim (root, 0600: cleanup reads them before it drops
# privileges), OpenDKIM's in OD_DIR/keys (its user's, 0600, as it demands).
# OpenDKIM runs as its Debian user opendkim, signing only (Mode s), on UNIX
# sockets that Postfix's cleanup (user postfix) connects to; Postfix hands
# it QMQP mail through non_smtpd_milters (to Postfix, qmqpd mail is
# "non-SMTP" mail: postconf(5)). OpenDKIM 2.11 has one SignatureAlgorithm
# per process, so each key type gets an opendkim of its own, and Postfix
# chains them (one milter per key), the usual way to sign with RSA and
# Ed25519 there. Both MTAs sign every message from DKIM_DOMAIN with each
# key of DKIM_KEYS, relaxed/relaxed.

# dkim_setup - keys, OpenDKIM's files; what each side can do
dkim_setup() {
    [ -n "$OD_DIR" ] && return 0
    command -v opendkim >/dev/null || die "opendkim not found (Debian package opendkim; scripts/deps.sh)"
    id opendkim >/dev/null 2>&1 || die "user opendkim missing (Debian package opendkim)"
    if "$PH_BIN" -c "$PH_DIR" conf -d dkim_key_table >/dev/null 2>&1; then
	PH_DKIM=1
    else
	PH_DKIM=0
	info "posthorn $(ph_version) has no DKIM signing yet (no dkim_key_table parameter): dkim measures posthorn without signing only"
    fi
    case " $DKIM_KEYS " in
    *" ed25519 "*)
	if ! opendkim -V 2>&1 | grep -q 'ed25519-sha256'; then
	    info "this opendkim cannot sign with Ed25519: both sides sign with RSA only"
	    DKIM_KEYS=rsa
	fi
	;;
    esac
    # OpenDKIM refuses (tempfails) a key whose path has a directory others
    # may write to (RequireSafeKeys): /var/tmp is one. /run is not, and is
    # where sockets belong anyway.
    od_safe=
    if OD_DIR=$(mktemp -d /run/bench-opendkim.XXXXXX 2>/dev/null); then
	chown opendkim:opendkim "$OD_DIR" && chmod 755 "$OD_DIR" || die "cannot set up $OD_DIR"
    else
	OD_DIR=$PF_DIR/opendkim
	install -d -o opendkim -g opendkim -m 755 "$OD_DIR" || die "cannot make $OD_DIR"
	od_safe="RequireSafeKeys		false"
	info "no /run: OpenDKIM's keys live under /var/tmp, so its RequireSafeKeys check is off"
    fi
    install -d -o opendkim -g opendkim -m 700 "$OD_DIR/keys" || die "cannot make $OD_DIR/keys"
    install -d -o root -g root -m 700 "$PH_DIR/dkim" || die "cannot make $PH_DIR/dkim"
    : > "$WORK/dkim.records"
    DKIM_NSIG=0
    OD_MILTERS=
    for dk in $DKIM_KEYS; do
	case $dk in
	rsa) (umask 077; openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PH_DIR/dkim/$dk.pem" 2>/dev/null)
	    dalg=rsa-sha256 ;;
	ed25519) (umask 077; openssl genpkey -algorithm ED25519 -out "$PH_DIR/dkim/$dk.pem")
	    dalg=ed25519-sha256 ;;
	*) die "BENCH_DKIM_KEYS: unknown key type \"$dk\" (rsa, ed25519)" ;;
	esac || die "openssl could not make the $dk key"
	install -o opendkim -g opendkim -m 600 "$PH_DIR/dkim/$dk.pem" "$OD_DIR/keys/$dk.pem" ||
	    die "cannot copy the $dk key for OpenDKIM"
	echo "k$dk $DKIM_DOMAIN:$dk:$OD_DIR/keys/$dk.pem" > "$OD_DIR/$dk.KeyTable"
	echo "*@$DKIM_DOMAIN k$dk" > "$OD_DIR/$dk.SigningTable"
	cat > "$OD_DIR/$dk.conf" <<EOF
# OpenDKIM for posthorn's bench/run.sh (scenario dkim): sign only, $dk key
Mode			s
Socket			local:$OD_DIR/$dk.sock
UMask			000
UserID			opendkim:opendkim
PidFile			$OD_DIR/$dk.pid
Background		no
Syslog			no
KeyTable		file:$OD_DIR/$dk.KeyTable
SigningTable		refile:$OD_DIR/$dk.SigningTable
SignatureAlgorithm	$dalg
Canonicalization	relaxed/relaxed
$od_safe
EOF
	OD_MILTERS="$OD_MILTERS${OD_MILTERS:+, }unix:$OD_DIR/$dk.sock"
	# the key records, for dkim_verify.py --records (no DNS needed)
	case $dk in
	rsa) dp=$(openssl pkey -in "$PH_DIR/dkim/$dk.pem" -pubout -outform DER | base64 -w0) ;;
	ed25519) dp=$(openssl pkey -in "$PH_DIR/dkim/$dk.pem" -pubout -outform DER | tail -c 32 | base64 -w0) ;;
	esac
	echo "$dk._domainkey.$DKIM_DOMAIN v=DKIM1; k=$dk; p=$dp" >> "$WORK/dkim.records"
	DKIM_NSIG=$((DKIM_NSIG + 1))
    done
    info "dkim: $DKIM_NSIG signature(s) per message from $DKIM_DOMAIN ($DKIM_KEYS); OpenDKIM $(opendkim -V 2>&1 | sed -n '1s/.*Filter v//p'), one opendkim per key, milters $OD_MILTERS"
}

# od_start - start an opendkim per key (in the foreground, as our
# children, so that we reap them), wait for their sockets. Started once
# per set-up, not per run: each takes about 5 s to stop.
od_start() {
    : > "$WORK/opendkim.err"
    for dk in $DKIM_KEYS; do
	rm -f "$OD_DIR/$dk.sock"
	opendkim -x "$OD_DIR/$dk.conf" 2>> "$WORK/opendkim.err" &
	OD_PIDS="$OD_PIDS $!"
    done
    od_i=0
    for dk in $DKIM_KEYS; do
	until [ -S "$OD_DIR/$dk.sock" ]; do
	    od_i=$((od_i + 1))
	    [ $od_i -gt 100 ] && die "opendkim made no socket $OD_DIR/$dk.sock in 10s: $(cat "$WORK/opendkim.err")"
	    sleep 0.1
	done
    done
    # shellcheck disable=SC2086 # a list of process ids
    kill -0 $OD_PIDS 2>/dev/null || die "opendkim exited: $(cat "$WORK/opendkim.err")"
}

# od_stop - stop the opendkims (TERM; KILL after 15 s) and reap them
od_stop() {
    [ -n "$OD_PIDS" ] || return 0
    # shellcheck disable=SC2086 # a list of process ids
    kill -TERM $OD_PIDS 2>/dev/null
    od_i=0
    while od_running; do
	od_i=$((od_i + 1))
	if [ $od_i -gt 150 ]; then
	    info "warning: opendkim did not stop in 15s, killing it"
	    # shellcheck disable=SC2086
	    kill -KILL $OD_PIDS 2>/dev/null
	    break
	fi
	sleep 0.1
    done
    # shellcheck disable=SC2086
    wait $OD_PIDS 2>/dev/null
    OD_PIDS=
}

# od_running - some opendkim of ours has not exited yet (an exited child
# stays a zombie, which kill -0 still finds, until we wait for it)
od_running() {
    for od_p in $OD_PIDS; do
	od_s=$(awk '{ print $3 }' "/proc/$od_p/stat" 2>/dev/null)
	[ -n "$od_s" ] && [ "$od_s" != Z ] && return 0
    done
    return 1
}

# dkim_count FILE... - DKIM-Signature fields in these files (queue files or dumps)
dkim_count() {
    cat "$@" 2>/dev/null | grep -ao 'DKIM-Signature:' | wc -l | tr -d ' '
}

# dkim_want NAME - signatures NAME must have put on each message now
dkim_want() {
    if [ "$DKIM" = 1 ] && { [ "$1" = pf ] || [ "$PH_DKIM" = 1 ]; }; then
	echo "$DKIM_NSIG"
    else
	echo 0
    fi
}

# dkim_check NAME COUNT - after a timed run: in ingest, every one of the
# COUNT queue files; in e2e, every message at the sink carries exactly the
# signatures it should (dkim_want)
dkim_check() {
    [ "$DKIM_SCEN" = 1 ] || return 0
    dw=$(dkim_want "$1")
    if [ "$MODE" = ingest ]; then
	dfiles=$(find "$(mta_spool "$1")/incoming" -type f)
    else
	dfiles=$(find "$WORK/dump-$1" -type f)
    fi
    dn=$(echo "$dfiles" | grep -c .)
    # shellcheck disable=SC2086 # a list of file names without blanks
    dc=$(dkim_count $dfiles)
    [ "$dn" -eq "$2" ] && [ "$dc" -eq $((dw * $2)) ] ||
	die "$(mta_label "$1"): $dc DKIM-Signature fields in $dn messages, expected $((dw * $2)) in $2"
    printf '  %-8s %s messages, %s DKIM-Signature fields (%s each)\n' "" "$dn" "$dc" "$dw"
}

# dkim_verify_sample NAME - the signatures on the message that verify_e2e
# just delivered pass dkimpy (keys from WORK/dkim.records, no DNS)
dkim_verify_sample() {
    rm -rf "$WORK/sample-$1"
    dv_f=$("$PYTHON" "$DKIM_TOOLS/dkim_tool.py" sink "$WORK/dump-$1" "$WORK/sample-$1" | head -1)
    [ -n "$dv_f" ] || die "$(mta_label "$1"): no message in $WORK/dump-$1 to verify"
    dw=$(dkim_want "$1")
    if [ "$dw" = 0 ]; then
	[ "$(dkim_count "$dv_f")" = 0 ] || die "$(mta_label "$1") signed with signing off"
	info "$(mta_label "$1"): test message delivered unsigned, as configured"
	return 0
    fi
    dv_out=$("$PYTHON" "$DKIM_TOOLS/dkim_verify.py" --records "$WORK/dkim.records" --count "$dw" "$dv_f") ||
	die "$(mta_label "$1")'s signatures do not verify: $dv_out"
    info "$(mta_label "$1"): test message delivered and verified by dkimpy:"
    echo "$dv_out" | sed 's/^/    /'
}

# ---------------------------------------------------------------- per-MTA dispatch
# mta_* NAME: NAME is ph or pf

mta_label() { case $1 in ph) echo posthorn ;; pf) echo Postfix ;; esac; }
mta_port()  { case $1 in ph) echo "$PH_PORT" ;; pf) echo "$PF_PORT" ;; esac; }
mta_spool() { case $1 in ph) echo "$PH_SPOOL" ;; pf) echo "$PF_SPOOL" ;; esac; }
mta_log()   { case $1 in ph) echo "$PH_DIR/maillog" ;; pf) echo "$PF_DIR/maillog" ;; esac; }
mta_pid()   { tr -dc '0-9' < "$(mta_spool "$1")/pid/master.pid" 2>/dev/null; }
mta_sink_port() { case $1 in ph) echo "$PH_SINK_PORT" ;; pf) echo "$PF_SINK_PORT" ;; esac; }

# mta_ticks NAME MASTERPID - CPU ticks of the MTA so far: its master and
# daemons, and for Postfix signing through OpenDKIM, opendkim too
mta_ticks() {
    mt_t=$(tree_ticks "$2")
    if [ "$1" = pf ] && [ "$DKIM" = 1 ]; then
	for mt_o in $OD_PIDS; do
	    mt_t=$((mt_t + $(tree_ticks "$mt_o")))
	done
    fi
    echo "$mt_t"
}

# ---------------------------------------------------------------- smtp-sink
#
# e2e: each MTA relays to an smtp-sink of its own. -c makes it print
# "sess=S quit=Q mesg=M" followed by CR whenever a session ends, QUIT comes
# or "." is received; mesg counts messages. Its stdout goes to a file in
# WORK (tmpfs when /dev/shm is available). No -d: the sink writes nothing
# to disk, except in the dkim scenario, where each message goes to a file
# in WORK/dump-NAME (tmpfs too; signatures are counted there after each run,
# with signing on and off, so that both settings pay for the dumps).

# sink_start NAME - start NAME's smtp-sink with fresh counters (in mix:
# its MIX_DOMAINS smtp-sinks, with empty dump directories)
sink_start() {
    [ "$MODE" = mix ] && { mix_sinks_start "$1"; return; }
    [ "$MODE" = provider ] && { prov_server_start "$1"; return; }
    ss_port=$(mta_sink_port "$1")
    [ -z "$(ss -Htln "sport = :$ss_port" 2>/dev/null)" ] ||
	die "something else listens on 127.0.0.1:$ss_port, the port of $(mta_label "$1")'s smtp-sink"
    ss_dump=
    if [ "$DKIM_SCEN" = 1 ]; then
	chmod 711 "$WORK"		# the sink runs as nobody
	rm -rf "$WORK/dump-$1"
	install -d -o nobody -m 755 "$WORK/dump-$1" || die "cannot make $WORK/dump-$1"
	ss_dump=$WORK/dump-$1/m.
    fi
    "$SMTP_SINK" -u nobody -c ${ss_dump:+-d "$ss_dump"} "127.0.0.1:$ss_port" "$SINK_BACKLOG" \
	> "$WORK/sink-$1.out" 2> "$WORK/sink-$1.err" &
    case $1 in ph) PH_SINK_PID=$! ;; pf) PF_SINK_PID=$! ;; esac
    wait_port "$ss_port" && kill -0 $! 2>/dev/null || {
	sed 's/^/    /' "$WORK/sink-$1.err" >&2
	die "smtp-sink for $(mta_label "$1") does not listen on 127.0.0.1:$ss_port"
    }
}

# sink_stop NAME - stop NAME's smtp-sink (e2e) or smtp-sinks (mix)
sink_stop() {
    case $1 in
    ph) ss_pid="$PH_SINK_PID $PH_MIX_PIDS $PH_PROV_PID"; PH_SINK_PID=; PH_MIX_PIDS=; PH_PROV_PID= ;;
    pf) ss_pid="$PF_SINK_PID $PF_MIX_PIDS $PF_PROV_PID"; PF_SINK_PID=; PF_MIX_PIDS=; PF_PROV_PID= ;;
    esac
    # No sink: return before a bare "wait", which would wait for every
    # child, the opendkims of the dkim scenario too, for ever.
    case $ss_pid in *[0-9]*) ;; *) return 0 ;; esac
    # shellcheck disable=SC2086 # a list of process ids
    kill -TERM $ss_pid 2>/dev/null
    # shellcheck disable=SC2086
    wait $ss_pid 2>/dev/null
    return 0
}

# sink_count NAME - messages NAME's sink has received so far (cheap: reads
# the last few bytes of its counter output); in mix: recipients that NAME's
# sinks have received so far, counted in their dump files
sink_count() {
    if [ "$MODE" = provider ]; then
	grep -c '"event": "message"' "$WORK/prov-$1/events.jsonl" 2>/dev/null || true
	return 0
    fi
    if [ "$MODE" = mix ]; then
	cat "$WORK/dump-$1"/*/* 2>/dev/null | grep -c '^X-Rcpt-Args:' || true
	return 0
    fi
    sc=$(tail -c 64 "$WORK/sink-$1.out" 2>/dev/null | tr '\r' ' ')
    sc=${sc% }
    case $sc in
    *mesg=*) sc=${sc##*mesg=}; case $sc in ''|*[!0-9]*) echo 0 ;; *) echo "$sc" ;; esac ;;
    *) echo 0 ;;
    esac
}

# mix: each MTA has MIX_DOMAINS smtp-sinks, sink K on 127.0.0.(K+1) and the
# MTA's sink port (loopback addresses only; each a next hop of its own), all
# with -w MIX_DELAY. With -d each writes every mail transaction to a file of
# its own in WORK/dump-NAME/K/ (tmpfs when /dev/shm is available, so the
# sinks do not write to the disk that is being measured). The file lists
# the transaction's recipients (X-Rcpt-Args), and its mtime is when the
# sink received the final ".": the time of delivery.

# mix_transport_maps PORT [DOMAINS] - the inline table that routes dK.test
# to 127.0.0.(K+1):PORT (the mix's sink K, the provider's address K)
mix_transport_maps() {
    mt_k=1
    mt_map=
    while [ "$mt_k" -le "${2:-$MIX_DOMAINS}" ]; do
	mt_map="$mt_map${mt_map:+, }d$mt_k.test=smtp:[127.0.0.$((mt_k + 1))]:$1"
	mt_k=$((mt_k + 1))
    done
    echo "inline:{ $mt_map }"
}

# mix_sinks_start NAME - start NAME's MIX_DOMAINS smtp-sinks, empty dumps
mix_sinks_start() {
    ms_port=$(mta_sink_port "$1")
    ms_dump=$WORK/dump-$1
    [ -z "$(ss -Htln "sport = :$ms_port" 2>/dev/null)" ] ||
	die "something else listens on port $ms_port, the port of $(mta_label "$1")'s smtp-sinks"
    chmod 711 "$WORK"		# the sinks run as nobody
    rm -rf "$ms_dump"
    mkdir "$ms_dump" || die "mkdir $ms_dump failed"
    : > "$WORK/sink-$1.err"
    ms_pids=
    ms_k=1
    while [ "$ms_k" -le "$MIX_DOMAINS" ]; do
	install -d -o nobody -m 755 "$ms_dump/$ms_k" || die "cannot make $ms_dump/$ms_k"
	"$SMTP_SINK" -u nobody -w "$MIX_DELAY" -d "$ms_dump/$ms_k/x." \
	    "127.0.0.$((ms_k + 1)):$ms_port" "$SINK_BACKLOG" \
	    > /dev/null 2>> "$WORK/sink-$1.err" &
	ms_pids="$ms_pids $!"
	ms_k=$((ms_k + 1))
    done
    case $1 in ph) PH_MIX_PIDS=$ms_pids ;; pf) PF_MIX_PIDS=$ms_pids ;; esac
    ms_i=0
    while [ "$(ss -Htln "sport = :$ms_port" 2>/dev/null | wc -l)" -lt "$MIX_DOMAINS" ]; do
	ms_i=$((ms_i + 1))
	if [ "$ms_i" -gt 100 ]; then
	    sed 's/^/    /' "$WORK/sink-$1.err" >&2
	    die "the smtp-sinks for $(mta_label "$1") do not all listen on 127.0.0.2..$((MIX_DOMAINS + 1)):$ms_port"
	fi
	sleep 0.1
    done
}

# uptime_s - whole seconds since boot (no program to exec)
uptime_s() { read -r us_up us_rest < /proc/uptime; echo "${us_up%.*}"; }

# set_mode ingest|e2e|mix - set both instances up for a scenario: both stopped,
# their queues emptied, configuration switched; reset_all starts them
set_mode() {
    [ "$MODE" = "$1" ] && [ "$MODE_DKIM" = "$DKIM" ] && return 0
    ph_stop
    pf_stop
    od_stop
    sink_stop ph
    sink_stop pf
    ph_clear
    pf_clear
    ph_mode "$1"
    pf_mode "$1"
    # e2e: every run deletes the N queue files it delivered. On ext4 without
    # a journal, the inode allocator passes over inodes deleted in the last
    # 60 s (ialloc.c, recently_deleted), and a new file's inode is taken
    # from its directory's block group onwards. In the same directories,
    # the next run would pay for the previous run's deletions (measured:
    # creating 10000 files took 1.8 s instead of 0.2 s of kernel time).
    # Waiting 65 s before each of the 8 runs would take 9 minutes. Instead
    # each e2e run gets queue directories made anew (RENEW_QUEUES). With the
    # "top of directory hierarchy" flag (chattr +T) on the spool, ext4
    # spreads new subdirectories (find_group_orlov): it starts looking for
    # an empty block group at a hash of the new name. set_aside makes each
    # directory under a name never used before and renames it, so every run
    # lands in an unused block group, far from earlier runs' deleted inodes.
    # mix deletes its 201 queue files per run and is treated the same way.
    # Ingest deletes nothing and keeps the placement it always had.
    case $1 in
    e2e|mix|provider)
	RENEW_QUEUES=1
	chattr +T "$PH_SPOOL" "$PF_SPOOL" 2>/dev/null ||
	    info "chattr +T on the spools failed (not ext2/3/4?); each e2e run then allocates inodes near the last run's deleted ones"
	;;
    ingest)
	RENEW_QUEUES=0
	chattr -T "$PH_SPOOL" "$PF_SPOOL" 2>/dev/null
	;;
    esac
    MODE=$1
    MODE_DKIM=$DKIM
}

# reset_all - stop both, empty both queues, flush the file system, start both,
# so every timed run starts from the same state (empty queue directories,
# no dirty data, no daemon running but master and postlogd; in e2e also
# qmgr, and both smtp-sinks restarted with zero counters; in mix qmgr, and
# all smtp-sinks restarted with empty dump directories; with DKIM the
# opendkims run, started when the set-up began)
reset_all() {
    ph_stop
    pf_stop
    sink_stop ph
    sink_stop pf
    ph_clear
    pf_clear
    sync
    if [ "$MODE" != ingest ]; then
	sink_start ph
	sink_start pf
    fi
    [ "$DKIM" = 1 ] && [ -z "$OD_PIDS" ] && od_start
    ph_start
    pf_start
}

# qmqp_load NAME CONC COUNT OUT - send COUNT messages; elapsed seconds in OUT
qmqp_load() {
    port=$(mta_port "$1")
    t0=$(now)
    # In the background and waited for, so that Ctrl-C and TERM reach our
    # traps at once (timeout(1) moves the client out of our process group).
    timeout "$RUN_TIMEOUT" "$QMQP_SOURCE" -s "$2" -m "$3" -l "$SIZE" -r 1 \
	-f "$SENDER" -t "$RCPT" "127.0.0.1:$port" 2>"$WORK/qmqp-source.err" &
    LOAD_PID=$!
    wait "$LOAD_PID"
    rc=$?
    LOAD_PID=
    t1=$(now)
    echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }' > "$4"
    if [ -s "$WORK/qmqp-source.err" ]; then
	info "qmqp-source to $(mta_label "$1") said:"
	head -5 "$WORK/qmqp-source.err" | sed 's/^/    /'
    fi
    [ $rc -eq 124 ] && info "qmqp-source to $(mta_label "$1") timed out after ${RUN_TIMEOUT}s"
    return $rc
}

# verify NAME - one message must land in the spool before anything is timed
verify() {
    label=$(mta_label "$1")
    spool=$(mta_spool "$1")
    before=$(spool_count "$spool")
    qmqp_load "$1" 1 1 "$WORK/t" || die "$label: qmqp-source of one test message failed"
    after=$(spool_count "$spool")
    [ $((after - before)) -eq 1 ] ||
	die "$label: a test message did not land in $spool (files before $before, after $after)"
    info "$label: test message queued in $spool ($(find "$spool/incoming" -type f | head -1 | sed "s|$spool/||"))"
}

# ---------------------------------------------------------------- scenarios

# one_ingest NAME CONC - reset both, send N messages to NAME, check, record msg/s
one_ingest() {
    label=$(mta_label "$1")
    spool=$(mta_spool "$1")
    reset_all
    before=$(spool_count "$spool")
    logfrom=$(log_lines "$(mta_log "$1")")
    mpid=$(mta_pid "$1")
    strace_start "$1"
    c0=$(mta_ticks "$1" "$mpid")
    d0=$(disk_ios)
    qmqp_load "$1" "$2" "$N" "$WORK/t"
    rc=$?
    secs=$(cat "$WORK/t")
    sleep 0.2			# a last log line may still be on its way
    strace_stop "$1" "$N"
    c1=$(mta_ticks "$1" "$mpid")
    d1=$(disk_ios)
    after=$(spool_count "$spool")
    log_problems "$(mta_log "$1")" "$logfrom" "$label"
    new=$((after - before))
    if [ $rc -ne 0 ] || [ $new -ne "$N" ]; then
	info "$label ingest c=$2: qmqp-source exit $rc, $new new queue files in $spool, expected $N"
	info "last lines of $(mta_log "$1"):"
	tail -n 10 "$(mta_log "$1")" | sed 's/^/    /'
	die "$label did not queue every message; a benchmark of a broken system is worthless (BENCH_KEEP=1 keeps the instances for a post-mortem)"
    fi
    rate=$(echo "$N $secs" | awk '{ printf "%.1f", $1 / $2 }')
    cpu=$(echo "$c0 $c1 $HZ $N" | awk '{ printf "%.2f", ($2 - $1) * 1000 / $3 / $4 }')
    ios=$(echo "$d0 $d1 $N" | awk '{ printf "%.2f %.2f", ($3 - $1) / $5, ($4 - $2) / $5 }')
    printf '  %-8s c=%-3s %6d msgs %8.3f s %8s msg/s   CPU %s ms/msg   disk writes %s, flushes %s /msg%s\n' \
	"$label" "$2" "$N" "$secs" "$rate" "$cpu" ${ios% *} ${ios#* } "$ST_RATE"
    dkim_check "$1" "$N"
    echo "${LABEL_PREFIX}ingest c=$2 $1 $N $secs" >> "$RESULTS"
}

# ph_queue_check - posthorn's own view of its spool must match the files
ph_queue_check() {
    t0=$(now)
    listed=$("$PH_BIN" -c "$PH_DIR" queue -j 2>"$WORK/queue.err" | grep -c '"queue_id"')
    t1=$(now)
    files=$(spool_count "$PH_SPOOL")
    took=$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')
    if [ "$listed" -ne "$files" ]; then
	info "warning: posthorn queue -j lists $listed messages, the spool holds $files files"
	head -3 "$WORK/queue.err" | sed 's/^/    /'
    else
	info "posthorn queue -j lists all $listed messages (${took}s)"
    fi
}

scenario_ingest() {
    say ""
    say "== ingest: qmqp-source -> MTA -> durable queue file (nothing delivered)"
    say "   $N messages of $SIZE bytes, 1 recipient, per run; rounds: $ROUNDS"
    say "   (CPU = user+system time of the MTA's master and all its daemons, per message;"
    say "    disk = write and flush requests the block device completed, per message)"
    set_mode ingest
    r=1
    while [ $r -le "$ROUNDS" ]; do
	for c in $CONCURRENCY; do
	    for order in "ph pf" "pf ph"; do
		for m in $order; do
		    one_ingest "$m" "$c"
		done
	    done
	    ph_queue_check
	done
	r=$((r + 1))
    done
}

# sent_count NAME FROMLINE - "status=sent" lines NAME logged after FROMLINE
sent_count() {
    tail -n +"$(($2 + 1))" "$(mta_log "$1")" 2>/dev/null | grep -c ' status=sent ' || true
}

# e2e_fail NAME WHAT - show what went wrong, then stop the benchmark
e2e_fail() {
    info "$(mta_label "$1"): $2"
    info "last lines of $(mta_log "$1"):"
    tail -n 10 "$(mta_log "$1")" | sed 's/^/    /'
    die "$(mta_label "$1") did not deliver every message exactly once; a benchmark of a broken system is worthless (BENCH_KEEP=1 keeps the instances for a post-mortem)"
}

# e2e_drained NAME COUNT FROMLINE SECONDS - wait until NAME's queue is empty,
# its log has COUNT "status=sent" lines after FROMLINE and its sink has
# counted COUNT messages; then check that it stays at COUNT (no duplicate
# deliveries). Returns 1 (with E2E_WHY set) if that does not happen in time.
e2e_drained() {
    ed_end=$(($(uptime_s) + $4))
    while :; do
	ed_q=$(spool_count "$(mta_spool "$1")")
	ed_s=$(sink_count "$1")
	ed_l=$(sent_count "$1" "$3")
	[ "$ed_q" -eq 0 ] && [ "$ed_s" -ge "$2" ] && [ "$ed_l" -ge "$2" ] && break
	if [ "$(uptime_s)" -ge "$ed_end" ]; then
	    E2E_WHY="after ${4}s: $ed_q messages still queued, $ed_s at the sink, $ed_l status=sent log lines; expected 0, $2, $2"
	    return 1
	fi
	sleep 0.1
    done
    sleep 0.5			# a duplicate delivery would show up now
    ed_s=$(sink_count "$1")
    ed_l=$(sent_count "$1" "$3")
    if [ "$ed_s" -ne "$2" ] || [ "$ed_l" -ne "$2" ]; then
	E2E_WHY="$ed_s messages at the sink, $ed_l status=sent log lines; expected exactly $2"
	return 1
    fi
    return 0
}

# verify_e2e NAME - a test message must reach NAME's sink before anything is timed
verify_e2e() {
    logfrom=$(log_lines "$(mta_log "$1")")
    qmqp_load "$1" 1 1 "$WORK/t" || die "$(mta_label "$1"): qmqp-source of one test message failed"
    e2e_drained "$1" 1 "$logfrom" 30 || e2e_fail "$1" "test message not delivered: $E2E_WHY"
    info "$(mta_label "$1"): test message delivered to smtp-sink on 127.0.0.1:$(mta_sink_port "$1"):"
    tail -n +"$((logfrom + 1))" "$(mta_log "$1")" | grep ' status=sent ' |
	sed -e 's/^.*\]: //' -e 's/^/    /'
}

# load_finish NAME CLIENT ERRFILE WANT WHAT - after a timed run's wait loop
# (which leaves got, rc, start and moved set): stop the client (LOAD_PID) if
# the run stalled or timed out, collect its exit status, show what it said,
# and fail the run unless it exited 0 and WANT WHAT arrived
load_finish() {
    if [ "$got" -lt "$4" ] && [ -n "$LOAD_PID" ]; then
	kill -TERM "$LOAD_PID" 2>/dev/null	# stalled or timed out: stop the client
    fi
    if [ -z "$rc" ]; then
	wait "$LOAD_PID"
	rc=$?
	LOAD_PID=
    fi
    if [ -s "$3" ]; then
	info "$2 to $label said:"
	head -5 "$3" | sed 's/^/    /'
    fi
    [ $rc -eq 0 ] || e2e_fail "$1" "$2 exited $rc$([ $rc -eq 124 ] && echo " (timed out after ${RUN_TIMEOUT}s)"), $got of $4 $5"
    [ "$got" -ge "$4" ] ||
	e2e_fail "$1" "only $got of $4 $5 after $(($(uptime_s) - start))s (the last $(($(uptime_s) - moved))s without a delivery)"
}

# load_wait NAME WANT STALL LIMIT - poll NAME's sink until it has WANT, the
# client (LOAD_PID) failed, nothing moved for STALL seconds or LIMIT seconds
# passed since start; leaves got, rc and moved set for load_finish
load_wait() {
    rc=
    last=0
    moved=$start
    while :; do
	got=$(sink_count "$1")
	[ "$got" -ge "$2" ] && break
	up=$(uptime_s)
	if [ -z "$rc" ] && ! kill -0 "$LOAD_PID" 2>/dev/null; then
	    wait "$LOAD_PID"
	    rc=$?
	    LOAD_PID=
	    [ $rc -eq 0 ] || break
	fi
	[ "$got" -ne "$last" ] && { last=$got; moved=$up; }
	[ $((up - moved)) -ge "$3" ] && break
	[ $((up - start)) -ge "$4" ] && break
	sleep 0.2
    done
}

# one_e2e NAME CONC - reset both, send N messages to NAME, time until its
# sink has received the last one, check, record msg/s
one_e2e() {
    label=$(mta_label "$1")
    port=$(mta_port "$1")
    reset_all
    logfrom=$(log_lines "$(mta_log "$1")")
    mpid=$(mta_pid "$1")
    [ "$(sink_count "$1")" -eq 0 ] || e2e_fail "$1" "its smtp-sink did not start from 0"
    strace_start "$1"
    c0=$(mta_ticks "$1" "$mpid")
    d0=$(disk_ios)
    t0=$(now)
    start=$(uptime_s)
    if [ "$FANOUT" = 1 ]; then		# one VERP post, every recipient a transaction
	want=$FANOUT_RCPTS
	timeout "$RUN_TIMEOUT" "$QMQP_SOURCE" -s 1 -m 1 -l "$SIZE" -r "$FANOUT_RCPTS" \
	    -f "$FANOUT_SENDER" -t "$RCPT" "127.0.0.1:$port" 2>"$WORK/qmqp-source.err" &
    else
	want=$N
	timeout "$RUN_TIMEOUT" "$QMQP_SOURCE" -s "$2" -m "$N" -l "$SIZE" -r 1 \
	    -f "$SENDER" -t "$RCPT" "127.0.0.1:$port" 2>"$WORK/qmqp-source.err" &
    fi
    LOAD_PID=$!
    rc=
    tq=
    last=0
    moved=$start
    # Poll the sink's counter every 50 ms (a few small forks per poll). The poll
    # interval bounds the error of the end time.
    while :; do
	got=$(sink_count "$1")
	[ "$got" -ge "$want" ] && break
	up=$(uptime_s)
	if [ -z "$rc" ] && ! kill -0 "$LOAD_PID" 2>/dev/null; then
	    wait "$LOAD_PID"
	    rc=$?
	    LOAD_PID=
	    tq=$(now)
	    [ $rc -eq 0 ] || break
	fi
	[ "$got" -ne "$last" ] && { last=$got; moved=$up; }
	[ $((up - moved)) -ge "$STALL" ] && break
	[ $((up - start)) -ge "$RUN_TIMEOUT" ] && break
	sleep 0.05
    done
    t1=$(now)
    c1=$(mta_ticks "$1" "$mpid")
    d1=$(disk_ios)
    strace_stop "$1" "$want"
    load_finish "$1" qmqp-source "$WORK/qmqp-source.err" "$want" "messages at the sink"
    e2e_drained "$1" "$want" "$logfrom" 60 || e2e_fail "$1" "$E2E_WHY"
    log_problems "$(mta_log "$1")" "$logfrom" "$label"
    secs=$(echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }')
    if [ -n "$tq" ]; then
	subm="qmqp-source done at $(echo "$t0 $tq" | awk '{ printf "%.1f\n", $2 - $1 }') s"
    else
	subm="qmqp-source still running at the last delivery"
    fi
    rate=$(echo "$want $secs" | awk '{ printf "%.1f", $1 / $2 }')
    cpu=$(echo "$c0 $c1 $HZ $want" | awk '{ printf "%.2f", ($2 - $1) * 1000 / $3 / $4 }')
    ios=$(echo "$d0 $d1 $want" | awk '{ printf "%.2f %.2f", ($3 - $1) / $5, ($4 - $2) / $5 }')
    if [ "$FANOUT" = 1 ]; then
	printf '  %-8s %6d rcpts %8.3f s %8s rcpt/s   CPU %s ms/rcpt   disk writes %s, flushes %s /rcpt\n' \
	    "$label" "$want" "$secs" "$rate" "$cpu" ${ios% *} ${ios#* }
	echo "fanout rcpts=$want $1 $want $secs" >> "$RESULTS"
	return
    fi
    printf '  %-8s c=%-3s %6d msgs %8.3f s %8s msg/s   CPU %s ms/msg   disk writes %s, flushes %s /msg%s   (%s)\n' \
	"$label" "$2" "$N" "$secs" "$rate" "$cpu" ${ios% *} ${ios#* } "$ST_RATE" "$subm"
    dkim_check "$1" "$N"
    echo "${LABEL_PREFIX}e2e c=$2 $1 $N $secs" >> "$RESULTS"
}

scenario_e2e() {
    say ""
    say "== e2e: qmqp-source -> MTA -> smtp (relayhost) -> smtp-sink"
    say "   $N messages of $SIZE bytes, 1 recipient, per run; rounds: $ROUNDS"
    say "   (seconds from the start of qmqp-source to the last message counted by the sink;"
    say "    CPU and disk as in ingest; qmqp-source done = when the last message was accepted)"
    set_mode e2e
    reset_all
    verify_e2e ph
    verify_e2e pf
    r=1
    while [ $r -le "$ROUNDS" ]; do
	for c in $CONCURRENCY; do
	    for order in "ph pf" "pf ph"; do
		for m in $order; do
		    one_e2e "$m" "$c"
		done
	    done
	done
	r=$((r + 1))
    done
}

# verify_mix NAME - a probe message with one recipient at each of the
# MIX_DOMAINS destinations must reach each destination's own sink before
# anything is timed
verify_mix() {
    logfrom=$(log_lines "$(mta_log "$1")")
    timeout 60 "$PYTHON" "$MIX_PY" probe "$(mta_port "$1")" "$WORK/mix-client-$1" ||
	die "$(mta_label "$1"): mix.py probe failed"
    e2e_drained "$1" "$MIX_DOMAINS" "$logfrom" 30 || e2e_fail "$1" "probe message not delivered: $E2E_WHY"
    vm_got=$("$PYTHON" "$MIX_PY" analyze "$WORK/mix-client-$1" "$WORK/dump-$1" /dev/null) ||
	e2e_fail "$1" "the probe message did not reach every destination's own sink"
    info "$(mta_label "$1"): probe message delivered, one recipient to each of the $MIX_DOMAINS smtp-sinks ($vm_got)"
}

# one_mix NAME - reset both, send the mix to NAME, wait until its sinks have
# every recipient, check, record the delays
one_mix() {
    label=$(mta_label "$1")
    reset_all
    logfrom=$(log_lines "$(mta_log "$1")")
    mpid=$(mta_pid "$1")
    total=$((MIX_RCPTS + MIX_SMALL))
    [ "$(sink_count "$1")" -eq 0 ] || e2e_fail "$1" "its smtp-sinks did not start empty"
    c0=$(tree_ticks "$mpid")
    d0=$(disk_ios)
    start=$(uptime_s)
    timeout "$RUN_TIMEOUT" "$PYTHON" "$MIX_PY" send "$(mta_port "$1")" "$(mta_sink_port "$1")" \
	"$WORK/mix-client-$1" 2>"$WORK/mix-client.err" &
    LOAD_PID=$!
    # The times come from the sinks' dump files, not from this loop; it
    # only waits for the last recipient (and for a stall or the time limit).
    load_wait "$1" "$total" "$STALL" "$RUN_TIMEOUT"
    load_finish "$1" "mix.py send" "$WORK/mix-client.err" "$total" "recipients at the sinks"
    e2e_drained "$1" "$total" "$logfrom" 60 || e2e_fail "$1" "$E2E_WHY"
    c1=$(tree_ticks "$mpid")
    d1=$(disk_ios)
    log_problems "$(mta_log "$1")" "$logfrom" "$label"
    MIX_SEQ=$((MIX_SEQ + 1))
    mkdir -p "$WORK/mixres"
    # every recipient exactly once, at its own destination's sink
    fig=$("$PYTHON" "$MIX_PY" analyze "$WORK/mix-client-$1" "$WORK/dump-$1" "$WORK/mixres/$1.$MIX_SEQ") ||
	e2e_fail "$1" "the sinks' dump files do not show every recipient exactly once at its own destination"
    read -r mx_median mx_p95 mx_min mx_max mx_big mx_bigfirst mx_accepted mx_started \
	mx_submitted mx_before mx_bigtx mx_tx <<EOF
$fig
EOF
    cpu=$(echo "$c0 $c1 $HZ" | awk '{ printf "%.1f", ($2 - $1) / $3 }')
    ios=$(echo "$d0 $d1" | awk '{ printf "%d %d", $3 - $1, $4 - $2 }')
    printf '  %-8s small: min %6.3f s  median %6.3f s  p95 %6.3f s  max %6.3f s   big: %7.3f s   %3d smalls done before the big one   CPU %s s   disk writes %s, flushes %s\n' \
	"$label" "$mx_min" "$mx_median" "$mx_p95" "$mx_max" "$mx_big" "$mx_before" "$cpu" ${ios% *} ${ios#* }
    printf '  %-8s (big accepted after %.3f s, first delivery started at %.3f s, first recipient delivered at %.3f s, in %d transactions; %d smalls submitted in %.3f s; %d transactions in all)\n' \
	"" "$mx_accepted" "$mx_started" "$mx_bigfirst" "$mx_bigtx" "$MIX_SMALL" "$mx_submitted" "$mx_tx"
}

scenario_mix() {
    say ""
    say "== mix: one message to $MIX_RCPTS recipients at $MIX_DOMAINS destinations, then $MIX_SMALL messages of 1 recipient"
    say "   mix.py (QMQP) -> MTA -> smtp (transport_maps) -> $MIX_DOMAINS smtp-sinks per MTA on 127.0.0.2..$((MIX_DOMAINS + 1)), -w $MIX_DELAY"
    say "   smtp process limit $MIX_PROCS on both sides; $SIZE-byte messages; gap between small messages ${MIX_GAP} ms; rounds: $ROUNDS"
    say "   (small delay = start of its submission to its delivery at the sink; big = start of its"
    say "    submission to the delivery of its last recipient; CPU = MTA's master and daemons, whole run)"
    set_mode mix
    reset_all
    verify_mix ph
    verify_mix pf
    r=1
    while [ $r -le "$ROUNDS" ]; do
	for order in "ph pf" "pf ph"; do
	    for m in $order; do
		one_mix "$m"
	    done
	done
	r=$((r + 1))
    done
}

# timed_runs ingest|e2e - every timed run of one set-up of the dkim or
# slowdisk scenario (LABEL_PREFIX set); with signing on (DKIM=1), posthorn
# only if it can
timed_runs() {
    r=1
    while [ $r -le "$ROUNDS" ]; do
	for c in $CONCURRENCY; do
	    for order in "ph pf" "pf ph"; do
		for m in $order; do
		    [ "$m" = ph ] && [ "$DKIM" = 1 ] && [ "$PH_DKIM" = 0 ] && continue
		    "one_$1" "$m" "$c"
		done
	    done
	done
	r=$((r + 1))
    done
}

scenario_dkim() {
    say ""
    say "== dkim: ingest and e2e as above, each MTA signing every message (dkim-on) and not (dkim-off)"
    say "   posthorn: cleanup signs; Postfix: cleanup asks OpenDKIM (non_smtpd_milters, UNIX socket)"
    say "   $N messages of $SIZE bytes from $SENDER per run; keys: $DKIM_KEYS; rounds: $ROUNDS"
    say "   (CPU for Postfix with signing on includes opendkim's; the sinks dump every message,"
    say "    and each run's messages are checked for exactly the signatures they should carry)"
    DKIM_SCEN=1
    dkim_setup
    for dm in ingest e2e; do
	for DKIM in 1 0; do
	    if [ "$DKIM" = 1 ]; then LABEL_PREFIX=dkim-on-; else LABEL_PREFIX=dkim-off-; fi
	    set_mode "$dm"
	    if [ "$dm" = e2e ]; then
		# one message each way first, its signatures checked by dkimpy
		reset_all
		for m in ph pf; do
		    verify_e2e "$m"
		    dkim_verify_sample "$m"
		done
	    fi
	    timed_runs "$dm"
	done
    done
    DKIM=0
    DKIM_SCEN=0
    LABEL_PREFIX=
    set_mode ingest
}

# ---------------------------------------------------------------- fan-out (scenario fanout)

scenario_fanout() {
    say ""
    say "== fanout: one ezmlm-style VERP post (sender $FANOUT_SENDER) to $FANOUT_RCPTS"
    say "   recipients, relayed to smtp-sink, every recipient its own transaction (its own"
    say "   VERP sender); recipients per second from submission to the last one at the sink"
    set_mode e2e
    reset_all
    verify_e2e ph
    verify_e2e pf
    FANOUT=1
    r=1
    while [ $r -le "$ROUNDS" ]; do
	for order in "ph pf" "pf ph"; do
	    for m in $order; do
		one_e2e "$m" 1
	    done
	done
	r=$((r + 1))
    done
    FANOUT=0
}

# ---------------------------------------------------------------- provider (scenario provider)
#
# One ezmlm-style VERP post to PROV_RCPTS recipients at PROV_DOMAINS domains,
# every domain routed (transport_maps, as in mix) to its own address of one
# provider: smtp_throttle_server.py listening on 127.0.0.2..(PROV_DOMAINS+1),
# which counts sessions and transactions across all of them and answers
# Gmail's "421 4.7.28 ... unusual rate" (greeting, or MAIL FROM) beyond
# PROV_SESSIONS sessions at once or PROV_RATE transactions per seconds.
# Times are a tenth of the defaults on both sides (prov_times), so that a
# run takes minutes, not hours: backoffs 30s..400s, queue runs every 30s;
# posthorn's throttle table suspends the provider for 60s (Gmail asks for
# 10 minutes). Reported per MTA: time from submission to the last
# recipient accepted, the 4xx replies the provider had to send, and the
# most sessions it saw at once.

# prov_times - the scaled timers, NAME=VALUE words
prov_times() { echo "minimal_backoff_time=30s maximal_backoff_time=400s queue_run_delay=30s"; }

# prov_server_start NAME - NAME's provider, fresh counters
prov_server_start() {
    ps_port=$(mta_sink_port "$1")
    rm -rf "$WORK/prov-$1"
    "$PYTHON" "$PROV_SERVER" "127.0.0.2-$((PROV_DOMAINS + 1))" "$ps_port" "$WORK/prov-$1" \
	--max-sessions "$PROV_SESSIONS" --rate "$PROV_RATE" --delay "$PROV_DELAY" \
	--lifetime 86400 > "$WORK/prov-$1.out" 2>&1 &
    case $1 in ph) PH_PROV_PID=$! ;; pf) PF_PROV_PID=$! ;; esac
    ps_i=0
    until [ -f "$WORK/prov-$1/ready" ]; do
	ps_i=$((ps_i + 1))
	[ "$ps_i" -gt 100 ] && { cat "$WORK/prov-$1.out" >&2; die "the provider for $(mta_label "$1") did not start"; }
	sleep 0.1
    done
}

# prov_rcpts - the post's recipients, u<J>@d<K>.test, one per line
prov_rcpts() {
    awk -v n="$PROV_RCPTS" -v d="$PROV_DOMAINS" \
	'BEGIN { for (j = 1; j <= n; j++) printf "u%d@d%d.test\n", j, (j - 1) % d + 1 }'
}

# one_provider NAME - the post through NAME until the provider accepted every recipient
one_provider() {
    label=$(mta_label "$1")
    reset_all
    logfrom=$(log_lines "$(mta_log "$1")")
    t0=$(now)
    start=$(uptime_s)
    # shellcheck disable=SC2046 # one word per recipient
    timeout "$RUN_TIMEOUT" "$PYTHON" "$DKIM_TOOLS/qmqp_raw.py" "$(mta_port "$1")" --timeout 120 \
	--request 'From: list@example.org\nSubject: provider bench\n\nbody\n' "$FANOUT_SENDER" \
	$(prov_rcpts) > "$WORK/prov-client.out" 2>&1 &
    LOAD_PID=$!
    load_wait "$1" "$PROV_RCPTS" "$PROV_STALL" "$PROV_TIMEOUT"
    t1=$(now)
    secs=$(echo "$t0 $t1" | awk '{ printf "%.1f\n", $2 - $1 }')
    grep -q '^REPLY K' "$WORK/prov-client.out" || rc=1	# qmqp_raw.py exits 0 on any reply
    done_mark=
    if [ "$rc" = 0 ] && [ "$got" -lt "$PROV_RCPTS" ] && [ $(($(uptime_s) - start)) -ge "$PROV_TIMEOUT" ]; then
	# Still at it when the time is up: that is the result, not a failure.
	done_mark=">"
	info "$label: $got of $PROV_RCPTS recipients at the provider when BENCH_PROVIDER_TIMEOUT (${PROV_TIMEOUT}s) ran out"
    else
	load_finish "$1" qmqp_raw.py "$WORK/prov-client.out" "$PROV_RCPTS" "recipients at the provider"
	e2e_drained "$1" "$PROV_RCPTS" "$logfrom" 60 || e2e_fail "$1" "$E2E_WHY"
    fi
    log_problems "$(mta_log "$1")" "$logfrom" "$label"
    set -- "$1" $("$PYTHON" -c '
import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
print(sum(1 for x in e if x["event"] == "throttled"),
      max([x["open"] for x in e if x["event"] == "connect"] or [0]),
      len(set(r for x in e if x["event"] == "message" for r in x["rcpt"])))' "$WORK/prov-$1/events.jsonl")
    [ -n "$done_mark" ] || [ "$4" -eq "$PROV_RCPTS" ] ||
	e2e_fail "$1" "the provider has $4 distinct recipients, not $PROV_RCPTS"
    printf '  %-8s %6d of %d rcpts %9s s   4xx replies %6d   most sessions at once %3d\n' \
	"$label" "$4" "$PROV_RCPTS" "$done_mark$secs" "$2" "$3"
    echo "provider $1 $secs $2 $3 $done_mark" >> "$WORK/prov-results"
}

scenario_provider() {
    say ""
    say "== provider: one VERP post to $PROV_RCPTS recipients at $PROV_DOMAINS domains of one provider"
    say "   the provider (127.0.0.2..$((PROV_DOMAINS + 1))) answers 421 4.7.28 beyond $PROV_SESSIONS sessions at once or"
    say "   $PROV_RATE transactions per seconds; ${PROV_DELAY}s per message; timers a tenth of the defaults on"
    say "   both sides (backoff 30s..400s, queue run 30s; posthorn suspends the provider 60s)"
    set_mode provider
    r=1
    while [ $r -le "$ROUNDS" ]; do
	for m in ph pf; do
	    one_provider "$m"
	done
	r=$((r + 1))
    done
}

# ---------------------------------------------------------------- slow disk (scenario slowdisk)

# neighbour_start - a process on the spools' file system that writes 4 KiB
# and fsyncs it, over and over, as a busy database would: every flush the
# MTAs ask for queues behind one of its flushes, so the disk is slow on
# purpose, not by luck of the minute
neighbour_start() {
    NB_FILE=$(dirname "$PH_DIR")/posthorn-bench-neighbour.$$
    "$PYTHON" -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o600)
block = b"n" * 4096
while True:
    os.pwrite(fd, block, 0)
    os.fsync(fd)
' "$NB_FILE" &
    NB_PID=$!
    sleep 0.5
    kill -0 "$NB_PID" 2>/dev/null || die "the fsync neighbour did not start"
}

# neighbour_stop - end it
neighbour_stop() {
    [ -n "$NB_PID" ] || return 0
    kill "$NB_PID" 2>/dev/null
    wait "$NB_PID" 2>/dev/null
    NB_PID=
    rm -f "$NB_FILE"
}

scenario_slowdisk() {
    say ""
    say "== slowdisk: ingest and e2e as above, while a neighbour process on the same file"
    say "   system writes 4 KiB and fsyncs it in a loop (every flush waits behind its flushes)"
    say "   $N messages of $SIZE bytes per run; rounds: $ROUNDS"
    LABEL_PREFIX=slowdisk-
    neighbour_start
    info "fsync neighbour running on $(dirname "$PH_DIR"): a synchronous 4 KiB write takes $(fsync_baseline "$(dirname "$PH_DIR")") ms now"
    set_mode ingest
    timed_runs ingest
    set_mode e2e
    reset_all
    verify_e2e ph
    verify_e2e pf
    timed_runs e2e
    neighbour_stop
    LABEL_PREFIX=
    set_mode ingest
}

# ---------------------------------------------------------------- report

# ph_version - the commit the sources are at, and whether the work tree has
# changes on top (read-only: GIT_OPTIONAL_LOCKS=0 keeps git status from
# refreshing the index, which would take its lock)
ph_version() {
    pv_top=$(dirname "$0")/..
    pv=$(git -C "$pv_top" rev-parse --short HEAD 2>/dev/null) || { echo '?'; return; }
    [ -n "$(GIT_OPTIONAL_LOCKS=0 git -C "$pv_top" status --porcelain --untracked-files=no 2>/dev/null)" ] &&
	pv="$pv + uncommitted changes"
    echo "$pv"
}

report() {
    say ""
    [ -s "$RESULTS" ] && printf '%-22s %14s %14s %18s\n' scenario "posthorn msg/s" "Postfix msg/s" "posthorn/Postfix"
    # rate per MTA = all messages / all seconds of that scenario ("-" when
    # an MTA did not run it: posthorn with dkim-on before it can sign)
    [ -s "$RESULTS" ] && awk '
	function rate(k, m) { return (secs[k, m] > 0) ? msgs[k, m] / secs[k, m] : 0 }
	function fmt(v, w, p) { return (v > 0) ? sprintf("%" w "." p "f", v) : sprintf("%" w "s", "-") }
	{ key = $1 " " $2; if (!(key in seen)) { seen[key] = 1; order[++n] = key }
	  msgs[key, $3] += $4; secs[key, $3] += $5 }
	END {
	    for (i = 1; i <= n; i++) {
		k = order[i]
		ph = rate(k, "ph"); pf = rate(k, "pf")
		printf "%-22s %s %s %s\n", k, fmt(ph, 14, 1), fmt(pf, 14, 1), fmt((ph > 0 && pf > 0) ? ph / pf : 0, 18, 2)
	    }
	    # dkim: what signing costs each MTA (rate with signing on / off)
	    hdr = 0
	    for (i = 1; i <= n; i++) {
		k = order[i]
		if (k !~ /^dkim-on-/) continue
		off = k; sub(/^dkim-on-/, "dkim-off-", off)
		if (!(off in seen)) continue
		if (!hdr++) printf "\n%-22s %14s %14s\n", "signing on/off", "posthorn", "Postfix"
		a = rate(k, "ph"); b = rate(off, "ph"); c = rate(k, "pf"); d = rate(off, "pf")
		lab = k; sub(/^dkim-on-/, "", lab)
		printf "%-22s %s %s\n", lab, fmt((a > 0 && b > 0) ? a / b : 0, 14, 2), fmt((c > 0 && d > 0) ? c / d : 0, 14, 2)
	    }
	}' "$RESULTS"
    if [ -s "$WORK/prov-results" ]; then
	[ -s "$RESULTS" ] && say ""
	# A run cut off by BENCH_PROVIDER_TIMEOUT counts with its time so far
	# (marked ">": the true time is longer, and so are its 4xx replies).
	awk '
	    { n[$2]++; t[$2] += $3; x[$2] += $4; p[$2] = ($5 > p[$2] ? $5 : p[$2]); if ($6 == ">") cut[$2] = ">" }
	    END {
		printf "%-22s %12s %12s %14s\n", "provider", "time (s)", "4xx replies", "most sessions"
		for (m in n) printf "%-22s %12s %12s %14d\n", (m == "ph" ? "posthorn" : "Postfix"),
		    cut[m] sprintf("%.1f", t[m] / n[m]), cut[m] sprintf("%.0f", x[m] / n[m]), p[m]
		if (n["ph"] && n["pf"] && t["pf"] > 0)
		    printf "posthorn/Postfix: time %s%.2f, 4xx replies %s%.3f\n",
			(cut["pf"] ? "<" : ""), (t["ph"] / n["ph"]) / (t["pf"] / n["pf"]),
			(cut["pf"] ? "<" : ""), (x["pf"] > 0 ? (x["ph"] / n["ph"]) / (x["pf"] / n["pf"]) : 0)
	    }' "$WORK/prov-results"
    fi
    if [ -d "$WORK/mixres" ]; then
	[ -s "$RESULTS" ] && say ""
	"$PYTHON" "$MIX_PY" report "$WORK"/mixres/* || info "error: mix.py report failed"
    fi
    say ""
    say "CPU busy before the start: ${busy}%; right after the last run: $(cpu_busy)%; whole run $(($(date +%s) - START)) s"
    say "command: $CMDLINE   (BENCH_MESSAGES=$N BENCH_ROUNDS=$ROUNDS BENCH_CONCURRENCY=\"$CONCURRENCY\" BENCH_SIZE=$SIZE$(case " $SCENARIOS " in *" mix "*) echo " BENCH_MIX_PROCS=$MIX_PROCS BENCH_MIX_DELAY=$MIX_DELAY BENCH_MIX_GAP=$MIX_GAP" ;; esac)$(case " $SCENARIOS " in *" provider "*) echo " BENCH_PROVIDER_RCPTS=$PROV_RCPTS BENCH_PROVIDER_DELAY=$PROV_DELAY BENCH_PROVIDER_TIMEOUT=$PROV_TIMEOUT" ;; esac)$(case " $SCENARIOS " in *" dkim "*) echo " BENCH_DKIM_KEYS=\"$DKIM_KEYS\"; OpenDKIM $(opendkim -V 2>&1 | sed -n '1s/.*Filter v//p')" ;; esac); $(nproc) CPUs, $(uname -r), Postfix $(postconf -c "$PF_DIR" -d -h mail_version 2>/dev/null), posthorn $(ph_version))"
}

# ---------------------------------------------------------------- clean-up

cleanup() {
    trap - EXIT INT TERM HUP
    trap '' PIPE		# output may be gone (| head); clean up anyway
    if [ -n "$LOAD_PID" ]; then
	kill -TERM "$LOAD_PID" 2>/dev/null	# timeout(1) passes it on to qmqp-source
	wait "$LOAD_PID" 2>/dev/null
    fi
    neighbour_stop
    sink_stop ph
    sink_stop pf
    ph_stop
    pf_stop
    od_stop
    case $OD_DIR in /run/bench-opendkim.*) [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$OD_DIR" ;; esac
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
	info "kept $PH_DIR $PF_DIR${WORK:+ $WORK}${OD_DIR:+ $OD_DIR}"
	WORK=			# mix: the last run's client logs and sink dumps
    elif [ -n "$PH_DIR$PF_DIR" ]; then
	[ -n "$PH_DIR" ] && rm -rf "$PH_DIR"
	[ -n "$PF_DIR" ] && rm -rf "$PF_DIR"
	sync
	touch "$LAST_STAMP"
    fi
    [ -n "${WORK:-}" ] && rm -rf "$WORK"
}

# ---------------------------------------------------------------- main

[ "$(id -u)" -eq 0 ] || {
    echo "bench: must run as root (Postfix's master and posthorn's production mode need it); try: sudo make bench" >&2
    exit 1
}
PH_BIN=$BUILD/bin/posthorn
case $PH_BIN in /*) ;; *) PH_BIN=$(pwd)/$PH_BIN ;; esac
[ -x "$PH_BIN" ] || die "$PH_BIN not found: build first (make all, or make bench)"
[ -x "$PF_DAEMON_DIR/master" ] || die "$PF_DAEMON_DIR/master not found: apt-get install postfix"
QMQP_SOURCE=$(PATH=$PATH:/usr/sbin:/usr/lib/postfix/sbin command -v qmqp-source) ||
    die "qmqp-source not found (Debian package postfix)"
SMTP_SINK=$(PATH=$PATH:/usr/sbin:/usr/lib/postfix/sbin command -v smtp-sink) ||
    die "smtp-sink not found (Debian package postfix)"
id postfix >/dev/null 2>&1 && getent group postdrop >/dev/null ||
    die "user postfix or group postdrop missing (Debian package postfix)"
for s in $SCENARIOS; do
    case $s in
    all) SCENARIOS=$ALL_SCENARIOS; break ;;
    ingest|e2e|mix|dkim|slowdisk|fanout|provider) ;;
    *) die "unknown scenario \"$s\"; available: $ALL_SCENARIOS dkim slowdisk fanout provider" ;;
    esac
done
case $N in ''|*[!0-9]*|0) die "BENCH_MESSAGES must be a positive number" ;; esac
case $ROUNDS in ''|*[!0-9]*|0) die "BENCH_ROUNDS must be a positive number" ;; esac
case " $SCENARIOS " in
*" dkim "*)
    command -v opendkim >/dev/null || die "opendkim not found (dkim needs Debian's opendkim; scripts/deps.sh)"
    "$PYTHON" -c 'import dkim' 2>/dev/null || die "dkimpy not found (dkim checks signatures with python3-dkim)"
    [ -r "$DKIM_TOOLS/dkim_verify.py" ] && [ -r "$DKIM_TOOLS/dkim_tool.py" ] ||
	die "$DKIM_TOOLS/dkim_verify.py or dkim_tool.py not found"
    ;;
esac
case " $SCENARIOS " in
*" mix "*)
    case $MIX_PROCS in ''|*[!0-9]*|0) die "BENCH_MIX_PROCS must be a positive number" ;; esac
    case $MIX_DELAY in ''|*[!0-9]*|0) die "BENCH_MIX_DELAY must be a positive number of seconds (smtp-sink -w)" ;; esac
    case $MIX_GAP in ''|*[!0-9]*) die "BENCH_MIX_GAP must be a number of milliseconds" ;; esac
    [ -x "$PYTHON" ] || die "$PYTHON not found (mix runs bench/mix.py)"
    [ -r "$MIX_PY" ] || die "$MIX_PY not found"
    export MIX_RCPTS MIX_DOMAINS MIX_SMALL MIX_SIZE="$SIZE" MIX_GAP_MS="$MIX_GAP"
    ;;
esac

trap cleanup EXIT
trap 'info interrupted; exit 130' INT
trap 'info terminated; exit 143' TERM HUP
trap 'exit 141' PIPE

START=$(date +%s)
# ext4 without a journal passes over inodes deleted in the last minute when
# it allocates new ones (see set_aside); a bench run right after the last
# one removed its spools would time that, not the MTAs.
if [ -f "$LAST_STAMP" ]; then
    age=$((START - $(stat -c %Y "$LAST_STAMP")))
    if [ "$age" -ge 0 ] && [ "$age" -lt 65 ]; then
	info "the previous bench run removed its spools ${age}s ago; waiting $((65 - age))s so that its deleted inodes do not slow this one"
	sleep $((65 - age))
    fi
fi
busy=$(cpu_busy)
info "CPU busy before the start: ${busy}% (other work on this machine skews the numbers)"
[ "$busy" -gt 25 ] && info "warning: the machine is not idle; expect noisy numbers"
HZ=$(getconf CLK_TCK)
# Small files only (results, client errors, the sinks' counters); tmpfs
# keeps the sinks' counter writes off the disk that is being measured.
WORK=$(mktemp -d /dev/shm/bench-work.XXXXXX 2>/dev/null) ||
    WORK=$(mktemp -d /tmp/bench-work.XXXXXX) || die "mktemp failed"
RESULTS=$WORK/results
: > "$RESULTS"

ph_setup
pf_setup
[ "$(stat -c %d "$PH_DIR")" = "$(stat -c %d "$PF_DIR")" ] ||
    die "$PH_DIR and $PF_DIR are on different file systems"
info "posthorn instance $PH_DIR, QMQP 127.0.0.1:$PH_PORT"
info "Postfix  instance $PF_DIR, QMQP 127.0.0.1:$PF_PORT"
fs="$(df -T "$PF_DIR" | awk 'NR == 2 { print $2 " on " $1 }')"
if [ -d /var/spool/postfix ] && [ "$(stat -c %d /var/spool/postfix)" = "$(stat -c %d "$PF_DIR")" ]; then
    fs="$fs, the file system of /var/spool/postfix"
fi
dev=$(df "$PF_DIR" | awk 'NR == 2 { print $1 }')
devname=$(basename "$(readlink -f "$dev")")
DISK_STAT=/sys/class/block/$devname/stat
case $fs in
ext4*) has_journal "$devname" || fs="$fs (no journal)" ;;
esac
info "both spools on one file system: $fs"
info "synchronous 4 KiB write in /var/tmp: $(fsync_baseline "$PF_DIR") ms (the floor under every queue file)"
ph_start
pf_start
verify ph
verify pf
"$PH_BIN" -c "$PH_DIR" queue | sed 's/^/    /'

for s in $SCENARIOS; do
    "scenario_$s"
done
report
exit 0
