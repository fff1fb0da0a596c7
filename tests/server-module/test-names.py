#!/usr/bin/python3
# test-names.py: mod_ccm2's table of refused characters against Unicode's
#
# Copyright 2026 The Tessera authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""names.lib.lua lists the Cc, Cf, Zl and Zp code points by hand (Lua has no
Unicode tables).  This loads it with plain lua5.4, asks it about every code
point, and compares with Python's unicodedata: every code point Python puts
in those categories must be refused, and every refused one must be in them
(or be one that a newer Unicode version than Python's added to Cf).  TAP."""

import os
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
LIB = os.path.join(SOURCE_ROOT, "server", "prosody", "mod_ccm2", "names.lib.lua")
# Cf in Unicode 15.0/15.1 but unassigned in Python 3.11's Unicode 14.0.
NEWER_CF = set(range(0x13439, 0x13440))

LUA = r"""
local names = dofile(arg[1])
local out = {}
for code = 0, 0x10FFFF do
  if names.is_refused(code) then out[#out + 1] = string.format("%X", code) end
end
io.write(table.concat(out, " "), "\n")
local samples = { "Laptop", "  Phone  ", "Jürgen's Läptop", "a\u{85}b", "\u{202E}x", "x\u{2028}", "", "   ",
                  string.rep("x", 64), string.rep("x", 65), "\xff\xfe" }
for _, s in ipairs(samples) do
  local name, err = names.check(s)
  io.write(name and ("ok:" .. name) or "refused", "\n")
end
"""


def main():
    lua = subprocess.run(["lua5.4", "-", LIB], input=LUA, capture_output=True, text=True)
    count = 0
    failed = 0

    def check(ok, text, detail=""):
        nonlocal count, failed
        count += 1
        failed += 0 if ok else 1
        print("%s %d - %s" % ("ok" if ok else "not ok", count, text))
        if not ok and detail:
            print("# " + str(detail)[:1500])

    check(lua.returncode == 0, "names.lib.lua loads in plain Lua", lua.stderr)
    lines = lua.stdout.splitlines()
    refused = {int(h, 16) for h in lines[0].split()} if lines else set()
    expected = {c for c in range(0x110000)
                if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp")}
    print("# Python's Unicode %s: %d code points in Cc, Cf, Zl, Zp; Lua refuses %d"
          % (unicodedata.unidata_version, len(expected), len(refused)))
    check(not (expected - refused), "every Cc, Cf, Zl and Zp code point is refused",
          ["U+%04X" % c for c in sorted(expected - refused)])
    check(not (refused - expected - NEWER_CF), "nothing else is refused",
          ["U+%04X" % c for c in sorted(refused - expected - NEWER_CF)])
    results = lines[1:]
    wanted = ["ok:Laptop", "ok:Phone", "ok:Jürgen's Läptop", "refused", "refused", "refused", "refused",
              "refused", "ok:" + "x" * 64, "refused", "refused"]
    check(results == wanted, "names.check trims, counts characters and refuses bad ones", results)
    print("1..%d" % count)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
