#!/bin/bash
# SMTP AUTH in posthorn-smtp(8) against a real AUTH server (aiosmtpd, with CRAM-MD5
# added, see smtp_auth_server.py): with the right password from
# smtp_sasl_password_maps the message is delivered and the server saw AUTH
# with the test user (CRAM-MD5: the default noplaintext rules out PLAIN and
# LOGIN on a cleartext session); with a wrong one the recipient stays
# queued, deferred with the server's 535 reply and dsn 4.7.8
# (smtp_sasl_auth_soft_bounce), or bounced with soft bounce off; a server
# offering only PLAIN and LOGIN gets no AUTH command at all under the
# default security options (deferred, "no mechanism available", as
# Postfix does) and PLAIN with smtp_sasl_security_options=noanonymous;
# smtp_sasl_mechanism_filter picks LOGIN, or leaves nothing ("offered no
# compatible authentication mechanisms"); the old "AUTH=" form works; a
# 454 to AUTH defers with that reply; a challenge that is not base64 gets
# "*" and defers; the remote host name is looked up
# before the next hop; no table entry or smtp_sasl_auth_enable=no means no
# AUTH; a cached authenticated connection is reused without a second AUTH;
# no password ever reaches the log.
#
# The password table comes from sasl_maps (sasl_lib.sh): a hash: table
# built with posthorn map.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp_lib.sh"
. "$(dirname "$0")/sasl_lib.sh"

# Ports first: the password table names them.
A=$(s_addr)
P_OK=$(t_port); P_BAD=$(t_port); P_PLAIN=$(t_port); P_FILTER=$(t_port)
P_EQ=$(t_port); P_454=$(t_port); P_HOST=$(t_port); P_NONE=$(t_port)
P_CACHE=$(t_port); P_NOMECH=$(t_port); P_BADCH=$(t_port)
GOOD=s3cret-Good
WRONG=Wr0ng-pass
MAPS=$(sasl_maps "[$A]:$P_OK=alice:$GOOD" "[$A]:$P_BAD=alice:$WRONG" \
    "[$A]:$P_PLAIN=alice:$GOOD" "[$A]:$P_FILTER=alice:$GOOD" "[$A]:$P_EQ=alice:$GOOD" \
    "[$A]:$P_454=alice:$GOOD" "[$A]:$P_CACHE=alice:$GOOD" "[$A]:$P_NOMECH=alice:$GOOD" \
    "[$A]:$P_BADCH=alice:$GOOD")

S_BOUNCE=1 s_setup smtp_sasl_auth_enable=yes "smtp_sasl_password_maps=$MAPS"
cat >> "$INST/master.cf" <<EOF
smtpplain    unix       -       -       y       -       -       smtp -o smtp_sasl_security_options=noanonymous
smtplogin    unix       -       -       y       -       -       smtp -o smtp_sasl_security_options=noanonymous -o smtp_sasl_mechanism_filter=!plain,login
smtpnoauth   unix       -       -       y       -       -       smtp -o smtp_sasl_auth_enable=no
smtphard     unix       -       -       y       -       -       smtp -o smtp_sasl_auth_soft_bounce=no
smtphost     unix       -       -       y       -       -       smtp -o smtp_sasl_password_maps=inline:{$A=bob:$GOOD,[$A]:$P_HOST=alice:$WRONG}
EOF
$PH reload >/dev/null || t_fail "reload"
t_wait_until 10 test -S "$SPOOL/private/smtphost" || t_fail "private/smtphost did not appear"
s_bounce_service || t_fail "this test needs the bounce service"

# 1. The right password: CRAM-MD5 (PLAIN and LOGIN are plaintext), delivered as alice.
a_server ok "$A" "$P_OK" --user "alice:$GOOD"
id=$(s_submit 'Subject: s1\n\nbody\n' s@example.org r1@example.net)
got=$(s_deliver "$id" "[$A]:$P_OK")
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "delivery with the right password"
t_assert_eq "CRAM-MD5" "$(a_auth_cmds ok)" "AUTH commands with the default security options"
t_assert_eq "True" "$(a_events ok '[(e["mech"], e["user"], e["ok"]) for e in ev if e["event"] == "auth"] == [("CRAM-MD5", "alice", True)]')" \
    "the server's view of the authentication"
t_assert_eq "alice" "$(a_msg_users ok)" "authenticated user of the message"
t_wait_log "$id: to=<r1@example.net>, relay=$A\[$A\]:$P_OK, .*dsn=2.0.0, status=sent" || t_fail "r1 not sent"
t_assert_eq "" "$(s_pending "$id")" "pending after a delivery with AUTH"

