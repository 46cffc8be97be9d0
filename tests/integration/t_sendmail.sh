#!/bin/bash
# Local submission as cron, at and scripts do it: posthorn sendmail (run
# as "sendmail" and "mailq" through links, as the package installs it) as
# unprivileged users with a cron-like empty environment. pickup takes the
# user from the kernel: the envelope sender is LOGIN@$myorigin, the
# Received: header and the log say uid=N; -t takes To/Cc/Bcc and removes
# Bcc; a lone "." ends the message unless -i; a message over
# message_size_limit is refused (EX_UNAVAILABLE); a foreign -f is refused
# (EX_NOPERM) unless local_login_sender_maps allows it or the user is root;
# authorized_submit_users refuses a user; no recipients is EX_USAGE; a
# stopped instance is EX_TEMPFAIL. Nothing refused is queued.
. "$(dirname "$0")/lib.sh"
command -v runuser > /dev/null || t_fail "runuser (util-linux) is missing"
t_deliver_instance myorigin=host.example.net message_size_limit=100000 \
    'local_login_sender_maps=inline:{ { daemon = @lists.example.net } }' \
    'authorized_submit_users=!games, static:anyone'
t_sink "$SPORT" "$T_TMP/sink"
t_start
t_stage_for_user nobody "$POSTHORN"
ln -s posthorn "$T_STAGE/sendmail" && ln -s posthorn "$T_STAGE/mailq" || t_fail "links"

# as USER ARGS... - sendmail as USER in the environment cron gives a job
as() {
    local user=$1; shift
    runuser -u "$user" -- env -i PATH=/usr/bin:/bin SHELL=/bin/sh HOME=/ LOGNAME="$user" \
	"$T_STAGE/sendmail" -C "$INST" "$@"
}
# sunk SUBJECT - the sink's file of the message with this subject, once there
sunk() {
    t_wait_until 10 sh -c "grep -l '^Subject: $1\$' '$T_TMP'/sink/m.* > /dev/null 2>&1" \
	|| t_fail "message '$1' did not arrive"
    grep -l "^Subject: $1\$" "$T_TMP"/sink/m.*
}
# refused STATUS WHAT USER ARGS... - exit STATUS, a reason, nothing queued or
# sent; the message is "Subject: WHAT", or $HEAD and a body when set
refused() {
    local want=$1 what=$2 user=$3 rc; shift 3
    local before; before=$(ls "$T_TMP/sink" | wc -l)
    printf '%s\n\nbody\n' "${HEAD:-Subject: $what}" | as "$user" "$@" > "$T_TMP/out" 2>&1
    rc=$?
    t_assert_eq "$want" "$rc" "exit status of $what"
    grep -q "^sendmail: ." "$T_TMP/out" || t_fail "$what: no reason given: $(cat "$T_TMP/out")"
    sleep 0.5
    t_assert_eq 0 "$(t_queue_count)" "messages queued after $what"
    t_assert_eq "$before" "$(ls "$T_TMP/sink" | wc -l)" "messages sent after $what"
}
UID_N=$(id -u nobody)

# 1. Debian cron's own command line and message, as the job's user.
printf 'From: root (Cron Daemon)\nTo: nobody\nSubject: Cron <nobody@box> true\nMIME-Version: 1.0\nX-Cron-Env: <SHELL=/bin/sh>\n\noutput of the job\n' \
    | as nobody -FCronDaemon -i -B8BITMIME -oem cronjob@example.net || t_fail "cron-style sendmail failed"
f=$(sunk 'Cron <nobody@box> true')
grep -q '^X-Mail-Args: <nobody@host.example.net>' "$f" || t_fail "envelope sender not LOGIN@\$myorigin: $(grep X-Mail "$f")"
grep -q '^X-Rcpt-Args: <cronjob@example.net>' "$f" || t_fail "cron recipient"
grep -q "^Received: by [^ ]* (posthorn, uid=$UID_N)" "$f" || t_fail "Received: does not name uid=$UID_N"
grep -q '^From: root (Cron Daemon)$' "$f" || t_fail "the message's own From: was changed"
grep -q '^Date: ' "$f" && grep -q '^Message-Id: <' "$f" || t_fail "Date: or Message-Id: not added"
t_wait_log "posthorn/pickup\\[[0-9]*\\]: [0-9A-Z]*: uid=$UID_N from=<nobody@host.example.net>" \
    || t_fail "pickup did not log uid=$UID_N"

