-- mod_ccm2.lua: Client Certificate Management 2.0 (ccm2) for Prosody 0.12 and 13
--
-- Copyright 2026 The Tessera authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Lets an account enrol client certificates (it sends a CSR, the server
-- signs it with its client CA), list and revoke them, and log in with them
-- through SASL EXTERNAL (XEP-0178).  The wire format is the one in the
-- project's docs/PROTOCOL.md; who may do what is its section 8.  See
-- README.md next to this directory for the configuration.
--
-- This file wires the request handlers; the parts live next to it and are
-- loaded with module:require:
--   errors.lib.lua     every error reply (a util.error registry)
--   csr.lib.lua        cheap checks of a CSR (size, key type and size)
--   names.lib.lua      device names
--   rights.lib.lua     password, certificate and other sessions
--   certstore.lib.lua  the account's list in Prosody's storage
--   signer.lib.lua     signing with certtool, off the event loop
--   external.lib.lua   SASL EXTERNAL

local st = require "util.stanza";
local jid_util = require "util.jid";
local base64 = require "util.encodings".base64;
local datetime = require "util.datetime";
local set = require "util.set";
local throttle = require "util.throttle";
local ssl_x509 = require "ssl.x509";

local errors = module:require "errors";
local csr = module:require "csr";
local names = module:require "names";
local rights = module:require "rights";
local certstore = module:require "certstore";
local signer = module:require "signer";

local xmlns_add = "urn:xmpp:ccm2:add-cert:0";
local xmlns_list = "urn:xmpp:ccm2:list-certs:0";
local xmlns_revoke = "urn:xmpp:ccm2:revoke-cert:0";
local oid_subject_alt_name = "2.5.29.17";
local oid_xmpp_addr = "1.3.6.1.5.5.7.8.5";

local feature_vars = { add = xmlns_add, list = xmlns_list, revoke = xmlns_revoke };

-- Configuration ------------------------------------------------------------

local lifetime_days = module:get_option_number("ccm2_certificate_lifetime", 365);
local max_certificates = module:get_option_number("ccm2_max_certificates", 20);
local configured_features = module:get_option_set("ccm2_features", { "add", "list", "revoke" });
local add_limit = module:get_option_number("ccm2_add_limit", 10);
local add_period = module:get_option_number("ccm2_add_period", 60);

local max_csr_text = 16384; -- base64 with whitespace; the DER is capped in csr.lib.lua

if lifetime_days ~= math.floor(lifetime_days) or lifetime_days < 1 or lifetime_days > 36500 then
	module:log("error", "ccm2_certificate_lifetime must be a whole number of days between 1 and 36500; using 365");
	lifetime_days = 365;
end
lifetime_days = math.tointeger(lifetime_days);

if max_certificates ~= math.floor(max_certificates) or max_certificates < 1 then
	module:log("error", "ccm2_max_certificates must be a whole number >= 1; using 20");
	max_certificates = 20;
end

if add_limit < 1 or add_period <= 0 then
	module:log("error", "ccm2_add_limit must be >= 1 and ccm2_add_period > 0; using 10 per 60 s");
	add_limit, add_period = 10, 60;
end

local features = set.new();
for name in configured_features do
	if feature_vars[name] then
		features:add(name);
	else
		module:log("warn", "Unknown entry %q in ccm2_features (known: add, list, revoke)", tostring(name));
	end
end

-- Can a client certificate reach SASL at all?  Prosody 0.12 lets an
-- untrusted client certificate through by default; 13.0 fails the handshake
-- unless verifyext continues past chain errors.
local function contains(list, value)
	if type(list) ~= "table" then return false; end
	for _, item in ipairs(list) do
		if item == value then return true; end
	end
	return false;
end

local function check_tls_option(option)
	local ssl = module:get_option(option);
	local version = tostring(prosody.version or "");
	local old_prosody = version:match("^0%.") ~= nil;
	if type(ssl) ~= "table" or not (contains(ssl.verify, "peer")) then
		module:log("warn", "%s does not ask for client certificates (verify = { \"peer\", \"client_once\" }): "
			.. "no client can log in with a certificate (SASL EXTERNAL is never offered)", option);
	elseif not contains(ssl.verifyext, "lsec_continue") and not (old_prosody and ssl.verifyext == nil) then
		module:log("warn", "%s lacks verifyext = { \"lsec_continue\", \"lsec_ignore_purpose\" }: Prosody %s "
			.. "refuses client certificates from the ccm2 client CA in the TLS handshake, before SASL",
			option, version);
	end
end

if not module:get_option_set("disable_sasl_mechanisms", {}):contains("EXTERNAL") then
	check_tls_option("c2s_ssl");
	if module:get_option("c2s_direct_tls_ports") then
		check_tls_option("c2s_direct_tls_ssl");
	end
