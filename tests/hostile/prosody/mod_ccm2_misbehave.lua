-- mod_ccm2_misbehave.lua: a deliberately misbehaving ccm2 server, for tests only
--
-- Copyright 2026 The Tessera authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- NEVER LOAD THIS ON A REAL SERVER.  It sits in front of mod_ccm2 (a higher
-- hook priority) and, as a control file says, answers ccm2 requests with what
-- a broken or hostile server might send: malformed lists, certificates for
-- the wrong key or the wrong account, forged replies, every stanza error,
-- silence, dropped connections and stream errors.  Tessera's hostile test
-- suite (tests/hostile) writes the control file before each step and reads
-- the events file to count what reached the server.
--
-- tests/server/local-server --misbehave-module PATH loads it and sets:
--   misbehave_control_file   the control file (re-read on every request)
--   misbehave_events_file    one line per request received: "<op> <n> <mode>"
--   misbehave_work_dir       a private directory for certtool
--
-- Control file: one "op.key=value" per line, op being list, add or revoke
-- ("op=mode" is short for "op.mode=mode").  Keys:
--   mode       pass (default: mod_ccm2 answers), silent, error, result, raw,
--              drop, stream-error, pass-then-drop, pass-then-silent,
--              pass-then-stream-error, pass-then-reply-and-stream-error;
--              add only: cert; revoke only: lie, revoke-other
--   times      misbehave for the first N requests of op only, then pass
--              (counted since the control file changed or the events file
--              was emptied)
--   condition  error / stream-error condition; type: error type; text
--   payload    file: for "result" the child of <iq type='result'/>, for
--              "raw" the whole text sent; {id} {to} {bare} {domain} are
--              replaced (for raw only)
--   from       for "result": the from attribute (absent unless given)
--   then       for "raw": pass (mod_ccm2 answers after it) or silent (default)
--   variant    for "cert": other-key, other-jid, two-addrs, ca, expired,
--              not-yet-valid, junk, bad-base64, empty

local st = require "util.stanza";
local base64 = require "util.encodings".base64;
local hex = require "util.hex";
local random = require "util.random";
local pposix = require "util.pposix";
local lfs = require "lfs";

local xmlns_add = "urn:xmpp:ccm2:add-cert:0";
local xmlns_list = "urn:xmpp:ccm2:list-certs:0";
local xmlns_revoke = "urn:xmpp:ccm2:revoke-cert:0";
local oid_xmpp_addr = "1.3.6.1.5.5.7.8.5";

local control_path = module:get_option_path("misbehave_control_file");
local events_path = module:get_option_path("misbehave_events_file");
local work_dir = module:get_option_path("misbehave_work_dir");
local ca_certificate_path = module:get_option_path("ccm2_ca_certificate");
local ca_key_path = module:get_option_path("ccm2_ca_key");
local store = module:open_store("ccm2");

module:log("warn", "mod_ccm2_misbehave is loaded: this server misbehaves on purpose (tests only)");

-- Files ----------------------------------------------------------------------

local function read_file(path)
	local file = io.open(path, "rb");
	if not file then return nil; end
	local data = file:read("a");
	file:close();
	return data;
end

local function write_file(path, data)
	local file = assert(io.open(path, "wb"));
	file:write(data);
	file:close();
end

local function shell_quote(text)
	return "'" .. text:gsub("'", "'\\''") .. "'";
end

-- Control and events -----------------------------------------------------------

local last_control, counters = nil, {};

local function read_control()
	local text = control_path and read_file(control_path) or "";
	-- A new script, or the same one with the events emptied, counts afresh.
	if text ~= last_control or (events_path and lfs.attributes(events_path, "size") == 0) then
		last_control, counters = text, {};
	end
	local control = {};
	for line in text:gmatch("[^\n]+") do
		local op, key, value = line:match("^%s*(%a+)%.?([%a-]*)%s*=%s*(.-)%s*$");
		if op then
			control[op] = control[op] or {};
			control[op][key ~= "" and key or "mode"] = value;
		end
	end
	return control;
