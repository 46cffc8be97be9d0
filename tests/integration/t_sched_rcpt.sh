#!/bin/bash
# Recipient grouping (scheduler.md §10 items 21, 22, 23, 24), counted in the
# sink's per-transaction dumps: 120 recipients in one domain with the
# default limit of 50 give transactions of 50, 50 and 20 RCPTs; 2 recipients
# in each of 3 domains give 3 transactions of 2; with
# smtp_destination_recipient_limit = 1 and concurrency limit 1 each recipient
# is its own destination, so 5 recipients of one domain go out in parallel;
# a VERP message with 5 recipients gives 5 transactions.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sched_lib.sh"

# rcpt_counts DIR - RCPTs per transaction, sorted, space-separated
rcpt_counts() {
    for f in "$1"/m.*; do grep -c '^X-Rcpt-Args:' "$f"; done | sort -n | tr '\n' ' ' | sed 's/ $//'
}

P2=$(t_port)
P3=$(t_port)
t_deliver_instance \
    "transport_maps=inline:{ b.test = smtp:[127.0.0.1]:$P2, c.test = smtp:[127.0.0.1]:$P3 }"
t_sink "$SPORT" "$T_TMP/sink"
t_sink "$P2" "$T_TMP/sink2"
t_sink "$P3" "$T_TMP/sink3"
t_start
timeout 60 qmqp-source -m 1 -r 120 -l 500 -f list@example.org -t rcpt@example.net \
    "127.0.0.1:$QPORT" || t_fail "qmqp-source failed"
t_wait_until 20 t_queue_empty || t_fail "120 recipients not delivered"
t_wait_until 5 t_dir_has "$T_TMP/sink" 3 || t_fail "not 3 transactions"
t_assert_eq "20 50 50" "$(rcpt_counts "$T_TMP/sink")" "RCPTs per transaction"
rm -f "$T_TMP"/sink/m.*

$PH send -f list@example.org a1@example.net a2@example.net b1@b.test b2@b.test \
    c1@c.test c2@c.test <<EOF >/dev/null || t_fail "send"
Subject: three domains

two recipients each
EOF
t_wait_until 20 t_queue_empty || t_fail "3-domain message not delivered"
for d in sink sink2 sink3; do
    t_wait_until 5 t_dir_has "$T_TMP/$d" 1 || t_fail "$d: not one transaction"
    t_assert_eq 2 "$(rcpt_counts "$T_TMP/$d")" "$d: RCPTs in the transaction"
done
t_stop
t_sink_stop
rm -rf "$T_TMP/inst" "$T_TMP"/sink*

# Per-recipient destinations: the concurrency limit of 1 applies per recipient.
t_deliver_instance smtp_destination_recipient_limit=1 smtp_destination_concurrency_limit=1 \
    smtp_connection_cache_on_demand=no
# -w 2: each session lasts long enough for all five to overlap even when
# the smtp processes start slowly (AddressSanitizer builds, a busy machine).
t_sink "$SPORT" "$T_TMP/sink" -w 2
t_start
t_sample_start "$T_TMP/sessions" "$SPORT"
timeout 60 qmqp-source -m 1 -r 5 -l 500 -f list@example.org -t rcpt@example.net \
    "127.0.0.1:$QPORT" || t_fail "qmqp-source failed"
t_wait_until 20 t_queue_empty || t_fail "5 recipients not delivered"
t_sample_stop
t_wait_until 5 t_dir_has "$T_TMP/sink" 5 || t_fail "not 5 transactions"
t_assert_eq "1 1 1 1 1" "$(rcpt_counts "$T_TMP/sink")" "RCPTs per transaction"
t_log "per-recipient destinations: most sessions $(t_sample_max "$T_TMP/sessions")"
[ "$(t_sample_max "$T_TMP/sessions")" -ge 4 ] || t_fail "recipients were not delivered in parallel"
t_stop
t_sink_stop
rm -rf "$T_TMP/inst" "$T_TMP"/sink*

# VERP: one transaction per recipient, each with its own envelope sender.
t_deliver_instance
t_sink "$SPORT" "$T_TMP/sink"
t_start
$PH send -f 'list-return-@example.org-@[]' v1@example.net v2@example.net v3@example.net \
    v4@example.net v5@example.net <<EOF >/dev/null || t_fail "send"
Subject: verp

five recipients
EOF
t_wait_until 20 t_queue_empty || t_fail "VERP message not delivered"
t_wait_until 5 t_dir_has "$T_TMP/sink" 5 || t_fail "not 5 transactions"
t_assert_eq "1 1 1 1 1" "$(rcpt_counts "$T_TMP/sink")" "RCPTs per VERP transaction"
t_assert_eq 5 "$(grep -h '^X-Mail-Args:' "$T_TMP"/sink/m.* | sort -u | wc -l)" "distinct VERP senders"
t_pass
