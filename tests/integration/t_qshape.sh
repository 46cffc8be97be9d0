#!/bin/bash
# posthorn qshape (Postfix's qshape for our spool) on a queue the test
# builds: real messages deferred by a sink that refuses every recipient,
# plus back-dated ones written with qfile's own writer (qfile_make.c: the
# arrival time is a record inside the file, so "older mail" means a file
# written with an older arrival, never an edited one). Exact cells of the
# table, by recipient and by sender (-s) domain, with -n and -j: read from
# the spool by root while the instance is stopped, and through showq, by
# root and by nobody, while it runs; refused for nobody when
# authorized_mailq_users says so; `queue -s` gives the same tables. Also:
# the mailq listing shows a shared delay reason once over its recipients.
. "$(dirname "$0")/lib.sh"
command -v cc > /dev/null || t_fail "cc is missing"
command -v runuser > /dev/null || t_fail "runuser (util-linux) is missing"
MK=$T_TMP/qfile_make
san=
t_sanitized && san="-fsanitize=address,undefined"
# shellcheck disable=SC2086 # san is empty or one option
cc -std=c11 -D_GNU_SOURCE $san -I"$T_ROOT/src/util" -I"$T_ROOT/src/global" -o "$MK" \
    "$T_ROOT/tests/integration/qfile_make.c" "$T_BUILD/lib/libglobal.a" "$T_BUILD/lib/libutil.a" \
    || t_fail "build qfile_make"

t_deliver_instance minimal_backoff_time=300s maximal_backoff_time=600s queue_run_delay=300s
t_sink "$SPORT" "$T_TMP/sink" -r RCPT		# everything is deferred
t_start
printf 'Subject: 1\n\nbody\n' | $PH send -f a@Sender.Example r1@d1.test r2@D1.test r3@d2.test \
    > /dev/null || t_fail "send 1"
printf 'Subject: 2\n\nbody\n' | $PH send -f b@sender.example r4@d2.test > /dev/null || t_fail "send 2"
t_wait_until 20 t_dir_has "$SPOOL/deferred" 2 || t_fail "messages not deferred"