# 2. -t: To, Cc and Bcc are the recipients, Bcc is gone; "." ends the message.
printf 'To: "Doe, J." <to@example.net>\nCc: cc@example.net\nBcc: hidden@example.net,\n hidden2@example.net\nSubject: extract\n\nbefore\n.\nafter\n' \
    | as nobody -t || t_fail "sendmail -t failed"
f=$(sunk extract)
for r in to cc hidden hidden2; do
    grep -q "^X-Rcpt-Args: <$r@example.net>" "$f" || t_fail "-t: $r@example.net not a recipient"
done
grep -qi '^Bcc:' "$f" && t_fail "Bcc: was not removed"
grep -q 'hidden' <(sed '1,/^$/d' "$f") && t_fail "a Bcc address is still in the message"
grep -q '^before$' "$f" || t_fail "body lost"
grep -q '^after$' "$f" && t_fail "the line after a lone '.' was sent (no -i)"
grep -q '^From: nobody <nobody@host.example.net>$' "$f" || t_fail "From: not added with the account's name: $(grep '^From:' "$f")"

# 3. -i keeps a lone "."; -F names the sender; -f with one's own login is fine.
printf 'Subject: dots\n\nbefore\n.\nafter\n' | as nobody -i -F 'Job "Runner"' -f nobody dots@example.net \
    || t_fail "sendmail -i -F -f nobody failed"
f=$(sunk dots)
grep -q '^after$' "$f" || t_fail "-i: the line after '.' was lost"
grep -q '^From: "Job \\"Runner\\"" <nobody@host.example.net>$' "$f" || t_fail "-F: $(grep '^From:' "$f")"

# 4. Refusals: a foreign sender, a user not allowed, no recipients, bad options.
refused 77 foreign nobody -f postmaster@host.example.net x@example.net
grep -q "may not use the sender address <postmaster@host.example.net>" "$T_TMP/out" || t_fail "foreign -f reason"
t_wait_log "warning: uid=$UID_N: user nobody may not use the sender address" || t_fail "foreign -f not logged"
refused 77 notallowed games x@example.net
grep -q "not in authorized_submit_users" "$T_TMP/out" || t_fail "authorized_submit_users reason"
refused 64 norcpt nobody -t
refused 64 badopt nobody -bs
HEAD='To: "unbalanced <a@example.net>' refused 65 malformed nobody -t
grep -q "malformed address in the To header field" "$T_TMP/out" || t_fail "malformed To: reason"
# Over message_size_limit: pickup stops reading and says so; sendmail reports it.
(printf 'Subject: big\n\n'; head -c 400000 /dev/zero | tr '\0' x | fold -w 70) \
    | as nobody big@example.net > "$T_TMP/out" 2>&1
t_assert_eq 69 "$?" "exit status of a message over message_size_limit"
grep -q "^sendmail: message file too big" "$T_TMP/out" || t_fail "too big: $(cat "$T_TMP/out")"
t_wait_log "message rejected: message_size_limit 100000 exceeded" || t_fail "too big: not logged"
# A refused -f as another user is not a way around it: the tables decide by login.
refused 77 daemon-foreign daemon -f someone@example.net x@example.net

# 5. local_login_sender_maps lets daemon use its list domain; root may use any.
printf 'Subject: listmail\n\nx\n' | as daemon -f announce@lists.example.net l@example.net \
    || t_fail "allowed -f refused"
grep -q '^X-Mail-Args: <announce@lists.example.net>' "$(sunk listmail)" || t_fail "allowed -f not used"
printf 'Subject: rootmail\n\nx\n' | env -i PATH=/usr/bin:/bin "$T_STAGE/sendmail" -C "$INST" -f '<>' r@example.net \
    || t_fail "root -f <> refused"
grep -q '^X-Mail-Args: <>' "$(sunk rootmail)" || t_fail "root's null sender not used"

# 6. mailq through its link, as a user; posthorn sendmail -bp is the same.
runuser -u nobody -- env -i PATH=/usr/bin:/bin "$T_STAGE/mailq" -C "$INST" > "$T_TMP/mailq" 2>&1 \
    || t_fail "mailq failed: $(cat "$T_TMP/mailq")"
grep -q "Mail queue is empty\|Queue ID" "$T_TMP/mailq" || t_fail "mailq output: $(cat "$T_TMP/mailq")"

# 7. The instance stopped: EX_TEMPFAIL and a clear message.
t_stop
printf 'Subject: down\n\nx\n' | as nobody x@example.net > "$T_TMP/out" 2>&1
t_assert_eq 75 "$?" "exit status with the instance stopped"
grep -q "is posthorn running" "$T_TMP/out" || t_fail "stopped instance: $(cat "$T_TMP/out")"
t_pass
