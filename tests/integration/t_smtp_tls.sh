#!/bin/bash
# STARTTLS in posthorn-smtp(8) against real TLS servers (aiosmtpd, smtp_tls_server.py)
# with certificates this test makes from throw-away CAs, names from a real
# DNS server (unbound), and per-destination levels in smtp_tls_policy_maps:
# - may, encrypt, verify (hostname) and secure (dot-nexthop via MX) deliver
#   over TLS and log Untrusted, Trusted and Verified summary lines;
# - a second delivery, by another smtp process, resumes the first one's
#   session through scache (the client logs "Reusing old session", the
#   server sees a resumed session), but not once the CA file changed;
# - verify with a certificate for another name, or from an unknown CA,
#   defers: the message stays queued, the reason is logged and recorded;
# - a server without STARTTLS gets the message in plaintext under may and
#   nothing under encrypt; a failed handshake under may defers a first
#   attempt and is retried in plaintext only for a message that waited
#   minimal_backoff_time and only without a SASL password for the server
#   (Postfix's rule), and the next MX host is offered STARTTLS again;
#   under encrypt it defers; level none notes a STARTTLS offer
#   (smtp_tls_note_starttls_offer);
# - plaintext injected behind the 220 to STARTTLS is discarded;
# - smtp_tls_cert_file: the client certificate reaches a server that asks;
# - a bad policy entry defers with "client TLS configuration problem".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp_lib.sh"
. "$(dirname "$0")/tls_lib.sh"
command -v unbound >/dev/null || { echo "SKIP [$T_NAME]: unbound not installed"; exit 77; }
$PY -c 'import aiosmtpd' 2>/dev/null || { echo "SKIP [$T_NAME]: python3-aiosmtpd not installed"; exit 77; }

