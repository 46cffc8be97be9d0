#!/bin/bash
# The package's logrotate file (debian/posthorn.logrotate) with logrotate
# itself, on a running instance whose log stands in for
# /var/log/posthorn.log: logrotate -d accepts the file as shipped; a forced
# rotation moves the log to .1, "posthorn logrotate" in postrotate finds
# nothing left to rename (no stray maillog.YYYYMMDD-HHMMSS) and has it
# reopened, so master's and postlogd's next lines go to a new file that
# postlogd created (root's, 0640); the next rotation compresses the old
# copy (delaycompress); with posthorn stopped a rotation still succeeds.
. "$(dirname "$0")/lib.sh"
command -v logrotate >/dev/null || { echo "SKIP [$T_NAME]: logrotate not installed"; exit 77; }

SHIPPED=$T_ROOT/debian/posthorn.logrotate
out=$(logrotate -d "$SHIPPED" 2>&1) || t_fail "logrotate -d rejects $SHIPPED: $out"
echo "$out" | grep -qi "error" && t_fail "logrotate -d: $out"

t_instance
LOG=$INST/maillog
# The shipped file, aimed at this instance: its log, and its posthorn.
CONF=$T_TMP/logrotate.conf
sed -e "s|/var/log/posthorn.log|$LOG|" \
    -e "s|\[ -x /usr/sbin/posthorn \]|[ -x $POSTHORN ]|" \
    -e "s|/usr/sbin/posthorn |$POSTHORN -c $INST |g" "$SHIPPED" > "$CONF"
grep -q "^$LOG {" "$CONF" || t_fail "no stanza for the log in $CONF"
[ "$(grep -c -- "$POSTHORN -c $INST" "$CONF")" = 2 ] || t_fail "posthorn not replaced twice in $CONF"
chmod 644 "$CONF"
STATE=$T_TMP/logrotate.state

t_start
t_wait_log 'daemon started' || t_fail "no start line in the log"
logrotate -f -s "$STATE" "$CONF" > "$T_TMP/rot.out" 2>&1 || t_fail "logrotate: $(cat "$T_TMP/rot.out")"
[ -f "$LOG.1" ] || t_fail "no $LOG.1 after rotation"
grep -q 'daemon started' "$LOG.1" || t_fail "$LOG.1 does not hold the old lines"
ls "$LOG".2[0-9]* > /dev/null 2>&1 && t_fail "posthorn logrotate renamed a file too: $(ls "$LOG".*)"
# master reopens its log at once and says so; postlogd restarts on a new file
t_wait_log 'log file reopened' || t_fail "no 'log file reopened' in a new $LOG"
t_assert_eq root:640 "$(stat -c %U:%a "$LOG")" "owner and mode of the new log"
printf 'Subject: x\n\nbody\n' | $PH send -f a@example.org b@example.org > /dev/null \
    || t_fail "send after rotation"
t_wait_log 'client=localhost' || t_fail "postlogd's lines do not reach the new log"
grep -q 'client=localhost' "$LOG.1" && t_fail "a line after the rotation went to $LOG.1"

# second rotation: .1 becomes .2.gz, compressed one rotation late
logrotate -f -s "$STATE" "$CONF" > "$T_TMP/rot.out" 2>&1 || t_fail "logrotate (2): $(cat "$T_TMP/rot.out")"
[ -f "$LOG.2.gz" ] || t_fail "no $LOG.2.gz after the second rotation: $(ls "$INST")"
gzip -t "$LOG.2.gz" || t_fail "$LOG.2.gz is no gzip file"
zgrep -q 'daemon started' "$LOG.2.gz" || t_fail "$LOG.2.gz lost the first lines"
t_wait_until 5 test -f "$LOG" || t_fail "no new $LOG after the second rotation"

# stopped: rotation still works, postrotate has nothing to reopen
t_stop
logrotate -f -s "$STATE" "$CONF" > "$T_TMP/rot.out" 2>&1 \
    || t_fail "logrotate with posthorn stopped: $(cat "$T_TMP/rot.out")"
[ -f "$LOG.3.gz" ] || t_fail "no $LOG.3.gz after a rotation while stopped: $(ls "$INST")"
t_pass
