/* tessera-cli-commands.c: the features, enroll, list, revoke and login commands
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-cli"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "tessera-cli-private.h"

#define PREFIX_MIN_DIGITS 8

/* features */

static void
print_feature (const char *label,
               gboolean    offered)
{
  /* Translators: a feature and whether the server offers it, e.g. "ccm2 add: yes" */
  g_print (_("%-12s %s\n"), label, offered ? _("yes") : _("no"));
}

static gboolean
run_features (TesseraCli  *cli,
              GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  TesseraFeatures features;

  tessera_session_discover_async (cli->session, cli->cancellable, _tessera_cli_async_done_cb, cli);
  result = _tessera_cli_wait (cli);
  features = tessera_session_discover_finish (cli->session, result, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ccm2");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "add");
      json_builder_add_boolean_value (builder, (features & TESSERA_FEATURE_ADD) != 0);
      json_builder_set_member_name (builder, "list");
      json_builder_add_boolean_value (builder, (features & TESSERA_FEATURE_LIST) != 0);
      json_builder_set_member_name (builder, "revoke");
      json_builder_add_boolean_value (builder, (features & TESSERA_FEATURE_REVOKE) != 0);
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "xep0257");
      json_builder_add_boolean_value (builder, (features & TESSERA_FEATURE_XEP0257) != 0);
      json_builder_end_object (builder);
      _tessera_cli_print_json (builder);
      return TRUE;
    }

  print_feature (_("ccm2 add:"), (features & TESSERA_FEATURE_ADD) != 0);
  print_feature (_("ccm2 list:"), (features & TESSERA_FEATURE_LIST) != 0);
  print_feature (_("ccm2 revoke:"), (features & TESSERA_FEATURE_REVOKE) != 0);
  print_feature (_("XEP-0257:"), (features & TESSERA_FEATURE_XEP0257) != 0);
  if (features == TESSERA_FEATURE_NONE)
    g_print (_("The server offers no certificate management.\n"));
  return TRUE;
}

/* enroll */

static void
add_time_member (JsonBuilder *builder,
                 const char  *member,
                 GDateTime   *time)
{
  json_builder_set_member_name (builder, member);
  if (time != NULL)
    {
      g_autofree char *text = tessera_datetime_format (time);

      json_builder_add_string_value (builder, text);
    }
  else
    {
      json_builder_add_null_value (builder);
    }
}

/* The core's rule and message, as a usage error (exit code 64). */
static char *
check_device_name (const char  *text,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char *name = tessera_enrollment_check_name (text, &local_error);

  if (name == NULL)
    g_set_error_literal (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE, local_error->message);

  return name;
}

static void
print_enrolled (TesseraCli       *cli,
                TesseraKeyRecord *record)
{
  TesseraCertificate *certificate = tessera_key_record_get_certificate (record);
  const char *fingerprint = certificate != NULL ? tessera_certificate_get_fingerprint (certificate) : NULL;
  GDateTime *not_after = certificate != NULL ? tessera_certificate_get_not_after (certificate) : NULL;

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, tessera_key_record_get_name (record));
      json_builder_set_member_name (builder, "fingerprint");
      json_builder_add_string_value (builder, fingerprint);
      add_time_member (builder, "not_after", not_after);
      json_builder_set_member_name (builder, "protocol");
      json_builder_add_string_value (builder, tessera_key_record_get_protocol (record));
      json_builder_end_object (builder);
      _tessera_cli_print_json (builder);
    }
  else
    {
      g_autofree char *colons = NULL;
      g_autofree char *expires = NULL;

      colons = fingerprint != NULL ? tessera_fingerprint_format (fingerprint, TESSERA_FINGERPRINT_UPPER |
                                                                              TESSERA_FINGERPRINT_COLONS)
                                   : g_strdup ("?");
      expires = not_after != NULL ? _tessera_cli_format_date (not_after) : g_strdup ("?");
      g_print (_("Enrolled this device as “%s” (%s).\n"), tessera_key_record_get_name (record),
               tessera_key_record_get_protocol (record));
      g_print (_("Fingerprint: %s\n"), colons);
      g_print (_("Expires:     %s\n"), expires);
    }
}

/* The core's refusal (one certificate per device, exit code 64), with the
 * two commands that do what the user may have meant. */
