#!/usr/bin/python3
# bench.py: Tessera's benchmarks side by side with peers and with the floor of its stack
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs Tessera's benchmarks and prints six tables, as ratios against peers
and against the least the stack needs (absolute times on a shared machine are
noise; the ratios are the point). Never fails on speed: the exit status is
non-zero only when a measurement could not be made at all.

Usage: bench.py --build-dir BUILDDIR [--only TABLE]... [--results FILE] [--quick]

Tables: roundtrips, floor, peer, crypto, lists, freeze. Normally run through
tools/run-bench (all tables) or `meson test -C BUILDDIR --benchmark [TABLE]`.
"""

import argparse
import datetime
import glob
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOCAL_SERVER = os.path.join(SOURCE_ROOT, "tests", "server", "local-server")
PEER_SLIXMPP = os.path.join(SOURCE_ROOT, "tests", "bench", "peer-slixmpp.py")
SYSTEM_PYTHON = "/usr/bin/python3"
TABLES = ("roundtrips", "floor", "peer", "crypto", "lists", "freeze")
LIST_SIZES = (100, 1000, 10000)
FRAME_BUDGET_MS = 16.0
RATIO_GOAL = 1.2

# Variables of the test environment (tests/meson.build) or of the caller that
# would distort timings or reach the user's real keyring and settings.
DROP_ENV = ("MALLOC_CHECK_", "MALLOC_PERTURB_", "G_DEBUG", "G_SLICE", "G_MESSAGES_DEBUG",
            "SECRET_BACKEND", "SECRET_FILE_TEST_PATH", "SECRET_FILE_TEST_PASSWORD",
            "TESSERA_PASSWORD", "GSETTINGS_BACKEND", "GSETTINGS_SCHEMA_DIR", "DISPLAY",
            "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "LD_PRELOAD", "ASAN_OPTIONS")


class BenchError(Exception):
    pass


def log(message):
    print("bench: " + message, file=sys.stderr, flush=True)


# ---- output --------------------------------------------------------------

class Table:
    def __init__(self, number, title, header, goal):
        self.number, self.title, self.header, self.goal = number, title, header, goal
        self.rows = []
        self.notes = []

    def add(self, *cells):
        self.rows.append([str(c) for c in cells])

    def note(self, text):
        self.notes.append(text)

    def render(self):
        widths = [len(h) for h in self.header]
        for row in self.rows:
            widths = [max(w, len(c)) for w, c in zip(widths, row)]

        def line(cells):
            return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

        out = ["", "### %d. %s" % (self.number, self.title), "", "Goal: " + self.goal, ""]
        out.append(line(self.header))
        out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        out += [line(r) for r in self.rows]
        if self.notes:
            out.append("")
            out += ["- " + n for n in self.notes]
        return "\n".join(out)


def fmt_ms(value):
    if value is None:
        return "n/a"
    if value >= 100:
        return "%.0f ms" % value
    if value >= 10:
        return "%.1f ms" % value
    return "%.2f ms" % value


def fmt_ratio(value, goal=None):
    if value is None:
        return "n/a"
    text = "%.2f×" % value
    if goal is not None:
        text += " ✓" if value <= goal else " ✗"
    return text


def fmt_count(value):
    """An instruction count in millions, or a small count as it is."""
    if value is None:
        return "n/a"
    if value >= 1e6:
        return "%.0f M" % (value / 1e6)
    return "%g" % value


def fmt_kib(kib):
    return "%.1f MiB" % (kib / 1024.0)


# ---- machine -------------------------------------------------------------

def command_output(argv):
    try:
        return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, check=False).stdout.strip()
    except OSError:
        return ""


def machine_description():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    versions = []
    for label, module in (("GLib", "glib-2.0"), ("GTK", "gtk4"), ("libadwaita", "libadwaita-1"),
                          ("GnuTLS", "gnutls"), ("libstrophe", "libstrophe")):
        versions.append("%s %s" % (label, command_output(["pkg-config", "--modversion", module]) or "?"))
    for label, package in (("Prosody", "prosody"), ("slixmpp", "python3-slixmpp"),
                           ("hyperfine", "hyperfine"), ("tcpdump", "tcpdump")):
        version = command_output(["dpkg-query", "-W", "-f", "${Version}", package])
        versions.append("%s %s" % (label, version or "not installed"))
    load = os.getloadavg()
    return ("Machine: %s, %d cores, %.1f GiB RAM, Linux %s; load average %.2f %.2f %.2f at start\n"
            "Versions: %s" % (cpu, os.cpu_count() or 0, mem_kib / 1048576.0, platform.release(),
                              load[0], load[1], load[2], ", ".join(versions)))


# ---- processes -----------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.build = os.path.abspath(args.build_dir)
        self.quick = args.quick
        self.tmp = tempfile.mkdtemp(prefix="tessera-bench-")
        os.chmod(self.tmp, 0o700)
        self.counter = 0
        self.ui_results = None
        self.ui_callgrind = None
        self.base_env = {k: v for k, v in os.environ.items() if k not in DROP_ENV}
        self.base_env["LC_ALL"] = "C.UTF-8"
        self.base_env["NO_AT_BRIDGE"] = "1"
        self.hyperfine = shutil.which("hyperfine")
        self.tcpdump = shutil.which("tcpdump")

    def path(self, *parts):
        return os.path.join(self.build, *parts)

    def program(self, name):
        paths = {"tessera-cli": self.path("src", "cli", "tessera-cli")}
        path = paths.get(name, self.path("tests", "bench", name))
        if not os.access(path, os.X_OK):
            raise BenchError("%s is not built (run ninja -C %s)" % (path, self.build))
        return path

    def newdir(self, name):
        self.counter += 1
        path = os.path.join(self.tmp, "%02d-%s" % (self.counter, name))
        os.makedirs(path, 0o700)
        return path

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run(self, argv, env=None, timeout=120, check=True):
        result = subprocess.run(argv, env=env or self.base_env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                timeout=timeout)
        if check and result.returncode != 0:
            raise BenchError("%s failed (%d): %s" % (" ".join(os.path.basename(a) for a in argv[:2]),
                                                     result.returncode, result.stderr.strip()[-600:]))
        return result

    def run_json(self, argv, env=None, timeout=300):
        out = self.run(argv, env, timeout).stdout
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


class LocalServer:
    """tests/server/local-server in a directory of its own."""

    def __init__(self, bench, *options):
        self.dir = bench.newdir("server")
        self.process = subprocess.Popen([LOCAL_SERVER, os.path.join(self.dir, "srv")] + list(options),
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=open(os.path.join(self.dir, "local-server.err"), "w"),
                                        text=True, env=bench.base_env)
        self.keys = {}
        deadline = time.monotonic() + 60
        for line in self.process.stdout:
            line = line.strip()
            if line == "READY":
                break
            if "=" in line:
                key, value = line.split("=", 1)
                self.keys[key] = value
            if time.monotonic() > deadline:
                break
        if "PORT" not in self.keys:
            self.stop()
            raise BenchError("local-server did not start, see %s" % self.dir)

    def __getitem__(self, key):
        return self.keys[key]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Device:
    """One device: its own XDG directories, no keyring (keys are encrypted
    with a passphrase from a file, as with tessera-cli --key-passphrase-file,
    so that Tessera, the floor and slixmpp unlock the very same key file)."""

    def __init__(self, bench, server, name="device"):
        self.bench, self.server = bench, server
        self.dir = bench.newdir(name)
        for sub in ("data", "config", "cache"):
            os.makedirs(os.path.join(self.dir, sub), 0o700)
        self.passphrase_file = os.path.join(self.dir, "key-passphrase")
        fd = os.open(self.passphrase_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(os.urandom(18).hex() + "\n")

    def env(self, password=False):
        env = dict(self.bench.base_env)
        env.update({
            "HOME": self.dir,
            "XDG_DATA_HOME": os.path.join(self.dir, "data"),
            "XDG_CONFIG_HOME": os.path.join(self.dir, "config"),
            "XDG_CACHE_HOME": os.path.join(self.dir, "cache"),
            # No Secret Service: libsecret fails at once instead of waiting.
            "DBUS_SESSION_BUS_ADDRESS": "unix:path=%s/no-such-bus" % self.dir,
            "BENCH_JID": self.server["JID"],
            "BENCH_HOST": self.server["HOST"],
            "BENCH_PORT": self.server["PORT"],
            "BENCH_CA_FILE": self.server["CA_FILE"],
            "BENCH_KEY_PASSPHRASE_FILE": self.passphrase_file,
        })
        if password:
            env["TESSERA_PASSWORD"] = self.server["PASSWORD"]
        return env

    def cli(self, *args):
        return [self.bench.program("tessera-cli"), "--jid", self.server["JID"],
                "--host", self.server["HOST"], "--port", self.server["PORT"],
                "--ca-file", self.server["CA_FILE"], "--key-passphrase-file", self.passphrase_file,
                "--timeout", "20"] + list(args)

    def floor(self, mode, *extra):
        argv = [self.bench.program("floor-strophe"), mode, "--jid", self.server["JID"],
                "--host", self.server["HOST"], "--port", self.server["PORT"],
                "--ca-file", self.server["CA_FILE"]]
        if mode == "login":
            cert, key = self.credentials()
            argv += ["--cert", cert, "--key", key, "--key-passphrase-file", self.passphrase_file]
        return argv + list(extra)

    def slixmpp(self, mode):
        argv = [SYSTEM_PYTHON, PEER_SLIXMPP, mode, "--jid", self.server["JID"],
                "--host", self.server["HOST"], "--port", self.server["PORT"],
                "--ca-file", self.server["CA_FILE"]]
        if mode == "login":
            cert, key = self.credentials()
            argv += ["--cert", cert, "--key", key, "--key-passphrase-file", self.passphrase_file]
        return argv

    def credentials(self):
        """certificate.pem and key.pem of this device's certified key."""
        certs = sorted(glob.glob(os.path.join(self.dir, "data", "tessera", "*", "*", "certificate.pem")))
        if not certs:
            raise BenchError("no enrolled certificate in %s" % self.dir)
        return certs[-1], os.path.join(os.path.dirname(certs[-1]), "key.pem")

    def session(self, *args):
        result = self.bench.run([self.bench.program("bench-session")] + list(args), self.env(password=True))
        return json.loads(result.stdout.strip().splitlines()[-1])


