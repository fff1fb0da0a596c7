/* tessera-wizard-flow.c: the enrollment wizard's state machine, without widgets
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-ui"

#include <glib/gi18n-lib.h>

#include "tessera-key-passphrase.h"
#include "tessera-tasks.h"
#include "tessera-wizard-flow.h"

/* welcome → account (connect check) → device name → generate the key,
 * upload it, log in with the certificate alone → done.
 *
 * The wizard's pages, buttons and progress rows are bound to "step",
 * "busy", "cleaning" and "failed". Generating and uploading is one core
 * #TesseraEnrollment ("enrollment"): prepared (the local part, so that a
 * key made while the server is away waits for it), then uploaded; its
 * "step" moves this object's through GENERATE, UPLOAD and VERIFY. The
 * certificate login after it is this object's own.
 *
 * Leaving early (Back from the progress page, Cancel, closing the window)
 * cleans up first: a key that was never certified is deleted, and a
 * certificate that was added but not verified is offered for revocation
 * ("confirm-revoke", answered by tessera_wizard_flow_answer_revoke()). */

G_DEFINE_ENUM_TYPE (TesseraWizardStep, tessera_wizard_step,
                    G_DEFINE_ENUM_VALUE (TESSERA_WIZARD_STEP_WELCOME, "welcome"),
                    G_DEFINE_ENUM_VALUE (TESSERA_WIZARD_STEP_ACCOUNT, "account"),
                    G_DEFINE_ENUM_VALUE (TESSERA_WIZARD_STEP_DEVICE, "device"),
                    G_DEFINE_ENUM_VALUE (TESSERA_WIZARD_STEP_GENERATE, "generate"),
                    G_DEFINE_ENUM_VALUE (TESSERA_WIZARD_STEP_UPLOAD, "upload"),
                    G_DEFINE_ENUM_VALUE (TESSERA_WIZARD_STEP_VERIFY, "verify"),
                    G_DEFINE_ENUM_VALUE (TESSERA_WIZARD_STEP_DONE, "done"))

struct _TesseraWizardFlow
{
  GObject            parent_instance;

  GCancellable      *cancellable;
  TesseraAccount    *account;
  TesseraKeyStore   *store;
  TesseraSession    *session;
  TesseraSession    *login_session;
  TesseraFeatures    features;
  TesseraKeyType     key_type;
  char              *device_name;
  char              *key_passphrase; /* the user's, without a keyring; memory only, wiped when done */

  TesseraWizardStep  step;
  TesseraEnrollment *enrollment;    /* the running or last one, until cleaned up */
  TesseraKeyRecord  *record;        /* the key, once saved; with its certificate once uploaded */
  char              *fingerprint;   /* of the certificate, once uploaded */
  char              *bound_jid;     /* once verified */
  char              *error_message; /* of the failed step */
  gboolean           running;       /* an enrollment step runs */
  gboolean           failed;        /* the current step failed; Try Again runs it again */
  gboolean           device_enrolled; /* it failed as this device holds a certificate (one per device) */
  GTask             *cleanup;       /* while cleaning up before leaving */
  gboolean           closed;        /* the wizard is gone: results are dropped */
};

G_DEFINE_FINAL_TYPE (TesseraWizardFlow, tessera_wizard_flow, G_TYPE_OBJECT)

static void
forget_key_passphrase (TesseraWizardFlow *self)
{
  g_clear_pointer (&self->key_passphrase, tessera_secret_free);
  if (self->session != NULL)
    tessera_session_set_key_passphrase (self->session, NULL);
  if (self->login_session != NULL)
    tessera_session_set_key_passphrase (self->login_session, NULL);
}

enum {
  PROP_0,
  PROP_STEP,
  PROP_BUSY,
  PROP_CLEANING,
  PROP_FAILED,
  PROP_ERROR_MESSAGE,
  PROP_ACCOUNT,
  PROP_DEVICE_NAME,
  PROP_RECORD,
  PROP_FINGERPRINT,
  PROP_BOUND_JID,
  PROP_ENROLLMENT,
  PROP_DEVICE_ENROLLED,
  N_PROPS
};

