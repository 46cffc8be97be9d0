#!/bin/bash
# SMTP AUTH end to end, through the queue manager, to a relayhost that
# requires it: the password table entry is keyed by the relayhost exactly
# as written ([127.0.0.1]:PORT). With a wrong password the message is
# deferred into deferred/ with the server's 535 as its reason (posthorn
# queue shows it) and nothing reaches the server; after the password is
# fixed in the hash: table's source and the table rebuilt with posthorn map
# (no reload: smtp notices the new table by itself), posthorn flush
# delivers it, authenticated as the table's user. posthorn check accepts the settings,
# and the password never reaches the log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sasl_lib.sh"
GOOD='Relay-s3cret'
WRONG='Relay-wr0ng'
t_deliver_instance smtp_sasl_auth_enable=yes
printf '[127.0.0.1]:%s relayuser:%s\n' "$SPORT" "$WRONG" > "$T_TMP/sasl_passwd"
chmod 600 "$T_TMP/sasl_passwd"
$PH map "hash:$T_TMP/sasl_passwd" || t_fail "posthorn map"
$PH conf -e "smtp_sasl_password_maps = hash:$T_TMP/sasl_passwd" \
    >/dev/null || t_fail "conf -e smtp_sasl_password_maps"
$PH check >/dev/null 2>&1 || t_fail "posthorn check refuses the SASL settings"
a_server relay 127.0.0.1 "$SPORT" --user "relayuser:$GOOD" --require-auth
t_start

printf 'Subject: via an authenticated relay\n\nbody\n' \
    | $PH send -f alice@example.org bob@example.net > /dev/null || t_fail "send"
t_wait_log "to=<bob@example.net>, relay=127.0.0.1\[127.0.0.1\]:$SPORT, .*dsn=4.7.8, status=deferred \(SASL authentication failed; server 127.0.0.1\[127.0.0.1\] said: 535 5.7.8 Authentication credentials invalid\)" 20 \
    || t_fail "no deferral with the server's 535"
t_wait_until 10 sh -c "find '$SPOOL/deferred' -type f | grep -q ." || t_fail "message not in deferred/"
t_assert_eq 1 "$(t_queue_count)" "messages queued after the failed AUTH"
$PH queue | grep -q "SASL authentication failed; server 127.0.0.1\[127.0.0.1\] said: 535 5.7.8" \
    || t_fail "posthorn queue does not show the reason"
t_assert_eq "CRAM-MD5" "$(a_auth_cmds relay)" "AUTH commands with the wrong password"
t_assert_eq "" "$(a_msg_users relay)" "messages taken with the wrong password"

printf '[127.0.0.1]:%s relayuser:%s\n' "$SPORT" "$GOOD" > "$T_TMP/sasl_passwd"
$PH map "hash:$T_TMP/sasl_passwd" || t_fail "posthorn map with the right password"
$PH flush >/dev/null || t_fail "flush"
t_wait_until 30 t_queue_empty || t_fail "message not delivered after the password was fixed"
# The smtp process that deferred the message still had the old table open.
t_log_has "smtp\[[0-9]*\]: table hash:$T_TMP/sasl_passwd has changed -- restarting" \
    || t_fail "no restart line from smtp for the rebuilt table"
t_wait_log "to=<bob@example.net>, relay=127.0.0.1\[127.0.0.1\]:$SPORT, .*dsn=2.0.0, status=sent" \
    || t_fail "no sent line"
t_assert_eq "relayuser" "$(a_msg_users relay)" "user of the delivered message"
t_assert_eq "True" "$(a_events relay '[e["ok"] for e in ev if e["event"] == "auth"][-1]')" \
    "the last authentication"
grep -e "$GOOD" -e "$WRONG" "$INST/maillog" && t_fail "a password reached the log"
t_pass