end

if features:contains("add") then
	local ok, err = signer.init(lifetime_days);
	if not ok then
		module:log("error", "Certificate enrolment (add) disabled: %s", err);
		features:remove("add");
	end
end

module.unload = signer.shutdown;
module:hook_global("server-stopping", signer.shutdown);

-- Certificates ---------------------------------------------------------------

local certs_lib = {};

function certs_lib.load(der)
	return ssl_x509.load(signer.der_to_pem(der, "CERTIFICATE"));
end

function certs_lib.xmpp_addrs_of(cert)
	local result = {};
	local extensions = cert:extensions();
	local san = extensions and extensions[oid_subject_alt_name];
	local addrs = san and san[oid_xmpp_addr];
	if type(addrs) == "table" then
		for _, addr in ipairs(addrs) do
			result[#result + 1] = addr;
		end
	end
	return result;
end

function certs_lib.fingerprint_of(cert)
	return cert:digest("sha256"):lower();
end

local function public_key_of(cert)
	return signer.pem_body(cert:pubkey() or "", "PUBLIC KEY");
end

-- Checks what certtool produced against what we asked for, so a changed
-- tool or template syntax can never hand out a wrong identity.
local function check_issued(cert, pubkey, bare_jid)
	local addrs = certs_lib.xmpp_addrs_of(cert);
	if #addrs ~= 1 or addrs[1] ~= bare_jid then
		return nil, "issued certificate carries the wrong xmppAddr";
	end
	if cert:subject()[1] == nil then
		return nil, "issued certificate has no subject";
	end
	for _, rdn in ipairs(cert:subject()) do
		if rdn.name == "commonName" and rdn.value ~= bare_jid then
			return nil, "issued certificate carries the wrong commonName";
		end
	end
	if public_key_of(cert) ~= pubkey then
		return nil, "issued certificate carries the wrong public key";
	end
	if not cert:validat(os.time()) then
		return nil, "issued certificate is not valid now";
	end
	return true;
end

-- Strict base64: the alphabet, correct padding and length.  Prosody's decoder
-- silently skips garbage, which would turn a corrupt request into a
-- different one instead of a bad-request.
local function decode_base64(text)
	text = text:gsub("%s+", "");
	if text == "" or #text % 4 ~= 0 or not text:match("^[A-Za-z0-9+/]+=?=?$") then
		return nil;
	end
	local data = base64.decode(text);
	if not data or data == "" then
		return nil;
	end
	return data;
end

-- Live sessions that logged in with a certificate.  The fingerprint lives on
-- the session itself; Prosody clears every field of a destroyed session, so a
-- stale entry simply stops matching.
local cert_sessions = setmetatable({}, { __mode = "k" });

local function sessions_with(username, fingerprint)
	local result = {};
	for session in pairs(cert_sessions) do
		if session.ccm2_fingerprint == fingerprint and session.username == username
			and session.host == module.host then
			result[#result + 1] = session;
		end
	end
	return result;
end

-- IQ handling --------------------------------------------------------------

local function reply_error(origin, stanza, name, text)
	origin.send(st.error_reply(stanza, errors.new(name, text)));
	return true;
end

-- Per account: a token bucket for add.  Kept in memory (not in storage,
-- which anonymous hosts drop).  Concurrent adds of one account need no lock:
-- the list is re-read and checked right before it is saved, with no yield
-- in between (issue()).
local add_throttles = {};

local function take_add_token(username)
	local bucket = add_throttles[username];
	if not bucket then
		bucket = throttle.create(add_limit, add_period);
		add_throttles[username] = bucket;
	end
	return bucket:poll(1);
end

-- Forget full buckets now and then, so the table does not grow forever.
module:add_timer(add_period, function()
	for username, bucket in pairs(add_throttles) do
		bucket:update();
		if bucket.balance >= add_limit then
			add_throttles[username] = nil;
		end
	end
	return add_period;
end);

-- The checks of an add that need the account's list; returns nil when the
-- request may go on to signing, or the DER of a certificate to hand back
-- (an idempotent retry), or false and an error name.
local function check_add_against_list(origin, kind, certs, pubkey)
	local existing = certstore.find_by_pubkey(certs, pubkey);
	if existing then
		local cert = certs_lib.load(base64.decode(existing.der));
		if cert and cert:validat(os.time()) then
			return existing;
		end
	end
	if #certs >= max_certificates then
		return false, "too-many", "Too many certificates (at most " .. max_certificates .. ")";
	end
	if kind == "certificate" then
		if not certstore.find(certs, origin.ccm2_fingerprint) then
			return false, "session-revoked";
		end
		if certstore.child_of(certs, origin.ccm2_fingerprint) then
			return false, "already-renewed";
		end
	end
	return nil;
end

-- Signs and stores.  Returns the record or nil, error name, text.
local function issue(origin, kind, csr_der, key, name)
	local username = origin.username;
	local bare_jid = username .. "@" .. origin.host;
	local pubkey = base64.encode(key.spki);

	local certs, err = certstore.load(username);
	if not certs then
		module:log("error", "Could not load certificates of %s: %s", bare_jid, err);
		return nil, "store-read";
	end
	local existing, err_name, err_text = check_add_against_list(origin, kind, certs, pubkey);
	if existing then
		module:log("info", "%s re-requested certificate %s", bare_jid, existing.fingerprint);
		return existing;
	elseif existing == false then
		return nil, err_name, err_text;
	end

	local der;
	der, err_name = signer.sign(csr_der, key.spki, bare_jid);
	if not der then return nil, err_name; end
	local cert = certs_lib.load(der);
	local ok, check_err = cert, "issued certificate does not parse";
	if cert then ok, check_err = check_issued(cert, pubkey, bare_jid); end
	if not ok then
		module:log("error", "Refusing to hand out a certificate for %s: %s", bare_jid, check_err);
		return nil, "signing-failed";
	end

	-- The list may have changed while the certificate was being signed.
	certs, err = certstore.load(username);
	if not certs then
		module:log("error", "Could not load certificates of %s: %s", bare_jid, err);
		return nil, "store-read";
	end
	existing, err_name, err_text = check_add_against_list(origin, kind, certs, pubkey);
	if existing then return existing; end
	if existing == false then return nil, err_name, err_text; end

	local record = {
		fingerprint = certs_lib.fingerprint_of(cert);
		name = name;
		der = base64.encode(der);
		pubkey = pubkey;
		created = os.time();
		parent = kind == "certificate" and origin.ccm2_fingerprint or nil;
	};
	certs[#certs + 1] = record;
	local saved, save_err = certstore.save(username, certs);
	if not saved then
		module:log("error", "Could not store the certificate of %s: %s", bare_jid, save_err);
		return nil, "store-write";
	end
	if record.parent then
		module:log("info", "Issued certificate %s to %s, renewing %s", record.fingerprint, bare_jid, record.parent);
	else
		module:log("info", "Issued certificate %s to %s", record.fingerprint, bare_jid);
	end
	return record;
end

local function handle_add(event)
	local origin, stanza = event.origin, event.stanza;
	local kind, kind_err = rights.kind(origin);
	if not kind then return reply_error(origin, stanza, kind_err); end
	local allowed, allowed_err = rights.may_add(kind);
	if not allowed then return reply_error(origin, stanza, allowed_err); end

	-- Cheap checks, in order of cost; nothing expensive before all passed.
	local request = stanza.tags[1];
	local raw_name = request:get_child_text("name");
	local csr_text = request:get_child_text("x509certificate-signing-request");
	if not raw_name or not csr_text then
		return reply_error(origin, stanza, "missing-element");
	end
	if #csr_text > max_csr_text then
		return reply_error(origin, stanza, "csr-too-large");
	end
	local name, name_err = names.check(raw_name);
	if not name then
		return reply_error(origin, stanza, "bad-name", name_err);
	end
	if not take_add_token(origin.username) then
		return reply_error(origin, stanza, "rate-limited");
	end
	local csr_der = decode_base64(csr_text);
	if not csr_der then
		return reply_error(origin, stanza, "csr-base64");
	end
	local key, condition, text = csr.inspect(csr_der);
	if not key then
		if condition == "not-acceptable" then
			return reply_error(origin, stanza, "key-rejected", "Key refused: " .. text);
		end
		return reply_error(origin, stanza, text == "The CSR is too large" and "csr-too-large" or "csr-invalid", text);
	end

	local ok, record, err_name, err_text = pcall(issue, origin, kind, csr_der, key, name);
	if not ok then
		module:log("error", "Issuing a certificate failed: %s", tostring(record));
		return reply_error(origin, stanza, "signing-failed");
	end
	if not record then
		return reply_error(origin, stanza, err_name, err_text);
	end
	origin.send(st.reply(stanza)
		:tag("add-certificate-result", { xmlns = xmlns_add })
			:text_tag("x509certificate", record.der));
	return true;
end

local function handle_list(event)
	local origin, stanza = event.origin, event.stanza;
	local kind, kind_err = rights.kind(origin);
	if not rights.may_list(kind) then return reply_error(origin, stanza, kind_err); end
	local certs, err = certstore.load(origin.username);
	if not certs then
		module:log("error", "Could not load certificates of %s: %s", origin.username, err);
		return reply_error(origin, stanza, "store-read");
	end
	local reply = st.reply(stanza):tag("list-of-certificates", { xmlns = xmlns_list });
	for _, record in ipairs(certs) do
		local attr = {};
		if record.last_used then
			attr["last-used"] = datetime.datetime(record.last_used);
		end
		reply:tag("x509certificate", attr)
			:text_tag("name", record.name)
			:text_tag("x509cert", record.der);
		local users = {};
		for _, session in ipairs(sessions_with(origin.username, record.fingerprint)) do
			if session.resource then
				users[#users + 1] = session.resource;
			end
		end
		if #users > 0 then
			table.sort(users);
			reply:tag("users");
			for _, resource in ipairs(users) do
				reply:text_tag("resource", resource);
			end
			reply:up();
		end
		reply:up();
	end
	origin.send(reply);
	return true;
end

-- Accepts upper or lower case hex, with or without ':' (or whitespace)
-- between the byte pairs.
local function normalize_fingerprint(text)
	local digits = text:gsub("[:%s]", ""):lower();
	if #digits ~= 64 or digits:find("[^0-9a-f]") then
		return nil;
	end
	return digits;
end

local function handle_revoke(event)
	local origin, stanza = event.origin, event.stanza;
	local kind, kind_err = rights.kind(origin);
	if not kind then return reply_error(origin, stanza, kind_err); end
	local fingerprint_el = stanza.tags[1]:get_child("fingerprint");
	if not fingerprint_el then
		return reply_error(origin, stanza, "fingerprint-missing");
	end
	if (fingerprint_el.attr.hash or ""):lower() ~= "sha-256" then
		return reply_error(origin, stanza, "hash-unsupported");
	end
	local fingerprint = normalize_fingerprint(fingerprint_el:get_text() or "");
	if not fingerprint then
		return reply_error(origin, stanza, "fingerprint-format");
	end
	local certs, err = certstore.load(origin.username);
	if not certs then
		module:log("error", "Could not load certificates of %s: %s", origin.username, err);
		return reply_error(origin, stanza, "store-read");
	end
	local record = certstore.find(certs, fingerprint);
	if not record then
		if kind == "other" then return reply_error(origin, stanza, "password-required"); end
		return reply_error(origin, stanza, "no-such-certificate");
	end
	local own = kind == "certificate" and certstore.find(certs, origin.ccm2_fingerprint) or nil;
	local allowed, how = rights.may_revoke(origin, kind, record, own);
	if not allowed then return reply_error(origin, stanza, how); end
	local keep = how == "renewal" and own.fingerprint or nil;
	local removed = certstore.remove_cascade(certs, fingerprint, keep);
	local saved, save_err = certstore.save(origin.username, certs);
	if not saved then
		module:log("error", "Could not store the certificates of %s: %s", origin.username, save_err);
		return reply_error(origin, stanza, "store-write");
	end
	module:log("info", "%s@%s revoked certificate %s%s%s", origin.username, origin.host, fingerprint,
		#removed > 1 and (" and " .. (#removed - 1) .. " added from it: " .. table.concat(removed, ", ", 2)) or "",
		keep and (", completing the renewal by " .. keep) or "");
	origin.send(st.reply(stanza));
	-- RFC 6120 4.9.3.16: <reset/> when the stream's certificates were revoked.
	for _, gone in ipairs(removed) do
		for _, session in ipairs(sessions_with(origin.username, gone)) do
			session.log("info", "Closing session: its certificate was revoked");
			session:close({ condition = "reset", text = "The certificate this session logged in with was revoked" });
		end
	end
	return true;
end

local handlers = {
	add = { "iq-set", xmlns_add, "add-certificate-request", handle_add };
	list = { "iq-get", xmlns_list, "list-certificates-request", handle_list };
	revoke = { "iq-set", xmlns_revoke, "revoke-certificate", handle_revoke };
};

for name, handler in pairs(handlers) do
	if features:contains(name) then
		local kind, xmlns, element, fn = handler[1], handler[2], handler[3], handler[4];
		-- "self" covers requests with no 'to' and those to the own bare JID;
		-- "host" those addressed to the server's domain.
		module:hook(kind .. "/self/" .. xmlns .. ":" .. element, fn);
		module:hook(kind .. "/host/" .. xmlns .. ":" .. element, fn);
		module:add_feature(feature_vars[name]);
	end
end

module:hook("account-disco-info", function(event)
	local origin, reply = event.origin, event.reply;
	if not rights.kind(origin) or jid_util.bare(reply.attr.from) ~= origin.username .. "@" .. origin.host then
		return;
	end
	for _, name in ipairs({ "add", "list", "revoke" }) do
		if features:contains(name) then
			reply:tag("feature", { var = feature_vars[name] }):up();
		end
	end
end);

module:hook("user-deleted", function(event)
	if event.host == module.host then
		certstore.forget_account(event.username);
	end
end);

module:require "external" {
	certstore = certstore;
	certs = certs_lib;
	cert_sessions = cert_sessions;
	decode_base64 = decode_base64;
};
