#!/bin/bash
# posthorn-smtp(8) delivers a message byte-exactly: CRLF line ends, dot-stuffing, a
# line at smtp_line_length_limit sent whole, a longer one folded with CRLF
# SPACE, a bare CR made a line end, the missing final line end added, "."
# at the end; MAIL, RCPT, RCPT, DATA go out as one pipelined batch with
# SIZE=; both recipients are marked done and logged as sent; BODY=8BITMIME
# only for 8-bit content and only when the server offers it; HELO after a
# refused EHLO; 250 recipients pipelined in bounded batches; a shared lock
# on the queue file during delivery, and "queue file is locked" when an
# exclusive lock is held.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp_lib.sh"
s_setup
A=$(s_addr)
P=$(t_port)
s_server sink "$A" "$P" --name sink.test

l998=$($PY -c 'print("x" * 997 + "y", end="")')
l1200=$($PY -c 'print("".join(chr(97 + i % 26) for i in range(1200)), end="")')
msg="Subject: bytes test\nX-Order: 1\nX-Order: 2\n\nfirst line\n.hidden dot line\n..two dots\n.\n$l998\n$l1200\nbare\rcr here\ncrlf\r\nno final newline"
id=$(s_submit "$msg" sender@example.org alice@example.net bob@example.net)

got=$(s_deliver "$id" "[$A]:$P")
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "reply to the queue manager"

# What the server received, against the queue file content encoded independently.
$PY "$S_DIR/smtp_fake_qmgr.py" "$SPOOL" "$id" x --info > "$T_TMP/info.json"
$PY - "$SPOOL/active/$id" "$T_TMP/info.json" "$T_TMP/sink/msg-1.raw" "$l998" "$l1200" <<'PYEOF' || t_fail "DATA bytes are not as expected"
import json, sys
qf, info, got, l998, l1200 = sys.argv[1:6]
info = json.load(open(info))
content = open(qf, "rb").read()[info["content_offset"]:info["content_offset"] + info["content_size"]]
got = open(got, "rb").read()
# Reference encoder: CR LF, LF and a bare CR each end a line; dot-stuff; fold at 998.
lines, cur, i = [], bytearray(), 0
while i < len(content):
    c = content[i]
    if c in (10, 13):
        lines.append(bytes(cur))
        cur = bytearray()
        if c == 13 and content[i + 1:i + 2] == b"\n":
            i += 1
    else:
        cur.append(c)
    i += 1
if cur:
    lines.append(bytes(cur))
out = b""
for line in lines:
    pieces, rest = [line[:998]], line[998:]
    while rest:
        pieces.append(b" " + rest[:997])
        rest = rest[997:]
    if pieces[0].startswith(b"."):
        pieces[0] = b"." + pieces[0]
    out += b"\r\n".join(pieces) + b"\r\n"
out += b".\r\n"
assert got == out, "mismatch:\n%r\n%r" % (got[:300], out[:300])
# And the cases one by one, so a failure says which.
assert got.startswith(b"Received: from "), got[:40]
assert got.index(b"X-Order: 1\r\n") < got.index(b"X-Order: 2\r\n")
assert b"\r\n..hidden dot line\r\n" in got
assert b"\r\n...two dots\r\n" in got
assert b"\r\n..\r\n" in got
assert b"\r\n" + l998.encode() + b"\r\n" in got
assert b"\r\n" + l1200[:998].encode() + b"\r\n " + l1200[998:].encode() + b"\r\n" in got
assert b"\r\nbare\r\ncr here\r\ncrlf\r\n" in got
assert got.endswith(b"\r\nno final newline\r\n.\r\n")
assert b"\r" not in got.replace(b"\r\n", b"")
PYEOF

# One pipelined batch: MAIL with SIZE, both RCPTs, DATA.
size=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["content_size"])' "$T_TMP/info.json")
s_events sink | $PY -c '
import json, sys
size = sys.argv[1]
batches = [e["commands"] for e in map(json.loads, sys.stdin) if e["event"] == "batch"]
want = ["MAIL FROM:<sender@example.org> SIZE=" + size, "RCPT TO:<alice@example.net>",
        "RCPT TO:<bob@example.net>", "DATA"]
assert want in batches, batches
assert batches[0][0].startswith("EHLO "), batches
' "$size" || t_fail "MAIL/RCPT/DATA were not one pipelined batch with SIZE="

t_assert_eq "" "$(s_pending "$id")" "recipients left pending"
t_assert_eq "alice@example.net bob@example.net" "$(s_done "$id" | tr '\n' ' ' | sed 's/ $//')" \
    "recipients marked done"
for r in alice bob; do
    t_wait_log "smtp\[[0-9]+\]: $id: to=<$r@example.net>, relay=$A\[$A\]:$P, delay=[0-9.]+, delays=[0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+, dsn=2.0.0, status=sent \(250 2.0.0 Ok: queued as SINK1\)" \
	|| t_fail "no sent line for $r"
done

# 8-bit content: BODY=8BITMIME when offered, nothing when not (sent as is).
id8=$(s_submit 'Subject: caf\xe9\n\ncaf\xe9 au lait\n' sender@example.org carol@example.net)
got=$(s_deliver "$id8" "[$A]:$P")
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "8-bit delivery"
grep -q "^MAIL FROM:<sender@example.org> SIZE=[0-9]* BODY=8BITMIME"$'\r'"$" "$T_TMP"/sink/conn-2.raw \
    || t_fail "no BODY=8BITMIME for 8-bit content"
