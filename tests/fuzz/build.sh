#!/bin/sh
# build.sh - build every tests/fuzz/fuzz_NAME.c into build-fuzz/NAME (libFuzzer, clang)
#
# Library code is compiled once per build into build-fuzz/obj and archived
# per folder (libutil.a, libglobal.a, the libraries beside global that the
# Makefile's LIBDIRS names: libtls.a, libdns.a, libdkim.a; lib<prog>.a holding a
# daemon's topic files: every src/<prog>/*.c except <prog>.c, which holds
# main()). Targets
# link the archives, so a target pulls in only what it uses and a folder
# that is empty or absent costs nothing. An object is rebuilt when its
# source, any header under src/, or the compiler flags changed.
#
# Environment: FUZZ_CC (clang), FUZZ_LDLIBS (more libraries). The libraries
# the daemons link are always given: a target that pulls in an object using
# them (a table, TLS, SASL) links, and the linker drops what is unused.
# Usage: sh tests/fuzz/build.sh      (make fuzz does this)
set -eu

cd "$(dirname "$0")/../.."

CC=${FUZZ_CC:-clang}
OUT=build-fuzz
OBJ=$OUT/obj
# Library folders beside global (tls, dns, dkim), as the Makefile lists them.
LIBDIRS=$(sed -n 's/^LIBDIRS[[:space:]]*=//p' Makefile)
LIBINC=
for lib in $LIBDIRS; do LIBINC="$LIBINC -Isrc/$lib"; done
CFLAGS="-g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE -std=c11 -Isrc/util -Isrc/global$LIBINC -Isrc"
# UB must stop the run like a memory error does, or the fuzzer never reports it.
SAN="address,undefined -fno-sanitize-recover=undefined"
LIB_SAN="-fsanitize=fuzzer-no-link,$SAN"
TARGET_SAN="-fsanitize=fuzzer,$SAN"

command -v "$CC" >/dev/null 2>&1 || { echo "build.sh: $CC not found (apt-get install clang libclang-rt-dev)" >&2; exit 1; }

mkdir -p "$OBJ"

# Objects built with other flags or another compiler are stale.
stamp="$CC $CFLAGS $LIB_SAN"
if [ ! -f "$OBJ/.flags" ] || [ "$(cat "$OBJ/.flags")" != "$stamp" ]; then
    rm -rf "$OBJ"
    mkdir -p "$OBJ"
    printf '%s\n' "$stamp" > "$OBJ/.flags"
fi

# stale OBJECT SOURCE - true when OBJECT must be (re)compiled
stale() {
    [ ! -f "$1" ] && return 0
    [ -n "$(find "$2" -newer "$1")" ] && return 0
    [ -n "$(find src -name '*.h' -newer "$1" 2>/dev/null | head -n 1)" ]
}

# archive NAME SOURCES... - compile the sources and archive them as $OBJ/libNAME.a
archive() {
    name=$1
    shift
    objs=
    for src in "$@"; do
	obj=$OBJ/$(echo "$src" | sed 's|/|_|g; s|\.c$|.o|')
	if stale "$obj" "$src"; then
	    echo "  CC  $src"
	    # shellcheck disable=SC2086
	    $CC $CFLAGS $LIB_SAN -c -o "$obj" "$src"
	fi
	objs="$objs $obj"
    done
    rm -f "$OBJ/lib$name.a"
    if [ -n "$objs" ]; then
	# shellcheck disable=SC2086
	ar rcs "$OBJ/lib$name.a" $objs
	LIBS="$LIBS $OBJ/lib$name.a"
    fi
}

# sources DIR [EXCLUDE] - the .c files in DIR (if any), minus EXCLUDE
sources() {
    for f in "$1"/*.c; do
	[ -f "$f" ] || continue
	[ "$f" = "${2:-}" ] && continue
	printf '%s\n' "$f"
    done
}

# is_libdir NAME - true when src/NAME is a library beside global (dns, tls, dkim)
is_libdir() {
    for lib in $LIBDIRS; do
	[ "$lib" = "$1" ] && return 0
    done
    return 1
}

LIBS=
# Programs first, then the libraries beside global, then global, then util:
# each may use those after it.
for dir in src/*/; do
    [ -d "$dir" ] || continue
    prog=$(basename "$dir")
    case $prog in util|global) continue ;; esac
    is_libdir "$prog" && continue
    # shellcheck disable=SC2046
    archive "$prog" $(sources "src/$prog" "src/$prog/$prog.c")
done
for lib in $LIBDIRS; do
    # shellcheck disable=SC2046
    archive "$lib" $(sources "src/$lib")
done
# shellcheck disable=SC2046
archive global $(sources src/global)
# shellcheck disable=SC2046
archive util $(sources src/util)

SYSLIBS="-ldb -lsasl2 -lssl -lcrypto -lcares"
built=0
for target in tests/fuzz/fuzz_*.c; do
    [ -f "$target" ] || continue
    name=$(basename "$target" .c)
    name=${name#fuzz_}
    case $name in
    obj|corpus|artifacts|logs)
	echo "build.sh: $target: name clashes with $OUT/$name/" >&2
	exit 1 ;;
    esac
    echo "  LD  $OUT/$name"
    # --start-group: the archives may refer to each other in any order.
    # shellcheck disable=SC2086
    $CC $CFLAGS $TARGET_SAN -o "$OUT/$name" "$target" \
	-Wl,--start-group $LIBS -Wl,--end-group $SYSLIBS ${FUZZ_LDLIBS:-}
    built=$((built + 1))
done
echo "build.sh: $built fuzz target(s) in $OUT/"
