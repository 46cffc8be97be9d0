#!/bin/bash
# Malformed and over-limit QMQP requests get an immediate D (or no answer when
# the client went away) and leave nothing in the spool; odd but valid ones
# are accepted.
. "$(dirname "$0")/lib.sh"
t_instance message_size_limit=100000
t_ingest_only
t_start
queued=0

# expect NAME WANT_PREFIX QMQP_RAW_ARGS... - one case; WANT_PREFIX matches the
# start of qmqp_raw.py's output line ("REPLY D", "NOREPLY", ...)
expect() {
    local name=$1 want=$2; shift 2
    local got
    got=$(t_qmqp "$QPORT" "$@")
    case $got in
	"$want"*) ;;
	*) t_fail "$name: expected '$want...', got '$got'" ;;
    esac
    case $want in "REPLY K"*) queued=$((queued + 1)) ;; esac
    t_wait_until 5 t_queue_has "$queued" \
	|| t_fail "$name: $(t_queue_count) queue files, expected $queued"
    [ -z "$(ls "$SPOOL/tmp")" ] || t_fail "$name: files left in tmp/"
}

# ns STR - netstring of a string (bash strings: no NUL bytes)
ns() { printf '%d:%s,' "${#1}" "$1"; }
MSG=$'Subject: hi\n\nHello\n'
ONE="$(ns "$MSG")$(ns a@b)$(ns c@d)"
FULL=$(ns "$ONE")

expect "not a netstring" "REPLY D netstring format error while receiving QMQP packet header" \
    --data 'hello world'
expect "good request" "REPLY K Ok: queued as" --data "$FULL"
expect "outer comma missing, then EOF" "NOREPLY" --data "${FULL%,}"
expect "inner length beyond the data, then EOF" "NOREPLY" \
    --data "66:50:$MSG"
expect "outer length beyond the data, then EOF" "NOREPLY" \
    --data "$(( ${#ONE} + 10 )):$ONE"
expect "non-digit in a length" "REPLY D netstring format error while receiving message content" \
    --data "$(ns "1x:$MSG,$(ns a@b)$(ns c@d)")"
expect "missing comma after the message" "REPLY D netstring format error while receiving message content" \
    --data "$(ns "19:${MSG}X$(ns a@b)$(ns c@d)")"
expect "inner netstrings overrun the outer length" "REPLY D netstring format error" \
    --data "20:$ONE,"
long=$(head -c 3000 /dev/zero | tr '\0' a)
expect "sender over line_length_limit" \
    "REPLY D netstring length exceeds storage limit while receiving sender address" \
    --request "$MSG" "$long@example.org" bob@host.test
expect "message netstring over message_size_limit, answered before the body" \
    "REPLY D netstring length exceeds storage limit while receiving message content" \
    --data '20000030:20000000:' --no-shutdown --timeout 5
expect "message over message_size_limit" "REPLY D" --pad 120000 --request "Subject: big\n\n" a@example.org b@example.org
expect "zero recipients" "REPLY D Error: no recipients specified" --request "$MSG" a@b
expect "empty recipient" "REPLY D Error: empty recipient address" --request "$MSG" a@b ''
expect "NUL in an address" "REPLY D Error: malformed recipient address" --request "$MSG" a@b 'c\x00@d'
# Control characters: refused at once (docs/design.md), never queued and bounced.
expect "CR LF in a recipient" "REPLY D Error: malformed recipient address (control character)" \
    --request "$MSG" a@b 'c@d\r\nRCPT TO:<x@y>'
expect "TAB in a recipient" "REPLY D Error: malformed recipient address (control character)" \
    --request "$MSG" a@b 'c\t@d'
expect "DEL in the sender" "REPLY D Error: malformed sender address (control character)" \
    --request "$MSG" 'a\x7f@b' c@d
expect "ESC in the sender" "REPLY D Error: malformed sender address (control character)" \
    --request "$MSG" 'a\x1b[2J@b' c@d
expect "bad VERP delimiter" 'REPLY D Error: Invalid VERP delimiters: "x=". Need two characters from "-=+"' \
    --request "$MSG" 'list-7x@example.org-@[]' bob@host.test
hops=$(for i in $(seq 1 51); do printf 'Received: from h%d by h%d\\n' $i $i; done)
expect "too many hops" "REPLY D Error: too many hops" --request "${hops}Subject: loop\n\nbody\n" a@b c@d
t_wait_log 'message rejected: hopcount exceeded' || t_fail "no hopcount log line"
expect "leading zeros" "REPLY K" --data "00$(( ${#ONE} + 2 )):0019:${MSG},$(ns a@b)$(ns c@d),"
expect "no final LF" "REPLY K" --request 'Subject: hi\n\nno newline at the end' a@b c@d
expect "two requests on one connection" "REPLY K" --data "$FULL$FULL"
expect "VERP request" "REPLY K" --request "$MSG" 'list-return-12-@example.org-@[]' bob@host.test
t_log_has 'localhost\[127.0.0.1\]: netstring format error while receiving QMQP packet header' \
    || t_fail "format error not logged"
t_log_has 'warning: [0-9A-Z]+: localhost\[127.0.0.1\]: Error: no recipients specified' \
    || t_fail "missing-recipient rejection not logged"
t_log_has 'Error: malformed recipient address \(control character\)' \
    || t_fail "control-character rejection not logged"
t_assert_eq 0 "$(grep -c 'RCPT TO:<x@y>' "$INST/maillog")" "injected text in the log"
t_pass
