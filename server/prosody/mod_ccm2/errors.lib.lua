-- errors.lib.lua: every error mod_ccm2 answers, as a util.error registry
--
-- Copyright 2026 The Tessera authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Part of mod_ccm2 (module:require "errors").  Each entry is
-- { type, condition, text } (util.error's compact form, the same on Prosody
-- 0.12 and 13); handlers reply with st.error_reply(stanza, errors.new(name))
-- and may give a more precise text (errors.new(name, text)).

local util_error = require "util.error";

local registry = util_error.init(module.name, {
	-- Who may manage certificates (docs/PROTOCOL.md section 8).
	["not-local"] = { "cancel", "not-allowed", "Only the account itself may manage its certificates" };
	["anonymous"] = { "cancel", "not-allowed", "Anonymous sessions cannot manage certificates" };
	["no-account"] = { "cancel", "not-allowed", "This account does not exist" };
	["password-required"] = { "cancel", "not-allowed",
		"Only a session that logged in with the account's password may do this" };
	["already-renewed"] = { "cancel", "not-allowed",
		"The certificate this session logged in with already has a successor; "
		.. "log in with that one, or add certificates from a password session" };
	["revoke-other"] = { "cancel", "not-allowed",
		"A session that logged in with a certificate may only revoke that certificate or the one it renews" };
	["session-revoked"] = { "cancel", "not-allowed", "The certificate this session logged in with was revoked" };

	-- Requests.
	["missing-element"] = { "modify", "bad-request", "Missing <name/> or <x509certificate-signing-request/>" };
	["csr-too-large"] = { "modify", "bad-request", "The CSR is too large" };
	["csr-base64"] = { "modify", "bad-request", "The CSR is not valid base64" };
	["csr-invalid"] = { "modify", "bad-request", "Not a PKCS #10 certificate signing request" };
	["csr-signature"] = { "modify", "bad-request", "The CSR's signature does not verify" };
	["key-rejected"] = { "modify", "not-acceptable", "Unsupported or weak key" };
	["bad-name"] = { "modify", "not-acceptable", "The name is not acceptable" };
	["too-many"] = { "modify", "not-acceptable", "Too many certificates" };
	["backslash"] = { "modify", "not-acceptable",
		"This server cannot issue certificates for account names with a backslash" };
	["fingerprint-missing"] = { "modify", "bad-request", "Missing <fingerprint/>" };
	["hash-unsupported"] = { "modify", "bad-request", "Only hash='sha-256' is supported" };
	["fingerprint-format"] = { "modify", "bad-request", "The fingerprint is not 32 hex bytes" };
	["no-such-certificate"] = { "cancel", "item-not-found", "No such certificate" };

	-- Load and limits: the client may retry later.
	["rate-limited"] = { "wait", "resource-constraint", "Too many certificate requests; try again in a minute" };
	["server-busy"] = { "wait", "resource-constraint", "The server is busy signing certificates; try again shortly" };
	["signing-timeout"] = { "wait", "internal-server-error", "Signing the certificate took too long" };

	-- The server's own trouble.
	["not-async"] = { "cancel", "internal-server-error", "Could not issue the certificate" };
	["signing-failed"] = { "cancel", "internal-server-error", "Could not issue the certificate" };
	["store-read"] = { "cancel", "internal-server-error", "Could not read the certificate list" };
	["store-write"] = { "cancel", "internal-server-error", "Could not store the certificate list" };
});

local errors = { registry = registry.registry };

-- A util.error object for registry entry @name; @text replaces its text.
function errors.new(name, text)
	assert(registry.registry[name], "unknown ccm2 error " .. tostring(name));
	local err = registry.new(name);
	if text then
		err.text = text;
	end
	return err;
end

return errors;
