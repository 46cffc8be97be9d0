#!/bin/sh
# deb_check.sh [BUILD] - make deb-check: lintian on BUILD/posthorn_*.deb,
# then the package installed into a throw-away Debian 12 (bookworm) root, as
# an administrator would install it, and used: posthorn check passes,
# posthorn start runs it, mail from root and from an unprivileged user
# through /usr/sbin/sendmail arrives at Postfix's smtp-sink on the host's
# loopback, the log and logrotate file are right, and purge follows the
# rule in debian/README.Debian (spool kept while mail is queued, removed
# with POSTHORN_PURGE_SPOOL=yes).
#
# The root comes from debootstrap --variant=minbase once and is kept in
# $POSTHORN_DEB_CACHE (default /var/cache/posthorn-deb-check) with the
# .debs apt fetched, so later runs only copy it; each run works on a fresh
# copy and removes it at the end. Mail stays on loopback: qmqpd and pickup
# listen on 127.0.0.1 only, the relayhost is the sink on 127.0.0.1 (the
# chroot shares the host's network); only apt reaches out, to the mirror
# this machine's apt uses. Every step has a time limit. Needs root.
set -eu

BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
CACHE=${POSTHORN_DEB_CACHE:-/var/cache/posthorn-deb-check}
SUITE=bookworm
PRISTINE=$CACHE/$SUITE-minbase
W=
SINK_PID=
T0=$(date +%s)

say() { echo "[deb-check] $*"; }
fail() { echo "FAIL [deb-check]: $*" >&2; exit 1; }
# in_root CMD... - run CMD inside the throw-away root, bounded in time
in_root() { timeout -k 10 "${STEP_TIMEOUT:-120}" chroot "$W" "$@"; }

# mirror - the Debian mirror this machine's apt uses for $SUITE
# (deb822 .sources files or one-line sources.list), else deb.debian.org
mirror() {
    [ -n "${POSTHORN_DEB_MIRROR:-}" ] && { echo "$POSTHORN_DEB_MIRROR"; return; }
    m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v s="$SUITE" '
	/^[[:space:]]*$/ { if (uri != "" && suites ~ "(^| )" s "( |$)") { print uri; exit } uri = ""; suites = ""; next }
	/^URIs:/ { uri = $2 }
	/^Suites:/ { $1 = ""; suites = $0 " " }
	END { if (uri != "" && suites ~ "(^| )" s "( |$)") print uri }' | head -n 1)
    [ -n "$m" ] || m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
	| awk -v s="$SUITE" '$1 == "deb" && $3 == s { print $2; exit }' | sed 's/\[.*\]//')
    echo "${m:-http://deb.debian.org/debian}"
}

