/* tessera-enroll-wizard.c: first-run enrollment of this device
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-account-form.h"
#include "tessera-enroll-wizard.h"
#include "tessera-format.h"
#include "tessera-key-passphrase.h"
#include "tessera-other-device-dialog.h"
#include "tessera-wizard-flow.h"

/* The pages, buttons and progress rows follow the TesseraWizardFlow (the
 * template's "flow") through bindings in tessera-enroll-wizard.ui; the flow
 * runs the enrollment and its cleanup. What stays here is what needs the
 * widgets: the account form, the device name check, the dialogs. */

struct _TesseraEnrollWizard
{
  AdwWindow           parent_instance;

  GtkButton          *cancel_button;
  GtkButton          *back_button;
  GtkButton          *next_button;
  GtkStack           *stack;
  TesseraAccountForm *form;
  AdwEntryRow        *device_name_row;
  AdwComboRow        *key_type_row;
  GtkLabel           *device_error_label;
  AdwActionRow       *generate_row;
  AdwActionRow       *upload_row;
  AdwActionRow       *verify_row;
  GtkStack           *generate_state;
  GtkStack           *upload_state;
  GtkStack           *verify_state;
  GtkLabel           *progress_error_label;
  GtkButton          *renew_button;
  GtkWidget          *enrolled_box;
  TesseraWizardFlow  *flow;
  TesseraKeyPassphrase *key_passphrase;
  AdwPreferencesGroup *passphrase_group;
  AdwPasswordEntryRow *passphrase_row;
  AdwPasswordEntryRow *passphrase_repeat_row;
  GtkLabel           *passphrase_hint_label;
};

G_DEFINE_FINAL_TYPE (TesseraEnrollWizard, tessera_enroll_wizard, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_PAGE,
  PROP_BUSY,
  N_PROPS
};