static void
refuse_second_enroll (GError  *found,
                      GError **error)
{
  if (!g_error_matches (found, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_DEVICE_ENROLLED))
    {
      g_propagate_error (error, found);
      return;
    }
  /* Translators: the core's message, then two commands that stay in English */
  g_set_error (error, found->domain, found->code, _("%s: run “tessera-cli renew”, or “tessera-cli enroll NAME "
                                                    "--other-device --output FILE” for another device"),
               found->message);
  g_error_free (found);
}

static gboolean
run_enroll (TesseraCli  *cli,
            GError     **error)
{
  g_autoptr(TesseraEnrollment) enrollment = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GError) local_error = NULL;
  TesseraKeyType key_type = TESSERA_KEY_TYPE_ECDSA_P256;

  name = check_device_name (cli->args[0], error);
  if (name == NULL)
    return FALSE;
  if (cli->key_type != NULL && !tessera_key_type_from_string (cli->key_type, &key_type))
    {
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_USAGE,
                   _("Unknown key type “%s”: use ecdsa-p256, ed25519 or rsa3072"), cli->key_type);
      return FALSE;
    }
  if (!_tessera_cli_check_enroll_options (cli, error))
    return FALSE;
  if (cli->other_device)
    return _tessera_cli_run_enroll_other_device (cli, name, key_type, error);

  enrollment = tessera_session_new_enrollment (cli->session, name, key_type);
  tessera_enrollment_set_user_passphrase (enrollment, cli->key_passphrase);
  tessera_enrollment_run_async (enrollment, cli->cancellable, _tessera_cli_async_done_cb, cli);
  result = _tessera_cli_wait (cli);
  record = tessera_enrollment_run_finish (enrollment, result, &local_error);
  if (record == NULL)
    {
      refuse_second_enroll (g_steal_pointer (&local_error), error);
      return FALSE;
    }

  print_enrolled (cli, record);
  return TRUE;
}

/* list */

static GListModel *
list_certificates (TesseraCli  *cli,
                   GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tessera_session_list_async (cli->session, cli->cancellable, _tessera_cli_async_done_cb, cli);
  result = _tessera_cli_wait (cli);
  return tessera_session_list_finish (cli->session, result, error);
}

/* The fingerprints of the certificates this device holds keys for, read
 * once per command: a list of thousands of entries must not read the key
 * store once per entry. */
static GHashTable *
get_local_fingerprints (TesseraCli *cli)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  if (cli->local_fingerprints != NULL)
    return cli->local_fingerprints;

  cli->local_fingerprints = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  records = tessera_key_store_list (cli->store, &error);
  if (records == NULL)
    {
      g_message ("Could not read this device's keys: %s", error->message);
      return cli->local_fingerprints;
    }
  for (guint i = 0; i < records->len; i++)
    {
      TesseraCertificate *certificate = tessera_key_record_get_certificate (g_ptr_array_index (records, i));

      if (certificate != NULL)
        g_hash_table_add (cli->local_fingerprints, g_strdup (tessera_certificate_get_fingerprint (certificate)));
    }

  /* "This device" is the one certificate it logs in with (the newest
   * valid one, as "login" picks it), or, expired, the one "renew" renews;
   * other keys here are only kept. It is picked from the same read of the
   * key store. */
  {
    g_autoptr(TesseraKeyRecord) device = tessera_key_store_pick_held_record (records);

    if (device != NULL)
      cli->device_fingerprint =
        g_strdup (tessera_certificate_get_fingerprint (tessera_key_record_get_certificate (device)));
  }
  return cli->local_fingerprints;
}

/* Its key is on this device (this device's certificate, or one kept here). */
static gboolean
is_key_here (TesseraCli       *cli,
             TesseraCertEntry *entry)
{
  return g_hash_table_contains (get_local_fingerprints (cli), tessera_cert_entry_get_fingerprint (entry));
}

/* The certificate this device logs in with. */
static gboolean
is_this_device (TesseraCli       *cli,
                TesseraCertEntry *entry)
{
  get_local_fingerprints (cli);
  return g_strcmp0 (cli->device_fingerprint, tessera_cert_entry_get_fingerprint (entry)) == 0;
}

static const char *
last_used_state_name (TesseraLastUsedState state)
{
  switch (state)
    {
    case TESSERA_LAST_USED_AT:
      return "used";
    case TESSERA_LAST_USED_NEVER:
      return "never";
    case TESSERA_LAST_USED_UNKNOWN:
    default:
      return "unknown";
    }
}

