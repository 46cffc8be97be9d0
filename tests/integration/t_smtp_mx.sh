#!/bin/bash
# posthorn-smtp(8) with a real DNS server (unbound on a 127.x address of its own,
# named by dns_resolv_conf): MX hosts are tried in preference order and the
# next one is used when the best refuses; a null MX bounces without a
# connection; a domain without MX is its own MX; NXDOMAIN and MX hosts
# without addresses bounce; a refusing name server defers with a hop
# status; an MX host that is one of our own addresses ends the list (and
# bounces when it is the best); a server that greets with our own name is
# a mail loop; smtp_mx_address_limit caps the addresses tried. smtp
# reports each destination's exchanger group to qmgr: the primary MX
# host (lowest preference, not the one that answered), what
# smtp_mx_group_maps (a regexp: table) says for it, the domain itself
# without MX records, the host in brackets; kept no longer than the TTL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp_lib.sh"
command -v unbound >/dev/null || { echo "SKIP [$T_NAME]: unbound not installed"; exit 77; }

DNS=$(s_addr)
A10=$(s_addr); A20=$(s_addr); A30=$(s_addr); A3=$(s_addr); A4=$(s_addr)
P=$(t_port)
s_unbound "$DNS" <<EOF
  local-data: "mxorder.test. IN MX 10 mx10.test."
  local-data: "mxorder.test. IN MX 20 mx20.test."
  local-data: "mxorder.test. IN MX 30 mx30.test."
  local-data: "mx10.test. IN A $A10"
  local-data: "mx20.test. IN A $A20"
  local-data: "mx30.test. IN A $A30"
  local-data: "nullmx.test. IN MX 0 ."
  local-data: "aonly.test. IN A $A3"
  local-data: "noaddr.test. IN MX 10 ghost.test."
  local-data: "loop.test. IN MX 10 self.test."
  local-data: "loop.test. IN MX 20 mx20.test."
  local-data: "loopok.test. IN MX 5 mx20.test."
  local-data: "loopok.test. IN MX 10 self.test."
  local-data: "self.test. IN A 127.0.0.1"
  local-zone: "refused.test." refuse
EOF

s_setup dns_resolv_conf="$T_TMP/resolv.conf"
printf '/^mx[0-9]+\\.test$/ numbered-mx\n' > "$T_TMP/groups.re"
cat >> "$INST/master.cf" <<EOF
smtpone      unix       -       -       y       -       -       smtp -o smtp_mx_address_limit=1
smtpgroup    unix       -       -       y       -       -       smtp -o smtp_mx_group_maps=regexp:$T_TMP/groups.re
EOF
$PH reload >/dev/null || t_fail "reload"
t_wait_until 10 test -S "$SPOOL/private/smtpone" || t_fail "private/smtpone did not appear"
t_wait_until 10 test -S "$SPOOL/private/smtpgroup" || t_fail "private/smtpgroup did not appear"
s_server mx20 "$A20" "$P" --name mx20.test
s_server mx30 "$A30" "$P" --name mx30.test
s_server aonly "$A3" "$P" --name aonly.test

# 1. Preference order, and the next MX when the best refuses.
id=$(s_submit 'Subject: mx\n\nbody\n' s@example.org u1@mxorder.test)
got=$(s_deliver "$id" "mxorder.test:$P")
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "delivery through the second MX"
t_wait_log "connect to mx10.test\[$A10\]:$P: Connection refused" || t_fail "best MX not tried first"
t_wait_log "$id: to=<u1@mxorder.test>, relay=mx20.test\[$A20\]:$P, .*dsn=2.0.0, status=sent" \
    || t_fail "not delivered through mx20"
s_events mx30 | grep -q connect && t_fail "the third MX was contacted"

