#!/bin/bash
# nullmailer's QMQP client (/usr/lib/nullmailer/qmqp) submits a message that
# is accepted and queued as sent.
. "$(dirname "$0")/lib.sh"
[ -x "$NULLMAILER_QMQP" ] || t_fail "nullmailer qmqp client not installed ($NULLMAILER_QMQP)"
t_instance
t_ingest_only
t_start
printf 'nm@example.org\nrcpt1@host.test\nrcpt2@host.test\n\nSubject: from nullmailer\nFrom: nm@example.org\n\nbody line\n' > "$T_TMP/mail"
printf 'host=127.0.0.1\nport=%s\n' "$QPORT" | "$NULLMAILER_QMQP" 3<"$T_TMP/mail" > "$T_TMP/out" 2>&1
rc=$?
t_assert_eq 0 "$rc" "nullmailer qmqp exit status ($(cat "$T_TMP/out"))"
grep -q 'Ok: queued as' "$T_TMP/out" || t_fail "no queue id in nullmailer output: $(cat "$T_TMP/out")"
t_assert_eq 1 "$(t_queue_count)" "queued messages"
id=$(sed -n 's/.*queued as \([0-9A-Z]*\).*/\1/p' "$T_TMP/out" | head -1)
$PH cat "$id" > "$T_TMP/cat" || t_fail "posthorn cat $id"
grep -q '^sender: nm@example.org$' "$T_TMP/cat" || t_fail "sender"
grep -q '^recipient: rcpt2@host.test$' "$T_TMP/cat" || t_fail "recipient"
grep -q '^Subject: from nullmailer$' "$T_TMP/cat" || t_fail "content"
grep -q '^Received: from localhost (localhost \[127.0.0.1\])$' "$T_TMP/cat" || t_fail "Received header"
t_pass
