#!/bin/bash
# The DKIM administration commands (issue 11), judged by dkimpy, Mail::DKIM
# and openssl: "posthorn dkim keygen" (RSA and Ed25519) writes a 0600 key
# file, refuses to overwrite one, and prints a TXT record that unbound
# serves as printed and that lets dkimpy verify a message dkimpy signed with
# that key; "posthorn dkim verify" prints a line per signature and exits 0
# when one passes (from a file and from standard input), non-zero for a
# changed message, a wrong key and no signature; "posthorn check" refuses a
# missing key file, an RSA 512 key, an EC key, a directory, a malformed
# entry and a signing table naming a key the key table lacks, naming the
# file or the parameter; "posthorn check -v" finds each key in DNS and
# warns when a selector publishes another key or none.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp_lib.sh"
. "$(dirname "$0")/dkim_lib.sh"
t_instance "dns_resolv_conf=$T_TMP/resolv.conf"
t_ingest_only
G=$T_TMP/keygen
mkdir -p "$G"

# keygen TYPE BITS SELECTOR FILE - run it; the record it printed in $G/SELECTOR.rec
keygen() {
    local t=$1 b=$2 sel=$3 f=$4
    $POSTHORN dkim keygen -t "$t" ${b:+-b "$b"} example.test "$sel" "$f" > "$G/$sel.rec" 2> "$G/$sel.err" \
	|| t_fail "dkim keygen -t $t: $(cat "$G/$sel.err" "$G/$sel.rec")"
    [ -f "$f" ] || t_fail "dkim keygen -t $t wrote no $f"
    t_assert_eq 600 "$(stat -c %a "$f")" "mode of the $t key file"
    t_assert_eq 1 "$(grep -c . "$G/$sel.rec")" "lines keygen -t $t printed"
    grep -Eq "^$sel\._domainkey\.example\.test\.[[:space:]]+IN[[:space:]]+TXT([[:space:]]+\"[^\"]*\")+[[:space:]]*\$" "$G/$sel.rec" \
	|| t_fail "record printed by keygen -t $t: $(cat "$G/$sel.rec")"
    # no string over 255 bytes (RFC 1035), and the strings joined are the record
    grep -o '"[^"]*"' "$G/$sel.rec" | awk 'length($0) > 257 { exit 1 }' \
	|| t_fail "a string over 255 bytes in: $(cat "$G/$sel.rec")"
    grep -o '"[^"]*"' "$G/$sel.rec" | tr -d '"\n' > "$G/$sel.txt"
    t_assert_eq DKIM1 "$(rec_tag "$G/$sel.txt" v)" "v= of the $t record"
    t_assert_eq "$t" "$(rec_tag "$G/$sel.txt" k)" "k= of the $t record"
}

# rec_tag FILE TAG - a tag's value in a key record, white space removed
rec_tag() { tr ';' '\n' < "$1" | sed -n "s/^[[:space:]]*$2[[:space:]]*=//p" | tr -d ' \t'; }

# 1. keygen: RSA 2048 and Ed25519 key files and their records.
keygen rsa 2048 kgrsa "$G/rsa.pem"
openssl pkey -in "$G/rsa.pem" -noout -text 2>/dev/null | head -1 | grep -q '(2048 bit' \
    || t_fail "keygen -t rsa -b 2048 did not write a 2048-bit RSA key openssl can read"
t_assert_eq "$(d_txt_rsa "$G/rsa.pem" | sed 's/.*p=//')" "$(rec_tag "$G/kgrsa.txt" p)" "p= of the RSA record (strings joined)"
keygen ed25519 "" kged "$G/ed.pem"
openssl pkey -in "$G/ed.pem" -noout -text 2>/dev/null | head -1 | grep -q 'ED25519' \
    || t_fail "keygen -t ed25519 did not write an Ed25519 key openssl can read"
t_assert_eq "$(d_txt_ed25519 "$G/ed.pem" | sed 's/.*p=//')" "$(rec_tag "$G/kged.txt" p)" "p= of the Ed25519 record"
# refuses to overwrite, and says which file
cp "$G/rsa.pem" "$G/rsa.copy"
out=$($POSTHORN dkim keygen -t rsa -b 2048 example.test other "$G/rsa.pem" 2>&1) \
    && t_fail "keygen overwrote $G/rsa.pem: $out"
