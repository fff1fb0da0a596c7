/* tessera-crypto.h: private keys, certificate requests and self-signed certificates
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The key types Tessera makes. A key read back from disk is classified the
 * same way: RSA3072 stands for "RSA" there (tessera_key_get_bits() tells the
 * real size; RSA below 2048 bits is refused). */
typedef enum {
  TESSERA_KEY_TYPE_ECDSA_P256,
  TESSERA_KEY_TYPE_ED25519,
  TESSERA_KEY_TYPE_RSA3072,
} TesseraKeyType;

const char *tessera_key_type_to_string   (TesseraKeyType  type);
gboolean    tessera_key_type_from_string (const char     *text,
                                          TesseraKeyType *type);
const char *tessera_key_type_get_label   (TesseraKeyType  type);

#define TESSERA_TYPE_KEY (tessera_key_get_type ())
G_DECLARE_FINAL_TYPE (TesseraKey, tessera_key, TESSERA, KEY, GObject)

/* Immutable after construction and safe to share between threads. */
TesseraKey    *tessera_key_generate           (TesseraKeyType        type,
                                               GCancellable         *cancellable,
                                               GError              **error);
void           tessera_key_generate_async     (TesseraKeyType        type,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
TesseraKey    *tessera_key_generate_finish    (GAsyncResult         *result,
                                               GError              **error);

/* PEM PKCS #8: "ENCRYPTED PRIVATE KEY" with @passphrase, "PRIVATE KEY"
 * without. An encrypted key without a passphrase, or with the wrong one,
 * gives TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE. */
TesseraKey    *tessera_key_new_from_pem       (GBytes               *pem,
                                               const char           *passphrase,
                                               GError              **error);
/* PEM PKCS #8, PBES2 with AES-256-CBC. */
GBytes        *tessera_key_export_encrypted   (TesseraKey           *key,
                                               const char           *passphrase,
                                               GError              **error);
/* PEM PKCS #8 without encryption: only when the user asked for it by name,
 * or in memory for the TLS handshake of a login (never written to disk).
 * The returned bytes are wiped when freed. */
GBytes        *tessera_key_export_plain       (TesseraKey           *key,
                                               GError              **error);

TesseraKeyType tessera_key_get_key_type       (TesseraKey           *key);
guint          tessera_key_get_bits           (TesseraKey           *key);
/* SubjectPublicKeyInfo DER and the SHA-256 hex of it; both borrowed. */
GBytes        *tessera_key_get_public_key_der (TesseraKey           *key);
const char    *tessera_key_get_public_key_id  (TesseraKey           *key);

/* PROTOCOL.md §2: CN=<bare JID>, one xmppAddr = bare JID, keyUsage
 * digitalSignature, extendedKeyUsage clientAuth, signed by the key (SHA-256
 * for ECDSA and RSA, Ed25519 signs on its own). The self-signature is
 * verified before returning. Returns DER. */
GBytes        *tessera_key_create_csr         (TesseraKey           *key,
                                               const char           *bare_jid,
                                               GError              **error);
/* PROTOCOL.md §6 (XEP-0257): self-signed, same subject and extensions,
 * CA:FALSE, a random 126-bit serial, valid from one minute ago for
 * @lifetime_days (1 to 36500). Returns DER. */
GBytes        *tessera_key_create_self_signed (TesseraKey           *key,
                                               const char           *bare_jid,
                                               guint                 lifetime_days,
                                               GError              **error);

/* CSR inspection: TESSERA_CRYPTO_ERROR_INVALID_DATA when it does not parse,
 * TESSERA_CRYPTO_ERROR_BAD_SIGNATURE when its self-signature is wrong. */
gboolean       tessera_csr_verify             (GBytes               *csr_der,
                                               GError              **error);
GBytes        *tessera_csr_dup_public_key_der (GBytes               *csr_der,
                                               GError              **error);

/* 32 bytes of GnuTLS's key-grade randomness, base64 (44 characters). Never
 * returns NULL: a failing system random generator aborts. */
char          *tessera_crypto_generate_passphrase (void);

G_END_DECLS