enum {
  CONFIRM_REVOKE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void prepare (TesseraWizardFlow *self);
static void upload (TesseraWizardFlow *self);
static void verify (TesseraWizardFlow *self);
static void continue_cleanup (TesseraWizardFlow *self);

/* State */

static void
notify (TesseraWizardFlow *self,
        guint              prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_running (TesseraWizardFlow *self,
             gboolean           running)
{
  if (self->running == running)
    return;
  self->running = running;
  notify (self, PROP_BUSY);
}

static void
set_device_enrolled (TesseraWizardFlow *self,
                     gboolean           enrolled)
{
  if (self->device_enrolled == enrolled)
    return;
  self->device_enrolled = enrolled;
  notify (self, PROP_DEVICE_ENROLLED);
}

static void
set_failed (TesseraWizardFlow *self,
            gboolean           failed,
            char              *message)
{
  if (!failed)
    set_device_enrolled (self, FALSE);
  g_free (self->error_message);
  self->error_message = message;
  notify (self, PROP_ERROR_MESSAGE);
  if (self->failed != failed)
    {
      self->failed = failed;
      notify (self, PROP_FAILED);
    }
}

static void
set_record (TesseraWizardFlow *self,
            TesseraKeyRecord  *record)
{
  if (g_set_object (&self->record, record))
    notify (self, PROP_RECORD);
}

static void
set_fingerprint (TesseraWizardFlow *self,
                 const char        *fingerprint)
{
  g_free (self->fingerprint);
  self->fingerprint = g_strdup (fingerprint);
  notify (self, PROP_FINGERPRINT);
}

static void
step_failed (TesseraWizardFlow *self,
             const char        *what,
             const GError      *error)
{
  g_object_freeze_notify (G_OBJECT (self));
  set_failed (self, TRUE, g_strdup_printf ("%s: %s", what, error->message));
  set_running (self, FALSE);
  g_object_thaw_notify (G_OBJECT (self));
}

/* The enrollment's steps as the wizard's progress shows them; -1 where
 * the page stays (a failure is shown by "failed"). */
static int
wizard_step_for (TesseraEnrollmentStep step)
{
  switch (step)
    {
    case TESSERA_ENROLLMENT_STEP_NEW:
    case TESSERA_ENROLLMENT_STEP_CHECKING:
    case TESSERA_ENROLLMENT_STEP_GENERATING:
    case TESSERA_ENROLLMENT_STEP_SAVING:
    case TESSERA_ENROLLMENT_STEP_SAVED:
      return TESSERA_WIZARD_STEP_GENERATE;

    case TESSERA_ENROLLMENT_STEP_UPLOADING:
      return TESSERA_WIZARD_STEP_UPLOAD;

    case TESSERA_ENROLLMENT_STEP_CERTIFIED:
      return TESSERA_WIZARD_STEP_VERIFY;

    case TESSERA_ENROLLMENT_STEP_FAILED:
    default:
      return -1;
    }
}

/* Moves "step" to where the enrollment is, one page at a time, so that
 * each page on the way is shown, in order. While leaving,
 * finish_cleanup() decides. */
static void
follow_enrollment (TesseraWizardFlow *self)
{
  int target;

  if (self->enrollment == NULL || self->cleanup != NULL || self->closed)
    return;
  target = wizard_step_for (tessera_enrollment_get_step (self->enrollment));
  while (target > (int) self->step)
    tessera_wizard_flow_set_step (self, self->step + 1);
}

static void
enrollment_step_cb (TesseraEnrollment *enrollment,
                    GParamSpec        *pspec,
                    TesseraWizardFlow *self)
{
  follow_enrollment (self);
}

static void
set_enrollment (TesseraWizardFlow *self,
                TesseraEnrollment *enrollment)
{
  if (self->enrollment == enrollment)
    return;
  if (self->enrollment != NULL)
    g_signal_handlers_disconnect_by_func (self->enrollment, enrollment_step_cb, self);
  g_set_object (&self->enrollment, enrollment);
  if (enrollment != NULL)
    g_signal_connect_object (enrollment, "notify::step", G_CALLBACK (enrollment_step_cb), self, 0);
  notify (self, PROP_ENROLLMENT);
}

/* A cancellation (leaving) drops the result of a step that was done
 * already: the certificate must still be offered for revocation, the key
 * still deleted. The enrollment's own step and record tell. */
static TesseraKeyRecord *
finished_record (TesseraEnrollment     *enrollment,
                 TesseraKeyRecord      *result,
                 TesseraEnrollmentStep  done)
{
  if (result == NULL && tessera_enrollment_get_step (enrollment) == done)
    return tessera_enrollment_dup_record (enrollment);
  return result;
}

/* An enrollment step starts. */
static void
begin (TesseraWizardFlow *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  set_running (self, TRUE);
  set_failed (self, FALSE, NULL);
  g_object_thaw_notify (G_OBJECT (self));
}

/* A step that ended after the wizard asked to leave: clean up now. */
static gboolean
leaving (TesseraWizardFlow *self)
{
  if (self->closed)
    return TRUE;
  if (self->cleanup == NULL)
    return FALSE;

  /* Still busy: "cleaning" holds until the cleanup is done. */
  self->running = FALSE;
  continue_cleanup (self);
  return TRUE;
}

/* Step 3: a fresh connection logs in with the certificate and no password */

static void
verified_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TesseraWizardFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *bound_jid = NULL;

  bound_jid = tessera_session_login_finish (TESSERA_SESSION (object), result, &error);
  tessera_session_close (TESSERA_SESSION (object));
  if (leaving (self))
    return;

  if (bound_jid == NULL)
    {
      step_failed (self, _("Logging in with the certificate failed"), error);
      return;
    }

  g_object_freeze_notify (G_OBJECT (self));
  g_free (self->bound_jid);
  self->bound_jid = g_steal_pointer (&bound_jid);
  notify (self, PROP_BOUND_JID);
  set_running (self, FALSE);
  forget_key_passphrase (self);
  tessera_wizard_flow_set_step (self, TESSERA_WIZARD_STEP_DONE);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
verify (TesseraWizardFlow *self)
{
  begin (self);
  g_clear_object (&self->login_session);
  self->login_session = tessera_session_new (self->account, self->store);
  if (self->key_passphrase != NULL)
    tessera_session_set_key_passphrase (self->login_session, self->key_passphrase);
  tessera_session_login_async (self->login_session, self->cancellable, verified_cb, g_object_ref (self));
}

/* Step 2: send the saved request */

static void
uploaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TesseraWizardFlow) self = user_data;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  TesseraCertificate *certificate;