# 2. A wrong password: deferred with the server's 535, still queued; hop status for qmgr.
a_server bad "$A" "$P_BAD" --user "alice:$GOOD" --require-auth
id=$(s_submit 'Subject: s2\n\nbody\n' s@example.org r2@example.net)
got=$(s_deliver "$id" "[$A]:$P_BAD")
reason="SASL authentication failed; server $A[$A] said: 535 5.7.8 Authentication credentials invalid"
t_assert_eq "REPLY status=1 hop_status=4.7.8 hop_reason=$reason" "$got" "reply after a wrong password"
t_wait_log "$id: to=<r2@example.net>, relay=$A\[$A\]:$P_BAD, .*dsn=4.7.8, status=deferred \(SASL authentication failed; server $A\[$A\] said: 535 5.7.8 Authentication credentials invalid\)" \
    || t_fail "no deferred line with the server's 535"
t_assert_eq "r2@example.net" "$(s_pending "$id")" "pending after a wrong password"
test -f "$SPOOL/active/$id" || t_fail "message $id left the queue"
grep -q "535 5.7.8 Authentication credentials invalid" "$SPOOL/defer/$id" || t_fail "defer log lacks the 535 reply"
t_assert_eq "0" "$(a_events bad 'len([e for e in ev if e["event"] == "message"])')" "messages taken after a failed AUTH"
# ... and bounced when smtp_sasl_auth_soft_bounce is off.
id=$(s_submit 'Subject: s2b\n\nbody\n' s@example.org r2b@example.net)
s_deliver "$id" "[$A]:$P_BAD" --service smtphard >/dev/null
expect_bounced "$id" r2b@example.net 5.7.8 "SASL authentication failed; server $A\[$A\] said: 535 5.7.8"

# 3. A server with only PLAIN and LOGIN: no AUTH in the clear by default, deferred;
#    PLAIN with smtp_sasl_security_options=noanonymous.
a_server plain "$A" "$P_PLAIN" --user "alice:$GOOD" --mechs "PLAIN LOGIN" --require-auth
id=$(s_submit 'Subject: s3\n\nbody\n' s@example.org r3@example.net)
got=$(s_deliver "$id" "[$A]:$P_PLAIN")
reason="SASL authentication failed; cannot authenticate to server $A[$A]: no mechanism available"
t_assert_eq "REPLY status=1 hop_status=4.7.0 hop_reason=$reason" "$got" "reply when only plaintext mechanisms are offered"
t_wait_log "$id: to=<r3@example.net>, .*dsn=4.7.0, status=deferred \(SASL authentication failed; cannot authenticate to server $A\[$A\]: no mechanism available\)" \
    || t_fail "no 'no mechanism available' deferral"
t_assert_eq "" "$(a_auth_cmds plain)" "AUTH commands sent in the clear with noplaintext"
got=$(s_deliver "$id" "[$A]:$P_PLAIN" --service smtpplain)
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "delivery with PLAIN allowed"
t_assert_eq "PLAIN" "$(a_auth_cmds plain)" "AUTH commands with PLAIN allowed"
t_assert_eq "alice" "$(a_msg_users plain)" "user of the message sent after PLAIN"

# 4. smtp_sasl_mechanism_filter: "!plain, login" picks LOGIN although CRAM-MD5 and PLAIN are offered.
a_server filter "$A" "$P_FILTER" --user "alice:$GOOD" --require-auth
id=$(s_submit 'Subject: s4\n\nbody\n' s@example.org r4@example.net)
got=$(s_deliver "$id" "[$A]:$P_FILTER" --service smtplogin)
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "delivery with the mechanism filter"
t_assert_eq "LOGIN" "$(a_auth_cmds filter)" "AUTH commands with the mechanism filter"
#    A filter that leaves nothing of what the server offers (CRAM-MD5 only): no AUTH, deferred.
a_server nomech "$A" "$P_NOMECH" --user "alice:$GOOD" --mechs "CRAM-MD5" --require-auth
id=$(s_submit 'Subject: s4b\n\nbody\n' s@example.org r4b@example.net)
s_deliver "$id" "[$A]:$P_NOMECH" --service smtplogin >/dev/null
t_wait_log "$id: to=<r4b@example.net>, .*dsn=4.7.0, status=deferred \(SASL authentication failed: server $A\[$A\] offered no compatible authentication mechanisms for this type of connection security\)" \
    || t_fail "no deferral when the filter leaves no mechanism"
t_log_has "warning: $A\[$A\]:$P_NOMECH offered no supported AUTH mechanisms: 'CRAM-MD5'" \
    || t_fail "no warning about the filtered mechanism list"
t_assert_eq "" "$(a_auth_cmds nomech)" "AUTH commands when the filter leaves nothing"

