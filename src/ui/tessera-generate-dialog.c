/* tessera-generate-dialog.c: making a key pair for this device, ready to upload
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-format.h"
#include "tessera-generate-dialog.h"
#include "tessera-other-device-dialog.h"

/* Asks for the device name and key type, then runs the local part of a
 * core #TesseraEnrollment (generate the key off the main thread, save it
 * with its signing request as a pending key); the window uploads it
 * afterwards. */

struct _TesseraGenerateDialog
{
  AdwWindow        parent_instance;

  GtkButton       *generate_button;
  GtkStack            *stack;
  AdwEntryRow         *name_row;
  AdwComboRow         *key_type_row;
  GtkLabel            *error_label;
  GtkSpinner          *spinner;
  GtkButton           *renew_button;
  GtkWidget           *enrolled_box;
  GtkWidget           *other_device_button;

  TesseraKeyStore     *store;
  char                *bare_jid;
  TesseraCertProtocol  protocol;
  GCancellable        *cancellable;
  TesseraEnrollment   *enrollment;   /* once started */
  gboolean             busy;
  char                *error_message;
  gboolean             device_enrolled;   /* refused: this device has its certificate */
};

G_DEFINE_FINAL_TYPE (TesseraGenerateDialog, tessera_generate_dialog, ADW_TYPE_WINDOW)

enum {
  GENERATED,
  N_SIGNALS
};

enum {
  PROP_0,
  PROP_BUSY,
  PROP_ERROR_MESSAGE,
  PROP_DEVICE_ENROLLED,
  N_PROPS
};

static guint signals[N_SIGNALS];
static GParamSpec *properties[N_PROPS];

/* The page, spinner, button and error label are bound to these two. */
static void
set_state (TesseraGenerateDialog *self,
           gboolean               busy,
           const char            *error_message)
{
  if (self->busy != busy)
    {
      self->busy = busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
  if (g_strcmp0 (self->error_message, error_message) != 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (error_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
}

/* The core refused a second certificate for this device: say so, and
 * offer what the user may have meant. */
static void
set_device_enrolled (TesseraGenerateDialog *self,
                     gboolean               enrolled)
{
  if (self->device_enrolled == enrolled)
    return;
  self->device_enrolled = enrolled;
  gtk_widget_set_sensitive (GTK_WIDGET (self->renew_button),
                            tessera_other_device_window_has_action (GTK_WINDOW (self), "win.renew"));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE_ENROLLED]);
}

static void
renew_clicked_cb (TesseraGenerateDialog *self)
{
  tessera_other_device_hand_over (GTK_WINDOW (self), "win.renew");
}

static void
other_device_clicked_cb (TesseraGenerateDialog *self)
{
  tessera_other_device_hand_over (GTK_WINDOW (self), "win.add-other-device");
}

static char *
page_name (gpointer this,
           gboolean busy)
{
  return g_strdup (busy ? "progress" : "form");
}

static gboolean
invert (gpointer this,
        gboolean value)
{
  return !value;
}

static gboolean
is_set (gpointer    this,
        const char *text)
{
  return text != NULL;
}

static void
name_changed_cb (TesseraGenerateDialog *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  set_state (self, self->busy, NULL);
}

static void
generated_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TesseraGenerateDialog) self = user_data;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  record = tessera_enrollment_prepare_finish (TESSERA_ENROLLMENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (g_error_matches (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_DEVICE_ENROLLED))
    {
      set_state (self, FALSE, error->message);
      set_device_enrolled (self, TRUE);
      return;
    }
  if (record == NULL)
    {
      message = g_strdup_printf (_("Could not generate the key pair: %s"), error->message);
      set_state (self, FALSE, message);
      return;
    }

  g_signal_emit (self, signals[GENERATED], 0, record);
  gtk_window_destroy (GTK_WINDOW (self));
}

/**
 * tessera_generate_dialog_generate:
 * @self: a #TesseraGenerateDialog
 *
 * Starts generating with the name and key type entered, as the "Generate"
 * button does.
 */
