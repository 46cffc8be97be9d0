#!/bin/bash
# VERP and connection reuse: a VERP message to three recipients is three
# transactions over one connection, each with its own expanded sender, and
# an RSET after a transaction that did not complete; with
# DELIVER_FLAG_CACHE (or smtp_connection_cache_destinations) the connection
# goes to scache after the request and the next request to the same next
# hop, in any smtp process, reuses it (conn_use=2 in the log, one TCP
# connection at the server); smtp_connection_reuse_count_limit and the
# cache time limit end reuse; without caching every request connects anew.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp_lib.sh"
s_setup
A=$(s_addr)
cat >> "$INST/master.cf" <<EOF
smtpdest     unix       -       -       y       -       -       smtp -o smtp_connection_cache_destinations=$A
smtpcount    unix       -       -       y       -       -       smtp -o smtp_connection_cache_destinations=$A -o smtp_connection_reuse_count_limit=2
EOF
$PH reload >/dev/null || t_fail "reload"
t_wait_until 10 test -S "$SPOOL/private/smtpcount" || t_fail "private/smtpcount did not appear"

# connections NAME - how many connections the test server NAME accepted
connections() { s_events "$1" | grep -c '"event": "connect"'; }

# 1. VERP: three transactions, three senders, one connection; RSET after the failed one.
P=$(t_port)
s_server verp "$A" "$P" --rcpt-reply "r2@example.net=550 5.1.1 <r2@example.net>: no such user"
id=$(s_submit 'Subject: list post\n\nbody\n' 'list-return-12-@example.org-@[]' \
    r1@example.net r2@example.net r3@other.test)
$PH cat "$id" | grep -qx 'verp_delimiters: -=' || t_fail "message was not queued with VERP"
s_deliver "$id" "[$A]:$P" >/dev/null
t_assert_eq 1 "$(connections verp)" "connections for three VERP transactions"
s_events verp | $PY -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin]
mails = [c for e in ev if e["event"] == "batch" for c in e["commands"] if c.startswith("MAIL FROM:")]
want = ["MAIL FROM:<list-return-12-r1=example.net@example.org> SIZE=",
        "MAIL FROM:<list-return-12-r2=example.net@example.org> SIZE=",
        "MAIL FROM:<list-return-12-r3=other.test@example.org> SIZE="]
assert len(mails) == 3 and all(m.startswith(w) for m, w in zip(mails, want)), mails
msgs = [(e["mail"].split()[0], e["rcpts"]) for e in ev if e["event"] == "message"]
assert msgs == [("<list-return-12-r1=example.net@example.org>", ["<r1@example.net>"]),
                ("<list-return-12-r3=other.test@example.org>", ["<r3@other.test>"])], msgs
cmds = [c.split(" ")[0].split(":")[0] for e in ev if e["event"] == "batch" for c in e["commands"]]
# The second transaction got no recipient: RSET before the third MAIL.
i = [k for k, c in enumerate(cmds) if c == "MAIL"]
assert "RSET" in cmds[i[1]:i[2]], cmds
assert "RSET" not in cmds[i[0]:i[1]], cmds
' || t_fail "VERP transactions are not as expected"
t_wait_log "$id: to=<r1@example.net>, relay=$A\[$A\]:$P, delay=.*status=sent" || t_fail "r1 not sent"
t_wait_log "$id: to=<r3@other.test>, relay=$A\[$A\]:$P, conn_use=3, delay=.*status=sent" \
    || t_fail "third transaction not logged with conn_use=3"
t_log_has "$id: to=<r2@example.net>, relay=$A\[$A\]:$P, conn_use=2, " || t_fail "r2 not logged with conn_use=2"

# 2. DELIVER_FLAG_CACHE: two requests, one connection, conn_use=2 on the second.
P=$(t_port)
s_server cache "$A" "$P"
id1=$(s_submit 'Subject: c1\n\nbody\n' s@example.org c1@example.net)
id2=$(s_submit 'Subject: c2\n\nbody\n' s@example.org c2@example.net)
got=$(s_deliver "$id1" "[$A]:$P" --flags 1)
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "first cached delivery"
got=$(s_deliver "$id2" "[$A]:$P" --flags 1)
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "second cached delivery"
t_wait_log "$id2: to=<c2@example.net>, relay=$A\[$A\]:$P, conn_use=2, delay=.*status=sent" \
    || t_fail "no conn_use=2 on the reused connection"
t_log_has "$id1: to=<c1@example.net>, relay=[^,]*, conn_use=" && t_fail "conn_use on a new connection"
t_assert_eq 1 "$(connections cache)" "connections for two cached deliveries"
grep -q '^QUIT' "$T_TMP/cache/conn-1.raw" && t_fail "QUIT sent on a cached connection"
# The cache time limit (2s): after it, a new connection.
sleep 3
id3=$(s_submit 'Subject: c3\n\nbody\n' s@example.org c3@example.net)
s_deliver "$id3" "[$A]:$P" --flags 1 >/dev/null
t_assert_eq 2 "$(connections cache)" "connections after the cache time limit"
t_wait_log "$id3: to=<c3@example.net>, relay=$A\[$A\]:$P, delay=" || t_fail "c3 not on a new connection"

# 3. No caching asked for: QUIT and a new connection per request.
P=$(t_port)
s_server nocache "$A" "$P"
for n in 1 2; do
    id=$(s_submit 'Subject: n\n\nbody\n' s@example.org "n$n@example.net")
    s_deliver "$id" "[$A]:$P" >/dev/null
done
t_assert_eq 2 "$(connections nocache)" "connections without caching"
grep -q '^QUIT' "$T_TMP/nocache/conn-1.raw" || t_fail "no QUIT without caching"

# 4. smtp_connection_cache_destinations, with smtp_connection_reuse_count_limit=2.
P=$(t_port)
s_server count "$A" "$P"
for n in 1 2 3; do
    id=$(s_submit 'Subject: k\n\nbody\n' s@example.org "k$n@example.net")
    s_deliver "$id" "[$A]:$P" --service smtpcount >/dev/null
done
t_wait_log "to=<k2@example.net>, relay=$A\[$A\]:$P, conn_use=2, " || t_fail "destination list: no reuse"
t_assert_eq 2 "$(connections count)" "connections with a reuse count limit of 2"
t_log_has "to=<k3@example.net>, relay=[^,]*, conn_use=" && t_fail "reused past the count limit"
P=$(t_port)
s_server dest "$A" "$P"
for n in 1 2; do
    id=$(s_submit 'Subject: d\n\nbody\n' s@example.org "d$n@example.net")
    s_deliver "$id" "[$A]:$P" --service smtpdest >/dev/null
done
t_assert_eq 1 "$(connections dest)" "connections with the destination list"
grep -E 'warning|fatal|panic' "$INST/maillog" | grep -Ev ' (bounce|defer) log for ' \
    && t_fail "warnings in the log"
t_pass