# ---- timing of whole commands ----------------------------------------------

def percentile(values, pct):
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[min(rank, len(ordered)) - 1]


def summarize_ms(times_s):
    ms = [t * 1000.0 for t in times_s]
    return {"median": statistics.median(ms), "p99": percentile(ms, 99), "n": len(ms)}


def time_commands(bench, commands, env_of, runs, warmup=2, rounds=3):
    """{name: argv} -> {name: {median, p99, n}} in ms. With hyperfine
    (without a shell), in @rounds rounds of runs/rounds each, the commands
    taking turns round by round, so that a burst of load from elsewhere on
    this shared machine does not fall on one command only; without it, our
    own runs, the commands taking turns run by run."""
    times = {name: [] for name in commands}
    if bench.hyperfine:
        per_round = max(1, runs // rounds)
        for r in range(rounds):
            names = list(commands) if r % 2 == 0 else list(reversed(list(commands)))
            for name in names:
                export = os.path.join(bench.tmp, "hyperfine-%d.json" % time.monotonic_ns())
                bench.run([bench.hyperfine, "-N", "--style", "none", "--warmup", str(warmup if r == 0 else 1),
                           "--runs", str(per_round), "--export-json", export, shlex.join(commands[name])],
                          env_of[name], timeout=900)
                with open(export) as f:
                    data = json.load(f)["results"][0]
                if data.get("exit_codes") and any(data["exit_codes"]):
                    raise BenchError("%s failed during the timing runs" % name)
                times[name] += data["times"]
        return {name: summarize_ms(t) for name, t in times.items()}

    for i in range(warmup + runs):
        for name, argv in commands.items():
            start = time.monotonic()
            bench.run(argv, env_of[name])
            if i >= warmup:
                times[name].append(time.monotonic() - start)
    return {name: summarize_ms(t) for name, t in times.items()}


def timing_tool(bench):
    return "hyperfine %s (-N, no shell; 3 rounds, the commands taking turns)" % \
        command_output(["hyperfine", "--version"]).split()[-1] \
        if bench.hyperfine else "own repeated runs, the commands taking turns (hyperfine not installed)"


# ---- capture -------------------------------------------------------------

class Capture:
    """tcpdump on lo for one server port; connections and round trips."""

    def __init__(self, bench, port):
        self.bench, self.port = bench, int(port)
        self.file = os.path.join(bench.newdir("capture"), "lo.pcap")
        self.process = subprocess.Popen([bench.tcpdump, "-i", "lo", "-n", "-U", "--immediate-mode", "-s", "160", "-w", self.file,
                                         "tcp port %d" % self.port],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
        # tcpdump says "listening on lo" once it captures
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if "listening on" in line or not line:
                break
        if self.process.poll() is not None:
            raise BenchError("tcpdump did not start")

    def stop(self):
        time.sleep(0.3)
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return parse_pcap(self.file, self.port)


def parse_pcap(path, server_port):
    """{client_port: {"syn_us": t, "segments": [(direction, bytes, t_us)]}}
    for IPv4 TCP on Ethernet-framed lo; direction "c" (client to server) or
    "s", data segments only."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return {}
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    nanos = struct.unpack(endian + "I", data[:4])[0] == 0xa1b23c4d
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    l2 = {1: 14, 113: 16, 276: 20}.get(linktype, 14)
    conns = {}
    offset = 24
    while offset + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(endian + "IIII", data[offset:offset + 16])
        packet = data[offset + 16:offset + 16 + incl]
        offset += 16 + incl
        ts_us = sec * 1000000 + (frac // 1000 if nanos else frac)
        ip = packet[l2:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
            continue
        ihl = (ip[0] & 0x0f) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        tcp = ip[ihl:]
        if len(tcp) < 20:
            continue
        sport, dport = struct.unpack("!HH", tcp[:4])
        payload = total - ihl - (tcp[12] >> 4) * 4
        flags = tcp[13]
        if dport == server_port:
            client, direction = sport, "c"
        elif sport == server_port:
            client, direction = dport, "s"
        else:
            continue
        conn = conns.setdefault(client, {"syn_us": None, "segments": []})
        if flags & 0x02 and not flags & 0x10 and direction == "c":
            conn["syn_us"] = ts_us
        elif payload > 0:
            conn["segments"].append((direction, payload, ts_us))
    return conns


TLS_ALERT_BYTES = 24          # an encrypted TLS 1.3 alert record (close_notify)
STREAM_CLOSE_BYTES = 38       # "</stream:stream>" in one TLS 1.3 AEAD record
TICKET_MAX_BYTES = 150        # NewSessionTicket records; stream features are bigger
STARTTLS_FINISHED_FLIGHT = 4  # stream header, <starttls/>, ClientHello, Finished


def count_round_trips(conn, cutoff_us=None, setup_flights=None):
    """Times the client waited for the server on one STARTTLS connection, up
    to @cutoff_us (the operation's answer; what follows is the stream close):
    the TCP handshake, then each server flight answering a client flight.
    Two things the server sends unasked are left out: TLS 1.3
    NewSessionTickets right after the client's Finished (the client does not
    wait for them: its stream header follows its Finished at once) and TLS
    alerts (close_notify). A last exchange that is the client's
    </stream:stream> is the close, not the operation, and is left out too.

    With @setup_flights (the client flights up to and including bind), also
    returns how long the client sat on the server's last answer before each
    later flight (its iqs), in ms: (round_trips, [delays])."""
    delays = []
    if conn["syn_us"] is None:
        return (0, delays) if setup_flights is not None else 0
    rts, flights, last, ticket_window = 1, 0, None, False
    flight_bytes, closed, last_server_ts = 0, False, None
    for direction, size, ts in conn["segments"]:
        if cutoff_us is not None and ts > cutoff_us:
            break
        if size == TLS_ALERT_BYTES:
            continue
        if direction == "c":
            if last != "c":
                flights += 1
                flight_bytes = 0
                ticket_window = flights == STARTTLS_FINISHED_FLIGHT
                if setup_flights is not None and flights > setup_flights and last_server_ts is not None:
                    delays.append((ts - last_server_ts) / 1000.0)
            flight_bytes += size
            last = "c"
        else:
            if ticket_window and size <= TICKET_MAX_BYTES:
                continue
            ticket_window = False
            if last == "c":
                rts += 1
                closed = flight_bytes == STREAM_CLOSE_BYTES
            last = "s"
            last_server_ts = ts
    # The close is no part of the operation, even when it went out before
    # the operation's end was stamped (a login closes its connection before
    # it returns).
    if closed:
        rts -= 1
        delays = delays[:-1]
    return (rts, delays) if setup_flights is not None else rts


def connections_between(conns, start_us, end_us):
    return [c for c in conns.values() if c["syn_us"] is not None and start_us - 2000 <= c["syn_us"] <= end_us]


# ---- 1. round trips --------------------------------------------------------

# RFC 6120 with STARTTLS and TLS 1.3, counted as count_round_trips() counts:
# TCP handshake, stream header, STARTTLS, TLS handshake, stream restart (sent
# with the TLS Finished), SASL (SCRAM-SHA-1: 2; EXTERNAL: 1), stream restart,
# resource binding, then the operation's iqs.
SASL_ROUND_TRIPS = {"password": 2, "certificate": 1}
# client flights up to bind: stream, starttls, ClientHello, Finished + stream,
# SASL (2 or 1), stream restart, bind
SETUP_FLIGHTS = {"password": 8, "certificate": 7}


def protocol_floor(login, iqs):
    return 1 + 1 + 1 + 1 + 1 + SASL_ROUND_TRIPS[login] + 1 + 1 + iqs


# operation: (login, iqs the brief's minimum allows, iqs PROTOCOL.md asks for, why)
OPERATIONS = {
    "enroll": ("password", 1, 2, "disco#info (§1) + add"),
    "list": ("password", 1, 2, "disco#info (§1) + list"),
    "revoke": ("password", 1, 3, "disco#info (§1) + list (§4: re-read first) + revoke"),
    "login (certificate)": ("certificate", 0, 0, "none: SASL EXTERNAL + bind"),
}


def table_roundtrips(bench):
    table = Table(1, "Round trips against the local Prosody (mod_ccm2)",
                  ["operation", "client", "TCP conns", "iq RTs (session stats)", "wire RTs (capture)",
                   "minimum: 1 iq/op", "PROTOCOL.md needs", "extra beyond PROTOCOL.md",
                   "client idle before each iq"],
                  "no extra reconnects or queries: one TCP connection per operation and no iq beyond what the "
                  "protocol needs")
    if not bench.tcpdump:
        table.note("tcpdump is not installed (tools/install-deps installs it): wire columns are n/a")
    with LocalServer(bench) as server:
        device = Device(bench, server)
        capture = Capture(bench, server["PORT"]) if bench.tcpdump else None
        windows = []

        def timed(label, client, fn):
            start = time.time_ns() // 1000
            result = fn()
            end = time.time_ns() // 1000
            windows.append((label, client, start, end, result))
            return result

        def floor(mode, env):
            result = bench.run(device.floor(mode, "--done-time"), env)
            return {"cutoff_us": int(result.stdout.split("done_us=")[1].split()[0])}

        enrolled = timed("enroll", "session", lambda: device.session("enroll", "Bench laptop"))
        timed("list", "session", lambda: device.session("list"))
        timed("login (certificate)", "session", lambda: device.session("login"))
        timed("list", "raw libstrophe", lambda: floor("list", device.env(password=True)))
        timed("login (certificate)", "raw libstrophe", lambda: floor("login", device.env()))
        timed("list", "tessera-cli", lambda: bench.run(device.cli("list"), device.env(password=True)))
        timed("login (certificate)", "tessera-cli", lambda: bench.run(device.cli("login"), device.env()))
        # A second device's certificate, so that the CLI revokes one that is not its own
        other = timed("enroll", "tessera-cli",
                      lambda: bench.run(device.cli("--json", "enroll", "Bench phone"), device.env(password=True)))
        other_fp = json.loads(other.stdout)["fingerprint"]
        timed("revoke", "session", lambda: device.session("revoke", enrolled["fingerprint"]))
        timed("revoke", "tessera-cli",
              lambda: bench.run(device.cli("revoke", "--force", other_fp), device.env(password=True)))
        conns = capture.stop() if capture else {}

    for label, client, start, end, result in windows:
        login, brief_iqs, protocol_iqs, why = OPERATIONS[label]
        found = connections_between(conns, start, end)
        cutoff = None
        if client == "session":
            cutoff = result["end_real_us"]
        elif client == "raw libstrophe":
            cutoff = result["cutoff_us"]
            protocol_iqs = brief_iqs
        wire, delays = None, []
        if capture:
            wire = 0
            for c in found:
                rts, d = count_round_trips(c, cutoff, SETUP_FLIGHTS[login])
                wire += rts
                delays += d
        needed = protocol_floor(login, protocol_iqs)
        if client == "session":
            n_conn, iq_rts = result["connections"], result["round_trips"]
        else:
            n_conn, iq_rts = (len(found) if capture else "n/a"), "—"
        table.add(label, client, n_conn, iq_rts, "n/a" if wire is None else wire,
                  protocol_floor(login, brief_iqs), "%d (%s)" % (needed, why) if client != "raw libstrophe"
                  else needed, "n/a" if wire is None else "%+d" % (wire - needed),
                  ", ".join("%.0f ms" % d if d >= 1 else "%.1f ms" % d for d in delays) or "—")

    table.note("minimum = TCP 1 + stream header 1 + STARTTLS 1 + TLS 1.3 handshake 1 + stream restart 1 (sent with "
               "the TLS Finished) + SASL (SCRAM 2, EXTERNAL 1) + stream restart 1 + bind 1 + one iq per operation "
               "(login: none); PROTOCOL.md needs = the same connection with the iqs Tessera must send")
    table.note("wire RTs: tcpdump on lo; the TCP handshake plus each server flight that answers a client flight, up "
               "to the operation's answer (session and raw libstrophe rows; tessera-cli rows to the end of the "
               "connection); TLS 1.3 session tickets and close_notify alerts, which nobody waits for, are not "
               "counted")
    table.note("client idle before each iq: from the server's last answer to the client's next request, on the "
               "wire; time the client spends on its side (key generation and storage before an add, or waiting "
               "for its own connection thread) and not on the network")
    table.note("revoke: the server's empty \"done\" names no certificate, so Tessera lists once more to check "
               "that the certificate is gone (the hostile suite's lying servers); that list goes out in the same "
               "flight as the revocation (the server answers a stream's stanzas in order), so it costs no round "
               "trip of its own, and the session stats count that flight once")
    table.note("iq RTs: tessera_session_get_stats () of a fresh session per operation; raw libstrophe = "
               "tests/bench/floor-strophe.c, the same logins and one iq, no discovery")
    return table


# ---- 2. against the floor ------------------------------------------------

def ratio_rows(table, label, results, ours, reference, goal=None, second=None):
    a, b = results[ours], results[reference]
    row = [label, fmt_ms(a["median"]), fmt_ms(a["p99"]), fmt_ms(b["median"]), fmt_ms(b["p99"]),
           fmt_ratio(a["median"] / b["median"], goal), fmt_ratio(a["p99"] / b["p99"])]
    if second is not None:
        c = results[second]
        row += [fmt_ms(c["median"]), fmt_ratio(a["median"] / c["median"])]
    table.add(*row)


# Issue 14: a certificate login at most the floor, a list at most 1.1× it.
FLOOR_GOALS = {"login": 1.0, "list": 1.1}
# ... and against slixmpp (interpreter start included): login ≥ 2× faster,
# list ≤ 0.4×.
PEER_GOALS = {"login": 0.5, "list": 0.4}


def table_floor(bench):
    runs = 10 if bench.quick else 30
    table = Table(2, "tessera-cli against raw libstrophe (the floor)",
                  ["operation", "tessera-cli median", "p99", "floor median", "p99", "ratio median", "ratio p99",
                   "old floor median", "ratio to old floor"],
                  "login ≤ %.1f× the floor (one TLS handshake, the key unlocked once), list ≤ %.1f×"
                  % (FLOOR_GOALS["login"], FLOOR_GOALS["list"]))
    with LocalServer(bench) as server:
        device = Device(bench, server)
        bench.run(device.cli("enroll", "Bench laptop"), device.env(password=True))
        commands = {
            "cli login": device.cli("login"), "floor login": device.floor("login", "--unlock-once"),
            "old floor login": device.floor("login"),
            "cli list": device.cli("list"), "floor list": device.floor("list"),
        }
        env_of = {name: device.env(password="list" in name) for name in commands}
        results = time_commands(bench, commands, env_of, runs)
    ratio_rows(table, "login (certificate, SASL EXTERNAL)", results, "cli login", "floor login",
               FLOOR_GOALS["login"], "old floor login")
    ratio_rows(table, "list (password, ccm2)", results, "cli list", "floor list", FLOOR_GOALS["list"],
               "floor list")
    table.note("whole processes, %d runs each after 2 warm-ups, timed by %s; all unlock the same PBES2-encrypted "
               "key.pem (600,000 PBKDF2 iterations) with the same passphrase file and check the server certificate "
               "against the same CA" % (runs, timing_tool(bench)))
    table.note("the floor (tests/bench/floor-strophe.c --unlock-once) does only the wire work and one key unlock "
               "(GnuTLS, whose PBKDF2 is the faster one here, then the plain key through a memfd): no discovery, no key "
               "store, no account file, no GLib; the old floor hands libstrophe the encrypted key.pem and its "
               "password callback, so OpenSSL unlocks it twice per connection (for a list, both floors are the "
               "same program: no key)")
    return table


# ---- 3. against a peer client --------------------------------------------

def table_peer(bench):
    runs = 8 if bench.quick else 20
    table = Table(3, "XEP-0257 against slixmpp (Prosody + Debian's mod_client_certs)",
                  ["operation", "tessera-cli median", "p99", "slixmpp median", "p99", "ratio median",
                   "ratio p99", "floor median", "tessera/floor", "old floor median", "tessera/old floor"],
                  "login ≥ 2× faster than the peer (ratio ≤ %.1f), list ratio ≤ %.1f"
                  % (PEER_GOALS["login"], PEER_GOALS["list"]))
    with LocalServer(bench, "--xep0257") as server:
        device = Device(bench, server)
        bench.run(device.cli("enroll", "Bench laptop"), device.env(password=True))
        commands = {
            "cli list": device.cli("list"), "slixmpp list": device.slixmpp("list"),
            "floor list": device.floor("list", "--xep0257"),
            "cli login": device.cli("login"), "slixmpp login": device.slixmpp("login"),
            "floor login": device.floor("login", "--unlock-once"),
            "old floor login": device.floor("login"),
        }
        env_of = {name: device.env(password="list" in name) for name in commands}
        for name in ("slixmpp list", "slixmpp login"):
            bench.run(commands[name], env_of[name])   # fails loudly if the peer cannot do it
        results = time_commands(bench, commands, env_of, runs)
    for label, op in (("list (XEP-0257 items)", "list"), ("login (certificate, SASL EXTERNAL)", "login")):
        a, b, c = results["cli " + op], results["slixmpp " + op], results["floor " + op]
        d = results.get("old floor " + op, c)
        table.add(label, fmt_ms(a["median"]), fmt_ms(a["p99"]), fmt_ms(b["median"]), fmt_ms(b["p99"]),
                  fmt_ratio(a["median"] / b["median"], PEER_GOALS[op]), fmt_ratio(a["p99"] / b["p99"]),
                  fmt_ms(c["median"]), fmt_ratio(a["median"] / c["median"]),
                  fmt_ms(d["median"]), fmt_ratio(a["median"] / d["median"]))
    table.note("whole processes, %d runs each after 2 warm-ups, timed by %s; slixmpp %s under %s, its xep_0257 "
               "plugin for the list and SASL EXTERNAL (use_mech) with the same encrypted key for the login"
               % (runs, timing_tool(bench), command_output(["dpkg-query", "-W", "-f", "${Version}",
                                                             "python3-slixmpp"]) or "?", SYSTEM_PYTHON))
    table.note("slixmpp's time includes starting the Python interpreter and importing slixmpp, as a user of "
               "a slixmpp script would wait for it")
    table.note("floor and old floor as in table 2 (login: the key unlocked once, or twice by libstrophe; list: the "
               "same program)")
    return table


# ---- 4. crypto -----------------------------------------------------------

def table_crypto(bench):
    table = Table(4, "Key + CSR per key type", ["key type", "runs", "Tessera median", "p99", "raw GnuTLS median",
                                                "p99", "certtool median", "p99", "Tessera/GnuTLS",
                                                "Tessera/certtool"],
                  "Tessera close to the raw GnuTLS calls (ratio ≤ %.1f)" % RATIO_GOAL)
    workdir = bench.newdir("crypto")
    for key_type, runs in (("ecdsa-p256", 100), ("ed25519", 100), ("rsa3072", 20)):
        if bench.quick:
            runs = max(5, runs // 10)
        rows = {r["method"]: r["ms"] for r in bench.run_json([bench.program("bench-crypto"), key_type, str(runs),
                                                              workdir], timeout=900)}
        t, g, c = rows["tessera"], rows["gnutls"], rows["certtool"]
        table.add(key_type, runs, fmt_ms(t["median"]), fmt_ms(t["p99"]), fmt_ms(g["median"]), fmt_ms(g["p99"]),
                  fmt_ms(c["median"]), fmt_ms(c["p99"]), fmt_ratio(t["median"] / g["median"], RATIO_GOAL),
                  fmt_ratio(t["median"] / c["median"]))
    table.note("Tessera = tessera_key_generate () + tessera_key_create_csr () (which verifies its CSR); raw GnuTLS = "
               "the same calls in tests/bench/bench-crypto.c, CSR read back and verified too; certtool = "
               "--generate-privkey then --generate-request --template (two processes); methods take turns run "
               "by run")
    table.note("RSA-3072 runs 20 times, not 100: one key takes up to seconds and its time varies with the primes "
               "found, so its p99 is the max of 20")
    return table


# ---- 5. big accounts -------------------------------------------------------

class Xvfb:
    """An Xvfb of our own on a display number it picks itself (-displayfd),
    so that other Xvfb servers on this machine cannot collide with it."""

    def __enter__(self):
        read_fd, write_fd = os.pipe()
        self.process = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24",
                                         "-nolisten", "tcp"], pass_fds=(write_fd,), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_fd)
        with os.fdopen(read_fd) as f:
            number = f.readline().strip()
        if not number:
            self.process.kill()
            self.process.wait()
            raise BenchError("Xvfb did not start")
        return ":" + number

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def ui_env(bench):
    """The environment of every GUI run: our own XDG directories, software
    rendering, no accessibility bus."""
    xdg = bench.newdir("gui")
    for sub in ("data", "config", "cache", "runtime"):
        os.makedirs(os.path.join(xdg, sub), 0o700)
    env = dict(bench.base_env)
    env.update({"GSK_RENDERER": "cairo", "GDK_BACKEND": "x11", "GTK_A11Y": "none",
                "GSETTINGS_BACKEND": "memory", "GSETTINGS_SCHEMA_DIR": bench.path("data"),
                "HOME": xdg, "XDG_DATA_HOME": os.path.join(xdg, "data"),
                "XDG_CONFIG_HOME": os.path.join(xdg, "config"), "XDG_CACHE_HOME": os.path.join(xdg, "cache"),
                "XDG_RUNTIME_DIR": os.path.join(xdg, "runtime")})
    return env


def run_ui_suite(bench, listdir, sizes):
    if bench.ui_results is not None:
        return bench.ui_results
    ui = bench.path("tests", "bench", "bench-ui")
    if not os.access(ui, os.X_OK):
        bench.ui_results = []
        return bench.ui_results
    env = ui_env(bench)
    argv = ["dbus-run-session", "--", ui, "suite", listdir] + [str(s) for s in sizes]
    with Xvfb() as display:
        env["DISPLAY"] = display
        bench.ui_results = bench.run_json(argv, env, timeout=900)
    return bench.ui_results


def callgrind_total(path):
    """The instruction count a callgrind output file holds."""
    counts = {}
    with open(path) as f:
        for line in f:
            if line.startswith(("totals:", "summary:")):
                counts[line.split(":")[0]] = int(line.split()[1])
    # With --instr-atstart=no the summary line stays 0; the totals count.
    if counts.get("totals") or counts.get("summary"):
        return counts.get("totals") or counts["summary"]
    raise BenchError("%s: no instructions counted" % path)


def run_ui_callgrind(bench, listdir, sizes):
    """Instructions, counted by callgrind, of each widget's part of the first
    frame of a list (bench-ui instruments only that part) and of each kind of
    start up to its first frame: unlike times, they do not depend on the
    machine's load. None where valgrind or the GUI harness is missing."""
    if bench.ui_callgrind is not None:
        return bench.ui_callgrind
    ui = bench.path("tests", "bench", "bench-ui")
    bench.ui_callgrind = {}
    if not os.access(ui, os.X_OK) or shutil.which("valgrind") is None:
        return bench.ui_callgrind
    outdir = bench.newdir("callgrind")
    env = ui_env(bench)
    runs = [((widget, size), ["--instr-atstart=no"], [mode, os.path.join(listdir, "list-%d.xml" % size)], "")
            for size in sizes for widget, mode in (("tessera", "list"), ("plain", "list-plain"))]
    runs += [((app, "start"), [], [mode], ".1")
             for app, mode in (("tessera", "start"), ("plain", "start-plain"), ("content", "start-content"))]
    with Xvfb() as display:
        env["DISPLAY"] = display
        env["BENCH_UI_FIRST_FRAME_ONLY"] = "1"
        for key, options, args, part in runs:
            out = os.path.join(outdir, "%s-%s.out" % key)
            bench.run(["dbus-run-session", "--", "valgrind", "--tool=callgrind", "--callgrind-out-file=" + out]
                      + options + [ui] + args, env, timeout=900)
            bench.ui_callgrind[key] = callgrind_total(out + part)
    return bench.ui_callgrind


def generate_lists(bench):
    listdir = bench.newdir("lists")
    bench.run([bench.program("bench-list"), "generate", listdir] + [str(s) for s in LIST_SIZES], timeout=300)
    return listdir


def write_ccm2_storage(server, listdir, size):
    """The certificates of list-SIZE.xml as mod_ccm2's stored list of the
    first account (DATA_DIR/localhost/ccm2/user1.dat, read on every list)."""
    import base64
    import hashlib
    import re
    with open(os.path.join(listdir, "list-%d.xml" % size)) as f:
        xml = f.read()
    now = int(time.time())
    records = []
    for index, (attrs, name, cert) in enumerate(re.findall(
            r"<x509certificate([^>]*)><name>([^<]*)</name><x509cert>([^<]*)</x509cert>", xml)):
        der_b64 = "".join(cert.split())
        fingerprint = hashlib.sha256(base64.b64decode(der_b64)).hexdigest()
        fields = ['fingerprint = "%s"' % fingerprint, 'name = "%s"' % name, 'der = "%s"' % der_b64,
                  'pubkey = ""', "created = %d" % (now - 86400)]
        if "last-used" in attrs:
            fields.append("last_used = %d" % (now - 3600 * (index % 500)))
        records.append("\t\t{ " + "; ".join(fields) + " };\n")
    if len(records) != size:
        raise BenchError("list-%d.xml: %d certificates found" % (size, len(records)))
    store_dir = os.path.join(server["DATA_DIR"], "localhost", "ccm2")
    os.makedirs(store_dir, 0o700, exist_ok=True)
    user = server["JID"].split("@")[0]
    with open(os.path.join(store_dir, user + ".dat"), "w") as f:
        f.write("return {\n\tcerts = {\n" + "".join(records) + "\t};\n};\n")


def list_over_the_wire(bench, listdir, rounds):
    """{size: (session median ms, floor median ms)}: a fresh bench-session
    list and a raw libstrophe list of the same stored certificates, from the
    process's start to the answer in hand (not to its exit: libstrophe's
    polite stream close can wait for the server much longer than the list
    took), taking turns."""
    results = {}
    with LocalServer(bench) as server:
        device = Device(bench, server)
        for size in LIST_SIZES:
            write_ccm2_storage(server, listdir, size)
            times = {"session": [], "floor": []}
            for r in range(rounds):
                order = ("session", "floor") if r % 2 == 0 else ("floor", "session")
                for who in order:
                    argv = [bench.program("bench-session"), "list"] if who == "session" else \
                        device.floor("list", "--done-time")
                    start_us = time.time_ns() // 1000
                    out = bench.run(argv, device.env(password=True), timeout=300).stdout
                    expected = ('"entries":%d' % size) if who == "session" else ("%d certificates" % size)
                    if expected not in out:
                        raise BenchError("%s list did not get %d certificates: %s" % (who, size, out.strip()[:200]))
                    if who == "session":
                        done_us = json.loads(out.strip().splitlines()[-1])["end_real_us"]
                    else:
                        done_us = int(out.split("done_us=")[1].split()[0])
                    times[who].append((done_us - start_us) / 1000.0)
            results[size] = (statistics.median(times["session"]), statistics.median(times["floor"]))
    return results



def table_lists(bench, listdir=None):
    table = Table(5, "Big accounts: parse + model, first frame, scrolling (Tessera / floor)",
                  ["certificates", "list over the wire", "raw libstrophe", "ratio", "parse + model", "floor",
                   "ratio", "peak RSS added", "floor",
                   "reply → first frame", "of which widget", "plain GtkColumnView: widget", "ratio",
                   "widget instructions", "plain", "ratio",
                   "frames > 16 ms (of scroll)",
                   "plain", "frame work p99", "plain", "frame work max"],
                  "the widget's part of the first frame ≤ 1.2× the plain GtkColumnView's; scrolling 10,000 rows "
                  "with no frame over 16 ms")
    listdir = listdir or generate_lists(bench)
    repeats = 3 if bench.quick else 5
    parsed, floors = {}, {}
    # Tessera and the floor take turns, one fresh process each per round, so
    # that load from elsewhere on the machine falls on both alike; the figure
    # is the median of the rounds' medians, the peak the largest peak.
    for size in LIST_SIZES:
        path = os.path.join(listdir, "list-%d.xml" % size)
        for r in range(repeats):
            modes = (("parse", parsed), ("floor", floors))
            for mode, store in (modes if r % 2 == 0 else tuple(reversed(modes))):
                row = bench.run_json([bench.program("bench-list"), mode, path, "2"])[0]
                if row["entries"] != size or row["unreadable"]:
                    raise BenchError("%s of list-%d.xml: %d entries, %d unreadable" %
                                     (mode, size, row["entries"], row["unreadable"]))
                store.setdefault(size, []).append(row)
        for store in (parsed, floors):
            rows = store[size]
            store[size] = {"ms": {"median": statistics.median(x["ms"]["median"] for x in rows)},
                           "peak_kib": max(x["peak_kib"] - x["baseline_peak_kib"] for x in rows),
                           "baseline_peak_kib": 0}
    wire = list_over_the_wire(bench, listdir, 3)
    rounds = {}
    for r in run_ui_suite(bench, listdir, LIST_SIZES):
        if "file" in r:
            rounds.setdefault((r["widget"], r["entries"]), []).append(r)
    ui = {key: ui_list_summary(rows) for key, rows in rounds.items()}
    instructions = run_ui_callgrind(bench, listdir, LIST_SIZES)
    for size in LIST_SIZES:
        p, f = parsed[size], floors[size]
        t, plain = ui.get(("tessera", size)), ui.get(("plain", size))
        i_t, i_plain = instructions.get(("tessera", size)), instructions.get(("plain", size))
        w_t, w_f = wire[size]
        cells = ["{:,}".format(size), fmt_ms(w_t), fmt_ms(w_f), fmt_ratio(w_t / w_f),
                 fmt_ms(p["ms"]["median"]), fmt_ms(f["ms"]["median"]),
                 fmt_ratio(p["ms"]["median"] / f["ms"]["median"]),
                 fmt_kib(p["peak_kib"] - p["baseline_peak_kib"]), fmt_kib(f["peak_kib"] - f["baseline_peak_kib"])]
        if t and plain:
            cells += [fmt_ms(t["first_list_ms"]), fmt_ms(t["widget_ms"]), fmt_ms(plain["widget_ms"]),
                      fmt_ratio(t["widget_ms"] / plain["widget_ms"], RATIO_GOAL)]
            cells += ([fmt_count(i_t), fmt_count(i_plain), fmt_ratio(i_t / i_plain, RATIO_GOAL)]
                      if i_t and i_plain else ["n/a"] * 3)
            cells += [t["frames_over"], plain["frames_over"],
                      fmt_ms(t["frame_work_p99"]), fmt_ms(plain["frame_work_p99"]), fmt_ms(t["frame_work_max"])]
        else:
            cells += ["n/a"] * 12
        table.add(*cells)
    table.note("list over the wire: a fresh process listing an account that holds that many certificates on the "
               "local Prosody (mod_ccm2's stored list, written by the benchmark): bench-session list (the session "
               "API, as the app) against floor-strophe list (raw libstrophe, no parse beyond the XML), from process "
               "start to the answer in hand, 3 rounds taking turns, median; both include the server building the "
               "reply and libstrophe's XML parse")
    table.note("parse + model: reply text → libstrophe stanza → tessera_protocol_parse_list () → GListStore, as "
               "the session does (on its worker thread); floor: the same XML parse, then only base64, "
               "gnutls_x509_crt_import, the expiry and SHA-256 per certificate into a C array "
               "(tests/bench/bench-list.c); %d rounds of a fresh process each, taking turns, 2 parses per process, "
               "median of the medians; peak RSS added = getrusage maxrss after minus before" % repeats)
    if ui:
        t_split = ", ".join("%s: model %s + set_model %s" % ("{:,}".format(size), fmt_ms(ui[("tessera", size)]["model_ms"]),
                                                           fmt_ms(ui[("tessera", size)]["set_model_ms"]))
                            for size in LIST_SIZES if ("tessera", size) in ui)
        table.note("window: the app's own TesseraCertList (libtessera_ui) and, as the floor, a plain GtkColumnView "
                   "(same model and name sort, one GtkLabel per cell), each in a 1000×700 GtkWindow under Xvfb "
                   "with GSK_RENDERER=cairo, a fresh process per run, %d rounds taking turns, medians (frame work "
                   "max: the largest); \"reply → first frame\" runs from the reply text to the first painted "
                   "frame with rows, and \"widget\" is that less the model build, which both share (%s); "
                   "scrolling goes top to bottom in about 300 frames (a page or more per frame: every visible row "
                   "is rebound each frame); frame work = frame clock before-paint → after-paint"
                   % (len(rounds.get(("tessera", LIST_SIZES[0]), [])), t_split))
        table.note("widget instructions: the same widget part of the first frame (set_model to the first painted "
                   "frame with rows, all threads) counted by valgrind --tool=callgrind in one more run of each: "
                   "a count, which unlike the times above does not move with the machine's load (the software "
                   "rendering and the X server's replies are the same in every run)")
    else:
        table.note("the GUI harness was not built (-Dgui=false): window columns are n/a")
    return table


def ui_list_summary(rows):
    """One widget's runs of one list size: medians, and the largest frame."""
    def median(key):
        return statistics.median(key(r) for r in rows)

    return {"first_list_ms": median(lambda r: r["first_list_ms"]),
            "model_ms": median(lambda r: r["model_ms"]),
            "set_model_ms": median(lambda r: r["set_model_ms"]),
            "widget_ms": median(lambda r: r["first_list_ms"] - r["model_ms"]),
            "frames_over": "%s of %d" % (fmt_count(median(lambda r: r["frames_over_16ms"])),
                                         statistics.median(r["scroll_frames"] for r in rows)),
            "frame_work_p99": median(lambda r: r["frame_work_ms"]["p99"]),
            "frame_work_max": max(r["frame_work_ms"]["max"] for r in rows)}


# ---- 6. never freeze -------------------------------------------------------

def table_freeze(bench, listdir=None):
    table = Table(6, "Never freeze: main-loop stalls and GUI start",
                  ["situation", "longest gap, own", "p99, own", "longest gap, all", "operation took", "goal met"],
                  "longest gap of a 1 ms g_timeout ticker < %d ms (own: less the time the main thread was ready but "
                  "waited for a CPU)" % FRAME_BUDGET_MS)
    stall = bench.program("bench-stall")
    idle = bench.run_json([stall, "idle", "1000"])[0]
    keygen = bench.run_json([stall, "keygen", "2" if bench.quick else "3"], timeout=300)[0]
    silent = bench.run_json([stall, "silent", "3"], timeout=60)[0]

    def met(row, extra=True):
        return "✓" if row["own_gap_ms"]["max"] < FRAME_BUDGET_MS and extra else "✗"

    table.add("idle ticker alone (what the machine gives)", fmt_ms(idle["own_gap_ms"]["max"]),
              fmt_ms(idle["own_gap_ms"]["p99"]), fmt_ms(idle["gap_ms"]["max"]), "—", "baseline")
    table.add("RSA-3072 tessera_key_generate_async × %d" % keygen["op_ms"]["n"], fmt_ms(keygen["own_gap_ms"]["max"]),
              fmt_ms(keygen["own_gap_ms"]["p99"]), fmt_ms(keygen["gap_ms"]["max"]),
              "%s each (median)" % fmt_ms(keygen["op_ms"]["median"]), met(keygen))
    table.add("list against a silent TCP server (3 s deadline)", fmt_ms(silent["own_gap_ms"]["max"]),
              fmt_ms(silent["own_gap_ms"]["p99"]), fmt_ms(silent["gap_ms"]["max"]),
              "%s → %s" % (fmt_ms(silent["op_ms"]["median"]), "TIMEOUT" if silent["timeout"] else "not a timeout!"),
              met(silent, silent["timeout"]))

    starts = [r for r in run_ui_suite(bench, listdir or bench.newdir("no-lists"), []) if "first_frame_ns" in r]
    summary = {}
    for app in ("tessera", "plain", "content"):
        rows = [r for r in starts if r["app"] == app]
        if rows:
            summary[app] = (statistics.median(r["start_to_first_frame_ms"] for r in rows),
                            max(r["start_to_first_frame_ms"] for r in rows),
                            statistics.median(r["rss_first_frame_kib"] for r in rows),
                            statistics.median(r["rss_settled_kib"] for r in rows), len(rows),
                            [statistics.median(r.get(k, 0) for r in rows)
                             for k in ("cpu_window_added_ms", "cpu_realize_ms", "cpu_first_frame_ms")])
    if "tessera" in summary and "plain" in summary:
        t, p = summary["tessera"], summary["plain"]
        table.add("GUI start → first frame (%d starts each)" % t[4], "—", "—", "—",
                  "Tessera %s median (%s max), RSS %s (%s after 1.5 s); empty AdwApplicationWindow %s, RSS %s; "
                  "ratio %s time, %s RSS; CPU to the first frame %s (window built %s, realized %s) against %s "
                  "(%s, %s), ratio %s" % (fmt_ms(t[0]), fmt_ms(t[1]), fmt_kib(t[2]), fmt_kib(t[3]), fmt_ms(p[0]),
                                          fmt_kib(p[2]), fmt_ratio(t[0] / p[0]), fmt_ratio(t[2] / p[2]),
                                          fmt_ms(t[5][2]), fmt_ms(t[5][0]), fmt_ms(t[5][1]), fmt_ms(p[5][2]),
                                          fmt_ms(p[5][0]), fmt_ms(p[5][1]),
                                          fmt_ratio(t[5][2] / p[5][2]) if p[5][2] else "n/a"),
                  "✓" if t[0] / p[0] <= RATIO_GOAL else "✗ (≤ %.1f× the empty window)" % RATIO_GOAL)
    if "tessera" in summary and "content" in summary:
        t, c = summary["tessera"], summary["content"]
        table.add("GUI start, second floor: the same window content (%d starts each)" % c[4], "—", "—", "—",
                  "Tessera %s median against %s for an AdwApplicationWindow with the same header bar and status "
                  "page, RSS %s; ratio %s time, %s RSS; CPU to the first frame %s against %s (built %s, realized "
                  "%s), ratio %s" % (fmt_ms(t[0]), fmt_ms(c[0]), fmt_kib(c[2]), fmt_ratio(t[0] / c[0]),
                                     fmt_ratio(t[2] / c[2]), fmt_ms(t[5][2]), fmt_ms(c[5][2]), fmt_ms(c[5][0]),
                                     fmt_ms(c[5][1]), fmt_ratio(t[5][2] / c[5][2]) if c[5][2] else "n/a"),
                  "for comparison (the goal is judged against the empty window above)")
    instructions = run_ui_callgrind(bench, listdir or bench.newdir("no-lists"), LIST_SIZES if listdir else [])
    i_t, i_p, i_c = (instructions.get((app, "start")) for app in ("tessera", "plain", "content"))
    if i_t and i_p and i_c:
        table.add("GUI start, instructions to the first frame (callgrind, one start each)", "—", "—", "—",
                  "Tessera %s, empty AdwApplicationWindow %s, ratio %s; same window content %s, ratio %s"
                  % (fmt_count(i_t), fmt_count(i_p), fmt_ratio(i_t / i_p), fmt_count(i_c), fmt_ratio(i_t / i_c)),
                  "for comparison: a count that does not move with the machine's load")
    table.note("a 1 ms GLib timeout on the main context records the gaps between its calls while the operation "
               "runs; the session and key generation run on worker threads (2 cores here); \"own\" = each gap less "
               "the time the main thread was ready to run but waited for a CPU (run_delay in "
               "/proc/thread-self/schedstat): on this shared machine that wait comes from the machine's load, "
               "not from Tessera; \"all\" is the raw gap")
    table.note("silent server: a socket on 127.0.0.1 that listens and never accepts (the kernel completes the TCP "
               "handshake, no byte ever comes back); the operation must end in TESSERA_XMPP_ERROR_TIMEOUT")
    table.note("GUI start: bench-ui start does what src/main.c does (TesseraApplication, no account yet), under "
               "Xvfb + dbus-run-session, GSK_RENDERER=cairo, GTK_A11Y=none, empty XDG directories; from spawn "
               "to the first painted frame of the main window (taken by the first after-paint handler: the "
               "enrollment wizard, which the app builds once its window is on screen, comes after it); the floor is an AdwApplication with one empty "
               "AdwApplicationWindow of the same size; CPU = the process's user + system time (all threads, "
               "getrusage) when the window was added to the application (built), realized, and painted first: "
               "unlike the wall time it hardly depends on the machine's load")
    table.note("second floor (bench-ui start-content): the empty window plus what Tessera's first frame shows "
               "without an account, built by hand (an AdwHeaderBar with a title, subtitle and two icon buttons, an "
               "AdwStatusPage with an icon, title, description and a pill button): the fonts, text, icons and "
               "drawing any window with that content pays for; the three kinds of start take turns")
    return table


# ---- main ----------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--only", action="append", choices=TABLES)
    parser.add_argument("--results", help="also write the tables as Markdown to this file")
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test, not for RESULTS.md)")
    args = parser.parse_args()
    wanted = args.only or list(TABLES)

    bench = Bench(args)
    started = time.monotonic()
    header = machine_description()
    print(header, flush=True)
    tables, failures = [], []
    listdir = None
    try:
        for name in TABLES:
            if name not in wanted:
                continue
            log("table %s…" % name)
            t0 = time.monotonic()
            try:
                if name == "lists":
                    listdir = generate_lists(bench)
                    table = table_lists(bench, listdir)
                elif name == "freeze":
                    table = table_freeze(bench, listdir)
                else:
                    table = globals()["table_" + name](bench)
            except (BenchError, subprocess.TimeoutExpired, OSError, KeyError, ValueError) as e:
                failures.append("%s: %s" % (name, e))
                log("table %s could not be measured: %s" % (name, e))
                continue
            tables.append(table)
            print(table.render(), flush=True)
            log("table %s took %.0f s" % (name, time.monotonic() - t0))
    finally:
        bench.cleanup()

    total = time.monotonic() - started
    print("\nAll tables took %.0f s." % total)
    if args.results:
        command = "tools/run-bench --write-results" + "".join(" --only " + w for w in wanted
                                                               if len(wanted) != len(TABLES))
        kept = kept_tables(args.results, {t.number for t in tables}) if len(wanted) != len(TABLES) else {}
        with open(args.results, "w") as f:
            f.write(results_markdown(header, tables, failures, command, total, kept))
        log("wrote %s" % args.results)
    for failure in failures:
        print("NOT MEASURED: " + failure)
    return 1 if failures else 0


def kept_tables(path, measured):
    """The tables of an earlier RESULTS.md that this run did not measure
    (--only), by number, so that a partial run keeps them."""
    import re
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return {}
    text = text.split("\n## ", 1)[0]
    kept = {}
    parts = re.split(r"\n(?=### \d+\. )", text)
    for part in parts[1:]:
        number = int(re.match(r"### (\d+)\.", part).group(1))
        if number not in measured:
            kept[number] = "\n" + part.rstrip("\n")
    return kept


def results_markdown(header, tables, failures, command, total, kept=None):
    lines = ["# Tessera benchmarks: latest figures", "",
             "Measured side by side in one run, as ratios: absolute times on shared machines are noise.",
             "Written by `%s` on %s (%.0f s); re-run it to refresh this file." % (
                 command, datetime.date.today().isoformat(), total),
             "`tools/run-bench` alone prints the tables without writing them; `meson test -C BUILDDIR --benchmark "
             "[TABLE]` runs the same tables (tests/bench/meson.build registers them as benchmarks, in no test "
             "suite). Each table states its goal; ✓/✗ mark a ratio that meets or misses it. Nothing here fails CI.",
             "",
             "```", header, "```"]
    kept = kept or {}
    if kept:
        lines.insert(4, "Tables %s are from this run; %s are kept from this file's previous version (the "
                        "machine line above is this run's)." % (
                            ", ".join(str(t.number) for t in tables), ", ".join(str(n) for n in sorted(kept))))
    rendered = {t.number: t.render() for t in tables}
    rendered.update(kept)
    for number in sorted(rendered):
        lines.append(rendered[number])
    for failure in failures:
        lines += ["", "NOT MEASURED: " + failure]
    analysis = os.path.join(SOURCE_ROOT, "tests", "bench", "ANALYSIS.md")
    if os.path.exists(analysis):
        with open(analysis) as f:
            lines += ["", f.read().rstrip()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
