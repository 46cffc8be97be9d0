#!/bin/bash
# posthorn-smtp(8) turns failures into the right per-recipient results, log lines and
# hop status: connection refused and 4xx greetings defer with a hop status;
# a 5xx greeting is skipped (no hop status), or bounces with
# smtp_skip_5xx_greeting=no; RCPT 4xx defers one recipient and RCPT 5xx
# bounces one (multi-line reply kept whole); MAIL and DATA rejections and
# the reply to "." concern all; 421 defers; a connection lost after "."
# defers with "message may be sent more than once" and a hop status; a
# message over the server's SIZE is bounced without MAIL; a silent server
# times out after smtp_helo_timeout (and smtp_bind_address is the source
# address). Bounces need the bounce service: without it (no private/bounce)
# the recipient must stay pending, deferred; with it, bounced and done.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp_lib.sh"
s_setup
cat >> "$INST/master.cf" <<EOF
smtpnoskip   unix       -       -       y       -       -       smtp -o smtp_skip_5xx_greeting=no
smtpquick    unix       -       -       y       -       -       smtp -o smtp_helo_timeout=1s -o smtp_bind_address=127.0.0.9
EOF
$PH reload >/dev/null || t_fail "reload"
t_wait_until 10 test -S "$SPOOL/private/smtpnoskip" || t_fail "private/smtpnoskip did not appear"
A=$(s_addr)

# 1. Connection refused: deferred, relay=none, hop status.
P=$(t_port)
id=$(s_submit 'Subject: t1\n\nbody\n' s@example.org u1@example.net)
got=$(s_deliver "$id" "[$A]:$P")
t_assert_eq "REPLY status=1 hop_status=4.4.1 hop_reason=connect to ${A}[$A]:$P: Connection refused" \
    "$got" "reply after connection refused"
t_wait_log "smtp\[[0-9]+\]: connect to $A\[$A\]:$P: Connection refused$" || t_fail "no connect line"
t_wait_log "$id: to=<u1@example.net>, relay=none, delay=[0-9.]+, delays=[0-9./]+, dsn=4.4.1, status=deferred \(connect to $A\[$A\]:$P: Connection refused\)" \
    || t_fail "no deferred line for connection refused"
t_assert_eq "u1@example.net" "$(s_pending "$id")" "pending after connection refused"

# 2. A 421 greeting: deferred with a hop status.
P=$(t_port)
s_server g421 "$A" "$P" --greet "421 4.3.2 Service not available, closing"
id=$(s_submit 'Subject: t2\n\nbody\n' s@example.org u2@example.net)
got=$(s_deliver "$id" "[$A]:$P")
t_assert_eq "REPLY status=1 hop_status=4.3.2 hop_reason=host ${A}[$A] refused to talk to me: 421 4.3.2 Service not available, closing" \
    "$got" "reply after a 421 greeting"
t_wait_log "$id: to=<u2@example.net>, relay=$A\[$A\]:$P, .*dsn=4.3.2, status=deferred \(host $A\[$A\] refused to talk to me: 421 4.3.2 Service not available, closing\)" \
    || t_fail "no deferred line for a 421 greeting"

# 3. A 554 greeting: skipped by default (deferred, no hop status); bounced with skip off.
P=$(t_port)
s_server g554 "$A" "$P" --greet "554 5.7.1 go away"
id=$(s_submit 'Subject: t3\n\nbody\n' s@example.org u3@example.net)
got=$(s_deliver "$id" "[$A]:$P")
t_assert_eq "REPLY status=1 hop_status= hop_reason=" "$got" "reply after a 554 greeting"
t_wait_log "$id: to=<u3@example.net>, .*dsn=4.7.1, status=deferred \(host $A\[$A\] refused to talk to me: 554 5.7.1 go away\)" \
    || t_fail "5xx greeting not deferred"
id=$(s_submit 'Subject: t3b\n\nbody\n' s@example.org u3b@example.net)
got=$(s_deliver "$id" "[$A]:$P" --service smtpnoskip)
expect_bounced "$id" u3b@example.net 5.7.1 "host $A\[$A\] refused to talk to me: 554 5.7.1 go away\)"

