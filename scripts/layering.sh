#!/bin/sh
# layering.sh - check which folder of src/ includes which, and where OpenSSL
# and c-ares headers may appear
#
# Usage: sh scripts/layering.sh [ROOT]      (make layering; make check runs it)
#
# ROOT (default: the tree this script belongs to) holds src/ and the
# Makefile. Every #include of every src/*/*.[ch] is checked; a violation is
# printed as one line, "FILE:LINE: what (rule: which)", and the exit status
# is 1. Exit 0 when there is none, 2 when ROOT is not a posthorn tree.
#
# The folders: util, global, the libraries beside global that the
# Makefile's LIBDIRS names (tls: the OpenSSL TLS code; dns: the c-ares
# code; dkim: DKIM keys and signatures over OpenSSL's libcrypto),
# and the programs (every other folder). A header belongs to the folder it
# is in; a quoted include finds the including file's own folder first, as
# the compiler does.
#
#   util     includes only util headers
#   global   util and global: never tls, dns, dkim or a program
#   tls      util, global and tls (it reads global's tls_policy.h)
#   dns      util and dns
#   dkim     util, global and dkim (it reads global's dkim_canon.h, dkim_tags.h)
#   (another library folder: util, global and itself)
#   program  util, global, its own folder, and the libraries its
#            <prog>_LIBS line in the Makefile names (smtp_LIBS = tls dns);
#            never another program's header
#   <openssl/...>  only in a folder whose link line has -lssl or -lcrypto:
#            a library whose <lib>_LDLIBS has them (tls, dkim), or a program whose
#            <prog>_LIBS names such a library (smtp, posthorn)
#   <ares.h>, <ares_*.h>  only in a library whose <lib>_LDLIBS has -lcares
#            (dns); never in a program
#   Makefile -lssl, -lcrypto and -lcares appear in no assignment but a
#            LIBDIRS library's <lib>_LDLIBS, so a program links OpenSSL or
#            c-ares only by naming tls, dkim or dns in <prog>_LIBS, and every word
#            of a <prog>_LIBS is a folder that LIBDIRS names
#
# What links what is read from the Makefile's one-line assignments (LIBDIRS,
# <name>_LIBS, <name>_LDLIBS), the same lines make uses, so the two cannot
# drift apart.
set -u

root=${1:-$(dirname "$0")/..}
cd "$root" 2>/dev/null || { echo "layering.sh: no directory $root" >&2; exit 2; }
if [ ! -d src ] || [ ! -f Makefile ]; then
    echo "layering.sh: $root holds no src/ and Makefile" >&2
    exit 2
fi

