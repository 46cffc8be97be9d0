#!/bin/bash
# Preemption and blockers (scheduler.md §10 items 28, 29, 34). One smtp
# process, one recipient per delivery: a 1-recipient message sent while a
# 200-recipient message is being delivered overtakes it within 4 deliveries;
# with smtp_delivery_slot_cost = 1 (preemption off) it waits until the big
# one is done. A destination held at its concurrency limit does not hold up
# mail for another destination on the same transport, preemption or not.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sched_lib.sh"

sent_lines() { grep -E 'posthorn/smtp\[[0-9]+\]: .*status=sent' "$INST/maillog"; }
big_sent() { sent_lines | grep -c 'to=<[0-9]*rcpt@example.net>'; }
big_sent_at_least() { [ "$(big_sent)" -ge "$1" ]; }
small_sent() { sent_lines | grep -q 'to=<small@example.net>'; }
# big deliveries logged before the small one
big_before_small() { sent_lines | sed '/to=<small@example.net>/,$d' | grep -c 'rcpt@example.net'; }

# one_agent - smtp with at most one process, one recipient per delivery
one_agent() {
    sed -i -E 's|^smtp[[:space:]].*|smtp unix - - y - 1 smtp|' "$INST/master.cf"
}

t_deliver_instance smtp_destination_recipient_limit=1
one_agent
t_sink "$SPORT" "$T_TMP/sink" -w 1
t_start
timeout 60 qmqp-source -m 1 -r 200 -l 500 -f list@example.org -t rcpt@example.net \
    "127.0.0.1:$QPORT" || t_fail "qmqp-source failed"
t_wait_until 20 big_sent_at_least 1 || t_fail "the big message is not being delivered"
before=$(big_sent)
$PH send -f small@example.org small@example.net <<EOF >/dev/null || t_fail "send"
Subject: small

one recipient
EOF
t_wait_until 20 small_sent || t_fail "the small message was not delivered"
n=$(( $(big_before_small) - before ))
t_log "big deliveries between the small one's arrival and its delivery: $n (of 200; $(big_before_small) before it)"
[ "$n" -le 4 ] || t_fail "the small message waited for $n deliveries of the big one"
[ "$(big_before_small)" -lt 50 ] || t_fail "the big message had fewer than 150 recipients left"
t_stop
t_sink_stop
rm -rf "$T_TMP/inst" "$T_TMP/sink"

# Preemption off: the small message waits for all 16 deliveries of the big one.
t_deliver_instance smtp_destination_recipient_limit=1 smtp_delivery_slot_cost=1
one_agent
t_sink "$SPORT" "$T_TMP/sink" -w 1
t_start
timeout 60 qmqp-source -m 1 -r 16 -l 500 -f list@example.org -t rcpt@example.net \
    "127.0.0.1:$QPORT" || t_fail "qmqp-source failed"
t_wait_until 20 big_sent_at_least 1 || t_fail "the big message is not being delivered"
$PH send -f small@example.org small@example.net <<EOF >/dev/null || t_fail "send"
Subject: small

one recipient
EOF
t_wait_until 40 small_sent || t_fail "the small message was not delivered"
t_assert_eq 16 "$(big_before_small)" "big deliveries before the small one without preemption"
t_stop
t_sink_stop
rm -rf "$T_TMP/inst" "$T_TMP/sink"

# Blockers: X at its limit of 1 with 10 deliveries to go; Y goes at once.
PY2=$(t_port)
t_deliver_instance smtp_destination_concurrency_limit=1 smtp_destination_recipient_limit=2 \
    smtp_delivery_slot_cost=1 "transport_maps=inline:{ y.test = smtp:[127.0.0.1]:$PY2 }"
t_sink "$SPORT" "$T_TMP/sink" -w 2
t_sink "$PY2" "$T_TMP/sinky"
t_start
timeout 60 qmqp-source -m 1 -r 20 -l 500 -f list@example.org -t rcpt@example.net \
    "127.0.0.1:$QPORT" || t_fail "qmqp-source failed"
t_wait_until 10 sh -c "[ \$(ss -Htn state established 'dport = :$SPORT' | wc -l) -ge 1 ]" \
    || t_fail "X is not being delivered"
start=$(date +%s.%N)
timeout 60 qmqp-source -m 1 -r 1 -l 500 -f list@example.org -t rcpt@y.test \
    "127.0.0.1:$QPORT" || t_fail "qmqp-source failed"
t_wait_until 10 t_dir_has "$T_TMP/sinky" 1 || t_fail "mail for Y was not delivered"
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
t_log "mail for Y delivered after $took s; X recipients delivered so far: $(big_sent) of 20"
awk -v t="$took" 'BEGIN { exit !(t < 3) }' || t_fail "mail for Y waited $took s behind X"
[ "$(big_sent)" -lt 20 ] || t_fail "X was finished before Y: nothing was blocked"
t_pass
