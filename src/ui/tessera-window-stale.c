/* tessera-window-stale.c: revoking the certificates nobody uses any more
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-format.h"
#include "tessera-window-private.h"

/* "Revoke Stale Certificates…" lists what will go, asks once, then revokes
 * one certificate after the other (the model runs one revocation at a
 * time) and reports each failure by name. This device's certificate is
 * never among them: revoking it needs the typed confirmation of a single
 * revocation. */

/* The listed stale certificates, this device's left out. */
GPtrArray *
_tessera_window_dup_stale_entries (TesseraWindow *self)
{
  GListModel *entries = self->model != NULL ? tessera_account_model_get_entries (self->model) : NULL;
  GPtrArray *stale = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  guint n_items = entries != NULL ? g_list_model_get_n_items (entries) : 0;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (entries, i);

      if (tessera_cert_entry_is_stale (entry, now) && !tessera_cert_list_is_device (self->cert_list, entry))
        g_ptr_array_add (stale, g_steal_pointer (&entry));
    }
  return stale;
}

static char *
entry_label (TesseraCertEntry *entry)
{
  const char *name = tessera_cert_entry_get_name (entry);

  return *name != '\0' ? g_strdup (name) : tessera_fingerprint_shorten (tessera_cert_entry_get_fingerprint (entry));
}

/* "• Old tablet, last used 4 months ago" */
static char *
describe_entry (TesseraCertEntry *entry)
{
  g_autofree char *label = entry_label (entry);
  g_autofree char *when = NULL;

  if (tessera_cert_entry_get_last_used_state (entry) == TESSERA_LAST_USED_NEVER)
    {
      when = tessera_format_relative_time (tessera_cert_entry_get_not_before (entry), NULL);
      /* Translators: a stale certificate in a list; %s is e.g. "2 months ago" */
      return g_strdup_printf (_("• %s, never used, issued %s"), label, when);
    }
  when = tessera_format_relative_time (tessera_cert_entry_get_last_used (entry), NULL);
  /* Translators: a stale certificate in a list; %s is e.g. "4 months ago" */
  return g_strdup_printf (_("• %s, last used %s"), label, when);
}

/* ---- one after the other ------------------------------------------------- */

typedef struct
{
  TesseraWindow *window;
  GPtrArray     *entries;
  guint          next;
  guint          revoked;
  GString       *failures;
} StaleRun;

static void
stale_run_free (StaleRun *run)
{
  g_object_unref (run->window);
  g_ptr_array_unref (run->entries);
  g_string_free (run->failures, TRUE);
  g_free (run);
}

static void revoke_next (StaleRun *run);

static void
report (StaleRun *run)
{
  TesseraWindow *self = run->window;
  g_autofree char *title = NULL;
  g_autoptr(GError) error = NULL;

  tessera_window_refresh (self);
  if (run->failures->len == 0)
    {
      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u stale certificate revoked",
                                            "%u stale certificates revoked", run->revoked),
                               run->revoked);
      _tessera_window_show_toast (self, title);
      return;
    }

  /* Translators: %u of %u certificates; a list of "name: why" follows */
  error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, _("%u of %u revoked. Not revoked:\n%s"),
                       run->revoked, run->entries->len, run->failures->str);
  _tessera_window_show_error (self, _("Some Certificates Were Not Revoked"), error);
}

static void
revoked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  StaleRun *run = user_data;
  TesseraCertEntry *entry = g_ptr_array_index (run->entries, run->next - 1);
  g_autoptr(GError) error = NULL;

  if (tessera_account_model_revoke_finish (TESSERA_ACCOUNT_MODEL (object), result, &error))
    run->revoked++;
  else
    {
      g_autofree char *label = entry_label (entry);

      g_string_append_printf (run->failures, "• %s: %s\n", label, error->message);
    }

  /* Another account is shown now: the rest is not revoked, silently. */
  if (TESSERA_ACCOUNT_MODEL (object) != run->window->model)
    {
      stale_run_free (run);
      return;
    }
  revoke_next (run);
}

static void
revoke_next (StaleRun *run)
{
  if (run->next >= run->entries->len)
    {
      report (run);
      stale_run_free (run);
      return;
    }
  tessera_account_model_revoke_async (run->window->model, g_ptr_array_index (run->entries, run->next++),
                                      revoked_cb, run);
}

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             TesseraWindow    *self)
{
  GPtrArray *entries = g_object_get_data (G_OBJECT (dialog), "tessera-stale-entries");
  StaleRun *run;

  if (g_strcmp0 (response, "revoke") != 0 || entries == NULL || self->model == NULL)
    return;

  run = g_new0 (StaleRun, 1);
  run->window = g_object_ref (self);
  run->entries = g_ptr_array_ref (entries);
  run->failures = g_string_new (NULL);
  revoke_next (run);
}

void
_tessera_window_revoke_stale_action (GtkWidget  *widget,
                                     const char *action_name,
                                     GVariant   *param)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  g_autoptr(GPtrArray) entries = _tessera_window_dup_stale_entries (self);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  if (entries->len == 0)
    {
      _tessera_window_show_toast (self, _("No certificate is stale"));
      return;
    }

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Revoke %u Stale Certificate?",
                                          "Revoke %u Stale Certificates?", entries->len),
                             entries->len);
  g_string_append_printf (body, _("Never used and issued more than %d days ago, or last used more than %d days "
                                  "ago:"), TESSERA_STALE_NEVER_USED_DAYS, TESSERA_STALE_UNUSED_DAYS);
  g_string_append_c (body, '\n');
  for (guint i = 0; i < entries->len; i++)
    {
      g_autofree char *line = describe_entry (g_ptr_array_index (entries, i));

      g_string_append_printf (body, "\n%s", line);
    }
  g_string_append_printf (body, "\n\n%s", _("They stop working at once; this cannot be undone. This device’s "
                                            "certificate is never included."));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body->str));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "revoke", _("_Revoke All"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "revoke", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "tessera-stale-entries", g_ptr_array_ref (entries),
                          (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
