#!/bin/bash
# DKIM signing in cleanup (issue 11), judged by dkimpy and Mail::DKIM on
# what smtp-sink received: mail submitted over QMQP (nullmailer's client)
# for a domain with an RSA 2048 and an Ed25519 key gets both signatures,
# which verify, and cleanup logs each; a VERP'd list post to 3 recipients
# arrives as 3 copies that all verify, with List-Unsubscribe and
# List-Unsubscribe-Post in h= twice (oversigned); a From: domain without a
# key, and a message with two From: fields, go out unsigned, with a log
# line; a sub-domain is signed through the ".example.test" entry and a
# From: in mixed case still finds its key; long lines, CR LF and lone CR
# line ends and 8-bit bytes in the body, and a long signed Subject:, still
# verify after smtp folded and converted them; dkim_canonicalization and
# dkim_signature_ttl take effect; a header section too big to hold goes
# out unsigned; posthorn metrics counts every signature by domain and
# algorithm and every unsigned message by reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp_lib.sh"
. "$(dirname "$0")/dkim_lib.sh"
. "$(dirname "$0")/metrics_lib.sh"
command -v promtool > /dev/null || t_fail "promtool (Debian package prometheus) not installed"
[ -x "$NULLMAILER_QMQP" ] || t_fail "nullmailer qmqp client not installed ($NULLMAILER_QMQP)"

K=$T_TMP/keys
d_keys "$K"
DNS=$(s_addr)
s_unbound "$DNS" <<EOF
$(d_unbound_key rsa example.test "$K/rsa2048.pem")
$(d_unbound_key ed example.test "$K/ed25519.pem")
$(d_unbound_key parent example.test "$K/rsa1024.pem")
EOF
# The signing table as an indexed file (OpenDKIM's SigningTable, Postfix
# style): a domain with two keys, its sub-domains with a third.
printf '%s\n' 'example.test    krsa, ked' '.example.test   kparent' > "$T_TMP/signing"
$POSTHORN map "hash:$T_TMP/signing" || t_fail "posthorn map"
t_deliver_instance \
    "dkim_key_table=inline:{ krsa = example.test:rsa:$K/rsa2048.pem, ked = example.test:ed:$K/ed25519.pem, kparent = example.test:parent:$K/rsa1024.pem }" \
    "dkim_signing_table=hash:$T_TMP/signing"
t_sink "$SPORT" "$T_TMP/sink"
t_start

# submit FILE SENDER RCPT... - nullmailer's QMQP client; the queue id in $ID
submit() {
    local f=$1 sender=$2
    shift 2
    { printf '%s\n' "$sender" "$@"; echo; cat "$f"; } > "$T_TMP/nm.in"
    printf 'host=127.0.0.1\nport=%s\n' "$QPORT" | "$NULLMAILER_QMQP" 3<"$T_TMP/nm.in" > "$T_TMP/nm.out" 2>&1 \
	|| t_fail "nullmailer qmqp: $(cat "$T_TMP/nm.out")"
    ID=$(sed -n 's/.*queued as \([0-9A-Z]*\).*/\1/p' "$T_TMP/nm.out" | head -1)
    [ -n "$ID" ] || t_fail "no queue id from nullmailer: $(cat "$T_TMP/nm.out")"
}

# delivered ID N - wait until ID was sent N times; the files smtp-sink got
# for it (our Received: field says "id ID" at a line end or before ";") in
# $FILES, the first in $F
delivered() {
    local id=$1 n=$2
    t_wait_until 30 sh -c "[ \$(grep -c '$id: to=<.*status=sent' '$INST/maillog') -ge $n ]" \
	|| t_fail "$id: not delivered $n times"
    t_wait_until 10 t_queue_empty || t_fail "$(t_queue_count) messages still queued"
    d_sink_messages "$T_TMP/sink" > "$T_TMP/extracted"
    FILES=$(grep -lE "[[:space:]]id $id(;|\$)" $(cat "$T_TMP/extracted"))
    [ "$(echo "$FILES" | grep -c .)" = "$n" ] || t_fail "$id: $n copies expected at smtp-sink, found: $FILES"
    F=$(echo "$FILES" | head -1)
}

