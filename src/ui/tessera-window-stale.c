/* tessera-window-stale.c: revoking several certificates at once, the stale ones or the selected ones
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-format.h"
#include "tessera-window-private.h"

/* "Revoke Stale Certificates…" and "Revoke Selected…" list what will go,
 * ask once, then revoke one certificate after the other (the model runs
 * one revocation at a time, each its own request) and report what was
 * revoked and what was not, by name: a failure in the middle stops
 * nothing and loses nothing. The stale ones never include this device's
 * certificate; a selection may, and then the one confirmation asks for the
 * typed name a single revocation of it needs (as for the other risks of
 * tessera-window-actions.c's single revocation, described here). */

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

/**
 * _tessera_window_entry_label:
 * @entry: a listed certificate
 *
 * Returns: (transfer full): its name, or its short fingerprint when unnamed
 */
char *
_tessera_window_entry_label (TesseraCertEntry *entry)
{
  const char *name = tessera_cert_entry_get_name (entry);

  return *name != '\0' ? g_strdup (name) : tessera_fingerprint_shorten (tessera_cert_entry_get_fingerprint (entry));
}

/* "• Old tablet, last used 4 months ago" */
static char *
describe_entry (TesseraCertEntry *entry)
{
  g_autofree char *label = _tessera_window_entry_label (entry);
  g_autofree char *when = NULL;

  switch (tessera_cert_entry_get_last_used_state (entry))
    {
    case TESSERA_LAST_USED_NEVER:
      when = tessera_format_relative_time (tessera_cert_entry_get_not_before (entry), NULL);
      /* Translators: a stale certificate in a list; %s is e.g. "2 months ago" */
      return g_strdup_printf (_("• %s, never used, issued %s"), label, when);

    case TESSERA_LAST_USED_AT:
      when = tessera_format_relative_time (tessera_cert_entry_get_last_used (entry), NULL);
      /* Translators: a stale certificate in a list; %s is e.g. "4 months ago" */
      return g_strdup_printf (_("• %s, last used %s"), label, when);

    case TESSERA_LAST_USED_UNKNOWN:
    default:
      return g_strdup_printf ("• %s", label);
    }
}

/* ---- risks and the typed confirmation ------------------------------------ */

static void
append_risk (GString    *risks,
             const char *text)
{
  g_string_append_printf (risks, "• %s\n", text);
}

static void
append_entry_risks (TesseraWindow    *self,
                    TesseraCertEntry *entry,
                    gboolean          several,
                    GString          *risks)
{
  const char * const *users = tessera_cert_entry_get_users (entry);
  g_autofree char *label = _tessera_window_entry_label (entry);
  g_autofree char *user_list = NULL;
  g_autofree char *text = NULL;

  if (tessera_cert_list_is_device (self->cert_list, entry))
    {
      if (several)
        text = g_strdup_printf (_("This device logs in with “%s”; its key will be deleted here."), label);
      append_risk (risks, several ? text : _("This device logs in with it; its key will be deleted here."));
      g_clear_pointer (&text, g_free);
    }
  if (users[0] != NULL)
    {
      user_list = g_strjoinv (", ", (char **) users);
      if (several)
        text = g_strdup_printf (_("“%s” is in use right now by %s; those sessions will be closed."), label,
                                user_list);
      else
        text = g_strdup_printf (_("It is in use right now by %s; those sessions will be closed."), user_list);
      append_risk (risks, text);
    }
}

/**
 * _tessera_window_describe_risks:
 * @self: a #TesseraWindow
 * @entries: (element-type TesseraCertEntry): the certificates to revoke
 * @name_to_type: (out) (optional): the name the user types to confirm
 *
 * Why revoking @entries deserves the stronger, typed confirmation: this
 * device's certificate, one in use, or the account's last certificates.
 * The name to type is that of the certificate at risk (this device's
 * first), or of the first one when the risk is that all go.
 *
 * Returns: (transfer full) (nullable): the risks as a bulleted list, or
 *   %NULL when there are none
 */