enum {
  ACCOUNT_SAVED,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Closures of the .ui file's bindings */

static const char *
page_name (TesseraWizardStep step)
{
  switch (step)
    {
    case TESSERA_WIZARD_STEP_WELCOME:
      return "welcome";
    case TESSERA_WIZARD_STEP_ACCOUNT:
      return "account";
    case TESSERA_WIZARD_STEP_DEVICE:
      return "device";
    case TESSERA_WIZARD_STEP_DONE:
      return "done";
    case TESSERA_WIZARD_STEP_GENERATE:
    case TESSERA_WIZARD_STEP_UPLOAD:
    case TESSERA_WIZARD_STEP_VERIFY:
    default:
      return "progress";
    }
}

static char *
page_for_step (gpointer          this,
               TesseraWizardStep step)
{
  return g_strdup (page_name (step));
}

/* The icon of an enrollment step's row: "pending", "running", "done" or "failed" */
static char *
row_state (gpointer          this,
           TesseraWizardStep step,
           gboolean          busy,
           gboolean          failed,
           TesseraWizardStep row)
{
  if (step < TESSERA_WIZARD_STEP_GENERATE || step < row)
    return g_strdup ("pending");
  if (step > row)
    return g_strdup ("done");
  if (failed)
    return g_strdup ("failed");
  return g_strdup (busy ? "running" : "pending");
}

static gboolean
is_running (gpointer          this,
            const char       *state)
{
  return g_strcmp0 (state, "running") == 0;
}

static char *
generate_detail (gpointer          this,
                 TesseraWizardStep step,
                 TesseraKeyRecord *record)
{
  if (step <= TESSERA_WIZARD_STEP_GENERATE || record == NULL)
    return g_strdup ("");
  return g_strdup (tessera_key_type_get_label (tessera_key_record_get_key_type (record)));
}

static char *
upload_detail (gpointer          this,
               TesseraWizardStep step,
               TesseraKeyRecord *record)
{
  TesseraCertificate *certificate = record != NULL ? tessera_key_record_get_certificate (record) : NULL;

  if (step <= TESSERA_WIZARD_STEP_UPLOAD || certificate == NULL)
    return g_strdup ("");
  if (tessera_certificate_is_self_signed (certificate))
    return g_strdup (_("Self-signed certificate added (XEP-0257)"));
  return g_strdup_printf (_("Issued by %s"), tessera_certificate_get_issuer (certificate));
}

static char *
verify_detail (gpointer          this,
               TesseraWizardStep step,
               const char       *bound_jid)
{
  return g_strdup (step > TESSERA_WIZARD_STEP_VERIFY && bound_jid != NULL ? bound_jid : "");
}

static char *
done_description (gpointer        this,
                  TesseraAccount *account)
{
  if (account == NULL)
    return NULL;
  return g_strdup_printf (_("It logged in to %s with its new certificate alone: no password was sent."),
                          tessera_account_get_domain (account));
}

static char *
fingerprint_lines (gpointer    this,
                   const char *fingerprint)
{
  return fingerprint != NULL ? tessera_format_fingerprint_lines (fingerprint) : NULL;
}

static char *
next_label (gpointer          this,
            TesseraWizardStep step,
            gboolean          checked)
{
  switch (step)
    {
    case TESSERA_WIZARD_STEP_ACCOUNT:
      return g_strdup (checked ? _("_Next") : _("C_onnect"));
    case TESSERA_WIZARD_STEP_DEVICE:
      return g_strdup (_("_Set Up"));
    case TESSERA_WIZARD_STEP_GENERATE:
    case TESSERA_WIZARD_STEP_UPLOAD:
    case TESSERA_WIZARD_STEP_VERIFY:
      return g_strdup (_("_Try Again"));
    case TESSERA_WIZARD_STEP_DONE:
      return g_strdup (_("_Done"));
    case TESSERA_WIZARD_STEP_WELCOME:
    default:
      return g_strdup (_("_Next"));
    }
}

static gboolean
next_visible (gpointer          this,
              TesseraWizardStep step,
              gboolean          failed)
{
  return g_str_equal (page_name (step), "progress") ? failed : TRUE;
}

static gboolean
next_sensitive (gpointer          this,
                TesseraWizardStep step,
                gboolean          busy,
                gboolean          form_busy)
{
  return !busy && !(form_busy && step == TESSERA_WIZARD_STEP_ACCOUNT);
}

static gboolean
back_visible (gpointer          this,
              TesseraWizardStep step)
{
  return step != TESSERA_WIZARD_STEP_WELCOME && step != TESSERA_WIZARD_STEP_DONE;
}

static gboolean
back_sensitive (gpointer          this,
                TesseraWizardStep step,
                gboolean          cleaning,
                gboolean          form_busy)
{
  return !cleaning && !(form_busy && step == TESSERA_WIZARD_STEP_DEVICE);
}

static gboolean
not_done (gpointer          this,
          TesseraWizardStep step)
{
  return step != TESSERA_WIZARD_STEP_DONE;
}

static gboolean
invert (gpointer this,
        gboolean value)
{
  return !value;
}

/* Cleaning up when leaving early: the flow asks, the wizard shows */

static void
revoke_response_cb (TesseraEnrollWizard *self,
                    const char          *response)
{
  tessera_wizard_flow_answer_revoke (self->flow, g_strcmp0 (response, "revoke") == 0);
}

static void
confirm_revoke_cb (TesseraEnrollWizard *self)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Revoke the New Certificate?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  _("A certificate for “%s” was added to your account, but logging in with it "
                                    "was not checked. Revoke it, or keep it and check it later?"),
                                  tessera_wizard_flow_get_device_name (self->flow));
  adw_message_dialog_add_responses (dialog,
                                    "keep", _("_Keep"),
                                    "revoke", _("_Revoke"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "revoke", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "revoke");
  adw_message_dialog_set_close_response (dialog, "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (revoke_response_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
close_now (TesseraEnrollWizard *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

/* Revoking the unverified certificate failed: says so. */
static AdwMessageDialog *
show_cleanup_error (TesseraEnrollWizard *self,
                    const GError        *error)
{
  AdwMessageDialog *dialog;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return NULL;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Revoking Failed"), NULL));
  adw_message_dialog_format_body (dialog, _("The new certificate is still on your account: %s"), error->message);
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
cleaned_up_then_close_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(TesseraEnrollWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  if (tessera_wizard_flow_clean_up_finish (self->flow, result, &error))
    close_now (self);
  else if ((dialog = show_cleanup_error (self, error)) != NULL)
    g_signal_connect_object (dialog, "response", G_CALLBACK (close_now), self, G_CONNECT_SWAPPED);
}

/* Back from the progress page: the flow ends on the device step by itself. */
static void
cleaned_up_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TesseraEnrollWizard) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tessera_wizard_flow_clean_up_finish (self->flow, result, &error))
    show_cleanup_error (self, error);
}

/* Navigation */

static void
account_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TesseraEnrollWizard) self = user_data;
  TesseraAccountForm *form = self->form;
  TesseraAccount *account;

  /* The form shows the error itself. */
  if (!tessera_account_check_save_finish (TESSERA_ACCOUNT_CHECK (object), result, NULL) ||
      gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  account = tessera_account_form_get_checked_account (form);
  tessera_wizard_flow_set_account (self->flow, account, tessera_account_form_get_session (form),
                                   tessera_account_form_get_features (form));
  g_signal_emit (self, signals[ACCOUNT_SAVED], 0, account);
  tessera_wizard_flow_set_step (self->flow, TESSERA_WIZARD_STEP_DEVICE);
}

