-- signer.lib.lua: signing certificates with certtool, off the event loop
--
-- Copyright 2026 The Tessera authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Part of mod_ccm2 (module:require "signer").  Prosody runs one event loop
-- for every user of every host, so nothing here may wait for certtool while
-- serving a request: signer.sign() has a launcher process start one shell
-- job in the background (both certtool runs, each under `timeout`), and
-- suspends only the calling session's stanza processing (util.async) until
-- the job's status file appears, polled by a timer; a hard deadline answers
-- the request even if the job hangs.  See README.md, "Signing".
--
-- Only the module's load-time checks (a throw-away proof-of-possession CA,
-- whether the CA key fits the certificate) run certtool synchronously.

local async = require "util.async";
local base64 = require "util.encodings".base64;
local hex = require "util.hex";
local random = require "util.random";
local pposix = require "util.pposix";
local time = require "util.time";
local lfs = require "lfs";
local ssl_x509 = require "ssl.x509";

local signer = {};

local oid_xmpp_addr = "1.3.6.1.5.5.7.8.5";

local ca_certificate_path = module:get_option_path("ccm2_ca_certificate");
local ca_key_path = module:get_option_path("ccm2_ca_key");
local certtool_path = module:get_option_string("ccm2_certtool", "certtool");
local timeout_path = module:get_option_string("ccm2_timeout_command", "timeout");
local step_seconds = module:get_option_number("ccm2_signing_timeout", 5);
local max_jobs = module:get_option_number("ccm2_signing_jobs", 2);
local max_queue = module:get_option_number("ccm2_signing_queue", 50);
local poll_seconds = 0.005;

signer.lifetime_days = 365;

-- Files ------------------------------------------------------------------------

local function shell_quote(text)
	return "'" .. text:gsub("'", "'\\''") .. "'";
end
signer.shell_quote = shell_quote;

local function strip_whitespace(text)
	return (text:gsub("%s+", ""));
end