# 4. RCPT: 250, 450, multi-line 550 in one transaction.
P=$(t_port)
s_server rcpt "$A" "$P" --rcpt-reply "tmp@example.net=450 4.2.0 <tmp@example.net>: try later" \
    --rcpt-reply "bad@example.net=550-5.1.1 <bad@example.net>: no such user|550 5.1.1 really not here"
id=$(s_submit 'Subject: t4\n\nbody\n' s@example.org good@example.net tmp@example.net bad@example.net)
got=$(s_deliver "$id" "[$A]:$P")
t_assert_eq "REPLY status=1 hop_status= hop_reason=" "$got" "reply after mixed RCPT results"
t_wait_log "$id: to=<good@example.net>, .*dsn=2.0.0, status=sent \(250 2.0.0 Ok: queued as SINK1\)" \
    || t_fail "good recipient not sent"
t_wait_log "$id: to=<tmp@example.net>, relay=$A\[$A\]:$P, .*dsn=4.2.0, status=deferred \(host $A\[$A\] said: 450 4.2.0 <tmp@example.net>: try later \(in reply to RCPT TO command\)\)" \
    || t_fail "450 recipient not deferred"
expect_bounced "$id" bad@example.net 5.1.1 \
    "host $A\[$A\] said: 550-5.1.1 <bad@example.net>: no such user 550 5.1.1 really not here \(in reply to RCPT TO command\)\)"
s_done "$id" | grep -qx good@example.net || t_fail "sent recipient not done"
s_pending "$id" | grep -qx tmp@example.net || t_fail "deferred recipient done"
t_assert_eq 1 "$(grep -c '^.*"rcpts": \["<good@example.net>"\]' "$T_TMP/rcpt/events.jsonl")" \
    "message sent once, to the accepted recipient only"

# 5. MAIL FROM rejected: every recipient, no DATA content.
P=$(t_port)
s_server mail "$A" "$P" --mail-reply "553 5.1.8 <s@example.org>: Sender address rejected"
id=$(s_submit 'Subject: t5\n\nbody\n' s@example.org m1@example.net)
s_deliver "$id" "[$A]:$P" >/dev/null
expect_bounced "$id" m1@example.net 5.1.8 \
    "host $A\[$A\] said: 553 5.1.8 <s@example.org>: Sender address rejected \(in reply to MAIL FROM command\)\)"
[ -e "$T_TMP/mail/msg-1.raw" ] && t_fail "content sent after MAIL was rejected"

# 6. Postfix's smtp-sink: DATA refused (5xx), "." refused (4xx), 421 at MAIL.
P=$(t_port)
s_sink sinkdata "$A:$P" -f DATA
id=$(s_submit 'Subject: t6\n\nbody\n' s@example.org d1@example.net)
s_deliver "$id" "[$A]:$P" >/dev/null
expect_bounced "$id" d1@example.net 5.3.0 "host $A\[$A\] said: 500 5.3.0 Error: command failed \(in reply to DATA command\)\)"
P=$(t_port)
s_sink sinkdot "$A:$P" -r .
id=$(s_submit 'Subject: t6b\n\nbody\n' s@example.org d2@example.net)
got=$(s_deliver "$id" "[$A]:$P")
t_assert_eq "REPLY status=1 hop_status= hop_reason=" "$got" "reply after \".\" got 450"
t_wait_log "$id: to=<d2@example.net>, .*dsn=4.3.0, status=deferred \(host $A\[$A\] said: 450 4.3.0 Error: command failed \(in reply to end of DATA command\)\)" \
    || t_fail "450 after . not deferred"
