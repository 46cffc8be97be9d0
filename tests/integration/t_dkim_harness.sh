#!/bin/bash
# The DKIM test harness (dkim_lib.sh) proved against independent
# implementations, before posthorn signs anything: openssl keys whose
# records, served by a real unbound on loopback, are the ones
# opendkim-testkey expects; messages signed by dkimpy (RSA 2048 and
# Ed25519; relaxed and simple; LF and CR LF files; 8-bit bytes and a long
# line) pass dkimpy and Mail::DKIM (which skips Ed25519 when it cannot
# check it, and says so), with dnspython and with the raw DNS client; a
# changed body letter, a changed signed header, a wrong key, a missing key
# and a missing signature fail in both; smtp-sink's dump files give back
# exactly the message an independent SMTP client sent (dot stuffing undone,
# envelope kept apart); and a dkimpy-signed message still verifies after
# posthorn relayed it to smtp-sink, unless smtp had to fold a long line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp_lib.sh"
. "$(dirname "$0")/dkim_lib.sh"
command -v unbound >/dev/null || t_fail "unbound is not installed"
command -v opendkim-testkey >/dev/null || t_fail "opendkim-testkey is not installed (opendkim-tools)"
$PY -c 'import dkim, nacl' 2>/dev/null || t_fail "dkimpy or PyNaCl missing (python3-dkim, python3-nacl)"
perl -MMail::DKIM::Verifier -MNet::DNS -e 1 2>/dev/null || t_fail "Mail::DKIM or Net::DNS missing"

# --- keys and their records
K=$T_TMP/keys
d_keys "$K"
for k in rsa2048 rsa1024 rsa512 ed25519 ec256 rsa2048-pkcs1; do
    t_assert_eq 600 "$(stat -c %a "$K/$k.pem")" "mode of $k.pem"
done
openssl pkey -in "$K/rsa512.pem" -noout -text | grep -q '(512 bit' || t_fail "rsa512.pem is not 512 bits"
openssl pkey -in "$K/ec256.pem" -noout -text | grep -q 'P-256' || t_fail "ec256.pem is not P-256"
head -1 "$K/rsa2048-pkcs1.pem" | grep -q 'BEGIN RSA PRIVATE KEY' || t_fail "rsa2048-pkcs1.pem is not PKCS#1"
txt=$(d_txt "$K/rsa2048.pem")
case $txt in "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"*) ;; *) t_fail "RSA record: $txt" ;; esac
edtxt=$(d_txt "$K/ed25519.pem")
case $edtxt in "v=DKIM1; k=ed25519; p="????????????????????????????????????????????) ;; *) t_fail "Ed25519 record: $edtxt" ;; esac
# the Ed25519 record holds the key PyNaCl derives from the private key's seed
$PY - "$K/ed25519.pem" "${edtxt##*p=}" <<'PYEOF' || t_fail "Ed25519 record does not match the private key"
import base64, re, sys, nacl.signing
der = base64.b64decode("".join(re.findall(r"^[A-Za-z0-9+/=]+$", open(sys.argv[1]).read(), re.M)))
pub = nacl.signing.SigningKey(der[16:]).verify_key.encode()
assert base64.b64encode(pub).decode() == sys.argv[2], (base64.b64encode(pub), sys.argv[2])
PYEOF
line=$(d_unbound_lines sel2048 example.test "$txt")
t_assert_eq 3 "$(echo "$line" | grep -o '"' | wc -l | awk '{print $1 / 2 + 1}')" "strings in the RSA 2048 line"
echo "$line" | grep -Eq "^local-data: 'sel2048\._domainkey\.example\.test\. IN TXT \"v=DKIM1; k=rsa; p=[^\"]{237}\" \"[^\"]+\"'$" \
    || t_fail "RSA 2048 unbound line: $line"

