#!/bin/bash
# The posthorn command: --help, --version, help COMMAND, init refuses to
# overwrite, start/status/stop exit codes and pid file, conf -d/-n/-e/-x/-h,
# check (unused parameters named by file and line), logrotate, send to a
# dead server, a relative -c, start-fg with Ctrl-C, and one clear line for
# every failure.
. "$(dirname "$0")/lib.sh"
t_instance
t_ingest_only

# --help and help on stdout with status 0; a mistake on stderr with status 2.
version=$(cat "$T_ROOT/VERSION")
t_assert_eq "posthorn $version" "$($POSTHORN --version)" "posthorn --version"
$POSTHORN --help > "$T_TMP/help.out" 2> "$T_TMP/help.err" || t_fail "posthorn --help exit status $?"
grep -q '^  queue  *list the queued mail; with -s, its shape' "$T_TMP/help.out" || t_fail "--help lacks queue: $(cat "$T_TMP/help.out")"
[ -s "$T_TMP/help.err" ] && t_fail "--help wrote to stderr"
t_assert_eq "usage: posthorn [-c config_dir] status [-j|--json] [-s|--summary]" "$($POSTHORN help status | head -1)" \
    "posthorn help status"
[ "$($POSTHORN help dkim | grep -c '^usage: posthorn \[-c config_dir\] dkim ')" = 2 ] \
    || t_fail "help dkim does not show both dkim commands"
$POSTHORN help nosuch > "$T_TMP/help.out" 2> "$T_TMP/help.err"
t_assert_eq 2 "$?" "exit status of help for an unknown command"
grep -q "unknown command: nosuch" "$T_TMP/help.err" || t_fail "help nosuch: $(cat "$T_TMP/help.err")"
$POSTHORN nosuch > /dev/null 2>&1
t_assert_eq 2 "$?" "exit status of an unknown command"
# conf -h: values only, in the order asked; mail_version is the build's.
t_assert_eq "$(printf '%s\n%s\n%s' 300s "$version" 20)" \
    "$($PH conf -h qmqpd_timeout mail_version smtp_mx_group_concurrency_limit)" "conf -h"
t_assert_eq "$(printf '%s\n%s' '$myhostname' "$($PH conf -h -x myhostname)")" \
    "$($PH conf -h myorigin; $PH conf -h -x myorigin)" "conf -h with and without -x"

out=$($POSTHORN init "$INST" 2>&1) && t_fail "init over an existing instance succeeded"
echo "$out" | grep -q "refusing to overwrite" || t_fail "init overwrite message: $out"
out=$($POSTHORN init "$T_TMP/bad" qmqpd_timeout=5x 2>&1) && t_fail "init with a bad value succeeded"
echo "$out" | grep -q "main.cf, line [0-9]*: parameter qmqpd_timeout: bad time value" \
    || t_fail "init with a bad value: $out"
[ -e "$T_TMP/bad/main.cf" ] && t_fail "init left a broken main.cf behind"
# init makes missing parent directories, as make run needs in a fresh clone
$POSTHORN init "$T_TMP/new/parents/inst" --qmqp "127.0.0.1:$(t_port)" >/dev/null 2>&1 \
    || t_fail "init under missing parent directories failed"
[ -f "$T_TMP/new/parents/inst/main.cf" ] || t_fail "init under missing parents wrote no main.cf"

$PH status > /dev/null && t_fail "status says running before start"
out=$($PH stop 2>&1) && t_fail "stop of a stopped instance succeeded"
echo "$out" | grep -q "not running" || t_fail "stop message: $out"
t_start
$PH status | grep -q "is running: PID: $(t_master_pid)" || t_fail "status while running"
out=$($PH start 2>&1) && t_fail "second start succeeded"
echo "$out" | grep -q "already running" || t_fail "second start message: $out"
$PH check || t_fail "check on a good instance"
out=$($PH check 2>&1)
echo "$out" | grep -q "service cleanup: process limit" && t_fail "check warns about the default cleanup limit: $out"
# Each qmqpd keeps one cleanup process: a cleanup limit not above the
# qmqpd processes is named, with its line (a warning, not an error).
cp "$INST/master.cf" "$T_TMP/master.cf.good"
sed -i -E 's/^(cleanup[[:space:]]+unix[[:space:]]+[^[:space:]]+[[:space:]]+[^[:space:]]+[[:space:]]+[^[:space:]]+[[:space:]]+[^[:space:]]+[[:space:]]+)0([[:space:]])/\110\2/' "$INST/master.cf"
cline=$(grep -n '^cleanup[[:space:]]' "$INST/master.cf" | cut -d: -f1)
out=$($PH check 2>&1) || t_fail "check failed over a cleanup process limit: $out"
echo "$out" | grep -q "master.cf, line $cline: service cleanup: process limit 10 is not above the 100 qmqpd processes" \
    || t_fail "check misses a cleanup limit below qmqpd's: $out $(grep '^cleanup' "$INST/master.cf")"
