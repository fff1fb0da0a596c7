/* tessera-window-actions.c: what the window's buttons, menus and shortcuts do
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-account-dialog.h"
#include "tessera-enroll-wizard.h"
#include "tessera-export-dialog.h"
#include "tessera-generate-dialog.h"
#include "tessera-window-private.h"

/* Refresh */

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  tessera_window_refresh (TESSERA_WINDOW (widget));
}

/* Generate */

static void
dismiss_pending_toast (TesseraWindow *self)
{
  if (self->pending_toast == NULL)
    return;

  g_object_remove_weak_pointer (G_OBJECT (self->pending_toast), (gpointer *) &self->pending_toast);
  adw_toast_dismiss (self->pending_toast);
  self->pending_toast = NULL;
}

static void
generated_cb (TesseraWindow    *self,
              TesseraKeyRecord *record)
{
  g_autofree char *title = NULL;
  AdwToast *toast;

  tessera_account_model_set_pending_key (self->model, record);

  title = g_strdup_printf (_("Key pair “%s” is ready to upload"), tessera_key_record_get_name (record));
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Upload"));
  adw_toast_set_action_name (toast, "win.upload");
  adw_toast_set_timeout (toast, 10);
  dismiss_pending_toast (self);
  self->pending_toast = toast;
  g_object_add_weak_pointer (G_OBJECT (toast), (gpointer *) &self->pending_toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
generate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  TesseraAccountModel *model = self->model;
  TesseraGenerateDialog *dialog;

  if (!tessera_account_model_get_can_add (model))
    return;

  dialog = tessera_generate_dialog_new (GTK_WINDOW (self), tessera_account_model_get_store (model),
                                        tessera_account_get_jid (tessera_account_model_get_account (model)),
                                        tessera_account_model_get_upload_protocol (model));
  g_signal_connect_object (dialog, "generated", G_CALLBACK (generated_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Upload */

static void uploaded_cb (GObject *object, GAsyncResult *result, gpointer user_data);

/* A key protected by the user's passphrase (made without a keyring): ask
 * once, hand it to the account's session for this run, and upload again.
 * A wrong one comes back here with the core's error. */
static void
key_passphrase_response_cb (AdwMessageDialog *dialog,
                            const char       *response,
                            TesseraWindow    *self)
{
  /* Held by a reference of its own: the dialog may be closing already. */
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "tessera-passphrase-entry");

  if (g_strcmp0 (response, "unlock") == 0 && gtk_editable_get_text (entry)[0] != '\0')
    {
      tessera_account_model_set_key_passphrase (self->model, gtk_editable_get_text (entry));
      tessera_account_model_upload_async (self->model, uploaded_cb, g_object_ref (self));
    }
  gtk_editable_set_text (entry, "");
}

static void
ask_key_passphrase (TesseraWindow *self)
{
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Key Passphrase"),
                                                       _("This device’s key was made without a keyring and is "
                                                         "protected by the passphrase you chose. Enter it to use "
                                                         "the key; Tessera keeps it in memory until it quits.")));
  entry = gtk_password_entry_new ();
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  gtk_widget_set_name (entry, "key-passphrase-entry");
  adw_message_dialog_set_extra_child (dialog, entry);
  g_object_set_data_full (G_OBJECT (dialog), "tessera-passphrase-entry", g_object_ref (entry), g_object_unref);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "unlock", _("_Use Key"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "unlock", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "unlock");
  g_signal_connect_object (dialog, "response", G_CALLBACK (key_passphrase_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
device_enrolled_response_cb (AdwMessageDialog *dialog,
                             const char       *response,
                             TesseraWindow    *self)
{
  if (g_str_equal (response, "renew"))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.renew", NULL);
  else if (g_str_equal (response, "other-device"))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.add-other-device", NULL);
}

/* This device has its certificate already (one per device): the pending
 * key is refused as Generate refuses a new one, and kept, so that it can
 * still be uploaded after that certificate is revoked. The dialog offers
 * what the user may have meant, as the Generate dialog does. */
static void
explain_device_enrolled (TesseraWindow *self,
                         const GError  *error)
{
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  body = g_strdup_printf (_("%s.\n\nThe key pair that waits for its upload stays on this device: it can still be "
                            "uploaded once this device’s certificate is revoked."), error->message);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("This Device Has a Certificate"), body));
  adw_message_dialog_add_responses (dialog, "close", _("_Close"), "other-device", _("Add Another _Device…"),
                                    "renew", _("_Renew…"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "renew", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "close");
  adw_message_dialog_set_close_response (dialog, "close");
  g_signal_connect_object (dialog, "response", G_CALLBACK (device_enrolled_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
uploaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TesseraWindow) self = user_data;
  TesseraAccountModel *model = TESSERA_ACCOUNT_MODEL (object);
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;

  record = tessera_account_model_upload_finish (model, result, &error);
  /* An account switched away from: nothing to tell. */
  if (model != self->model)
    return;

  if (g_error_matches (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_PASSPHRASE_REQUIRED))
    {
      g_debug ("Upload needs the key's passphrase: %s", error->message);
      ask_key_passphrase (self);
      return;
    }
  /* A wrong passphrase is not kept: the next try asks again. */
  if (g_error_matches (error, TESSERA_CRYPTO_ERROR, TESSERA_CRYPTO_ERROR_WRONG_PASSPHRASE))
    tessera_account_model_set_key_passphrase (model, NULL);
  if (g_error_matches (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_DEVICE_ENROLLED))
    {
      explain_device_enrolled (self, error);
      return;
    }
  if (record == NULL)
    {
      _tessera_window_show_error (self, _("Uploading Failed"), error);
      return;
    }

  title = g_strdup_printf (_("Certificate for “%s” added"), tessera_key_record_get_name (record));
  _tessera_window_show_toast (self, title);
  tessera_window_refresh (self);
}

static void
upload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);

  if (!tessera_account_model_get_can_upload (self->model))
    return;

  dismiss_pending_toast (self);
  tessera_account_model_upload_async (self->model, uploaded_cb, g_object_ref (self));
}

/* Revoke */

typedef struct
{
  TesseraWindow *window;
  char          *label;       /* what is revoked, for the toast */
} RevokeData;

static void
revoke_data_free (RevokeData *data)
{
  g_object_unref (data->window);
  g_free (data->label);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RevokeData, revoke_data_free)

static void
revoked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(RevokeData) data = user_data;
  TesseraAccountModel *model = TESSERA_ACCOUNT_MODEL (object);
  TesseraWindow *self = data->window;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  gboolean revoked;

  revoked = tessera_account_model_revoke_finish (model, result, &error);
  /* An account switched away from: nothing to tell. */
  if (model != self->model)
    return;

  if (!revoked)
    {
      _tessera_window_show_error (self, _("Revoking Failed"), error);
      return;
    }

  title = g_strdup_printf (_("“%s” revoked"), data->label);
  _tessera_window_show_toast (self, title);
  tessera_window_refresh (self);
}

static void
revoke_entry (TesseraWindow    *self,
              TesseraCertEntry *entry)
{
  RevokeData *data;

  /* The dialogs were open while things changed. */
  if (!tessera_account_model_get_can_revoke (self->model))
    return;

  data = g_new0 (RevokeData, 1);
  data->window = g_object_ref (self);
  data->label = _tessera_window_entry_label (entry);
  tessera_account_model_revoke_async (self->model, entry, revoked_cb, data);
}

static void
final_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   TesseraWindow    *self)
{
  TesseraCertEntry *entry = g_object_get_data (G_OBJECT (dialog), "tessera-entry");

  if (g_strcmp0 (response, "revoke") == 0 && entry != NULL)
    revoke_entry (self, entry);
}