static void
account_checked_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  /* The form shows errors and results itself; the buttons follow its
   * "checked" and "busy". */
  tessera_account_form_check_finish (TESSERA_ACCOUNT_FORM (object), result, NULL);
}

static void
next_from_account (TesseraEnrollWizard *self)
{
  GCancellable *cancellable = tessera_wizard_flow_get_cancellable (self->flow);
  TesseraFeatures features;

  if (!tessera_account_form_get_checked (self->form))
    {
      tessera_account_form_check_async (self->form, cancellable, account_checked_cb, NULL);
      return;
    }

  features = tessera_account_form_get_features (self->form);
  if (!(features & (TESSERA_FEATURE_ADD | TESSERA_FEATURE_XEP0257)))
    {
      tessera_account_form_show_error (self->form,
                                       _("This server does not let clients add certificates, so this device "
                                         "cannot be set up for certificate login."));
      return;
    }

  tessera_account_check_save_async (tessera_account_form_get_check (self->form),
                                    tessera_account_form_get_password (self->form),
                                    cancellable, account_saved_cb, g_object_ref (self));
}

static void
next_from_device (TesseraEnrollWizard *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  char *passphrase;

  name = tessera_enrollment_check_name (gtk_editable_get_text (GTK_EDITABLE (self->device_name_row)), &error);
  if (name == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->device_name_row), "error");
      gtk_label_set_label (self->device_error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->device_error_label), TRUE);
      return;
    }

  /* No keyring: the key is protected by the user's passphrase, typed
   * twice; the flow holds it in memory for this enrollment only. */
  if (!tessera_key_passphrase_get_acceptable (self->key_passphrase))
    {
      g_autofree char *hint = NULL;

      g_object_get (self->key_passphrase, "hint", &hint, NULL);
      gtk_widget_add_css_class (GTK_WIDGET (self->passphrase_repeat_row), "error");
      gtk_label_set_label (self->device_error_label, hint);
      gtk_widget_set_visible (GTK_WIDGET (self->device_error_label), TRUE);
      return;
    }
  passphrase = tessera_key_passphrase_dup (self->key_passphrase);
  tessera_wizard_flow_set_key_passphrase (self->flow, passphrase);
  tessera_secret_free (passphrase);
  tessera_key_passphrase_clear (self->key_passphrase);

  tessera_wizard_flow_start (self->flow, name,
                             tessera_format_key_type_at (adw_combo_row_get_selected (self->key_type_row)));
}

static void
device_name_changed_cb (TesseraEnrollWizard *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->device_name_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->passphrase_repeat_row), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->device_error_label), FALSE);
}

/**
 * tessera_enroll_wizard_next:
 * @self: a #TesseraEnrollWizard
 *
 * Does what the suggested header button does on the current page.
 */
void
tessera_enroll_wizard_next (TesseraEnrollWizard *self)
{
  g_return_if_fail (TESSERA_IS_ENROLL_WIZARD (self));

  if (tessera_wizard_flow_get_busy (self->flow))
    return;

  switch (tessera_wizard_flow_get_step (self->flow))
    {
    case TESSERA_WIZARD_STEP_WELCOME:
      tessera_wizard_flow_set_step (self->flow, TESSERA_WIZARD_STEP_ACCOUNT);
      break;

    case TESSERA_WIZARD_STEP_ACCOUNT:
      next_from_account (self);
      break;

    case TESSERA_WIZARD_STEP_DEVICE:
      next_from_device (self);
      break;

    case TESSERA_WIZARD_STEP_GENERATE:
    case TESSERA_WIZARD_STEP_UPLOAD:
    case TESSERA_WIZARD_STEP_VERIFY:
      if (tessera_wizard_flow_get_failed (self->flow))
        tessera_wizard_flow_retry (self->flow);
      break;

    case TESSERA_WIZARD_STEP_DONE:
    default:
      gtk_window_close (GTK_WINDOW (self));
      break;
    }
}

/**
 * tessera_enroll_wizard_back:
 * @self: a #TesseraEnrollWizard
 *
 * Goes one page back; from the progress page this stops the running step and
 * cleans up first.
 */