# cleanup - whatever happened: stop posthorn and every process left in the
# root (by pid, only those whose root is ours), unmount, remove the copy
cleanup() {
    set +e
    [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null
    if [ -n "$W" ] && [ -d "$W" ]; then
	[ -x "$W/usr/sbin/posthorn" ] && [ -d "$W/proc/self" ] \
	    && timeout 40 chroot "$W" posthorn stop >/dev/null 2>&1
	for p in /proc/[0-9]*; do
	    [ "$(readlink "$p/root" 2>/dev/null)" = "$W" ] && kill -9 "${p#/proc/}" 2>/dev/null
	done
	for m in "$W/var/cache/apt/archives" "$W/proc"; do
	    mountpoint -q "$m" && umount "$m"
	done
	mountpoint -q "$W/proc" || mountpoint -q "$W/var/cache/apt/archives" \
	    || rm -rf "$W"
	rm -f "$W".*.log "$W.logrotate.out"
    fi
    [ -n "${SINK_DIR:-}" ] && rm -rf "$SINK_DIR" "$SINK_DIR.log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, chroot, mount)"
for tool in lintian debootstrap smtp-sink logrotate flock; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (make deps installs it)"
done
deb=$(ls "$BUILD"/posthorn_*.deb 2>/dev/null | tail -n 1)
[ -n "$deb" ] || fail "no $BUILD/posthorn_*.deb: run make deb first"

# --- lintian: no error, no warning (debian/posthorn.lintian-overrides gives
# the reasons for the tags we accept) ---
say "lintian $(basename "$deb")"
if out=$(lintian --fail-on error,warning --pedantic "$deb" 2>&1); then rc=0; else rc=$?; fi
echo "$out" | grep -v 'running with root privileges' || true
[ "$rc" = 0 ] || fail "lintian reports errors or warnings (status $rc)"

# --- the pristine root, made once (one deb-check at a time uses the cache) ---
mkdir -p "$CACHE/debs" "$CACHE/apt-archives"
exec 9>"$CACHE/lock"
flock -w 1800 9 || fail "another deb-check holds $CACHE/lock"
t=$(date +%s)
if [ ! -f "$PRISTINE.ok" ]; then
    m=$(mirror)
    say "debootstrap --variant=minbase $SUITE from $m (once; kept in $PRISTINE)"
    rm -rf "$PRISTINE"
    timeout -k 10 1200 debootstrap --variant=minbase --cache-dir="$CACHE/debs" \
	"$SUITE" "$PRISTINE" "$m" > "$CACHE/debootstrap.log" 2>&1 \
	|| { tail -n 20 "$CACHE/debootstrap.log"; fail "debootstrap failed (log: $CACHE/debootstrap.log)"; }
    touch "$PRISTINE.ok"
fi
# apt's package lists, refreshed once a day (a stale list names .debs the
# mirror no longer has)
if [ -z "$(find "$PRISTINE/var/lib/apt/lists" -maxdepth 1 -name '*_Packages' -mtime -1 2>/dev/null)" ]; then
    say "apt-get update in the pristine root"
    cp /etc/resolv.conf "$PRISTINE/etc/resolv.conf"
    timeout -k 10 300 chroot "$PRISTINE" apt-get update -qq || fail "apt-get update in $PRISTINE"
fi
t_root=$(( $(date +%s) - t ))

# --- a fresh copy for this run ---
t=$(date +%s)
W=$CACHE/run.$$
rm -rf "$W"
cp -a "$PRISTINE" "$W"
flock -u 9
exec 9>&-
cp /etc/resolv.conf "$W/etc/resolv.conf"
# Debian's way to say "start no service" (policy-rc.d, exit 101): the
# package must not start anything in a chroot, and here it must not try.
printf '#!/bin/sh\nexit 101\n' > "$W/usr/sbin/policy-rc.d"
chmod 755 "$W/usr/sbin/policy-rc.d"
mount -t proc proc "$W/proc"
mount --bind "$CACHE/apt-archives" "$W/var/cache/apt/archives"
cp "$deb" "$W/tmp/"
debname=$(basename "$deb")

# --- install, as an admin would: apt pulls the runtime libraries ---
say "apt-get install ./$debname"
STEP_TIMEOUT=600 in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "/tmp/$debname" > "$W.install.log" 2>&1 \
    || { tail -n 30 "$W.install.log"; fail "apt-get install failed"; }
rm -f "$W.install.log"
t_install=$(( $(date +%s) - t ))

# --- what the package set up ---
in_root getent passwd posthorn >/dev/null || fail "no posthorn user after install"
in_root getent group posthorn >/dev/null || fail "no posthorn group after install"
[ -d "$W/var/spool/posthorn" ] || fail "no /var/spool/posthorn"
[ "$(stat -c %U:%a "$W/var/log/posthorn.log")" = root:640 ] \
    || fail "/var/log/posthorn.log is $(stat -c %U:%a "$W/var/log/posthorn.log"), want root:640"
for f in main.cf master.cf smtp_reply_throttle smtp_mx_group; do
    grep -qx "/etc/posthorn/$f" "$W/var/lib/dpkg/info/posthorn.conffiles" \
	|| fail "/etc/posthorn/$f is not a conffile"
done
[ "$(readlink "$W/usr/sbin/sendmail")" = posthorn ] || fail "/usr/sbin/sendmail is no link to posthorn"
[ "$(readlink "$W/usr/bin/mailq")" = ../sbin/posthorn ] || fail "/usr/bin/mailq is no link to posthorn"
[ -L "$W/etc/systemd/system/multi-user.target.wants/posthorn.service" ] \
    || fail "posthorn.service is not enabled"
if in_root posthorn status >/dev/null 2>&1; then
    fail "the package started posthorn in a chroot"
fi
in_root posthorn conf -h maillog_file | grep -qx /var/log/posthorn.log \
    || fail "maillog_file is not /var/log/posthorn.log"
in_root posthorn check || fail "posthorn check fails on the packaged configuration"
# The logrotate file parses (dry run, nothing touched).
logrotate -d "$W/etc/logrotate.d/posthorn" > "$W.logrotate.out" 2>&1 \
    || { cat "$W.logrotate.out"; fail "logrotate -d rejects /etc/logrotate.d/posthorn"; }
if grep -q "error" "$W.logrotate.out"; then
    cat "$W.logrotate.out"; fail "logrotate -d: errors"
fi
rm -f "$W.logrotate.out"

# --- a relay to a sink on loopback ---
# port - a free TCP port on 127.0.0.1 below the ephemeral range
port() {
    while :; do
	p=$(( 10000 + $(od -An -N2 -tu2 /dev/urandom) % 20000 ))
	ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }
    done
}
SPORT=$(port)
QPORT=$(port)
SINK_DIR=$(mktemp -d /tmp/posthorn-deb-sink.XXXXXX)
chmod 777 "$SINK_DIR"
smtp-sink -u nobody -d "$SINK_DIR/m." "127.0.0.1:$SPORT" 10 > "$SINK_DIR.log" 2>&1 &
SINK_PID=$!
i=0
until ss -Htln "sport = :$SPORT" | grep -q .; do
    i=$((i + 1)); [ $i -lt 50 ] || fail "smtp-sink did not start"; sleep 0.1
done
# qmqpd on loopback only, and on a free port (628 may be someone else's)
sed -i "s/^628\([[:space:]]\)/127.0.0.1:$QPORT\1/" "$W/etc/posthorn/master.cf"
grep -q "^127.0.0.1:${QPORT}[[:space:]]" "$W/etc/posthorn/master.cf" || fail "no qmqpd line in master.cf"
in_root posthorn conf -e "relayhost=[127.0.0.1]:$SPORT" >/dev/null || fail "posthorn conf -e relayhost"
in_root posthorn check || fail "posthorn check fails after setting relayhost"

t=$(date +%s)
in_root posthorn start || fail "posthorn start failed"
in_root posthorn status >/dev/null || fail "posthorn status: not running after start"
token=deb-check-$$-$(date +%s)
printf 'Subject: %s root\n\nfrom root, as a script sends it\n' "$token" \
    | in_root /usr/sbin/sendmail -i root-rcpt@example.net || fail "sendmail (root) failed"
# as cron sends it: an unprivileged user, recipients from the header
printf 'To: user-rcpt@example.net\nSubject: %s nobody\n\nfrom nobody, with -t\n' "$token" \
    | timeout 60 chroot --userspec=nobody:nogroup "$W" /usr/sbin/sendmail -t \
    || fail "sendmail -t as nobody failed"
i=0
while [ "$(grep -l "$token" "$SINK_DIR"/m.* 2>/dev/null | wc -l)" -lt 2 ]; do
    i=$((i + 1))
    [ $i -lt 600 ] || { tail -n 30 "$W/var/log/posthorn.log"; fail "the messages did not reach the sink within 60 s"; }
    sleep 0.1
done
t_mail=$(( $(date +%s) - t ))
grep -l "Subject: $token nobody" "$SINK_DIR"/m.* | xargs grep -qi 'user-rcpt@example.net' \
    || fail "the -t message did not go to user-rcpt@example.net"
i=0
until grep -q 'status=sent' "$W/var/log/posthorn.log"; do
    i=$((i + 1)); [ $i -lt 50 ] || fail "no status=sent line in /var/log/posthorn.log"; sleep 0.1
done
in_root mailq >/dev/null || fail "mailq failed"
say "2 messages via /usr/sbin/sendmail reached smtp-sink on 127.0.0.1:$SPORT in ${t_mail}s"

# --- a second instance, made as README.md says, run as posthorn@lists would
# run it; its pid file is where the template's PIDFile= looks ---
QPORT2=$(port)
in_root cp -a /etc/posthorn /etc/posthorn-lists
in_root posthorn -c /etc/posthorn-lists conf -e queue_directory=/var/spool/posthorn-lists \
    maillog_file=/var/log/posthorn-lists.log >/dev/null || fail "conf -e for posthorn-lists"
sed -i "s/^127.0.0.1:$QPORT\([[:space:]]\)/127.0.0.1:$QPORT2\1/" "$W/etc/posthorn-lists/master.cf"
in_root posthorn -c /etc/posthorn-lists check || fail "check of /etc/posthorn-lists"
in_root posthorn -c /etc/posthorn-lists start || fail "start of /etc/posthorn-lists"
pidfile=$(sed -n 's/^PIDFile=//p' "$W/lib/systemd/system/posthorn@.service" | sed 's/%i/lists/')
[ -s "$W$pidfile" ] || fail "no $pidfile, where posthorn@lists.service looks for master's pid"
printf 'Subject: %s lists\n\nvia the second instance\n' "$token" \
    | in_root /usr/sbin/sendmail -C /etc/posthorn-lists -i lists-rcpt@example.net \
    || fail "sendmail -C /etc/posthorn-lists failed"
i=0
until grep -q "Subject: $token lists" "$SINK_DIR"/m.* 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 600 ] || fail "the second instance's message did not arrive"; sleep 0.1
done
in_root posthorn -c /etc/posthorn-lists stop >/dev/null || fail "stop of /etc/posthorn-lists"
say "second instance /etc/posthorn-lists: started, delivered, stopped; pid file $pidfile"