  record = finished_record (TESSERA_ENROLLMENT (object),
                            tessera_enrollment_upload_finish (TESSERA_ENROLLMENT (object), result, &error),
                            TESSERA_ENROLLMENT_STEP_CERTIFIED);
  certificate = record != NULL ? tessera_key_record_get_certificate (record) : NULL;
  if (certificate != NULL)
    {
      /* Known even when leaving: the cleanup must offer to revoke it. */
      set_record (self, record);
      set_fingerprint (self, tessera_certificate_get_fingerprint (certificate));
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
  follow_enrollment (self);
  verify (self);
}

static void
upload (TesseraWizardFlow *self)
{
  begin (self);
  tessera_enrollment_upload_async (self->enrollment, self->cancellable, uploaded_cb, g_object_ref (self));
}

/* Step 1: generate the key and save it with its request */

static void
prepared_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TesseraWizardFlow) self = user_data;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(GError) error = NULL;

  record = finished_record (TESSERA_ENROLLMENT (object),
                            tessera_enrollment_prepare_finish (TESSERA_ENROLLMENT (object), result, &error),
                            TESSERA_ENROLLMENT_STEP_SAVED);
  if (record != NULL)
    set_record (self, record);
  if (leaving (self))
    return;

  if (record == NULL)
    {
      /* The wizard offers Renew and Add Another Device instead. */
      set_device_enrolled (self, g_error_matches (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_DEVICE_ENROLLED));
      step_failed (self, _("Generating the key pair failed"), error);
      return;
    }
  upload (self);
}

/* A new enrollment each time: one that failed before its key was saved
 * left nothing to continue. */