char *
_tessera_window_describe_risks (TesseraWindow  *self,
                                GPtrArray      *entries,
                                char          **name_to_type)
{
  GListModel *model = tessera_cert_list_get_model (self->cert_list);
  g_autoptr(GString) risks = g_string_new (NULL);
  TesseraCertEntry *named = NULL;

  for (guint i = 0; i < entries->len; i++)
    {
      TesseraCertEntry *entry = g_ptr_array_index (entries, i);
      gsize before = risks->len;

      append_entry_risks (self, entry, entries->len > 1, risks);
      if (tessera_cert_list_is_device (self->cert_list, entry))
        named = entry;
      else if (risks->len > before && named == NULL)
        named = entry;
    }
  if (model != NULL && g_list_model_get_n_items (model) == entries->len)
    {
      append_risk (risks, entries->len > 1
                            ? _("They are the account’s last certificates: no device will be able to log in with a "
                                "certificate.")
                            : _("It is the account’s last certificate: no device will be able to log in with a "
                                "certificate."));
      if (named == NULL)
        named = g_ptr_array_index (entries, 0);
    }

  if (risks->len == 0)
    return NULL;
  if (name_to_type != NULL)
    *name_to_type = _tessera_window_entry_label (named);
  g_string_truncate (risks, risks->len - 1);
  return g_string_free (g_steal_pointer (&risks), FALSE);
}

static void
typed_text_changed_cb (GtkEditable      *editable,
                       AdwMessageDialog *dialog)
{
  const char *expected = g_object_get_data (G_OBJECT (dialog), "tessera-expected");

  adw_message_dialog_set_response_enabled (dialog, "revoke",
                                           g_strcmp0 (gtk_editable_get_text (editable), expected) == 0);
}

/**
 * _tessera_window_require_typed_name:
 * @dialog: a confirmation with a "revoke" response
 * @name: what the user must type
 *
 * Adds an entry and enables "revoke" only while it holds exactly @name.
 */
void
_tessera_window_require_typed_name (AdwMessageDialog *dialog,
                                    const char       *name)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Name of the certificate to revoke"),
                                  -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_set_response_enabled (dialog, "revoke", FALSE);
  g_object_set_data_full (G_OBJECT (dialog), "tessera-expected", g_strdup (name), g_free);
  g_signal_connect (entry, "changed", G_CALLBACK (typed_text_changed_cb), dialog);
}

/* ---- one after the other ------------------------------------------------- */

typedef struct
{
  TesseraWindow *window;
  GPtrArray     *entries;
  gboolean       stale;       /* worded as "stale" in the toast */
  guint          next;
  guint          revoked;
  GString       *succeeded;   /* "• name\n" per revoked certificate */
  GString       *failures;    /* "• name: why\n" per one not revoked */
} RevokeRun;

static void
revoke_run_free (RevokeRun *run)
{
  g_object_unref (run->window);
  g_ptr_array_unref (run->entries);
  g_string_free (run->succeeded, TRUE);
  g_string_free (run->failures, TRUE);
  g_free (run);
}

static void revoke_next (RevokeRun *run);

static char *
done_title (RevokeRun *run)
{
  if (run->stale)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u stale certificate revoked",
                                         "%u stale certificates revoked", run->revoked),
                            run->revoked);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u certificate revoked", "%u certificates revoked",
                                       run->revoked),
                          run->revoked);
}

/* All revoked: a toast. Otherwise one dialog with both lists. */
static void
report (RevokeRun *run)
{
  TesseraWindow *self = run->window;
  g_autoptr(GString) summary = g_string_new (NULL);
  g_autofree char *title = NULL;
  g_autoptr(GError) error = NULL;

  tessera_window_refresh (self);
  if (run->failures->len == 0)
    {
      title = done_title (run);
      _tessera_window_show_toast (self, title);
      return;
    }

  /* Translators: %u of %u certificates */
  g_string_append_printf (summary, _("%u of %u revoked."), run->revoked, run->entries->len);
  if (run->succeeded->len > 0)
    g_string_append_printf (summary, "\n\n%s\n%s", _("Revoked:"), run->succeeded->str);
  else
    g_string_append_c (summary, '\n');
  /* Translators: a list of "• name: why" follows */
  g_string_append_printf (summary, "\n%s\n%s", _("Not revoked:"), run->failures->str);
  g_strchomp (summary->str);
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, summary->str);
  _tessera_window_show_error (self, _("Some Certificates Were Not Revoked"), error);
}

static void
revoked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  RevokeRun *run = user_data;
  TesseraCertEntry *entry = g_ptr_array_index (run->entries, run->next - 1);
  g_autofree char *label = _tessera_window_entry_label (entry);
  g_autoptr(GError) error = NULL;

  if (tessera_account_model_revoke_finish (TESSERA_ACCOUNT_MODEL (object), result, &error))
    {
      run->revoked++;
      g_string_append_printf (run->succeeded, "• %s\n", label);
    }
  else
    g_string_append_printf (run->failures, "• %s: %s\n", label, error->message);

  /* Another account is shown now: the rest is not revoked, silently. */
  if (TESSERA_ACCOUNT_MODEL (object) != run->window->model)
    {
      revoke_run_free (run);
      return;
    }
  revoke_next (run);
}