# The listing: one reason line over the three recipients that share it.
$PH queue > "$T_TMP/q.out" || t_fail "posthorn queue"
awk '/^[0-9A-Z]+ .*a@Sender.Example$/ { m = 1; next } m && /^$/ { exit }
     m && /^ +\(/ { r++ } m && /^ +r[0-9]@/ { n++ } END { print r + 0, n + 0 }' "$T_TMP/q.out" \
    > "$T_TMP/q.counts"
t_assert_eq "1 3" "$(cat "$T_TMP/q.counts")" "reason lines and recipients of message 1 ($(cat "$T_TMP/q.out"))"

# Back-dated mail, written while the instance is stopped, next retry in an hour.
t_stop
now=$(date +%s)
old() {					# old MINUTES SENDER RCPT...
    local min=$1 id; shift
    id=$($MK "$SPOOL" deferred $((now - min * 60)) "$@") || t_fail "qfile_make $*"
    chown --reference="$SPOOL/deferred" "$SPOOL/deferred/$id"
    touch -d '+1 hour' "$SPOOL/deferred/$id"
}
old 7 x@old.example o1@d1.test
old 30 x@old.example o2@d3.test o3@d3.test
old 100 x@old.example o4@d1.test
old 2000 "" o5@d2.test
t_dir_has "$SPOOL/deferred" 6 || t_fail "back-dated messages not in deferred/"

HEAD="T 5 10 20 40 80 160 320 640 1280 1280+"
# check_table FILE WHAT LINE... - the table's lines as words, in order; each
# line right-aligned to 80 columns
check_table() {
    local file=$1 what=$2 want
    shift 2
    want=$(printf '%s\n' "$HEAD" "$@")
    t_assert_eq "$want" "$(awk '{ $1 = $1; print }' "$file")" "$what"
    awk 'length($0) != 80 { exit 1 }' "$file" || t_fail "$what: lines not 80 columns wide: $(cat "$file")"
}
RCPT_TABLE=("TOTAL 9 4 1 0 2 0 1 0 0 0 1" "d1.test 4 2 1 0 0 0 1 0 0 0 0"
    "d2.test 3 2 0 0 0 0 0 0 0 0 1" "d3.test 2 0 0 0 2 0 0 0 0 0 0")
SENDER_TABLE=("TOTAL 6 2 1 0 1 0 1 0 0 0 1" "old.example 3 0 1 0 1 0 1 0 0 0 0"
    "sender.example 2 2 0 0 0 0 0 0 0 0 0" "MAILER-DAEMON 1 0 0 0 0 0 0 0 0 0 1")

# 1. Stopped: root reads the spool itself.
$PH qshape deferred > "$T_TMP/s1" 2> "$T_TMP/s1.err" || t_fail "qshape (stopped): $(cat "$T_TMP/s1.err")"
check_table "$T_TMP/s1" "recipient table from the spool" "${RCPT_TABLE[@]}"
$PH qshape > "$T_TMP/s0" || t_fail "qshape with the default queues"
check_table "$T_TMP/s0" "incoming and active (empty)" "TOTAL 0 0 0 0 0 0 0 0 0 0 0"

# 2. Running: through showq, as root and as nobody.
t_start
$PH qshape deferred > "$T_TMP/s2" 2> "$T_TMP/s2.err" || t_fail "qshape (root, running): $(cat "$T_TMP/s2.err")"
[ -s "$T_TMP/s2.err" ] && t_fail "qshape (root, running) warned: $(cat "$T_TMP/s2.err")"
check_table "$T_TMP/s2" "recipient table from showq (root)" "${RCPT_TABLE[@]}"
[ -n "$(t_pids showq)" ] || t_fail "showq did not run"
U=nobody
t_stage_for_user "$U" "$POSTHORN"
UPH="runuser -u $U -- $T_STAGE/posthorn -c $INST"
$UPH qshape deferred > "$T_TMP/s3" 2> "$T_TMP/s3.err" || t_fail "qshape as $U: $(cat "$T_TMP/s3.err")"
check_table "$T_TMP/s3" "recipient table from showq ($U)" "${RCPT_TABLE[@]}"
$UPH qshape -s deferred > "$T_TMP/s4" || t_fail "qshape -s as $U"
check_table "$T_TMP/s4" "sender table ($U)" "${SENDER_TABLE[@]}"
$UPH qshape -n 1 deferred > "$T_TMP/s5" || t_fail "qshape -n 1 as $U"
check_table "$T_TMP/s5" "top 1" "${RCPT_TABLE[@]:0:2}"
$UPH qshape -b 3 -t 10 deferred > "$T_TMP/s6" || t_fail "qshape -b 3 -t 10 as $U"
t_assert_eq "T 10 20 20+|TOTAL 9 5 0 4|d1.test 4 3 0 1" \
    "$(awk '{ $1 = $1; print }' "$T_TMP/s6" | head -3 | paste -sd'|')" "-b 3 -t 10"

# 3. -j: the same numbers.
$UPH qshape -j deferred hold > "$T_TMP/j" || t_fail "qshape -j as $U"
$PY - "$T_TMP/j" <<'PY' || t_fail "qshape -j: $(cat "$T_TMP/j")"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
j = json.loads(lines[0])
assert j["queues"] == ["deferred", "hold"], j["queues"]
assert j["senders"] is False and j["minutes"] == 5, j
assert j["buckets"] == [5, 10, 20, 40, 80, 160, 320, 640, 1280, None], j["buckets"]
assert j["total"] == {"total": 9, "counts": [4, 1, 0, 2, 0, 1, 0, 0, 0, 1]}, j["total"]
assert j["domains"] == 3, j["domains"]
rows = {r["domain"]: (r["total"], r["counts"]) for r in j["rows"]}
assert rows == {"d1.test": (4, [2, 1, 0, 0, 0, 1, 0, 0, 0, 0]),
                "d2.test": (3, [2, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
                "d3.test": (2, [0, 0, 0, 2, 0, 0, 0, 0, 0, 0])}, rows
assert [r["domain"] for r in j["rows"]] == ["d1.test", "d2.test", "d3.test"]
assert j["other"]["total"] == 0, j["other"]
PY

# queue -s is the same table (the issue's name for it): -s again for
# senders, -j before or after it.
$UPH queue -s deferred > "$T_TMP/q3" || t_fail "queue -s as $U"
cmp -s "$T_TMP/s3" "$T_TMP/q3" || t_fail "queue -s differs from qshape: $(diff "$T_TMP/s3" "$T_TMP/q3")"
$UPH queue -s -s deferred > "$T_TMP/q4" || t_fail "queue -s -s as $U"
cmp -s "$T_TMP/s4" "$T_TMP/q4" || t_fail "queue -s -s differs from qshape -s"
$UPH queue -j -s deferred hold > "$T_TMP/qj" || t_fail "queue -j -s as $U"
cmp -s "$T_TMP/j" "$T_TMP/qj" || t_fail "queue -j -s differs from qshape -j"

# 4. Mistakes, and a user authorized_mailq_users leaves out.
$PH qshape corrupt > "$T_TMP/e1" 2>&1 && t_fail "qshape corrupt accepted"
grep -q 'qshape does not act on the corrupt queue' "$T_TMP/e1" || t_fail "qshape corrupt: $(cat "$T_TMP/e1")"
$PH qshape -b 0 > "$T_TMP/e2" 2>&1 && t_fail "qshape -b 0 accepted"
$PH queue -x > "$T_TMP/e3" 2>&1 && t_fail "queue -x accepted"
grep -q 'queue -s' "$T_TMP/e3" || t_fail "queue usage does not name queue -s: $(cat "$T_TMP/e3")"
$PH conf -e authorized_mailq_users=root > /dev/null || t_fail "conf -e"
$PH reload > /dev/null || t_fail "reload"
t_wait_until 10 sh -c "! $UPH qshape deferred > '$T_TMP/e4' 2>&1" \
    || t_fail "qshape as $U allowed with authorized_mailq_users=root"
grep -q "permission denied: not in authorized_mailq_users" "$T_TMP/e4" \
    || t_fail "qshape refusal unclear: $(cat "$T_TMP/e4")"
$PH qshape deferred > "$T_TMP/s7" || t_fail "qshape as root after the change"
check_table "$T_TMP/s7" "recipient table (root, after the change)" "${RCPT_TABLE[@]}"
t_assert_eq 6 "$(t_queue_count)" "messages queued at the end"
t_pass