static void
prepare (TesseraWizardFlow *self)
{
  g_autoptr(TesseraEnrollment) enrollment = NULL;

  enrollment = tessera_session_new_enrollment (self->session, self->device_name, self->key_type);
  if (self->key_passphrase != NULL)
    tessera_enrollment_set_user_passphrase (enrollment, self->key_passphrase);
  set_enrollment (self, enrollment);
  begin (self);
  follow_enrollment (self);
  tessera_enrollment_prepare_async (enrollment, tessera_cert_protocol_for_features (self->features),
                                    self->cancellable, prepared_cb, g_object_ref (self));
}

/* Cleaning up when leaving early */

static void
finish_cleanup (TesseraWizardFlow *self,
                GError            *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->cleanup);

  g_object_freeze_notify (G_OBJECT (self));
  set_enrollment (self, NULL);
  set_record (self, NULL);
  set_fingerprint (self, NULL);
  set_failed (self, FALSE, NULL);
  self->running = FALSE;
  if (self->step >= TESSERA_WIZARD_STEP_GENERATE && self->step < TESSERA_WIZARD_STEP_DONE)
    tessera_wizard_flow_set_step (self, TESSERA_WIZARD_STEP_DEVICE);
  notify (self, PROP_CLEANING);
  notify (self, PROP_BUSY);
  g_object_thaw_notify (G_OBJECT (self));

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
key_deleted_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TesseraWizardFlow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tessera_task_delete_key_finish (result, &error))
    g_warning ("Could not delete the unsent key: %s", error->message);
  if (!self->closed)
    finish_cleanup (self, NULL);
}

static void
revoked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TesseraWizardFlow) self = user_data;
  GError *error = NULL;

  tessera_session_revoke_finish (TESSERA_SESSION (object), result, &error);
  if (self->closed)
    g_clear_error (&error);
  else
    finish_cleanup (self, error);
}

static void
continue_cleanup (TesseraWizardFlow *self)
{
  /* A request that left this device may have been certified: deleting its
   * key would leave an orphan certificate. It stays pending, and the next
   * operation's reconciliation sends it again and stores the certificate. */
  if (self->record != NULL && self->fingerprint == NULL && self->session != NULL &&
      tessera_session_request_was_sent (self->session, tessera_key_record_get_id (self->record)))
    finish_cleanup (self, NULL);
  else if (self->record != NULL && self->fingerprint == NULL)
    tessera_task_delete_key_async (self->store, tessera_key_record_get_id (self->record), NULL,
                                   key_deleted_cb, g_object_ref (self));
  else if (self->fingerprint != NULL && self->step != TESSERA_WIZARD_STEP_DONE)
    g_signal_emit (self, signals[CONFIRM_REVOKE], 0);
  else
    finish_cleanup (self, NULL);
}

/**
 * tessera_wizard_flow_clean_up_async:
 * @self: a #TesseraWizardFlow, not cleaning up already
 * @callback: called when there is nothing left to clean up
 * @user_data: data for @callback
 *
 * Stops the running step, then deletes a key that was never certified, or
 * emits #TesseraWizardFlow::confirm-revoke for a certificate that was added
 * but not verified. Ends back on the device step. Fails only when revoking
 * failed: the certificate is still on the account then.
 */
void
tessera_wizard_flow_clean_up_async (TesseraWizardFlow   *self,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (TESSERA_IS_WIZARD_FLOW (self));
  g_return_if_fail (self->cleanup == NULL);

  self->cleanup = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (self->cleanup, tessera_wizard_flow_clean_up_async);
  notify (self, PROP_CLEANING);
  notify (self, PROP_BUSY);

  if (self->running)
    {
      /* The running step's callback continues the cleanup. */
      tessera_wizard_flow_cancel (self);
      return;
    }
  continue_cleanup (self);
}