# 5. The old "AUTH=" EHLO form alone.
a_server eq "$A" "$P_EQ" --user "alice:$GOOD" --form equals --require-auth
id=$(s_submit 'Subject: s5\n\nbody\n' s@example.org r5@example.net)
got=$(s_deliver "$id" "[$A]:$P_EQ")
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "delivery to an AUTH= server"
t_assert_eq "CRAM-MD5" "$(a_auth_cmds eq)" "AUTH commands to an AUTH= server"

# 6. A temporary failure: 454 defers with that reply.
a_server t454 "$A" "$P_454" --user "alice:$GOOD" --auth-reply "454 4.7.0 Temporary authentication failure"
id=$(s_submit 'Subject: s6\n\nbody\n' s@example.org r6@example.net)
s_deliver "$id" "[$A]:$P_454" >/dev/null
t_wait_log "$id: to=<r6@example.net>, .*dsn=4.7.0, status=deferred \(SASL authentication failed; server $A\[$A\] said: 454 4.7.0 Temporary authentication failure\)" \
    || t_fail "no deferral after a 454"

#    A challenge that is not base64: "*" cancels, deferred.
a_server badch "$A" "$P_BADCH" --user "alice:$GOOD" --challenge "not*base64"
id=$(s_submit 'Subject: s6b\n\nbody\n' s@example.org r6b@example.net)
s_deliver "$id" "[$A]:$P_BADCH" >/dev/null
t_wait_log "$id: to=<r6b@example.net>, .*dsn=4.7.0, status=deferred \(SASL authentication failed; cannot authenticate to server $A\[$A\]: malformed SASL challenge from server\)" \
    || t_fail "no deferral after a malformed challenge"
t_assert_eq "*" "$(a_events badch '" ".join(e["line"] for e in ev if e["event"] == "auth-response")')" \
    "the client's answer to a malformed challenge"

# 7. Lookup order: the host name ($A, user bob) before the next hop (wrong password).
a_server host "$A" "$P_HOST" --user "bob:$GOOD" --user "alice:$GOOD" --require-auth
id=$(s_submit 'Subject: s7\n\nbody\n' s@example.org r7@example.net)
got=$(s_deliver "$id" "[$A]:$P_HOST" --service smtphost)
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "delivery with the host-name entry"
t_assert_eq "bob" "$(a_msg_users host)" "user chosen by the host-name entry"

# 8. No table entry, and SASL disabled: no AUTH, delivered unauthenticated.
a_server none "$A" "$P_NONE" --user "alice:$GOOD"
id=$(s_submit 'Subject: s8\n\nbody\n' s@example.org r8@example.net)
got=$(s_deliver "$id" "[$A]:$P_NONE")
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "delivery without a table entry"
id=$(s_submit 'Subject: s8b\n\nbody\n' s@example.org r8b@example.net)
got=$(s_deliver "$id" "[$A]:$P_OK" --service smtpnoauth)
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "delivery with smtp_sasl_auth_enable=no"
t_assert_eq "None" "$(a_msg_users none)" "user of the message without a table entry"
t_assert_eq "" "$(a_auth_cmds none)" "AUTH commands without a table entry"
t_assert_eq "alice None" "$(a_msg_users ok)" "users of the messages with SASL on, then off"
t_assert_eq "CRAM-MD5" "$(a_auth_cmds ok)" "AUTH commands with SASL off (the first case's only)"

# 9. Connection cache: the second request reuses the authenticated connection, no second AUTH.
a_server cache "$A" "$P_CACHE" --user "alice:$GOOD" --require-auth
id1=$(s_submit 'Subject: c1\n\nbody\n' s@example.org c1@example.net)
id2=$(s_submit 'Subject: c2\n\nbody\n' s@example.org c2@example.net)
got=$(s_deliver "$id1" "[$A]:$P_CACHE" --flags 1)
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "first cached delivery with AUTH"
got=$(s_deliver "$id2" "[$A]:$P_CACHE" --flags 1)
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "second cached delivery with AUTH"
t_wait_log "$id2: to=<c2@example.net>, relay=$A\[$A\]:$P_CACHE, conn_use=2, .*status=sent" \
    || t_fail "the authenticated connection was not reused"
t_assert_eq "1 CRAM-MD5 alice alice" \
    "$(a_events cache 'str(len([e for e in ev if e["event"] == "connect"])) + " " + " ".join(e["mech"] for e in ev if e["event"] == "auth-command") + " " + " ".join(str(e["auth_user"]) for e in ev if e["event"] == "message")')" \
    "connections, AUTH commands and users over the cached connection"

# No password in the log, ever.
grep -e "$GOOD" -e "$WRONG" "$INST/maillog" && t_fail "a password reached the log"
grep -E 'panic|fatal' "$INST/maillog" && t_fail "fatal errors in the log"
t_pass
