#!/bin/sh
# Generates the certificates the TLS tests and benchmarks use, into DIR
# (default: build/test-certs), with Debian's openssl. Nothing here is
# committed: the keys exist only for the run.
#
#   ca.crt                      test CA (trust it: curl --cacert, NSS for Chromium)
#   ecdsa.crt/.key              P-256 leaf for localhost, 127.0.0.1, ::1, *.kiln.test
#   rsa.crt/.key                RSA-2048 leaf for the same names
#   other.crt/.key              P-256 leaf for other.test only (SNI selection)
#   expired.crt/.key            P-256 leaf that expired (startup warning)
#   chain.crt                   ecdsa.crt followed by ca.crt (a full chain)
set -eu
dir=${1:-build/test-certs}
mkdir -p "$dir"
cd "$dir"
umask 077

cat > leaf.ext <<'X'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, DNS:*.kiln.test, IP:127.0.0.1, IP:::1
X
cat > other.ext <<'X'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.test
X

openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -sha256 -days 30 -subj "/CN=kiln test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.crt

leaf() { # name keyalg-args ext days-or-dates
    name=$1 ext=$2
    shift 2
    openssl req -new -key "$name.key" -subj "/CN=$name.kiln.test" -out "$name.csr"
    openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 \
        -extfile "$ext" "$@" -out "$name.crt" 2>/dev/null
    rm -f "$name.csr"
}

openssl ecparam -name prime256v1 -genkey -noout -out ecdsa.key 2>/dev/null
leaf ecdsa leaf.ext -days 30
openssl genrsa -out rsa.key 2048 2>/dev/null
leaf rsa leaf.ext -days 30
openssl ecparam -name prime256v1 -genkey -noout -out other.key 2>/dev/null
leaf other other.ext -days 30
openssl ecparam -name prime256v1 -genkey -noout -out expired.key 2>/dev/null
# x509 -req cannot backdate; a CA-signed certificate valid for 1 day that
# starts 3 days ago needs the ca command's -startdate/-enddate, so use the
# self-contained form: sign with -not_before/-not_after where openssl has
# them (3.0 has not), else -days 0 gives notAfter == notBefore == now.
if openssl x509 -help 2>&1 | grep -q not_after; then
    leaf expired leaf.ext -not_before 20200101000000Z -not_after 20200102000000Z
else
    leaf expired leaf.ext -days 0
fi
cat ecdsa.crt ca.crt > chain.crt
chmod 600 ./*.key
chmod 644 ./*.crt
rm -f leaf.ext other.ext ca.srl
echo "$PWD"
