#!/usr/bin/python3
# test-cli-stale.py: "list" says which certificates nobody uses any more
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The local Prosody's demo account holds certificates issued and last used
long ago (tests/server/local-server --demo: "Old tablet" last used 120 days
ago, "Old phone" never used and issued 60 days ago, "Phone" never used but
new, "Laptop" used two hours ago).  `tessera-cli list --json` gives each
one's "not_before" and "stale" by the rule in tessera-cli(1); the text
table says "(stale)".  TAP."""

import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from clitest import Device, check, describe, finish, local_server, parse_time  # noqa: E402


def main():
    # The demo data is written into the internal storage's files: this test
    # of the client's rule keeps that storage under any TESSERA_TEST_STORAGE.
    with local_server("tessera-stale-", "--demo", "--storage", "internal") as (work, server):
        device = Device(os.path.join(work, "device"), server)
        result = device.cli("--json", "list")
        check(result.returncode == 0, "list --json on the demo account", describe(result))
        listed = {c["name"]: c for c in (result.doc or {}).get("certificates", [])}
        now = datetime.datetime.now(datetime.timezone.utc)
        expected = {"Laptop": (False, 0), "Phone": (False, 0), "Old tablet": (True, 200), "Old phone": (True, 60)}
        for name, (stale, age_days) in expected.items():
            entry = listed.get(name, {})
            not_before = entry.get("not_before")
            age = (now - parse_time(not_before)).days if not_before else None
            check(entry.get("stale") is stale and age is not None and abs(age - age_days) <= 1,
                  "%s: stale %s, issued %d days ago" % (name, str(stale).lower(), age_days), entry)

        table = device.cli("list")
        lines = {}
        for line in table.stdout.splitlines():
            for name in expected:
                if line.lstrip(" *").startswith(name + "  "):
                    lines[name] = line
        check(table.returncode == 0 and "(stale)" in lines.get("Old tablet", "")
              and "(stale)" in lines.get("Old phone", "") and "(stale)" not in lines.get("Phone", "x")
              and "stale = never used and issued more than 30 days ago" in table.stdout,
              "the table marks the stale ones and states the rule", describe(table))
    return finish()


if __name__ == "__main__":
    sys.exit(main())