DNS=$(s_addr)
s_unbound "$DNS" <<EOF
$(d_unbound_key sel2048 example.test "$K/rsa2048.pem")
$(d_unbound_key sel1024 example.test "$K/rsa1024.pem")
$(d_unbound_key ed example.test "$K/ed25519.pem")
$(d_unbound_key wrong example.test "$K/rsa1024.pem")
$(d_unbound_key sub sub.example.test "$K/rsa2048.pem")
EOF
# what the server answers is what d_txt computed, in the pieces d_unbound_lines cut
$PY - "$DNS" "$txt" "$edtxt" <<'PYEOF' || t_fail "records served by unbound differ"
import sys, dns.resolver
r = dns.resolver.Resolver(configure=False); r.nameservers = [sys.argv[1]]
a = r.resolve("sel2048._domainkey.example.test", "TXT", lifetime=5)
strings = list(a)[0].strings
assert [len(s) for s in strings][0] == 255 and len(strings) == 2, [len(s) for s in strings]
assert b"".join(strings).decode() == sys.argv[2]
a = r.resolve("ed._domainkey.example.test", "TXT", lifetime=5)
assert b"".join(list(a)[0].strings).decode() == sys.argv[3]
PYEOF
out=$(d_testkey sel2048 example.test "$K/rsa2048.pem")
echo "$out" | grep -q 'key OK' || t_fail "opendkim-testkey rejects the published RSA 2048 key: $out"
out=$(d_testkey wrong example.test "$K/rsa2048.pem") && echo "$out" | grep -q 'key OK' \
    && t_fail "opendkim-testkey accepts a record of another key: $out"
echo "$out" | grep -q 'keys do not match' || t_fail "opendkim-testkey on a wrong key: $out"

# --- sign with dkimpy, verify with both
M=$T_TMP/m
mkdir -p "$M"
d_message "$M/plain" alice@example.test "List-Unsubscribe: <mailto:u@example.test>"
# expect_pass FILE COUNT WHAT [PERL_RC] - both verifiers agree it passes
# (Mail::DKIM: exit PERL_RC, default 0; 2 = nothing it can check)
expect_pass() {
    local out rc
    out=$(d_verify_py "$1" "$2") || t_fail "dkimpy rejects $3: $out"
    [ "$(echo "$out" | grep -c ': pass$')" = "$2" ] || t_fail "dkimpy pass lines for $3: $out"
    out=$(d_verify_perl "$1" "$2")
    rc=$?
    t_assert_eq "${4:-0}" "$rc" "Mail::DKIM on $3 ($out)"
    echo "$out" | grep -q ': fail' && t_fail "Mail::DKIM fails a signature of $3: $out"
    return 0
}
# expect_fail FILE WHAT - both verifiers reject it (exit 1, a fail line)
expect_fail() {
    local out
    out=$(d_verify_py "$1")
    t_assert_eq 1 "$?" "dkimpy on $2 ($out)"
    echo "$out" | grep -q ': fail (' || t_fail "dkimpy gives no reason for $2: $out"
    out=$(d_verify_perl "$1")
    t_assert_eq 1 "$?" "Mail::DKIM on $2 ($out)"
    echo "$out" | grep -q ': fail (' || t_fail "Mail::DKIM gives no reason for $2: $out"
}
ED_PERL=2			# Mail::DKIM without Ed25519: nothing to check
perl -e 'require Mail::DKIM::Algorithm::ed25519_sha256' 2>/dev/null && ED_PERL=0
for canon in relaxed/relaxed simple/simple relaxed/simple; do
    c=${canon%/*}-${canon#*/}
    d_sign_py "$M/plain" "$K/rsa2048.pem" example.test sel2048 rsa-sha256 "$canon" > "$M/rsa.$c" \
	|| t_fail "dkimpy cannot sign with RSA ($canon)"
    t_assert_eq "$canon" "$(d_sig_tag "$M/rsa.$c" 1 c)" "c= of the dkimpy signature"
    expect_pass "$M/rsa.$c" 1 "RSA 2048 $canon"
    d_sign_py "$M/plain" "$K/ed25519.pem" example.test ed ed25519-sha256 "$canon" > "$M/ed.$c" \
	|| t_fail "dkimpy cannot sign with Ed25519 ($canon)"
    t_assert_eq ed25519-sha256 "$(d_sig_tag "$M/ed.$c" 1 a)" "a= of the Ed25519 signature"
    expect_pass "$M/ed.$c" 1 "Ed25519 $canon" "$ED_PERL"
