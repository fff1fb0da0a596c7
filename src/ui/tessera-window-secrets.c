/* tessera-window-secrets.c: the account's password typed in the window, and keeping typed secrets in a keyring
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-enroll-wizard.h"
#include "tessera-window-private.h"

/* On a desktop without a Secret Service (or with no password in it) the
 * model says "needs-password": one dialog asks (and for this device's key
 * passphrase when the user chose it), and the model keeps the answers in
 * memory only. A refused password asks again, with the server's
 * answer. When a keyring answers later, a toast offers to remember what
 * was typed; nothing moves there unless the user says so. */

static void
password_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      TesseraWindow    *self)
{
  /* Held by references of their own: the dialog may be closing already. */
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "tessera-password-entry");
  GtkEditable *key_entry = g_object_get_data (G_OBJECT (dialog), "tessera-key-passphrase-entry");
  TesseraAccountModel *model = g_object_get_data (G_OBJECT (dialog), "tessera-model");
  gboolean log_in = g_strcmp0 (response, "log-in") == 0 && model == self->model;
  gboolean renew = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "tessera-renew"));

  if (log_in && key_entry != NULL && gtk_editable_get_text (key_entry)[0] != '\0')
    tessera_account_model_set_key_passphrase (self->model, gtk_editable_get_text (key_entry));
  if (log_in && gtk_editable_get_text (entry)[0] != '\0')
    {
      self->password_sent = TRUE;
      tessera_account_model_set_password (self->model, gtk_editable_get_text (entry));
      /* Asked for by a renewal that needed it: that renewal goes on. */
      if (renew)
        _tessera_window_start_renewal (self);
    }
  gtk_editable_set_text (entry, "");
  if (key_entry != NULL)
    gtk_editable_set_text (key_entry, "");
}

/* The first time says why it asks; after a refused password, the
 * server's answer comes first. */
static char *
password_body (TesseraWindow *self,
               const char    *renew_error)
{
  TesseraAccount *account = tessera_account_model_get_account (self->model);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *last_error = NULL;

  /* A renewal says why it failed, then what the password is for. */
  if (renew_error != NULL)
    {
      g_string_append_printf (body, "%s\n\n", renew_error);
      g_string_append_printf (body, _("Enter the password of %s to renew this device’s certificate. Tessera "
                                      "keeps it in memory until it quits and writes it nowhere."),
                              tessera_account_get_jid (account));
      return g_string_free (g_steal_pointer (&body), FALSE);
    }
  g_object_get (self->model, "last-error", &last_error, NULL);
  if (self->password_sent && last_error != NULL)
    g_string_append_printf (body, "%s\n\n", last_error);
  g_string_append_printf (body, _("Enter the password of %s to load its certificates. Tessera keeps it in "
                                  "memory until it quits and writes it nowhere."),
                          tessera_account_get_jid (account));
  if (tessera_account_model_get_needs_key_passphrase (self->model))
    g_string_append_printf (body, "\n\n%s",
                            _("This device’s key is protected by a passphrase you chose: enter it too."));
  return g_string_free (g_steal_pointer (&body), FALSE);
}

static GtkWidget *
add_row (GtkListBox *list,
         const char *title,
         const char *name)
{
  GtkWidget *row = adw_password_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_name (row, name);
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (row), TRUE);
  gtk_list_box_append (list, row);
  return row;
}

/* The wizard in front has the user's attention; the refresh after it
 * finishes asks again. */
static gboolean
wizard_is_open (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (TESSERA_IS_ENROLL_WIZARD (l->data) && gtk_widget_get_visible (l->data))
      return TRUE;
  return FALSE;
}

