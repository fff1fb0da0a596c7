#!/usr/bin/python3
# test-cli-renew.py: tessera-cli renew against a real local Prosody
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""tessera-cli enrolls, keeps a copy of its certificate and key (`export
--format pem --no-encrypt`), then renews: once with the password at hand
and once on a device that has no password at all; both times the new
certificate is added over the old certificate's own session while that is
valid (the server logs it as a renewal, PROTOCOL.md §8), and the old one is
revoked from the new one's session, completing the renewal.  After each, a
peer client that is not ours (slixmpp, Debian's python3-slixmpp) is refused
with the old certificate and logs in with the new one, `tessera-cli login`
logs in, `list` shows the new certificate as this device under the same
name and the old one gone.  `--if-expiring` leaves a fresh certificate
alone, and renews one from a server configured to issue certificates for
10 days (ccm2_certificate_lifetime).  Runs with the system Python.  TAP."""

import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from clitest import (Device, check, describe, finish, local_server, parse_time, peer_login,  # noqa: E402
                     private_folder)


class PasswordlessDevice(Device):
    """A device that has only its certificate: no TESSERA_PASSWORD and no
    password in its keyring (the keyring keeps the key passphrases)."""

    def env(self):
        env = super().env()
        env.pop("TESSERA_PASSWORD", None)
        return env


def export_pem(device, path):
    result = device.cli("export", "--format", "pem", "--no-encrypt", "-o", path)
    check(result.returncode == 0, "export the certificate in use to %s" % os.path.basename(path), describe(result))


def key_folders(device, server):
    base = os.path.join(device.root, "data", "tessera")
    accounts = os.listdir(base) if os.path.isdir(base) else []
    return [n for a in accounts for n in os.listdir(os.path.join(base, a))
            if os.path.isfile(os.path.join(base, a, n, "key.pem"))]


def check_renewed(server, device, lister, work, label, old_fp, doc, name):
    """What every renewal must leave: the old certificate refused, the new one
    logging in, listed as this device under the same name, one key here."""
    new_fp = doc.get("new_fingerprint", "")
    old_pem, new_pem = os.path.join(work, label + "-old.pem"), os.path.join(work, label + "-new.pem")
    not_after = doc.get("not_after")
    check(doc.get("renewed") is True and doc.get("old_fingerprint") == old_fp and len(new_fp) == 64
          and new_fp != old_fp and doc.get("name") == name and not_after is not None
          and parse_time(not_after) > datetime.datetime.now(datetime.timezone.utc),
          "%s: --json has renewed, old_fingerprint, new_fingerprint, name, not_after" % label, doc)

    refused = peer_login(server, old_pem, old_pem)
    check(refused.returncode != 0, "%s: the old certificate no longer logs in (slixmpp, SASL EXTERNAL)" % label,
          refused.stdout + refused.stderr)
    export_pem(device, new_pem)
    accepted = peer_login(server, new_pem, new_pem)
    check(accepted.returncode == 0, "%s: the new certificate logs in (slixmpp, SASL EXTERNAL)" % label,
          accepted.stdout + accepted.stderr)
    login = device.cli("--json", "login")
    check(login.returncode == 0 and (login.doc or {}).get("jid", "").startswith(server["JID"] + "/"),
          "%s: tessera-cli login logs in with the new certificate" % label, describe(login))

    listed = lister.cli("--json", "list")
    certs = {c["fingerprint"]: c for c in (listed.doc or {}).get("certificates", [])}
    check(listed.returncode == 0 and old_fp not in certs and certs.get(new_fp, {}).get("name") == name,
          "%s: the server lists the new certificate under the same name, not the old one" % label,
          describe(listed))
    if lister.root == device.root:
        check(certs.get(new_fp, {}).get("this_device") is True
              and sum(1 for c in certs.values() if c.get("this_device")) == 1,
              "%s: list marks the new certificate, and only it, as this device" % label, describe(listed))
    check(len(key_folders(device, server)) == 1, "%s: one key is left on the device" % label,
          key_folders(device, server))
    return new_fp


def check_renewal_logged(server, label, old_fp, new_fp):
    """The server's own log: the new certificate was added from the old one's
    session, and revoking the old one from the new one's completed it."""
    log = server.log_text()
    check(("Issued certificate %s" % new_fp) in log and ("renewing " + old_fp) in log
          and ("revoked certificate %s, completing the renewal by %s" % (old_fp, new_fp)) in log,
          "%s: the server added it as the old certificate's renewal and the new one completed it" % label,
          "\n".join(line for line in log.splitlines() if "certificate" in line)[-2000:])


def test_with_password(server, work):
    device = Device(os.path.join(work, "password"), server)
    result = device.cli("--json", "enroll", "Laptop")
    check(result.returncode == 0, "password: enroll", describe(result))
    old_fp = (result.doc or {}).get("fingerprint", "")
    export_pem(device, os.path.join(work, "password-old.pem"))

    result = device.cli("--json", "renew")
    check(result.returncode == 0, "password: renew", describe(result))
    new_fp = check_renewed(server, device, device, work, "password", old_fp, result.doc or {}, "Laptop")
    check_renewal_logged(server, "password", old_fp, new_fp)


def test_certificate_only(server, work):
    device = Device(os.path.join(work, "certonly"), server)
    result = device.cli("--json", "enroll", "Phone")
    check(result.returncode == 0, "certificate only: enroll (with the password, once)", describe(result))
    old_fp = (result.doc or {}).get("fingerprint", "")
    export_pem(device, os.path.join(work, "certonly-old.pem"))

    bare = PasswordlessDevice(device.root, server)
    quiet = bare.cli("--json", "renew", "--if-expiring")
    doc = quiet.doc or {}
    check(quiet.returncode == 0 and doc.get("renewed") is False and doc.get("fingerprint") == old_fp,
          "--if-expiring leaves a certificate valid for a year alone", describe(quiet))

    result = bare.cli("--json", "renew", old_fp[:12])
    check(result.returncode == 0, "certificate only: renew FINGERPRINT-PREFIX without any password",
          describe(result))
    new_fp = check_renewed(server, bare, device, work, "certonly", old_fp, result.doc or {}, "Phone")
    check_renewal_logged(server, "certonly", old_fp, new_fp)


def test_refusals(server, work):
    empty = Device(os.path.join(work, "empty"), server)
    cases = [
        (["renew", "0123456789abcdef"], 64, "key-not-here", "a fingerprint whose key is not here"),
        (["renew"], 77, "no-certificate", "a device without a certificate"),
        (["renew", "0123"], 64, "invalid-fingerprint", "a prefix shorter than 8 digits"),
    ]
    for args, status, code, what in cases:
        result = empty.cli("--json", *args)
        got = (result.doc or {}).get("error", {}).get("code")
        check(result.returncode == status and got == code,
              "refused: %s (exit %d, %s)" % (what, status, code), describe(result))


def test_expiring(work):
    with local_server("tessera-renew-short-") as (short_work, server):
        server.configure("ccm2_certificate_lifetime = 10")
        device = PasswordlessDevice(os.path.join(short_work, "short"), server)
        enrolled = Device(device.root, server).cli("--json", "enroll", "Tablet")
        check(enrolled.returncode == 0, "enroll on a server issuing for 10 days", describe(enrolled))
        old_fp = (enrolled.doc or {}).get("fingerprint", "")
        export_pem(device, os.path.join(work, "expiring-old.pem"))
        result = device.cli("--json", "renew", "--if-expiring")
        doc = result.doc or {}
        check(result.returncode == 0, "--if-expiring renews a certificate that expires in 10 days",
              describe(result))
        days = (parse_time(doc.get("not_after", "1970-01-01T00:00:00Z"))
                - datetime.datetime.now(datetime.timezone.utc)).days if doc.get("not_after") else -1
        check(9 <= days <= 10, "the new certificate is again one of 10 days", doc)
        check_renewed(server, device, Device(device.root, server), work, "expiring", old_fp, doc, "Tablet")


def main():
    with local_server("tessera-renew-") as (work, server):
        files = private_folder(work, "files")
        test_with_password(server, files)
        test_certificate_only(server, files)
        test_refusals(server, files)
        test_expiring(files)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