done
if [ "$ED_PERL" = 2 ]; then
    d_verify_perl "$M/ed.relaxed-relaxed" | grep -q '^sig 1: .* a=ed25519-sha256 .*: skip (ed25519-sha256 not supported by Mail::DKIM' \
	|| t_fail "Mail::DKIM does not say it skipped Ed25519"
fi
# two signatures (RSA on top of Ed25519): dkimpy checks both, Mail::DKIM the RSA one
d_sign_py "$M/ed.relaxed-relaxed" "$K/rsa2048.pem" example.test sel2048 > "$M/both"
expect_pass "$M/both" 2 "RSA + Ed25519"
t_assert_eq sel2048 "$(d_sig_tag "$M/both" 1 s)" "top signature's selector"
t_assert_eq ed "$(d_sig_tag "$M/both" 2 s)" "second signature's selector"
d_verify_py "$M/both" 3 >/dev/null && t_fail "d_verify_py accepted COUNT 3 for two signatures"
# a PKCS#1 key file, an RSA 1024 key, the sub-domain record, the h= list
d_sign_py "$M/plain" "$K/rsa2048-pkcs1.pem" example.test sel2048 > "$M/pkcs1" || t_fail "sign with PKCS#1"
expect_pass "$M/pkcs1" 1 "a PKCS#1 key"
d_sign_py "$M/plain" "$K/rsa1024.pem" example.test sel1024 > "$M/r1024" || t_fail "sign with RSA 1024"
expect_pass "$M/r1024" 1 "RSA 1024"
d_sign_py "$M/plain" "$K/rsa2048.pem" sub.example.test sub rsa-sha256 relaxed/relaxed \
    from:to:subject:list-unsubscribe:list-unsubscribe > "$M/sub" || t_fail "sign for sub.example.test"
expect_pass "$M/sub" 1 "sub.example.test with List-Unsubscribe signed twice"
t_assert_eq from:to:subject:list-unsubscribe:list-unsubscribe "$(d_sig_tag "$M/sub" 1 h)" "h= as asked"
# CR LF files; 8-bit bytes and a 1500-byte line
sed 's/$/\r/' "$M/plain" > "$M/crlf"
d_sign_py "$M/crlf" "$K/rsa2048.pem" example.test sel2048 rsa-sha256 simple/simple > "$M/crlf.signed"
grep -q $'^DKIM-Signature: .*\r$' "$M/crlf.signed" || t_fail "a CR LF file signed without CR LF"
expect_pass "$M/crlf.signed" 1 "a CR LF file"
{ cat "$M/plain"; printf 'caf\xc3\xa9 \xff\xfe\n%s\n' "$(head -c 1500 /dev/zero | tr '\0' x)"; } > "$M/8bit"
d_sign_py "$M/8bit" "$K/rsa2048.pem" example.test sel2048 > "$M/8bit.signed"
expect_pass "$M/8bit.signed" 1 "8-bit bytes and a long line"