gboolean
tessera_wizard_flow_clean_up_finish (TesseraWizardFlow  *self,
                                     GAsyncResult       *result,
                                     GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tessera_wizard_flow_answer_revoke:
 * @self: a #TesseraWizardFlow that emitted #TesseraWizardFlow::confirm-revoke
 * @revoke: whether to revoke the unverified certificate, or keep it
 */
void
tessera_wizard_flow_answer_revoke (TesseraWizardFlow *self,
                                   gboolean           revoke)
{
  g_return_if_fail (TESSERA_IS_WIZARD_FLOW (self));
  g_return_if_fail (self->cleanup != NULL);

  if (!revoke)
    finish_cleanup (self, NULL);
  else
    tessera_session_revoke_async (self->session, self->fingerprint, NULL, revoked_cb, g_object_ref (self));
}

/* GObject */

static void
tessera_wizard_flow_dispose (GObject *object)
{
  TesseraWizardFlow *self = (TesseraWizardFlow *) object;

  tessera_wizard_flow_close (self);
  g_clear_object (&self->login_session);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_object (&self->account);
  g_clear_object (&self->record);
  if (self->enrollment != NULL)
    g_signal_handlers_disconnect_by_func (self->enrollment, enrollment_step_cb, self);
  g_clear_object (&self->enrollment);

  G_OBJECT_CLASS (tessera_wizard_flow_parent_class)->dispose (object);
}

static void
tessera_wizard_flow_finalize (GObject *object)
{
  TesseraWizardFlow *self = (TesseraWizardFlow *) object;

  g_clear_object (&self->cancellable);
  g_free (self->device_name);
  tessera_secret_free (self->key_passphrase);
  g_free (self->fingerprint);
  g_free (self->bound_jid);
  g_free (self->error_message);

  G_OBJECT_CLASS (tessera_wizard_flow_parent_class)->finalize (object);
}

static void
tessera_wizard_flow_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TesseraWizardFlow *self = TESSERA_WIZARD_FLOW (object);

  switch (prop_id)
    {
    case PROP_STEP:
      g_value_set_enum (value, self->step);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, tessera_wizard_flow_get_busy (self));
      break;

    case PROP_CLEANING:
      g_value_set_boolean (value, self->cleanup != NULL);
      break;

    case PROP_FAILED:
      g_value_set_boolean (value, self->failed);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    case PROP_DEVICE_ENROLLED:
      g_value_set_boolean (value, self->device_enrolled);
      break;

    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;

    case PROP_DEVICE_NAME:
      g_value_set_string (value, self->device_name);
      break;

    case PROP_RECORD:
      g_value_set_object (value, self->record);
      break;

    case PROP_FINGERPRINT:
      g_value_set_string (value, self->fingerprint);
      break;

    case PROP_BOUND_JID:
      g_value_set_string (value, self->bound_jid);
      break;

    case PROP_ENROLLMENT:
      g_value_set_object (value, self->enrollment);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_wizard_flow_class_init (TesseraWizardFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tessera_wizard_flow_dispose;
  object_class->finalize = tessera_wizard_flow_finalize;
  object_class->get_property = tessera_wizard_flow_get_property;

  properties[PROP_STEP] =
    g_param_spec_enum ("step", NULL, NULL, TESSERA_TYPE_WIZARD_STEP, TESSERA_WIZARD_STEP_WELCOME, flags);
  /* An enrollment step runs, or the cleanup */
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, flags);
  properties[PROP_CLEANING] = g_param_spec_boolean ("cleaning", NULL, NULL, FALSE, flags);
  properties[PROP_FAILED] = g_param_spec_boolean ("failed", NULL, NULL, FALSE, flags);
  /* "what failed: why" of the failed step */
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, flags);
  /* The failure is the refusal of a second certificate for this device */
  properties[PROP_DEVICE_ENROLLED] = g_param_spec_boolean ("device-enrolled", NULL, NULL, FALSE, flags);
  properties[PROP_ACCOUNT] = g_param_spec_object ("account", NULL, NULL, TESSERA_TYPE_ACCOUNT, flags);
  properties[PROP_DEVICE_NAME] = g_param_spec_string ("device-name", NULL, NULL, NULL, flags);
  properties[PROP_RECORD] = g_param_spec_object ("record", NULL, NULL, TESSERA_TYPE_KEY_RECORD, flags);
  properties[PROP_FINGERPRINT] = g_param_spec_string ("fingerprint", NULL, NULL, NULL, flags);
  properties[PROP_BOUND_JID] = g_param_spec_string ("bound-jid", NULL, NULL, NULL, flags);
  /* The running or last enrollment; NULL before and after cleaning up */
  properties[PROP_ENROLLMENT] =
    g_param_spec_object ("enrollment", NULL, NULL, TESSERA_TYPE_ENROLLMENT, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TesseraWizardFlow::confirm-revoke:
   * @self: the flow
   *
   * While cleaning up: a certificate was added for
   * #TesseraWizardFlow:device-name but not verified. Answer with
   * tessera_wizard_flow_answer_revoke().
   */
  signals[CONFIRM_REVOKE] =
    g_signal_new ("confirm-revoke",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
tessera_wizard_flow_init (TesseraWizardFlow *self)
{
  self->cancellable = g_cancellable_new ();
}

TesseraWizardFlow *
tessera_wizard_flow_new (void)
{
  return g_object_new (TESSERA_TYPE_WIZARD_FLOW, NULL);
}

TesseraWizardStep
tessera_wizard_flow_get_step (TesseraWizardFlow *self)
{
  g_return_val_if_fail (TESSERA_IS_WIZARD_FLOW (self), TESSERA_WIZARD_STEP_WELCOME);

  return self->step;
}

/**
 * tessera_wizard_flow_set_step:
 * @self: a #TesseraWizardFlow
 * @step: the step to show
 *
 * Moves between the pages before the enrollment; the enrollment's own
 * steps are set by tessera_wizard_flow_start() and its progress.
 */
void
tessera_wizard_flow_set_step (TesseraWizardFlow *self,
                              TesseraWizardStep  step)
{
  g_return_if_fail (TESSERA_IS_WIZARD_FLOW (self));

  if (self->step == step)
    return;
  self->step = step;
  notify (self, PROP_STEP);
}

gboolean
tessera_wizard_flow_get_busy (TesseraWizardFlow *self)
{
  g_return_val_if_fail (TESSERA_IS_WIZARD_FLOW (self), FALSE);

  return self->running || self->cleanup != NULL;
}

gboolean
tessera_wizard_flow_get_cleaning (TesseraWizardFlow *self)
{
  g_return_val_if_fail (TESSERA_IS_WIZARD_FLOW (self), FALSE);

  return self->cleanup != NULL;
}

gboolean
tessera_wizard_flow_get_failed (TesseraWizardFlow *self)
{
  g_return_val_if_fail (TESSERA_IS_WIZARD_FLOW (self), FALSE);

  return self->failed;
}

/* Whether leaving needs a cleanup first. */
gboolean
tessera_wizard_flow_has_key (TesseraWizardFlow *self)
{
  g_return_val_if_fail (TESSERA_IS_WIZARD_FLOW (self), FALSE);

  return self->record != NULL;
}

TesseraAccount *
tessera_wizard_flow_get_account (TesseraWizardFlow *self)
{
  g_return_val_if_fail (TESSERA_IS_WIZARD_FLOW (self), NULL);

  return self->account;
}

const char *
tessera_wizard_flow_get_device_name (TesseraWizardFlow *self)
{
  g_return_val_if_fail (TESSERA_IS_WIZARD_FLOW (self), NULL);

  return self->device_name;
}

/**
 * tessera_wizard_flow_get_enrollment:
 *
 * Returns: (transfer none) (nullable): the enrollment whose "step" the
 *   progress follows
 */
TesseraEnrollment *
tessera_wizard_flow_get_enrollment (TesseraWizardFlow *self)
{
  g_return_val_if_fail (TESSERA_IS_WIZARD_FLOW (self), NULL);

  return self->enrollment;
}

const char *
tessera_wizard_flow_get_fingerprint (TesseraWizardFlow *self)
{
  g_return_val_if_fail (TESSERA_IS_WIZARD_FLOW (self), NULL);

  return self->fingerprint;
}

/**
 * tessera_wizard_flow_get_cancellable:
 *
 * Returns: (transfer none): what the wizard's own operations (the connect
 *   check) are cancelled with, together with the enrollment
 */
GCancellable *
tessera_wizard_flow_get_cancellable (TesseraWizardFlow *self)
{
  g_return_val_if_fail (TESSERA_IS_WIZARD_FLOW (self), NULL);

  return self->cancellable;
}

/**
 * tessera_wizard_flow_set_account:
 * @self: a #TesseraWizardFlow
 * @account: the checked and saved account
 * @session: the session that checked it, reused for the upload
 * @features: what its server supports
 */
void
tessera_wizard_flow_set_account (TesseraWizardFlow *self,
                                 TesseraAccount    *account,
                                 TesseraSession    *session,
                                 TesseraFeatures    features)
{
  g_return_if_fail (TESSERA_IS_WIZARD_FLOW (self));
  g_return_if_fail (TESSERA_IS_ACCOUNT (account));

  if (g_set_object (&self->account, account))
    notify (self, PROP_ACCOUNT);
  g_set_object (&self->session, session);
  g_clear_object (&self->store);
  self->store = tessera_key_store_new (tessera_account_get_jid (account), NULL);
  self->features = features;
}

/**
 * tessera_wizard_flow_set_key_passphrase:
 * @self: a #TesseraWizardFlow
 * @passphrase: (nullable): the user's passphrase for the new key, when no
 *   keyring keeps a random one; %NULL to use the keyring
 *
 * Kept in memory only, for this enrollment, and wiped when it is done or
 * the wizard closes.
 */
void
tessera_wizard_flow_set_key_passphrase (TesseraWizardFlow *self,
                                        const char        *passphrase)
{
  g_return_if_fail (TESSERA_IS_WIZARD_FLOW (self));

  forget_key_passphrase (self);
  self->key_passphrase = g_strdup (passphrase);
}

/**
 * tessera_wizard_flow_start:
 * @self: a #TesseraWizardFlow with an account
 * @device_name: the checked device name
 * @key_type: the kind of key to generate
 *
 * Starts the enrollment: generate, upload, verify.
 */
void
tessera_wizard_flow_start (TesseraWizardFlow *self,
                           const char        *device_name,
                           TesseraKeyType     key_type)
{
  g_return_if_fail (TESSERA_IS_WIZARD_FLOW (self));
  g_return_if_fail (self->account != NULL && !tessera_wizard_flow_get_busy (self));

  g_free (self->device_name);
  self->device_name = g_strdup (device_name);
  self->key_type = key_type;
  notify (self, PROP_DEVICE_NAME);
  prepare (self);
}

/**
 * tessera_wizard_flow_retry:
 * @self: a #TesseraWizardFlow whose step failed
 *
 * Runs the failed step again: the login, the upload of the saved key, or
 * a new enrollment when no key was saved.
 */
void
tessera_wizard_flow_retry (TesseraWizardFlow *self)
{
  g_return_if_fail (TESSERA_IS_WIZARD_FLOW (self));
  g_return_if_fail (self->failed && !tessera_wizard_flow_get_busy (self));

  if (self->step == TESSERA_WIZARD_STEP_VERIFY)
    verify (self);
  else if (self->record != NULL)
    upload (self);
  else
    prepare (self);
}

/**
 * tessera_wizard_flow_cancel:
 * @self: a #TesseraWizardFlow
 *
 * Cancels what runs; later operations get a fresh cancellable.
 */
void
tessera_wizard_flow_cancel (TesseraWizardFlow *self)
{
  g_return_if_fail (TESSERA_IS_WIZARD_FLOW (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
}

/**
 * tessera_wizard_flow_close:
 * @self: a #TesseraWizardFlow
 *
 * The wizard is gone: cancels what runs and drops results still to come.
 */
void
tessera_wizard_flow_close (TesseraWizardFlow *self)
{
  g_return_if_fail (TESSERA_IS_WIZARD_FLOW (self));

  self->closed = TRUE;
  g_cancellable_cancel (self->cancellable);
  forget_key_passphrase (self);
  if (self->login_session != NULL)
    tessera_session_close (self->login_session);
  if (self->cleanup != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->cleanup);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The wizard was closed");
    }
}