# sig_by_selector FILE SEL - index (1 = top) of the signature with s=SEL
sig_by_selector() {
    local i
    for i in 1 2 3 4; do
	[ "$(d_sig_tag "$1" "$i" s 2>/dev/null)" = "$2" ] && { echo "$i"; return 0; }
    done
    return 1
}

# signed_log ID SEL - cleanup logged the signature of ID with SEL
signed_log() {
    t_wait_log "cleanup\[[0-9]+\]: $1: DKIM-Signature field added \(s=$2, d=example\.test\)" \
	|| t_fail "$1: no \"DKIM-Signature field added (s=$2, d=example.test)\" log line"
}

# both_verify FILE COUNT WHAT - dkimpy passes all COUNT signatures, and
# Mail::DKIM every RSA one (it skips Ed25519 when it cannot check it)
both_verify() {
    local out
    out=$(d_verify_py "$1" "$2") || t_fail "dkimpy rejects $3: $out"
    out=$(d_verify_perl "$1" "$2") || t_fail "Mail::DKIM rejects $3: $out"
}

# unsigned ID FILE WHAT - no signature, no "field added", but a DKIM log line
unsigned() {
    t_assert_eq 0 "$(grep -ci '^DKIM-Signature:' "$2")" "DKIM-Signature fields in $3"
    t_log_has "$1: DKIM-Signature field added" && t_fail "$1: cleanup says it signed $3"
    t_wait_until 5 grep -Eiq "cleanup\[[0-9]+\]: (.* )?$1: .*dkim" "$INST/maillog" \
	|| t_fail "$1: cleanup logged nothing about not signing $3"
}

# 1. A domain with an RSA 2048 and an Ed25519 key: two signatures, default
# canonicalization, no expiry (dkim_signature_ttl = 0), logged.
d_message "$T_TMP/m1" alice@example.test
submit "$T_TMP/m1" alice@example.test bob@example.net
id=$ID
delivered "$id" 1
f=$F
t_assert_eq 2 "$(grep -ci '^DKIM-Signature:' "$f")" "DKIM-Signature fields"
both_verify "$f" 2 "the message for example.test"
r=$(sig_by_selector "$f" rsa) || t_fail "no signature with s=rsa"
e=$(sig_by_selector "$f" ed) || t_fail "no signature with s=ed"
t_assert_eq rsa-sha256 "$(d_sig_tag "$f" "$r" a)" "a= of s=rsa"
t_assert_eq ed25519-sha256 "$(d_sig_tag "$f" "$e" a)" "a= of s=ed"
for i in "$r" "$e"; do
    t_assert_eq example.test "$(d_sig_tag "$f" "$i" d)" "d= of signature $i"
    t_assert_eq relaxed/relaxed "$(d_sig_tag "$f" "$i" c)" "c= of signature $i (the default)"
    d_sig_tag "$f" "$i" h | tr 'A-Z' 'a-z' | tr ':' '\n' | grep -qx from || t_fail "From not in h= of signature $i"
    d_sig_tag "$f" "$i" x >/dev/null && t_fail "x= in signature $i with dkim_signature_ttl = 0"
done
signed_log "$id" rsa
signed_log "$id" ed

# 2. A VERP'd list post (ezmlm style) to 3 recipients: 3 copies, each with
# its own envelope sender, each verifying; List-Unsubscribe and
# List-Unsubscribe-Post are oversigned (in h= twice).
d_message "$T_TMP/m2" author@example.test "List-Id: <list.example.test>" \
    "List-Unsubscribe: <mailto:list-unsubscribe@example.test>, <https://example.test/u?x=1>" \
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click" "Precedence: list"
submit "$T_TMP/m2" 'list-return-12-@example.test-@[]' r1@host.test r2@host.test r3@host.test
id=$ID
delivered "$id" 3
files=$FILES
for f in $files; do
    both_verify "$f" 2 "a VERP copy"
    grep -Eq '^X-Mail-Args: <list-return-12-r[123]=host\.test@example\.test>' "${f%.eml}.env" \
	|| t_fail "VERP copy with envelope $(grep X-Mail-Args "${f%.eml}.env")"
    for i in 1 2; do
	h=$(d_sig_tag "$f" "$i" h | tr 'A-Z' 'a-z' | tr ':' '\n')
	t_assert_eq 2 "$(echo "$h" | grep -cx list-unsubscribe)" "list-unsubscribe in h= of signature $i"
	t_assert_eq 2 "$(echo "$h" | grep -cx list-unsubscribe-post)" "list-unsubscribe-post in h= of signature $i"
    done