static void
add_entry_json (TesseraCli       *cli,
                JsonBuilder      *builder,
                TesseraCertEntry *entry,
                GDateTime        *now)
{
  TesseraCertificate *certificate = tessera_cert_entry_get_certificate (entry);
  const char * const *users = tessera_cert_entry_get_users (entry);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, tessera_cert_entry_get_name (entry));
  json_builder_set_member_name (builder, "fingerprint");
  json_builder_add_string_value (builder, tessera_cert_entry_get_fingerprint (entry));
  add_time_member (builder, "last_used", tessera_cert_entry_get_last_used (entry));
  json_builder_set_member_name (builder, "last_used_state");
  json_builder_add_string_value (builder,
                                 last_used_state_name (tessera_cert_entry_get_last_used_state (entry)));
  json_builder_set_member_name (builder, "users");
  json_builder_begin_array (builder);
  for (guint i = 0; users[i] != NULL; i++)
    json_builder_add_string_value (builder, users[i]);
  json_builder_end_array (builder);
  add_time_member (builder, "not_before", tessera_cert_entry_get_not_before (entry));
  add_time_member (builder, "not_after",
                   certificate != NULL ? tessera_certificate_get_not_after (certificate) : NULL);
  json_builder_set_member_name (builder, "stale");
  json_builder_add_boolean_value (builder, tessera_cert_entry_is_stale (entry, now));
  json_builder_set_member_name (builder, "this_device");
  json_builder_add_boolean_value (builder, is_this_device (cli, entry));
  json_builder_set_member_name (builder, "key_here");
  json_builder_add_boolean_value (builder, is_key_here (cli, entry));
  json_builder_set_member_name (builder, "readable");
  json_builder_add_boolean_value (builder, certificate != NULL);
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_string_value (builder, tessera_cert_entry_get_protocol (entry));
  json_builder_end_object (builder);
}

static char *
describe_last_used (TesseraCertEntry *entry)
{
  switch (tessera_cert_entry_get_last_used_state (entry))
    {
    case TESSERA_LAST_USED_AT:
      return _tessera_cli_format_time (tessera_cert_entry_get_last_used (entry));
    case TESSERA_LAST_USED_NEVER:
      return g_strdup (_("never"));
    case TESSERA_LAST_USED_UNKNOWN:
    default:
      return g_strdup (_("unknown"));
    }
}

static char **
entry_row (TesseraCli       *cli,
           TesseraCertEntry *entry,
           GDateTime        *now)
{
  g_autofree char *last_used = NULL;
  TesseraCertificate *certificate = tessera_cert_entry_get_certificate (entry);
  const char * const *users = tessera_cert_entry_get_users (entry);
  char **row = g_new0 (char *, 7);
  const char *name = tessera_cert_entry_get_name (entry);

  row[0] = g_strdup (is_this_device (cli, entry) ? "*" : is_key_here (cli, entry) ? "+" : "");
  row[1] = g_strdup (*name != '\0' ? name : _("(no name)"));
  row[2] = tessera_fingerprint_shorten (tessera_cert_entry_get_fingerprint (entry));
  last_used = describe_last_used (entry);
  /* Translators: the LAST USED column of a certificate nobody uses any more, e.g. "never (stale)" */
  row[3] = tessera_cert_entry_is_stale (entry, now) ? g_strdup_printf (_("%s (stale)"), last_used)
                                                    : g_steal_pointer (&last_used);
  row[4] = users[0] != NULL ? g_strjoinv (", ", (char **) users) : g_strdup ("-");
  if (certificate != NULL)
    row[5] = _tessera_cli_format_date (tessera_certificate_get_not_after (certificate));
  else
    row[5] = g_strdup (_("unreadable certificate"));
  return row;
}

static void
print_list_table (TesseraCli *cli,
                  GListModel *entries)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  guint n_items = g_list_model_get_n_items (entries);
  char **header = g_new0 (char *, 7);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gboolean any_stale = FALSE;

  if (n_items == 0)
    {
      g_print (_("No certificates.\n"));
      return;
    }

  header[0] = g_strdup (" ");
  header[1] = g_strdup (_("NAME"));
  header[2] = g_strdup (_("FINGERPRINT"));
  header[3] = g_strdup (_("LAST USED"));
  header[4] = g_strdup (_("USERS"));
  header[5] = g_strdup (_("EXPIRES"));
  g_ptr_array_add (rows, header);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (entries, i);

      g_ptr_array_add (rows, entry_row (cli, entry, now));
      any_stale |= tessera_cert_entry_is_stale (entry, now);
    }
  _tessera_cli_print_table (rows, 6);
  g_print (_("* = this device (it logs in with this one), + = its key is kept on this device too\n"));
  if (any_stale)
    g_print (_("stale = never used and issued more than %d days ago, or last used more than %d days ago\n"),
             TESSERA_STALE_NEVER_USED_DAYS, TESSERA_STALE_UNUSED_DAYS);
}

