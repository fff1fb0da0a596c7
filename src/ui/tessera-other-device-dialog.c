/* tessera-other-device-dialog.c: a certificate for a phone, a tablet or a bot, saved to a file
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-format.h"
#include "tessera-other-device-dialog.h"
#include "tessera-save-form.h"

/* The key is made here, certified by the server, written to the file the
 * native file chooser (the portal's inside the Flatpak) gave, and erased
 * here: the core's TesseraEnrollment does all of it, journaled, so an
 * interruption is finished or cleaned up by the next operation. */

struct _TesseraOtherDeviceDialog
{
  AdwWindow             parent_instance;

  GtkButton            *save_button;
  AdwEntryRow          *name_row;
  AdwComboRow          *key_type_row;
  AdwComboRow          *format_row;
  GtkSwitch            *encrypt_switch;
  AdwPasswordEntryRow  *passphrase_row;
  AdwPasswordEntryRow  *confirm_row;

  TesseraSession       *session;
  TesseraEnrollment    *enrollment;   /* once started */
  GtkFileChooserNative *chooser;
  GCancellable         *cancellable;

  char                 *page;
  char                 *error_message;
  char                 *hint;
  char                 *progress;
  gboolean              probed;        /* whether a keyring answers is known */
  gboolean              no_keyring;    /* none does: the key waits under the typed passphrase */
  GFile                *pending_file;  /* chosen before the probe answered */
};

G_DEFINE_FINAL_TYPE (TesseraOtherDeviceDialog, tessera_other_device_dialog, ADW_TYPE_WINDOW)

enum {
  ENROLLED,
  N_SIGNALS
};

enum {
  PROP_0,
  PROP_PAGE,
  PROP_ERROR_MESSAGE,
  PROP_HINT,
  PROP_PROGRESS,
  PROP_PEM,
  PROP_NO_KEYRING,
  N_PROPS
};

static guint signals[N_SIGNALS];
static GParamSpec *properties[N_PROPS];

static void
set_string (TesseraOtherDeviceDialog  *self,
            char                     **field,
            const char                *value,
            guint                      prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
show_error (TesseraOtherDeviceDialog *self,
            const char               *message)
{
  set_string (self, &self->page, "form", PROP_PAGE);
  set_string (self, &self->error_message, message, PROP_ERROR_MESSAGE);
}

static TesseraExportFormat
get_format (TesseraOtherDeviceDialog *self)
{
  return tessera_save_form_get_format (self->format_row);
}

static gboolean
wants_encryption (TesseraOtherDeviceDialog *self)
{
  return get_format (self) != TESSERA_EXPORT_FORMAT_PEM || gtk_switch_get_active (self->encrypt_switch);
}

/* The file's passphrase, or, without a keyring, the one that protects
 * the key while it waits here for its file (the same one when the file is
 * encrypted). */
static gboolean
needs_passphrase (TesseraOtherDeviceDialog *self)
{
  return wants_encryption (self) || self->no_keyring;
}

/* The checked name and, when the file is encrypted, the passphrase; FALSE
 * with the reason shown. */
static gboolean
check_form (TesseraOtherDeviceDialog  *self,
            char                     **name,
            const char               **passphrase)
{
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row));
  const char *confirm = gtk_editable_get_text (GTK_EDITABLE (self->confirm_row));
  g_autoptr(GError) error = NULL;

  *name = tessera_enrollment_check_name (gtk_editable_get_text (GTK_EDITABLE (self->name_row)), &error);
  if (*name == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
      show_error (self, error->message);
      return FALSE;
    }
  *passphrase = NULL;
  if (!needs_passphrase (self))
    return TRUE;
  if (*typed == '\0' && !wants_encryption (self))
    show_error (self, _("Choose a passphrase: no keyring is available, so it protects the key on this computer "
                        "until the file is written"));
  else if (*typed == '\0')
    show_error (self, _("Choose a passphrase for the file: the other device asks for it once, when it imports "
                        "the file"));
  else if (!g_str_equal (typed, confirm))
    show_error (self, _("The two passphrases differ"));
  else
    *passphrase = typed;
  if (*passphrase == NULL)
    g_clear_pointer (name, g_free);
  return *passphrase != NULL;
}