void
tessera_enroll_wizard_back (TesseraEnrollWizard *self)
{
  g_return_if_fail (TESSERA_IS_ENROLL_WIZARD (self));

  if (tessera_wizard_flow_get_cleaning (self->flow))
    return;

  switch (tessera_wizard_flow_get_step (self->flow))
    {
    case TESSERA_WIZARD_STEP_ACCOUNT:
      tessera_wizard_flow_cancel (self->flow);
      tessera_wizard_flow_set_step (self->flow, TESSERA_WIZARD_STEP_WELCOME);
      break;

    case TESSERA_WIZARD_STEP_DEVICE:
      tessera_wizard_flow_set_step (self->flow, TESSERA_WIZARD_STEP_ACCOUNT);
      break;

    case TESSERA_WIZARD_STEP_GENERATE:
    case TESSERA_WIZARD_STEP_UPLOAD:
    case TESSERA_WIZARD_STEP_VERIFY:
      tessera_wizard_flow_clean_up_async (self->flow, cleaned_up_cb, g_object_ref (self));
      break;

    case TESSERA_WIZARD_STEP_WELCOME:
    case TESSERA_WIZARD_STEP_DONE:
    default:
      break;
    }
}

/* Refused, as this device holds a certificate: what the user may have
 * meant, in the main window: Renew or Add Another Device. */
static void
renew_clicked_cb (TesseraEnrollWizard *self)
{
  tessera_other_device_hand_over (GTK_WINDOW (self), "win.renew");
}

static void
other_device_clicked_cb (TesseraEnrollWizard *self)
{
  tessera_other_device_hand_over (GTK_WINDOW (self), "win.add-other-device");
}

static void
device_enrolled_cb (TesseraEnrollWizard *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->renew_button),
                            tessera_other_device_window_has_action (GTK_WINDOW (self), "win.renew"));
}

static void
next_clicked_cb (TesseraEnrollWizard *self)
{
  tessera_enroll_wizard_next (self);
}

static void
back_clicked_cb (TesseraEnrollWizard *self)
{
  tessera_enroll_wizard_back (self);
}