static gboolean
run_list (TesseraCli  *cli,
          GError     **error)
{
  g_autoptr(GListModel) entries = NULL;

  entries = list_certificates (cli, error);
  if (entries == NULL)
    return FALSE;

  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      guint n_items = g_list_model_get_n_items (entries);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "certificates");
      json_builder_begin_array (builder);
      for (guint i = 0; i < n_items; i++)
        {
          g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (entries, i);

          add_entry_json (cli, builder, entry, now);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      _tessera_cli_print_json (builder);
    }
  else
    {
      print_list_table (cli, entries);
    }
  return TRUE;
}

/* revoke */

/* The listed certificates whose fingerprint starts with @prefix. */
static GPtrArray *
find_matches (GListModel *entries,
              const char *prefix)
{
  GPtrArray *matches = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_items = g_list_model_get_n_items (entries);

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (entries, i);

      if (g_str_has_prefix (tessera_cert_entry_get_fingerprint (entry), prefix))
        g_ptr_array_add (matches, g_steal_pointer (&entry));
    }
  return matches;
}

static void
set_ambiguous_error (GPtrArray   *matches,
                     const char  *prefix,
                     GError     **error)
{
  g_autoptr(GString) candidates = g_string_new (NULL);

  for (guint i = 0; i < matches->len; i++)
    {
      TesseraCertEntry *entry = g_ptr_array_index (matches, i);

      g_string_append_printf (candidates, "\n  %s  %s", tessera_cert_entry_get_fingerprint (entry),
                              tessera_cert_entry_get_name (entry));
    }
  g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_AMBIGUOUS,
               _("“%s” matches %u certificates; give more digits of one of:%s"),
               prefix, matches->len, candidates->str);
}

/* Revoking what this device logs in with, or the account's last
 * certificate, locks someone out: it needs --force (PROTOCOL.md §4). */
static gboolean
check_revoke_allowed (TesseraCli        *cli,
                      TesseraCertEntry  *entry,
                      guint              n_listed,
                      gboolean           this_device,
                      GError           **error)
{
  if (cli->force)
    return TRUE;
  if (this_device)
    {
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_FORCE_REQUIRED,
                   _("“%s” is the certificate this device logs in with; add --force to revoke it anyway "
                     "(its local key is then deleted)"),
                   tessera_cert_entry_get_name (entry));
      return FALSE;
    }
  if (n_listed == 1)
    {
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_FORCE_REQUIRED,
                   _("“%s” is the last certificate of this account; add --force to revoke it anyway"),
                   tessera_cert_entry_get_name (entry));
      return FALSE;
    }
  return TRUE;
}

static void
print_revoked (TesseraCli *cli,
               const char *fingerprint,
               const char *name,
               gboolean    this_device,
               gboolean    key_here)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "revoked");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_set_member_name (builder, "fingerprint");
      json_builder_add_string_value (builder, fingerprint);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, name);
      json_builder_set_member_name (builder, "this_device");
      json_builder_add_boolean_value (builder, this_device);
      json_builder_end_object (builder);
      _tessera_cli_print_json (builder);
      return;
    }

  g_print (_("Revoked “%s” (%s).\n"), name, fingerprint);
  if (this_device)
    g_print (_("This device can no longer log in with a certificate; its local key was deleted.\n"));
  else if (key_here)
    g_print (_("Its key, kept on this device, was deleted.\n"));
}

/* The session decides from the list this command read a moment ago
 * instead of listing again (PROTOCOL.md §4 is met by that list). */
static gboolean
revoke_fingerprint (TesseraCli  *cli,
                    const char  *fingerprint,
                    GListModel  *listed,
                    gint64       listed_at,
                    GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tessera_session_revoke_listed_async (cli->session, fingerprint, listed, listed_at, cli->cancellable,
                                       _tessera_cli_async_done_cb, cli);
  result = _tessera_cli_wait (cli);
  return tessera_session_revoke_listed_finish (cli->session, result, error);
}

