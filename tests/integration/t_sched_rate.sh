#!/bin/bash
# Rate delays and dead transports (scheduler.md §10 items 18, 19, 20).
# smtp_destination_rate_delay = 2s: one session at a time per destination,
# each starting at least 2 s after the previous one ended, while a second
# destination is served in parallel. smtp_transport_rate_delay = 2s: one
# delivery at a time on the whole transport, 2 s apart. An smtp service whose
# processes die at start: mail is deferred "4.3.0 mail transport unavailable"
# and no new agent is asked for before transport_retry_time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sched_lib.sh"

# min_gap FILE - the shortest idle gap sampled (99 when there was none)
min_gap() { t_sample_gaps "$1" | sort -n | head -1 | grep . || echo 99; }

P1=$(t_port)
P2=$(t_port)
t_deliver_instance smtp_connection_cache_on_demand=no smtp_destination_rate_delay=2s \
    default_destination_concurrency_failed_cohort_limit=10 \
    "transport_maps=inline:{ a.test = smtp:[127.0.0.1]:$P1, b.test = smtp:[127.0.0.1]:$P2 }"
t_sink "$P1" "$T_TMP/sink1" -w 1
t_sink "$P2" "$T_TMP/sink2" -w 1
t_start
t_sample_start "$T_TMP/s1" "$P1"
t_sample_start "$T_TMP/s2" "$P2"
start=$(date +%s)
t_submit 5 -t rcpt@a.test
t_submit 5 -t rcpt@b.test
t_wait_until 60 t_queue_empty || t_fail "$(t_queue_count) messages still queued"
took=$(( $(date +%s) - start ))
t_sample_stop
kill $T_BG_PIDS 2>/dev/null
t_wait_until 5 t_dir_has "$T_TMP/sink1" 5 || t_fail "not all mail for a.test delivered"
t_wait_until 5 t_dir_has "$T_TMP/sink2" 5 || t_fail "not all mail for b.test delivered"
t_log "destination rate delay: sessions a $(t_sample_max "$T_TMP/s1"), b $(t_sample_max "$T_TMP/s2");" \
    "shortest gaps a $(min_gap "$T_TMP/s1") b $(min_gap "$T_TMP/s2") s; all done in $took s"
t_assert_eq 1 "$(t_sample_max "$T_TMP/s1")" "most sessions to a.test"
t_assert_eq 1 "$(t_sample_max "$T_TMP/s2")" "most sessions to b.test"
for f in s1 s2; do
    awk -v g="$(min_gap "$T_TMP/$f")" 'BEGIN { exit !(g >= 1.9) }' \
	|| t_fail "$f: a session began $(min_gap "$T_TMP/$f") s after the previous one"
    t_assert_eq 4 "$(t_sample_gaps "$T_TMP/$f" | wc -l)" "$f: gaps between the five sessions"
done
# One after the other, the two destinations would take 2 x (5 x 1 s + 4 x 2 s).
[ "$took" -lt 22 ] || t_fail "$took s for both destinations: not served in parallel"
t_stop
t_sink_stop
rm -rf "$T_TMP/inst" "$T_TMP"/sink*

# Transport rate delay: five destinations, still one delivery at a time.
ports=""
maps=""
for d in 1 2 3 4 5; do
    p=$(t_port)
    ports="$ports $p"
    maps="${maps:+$maps, }d$d.test = smtp:[127.0.0.1]:$p"
done
t_deliver_instance smtp_connection_cache_on_demand=no smtp_transport_rate_delay=2s \
    "transport_maps=inline:{ $maps }"
for p in $ports; do t_sink "$p" "$T_TMP/sink$p" -w 1; done
t_start
t_sample_start "$T_TMP/st" $ports
for d in 1 2 3 4 5; do t_submit 1 -t "rcpt@d$d.test"; done
t_wait_until 60 t_queue_empty || t_fail "$(t_queue_count) messages still queued"
t_sample_stop
t_log "transport rate delay: most sessions $(t_sample_max "$T_TMP/st"), shortest gap $(min_gap "$T_TMP/st") s"
t_assert_eq 1 "$(t_sample_max "$T_TMP/st")" "most sessions on the transport"
awk -v g="$(min_gap "$T_TMP/st")" 'BEGIN { exit !(g >= 1.9) }' \
    || t_fail "a delivery began $(min_gap "$T_TMP/st") s after the previous one"
t_assert_eq 4 "$(t_sample_gaps "$T_TMP/st" | wc -l)" "gaps between the five deliveries"
t_stop
t_sink_stop
rm -rf "$T_TMP/inst" "$T_TMP"/sink*

# Dead transport: the smtp service dies at start; master throttles it.
t_deliver_instance transport_retry_time=5s minimal_backoff_time=60s maximal_backoff_time=60s
sed -i -E 's|^smtp[[:space:]].*|smtp unix - - n - - /bin/false|' "$INST/master.cf"
t_start
t_submit 3 -t rcpt@example.net
t_wait_until 30 sh -c "[ \$(ls '$SPOOL/deferred' | wc -l) = 3 ]" || t_fail "mail not deferred"
t_wait_log 'dsn=4\.3\.0, status=deferred \(mail transport unavailable\)' \
    || t_fail "no deferral with 4.3.0 mail transport unavailable"
asked() { grep -c 'delivery agent smtp did not say it was ready' "$INST/maillog"; }
n=$(asked)
t_assert_eq dead "$(t_status_field '"dead" if [t for t in s["transports"] if t["name"] == "smtp"][0]["dead"] else "alive"')" "smtp transport state"
# New mail within transport_retry_time: deferred without asking for an agent.
t_submit 2 -t rcpt@example.net
t_wait_until 10 sh -c "[ \$(ls '$SPOOL/deferred' | wc -l) = 5 ]" || t_fail "new mail not deferred"
t_assert_eq "$n" "$(asked)" "agent requests while the transport is dead"
t_pass
