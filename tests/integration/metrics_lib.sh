# metrics_lib.sh - helpers for the metrics integration tests (source after lib.sh).

# m_lint FILE WHAT - promtool accepts the scrape in FILE
m_lint() {
    promtool check metrics < "$1" > "$1.lint" 2>&1 \
	|| t_fail "promtool rejects the $2 scrape: $(cat "$1.lint")"
}
# scrape NAME - posthorn metrics into $T_TMP/NAME, checked by promtool
scrape() {
    $PH metrics > "$T_TMP/$1" || t_fail "posthorn metrics failed"
    m_lint "$T_TMP/$1" "$1"
}
# value NAME SERIES - the value of one series in scrape NAME, or "absent"
value() {
    local v
    v=$(awk -v s="$2" '$1 == s {print $2}' "$T_TMP/$1")
    echo "${v:-absent}"
}

# t_scrape_load FN - call FN FILE ten times, 0.2 s apart, while qmqp-source
# sends 2000 messages to this instance: FN writes one scrape to FILE and
# prints how long it took, in ms. T_WORST_MS is the slowest; promtool must
# accept the last scrape.
t_scrape_load() {
    local i ms load
    timeout 120 qmqp-source -s 10 -m 2000 -f load@example.org "127.0.0.1:$QPORT" &
    load=$!
    T_WORST_MS=0
    for i in $(seq 1 10); do
	ms=$("$1" "$T_TMP/load.$i") || t_fail "scrape during the load ($1)"
	[ "$ms" -gt "$T_WORST_MS" ] && T_WORST_MS=$ms
	sleep 0.2
    done
    wait $load || t_fail "qmqp-source (2000) failed"
    promtool check metrics < "$T_TMP/load.10" > /dev/null 2>&1 || t_fail "promtool rejects a scrape under load"
}