static gboolean
run_revoke (TesseraCli  *cli,
            GError     **error)
{
  g_autoptr(GListModel) entries = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *name = NULL;
  g_autofree char *fingerprint = NULL;
  TesseraCertEntry *entry;
  gboolean this_device;
  gboolean key_here;
  gint64 listed_at;

  prefix = tessera_fingerprint_normalize_prefix (cli->args[0], PREFIX_MIN_DIGITS, error);
  if (prefix == NULL)
    return FALSE;
  entries = list_certificates (cli, error);
  if (entries == NULL)
    return FALSE;
  listed_at = g_get_monotonic_time ();

  matches = find_matches (entries, prefix);
  if (matches->len == 0 && strlen (prefix) == TESSERA_FINGERPRINT_HEX_LEN)
    {
      /* The session answers NOT_FOUND: the same error as a certificate
       * revoked by someone else in the meantime. */
      return revoke_fingerprint (cli, prefix, entries, listed_at, error);
    }
  if (matches->len == 0)
    {
      g_set_error (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_NOT_FOUND,
                   _("No certificate of this account has a fingerprint starting with “%s”"), prefix);
      return FALSE;
    }
  if (matches->len > 1)
    {
      set_ambiguous_error (matches, prefix, error);
      return FALSE;
    }

  entry = g_ptr_array_index (matches, 0);
  this_device = is_this_device (cli, entry);
  key_here = is_key_here (cli, entry);
  if (!check_revoke_allowed (cli, entry, g_list_model_get_n_items (entries), this_device, error))
    return FALSE;

  fingerprint = g_strdup (tessera_cert_entry_get_fingerprint (entry));
  name = g_strdup (tessera_cert_entry_get_name (entry));
  /* The session lists again after the server's "done" and fails with
   * REVOKE_UNCONFIRMED when the certificate is still there. */
  if (!revoke_fingerprint (cli, fingerprint, entries, listed_at, error))
    return FALSE;

  print_revoked (cli, fingerprint, name, this_device, key_here);
  return TRUE;
}

/* login */

typedef struct
{
  TesseraCli *cli;
  GError     *closed_error;
  gboolean    closed;
  gboolean    held_enough;
} LoginHold;

static void
login_closed_cb (TesseraSession *session,
                 const GError   *error,
                 gpointer        user_data)
{
  LoginHold *hold = user_data;

  hold->closed = TRUE;
  if (error != NULL && hold->closed_error == NULL)
    hold->closed_error = g_error_copy (error);
  g_main_loop_quit (hold->cli->loop);
}

static gboolean
hold_elapsed_cb (gpointer user_data)
{
  LoginHold *hold = user_data;

  hold->held_enough = TRUE;
  g_main_loop_quit (hold->cli->loop);
  return G_SOURCE_REMOVE;
}

static void
hold_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  LoginHold *hold = user_data;

  g_main_loop_quit (hold->cli->loop);
}

/* Stays logged in for --hold seconds, or until the server ends the session
 * (a revoked certificate: a stream error) or the user interrupts. */
static gboolean
hold_login (TesseraCli  *cli,
            GError     **error)
{
  LoginHold hold = { cli, NULL, FALSE, FALSE };
  gulong closed_id, cancelled_id;
  guint timeout_id;

  closed_id = g_signal_connect (cli->session, "login-closed", G_CALLBACK (login_closed_cb), &hold);
  cancelled_id = g_cancellable_connect (cli->cancellable, G_CALLBACK (hold_cancelled_cb), &hold, NULL);
  timeout_id = g_timeout_add_seconds (cli->hold, hold_elapsed_cb, &hold);

  if (tessera_session_is_logged_in (cli->session))
    {
      while (!hold.closed && !hold.held_enough && !g_cancellable_is_cancelled (cli->cancellable))
        g_main_loop_run (cli->loop);
    }
  else
    {
      /* Already over: deliver a pending "login-closed" with its reason. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      hold.closed = TRUE;
    }

  if (!hold.held_enough)
    g_source_remove (timeout_id);
  g_cancellable_disconnect (cli->cancellable, cancelled_id);
  if (!hold.closed)
    tessera_session_logout (cli->session);
  g_signal_handler_disconnect (cli->session, closed_id);

  if (hold.closed_error != NULL)
    {
      /* The core's message already says that the server ended it, and why. */
      g_propagate_error (error, hold.closed_error);
      return FALSE;
    }
  if (hold.closed && !hold.held_enough)
    {
      g_set_error_literal (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_CONNECTION_FAILED,
                           _("The session ended before the time to stay logged in was over"));
      return FALSE;
    }
  return !g_cancellable_set_error_if_cancelled (cli->cancellable, error);
}

