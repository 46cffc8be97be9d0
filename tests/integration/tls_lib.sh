# tls_lib.sh - throw-away certificates for the TLS integration tests
# (source after lib.sh; set C to the directory they go to first).

# mkca NAME - a self-signed CA: NAME.crt and NAME.key in $C
mkca() {
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$C/$1.key" -out "$C/$1.crt" -days 2 \
	-subj "/CN=$1 test CA" -addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || t_fail "cannot make CA $1"
}
# mkcert NAME CA DNSNAME [USAGE] - a certificate for DNSNAME (serverAuth or
# clientAuth), key and chain in NAME.pem
mkcert() {
    openssl req -newkey rsa:2048 -nodes -keyout "$C/$1.key" -out "$C/$1.csr" -subj "/CN=$3" \
	2>/dev/null || t_fail "cannot make a key for $1"
    printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=%s\n' "$3" \
	"${4:-serverAuth}" > "$C/$1.ext"
    openssl x509 -req -in "$C/$1.csr" -CA "$C/$2.crt" -CAkey "$C/$2.key" -CAcreateserial \
	-out "$C/$1.crt" -days 2 -extfile "$C/$1.ext" 2>/dev/null || t_fail "cannot sign $1"
    cat "$C/$1.crt" "$C/$1.key" > "$C/$1.pem"
}
