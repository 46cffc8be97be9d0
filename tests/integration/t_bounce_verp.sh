#!/bin/bash
# VERP (docs/protocols.md §3.4): an ezmlm-style message whose two recipients
# bounced gets two notices, each to the sender expanded for its recipient
# (list-return-12-bad1=host.test@example.org), each naming only that
# recipient, as ezmlm-return expects. With disable_verp_bounces = yes, one
# notice for both goes to the unexpanded sender.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bounce_lib.sh"
b_instance myhostname=mx.example.net
t_start

# b_verp_case - submit, bounce two of three recipients, notify; sets qid and new
b_verp_case() {
    qid=$(b_submit 'From: list@example.org\nSubject: post 12\n\nbody\n' \
	'list-return-12-@example.org-@[]' bad1@host.test good@host.test bad2@other.test)
    b_append bounce "$qid" bad1@host.test 5.1.1 mx1.host.test 'smtp; 550 5.1.1 no such user bad1' 'bad1 reason'
    b_append bounce "$qid" bad2@other.test 5.2.2 mx2.other.test 'smtp; 552 5.2.2 mailbox full bad2' 'bad2 reason'
    local before
    before=$(b_ids)
    t_assert_eq "STATUS 0 " "$(b_notify failed "$qid")" "notify failed"
    new=$(b_new_ids "$before")
}

b_verp_case
t_assert_eq 2 "$(echo "$new" | grep -c .)" "notices for two failed VERP recipients"
envs=$(for id in $new; do b_envelope "$id"; done | sort)
t_assert_eq "$(printf '\tlist-return-12-bad1=host.test@example.org\n\tlist-return-12-bad2=other.test@example.org')" \
    "$envs" "notice envelopes (null sender, expanded senders)"
for id in $new; do
    b_dsn "$id"
    to=$(b_envelope "$id" | cut -f2)
    case $to in *bad1*) mine=bad1@host.test other=bad2 status=5.1.1 ;;
		*) mine=bad2@other.test other=bad1 status=5.2.2 ;; esac
    b_check "$id" \
	"d['content_type'] == 'multipart/report'" \
	"d['to'] == '<$to>'" \
	"len(d['parts'][1]['per_recipient']) == 1" \
	"d['parts'][1]['per_recipient'][0]['Final-Recipient'] == 'rfc822; $mine'" \
	"d['parts'][1]['per_recipient'][0]['Status'] == '$status'" \
	"'$other' not in d['parts'][1]['per_recipient'][0]['Diagnostic-Code']" \
	"'good@host.test' not in json.dumps(d['parts'][:2])" \
	"d['parts'][1]['per_message']['X-Postfix-Sender'] == 'rfc822; list-return-12@example.org'"
    t_wait_log "$qid: sender non-delivery notification: $id\$" || t_fail "notice $id not logged"
done

# One notice for both when VERP bounces are disabled.
$PH conf -e disable_verp_bounces=yes >/dev/null || t_fail "conf -e"
$PH reload >/dev/null || t_fail "reload"
sleep 1
b_verp_case
t_assert_eq 1 "$(echo "$new" | grep -c .)" "notices with disable_verp_bounces = yes"
t_assert_eq "$(printf '\tlist-return-12@example.org')" "$(b_envelope "$new")" "notice envelope without VERP"
b_dsn "$new"
b_check "$new" "len(d['parts'][1]['per_recipient']) == 2"
t_pass
