#!/bin/bash
# Lookup tables: posthorn map builds hash: tables as postmap does (comments,
# continuation lines, case folding, -q with exit status 1 for a missing key,
# a bad line keeps the old table); Postfix's postmap and posthorn read each
# other's tables. In a running root-mode instance, transport_maps = hash:
# routes a domain to one smtp-sink, and after the table is rebuilt the next
# message goes to the other sink; qmqpd_authorized_clients = cidr: lets
# 127.0.0.1 in, keeps it out once the file no longer lists it, and lets it in
# again. The daemons log "table ... has changed -- restarting"; master keeps
# its pid; nothing stays queued.
. "$(dirname "$0")/lib.sh"
M=$T_TMP/maps
mkdir -p "$M"

# --- posthorn map round trip, no instance needed ---
cat > "$M/t" <<'EOF'
# a comment line
Example.COM   smtp:[192.0.2.1]:2525

other.example relay:
    # a comment inside an entry
    [mx.other.example]
#commented.example smtp:
last.example  value with  blanks
EOF
$POSTHORN map "$M/t" 2> "$T_TMP/map.err" || t_fail "posthorn map: $(cat "$T_TMP/map.err")"
[ -s "$T_TMP/map.err" ] && t_fail "posthorn map said: $(cat "$T_TMP/map.err")"
[ -f "$M/t.db" ] || t_fail "no $M/t.db"
t_assert_eq "smtp:[192.0.2.1]:2525" "$($POSTHORN map -q example.com "hash:$M/t")" "-q example.com"
t_assert_eq "smtp:[192.0.2.1]:2525" "$($POSTHORN map -q EXAMPLE.com "$M/t")" "-q folds the key"
t_assert_eq "relay:    [mx.other.example]" "$($POSTHORN map -q other.example "hash:$M/t")" \
    "continuation line joined, comment inside skipped"
t_assert_eq "value with  blanks" "$($POSTHORN map -q last.example "hash:$M/t")" "value with blanks"
out=$($POSTHORN map -q commented.example "hash:$M/t"); rc=$?
t_assert_eq "1:" "$rc:$out" "a commented-out entry is not in the table"
out=$($POSTHORN map -q missing.example "hash:$M/t"); rc=$?
t_assert_eq "1:" "$rc:$out" "missing key"
printf 'example.com\nnone\nother.example\n' | $POSTHORN map -q - "hash:$M/t" > "$T_TMP/q.out" \
    || t_fail "map -q -"
t_assert_eq "2" "$(wc -l < "$T_TMP/q.out")" "keys found by map -q -"
t_assert_eq "$(printf 'example.com\tsmtp:[192.0.2.1]:2525')" "$(head -1 "$T_TMP/q.out")" \
    "map -q - separates key and value with a TAB, as postmap -q - does"
ls "$M" | grep -vxE 't|t\.db' && t_fail "a temporary file was left in $M"

# A bad line: an error naming file and line, and the old table stays.
ino=$(stat -c %i "$M/t.db")
printf 'new.example smtp:\nno-value-here\n' > "$M/t"
$POSTHORN map "$M/t" 2> "$T_TMP/map.err" && t_fail "posthorn map accepted a line without a value"
grep -q "$M/t, line 2: expected format: key whitespace value" "$T_TMP/map.err" \
    || t_fail "bad line message: $(cat "$T_TMP/map.err")"
t_assert_eq "$ino" "$(stat -c %i "$M/t.db")" "table file after a failed build"
t_assert_eq "smtp:[192.0.2.1]:2525" "$($POSTHORN map -q example.com "hash:$M/t")" "old table kept"

# Postfix's postmap reads our table, and we read one it built.
if command -v postmap > /dev/null; then
    mkdir -p "$T_TMP/pfconf" && : > "$T_TMP/pfconf/main.cf"
    printf 'a.example ours\n' > "$M/ours"
    $POSTHORN map "$M/ours" || t_fail "posthorn map ours"
    t_assert_eq "ours" "$(postmap -c "$T_TMP/pfconf" -q A.example "hash:$M/ours")" "postmap -q on our table"
    printf 'B.example theirs\n' > "$M/theirs"
    postmap -c "$T_TMP/pfconf" "hash:$M/theirs" || t_fail "postmap theirs"
    t_assert_eq "theirs" "$($POSTHORN map -q b.example "hash:$M/theirs")" "map -q on postmap's table"
    t_assert_eq "$(printf 'B.Example\nx\n' | postmap -c "$T_TMP/pfconf" -q - "hash:$M/theirs")" \
	"$(printf 'B.Example\nx\n' | $POSTHORN map -q - "hash:$M/theirs")" "map -q - prints what postmap -q - prints"
