# sched_lib.sh - helpers for the scheduler tests (docs/scheduler.md §10):
# session sampling at the sink and the scheduler state from posthorn status -j.

# t_sessions PORT... - established connections to the sinks on these ports now
t_sessions() {
    local filter="" p
    for p in "$@"; do filter="${filter:+$filter or }dport = :$p"; done
    ss -Htn state established "( $filter )" 2>/dev/null | wc -l
}

T_SAMPLER_PIDS=
# t_sampler FILE COMMAND... - every 100 ms append what COMMAND prints to FILE;
# t_sample_stop ends every sampler started so far
t_sampler() {
    local file=$1; shift
    : > "$file"
    ( while :; do "$@" >> "$file"; sleep 0.1; done ) &
    T_SAMPLER_PIDS="$T_SAMPLER_PIDS $!"
    T_BG_PIDS="$T_BG_PIDS $!"		# lib.sh's cleanup stops it
}

t_sample_stop() {
    [ -n "$T_SAMPLER_PIDS" ] && kill $T_SAMPLER_PIDS 2>/dev/null
    wait $T_SAMPLER_PIDS 2>/dev/null
    T_SAMPLER_PIDS=
}

# t_sessions_line PORT... - "SECONDS SESSIONS"
t_sessions_line() { echo "$(date +%s.%N) $(t_sessions "$@")"; }

# t_sample_start FILE PORT... - every 100 ms append "SECONDS SESSIONS" to FILE
t_sample_start() { local file=$1; shift; t_sampler "$file" t_sessions_line "$@"; }

# t_dest_line NEXTHOP - "SECONDS IN_FLIGHT WAITING WINDOW" for the smtp
# destination NEXTHOP, as qmgr's gauges give them (posthorn metrics)
t_dest_line() {
    $PH metrics 2>/dev/null | awk -v t="$(date +%s.%N)" -v d="destination=\"$1\"" '
	index($0, "transport=\"smtp\"") && index($0, d) { split($1, n, "{"); v[n[1]] = $2 }
	END { if ("posthorn_destination_window" in v)
		print t, v["posthorn_destination_concurrency"] + 0,
		    v["posthorn_destination_queued_recipients"] + 0,
		    v["posthorn_destination_window"] + 0 }'
}

# t_dest_sample_start FILE NEXTHOP - every 100 ms append t_dest_line to FILE:
# the scheduler's own view, where deliveries a server refuses at once count
# too (a socket sampler seldom sees those)
t_dest_sample_start() { t_sampler "$1" t_dest_line "$2"; }

# t_sample_max FILE - the largest session count sampled
t_sample_max() { awk '$2 > m { m = $2 } END { print m + 0 }' "$1"; }

# t_sample_gaps FILE - the idle gaps between sessions, in seconds (one per
# line), each from the last sample that saw a session to the next one that
# did: never shorter than the real gap, less the time one sample takes to
# run (its time is read before ss runs). Timed from the first idle sample
# instead, a gap of 2 s read as 1.79 s on a busy machine.
t_sample_gaps() {
    awk '$2 > 0 { if (idle) printf "%.2f\n", $1 - last; last = $1; idle = 0 }
	 $2 == 0 && last != "" { idle = 1 }' "$1"
}

# t_status_json - the running qmgr's scheduler state
t_status_json() { $PH status -j; }

# t_status_field EXPR - evaluate a Python expression over the state `s`
# (e.g. 's["active_messages"]'); prints the result
t_status_field() {
    t_status_json | $PY -c "import json,sys; s=json.load(sys.stdin); print($1)"
}

# t_dest FIELD [NEXTHOP] - a field of the destination NEXTHOP (default: the
# relayhost) on transport smtp; "none" when it does not exist
t_dest() {
    local hop=${2:-[127.0.0.1]:$SPORT}
    t_status_json | $PY -c '
import json, sys
s = json.load(sys.stdin)
for t in s["transports"]:
    if t["name"] == "smtp":
        for d in t["destinations"]:
            if d["name"] == sys.argv[2]:
                print(d[sys.argv[1]]); sys.exit(0)
print("none")' "$1" "$hop"
}

# t_submit N [qmqp-source options] - N one-recipient messages, 10 at a time
t_submit() {
    local n=$1; shift
    timeout 120 qmqp-source -s 10 -m "$n" -r 1 -l 500 -f sender@example.org "$@" \
	"127.0.0.1:$QPORT" || t_fail "qmqp-source failed"
}