cmp -s "$G/rsa.pem" "$G/rsa.copy" || t_fail "keygen changed the existing key file"
echo "$out" | grep -qF "$G/rsa.pem" || t_fail "keygen's refusal does not name the file: $out"
out=$($POSTHORN dkim keygen -t ed25519 example.test other "$G/ed.pem" 2>&1) \
    && t_fail "keygen -t ed25519 overwrote $G/ed.pem: $out"

# The records as keygen printed them, served by unbound; test keys too.
K=$T_TMP/keys
d_keys "$K"
DNS=$(s_addr)
s_unbound "$DNS" <<EOF
local-data: '$(cat "$G/kgrsa.rec")'
local-data: '$(cat "$G/kged.rec")'
$(d_unbound_key rsa example.test "$K/rsa2048.pem")
$(d_unbound_key ed example.test "$K/ed25519.pem")
EOF

# 2. dkimpy signs with keygen's keys; the printed records verify it.
d_message "$T_TMP/m" alice@example.test
d_sign_py "$T_TMP/m" "$G/rsa.pem" example.test kgrsa > "$T_TMP/kgrsa.signed" || t_fail "dkimpy cannot use keygen's RSA key"
out=$(d_verify_py "$T_TMP/kgrsa.signed" 1) || t_fail "dkimpy with keygen's RSA record: $out"
out=$(d_verify_perl "$T_TMP/kgrsa.signed" 1) || t_fail "Mail::DKIM with keygen's RSA record: $out"
d_sign_py "$T_TMP/m" "$G/ed.pem" example.test kged ed25519-sha256 > "$T_TMP/kged.signed" \
    || t_fail "dkimpy cannot use keygen's Ed25519 key"
out=$(d_verify_py "$T_TMP/kged.signed" 1) || t_fail "dkimpy with keygen's Ed25519 record: $out"

# 3. dkim verify: a line per signature, exit 0 when one passes.
# ph_verify FILE|- - posthorn dkim verify; output in $OUT, exit status in $RC
ph_verify() {
    if [ "$1" = - ]; then
	OUT=$($PH dkim verify 2>&1)
    else
	OUT=$($PH dkim verify "$1" 2>&1)
    fi
    RC=$?
}
d_sign_py "$T_TMP/m" "$K/rsa2048.pem" example.test rsa > "$T_TMP/rsa.signed"
ph_verify "$T_TMP/rsa.signed"
t_assert_eq 0 "$RC" "dkim verify of a dkimpy RSA signature ($OUT)"
t_assert_eq 1 "$(echo "$OUT" | grep -c .)" "lines for one signature ($OUT)"
echo "$OUT" | grep -qi 'pass' || t_fail "dkim verify does not say pass: $OUT"
echo "$OUT" | grep -q 'example.test' || t_fail "dkim verify does not name the domain: $OUT"
ph_verify - < "$T_TMP/rsa.signed"
t_assert_eq 0 "$RC" "dkim verify from standard input ($OUT)"
d_sign_py "$T_TMP/m" "$K/ed25519.pem" example.test ed ed25519-sha256 simple/simple > "$T_TMP/ed.signed"
d_sign_py "$T_TMP/ed.signed" "$K/rsa2048.pem" example.test rsa rsa-sha256 simple/simple > "$T_TMP/both.signed"
ph_verify "$T_TMP/both.signed"
t_assert_eq 0 "$RC" "dkim verify of RSA + Ed25519, simple/simple ($OUT)"
t_assert_eq 2 "$(echo "$OUT" | grep -ci 'pass')" "signatures that pass, of two ($OUT)"
t_assert_eq 2 "$(echo "$OUT" | grep -c .)" "lines for two signatures ($OUT)"
ph_verify "$T_TMP/kged.signed"
t_assert_eq 0 "$RC" "dkim verify of keygen's Ed25519 key, signed by dkimpy ($OUT)"
# one good signature is enough; a signature from a selector without a key is not
d_sign_py "$T_TMP/rsa.signed" "$K/rsa2048.pem" example.test nosuch > "$T_TMP/onegood"
ph_verify "$T_TMP/onegood"
t_assert_eq 0 "$RC" "dkim verify with one good and one keyless signature ($OUT)"
t_assert_eq 2 "$(echo "$OUT" | grep -c .)" "lines for a good and a keyless signature ($OUT)"
# changed body, changed signed header, wrong key, no signature: non-zero
d_tamper_body "$T_TMP/both.signed" "$T_TMP/t.body"
d_tamper_header "$T_TMP/rsa.signed" "$T_TMP/t.subject" Subject
d_sign_py "$T_TMP/m" "$K/rsa1024.pem" example.test rsa > "$T_TMP/wrongkey"
for f in t.body t.subject wrongkey m; do
    ph_verify "$T_TMP/$f"
    [ "$RC" = 0 ] && t_fail "dkim verify exits 0 for $f: $OUT"
    echo "$OUT" | grep -qiw 'pass' && t_fail "dkim verify says pass for $f: $OUT"
