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
#include "tessera-tasks.h"

/* welcome → account (connect check) → device name → progress (generate the
 * key, upload it, log in with the certificate alone) → done.
 *
 * Leaving early (Back from the progress page, Cancel, closing the window)
 * cleans up first: a key that was never certified is deleted, and a
 * certificate that was added but not verified is offered for revocation. */

typedef enum {
  STEP_GENERATE,
  STEP_UPLOAD,
  STEP_VERIFY,
  STEP_DONE,
} Step;

typedef void (*AfterCleanup) (TesseraEnrollWizard *self);

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
  GtkSpinner         *generate_spinner;
  GtkSpinner         *upload_spinner;
  GtkSpinner         *verify_spinner;
  GtkLabel           *progress_error_label;
  AdwStatusPage      *done_page;
  GtkLabel           *done_name_label;
  GtkLabel           *done_fingerprint_label;
  GtkLabel           *done_jid_label;

  GCancellable       *cancellable;
  TesseraAccount     *account;
  TesseraKeyStore    *store;
  TesseraSession     *session;
  TesseraSession     *login_session;
  TesseraFeatures     features;
  TesseraKeyRecord   *record;
  char               *device_name;
  char               *fingerprint;
  Step                step;
  guint               busy;
  gboolean            failed;
  gboolean            cleaning;
  gboolean            close_allowed;
  gboolean            disposed;
  gboolean            finished;
  AfterCleanup        after_cleanup;
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

static void run_step (TesseraEnrollWizard *self);
static void continue_cleanup (TesseraEnrollWizard *self);

/* Buttons and pages */

static gboolean
page_is (TesseraEnrollWizard *self,
         const char          *name)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), name) == 0;
}

static void
update_buttons (TesseraEnrollWizard *self)
{
  gboolean form_busy = tessera_account_form_get_busy (self->form);
  gboolean busy = self->busy > 0 || self->cleaning;
  const char *next_label = _("_Next");
  gboolean next_sensitive = !busy;
  gboolean next_visible = TRUE;

  if (self->disposed)
    return;

  if (page_is (self, "account"))
    {
      next_label = tessera_account_form_get_checked (self->form) ? _("_Next") : _("C_onnect");
      next_sensitive = !busy && !form_busy;
    }
  else if (page_is (self, "device"))
    next_label = _("_Set Up");
  else if (page_is (self, "progress"))
    {
      next_visible = self->failed;
      next_label = _("_Try Again");
    }
  else if (page_is (self, "done"))
    next_label = _("_Done");

  gtk_button_set_label (self->next_button, next_label);
  gtk_widget_set_sensitive (GTK_WIDGET (self->next_button), next_sensitive);
  gtk_widget_set_visible (GTK_WIDGET (self->next_button), next_visible);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), !page_is (self, "welcome") && !page_is (self, "done"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->back_button), !self->cleaning && !(form_busy && page_is (self, "device")));
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), !page_is (self, "done"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), !self->cleaning);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

static void
show_page (TesseraEnrollWizard *self,
           const char          *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  update_buttons (self);
}

static void
set_busy (TesseraEnrollWizard *self,
          gboolean             busy)
{
  if (busy)
    self->busy++;
  else if (self->busy > 0)
    self->busy--;

  update_buttons (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Renews the cancellable so later operations are not born cancelled. */
static void
cancel_operations (TesseraEnrollWizard *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
}

/* Progress rows */

static void
set_step_state (TesseraEnrollWizard *self,
                Step                 step,
                const char          *state,
                const char          *subtitle)
{
  GtkStack *stacks[] = { self->generate_state, self->upload_state, self->verify_state };
  GtkSpinner *spinners[] = { self->generate_spinner, self->upload_spinner, self->verify_spinner };
  AdwActionRow *rows[] = { self->generate_row, self->upload_row, self->verify_row };

  g_assert (step < STEP_DONE);

  gtk_stack_set_visible_child_name (stacks[step], state);
  gtk_spinner_set_spinning (spinners[step], g_str_equal (state, "running"));
  adw_action_row_set_subtitle (rows[step], subtitle != NULL ? subtitle : "");
}

static void
reset_steps (TesseraEnrollWizard *self)
{
  for (Step step = STEP_GENERATE; step < STEP_DONE; step++)
    set_step_state (self, step, "pending", NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_error_label), FALSE);
  self->failed = FALSE;
  self->step = STEP_GENERATE;
}

static void
step_failed (TesseraEnrollWizard *self,
             const char          *what,
             const GError        *error)
{
  g_autofree char *message = g_strdup_printf ("%s: %s", what, error->message);

  set_step_state (self, self->step, "failed", NULL);
  gtk_label_set_label (self->progress_error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_error_label), TRUE);
  self->failed = TRUE;
  set_busy (self, FALSE);
}

