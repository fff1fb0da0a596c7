/* tessera-cli-run.c: the account, session and main loop a tessera-cli command runs with
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-cli"

#include <glib/gi18n-lib.h>

#include "tessera-cli-private.h"

/* With no --jid, the only stored account is meant. */
static TesseraAccount *
find_only_account (GError **error)
{
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GString) names = NULL;

  accounts = tessera_account_store_load (error);
  if (accounts == NULL)
    return NULL;

  if (accounts->len == 1)
    return g_object_ref (g_ptr_array_index (accounts, 0));

  if (accounts->len == 0)
    {
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_NO_ACCOUNT,
                   _("No account is set up yet: give --jid (and the server settings)"));
      return NULL;
    }

  names = g_string_new (NULL);
  for (guint i = 0; i < accounts->len; i++)
    {
      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, tessera_account_get_jid (g_ptr_array_index (accounts, i)));
    }
  g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_NO_ACCOUNT,
               _("Several accounts are set up (%s): choose one with --jid"), names->str);
  return NULL;
}

static TesseraAccount *
lookup_stored_account (const char  *bare_jid,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  TesseraAccount *account;

  account = tessera_account_store_lookup (bare_jid, &local_error);
  if (account != NULL)
    return account;
  if (g_error_matches (local_error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_NOT_FOUND))
    return NULL;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

static gboolean
check_options (TesseraCli  *cli,
               GError     **error)
{
  if (cli->port < 0 || cli->port > G_MAXUINT16)
    {
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE,
                   _("Invalid port %d: use a number from 1 to 65535"), cli->port);
      return FALSE;
    }
  if (cli->direct_tls && cli->starttls)
    {
      g_set_error_literal (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE,
                           _("--direct-tls and --starttls exclude each other"));
      return FALSE;
    }
  if (cli->ca_file != NULL && !g_file_test (cli->ca_file, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE,
                   _("The CA file “%s” does not exist"), cli->ca_file);
      return FALSE;
    }
  return TRUE;
}

static gboolean
same_string (const char *a,
             const char *b)
{
  return g_strcmp0 (a, b) == 0;
}

static gboolean
accounts_equal (TesseraAccount *a,
                TesseraAccount *b)
{
  return same_string (tessera_account_get_jid (a), tessera_account_get_jid (b)) &&
         same_string (tessera_account_get_host (a), tessera_account_get_host (b)) &&
         tessera_account_get_port (a) == tessera_account_get_port (b) &&
         tessera_account_get_tls_mode (a) == tessera_account_get_tls_mode (b) &&
         same_string (tessera_account_get_ca_file (a), tessera_account_get_ca_file (b)) &&
         same_string (tessera_account_get_pinned_fingerprint (a),
                      tessera_account_get_pinned_fingerprint (b));
}

/* Command line settings win over the stored ones; what is not given stays. */
static TesseraAccount *
merge_account (TesseraCli      *cli,
               const char      *bare_jid,
               TesseraAccount  *stored,
               GError         **error)
{
  g_autofree char *ca_file = NULL;
  g_autofree char *pin = NULL;
  const char *host = NULL;
  guint16 port = 0;
  TesseraTlsMode tls_mode = TESSERA_TLS_STARTTLS;

  if (stored != NULL)
    {
      host = tessera_account_get_host (stored);
      port = tessera_account_get_port (stored);
      tls_mode = tessera_account_get_tls_mode (stored);
      ca_file = g_strdup (tessera_account_get_ca_file (stored));
      pin = g_strdup (tessera_account_get_pinned_fingerprint (stored));
    }

  if (cli->host != NULL)
    host = *cli->host != '\0' ? cli->host : NULL;
  if (cli->port != 0)
    port = (guint16) cli->port;
  if (cli->direct_tls)
    tls_mode = TESSERA_TLS_DIRECT;
  if (cli->starttls)
    tls_mode = TESSERA_TLS_STARTTLS;
  if (cli->ca_file != NULL)
    {
      g_free (ca_file);
      /* The account outlives this working directory. */
      ca_file = g_canonicalize_filename (cli->ca_file, NULL);
    }
  if (cli->pin_fingerprint != NULL)
    {
      g_free (pin);
      pin = tessera_fingerprint_normalize (cli->pin_fingerprint, error);
      if (pin == NULL)
        return NULL;
    }

  return tessera_account_new (bare_jid, host, port, tls_mode, ca_file, pin);
}

gboolean
_tessera_cli_prepare_account (TesseraCli  *cli,
                              GError     **error)
{
  g_autoptr(TesseraAccount) stored = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *bare_jid = NULL;

  if (!check_options (cli, error))
    return FALSE;

  if (cli->jid != NULL)
    {
      bare_jid = tessera_jid_normalize_bare (cli->jid, error);
      if (bare_jid == NULL)
        return FALSE;
      stored = lookup_stored_account (bare_jid, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  else
    {
      stored = find_only_account (error);
      if (stored == NULL)
        return FALSE;
      bare_jid = g_strdup (tessera_account_get_jid (stored));
    }

  cli->account = merge_account (cli, bare_jid, stored, error);
  if (cli->account == NULL)
    return FALSE;
  cli->account_changed = stored == NULL || !accounts_equal (stored, cli->account);
  cli->store = tessera_key_store_new (bare_jid, NULL);
  return TRUE;
}

gboolean
_tessera_cli_prepare_session (TesseraCli  *cli,
                              GError     **error)
{
  cli->session = tessera_session_new (cli->account, cli->store);
  if (cli->timeout > 0)
    tessera_session_set_timeout (cli->session, (guint) cli->timeout);

  if (!_tessera_cli_get_key_passphrase (cli, &cli->key_passphrase, error))
    return FALSE;
  if (cli->key_passphrase != NULL)
    tessera_session_set_key_passphrase (cli->session, cli->key_passphrase);

  if (cli->command->needs_password)
    {
      char *password = _tessera_cli_get_password (cli, error);

      if (password == NULL)
        return FALSE;
      tessera_session_set_password (cli->session, password);
      tessera_secret_free (password);
    }
  return TRUE;
}

/* Settings are remembered once a command worked with them, so a typo in a
 * host name does not replace good settings. */
gboolean
_tessera_cli_remember_account (TesseraCli  *cli,
                               GError     **error)
{
  if (!cli->account_changed)
    return TRUE;
  if (!tessera_account_store_save (cli->account, error))
    return FALSE;
  cli->account_changed = FALSE;
  return TRUE;
}

void
_tessera_cli_async_done_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  TesseraCli *cli = user_data;

  g_clear_object (&cli->result);
  cli->result = g_object_ref (result);
  g_main_loop_quit (cli->loop);
}

/* Runs the main loop until _tessera_cli_async_done_cb() has a result.
 * Returns it (owned by the caller). */
GAsyncResult *
_tessera_cli_wait (TesseraCli *cli)
{
  while (cli->result == NULL)
    g_main_loop_run (cli->loop);
  return g_steal_pointer (&cli->result);
}
