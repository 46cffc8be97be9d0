#!/bin/bash
# Every message a client saw K for is in the spool after all daemons are
# killed with SIGKILL at random moments during a load, master included; a
# restart after that works (no stale pid file or lock blocks it).
. "$(dirname "$0")/lib.sh"
t_instance
t_ingest_only
t_start
SECONDS_LOAD=${DURABILITY_SECONDS:-20}
$PY "$T_ROOT/tests/integration/durability_client.py" "$QPORT" "$SECONDS_LOAD" 8 \
    "$T_TMP/accepted" > "$T_TMP/client.out" 2>&1 &
client=$!
restarts=0; kills=0
end=$(( $(date +%s) + SECONDS_LOAD ))
while [ "$(date +%s)" -lt "$end" ]; do
    sleep 0.$(( RANDOM % 4 + 1 ))
    if [ $(( RANDOM % 8 )) -eq 0 ]; then
	# Everything dies at once, master first, as in a crash.
	kill -9 $(t_pids master) $(t_pids qmqpd) $(t_pids cleanup) $(t_pids postlogd) 2>/dev/null
	sleep 0.2
	t_wait_until 10 $PH start || t_fail "restart after SIGKILL of everything failed"
	restarts=$((restarts + 1))
    else
	victim=$( { t_pids qmqpd; t_pids cleanup; } | shuf -n 1)
	[ -n "$victim" ] && kill -9 "$victim" 2>/dev/null && kills=$((kills + 1))
    fi
done
wait $client
kill -9 $(t_pids master) $(t_pids qmqpd) $(t_pids cleanup) $(t_pids postlogd) 2>/dev/null
sleep 0.2
t_log "$(cat "$T_TMP/client.out"); $kills single kills, $restarts total crashes"
$PH start > /dev/null || t_fail "restart after the final SIGKILL failed"
$PH status > /dev/null || t_fail "not running after restart"
accepted=$(wc -l < "$T_TMP/accepted")
[ "$accepted" -ge 50 ] || t_fail "only $accepted messages were accepted: the load did not run"
$PH queue -j > "$T_TMP/queue.json"
$PY - "$T_TMP/accepted" "$T_TMP/queue.json" <<'PYEOF' || t_fail "messages the client saw K for are missing"
import json, sys
accepted = {int(l) for l in open(sys.argv[1]) if l.strip()}
queued = set()
for line in open(sys.argv[2]):
    for r in json.loads(line)["recipients"]:
        queued.add(int(r["address"][1:].split("@")[0]))
missing = sorted(accepted - queued)
print("accepted %d, queued %d, missing %d" % (len(accepted), len(queued), len(missing)))
sys.exit(1 if missing else 0)
PYEOF
t_pass