# --- what must fail, in both
d_tamper_body "$M/rsa.relaxed-relaxed" "$M/t.body"
cmp -s "$M/rsa.relaxed-relaxed" "$M/t.body" && t_fail "d_tamper_body changed nothing"
t_assert_eq 1 "$(cmp -l "$M/rsa.relaxed-relaxed" "$M/t.body" | wc -l)" "bytes d_tamper_body changed"
expect_fail "$M/t.body" "a changed body letter"
d_verify_py "$M/t.body" | grep -q 'body hash mismatch' || t_fail "dkimpy: not a body hash failure"
d_verify_perl "$M/t.body" | grep -q 'body has been altered' || t_fail "Mail::DKIM: not a body hash failure"
d_tamper_header "$M/rsa.simple-simple" "$M/t.subject" Subject
t_assert_eq 1 "$(cmp -l "$M/rsa.simple-simple" "$M/t.subject" | wc -l)" "bytes d_tamper_header changed"
diff "$M/rsa.simple-simple" "$M/t.subject" | grep -q '^> Subject: Dkim test' || t_fail "d_tamper_header did not change Subject"
expect_fail "$M/t.subject" "a changed Subject"
d_tamper_header "$M/rsa.relaxed-relaxed" "$M/t.from" From
expect_fail "$M/t.from" "a changed From"
d_tamper_body "$M/ed.relaxed-relaxed" "$M/t.ed"
out=$(d_verify_py "$M/t.ed") && t_fail "dkimpy passes a changed Ed25519-signed body: $out"
d_sign_py "$M/plain" "$K/rsa2048.pem" example.test wrong > "$M/wrongkey"
expect_fail "$M/wrongkey" "a record of another key"
d_sign_py "$M/plain" "$K/rsa2048.pem" example.test nosuch > "$M/nokey"
expect_fail "$M/nokey" "a selector without a record"
d_verify_py "$M/nokey" | grep -qi 'missing public key\|no key' || t_fail "dkimpy: not a missing key"
out=$(d_verify_py "$M/plain")
t_assert_eq 2 "$?" "dkimpy on an unsigned message ($out)"
out=$(d_verify_perl "$M/plain")
t_assert_eq 2 "$?" "Mail::DKIM on an unsigned message ($out)"
# one good and one bad signature: not all pass
d_sign_py "$M/t.body" "$K/ed25519.pem" example.test ed ed25519-sha256 > "$M/mixed"
out=$(d_verify_py "$M/mixed" 2)
t_assert_eq 1 "$?" "dkimpy on a good and a bad signature ($out)"
echo "$out" | grep -q '^sig 1: .*: pass$' && echo "$out" | grep -q '^sig 2: .*: fail' \
    || t_fail "dkimpy on a good and a bad signature: $out"

# --- the raw DNS client (used when dnspython is missing) agrees
export D_VERIFY_PY_OPTS=--raw-dns
out=$(d_verify_py "$M/both" 2) || t_fail "raw DNS client: $out"
echo "$out" | grep -q '(DNS: raw)' || t_fail "raw DNS client not used: $out"
d_verify_py "$M/t.body" >/dev/null && t_fail "raw DNS client passes a changed body"
d_verify_py "$M/nokey" >/dev/null && t_fail "raw DNS client finds a key that is not there"
unset D_VERIFY_PY_OPTS
# --- and records from a file instead of DNS (bench/run.sh uses that)
printf 'sel2048._domainkey.example.test %s\ned._domainkey.example.test %s\n' "$txt" "$edtxt" > "$T_TMP/records"
out=$($PY "$D_DIR/dkim_verify.py" --records "$T_TMP/records" --count 2 "$M/both") || t_fail "--records: $out"
echo "$out" | grep -q "(DNS: records from $T_TMP/records)" || t_fail "--records not used: $out"
$PY "$D_DIR/dkim_verify.py" --records "$T_TMP/records" "$M/t.body" >/dev/null && t_fail "--records passes a changed body"
$PY "$D_DIR/dkim_verify.py" --records "$T_TMP/records" "$M/r1024" >/dev/null && t_fail "--records finds a key not in the file"

# --- smtp-sink dumps back into messages: an independent client (smtplib)
SP=$(t_port)
t_sink "$SP" "$T_TMP/sink0"
{ cat "$M/8bit"; printf '.starts with a dot\n..two dots\n.\n \nlast\n'; } > "$M/dots"
d_sign_py "$M/dots" "$K/rsa2048.pem" example.test sel2048 > "$T_TMP/sent"
$PY - "$T_TMP/sent" "$SP" <<'PYEOF' || t_fail "smtplib could not send"
import smtplib, sys
msg = open(sys.argv[1], "rb").read()
# smtplib stuffs dots but sends bytes as they are: CR LF on the wire is ours to do
with smtplib.SMTP("127.0.0.1", int(sys.argv[2]), timeout=10) as s:
    s.sendmail("env-sender@example.test", ["r1@example.net", "r2@example.net"],
               msg.replace(b"\n", b"\r\n"))
