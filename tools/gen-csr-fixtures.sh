#!/usr/bin/env bash
# Generates the CSR fixtures under crates/roster/tests/fixtures/csr/ with openssl.
# Run once; the output is committed (keys are thrown away: they are test data).
set -euo pipefail
out=crates/roster/tests/fixtures/csr
mkdir -p "$out"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
subj="/CN=Jane Doe/emailAddress=jane@example.com/C=GB"
req() { # name keyfile [extra openssl req args]
  local name=$1 key=$2; shift 2
  openssl req -new -key "$key" -subj "$subj" "$@" -out "$out/$name.csr" 2>/dev/null
}
for bits in 1024 2048 3072; do
  openssl genrsa -out "$tmp/rsa$bits.key" $bits 2>/dev/null
  req rsa$bits "$tmp/rsa$bits.key" -sha256
done
req rsa2048-sha384 "$tmp/rsa2048.key" -sha384
req rsa2048-sha512 "$tmp/rsa2048.key" -sha512
req rsa2048-sha1 "$tmp/rsa2048.key" -sha1
req rsa2048-pss "$tmp/rsa2048.key" -sha256 -sigopt rsa_padding_mode:pss
req rsa2048-san-other "$tmp/rsa2048.key" -sha256 -subj "/CN=Bob" -addext "subjectAltName=email:bob@example.org"
openssl genrsa -out "$tmp/rsa2056.key" 2056 2>/dev/null
req rsa2056 "$tmp/rsa2056.key" -sha256
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2052 -out "$tmp/rsa2052.key" 2>/dev/null
req rsa2052 "$tmp/rsa2052.key" -sha256
for curve in prime256v1:p256 secp384r1:p384 secp521r1:p521 secp256k1:secp256k1; do
  openssl ecparam -name "${curve%%:*}" -genkey -noout -out "$tmp/${curve##*:}.key"
done
req p256 "$tmp/p256.key" -sha256
req p256-sha384 "$tmp/p256.key" -sha384
req p384 "$tmp/p384.key" -sha384
req p521 "$tmp/p521.key" -sha512
req secp256k1 "$tmp/secp256k1.key" -sha256
openssl genpkey -algorithm ed25519 -out "$tmp/ed25519.key"
req ed25519 "$tmp/ed25519.key"
openssl genpkey -algorithm ed448 -out "$tmp/ed448.key"
req ed448 "$tmp/ed448.key"
openssl dsaparam -genkey -noout -out "$tmp/dsa.key" 2048 2>/dev/null
req dsa "$tmp/dsa.key" -sha256
# Broken signatures: the last byte of the signature flipped.
for name in rsa2048 p256 ed25519; do
  python3 - "$out/$name.csr" "$out/$name-broken-signature.csr" <<'PY'
import base64, sys
pem = open(sys.argv[1]).read().splitlines()
der = bytearray(base64.b64decode("".join(l for l in pem if not l.startswith("-----"))))
der[-1] ^= 0x01
b64 = base64.b64encode(bytes(der)).decode()
body = "\n".join(b64[i:i+64] for i in range(0, len(b64), 64))
open(sys.argv[2], "w").write("-----BEGIN CERTIFICATE REQUEST-----\n" + body + "\n-----END CERTIFICATE REQUEST-----\n")
PY
done
# Bare base64 DER, and the legacy "NEW CERTIFICATE REQUEST" label.
grep -v -- ----- "$out/p256.csr" | tr -d '\n' > "$out/p256.b64"
sed 's/CERTIFICATE REQUEST/NEW CERTIFICATE REQUEST/' "$out/rsa2048.csr" > "$out/rsa2048-new-label.csr"
ls "$out"
