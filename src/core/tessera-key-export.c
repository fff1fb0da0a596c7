/* tessera-key-export.c: a stored key and its certificate, exported
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "tessera-key-export.h"

#include <glib/gi18n-lib.h>

#include "tessera-crypto.h"
#include "tessera-error.h"

const char *
tessera_export_format_to_string (TesseraExportFormat format)
{
  return format == TESSERA_EXPORT_FORMAT_PEM ? "pem" : "pkcs12";
}

/* The key travels from the store to the export as plain PEM in memory
 * only (wiped when freed), so that it is unlocked once: its PBKDF2 is the
 * slow part of an export. */
GBytes *
tessera_key_export_record (TesseraKeyStore     *store,
                           TesseraKeyRecord    *record,
                           const char          *user_passphrase,
                           TesseraExportFormat  format,
                           const char          *export_passphrase,
                           GError             **error)
{
  g_autoptr(TesseraKey) key = NULL;
  TesseraCertificate *cert;
  GBytes *plain;
  GBytes *packed;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (store), NULL);
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (record), NULL);
  g_return_val_if_fail (export_passphrase != NULL || format == TESSERA_EXPORT_FORMAT_PEM, NULL);
  g_return_val_if_fail (export_passphrase == NULL || *export_passphrase != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cert = tessera_key_record_get_certificate (record);
  if (cert == NULL)
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND,
                   _("The key “%s” has no certificate yet: there is nothing to export"),
                   tessera_key_record_get_name (record));
      return NULL;
    }

  key = tessera_key_store_load_key (store, tessera_key_record_get_id (record), user_passphrase, error);
  if (key == NULL)
    return NULL;
  plain = tessera_key_export_plain (key, error);
  if (plain == NULL)
    return NULL;

  if (format == TESSERA_EXPORT_FORMAT_PEM)
    packed = tessera_export_pem (plain, NULL, tessera_certificate_get_der (cert), export_passphrase, error);
  else
    packed = tessera_export_pkcs12 (plain, NULL, tessera_certificate_get_der (cert),
                                    tessera_key_record_get_name (record), export_passphrase,
                                    format == TESSERA_EXPORT_FORMAT_PKCS12_MODERN
                                      ? TESSERA_EXPORT_PKCS12_MODERN
                                      : TESSERA_EXPORT_PKCS12_COMPATIBLE,
                                    error);
  tessera_export_bytes_free (plain);
  return packed;
}