# --- Certificates: CA1 is trusted (smtp_tls_CAfile), CA2 is not.
C=$T_TMP/certs
mkdir -p "$C"
mkca ca1
mkca ca2
mkcert good ca1 mx1.tls.test
mkcert wrong ca1 wrong.test
mkcert unknown ca2 mx3.tls.test
mkcert old ca1 mx5.tls.test
mkcert inject ca1 mx6.tls.test
mkcert client ca1 client.test clientAuth
chmod 644 "$C"/*

# --- DNS: mxN.tls.test for server N; tls.test has mx1 as its MX.
DNS=$(s_addr)
A1=$(s_addr); A2=$(s_addr); A3=$(s_addr); A4=$(s_addr); A5=$(s_addr); A6=$(s_addr); A7=$(s_addr)
P1=$(t_port); P2=$(t_port); P3=$(t_port); P4=$(t_port); P5=$(t_port); P6=$(t_port); P7=$(t_port)
A8=$(s_addr); A9=$(s_addr); P8=$(t_port)
s_unbound "$DNS" <<EOF
  local-data: "tls.test. IN MX 10 mx1.tls.test."
  local-data: "mx1.tls.test. IN A $A1"
  local-data: "mx2.tls.test. IN A $A2"
  local-data: "mx3.tls.test. IN A $A3"
  local-data: "mx4.tls.test. IN A $A4"
  local-data: "mx5.tls.test. IN A $A5"
  local-data: "mx6.tls.test. IN A $A6"
  local-data: "fb.tls.test. IN MX 10 mx8.tls.test."
  local-data: "fb.tls.test. IN MX 20 mx9.tls.test."
  local-data: "mx8.tls.test. IN A $A8"
  local-data: "mx9.tls.test. IN A $A9"
EOF

# --- Servers.
# tls_server NAME HOST PORT [options] - smtp_tls_server.py recording into $T_TMP/NAME
tls_server() {
    local name=$1 host=$2 port=$3
    shift 3
    $PY "$S_DIR/smtp_tls_server.py" "$host" "$port" "$T_TMP/$name" --lifetime 200 "$@" \
	> "$T_TMP/$name.out" 2>&1 &
    S_PIDS="$S_PIDS $!"
    t_wait_until 15 test -f "$T_TMP/$name/ready" || t_fail "TLS server $name did not start: $(cat "$T_TMP/$name.out")"
}
tls_server good "$A1" "$P1" --cert "$C/good.pem"
tls_server wrong "$A2" "$P2" --cert "$C/wrong.pem"
tls_server unknown "$A3" "$P3" --cert "$C/unknown.pem"
tls_server plain "$A4" "$P4"
tls_server old "$A5" "$P5" --cert "$C/old.pem" --max-tls 1.2
tls_server inject "$A6" "$P6" --cert "$C/inject.pem" --inject
tls_server askcert "$A7" "$P7" --cert "$C/good.pem" --client-ca "$C/ca1.crt"
tls_server flaky "$A8" "$P8" --cert "$C/good.pem" --max-tls 1.2 --refuse-after 1
tls_server fb2 "$A9" "$P8" --cert "$C/good.pem"

# --- The instance: may by default, stricter levels per next hop, from a
#     hash: table built with posthorn map (as an administrator would).
cat > "$T_TMP/tls_policy" <<EOF
# next hop              policy
[$A1]:$P1               encrypt
[mx1.tls.test]:$P1      verify
tls.test:$P1            secure
[mx2.tls.test]:$P2      verify
[mx3.tls.test]:$P3      verify
[mx4.tls.test]:$P4      encrypt
[$A5]:$P5               may protocols=>=TLSv1.3
[mx5.tls.test]:$P5      encrypt
    protocols=>=TLSv1.3
[$A6]:$P6               secure match=mx6.tls.test
[$A2]:$P2               verify bogus=1
fb.tls.test:$P8         may protocols=>=TLSv1.3
EOF
$POSTHORN map "hash:$T_TMP/tls_policy" || t_fail "posthorn map hash:$T_TMP/tls_policy"
POLICY="hash:$T_TMP/tls_policy"
s_setup dns_resolv_conf="$T_TMP/resolv.conf" smtp_tls_security_level=may \
    smtp_tls_CAfile="$C/ca1.crt" smtp_tls_loglevel=2 "smtp_tls_policy_maps=$POLICY"
cat >> "$INST/master.cf" <<EOF
smtpone      unix       -       -       y       -       -       smtp -o max_use=1
smtpnote     unix       -       -       y       -       -       smtp -o smtp_tls_security_level=none -o smtp_tls_note_starttls_offer=yes
smtpcert     unix       -       -       y       -       -       smtp -o smtp_tls_cert_file=$C/client.pem
smtpfb       unix       -       -       y       -       -       smtp -o minimal_backoff_time=1s
smtpfbsasl   unix       -       -       y       -       -       smtp -o minimal_backoff_time=1s -o smtp_sasl_auth_enable=yes -o smtp_sasl_password_maps=inline:{[$A5]:$P5=alice:pw}
EOF
$PH reload >/dev/null || t_fail "reload"
t_wait_until 10 test -S "$SPOOL/private/smtpone" || t_fail "private/smtpone did not appear"
t_wait_until 10 test -S "$SPOOL/private/smtpnote" || t_fail "private/smtpnote did not appear"
t_wait_until 10 test -S "$SPOOL/private/smtpcert" || t_fail "private/smtpcert did not appear"
t_wait_until 10 test -S "$SPOOL/private/smtpfbsasl" || t_fail "private/smtpfbsasl did not appear"

# ev NAME - the server's events
ev() { cat "$T_TMP/$1/events.jsonl" 2>/dev/null; }
# msgs NAME - messages the server accepted
msgs() { ev "$1" | grep -c '"event": "message"'; }
# deliver SUBJECT RCPT NEXTHOP [fake qmgr options] - submit and deliver one message; prints its id
deliver() {
    local id
    id=$(s_submit "Subject: $1\\n\\nbody of $1\\n" sender@example.org "$2")
    s_deliver "$id" "$3" "${@:4}" > "$T_TMP/reply.$id"
    echo "$id"
}
OK="REPLY status=0 hop_status= hop_reason="

# 1. encrypt with a trusted chain: Trusted, delivered over TLS 1.3.
id=$(deliver enc1 r1@example.net "[$A1]:$P1" --service smtpone)
t_assert_eq "$OK" "$(cat "$T_TMP/reply.$id")" "encrypt delivery"
t_wait_log "Trusted TLS connection established to $A1\[$A1\]:$P1: TLSv1.3 with cipher [A-Z0-9_]+ \([0-9]+/[0-9]+ bits\) key-exchange [A-Z0-9]+ server-signature RSA-PSS \(2048 bits\) server-digest SHA256" \
    || t_fail "no Trusted summary line for encrypt"
t_wait_log "$id: to=<r1@example.net>, relay=$A1\[$A1\]:$P1, .*status=sent" || t_fail "encrypt: not sent"
ev good | grep -q '"event": "message", "n": 1, "tls": true' || t_fail "encrypt: the server did not get it over TLS"
t_log_has "$A1\[$A1\]:$P1: Reusing old session" && t_fail "a first session cannot be resumed"
t_wait_log "$A1\[$A1\]:$P1: save session smtpone&\[$A1\]:$P1&" || t_fail "encrypt: session not saved"

# 2. The same next hop again, by a new smtp process (max_use=1): the session is resumed.
id=$(deliver enc2 r2@example.net "[$A1]:$P1" --service smtpone)
t_assert_eq "$OK" "$(cat "$T_TMP/reply.$id")" "second encrypt delivery"
t_wait_log "$A1\[$A1\]:$P1: Reusing old session" || t_fail "second delivery did not resume the session"
t_wait_log "$id: to=<r2@example.net>, relay=$A1\[$A1\]:$P1, .*status=sent" || t_fail "second encrypt: not sent"
[ "$(ev good | grep '"event": "tls"' | tail -n 1 | grep -c '"reused": true')" = 1 ] \
    || t_fail "the server did not see a resumed session: $(ev good | grep '"event": "tls"')"
[ "$(grep -c 'Trusted TLS connection established to '"$A1\[$A1\]:$P1" "$INST/maillog")" = 2 ] \
    || t_fail "a resumed session must still be Trusted"

# 2b. A changed CA file (here only its time stamp): a new smtp process does
#     not resume a session that was verified against the old one.
touch "$C/ca1.crt"
id=$(deliver enc2b r2b@example.net "[$A1]:$P1" --service smtpone)
t_assert_eq "$OK" "$(cat "$T_TMP/reply.$id")" "encrypt delivery after the CA file changed"
t_wait_log "$id: to=<r2b@example.net>, relay=$A1\[$A1\]:$P1, .*status=sent" || t_fail "after the CA change: not sent"
[ "$(ev good | grep '"event": "tls"' | tail -n 1 | grep -c '"reused": false')" = 1 ] \
    || t_fail "a session verified against the old CA file was resumed: $(ev good | grep '"event": "tls"' | tail -n 1)"

# 3. verify, hostname match: Verified.
id=$(deliver vfy r3@example.net "[mx1.tls.test]:$P1")
t_assert_eq "$OK" "$(cat "$T_TMP/reply.$id")" "verify delivery"
t_wait_log "Verified TLS connection established to mx1.tls.test\[$A1\]:$P1: TLSv1.3 with cipher" \
    || t_fail "no Verified summary line for verify"
t_wait_log "$id: to=<r3@example.net>, relay=mx1.tls.test\[$A1\]:$P1, .*status=sent" || t_fail "verify: not sent"

# 4. secure through the MX: the certificate (mx1.tls.test) is below the next hop (tls.test).
id=$(deliver sec r4@tls.test "tls.test:$P1")
t_assert_eq "$OK" "$(cat "$T_TMP/reply.$id")" "secure delivery"
t_wait_log "$id: to=<r4@tls.test>, relay=mx1.tls.test\[$A1\]:$P1, .*status=sent" || t_fail "secure: not sent"
[ "$(grep -c "Verified TLS connection established to mx1.tls.test\[$A1\]:$P1" "$INST/maillog")" -ge 2 ] \
    || t_fail "secure: no Verified line"
[ "$(msgs good)" = 5 ] || t_fail "server good: expected 5 messages, got $(msgs good)"

# 5. verify with a certificate for another name: deferred, queued, reason logged.
id=$(deliver wrongname r5@example.net "[mx2.tls.test]:$P2")
t_wait_log "server certificate verification failed for mx2.tls.test\[$A2\]:$P2: name mismatch: certificate names wrong.test, expected mx2.tls.test" \
    || t_fail "no name mismatch log line"
t_wait_log "$id: to=<r5@example.net>, relay=mx2.tls.test\[$A2\]:$P2, .*dsn=4.7.5, status=deferred \(Server certificate not verified\)" \
    || t_fail "wrong name: not deferred as not verified"
s_pending "$id" | grep -qx r5@example.net || t_fail "wrong name: recipient no longer pending"
test -f "$SPOOL/active/$id" || t_fail "wrong name: message not in the queue"
[ "$(msgs wrong)" = 0 ] || t_fail "wrong name: the server got the message"
grep -q ' hop_status=4.7.5 ' "$T_TMP/reply.$id" || t_fail "wrong name: no hop status: $(cat "$T_TMP/reply.$id")"

# 6. verify with a certificate from an unknown CA: deferred, not trusted.
id=$(deliver unknownca r6@example.net "[mx3.tls.test]:$P3")
t_wait_log "server certificate verification failed for mx3.tls.test\[$A3\]:$P3: num=[0-9]+:unable to get local issuer certificate" \
    || t_fail "no chain verification log line"
t_wait_log "Untrusted TLS connection established to mx3.tls.test\[$A3\]:$P3" || t_fail "no Untrusted line"
t_wait_log "$id: to=<r6@example.net>, relay=mx3.tls.test\[$A3\]:$P3, .*dsn=4.7.5, status=deferred \(Server certificate not trusted\)" \
    || t_fail "unknown CA: not deferred as not trusted"
s_pending "$id" | grep -qx r6@example.net || t_fail "unknown CA: recipient no longer pending"
[ "$(msgs unknown)" = 0 ] || t_fail "unknown CA: the server got the message"

# 7. The same server under may (default level): Untrusted, delivered over TLS.
id=$(deliver mayuntrusted r7@example.net "[$A3]:$P3")
t_assert_eq "$OK" "$(cat "$T_TMP/reply.$id")" "may delivery to an untrusted server"
t_wait_log "Untrusted TLS connection established to $A3\[$A3\]:$P3" || t_fail "may: no Untrusted line"
ev unknown | grep -q '"event": "message", "n": 1, "tls": true' || t_fail "may: not over TLS"

# 7b. Level none (a next hop not in the table): plaintext, the offer noted.
id=$(deliver none r7b@example.net "[$A3]:$P3" --service smtpnote)
t_assert_eq "$OK" "$(cat "$T_TMP/reply.$id")" "delivery at level none"
t_wait_log "Host offered STARTTLS: \[$A3\]" || t_fail "STARTTLS offer not noted"
ev unknown | grep -q '"event": "message", "n": 2, "tls": false' || t_fail "none: not delivered in plaintext"

# 8. No STARTTLS: plaintext under may, deferred under encrypt.
id=$(deliver clear r8@example.net "[$A4]:$P4")
t_assert_eq "$OK" "$(cat "$T_TMP/reply.$id")" "may delivery without STARTTLS"
ev plain | grep -q '"event": "message", "n": 1, "tls": false' || t_fail "may: not delivered in plaintext"
id=$(deliver required r9@example.net "[mx4.tls.test]:$P4")
t_wait_log "$id: to=<r9@example.net>, .*dsn=4.7.4, status=deferred \(TLS is required, but was not offered by host mx4.tls.test\[$A4\]\)" \
    || t_fail "encrypt without STARTTLS: not deferred"
[ "$(msgs plain)" = 1 ] || t_fail "encrypt without STARTTLS: the server got the message"
s_pending "$id" | grep -qx r9@example.net || t_fail "encrypt without STARTTLS: recipient no longer pending"

# 9. A handshake that fails (the server stops at TLS 1.2, the policy wants 1.3).
#    may: a first attempt defers (no plaintext for a message that has not
#    waited minimal_backoff_time, as in Postfix) ...
# conns NAME - connections the server saw (each says EHLO first, in plaintext)
conns() { ev "$1" | grep -c '"event": "ehlo", "peer": [0-9]*, "tls": false'; }
id=$(deliver fallback r10@example.net "[$A5]:$P5")
t_wait_log "SSL_connect error to $A5\[$A5\]:$P5: " || t_fail "no SSL_connect error line"
t_wait_log "$id: to=<r10@example.net>, relay=$A5\[$A5\]:$P5, .*dsn=4.7.5, status=deferred \(Cannot start TLS: handshake failure\)" \
    || t_fail "may: a first attempt was not deferred after the failed handshake"
[ "$(msgs old)" = 0 ] || t_fail "may: plaintext on a first attempt after a failed handshake"
[ "$(conns old)" = 1 ] || t_fail "may: expected one connection on a first attempt, got $(conns old)"
#    ... a later attempt (smtpfb: minimal_backoff_time=1s) goes to the same server in plaintext ...
sleep 1
got=$(s_deliver "$id" "[$A5]:$P5" --service smtpfb)
t_assert_eq "$OK" "$got" "may delivery after a failed handshake, once the message waited"
ev old | grep -q '"event": "message", "n": 1, "tls": false' || t_fail "may: no plaintext retry after the failed handshake"
[ "$(conns old)" = 3 ] || t_fail "may: expected two more connections, got $(conns old) in all"
#    ... but not when smtp_sasl_password_maps has a password for the server.
id=$(s_submit 'Subject: fbsasl\n\nbody\n' sender@example.org r16@example.net)
sleep 1
got=$(s_deliver "$id" "[$A5]:$P5" --service smtpfbsasl)
t_assert_eq "REPLY status=1 hop_status= hop_reason=" "$got" "may with a SASL password after a failed handshake"
t_wait_log "$id: to=<r16@example.net>, relay=$A5\[$A5\]:$P5, .*status=deferred \(Cannot start TLS: handshake failure\)" \
    || t_fail "may with a SASL password: not deferred"
[ "$(msgs old)" = 1 ] || t_fail "may: plaintext after a failed handshake with a SASL password at stake"
[ "$(conns old)" = 4 ] || t_fail "may with a SASL password: expected one more connection, got $(conns old) in all"
#    The plaintext retry is for that server only: when it fails too (mx8
#    greets its second connection with 421), the next MX host (mx9) is
#    offered STARTTLS again.
id=$(s_submit 'Subject: nextmx\n\nbody\n' sender@example.org r17@fb.tls.test)
sleep 1
got=$(s_deliver "$id" "fb.tls.test:$P8" --service smtpfb)
t_assert_eq "$OK" "$got" "delivery to the second MX host"
[ "$(ev flaky | grep -c '"event": "connect", "n": [0-9]*, "refused": true')" = 1 ] \
    || t_fail "mx8: no refused plaintext retry: $(ev flaky)"
[ "$(conns flaky)" = 1 ] || t_fail "mx8: expected one EHLO, got $(conns flaky)"
ev fb2 | grep -q '"event": "message", "n": 1, "tls": true' || t_fail "mx9 did not get the message over TLS: $(ev fb2)"
id=$(deliver nofallback r11@example.net "[mx5.tls.test]:$P5")
t_wait_log "$id: to=<r11@example.net>, .*dsn=4.7.5, status=deferred \(Cannot start TLS: handshake failure\)" \
    || t_fail "encrypt: failed handshake not deferred"
[ "$(msgs old)" = 1 ] || t_fail "encrypt: the server got the message after a failed handshake"

# 10. Plaintext behind the 220 is dropped; delivery over TLS still works.
id=$(deliver inject r12@example.net "[$A6]:$P6")
t_assert_eq "$OK" "$(cat "$T_TMP/reply.$id")" "delivery to the injecting server"
t_wait_log "$A6\[$A6\]:$P6: discarded 14 bytes received with the reply to STARTTLS" \
    || t_fail "injected plaintext not discarded"
t_wait_log "Verified TLS connection established to $A6\[$A6\]:$P6" || t_fail "inject: no Verified line"
ev inject | grep -q '"event": "message", "n": 1, "tls": true' || t_fail "inject: message not received over TLS"

# 10b. A client certificate (read before the chroot) for a server that asks for one.
id=$(deliver clientcert r14@example.net "[$A7]:$P7" --service smtpcert)
t_assert_eq "$OK" "$(cat "$T_TMP/reply.$id")" "delivery with a client certificate"
t_wait_log "Trusted TLS connection established to $A7\[$A7\]:$P7: .* client-signature RSA-PSS \(2048 bits\) client-digest SHA256" \
    || t_fail "no client signature in the summary line"
ev askcert | grep -q '"client": "client.test"' || t_fail "the server did not verify our client certificate: $(ev askcert)"
id=$(deliver noclientcert r15@example.net "[$A7]:$P7")
ev askcert | grep '"event": "tls"' | tail -n 1 | grep -q '"client": null' || t_fail "a certificate was sent without smtp_tls_cert_file"

# 11. A policy entry with an unknown attribute: deferred, warning logged.
id=$(deliver badpolicy r13@example.net "[$A2]:$P2")
t_wait_log "warning: $id: TLS policy for \[$A2\]:$P2: unknown or unsupported attribute \"bogus\"" \
    || t_fail "no warning about the bad policy entry"
t_wait_log "$id: to=<r13@example.net>, relay=none, .*dsn=4.7.5, status=deferred \(client TLS configuration problem\)" \
    || t_fail "bad policy: not deferred"

grep -E 'warning|fatal|panic' "$INST/maillog" | grep -Ev ' (bounce|defer) log for |TLS policy for ' \
    && t_fail "unexpected warnings in the log"
t_pass
