/* tessera-cli-remember.c: the remember-passphrase command
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-cli"

#include <glib/gi18n-lib.h>

#include "tessera-account-lock.h"
#include "tessera-cli-private.h"

/* Keys made without a keyring (--key-passphrase-file at enroll) move into
 * one that is there now: tessera_key_store_remember_passphrase() per key,
 * and the account's password from --password-file when given. Nothing
 * talks to the server. */

static gboolean
collect_keys (TesseraCli  *cli,
              GPtrArray   *ids,
              GError     **error)
{
  g_autoptr(GPtrArray) records = NULL;

  if (cli->key_id != NULL)
    {
      g_autoptr(TesseraKeyRecord) record = tessera_key_store_lookup (cli->store, cli->key_id, error);

      if (record == NULL)
        return FALSE;
      g_ptr_array_add (ids, g_strdup (tessera_key_record_get_id (record)));
      return TRUE;
    }

  records = tessera_key_store_list (cli->store, error);
  if (records == NULL)
    return FALSE;
  for (guint i = 0; i < records->len; i++)
    {
      TesseraKeyRecord *record = g_ptr_array_index (records, i);

      if (tessera_key_record_get_uses_user_passphrase (record))
        g_ptr_array_add (ids, g_strdup (tessera_key_record_get_id (record)));
    }
  return TRUE;
}

static void
print_remembered (TesseraCli *cli,
                  GPtrArray  *ids,
                  gboolean    password)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "jid");
      json_builder_add_string_value (builder, tessera_account_get_jid (cli->account));
      json_builder_set_member_name (builder, "keys");
      json_builder_begin_array (builder);
      for (guint i = 0; i < ids->len; i++)
        json_builder_add_string_value (builder, g_ptr_array_index (ids, i));
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "password");
      json_builder_add_boolean_value (builder, password);
      json_builder_end_object (builder);
      _tessera_cli_print_json (builder);
      return;
    }

  for (guint i = 0; i < ids->len; i++)
    g_print (_("The passphrase of key %s is in the keyring now.\n"), (const char *) g_ptr_array_index (ids, i));
  if (password)
    g_print (_("The password of %s is in the keyring now.\n"), tessera_account_get_jid (cli->account));
  if (ids->len == 0 && !password)
    g_print (_("No key of %s uses a passphrase of its own: nothing to do.\n"),
             tessera_account_get_jid (cli->account));
}

gboolean
_tessera_cli_run_remember_passphrase (TesseraCli  *cli,
                                      GError     **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(TesseraAccountLock) lock = NULL;
  guint seconds = cli->timeout > 0 ? (guint) cli->timeout : TESSERA_SESSION_DEFAULT_TIMEOUT;
  char *password = NULL;
  gboolean ok;

  if (cli->key_passphrase == NULL && cli->password_file == NULL)
    {
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE,
                   _("Give the passphrase with --key-passphrase-file FILE (and the password with "
                     "--password-file FILE to remember it too)"));
      return FALSE;
    }

  /* meta.ini changes: the account's lock, like every other writer. */
  lock = tessera_account_lock_acquire (cli->store, g_get_monotonic_time () + seconds * G_USEC_PER_SEC,
                                       cli->cancellable, error);
  if (lock == NULL)
    return FALSE;

  if (cli->key_passphrase != NULL)
    {
      if (!collect_keys (cli, ids, error))
        return FALSE;
      for (guint i = 0; i < ids->len; i++)
        if (!tessera_key_store_remember_passphrase (cli->store, g_ptr_array_index (ids, i), cli->key_passphrase,
                                                    error))
          return FALSE;
    }

  if (cli->password_file != NULL)
    {
      password = _tessera_cli_get_password (cli, error);
      if (password == NULL)
        return FALSE;
      ok = tessera_secret_store_password (tessera_account_get_jid (cli->account), password, error);
      tessera_secret_free (password);
      if (!ok)
        return FALSE;
    }

  print_remembered (cli, ids, cli->password_file != NULL);
  return TRUE;
}
