#!/bin/sh
# deps.sh - install from apt everything posthorn's build, tests and benchmark need.
# Idempotent: does nothing when every package is already present.
# The Debian package (make deb, deb-check) needs debhelper, dpkg-dev,
# fakeroot and lintian; systemd-analyze (package systemd) and logrotate
# check its units and logrotate file; debootstrap makes the throw-away
# Debian root that deb-check installs it into.
set -e
PKGS="build-essential pkg-config libssl-dev libsasl2-dev libc-ares-dev libdb-dev
 check clang libclang-rt-14-dev postfix pflogsumm strace iproute2 procps
 python3 python3-aiosmtpd unbound openssl sasl2-bin libsasl2-modules
 python3-dkim python3-nacl libmail-dkim-perl libnet-dns-perl opendkim opendkim-tools
 debhelper dpkg-dev fakeroot lintian systemd logrotate debootstrap prometheus"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
NULLMAILER_DIR="${NULLMAILER_DIR:-/opt/posthorn-peers/nullmailer}"
if [ -z "$missing" ] && [ -x "$NULLMAILER_DIR/usr/lib/nullmailer/qmqp" ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing packages:$missing; run as root to install them" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$missing" ]; then
    # Postfix is installed only for its test peers (smtp-sink, qmqp-source) and the
    # benchmark: 'No configuration' keeps it from starting a system mail service.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    apt-get update -qq || true
    apt-get install -y -qq --no-install-recommends $missing
    # Debian starts unbound, opendkim and prometheus as services on install;
    # the tests run their own unbound and prometheus (promtool checks
    # posthorn metrics), the benchmark its own opendkim.
    for svc in unbound opendkim prometheus; do
	if command -v systemctl >/dev/null 2>&1; then systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
	[ -x "/etc/init.d/$svc" ] && "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
    done
fi
# nullmailer conflicts with postfix as a package, so only its QMQP client is extracted.
if [ ! -x "$NULLMAILER_DIR/usr/lib/nullmailer/qmqp" ]; then
    tmp=$(mktemp -d)
    (cd "$tmp" && apt-get download nullmailer >/dev/null)
    mkdir -p "$NULLMAILER_DIR"
    dpkg-deb -x "$tmp"/nullmailer_*.deb "$NULLMAILER_DIR"
    rm -rf "$tmp"
fi