static void
revoke_next (RevokeRun *run)
{
  if (run->next >= run->entries->len)
    {
      report (run);
      revoke_run_free (run);
      return;
    }
  tessera_account_model_revoke_async (run->window->model, g_ptr_array_index (run->entries, run->next++),
                                      revoked_cb, run);
}

/* This device's certificate goes last: until then the others are revoked
 * over a session that may log in with it. */
static GPtrArray *
device_last (TesseraWindow *self,
             GPtrArray     *entries)
{
  GPtrArray *ordered = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < entries->len; i++)
      {
        TesseraCertEntry *entry = g_ptr_array_index (entries, i);

        if (tessera_cert_list_is_device (self->cert_list, entry) == (pass == 1))
          g_ptr_array_add (ordered, g_object_ref (entry));
      }
  return ordered;
}

static void
response_cb (AdwMessageDialog *dialog,
             const char       *response,
             TesseraWindow    *self)
{
  GPtrArray *entries = g_object_get_data (G_OBJECT (dialog), "tessera-revoke-entries");
  RevokeRun *run;

  if (g_strcmp0 (response, "revoke") != 0 || entries == NULL || self->model == NULL)
    return;

  run = g_new0 (RevokeRun, 1);
  run->window = g_object_ref (self);
  run->entries = device_last (self, entries);
  run->stale = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "tessera-revoke-stale"));
  run->succeeded = g_string_new (NULL);
  run->failures = g_string_new (NULL);
  revoke_next (run);
}

static AdwMessageDialog *
create_dialog (TesseraWindow *self,
               const char    *heading,
               const char    *body,
               GPtrArray     *entries,
               gboolean       stale)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "revoke", _("_Revoke All"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "revoke", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "tessera-revoke-entries", g_ptr_array_ref (entries),
                          (GDestroyNotify) g_ptr_array_unref);
  g_object_set_data (G_OBJECT (dialog), "tessera-revoke-stale", GINT_TO_POINTER (stale));
  g_signal_connect_object (dialog, "response", G_CALLBACK (response_cb), self, 0);
  return dialog;
}

static void
append_entries (GString   *body,
                GPtrArray *entries)
{
  for (guint i = 0; i < entries->len; i++)
    {
      g_autofree char *line = describe_entry (g_ptr_array_index (entries, i));

      g_string_append_printf (body, "\n%s", line);
    }
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
  append_entries (body, entries);
  g_string_append_printf (body, "\n\n%s", _("They stop working at once; this cannot be undone. This device’s "
                                            "certificate is never included."));

  gtk_window_present (GTK_WINDOW (create_dialog (self, heading, body->str, entries, TRUE)));
}

/**
 * _tessera_window_revoke_selected:
 * @self: a #TesseraWindow
 *
 * "Revoke Selected…": one confirmation listing every selected certificate
 * (typed when one of them is at risk), then one revocation each.
 */
void
_tessera_window_revoke_selected (TesseraWindow *self)
{
  g_autoptr(GPtrArray) entries = tessera_cert_list_dup_selected_entries (self->cert_list);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *heading = NULL;
  g_autofree char *risks = NULL;
  g_autofree char *name_to_type = NULL;
  AdwMessageDialog *dialog;

  if (entries->len == 0)
    return;

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Revoke %u Certificate?", "Revoke %u Certificates?",
                                          entries->len),
                             entries->len);
  g_string_append (body, _("They stop working at once: no device can log in with them any more. This cannot be "
                           "undone."));
  g_string_append_c (body, '\n');
  append_entries (body, entries);
  risks = _tessera_window_describe_risks (self, entries, &name_to_type);
  if (risks != NULL)
    {
      g_string_append_printf (body, "\n\n%s\n\n", risks);
      g_string_append_printf (body, _("Type the name “%s” to confirm."), name_to_type);
    }

  dialog = create_dialog (self, heading, body->str, entries, FALSE);
  if (risks != NULL)
    _tessera_window_require_typed_name (dialog, name_to_type);
  gtk_window_present (GTK_WINDOW (dialog));
}
