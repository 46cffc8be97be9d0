#!/bin/bash
# systemd/posthorn.service and posthorn@.service: systemd-analyze verify
# passes on both (no error, no warning), offline, in a staged root that holds
# the built posthorn as /usr/sbin/posthorn and this machine's unit files (so
# it works in a container where systemd is not PID 1); it fails on broken
# copies (a misspelt command path, an unknown Type=, a man page that does
# not exist), so the check can fail. The units' commands are posthorn
# commands, the template's all name /etc/posthorn-%i, PIDFile= is where
# master keeps its pid by default, and the Type=forking contract holds:
# "posthorn start" returns once master runs, with master's pid in the pid
# file; reload and stop succeed and stop removes the pid file.
. "$(dirname "$0")/lib.sh"
command -v systemd-analyze >/dev/null || { echo "SKIP [$T_NAME]: systemd-analyze not installed"; exit 77; }

UNITS=$T_ROOT/systemd
SYS_UNITS=
for d in /lib/systemd/system /usr/lib/systemd/system; do
    [ -f "$d/sysinit.target" ] && { SYS_UNITS=$d; break; }
done
[ -n "$SYS_UNITS" ] || { echo "SKIP [$T_NAME]: no systemd unit directory with sysinit.target"; exit 77; }

# t_stage NAME - a root in $T_TMP/NAME with the built posthorn in /usr/sbin,
# the system's units (the targets ours refer to) and copies of ours in
# /etc/systemd/system; prints the root
t_stage() {
    local r=$T_TMP/$1
    mkdir -p "$r/usr/sbin" "$r/lib/systemd" "$r/etc/systemd/system" || t_fail "mkdir $r"
    cp "$POSTHORN" "$r/usr/sbin/posthorn" || t_fail "copy posthorn"
    cp -a "$SYS_UNITS" "$r/lib/systemd/system" || t_fail "copy $SYS_UNITS"
    cp "$UNITS/posthorn.service" "$UNITS/posthorn@.service" "$r/etc/systemd/system/" \
	|| t_fail "copy the units"
    echo "$r"
}

# t_verify ROOT UNIT - systemd-analyze verify: status 0 and not one line of
# complaint (it only warns about an unknown key or value, with status 0).
# Documentation= man pages are looked up in this tree's man/.
t_verify() {
    out=$(MANPATH=$T_ROOT/man systemd-analyze verify --root="$1" "$2" 2>&1)
    rc=$?
    [ "$rc" = 0 ] && [ -z "$out" ]
}

# --- the units as shipped ---
R=$(t_stage root)
t_verify "$R" posthorn.service || t_fail "verify posthorn.service: status $rc: $out"
t_verify "$R" posthorn@lists.service || t_fail "verify posthorn@lists.service: status $rc: $out"
t_log "systemd-analyze verify: posthorn.service and posthorn@lists.service pass"

# --- broken copies fail ---
B=$(t_stage broken1)
sed -i 's|^ExecStart=/usr/sbin/posthorn|ExecStart=/usr/sbin/posthron|' "$B/etc/systemd/system/posthorn.service"
t_verify "$B" posthorn.service && t_fail "verify passed a unit whose ExecStart names no program"
echo "$out" | grep -q posthron || t_fail "no complaint naming the missing program: $out"
B=$(t_stage broken2)
sed -i 's|^Type=forking|Type=forkin|' "$B/etc/systemd/system/posthorn@.service"
t_verify "$B" posthorn@lists.service && t_fail "verify passed Type=forkin"
echo "$out" | grep -q forkin || t_fail "no complaint naming Type=forkin: $out"
B=$(t_stage broken3)
sed -i 's|man:posthorn(1)|man:posthorn-nosuchpage(1)|' "$B/etc/systemd/system/posthorn.service"
t_verify "$B" posthorn.service && t_fail "verify passed a Documentation= page that does not exist"
t_log "broken copies fail: missing program, Type=forkin, missing man page"

# --- the commands are posthorn's, the template's all name its instance ---
for u in posthorn.service posthorn@.service; do
    for key in ExecStartPre ExecStart ExecReload ExecStop; do
	line=$(grep "^$key=" "$UNITS/$u")
	[ -n "$line" ] || t_fail "$u has no $key="
	verb=${line##* }
	$POSTHORN help "$verb" >/dev/null 2>&1 || t_fail "$u: $key runs 'posthorn $verb', which posthorn does not know"
	case $u in
	posthorn@.service)
	    echo "$line" | grep -qF -- "/usr/sbin/posthorn -c /etc/posthorn-%i $verb" \
		|| t_fail "$u: $key does not use /etc/posthorn-%i: $line" ;;
	*)
	    [ "$line" = "$key=/usr/sbin/posthorn $verb" ] || t_fail "$u: $key: $line" ;;
	esac
    done
done

# --- PIDFile= is where master keeps its pid with the default spool ---
D=$T_TMP/defaults
mkdir -p "$D" && : > "$D/main.cf" && cp "$T_ROOT/conf/master.cf" "$D/" || t_fail "defaults dir"
qdir=$($POSTHORN -c "$D" conf -d -h queue_directory) || t_fail "conf -d queue_directory"
piddir=$($POSTHORN -c "$D" conf -d -h process_id_directory) || t_fail "conf -d process_id_directory"
t_assert_eq "PIDFile=$qdir/$piddir/master.pid" "$(grep '^PIDFile=' "$UNITS/posthorn.service")" \
    "posthorn.service PIDFile"
t_assert_eq "PIDFile=$qdir-%i/$piddir/master.pid" "$(grep '^PIDFile=' "$UNITS/posthorn@.service")" \
    "posthorn@.service PIDFile"

# --- the Type=forking contract, as systemd would use it ---
t_instance
$PH check >/dev/null || t_fail "posthorn check (ExecStartPre) failed"
$PH start >/dev/null || t_fail "posthorn start (ExecStart) failed"
# start has returned: the pid file names a running master, not the
# process that ran start (which is gone)
[ -s "$SPOOL/pid/master.pid" ] || t_fail "no pid file once start returned"
pid=$(t_master_pid)
kill -0 "$pid" 2>/dev/null || t_fail "pid file names pid $pid, which is not running"
tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "/master " || t_fail "pid $pid is not master"
$PH reload >/dev/null || t_fail "posthorn reload (ExecReload) failed"
t_assert_eq "$pid" "$(t_master_pid)" "master pid after reload"
$PH stop >/dev/null || t_fail "posthorn stop (ExecStop) failed"
[ ! -e "$SPOOL/pid/master.pid" ] || t_fail "pid file left after stop"
# gone, or a zombie for whoever adopted it to reap (systemd, under a unit)
t_master_gone() { [ ! -e "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ]; }
t_wait_until 5 t_master_gone || t_fail "master $pid still runs after stop"
PH=
t_pass
