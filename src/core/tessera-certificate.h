/* tessera-certificate.h: read-only view of an X.509 certificate
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "tessera-crypto.h"

G_BEGIN_DECLS

#define TESSERA_TYPE_CERTIFICATE (tessera_certificate_get_type ())
G_DECLARE_FINAL_TYPE (TesseraCertificate, tessera_certificate, TESSERA, CERTIFICATE, GObject)

/* Everything is read at construction: the object is immutable and safe to
 * share between threads. Input that is not one well-formed certificate
 * gives TESSERA_CRYPTO_ERROR_INVALID_DATA. */
TesseraCertificate *tessera_certificate_new_from_der        (GBytes              *der,
                                                             GError             **error);
/* The first CERTIFICATE block of @pem; text around it is ignored. */
TesseraCertificate *tessera_certificate_new_from_pem        (GBytes              *pem,
                                                             GError             **error);
/* DER when it starts with a DER SEQUENCE, PEM otherwise (text around the
 * PEM block is fine). */
TesseraCertificate *tessera_certificate_new_from_data       (GBytes              *der_or_pem,
                                                             GError             **error);

GBytes             *tessera_certificate_get_der             (TesseraCertificate  *self);
GBytes             *tessera_certificate_dup_pem             (TesseraCertificate  *self);
/* SHA-256 of the DER, 64 lowercase hex digits. */
const char         *tessera_certificate_get_fingerprint     (TesseraCertificate  *self);
/* RFC 4514 distinguished names, e.g. "CN=alice@example.org". */
const char         *tessera_certificate_get_subject         (TesseraCertificate  *self);
const char         *tessera_certificate_get_issuer          (TesseraCertificate  *self);
/* Every id-on-xmppAddr of every subjectAltName extension, NULL-terminated,
 * maybe empty. One that is not valid UTF-8 is shown with U+FFFD in it. */
const char * const *tessera_certificate_get_xmpp_addrs      (TesseraCertificate  *self);
/* UTC. A certificate without a well-defined expiry ends 9999-12-31. */
GDateTime          *tessera_certificate_get_not_before      (TesseraCertificate  *self);
GDateTime          *tessera_certificate_get_not_after       (TesseraCertificate  *self);
/* "ECDSA P-256", "Ed25519", "RSA", or GnuTLS's name for other keys. */
const char         *tessera_certificate_get_key_algorithm   (TesseraCertificate  *self);
guint               tessera_certificate_get_key_bits        (TesseraCertificate  *self);
/* basicConstraints cA. */
gboolean            tessera_certificate_get_is_ca           (TesseraCertificate  *self);
/* Issuer equals subject and the signature verifies with the certificate's
 * own key (validity dates not considered). */
gboolean            tessera_certificate_is_self_signed      (TesseraCertificate  *self);
/* SubjectPublicKeyInfo DER. */
GBytes             *tessera_certificate_get_public_key_der  (TesseraCertificate  *self);
/* @when NULL means now. */
gboolean            tessera_certificate_is_valid_at         (TesseraCertificate  *self,
                                                             GDateTime           *when);
gboolean            tessera_certificate_matches_key         (TesseraCertificate  *self,
                                                             TesseraKey          *key);
/* PROTOCOL.md §2 checks of an issued certificate, in this order, the first
 * failure wins: it holds @key (KEY_MISMATCH); it carries exactly one
 * xmppAddr and it equals @bare_jid (WRONG_IDENTITY); it is not a CA, by
 * basicConstraints or keyCertSign (IS_CA); it is valid at @now, NULL meaning
 * the current time (NOT_VALID_NOW). */
gboolean            tessera_certificate_check_issued        (TesseraCertificate  *self,
                                                             TesseraKey          *key,
                                                             const char          *bare_jid,
                                                             GDateTime           *now,
                                                             GError             **error);

/* tessera_key_create_self_signed(), checked like an issued certificate
 * (tessera_certificate_check_issued) and for its self-signature. */
TesseraCertificate *tessera_certificate_new_self_signed   (TesseraKey          *key,
                                                           const char          *bare_jid,
                                                           guint                lifetime_days,
                                                           GError             **error);

G_END_DECLS
