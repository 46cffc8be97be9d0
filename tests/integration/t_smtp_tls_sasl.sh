#!/bin/bash
# SMTP AUTH over STARTTLS: the security options that apply depend on the
# connection (a real aiosmtpd server with STARTTLS and AUTH, certificates
# from a throw-away CA, the password in a hash: table):
# - over TLS the defaults still refuse plaintext mechanisms, because
#   smtp_sasl_tls_security_options inherits smtp_sasl_security_options
#   (noplaintext): a server with only PLAIN and LOGIN gets no AUTH and the
#   message is deferred;
# - smtp_sasl_tls_security_options=noanonymous allows PLAIN over TLS, and
#   the server sees AUTH PLAIN only after STARTTLS;
# - smtp_sasl_tls_verified_security_options applies only when the server
#   certificate was verified (level verify), not under encrypt;
# - the password never reaches the log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/smtp_lib.sh"
. "$(dirname "$0")/sasl_lib.sh"
. "$(dirname "$0")/tls_lib.sh"
$PY -c 'import aiosmtpd' 2>/dev/null || { echo "SKIP [$T_NAME]: python3-aiosmtpd not installed"; exit 77; }

C=$T_TMP/certs
mkdir -p "$C"
mkca ca
mkcert server ca auth.tls.test
chmod 644 "$C"/*

A=$(s_addr)
P_DEF=$(t_port)
P_TLS=$(t_port); while [ "$P_TLS" = "$P_DEF" ]; do P_TLS=$(t_port); done
GOOD=Tls-s3cret
MAPS=$(sasl_maps "[$A]:$P_DEF=alice:$GOOD" "[$A]:$P_TLS=alice:$GOOD")
S_BOUNCE=1 s_setup smtp_tls_security_level=encrypt smtp_tls_CAfile="$C/ca.crt" \
    smtp_tls_loglevel=1 smtp_sasl_auth_enable=yes "smtp_sasl_password_maps=$MAPS"
cat >> "$INST/master.cf" <<EOF
smtptlsplain unix       -       -       y       -       -       smtp -o smtp_sasl_tls_security_options=noanonymous
smtpverified unix       -       -       y       -       -       smtp -o smtp_tls_security_level=verify -o smtp_tls_verify_cert_match=auth.tls.test -o smtp_sasl_tls_verified_security_options=noanonymous
smtpencrypt  unix       -       -       y       -       -       smtp -o smtp_sasl_tls_verified_security_options=noanonymous
EOF
$PH reload >/dev/null || t_fail "reload"
t_wait_until 10 test -S "$SPOOL/private/smtpverified" || t_fail "private/smtpverified did not appear"

# 1. Defaults over TLS: PLAIN and LOGIN are still plaintext mechanisms.
a_server def "$A" "$P_DEF" --cert "$C/server.pem" --user "alice:$GOOD" --mechs "PLAIN LOGIN" --require-auth
id=$(s_submit 'Subject: t1\n\nbody\n' s@example.org r1@example.net)
got=$(s_deliver "$id" "[$A]:$P_DEF")
reason="SASL authentication failed; cannot authenticate to server $A[$A]: no mechanism available"
t_assert_eq "REPLY status=1 hop_status=4.7.0 hop_reason=$reason" "$got" "reply with only plaintext mechanisms over TLS"
t_wait_log "Trusted TLS connection established to $A\[$A\]:$P_DEF: TLSv1" || t_fail "no TLS line for case 1"
t_assert_eq "" "$(a_auth_cmds def)" "AUTH commands over TLS with the default options"
t_assert_eq "r1@example.net" "$(s_pending "$id")" "pending after the refusal"

# 2. smtp_sasl_tls_security_options=noanonymous: PLAIN, and only after STARTTLS.
got=$(s_deliver "$id" "[$A]:$P_DEF" --service smtptlsplain)
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "delivery with PLAIN allowed over TLS"
t_assert_eq "[('PLAIN', True)]" "$(a_events def '[(e["mech"], e["tls"]) for e in ev if e["event"] == "auth-command"]')" \
    "AUTH commands (mechanism, over TLS)"
t_assert_eq "alice" "$(a_msg_users def)" "user of the message sent over TLS"

# 3. The verified options: used under verify (certificate name checked) ...
a_server tls "$A" "$P_TLS" --cert "$C/server.pem" --user "alice:$GOOD" --mechs "PLAIN LOGIN" --require-auth
id=$(s_submit 'Subject: t3\n\nbody\n' s@example.org r3@example.net)
got=$(s_deliver "$id" "[$A]:$P_TLS" --service smtpverified)
t_assert_eq "REPLY status=0 hop_status= hop_reason=" "$got" "delivery under verify with the verified options"
t_wait_log "Verified TLS connection established to $A\[$A\]:$P_TLS" || t_fail "no Verified TLS line"
t_assert_eq "[('PLAIN', True)]" "$(a_events tls '[(e["mech"], e["tls"]) for e in ev if e["event"] == "auth-command"]')" \
    "AUTH commands under verify"
#    ... and not under encrypt, where the certificate name is not checked.
id=$(s_submit 'Subject: t3b\n\nbody\n' s@example.org r3b@example.net)
got=$(s_deliver "$id" "[$A]:$P_TLS" --service smtpencrypt)
reason="SASL authentication failed; cannot authenticate to server $A[$A]: no mechanism available"
t_assert_eq "REPLY status=1 hop_status=4.7.0 hop_reason=$reason" "$got" "reply under encrypt with only the verified options relaxed"
t_assert_eq "1" "$(a_events tls 'len([e for e in ev if e["event"] == "auth-command"])')" "AUTH commands after the encrypt case"

grep -e "$GOOD" "$INST/maillog" && t_fail "the password reached the log"
t_pass
