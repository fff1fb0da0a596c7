# ccm2client.py: a small synchronous XMPP client for the server module tests
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Just enough XMPP to drive mod_ccm2 like a real client: direct TLS to a
local Prosody, SASL PLAIN, ANONYMOUS or EXTERNAL (with a client
certificate), resource binding, IQs and pings.  Tessera's own session API
cannot add from a certificate session, so these tests speak the protocol
themselves.  Also: a local-server fixture, CSRs made with openssl, and
hand-built hostile CSRs."""

import base64
import hashlib
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

STREAM_NS = "http://etherx.jabber.org/streams"
SASL_NS = "urn:ietf:params:xml:ns:xmpp-sasl"
BIND_NS = "urn:ietf:params:xml:ns:xmpp-bind"
STANZAS_NS = "urn:ietf:params:xml:ns:xmpp-stanzas"
ADD_NS = "urn:xmpp:ccm2:add-cert:0"
LIST_NS = "urn:xmpp:ccm2:list-certs:0"
REVOKE_NS = "urn:xmpp:ccm2:revoke-cert:0"
SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class StreamClosed(Exception):
    def __init__(self, condition):
        super().__init__("stream closed: %s" % condition)
        self.condition = condition


class SaslFailure(Exception):
    def __init__(self, condition):
        super().__init__("SASL failure: %s" % condition)
        self.condition = condition


def xml_escape(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("'", "&apos;").replace('"', "&quot;"))


class Client:
    """One c2s connection over direct TLS.  Not thread-safe: one thread each."""

    def __init__(self, server, domain=None, cert=None, key=None, timeout=30.0):
        self.domain = domain or server["DOMAIN"]
        context = ssl.create_default_context(cafile=server["CA_FILE"])
        context.check_hostname = False  # anon.localhost shares localhost's certificate
        if cert:
            context.load_cert_chain(cert, key)
        raw = socket.create_connection((server["HOST"], int(server["DIRECT_TLS_PORT"])), timeout=timeout)
        self.sock = context.wrap_socket(raw, server_hostname="localhost")
        self.sock.settimeout(timeout)
        self.timeout = timeout
        self.counter = 0
        self.jid = None
        self._open_stream()

    # Stream ---------------------------------------------------------------
    def _open_stream(self):
        self.parser = ET.XMLPullParser(events=("start", "end"))
        self.depth = 0
        self.queue = []
        self.send("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                  "xmlns:stream='%s' to='%s' version='1.0'>" % (STREAM_NS, self.domain))
        self.features = self.next_element()
        if self.features.tag != "{%s}features" % STREAM_NS:
            raise AssertionError("expected stream features, got %s" % self.features.tag)

    def send(self, text):
        self.sock.sendall(text.encode("utf-8"))

    def next_element(self, deadline=None):
        while not self.queue:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no reply")
                self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except (ConnectionError, ssl.SSLError) as e:
                raise StreamClosed("connection lost: %s" % e)
            finally:
                self.sock.settimeout(self.timeout)
            if not data:
                raise StreamClosed("connection closed")
            self.parser.feed(data)
            for event, element in self.parser.read_events():
                if event == "start":
                    self.depth += 1
                else:
                    self.depth -= 1
                    if self.depth == 1:
                        self.queue.append(element)
        element = self.queue.pop(0)
        if element.tag == "{%s}error" % STREAM_NS:
            condition = element[0].tag.split("}")[-1] if len(element) else "?"
            raise StreamClosed(condition)
        return element

    def close(self):
        try:
            self.send("</stream:stream>")
            self.sock.close()
        except OSError:
            pass

    # Authentication -------------------------------------------------------
    def mechanisms(self):
        mechs = self.features.find("{%s}mechanisms" % SASL_NS)
        return [m.text for m in mechs] if mechs is not None else []

    def _auth(self, mechanism, payload):
        body = base64.b64encode(payload).decode() if payload else "="
        self.send("<auth xmlns='%s' mechanism='%s'>%s</auth>" % (SASL_NS, mechanism, body))
        reply = self.next_element()
        if reply.tag != "{%s}success" % SASL_NS:
            condition = reply[0].tag.split("}")[-1] if len(reply) else "?"
            raise SaslFailure(condition)
        self._open_stream()
        self.send("<iq type='set' id='bind'><bind xmlns='%s'/></iq>" % BIND_NS)
        reply = self.next_element()
        self.jid = reply.find(".//{%s}jid" % BIND_NS).text
        return self

    def login_password(self, jid, password):
        return self._auth("PLAIN", b"\0" + jid.split("@")[0].encode() + b"\0" + password.encode())

    def login_anonymous(self):
        return self._auth("ANONYMOUS", b"")

    def login_external(self):
        return self._auth("EXTERNAL", b"")

    # IQs --------------------------------------------------------------------
    def iq(self, kind, payload, timeout=60.0):
        self.counter += 1
        iq_id = "q%d" % self.counter
        self.send("<iq type='%s' id='%s'>%s</iq>" % (kind, iq_id, payload))
        deadline = time.monotonic() + timeout
        while True:
            element = self.next_element(deadline)
            if element.tag == "{jabber:client}iq" and element.get("id") == iq_id:
                return element

    def ping(self):
        start = time.monotonic()
        # Generous: a server that blocks its event loop must be measured, not given up on.
        reply = self.iq("get", "<ping xmlns='urn:xmpp:ping'/>", timeout=180.0)
        assert reply.get("type") == "result", ET.tostring(reply)
        return (time.monotonic() - start) * 1000.0

    def add(self, name, csr_der, timeout=60.0):
        return self.iq("set", "<add-certificate-request xmlns='%s'><name>%s</name>"
                       "<x509certificate-signing-request>%s</x509certificate-signing-request>"
                       "</add-certificate-request>"
                       % (ADD_NS, xml_escape(name), base64.b64encode(csr_der).decode()), timeout)

    def list(self):
        return self.iq("get", "<list-certificates-request xmlns='%s'/>" % LIST_NS)

    def revoke(self, fingerprint):
        return self.iq("set", "<revoke-certificate xmlns='%s'><fingerprint hash='sha-256'>%s</fingerprint>"
                       "</revoke-certificate>" % (REVOKE_NS, fingerprint))


def error_of(reply):
    """(type, condition) of an IQ error reply, or None for a result."""
    if reply.get("type") != "error":
        return None
    error = reply.find("{jabber:client}error")
    condition = [c.tag.split("}")[-1] for c in error if c.tag.startswith("{%s}" % STANZAS_NS)
                 and not c.tag.endswith("}text")]
    return error.get("type"), condition[0] if condition else "?"


def certificate_of(reply):
    """The base64 DER of an add result, or raises."""
    if reply.get("type") != "result":
        raise AssertionError("add failed: %s" % ET.tostring(reply).decode())
    return reply.find(".//{%s}x509certificate" % ADD_NS).text


def listed(reply):
    """{fingerprint: name} of a list result."""
    result = {}
    for entry in reply.iter("{%s}x509certificate" % LIST_NS):
        der = base64.b64decode(entry.find("{%s}x509cert" % LIST_NS).text)
        result[hashlib.sha256(der).hexdigest()] = entry.find("{%s}name" % LIST_NS).text
    return result


# Keys and CSRs ---------------------------------------------------------------

class Device:
    """A key with its CSR (openssl), and once issued its certificate, in a
    private directory."""

    def __init__(self, workdir, kind="ec"):
        self.dir = tempfile.mkdtemp(dir=workdir)
        self.key = os.path.join(self.dir, "key.pem")
        self.cert = os.path.join(self.dir, "cert.pem")
        newkey = {"ec": ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
                  "ed25519": ["-newkey", "ed25519"],
                  "rsa2048": ["-newkey", "rsa:2048"]}[kind]
        self.csr = subprocess.run(["openssl", "req", "-new", "-nodes", "-keyout", self.key, "-subj", "/CN=device",
                                   "-outform", "DER"] + newkey,
                                  check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout
        self.fingerprint = None

    def issued(self, reply):
        der_b64 = certificate_of(reply)
        der = base64.b64decode(der_b64)
        self.fingerprint = hashlib.sha256(der).hexdigest()
        with open(self.cert, "w") as f:
            f.write(ssl.DER_cert_to_PEM_cert(der))
        return self

    def connect(self, server, **kwargs):
        return Client(server, cert=self.cert, key=self.key, **kwargs)


def der(tag, body):
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(octets)]) + octets
    return bytes([tag]) + length + body


def der_int(value):
    return der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def hostile_rsa_csr(modulus_bits, exponent_bits):
    """A CSR for an RSA key of @modulus_bits with a public exponent of
    @exponent_bits, and a random (invalid) signature of the modulus' size:
    what makes a naive verifier spin.  Built by hand: no real key needed."""
    modulus = secrets.randbits(modulus_bits) | (1 << (modulus_bits - 1)) | 1
    exponent = secrets.randbits(exponent_bits) | (1 << (exponent_bits - 1)) | 1
    rsa_oid = der(0x06, bytes.fromhex("2a864886f70d010101"))
    sha256_rsa = der(0x30, der(0x06, bytes.fromhex("2a864886f70d01010b")) + der(0x05, b""))
    spki = der(0x30, der(0x30, rsa_oid + der(0x05, b"")) +
               der(0x03, b"\0" + der(0x30, der_int(modulus) + der_int(exponent))))
    subject = der(0x30, der(0x31, der(0x30, der(0x06, bytes.fromhex("550403")) + der(0x0c, b"hostile"))))
    info = der(0x30, der_int(0) + subject + spki + der(0xa0, b""))
    signature = der(0x03, b"\0" + secrets.token_bytes(modulus_bits // 8))
    return der(0x30, info + sha256_rsa + signature)


# The server ----------------------------------------------------------------------

class LocalServer:
    """tests/server/local-server in a temporary directory; honours
    TESSERA_TEST_PROSODY and TESSERA_TEST_STORAGE like every test."""

    def __init__(self, workdir, *args):
        program = os.environ.get("TESSERA_LOCAL_SERVER",
                                 os.path.join(SOURCE_ROOT, "tests", "server", "local-server"))
        self.dir = os.path.join(workdir, "server")
        self.process = subprocess.Popen([program] + list(args) + [self.dir], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, text=True)
        self.values = {}
        for line in self.process.stdout:
            line = line.strip()
            if line == "READY":
                break
            key, _, value = line.partition("=")
            self.values[key] = value
        else:
            raise RuntimeError("local-server exited before READY (status %s)" % self.process.wait())

    def configure(self, text):
        """Appends @text to the configuration (it applies to the last
        VirtualHost) and restarts Prosody on the same ports and data."""
        with open(self.values["CONFIG_FILE"], "a") as f:
            f.write("\n" + text + "\n")
        self.process.send_signal(signal.SIGHUP)
        for line in self.process.stdout:
            line = line.strip()
            if line == "READY":
                return
            key, _, value = line.partition("=")
            self.values[key] = value
        raise RuntimeError("local-server exited during the restart")

    def __getitem__(self, key):
        return self.values[key]

    def account(self, index):
        suffix = "" if index == 1 else str(index)
        return self.values["JID" + suffix], self.values["PASSWORD" + suffix]

    def log_text(self):
        with open(self.values["LOG_FILE"], errors="replace") as f:
            return f.read()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Pinger(threading.Thread):
    """An unrelated client that pings the server every @interval seconds and
    records the round trips (ms) in the current phase."""

    def __init__(self, server, jid, password, interval=0.02):
        super().__init__(daemon=True)
        self.client = Client(server).login_password(jid, password)
        self.interval = interval
        self.phase = None
        self.samples = {}
        self.stopping = threading.Event()
        self.error = None

    def run(self):
        try:
            while not self.stopping.is_set():
                phase = self.phase
                rtt = self.client.ping()
                if phase is not None and phase == self.phase:
                    self.samples.setdefault(phase, []).append(rtt)
                time.sleep(self.interval)
        except Exception as e:  # reported by the test
            self.error = e

    def measure(self, phase, action):
        time.sleep(0.2)
        self.phase = phase
        try:
            return action()
        finally:
            time.sleep(0.1)
            self.phase = None

    def stop(self):
        self.stopping.set()
        self.join(30)
        self.client.close()


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, int(round(p / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def summary(values):
    return "n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms" % (
        len(values), percentile(values, 50), percentile(values, 99), max(values) if values else float("nan"))


class Tap:
    """Minimal TAP output."""

    def __init__(self):
        self.count = 0
        self.failed = 0

    def check(self, ok, description, detail=None):
        self.count += 1
        if not ok:
            self.failed += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.count, description), flush=True)
        if detail and not ok:
            for line in str(detail).splitlines():
                print("# " + line, flush=True)
        return ok

    def note(self, text):
        for line in text.splitlines():
            print("# " + line, flush=True)

    def finish(self):
        print("1..%d" % self.count, flush=True)
        return 1 if self.failed else 0