grep -q 'BODY=8BITMIME' "$T_TMP"/sink/conn-1.raw && t_fail "BODY=8BITMIME for 7-bit content"
P2=$(t_port)
s_server sink7 "$A" "$P2" --no-8bitmime --no-pipelining
id8b=$(s_submit 'Subject: caf\xe9\n\ncaf\xe9 au lait\n' sender@example.org dave@example.net)
got=$(s_deliver "$id8b" "[$A]:$P2")
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "8-bit delivery without 8BITMIME"
grep -q 'BODY=8BITMIME' "$T_TMP"/sink7/conn-1.raw && t_fail "BODY=8BITMIME to a server without 8BITMIME"
grep -q $'caf\xe9 au lait' "$T_TMP"/sink7/msg-1.raw || t_fail "8-bit content not sent as is"
# Without PIPELINING every command is its own batch.
s_events sink7 | $PY -c '
import json, sys
batches = [e["commands"] for e in map(json.loads, sys.stdin) if e["event"] == "batch"]
assert all(len(b) == 1 for b in batches[:-1]), batches
' || t_fail "commands were batched without PIPELINING"

# EHLO refused with 502: HELO on the same connection, no ESMTP parameters.
P5=$(t_port)
s_server helo "$A" "$P5" --no-ehlo
idh=$(s_submit 'Subject: helo\n\nbody\n' sender@example.org helo@example.net)
got=$(s_deliver "$idh" "[$A]:$P5")
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "delivery after HELO fallback"
t_assert_eq "EHLO HELO MAIL FROM:<sender@example.org>" \
    "$(s_events helo | $PY -c '
import json, sys
cmds = [c for e in map(json.loads, sys.stdin) if e["event"] == "batch" for c in e["commands"]]
print(" ".join([c.split()[0] for c in cmds[:2]] + [cmds[2]]))')" "HELO fallback commands"

# Many recipients: the pipeline is cut into batches of at most 4096 bytes of
# commands, and every recipient gets through.
rcpts=$(for n in $(seq 1 250); do printf 'recipient-number-%03d@example.net ' "$n"; done)
# shellcheck disable=SC2086
idm=$(s_submit 'Subject: many\n\nbody\n' sender@example.org $rcpts)
P3=$(t_port)
s_server many "$A" "$P3"
got=$(s_deliver "$idm" "[$A]:$P3")
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "delivery to 250 recipients"
t_assert_eq "" "$(s_pending "$idm")" "recipients left pending of 250"
s_events many | $PY -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin]
batches = [e["commands"] for e in ev if e["event"] == "batch"]
rcpt = [b for b in batches if any(c.startswith("RCPT") for c in b)]
assert len(rcpt) >= 2, "not cut into batches: %d" % len(rcpt)
assert all(sum(len(c) + 2 for c in b) <= 4096 for b in rcpt), [sum(len(c) + 2 for c in b) for b in rcpt]
assert sum(c.startswith("RCPT") for b in rcpt for c in b) == 250
msgs = [e for e in ev if e["event"] == "message"]
assert len(msgs) == 1 and len(msgs[0]["rcpts"]) == 250
' || t_fail "250 recipients were not pipelined in bounded batches"

# The queue file is under a shared lock for the whole delivery; an exclusive
# lock (an earlier queue manager's test) makes smtp defer everything at once.
P4=$(t_port)
s_server slow "$A" "$P4" --dot-delay 2
idl=$(s_submit 'Subject: lock\n\nbody\n' sender@example.org lock@example.net)
s_deliver "$idl" "[$A]:$P4" > "$T_TMP/slow.reply" &
t_wait_until 10 test -f "$T_TMP/slow/dot-1" || t_fail "slow delivery did not reach the dot"
$PY -c '
import fcntl, sys
fd = open(sys.argv[1], "rb")
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    sys.exit(0)
sys.exit(1)
' "$SPOOL/active/$idl" || t_fail "no shared lock on the queue file during delivery"
wait $!
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$(cat "$T_TMP/slow.reply")" "slow delivery"
idx=$(s_submit 'Subject: locked\n\nbody\n' sender@example.org locked@example.net)
$PY - "$SPOOL/active/$idx" "$S_DIR/smtp_fake_qmgr.py" "$SPOOL" "$idx" "[$A]:$P4" > "$T_TMP/locked.reply" <<'PYEOF'
import fcntl, subprocess, sys
fd = open(sys.argv[1], "rb")
fcntl.flock(fd, fcntl.LOCK_EX)
print(subprocess.run(["/usr/bin/python3"] + sys.argv[2:], capture_output=True, text=True).stdout, end="")
PYEOF
t_assert_eq "REPLY status=1 hop_status= hop_reason=" "$(cat "$T_TMP/locked.reply")" "reply for a locked file"
t_wait_log "$idx: to=<locked@example.net>, relay=none, .*dsn=4.3.0, status=deferred \(queue file is locked\)" \
    || t_fail "locked queue file not deferred"
t_assert_eq 1 "$(s_events slow | grep -c '"event": "connect"')" "connections for a locked file"
grep -E 'warning|fatal|panic' "$INST/maillog" | grep -Ev ' (bounce|defer) log for |: lock active/' \
    && t_fail "warnings in the log"
t_pass
