/* tessera-export-dialog.c: a certificate and its key, saved for another program
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-export-dialog.h"
#include "tessera-save-form.h"

/* The format, a passphrase typed twice, then a native file chooser (the
 * portal's inside the Flatpak); the key is unlocked and the file written
 * off the main thread, and the last page says how to use the file. */

struct _TesseraExportDialog
{
  AdwWindow            parent_instance;

  GtkButton           *export_button;
  AdwComboRow         *format_row;
  GtkSwitch           *encrypt_switch;
  AdwPasswordEntryRow *passphrase_row;
  AdwPasswordEntryRow *confirm_row;

  TesseraKeyStore     *store;
  TesseraKeyRecord    *record;
  char                *user_passphrase;
  GtkFileChooserNative *chooser;
  GCancellable        *cancellable;

  char                *page;
  char                *error_message;
  char                *hint;
};

G_DEFINE_FINAL_TYPE (TesseraExportDialog, tessera_export_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_PAGE,
  PROP_ERROR_MESSAGE,
  PROP_HINT,
  PROP_PEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_string (TesseraExportDialog  *self,
            char                **field,
            const char           *value,
            guint                 prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
show_error (TesseraExportDialog *self,
            const char          *message)
{
  set_string (self, &self->page, "form", PROP_PAGE);
  set_string (self, &self->error_message, message, PROP_ERROR_MESSAGE);
}

TesseraExportFormat
tessera_export_dialog_get_format (TesseraExportDialog *self)
{
  g_return_val_if_fail (TESSERA_IS_EXPORT_DIALOG (self), TESSERA_EXPORT_FORMAT_PKCS12);

  return tessera_save_form_get_format (self->format_row);
}

static gboolean
wants_encryption (TesseraExportDialog *self)
{
  return tessera_export_dialog_get_format (self) != TESSERA_EXPORT_FORMAT_PEM ||
         gtk_switch_get_active (self->encrypt_switch);
}

/* The passphrase, or NULL with the reason in @message. */
static const char *
checked_passphrase (TesseraExportDialog  *self,
                    const char          **message)
{
  const char *passphrase = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row));
  const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));

  if (*passphrase == '\0')
    {
      *message = _("Choose a passphrase for the file: the other program asks for it once, when it imports the file");
      return NULL;
    }
  if (!g_str_equal (passphrase, confirm))
    {
      *message = _("The two passphrases differ");
      return NULL;
    }
  return passphrase;
}

/* ---- the export, off the main thread ------------------------------------ */

typedef struct
{
  TesseraKeyStore     *store;
  TesseraKeyRecord    *record;
  char                *user_passphrase;
  char                *export_passphrase;
  TesseraExportFormat  format;
  char                *path;
} ExportJob;

static void
export_job_free (ExportJob *job)
{
  g_clear_object (&job->store);
  g_clear_object (&job->record);
  g_clear_pointer (&job->user_passphrase, tessera_secret_free);
  g_clear_pointer (&job->export_passphrase, tessera_secret_free);
  g_free (job->path);
  g_free (job);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportJob *job = task_data;
  GError *error = NULL;
  GBytes *packed;
  gboolean ok;

  packed = tessera_key_export_record (job->store, job->record, job->user_passphrase, job->format,
                                      job->export_passphrase, &error);
  if (packed == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* The chooser asked before replacing an existing file. */
  ok = tessera_export_write_file (job->path, packed, TRUE, &error);
  tessera_export_bytes_free (packed);
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static char *
hint_for (TesseraExportFormat  format,
          const char          *path)
{
  g_autofree char *name = g_path_get_basename (path);

  if (format == TESSERA_EXPORT_FORMAT_PEM)
    return g_strdup_printf (_("Give “%s” to your program as both certificate and key file: in poezio, set "
                              "certfile and keyfile to it. Anyone who has the file and its passphrase can "
                              "log in as you: keep it private."), name);
  return g_strdup_printf (_("Copy “%s” to the phone and install it under Settings → Security → Encryption & "
                            "credentials → Install a certificate, then choose “Login with certificate” in "
                            "Conversations. Delete the copy once it is installed."), name);
}

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TesseraExportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *hint = NULL;
  ExportJob *job = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (_("Could not export the certificate: %s"), error->message);
      show_error (self, message);
      return;
    }

  hint = hint_for (job->format, job->path);
  set_string (self, &self->hint, hint, PROP_HINT);
  set_string (self, &self->page, "done", PROP_PAGE);
}