end

local function record_event(op, n, mode)
	if not events_path then return; end
	local file = io.open(events_path, "ab");
	if file then
		file:write(("%s %d %s\n"):format(op, n, mode));
		file:close();
	end
end

-- What to do with this request: the op's settings, or nil to let mod_ccm2 answer.
local function settings_for(op)
	local control = read_control();
	local settings = control[op] or {};
	counters[op] = (counters[op] or 0) + 1;
	local n = counters[op];
	local mode = settings.mode or "pass";
	local times = tonumber(settings.times);
	if times and n > times then
		mode = "pass";
	end
	record_event(op, n, mode);
	if mode == "pass" then
		return nil;
	end
	settings.mode = mode;
	return settings;
end

-- Sending --------------------------------------------------------------------

local function substitute(text, origin, stanza)
	local bare = origin.username .. "@" .. origin.host;
	local values = { id = stanza.attr.id or "", to = origin.full_jid or bare, bare = bare, domain = origin.host };
	return (text:gsub("{(%a+)}", function (key) return values[key]; end));
end

local function payload_of(settings)
	local data = settings.payload and read_file(settings.payload);
	if not data then
		module:log("error", "misbehave: cannot read payload %s", tostring(settings.payload));
	end
	return data or "";
end

local function send_result(origin, stanza, settings)
	local attr = { type = "result", id = stanza.attr.id, to = origin.full_jid };
	if settings.from then
		attr.from = settings.from;
	end
	-- Built as text: the payload may be as broken as the test wants.
	local open = tostring(st.stanza("iq", attr)):gsub("/>$", ">");
	origin.send(open .. payload_of(settings) .. "</iq>");
end

local function drop(origin)
	module:log("info", "misbehave: dropping the connection of %s", origin.full_jid or "?");
	if origin.conn then
		origin.conn:close();
	end
end

local function stream_error(origin, settings)
	local condition = settings.condition or "undefined-condition";
	module:log("info", "misbehave: stream error <%s/> to %s", condition, origin.full_jid or "?");
	origin:close({ condition = condition, text = settings.text });
end

local function error_reply(origin, stanza, settings)
	origin.send(st.error_reply(stanza, settings.type or "cancel", settings.condition or "undefined-condition",
		settings.text));
end

