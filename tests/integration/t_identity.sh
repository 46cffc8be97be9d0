#!/bin/bash
# Identity parameters as in Postfix: myhostname (Received:, Message-Id),
# myorigin (unqualified envelope addresses), mydomain (the myhostname
# default), inet_interfaces and inet_protocols (where master listens).
. "$(dirname "$0")/lib.sh"
t_instance myhostname=mx.example.com myorigin=example.net
t_ingest_only
t_start
got=$(t_qmqp "$QPORT" --request 'Subject: id\n\nbody\n' alice bob)
case $got in "REPLY K"*) ;; *) t_fail "submission: $got" ;; esac
id=${got##* }
$PH cat "$id" > "$T_TMP/cat"
grep -q '^sender: alice@example.net$' "$T_TMP/cat" || t_fail "myorigin not appended to the sender"
grep -q '^recipient: bob@example.net$' "$T_TMP/cat" || t_fail "myorigin not appended to the recipient"
grep -q "by mx.example.com (posthorn) with QMQP id $id" "$T_TMP/cat" || t_fail "myhostname not in Received:"
grep -q "^Message-Id: <[0-9]*\.$id@mx.example.com>$" "$T_TMP/cat" || t_fail "myhostname not in Message-Id:"
grep -q '^From: alice@example.net$' "$T_TMP/cat" || t_fail "From: not added from the sender"
t_stop

# mydomain alone: myhostname is the FQDN from gethostname(), or the short name + .$mydomain.
$PH conf -e mydomain=example.org
sed -i '/^myhostname/d' "$INST/main.cf"
h=$(hostname)
case $h in *.*) want=$h ;; *) want=$h.example.org ;; esac
t_assert_eq "myhostname = $want" "$($PH conf -x myhostname)" "myhostname from mydomain"

# inet_interfaces/inet_protocols decide where a "port only" service listens.
sed -i "s/^127.0.0.1:$QPORT /$QPORT /" "$INST/master.cf"
$PH conf -e inet_interfaces=127.0.0.1
t_start
ss -Htln "sport = :$QPORT" | awk '{print $4}' > "$T_TMP/ss"
t_assert_eq "127.0.0.1:$QPORT" "$(cat "$T_TMP/ss")" "listeners with inet_interfaces=127.0.0.1"
t_stop
$PH conf -e inet_interfaces=all inet_protocols=ipv4
t_start
t_assert_eq "0.0.0.0:$QPORT" "$(ss -Htln "sport = :$QPORT" | awk '{print $4}')" \
    "listeners with inet_protocols=ipv4"
t_stop
if [ -s /proc/net/if_inet6 ]; then
    $PH conf -e inet_interfaces=loopback-only inet_protocols=all
    t_start
    t_assert_eq "127.0.0.1:$QPORT [::1]:$QPORT" \
	"$(ss -Htln "sport = :$QPORT" | awk '{print $4}' | sort | xargs)" \
	"listeners with loopback-only and both protocols"
    got=$(t_qmqp "$QPORT" --host ::1 --request 'Subject: v6\n\nbody\n' a@example.org b@example.org)
    case $got in "REPLY K"*) ;; *) t_fail "submission over IPv6: $got" ;; esac
    t_stop
fi
t_pass