void
tessera_export_dialog_export_to (TesseraExportDialog *self,
                                 GFile               *file)
{
  g_autoptr(GTask) task = NULL;
  const char *message = NULL;
  const char *passphrase = NULL;
  ExportJob *job;

  g_return_if_fail (TESSERA_IS_EXPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  if (wants_encryption (self) && (passphrase = checked_passphrase (self, &message)) == NULL)
    {
      show_error (self, message);
      return;
    }
  if (g_file_peek_path (file) == NULL)
    {
      show_error (self, _("Could not export the certificate: choose a folder on this computer"));
      return;
    }

  job = g_new0 (ExportJob, 1);
  job->store = g_object_ref (self->store);
  job->record = g_object_ref (self->record);
  job->user_passphrase = g_strdup (self->user_passphrase);
  job->export_passphrase = g_strdup (passphrase);
  job->format = tessera_export_dialog_get_format (self);
  job->path = g_strdup (g_file_peek_path (file));

  set_string (self, &self->error_message, NULL, PROP_ERROR_MESSAGE);
  set_string (self, &self->page, "progress", PROP_PAGE);

  task = g_task_new (self, self->cancellable, exported_cb, g_object_ref (self));
  g_task_set_source_tag (task, tessera_export_dialog_export_to);
  g_task_set_task_data (task, job, (GDestroyNotify) export_job_free);
  g_task_run_in_thread (task, export_thread);
}

/* ---- the file chooser --------------------------------------------------- */

static void
chooser_response_cb (TesseraExportDialog *self,
                     int                  response,
                     GtkNativeDialog     *chooser)
{
  g_autoptr(GFile) file = tessera_save_form_chooser_finish (&self->chooser, chooser, response);

  if (file != NULL)
    tessera_export_dialog_export_to (self, file);
}

static void
export_clicked_cb (TesseraExportDialog *self)
{
  const char *message = NULL;

  /* Say what is wrong before a file is chosen, not after. */
  if (wants_encryption (self) && checked_passphrase (self, &message) == NULL)
    {
      show_error (self, message);
      return;
    }

  self->chooser = tessera_save_form_show_chooser (GTK_WINDOW (self), _("Export Certificate"), _("_Export"),
                                                  tessera_key_record_get_name (self->record),
                                                  tessera_export_dialog_get_format (self),
                                                  G_CALLBACK (chooser_response_cb));
}

static void
form_changed_cb (TesseraExportDialog *self)
{
  set_string (self, &self->error_message, NULL, PROP_ERROR_MESSAGE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEM]);
}

static gboolean
tessera_export_dialog_close_request (GtkWindow *window)
{
  TesseraExportDialog *self = TESSERA_EXPORT_DIALOG (window);

  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (tessera_export_dialog_parent_class)->close_request (window);
}

static void
tessera_export_dialog_dispose (GObject *object)
{
  TesseraExportDialog *self = (TesseraExportDialog *) object;

  g_cancellable_cancel (self->cancellable);
  tessera_save_form_clear_chooser (&self->chooser);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->record);
  g_clear_pointer (&self->user_passphrase, tessera_secret_free);
  g_clear_pointer (&self->page, g_free);
  g_clear_pointer (&self->error_message, g_free);
  g_clear_pointer (&self->hint, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_EXPORT_DIALOG);

  G_OBJECT_CLASS (tessera_export_dialog_parent_class)->dispose (object);
}

static void
tessera_export_dialog_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  TesseraExportDialog *self = TESSERA_EXPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_PAGE:
      g_value_set_string (value, self->page);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    case PROP_HINT:
      g_value_set_string (value, self->hint);
      break;

    case PROP_PEM:
      g_value_set_boolean (value, tessera_export_dialog_get_format (self) == TESSERA_EXPORT_FORMAT_PEM);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_export_dialog_class_init (TesseraExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = tessera_export_dialog_dispose;
  object_class->get_property = tessera_export_dialog_get_property;
  window_class->close_request = tessera_export_dialog_close_request;

  /* "form", "progress" or "done": the stack's page */
  properties[PROP_PAGE] =
    g_param_spec_string ("page", NULL, NULL, "form", (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  /* Why the form or the export failed, or NULL */
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  /* How to use the exported file, once it is written */
  properties[PROP_HINT] =
    g_param_spec_string ("hint", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  /* The PEM format is chosen (the "encrypt" switch shows) */
  properties[PROP_PEM] =
    g_param_spec_boolean ("pem", NULL, NULL, FALSE, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera_xmpp/Tessera/tessera-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraExportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraExportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraExportDialog, encrypt_switch);
  gtk_widget_class_bind_template_child (widget_class, TesseraExportDialog, passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraExportDialog, confirm_row);
  gtk_widget_class_bind_template_callback (widget_class, export_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, form_changed_cb);
  tessera_save_form_bind_closures (widget_class);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tessera_export_dialog_init (TesseraExportDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->page = g_strdup ("form");
  gtk_widget_init_template (GTK_WIDGET (self));

  tessera_save_form_init_format_row (self->format_row);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->export_button));
}

/**
 * tessera_export_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @store: the account's key store
 * @record: a record of @store with a certificate
 * @user_passphrase: (nullable): the passphrase of a key saved without a keyring
 *
 * Returns: (transfer full): a new #TesseraExportDialog
 */
TesseraExportDialog *
tessera_export_dialog_new (GtkWindow        *parent,
                           TesseraKeyStore  *store,
                           TesseraKeyRecord *record,
                           const char       *user_passphrase)
{
  TesseraExportDialog *self;
  TesseraCertificate *cert;
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (store), NULL);
  g_return_val_if_fail (TESSERA_IS_KEY_RECORD (record), NULL);
  cert = tessera_key_record_get_certificate (record);
  g_return_val_if_fail (cert != NULL, NULL);

  self = g_object_new (TESSERA_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->record = g_object_ref (record);
  self->user_passphrase = g_strdup (user_passphrase);
  /* Translators: the window's subtitle: a device name */
  subtitle = g_strdup_printf (_("Export “%s”"), tessera_key_record_get_name (record));
  gtk_window_set_title (GTK_WINDOW (self), subtitle);
  return self;
}