-- Lets mod_ccm2 handle the request, then does @action with its reply instead
-- of sending it.  mod_ccm2 may answer later (add signs off the event loop,
-- suspending only this session's stanza processing), so only the reply to
-- this request is caught; anything else sent meanwhile goes out unchanged.
local function intercept_reply(origin, stanza, action)
	local real_send = origin.send;
	local id = stanza.attr.id;
	origin.send = function (reply)
		if type(reply) ~= "table" or reply.name ~= "iq" or reply.attr.id ~= id
			or (reply.attr.type ~= "result" and reply.attr.type ~= "error") then
			return real_send(reply);
		end
		origin.send = real_send;
		action(reply, real_send);
		return true;
	end
end

-- Certificates for "cert" ----------------------------------------------------

local function der_utf8_string(text)
	assert(#text < 0x80);
	return "\x0c" .. string.char(#text) .. text;
end

local function pem(der, label)
	local encoded = base64.encode(der);
	local lines = { "-----BEGIN " .. label .. "-----" };
	for i = 1, #encoded, 64 do
		lines[#lines + 1] = encoded:sub(i, i + 63);
	end
	lines[#lines + 1] = "-----END " .. label .. "-----";
	return table.concat(lines, "\n") .. "\n";
end

local function pem_body(text, label)
	local body = text:match("%-%-%-%-%-BEGIN " .. label .. "%-%-%-%-%-(.-)%-%-%-%-%-END " .. label .. "%-%-%-%-%-");
	return body and body:gsub("%s+", "") or nil;
end

local function certtool(dir, args)
	local command = { "certtool" };
	for _, arg in ipairs(args) do
		command[#command + 1] = shell_quote(arg);
	end
	command[#command + 1] = "</dev/null >" .. shell_quote(dir .. "/out") .. " 2>" .. shell_quote(dir .. "/err");
	local old_umask = pposix.umask("077");
	local ok = os.execute(table.concat(command, " "));
	pposix.umask(old_umask);
	if ok ~= true then
		module:log("error", "misbehave: certtool %s failed: %s", args[1], read_file(dir .. "/err") or "");
	end
	return ok == true;
end

local function template_for(variant, bare_jid)
	local other = "mallory@" .. bare_jid:match("@(.*)$");
	local lines = { "serial = 0x" .. hex.encode(string.char(0x40) .. random.bytes(15)), "signing_key", "tls_www_client" };
	local function addr(jid)
		lines[#lines + 1] = ('other_name = "%s %s"'):format(oid_xmpp_addr, hex.encode(der_utf8_string(jid)));
	end
	if variant == "other-jid" then
		lines[#lines + 1] = ('cn = "%s"'):format(other);
		addr(other);
	else
		lines[#lines + 1] = ('cn = "%s"'):format(bare_jid);
		addr(bare_jid);
	end
	if variant == "two-addrs" then
		addr(other);
	elseif variant == "ca" then
		lines[#lines + 1] = "ca";
		lines[#lines + 1] = "cert_signing_key";
	end
	if variant == "expired" then
		lines[#lines + 1] = 'activation_date = "2020-01-01 00:00:00"';
		lines[#lines + 1] = 'expiration_date = "2021-01-01 00:00:00"';
	elseif variant == "not-yet-valid" then
		lines[#lines + 1] = 'activation_date = "2099-01-01 00:00:00"';
		lines[#lines + 1] = 'expiration_date = "2100-01-01 00:00:00"';
	else
		lines[#lines + 1] = "expiration_days = 30";
	end
	return table.concat(lines, "\n") .. "\n";
end

-- A certificate signed by the real client CA but wrong in the way @variant
-- says; base64 DER, or nil.
local function wrong_certificate(origin, csr_der, variant)
	local bare_jid = origin.username .. "@" .. origin.host;
	local dir = work_dir .. "/" .. hex.encode(random.bytes(8));
	local old_umask = pposix.umask("077");
	lfs.mkdir(dir);
	pposix.umask(old_umask);
	local pubkey = dir .. "/pubkey.pem";
	local ok;
	if variant == "other-key" then
		ok = certtool(dir, { "--generate-privkey", "--key-type", "ecdsa", "--outfile", dir .. "/other.key" })
			and certtool(dir, { "--pubkey-info", "--load-privkey", dir .. "/other.key", "--outfile", pubkey });
	else
		write_file(dir .. "/request.pem", pem(csr_der, "CERTIFICATE REQUEST"));
		ok = certtool(dir, { "--pubkey-info", "--load-request", dir .. "/request.pem", "--outfile", pubkey });
	end
	write_file(dir .. "/cert.tmpl", template_for(variant, bare_jid));
	ok = ok and certtool(dir, { "--generate-certificate", "--load-pubkey", pubkey,
		"--load-ca-certificate", ca_certificate_path, "--load-ca-privkey", ca_key_path,
		"--template", dir .. "/cert.tmpl", "--outfile", dir .. "/cert.pem" });
	local body = ok and pem_body(read_file(dir .. "/cert.pem") or "", "CERTIFICATE");
	for entry in lfs.dir(dir) do
		if entry ~= "." and entry ~= ".." then os.remove(dir .. "/" .. entry); end
	end
	lfs.rmdir(dir);
	return body;
end

local function send_wrong_certificate(origin, stanza, settings)
	local variant = settings.variant or "junk";
	local text;
	if variant == "junk" then
		text = base64.encode("This is not a certificate, whatever the server says.");
	elseif variant == "bad-base64" then
		text = "!!! not base64 at all ###";
	elseif variant == "empty" then
		text = "";
	else
		local csr_text = stanza.tags[1]:get_child_text("x509certificate-signing-request") or "";
		text = wrong_certificate(origin, base64.decode((csr_text:gsub("%s+", ""))), variant);
		if not text then
			return error_reply(origin, stanza, { type = "wait", condition = "internal-server-error",
				text = "mod_ccm2_misbehave could not make its wrong certificate" });
		end
	end
	module:log("info", "misbehave: answering an add request with a %s certificate", variant);
	origin.send(st.reply(stanza):tag("add-certificate-result", { xmlns = xmlns_add })
		:text_tag("x509certificate", text));
end

-- Revocation lies --------------------------------------------------------------

-- Revokes another of the account's certificates than the one asked for.
local function revoke_other(origin, stanza)
	local asked = (stanza.tags[1]:get_child_text("fingerprint") or ""):gsub("[:%s]", ""):lower();
	local data = store:get(origin.username) or { certs = {} };
	for index, record in ipairs(data.certs or {}) do
		if record.fingerprint ~= asked then
			module:log("info", "misbehave: asked to revoke %s, revoking %s instead", asked, record.fingerprint);
			table.remove(data.certs, index);
			store:set(origin.username, data);
			break;
		end
	end
	origin.send(st.reply(stanza));
end

-- The hooks --------------------------------------------------------------------

local function misbehave(op, event)
	local origin, stanza = event.origin, event.stanza;
	local settings = settings_for(op);
	if not settings then
		return nil;
	end
	local mode = settings.mode;
	if mode == "silent" then
		return true;
	elseif mode == "error" then
		error_reply(origin, stanza, settings);
	elseif mode == "result" then
		send_result(origin, stanza, settings);
	elseif mode == "raw" then
		origin.send(substitute(payload_of(settings), origin, stanza));
		if settings["then"] == "pass" then
			return nil;
		end
	elseif mode == "drop" then
		drop(origin);
	elseif mode == "stream-error" then
		stream_error(origin, settings);
	elseif mode == "pass-then-drop" then
		intercept_reply(origin, stanza, function () drop(origin); end);
		return nil;
	elseif mode == "pass-then-silent" then
		intercept_reply(origin, stanza, function () end);
		return nil;
	elseif mode == "pass-then-stream-error" then
		intercept_reply(origin, stanza, function () stream_error(origin, settings); end);
		return nil;
	elseif mode == "pass-then-reply-and-stream-error" then
		intercept_reply(origin, stanza, function (reply, real_send)
			real_send(reply);
			stream_error(origin, settings);
		end);
		return nil;
	elseif mode == "cert" and op == "add" then
		send_wrong_certificate(origin, stanza, settings);
	elseif mode == "lie" and op == "revoke" then
		module:log("info", "misbehave: confirming a revocation without revoking anything");
		origin.send(st.reply(stanza));
	elseif mode == "revoke-other" and op == "revoke" then
		revoke_other(origin, stanza);
	else
		module:log("error", "misbehave: unknown mode %q for %s; letting mod_ccm2 answer", mode, op);
		return nil;
	end
	return true;
end

local requests = {
	list = { "iq-get", xmlns_list, "list-certificates-request" };
	add = { "iq-set", xmlns_add, "add-certificate-request" };
	revoke = { "iq-set", xmlns_revoke, "revoke-certificate" };
};

for op, request in pairs(requests) do
	local function handler(event)
		return misbehave(op, event);
	end
	for _, to in ipairs({ "self", "host" }) do
		module:hook(request[1] .. "/" .. to .. "/" .. request[2] .. ":" .. request[3], handler, 10);
	end
end