/* ---- the enrollment ----------------------------------------------------- */

static char *
hint_for (TesseraExportFormat  format,
          const char          *path)
{
  g_autofree char *name = g_path_get_basename (path);

  if (format == TESSERA_EXPORT_FORMAT_PEM)
    return g_strdup_printf (_("Copy “%s” to the other device and give it to the program as both certificate "
                              "and key file: in poezio, set certfile and keyfile to it; a slixmpp or libstrophe "
                              "program takes it as its client certificate and key. Anyone who has the file "
                              "can log in as you: delete the copy here once the device has it."), name);
  return g_strdup_printf (_("Copy “%s” to the phone and install it in Android’s credential store: Settings → "
                            "Security → Encryption & credentials → Install a certificate → VPN & app user "
                            "certificate. Then choose “Login with certificate” in Conversations. Delete the "
                            "copy here once it is installed."), name);
}

static void
step_cb (TesseraOtherDeviceDialog *self)
{
  const char *text = NULL;

  switch (tessera_enrollment_get_step (self->enrollment))
    {
    case TESSERA_ENROLLMENT_STEP_GENERATING:
      text = _("Generating the key pair…");
      break;
    case TESSERA_ENROLLMENT_STEP_SAVING:
      text = _("Saving the key until the file is written…");
      break;
    case TESSERA_ENROLLMENT_STEP_UPLOADING:
      text = _("Asking the server for the certificate, then writing the file…");
      break;
    default:
      text = _("Checking the account…");
      break;
    }
  set_string (self, &self->progress, text, PROP_PROGRESS);
}

static void
enrolled_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TesseraOtherDeviceDialog) self = user_data;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *hint = NULL;

  record = tessera_enrollment_run_finish (TESSERA_ENROLLMENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (record == NULL)
    {
      message = g_strdup_printf (_("Could not add the device: %s"), error->message);
      show_error (self, message);
      return;
    }

  hint = hint_for (get_format (self), tessera_key_record_get_output_path (record));
  set_string (self, &self->hint, hint, PROP_HINT);
  set_string (self, &self->page, "done", PROP_PAGE);
  g_signal_emit (self, signals[ENROLLED], 0, record);
}

void
tessera_other_device_dialog_save_to (TesseraOtherDeviceDialog *self,
                                     GFile                    *file)
{
  g_autofree char *name = NULL;
  const char *passphrase = NULL;
  TesseraKeyType key_type;

  g_return_if_fail (TESSERA_IS_OTHER_DEVICE_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  if (!check_form (self, &name, &passphrase))
    return;
  /* Whether a keyring answers decides where the key's passphrase lives. */
  if (!self->probed)
    {
      g_set_object (&self->pending_file, file);
      set_string (self, &self->page, "progress", PROP_PAGE);
      return;
    }
  if (g_file_peek_path (file) == NULL)
    {
      show_error (self, _("Could not add the device: choose a folder on this computer"));
      return;
    }

  key_type = tessera_format_key_type_at (adw_combo_row_get_selected (self->key_type_row));
  set_string (self, &self->error_message, NULL, PROP_ERROR_MESSAGE);
  set_string (self, &self->page, "progress", PROP_PAGE);

  /* One enrollment per attempt: a failed one cleaned up after itself. */
  if (self->enrollment != NULL)
    g_signal_handlers_disconnect_by_data (self->enrollment, self);
  g_clear_object (&self->enrollment);
  self->enrollment = tessera_session_new_enrollment (self->session, name, key_type);
  /* The chooser asked before replacing an existing file. */
  tessera_enrollment_set_other_device (self->enrollment, g_file_peek_path (file), get_format (self),
                                       wants_encryption (self) ? passphrase : NULL, TRUE);
  /* Without a keyring no random passphrase can be kept for the key: the
   * typed one protects it until the file is written and it is erased. */
  if (self->no_keyring)
    tessera_enrollment_set_user_passphrase (self->enrollment, passphrase);
  g_signal_connect_object (self->enrollment, "notify::step", G_CALLBACK (step_cb), self, G_CONNECT_SWAPPED);
  step_cb (self);
  tessera_enrollment_run_async (self->enrollment, self->cancellable, enrolled_cb, g_object_ref (self));
}

/* ---- the file chooser --------------------------------------------------- */

static void
chooser_response_cb (TesseraOtherDeviceDialog *self,
                     int                       response,
                     GtkNativeDialog          *chooser)
{
  g_autoptr(GFile) file = tessera_save_form_chooser_finish (&self->chooser, chooser, response);

  if (file != NULL)
    tessera_other_device_dialog_save_to (self, file);
}

static void
save_clicked_cb (TesseraOtherDeviceDialog *self)
{
  g_autofree char *name = NULL;
  const char *passphrase = NULL;

  /* Say what is wrong before a file is chosen, not after. */
  if (!check_form (self, &name, &passphrase))
    return;

  self->chooser = tessera_save_form_show_chooser (GTK_WINDOW (self), _("Save the File for the Other Device"),
                                                  _("_Save"), name, get_format (self),
                                                  G_CALLBACK (chooser_response_cb));
}

static void
form_changed_cb (TesseraOtherDeviceDialog *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  set_string (self, &self->error_message, NULL, PROP_ERROR_MESSAGE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEM]);
}

