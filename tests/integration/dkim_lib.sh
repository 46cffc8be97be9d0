# dkim_lib.sh - helpers for the DKIM tests (source after lib.sh and
# smtp_lib.sh): test keys made with openssl, their DNS records served by
# s_unbound, signing with dkimpy, verification with two independent
# implementations (dkimpy, Mail::DKIM) against that server, and the
# messages smtp-sink received, as files. Proved by t_dkim_harness.sh.
#
#   d_keys DIR                     rsa2048 rsa1024 rsa512 ed25519 ec256 (.pem,
#                                  PKCS#8, mode 0600), rsa2048-pkcs1.pem
#   d_txt KEYFILE                  the TXT text for the key (rsa or ed25519)
#   d_txt_rsa KEYFILE              "v=DKIM1; k=rsa; p=<base64 DER SPKI>"
#   d_txt_ed25519 KEYFILE          "v=DKIM1; k=ed25519; p=<base64 raw key>"
#   d_unbound_lines SEL DOMAIN TXT local-data line for s_unbound
#   d_unbound_key SEL DOMAIN KEYFILE  the same, TXT from the key
#   d_message FILE FROM [HEADER...]   a small message to sign or submit
#   d_sign_py FILE KEYFILE DOMAIN SELECTOR [ALG [CANON [HEADERS]]]
#                                  FILE signed by dkimpy, on stdout
#   d_verify_py FILE [COUNT]       dkimpy: all signatures pass (exactly COUNT)
#   d_verify_perl FILE [COUNT]     Mail::DKIM: all checkable ones pass
#   d_sig_tag FILE N TAG           tag of the N-th signature (1 = top)
#   d_tamper_body IN OUT / d_tamper_header IN OUT NAME   one letter's case
#   d_sink_messages DIR [OUTDIR]   smtp-sink dumps in DIR as messages
#   d_testkey SEL DOMAIN KEYFILE   opendkim-testkey: the key in DNS matches

D_DIR=$T_ROOT/tests/integration

# d_keys DIR - make the test keys in DIR (mode 0600, root's: the signer must
# read them before it drops privileges, as OpenDKIM's keys are read)
d_keys() {
    local dir=$1 k
    mkdir -p "$dir" || t_fail "mkdir $dir"
    (
	umask 077
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/rsa2048.pem" &&
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$dir/rsa1024.pem" &&
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:512 -out "$dir/rsa512.pem" &&
	openssl genpkey -algorithm ED25519 -out "$dir/ed25519.pem" &&
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ec256.pem" &&
	openssl pkey -in "$dir/rsa2048.pem" -traditional -out "$dir/rsa2048-pkcs1.pem"
    ) > "$T_TMP/d_keys.out" 2>&1 || t_fail "d_keys: openssl failed: $(tail -3 "$T_TMP/d_keys.out")"
    for k in rsa2048 rsa1024 rsa512 ed25519 ec256 rsa2048-pkcs1; do
	chmod 600 "$dir/$k.pem"
    done
}

# d_txt_rsa KEYFILE - the key record of an RSA private key: base64 of the
# DER SubjectPublicKeyInfo, as opendkim-genkey writes it
d_txt_rsa() {
    local p
    p=$(openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | base64 -w0)
    [ -n "$p" ] || t_fail "d_txt_rsa: cannot read $1"
    printf 'v=DKIM1; k=rsa; p=%s\n' "$p"
}

