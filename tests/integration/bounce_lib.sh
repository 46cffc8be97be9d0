# bounce_lib.sh - helpers for the t_bounce_*.sh tests; source it after lib.sh.
# There is no queue manager yet, so the tests play its part and the smtp
# client's: they submit a message over QMQP (it waits in incoming/), then
# speak the bounce protocol on private/bounce themselves (bounce_proto.py)
# and look at what the bounce service wrote: the logs, and the notices
# that cleanup queued in incoming/.

BP="$PY $T_ROOT/tests/integration/bounce_proto.py"

# b_instance [NAME=VALUE ...] - an instance whose master.cf runs the bounce service
b_instance() {
    t_instance "$@"
    # Until the default master.cf has the line (then this adds nothing).
    grep -Eq '^bounce[[:space:]]' "$INST/master.cf" \
	|| echo "bounce unix - - y - 0 bounce" >> "$INST/master.cf"
}

# b_submit MSG SENDER RCPT... - queue a message over QMQP; prints its queue id
b_submit() {
    local got
    got=$(t_qmqp "$QPORT" --request "$@")
    case $got in "REPLY K Ok: queued as "*) ;; *) t_fail "submission: $got" ;; esac
    echo "${got##* }"
}

# b_offset QID ADDRESS - the offset of the (first) recipient record for ADDRESS
b_offset() {
    local off
    off=$($BP rcpts "$SPOOL/incoming/$1" | awk -v a="$2" '$2 == a { print $1; exit }')
    [ -n "$off" ] || t_fail "no recipient $2 in $1"
    echo "$off"
}

# b_append LOG QID ADDRESS STATUS REMOTE_MTA DIAGNOSTIC REASON - one record; must succeed
b_append() {
    local log=$1 qid=$2 addr=$3 status=$4 action got
    shift 4
    case $status in 4.*) action=delayed ;; *) action=failed ;; esac
    got=$($BP append "$SPOOL" "$log" "$qid" "$addr" "$(b_offset "$qid" "$addr")" \
	"$status" "$action" "$@")
    t_assert_eq "STATUS 0 " "$got" "append $log record for $addr"
}

# b_notify WHAT QID - one notify request for incoming/QID; prints the answer line
b_notify() { $BP notify "$SPOOL" "$1" incoming "$2"; }

# b_ids - the queue ids in incoming/, sorted
b_ids() { ls "$SPOOL/incoming" | grep -E '^[0-9A-Z]{16}$' | sort; }

# b_new_ids BEFORE - ids in incoming/ not in the list BEFORE (one per line)
b_new_ids() {
    if [ -z "$1" ]; then b_ids; else b_ids | grep -vxF -e "$1" || true; fi
}

# b_envelope QID - "sender<TAB>rcpt1,rcpt2..." from posthorn queue -j
b_envelope() {
    $PH queue -j | $PY -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m["queue_id"] == sys.argv[1]:
        print(m["sender"] + "\t" + ",".join(r["address"] for r in m["recipients"]))
' "$1"
}

# b_content QID FILE - the message content of QID (from posthorn cat) into FILE
b_content() {
    $PH cat "$1" | sed -n '/^\*\*\* MESSAGE CONTENTS /,/^\*\*\* MESSAGE FILE END /p' \
	| sed '1d;$d' > "$2"
    [ -s "$2" ] || t_fail "no content for $1"
}

# b_dsn QID - parse the notice QID; the JSON summary goes to $T_TMP/QID.json
b_dsn() {
    b_content "$1" "$T_TMP/$1.eml"
    $BP dsn "$T_TMP/$1.eml" > "$T_TMP/$1.json" || t_fail "cannot parse notice $1"
}

# b_check QID PYTHON_EXPR... - each expression, over d (the JSON summary of
# notice QID), must be true; the first false one fails the test
b_check() {
    local qid=$1
    shift
    $PY - "$T_TMP/$qid.json" "$@" <<'PYEOF' || t_fail "notice $qid: check failed (see $T_TMP/$qid.eml)"
import json, sys
d = json.load(open(sys.argv[1]))
for expr in sys.argv[2:]:
    if not eval(expr):
        sys.exit("false: " + expr)
PYEOF
}
