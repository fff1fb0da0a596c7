/* tessera-other-device.c: a key made here for another device, written to its file, then erased here
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-store"

#include <glib/gi18n-lib.h>

#include "tessera-error.h"
#include "tessera-fingerprint.h"
#include "tessera-other-device.h"
#include "tessera-secret.h"
#include "tessera-test-hooks.h"

static const struct
{
  const char          *name;
  TesseraExportFormat  format;
  gboolean             encrypt;
} formats[] = {
  { "pkcs12", TESSERA_EXPORT_FORMAT_PKCS12, TRUE },
  { "pkcs12-modern", TESSERA_EXPORT_FORMAT_PKCS12_MODERN, TRUE },
  { "pem", TESSERA_EXPORT_FORMAT_PEM, TRUE },
  { "pem-plain", TESSERA_EXPORT_FORMAT_PEM, FALSE },
};

const char *
tessera_other_device_format_to_string (TesseraExportFormat format,
                                       gboolean            encrypt)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      if (formats[i].format == format && formats[i].encrypt == (encrypt || format != TESSERA_EXPORT_FORMAT_PEM))
        return formats[i].name;
    }
  g_return_val_if_reached (NULL);
}

gboolean
tessera_other_device_format_parse (const char          *text,
                                   TesseraExportFormat *format,
                                   gboolean            *encrypt)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      if (g_strcmp0 (formats[i].name, text) == 0)
        {
          *format = formats[i].format;
          *encrypt = formats[i].encrypt;
          return TRUE;
        }
    }
  return FALSE;
}

/* The passphrase given, or the one the keyring keeps for the key; NULL
 * with an error when the file needs one and there is none. */
static char *
choose_passphrase (TesseraKeyStore   *store,
                   TesseraKeyRecord  *record,
                   const char        *export_passphrase,
                   GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  char *found = NULL;

  if (export_passphrase != NULL)
    return g_strdup (export_passphrase);

  if (tessera_secret_is_available ())
    found = tessera_secret_lookup_export_passphrase (tessera_key_store_get_jid (store),
                                                     tessera_key_record_get_id (record), &local_error);
  if (found == NULL || *found == '\0')
    {
      tessera_secret_free (found);
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_SECRET_MISSING,
                   _("The passphrase of the file for “%s” is not in the keyring any more%s%s"),
                   tessera_key_record_get_name (record), local_error != NULL ? ": " : "",
                   local_error != NULL ? local_error->message : "");
      return NULL;
    }
  return found;
}

static gboolean
write_file (TesseraKeyStore   *store,
            TesseraKeyRecord  *record,
            const char        *user_passphrase,
            const char        *export_passphrase,
            gboolean           force,
            GError           **error)
{
  const char *path = tessera_key_record_get_output_path (record);
  TesseraExportFormat format;
  gboolean encrypt;
  char *passphrase = NULL;
  GBytes *packed;
  gboolean ok;

  if (path == NULL ||
      !tessera_other_device_format_parse (tessera_key_record_get_output_format (record), &format, &encrypt))
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_CORRUPT,
                   _("The key “%s” for another device does not say where its file goes"),
                   tessera_key_record_get_name (record));
      return FALSE;
    }
  if (encrypt)
    {
      passphrase = choose_passphrase (store, record, export_passphrase, error);
      if (passphrase == NULL)
        return FALSE;
    }

  packed = tessera_key_export_record (store, record, user_passphrase, format, passphrase, error);
  tessera_secret_free (passphrase);
  if (packed == NULL)
    return FALSE;
  ok = tessera_export_write_file (path, packed, force, error);
  tessera_export_bytes_free (packed);
  if (!ok)
    return FALSE;
  tessera_test_crash_point ("other-device:file-written");

  /* The file is complete: from here on a crash only erases. */
  return tessera_key_store_journal_append (store, tessera_key_record_get_id (record),
                                           TESSERA_JOURNAL_STEP_EXPORT_WRITTEN, error);
}

static void
forget_passphrase (TesseraKeyStore  *store,
                   TesseraKeyRecord *record)
{
  g_autoptr(GError) error = NULL;

  if (tessera_secret_is_available () &&
      !tessera_secret_clear_export_passphrase (tessera_key_store_get_jid (store),
                                               tessera_key_record_get_id (record), &error))
    g_warning ("Could not remove the passphrase of the file for “%s” from the keyring: %s",
               tessera_key_record_get_name (record), error->message);
}

gboolean
tessera_other_device_deliver (TesseraKeyStore   *store,
                              TesseraKeyRecord  *record,
                              const char        *user_passphrase,
                              const char        *export_passphrase,
                              gboolean           force,
                              GError           **error)
{
  const char *id;
  g_auto(GStrv) journal = NULL;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (store), FALSE);
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (record), FALSE);
  g_return_val_if_fail (tessera_key_record_is_other_device (record), FALSE);

  id = tessera_key_record_get_id (record);
  journal = tessera_key_store_read_journal (store, id, error);
  if (journal == NULL)
    return FALSE;
  if (!tessera_journal_contains ((const char * const *) journal, TESSERA_JOURNAL_STEP_EXPORT_WRITTEN) &&
      !write_file (store, record, user_passphrase, export_passphrase, force, error))
    return FALSE;
  tessera_test_crash_point ("other-device:export-written");

  forget_passphrase (store, record);
  if (!tessera_key_store_delete (store, id, error))
    return FALSE;
  g_debug ("The key %s for another device is in %s and erased here", id,
           tessera_key_record_get_output_path (record));
  return TRUE;
}

char *
tessera_other_device_give_up (TesseraKeyStore  *store,
                              TesseraKeyRecord *record,
                              const GError     *why)
{
  const char *id = tessera_key_record_get_id (record);
  TesseraCertificate *cert = tessera_key_record_get_certificate (record);
  g_autoptr(TesseraKeyRecord) kept = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;

  kept = tessera_key_store_give_up_output (store, id, &error);
  if (kept == NULL)
    g_warning ("Could not mark the key %s for another device as kept: %s", id, error->message);
  tessera_key_store_journal_note (store, id, TESSERA_JOURNAL_STEP_EXPORT_GIVEN_UP);
  forget_passphrase (store, record);

  shown = cert != NULL ? tessera_fingerprint_shorten (tessera_certificate_get_fingerprint (cert)) : g_strdup (id);
  /* Translators: a device name, a short fingerprint, the reason */
  return g_strdup_printf (_("The certificate for “%s” (%s) was issued, but its file could not be written: "
                            "%s. Its key is kept on this device: export it again, or revoke it"),
                          tessera_key_record_get_name (record), shown, why->message);
}

gboolean
tessera_other_device_discard (TesseraKeyStore   *store,
                              TesseraKeyRecord  *record,
                              GError           **error)
{
  g_return_val_if_fail (tessera_key_record_is_other_device (record), FALSE);
  g_return_val_if_fail (tessera_key_record_get_certificate (record) == NULL, FALSE);

  forget_passphrase (store, record);
  return tessera_key_store_delete (store, tessera_key_record_get_id (record), error);
}