static char *
passphrase_description (gpointer this,
                        gboolean pem,
                        gboolean encrypt,
                        gboolean no_keyring)
{
  if (!no_keyring)
    return g_strdup (_("The other device asks for it once, when it imports the file."));
  if (pem && !encrypt)
    return g_strdup (_("No keyring is available: until the file is written, the key waits on this computer "
                       "protected by this passphrase. The file itself is not encrypted."));
  return g_strdup (_("The other device asks for it once, when it imports the file. No keyring is available: "
                     "until the file is written, the key waits on this computer protected by it too."));
}

/* ---- the refusal of a second certificate for this device ------------------ */

gboolean
tessera_other_device_window_has_action (GtkWindow  *dialog,
                                        const char *action)
{
  GtkWindow *parent = gtk_window_get_transient_for (dialog);
  GtkWidgetClass *klass;
  const GVariantType *parameter_type;
  const char *property;
  const char *name;
  GType owner;

  if (parent == NULL)
    return FALSE;
  /* None of the out arguments may be NULL. */
  klass = GTK_WIDGET_GET_CLASS (parent);
  for (guint i = 0; gtk_widget_class_query_action (klass, i, &owner, &name, &parameter_type, &property); i++)
    {
      if (g_str_equal (name, action))
        return TRUE;
    }
  return FALSE;
}

void
tessera_other_device_hand_over (GtkWindow  *dialog,
                                const char *action)
{
  GtkWindow *parent = gtk_window_get_transient_for (dialog);

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), action, NULL);
  gtk_window_close (dialog);
}

/* ---- GObject -------------------------------------------------------------- */

static gboolean
tessera_other_device_dialog_close_request (GtkWindow *window)
{
  TesseraOtherDeviceDialog *self = TESSERA_OTHER_DEVICE_DIALOG (window);

  /* The enrollment cleans up after a cancellation, or the next operation
   * finishes what the server already did (the journal). */
  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (tessera_other_device_dialog_parent_class)->close_request (window);
}

static void
tessera_other_device_dialog_dispose (GObject *object)
{
  TesseraOtherDeviceDialog *self = (TesseraOtherDeviceDialog *) object;

  g_cancellable_cancel (self->cancellable);
  tessera_save_form_clear_chooser (&self->chooser);
  if (self->enrollment != NULL)
    g_signal_handlers_disconnect_by_data (self->enrollment, self);
  g_clear_object (&self->enrollment);
  g_clear_object (&self->pending_file);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_pointer (&self->page, g_free);
  g_clear_pointer (&self->error_message, g_free);
  g_clear_pointer (&self->hint, g_free);
  g_clear_pointer (&self->progress, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_OTHER_DEVICE_DIALOG);

  G_OBJECT_CLASS (tessera_other_device_dialog_parent_class)->dispose (object);
}

