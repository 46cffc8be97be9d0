#!/bin/bash
# Provider-aware delivery (docs/scheduler.md §10a) against a real DNS server
# (unbound: 30 domains whose MX is one host) and a scripted server that
# throttles like a big provider (smtp_throttle_server.py). The first
# deliveries to 30 new domains, and then a VERP post to 120 recipients,
# never have more sessions open than smtp_mx_group_concurrency_limit (smtp
# tells qmgr a new domain's group before connecting); a "421 4.7.28" after
# some transactions suspends the group: no new session during the
# suspension, one log line, nothing bounces, the held-back mail comes back
# by itself when the suspension ends (well before any backoff or queue run)
# with one session first, and all of it arrives; a "concurrency 1" rule
# caps sessions at one; <transport>_mx_group_rate_delay spaces deliveries;
# posthorn flush lifts a throttle.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp_lib.sh"
. "$(dirname "$0")/sched_lib.sh"
command -v unbound >/dev/null || { echo "SKIP [$T_NAME]: unbound not installed"; exit 77; }

DNS=$(s_addr)
MXA=$(s_addr)
P=$(t_port)
{
    for i in $(seq 1 30); do
	echo "local-data: \"d$i.test. 3600 IN MX 10 mx.provider.test.\""
    done
    echo "local-data: \"mx.provider.test. 3600 IN A $MXA\""
} | s_unbound "$DNS"

cat > "$T_TMP/transport.re" <<EOF
/^slow-.*@(d[0-9]+\.test)\$/	smtpslow:\$1:$P
/^(d[0-9]+\.test)\$/		smtp:\$1:$P
EOF
cat > "$T_TMP/throttle.re" <<'EOF'
/^421 4\.7\.28 /	suspend 8s
/^451 4\.7\.99 /	concurrency 1 30s
EOF
# Backoff and queue runs far beyond the test: only a suspension's end brings mail back.
# smtp waits for the reply to QUIT, so a session has ended at the server
# (which stops counting it at QUIT) before qmgr hears of the delivery.
t_instance dns_resolv_conf="$T_TMP/resolv.conf" transport_maps="regexp:$T_TMP/transport.re" \
    smtp_reply_throttle_maps="regexp:$T_TMP/throttle.re" smtp_mx_group_concurrency_limit=5 \
    smtpslow_mx_group_rate_delay=1s smtp_connection_cache_on_demand=no smtp_skip_quit_response=no \
    minimal_backoff_time=300s maximal_backoff_time=600s queue_run_delay=300s
t_delivery_services
echo "smtpslow unix - - y - - smtp" >> "$INST/master.cf"
t_start

TS_PID=
# ts_server NAME [options] - the throttling server on $MXA:$P, logging into $T_TMP/NAME
ts_server() {
    local name=$1
    shift
    [ -n "$TS_PID" ] && { kill "$TS_PID" 2>/dev/null; wait "$TS_PID" 2>/dev/null; }
    rm -rf "${T_TMP:?}/$name"
    $PY "$S_DIR/smtp_throttle_server.py" "$MXA" "$P" "$T_TMP/$name" --lifetime 200 "$@" \
	> "$T_TMP/$name.out" 2>&1 &
    TS_PID=$!
    S_PIDS="$S_PIDS $TS_PID"
    t_wait_until 10 test -f "$T_TMP/$name/ready" || t_fail "throttle server $name did not start"
}

# ev NAME PYTHON - evaluate over the server's events e (list of dicts); prints the result
ev() {
    $PY -c "
import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
conn = [x for x in e if x['event'] == 'connect']
msgs = [x for x in e if x['event'] == 'message']
thr = [x for x in e if x['event'] == 'throttled']
rcpts = set(r for x in msgs for r in x['rcpt'])
print($2)" "$T_TMP/$1/events.jsonl"
}

# post SENDER N - one message to N recipients, spread over the 30 domains
post() {
    local sender=$1 n=$2 i rcpts=()
    for i in $(seq 1 "$n"); do rcpts+=("u$i@d$(( (i - 1) % 30 + 1 )).test"); done
    got=$(t_qmqp "$QPORT" --request 'Subject: list post\n\nbody\n' "$sender" "${rcpts[@]}")
    case $got in "REPLY K"*) ;; *) t_fail "submission: $got" ;; esac
}

# 1. Discovery: one recipient per domain; every domain learns its group.
ts_server disc --delay 0.3
post s@example.org 30
t_wait_until 60 t_queue_empty || t_fail "discovery: $(t_queue_count) messages still queued"
known=$(t_status_field 's["mx_groups_known"]')
[ "$known" -ge 30 ] || t_fail "only $known next hops have a group after discovery"
[ "$(ev disc 'len(rcpts)')" = 30 ] || t_fail "discovery: not 30 recipients at the server"
# smtp says each new domain's group before it connects, and what does not
# fit in the group's window goes back to qmgr: the limit holds from the start.
peak=$(ev disc 'max(x["open"] for x in conn)')
t_log "peak sessions while 30 new domains found their group: $peak (limit 5)"
[ "$peak" -le 5 ] || t_fail "$peak sessions at once while discovering (limit 5)"

# 2. The group's window bounds 30 domains together.
ts_server window --delay 0.3
post 'list-@example.org-@[]' 120
t_wait_until 90 t_queue_empty || t_fail "window: $(t_queue_count) messages still queued"
peak=$(ev window 'max(x["open"] for x in conn)')
t_log "peak sessions to the group of 30 domains: $peak (limit 5)"
[ "$peak" -le 5 ] || t_fail "$peak sessions at once to one exchanger group (limit 5)"
[ "$peak" -ge 4 ] || t_fail "only $peak sessions: the group window was not used"
[ "$(ev window 'len(rcpts)')" = 120 ] || t_fail "window: not all 120 recipients arrived"

