#!/bin/bash
# lintian on the Debian package in $BUILD, when "make deb" has built one:
# no error and no warning (debian/posthorn.lintian-overrides gives the reason
# for each tag we accept). Skipped when there is no package or no lintian;
# make deb-check also installs and uses the package (tests/deb/deb_check.sh).
. "$(dirname "$0")/lib.sh"
command -v lintian >/dev/null || { echo "SKIP [$T_NAME]: lintian not installed"; exit 77; }
deb=$(ls "$T_BUILD"/posthorn_*.deb 2>/dev/null | tail -n 1)
[ -n "$deb" ] || { echo "SKIP [$T_NAME]: no $T_BUILD/posthorn_*.deb (make deb builds it)"; exit 77; }
[ "$deb" -nt "$T_ROOT/debian/changelog" ] && [ "$deb" -nt "$T_ROOT/debian/rules" ] \
    || t_log "warning: $(basename "$deb") is older than debian/: make deb builds it anew"
out=$(lintian --fail-on error,warning "$deb" 2>&1)
rc=$?
t_assert_eq 0 "$rc" "lintian status on $(basename "$deb") (output: $out)"
t_log "lintian: $(basename "$deb") has no error and no warning"
t_pass
