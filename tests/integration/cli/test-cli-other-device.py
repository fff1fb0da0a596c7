#!/usr/bin/python3
# test-cli-other-device.py: one certificate per device, and enroll --other-device
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Against a real local Prosody: a second enroll on one device is refused
(exit 64, pointing to renew and --other-device); `enroll NAME
--other-device` writes its key and certificate to a file (PKCS #12 and
PEM), keeps nothing of it here (key folders, keyring items and files
checked), and the file logs in by SASL EXTERNAL with clients that are not
ours (slixmpp from Debian, a plain libstrophe client); `list` shows the new
certificate but never as this device.  An old store that already holds
two valid certificates keeps working.  Runs with the system Python.  TAP."""

import os
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from clitest import (Device, add_old_second_key, cert_fingerprint, check, describe, enroll_device,  # noqa: E402
                     finish, key_folders, local_server, peer_login, private_folder, run, secret_file,
                     strophe_login)

PASSPHRASE = "phone export passphrase 42"


def files_holding(device, needle):
    """Files under the device's folders (data, config, cache, keyring) whose
    bytes contain @needle."""
    hits = []
    for top, _dirs, names in os.walk(device.root):
        for name in names:
            path = os.path.join(top, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                if needle in f.read():
                    hits.append(path)
    return hits


def keyring_items(device):
    """The labels of the device's file keyring, read with libsecret (gi)."""
    script = ("import gi\n"
              "gi.require_version('Secret', '1')\n"
              "from gi.repository import Secret\n"
              "for item in Secret.password_search_sync(None, {}, Secret.SearchFlags.ALL, None):\n"
              "    print(item.get_label())\n")
    result = subprocess.run(["/usr/bin/python3", "-c", script], env=device.env(), capture_output=True, text=True,
                            timeout=60)
    return result.returncode, result.stdout.splitlines(), result.stderr


def listed(device):
    result = device.cli("--json", "list")
    return result, {c["fingerprint"]: c for c in (result.doc or {}).get("certificates", [])}


def test_second_enroll_refused(device, laptop):
    result = device.cli("--json", "enroll", "Second")
    error = (result.doc or {}).get("error", {})
    message = error.get("message", "")
    check(result.returncode == 64 and error.get("code") == "device-enrolled",
          "a second enroll on this device: exit 64, device-enrolled", describe(result))
    check("tessera-cli renew" in message and "--other-device" in message and "Laptop" in message,
          "the message names this device's certificate, renew and --other-device", message)
    result = device.cli("enroll", "Second")
    check(result.returncode == 64 and "tessera-cli renew" in result.stderr and "--other-device" in result.stderr,
          "without --json too, on stderr", describe(result))
    check(len(key_folders(device)) == 1, "no key was made for it", key_folders(device))
    _, by_fp = listed(device)
    check(len(by_fp) == 1 and laptop["fingerprint"] in by_fp, "the server holds no certificate for it", by_fp)


def test_pkcs12(server, device, work):
    pass_file = secret_file(os.path.join(work, "phone-pass"), PASSPHRASE)
    out = os.path.join(work, "phone.p12")
    folders_before = sorted(key_folders(device))
    _, items_before, _ = keyring_items(device)
    result = device.cli("--json", "enroll", "Phone", "--other-device", "--output", out,
                        "--export-passphrase-file", pass_file)
    doc = result.doc or {}
    check(result.returncode == 0 and doc.get("other_device") is True and doc.get("format") == "pkcs12"
          and doc.get("encrypted") is True and doc.get("path") == out and doc.get("name") == "Phone",
          "enroll --other-device: PKCS #12 written, JSON as documented", describe(result))
    check(os.path.exists(out) and stat.S_IMODE(os.lstat(out).st_mode) == 0o600, "the file has mode 0600")
    check(PASSPHRASE not in result.stdout + result.stderr, "the passphrase appears in no output")
    check(sorted(key_folders(device)) == folders_before, "no key folder is left for it here",
          key_folders(device))
    status, items_after, err = keyring_items(device)
    check(status == 0 and any("certificate key" in item for item in items_before)
          and sorted(items_after) == sorted(items_before),
          "no keyring item is left for it (its key passphrase and the export passphrase are gone)",
          "%s\n%s\n%s" % (items_before, items_after, err))

    info = run(["openssl", "pkcs12", "-info", "-noout", "-in", out, "-passin", "file:" + pass_file])
    text = info.stdout + info.stderr
    check(info.returncode == 0 and "MAC: sha1" in text and text.count("pbeWithSHA1And3-KeyTripleDES-CBC") == 2,
          "written as export writes it: the PKCS #12 every Android imports", text)
    extracted = os.path.join(work, "phone-from-p12.pem")
    run(["openssl", "pkcs12", "-in", out, "-passin", "file:" + pass_file, "-nodes", "-out", extracted])
    fingerprint = doc.get("fingerprint", "")
    check(fingerprint != "" and cert_fingerprint(extracted) == fingerprint,
          "the certificate inside is the one the server issued")
    check(not files_holding(device, fingerprint.encode()) and
          not files_holding(device, open(extracted, "rb").read().split(b"-----BEGIN CERTIFICATE-----")[1][:64]),
          "nothing under the device's folders holds its certificate")
    login = peer_login(server, extracted, extracted)
    check(login.returncode == 0 and login.stdout.startswith(server["JID"] + "/"),
          "slixmpp logs in by SASL EXTERNAL with the key and certificate from the file",
          login.stdout + login.stderr)
    return fingerprint


