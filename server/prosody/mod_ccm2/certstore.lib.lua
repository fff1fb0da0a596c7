-- certstore.lib.lua: an account's certificates in Prosody's storage
--
-- Copyright 2026 The Tessera authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Part of mod_ccm2 (module:require "certstore").  One keyval record per
-- account in the store "ccm2" (any backend: internal, sql):
--   { certs = { { fingerprint, name, der (base64), pubkey (base64 SPKI),
--                 created, last_used?, parent? }, ... } }   in issue order.
-- parent is the fingerprint of the certificate whose session added this one
-- (docs/PROTOCOL.md section 8); certificates added from password sessions
-- have none.

local certstore = {};

local store = module:open_store("ccm2");

-- The account's list, or nil, error.
function certstore.load(username)
	local data, err = store:get(username);
	if err then
		return nil, err;
	end
	return (data and data.certs) or {};
end

function certstore.save(username, certs)
	if #certs == 0 then
		return store:set(username, nil);
	end
	return store:set(username, { certs = certs });
end

function certstore.forget_account(username)
	return store:set(username, nil);
end

function certstore.find(certs, fingerprint)
	for index, record in ipairs(certs) do
		if record.fingerprint == fingerprint then
			return record, index;
		end
	end
end

function certstore.find_by_pubkey(certs, pubkey)
	for _, record in ipairs(certs) do
		if record.pubkey == pubkey then
			return record;
		end
	end
end

-- The certificate added from a session of @fingerprint, if it is still held.
function certstore.child_of(certs, fingerprint)
	for _, record in ipairs(certs) do
		if record.parent == fingerprint then
			return record;
		end
	end
end

-- Removes @fingerprint and every certificate added (directly or further
-- down) from sessions that used it, except @keep, which instead loses its
-- parent link (a completed renewal).  Returns the list of fingerprints
-- removed, the target first.
function certstore.remove_cascade(certs, fingerprint, keep)
	local doomed, removed = { [fingerprint] = true }, { fingerprint };
	local grew = true;
	while grew do
		grew = false;
		for _, record in ipairs(certs) do
			if not doomed[record.fingerprint] and record.fingerprint ~= keep
				and record.parent and doomed[record.parent] then
				doomed[record.fingerprint] = true;
				removed[#removed + 1] = record.fingerprint;
				grew = true;
			end
		end
	end
	for index = #certs, 1, -1 do
		local record = certs[index];
		if doomed[record.fingerprint] then
			table.remove(certs, index);
		elseif record.fingerprint == keep then
			record.parent = nil;
		end
	end
	return removed;
end

return certstore;