static void
keyring_probed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TesseraOtherDeviceDialog *self = user_data;
  g_autoptr(GFile) file = NULL;
  gboolean available = tessera_secret_is_available_finish (result);

  /* Not held by a reference (the dialog must not outlive its window):
   * cancelled by dispose, so a dialog that is gone is never touched. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  self->probed = TRUE;
  self->no_keyring = !available;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NO_KEYRING]);
  file = g_steal_pointer (&self->pending_file);
  if (file != NULL)
    {
      set_string (self, &self->page, "form", PROP_PAGE);
      tessera_other_device_dialog_save_to (self, file);
    }
}

static void
tessera_other_device_dialog_get_property (GObject    *object,
                                          guint       prop_id,
                                          GValue     *value,
                                          GParamSpec *pspec)
{
  TesseraOtherDeviceDialog *self = TESSERA_OTHER_DEVICE_DIALOG (object);

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

    case PROP_PROGRESS:
      g_value_set_string (value, self->progress);
      break;

    case PROP_PEM:
      g_value_set_boolean (value, get_format (self) == TESSERA_EXPORT_FORMAT_PEM);
      break;

    case PROP_NO_KEYRING:
      g_value_set_boolean (value, self->no_keyring);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_other_device_dialog_class_init (TesseraOtherDeviceDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tessera_other_device_dialog_dispose;
  object_class->get_property = tessera_other_device_dialog_get_property;
  window_class->close_request = tessera_other_device_dialog_close_request;

  /* "form", "progress" or "done": the stack's page */
  properties[PROP_PAGE] = g_param_spec_string ("page", NULL, NULL, "form", flags);
  /* Why the form or the enrollment failed, or NULL */
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, flags);
  /* What to do with the file on the other device, once it is written */
  properties[PROP_HINT] = g_param_spec_string ("hint", NULL, NULL, NULL, flags);
  /* The enrollment's step, said for the progress page */
  properties[PROP_PROGRESS] = g_param_spec_string ("progress", NULL, NULL, NULL, flags);
  /* The PEM format is chosen (the "encrypt" switch shows) */
  properties[PROP_PEM] = g_param_spec_boolean ("pem", NULL, NULL, FALSE, flags);
  /* No Secret Service answers: a passphrase is asked even for a file
   * that is not encrypted, for the key while it is here */
  properties[PROP_NO_KEYRING] = g_param_spec_boolean ("no-keyring", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TesseraOtherDeviceDialog::enrolled:
   * @record: the other device's #TesseraKeyRecord (its key is erased here)
   */
  signals[ENROLLED] = g_signal_new ("enrolled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                    NULL, G_TYPE_NONE, 1, TESSERA_TYPE_KEY_RECORD);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tessera_xmpp/Tessera/tessera-other-device-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraOtherDeviceDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraOtherDeviceDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraOtherDeviceDialog, key_type_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraOtherDeviceDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraOtherDeviceDialog, encrypt_switch);
  gtk_widget_class_bind_template_child (widget_class, TesseraOtherDeviceDialog, passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraOtherDeviceDialog, confirm_row);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, form_changed_cb);
  tessera_save_form_bind_closures (widget_class);
  gtk_widget_class_bind_template_callback (widget_class, passphrase_description);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tessera_other_device_dialog_init (TesseraOtherDeviceDialog *self)
{
  g_auto(GStrv) labels = tessera_format_key_type_labels ();
  g_autoptr(GtkStringList) key_types = gtk_string_list_new ((const char * const *) labels);

  self->cancellable = g_cancellable_new ();
  self->page = g_strdup ("form");
  gtk_widget_init_template (GTK_WIDGET (self));

  adw_combo_row_set_model (self->key_type_row, G_LIST_MODEL (key_types));
  adw_combo_row_set_selected (self->key_type_row, 0);
  tessera_save_form_init_format_row (self->format_row);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), _("Phone"));
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->save_button));
  tessera_secret_is_available_async (self->cancellable, keyring_probed_cb, self);
}

/**
 * tessera_other_device_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @session: the account's session
 *
 * Returns: (transfer full): a new #TesseraOtherDeviceDialog
 */
TesseraOtherDeviceDialog *
tessera_other_device_dialog_new (GtkWindow      *parent,
                                 TesseraSession *session)
{
  TesseraOtherDeviceDialog *self;

  g_return_val_if_fail (TESSERA_IS_SESSION (session), NULL);

  self = g_object_new (TESSERA_TYPE_OTHER_DEVICE_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  return self;
}