def test_pem(server, device, work):
    out = os.path.join(work, "bot.pem")
    result = device.cli("--json", "enroll", "Bot", "--other-device", "--format", "pem", "--no-encrypt",
                        "-o", out)
    doc = result.doc or {}
    check(result.returncode == 0 and doc.get("format") == "pem" and doc.get("encrypted") is False,
          "enroll --other-device --format pem --no-encrypt", describe(result))
    text = open(out).read() if os.path.exists(out) else ""
    check("BEGIN CERTIFICATE" in text and "BEGIN PRIVATE KEY" in text and cert_fingerprint(out) ==
          doc.get("fingerprint"), "the certificate, then the plain key", text[:200])
    login = peer_login(server, out, out)
    check(login.returncode == 0 and login.stdout.startswith(server["JID"] + "/"),
          "slixmpp logs in by SASL EXTERNAL with the PEM", login.stdout + login.stderr)
    login = strophe_login(server, out, out)
    check(login.returncode == 0 and login.stdout.startswith(server["JID"] + "/"),
          "a libstrophe client logs in with the PEM", login.stdout + login.stderr)

    encrypted = os.path.join(work, "bot-encrypted.pem")
    pass_file = os.path.join(work, "phone-pass")
    result = device.cli("enroll", "Bot 2", "--other-device", "--format", "pem", "-o", encrypted,
                        "--export-passphrase-file", pass_file)
    pkey = run(["openssl", "pkey", "-in", encrypted, "-passin", "file:" + pass_file, "-check", "-noout"])
    check(result.returncode == 0 and "BEGIN ENCRYPTED PRIVATE KEY" in open(encrypted).read()
          and pkey.returncode == 0, "PEM with a passphrase: openssl pkey decrypts it",
          describe(result) + pkey.stderr)
    login = peer_login(server, encrypted, encrypted, key_passphrase_file=pass_file)
    check(login.returncode == 0, "slixmpp logs in with the encrypted PEM", login.stdout + login.stderr)
    return doc.get("fingerprint", "")


def test_listed(device, laptop, others):
    result, by_fp = listed(device)
    check(result.returncode == 0 and all(fp in by_fp for fp in others), "list shows the other devices",
          describe(result))
    check(all(by_fp.get(fp, {}).get("this_device") is False and by_fp.get(fp, {}).get("key_here") is False
              for fp in others),
          "never as this device, and their keys are not here", by_fp)
    check(by_fp.get(laptop["fingerprint"], {}).get("this_device") is True
          and sum(1 for c in by_fp.values() if c.get("this_device")) == 1,
          "this device is still the Laptop's certificate, and only it", by_fp)
    text = device.cli("list")
    check(text.returncode == 0 and "Phone" in text.stdout, "the table lists it too", describe(text))
    result = device.cli("--json", "login")
    check(result.returncode == 0, "this device still logs in with its own certificate", describe(result))


