-- names.lib.lua: device names, as the user gives them
--
-- Copyright 2026 The Tessera authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Part of mod_ccm2 (module:require "names").  Pure Lua, no Prosody API, so
-- it can also be loaded with plain lua5.4 (tests/server-module).
--
-- A listed name must not be able to look like another: no control (Cc),
-- format (Cf: bidi overrides, zero-width characters, ...), line (Zl) or
-- paragraph separator (Zp) characters.  Lua has no Unicode tables, so the
-- code points of these categories are listed here (Unicode 15.1; the test
-- compares them with Python's unicodedata).

local names = {};

names.max_chars = 64;

-- Sorted, inclusive ranges of Cc, Cf, Zl and Zp code points.
local refused = {
	{ 0x0000, 0x001F }, { 0x007F, 0x009F }, { 0x00AD, 0x00AD },
	{ 0x0600, 0x0605 }, { 0x061C, 0x061C }, { 0x06DD, 0x06DD }, { 0x070F, 0x070F },
	{ 0x0890, 0x0891 }, { 0x08E2, 0x08E2 }, { 0x180E, 0x180E },
	{ 0x200B, 0x200F }, { 0x2028, 0x202E }, { 0x2060, 0x2064 }, { 0x2066, 0x206F },
	{ 0xFEFF, 0xFEFF }, { 0xFFF9, 0xFFFB },
	{ 0x110BD, 0x110BD }, { 0x110CD, 0x110CD }, { 0x13430, 0x1343F },
	{ 0x1BCA0, 0x1BCA3 }, { 0x1D173, 0x1D17A },
	{ 0xE0001, 0xE0001 }, { 0xE0020, 0xE007F },
};
names.refused_ranges = refused;

function names.is_refused(code)
	local low, high = 1, #refused;
	while low <= high do
		local middle = (low + high) // 2;
		local range = refused[middle];
		if code < range[1] then
			high = middle - 1;
		elseif code > range[2] then
			low = middle + 1;
		else
			return true;
		end
	end
	return false;
end

local function trim(text)
	return (text:gsub("^%s+", ""):gsub("%s+$", ""));
end

-- Returns the trimmed name, or nil and a reason for a not-acceptable error.
function names.check(raw)
	local name = trim(raw);
	local length = utf8.len(name);
	if not length then
		return nil, "The name is not valid UTF-8";
	end
	if length < 1 or length > names.max_chars then
		return nil, "The name must have 1 to " .. names.max_chars .. " characters";
	end
	for _, code in utf8.codes(name) do
		if names.is_refused(code) then
			return nil, ("The name must not contain control, format or separator characters (U+%04X)"):format(code);
		end
	end
	return name;
end

return names;