# --- purge: prerm stops the instance started by hand (no systemd here); a
# queued message keeps the spool ---
touch "$W/var/spool/posthorn/hold/0123456789ABCDEF"
in_root dpkg --purge posthorn > "$W.purge.log" 2>&1 || { cat "$W.purge.log"; fail "dpkg --purge failed"; }
grep -q "kept /var/spool/posthorn" "$W.purge.log" || { cat "$W.purge.log"; fail "purge did not say it kept the spool"; }
for p in /proc/[0-9]*; do
    if [ "$(readlink "$p/root" 2>/dev/null)" = "$W" ]; then
	fail "a process still runs after purge: $(tr '\0' ' ' < "$p/cmdline")"
    fi
done
[ -f "$W/var/spool/posthorn/hold/0123456789ABCDEF" ] || fail "purge removed a spool with queued mail"
[ ! -e "$W/var/log/posthorn.log" ] || fail "purge left /var/log/posthorn.log"
[ ! -e "$W/etc/posthorn" ] || fail "purge left /etc/posthorn: $(ls "$W/etc/posthorn")"
in_root getent passwd posthorn >/dev/null || fail "purge removed the posthorn user"
# Reinstalled over the kept spool and user, then purged when asked to.
in_root dpkg -i "/tmp/$debname" > "$W.purge.log" 2>&1 || { cat "$W.purge.log"; fail "dpkg -i again failed"; }
in_root env POSTHORN_PURGE_SPOOL=yes dpkg --purge posthorn > "$W.purge.log" 2>&1 \
    || { cat "$W.purge.log"; fail "dpkg --purge with POSTHORN_PURGE_SPOOL=yes failed"; }
[ ! -e "$W/var/spool/posthorn" ] || fail "POSTHORN_PURGE_SPOOL=yes: the spool is still there"
rm -f "$W.purge.log"

say "root ${t_root}s, copy and install ${t_install}s, mail ${t_mail}s, total $(( $(date +%s) - T0 ))s"
echo "PASS [deb-check]"