function signer.der_to_pem(der, label)
	-- util.x509.der2pem is broken under Lua 5.4 in Prosody 0.12.3.
	local encoded = base64.encode(der);
	local lines = { "-----BEGIN " .. label .. "-----" };
	for i = 1, #encoded, 64 do
		lines[#lines + 1] = encoded:sub(i, i + 63);
	end
	lines[#lines + 1] = "-----END " .. label .. "-----";
	return table.concat(lines, "\n") .. "\n";
end
local der_to_pem = signer.der_to_pem;

local function pem_body(text, label)
	local body = text:match("%-%-%-%-%-BEGIN " .. label .. "%-%-%-%-%-(.-)%-%-%-%-%-END " .. label .. "%-%-%-%-%-");
	return body and strip_whitespace(body) or nil;
end
signer.pem_body = pem_body;

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

-- A fresh directory only we can read, for templates, keys and certtool's output.
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

local function certtool_command(args)
	local command = { shell_quote(certtool_path) };
	for _, arg in ipairs(args) do
		command[#command + 1] = shell_quote(arg);
	end
	return table.concat(command, " ");
end

-- Load time only: runs certtool and waits for it.
local function run_certtool_sync(dir, args)
	local out_path, err_path = dir .. "/stdout", dir .. "/stderr";
	local old_umask = pposix.umask("077");
	local ok = os.execute(certtool_command(args) .. " </dev/null >" .. shell_quote(out_path)
		.. " 2>" .. shell_quote(err_path));
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

-- Set-up (at load) ---------------------------------------------------------------

local work_dir;
local pop_ca_cert, pop_ca_key;

-- certtool's --load-request copies the CSR's subject into the certificate,
-- so the real certificate is made from the CSR's public key alone.  The
-- CSR's self-signature is still checked by GnuTLS (gnutls_x509_crt_set_crq)
-- by signing it once with a throw-away CA that lives only in our private
-- directory; its output is discarded.
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
	local ok, _, stderr = run_certtool_sync(dir, { "--generate-privkey", "--key-type", "ecdsa",
		"--outfile", pop_ca_key });
	if not ok then
		return nil, "certtool --generate-privkey failed: " .. last_line(stderr);
	end
	write_file(template, 'cn = "ccm2 proof-of-possession check"\nca\ncert_signing_key\nexpiration_days = 36500\n');
	ok, _, stderr = run_certtool_sync(dir, { "--generate-self-signed", "--load-privkey", pop_ca_key,
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
	elseif not ca:validat(os.time() + signer.lifetime_days * 86400) then
		module:log("warn", "The client CA certificate %s expires before certificates issued now (%d days)",
			ca_certificate_path, signer.lifetime_days);
	end
	return true;
end

-- certtool signs with a key that does not belong to the CA certificate
-- without complaint, producing certificates nobody can verify.
local function check_ca_key_matches()
	local ok, info, stderr = run_certtool_sync(work_dir, { "--pubkey-info", "--load-privkey", ca_key_path });
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

-- The launcher: one bash started at load (io.popen, the only fork of
-- Prosody itself), reading job paths from a pipe and starting each job in
-- the background at a lower CPU priority; bash reaps its finished jobs
-- (dash would leave them as zombies until it exits).  Starting a job then costs Prosody a
-- short write to a pipe instead of a fork of its whole process.  LuaSocket
-- ignores SIGPIPE, so a dead launcher shows as a failed write, and is
-- started again once.
local launcher;
local launcher_script = "while IFS= read -r job; do "
	.. "nice -n 10 /bin/sh \"$job\" </dev/null >/dev/null 2>&1 & done";

local function start_launcher()
	local old_umask = pposix.umask("077");
	launcher = io.popen("exec /bin/bash -c " .. shell_quote(launcher_script) .. " >/dev/null 2>&1", "w");
	pposix.umask(old_umask);
	if launcher then
		launcher:setvbuf("no");
	end
	return launcher ~= nil;
end

local function launch(job_path)
	if job_path:find("[\n\r]") then
		return nil;
	end
	for _ = 1, 2 do
		if launcher or start_launcher() then
			local ok = launcher:write(job_path .. "\n");
			if ok then
				return true;
			end
			module:log("warn", "The signing job launcher went away; starting it again");
			pcall(launcher.close, launcher);
			launcher = nil;
		end
	end
	return nil;
end

local function stop_launcher()
	if launcher then
		pcall(launcher.close, launcher); -- end of input: the launcher exits
		launcher = nil;
	end
end

-- Prepares signing; returns true or nil, reason (then add is turned off).
function signer.init(lifetime_days)
	signer.lifetime_days = lifetime_days;
	if step_seconds <= 0 or step_seconds > 60 then
		module:log("error", "ccm2_signing_timeout must be between 0 and 60 seconds; using 5");
		step_seconds = 5;
	end
	if max_jobs < 1 or max_jobs ~= math.floor(max_jobs) then
		module:log("error", "ccm2_signing_jobs must be a whole number >= 1; using 2");
		max_jobs = 2;
	end
	if max_queue < 0 then
		module:log("error", "ccm2_signing_queue must be >= 0; using 50");
		max_queue = 50;
	end
	local ok, err = check_ca_configuration();
	if ok then ok, err = setup_work_dir(); end
	if ok then ok, err = check_ca_key_matches(); end
	if ok and os.execute(shell_quote(timeout_path) .. " 1 true </dev/null >/dev/null 2>&1") ~= true then
		ok, err = nil, "cannot run `" .. timeout_path .. "` (coreutils), needed to bound certtool's time";
	end
	if ok and not start_launcher() then
		ok, err = nil, "cannot start /bin/bash to launch signing jobs";
	end
	return ok, err;
end

function signer.shutdown()
	stop_launcher();
	if work_dir then
		remove_tree(work_dir);
		work_dir = nil;
	end
end

-- Signing (per request) ------------------------------------------------------------

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
function signer.template_safe(text)
	return #text < 0x10000 and not text:find('[\\"%c]');
end

local function random_serial_hex()
	-- 128 random bits, top bit cleared so the INTEGER stays positive and
	-- the first byte non-zero so it keeps at least 120 bits.
	local bytes = random.bytes(16);
	local first = (bytes:byte(1) & 0x7f) | 0x01;
	return hex.encode(string.char(first) .. bytes:sub(2));
end

-- At most max_jobs jobs run at once; later requests queue (each suspends
-- only its own session) up to max_queue, and beyond that are refused.
local running = 0;
local queue = {};

local function acquire_slot()
	if running < max_jobs then
		running = running + 1;
		return true;
	end
	if #queue >= max_queue then
		return nil;
	end
	local wait, done = async.waiter();
	queue[#queue + 1] = done;
	wait(); -- the slot is handed over by release_slot
	return true;
end

local function release_slot()
	local next_waiter = table.remove(queue, 1);
	if next_waiter then
		next_waiter();
	else
		running = running - 1;
	end
end

-- The job: proof of possession, then the real certificate, each bounded by
-- `timeout`; "<pop status> <sign status>" goes to ./status when both ended.
local function job_script(dir)
	local limit = tostring(math.ceil(step_seconds));
	local function step(args, log)
		return shell_quote(timeout_path) .. " -k 1 " .. limit .. " " .. certtool_command(args)
			.. " </dev/null >/dev/null 2>" .. log;
	end
	return table.concat({
		"cd " .. shell_quote(dir) .. " || exit 1",
		step({ "--generate-certificate", "--load-request", "request.pem",
			"--load-ca-certificate", pop_ca_cert, "--load-ca-privkey", pop_ca_key,
			"--template", work_dir .. "/pop.tmpl", "--outfile", "pop.pem" }, "pop.log"),
		"pop=$?",
		"sign=-",
		"if [ $pop -eq 0 ]; then",
		"  " .. step({ "--generate-certificate", "--load-pubkey", "pubkey.pem",
			"--load-ca-certificate", ca_certificate_path, "--load-ca-privkey", ca_key_path,
			"--template", "cert.tmpl", "--outfile", "cert.pem" }, "sign.log"),
		"  sign=$?",
		"fi",
		'echo "$pop $sign" > status.tmp && mv status.tmp status',
		"",
	}, "\n");
end

-- Waits, without blocking the event loop, for @dir/status or the deadline.
local function wait_for_status(dir, deadline)
	local wait, done = async.waiter();
	local status;
	module:add_timer(poll_seconds, function()
		status = read_file(dir .. "/status");
		if status or time.now() >= deadline then
			done();
			return nil;
		end
		return poll_seconds;
	end);
	wait();
	return status;
end

-- Signs the public key @spki_der for @bare_jid after checking the
-- self-signature of @csr_der.  Must run inside Prosody's async runner (a
-- stanza handler).  Returns the certificate's DER, or nil and an error name
-- (errors.lib.lua).
function signer.sign(csr_der, spki_der, bare_jid)
	if not async.ready() then
		module:log("error", "signer.sign called outside an async runner");
		return nil, "not-async";
	end
	if not signer.template_safe(bare_jid) then
		return nil, "backslash";
	end
	if not work_dir or not acquire_slot() then
		return nil, "server-busy";
	end
	if not work_dir then -- shut down while queued
		release_slot();
		return nil, "server-busy";
	end
	local dir, dir_err = make_private_dir(work_dir);
	if not dir then
		release_slot();
		module:log("error", "Could not create a private directory: %s", dir_err);
		return nil, "signing-failed";
	end
	local template = table.concat({
		"cn = \"" .. bare_jid .. "\"",
		"other_name = \"" .. oid_xmpp_addr .. " " .. hex.encode(der_utf8_string(bare_jid)) .. "\"",
		"serial = 0x" .. random_serial_hex(),
		"expiration_days = " .. signer.lifetime_days,
		"signing_key",
		"tls_www_client",
		"",
	}, "\n");
	local old_umask = pposix.umask("077");
	local ok = write_file(dir .. "/request.pem", der_to_pem(csr_der, "CERTIFICATE REQUEST"))
		and write_file(dir .. "/pubkey.pem", der_to_pem(spki_der, "PUBLIC KEY"))
		and write_file(dir .. "/cert.tmpl", template)
		and write_file(dir .. "/job.sh", job_script(dir));
	if ok then
		local started = time.now();
		ok = launch(dir .. "/job.sh");
		module:log("debug", "Signing job started in %.1f ms", (time.now() - started) * 1000);
	end
	pposix.umask(old_umask);
	if not ok then
		release_slot();
		remove_tree(dir);
		module:log("error", "Could not start the signing job");
		return nil, "signing-failed";
	end
	local deadline = time.now() + 2 * step_seconds + 2;
	local call_ok, status = pcall(wait_for_status, dir, deadline);
	release_slot();
	local pop, sign = (call_ok and status or ""):match("^(%S+) (%S+)");
	local body = sign == "0" and pem_body(read_file(dir .. "/cert.pem") or "", "CERTIFICATE");
	local log_text = read_file(dir .. "/" .. (pop == "0" and "sign.log" or "pop.log")) or "";
	remove_tree(dir);
	if not call_ok then
		module:log("error", "Waiting for the signing job failed: %s", tostring(status));
		return nil, "signing-failed";
	elseif not pop then
		module:log("warn", "Signing for %s did not finish within %d s", bare_jid, 2 * step_seconds + 2);
		return nil, "signing-timeout";
	elseif pop == "124" or pop == "137" or sign == "124" or sign == "137" then
		module:log("warn", "certtool took longer than %d s for %s", step_seconds, bare_jid);
		return nil, "signing-timeout";
	elseif pop ~= "0" then
		if log_text:match("set_crq") then
			return nil, "csr-signature";
		end
		return nil, "csr-invalid";
	elseif not body then
		module:log("error", "certtool could not sign the certificate: %s", last_line(log_text));
		return nil, "signing-failed";
	end
	return base64.decode(body);
end

return signer;