void
tessera_generate_dialog_generate (TesseraGenerateDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  TesseraKeyType key_type;

  g_return_if_fail (TESSERA_IS_GENERATE_DIALOG (self));

  name = tessera_enrollment_check_name (gtk_editable_get_text (GTK_EDITABLE (self->name_row)), &error);
  if (name == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
      set_state (self, FALSE, error->message);
      return;
    }

  key_type = tessera_format_key_type_at (adw_combo_row_get_selected (self->key_type_row));

  set_state (self, TRUE, NULL);
  set_device_enrolled (self, FALSE);

  /* One enrollment per attempt: a failed one left nothing behind. */
  g_clear_object (&self->enrollment);
  self->enrollment = tessera_enrollment_new (self->store, self->bare_jid, name, key_type);
  tessera_enrollment_prepare_async (self->enrollment, self->protocol, self->cancellable,
                                    generated_cb, g_object_ref (self));
}

static void
generate_clicked_cb (TesseraGenerateDialog *self)
{
  tessera_generate_dialog_generate (self);
}

static gboolean
tessera_generate_dialog_close_request (GtkWindow *window)
{
  TesseraGenerateDialog *self = TESSERA_GENERATE_DIALOG (window);

  /* The enrollment deletes a key it saved after being cancelled. */
  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (tessera_generate_dialog_parent_class)->close_request (window);
}

static void
tessera_generate_dialog_dispose (GObject *object)
{
  TesseraGenerateDialog *self = (TesseraGenerateDialog *) object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->enrollment);
  g_clear_object (&self->store);
  g_clear_pointer (&self->bare_jid, g_free);
  g_clear_pointer (&self->error_message, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_GENERATE_DIALOG);

  G_OBJECT_CLASS (tessera_generate_dialog_parent_class)->dispose (object);
}

static void
tessera_generate_dialog_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  TesseraGenerateDialog *self = TESSERA_GENERATE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    case PROP_DEVICE_ENROLLED:
      g_value_set_boolean (value, self->device_enrolled);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_generate_dialog_class_init (TesseraGenerateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = tessera_generate_dialog_dispose;
  object_class->get_property = tessera_generate_dialog_get_property;
  window_class->close_request = tessera_generate_dialog_close_request;

  /* Generating: the progress page shows */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  /* Why the name or generating failed, or NULL */
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  /* Refused: this device holds a valid certificate already (one per device) */
  properties[PROP_DEVICE_ENROLLED] =
    g_param_spec_boolean ("device-enrolled", NULL, NULL, FALSE, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TesseraGenerateDialog::generated:
   * @self: the dialog
   * @record: the #TesseraKeyRecord of the new key, waiting to be uploaded
   */
  signals[GENERATED] =
    g_signal_new ("generated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, TESSERA_TYPE_KEY_RECORD);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera_xmpp/Tessera/tessera-generate-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraGenerateDialog, generate_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraGenerateDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, TesseraGenerateDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraGenerateDialog, key_type_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraGenerateDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraGenerateDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, TesseraGenerateDialog, renew_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraGenerateDialog, enrolled_box);
  gtk_widget_class_bind_template_child (widget_class, TesseraGenerateDialog, other_device_button);
  gtk_widget_class_bind_template_callback (widget_class, renew_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, other_device_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, generate_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, page_name);
  gtk_widget_class_bind_template_callback (widget_class, invert);
  gtk_widget_class_bind_template_callback (widget_class, is_set);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tessera_generate_dialog_init (TesseraGenerateDialog *self)
{
  g_auto(GStrv) labels = tessera_format_key_type_labels ();
  g_autoptr(GtkStringList) key_types = gtk_string_list_new ((const char * const *) labels);
  g_autofree char *default_name = tessera_format_default_device_name ();

  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  adw_combo_row_set_model (self->key_type_row, G_LIST_MODEL (key_types));
  adw_combo_row_set_selected (self->key_type_row, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), default_name);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->generate_button));
}

/**
 * tessera_generate_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @store: the account's key store
 * @bare_jid: the account
 * @protocol: how the key will be uploaded
 *
 * Returns: (transfer full): a new #TesseraGenerateDialog
 */
TesseraGenerateDialog *
tessera_generate_dialog_new (GtkWindow       *parent,
                             TesseraKeyStore *store,
                             const char      *bare_jid,
                             TesseraCertProtocol  protocol)
{
  TesseraGenerateDialog *self;

  g_return_val_if_fail (TESSERA_IS_KEY_STORE (store), NULL);
  g_return_val_if_fail (bare_jid != NULL, NULL);
  g_return_val_if_fail (protocol != TESSERA_CERT_PROTOCOL_NONE, NULL);

  self = g_object_new (TESSERA_TYPE_GENERATE_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);
  self->bare_jid = g_strdup (bare_jid);
  self->protocol = protocol;
  return self;
}
