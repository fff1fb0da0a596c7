/* tessera-window-renew.c: the banner that says this device's certificate expires, and Renew
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-format.h"
#include "tessera-window-private.h"

/* When this device's certificate expires within TESSERA_RENEW_BEFORE_DAYS
 * (or has expired: then it is no longer "this device", but its key is
 * still here), a strip under the header bar says so and offers Renew
 * (libadwaita 1.2 has no AdwBanner). "Renew…" in the details pane runs
 * the same action. A valid certificate renews without the password
 * (tessera-renewal.c); an expired one needs it: the model passes the
 * typed or the keyring's, and when none is known (or the server refused
 * it) the window's password prompt asks, and its answer renews again.
 * The list is refreshed afterwards and selects the new certificate. */

static gboolean
entry_expires_soon (TesseraCertEntry *entry,
                    GDateTime        *limit)
{
  GDateTime *not_after = tessera_cert_entry_get_not_after (entry);

  return not_after != NULL && g_date_time_compare (not_after, limit) <= 0;
}

/* The certificate to renew: this device's, or the newest one whose key is
 * here when none is this device's (an expired one). */
static TesseraCertEntry *
find_device_entry (TesseraWindow *self)
{
  GListModel *entries = self->model != NULL ? tessera_account_model_get_entries (self->model) : NULL;
  const char * const *here = self->model != NULL ? tessera_account_model_get_key_fingerprints (self->model) : NULL;
  guint n_items = entries != NULL ? g_list_model_get_n_items (entries) : 0;
  TesseraCertEntry *kept = NULL;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(TesseraCertEntry) entry = g_list_model_get_item (entries, i);

      if (tessera_cert_list_is_device (self->cert_list, entry))
        {
          g_clear_object (&kept);
          return g_steal_pointer (&entry);
        }
      if (here != NULL && g_strv_contains (here, tessera_cert_entry_get_fingerprint (entry)) &&
          tessera_cert_entry_get_not_after (entry) != NULL &&
          (kept == NULL || g_date_time_compare (tessera_cert_entry_get_not_after (entry),
                                                tessera_cert_entry_get_not_after (kept)) > 0))
        g_set_object (&kept, entry);
    }
  return kept;
}

static char *
banner_text (TesseraCertEntry *entry,
             GDateTime        *now)
{
  GDateTime *not_after = tessera_cert_entry_get_not_after (entry);
  g_autofree char *date = tessera_format_date (not_after);

  if (g_date_time_compare (not_after, now) <= 0)
    /* Translators: %s is a date */
    return g_strdup_printf (_("This device’s certificate expired on %s: logging in with it no longer works. "
                              "Renew it to get a new one."), date);
  /* Translators: %s is a date */
  return g_strdup_printf (_("This device’s certificate expires on %s. Renew it now so that logging in keeps "
                            "working."), date);
}

/* Called whenever the list or the model's state changed. */
void
_tessera_window_sync_renew (TesseraWindow *self)
{
  g_autoptr(TesseraCertEntry) entry = find_device_entry (self);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) limit = g_date_time_add_days (now, TESSERA_RENEW_BEFORE_DAYS);
  gboolean busy = self->model != NULL && tessera_account_model_get_busy (self->model);
  gboolean expiring = entry != NULL && entry_expires_soon (entry, limit);
  gboolean renewable = entry != NULL && (expiring || tessera_cert_list_is_device (self->cert_list, entry));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.renew", renewable && !busy && !self->renewing);
  if (expiring)
    {
      g_autofree char *text = banner_text (entry, now);

      gtk_label_set_label (self->renew_banner_label, text);
    }
  /* A renewal that runs keeps the strip until its list arrives. */
  if (!self->renewing)
    gtk_revealer_set_reveal_child (self->renew_banner, expiring);
  gtk_button_set_label (self->renew_banner_button, self->renewing ? _("Renewing…") : _("_Renew"));
}

/* An expired certificate cannot log in to renew itself: the password
 * was missing or refused. */
static gboolean
needs_password (TesseraWindow *self,
                const GError  *error)
{
  g_autoptr(TesseraCertEntry) entry = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (!g_error_matches (error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_AUTHENTICATION_FAILED))
    return FALSE;
  entry = find_device_entry (self);
  now = g_date_time_new_now_utc ();
  return entry != NULL && entry_expires_soon (entry, now);
}

static void
renewed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TesseraWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *fingerprint = NULL;

  fingerprint = tessera_account_model_renew_finish (TESSERA_ACCOUNT_MODEL (object), result, &error);
  self->renewing = FALSE;
  /* Another account is shown now: its window has nothing to say. */
  if (TESSERA_ACCOUNT_MODEL (object) != self->model)
    {
      _tessera_window_sync_renew (self);
      return;
    }

  if (fingerprint == NULL && needs_password (self, error))
    _tessera_window_ask_password_to_renew (self, error);
  else if (fingerprint == NULL)
    _tessera_window_show_error (self, _("Could Not Renew the Certificate"), error);
  else
    _tessera_window_show_toast (self, _("Certificate renewed: this device uses the new one"));
  /* Either way the list says what is there now (a failure may have
   * stopped after the new certificate was issued). */
  tessera_window_refresh (self);
  _tessera_window_sync_renew (self);
}

/**
 * _tessera_window_start_renewal:
 * @self: a #TesseraWindow
 *
 * Renews this device's certificate (win.renew, and the password prompt's
 * answer when a renewal asked for it, while the refresh that the typed
 * password started runs).
 */
void
_tessera_window_start_renewal (TesseraWindow *self)
{
  if (self->model == NULL || self->renewing)
    return;
  self->renewing = TRUE;
  _tessera_window_sync_renew (self);
  tessera_account_model_renew_async (self->model, renewed_cb, g_object_ref (self));
}

static void
renew_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  _tessera_window_start_renewal (TESSERA_WINDOW (widget));
}

void
_tessera_window_class_init_renew (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, renew_banner);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, renew_banner_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraWindow, renew_banner_button);
  gtk_widget_class_install_action (widget_class, "win.renew", NULL, renew_action);
}