# 3. A 421 4.7.28 suspends the group; the mail comes back when the suspension ends.
ts_server suspend --delay 0.3 --throttle-after 10 --throttle-for 2
start=$(date +%s)
post 'list-@example.org-@[]' 120
t_wait_log 'exchanger group mx.provider.test \(smtp\): suspend 8s until .* after "421 4\.7\.28 ' 30 \
    || t_fail "no log line for the suspension"
t_status_json | grep -q '"name": "mx.provider.test", "members": [0-9]*, "concurrency": [0-9]*, "window": 1, "limit": 5, "state": "suspended", .*"throttle": {"action": "suspend 8s", "reply": "421 4.7.28 ' \
    || t_fail "status -j does not show the suspended group: $(t_status_json | grep -o '"groups": [^]]*')"
$PH status > "$T_TMP/status.txt"
grep -Eq '^  mx.provider.test +suspended +[0-9]+/1 ' "$T_TMP/status.txt" \
    || t_fail "posthorn status does not show the suspended group: $(cat "$T_TMP/status.txt")"
t_wait_until 150 t_queue_empty || t_fail "suspend: $(t_queue_count) messages still queued"
took=$(( $(date +%s) - start ))
t_log "suspension phase done in ${took}s"
# After the suspension the group grows back only to half of what the 421
# met, so this takes a while; a backoff or queue run would take 300 s.
[ "$took" -lt 150 ] || t_fail "took ${took}s: the held-back mail waited for something else"
n=$(grep -c 'exchanger group mx.provider.test (smtp): suspend' "$INST/maillog")
t_assert_eq 1 "$n" "suspension log lines"
t_log_has 'exchanger group mx.provider.test \(smtp\): suspension ended, resuming with one session' \
    || t_fail "no log line for the end of the suspension"
t_log_has 'status=bounced' && t_fail "something bounced"
t_log_has 'delivery temporarily suspended until .*exchanger group mx.provider.test' \
    || t_fail "no deferral naming the suspension"
[ "$(ev suspend 'len(rcpts)')" = 120 ] || t_fail "suspend: not all 120 recipients arrived"
# No session starts during the suspension (those under way when the 421
# came may still connect for a moment), and the first one after it is alone.
bad=$(ev suspend 'len([c for c in conn if thr[0]["t"] + 1 < c["t"] < thr[0]["t"] + 7.5])')
t_assert_eq 0 "$bad" "sessions started during the suspension"
first=$(ev suspend '[c["open"] for c in conn if c["t"] >= thr[0]["t"] + 7.5][0]')
t_assert_eq 1 "$first" "sessions open when the first one after the suspension connected"
second_ok=$(ev suspend '(lambda a: len(a) < 2 or any(a[0]["t"] <= m["t"] <= a[1]["t"] for m in msgs))([c for c in conn if c["t"] >= thr[0]["t"] + 7.5])')
t_assert_eq True "$second_ok" "a second session before the first one delivered (slow start)"

# 4. "concurrency 1 30s": one session at a time after the reply; flush lifts it.
ts_server cap --delay 0.3 --throttle-after 5 --throttle-for 0.3 --throttle-reply '451 4.7.99 slow down'
post 'list-@example.org-@[]' 60
t_wait_log 'exchanger group mx.provider.test \(smtp\): concurrency 1 30s until' 30 \
    || t_fail "no log line for the concurrency cap"
t_status_json | grep -q '"cap": 1' || t_fail "status -j does not show the cap"
# What the 451s deferred waits for its backoff: deferred/, the rest delivered.
t_wait_until 60 sh -c "[ -z \"\$(ls '$SPOOL/active')\" ] && [ -n \"\$(ls '$SPOOL/deferred')\" ]" \
    || t_fail "cap: the post did not settle in deferred/"
over=$(ev cap 'len([c for c in conn if c["t"] > thr[0]["t"] + 1 and c["open"] > 1])')
t_assert_eq 0 "$over" "sessions beyond the cap of 1"
n=$(ev cap 'len([c for c in conn if c["t"] > thr[0]["t"] + 1])')
[ "$n" -ge 2 ] || t_fail "cap: only $n sessions after the 451: delivery did not go on"
$PH flush >/dev/null || t_fail "posthorn flush"
t_wait_log 'exchanger group mx.provider.test \(smtp\): concurrency 1 30s lifted by posthorn flush' \
    || t_fail "flush did not lift the cap"
t_wait_until 90 t_queue_empty || t_fail "cap: $(t_queue_count) messages still queued after flush"
[ "$(ev cap 'len(rcpts)')" = 60 ] || t_fail "cap: not all 60 recipients arrived"

# 5. smtpslow_mx_group_rate_delay=1s: deliveries to the group start a second apart.
ts_server rate --delay 0.05
got=$(t_qmqp "$QPORT" --request 'Subject: slow\n\nbody\n' s@example.org \
    slow-1@d1.test slow-2@d2.test slow-3@d3.test slow-4@d4.test)
case $got in "REPLY K"*) ;; *) t_fail "submission: $got" ;; esac
t_wait_until 30 t_queue_empty || t_fail "rate: $(t_queue_count) messages still queued"
gap=$(ev rate 'round(min(b["t"] - a["t"] for a, b in zip(msgs, msgs[1:])), 2)')
t_log "smallest gap between deliveries with a 1s group rate delay: ${gap}s"
ok=$($PY -c "print($gap >= 0.9)")
t_assert_eq True "$ok" "deliveries spaced by the group rate delay"
t_pass
