#!/usr/bin/python3
# test-rights.py: who may manage certificates, the stolen-certificate scenario,
# renewals, device names and the cheap checks of mod_ccm2, with real clients
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Against a real Prosody (tests/server/local-server; TESSERA_TEST_PROSODY and
TESSERA_TEST_STORAGE choose which and how), with real TLS connections that log
in by password, SASL ANONYMOUS or a client certificate (docs/PROTOCOL.md
section 8).  TAP output."""

import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ccm2client import (Device, Client, LocalServer, SaslFailure, StreamClosed, Tap,  # noqa: E402
                        error_of, hostile_rsa_csr, listed)

tap = Tap()


def refused_login(device, server):
    try:
        device.connect(server).login_external()
        return None
    except SaslFailure as e:
        return e.condition


def closed_with(client):
    try:
        client.ping()
        return None
    except StreamClosed as e:
        return e.condition


def case_anonymous(server, work):
    anon = Client(server, domain=server["ANON_DOMAIN"]).login_anonymous()
    tap.check(error_of(anon.add("Anon", Device(work).csr)) == ("cancel", "not-allowed"),
              "an anonymous session may not add")
    tap.check(error_of(anon.list()) == ("cancel", "not-allowed"), "an anonymous session may not list")
    tap.check(error_of(anon.revoke("00" * 32)) == ("cancel", "not-allowed"), "an anonymous session may not revoke")
    anon.close()


def case_certificate_session(server, work):
    jid, password = server.account(2)
    owner = Client(server).login_password(jid, password)
    original = Device(work)
    original.issued(owner.add("Original", original.csr))
    other = Device(work)
    other.issued(owner.add("Other", other.csr))

    session = original.connect(server).login_external()
    tap.check(error_of(session.list()) is None, "a certificate session may list")
    tap.check(error_of(session.revoke(other.fingerprint)) == ("cancel", "not-allowed"),
              "a certificate session may not revoke another certificate")
    renewal = Device(work)
    reply = session.add("Renewal", renewal.csr)
    tap.check(error_of(reply) is None, "a certificate session may add one certificate (a renewal)",
              error_of(reply))
    renewal.issued(reply)
    retry = session.add("Renewal", renewal.csr)
    tap.check(error_of(retry) is None, "repeating that request returns the same certificate")
    tap.check(error_of(session.add("Second", Device(work).csr)) == ("cancel", "not-allowed"),
              "a second certificate from the same certificate session is refused")
    tap.check(set(listed(owner.list())) == {original.fingerprint, other.fingerprint, renewal.fingerprint},
              "the owner lists all three")

    # Completing the renewal: the new certificate's session revokes the old one.
    renewed = renewal.connect(server).login_external()
    reply = renewed.revoke(original.fingerprint)
    tap.check(error_of(reply) is None, "the renewal's session may revoke the certificate it renews",
              error_of(reply))
    tap.check(closed_with(session) == "reset", "the renewed certificate's session is closed with <reset/>")
    tap.check(error_of(renewed.list()) is None, "the renewal's own session stays")
    tap.check(refused_login(renewal, server) is None, "the renewal still logs in (it is independent now)")
    tap.check(refused_login(original, server) == "not-authorized", "the renewed certificate no longer logs in")
    # Independent now: revoking what it renewed is long done; it may renew itself once.
    nxt = Device(work)
    tap.check(error_of(renewed.add("Next", nxt.csr)) is None, "the renewal may itself be renewed once")
    tap.check(error_of(renewed.revoke(renewal.fingerprint)) is None,
              "a certificate session may revoke its own certificate")
    tap.check(closed_with(renewed) == "reset", "... and its session is closed with <reset/>")
    tap.check(set(listed(owner.list())) == {other.fingerprint},
              "revoking a certificate also removed the one added from its session")
    owner.close()


def case_stolen_certificate(server, work):
    jid, password = server.account(3)
    owner = Client(server).login_password(jid, password)
    stolen = Device(work)
    stolen.issued(owner.add("Phone", stolen.csr))
    thief = stolen.connect(server).login_external()
    planted = Device(work)
    planted.issued(thief.add("Innocent name", planted.csr))
    planted_session = planted.connect(server).login_external()
    tap.check(error_of(planted_session.add("More", Device(work).csr)) is None,
              "the thief's certificate can add its own renewal (a grandchild)")
    grandchild = [f for f in listed(owner.list()) if f not in (stolen.fingerprint, planted.fingerprint)]

    reply = owner.revoke(stolen.fingerprint)
    tap.check(error_of(reply) is None, "the owner revokes the stolen certificate from a password session")
    tap.check(closed_with(thief) == "reset", "the thief's session with the stolen certificate is reset")
    tap.check(closed_with(planted_session) == "reset", "the session of the certificate added from it is reset")
    tap.check(refused_login(planted, server) == "not-authorized",
              "the certificate the thief added no longer logs in")
    tap.check(refused_login(stolen, server) == "not-authorized", "the stolen certificate no longer logs in")
    tap.check(listed(owner.list()) == {} and len(grandchild) == 1,
              "nothing added from the stolen certificate is left")
    owner.close()


def case_names(server, work):
    jid, password = server.account(4)
    owner = Client(server).login_password(jid, password)
    for name, label in (("Laptop\u0085", "U+0085 (C1 control)"), ("\u202eenotsuomreH", "U+202E (bidi override)"),
                        ("A\u2028B", "U+2028 (line separator)"), ("A\u2029B", "U+2029 (paragraph separator)"),
                        ("Zero\u200bwidth", "U+200B (format)"), ("Tab\there", "a tab"),
                        ("Tag\U000e0041", "U+E0041 (tag)")):
        tap.check(error_of(owner.add(name, Device(work).csr)) == ("modify", "not-acceptable"),
                  "a name with %s is refused" % label)
    device = Device(work)
    tap.check(error_of(owner.add("Jürgen's Läptop 💻", device.csr)) is None, "a plain Unicode name is accepted")
    owner.close()


def case_cheap_checks(server, work):
    jid, password = server.account(5)
    owner = Client(server).login_password(jid, password)
    cases = [
        ("a 70 KiB CSR", hostile_rsa_csr(65536, 65536), ("modify", "bad-request")),
        ("RSA 16384 bits (over the size cap)", hostile_rsa_csr(16384, 17), ("modify", "bad-request")),
        ("RSA 12288 bits", hostile_rsa_csr(12288, 17), ("modify", "not-acceptable")),
        ("RSA 8192 bits with a 4096-bit exponent", hostile_rsa_csr(8192, 4096), ("modify", "not-acceptable")),
        ("RSA 1024 bits", hostile_rsa_csr(1024, 17), ("modify", "not-acceptable")),
        ("RSA 8192 bits, e = 65537, bad signature", hostile_rsa_csr(8192, 17), ("modify", "bad-request")),
    ]
    for label, csr, expected in cases:
        start = time.monotonic()
        reply = owner.add("Hostile", csr)
        elapsed = (time.monotonic() - start) * 1000
        tap.check(error_of(reply) == expected, "%s: %s/%s (%.0f ms)" % (label, expected[0], expected[1], elapsed),
                  error_of(reply))
    for kind in ("ed25519", "rsa2048"):
        tap.check(error_of(owner.add("Key " + kind, Device(work, kind).csr)) is None, "an %s key is accepted" % kind)
    owner.close()


def case_rate_limit(server, work):
    jid, password = server.account(6)
    owner = Client(server).login_password(jid, password)
    devices = [Device(work) for _ in range(12)]
    errors = [error_of(owner.add("Bulk %d" % i, d.csr)) for i, d in enumerate(devices)]
    tap.check(errors[:10] == [None] * 10, "ten adds in a row are answered", errors[:10])
    tap.check(errors[10:] == [("wait", "resource-constraint")] * 2,
              "more are answered with wait/resource-constraint", errors[10:])
    owner.close()


def case_tls_warning(work):
    """Without verifyext, Prosody 13 refuses the client CA's certificates in
    the TLS handshake: the module must say so at load.  0.12 lets them
    through, so there it must stay quiet and EXTERNAL must work."""
    server = LocalServer(os.path.join(work, "no-verifyext"), "--no-verifyext")
    try:
        owner = Client(server).login_password(*server.account(1))
        device = Device(work)
        device.issued(owner.add("Laptop", device.csr))
        try:
            device.connect(server).login_external()
            login = "ok"
        except (SaslFailure, StreamClosed, OSError) as e:
            login = "refused (%s)" % e
        warned = "lacks verifyext" in server.log_text()
        tap.note("without verifyext: certificate login %s; warning at load: %s" % (login, warned))
        tap.check(warned == (login != "ok"),
                  "the module warns at load exactly when certificates cannot reach SASL", (login, warned))
        owner.close()
    finally:
        server.stop()


def main():
    work = tempfile.mkdtemp(prefix="ccm2-rights-")
    server = LocalServer(work, "--accounts", "6", "--anonymous-host")
    tap.note("Prosody: %s, storage: %s" % (server["PROSODY"], server["STORAGE"]))
    try:
        for case in (case_anonymous, case_certificate_session, case_stolen_certificate, case_names,
                     case_cheap_checks, case_rate_limit):
            try:
                case(server, work)
            except Exception as e:
                tap.check(False, "%s raised %r" % (case.__name__, e))
        try:
            os.mkdir(os.path.join(work, "no-verifyext"))
            case_tls_warning(work)
        except Exception as e:
            tap.check(False, "case_tls_warning raised %r" % e)
        log = server.log_text()
        tap.check(" error\t" not in log and "traceback" not in log.lower(), "Prosody logged no error",
                  "\n".join(line for line in log.splitlines() if "\terror\t" in line)[:2000])
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