cp "$T_TMP/master.cf.good" "$INST/master.cf"

t_assert_eq "qmqpd_timeout = 300s" "$($PH conf -d qmqpd_timeout)" "conf -d"
$PH conf -n | grep -qx "qmqpd_error_delay = 0" || t_fail "conf -n"
$PH conf -e 'myorigin = $mydomain' 'hopcount_limit=20' || t_fail "conf -e"
t_assert_eq 'myorigin = $mydomain' "$($PH conf myorigin)" "conf after -e"
t_assert_eq "hopcount_limit = 20" "$($PH conf hopcount_limit)" "conf -e of a second name"
$PH conf -x myorigin | grep -q '^myorigin = [^$]' || t_fail "conf -x does not expand"
$PH conf -t | grep -q "^qmqpd_timeout	time	300s	" || t_fail "conf -t table"
# A misspelled name: a warning naming file and line (Postfix's "unused
# parameter"), from check and from reload, which still goes ahead; a
# per-transport form counts only for a service master.cf has.
echo 'qmqpd_timout = 20s' >> "$INST/main.cf"
line=$(wc -l < "$INST/main.cf")
echo 'cleanup_destination_concurrency_limit = 2' >> "$INST/main.cf"
echo 'relya_destination_concurrency_limit = 2' >> "$INST/main.cf"
out=$($PH check 2>&1) || t_fail "check failed on an unused parameter: $out"
echo "$out" | grep -qx "posthorn: warning: $INST/main.cf, line $line: unused parameter: qmqpd_timout=20s" \
    || t_fail "check misses a misspelled parameter: $out"
echo "$out" | grep -q "line $((line + 2)): unused parameter: relya_destination_concurrency_limit=2" \
    || t_fail "check misses a per-transport form of no service: $out"
echo "$out" | grep -q "cleanup_destination" && t_fail "check warns about a per-transport form of a service: $out"
out=$($PH reload 2>&1) || t_fail "reload refused over an unused parameter: $out"
echo "$out" | grep -q "line $line: unused parameter: qmqpd_timout=20s" \
    || t_fail "reload does not warn about a misspelled parameter: $out"
sed -i '/qmqpd_timout\|_destination_concurrency_limit/d' "$INST/main.cf"
# check, reload: a bad TLS/SASL value in main.cf, or a bad -o value in
# master.cf, is named by file, line and parameter (and service)
P="$INST/master.cf"
cp "$P" "$T_TMP/master.cf.good"
$PH conf -e smtp_sasl_security_options=noplaintext,plaintext 2>/dev/null \
    && t_fail "conf -e accepted an unknown SASL security option"
echo 'smtp_tls_security_level = maybe' >> "$INST/main.cf"
out=$($PH check 2>&1) && t_fail "check accepted smtp_tls_security_level = maybe"
echo "$out" | grep -q "main.cf, line [0-9]*: parameter smtp_tls_security_level: invalid or unsupported TLS security level \"maybe\"" \
    || t_fail "check on a bad TLS level: $out"
sed -i '/smtp_tls_security_level = maybe/d' "$INST/main.cf"
echo 'relay unix - - y - - smtp -o smtp_tls_protocols=TLSv9' >> "$P"
line=$(grep -n '^relay unix' "$P" | cut -d: -f1)
out=$($PH check 2>&1) && t_fail "check accepted a bad -o value"
echo "$out" | grep -q "master.cf, line $line: service relay: -o smtp_tls_protocols=TLSv9: parameter smtp_tls_protocols: invalid protocol" \
    || t_fail "check on a bad -o value: $out"
out=$($PH reload 2>&1) && t_fail "reload accepted a bad -o value"
echo "$out" | grep -q "not reloading" || t_fail "reload with a bad -o value: $out"
cp "$T_TMP/master.cf.good" "$P"
$PH check || t_fail "check after master.cf was repaired"
# check, reload: a table that cannot be opened (it would stop qmgr) is named
echo "transport_maps = hash:$T_TMP/no-such-table" >> "$INST/main.cf"
out=$($PH check 2>&1) && t_fail "check accepted a missing transport table"
echo "$out" | grep -q "main.cf: parameter transport_maps: .*no-such-table" \
    || t_fail "check on a missing table: $out"