# d_txt_ed25519 KEYFILE - the key record of an Ed25519 private key: base64
# of the raw 32-byte public key (RFC 8463), the last 32 bytes of the SPKI
d_txt_ed25519() {
    local p
    p=$(openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | tail -c 32 | base64 -w0)
    [ ${#p} = 44 ] || t_fail "d_txt_ed25519: cannot read $1"
    printf 'v=DKIM1; k=ed25519; p=%s\n' "$p"
}

# d_txt KEYFILE - d_txt_rsa or d_txt_ed25519, by the key's type
d_txt() {
    if openssl pkey -in "$1" -noout -text 2>/dev/null | head -1 | grep -q 'ED25519'; then
	d_txt_ed25519 "$1"
    else
	d_txt_rsa "$1"
    fi
}

# d_unbound_lines SELECTOR DOMAIN TXT - the s_unbound line publishing TXT at
# SELECTOR._domainkey.DOMAIN, cut into quoted strings of at most 255 bytes
# (RFC 1035 character-strings; a 2048-bit RSA record needs two)
d_unbound_lines() {
    local sel=$1 dom=$2 txt=$3 parts=
    case $txt in *'"'*|*\\*|*"'"*) t_fail "d_unbound_lines: quote or backslash in the record" ;; esac
    while [ ${#txt} -gt 255 ]; do
	parts="$parts \"${txt:0:255}\""
	txt=${txt:255}
    done
    parts="$parts \"$txt\""
    printf "local-data: '%s._domainkey.%s. IN TXT%s'\n" "$sel" "${dom%.}" "$parts"
}

# d_unbound_key SELECTOR DOMAIN KEYFILE - d_unbound_lines with d_txt KEYFILE
d_unbound_key() { d_unbound_lines "$1" "$2" "$(d_txt "$3")"; }

# d_message FILE FROM [HEADER...] - write a small message from FROM (an
# address) with To, Subject, Date, Message-ID, the extra HEADER lines
# ("Name: value") and a short body
d_message() {
    local f=$1 from=$2 h
    shift 2
    {
	printf 'From: Test Sender <%s>\nTo: rcpt@example.net\nSubject: dkim test %s\n' "$from" "$T_NAME"
	printf 'Date: %s\nMessage-ID: <%s.%s@%s>\n' "$(date -R)" "$(date +%s%N)" "$$" "${from#*@}"
	for h in "$@"; do printf '%s\n' "$h"; done
	printf '\nHello,\n\nthis body  has  double spaces, a trailing blank \nand a tab\there.\n\n-- \nsender\n'
    } > "$f"
}

# d_sign_py FILE KEYFILE DOMAIN SELECTOR [ALG [CANON [HEADERS]]] - FILE with a
# DKIM-Signature from dkimpy on top, on stdout (see dkim_tool.py sign)
d_sign_py() { $PY "$D_DIR/dkim_tool.py" sign "$@"; }

# d_resolv - the name server file d_verify_* use ($T_TMP/resolv.conf, from s_unbound)
d_resolv() {
    [ -s "$T_TMP/resolv.conf" ] || t_fail "no $T_TMP/resolv.conf: start s_unbound first"
    echo "$T_TMP/resolv.conf"
}

# d_verify_py FILE [COUNT] - dkimpy checks every signature of FILE, keys
# from s_unbound; prints a line per signature; 0 only if at least one
# exists and all pass (and there are exactly COUNT, when given)
d_verify_py() {
    local res
    res=$(d_resolv) || exit 1
    $PY "$D_DIR/dkim_verify.py" --resolv "$res" ${2:+--count "$2"} ${D_VERIFY_PY_OPTS:-} "$1"
}

# d_verify_perl FILE [COUNT] - the same with Mail::DKIM; a signature whose
# algorithm it cannot check (ed25519-sha256 in Debian 12's Mail::DKIM) is
# shown as "skip" and counts neither way; COUNT counts all signatures
d_verify_perl() {
    local res
    res=$(d_resolv) || exit 1
    perl "$D_DIR/dkim_verify.pl" --resolv "$res" ${2:+--count "$2"} "$1"
}

# d_sig_tag FILE N TAG - value of TAG in the N-th DKIM-Signature (1 = top),
# white space removed; fails if there is none
d_sig_tag() { $PY "$D_DIR/dkim_tool.py" tag "$@"; }

# d_tamper_body IN OUT - OUT is IN with one body letter's case flipped
d_tamper_body() { $PY "$D_DIR/dkim_tool.py" tamper-body "$1" "$2" || t_fail "d_tamper_body $1"; }

# d_tamper_header IN OUT NAME - OUT is IN with one letter of field NAME flipped
d_tamper_header() { $PY "$D_DIR/dkim_tool.py" tamper-header "$1" "$2" "$3" || t_fail "d_tamper_header $1 $3"; }

# d_sink_messages DIR [OUTDIR] - the messages in smtp-sink's dump files in
# DIR (t_sink's or s_sink's -d directory), oldest first, as files
# OUTDIR/NAME.eml (default OUTDIR: DIR.msgs) with LF line ends, dot
# stuffing undone and smtp-sink's own lines removed; the envelope lines go
# to OUTDIR/NAME.env. Prints the .eml paths, one a line; fails on a dump it
# does not understand. Call it once the MTA logged the delivery (smtp-sink
# writes a dump while it receives).
d_sink_messages() {
    local dir=${1%/} out=${2:-${1%/}.msgs}
    $PY "$D_DIR/dkim_tool.py" sink "$dir" "$out" || t_fail "d_sink_messages: bad dump in $dir"
}

# d_testkey SELECTOR DOMAIN KEYFILE - opendkim-testkey, asking s_unbound,
# confirms that the record published for SELECTOR._domainkey.DOMAIN is the
# public half of KEYFILE (RSA only: Debian 12's opendkim-testkey cannot
# load an Ed25519 key); prints its output ("key OK", "keys do not match")
d_testkey() {
    local ns conf=$T_TMP/opendkim-testkey.conf
    ns=$(awk '$1 == "nameserver" { print $2; exit }' "$(d_resolv)") || exit 1
    # OpenDKIM resolves with libunbound here. It must forward everything to
    # our server, may send to a loopback address, and must not answer
    # "test." itself (an RFC 6761 name it knows as nonexistent by default).
    printf '%s\n' 'server:' '  do-ip6: no' '  do-not-query-localhost: no' \
	'  local-zone: "test." nodefault' 'forward-zone:' '  name: "."' "  forward-addr: $ns" \
	> "$T_TMP/opendkim-testkey.unbound"
    printf 'ResolverConfiguration %s\n' "$T_TMP/opendkim-testkey.unbound" > "$conf"
    opendkim-testkey -x "$conf" -d "$2" -s "$1" -k "$3" -vvv 2>&1
}
