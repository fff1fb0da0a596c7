-- external.lib.lua: SASL EXTERNAL with a certificate the account holds
--
-- Copyright 2026 The Tessera authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Part of mod_ccm2 (module:require "external"); docs/PROTOCOL.md section 5.
-- Prosody's own EXTERNAL (util/sasl/external.lua) needs an auth provider
-- with an "external" profile and crashes on an <auth/> without initial
-- response, so this module offers and answers EXTERNAL itself, the way
-- mod_saslauth answers the other mechanisms.
--
-- Returns a function setup(deps) that installs the hooks; deps holds the
-- shared helpers (certstore, certificate helpers, the sessions table).

local st = require "util.stanza";
local jid_util = require "util.jid";
local usermanager = require "core.usermanager";
local sm_make_authenticated = require "core.sessionmanager".make_authenticated;

local xmlns_sasl = "urn:ietf:params:xml:ns:xmpp-sasl";

return function(deps)
	local certstore, certs_lib, cert_sessions, decode_base64 =
		deps.certstore, deps.certs, deps.cert_sessions, deps.decode_base64;
	local disabled_mechanisms = module:get_option_set("disable_sasl_mechanisms", { "DIGEST-MD5" });

	local function peer_certificate(session)
		local conn = session.conn;
		local sock = conn and conn.socket and conn:socket();
		if not sock or not sock.getpeercertificate then
			return nil;
		end
		return sock:getpeercertificate();
	end

	module:hook("stream-features", function(event)
		local session, stream_features = event.origin, event.features;
		if session.type ~= "c2s_unauthed" or not session.secure or disabled_mechanisms:contains("EXTERNAL") then
			return;
		end
		if not peer_certificate(session) then
			return;
		end
		local mechanisms = stream_features:get_child("mechanisms", xmlns_sasl);
		if not mechanisms then
			mechanisms = st.stanza("mechanisms", { xmlns = xmlns_sasl });
			stream_features:add_child(mechanisms);
		end
		mechanisms:text_tag("mechanism", "EXTERNAL");
	end, -1); -- after mod_saslauth has added its mechanisms

	local function sasl_failure(session, condition, text)
		session.ccm2_external_pending = nil;
		module:fire_event("authentication-failure", { session = session, condition = condition, text = text });
		local reply = st.stanza("failure", { xmlns = xmlns_sasl }):tag(condition):up();
		if text then
			reply:text_tag("text", text);
		end
		session.send(reply);
		return true;
	end

	-- Which account the certificate names: exactly one xmppAddr, a bare JID
	-- of this host.
	local function account_of(cert)
		local addrs = certs_lib.xmpp_addrs_of(cert);
		if #addrs ~= 1 then
			return nil;
		end
		local bare = jid_util.prep(addrs[1]);
		local node, host, resource = jid_util.split(bare);
		if not node or resource or host ~= module.host then
			return nil;
		end
		return node, bare;
	end

	local function record_login(username, fingerprint)
		local certs, err = certstore.load(username);
		local record = certs and certstore.find(certs, fingerprint);
		if record then
			record.last_used = os.time();
			local ok, save_err = certstore.save(username, certs);
			if not ok then err = save_err; end
		end
		if err then
			module:log("error", "Could not record the last use of certificate %s: %s", fingerprint, err);
		end
	end

	-- @authzid: the decoded authorization identity ("" for none).
	local function external_authenticate(session, authzid)
		session.ccm2_external_pending = nil;
		local cert = peer_certificate(session);
		if not cert then
			return sasl_failure(session, "not-authorized", "No client certificate");
		end
		local username, bare = account_of(cert);
		if not username then
			return sasl_failure(session, "not-authorized", "The certificate does not name one account of this server");
		end
		if authzid ~= "" and jid_util.prep(authzid) ~= bare then
			return sasl_failure(session, "invalid-authzid", "The authorization identity does not match the certificate");
		end
		local fingerprint = certs_lib.fingerprint_of(cert);
		local certs = usermanager.user_exists(username, module.host) and certstore.load(username);
		if not certs or not certstore.find(certs, fingerprint) then
			session.log("info", "SASL EXTERNAL refused for %s: unknown certificate %s", bare, fingerprint);
			return sasl_failure(session, "not-authorized", "Unknown or revoked certificate");
		end
		if not cert:validat(os.time()) then
			return sasl_failure(session, "credentials-expired", "The certificate is not valid now");
		end
		local ok, err = sm_make_authenticated(session, username);
		if not ok then
			return sasl_failure(session, "not-authorized", err);
		end
		-- Set before authentication-success: rights.lib.lua reads it.
		session.ccm2_fingerprint = fingerprint;
		cert_sessions[session] = true;
		record_login(username, fingerprint);
		session.log("info", "Authenticated with certificate %s", fingerprint);
		module:fire_event("authentication-success", { session = session });
		session.sasl_handler = nil;
		session:reset_stream();
		session.send(st.stanza("success", { xmlns = xmlns_sasl }));
		return true;
	end

	-- Decodes an initial response or response: "=" or empty means empty.
	local function decode_sasl_data(session, text)
		if text == "=" or text == "" then
			return "";
		end
		local data = decode_base64(text);
		if not data then
			sasl_failure(session, "incorrect-encoding");
		end
		return data;
	end

	module:hook("stanza/urn:ietf:params:xml:ns:xmpp-sasl:auth", function(event)
		local session, stanza = event.origin, event.stanza;
		session.ccm2_external_pending = nil;
		if session.type ~= "c2s_unauthed" or stanza.attr.mechanism ~= "EXTERNAL"
			or disabled_mechanisms:contains("EXTERNAL") then
			return; -- mod_saslauth's business
		end
		if not session.secure then
			return sasl_failure(session, "encryption-required");
		end
		if not peer_certificate(session) then
			return; -- not offered: mod_saslauth answers invalid-mechanism
		end
		local text = stanza:get_text();
		if not text or text == "" then
			-- No initial response (RFC 6120 6.4.2): ask for it with an empty challenge.
			session.ccm2_external_pending = true;
			session.send(st.stanza("challenge", { xmlns = xmlns_sasl }):text("="));
			return true;
		end
		local authzid = decode_sasl_data(session, text);
		if not authzid then return true; end
		return external_authenticate(session, authzid);
	end, 10);

	module:hook("stanza/urn:ietf:params:xml:ns:xmpp-sasl:response", function(event)
		local session = event.origin;
		if not session.ccm2_external_pending then
			return;
		end
		local authzid = decode_sasl_data(session, event.stanza:get_text() or "");
		if not authzid then return true; end
		return external_authenticate(session, authzid);
	end, 10);

	module:hook("stanza/urn:ietf:params:xml:ns:xmpp-sasl:abort", function(event)
		event.origin.ccm2_external_pending = nil; -- mod_saslauth sends <aborted/>
	end, 10);

	return { peer_certificate = peer_certificate };
end