/* A step that ended after the user asked to leave: clean up now. */
static gboolean
leaving (TesseraEnrollWizard *self)
{
  if (self->disposed)
    return TRUE;
  if (!self->cleaning)
    return FALSE;

  set_busy (self, FALSE);
  continue_cleanup (self);
  return TRUE;
}

/* Step 3: a fresh connection logs in with the certificate and no password */

static void
verified_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TesseraEnrollWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *bound_jid = NULL;
  g_autofree char *description = NULL;
  g_autofree char *fingerprint = NULL;

  bound_jid = tessera_session_login_finish (TESSERA_SESSION (object), result, &error);
  tessera_session_close (TESSERA_SESSION (object));
  if (leaving (self))
    return;

  if (bound_jid == NULL)
    {
      step_failed (self, _("Logging in with the certificate failed"), error);
      return;
    }

  set_step_state (self, STEP_VERIFY, "done", bound_jid);
  self->step = STEP_DONE;
  set_busy (self, FALSE);

  description = g_strdup_printf (_("It logged in to %s with its new certificate alone: no password was sent."),
                                 tessera_account_get_domain (self->account));
  adw_status_page_set_description (self->done_page, description);
  fingerprint = tessera_format_fingerprint_lines (self->fingerprint);
  gtk_label_set_label (self->done_name_label, self->device_name);
  gtk_label_set_label (self->done_fingerprint_label, fingerprint);
  gtk_label_set_label (self->done_jid_label, bound_jid);
  show_page (self, "done");
}

static void
start_verify (TesseraEnrollWizard *self)
{
  g_clear_object (&self->login_session);
  self->login_session = tessera_session_new (self->account, self->store);
  tessera_session_login_async (self->login_session, self->cancellable, verified_cb, g_object_ref (self));
}

/* Step 2: upload the pending key */

static char *
describe_certificate (TesseraCertificate *certificate)
{
  if (certificate == NULL)
    return NULL;
  if (tessera_certificate_is_self_signed (certificate))
    return g_strdup (_("Self-signed certificate added (XEP-0257)"));
  return g_strdup_printf (_("Issued by %s"), tessera_certificate_get_issuer (certificate));
}

static void
uploaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TesseraEnrollWizard) self = user_data;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *subtitle = NULL;
  TesseraCertificate *certificate;

  record = tessera_session_upload_finish (TESSERA_SESSION (object), result, &error);
  certificate = record != NULL ? tessera_key_record_get_certificate (record) : NULL;
  if (certificate != NULL)
    {
      /* Known even when the user is leaving: cleanup must offer to revoke it. */
      g_set_object (&self->record, record);
      g_free (self->fingerprint);
      self->fingerprint = g_strdup (tessera_certificate_get_fingerprint (certificate));
    }
  if (leaving (self))
    return;

  if (certificate == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, TESSERA_XMPP_ERROR, TESSERA_XMPP_ERROR_FAILED,
                             _("no certificate was stored"));
      step_failed (self, _("Getting the certificate failed"), error);
      return;
    }

  subtitle = describe_certificate (certificate);
  set_step_state (self, STEP_UPLOAD, "done", subtitle);
  self->step = STEP_VERIFY;
  run_step (self);
}

/* Step 1: generate the key and save it with its request */

static void
generated_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TesseraEnrollWizard) self = user_data;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *subtitle = NULL;

  record = tessera_task_create_pending_key_finish (result, &error);
  if (record != NULL)
    g_set_object (&self->record, record);
  if (leaving (self))
    return;

  if (record == NULL)
    {
      step_failed (self, _("Generating the key pair failed"), error);
      return;
    }

  subtitle = g_strdup (tessera_key_type_get_label (tessera_key_record_get_key_type (record)));
  set_step_state (self, STEP_GENERATE, "done", subtitle);
  self->step = STEP_UPLOAD;
  run_step (self);
}

static const char *
upload_protocol (TesseraEnrollWizard *self)
{
  return (self->features & TESSERA_FEATURE_ADD) ? "ccm2" : "xep0257";
}