PYEOF
t_wait_until 10 sh -c "ls '$T_TMP/sink0' | grep -q ." || t_fail "nothing at smtp-sink"
got=$(d_sink_messages "$T_TMP/sink0")
t_assert_eq 1 "$(echo "$got" | wc -l)" "messages extracted"
cmp "$T_TMP/sent" "$got" || t_fail "extracted message differs from the one sent"
grep -qx 'X-Mail-Args: <env-sender@example.test>.*' "${got%.eml}.env" || t_fail "envelope sender: $(cat "${got%.eml}.env")"
t_assert_eq 2 "$(grep -c '^X-Rcpt-Args: <r[12]@example.net>' "${got%.eml}.env")" "envelope recipients"
d_verify_py "$got" 1 >/dev/null || t_fail "the extracted message does not verify"
mkdir "$T_TMP/baddump" && echo 'X-Client-Addr: 127.0.0.1' > "$T_TMP/baddump/m.x"
( d_sink_messages "$T_TMP/baddump" ) >/dev/null 2>&1 && t_fail "d_sink_messages accepted a broken dump"

# --- through posthorn: a dkimpy-signed message (RSA relaxed, Ed25519
# simple) relayed to smtp-sink still verifies; one with a 1500-byte line
# does not, because smtp folds the line (smtp_line_length_limit), as
# Postfix does: a signer must sign what smtp will send
t_deliver_instance
t_sink "$SPORT" "$T_TMP/sink"
t_start
{ cat "$M/plain"; printf 'caf\xc3\xa9 \xff\xfe\n'; } > "$M/short"
d_sign_py "$M/short" "$K/ed25519.pem" example.test ed ed25519-sha256 simple/simple > "$M/relay.1"
d_sign_py "$M/relay.1" "$K/rsa2048.pem" example.test sel2048 > "$M/relay"
d_message "$M/long" alice@example.test
printf '%s\n' "$(head -c 1500 /dev/zero | tr '\0' y)" >> "$M/long"
d_sign_py "$M/long" "$K/rsa2048.pem" example.test sel2048 > "$M/relay.long"
for f in relay relay.long; do
    $PH send -f alice@example.test bob@example.net < "$M/$f" > /dev/null || t_fail "posthorn send $f"
done
t_wait_until 30 t_queue_empty || t_fail "the relayed messages are still queued"
t_wait_until 10 sh -c "[ \$(grep -c 'status=sent' '$INST/maillog') = 2 ]" || t_fail "not delivered"
d_sink_messages "$T_TMP/sink" > "$T_TMP/relayed"
t_assert_eq 2 "$(wc -l < "$T_TMP/relayed")" "messages posthorn relayed"
got=$(grep -l "$(grep -m1 '^Message-ID:' "$M/relay")" $(cat "$T_TMP/relayed"))
long=$(grep -l "$(grep -m1 '^Message-ID:' "$M/relay.long")" $(cat "$T_TMP/relayed"))
grep -q '^Received: from localhost' "$got" || t_fail "not the message posthorn relayed"
out=$(d_verify_py "$got" 2) || t_fail "dkimpy after posthorn relayed it: $out"
out=$(d_verify_perl "$got" 2) || t_fail "Mail::DKIM after posthorn relayed it: $out"
grep -q '^ yyy' "$long" || t_fail "the 1500-byte line was not folded"
out=$(d_verify_py "$long" 1) && t_fail "dkimpy passes a body smtp folded: $out"
echo "$out" | grep -q 'body hash mismatch' || t_fail "dkimpy on the folded body: $out"
t_pass