P=$(t_port)
s_sink sink421 "$A:$P" -Q MAIL
id=$(s_submit 'Subject: t6c\n\nbody\n' s@example.org d3@example.net)
got=$(s_deliver "$id" "[$A]:$P")
case $got in "REPLY status=1 hop_status= "*) ;; *) t_fail "reply after 421 at MAIL: $got" ;; esac
t_wait_log "$id: to=<d3@example.net>, .*status=deferred \(host $A\[$A\] said: 421 .* \(in reply to MAIL FROM command\)\)" \
    || t_fail "421 at MAIL not deferred"

# 7. Connection lost after ".": deferred, the message may have been delivered;
# the destination failed (hop status).
P=$(t_port)
s_server drop "$A" "$P" --drop-after-dot
id=$(s_submit 'Subject: t7\n\nbody\n' s@example.org l1@example.net)
got=$(s_deliver "$id" "[$A]:$P")
# As in Postfix, a broken conversation counts against the destination.
t_assert_eq "REPLY status=1 hop_status=4.4.2 hop_reason=lost connection with ${A}[$A] while sending end of data" \
    "$got" "reply after a loss after ."
t_wait_log "$id: to=<l1@example.net>, .*dsn=4.4.2, status=deferred \(lost connection with $A\[$A\] while sending end of data -- message may be sent more than once\)" \
    || t_fail "loss after . not deferred"
t_assert_eq "l1@example.net" "$(s_pending "$id")" "pending after loss after ."

# 8. SIZE: a message larger than the server's limit is bounced without MAIL.
P=$(t_port)
s_server small "$A" "$P" --size 100
id=$(s_submit 'Subject: t8\n\nthis message is longer than one hundred bytes, with the headers that get added\n' \
    s@example.org z1@example.net)
s_deliver "$id" "[$A]:$P" >/dev/null
expect_bounced "$id" z1@example.net 5.3.4 "message size [0-9]+ exceeds size limit 100 of server $A\[$A\]\)"
grep -q '^MAIL' "$T_TMP/small/conn-1.raw" && t_fail "MAIL sent for a message over SIZE"

# 9. A server that never greets: smtp_helo_timeout; smtp_bind_address is the source.
P=$(t_port)
s_server mute "$A" "$P" --silent
id=$(s_submit 'Subject: t10\n\nbody\n' s@example.org q1@example.net)
got=$(s_deliver "$id" "[$A]:$P" --service smtpquick)
t_assert_eq "REPLY status=1 hop_status=4.4.2 hop_reason=conversation with ${A}[$A] timed out while receiving the initial server greeting" \
    "$got" "reply after a greeting timeout"
s_events mute | grep -q '"peer": "127.0.0.9"' || t_fail "smtp_bind_address not used"

# 10. With a bounce service: the bounce path for real (bounce record, then done;
# the deferred recipient in the defer log).
if ! s_bounce_service && [ -x "$T_BUILD/libexec/bounce" ]; then
    echo "bounce       unix       -       -       y       -       0       bounce" >> "$INST/master.cf"
    $PH reload >/dev/null || t_fail "reload"
    t_wait_until 10 test -S "$SPOOL/private/bounce" || t_fail "private/bounce did not appear"
fi
if s_bounce_service; then
    id=$(s_submit 'Subject: t9\n\nbody\n' s@example.org good@example.net tmp@example.net bad@example.net)
    P=$(t_port)
    s_server rcpt2 "$A" "$P" --rcpt-reply "tmp@example.net=450 4.2.0 <tmp@example.net>: try later" \
	--rcpt-reply "bad@example.net=550 5.1.1 <bad@example.net>: no such user"
    s_deliver "$id" "[$A]:$P" >/dev/null
    expect_bounced "$id" bad@example.net 5.1.1 "host $A\[$A\] said: 550 5.1.1 <bad@example.net>: no such user \(in reply to RCPT TO command\)\)"
    [ -s "$SPOOL/bounce/$id" ] || t_fail "no bounce log for $id"
    [ -s "$SPOOL/defer/$id" ] || t_fail "no defer log for $id"
    t_assert_eq "tmp@example.net" "$(s_pending "$id")" "pending with a bounce service"
fi
t_log_has 'fatal|panic' && t_fail "fatal errors in the log"
t_pass