static void
run_step (TesseraEnrollWizard *self)
{
  TesseraKeyType key_type = tessera_format_key_type_at (adw_combo_row_get_selected (self->key_type_row));

  if (self->busy == 0)
    set_busy (self, TRUE);
  self->failed = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->progress_error_label), FALSE);
  set_step_state (self, self->step, "running", NULL);
  update_buttons (self);

  switch (self->step)
    {
    case STEP_GENERATE:
      tessera_task_create_pending_key_async (self->store, tessera_account_get_jid (self->account),
                                             self->device_name, key_type, upload_protocol (self),
                                             self->cancellable, generated_cb, g_object_ref (self));
      break;

    case STEP_UPLOAD:
      tessera_session_upload_async (self->session, tessera_key_record_get_id (self->record),
                                    self->cancellable, uploaded_cb, g_object_ref (self));
      break;

    case STEP_VERIFY:
      start_verify (self);
      break;

    case STEP_DONE:
    default:
      g_assert_not_reached ();
    }
}

/* Cleaning up when leaving early */

static void
finish_cleanup (TesseraEnrollWizard *self)
{
  AfterCleanup after = self->after_cleanup;

  g_clear_object (&self->record);
  g_clear_pointer (&self->fingerprint, g_free);
  self->after_cleanup = NULL;
  self->cleaning = FALSE;
  reset_steps (self);
  update_buttons (self);

  if (after != NULL)
    after (self);
}

static void
key_deleted_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TesseraEnrollWizard) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tessera_task_delete_key_finish (result, &error))
    g_warning ("Could not delete the unsent key: %s", error->message);
  if (!self->disposed)
    finish_cleanup (self);
}

static void
revoke_failed_response_cb (TesseraEnrollWizard *self,
                           const char          *response)
{
  finish_cleanup (self);
}

static void
revoked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TesseraEnrollWizard) self = user_data;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  if (self->disposed)
    return;

  if (!tessera_session_revoke_finish (TESSERA_SESSION (object), result, &error))
    {
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Revoking Failed"), NULL));
      adw_message_dialog_format_body (dialog, _("The new certificate is still on your account: %s"),
                                      error->message);
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      g_signal_connect_object (dialog, "response", G_CALLBACK (revoke_failed_response_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  finish_cleanup (self);
}

static void
revoke_response_cb (TesseraEnrollWizard *self,
                    const char          *response)
{
  if (g_strcmp0 (response, "revoke") != 0)
    {
      finish_cleanup (self);
      return;
    }

  tessera_session_revoke_async (self->session, self->fingerprint, NULL, revoked_cb, g_object_ref (self));
}

static void
offer_revoke (TesseraEnrollWizard *self)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Revoke the New Certificate?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  _("A certificate for “%s” was added to your account, but logging in with it "
                                    "was not checked. Revoke it, or keep it and check it later?"),
                                  self->device_name);
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
continue_cleanup (TesseraEnrollWizard *self)
{
  /* A request that left this device may have been certified: deleting its
   * key would leave an orphan certificate. It stays pending, and the next
   * operation's reconciliation sends it again and stores the certificate. */
  if (self->record != NULL && self->fingerprint == NULL && self->session != NULL &&
      tessera_session_request_was_sent (self->session, tessera_key_record_get_id (self->record)))
    finish_cleanup (self);
  else if (self->record != NULL && self->fingerprint == NULL)
    tessera_task_delete_key_async (self->store, tessera_key_record_get_id (self->record), NULL,
                                   key_deleted_cb, g_object_ref (self));
  else if (self->fingerprint != NULL && self->step != STEP_DONE)
    offer_revoke (self);
  else
    finish_cleanup (self);
}

static void
cleanup_then (TesseraEnrollWizard *self,
              AfterCleanup         after)
{
  if (self->cleaning)
    return;

  self->cleaning = TRUE;
  self->after_cleanup = after;
  update_buttons (self);

  if (self->busy > 0)
    {
      /* The running step's callback continues the cleanup. */
      cancel_operations (self);
      return;
    }
  continue_cleanup (self);
}

static void
go_to_device_page (TesseraEnrollWizard *self)
{
  show_page (self, "device");
}

static void
close_now (TesseraEnrollWizard *self)
{
  self->close_allowed = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

/* Navigation */

static void
account_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TesseraEnrollWizard) self = user_data;
  TesseraAccountForm *form = TESSERA_ACCOUNT_FORM (object);

  if (!tessera_account_form_save_finish (form, result, NULL) || self->disposed)
    return;

  g_set_object (&self->account, tessera_account_form_get_checked_account (form));
  g_set_object (&self->session, tessera_account_form_get_session (form));
  g_clear_object (&self->store);
  self->store = tessera_key_store_new (tessera_account_get_jid (self->account), NULL);
  self->features = tessera_account_form_get_features (form);

  g_signal_emit (self, signals[ACCOUNT_SAVED], 0, self->account);
  show_page (self, "device");
}

static void
account_checked_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TesseraEnrollWizard) self = user_data;

  /* The form shows errors and results itself. */
  tessera_account_form_check_finish (TESSERA_ACCOUNT_FORM (object), result, NULL);
  if (!self->disposed)
    update_buttons (self);
}