def test_refusals(server, device, work):
    pass_file = os.path.join(work, "phone-pass")
    _, before = listed(device)
    existing = os.path.join(work, "phone.p12")
    content = open(existing, "rb").read()
    cases = [
        (["enroll", "X", "--other-device"], 64, "usage", "no --output"),
        (["enroll", "X", "--output", os.path.join(work, "x.p12")], 64, "usage", "--output without --other-device"),
        (["enroll", "X", "--other-device", "-o", os.path.join(work, "x.p12"), "--no-encrypt"], 64, "usage",
         "--no-encrypt with PKCS #12"),
        (["enroll", "X", "--other-device", "-o", os.path.join(work, "no-such-dir", "x.p12"),
          "--export-passphrase-file", pass_file], 64, "usage", "a folder that does not exist"),
        (["enroll", "X", "--other-device", "-o", os.path.join(work, "x.p12")], 64, "usage",
         "no passphrase file and no terminal"),
        (["enroll", "X", "--other-device", "-o", existing, "--export-passphrase-file", pass_file], 1,
         "file-exists", "an existing file without --force"),
    ]
    for args, status, code, what in cases:
        result = device.cli("--json", *args)
        got = (result.doc or {}).get("error", {}).get("code")
        check(result.returncode == status and got == code,
              "refused before anything is made: %s (exit %d, %s)" % (what, status, code), describe(result))
    _, after = listed(device)
    check(sorted(after) == sorted(before), "the server issued nothing for them")
    check(open(existing, "rb").read() == content, "the existing file is untouched")
    check(not [n for n in os.listdir(work) if n.startswith("x")], "no refused run left a file")


def test_fresh_device(server, work):
    """A device without a certificate of its own makes one for a phone, then
    enrolls itself: the phone's is not this device's."""
    device = Device(os.path.join(work, "fresh"), server)
    out = os.path.join(work, "fresh-phone.pem")
    result = device.cli("--json", "enroll", "Tablet", "--other-device", "--format", "pem", "--no-encrypt", "-o", out)
    check(result.returncode == 0 and not key_folders(device),
          "a device without a certificate makes one for another device and keeps no key", describe(result))
    result = device.cli("--json", "enroll", "Desktop")
    check(result.returncode == 0, "then it enrolls itself: the tablet's is not this device's", describe(result))


def test_old_store(server, device, work, laptop):
    """A store from before the one-per-device rule, with two valid
    certificates: the second key is enrolled on another device (its own
    passphrase, no keyring) and its folder copied into this store."""
    result = add_old_second_key(device, work, "Old second")
    check(result.returncode == 0, "a second certificate, as an old version made them", describe(result))
    second = (result.doc or {}).get("fingerprint", "")
    result, by_fp = listed(device)
    check(by_fp.get(second, {}).get("this_device") is True and by_fp.get(second, {}).get("key_here") is True
          and by_fp.get(laptop["fingerprint"], {}).get("this_device") is False
          and by_fp.get(laptop["fingerprint"], {}).get("key_here") is True,
          "two valid certificates: the newest is this device, the other is kept here", describe(result))
    text = device.cli("list")
    rows = [line.strip() for line in text.stdout.splitlines()]
    check(any(row.startswith("+") and "Laptop" in row for row in rows)
          and any(row.startswith("*") and "Old second" in row for row in rows)
          and not any(row.startswith(("*", "+")) and "Phone" in row for row in rows),
          "the table marks the newest * (this device) and the other + (kept here), the phone neither",
          text.stdout)
    out = os.path.join(work, "old-first.pem")
    result = device.cli("export", laptop["fingerprint"][:12], "--format", "pem", "--no-encrypt", "-o", out)
    check(result.returncode == 0 and cert_fingerprint(out) == laptop["fingerprint"],
          "the kept one can still be exported", describe(result))
    result = device.cli("--json", "enroll", "Third")
    check(result.returncode == 64, "a third enroll is refused as well", describe(result))


def main():
    with local_server("tessera-other-device-") as (work, server):
        device, laptop = enroll_device(work, server, "Laptop")
        files = private_folder(work, "files")
        test_second_enroll_refused(device, laptop)
        phone = test_pkcs12(server, device, files)
        bot = test_pem(server, device, files)
        test_listed(device, laptop, [phone, bot])
        test_refusals(server, device, files)
        test_fresh_device(server, files)
        test_old_store(server, device, files, laptop)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
