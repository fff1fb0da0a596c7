/* tessera-cli-other-device.c: enroll NAME --other-device, a certificate and key for a phone or a bot
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-cli"

#include <glib/gi18n-lib.h>

#include "tessera-cli-private.h"

gboolean
_tessera_cli_check_enroll_options (TesseraCli  *cli,
                                   GError     **error)
{
  if (cli->other_device)
    return TRUE;
  if (cli->output != NULL || cli->format != NULL || cli->export_passphrase_file != NULL || cli->modern ||
      cli->no_encrypt || cli->force)
    {
      g_set_error_literal (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE,
                           _("--output, --format, --export-passphrase-file, --modern, --no-encrypt and --force "
                             "belong to “enroll --other-device”"));
      return FALSE;
    }
  return TRUE;
}

/* Checked before a key is made: once the server issued a certificate, a
 * file that cannot be written only leaves the key kept here. */
static char *
check_output (TesseraCli  *cli,
              GError     **error)
{
  g_autofree char *path = g_canonicalize_filename (cli->output, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *display = g_filename_display_name (path);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *shown = g_filename_display_name (dir);

      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE,
                   _("Cannot write %s: the folder %s does not exist"), display, shown);
      return NULL;
    }
  if (!cli->force && (g_file_test (path, G_FILE_TEST_EXISTS) || g_file_test (path, G_FILE_TEST_IS_SYMLINK)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s already exists; choose another name or replace it explicitly"), display);
      return NULL;
    }
  return g_steal_pointer (&path);
}

static void
print_other_device (TesseraCli       *cli,
                    TesseraKeyRecord *record,
                    const char       *path,
                    ExportChoice     *choice)
{
  TesseraCertificate *certificate = tessera_key_record_get_certificate (record);
  const char *fingerprint = tessera_certificate_get_fingerprint (certificate);
  g_autofree char *expires = tessera_datetime_format (tessera_certificate_get_not_after (certificate));

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, tessera_key_record_get_name (record));
      json_builder_set_member_name (builder, "fingerprint");
      json_builder_add_string_value (builder, fingerprint);
      json_builder_set_member_name (builder, "not_after");
      json_builder_add_string_value (builder, expires);
      json_builder_set_member_name (builder, "protocol");
      json_builder_add_string_value (builder, tessera_key_record_get_protocol (record));
      json_builder_set_member_name (builder, "other_device");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_set_member_name (builder, "format");
      json_builder_add_string_value (builder, tessera_export_format_to_string (choice->format));
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, path);
      json_builder_set_member_name (builder, "encrypted");
      json_builder_add_boolean_value (builder, choice->encrypt);
      json_builder_end_object (builder);
      _tessera_cli_print_json (builder);
      return;
    }

  /* Translators: a device name, then a file name */
  g_print (_("Enrolled another device as “%s”: its certificate and key are in %s, and nothing of them is kept "
             "on this device.\n"), tessera_key_record_get_name (record), path);
  g_print (_("Fingerprint: %s\n"), fingerprint);
  if (choice->format == TESSERA_EXPORT_FORMAT_PEM)
    g_print (_("Give the file to the program on that device (poezio: certfile and keyfile both name it).\n"));
  else
    g_print (_("On Android, install the file in Settings (Encryption & credentials, Install a certificate, VPN & "
               "app user certificate), then choose “Login with certificate” in Conversations.\n"));
  if (!choice->encrypt)
    g_print (_("The private key in it is not encrypted: keep the file private and delete it once the device "
               "has it.\n"));
}

/* The key is made here, certified, written to the file as “export” writes
 * it, and erased here (TesseraEnrollment does all of it, journaled). */
gboolean
_tessera_cli_run_enroll_other_device (TesseraCli      *cli,
                                      const char      *name,
                                      TesseraKeyType   key_type,
                                      GError         **error)
{
  g_autoptr(TesseraEnrollment) enrollment = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *path = NULL;
  ExportChoice choice = { 0 };
  char *export_passphrase = NULL;

  if (!_tessera_cli_parse_export_choice (cli, &choice, error))
    return FALSE;
  path = check_output (cli, error);
  if (path == NULL)
    return FALSE;
  if (choice.encrypt)
    {
      export_passphrase = _tessera_cli_get_export_passphrase (cli, error);
      if (export_passphrase == NULL)
        return FALSE;
    }

  enrollment = tessera_session_new_enrollment (cli->session, name, key_type);
  tessera_enrollment_set_user_passphrase (enrollment, cli->key_passphrase);
  tessera_enrollment_set_other_device (enrollment, path, choice.format, export_passphrase, cli->force);
  tessera_secret_free (export_passphrase);
  tessera_enrollment_run_async (enrollment, cli->cancellable, _tessera_cli_async_done_cb, cli);
  result = _tessera_cli_wait (cli);
  record = tessera_enrollment_run_finish (enrollment, result, error);
  if (record == NULL)
    return FALSE;

  print_other_device (cli, record, path, &choice);
  return TRUE;
}