fi

# --- tables in a running instance ---
PA=$(t_port); PB=$(t_port)
while [ "$PB" = "$PA" ]; do PB=$(t_port); done
printf 'route.test smtp:[127.0.0.1]:%s\n' "$PA" > "$M/transport"
$POSTHORN map "$M/transport" || t_fail "map transport"
printf '# who may use QMQP\n127.0.0.0/8  OK\n' > "$M/clients.cidr"
t_deliver_instance "transport_maps=hash:$M/transport" "qmqpd_authorized_clients=cidr:$M/clients.cidr"
t_sink "$PA" "$T_TMP/sinkA"
t_sink "$PB" "$T_TMP/sinkB"
t_start
master=$(t_master_pid)

printf 'Subject: one\n\nfirst\n' | $PH send -f s@example.org a@route.test > /dev/null \
    || t_fail "send one"
t_wait_until 20 t_dir_has "$T_TMP/sinkA" 1 || t_fail "message one did not reach sink A"
qmgr_before=$(t_pids qmgr)
[ -n "$qmgr_before" ] || t_fail "no qmgr running"

# Rebuild the transport table while everything runs: the next message goes to B.
printf 'route.test smtp:[127.0.0.1]:%s\n' "$PB" > "$M/transport"
$POSTHORN map "$M/transport" || t_fail "rebuild transport"
printf 'Subject: two\n\nsecond\n' | $PH send -f s@example.org b@route.test > /dev/null \
    || t_fail "send two"
t_wait_until 20 t_dir_has "$T_TMP/sinkB" 1 || t_fail "message two did not reach sink B"
t_assert_eq 1 "$(ls "$T_TMP/sinkA" | wc -l)" "messages at sink A"
grep -q 'b@route.test' "$T_TMP"/sinkB/m.* || t_fail "sink B got another message"
t_wait_log "posthorn/qmgr\[[0-9]+\]: table hash:$M/transport has changed -- restarting" \
    || t_fail "no restart line from qmgr"
qmgr_after=$(t_pids qmgr)
[ -n "$qmgr_after" ] && [ "$qmgr_after" != "$qmgr_before" ] \
    || t_fail "qmgr was not replaced (before $qmgr_before, after $qmgr_after)"
t_assert_eq "$master" "$(t_master_pid)" "master pid after the transport table changed"

# The client table changes in place: 127.0.0.1 is no longer listed.
MSG='Subject: hi\n\nHello\n'
printf '# nobody local\n192.0.2.0/24 OK\n' > "$M/clients.cidr"
got=$(t_qmqp "$QPORT" --request "$MSG" s@example.org c@route.test)
t_assert_eq "REPLY D Error: localhost[127.0.0.1] is not authorized to use this service" "$got" \
    "QMQP from 127.0.0.1 after the table excluded it"
t_wait_log "posthorn/qmqpd\[[0-9]+\]: table cidr:$M/clients.cidr has changed -- restarting" \
    || t_fail "no restart line from qmqpd"
# And back, this time by renaming a new file over it.
printf '127.0.0.1 OK\n' > "$M/clients.new" && mv "$M/clients.new" "$M/clients.cidr"
got=$(t_qmqp "$QPORT" --request "$MSG" s@example.org d@route.test)
case $got in "REPLY K"*) ;; *) t_fail "QMQP after the table listed 127.0.0.1 again: $got" ;; esac
t_wait_until 20 t_dir_has "$T_TMP/sinkB" 2 || t_fail "message d did not reach sink B"
t_assert_eq "$master" "$(t_master_pid)" "master pid at the end"
t_wait_until 20 t_queue_empty || t_fail "$(t_queue_count) messages still queued"
t_pass
