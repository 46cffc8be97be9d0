#!/bin/bash
# A bounce record appended over private/bounce lands in bounce/ID; a FAILED
# notification then queues one RFC 3464 report (null sender, to the sender)
# through cleanup, removes bounce/ID and logs it as Postfix does; asking
# again finds nothing to do. Bad requests get status 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bounce_lib.sh"
b_instance myhostname=mx.example.net
t_start

qid=$(b_submit 'Subject: the original\nMessage-Id: <orig1@example.org>\n\nfirst body line\nsecond body line\n' \
    alice@example.org a@host.test b@host.test)
diag='smtp; 550 5.1.1 <b@host.test>: Recipient address rejected: User unknown in local recipient table'
reason="host mx1.host.test[192.0.2.1] said: ${diag#smtp; } (in reply to RCPT TO command)"
b_append bounce "$qid" b@host.test 5.1.1 mx1.host.test "$diag" "$reason"

# The record, as a reader sees it.
log=$SPOOL/bounce/$qid
[ -f "$log" ] || t_fail "no bounce/$qid"
t_assert_eq 600 "$(stat -c %a "$log")" "mode of bounce/$qid"
t_assert_eq "$(stat -c %U "$SPOOL/incoming/$qid")" "$(stat -c %U "$log")" "owner of bounce/$qid"
t_assert_eq 1 "$(wc -l < "$log")" "records in bounce/$qid"
$BP log "$log" | $PY -c '
import json, sys
r = json.loads(sys.stdin.readline())
want = {"address": "b@host.test", "offset": sys.argv[1], "status": "5.1.1", "action": "failed",
        "remote_mta": "mx1.host.test", "diagnostic": sys.argv[2], "reason": sys.argv[3]}
for k, v in want.items():
    assert r.get(k) == v, (k, r.get(k), v)
assert abs(int(r["time"]) - int(sys.argv[4])) < 60, r["time"]
' "$(b_offset "$qid" b@host.test)" "$diag" "$reason" "$(date +%s)" || t_fail "bounce/$qid record is wrong"

# The notification.
before=$(b_ids)
got=$(b_notify failed "$qid")
t_assert_eq "STATUS 0 " "$got" "notify failed"
[ ! -e "$log" ] || t_fail "bounce/$qid still there after the notification"
new=$(b_new_ids "$before")
t_assert_eq 1 "$(echo "$new" | grep -c .)" "new messages after the notification"
t_assert_eq "$(printf '\talice@example.org')" "$(b_envelope "$new")" "notice envelope (null sender, to the sender)"
t_wait_log "posthorn/bounce\[[0-9]+\]: $qid: sender non-delivery notification: $new\$" \
    || t_fail "no 'sender non-delivery notification: $new' log line"
b_dsn "$new"
b_check "$new" \
    'd["content_type"] == "multipart/report"' \
    'd["report_type"] == "delivery-status"' \
    'd["defects"] == []' \
    'd["from"] == "Mail Delivery System <MAILER-DAEMON@mx.example.net>"' \
    'd["subject"] == "Undelivered Mail Returned to Sender"' \
    'd["to"] == "<alice@example.org>"' \
    'd["auto_submitted"] == "auto-replied"' \
    'd["received"].startswith("by mx.example.net (posthorn) id ")' \
    '[p["type"] for p in d["parts"]] == ["text/plain", "message/delivery-status", "message/rfc822"]' \
    '"<b@host.test>: host mx1.host.test[192.0.2.1] said: 550 5.1.1" in d["parts"][0]["text"]' \
    '"a@host.test" not in json.dumps(d)' \
    'd["parts"][1]["per_message"]["Reporting-MTA"] == "dns; mx.example.net"' \
    'd["parts"][1]["per_message"]["X-Postfix-Sender"] == "rfc822; alice@example.org"' \
    'len(d["parts"][1]["per_recipient"]) == 1' \
    'd["parts"][1]["per_recipient"][0]["Final-Recipient"] == "rfc822; b@host.test"' \
    'd["parts"][1]["per_recipient"][0]["Action"] == "failed"' \
    'd["parts"][1]["per_recipient"][0]["Status"] == "5.1.1"' \
    'd["parts"][1]["per_recipient"][0]["Remote-MTA"] == "dns; mx1.host.test"' \
    'd["parts"][1]["per_recipient"][0]["Diagnostic-Code"] == "smtp; 550 5.1.1 <b@host.test>: Recipient address rejected: User unknown in local recipient table"' \
    'd["parts"][2]["return_path"] == "<alice@example.org>"' \
    'd["parts"][2]["subject"] == "the original"' \
    'd["parts"][2]["body"] == "first body line\nsecond body line\n"'
grep -q "^X-Postfix-Queue-ID: $qid\$" "$T_TMP/$new.eml" || t_fail "X-Postfix-Queue-ID is not $qid"
grep -q "^	boundary=\"$qid\.[0-9]*/mx.example.net\"\$" "$T_TMP/$new.eml" || t_fail "boundary is not QUEUEID.TIME/myhostname"
grep -q "^	id $new; " "$T_TMP/$new.eml" || t_fail "Received: does not name the notice's id $new"
grep -qi '^Message-Id: <' "$T_TMP/$new.eml" || t_fail "cleanup did not add Message-Id:"
grep -q '^Date: ' "$T_TMP/$new.eml" || t_fail "cleanup did not add Date:"
[ "$(awk '{ if (length($0) > 78) n++ } END { print n + 0 }' "$T_TMP/$new.eml")" = 0 ] \
    || t_fail "report lines longer than 78 characters: long diagnostic not folded"

# Nothing more to do: no log, no notice.
before=$(b_ids)
t_assert_eq "STATUS 0 " "$(b_notify failed "$qid")" "second notify failed"
t_assert_eq "" "$(b_new_ids "$before")" "messages after a notification with no log"

# Bad requests are answered with status 1 and change nothing.
case $($BP notify "$SPOOL" failed ../incoming "$qid") in "STATUS 1 "*) ;; *) t_fail "bad queue name accepted" ;; esac
case $($BP notify "$SPOOL" sideways incoming "$qid") in "STATUS 1 "*) ;; *) t_fail "bad notify accepted" ;; esac
case $($BP raw "$SPOOL" request=bogus) in "STATUS 1 unknown request"*) ;; *) t_fail "unknown request accepted" ;; esac
case $($BP append "$SPOOL" bounce "$qid" b@host.test 1 550 failed "" "" "") in "STATUS 1 "*"bad status"*) ;;
    *) t_fail "bad status accepted" ;; esac
case $($BP append "$SPOOL" bounce ../../etc/x b@host.test 1 5.1.1 failed "" "" "") in "STATUS 1 "*) ;;
    *) t_fail "bad queue id accepted" ;; esac
[ ! -e "$log" ] || t_fail "a refused append wrote bounce/$qid"
# A notify for a message that is gone keeps the log: qmgr asks again.
b_append bounce "$qid" a@host.test 5.1.1 "" "" "gone"
rm -f "$SPOOL/incoming/$qid"
case $(b_notify failed "$qid") in "STATUS 1 "*"open queue file incoming/$qid"*) ;;
    *) t_fail "notify without a queue file did not fail" ;; esac
[ -s "$log" ] || t_fail "bounce/$qid was lost when the notification failed"
t_pass
