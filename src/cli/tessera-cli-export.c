/* tessera-cli-export.c: the export command
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-cli"

#include <glib/gi18n-lib.h>

#include "tessera-cli-private.h"

#define PREFIX_MIN_DIGITS 8

/* --format, --modern and --no-encrypt, checked against each other before
 * anything is read or asked. */
gboolean
_tessera_cli_parse_export_choice (TesseraCli    *cli,
                                  ExportChoice  *choice,
                                  GError       **error)
{
  const char *format = cli->format != NULL ? cli->format : "pkcs12";

  if (cli->output == NULL)
    {
      g_set_error_literal (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE,
                           _("Say where to write the file with --output FILE"));
      return FALSE;
    }
  if (g_str_equal (format, "pkcs12"))
    choice->format = cli->modern ? TESSERA_EXPORT_FORMAT_PKCS12_MODERN : TESSERA_EXPORT_FORMAT_PKCS12;
  else if (g_str_equal (format, "pem"))
    choice->format = TESSERA_EXPORT_FORMAT_PEM;
  else
    {
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE,
                   _("Unknown format “%s”: use pkcs12 or pem"), format);
      return FALSE;
    }

  if (cli->modern && choice->format == TESSERA_EXPORT_FORMAT_PEM)
    {
      g_set_error_literal (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE,
                           _("--modern applies to --format pkcs12 only"));
      return FALSE;
    }
  if (cli->no_encrypt && choice->format != TESSERA_EXPORT_FORMAT_PEM)
    {
      g_set_error_literal (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE,
                           _("A PKCS #12 file is always encrypted; --no-encrypt applies to --format pem only"));
      return FALSE;
    }
  if (cli->no_encrypt && cli->export_passphrase_file != NULL)
    {
      g_set_error_literal (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE,
                           _("Give either --no-encrypt or --export-passphrase-file, not both"));
      return FALSE;
    }
  choice->encrypt = !cli->no_encrypt;
  return TRUE;
}

static gboolean
record_is_exportable (TesseraKeyRecord *record)
{
  return tessera_key_record_get_certificate (record) != NULL;
}

/* The record whose certificate's fingerprint starts with @text, among
 * the keys this device holds. */
TesseraKeyRecord *
_tessera_cli_find_local_record (TesseraCli         *cli,
                                const char         *text,
                                TesseraCliKeyUse    use,
                                GError            **error)
{
  g_autofree char *prefix = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GString) candidates = g_string_new (NULL);
  TesseraKeyRecord *found = NULL;
  guint n_found = 0;

  prefix = tessera_fingerprint_normalize_prefix (text, PREFIX_MIN_DIGITS, error);
  if (prefix == NULL)
    return NULL;
  records = tessera_key_store_list (cli->store, error);
  if (records == NULL)
    return NULL;

  for (guint i = 0; i < records->len; i++)
    {
      TesseraKeyRecord *record = g_ptr_array_index (records, i);
      TesseraCertificate *cert = tessera_key_record_get_certificate (record);

      if (cert == NULL || !g_str_has_prefix (tessera_certificate_get_fingerprint (cert), prefix))
        continue;
      found = record;
      n_found++;
      g_string_append_printf (candidates, "\n  %s  %s", tessera_certificate_get_fingerprint (cert),
                              tessera_key_record_get_name (record));
    }

  if (n_found == 0)
    {
      if (use == TESSERA_CLI_KEY_USE_RENEW)
        g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_KEY_NOT_HERE,
                     _("This device holds no key of a certificate whose fingerprint starts with “%s”: "
                       "only certificates whose key is here can be renewed (“tessera-cli list” marks "
                       "them with * or +)"), prefix);
      else
        g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_KEY_NOT_HERE,
                     _("This device holds no key of a certificate whose fingerprint starts with “%s”: "
                       "only certificates made on this device can be exported (“tessera-cli list” "
                       "marks them with * or +)"), prefix);
      return NULL;
    }
  if (n_found > 1)
    {
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_AMBIGUOUS,
                   _("“%s” matches %u certificates; give more digits of one of:%s"),
                   prefix, n_found, candidates->str);
      return NULL;
    }
  return g_object_ref (found);
}

static TesseraKeyRecord *
choose_record (TesseraCli  *cli,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  TesseraKeyRecord *record;

  if (cli->args[0] != NULL)
    return _tessera_cli_find_local_record (cli, cli->args[0], TESSERA_CLI_KEY_USE_EXPORT, error);

  record = tessera_key_store_get_device_record (cli->store, &local_error);
  if (record == NULL)
    {
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_KEY_NOT_HERE,
                   _("This device has no valid certificate for %s to export: run “tessera-cli enroll NAME” "
                     "first, or give the fingerprint of another certificate whose key is here"),
                   tessera_account_get_jid (cli->account));
      return NULL;
    }
  g_assert (record_is_exportable (record));
  return record;
}

static void
print_exported (TesseraCli       *cli,
                TesseraKeyRecord *record,
                ExportChoice     *choice)
{
  const char *fingerprint = tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (record));
  const char *format = tessera_export_format_to_string (choice->format);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "exported");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_set_member_name (builder, "fingerprint");
      json_builder_add_string_value (builder, fingerprint);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, tessera_key_record_get_name (record));
      json_builder_set_member_name (builder, "format");
      json_builder_add_string_value (builder, format);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, cli->output);
      json_builder_set_member_name (builder, "encrypted");
      json_builder_add_boolean_value (builder, choice->encrypt);
      json_builder_end_object (builder);
      _tessera_cli_print_json (builder);
      return;
    }

  /* Translators: the first %s is a device name, then a fingerprint, then a file name */
  g_print (_("Exported “%s” (%s) to %s\n"), tessera_key_record_get_name (record), fingerprint, cli->output);
  if (choice->format == TESSERA_EXPORT_FORMAT_PEM && !choice->encrypt)
    g_print (_("The private key in it is not encrypted: keep the file private and delete it once "
               "the other program has it.\n"));
}

/* export [FINGERPRINT]: no server involved; the key is unlocked once, the
 * file written 0600 without following a link and never half. */
gboolean
_tessera_cli_run_export (TesseraCli  *cli,
                         GError     **error)
{
  g_autoptr(TesseraKeyRecord) record = NULL;
  ExportChoice choice = { 0 };
  char *export_passphrase = NULL;
  GBytes *packed;
  gboolean ok;

  if (!_tessera_cli_parse_export_choice (cli, &choice, error))
    return FALSE;
  record = choose_record (cli, error);
  if (record == NULL)
    return FALSE;

  if (choice.encrypt)
    {
      export_passphrase = _tessera_cli_get_export_passphrase (cli, error);
      if (export_passphrase == NULL)
        return FALSE;
    }

  packed = tessera_key_export_record (cli->store, record, cli->key_passphrase, choice.format,
                                      export_passphrase, error);
  tessera_secret_free (export_passphrase);
  if (packed == NULL)
    return FALSE;

  ok = tessera_export_write_file (cli->output, packed, cli->force, error);
  tessera_export_bytes_free (packed);
  if (!ok)
    return FALSE;

  print_exported (cli, record, &choice);
  return TRUE;
}
