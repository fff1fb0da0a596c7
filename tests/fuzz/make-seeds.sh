#!/bin/sh
# Regenerates the certificate seeds of the fuzz corpus with certtool
# (gnutls-bin): corpus/certificate/* and the protocol seeds that carry a
# certificate (corpus/protocol/*-cert*.xml). The other seeds are written by
# hand. Serials and signatures are random, so every run gives new bytes: run
# it only to change what the seeds cover, and commit the result.
#
# seed-key.pem is a throwaway P-256 test key, public on purpose: the
# certificate harness embeds the same key so that certificates made for it
# get past the key check of tessera_certificate_check_issued().
set -eu
cd "$(dirname "$0")"
out=corpus/certificate
proto=corpus/protocol
mkdir -p "$out" "$proto"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

serial () {
  od -An -N8 -tx1 /dev/urandom | tr -d ' \n'
}

# template NAME LINES...: a certtool template with fixed dates unless given
template () {
  name=$1
  shift
  {
    echo "serial = 0x$(serial)"
    for line in "$@"; do
      echo "$line"
    done
  } > "$tmp/$name.tmpl"
}

dates_2026='activation_date = "2026-01-01 00:00:00 UTC"'
until_2036='expiration_date = "2036-01-01 00:00:00 UTC"'

self_signed () {
  name=$1 key=$2
  certtool --generate-self-signed --load-privkey "$key" --template "$tmp/$name.tmpl" \
    --outder --outfile "$tmp/$name.der" 2>/dev/null
}

certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 --outfile "$tmp/ca.key" 2>/dev/null
certtool --generate-privkey --key-type=ed25519 --outfile "$tmp/ed.key" 2>/dev/null
certtool --generate-privkey --key-type=ecdsa --curve=secp384r1 --outfile "$tmp/p384.key" 2>/dev/null

# 1. What Tessera makes for XEP-0257: self-signed, one xmppAddr, the seed key.
template alice "$dates_2026" "$until_2036" 'cn = "alice@example.org"' \
  'xmpp_name = "alice@example.org"' signing_key tls_www_client
self_signed alice seed-key.pem

# 2. A CA and what a ccm2 server issues from it for the seed key.
template ca "$dates_2026" "$until_2036" 'cn = "Example Client CA"' ca cert_signing_key crl_signing_key
self_signed ca "$tmp/ca.key"
certtool --certificate-info --inder --infile "$tmp/ca.der" --no-text --outfile "$tmp/ca.pem" 2>/dev/null
template issued "$dates_2026" "$until_2036" 'cn = "alice@example.org"' \
  'xmpp_name = "alice@example.org"' signing_key tls_www_client
certtool --generate-certificate --load-privkey seed-key.pem --load-ca-privkey "$tmp/ca.key" \
  --load-ca-certificate "$tmp/ca.pem" --template "$tmp/issued.tmpl" \
  --outder --outfile "$tmp/issued.der" 2>/dev/null

# 3. Ed25519, two xmppAddrs and a DNS name (certtool IDNA-encodes the second).
template two-addrs "$dates_2026" "$until_2036" 'cn = "Älice’s laptop"' \
  'xmpp_name = "alice@example.org"' 'xmpp_name = "ålice@exämple.org"' \
  'dns_name = "laptop.example.org"' signing_key tls_www_client
self_signed two-addrs "$tmp/ed.key"

# 4. Expired long ago, P-384, no subjectAltName.
template expired 'activation_date = "2001-01-01 00:00:00 UTC"' \
  'expiration_date = "2002-01-01 00:00:00 UTC"' 'cn = "bob@example.net"' signing_key
self_signed expired "$tmp/p384.key"

# 5. A CA certificate that claims an xmppAddr, for the seed key.
template is-ca "$dates_2026" "$until_2036" 'cn = "alice@example.org"' \
  'xmpp_name = "alice@example.org"' ca cert_signing_key
self_signed is-ca seed-key.pem

# 6. No well-defined expiry (GeneralizedTime 9999-12-31).
template no-expiry "$dates_2026" 'expiration_date = "9999-12-31 23:59:59 UTC"' \
  'cn = "alice@example.org"' 'xmpp_name = "alice@example.org"' signing_key
self_signed no-expiry seed-key.pem

cp "$tmp/alice.der" "$out/alice-ecdsa.der"
certtool --certificate-info --inder --infile "$tmp/alice.der" --outfile "$out/alice-ecdsa.pem" 2>/dev/null
cp "$tmp/issued.der" "$out/issued-by-ca.der"
certtool --certificate-info --inder --infile "$tmp/ca.der" --no-text --outfile "$out/ca.pem" 2>/dev/null
{
  echo "Text before the block is ignored."
  certtool --certificate-info --inder --infile "$tmp/two-addrs.der" --no-text 2>/dev/null
  echo "And so is text after it."
} > "$out/ed25519-two-addrs.pem"
cp "$tmp/expired.der" "$out/expired-p384.der"
cp "$tmp/is-ca.der" "$out/is-ca.der"
cp "$tmp/no-expiry.der" "$out/no-expiry.der"
# Cut in the middle of the signature.
head -c 200 "$tmp/alice.der" > "$out/truncated.der"

# Protocol seeds that carry these certificates.
b64 () {
  base64 -w 0 "$1"
}
b64wrapped () {
  base64 -w 64 "$1"
}
cat > "$proto/list-certs.xml" <<XML
<iq type='result' id='list-1' from='alice@example.org'><list-of-certificates xmlns='urn:xmpp:ccm2:list-certs:0'><x509certificate last-used='2026-11-26T21:58:37Z'><name>Phone</name><x509cert>
$(b64wrapped "$tmp/issued.der")
</x509cert><users><resource>Phone</resource><resource>Tablet 2</resource></users></x509certificate><x509certificate><name>Laptop</name><x509cert>$(b64 "$tmp/two-addrs.der")</x509cert></x509certificate><x509certificate last-used='2026-11-26T22:58:37.123+01:00'><name>Old</name><x509cert>$(b64 "$tmp/expired.der")</x509cert></x509certificate><x509certificate last-used='yesterday'><name>Broken</name><x509cert>AAAA</x509cert></x509certificate></list-of-certificates></iq>
XML
cat > "$proto/list-misspelled-cert.xml" <<XML
<iq type='result' id='list-2'><list-of-certficiates xmlns='urn:xmpp:ccm2:list-certs:0'><x509certificate last-used=''><name>Phone</name><x509cert>$(b64 "$tmp/alice.der")</x509cert></x509certificate></list-of-certficiates></iq>
XML
cat > "$proto/add-result-cert.xml" <<XML
<iq type='result' id='add-1' from='example.org'><add-certificate-result xmlns='urn:xmpp:ccm2:add-cert:0'><x509certificate>$(b64wrapped "$tmp/issued.der")</x509certificate></add-certificate-result></iq>
XML
cat > "$proto/saslcert-items-cert.xml" <<XML
<iq type='result' id='items-1'><items xmlns='urn:xmpp:saslcert:1'><item><name>Phone</name><x509cert>$(b64 "$tmp/alice.der")</x509cert><users><resource>Phone</resource></users></item><item><name>Laptop</name><x509cert>$(b64 "$tmp/two-addrs.der")</x509cert></item></items></iq>
XML
