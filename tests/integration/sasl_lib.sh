# sasl_lib.sh - helpers for the SMTP AUTH integration tests (source after lib.sh).
# The peer is smtp_auth_server.py (aiosmtpd with CRAM-MD5 added), which
# records connections, AUTH commands and results, and messages with the
# user they were sent under in $T_TMP/NAME/events.jsonl.

# sasl_maps KEY=USER:PASSWORD... - a table spec for smtp_sasl_password_maps:
# a hash: table (Berkeley DB) in $T_TMP, built with posthorn map as an
# administrator would, so every SASL test also exercises the table path
# (a fresh file per call: the tests change their tables between cases)
sasl_maps() {
    local src e
    src=$(mktemp "$T_TMP/sasl_passwd.XXXXXX") || t_fail "mktemp failed"
    for e in "$@"; do
	printf '%s %s\n' "${e%%=*}" "${e#*=}" >> "$src"
    done
    chmod 600 "$src"
    $POSTHORN map "hash:$src" || t_fail "posthorn map hash:$src failed"
    echo "hash:$src"
}

# a_server NAME HOST PORT [smtp_auth_server options] - the AUTH server, events in $T_TMP/NAME
a_server() {
    local name=$1 host=$2 port=$3
    shift 3
    rm -rf "${T_TMP:?}/$name"
    $PY "$T_ROOT/tests/integration/smtp_auth_server.py" "$host" "$port" "$T_TMP/$name" \
	--lifetime 120 "$@" > "$T_TMP/$name.out" 2>&1 &
    T_BG_PIDS="$T_BG_PIDS $!"
    t_wait_until 10 test -f "$T_TMP/$name/ready" || t_fail "AUTH server $name did not start: $(tail -3 "$T_TMP/$name.out")"
}

# a_events NAME PYTHON-EXPR - evaluate an expression over the server's events, "ev"; print it
a_events() {
    cat "$T_TMP/$1/events.jsonl" 2>/dev/null | $PY -c '
import json, sys
ev = [json.loads(l) for l in sys.stdin]
print(eval(sys.argv[1]))' "$2"
}

# a_auth_cmds NAME - the mechanism of every AUTH command the server got, space-separated
a_auth_cmds() { a_events "$1" '" ".join(e["mech"] for e in ev if e["event"] == "auth-command")'; }

# a_msg_users NAME - the user each message was sent under ("None": unauthenticated)
a_msg_users() { a_events "$1" '" ".join(str(e["auth_user"]) for e in ev if e["event"] == "message")'; }
