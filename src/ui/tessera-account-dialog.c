/* tessera-account-dialog.c: adding or editing an account
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-account-dialog.h"
#include "tessera-account-form.h"

/* "Connect" checks the settings and shows what the server supports; the same
 * button then reads "Save" and stores the account and its password. */

struct _TesseraAccountDialog
{
  AdwWindow           parent_instance;

  AdwWindowTitle     *window_title;
  GtkButton          *connect_button;
  TesseraAccountForm *form;

  GCancellable       *cancellable;
};

G_DEFINE_FINAL_TYPE (TesseraAccountDialog, tessera_account_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Closures of the .ui file's bindings: the button follows the form */

static char *
connect_label (gpointer this,
               gboolean checked)
{
  return g_strdup (checked ? _("_Save") : _("C_onnect"));
}

static gboolean
invert (gpointer this,
        gboolean value)
{
  return !value;
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(TesseraAccountDialog) self = user_data;
  TesseraAccountForm *form = self->form;

  /* The form shows the error itself. */
  if (!tessera_account_check_save_finish (TESSERA_ACCOUNT_CHECK (object), result, NULL))
    return;

  g_signal_emit (self, signals[SAVED], 0, tessera_account_form_get_checked_account (form));
  gtk_window_close (GTK_WINDOW (self));
}

static void
checked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TesseraAccountDialog) self = user_data;

  /* Errors and results are shown by the form; the button becomes "Save". */
  tessera_account_form_check_finish (TESSERA_ACCOUNT_FORM (object), result, NULL);
}

static void
connect_clicked_cb (TesseraAccountDialog *self)
{
  if (tessera_account_form_get_checked (self->form))
    tessera_account_check_save_async (tessera_account_form_get_check (self->form),
                                      tessera_account_form_get_password (self->form),
                                      self->cancellable, saved_cb, g_object_ref (self));
  else
    tessera_account_form_check_async (self->form, self->cancellable, checked_cb, g_object_ref (self));
}

static gboolean
tessera_account_dialog_close_request (GtkWindow *window)
{
  TesseraAccountDialog *self = TESSERA_ACCOUNT_DIALOG (window);

  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (tessera_account_dialog_parent_class)->close_request (window);
}

static void
tessera_account_dialog_dispose (GObject *object)
{
  TesseraAccountDialog *self = (TesseraAccountDialog *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_ACCOUNT_DIALOG);

  G_OBJECT_CLASS (tessera_account_dialog_parent_class)->dispose (object);
}

static void
tessera_account_dialog_class_init (TesseraAccountDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = tessera_account_dialog_dispose;
  window_class->close_request = tessera_account_dialog_close_request;

  /**
   * TesseraAccountDialog::saved:
   * @self: the dialog
   * @account: the saved #TesseraAccount
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, TESSERA_TYPE_ACCOUNT);

  g_type_ensure (TESSERA_TYPE_ACCOUNT_FORM);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera_xmpp/Tessera/tessera-account-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountDialog, connect_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraAccountDialog, form);
  gtk_widget_class_bind_template_callback (widget_class, connect_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, connect_label);
  gtk_widget_class_bind_template_callback (widget_class, invert);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tessera_account_dialog_init (TesseraAccountDialog *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * tessera_account_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @account: (nullable): an account to edit, %NULL to add one
 *
 * Returns: (transfer full): a new #TesseraAccountDialog
 */
TesseraAccountDialog *
tessera_account_dialog_new (GtkWindow      *parent,
                            TesseraAccount *account)
{
  TesseraAccountDialog *self;

  self = g_object_new (TESSERA_TYPE_ACCOUNT_DIALOG,
                       "transient-for", parent,
                       NULL);
  if (account != NULL)
    {
      adw_window_title_set_title (self->window_title, _("Edit Account"));
      adw_window_title_set_subtitle (self->window_title, tessera_account_get_jid (account));
      tessera_account_form_set_account (self->form, account);
    }
  return self;
}

/**
 * tessera_account_dialog_get_form:
 * @self: a #TesseraAccountDialog
 *
 * Returns: (transfer none): the #TesseraAccountForm
 */
GtkWidget *
tessera_account_dialog_get_form (TesseraAccountDialog *self)
{
  g_return_val_if_fail (TESSERA_IS_ACCOUNT_DIALOG (self), NULL);

  return GTK_WIDGET (self->form);
}
