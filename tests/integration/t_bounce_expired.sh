#!/bin/bash
# Delay warnings and expiry, from the defer log. DELAYED warns about the
# recipients not done that have a defer record (Action: delayed, the last
# reason, Will-Retry-Until, headers only) and keeps both logs. EXPIRED
# returns every recipient not done, with its last defer reason (4.x.x kept,
# Action: failed) or 4.4.7 "delivery time expired", plus the bounce log's
# recipients; delivered ones are left out; it logs Postfix's
# "from=<...>, status=expired, returned to sender" and removes bounce/ID.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bounce_lib.sh"
b_instance myhostname=mx.example.net
t_start

qid=$(b_submit 'Subject: slow mail\n\nthe body\n' alice@example.org \
    a@host.test b@host.test c@host.test d@host.test)
b_append defer "$qid" a@host.test 4.2.0 mx1.host.test 'smtp; 450 4.2.0 first try' 'first reason'
b_append defer "$qid" a@host.test 4.4.1 '' '' 'connect to mx1.host.test[192.0.2.1]:25: Connection timed out'
b_append defer "$qid" c@host.test 4.4.1 '' '' 'c was late'
b_append bounce "$qid" d@host.test 5.1.1 mx1.host.test 'smtp; 550 5.1.1 unknown d' 'unknown d'
# c was delivered on a later attempt, d is done because it bounced.
$BP mark "$SPOOL/incoming/$qid" "$(b_offset "$qid" c@host.test)" || t_fail "mark c"
$BP mark "$SPOOL/incoming/$qid" "$(b_offset "$qid" d@host.test)" || t_fail "mark d"
t_assert_eq 3 "$(wc -l < "$SPOOL/defer/$qid")" "records in defer/$qid"

# The delay warning.
before=$(b_ids)
t_assert_eq "STATUS 0 " "$(b_notify delayed "$qid")" "notify delayed"
new=$(b_new_ids "$before")
t_assert_eq 1 "$(echo "$new" | grep -c .)" "delay warnings"
t_assert_eq "$(printf '\talice@example.org')" "$(b_envelope "$new")" "delay warning envelope"
b_dsn "$new"
b_check "$new" \
    "d['subject'] == 'Delayed Mail (still being retried)'" \
    "d['content_type'] == 'multipart/report' and d['report_type'] == 'delivery-status'" \
    "[p['type'] for p in d['parts']] == ['text/plain', 'message/delivery-status', 'text/rfc822-headers']" \
    "len(d['parts'][1]['per_recipient']) == 1" \
    "d['parts'][1]['per_recipient'][0]['Final-Recipient'] == 'rfc822; a@host.test'" \
    "d['parts'][1]['per_recipient'][0]['Action'] == 'delayed'" \
    "d['parts'][1]['per_recipient'][0]['Status'] == '4.4.1'" \
    "d['parts'][1]['per_recipient'][0]['Diagnostic-Code'] == 'X-Postfix; connect to mx1.host.test[192.0.2.1]:25: Connection timed out'" \
    "'Will-Retry-Until' in d['parts'][1]['per_recipient'][0]" \
    "'Subject: slow mail' in d['parts'][2]['text'] and 'the body' not in d['parts'][2]['text']"
t_wait_log "$qid: sender delay notification: $new\$" || t_fail "delay warning not logged"
[ -s "$SPOOL/defer/$qid" ] || t_fail "delay warning removed defer/$qid"
[ -s "$SPOOL/bounce/$qid" ] || t_fail "delay warning removed bounce/$qid"

# Expiry.
before=$(b_ids)
t_assert_eq "STATUS 0 " "$(b_notify expired "$qid")" "notify expired"
new=$(b_new_ids "$before")
t_assert_eq 1 "$(echo "$new" | grep -c .)" "notices on expiry"
t_assert_eq "$(printf '\talice@example.org')" "$(b_envelope "$new")" "expiry notice envelope"
b_dsn "$new"
b_check "$new" \
    "d['subject'] == 'Undelivered Mail Returned to Sender'" \
    "[p['type'] for p in d['parts']] == ['text/plain', 'message/delivery-status', 'message/rfc822']" \
    "[r['Final-Recipient'] for r in d['parts'][1]['per_recipient']] == ['rfc822; a@host.test', 'rfc822; b@host.test', 'rfc822; d@host.test']" \
    "[r['Action'] for r in d['parts'][1]['per_recipient']] == ['failed'] * 3" \
    "[r['Status'] for r in d['parts'][1]['per_recipient']] == ['4.4.1', '4.4.7', '5.1.1']" \
    "d['parts'][1]['per_recipient'][0]['Diagnostic-Code'] == 'X-Postfix; connect to mx1.host.test[192.0.2.1]:25: Connection timed out'" \
    "d['parts'][1]['per_recipient'][1]['Diagnostic-Code'] == 'X-Postfix; delivery time expired'" \
    "d['parts'][1]['per_recipient'][2]['Diagnostic-Code'] == 'smtp; 550 5.1.1 unknown d'" \
    "'c@host.test' not in json.dumps(d)" \
    "'<a@host.test>: connect to mx1.host.test' in d['parts'][0]['text']" \
    "'<b@host.test>: delivery time expired' in d['parts'][0]['text']" \
    "d['parts'][2]['body'] == 'the body\n'"
t_wait_log "posthorn/bounce\[[0-9]+\]: $qid: from=<alice@example.org>, status=expired, returned to sender\$" \
    || t_fail "expiry not logged"
t_wait_log "$qid: sender non-delivery notification: $new\$" || t_fail "expiry notice not logged"
[ ! -e "$SPOOL/bounce/$qid" ] || t_fail "bounce/$qid left after expiry"
t_pass
