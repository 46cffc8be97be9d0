#!/bin/bash
# The metrics HTTP listener (posthorn-metrics(8)), enabled in master.cf on
# loopback: GET /metrics is what promtool accepts, before and after mail,
# with counters that moved by what was delivered; scrapes during a
# 2000-message load answer within 100 ms; other paths and methods, a
# malformed request, a 1 MB request line and a slowloris client get their
# 4xx or a close within metrics_timeout, and the service keeps answering;
# a client outside metrics_authorized_clients gets 403. Then a real
# Prometheus (Debian's) scrapes it for a few seconds and its API returns
# posthorn's queue gauge.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metrics_lib.sh"
command -v promtool > /dev/null || { echo "SKIP [$T_NAME]: promtool (Debian package prometheus) not installed"; exit 77; }
command -v curl > /dev/null || t_fail "curl is missing"
MPORT=$(t_port)
t_deliver_instance metrics_timeout=2s
printf '127.0.0.1:%s inet n - y - - metrics\n' "$MPORT" >> "$INST/master.cf"
t_sink "$SPORT" "$T_TMP/sink"
t_start
URL="http://127.0.0.1:$MPORT/metrics"

# get NAME - GET /metrics into $T_TMP/NAME, status 200 and promtool's approval
get() {
    local code
    code=$(curl -s -m 5 -o "$T_TMP/$1" -w '%{http_code}' "$URL") || t_fail "curl $URL failed"
    t_assert_eq 200 "$code" "status of GET /metrics ($1)"
    m_lint "$T_TMP/$1" "$1"
}

get before
t_assert_eq 1 "$(value before posthorn_up)" "posthorn_up"
curl -s -m 5 -D "$T_TMP/headers" -o /dev/null "$URL"
grep -qi '^Content-Type: text/plain; version=0.0.4' "$T_TMP/headers" || t_fail "content type: $(cat "$T_TMP/headers")"
timeout 60 qmqp-source -s 5 -m 10 -r 2 -f s@example.org "127.0.0.1:$QPORT" || t_fail "qmqp-source failed"
t_wait_until 30 t_queue_empty || t_fail "mail not delivered"
get after
t_assert_eq 20 "$(value after 'posthorn_deliveries_total{status="sent",transport="smtp"}')" "recipients sent"
t_assert_eq 10 "$(value after 'posthorn_messages_queued_total{protocol="QMQP"}')" "messages queued"

# status PATH-OR-ARGS... - the status code curl gets
status() { curl -s -m 5 -o /dev/null -w '%{http_code}' "$@"; }
t_assert_eq 404 "$(status "http://127.0.0.1:$MPORT/")" "GET /"
t_assert_eq 404 "$(status "http://127.0.0.1:$MPORT/metricsx")" "GET /metricsx"
t_assert_eq 405 "$(status -X POST "$URL")" "POST /metrics"
t_assert_eq 405 "$(status -X DELETE "$URL")" "DELETE /metrics"
# raw ... - send bytes, print the status line and how long the answer took
raw() {
    $PY - "$MPORT" "$@" <<'PYEOF'
import socket, sys, time
port, kind = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port)); s.settimeout(15)
t = time.time(); out = b""
try:
    if kind == "long":
        s.sendall(b"GET /" + b"a" * 1000000 + b" HTTP/1.1\r\n\r\n")
    elif kind == "bad":
        s.sendall(b"HELLO THERE\r\n\r\n")
    elif kind == "slow":
        s.sendall(b"GET /metrics HTTP/1.1\r\nX-Slow: ")
        for i in range(20):
            time.sleep(0.5); s.sendall(b"a")
except OSError:
    pass
try:
    while True:
        b = s.recv(4096)
        if not b:
            break
        out += b
except OSError:
    pass
print(out.split(b"\r\n")[0].decode() or "closed", round(time.time() - t, 1))
PYEOF
}
set -- $(raw long); t_assert_eq "HTTP/1.1 431" "$1 $2" "a 1 MB request line"
set -- $(raw bad); t_assert_eq "HTTP/1.1 400" "$1 $2" "a malformed request line"
set -- $(raw slow)
[ "$1" = closed ] || [ "$1" = "HTTP/1.1" ] || t_fail "slowloris: $*"
awk -v t="${!#}" 'BEGIN {exit !(t >= 1.5 && t < 5)}' || t_fail "slowloris cut off after ${!#} s, metrics_timeout is 2 s"
get still
t_log "bad requests answered or cut off; the service still answers"

# Scrapes during a 2000-message load.
# http_scrape FILE - GET /metrics into FILE; the request's time in ms, as curl measured it
http_scrape() {
    local t
    t=$(curl -s -f -m 5 -o "$1" -w '%{time_total}' "$URL") || return 1
    awk -v t="$t" 'BEGIN {printf "%d", t * 1000}'
}
t_scrape_load http_scrape
t_log "slowest of 10 HTTP scrapes during a 2000-message load: $T_WORST_MS ms"
[ "$T_WORST_MS" -lt 100 ] || t_fail "an HTTP scrape took $T_WORST_MS ms"
t_wait_until 90 t_queue_empty || t_fail "load not delivered"

# Only metrics_authorized_clients may scrape.
$PH conf -e 'metrics_authorized_clients = 192.0.2.1' > /dev/null && $PH reload > /dev/null || t_fail "reload"
t_assert_eq 403 "$(status "$URL")" "a scrape from outside metrics_authorized_clients"
t_wait_log "refusing a scrape from .*127.0.0.1.*not in metrics_authorized_clients" || t_fail "refusal not logged"
$PH conf -e 'metrics_authorized_clients = 127.0.0.1' > /dev/null && $PH reload > /dev/null || t_fail "reload"
t_wait_until 5 sh -c "[ \"\$(curl -s -m 5 -o /dev/null -w '%{http_code}' '$URL')\" = 200 ]" \
    || t_fail "scrapes not allowed again"

# A real Prometheus scrapes it.
if ! command -v prometheus > /dev/null; then
    t_log "prometheus not installed: the real scrape is skipped"
    t_pass
fi
PPORT=$(t_port)
mkdir -p "$T_TMP/prom"
cat > "$T_TMP/prom/prometheus.yml" <<EOF2
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: posthorn
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF2
timeout 60 prometheus --config.file="$T_TMP/prom/prometheus.yml" --storage.tsdb.path="$T_TMP/prom/data" \
    --web.listen-address="127.0.0.1:$PPORT" > "$T_TMP/prom/log" 2>&1 &
T_BG_PIDS="$T_BG_PIDS $!"
# up - Prometheus's API has posthorn's deferred-queue gauge from a scrape
up() {
    curl -s -m 2 "http://127.0.0.1:$PPORT/api/v1/query?query=posthorn_queue_messages%7Bqueue%3D%22deferred%22%7D" \
	> "$T_TMP/prom/answer" && grep -q '"status":"success"' "$T_TMP/prom/answer" \
	&& grep -q '"job":"posthorn"' "$T_TMP/prom/answer"
}
t_wait_until 30 up || t_fail "Prometheus has no posthorn_queue_messages: $(cat "$T_TMP/prom/answer" 2>/dev/null; tail -5 "$T_TMP/prom/log")"
grep -q '"value":\[[0-9.]*,"0"\]' "$T_TMP/prom/answer" || t_fail "deferred gauge in Prometheus: $(cat "$T_TMP/prom/answer")"
t_log "Prometheus scraped posthorn: $(cat "$T_TMP/prom/answer")"
t_pass
