-- rights.lib.lua: which session may do what (docs/PROTOCOL.md section 8)
--
-- Copyright 2026 The Tessera authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Part of mod_ccm2 (module:require "rights").  A session is one of:
--   "password"     logged in with a password-type SASL mechanism (PLAIN,
--                  SCRAM-*, DIGEST-MD5): may add and revoke anything;
--   "certificate"  logged in with a certificate through our SASL EXTERNAL:
--                  may list, revoke its own certificate (or the one it
--                  renews), and add one certificate that renews its own;
--   "other"        any other mechanism (a token, a mechanism we do not
--                  know, or a session older than the module): may list.
-- Anonymous sessions, sessions of accounts that do not exist and anything
-- that is not a local c2s session may do nothing.

local usermanager = require "core.usermanager";

local rights = {};

local function is_password_mechanism(mechanism)
	return mechanism == "PLAIN" or mechanism == "DIGEST-MD5"
		or (type(mechanism) == "string" and mechanism:match("^SCRAM%-") ~= nil);
end

-- mod_saslauth fires this while its SASL handler still knows the mechanism;
-- our EXTERNAL (external.lib.lua) sets ccm2_fingerprint before firing it.
module:hook("authentication-success", function(event)
	local session = event.session;
	local handler = session.sasl_handler;
	session.ccm2_mechanism = handler and handler.selected or nil;
end, 10);

-- The kind of @origin, or nil and the name of an error (errors.lib.lua).
function rights.kind(origin)
	if origin.type ~= "c2s" or origin.username == nil or origin.host ~= module.host then
		return nil, "not-local";
	end
	if origin.ccm2_mechanism == "ANONYMOUS" then
		return nil, "anonymous";
	end
	if not usermanager.user_exists(origin.username, origin.host) then
		-- Also every session of a host with authentication = "anonymous".
		return nil, "no-account";
	end
	if origin.ccm2_fingerprint then
		return "certificate";
	end
	if is_password_mechanism(origin.ccm2_mechanism) then
		return "password";
	end
	return "other";
end

function rights.may_list(kind)
	return kind ~= nil;
end

-- May a session of @kind add?  (A certificate session: only a renewal,
-- checked against the store by the caller.)
function rights.may_add(kind)
	if kind == "password" or kind == "certificate" then
		return true;
	end
	return nil, "password-required";
end

-- May @origin of @kind revoke @record?  @own is the record of the
-- certificate a certificate session logged in with (nil if gone).
-- Returns true, or true and "renewal" when this completes a renewal (the
-- session's certificate is the child of @record), or nil and an error name.
function rights.may_revoke(origin, kind, record, own)
	if kind == "password" then
		return true;
	elseif kind == "certificate" then
		if record.fingerprint == origin.ccm2_fingerprint then
			return true;
		end
		if own and own.parent == record.fingerprint then
			return true, "renewal";
		end
		return nil, "revoke-other";
	end
	return nil, "password-required";
end

return rights;