done
t_assert_eq 3 "$(cat $files | grep -c '^To: rcpt@example.net')" "copies of the post"
t_assert_eq 3 "$(for f in $files; do sed -n 's/^X-Rcpt-Args: //p' "${f%.eml}.env"; done | sort -u | wc -l)" \
    "distinct recipients of the copies"
signed_log "$id" rsa
signed_log "$id" ed
t_assert_eq 2 "$(grep -c "$id: DKIM-Signature field added" "$INST/maillog")" \
    "signatures logged for the VERP post (signed once, in cleanup)"

# 3. A From: domain without a key: not signed, and said so.
d_message "$T_TMP/m3" carol@nokey.test
submit "$T_TMP/m3" carol@nokey.test bob@example.net
id=$ID
delivered "$id" 1
f=$F
unsigned "$id" "$f" "mail from nokey.test"

# 4. A sub-domain: signed with the ".example.test" entry's key.
d_message "$T_TMP/m4" dave@sub.example.test
submit "$T_TMP/m4" dave@sub.example.test bob@example.net
id=$ID
delivered "$id" 1
f=$F
t_assert_eq 1 "$(grep -ci '^DKIM-Signature:' "$f")" "signatures of the sub-domain message"
t_assert_eq parent "$(d_sig_tag "$f" 1 s)" "selector for sub.example.test"
t_assert_eq example.test "$(d_sig_tag "$f" 1 d)" "d= for sub.example.test"
both_verify "$f" 1 "the sub.example.test message"
signed_log "$id" parent

# 5. Upper case in the From: address: domains are case-insensitive.
d_message "$T_TMP/m5" Frank@Example.TEST
submit "$T_TMP/m5" frank@example.test bob@example.net
id=$ID
delivered "$id" 1
f=$F
both_verify "$f" 2 "a From: in mixed case"

# 6. Two From: fields: which author would the signature vouch for? Unsigned.
d_message "$T_TMP/m6" alice@example.test "From: mallory@example.test"
submit "$T_TMP/m6" alice@example.test bob@example.net
id=$ID
delivered "$id" 1
f=$F
t_assert_eq 2 "$(grep -c '^From:' "$f")" "From: fields delivered"
unsigned "$id" "$f" "a message with two From: fields"

# 7. The body as smtp sends it: a 1500-byte line (folded), CR LF and lone
# CR line ends (each becomes CR LF), 8-bit bytes; and a 1200-byte Subject:
# field (signed by default; folded by smtp too).
$PY - "$T_TMP/m7" "$T_TMP/m8" <<'PYEOF'
import sys, time
hdr = (b"From: Erin <erin@example.test>\nTo: bob@example.net\n"
       b"Date: " + time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()).encode() + b"\n"
       b"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
       b"Content-Transfer-Encoding: 8bit\n")
body = (b"\nA line that ends in CR LF\r\n"
        b"a line with a lone CR\rin the middle\n"
        b"Latin-1 \xe9\xe8, UTF-8 caf\xc3\xa9 \xe2\x82\xac\n"
        + b"z" * 700 + b" " + b"w" * 799 + b"\n"
        b"trailing white space  \t\n"
        b"\n\n")
