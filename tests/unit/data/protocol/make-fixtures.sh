#!/bin/sh
# Regenerates the certificate fixtures of test-protocol and test-cert-entry
# with certtool (gnutls-bin). The XML fixtures hold @CERT_A_B64@ style
# placeholders that the tests fill in, so only the certificates change.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make_cert () {
  name=$1 keyopts=$2 jid=$3 cn=$4
  certtool --generate-privkey $keyopts --outfile "$tmp/$name.key" 2>/dev/null
  cat > "$tmp/$name.tmpl" <<TMPL
cn = "$cn"
xmpp_name = "$jid"
serial = 0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
activation_date = "2026-01-01 00:00:00 UTC"
expiration_date = "2036-01-01 00:00:00 UTC"
signing_key
tls_www_client
TMPL
  certtool --generate-self-signed --load-privkey "$tmp/$name.key" \
    --template "$tmp/$name.tmpl" --outder --outfile "$name.der" 2>/dev/null
  sha256sum "$name.der" | cut -d' ' -f1 > "$name.der.sha256"
}

make_cert cert-a "--key-type=ecdsa --curve=secp256r1" alice@example.org alice@example.org
make_cert cert-b "--key-type=ed25519" alice@example.org "Alice laptop"
