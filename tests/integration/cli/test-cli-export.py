#!/usr/bin/python3
# test-cli-export.py: tessera-cli export, checked by other implementations
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""tessera-cli enrolls against a real local Prosody, then exports its
certificate and key.  Every file is read by programs that are not ours:
OpenSSL (`openssl pkcs12`, `openssl pkey`, `openssl x509`), GnuTLS
(`certtool --p12-info`), GLib (Gio.TlsCertificate.new_from_pkcs12), and a
peer XMPP client, slixmpp (Debian's python3-slixmpp), logs in by SASL
EXTERNAL with the exported PEM and with what `openssl pkcs12` takes out of
the exported PKCS #12; so does a plain libstrophe client.  Runs with the system Python (slixmpp, gi).  TAP."""

import os
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from clitest import (Device, add_old_second_key, cert_fingerprint, check, describe, enroll_device,  # noqa: E402
                     finish, local_server, peer_login, private_folder, run, secret_file, strophe_login)

PASSPHRASE = "correct horse export staple"
KEY_PASSPHRASE = "a passphrase of my own for the key"


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_pkcs12(server, device, work, enrolled):
    pass_file = secret_file(os.path.join(work, "export-pass"), PASSPHRASE)
    out = os.path.join(work, "device.p12")
    result = device.cli("--json", "export", "--output", out, "--export-passphrase-file", pass_file)
    doc = result.doc or {}
    check(result.returncode == 0 and doc.get("exported") is True and doc.get("format") == "pkcs12"
          and doc.get("encrypted") is True and doc.get("fingerprint") == enrolled["fingerprint"]
          and doc.get("name") == "Laptop" and doc.get("path") == out,
          "export (default): PKCS #12 of this device's certificate, JSON as documented", describe(result))
    check(os.path.exists(out) and mode_of(out) == 0o600, "the file is created with mode 0600",
          oct(mode_of(out)) if os.path.exists(out) else "missing")
    check(PASSPHRASE not in result.stdout + result.stderr, "the passphrase appears in no output")

    # -noout: the structure only (base64 of a key or certificate could hold any word).
    info = run(["openssl", "pkcs12", "-info", "-noout", "-in", out, "-passin", "file:" + pass_file])
    text = info.stdout + info.stderr
    # What Android 13 and older import: PBE-SHA1-3DES for both bags, a SHA-1 MAC (FACTS.md).
    check(info.returncode == 0 and "MAC: sha1" in text
          and text.count("pbeWithSHA1And3-KeyTripleDES-CBC") == 2
          and "PBES2" not in text and "AES" not in text,
          "openssl pkcs12 reads it: SHA-1 MAC, 3DES for both bags (Android 13 and older)", text)
    info = run(["openssl", "pkcs12", "-info", "-nodes", "-in", out, "-passin", "file:" + pass_file])
    check("friendlyName: Laptop" in info.stdout, "the friendly name is the device name", info.stdout)
    certtool = run(["certtool", "--p12-info", "--inder", "--infile", out, "--password", PASSPHRASE])
    check(certtool.returncode == 0 and "BEGIN CERTIFICATE" in certtool.stdout,
          "GnuTLS's certtool --p12-info reads it", certtool.stdout + certtool.stderr)

    gio = run(["/usr/bin/python3", "-c",
               "import sys, gi\n"
               "gi.require_version('Gio', '2.0')\n"
               "from gi.repository import Gio\n"
               "data = open(sys.argv[1], 'rb').read()\n"
               "c = Gio.TlsCertificate.new_from_pkcs12(data, sys.argv[2])\n"
               "print(c.get_property('private-key-pem') is not None or c.get_property('private-key') is not None)\n",
               out, PASSPHRASE])
    check(gio.returncode == 0 and gio.stdout.strip() == "True",
          "GLib's g_tls_certificate_new_from_pkcs12 loads certificate and key", gio.stdout + gio.stderr)

    extracted = os.path.join(work, "from-p12.pem")
    run(["openssl", "pkcs12", "-in", out, "-passin", "file:" + pass_file, "-nodes", "-out", extracted])
    check(cert_fingerprint(extracted) == enrolled["fingerprint"],
          "the certificate inside is the one the server issued")
    login = peer_login(server, extracted, extracted)
    check(login.returncode == 0 and login.stdout.startswith(server["JID"] + "/"),
          "slixmpp logs in by SASL EXTERNAL with the key and certificate from the PKCS #12",
          login.stdout + login.stderr)

    modern = os.path.join(work, "modern.p12")
    result = device.cli("export", "--modern", "-o", modern, "--export-passphrase-file", pass_file)
    info = run(["openssl", "pkcs12", "-info", "-noout", "-in", modern, "-passin", "file:" + pass_file])
    text = info.stdout + info.stderr
    check(result.returncode == 0 and info.returncode == 0 and "MAC: sha256" in text
          and text.count("PBES2, PBKDF2, AES-256-CBC") == 2,
          "--modern: SHA-256 MAC, PBES2/AES-256 for both bags", describe(result) + text)


def test_pem(server, device, work, enrolled):
    pass_file = os.path.join(work, "export-pass")
    encrypted = os.path.join(work, "encrypted.pem")
    result = device.cli("export", "--format", "pem", "-o", encrypted, "--export-passphrase-file", pass_file)
    with open(encrypted) as f:
        text = f.read() if result.returncode == 0 else ""
    check(result.returncode == 0 and text.index("BEGIN CERTIFICATE") < text.index("BEGIN ENCRYPTED PRIVATE KEY")
          and "BEGIN PRIVATE KEY" not in text,
          "PEM: the certificate, then the key as encrypted PKCS #8", describe(result) + text)
    pkey = run(["openssl", "pkey", "-in", encrypted, "-passin", "file:" + pass_file, "-check", "-noout"])
    check(pkey.returncode == 0, "openssl pkey decrypts and checks the key", pkey.stdout + pkey.stderr)
    wrong = run(["openssl", "pkey", "-in", encrypted, "-passin", "pass:not-it", "-noout"])
    check(wrong.returncode != 0, "a wrong passphrase does not open it")
    login = peer_login(server, encrypted, encrypted, key_passphrase_file=pass_file)
    check(login.returncode == 0, "slixmpp logs in with the encrypted PEM and its passphrase",
          login.stdout + login.stderr)
    login = strophe_login(server, encrypted, encrypted, key_passphrase_file=pass_file)
    check(login.returncode == 0 and login.stdout.startswith(server["JID"] + "/"),
          "a libstrophe client logs in with the encrypted PEM and its passphrase", login.stdout + login.stderr)

    plain = os.path.join(work, "plain.pem")
    result = device.cli("--json", "export", "--format", "pem", "--no-encrypt", "-o", plain)
    doc = result.doc or {}
    check(result.returncode == 0 and doc.get("encrypted") is False and doc.get("format") == "pem",
          "PEM --no-encrypt: JSON says encrypted false", describe(result))
    with open(plain) as f:
        text = f.read() if result.returncode == 0 else ""
    check("BEGIN PRIVATE KEY" in text and mode_of(plain) == 0o600, "the key is plain PKCS #8, the file 0600")
    check(cert_fingerprint(plain) == enrolled["fingerprint"], "the certificate is this device's")
    login = peer_login(server, plain, plain)
    check(login.returncode == 0 and login.stdout.startswith(server["JID"] + "/"),
          "slixmpp logs in by SASL EXTERNAL with the exported PEM", login.stdout + login.stderr)
    login = strophe_login(server, plain, plain)
    check(login.returncode == 0 and login.stdout.startswith(server["JID"] + "/"),
          "a libstrophe client logs in with the unencrypted PEM", login.stdout + login.stderr)


def test_refusals(server, device, work, enrolled):
    pass_file = os.path.join(work, "export-pass")
    target = os.path.join(work, "plain.pem")
    before = open(target, "rb").read()
    result = device.cli("--json", "export", "--format", "pem", "--no-encrypt", "-o", target)
    check(result.returncode == 1 and (result.doc or {}).get("error", {}).get("code") == "file-exists"
          and open(target, "rb").read() == before,
          "an existing file is not replaced without --force (exit 1, file-exists)", describe(result))
    result = device.cli("export", "--format", "pem", "-o", target, "--export-passphrase-file", pass_file, "--force")
    check(result.returncode == 0 and b"ENCRYPTED" in open(target, "rb").read() and mode_of(target) == 0o600,
          "--force replaces it, still 0600", describe(result))

    victim = os.path.join(work, "victim")
    with open(victim, "w") as f:
        f.write("precious\n")
    link = os.path.join(work, "link.p12")
    os.symlink(victim, link)
    result = device.cli("export", "-o", link, "--export-passphrase-file", pass_file)
    check(result.returncode != 0 and open(victim).read() == "precious\n" and os.path.islink(link),
          "a symlink as output is refused, its target untouched", describe(result))
    # --force replaces the link itself (a rename over it), never what it points to.
    result = device.cli("export", "-o", link, "--export-passphrase-file", pass_file, "--force")
    check(result.returncode == 0 and open(victim).read() == "precious\n" and not os.path.islink(link)
          and mode_of(link) == 0o600,
          "--force replaces a symlink by the file, never writing through it", describe(result))

    cases = [
        (["export", "-o", os.path.join(work, "x.p12"), "--no-encrypt"], 64, "usage", "--no-encrypt with PKCS #12"),
        (["export", "--format", "pem", "--modern", "-o", os.path.join(work, "x.pem"),
          "--export-passphrase-file", pass_file], 64, "usage", "--modern with PEM"),
        (["export", "--format", "der", "-o", os.path.join(work, "x")], 64, "usage", "an unknown format"),
        (["export"], 64, "usage", "no --output"),
        (["export", "-o", os.path.join(work, "x.p12")], 64, "usage",
         "no passphrase file and no terminal"),
        (["export", "0123456789abcdef", "-o", os.path.join(work, "x.p12"), "--export-passphrase-file", pass_file],
         64, "key-not-here", "a fingerprint whose key is not here"),
        (["export", enrolled["fingerprint"][:6], "-o", os.path.join(work, "x.p12"),
          "--export-passphrase-file", pass_file], 64, "invalid-fingerprint", "a prefix shorter than 8 digits"),
    ]
    for args, status, code, what in cases:
        result = device.cli("--json", *args)
        got = (result.doc or {}).get("error", {}).get("code")
        check(result.returncode == status and got == code,
              "refused: %s (exit %d, %s)" % (what, status, code), describe(result))
    leftovers = [n for n in os.listdir(work) if n.startswith("x")]
    check(not leftovers, "no refused export left a file", leftovers)


def test_other_certificate(server, device, work, enrolled):
    pass_file = os.path.join(work, "export-pass")
    # One certificate per device now: a store from before that rule.
    second = add_old_second_key(device, work, "Second key")
    doc = second.doc or {}
    check(second.returncode == 0, "a second certificate kept on this device (an old store)", describe(second))
    listed = device.cli("--json", "list")
    by_fp = {c["fingerprint"]: c for c in (listed.doc or {}).get("certificates", [])}
    first, newest = by_fp.get(enrolled["fingerprint"], {}), by_fp.get(doc.get("fingerprint"), {})
    check(newest.get("this_device") is True and newest.get("key_here") is True
          and first.get("this_device") is False and first.get("key_here") is True
          and sum(1 for c in by_fp.values() if c.get("this_device")) == 1,
          "list: only the newest is this device; the first one's key is kept here", describe(listed))
    out = os.path.join(work, "first-by-prefix.pem")
    result = device.cli("--json", "export", enrolled["fingerprint"][:10], "--format", "pem", "-o", out,
                        "--export-passphrase-file", pass_file)
    check(result.returncode == 0 and (result.doc or {}).get("fingerprint") == enrolled["fingerprint"]
          and cert_fingerprint(out) == enrolled["fingerprint"],
          "export FINGERPRINT-PREFIX picks that certificate, not the newest", describe(result))
    if doc.get("fingerprint"):
        default = os.path.join(work, "newest.pem")
        key_pass = os.path.join(work, "old-store-helper-Second-key", "key-pass")
        result = device.cli("--key-passphrase-file", key_pass, "export", "--format", "pem", "--no-encrypt",
                            "-o", default)
        check(result.returncode == 0 and cert_fingerprint(default) == doc["fingerprint"],
              "without a fingerprint: this device's (the newest) certificate", describe(result))


def test_user_passphrase(server, work):
    """A key saved without a keyring, under the user's own passphrase."""
    device = Device(os.path.join(work, "no-keyring"), server, keyring=False)
    key_pass = secret_file(os.path.join(work, "key-pass"), KEY_PASSPHRASE)
    pass_file = os.path.join(work, "export-pass")
    result = device.cli("--json", "--key-passphrase-file", key_pass, "enroll", "Headless")
    check(result.returncode == 0, "enroll without a keyring, with --key-passphrase-file", describe(result))
    fingerprint = (result.doc or {}).get("fingerprint", "")
    out = os.path.join(work, "headless.pem")
    result = device.cli("--json", "export", "--format", "pem", "-o", out, "--export-passphrase-file", pass_file)
    check(result.returncode != 0 and not os.path.exists(out),
          "without --key-passphrase-file the key stays locked and nothing is written", describe(result))
    result = device.cli("--key-passphrase-file", key_pass, "export", "--format", "pem", "-o", out,
                        "--export-passphrase-file", pass_file)
    check(result.returncode == 0 and cert_fingerprint(out) == fingerprint,
          "with it, the key is exported", describe(result))
    login = peer_login(server, out, out, key_passphrase_file=pass_file)
    check(login.returncode == 0, "slixmpp logs in with it", login.stdout + login.stderr)


def main():
    with local_server("tessera-export-") as (work, server):
        device, enrolled = enroll_device(work, server, "Laptop")
        files = private_folder(work, "files")
        test_pkcs12(server, device, files, enrolled)
        test_pem(server, device, files, enrolled)
        test_refusals(server, device, files, enrolled)
        test_other_certificate(server, device, files, enrolled)
        test_user_passphrase(server, files)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