static void
next_from_account (TesseraEnrollWizard *self)
{
  TesseraFeatures features;

  if (!tessera_account_form_get_checked (self->form))
    {
      tessera_account_form_check_async (self->form, self->cancellable, account_checked_cb, g_object_ref (self));
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

  tessera_account_form_save_async (self->form, self->cancellable, account_saved_cb, g_object_ref (self));
}

static void
next_from_device (TesseraEnrollWizard *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  name = tessera_format_device_name (gtk_editable_get_text (GTK_EDITABLE (self->device_name_row)), &error);
  if (name == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->device_name_row), "error");
      gtk_label_set_label (self->device_error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->device_error_label), TRUE);
      return;
    }

  g_free (self->device_name);
  self->device_name = g_steal_pointer (&name);
  reset_steps (self);
  show_page (self, "progress");
  run_step (self);
}

static void
device_name_changed_cb (TesseraEnrollWizard *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->device_name_row), "error");
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

  if (self->busy > 0 || self->cleaning)
    return;

  if (page_is (self, "welcome"))
    show_page (self, "account");
  else if (page_is (self, "account"))
    next_from_account (self);
  else if (page_is (self, "device"))
    next_from_device (self);
  else if (page_is (self, "progress") && self->failed)
    run_step (self);
  else if (page_is (self, "done"))
    gtk_window_close (GTK_WINDOW (self));
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

  if (self->cleaning)
    return;

  if (page_is (self, "account"))
    {
      cancel_operations (self);
      show_page (self, "welcome");
    }
  else if (page_is (self, "device"))
    show_page (self, "account");
  else if (page_is (self, "progress"))
    cleanup_then (self, go_to_device_page);
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

const char *
tessera_enroll_wizard_get_page (TesseraEnrollWizard *self)
{
  g_return_val_if_fail (TESSERA_IS_ENROLL_WIZARD (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
tessera_enroll_wizard_get_busy (TesseraEnrollWizard *self)
{
  g_return_val_if_fail (TESSERA_IS_ENROLL_WIZARD (self), FALSE);

  return self->busy > 0 || self->cleaning || tessera_account_form_get_busy (self->form);
}

/* GObject */

static gboolean
tessera_enroll_wizard_close_request (GtkWindow *window)
{
  TesseraEnrollWizard *self = TESSERA_ENROLL_WIZARD (window);

  /* Closing the done page any way counts as finishing. */
  if (self->step == STEP_DONE && !self->finished)
    {
      self->finished = TRUE;
      g_signal_emit (self, signals[FINISHED], 0, self->account, self->fingerprint);
      cancel_operations (self);
      return GTK_WINDOW_CLASS (tessera_enroll_wizard_parent_class)->close_request (window);
    }

  if (!self->close_allowed && (self->busy > 0 || self->record != NULL || self->cleaning))
    {
      cleanup_then (self, close_now);
      return TRUE;
    }

  cancel_operations (self);
  return GTK_WINDOW_CLASS (tessera_enroll_wizard_parent_class)->close_request (window);
}

static void
tessera_enroll_wizard_dispose (GObject *object)
{
  TesseraEnrollWizard *self = (TesseraEnrollWizard *) object;

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->login_session != NULL)
    tessera_session_close (self->login_session);
  g_clear_object (&self->login_session);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_object (&self->account);
  g_clear_object (&self->record);
  g_clear_pointer (&self->device_name, g_free);
  g_clear_pointer (&self->fingerprint, g_free);
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
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, generate_spinner);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, upload_spinner);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, verify_spinner);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, progress_error_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, done_page);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, done_name_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, done_fingerprint_label);
  gtk_widget_class_bind_template_child (widget_class, TesseraEnrollWizard, done_jid_label);
  gtk_widget_class_bind_template_callback (widget_class, next_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, update_buttons);
  gtk_widget_class_bind_template_callback (widget_class, device_name_changed_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tessera_enroll_wizard_init (TesseraEnrollWizard *self)
{
  g_auto(GStrv) labels = tessera_format_key_type_labels ();
  g_autoptr(GtkStringList) key_types = gtk_string_list_new ((const char * const *) labels);
  g_autofree char *default_name = tessera_format_default_device_name ();

  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  adw_combo_row_set_model (self->key_type_row, G_LIST_MODEL (key_types));
  adw_combo_row_set_selected (self->key_type_row, 0);
  gtk_editable_set_text (GTK_EDITABLE (self->device_name_row), default_name);
  reset_steps (self);
  update_buttons (self);
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
