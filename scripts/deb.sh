#!/bin/sh
# deb.sh [BUILD] - build the Debian package (make deb): dpkg-buildpackage
# -us -uc -b with debian/ on a copy of the work tree in BUILD/deb/, so that
# debhelper's clean and build steps never write into the tree other people
# work in; the .deb files (and the -dbgsym .ddeb) end up in BUILD/.
# The copy is the work tree as make sees it: the files git knows, new files
# git does not ignore, without the deleted ones and without any build
# directory.
set -eu
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac

version=$(cat VERSION)
deb_version=$(dpkg-parsechangelog -S Version)
case $deb_version in
"$version"-*) ;;
*)
    echo "deb.sh: VERSION says $version, debian/changelog $deb_version:" \
	"add a changelog entry (dch -v $version-1)" >&2
    exit 1
    ;;
esac

stage=$BUILD/deb
src=$stage/posthorn-$version
rm -rf "$stage"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard \
	| xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done; exit 0' sh \
	| tar --null -T - -cf - | tar -xf - -C "$src"
else
    tar --exclude='./build*' --exclude=./run --exclude=./.git -cf - . | tar -xf - -C "$src"
fi

# dpkg-buildpackage writes the packages next to the source directory.
export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-parallel=$(nproc)}"
(cd "$src" && dpkg-buildpackage -us -uc -b)

rm -f "$BUILD"/posthorn_*.deb "$BUILD"/posthorn-dbgsym_*.deb "$BUILD"/posthorn-dbgsym_*.ddeb
for f in "$stage"/*.deb "$stage"/*.ddeb; do
    [ -e "$f" ] && mv "$f" "$BUILD/"
done
ls "$BUILD"/posthorn_*.deb >/dev/null 2>&1 || { echo "deb.sh: no .deb was built" >&2; exit 1; }
echo "deb.sh: built $(cd "$BUILD" && ls posthorn_*.deb posthorn-dbgsym_* 2>/dev/null | tr '\n' ' ')in $BUILD"