open(sys.argv[1], "wb").write(hdr + b"Subject: 8-bit and long lines\nMessage-ID: <m7@example.test>\n" + body)
open(sys.argv[2], "wb").write(hdr + b"Subject: " + b"S" * 1200 + b"\nMessage-ID: <m8@example.test>\n"
                              + b"\nshort body\n")
PYEOF
submit "$T_TMP/m7" erin@example.test bob@example.net
id=$ID
delivered "$id" 1
f=$F
grep -q '^ w' "$f" || t_fail "the 1500-byte line was not folded by smtp (is the test still testing it?)"
both_verify "$f" 2 "a body with long lines, CR LF, lone CR and 8-bit bytes"
submit "$T_TMP/m8" erin@example.test bob@example.net
id=$ID
delivered "$id" 1
f=$F
grep -q '^ S' "$f" || t_fail "the 1200-byte Subject: was not folded by smtp"
both_verify "$f" 2 "a 1200-byte Subject: field"

# posthorn metrics: every signature cleanup added, by domain and algorithm
# (m1, m2, m5, m7, m8 with both keys, m4 with the RSA 1024 one), and the
# messages it left unsigned, by reason (m3, m6).
dkim_sig='posthorn_dkim_signatures_total{domain="example.test",algorithm'
dkim_uns='posthorn_dkim_unsigned_messages_total{reason'
scrape dkim1
t_assert_eq 6 "$(value dkim1 "$dkim_sig=\"rsa-sha256\"}")" "RSA signatures counted"
t_assert_eq 5 "$(value dkim1 "$dkim_sig=\"ed25519-sha256\"}")" "Ed25519 signatures counted"
t_assert_eq 1 "$(value dkim1 "$dkim_uns=\"no_signing_entry\"}")" "unsigned: no signing table entry"
t_assert_eq 1 "$(value dkim1 "$dkim_uns=\"no_from\"}")" "unsigned: two From: fields"
t_assert_eq 4 "$(grep -c '^posthorn_dkim_' "$T_TMP/dkim1")" "DKIM series (no others)"

# 8. simple/simple and a signature lifetime: the same body still verifies,
# and x= is t= plus the lifetime.
t_stop
$PH conf -e dkim_canonicalization=simple/simple dkim_signature_ttl=7d \
    header_size_limit=1000000 || t_fail "conf -e"
t_start
submit "$T_TMP/m7" erin@example.test bob@example.net
id=$ID
delivered "$id" 1
f=$F
both_verify "$f" 2 "simple/simple"
for i in 1 2; do
    t_assert_eq simple/simple "$(d_sig_tag "$f" "$i" c)" "c= of signature $i"
    t=$(d_sig_tag "$f" "$i" t) || t_fail "no t= with dkim_signature_ttl = 7d"
    x=$(d_sig_tag "$f" "$i" x) || t_fail "no x= with dkim_signature_ttl = 7d"
    t_assert_eq 604800 "$((x - t))" "x= minus t= of signature $i"
done

# 9. A header section over what cleanup holds to sign (256 KiB): unsigned,
# and counted so. The counters started again with the new qmgr.
{ printf 'From: alice@example.test\nTo: bob@example.net\nSubject: big header\n'
  for i in $(seq 1 3000); do printf 'X-Filler-%d: %0100d\n' "$i" 0; done
  printf '\nbody\n'; } > "$T_TMP/m9"
submit "$T_TMP/m9" alice@example.test bob@example.net
id=$ID
delivered "$id" 1
unsigned "$id" "$F" "a message with a 300 KB header section"
scrape dkim2
t_assert_eq 1 "$(value dkim2 "$dkim_sig=\"rsa-sha256\"}")" "RSA signatures since the restart"
t_assert_eq 1 "$(value dkim2 "$dkim_sig=\"ed25519-sha256\"}")" "Ed25519 signatures since the restart"
t_assert_eq 1 "$(value dkim2 "$dkim_uns=\"header_too_large\"}")" "unsigned: header section too large"
t_assert_eq absent "$(value dkim2 "$dkim_uns=\"no_from\"}")" "no_from since the restart"
t_log_has 'fatal|panic' && t_fail "fatal errors in the log"
t_pass