static AdwMessageDialog *
create_revoke_dialog (TesseraWindow    *self,
                      TesseraCertEntry *entry,
                      const char       *heading,
                      const char       *body)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "revoke", _("_Revoke"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "revoke", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "tessera-entry", g_object_ref (entry), g_object_unref);
  return dialog;
}

static void
confirm_risky_revoke (TesseraWindow    *self,
                      TesseraCertEntry *entry,
                      const char       *risks,
                      const char       *name)
{
  g_autofree char *heading = g_strdup_printf (_("Really Revoke “%s”?"), name);
  g_autofree char *body = g_strdup_printf (_("%s\n\nType the name “%s” to confirm."), risks, name);
  AdwMessageDialog *dialog = create_revoke_dialog (self, entry, heading, body);

  _tessera_window_require_typed_name (dialog, name);
  g_signal_connect_object (dialog, "response", G_CALLBACK (final_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
first_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   TesseraWindow    *self)
{
  TesseraCertEntry *entry = g_object_get_data (G_OBJECT (dialog), "tessera-entry");
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *risks = NULL;
  g_autofree char *name = NULL;

  if (g_strcmp0 (response, "revoke") != 0 || entry == NULL)
    return;

  entries = g_ptr_array_new ();
  g_ptr_array_add (entries, entry);
  risks = _tessera_window_describe_risks (self, entries, &name);
  if (risks != NULL)
    confirm_risky_revoke (self, entry, risks, name);
  else
    revoke_entry (self, entry);
}

static void
revoke_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  TesseraCertEntry *entry = tessera_cert_list_get_selected (self->cert_list);
  g_autofree char *name = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  /* Several rows selected: one confirmation for all of them. */
  if (tessera_cert_list_get_n_selected (self->cert_list) > 1)
    {
      _tessera_window_revoke_selected (self);
      return;
    }
  if (entry == NULL)
    return;

  name = _tessera_window_entry_label (entry);
  heading = g_strdup_printf (_("Revoke “%s”?"), name);
  fingerprint = tessera_fingerprint_shorten (tessera_cert_entry_get_fingerprint (entry));
  body = g_strdup_printf (_("The certificate %s stops working at once: no device can log in with it "
                            "any more. This cannot be undone."),
                          fingerprint);

  dialog = create_revoke_dialog (self, entry, heading, body);
  g_signal_connect_object (dialog, "response", G_CALLBACK (first_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Export */

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);
  TesseraCertEntry *entry = tessera_cert_list_get_selected (self->cert_list);
  TesseraKeyStore *store = tessera_account_model_get_store (self->model);
  g_autoptr(TesseraKeyRecord) record = NULL;
  TesseraExportDialog *dialog;

  if (entry == NULL || store == NULL)
    return;

  /* A few small files: the action is enabled only for a key that is here. */
  record = tessera_key_store_find_by_fingerprint (store, tessera_cert_entry_get_fingerprint (entry));
  if (record == NULL || tessera_key_record_get_certificate (record) == NULL)
    {
      _tessera_window_show_toast (self, _("The key of this certificate is not on this device"));
      return;
    }

  /* A key saved without a keyring opens with what the user typed in the
   * window's prompt; the dialog copies it and wipes its copy. */
  dialog = tessera_export_dialog_new (GTK_WINDOW (self), store, record,
                                      tessera_account_model_get_key_passphrase (self->model));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Accounts and enrollment */

static void
account_saved_cb (TesseraWindow  *self,
                  TesseraAccount *account)
{
  _tessera_window_reload_accounts (self);
  tessera_window_set_account (self, account);
}

static void
present_account_dialog (TesseraWindow  *self,
                        TesseraAccount *account)
{
  TesseraAccountDialog *dialog = tessera_account_dialog_new (GTK_WINDOW (self), account);

  g_signal_connect_object (dialog, "saved", G_CALLBACK (account_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_account_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  present_account_dialog (TESSERA_WINDOW (widget), NULL);
}

static void
edit_account_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);

  present_account_dialog (self, tessera_window_get_account (self));
}

static void
wizard_account_saved_cb (TesseraWindow  *self,
                         TesseraAccount *account)
{
  _tessera_window_reload_accounts (self);
  /* The first account shows up behind the wizard at once. */
  if (tessera_window_get_account (self) == NULL)
    tessera_window_set_account (self, account);
}

static void
wizard_finished_cb (TesseraWindow  *self,
                    TesseraAccount *account,
                    const char     *fingerprint)
{
  TesseraAccount *current = tessera_window_get_account (self);

  if (current == NULL || g_strcmp0 (tessera_account_get_jid (current), tessera_account_get_jid (account)) != 0)
    tessera_window_set_account (self, account);

  /* Land on the list with this device's new row selected. */
  tessera_account_model_set_select_hint (self->model, fingerprint);
  tessera_window_refresh (self);
}

/**
 * tessera_window_start_enrollment:
 * @self: a #TesseraWindow
 *
 * Opens the enrollment wizard, filled with the current account if any.
 *
 * Returns: (transfer none): the wizard window
 */
GtkWindow *
tessera_window_start_enrollment (TesseraWindow *self)
{
  TesseraEnrollWizard *wizard;

  g_return_val_if_fail (TESSERA_IS_WINDOW (self), NULL);

  wizard = tessera_enroll_wizard_new (GTK_WINDOW (self), tessera_window_get_account (self));
  g_signal_connect_object (wizard, "account-saved", G_CALLBACK (wizard_account_saved_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (wizard, "finished", G_CALLBACK (wizard_finished_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (wizard));
  return GTK_WINDOW (wizard);
}

static void
enroll_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  tessera_window_start_enrollment (TESSERA_WINDOW (widget));
}

/* Built on first use: from gtk/help-overlay.ui, GtkApplication would build
 * it with every window, before the window's first frame. */
static void
show_shortcuts_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  GtkApplicationWindow *window = GTK_APPLICATION_WINDOW (widget);

  if (gtk_application_window_get_help_overlay (window) == NULL)
    {
      g_autoptr(GtkBuilder) builder =
        gtk_builder_new_from_resource ("/io/github/tessera_xmpp/Tessera/tessera-shortcuts-window.ui");

      gtk_application_window_set_help_overlay (window,
                                               GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder,
                                                                                             "help_overlay")));
    }
  gtk_window_present (GTK_WINDOW (gtk_application_window_get_help_overlay (window)));
}

void
_tessera_window_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "win.generate", NULL, generate_action);
  gtk_widget_class_install_action (widget_class, "win.upload", NULL, upload_action);
  gtk_widget_class_install_action (widget_class, "win.revoke", NULL, revoke_action);
  gtk_widget_class_install_action (widget_class, "win.revoke-stale", NULL, _tessera_window_revoke_stale_action);
  gtk_widget_class_install_action (widget_class, "win.export-certificate", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.add-account", NULL, add_account_action);
  gtk_widget_class_install_action (widget_class, "win.edit-account", NULL, edit_account_action);
  gtk_widget_class_install_action (widget_class, "win.enroll", NULL, enroll_action);
  gtk_widget_class_install_action (widget_class, "win.show-help-overlay", NULL, show_shortcuts_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.generate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.revoke", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export-certificate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "win.revoke", NULL);
}
