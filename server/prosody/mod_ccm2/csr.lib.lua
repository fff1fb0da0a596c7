-- csr.lib.lua: the cheap checks of a certificate signing request, in Lua
--
-- Copyright 2026 The Tessera authors
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Part of mod_ccm2 (module:require "csr").  Pure Lua, no Prosody API, so it
-- can also be loaded with plain lua5.4 (tests/server-module).
--
-- Reads just enough strict DER of a PKCS #10 request to learn its public key
-- (algorithm, size, RSA exponent, the SubjectPublicKeyInfo bytes) in
-- microseconds, so that everything a client can make expensive is refused
-- before any signature is checked: the signature itself is verified later,
-- by certtool in a child process (signer.lib.lua).

local csr = {};

-- Limits: what the server accepts at all.
csr.max_der_bytes = 4096;        -- an RSA 8192 request is about 2.3 KiB
csr.rsa_min_bits, csr.rsa_max_bits = 2048, 8192;
csr.rsa_max_exponent = 0xffffffff;

local oid_rsa = "1.2.840.113549.1.1.1";
local oid_ec = "1.2.840.10045.2.1";
local oid_ed25519 = "1.3.101.112";
-- Named curve -> bits and the byte length of an uncompressed point.
local curves = {
	["1.2.840.10045.3.1.7"] = { name = "P-256", bits = 256, point = 65 };
	["1.3.132.0.34"] = { name = "P-384", bits = 384, point = 97 };
	["1.3.132.0.35"] = { name = "P-521", bits = 521, point = 133 };
};

-- One TLV at @pos, inside [@pos, @limit].  Returns tag, first and last byte
-- of the contents and the position after it; or nil, reason.  Only strict
-- DER: definite, minimal lengths, low tag numbers.
local function tlv(s, pos, limit)
	if pos + 1 > limit then return nil, "truncated"; end
	local tag, first = s:byte(pos, pos + 1);
	if tag & 0x1f == 0x1f then return nil, "high tag number"; end
	local length, start = first, pos + 2;
	if first == 0x80 then
		return nil, "indefinite length";
	elseif first > 0x80 then
		local count = first & 0x7f;
		if count > 2 or start + count - 1 > limit then return nil, "bad length"; end
		length = 0;
		for i = 0, count - 1 do
			length = length * 256 + s:byte(start + i);
		end
		if s:byte(start) == 0 or length < 0x80 then return nil, "non-minimal length"; end
		start = start + count;
	end
	local last = start + length - 1;
	if last > limit then return nil, "truncated"; end
	return tag, start, last, last + 1;
end

-- Expects a TLV with @want_tag; returns start, last, next or nil, reason.
local function expect(s, pos, limit, want_tag, what)
	local tag, start, last, after = tlv(s, pos, limit);
	if not tag then return nil, start; end
	if tag ~= want_tag then return nil, what .. " missing"; end
	return start, last, after;
end