# One stream for awk: the Makefile (M), the folders (D), the headers (H),
# the includes (I). /dev/null makes grep name the file even when find hands
# it only one.
{
    sed 's/^/M /' Makefile
    for d in src/*/; do
	[ -d "$d" ] && echo "D $d"
    done
    find src -name '*.h' | sed 's/^/H /'
    find src -name '*.[ch]' -exec grep -n '^[[:space:]]*#[[:space:]]*include' /dev/null {} + \
	| sed 's/^/I /'
} | awk '
function has(list, w,    n, a, i) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++)
	if (a[i] == w)
	    return 1
    return 0
}
function add(list, w) { return has(list, w) ? list : (list == "" ? w : list " " w) }
function bad(where, what, rule) {
    print where ": " what " (rule: " rule ")"
    nbad++
}
function islib(d) { return has(libdirs, d) }
function kind(d) { return d == "util" || d == "global" ? d : islib(d) ? "lib" : "prog" }
# What folder d may include besides itself.
function deps(d) {
    if (d == "util") return ""
    if (d == "global") return "util"
    if (d == "dns") return "util"
    if (islib(d)) return "util global"
    return "util global " var[d "_LIBS"]
}
function deps_rule(d,    s) {
    if (d == "util") return "util includes only util headers"
    if (d == "global") return "global includes only util and global headers, never a library beside it (" libdirs ") or a program"
    if (islib(d)) {
	s = deps(d)
	gsub(/ /, ", ", s)
	return d " includes only " s " and " d " headers"
    }
    return "a program includes only util, global, its own folder and the libraries its " d "_LIBS names (" \
	(var[d "_LIBS"] == "" ? "none" : var[d "_LIBS"]) "), never another program"
}
# The system libraries on folder d link line.
function ldlibs(d,    n, a, i, s) {
    if (islib(d)) return var[d "_LDLIBS"]
    if (kind(d) != "prog") return ""
    s = var[d "_LDLIBS"]
    n = split(var[d "_LIBS"], a, " ")
    for (i = 1; i <= n; i++)
	s = s " " var[a[i] "_LDLIBS"]
    return s
}
function links(d, lib) { return has(ldlibs(d), lib) }
function setup(    d, n, a, i, w, m, nm) {
    ready = 1
    if (!("LIBDIRS" in var))
	bad("Makefile", "no LIBDIRS line", "the Makefile names the library folders beside global in one LIBDIRS = line")
    libdirs = var["LIBDIRS"]
    for (d in folders) {
	if (links(d, "-lssl") || links(d, "-lcrypto"))
	    ssl_ok = add(ssl_ok, d)
	if (islib(d) && links(d, "-lcares"))
	    ares_ok = add(ares_ok, d)
	if (kind(d) != "prog" || !((d "_LIBS") in var))
	    continue
	n = split(var[d "_LIBS"], a, " ")
	for (i = 1; i <= n; i++)
	    if (!islib(a[i]) || !(a[i] in folders))
		bad("Makefile:" vline[d "_LIBS"], d "_LIBS names " a[i] ", which is not a library folder of LIBDIRS",
		    "a program lists in <prog>_LIBS only folders of LIBDIRS")
    }
    n = split(libdirs, a, " ")
    for (i = 1; i <= n; i++)
	if (!(a[i] in folders))
	    bad("Makefile:" vline["LIBDIRS"], "LIBDIRS names " a[i] ", but there is no src/" a[i],
		"LIBDIRS names folders of src/")
    for (nm in var) {
	m = split(var[nm], w, " ")
	for (i = 1; i <= m; i++) {
	    if (w[i] != "-lssl" && w[i] != "-lcrypto" && w[i] != "-lcares")
		continue
	    d = nm
	    sub(/_LDLIBS$/, "", d)
	    if (d == nm || !islib(d))
		bad("Makefile:" vline[nm], nm " names " w[i],
		    "OpenSSL and c-ares are linked only through the <lib>_LDLIBS of a LIBDIRS library (tls, dkim, dns), which a program names in <prog>_LIBS")
	}
    }
}
# The folder an include of header h from folder self finds: self first for
# a quoted include, then util, global and the libraries, then a program.
function owner(h, quoted, self,    b, p, n, a, i, o) {
    n = split(h, p, "/")
    b = p[n]
    if (!(b in owners))
	return ""
    if (n > 1 && (p[n - 1] in folders) && has(owners[b], p[n - 1]))
	return p[n - 1]
    if (quoted && has(owners[b], self))
	return self
    o = "util global " libdirs
    n = split(o, a, " ")
    for (i = 1; i <= n; i++)
	if (has(owners[b], a[i]))
	    return a[i]
    split(owners[b], a, " ")
    return a[1]
}
$1 == "M" {
    mline++
    line = substr($0, 3)
    if (line !~ /^[A-Za-z0-9_]+[ \t]*[:+?]?=/)
	next
    name = line
    sub(/[ \t]*[:+?]?=.*/, "", name)
    val = line
    sub(/^[^=]*=/, "", val)
    sub(/#.*/, "", val)
    gsub(/[ \t]+/, " ", val)
    sub(/^ /, "", val)
    sub(/ $/, "", val)
    if (line ~ /^[A-Za-z0-9_]+[ \t]*\+=/ && name in var)
	val = var[name] " " val
    var[name] = val
    vline[name] = mline
    next
}
$1 == "D" {
    split($2, p, "/")
    folders[p[2]] = 1
    next
}
$1 == "H" {
    n = split($2, p, "/")
    if (n != 3)
	next
    folders[p[2]] = 1
    owners[p[3]] = add(owners[p[3]], p[2])
    next
}
$1 == "I" {
    if (!ready)
	setup()
    rest = substr($0, 3)
    # FILE:LINE:text
    i = index(rest, ":")
    file = substr(rest, 1, i - 1)
    rest = substr(rest, i + 1)
    i = index(rest, ":")
    where = file ":" substr(rest, 1, i - 1)
    text = substr(rest, i + 1)
    n = split(file, p, "/")
    if (n != 3)
	next
    self = p[2]
    nfiles[file] = 1
    sub(/^[ \t]*#[ \t]*include[ \t]*/, "", text)
    c = substr(text, 1, 1)
    if (c == "\"")
	e = index(substr(text, 2), "\"")
    else if (c == "<")
	e = index(substr(text, 2), ">")
    else
	next			# a macro; nothing to check
    if (e == 0)
	next
    h = substr(text, 2, e - 1)
    if (c == "<" && h ~ /^openssl\//) {
	if (!has(ssl_ok, self))
	    bad(where, self " includes <" h "> but does not link OpenSSL",
		"OpenSSL headers only where the link line has -lssl or -lcrypto: " (ssl_ok == "" ? "nowhere" : ssl_ok))
	next
    }
    if (c == "<" && h ~ /^ares(_[A-Za-z0-9_]*)?\.h$/) {
	if (!has(ares_ok, self))
	    bad(where, self " includes <" h ">",
		"c-ares headers only in the library that links -lcares: " (ares_ok == "" ? "none" : ares_ok))
	next
    }
    if (c == "<" && index(h, "/"))
	next			# <sys/socket.h> and the like
    o = owner(h, c == "\"", self)
    if (o == "" || o == self || has(deps(self), o))
	next
    bad(where, self " includes " h " of src/" o, deps_rule(self))
}
END {
    if (!ready)
	setup()
    if (nbad) {
	print "layering: " nbad " violation(s)" > "/dev/stderr"
	exit 1
    }
    nf = 0
    for (f in nfiles)
	nf++
    print "layering: " nf " files, no violation"
}'