static void
page_changed_cb (TesseraEnrollWizard *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

static void
busy_changed_cb (TesseraEnrollWizard *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

const char *
tessera_enroll_wizard_get_page (TesseraEnrollWizard *self)
{
  g_return_val_if_fail (TESSERA_IS_ENROLL_WIZARD (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * tessera_enroll_wizard_get_flow:
 * @self: a #TesseraEnrollWizard
 *
 * Returns: (transfer none): the state machine the wizard's pages follow
 */
TesseraWizardFlow *
tessera_enroll_wizard_get_flow (TesseraEnrollWizard *self)
{
  g_return_val_if_fail (TESSERA_IS_ENROLL_WIZARD (self), NULL);

  return self->flow;
}

gboolean
tessera_enroll_wizard_get_busy (TesseraEnrollWizard *self)
{
  g_return_val_if_fail (TESSERA_IS_ENROLL_WIZARD (self), FALSE);

  return tessera_wizard_flow_get_busy (self->flow) || tessera_account_form_get_busy (self->form);
}

/* GObject */

static gboolean
tessera_enroll_wizard_close_request (GtkWindow *window)
{
  TesseraEnrollWizard *self = TESSERA_ENROLL_WIZARD (window);
  TesseraWizardFlow *flow = self->flow;

  /* Closing the done page any way counts as finishing. */
  if (tessera_wizard_flow_get_step (flow) == TESSERA_WIZARD_STEP_DONE)
    g_signal_emit (self, signals[FINISHED], 0, tessera_wizard_flow_get_account (flow),
                   tessera_wizard_flow_get_fingerprint (flow));
  else if (tessera_wizard_flow_get_cleaning (flow))
    return TRUE;
  else if (tessera_wizard_flow_get_busy (flow) || tessera_wizard_flow_has_key (flow))
    {
      tessera_wizard_flow_clean_up_async (flow, cleaned_up_then_close_cb, g_object_ref (self));
      return TRUE;
    }

  tessera_wizard_flow_cancel (flow);
  return GTK_WINDOW_CLASS (tessera_enroll_wizard_parent_class)->close_request (window);
}

static void
tessera_enroll_wizard_dispose (GObject *object)
{
  TesseraEnrollWizard *self = (TesseraEnrollWizard *) object;

  if (self->flow != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->flow, self);
      tessera_wizard_flow_close (self->flow);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), TESSERA_TYPE_ENROLL_WIZARD);

  G_OBJECT_CLASS (tessera_enroll_wizard_parent_class)->dispose (object);
}

static void
tessera_enroll_wizard_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  TesseraEnrollWizard *self = TESSERA_ENROLL_WIZARD (object);

  switch (prop_id)
    {
    case PROP_PAGE:
      g_value_set_string (value, tessera_enroll_wizard_get_page (self));
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, tessera_enroll_wizard_get_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_enroll_wizard_class_init (TesseraEnrollWizardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = tessera_enroll_wizard_dispose;
  object_class->get_property = tessera_enroll_wizard_get_property;
  window_class->close_request = tessera_enroll_wizard_close_request;

  properties[PROP_PAGE] =
    g_param_spec_string ("page", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TesseraEnrollWizard::account-saved:
   * @self: the wizard
   * @account: the #TesseraAccount that passed the check and was saved
   */
  signals[ACCOUNT_SAVED] =
    g_signal_new ("account-saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, TESSERA_TYPE_ACCOUNT);

  /**
   * TesseraEnrollWizard::finished:
   * @self: the wizard
   * @account: the enrolled #TesseraAccount
   * @fingerprint: the fingerprint of this device's new certificate
   */
  signals[FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, TESSERA_TYPE_ACCOUNT, G_TYPE_STRING);

  g_type_ensure (TESSERA_TYPE_ACCOUNT_FORM);
  g_type_ensure (TESSERA_TYPE_WIZARD_FLOW);
  g_type_ensure (TESSERA_TYPE_KEY_PASSPHRASE);
  g_type_ensure (TESSERA_TYPE_WIZARD_STEP);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/tessera_xmpp/Tessera/tessera-enroll-wizard.ui");
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, back_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, next_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, stack);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, form);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, device_name_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, key_type_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, device_error_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, generate_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, upload_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, verify_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, generate_state);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, upload_state);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, verify_state);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, progress_error_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, renew_button);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, enrolled_box);
  gtk_widget_class_bind_template_callback (widget_class, renew_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, other_device_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, device_enrolled_cb);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, flow);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, key_passphrase);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, passphrase_group);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, passphrase_repeat_row);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, passphrase_hint_label);
  gtk_widget_class_bind_template_callback (widget_class, next_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, page_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, busy_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, device_name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, confirm_revoke_cb);
  gtk_widget_class_bind_template_callback (widget_class, page_for_step);
  gtk_widget_class_bind_template_callback (widget_class, row_state);
  gtk_widget_class_bind_template_callback (widget_class, is_running);
  gtk_widget_class_bind_template_callback (widget_class, generate_detail);
  gtk_widget_class_bind_template_callback (widget_class, upload_detail);
  gtk_widget_class_bind_template_callback (widget_class, verify_detail);
  gtk_widget_class_bind_template_callback (widget_class, done_description);
  gtk_widget_class_bind_template_callback (widget_class, fingerprint_lines);
  gtk_widget_class_bind_template_callback (widget_class, next_label);
  gtk_widget_class_bind_template_callback (widget_class, next_visible);
  gtk_widget_class_bind_template_callback (widget_class, next_sensitive);
  gtk_widget_class_bind_template_callback (widget_class, back_visible);
  gtk_widget_class_bind_template_callback (widget_class, back_sensitive);
  gtk_widget_class_bind_template_callback (widget_class, not_done);
  gtk_widget_class_bind_template_callback (widget_class, invert);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tessera_enroll_wizard_init (TesseraEnrollWizard *self)
{
  g_auto(GStrv) labels = tessera_format_key_type_labels ();
  g_autoptr(GtkStringList) key_types = gtk_string_list_new ((const char * const *) labels);
  g_autofree char *default_name = tessera_format_default_device_name ();

  gtk_widget_init_template (GTK_WIDGET (self));

  adw_combo_row_set_model (self->key_type_row, G_LIST_MODEL (key_types));
  adw_combo_row_set_selected (self->key_type_row, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->device_name_row), default_name);
  tessera_key_passphrase_probe (self->key_passphrase);
}

/**
 * tessera_enroll_wizard_new:
 * @parent: (nullable): the window it belongs to
 * @account: (nullable): an account to fill in
 *
 * Returns: (transfer full): a new #TesseraEnrollWizard
 */
TesseraEnrollWizard *
tessera_enroll_wizard_new (GtkWindow      *parent,
                           TesseraAccount *account)
{
  TesseraEnrollWizard *self;

  self = g_object_new (TESSERA_TYPE_ENROLL_WIZARD,
                       "transient-for", parent,
                       NULL);
  if (account != NULL)
    tessera_account_form_set_account (self->form, account);
  return self;
}
