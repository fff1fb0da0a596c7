/* tessera-export.h: a certificate and its key, packed for other programs
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* COMPATIBLE: PBE-SHA1-3DES for both bags and a SHA-1 MAC, which every
 * Android version imports. MODERN: PBES2/AES-256 with a SHA-256 MAC, for
 * Android 14+ and desktops. */
typedef enum {
  TESSERA_EXPORT_PKCS12_COMPATIBLE,
  TESSERA_EXPORT_PKCS12_MODERN,
} TesseraExportPkcs12Mode;

/* @key_pem: the private key as PEM (PKCS #8, encrypted with @key_passphrase,
 * or plain when @key_passphrase is NULL). @cert: the certificate, PEM or DER.
 * Returns DER; @export_passphrase must not be empty. */
GBytes   *tessera_export_pkcs12     (GBytes                  *key_pem,
                                     const char              *key_passphrase,
                                     GBytes                  *cert,
                                     const char              *friendly_name,
                                     const char              *export_passphrase,
                                     TesseraExportPkcs12Mode  mode,
                                     GError                 **error);

/* The certificate, then the key as PKCS #8: encrypted (PBES2/AES-256) with
 * @export_passphrase, or unencrypted when @export_passphrase is NULL, which
 * the caller passes only on the user's explicit choice. */
GBytes   *tessera_export_pem        (GBytes                  *key_pem,
                                     const char              *key_passphrase,
                                     GBytes                  *cert,
                                     const char              *export_passphrase,
                                     GError                 **error);

/* Writes @data to @path with mode 0600, never through a symlink. Without
 * @force an existing @path is refused (G_IO_ERROR_EXISTS); with it, @path is
 * replaced atomically through a temporary file in the same directory. On any
 * failure no partial file is left. */
gboolean  tessera_export_write_file (const char              *path,
                                     GBytes                  *data,
                                     gboolean                 force,
                                     GError                 **error);

/* Zeroes and releases exported bytes (they hold key material). */
void      tessera_export_bytes_free (GBytes                  *data);

G_END_DECLS