static void
ask_password (TesseraWindow *self,
              const char    *renew_error)
{
  AdwMessageDialog *dialog;
  GtkListBox *list;
  GtkWidget *entry;
  g_autofree char *body = NULL;

  /* A prompt already shown (a refused load) serves the renewal too. */
  if (self->password_dialog != NULL && renew_error != NULL)
    g_object_set_data (G_OBJECT (self->password_dialog), "tessera-renew", GINT_TO_POINTER (TRUE));
  if (self->password_dialog != NULL || wizard_is_open ())
    return;

  body = password_body (self, renew_error);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Account Password"), body));
  list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (list), "boxed-list");
  entry = add_row (list, _("Password"), "account-password-entry");
  g_object_set_data_full (G_OBJECT (dialog), "tessera-password-entry", g_object_ref (entry), g_object_unref);
  if (tessera_account_model_get_needs_key_passphrase (self->model))
    {
      GtkWidget *key_entry = add_row (list, _("Key Passphrase"), "key-passphrase-entry");

      g_object_set_data_full (G_OBJECT (dialog), "tessera-key-passphrase-entry", g_object_ref (key_entry),
                              g_object_unref);
    }
  adw_message_dialog_set_extra_child (dialog, GTK_WIDGET (list));
  g_object_set_data_full (G_OBJECT (dialog), "tessera-model", g_object_ref (self->model), g_object_unref);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "log-in", _("_Log In"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "log-in", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "log-in");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "tessera-renew", GINT_TO_POINTER (renew_error != NULL));
  g_signal_connect_object (dialog, "response", G_CALLBACK (password_response_cb), self, 0);

  self->password_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->password_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
offer_remember (TesseraWindow *self)
{
  AdwToast *toast;

  if (self->remember_toast != NULL)
    return;

  toast = adw_toast_new (_("A keyring is available now"));
  adw_toast_set_button_label (toast, _("_Remember in Keyring"));
  adw_toast_set_action_name (toast, "win.remember-secrets");
  /* Stays until used or dismissed: it is the only place that offers it. */
  adw_toast_set_timeout (toast, 0);
  self->remember_toast = toast;
  g_object_add_weak_pointer (G_OBJECT (toast), (gpointer *) &self->remember_toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * _tessera_window_follow_secrets:
 * @self: a #TesseraWindow
 * @name: the model's property that changed
 *
 * Asks for the password or offers the keyring when the model says so.
 */
void
_tessera_window_follow_secrets (TesseraWindow *self,
                                const char    *name)
{
  if (g_str_equal (name, "needs-password") && tessera_account_model_get_needs_password (self->model))
    ask_password (self, NULL);
  else if (g_str_equal (name, "can-remember") && tessera_account_model_get_can_remember (self->model))
    offer_remember (self);
}

/**
 * _tessera_window_ask_password_to_renew:
 * @self: a #TesseraWindow
 * @error: why the renewal failed
 *
 * Asks for the account's password that renewing an expired certificate
 * needs (no password was typed, and none is in a keyring, or the server
 * refused it); the answer starts the renewal again.
 */
void
_tessera_window_ask_password_to_renew (TesseraWindow *self,
                                       const GError  *error)
{
  ask_password (self, error->message);
}

/**
 * _tessera_window_drop_secrets_ui:
 * @self: a #TesseraWindow
 *
 * Closes the prompt and the offer of a model the window no longer shows.
 */
void
_tessera_window_drop_secrets_ui (TesseraWindow *self)
{
  if (self->password_dialog != NULL)
    {
      AdwMessageDialog *dialog = self->password_dialog;

      g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->password_dialog);
      self->password_dialog = NULL;
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
  if (self->remember_toast != NULL)
    {
      AdwToast *toast = self->remember_toast;

      g_object_remove_weak_pointer (G_OBJECT (toast), (gpointer *) &self->remember_toast);
      self->remember_toast = NULL;
      adw_toast_dismiss (toast);
    }
  self->password_sent = FALSE;
}

static void
remembered_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TesseraWindow) self = user_data;
  TesseraAccountModel *model = TESSERA_ACCOUNT_MODEL (object);
  g_autoptr(GError) error = NULL;

  if (!tessera_account_model_remember_finish (model, result, &error))
    {
      if (model == self->model && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _tessera_window_show_error (self, _("Remembering Failed"), error);
      return;
    }
  if (model == self->model)
    _tessera_window_show_toast (self, _("Remembered in the keyring"));
}

static void
remember_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  TesseraWindow *self = TESSERA_WINDOW (widget);

  if (!tessera_account_model_get_can_remember (self->model))
    return;
  tessera_account_model_remember_async (self->model, remembered_cb, g_object_ref (self));
}

void
_tessera_window_class_init_secrets (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.remember-secrets", NULL, remember_action);
}