static void
print_logged_in (TesseraCli       *cli,
                 TesseraKeyRecord *record,
                 const char       *jid)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "jid");
      json_builder_add_string_value (builder, jid);
      json_builder_end_object (builder);
      _tessera_cli_print_json (builder);
      return;
    }

  g_print (_("Logged in with the certificate “%s” as %s.\n"), tessera_key_record_get_name (record), jid);
}

static gboolean
run_login (TesseraCli  *cli,
           GError     **error)
{
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) login_error = NULL;
  g_autofree char *jid = NULL;
  TesseraLoginFlags flags = cli->hold > 0 ? TESSERA_LOGIN_FLAGS_STAY_CONNECTED : TESSERA_LOGIN_FLAGS_NONE;

  /* The session picks the same certificate on its own thread, and fails
   * before connecting when there is none; reading it here for the message
   * meanwhile keeps this read off the login's path. */
  tessera_session_login_full_async (cli->session, flags, NULL, NULL, NULL, cli->cancellable,
                                    _tessera_cli_async_done_cb, cli);
  record = tessera_key_store_get_device_record (cli->store, &local_error);
  result = _tessera_cli_wait (cli);
  jid = tessera_session_login_finish (cli->session, result, &login_error);
  if (record == NULL && jid != NULL)
    {
      /* The session's reconciler stored it meanwhile (an enrollment
       * finished late): read it again. */
      g_clear_error (&local_error);
      record = tessera_key_store_get_device_record (cli->store, &local_error);
    }
  if (record == NULL)
    {
      g_set_error (error, TESSERA_CLI_ERROR, TESSERA_CLI_ERROR_NO_CERTIFICATE,
                   _("This device has no valid certificate for %s (%s): run “tessera-cli enroll NAME” first"),
                   tessera_account_get_jid (cli->account), local_error->message);
      return FALSE;
    }
  if (jid == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&login_error));
      return FALSE;
    }

  if (cli->hold > 0)
    {
      /* With --json the one document comes at the end; people see the
       * address at once. */
      if (!cli->json)
        print_logged_in (cli, record, jid);
      g_printerr (_("Staying logged in for %d seconds…\n"), cli->hold);
      if (!hold_login (cli, error))
        return FALSE;
      if (cli->json)
        print_logged_in (cli, record, jid);
      return TRUE;
    }

  print_logged_in (cli, record, jid);
  return TRUE;
}

static const TesseraCliCommand commands[] = {
  { "features", "features",
    N_("Show which of ccm2 add/list/revoke and XEP-0257 the server offers"),
    N_("Could not ask the server for its features"),
    0, 0, TRUE, run_features },
  { "enroll", "enroll NAME",
    N_("Make a new key, have the server certify it and keep it as this device's"),
    N_("Could not enroll this device"),
    1, 1, TRUE, run_enroll },
  { "list", "list",
    N_("List the account's certificates, when they were last used and by whom"),
    N_("Could not list the certificates"),
    0, 0, TRUE, run_list },
  { "revoke", "revoke FINGERPRINT",
    N_("Revoke a certificate by its fingerprint or a unique prefix of 8+ hex digits"),
    N_("Could not revoke the certificate"),
    1, 1, TRUE, run_revoke },
  { "login", "login",
    N_("Log in with this device's certificate (SASL EXTERNAL) and print the bound address"),
    N_("Could not log in with the certificate"),
    0, 0, FALSE, run_login },
  { "export", "export [FINGERPRINT]",
    N_("Write this device's certificate and key (or another one's whose key is here) for other programs"),
    N_("Could not export the certificate"),
    0, 1, FALSE, _tessera_cli_run_export },
  { "remember-passphrase", "remember-passphrase",
    N_("Move the passphrase of keys made without a keyring (and the password) into the keyring"),
    N_("Could not remember the passphrase in the keyring"),
    0, 0, FALSE, _tessera_cli_run_remember_passphrase },
  { "renew", "renew [FINGERPRINT]",
    N_("Replace this device's certificate (or another one whose key is here) with a new key's, same name"),
    N_("Could not renew the certificate"),
    0, 1, FALSE, _tessera_cli_run_renew },
};

const TesseraCliCommand *
_tessera_cli_get_commands (guint *n_commands)
{
  *n_commands = G_N_ELEMENTS (commands);
  return commands;
}

const TesseraCliCommand *
_tessera_cli_find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (commands[i].name, name))
        return &commands[i];
    }
  return NULL;
}
