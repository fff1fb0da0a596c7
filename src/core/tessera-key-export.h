/* tessera-key-export.h: a stored key and its certificate, exported
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tessera-export.h"
#include "tessera-key-store.h"

G_BEGIN_DECLS

typedef enum {
  TESSERA_EXPORT_FORMAT_PKCS12,        /* imports on every Android version */
  TESSERA_EXPORT_FORMAT_PKCS12_MODERN, /* PBES2/AES-256, SHA-256 MAC */
  TESSERA_EXPORT_FORMAT_PEM,           /* certificate, then the PKCS #8 key */
} TesseraExportFormat;

/* "pkcs12" or "pem" (the two modern/compatible PKCS #12 share a name). */
const char *tessera_export_format_to_string (TesseraExportFormat format);

/* Packs the key of @record (a certified record of @store) with its
 * certificate. The key is unlocked once, with its passphrase from the
 * Secret Service or @user_passphrase for a key saved with one (the same
 * errors as tessera_key_store_load_key()). @export_passphrase encrypts the
 * result; it may be NULL only for TESSERA_EXPORT_FORMAT_PEM, on the user's
 * explicit choice, and is never empty. Without a certificate:
 * TESSERA_STORE_ERROR_NOT_FOUND. Blocks (PBKDF2): call it off the main
 * thread of a window. Free the result with tessera_export_bytes_free(). */
GBytes     *tessera_key_export_record       (TesseraKeyStore     *store,
                                             TesseraKeyRecord    *record,
                                             const char          *user_passphrase,
                                             TesseraExportFormat  format,
                                             const char          *export_passphrase,
                                             GError             **error);

G_END_DECLS