# 1a. The exchanger group reported to qmgr: the primary MX host, though
# mx20 took the mail; with smtp_mx_group_maps, the table's answer; the
# domain itself without MX; the host in brackets. unbound's TTL is 3600.
id=$(s_submit 'Subject: g1\n\nbody\n' s@example.org g1@mxorder.test)
got=$(s_deliver "$id" "mxorder.test:$P" --group)
t_assert_eq "REPLY status=0 hop_status= hop_reason= mx_group=mx10.test mx_group_ttl=3600" "$got" "group: primary MX"
id=$(s_submit 'Subject: g2\n\nbody\n' s@example.org g2@mxorder.test)
got=$(s_deliver "$id" "mxorder.test:$P" --service smtpgroup --group)
t_assert_eq "REPLY status=0 hop_status= hop_reason= mx_group=numbered-mx mx_group_ttl=3600" "$got" "group: smtp_mx_group_maps"
id=$(s_submit 'Subject: g3\n\nbody\n' s@example.org g3@aonly.test)
got=$(s_deliver "$id" "aonly.test:$P" --group)
t_assert_eq "REPLY status=0 hop_status= hop_reason= mx_group=aonly.test mx_group_ttl=3600" "$got" "group: no MX"
id=$(s_submit 'Subject: g4\n\nbody\n' s@example.org g4@aonly.test)
got=$(s_deliver "$id" "[$A3]:$P" --group)
t_assert_eq "REPLY status=0 hop_status= hop_reason= mx_group=$A3 mx_group_ttl=3600" "$got" "group: [address]"

# 2. Null MX: bounced, no connection.
id=$(s_submit 'Subject: null\n\nbody\n' s@example.org u2@nullmx.test)
s_deliver "$id" "nullmx.test:$P" >/dev/null
expect_bounced "$id" u2@nullmx.test 5.1.0 "Domain nullmx.test does not accept mail \(nullMX\)\)"
t_log_has "$id: to=<u2@nullmx.test>, relay=none, " || t_fail "null MX logged with a relay"

# 3. No MX: the domain's own address.
id=$(s_submit 'Subject: a\n\nbody\n' s@example.org u3@aonly.test)
got=$(s_deliver "$id" "aonly.test:$P")
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "delivery to an A-only domain"
t_wait_log "$id: to=<u3@aonly.test>, relay=aonly.test\[$A3\]:$P, .*status=sent" || t_fail "A-only domain"

# 4. NXDOMAIN: bounced.
id=$(s_submit 'Subject: nx\n\nbody\n' s@example.org u4@nope.test)
s_deliver "$id" "nope.test:$P" >/dev/null
expect_bounced "$id" u4@nope.test 5.4.4 \
    "Host or domain name not found. Name service error for name=nope.test type=MX: Host not found\)"

# 5. The name server refuses: deferred, a hop status.
id=$(s_submit 'Subject: ref\n\nbody\n' s@example.org u5@x.refused.test)
got=$(s_deliver "$id" "x.refused.test:$P")
t_assert_eq "REPLY status=1 hop_status=4.4.3 hop_reason=Host or domain name not found. Name service error for name=x.refused.test type=MX: Host not found, try again" \
    "$got" "reply after a DNS failure"

# 6. MX host without an address: bounced.
id=$(s_submit 'Subject: noaddr\n\nbody\n' s@example.org u6@noaddr.test)
s_deliver "$id" "noaddr.test:$P" >/dev/null
expect_bounced "$id" u6@noaddr.test 5.4.4 \
    "Host or domain name not found. Name service error for name=ghost.test type=A: Host not found\)"

# 7. We are the best MX: a mail loop. 8. We are a worse MX: the better one gets it.
id=$(s_submit 'Subject: loop\n\nbody\n' s@example.org u7@loop.test)
s_deliver "$id" "loop.test:$P" >/dev/null
expect_bounced "$id" u7@loop.test 5.4.6 "mail for loop.test loops back to myself\)"
id=$(s_submit 'Subject: loopok\n\nbody\n' s@example.org u8@loopok.test)
got=$(s_deliver "$id" "loopok.test:$P")
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "delivery to the MX better than us"

# 9. A server that greets with our own name.
me=$($PH conf -x myhostname | sed 's/^myhostname = //')
s_server me "$A4" "$P" --name "$me"
id=$(s_submit 'Subject: me\n\nbody\n' s@example.org u9@example.net)
s_deliver "$id" "[$A4]:$P" >/dev/null
expect_bounced "$id" u9@example.net 5.4.6 "mail for $A4 loops back to myself\)"

# 10. smtp_mx_address_limit=1: only the refusing best MX is tried.
id=$(s_submit 'Subject: lim\n\nbody\n' s@example.org u10@mxorder.test)
got=$(s_deliver "$id" "mxorder.test:$P" --service smtpone)
t_assert_eq "REPLY status=1 hop_status=4.4.1 hop_reason=connect to mx10.test[${A10}]:$P: Connection refused" \
    "$got" "reply with smtp_mx_address_limit=1"
t_log_has 'fatal|panic' && t_fail "fatal errors in the log"
t_pass