local function oid_text(s, start, last)
	if last < start then return nil; end
	local parts, value = {}, 0;
	for i = start, last do
		local byte = s:byte(i);
		if value == 0 and byte == 0x80 then return nil; end -- non-minimal
		value = value * 128 + (byte & 0x7f);
		if value > 0xffffffff then return nil; end
		if byte & 0x80 == 0 then
			if #parts == 0 then
				local a = math.min(value // 40, 2);
				parts[1], parts[2] = tostring(a), tostring(value - 40 * a);
			else
				parts[#parts + 1] = tostring(value);
			end
			value = 0;
		end
	end
	if s:byte(last) & 0x80 ~= 0 then return nil; end
	return table.concat(parts, ".");
end

-- A positive INTEGER's magnitude: first and last byte without the sign pad.
local function unsigned(s, start, last)
	if last < start or s:byte(start) & 0x80 ~= 0 then return nil; end
	if s:byte(start) == 0 and last > start then
		if s:byte(start + 1) & 0x80 == 0 then return nil; end -- non-minimal
		start = start + 1;
	end
	return start, last;
end

local function bit_length(s, start, last)
	local top, bits = s:byte(start), 0;
	while top > 0 do top, bits = top >> 1, bits + 1; end
	return (last - start) * 8 + bits;
end

local function check_rsa(s, start, last)
	local n_start, n_last, after = expect(s, start, last, 0x30, "RSAPublicKey");
	if not n_start then return nil, "bad-request", "The RSA public key does not parse"; end
	if after ~= last + 1 then return nil, "bad-request", "The RSA public key does not parse"; end
	local m_start, m_last, e_pos = expect(s, n_start, n_last, 0x02, "modulus");
	local e_start, e_last, tail = nil, nil, nil;
	if m_start then e_start, e_last, tail = expect(s, e_pos, n_last, 0x02, "exponent"); end
	if not e_start or tail ~= n_last + 1 then
		return nil, "bad-request", "The RSA public key does not parse";
	end
	m_start, m_last = unsigned(s, m_start, m_last);
	e_start, e_last = unsigned(s, e_start, e_last);
	if not m_start or not e_start then
		return nil, "bad-request", "The RSA public key is not positive DER";
	end
	local bits = bit_length(s, m_start, m_last);
	if bits < csr.rsa_min_bits or bits > csr.rsa_max_bits then
		return nil, "not-acceptable", ("RSA keys must have %d to %d bits, not %d"):format(
			csr.rsa_min_bits, csr.rsa_max_bits, bits);
	end
	local exponent = 0;
	if e_last - e_start >= 4 then
		return nil, "not-acceptable", "The RSA public exponent is too large";
	end
	for i = e_start, e_last do exponent = exponent * 256 + s:byte(i); end
	if exponent < 3 or exponent % 2 == 0 or exponent > csr.rsa_max_exponent then
		return nil, "not-acceptable", "The RSA public exponent must be odd, at least 3 and below 2^32";
	end
	return { algorithm = "RSA", bits = bits, exponent = exponent };
end

local function check_ec(s, params_start, params_last, key_start, key_last)
	local oid_start, oid_last, after = expect(s, params_start, params_last, 0x06, "named curve");
	if not oid_start or after ~= params_last + 1 then
		return nil, "not-acceptable", "Only named curves are supported (P-256, P-384, P-521)";
	end
	local curve = curves[oid_text(s, oid_start, oid_last) or ""];
	if not curve then
		return nil, "not-acceptable", "Unsupported elliptic curve (use P-256, P-384 or P-521)";
	end
	local length, form = key_last - key_start + 1, s:byte(key_start);
	local compressed = (curve.point - 1) // 2 + 1;
	if not ((form == 4 and length == curve.point) or ((form == 2 or form == 3) and length == compressed)) then
		return nil, "bad-request", "The elliptic curve point does not fit " .. curve.name;
	end
	return { algorithm = "ECDSA", bits = curve.bits, curve = curve.name };
end

-- SubjectPublicKeyInfo at [@start, @last] -> key description or nil,
-- condition, text.
local function check_spki(s, start, last)
	local alg_start, alg_last, key_pos = expect(s, start, last, 0x30, "AlgorithmIdentifier");
	if not alg_start then return nil, "bad-request", "The public key does not parse"; end
	local oid_start, oid_last, params_pos = expect(s, alg_start, alg_last, 0x06, "algorithm");
	if not oid_start then return nil, "bad-request", "The public key does not parse"; end
	local bits_start, bits_last, tail = expect(s, key_pos, last, 0x03, "subjectPublicKey");
	if not bits_start or tail ~= last + 1 or bits_last < bits_start or s:byte(bits_start) ~= 0 then
		return nil, "bad-request", "The public key does not parse";
	end
	bits_start = bits_start + 1; -- the unused-bits byte
	local oid = oid_text(s, oid_start, oid_last);
	if oid == oid_rsa then
		-- parameters: NULL
		if not (params_pos + 1 == alg_last and s:byte(params_pos) == 0x05 and s:byte(alg_last) == 0) then
			return nil, "bad-request", "rsaEncryption needs NULL parameters";
		end
		return check_rsa(s, bits_start, bits_last);
	elseif oid == oid_ec then
		return check_ec(s, params_pos, alg_last, bits_start, bits_last);
	elseif oid == oid_ed25519 then
		if params_pos ~= alg_last + 1 or bits_last - bits_start + 1 ~= 32 then
			return nil, "bad-request", "The Ed25519 public key does not parse";
		end
		return { algorithm = "Ed25519", bits = 256 };
	end
	return nil, "not-acceptable", "Unsupported key type (use RSA 2048-8192, ECDSA P-256/384/521 or Ed25519)";
end

-- Checks the DER of a CertificationRequest.  Returns { algorithm, bits,
-- curve?, exponent?, spki (the SubjectPublicKeyInfo DER) } or nil, condition
-- ("bad-request" or "not-acceptable"), text.  The request's signature is NOT
-- checked here.
function csr.inspect(der)
	if #der > csr.max_der_bytes then
		return nil, "bad-request", "The CSR is too large";
	end
	local bad = "Not a PKCS #10 certificate signing request";
	local req_start, req_last, after = expect(der, 1, #der, 0x30, "CertificationRequest");
	if not req_start or after ~= #der + 1 then return nil, "bad-request", bad; end
	local info_start, info_last, sig_alg_pos = expect(der, req_start, req_last, 0x30, "CertificationRequestInfo");
	if not info_start then return nil, "bad-request", bad; end
	local _, _, sig_pos = expect(der, sig_alg_pos, req_last, 0x30, "signatureAlgorithm");
	if not sig_pos then return nil, "bad-request", bad; end
	local _, _, tail = expect(der, sig_pos, req_last, 0x03, "signature");
	if tail ~= req_last + 1 then return nil, "bad-request", bad; end
	local v_start, v_last, subject_pos = expect(der, info_start, info_last, 0x02, "version");
	if not v_start or v_start ~= v_last or der:byte(v_start) ~= 0 then return nil, "bad-request", bad; end
	local _, _, spki_pos = expect(der, subject_pos, info_last, 0x30, "subject");
	if not spki_pos then return nil, "bad-request", bad; end
	local spki_start, spki_last = expect(der, spki_pos, info_last, 0x30, "subjectPKInfo");
	if not spki_start then return nil, "bad-request", bad; end
	local key, condition, text = check_spki(der, spki_start, spki_last);
	if not key then return nil, condition, text; end
	key.spki = der:sub(spki_pos, spki_last);
	return key;
end

return csr;
