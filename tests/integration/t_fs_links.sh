#!/bin/bash
# Root's file writes are not led elsewhere by links (issue 9): conf -e with
# a link planted as main.cf.tmp, master and postlogd with maillog_file
# replaced by a symbolic or a hard link to a victim file, and a pid file
# left as a link. The victim keeps its content and mode; the instance
# names the refusal; sockets in public/ and private/ have mode 666.
. "$(dirname "$0")/lib.sh"
t_instance
t_ingest_only
V=$T_TMP/victim
ERR=$T_TMP/master.err

# t_victim_intact WHAT - the victim still holds its one line, mode 600
t_victim_intact() {
    t_assert_eq "victim" "$(cat "$V")" "victim's content after $1"
    t_assert_eq "600" "$(stat -c %a "$V")" "victim's mode after $1"
}

# t_start_err - start with master's stderr (where it says what it refused) in $ERR
t_start_err() { $PH start > "$ERR" 2>&1 || t_fail "posthorn start failed: $(cat "$ERR")"; }

echo victim > "$V" && chmod 600 "$V"

# conf -e: its temporary file is no longer main.cf.tmp, and never a link
ln -s "$V" "$INST/main.cf.tmp"
$PH conf -e 'hopcount_limit = 20' || t_fail "conf -e"
t_assert_eq "hopcount_limit = 20" "$($PH conf hopcount_limit)" "conf -e result"
t_victim_intact "conf -e"
t_assert_eq "main.cf main.cf.tmp" "$(cd "$INST" && echo main.cf*)" "files left by conf -e"
rm "$INST/main.cf.tmp"

# maillog_file as a symbolic link, then as a hard link: refused, not written
ln -s "$V" "$INST/maillog"
t_start_err
t_wait_until 5 grep -q "open $INST/maillog: Too many levels of symbolic links" "$ERR" \
    || t_fail "no refusal of a linked maillog: $(cat "$ERR")"
printf 'Subject: x\n\nbody\n' | $PH send -f a@example.org b@example.net > /dev/null \
    || t_fail "send while maillog is refused"
sleep 1
t_victim_intact "start with maillog a symbolic link"
t_stop
rm "$INST/maillog" && ln "$V" "$INST/maillog"
t_start_err
t_wait_until 5 grep -q "open $INST/maillog: Too many links" "$ERR" \
    || t_fail "no refusal of a hard-linked maillog: $(cat "$ERR")"
sleep 1
t_victim_intact "start with maillog a hard link"
t_stop
rm "$INST/maillog"

# a pid file left as a link (say by an earlier unprivileged owner of pid/)
ln -s "$V" "$SPOOL/pid/master.pid"
out=$($PH start 2>&1) && t_fail "start over a linked pid file succeeded"
echo "$out" | grep -q "master.pid: Too many levels of symbolic links" \
    || t_fail "start over a linked pid file: $out"
t_victim_intact "start with a linked pid file"
rm "$SPOOL/pid/master.pid"

# a plain start: the log is written again, sockets get their mode at bind()
t_start_err
t_wait_log "daemon started" || t_fail "no log after the links were removed"
for s in "$SPOOL"/public/* "$SPOOL"/private/*; do
    [ -S "$s" ] || continue
    t_assert_eq "666 root" "$(stat -c '%a %U' "$s")" "mode and owner of $s"
done
t_victim_intact "a plain start"
t_pass
