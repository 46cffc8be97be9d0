#!/bin/bash
# scripts/layering.sh, the test of the tests: it passes on this tree and on
# an unmodified copy of src/ and the Makefile; in copies with one bad
# include each (util including a global header, a program that does not
# link OpenSSL including <openssl/ssl.h>, global including a tls header, a
# program including another program's header, <ares.h> outside src/dns) it
# fails with one line naming file:line and the rule. What may use OpenSSL
# follows the Makefile: the same include passes once the copy's Makefile
# gives qmgr tls in qmgr_LIBS, smtp's TLS headers fail once smtp_LIBS drops
# tls, and -lssl in a program's own _LDLIBS is refused.
. "$(dirname "$0")/lib.sh"
LAYERING=$T_ROOT/scripts/layering.sh
N=0

# t_copy - a fresh copy of src/ and the Makefile in a new directory, $d
t_copy() {
    N=$((N + 1))
    d=$T_TMP/tree$N
    mkdir "$d" || t_fail "mkdir $d"
    cp -R "$T_ROOT/src" "$T_ROOT/Makefile" "$d/" || t_fail "copying the tree"
}

# t_add_include TREE FILE LINE - append LINE to TREE/FILE; prints FILE:LINENO
t_add_include() {
    printf '%s\n' "$3" >> "$1/$2"
    echo "$2:$(wc -l < "$1/$2")"
}

# t_layering_fails TREE WHERE TEXT - the script fails on TREE and one line
# starts with "WHERE: " and contains TEXT and "(rule: "
t_layering_fails() {
    out=$(sh "$LAYERING" "$1" 2>&1)
    rc=$?
    t_assert_eq 1 "$rc" "exit status with a violation at $2 (output: $out)"
    echo "$out" | grep -F -- "$2: " | grep -F -- "$3" | grep -qF "(rule: " \
	|| t_fail "no '$2: ... $3 ... (rule: ...)' line in: $out"
}

# t_layering_passes TREE WHAT
t_layering_passes() {
    out=$(sh "$LAYERING" "$1" 2>&1)
    rc=$?
    t_assert_eq "0" "$rc" "exit status, $2 (output: $out)"
    echo "$out" | grep -q "no violation" || t_fail "$2: $out"
}

# --- the tree itself, and an unmodified copy ---
start=$(date +%s%N)
t_layering_passes "$T_ROOT" "this tree"
took=$(( ($(date +%s%N) - start) / 1000000 ))
t_log "this tree passes in ${took} ms"
[ "$took" -lt 5000 ] || t_fail "layering.sh took ${took} ms"
out=$(cd "$T_ROOT" && sh scripts/layering.sh 2>&1) || t_fail "without an argument: $out"
t_copy
t_layering_passes "$d" "an unmodified copy"

# --- util includes a header of global ---
t_copy
at=$(t_add_include "$d" src/util/dstr.c '#include "cfg.h"')
t_layering_fails "$d" "$at" "util includes cfg.h of src/global"

# --- a program without OpenSSL includes <openssl/ssl.h>, then links tls ---
t_copy
at=$(t_add_include "$d" src/qmgr/qmgr_scan.c '#include <openssl/ssl.h>')
t_layering_fails "$d" "$at" "qmgr includes <openssl/ssl.h> but does not link OpenSSL"
sed -i 's/^smtp_LIBS[[:space:]]*=.*/&\nqmgr_LIBS   = tls/' "$d/Makefile"
grep -q '^qmgr_LIBS   = tls$' "$d/Makefile" || t_fail "could not add qmgr_LIBS"
t_layering_passes "$d" "qmgr including OpenSSL once qmgr_LIBS names tls"

# --- both at once: one line each ---
t_copy
at1=$(t_add_include "$d" src/util/netstring.c '#include "qid.h"')
at2=$(t_add_include "$d" src/postlogd/postlogd.c '#include <openssl/ssl.h>')
t_layering_fails "$d" "$at1" "util includes qid.h of src/global"
t_layering_fails "$d" "$at2" "postlogd includes <openssl/ssl.h>"
t_assert_eq 2 "$(echo "$out" | grep -c '(rule: ')" "violation lines for two bad includes"

# --- global includes tls; a program includes another's header; c-ares ---
t_copy
at=$(t_add_include "$d" src/global/cfg_check.c '#include "tls_client.h"')
t_layering_fails "$d" "$at" "global includes tls_client.h of src/tls"
t_copy
at=$(t_add_include "$d" src/qmgr/qmgr.h '#include "smtp.h"')
t_layering_fails "$d" "$at" "qmgr includes smtp.h of src/smtp"
t_copy
at=$(t_add_include "$d" src/util/msg.c '#include "dns.h"')
t_layering_fails "$d" "$at" "util includes dns.h of src/dns"
t_copy
at=$(t_add_include "$d" src/smtp/smtp_connect.c '#include <ares.h>')
t_layering_fails "$d" "$at" "smtp includes <ares.h>"

# --- the Makefile decides: smtp without tls, -lssl outside tls_LDLIBS ---
t_copy
sed -i 's/^\(smtp_LIBS[[:space:]]*=\).*/\1 dns/' "$d/Makefile"
line=$(grep -n '#include "tls_client.h"' "$d/src/smtp/smtp_tls.h" | cut -d: -f1)
[ -n "$line" ] || t_fail "smtp_tls.h no longer includes tls_client.h; adapt this test"
t_layering_fails "$d" "src/smtp/smtp_tls.h:$line" "smtp includes tls_client.h of src/tls"
t_copy
sed -i 's/^smtp_LIBS[[:space:]]*=.*/&\nqmgr_LDLIBS = -lssl/' "$d/Makefile"
line=$(grep -n '^qmgr_LDLIBS = -lssl$' "$d/Makefile" | cut -d: -f1)
[ -n "$line" ] || t_fail "could not add qmgr_LDLIBS"
t_layering_fails "$d" "Makefile:$line" "qmgr_LDLIBS names -lssl"

# --- not a tree ---
sh "$LAYERING" "$T_TMP" >/dev/null 2>&1
t_assert_eq 2 "$?" "exit status for a directory without src/ and Makefile"

t_pass