out=$($PH reload 2>&1) && t_fail "reload accepted a missing transport table"
echo "$out" | grep -q "not reloading" || t_fail "reload with a missing table: $out"
printf 'example.com smtp:[127.0.0.1]:25\n' > "$T_TMP/no-such-table"
$PH map "hash:$T_TMP/no-such-table" || t_fail "posthorn map"
$PH check || t_fail "check once the table exists"
sed -i '/^transport_maps = /d' "$INST/main.cf"

# logrotate: the old file moves aside, new lines go to a fresh maillog
$PH logrotate > "$T_TMP/rot" || t_fail "logrotate: $(cat "$T_TMP/rot")"
ls "$INST"/maillog.* > /dev/null 2>&1 || t_fail "no rotated maillog"
printf 'Subject: x\n\nbody\n' | $PH send -f a@example.org b@example.org > /dev/null || t_fail "send after logrotate"
t_wait_log 'client=localhost' || t_fail "no new log lines after logrotate"

printf 'Subject: x\n\nbody\n' | $PH send -s "127.0.0.1:$(t_port)" -f a@example.org b@example.org \
    > /dev/null 2>&1
t_assert_eq 75 "$?" "send to a closed port (temporary failure)"
printf 'Subject: x\n\nbody\n' | $PH send -f 'l-7x@example.org-@[]' b@example.org > /dev/null 2>&1
t_assert_eq 69 "$?" "send of a refused request (permanent failure)"

t_stop
[ -e "$SPOOL/pid/master.pid" ] && t_fail "pid file left after stop"

# A relative -c works for every command: master and its daemons get the
# absolute name, so neither the chdir to queue_directory nor a reload
# loses the instance.
(
    cd "$T_TMP" || exit 1
    rel="$POSTHORN -c ./inst/"
    $rel start > /dev/null || t_fail "start with a relative -c"
    printf 'Subject: rel\n\nbody\n' | $rel send -f a@example.org rel@example.org > /dev/null \
	|| t_fail "send with a relative -c"
    $rel reload > /dev/null || t_fail "reload with a relative -c"
    $rel status > /dev/null || t_fail "status with a relative -c"
    $rel queue | grep -q 'rel@example.org' || t_fail "queue with a relative -c"
    printf 'Subject: rel2\n\nbody\n' | $POSTHORN sendmail -C inst sm-rel@example.org \
	|| t_fail "sendmail with a relative -C"
    t_wait_until 5 sh -c "$rel queue | grep -q sm-rel@example.org" || t_fail "sendmail -C inst: not queued"
    (cd inst && $POSTHORN -c . conf -h config_directory) | grep -qx "$INST" \
	|| t_fail "conf with -c . does not name the absolute directory"
    POSTHORN_CONFIG_DIR=inst $POSTHORN status > /dev/null || t_fail "status with a relative POSTHORN_CONFIG_DIR"
    $rel stop > /dev/null || t_fail "stop with a relative -c"
) || exit 1
grep -q "daemon started -- version [^,]*, configuration $INST\$" "$INST/maillog" \
    || t_fail "master does not name the absolute configuration directory"
t_log_has 'fatal:' && t_fail "a daemon failed under a relative -c: $(grep 'fatal:' "$INST/maillog" | head -3)"
[ -z "$(t_pids master)$(t_pids qmqpd)$(t_pids cleanup)$(t_pids postlogd)" ] \
    || t_fail "processes left after stop"

# start-fg: log lines on stdout, Ctrl-C (SIGINT to master) stops everything.
$PH start-fg > "$T_TMP/fg.out" 2>&1 &
fg=$!
t_wait_until 10 test -s "$SPOOL/pid/master.pid" || t_fail "start-fg did not start"
sleep 0.5
printf 'Subject: fg\n\nbody\n' | $PH send -f a@example.org b@example.org > /dev/null || t_fail "send under start-fg"
t_wait_until 5 grep -q 'posthorn/qmqpd.*client=localhost' "$T_TMP/fg.out" \
    || t_fail "start-fg does not show daemon log lines: $(cat "$T_TMP/fg.out")"
kill -INT "$(t_master_pid)"
wait $fg
t_assert_eq 0 "$?" "start-fg exit status after Ctrl-C"
[ -e "$SPOOL/pid/master.pid" ] && t_fail "pid file left after Ctrl-C"
grep -q 'terminating on signal 2' "$T_TMP/fg.out" || t_fail "start-fg output lacks the stop line"
[ -z "$(t_pids qmqpd)$(t_pids cleanup)$(t_pids postlogd)" ] || t_fail "children left after Ctrl-C"
t_pass
