-- mod_ccm2.lua: Client Certificate Management 2.0 (ccm2) for Prosody 0.12
--
-- Copyright 2026 The Tessera authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Lets an authenticated account enrol client certificates (it sends a CSR,
-- the server signs it with its client CA), list and revoke them, and log in
-- with them through SASL EXTERNAL (XEP-0178).  The wire format is the one
-- fixed in the project's docs/PROTOCOL.md (sections 1 to 5); see README.md
-- next to this file for the configuration.

local st = require "util.stanza";
local jid_util = require "util.jid";
local base64 = require "util.encodings".base64;
local datetime = require "util.datetime";
local random = require "util.random";
local hex = require "util.hex";
local set = require "util.set";
local pposix = require "util.pposix";
local lfs = require "lfs";
local ssl_x509 = require "ssl.x509";
local usermanager = require "core.usermanager";
local sm_make_authenticated = require "core.sessionmanager".make_authenticated;

local xmlns_add = "urn:xmpp:ccm2:add-cert:0";
local xmlns_list = "urn:xmpp:ccm2:list-certs:0";
local xmlns_revoke = "urn:xmpp:ccm2:revoke-cert:0";
local xmlns_sasl = "urn:ietf:params:xml:ns:xmpp-sasl";
local oid_subject_alt_name = "2.5.29.17";
local oid_xmpp_addr = "1.3.6.1.5.5.7.8.5";

local feature_vars = { add = xmlns_add, list = xmlns_list, revoke = xmlns_revoke };

-- Configuration ------------------------------------------------------------

local ca_certificate_path = module:get_option_path("ccm2_ca_certificate");
local ca_key_path = module:get_option_path("ccm2_ca_key");
local lifetime_days = module:get_option_number("ccm2_certificate_lifetime", 365);
local max_certificates = module:get_option_number("ccm2_max_certificates", 20);
local certtool_path = module:get_option_string("ccm2_certtool", "certtool");
local configured_features = module:get_option_set("ccm2_features", { "add", "list", "revoke" });
local disabled_mechanisms = module:get_option_set("disable_sasl_mechanisms", { "DIGEST-MD5" });

local max_name_chars = 64;
local max_csr_base64 = 65536;

if lifetime_days ~= math.floor(lifetime_days) or lifetime_days < 1 or lifetime_days > 36500 then
	module:log("error", "ccm2_certificate_lifetime must be a whole number of days between 1 and 36500; using 365");
	lifetime_days = 365;
end
lifetime_days = math.tointeger(lifetime_days);

if max_certificates ~= math.floor(max_certificates) or max_certificates < 1 then
	module:log("error", "ccm2_max_certificates must be a whole number >= 1; using 20");
	max_certificates = 20;
end

local features = set.new();
for name in configured_features do
	if feature_vars[name] then
		features:add(name);
	else
		module:log("warn", "Unknown entry %q in ccm2_features (known: add, list, revoke)", tostring(name));
	end
end

local store = module:open_store("ccm2");

-- Small helpers --------------------------------------------------------------

-- Single-quotes a path for /bin/sh.  Only paths we chose (or the admin
-- configured) ever reach a command line; user data goes through files.
local function shell_quote(text)
	return "'" .. text:gsub("'", "'\\''") .. "'";
end

local function strip_whitespace(text)
	return (text:gsub("%s+", ""));
end

-- Strict base64: the alphabet, correct padding and length.  Prosody's decoder
-- silently skips garbage, which would turn a corrupt request into a
-- different one instead of a bad-request.
local function decode_base64(text)
	text = strip_whitespace(text);
	if text == "" or #text % 4 ~= 0 or not text:match("^[A-Za-z0-9+/]+=?=?$") then
		return nil;
	end
	local data = base64.decode(text);
	if not data or data == "" then
		return nil;
	end
	return data;
end