done
ph_verify - < "$T_TMP/t.body"
[ "$RC" = 0 ] && t_fail "dkim verify from standard input exits 0 for a changed body: $OUT"
# the independent verifiers agree on these files
d_verify_py "$T_TMP/onegood" 2 >/dev/null && t_fail "dkimpy passes a keyless signature"
d_verify_py "$T_TMP/t.body" >/dev/null && t_fail "dkimpy passes a changed body"

# 4. check: a good key table passes; each bad key is refused and named.
good="inline:{ k1 = example.test:rsa:$K/rsa2048.pem, k2 = example.test:ed:$K/ed25519.pem }"
$PH conf -e "dkim_key_table=$good" "dkim_signing_table=inline:{ example.test = {k1, k2} }" || t_fail "conf -e"
out=$($PH check 2>&1) || t_fail "check refuses a good DKIM configuration: $out"
echo "$out" | grep -q 'unused parameter: dkim_' && t_fail "check does not know the DKIM parameters: $out"
# bad_key WHAT FILE - check with k1's key file replaced by FILE must fail and name FILE
bad_key() {
    $PH conf -e "dkim_key_table=inline:{ k1 = example.test:rsa:$2, k2 = example.test:ed:$K/ed25519.pem }" \
	|| t_fail "conf -e ($1)"
    out=$($PH check 2>&1) && t_fail "check accepts $1: $out"
    echo "$out" | grep -qF "$2" || t_fail "check on $1 does not name $2: $out"
}
bad_key "a missing key file" "$T_TMP/no-such-key.pem"
bad_key "an RSA 512 key" "$K/rsa512.pem"
bad_key "an EC P-256 key" "$K/ec256.pem"
$PH conf -e "dkim_key_table=$good" "dkim_signing_table=inline:{ example.test = {k1, k3} }" || t_fail "conf -e"
out=$($PH check 2>&1) && t_fail "check accepts a signing table naming a key the key table lacks: $out"
echo "$out" | grep -q 'dkim_signing_table' || t_fail "check does not name dkim_signing_table: $out"
echo "$out" | grep -qw 'k3' || t_fail "check does not name the missing key k3: $out"
$PH conf -e "dkim_signing_table=inline:{ example.test = {k1, k2} }" || t_fail "conf -e"
$PH check >/dev/null 2>&1 || t_fail "check refuses the repaired configuration"
# A malformed entry, and a key path that is no file, are refused and named.
$PH conf -e "dkim_key_table=inline:{ k1 = example.test:$K/rsa2048.pem, k2 = example.test:ed:$K/ed25519.pem }" \
    || t_fail "conf -e"
out=$($PH check 2>&1) && t_fail "check accepts a key table entry without a selector: $out"
echo "$out" | grep -q 'is not DOMAIN:SELECTOR:/path' || t_fail "check on a malformed entry: $out"
bad_key "a directory as key file" "$K"

# 5. check -v: each key against the record DNS publishes for it.
$PH conf -e "dkim_key_table=$good" || t_fail "conf -e"
out=$($PH check -v 2>&1) || t_fail "check -v refuses keys DNS publishes: $out"
t_assert_eq 2 "$(echo "$out" | grep -c 'matches')" "keys check -v found in DNS: $out"
# k1's selector publishes keygen's RSA key, not this one; k2's has no record.
$PH conf -e "dkim_key_table=inline:{ k1 = example.test:kgrsa:$K/rsa2048.pem, k2 = example.test:nosuch:$K/ed25519.pem }" \
    || t_fail "conf -e"
$PH check >/dev/null 2>&1 || t_fail "check without -v looks at DNS"
out=$($PH check -v 2>&1) && t_fail "check -v accepts keys DNS does not publish: $out"
echo "$out" | grep -q 'key "k1": DNS record kgrsa._domainkey.example.test publishes another key' \
    || t_fail "check -v on a mismatched key: $out"
echo "$out" | grep -q 'key "k2": no DKIM key record nosuch._domainkey.example.test' \
    || t_fail "check -v on a missing record: $out"
t_pass
