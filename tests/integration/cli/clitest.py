# clitest.py: what the Python tests of tessera-cli share
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""TAP checks, and one device (its own XDG folders and file keyring, or
none) running the built tessera-cli ($TESSERA_CLI) against a LocalServer;
clients that are not ours (slixmpp, a plain libstrophe client, OpenSSL) to
check what it made.  Importing it puts tests/server-module (ccm2client) on
sys.path."""

import contextlib
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(SOURCE_ROOT, "tests", "server-module"))

# The peer XMPP client that is not ours: Debian's python3-slixmpp.
PEER = os.path.join(SOURCE_ROOT, "tests", "bench", "peer-slixmpp.py")

count = 0
failed = 0


def check(ok, text, detail=""):
    global count, failed
    count += 1
    failed += 0 if ok else 1
    print("%s %d - %s" % ("ok" if ok else "not ok", count, text))
    if not ok and detail:
        for line in str(detail)[:3000].splitlines():
            print("# " + line)
    sys.stdout.flush()


class Device:
    """One device: its own XDG folders and file keyring (or none)."""

    def __init__(self, root, server, keyring=True):
        self.root = root
        self.server = server
        self.keyring = keyring
        for sub in ("data", "config", "cache", "tmp"):
            os.makedirs(os.path.join(root, sub), mode=0o700, exist_ok=True)

    def env(self):
        env = dict(os.environ)
        env.update({
            "XDG_DATA_HOME": os.path.join(self.root, "data"),
            "XDG_CONFIG_HOME": os.path.join(self.root, "config"),
            "XDG_CACHE_HOME": os.path.join(self.root, "cache"),
            "XDG_STATE_HOME": os.path.join(self.root, "cache"),
            "XDG_RUNTIME_DIR": os.path.join(self.root, "tmp"),
            "TMPDIR": os.path.join(self.root, "tmp"),
            "HOME": self.root,
            "TESSERA_PASSWORD": self.server["PASSWORD"],
        })
        env.pop("TESSERA_TEST_CRASH_AT", None)
        if self.keyring:
            env.update({"SECRET_BACKEND": "file",
                        "SECRET_FILE_TEST_PATH": os.path.join(self.root, "keyring"),
                        "SECRET_FILE_TEST_PASSWORD": "test-keyring"})
            env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            env.pop("SECRET_BACKEND", None)
            env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=%s/no-such-bus" % self.root
        return env

    def cli(self, *args):
        server = self.server
        argv = [os.environ["TESSERA_CLI"], "--jid", server["JID"], "--host", server["HOST"],
                "--port", server["PORT"], "--ca-file", server["CA_FILE"]] + list(args)
        result = subprocess.run(argv, env=self.env(), stdin=subprocess.DEVNULL, capture_output=True,
                                text=True, timeout=120)
        result.doc = None
        if "--json" in args and result.stdout.strip():
            result.doc = json.loads(result.stdout)
        return result


def key_folders(device):
    """The key folders of the device's store (any account)."""
    base = os.path.join(device.root, "data", "tessera")
    found = []
    for account in os.listdir(base) if os.path.isdir(base) else []:
        path = os.path.join(base, account)
        if os.path.isdir(path):
            found += [os.path.join(path, d) for d in os.listdir(path) if os.path.isdir(os.path.join(path, d))]
    return found


def add_old_second_key(device, work, name):
    """Makes @device's store look like one from before the one-certificate-
    per-device rule: a second valid certificate, enrolled on a helper device
    (its own key passphrase, no keyring) whose key folder is copied into
    @device's store. Returns the enroll result of the helper."""
    helper = Device(os.path.join(work, "old-store-helper-" + name.replace(" ", "-")), device.server, keyring=False)
    pass_path = os.path.join(helper.root, "key-pass")
    with open(pass_path, "w") as f:
        f.write("the helper's key passphrase\n")
    result = helper.cli("--json", "--key-passphrase-file", pass_path, "enroll", name)
    folders, ours = key_folders(helper), key_folders(device)
    if result.returncode == 0 and len(folders) == 1 and ours:
        shutil.copytree(folders[0], os.path.join(os.path.dirname(ours[0]), os.path.basename(folders[0])))
    return result


def describe(result):
    return "exit %d\nstdout: %s\nstderr: %s" % (result.returncode, result.stdout, result.stderr)


def run(argv, **kwargs):
    """@argv's result, its standard input /dev/null: a plain libstrophe
    client started without one can get socket number 0, which libstrophe
    takes for no socket."""
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, **kwargs)


def peer_login(server, cert, key, key_passphrase_file=None):
    """slixmpp (PEER) logs in by SASL EXTERNAL with @cert and @key."""
    argv = ["/usr/bin/python3", PEER, "login", "--jid", server["JID"], "--host", server["HOST"],
            "--port", server["PORT"], "--ca-file", server["CA_FILE"], "--cert", cert, "--key", key]
    if key_passphrase_file:
        argv += ["--key-passphrase-file", key_passphrase_file]
    return run(argv)


def strophe_login(server, cert, key, key_passphrase_file=None):
    """A plain libstrophe client (tests/bench/floor-strophe: no Tessera code;
    libstrophe's OpenSSL unlocks an encrypted key itself)."""
    argv = [os.environ["TESSERA_FLOOR_STROPHE"], "login", "--jid", server["JID"], "--host", server["HOST"],
            "--port", server["PORT"], "--ca-file", server["CA_FILE"], "--cert", cert, "--key", key]
    if key_passphrase_file:
        argv += ["--key-passphrase-file", key_passphrase_file]
    return run(argv)


def secret_file(path, text):
    """A new file at @path, mode 0600 from the start, holding the line @text."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text + "\n")
    return path


def cert_fingerprint(pem_path):
    """The SHA-256 fingerprint (lower-case hex) of the certificate in
    @pem_path, as OpenSSL reads it."""
    out = run(["openssl", "x509", "-in", pem_path, "-noout", "-fingerprint", "-sha256"]).stdout
    return out.strip().partition("=")[2].replace(":", "").lower()


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def private_folder(work, name):
    """A new folder @name under @work that only we can read."""
    path = os.path.join(work, name)
    os.mkdir(path, 0o700)
    return path


def enroll_device(work, server, name):
    """A device in @work/device enrolled as @name, checked: (device, the
    enroll JSON; {} when it failed)."""
    device = Device(os.path.join(work, "device"), server)
    result = device.cli("--json", "enroll", name)
    check(result.returncode == 0, "enroll this device", describe(result))
    return device, result.doc or {}


@contextlib.contextmanager
def local_server(prefix, *args):
    """A LocalServer (tests/server-module/ccm2client.py) in a new temporary
    folder: yields (folder, server), then stops the server and removes the
    folder, also when a check raised."""
    from ccm2client import LocalServer

    work = tempfile.mkdtemp(prefix=prefix)
    server = None
    try:
        server = LocalServer(work, *args)
        yield work, server
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


def finish():
    """Prints the plan; the exit status for main()."""
    print("1..%d" % count)
    return 1 if failed else 0
