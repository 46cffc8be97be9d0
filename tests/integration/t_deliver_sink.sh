#!/bin/bash
# Postfix's smtp-sink as relayhost: 2000 messages from qmqp-source are all
# received, once each; a crafted message arrives byte for byte as sent plus
# our Received: header (header order, body, dot-stuffed lines, a line at the
# length limit); pflogsumm counts the deliveries and their bytes.
. "$(dirname "$0")/lib.sh"
t_deliver_instance
t_sink "$SPORT" "$T_TMP/sink"
t_start
timeout 120 qmqp-source -s 20 -m 2000 -r 1 -l 1500 -f sender@example.org \
    -t rcpt@example.net "127.0.0.1:$QPORT" || t_fail "qmqp-source failed"
t_wait_until 120 t_queue_empty || t_fail "$(t_queue_count) messages still queued"
t_wait_until 10 t_dir_has "$T_TMP/sink" 2000
t_assert_eq 2000 "$(ls "$T_TMP/sink" | wc -l)" "messages at the sink"
t_assert_eq 2000 "$(cat "$T_TMP"/sink/m.* | grep -o 'with QMQP id [0-9A-Z]*' | sort -u | wc -l)" \
    "distinct messages at the sink"

# One message with the awkward bits, checked byte for byte.
$PY - "$T_TMP/sample" <<'PYEOF'
import sys
line998 = "L" * 998
msg = ("X-First: header order matters\n"
       "Subject: exact bytes\n"
       "From: Alice <alice@example.org>\n"
       "To: bob@example.net\n"
       "Date: Mon, 23 Nov 2026 10:00:00 +0000\n"
       "Message-Id: <exact-bytes@example.org>\n"
       "X-Folded: first\n"
       "\tsecond\n"
       "\n"
       ".a line that starts with a dot\n"
       "..two dots\n"
       ".\n"
       + line998 + "\n"
       "\n"
       "trailing text\n")
open(sys.argv[1], "w").write(msg)
PYEOF
$PH send -f alice@example.org bob@example.net < "$T_TMP/sample" > /dev/null || t_fail "send sample"
t_wait_until 20 sh -c "grep -l 'exact-bytes@example.org' '$T_TMP'/sink/m.* >/dev/null 2>&1" \
    || t_fail "sample not delivered"
dump=$(grep -l 'exact-bytes@example.org' "$T_TMP"/sink/m.*)
$PY - "$dump" "$T_TMP/sample" <<'PYEOF' || t_fail "sample bytes differ (dump $dump)"
import sys
dump = open(sys.argv[1], "rb").read().split(b"\n")
sent = open(sys.argv[2], "rb").read()
# Skip smtp-sink's envelope lines and its own Received: header.
i = 0
while dump[i].startswith(b"X-"):
    i += 1
assert dump[i].startswith(b"Received: from "), dump[i]
i += 1
while dump[i].startswith((b"\t", b" ")):
    i += 1
rest = b"\n".join(dump[i:])
# Ours comes first: "Received: from localhost ... by HOST (posthorn) with QMQP ..."
assert rest.startswith(b"Received: from localhost (localhost [127.0.0.1])\n\tby "), rest[:120]
j = rest.index(b"\n", rest.index(b"for <bob@example.net>;")) + 1
got = rest[j:]
if got.rstrip(b"\n") != sent.rstrip(b"\n"):
    import difflib
    sys.stdout.writelines(difflib.unified_diff(sent.decode().splitlines(True),
                                               got.decode().splitlines(True)))
    sys.exit(1)
PYEOF

# pflogsumm reads our log as it reads Postfix's.
command -v pflogsumm > /dev/null || t_fail "pflogsumm is not installed"
pflogsumm --syslog-name=posthorn "$INST/maillog" > "$T_TMP/pflogsumm" 2>&1 \
    || t_fail "pflogsumm failed: $(head -5 "$T_TMP/pflogsumm")"
delivered=$(awk '/ delivered$/ {print $1; exit}' "$T_TMP/pflogsumm")
t_assert_eq 2001 "$delivered" "delivered count reported by pflogsumm"
bytes=$(awk '/ bytes delivered$/ {print $1; exit}' "$T_TMP/pflogsumm")
want=$(grep -o 'size=[0-9]*' "$INST/maillog" | awk -F= '{s += $2} END {print s}')
case $bytes in
    *k) want=$(( (want + 512) / 1024 ))k ;;
    *m) want=$(( (want + 524288) / 1048576 ))m ;;
esac
t_assert_eq "$want" "$bytes" "bytes delivered reported by pflogsumm"
t_pass