-- util.x509.der2pem is broken under Lua 5.4 in Prosody 0.12.3, so build PEM here.
local function der_to_pem(der, label)
	local encoded = base64.encode(der);
	local lines = { "-----BEGIN " .. label .. "-----" };
	for i = 1, #encoded, 64 do
		lines[#lines + 1] = encoded:sub(i, i + 63);
	end
	lines[#lines + 1] = "-----END " .. label .. "-----";
	return table.concat(lines, "\n") .. "\n";
end

-- The base64 body of the first PEM block with @label in @text, whitespace removed.
local function pem_body(text, label)
	local body = text:match("%-%-%-%-%-BEGIN " .. label .. "%-%-%-%-%-(.-)%-%-%-%-%-END " .. label .. "%-%-%-%-%-");
	return body and strip_whitespace(body) or nil;
end

local function read_file(path)
	local file = io.open(path, "rb");
	if not file then return nil; end
	local data = file:read("a");
	file:close();
	return data;
end

local function write_file(path, data)
	local file, err = io.open(path, "wb");
	if not file then return nil, err; end
	local ok, write_err = file:write(data);
	file:close();
	if not ok then return nil, write_err; end
	return true;
end

local function remove_tree(path)
	local mode = lfs.symlinkattributes(path, "mode");
	if mode == "directory" then
		for entry in lfs.dir(path) do
			if entry ~= "." and entry ~= ".." then
				remove_tree(path .. "/" .. entry);
			end
		end
		lfs.rmdir(path);
	elseif mode then
		os.remove(path);
	end
end

-- Creates a fresh directory only we can read, for templates, keys and
-- certtool's output.
local function make_private_dir(parent, name)
	local path = parent .. "/" .. (name or ("ccm2-" .. hex.encode(random.bytes(12))));
	local old_umask = pposix.umask("077");
	local ok, err = lfs.mkdir(path);
	pposix.umask(old_umask);
	if not ok then
		return nil, err;
	end
	if lfs.attributes(path, "permissions") ~= "rwx------" then
		remove_tree(path);
		return nil, "unexpected permissions on " .. path;
	end
	return path;
end

-- Runs certtool with arguments we built ourselves (paths and fixed options),
-- stdin closed, stdout and stderr to files in @dir.  Returns success, stdout
-- and stderr text.
local function run_certtool(dir, args)
	local out_path, err_path = dir .. "/stdout", dir .. "/stderr";
	local command = { shell_quote(certtool_path) };
	for _, arg in ipairs(args) do
		command[#command + 1] = shell_quote(arg);
	end
	command[#command + 1] = "</dev/null >" .. shell_quote(out_path) .. " 2>" .. shell_quote(err_path);
	local old_umask = pposix.umask("077");
	local ok = os.execute(table.concat(command, " "));
	pposix.umask(old_umask);
	local stdout, stderr = read_file(out_path) or "", read_file(err_path) or "";
	os.remove(out_path);
	os.remove(err_path);
	return ok == true, stdout, stderr;
end

-- certtool prints progress first and its error last.
local function last_line(text)
	local line = "no output";
	for candidate in text:gmatch("[^\n]*%w[^\n]*") do
		line = candidate;
	end
	return line;
end

-- Working directory and proof-of-possession key ------------------------------

-- certtool's --load-request copies the CSR's subject into the certificate,
-- so the real certificate is made from the CSR's public key alone.  The CSR's
-- self-signature is still checked by GnuTLS (gnutls_x509_crt_set_crq) by
-- signing it once with a throw-away CA that lives only in our private
-- directory; its output is discarded.
local work_dir;
local pop_ca_cert, pop_ca_key;

local function setup_work_dir()
	-- One fixed name per host, so a crash leaves nothing that the next start
	-- does not clean up.
	local parent = prosody.paths.data or os.getenv("TMPDIR") or "/tmp";
	local name = "ccm2-work-" .. module.host:gsub("[^%w%-%.]", "_");
	remove_tree(parent .. "/" .. name);
	local dir, err = make_private_dir(parent, name);
	if not dir then
		return nil, "could not create a private working directory in " .. parent .. ": " .. tostring(err);
	end
	work_dir = dir;
	pop_ca_key, pop_ca_cert = dir .. "/pop-ca.key", dir .. "/pop-ca.pem";
	local template = dir .. "/pop-ca.tmpl";
	local ok, _, stderr = run_certtool(dir, { "--generate-privkey", "--key-type", "ecdsa", "--outfile", pop_ca_key });
	if not ok then
		return nil, "certtool --generate-privkey failed: " .. last_line(stderr);
	end
	write_file(template, 'cn = "ccm2 proof-of-possession check"\nca\ncert_signing_key\nexpiration_days = 36500\n');
	ok, _, stderr = run_certtool(dir, { "--generate-self-signed", "--load-privkey", pop_ca_key,
		"--template", template, "--outfile", pop_ca_cert });
	if not ok then
		return nil, "certtool --generate-self-signed failed: " .. last_line(stderr);
	end
	write_file(dir .. "/pop.tmpl", 'cn = "ccm2 proof-of-possession check"\nexpiration_days = 1\n');
	return true;
end

local function check_ca_configuration()
	if not ca_certificate_path or not ca_key_path then
		return nil, "ccm2_ca_certificate and ccm2_ca_key must be set";
	end
	local ca_pem = read_file(ca_certificate_path);
	if not ca_pem then
		return nil, "cannot read ccm2_ca_certificate " .. ca_certificate_path;
	end
	local ca = ssl_x509.load(ca_pem);
	if not ca then
		return nil, "ccm2_ca_certificate " .. ca_certificate_path .. " is not a PEM certificate";
	end
	if not read_file(ca_key_path) then
		return nil, "cannot read ccm2_ca_key " .. ca_key_path;
	end
	if not ca:validat(os.time()) then
		module:log("warn", "The client CA certificate %s is not valid now", ca_certificate_path);
	elseif not ca:validat(os.time() + lifetime_days * 86400) then
		module:log("warn", "The client CA certificate %s expires before certificates issued now (%d days)",
			ca_certificate_path, lifetime_days);
	end
	return true;
end

-- certtool signs with a key that does not belong to the CA certificate
-- without complaint, producing certificates nobody can verify.
local function check_ca_key_matches()
	local ok, info, stderr = run_certtool(work_dir, { "--pubkey-info", "--load-privkey", ca_key_path });
	local key_public = ok and pem_body(info, "PUBLIC KEY");
	if not key_public then
		return nil, "cannot read ccm2_ca_key " .. ca_key_path .. ": " .. last_line(stderr);
	end
	local ca = ssl_x509.load(read_file(ca_certificate_path) or "");
	if not ca or key_public ~= pem_body(ca:pubkey() or "", "PUBLIC KEY") then
		return nil, "ccm2_ca_key " .. ca_key_path .. " does not belong to ccm2_ca_certificate " .. ca_certificate_path;
	end
	return true;
end

if features:contains("add") then
	local ok, err = check_ca_configuration();
	if ok then
		ok, err = setup_work_dir();
	end
	if ok then
		ok, err = check_ca_key_matches();
	end
	if not ok then
		module:log("error", "Certificate enrolment (add) disabled: %s", err);
		features:remove("add");
	end
end

local function remove_work_dir()
	if work_dir then
		remove_tree(work_dir);
		work_dir = nil;
	end
end

module.unload = remove_work_dir;
module:hook_global("server-stopping", remove_work_dir);

-- Certificates ---------------------------------------------------------------

local function load_certificate(der)
	return ssl_x509.load(der_to_pem(der, "CERTIFICATE"));
end

local function xmpp_addrs_of(cert)
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

local function fingerprint_of(cert)
	return cert:digest("sha256"):lower();
end

local function public_key_of(cert)
	return pem_body(cert:pubkey() or "", "PUBLIC KEY");
end

-- Key policy: RSA needs 2048 bits, ECDSA 256, EdDSA is fine; anything else
-- (DSA, GOST, ...) is refused.
local function check_key_strength(algorithm, bits)
	if algorithm == "RSA" or algorithm == "RSA-PSS" then
		if bits and bits >= 2048 then return true; end
		return nil, "RSA keys need at least 2048 bits";
	elseif algorithm == "EC/ECDSA" then
		if bits and bits >= 256 then return true; end
		return nil, "elliptic curve keys need at least 256 bits";
	elseif algorithm and algorithm:match("^EdDSA") then
		return true;
	end
	return nil, "unsupported key algorithm " .. tostring(algorithm);
end

-- DER of an ASN.1 UTF8String holding @text.
local function der_utf8_string(text)
	local length = #text;
	local encoded_length;
	if length < 0x80 then
		encoded_length = string.char(length);
	elseif length < 0x100 then
		encoded_length = string.char(0x81, length);
	else
		encoded_length = string.char(0x82, length >> 8, length & 0xff);
	end
	return "\x0c" .. encoded_length .. text;
end

-- certtool's template parser has no working escape for a backslash and turns
-- a non-ASCII xmpp_name into IDNA (even the localpart).  So the xmppAddr goes
-- in as hex DER (other_name), and the commonName as a quoted string, which
-- is exact for every JID without a backslash, '"' or control characters.
local function template_safe(text)
	return #text < 0x10000 and not text:find('[\\"%c]');
end

local function random_serial_hex()
	-- 128 random bits, top bit cleared so the INTEGER stays positive and
	-- the first byte non-zero so it keeps at least 120 bits.
	local bytes = random.bytes(16);
	local first = (bytes:byte(1) & 0x7f) | 0x01;
	return string.char(first) .. bytes:sub(2);
end

-- Verifies the CSR and extracts its public key.  Returns a table
-- { pubkey (base64 SPKI), algorithm, bits } or nil, condition, text.
local function inspect_csr(dir, csr_path)
	local ok, _, stderr = run_certtool(dir, { "--generate-certificate", "--load-request", csr_path,
		"--load-ca-certificate", pop_ca_cert, "--load-ca-privkey", pop_ca_key,
		"--template", work_dir .. "/pop.tmpl", "--outfile", dir .. "/pop.pem" });
	os.remove(dir .. "/pop.pem");
	if not ok then
		if stderr:match("set_crq") then
			return nil, "bad-request", "The CSR's signature does not verify";
		end
		return nil, "bad-request", "Not a PKCS #10 certificate signing request";
	end
	local info;
	ok, info, stderr = run_certtool(dir, { "--pubkey-info", "--load-request", csr_path });
	local pubkey = ok and pem_body(info, "PUBLIC KEY");
	if not pubkey then
		module:log("error", "certtool --pubkey-info failed: %s", last_line(stderr));
		return nil, "internal-server-error", "Could not read the CSR's public key";
	end
	return {
		pubkey = pubkey;
		algorithm = info:match("\n%s*Public Key Algorithm: ([^\n]-)%s*\n");
		bits = tonumber(info:match("\n%s*Algorithm Security Level: [^\n]-%((%d+) bits%)"));
	};
end

-- Signs @csr_info's public key for @bare_jid with the client CA.  Returns the
-- certificate's DER or nil, condition, text.
local function sign_certificate(dir, csr_info, bare_jid)
	if not template_safe(bare_jid) then
		return nil, "not-acceptable", "This server cannot issue certificates for account names with a backslash";
	end
	local pubkey_path, template_path, cert_path = dir .. "/pubkey.pem", dir .. "/cert.tmpl", dir .. "/cert.pem";
	write_file(pubkey_path, der_to_pem(base64.decode(csr_info.pubkey), "PUBLIC KEY"));
	local template = table.concat({
		"cn = \"" .. bare_jid .. "\"",
		"other_name = \"" .. oid_xmpp_addr .. " " .. hex.encode(der_utf8_string(bare_jid)) .. "\"",
		"serial = 0x" .. hex.encode(random_serial_hex()),
		"expiration_days = " .. lifetime_days,
		"signing_key",
		"tls_www_client",
		"",
	}, "\n");
	local ok, err = write_file(template_path, template);
	if not ok then
		module:log("error", "Could not write the certificate template: %s", err);
		return nil, "internal-server-error", "Could not issue the certificate";
	end
	local stderr;
	ok, _, stderr = run_certtool(dir, { "--generate-certificate", "--load-pubkey", pubkey_path,
		"--load-ca-certificate", ca_certificate_path, "--load-ca-privkey", ca_key_path,
		"--template", template_path, "--outfile", cert_path });
	local body = ok and pem_body(read_file(cert_path) or "", "CERTIFICATE");
	if not body then
		module:log("error", "certtool could not sign the certificate: %s", last_line(stderr));
		return nil, "internal-server-error", "Could not issue the certificate";
	end
	return base64.decode(body);
end

-- Checks what certtool produced against what we asked for, so a changed
-- tool or template syntax can never hand out a wrong identity.
local function check_issued(cert, csr_info, bare_jid)
	local addrs = xmpp_addrs_of(cert);
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
	if public_key_of(cert) ~= csr_info.pubkey then
		return nil, "issued certificate carries the wrong public key";
	end
	if not cert:validat(os.time()) then
		return nil, "issued certificate is not valid now";
	end
	return true;
end

-- Storage ------------------------------------------------------------------

-- One record per account: { certs = { { fingerprint, name, der (base64),
-- pubkey (base64 SPKI), created, last_used? }, ... } } in issue order.
local function load_certs(username)
	local data, err = store:get(username);
	if err then
		return nil, err;
	end
	return (data and data.certs) or {};
end

local function save_certs(username, certs)
	if #certs == 0 then
		return store:set(username, nil);
	end
	return store:set(username, { certs = certs });
end

local function find_cert(certs, fingerprint)
	for index, record in ipairs(certs) do
		if record.fingerprint == fingerprint then
			return record, index;
		end
	end
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

local function may_manage(origin)
	return origin.type == "c2s" and origin.username ~= nil and origin.host == module.host;
end

local function reply_error(origin, stanza, error_type, condition, text)
	origin.send(st.error_reply(stanza, error_type, condition, text));
	return true;
end

local error_types = {
	["bad-request"] = "modify";
	["not-acceptable"] = "modify";
	["internal-server-error"] = "cancel";
};

local function trim(text)
	return (text:gsub("^%s+", ""):gsub("%s+$", ""));
end

local function check_name(raw)
	local name = trim(raw);
	local length = utf8.len(name);
	if not length or length < 1 or length > max_name_chars then
		return nil, "The name must have 1 to " .. max_name_chars .. " characters";
	end
	if name:find("[\0-\31\127]") then
		return nil, "The name must not contain control characters";
	end
	return name;
end

local function issue(origin, csr_der, name)
	local bare_jid = origin.username .. "@" .. origin.host;
	local dir, dir_err = nil, "the server is shutting down";
	if work_dir then
		dir, dir_err = make_private_dir(work_dir);
	end
	if not dir then
		module:log("error", "Could not create a private directory: %s", dir_err);
		return nil, "internal-server-error", "Could not issue the certificate";
	end
	local function finish(...)
		remove_tree(dir);
		return ...;
	end
	local csr_path = dir .. "/request.pem";
	write_file(csr_path, der_to_pem(csr_der, "CERTIFICATE REQUEST"));

	local csr_info, condition, text = inspect_csr(dir, csr_path);
	if not csr_info then return finish(nil, condition, text); end

	local certs, err = load_certs(origin.username);
	if not certs then
		module:log("error", "Could not load certificates of %s: %s", bare_jid, err);
		return finish(nil, "internal-server-error", "Could not read the certificate list");
	end

	-- Idempotent retry: the same key already holds a valid certificate.
	for _, record in ipairs(certs) do
		if record.pubkey == csr_info.pubkey then
			local cert = load_certificate(base64.decode(record.der));
			if cert and cert:validat(os.time()) then
				module:log("info", "%s re-requested certificate %s", bare_jid, record.fingerprint);
				return finish(record.der);
			end
		end
	end

	if #certs >= max_certificates then
		return finish(nil, "not-acceptable", "Too many certificates (at most " .. max_certificates .. ")");
	end
	local strong, weak_reason = check_key_strength(csr_info.algorithm, csr_info.bits);
	if not strong then
		return finish(nil, "not-acceptable", "Key too weak: " .. weak_reason);
	end

	local der;
	der, condition, text = sign_certificate(dir, csr_info, bare_jid);
	if not der then return finish(nil, condition, text); end
	local cert = load_certificate(der);
	local ok, check_err = cert, "issued certificate does not parse";
	if cert then ok, check_err = check_issued(cert, csr_info, bare_jid); end
	if not ok then
		module:log("error", "Refusing to hand out a certificate for %s: %s", bare_jid, check_err);
		return finish(nil, "internal-server-error", "Could not issue the certificate");
	end

	local record = {
		fingerprint = fingerprint_of(cert);
		name = name;
		der = base64.encode(der);
		pubkey = csr_info.pubkey;
		created = os.time();
	};
	certs[#certs + 1] = record;
	local saved, save_err = save_certs(origin.username, certs);
	if not saved then
		module:log("error", "Could not store the certificate of %s: %s", bare_jid, save_err);
		return finish(nil, "internal-server-error", "Could not store the certificate");
	end
	module:log("info", "Issued certificate %s to %s", record.fingerprint, bare_jid);
	return finish(record.der);
end

local function handle_add(event)
	local origin, stanza = event.origin, event.stanza;
	if not may_manage(origin) then
		return reply_error(origin, stanza, "cancel", "not-allowed", "Only the account itself may manage its certificates");
	end
	local request = stanza.tags[1];
	local raw_name = request:get_child_text("name");
	local csr_text = request:get_child_text("x509certificate-signing-request");
	if not raw_name or not csr_text then
		return reply_error(origin, stanza, "modify", "bad-request", "Missing <name/> or <x509certificate-signing-request/>");
	end
	if #csr_text > max_csr_base64 then
		return reply_error(origin, stanza, "modify", "bad-request", "The CSR is too large");
	end
	local csr_der = decode_base64(csr_text);
	if not csr_der then
		return reply_error(origin, stanza, "modify", "bad-request", "The CSR is not valid base64");
	end
	local name, name_err = check_name(raw_name);
	if not name then
		return reply_error(origin, stanza, "modify", "not-acceptable", name_err);
	end
	local der, condition, text = issue(origin, csr_der, name);
	if not der then
		return reply_error(origin, stanza, error_types[condition] or "cancel", condition, text);
	end
	origin.send(st.reply(stanza)
		:tag("add-certificate-result", { xmlns = xmlns_add })
			:text_tag("x509certificate", der));
	return true;
end

local function handle_list(event)
	local origin, stanza = event.origin, event.stanza;
	if not may_manage(origin) then
		return reply_error(origin, stanza, "cancel", "not-allowed", "Only the account itself may manage its certificates");
	end
	local certs, err = load_certs(origin.username);
	if not certs then
		module:log("error", "Could not load certificates of %s: %s", origin.username, err);
		return reply_error(origin, stanza, "cancel", "internal-server-error", "Could not read the certificate list");
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
	if not may_manage(origin) then
		return reply_error(origin, stanza, "cancel", "not-allowed", "Only the account itself may manage its certificates");
	end
	local fingerprint_el = stanza.tags[1]:get_child("fingerprint");
	if not fingerprint_el then
		return reply_error(origin, stanza, "modify", "bad-request", "Missing <fingerprint/>");
	end
	if (fingerprint_el.attr.hash or ""):lower() ~= "sha-256" then
		return reply_error(origin, stanza, "modify", "bad-request", "Only hash='sha-256' is supported");
	end
	local fingerprint = normalize_fingerprint(fingerprint_el:get_text() or "");
	if not fingerprint then
		return reply_error(origin, stanza, "modify", "bad-request", "The fingerprint is not 32 hex bytes");
	end
	local certs, err = load_certs(origin.username);
	if not certs then
		module:log("error", "Could not load certificates of %s: %s", origin.username, err);
		return reply_error(origin, stanza, "cancel", "internal-server-error", "Could not read the certificate list");
	end
	local record, index = find_cert(certs, fingerprint);
	if not record then
		return reply_error(origin, stanza, "cancel", "item-not-found", "No such certificate");
	end
	table.remove(certs, index);
	local saved, save_err = save_certs(origin.username, certs);
	if not saved then
		module:log("error", "Could not store the certificates of %s: %s", origin.username, save_err);
		return reply_error(origin, stanza, "cancel", "internal-server-error", "Could not store the certificate list");
	end
	module:log("info", "%s@%s revoked certificate %s", origin.username, origin.host, fingerprint);
	origin.send(st.reply(stanza));
	-- RFC 6120 4.9.3.16: <reset/> when the stream's certificates were revoked.
	for _, session in ipairs(sessions_with(origin.username, fingerprint)) do
		session.log("info", "Closing session: its certificate was revoked");
		session:close({ condition = "reset", text = "The certificate this session logged in with was revoked" });
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
	if not may_manage(origin) or jid_util.bare(reply.attr.from) ~= origin.username .. "@" .. origin.host then
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
		store:set(event.username, nil);
	end
end);

-- SASL EXTERNAL ------------------------------------------------------------

-- Prosody 0.12's own EXTERNAL (util/sasl/external.lua) needs an auth provider
-- with an "external" profile and crashes on an <auth/> without initial
-- response, so this module offers and answers EXTERNAL itself, the way
-- mod_saslauth answers the other mechanisms.

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

-- Which account the certificate names: exactly one xmppAddr, a bare JID of
-- this host.
local function account_of(cert)
	local addrs = xmpp_addrs_of(cert);
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
	local certs, err = load_certs(username);
	local record = certs and find_cert(certs, fingerprint);
	if record then
		record.last_used = os.time();
		local ok, save_err = save_certs(username, certs);
		if not ok then err = save_err; end
	end
	if err then
		module:log("error", "Could not record the last use of certificate %s: %s", fingerprint, err);
	end
end

-- @data: the decoded authzid ("" for none).
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
	local fingerprint = fingerprint_of(cert);
	local certs = usermanager.user_exists(username, module.host) and load_certs(username);
	if not certs or not find_cert(certs, fingerprint) then
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
