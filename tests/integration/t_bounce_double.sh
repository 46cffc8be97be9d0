#!/bin/bash
# Never bounce a bounce: a failed message with the null sender is a double
# bounce, discarded by default and sent to 2bounce_notice_recipient from
# double-bounce@$myorigin when notify_classes has 2bounce; a failed
# postmaster notice (sender double-bounce@$myorigin) is always discarded;
# notify_classes "bounce" adds a postmaster copy (headers only) of an
# ordinary non-delivery notice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bounce_lib.sh"
b_instance myhostname=mx.example.net
t_start

# bounce_one SENDER - submit from SENDER to a@host.test, bounce it, notify;
# sets qid and new (the ids of the notices queued)
bounce_one() {
    local before
    qid=$(b_submit 'Subject: returned mail\n\nbody line\n' "$1" a@host.test)
    b_append bounce "$qid" a@host.test 5.1.1 mx1.host.test 'smtp; 550 5.1.1 no such user' 'no such user here'
    before=$(b_ids)
    t_assert_eq "STATUS 0 " "$(b_notify failed "$qid")" "notify failed for sender <$1>"
    new=$(b_new_ids "$before")
    [ ! -e "$SPOOL/bounce/$qid" ] || t_fail "bounce/$qid left after notify for sender <$1>"
}

# By default a double bounce is dropped, and logged.
bounce_one ''
t_assert_eq "" "$new" "notices for a double bounce with default notify_classes"
t_wait_log "$qid: double bounce discarded" || t_fail "discarded double bounce not logged"

$PH conf -e 'notify_classes=resource, software, 2bounce, bounce' \
    2bounce_notice_recipient=admin@example.net bounce_notice_recipient=pm-copy >/dev/null \
    || t_fail "conf -e"
$PH reload >/dev/null || t_fail "reload"
sleep 1

# With 2bounce: to the postmaster, from the double-bounce address.
bounce_one ''
t_assert_eq 1 "$(echo "$new" | grep -c .)" "notices for a double bounce with 2bounce"
t_assert_eq "$(printf 'double-bounce@mx.example.net\tadmin@example.net')" "$(b_envelope "$new")" \
    "double bounce envelope"
b_dsn "$new"
b_check "$new" \
    "d['subject'] == 'Postmaster Copy: Undelivered Mail'" \
    "d['to'] == '<admin@example.net>'" \
    "d['content_type'] == 'multipart/report'" \
    "d['parts'][1]['per_recipient'][0]['Final-Recipient'] == 'rfc822; a@host.test'" \
    "'X-Postfix-Sender' not in d['parts'][1]['per_message']" \
    "d['parts'][2]['return_path'] == '<>'"
t_wait_log "$qid: postmaster non-delivery notification: $new\$" || t_fail "double bounce not logged"

# A failed postmaster notice is never returned.
bounce_one double-bounce@mx.example.net
t_assert_eq "" "$new" "notices for a failed postmaster notice"
t_wait_log "$qid: undeliverable postmaster notification discarded" || t_fail "discard not logged"

# An ordinary bounce: the sender's notice and a postmaster copy with headers only.
bounce_one alice@example.org
t_assert_eq 2 "$(echo "$new" | grep -c .)" "notices with notify_classes bounce"
envs=$(for id in $new; do b_envelope "$id"; done | sort)
t_assert_eq "$(printf '\talice@example.org\ndouble-bounce@mx.example.net\tpm-copy@mx.example.net')" \
    "$envs" "sender notice and postmaster copy envelopes"
for id in $new; do
    case $(b_envelope "$id") in double-bounce*) copy=$id ;; *) notice=$id ;; esac
done
b_dsn "$copy"
b_check "$copy" \
    "d['subject'] == 'Postmaster Copy: Undelivered Mail'" \
    "d['parts'][2]['type'] == 'text/rfc822-headers'" \
    "'body line' not in d['parts'][2]['text']" \
    "'Subject: returned mail' in d['parts'][2]['text']"
b_dsn "$notice"
b_check "$notice" \
    "d['subject'] == 'Undelivered Mail Returned to Sender'" \
    "d['parts'][2]['type'] == 'message/rfc822'" \
    "d['parts'][2]['body'] == 'body line\n'"
t_wait_log "$qid: sender non-delivery notification: $notice\$" || t_fail "sender notice not logged"
t_wait_log "$qid: postmaster non-delivery notification: $copy\$" || t_fail "postmaster copy not logged"
t_pass
