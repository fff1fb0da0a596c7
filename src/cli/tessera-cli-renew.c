/* tessera-cli-renew.c: the renew command
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-cli"

#include <glib/gi18n-lib.h>

#include "tessera-cli-private.h"

/* The password when one is at hand without asking (--password-file,
 * TESSERA_PASSWORD, the keyring): a device with only its certificate
 * renews without one, so nobody is prompted. */
static gboolean
set_password_if_known (TesseraCli  *cli,
                       GError     **error)
{
  const char *env = g_getenv ("TESSERA_PASSWORD");
  g_autoptr(GError) secret_error = NULL;
  char *password = NULL;

  if (cli->password_file != NULL)
    {
      password = _tessera_cli_get_password (cli, error);
      if (password == NULL)
        return FALSE;
    }
  else if (env != NULL && *env != '\0')
    password = g_strdup (env);
  else
    password = tessera_secret_lookup_password (tessera_account_get_jid (cli->account), &secret_error);

  if (secret_error != NULL)
    g_debug ("No password from the Secret Service: %s", secret_error->message);
  if (password == NULL)
    {
      g_debug ("renew: no password; over the certificate's own session");
      return TRUE;
    }
  tessera_session_set_password (cli->session, password);
  tessera_secret_free (password);
  return TRUE;
}

/* This device's certificate: the valid one, else the newest expired one. */
static TesseraKeyRecord *
device_record (TesseraCli  *cli,
               GError     **error)
{
  g_autoptr(GPtrArray) records = NULL;
  TesseraKeyRecord *record;

  records = tessera_key_store_list (cli->store, error);
  if (records == NULL)
    return NULL;
  /* An expired certificate too: it is the one to renew. */
  record = tessera_key_store_pick_held_record (records);
  if (record != NULL)
    return record;

  g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_NO_CERTIFICATE,
               _("This device has no certificate for %s to renew: run “tessera-cli enroll NAME” first"),
               tessera_account_get_jid (cli->account));
  return NULL;
}

static void
print_not_renewed (TesseraCli       *cli,
                   TesseraKeyRecord *record)
{
  TesseraCertificate *cert = tessera_key_record_get_certificate (record);
  g_autofree char *until = _tessera_cli_format_date (tessera_certificate_get_not_after (cert));
  g_autofree char *until_iso = g_date_time_format_iso8601 (tessera_certificate_get_not_after (cert));

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "renewed");
      json_builder_add_boolean_value (builder, FALSE);
      json_builder_set_member_name (builder, "fingerprint");
      json_builder_add_string_value (builder, tessera_certificate_get_fingerprint (cert));
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, tessera_key_record_get_name (record));
      json_builder_set_member_name (builder, "not_after");
      json_builder_add_string_value (builder, until_iso);
      json_builder_end_object (builder);
      _tessera_cli_print_json (builder);
      return;
    }

  /* Translators: %s is a device name, %s a date, %d a number of days */
  g_print (_("Not renewed: the certificate of “%s” is valid until %s, more than %d days from now\n"),
           tessera_key_record_get_name (record), until, TESSERA_RENEW_BEFORE_DAYS);
}

static void
print_renewed (TesseraCli       *cli,
               const char       *old_fingerprint,
               TesseraKeyRecord *renewed)
{
  TesseraCertificate *cert = tessera_key_record_get_certificate (renewed);
  const char *fingerprint = tessera_certificate_get_fingerprint (cert);
  g_autofree char *until = _tessera_cli_format_date (tessera_certificate_get_not_after (cert));
  g_autofree char *until_iso = g_date_time_format_iso8601 (tessera_certificate_get_not_after (cert));

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "renewed");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_set_member_name (builder, "old_fingerprint");
      json_builder_add_string_value (builder, old_fingerprint);
      json_builder_set_member_name (builder, "new_fingerprint");
      json_builder_add_string_value (builder, fingerprint);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, tessera_key_record_get_name (renewed));
      json_builder_set_member_name (builder, "not_after");
      json_builder_add_string_value (builder, until_iso);
      json_builder_end_object (builder);
      _tessera_cli_print_json (builder);
      return;
    }

  /* Translators: %s is a device name, then two fingerprints, then a date */
  g_print (_("Renewed “%s”: certificate %s replaces %s (revoked), valid until %s\n"),
           tessera_key_record_get_name (renewed), fingerprint, old_fingerprint, until);
}

/* renew [FINGERPRINT] [--if-expiring]: the password only when one is known. */
gboolean
_tessera_cli_run_renew (TesseraCli  *cli,
                        GError     **error)
{
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKeyRecord) renewed = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *old_fingerprint = NULL;
  g_autofree char *new_fingerprint = NULL;

  record = cli->args[0] != NULL ? _tessera_cli_find_local_record (cli, cli->args[0], TESSERA_CLI_KEY_USE_RENEW, error) : device_record (cli, error);
  if (record == NULL)
    return FALSE;
  if (cli->if_expiring && !tessera_key_record_expires_within (record, TESSERA_RENEW_BEFORE_DAYS))
    {
      print_not_renewed (cli, record);
      return TRUE;
    }

  if (!set_password_if_known (cli, error))
    return FALSE;

  /* Without FINGERPRINT the session decides after it finished an
   * interrupted renewal, which may have changed this device's certificate. */
  tessera_session_renew_async (cli->session,
                               cli->args[0] != NULL ? tessera_certificate_get_fingerprint (
                                                        tessera_key_record_get_certificate (record))
                                                    : NULL,
                               cli->cancellable, _tessera_cli_async_done_cb, cli);
  result = _tessera_cli_wait (cli);
  if (!tessera_session_renew_finish (cli->session, result, &old_fingerprint, &new_fingerprint, error))
    return FALSE;

  renewed = tessera_key_store_find_by_fingerprint (cli->store, new_fingerprint);
  if (renewed == NULL)
    {
      g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND,
                   _("The renewal finished, but certificate %s is not stored on this device"), new_fingerprint);
      return FALSE;
    }
  print_renewed (cli, old_fingerprint, renewed);
  return TRUE;
}
