/* tessera-enrollment.c: one new device key, from its name to its stored certificate
 *
 * Copyright 2026 The Tessera authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#define G_LOG_DOMAIN "tessera-xmpp"

#include <glib/gi18n-lib.h>

#include "tessera-cert-exchange.h"
#include "tessera-enrollment-private.h"
#include "tessera-error.h"
#include "tessera-other-device.h"
#include "tessera-secret.h"
#include "tessera-test-hooks.h"

/* The local part has no server to wait for: only a cancellation stops it. */
#define PREPARE_TIMEOUT_SECONDS (24 * 60 * 60)

struct _TesseraEnrollment
{
  GObject                parent_instance;

  TesseraKeyStore       *store;
  char                  *bare_jid;
  TesseraKeyType         key_type;
  char                  *user_passphrase;
  gboolean               started;          /* main thread only */

  /* for another device (tessera_enrollment_set_other_device) */
  char                  *output_path;
  TesseraExportFormat    output_format;
  gboolean               output_encrypt;
  gboolean               output_force;
  char                  *export_passphrase;

  /* with a session (_tessera_enrollment_set_server), references held */
  TesseraXmppLink       *link;
  TesseraKeyClaims      *claims;
  TesseraReconciler     *reconciler;
  guint                  timeout;
  char                  *key_passphrase;
  TesseraNotesFunc       notes_func;
  gpointer               notes_data;

  GMutex                 mutex;
  /* under mutex: written by the operation's thread */
  char                  *name;
  TesseraEnrollmentStep  step;
  TesseraKeyRecord      *record;
};

G_DEFINE_FINAL_TYPE (TesseraEnrollment, tessera_enrollment, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KEY_STORE,
  PROP_BARE_JID,
  PROP_NAME,
  PROP_KEY_TYPE,
  PROP_STEP,
  PROP_RECORD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GType
tessera_enrollment_step_get_type (void)
{
  static gsize type_id = 0;
  static const GEnumValue values[] = {
    { TESSERA_ENROLLMENT_STEP_NEW, "TESSERA_ENROLLMENT_STEP_NEW", "new" },
    { TESSERA_ENROLLMENT_STEP_CHECKING, "TESSERA_ENROLLMENT_STEP_CHECKING", "checking" },
    { TESSERA_ENROLLMENT_STEP_GENERATING, "TESSERA_ENROLLMENT_STEP_GENERATING", "generating" },
    { TESSERA_ENROLLMENT_STEP_SAVING, "TESSERA_ENROLLMENT_STEP_SAVING", "saving" },
    { TESSERA_ENROLLMENT_STEP_SAVED, "TESSERA_ENROLLMENT_STEP_SAVED", "saved" },
    { TESSERA_ENROLLMENT_STEP_UPLOADING, "TESSERA_ENROLLMENT_STEP_UPLOADING", "uploading" },
    { TESSERA_ENROLLMENT_STEP_CERTIFIED, "TESSERA_ENROLLMENT_STEP_CERTIFIED", "certified" },
    { TESSERA_ENROLLMENT_STEP_FAILED, "TESSERA_ENROLLMENT_STEP_FAILED", "failed" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type_id))
    g_once_init_leave (&type_id, g_enum_register_static (g_intern_static_string ("TesseraEnrollmentStep"),
                                                          values));

  return type_id;
}

/* ---- the name rule ----------------------------------------------------- */

char *
tessera_enrollment_check_name (const char  *text,
                               GError     **error)
{
  g_autofree char *name = g_strstrip (g_strdup (text != NULL ? text : ""));
  glong length;
  gunichar hidden;

  if (!g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The device name is not valid UTF-8"));
      return NULL;
    }
  length = g_utf8_strlen (name, -1);
  if (length < 1 || length > TESSERA_DEVICE_NAME_MAX_CHARS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The device name must have 1 to %d characters"), TESSERA_DEVICE_NAME_MAX_CHARS);
      return NULL;
    }
  hidden = tessera_device_name_find_hidden_char (name);
  if (hidden != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The device name contains an invisible or control character (U+%04X)"), hidden);
      return NULL;
    }

  return g_steal_pointer (&name);
}

/* ---- GObject ----------------------------------------------------------- */

static void
tessera_enrollment_finalize (GObject *object)
{
  TesseraEnrollment *self = TESSERA_ENROLLMENT (object);

  g_clear_object (&self->store);
  g_free (self->bare_jid);
  tessera_secret_free (self->user_passphrase);
  g_free (self->output_path);
  tessera_secret_free (self->export_passphrase);
  g_clear_object (&self->link);
  g_clear_object (&self->claims);
  g_clear_object (&self->reconciler);
  tessera_secret_free (self->key_passphrase);
  g_free (self->name);
  g_clear_object (&self->record);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (tessera_enrollment_parent_class)->finalize (object);
}

static void
tessera_enrollment_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TesseraEnrollment *self = TESSERA_ENROLLMENT (object);

  switch (prop_id)
    {
    case PROP_KEY_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_BARE_JID:
      g_value_set_string (value, self->bare_jid);
      break;

    case PROP_NAME:
      g_value_take_string (value, tessera_enrollment_dup_name (self));
      break;

    case PROP_KEY_TYPE:
      g_value_set_int (value, self->key_type);
      break;

    case PROP_STEP:
      g_value_set_enum (value, tessera_enrollment_get_step (self));
      break;

    case PROP_RECORD:
      g_value_take_object (value, tessera_enrollment_dup_record (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_enrollment_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  TesseraEnrollment *self = TESSERA_ENROLLMENT (object);

  switch (prop_id)
    {
    case PROP_KEY_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_BARE_JID:
      self->bare_jid = g_value_dup_string (value);
      break;

    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;

    case PROP_KEY_TYPE:
      self->key_type = g_value_get_int (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tessera_enrollment_class_init (TesseraEnrollmentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags read_only = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tessera_enrollment_finalize;
  object_class->get_property = tessera_enrollment_get_property;
  object_class->set_property = tessera_enrollment_set_property;

  properties[PROP_KEY_STORE] =
    g_param_spec_object ("key-store", NULL, NULL, TESSERA_TYPE_KEY_STORE, construct);
  properties[PROP_BARE_JID] =
    g_param_spec_string ("bare-jid", NULL, NULL, NULL, construct);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, construct | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_KEY_TYPE] =
    g_param_spec_int ("key-type", NULL, NULL, 0, G_MAXINT, TESSERA_KEY_TYPE_ECDSA_P256, construct);
  properties[PROP_STEP] =
    g_param_spec_enum ("step", NULL, NULL, TESSERA_TYPE_ENROLLMENT_STEP,
                       TESSERA_ENROLLMENT_STEP_NEW, read_only);
  properties[PROP_RECORD] =
    g_param_spec_object ("record", NULL, NULL, TESSERA_TYPE_KEY_RECORD, read_only);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tessera_enrollment_init (TesseraEnrollment *self)
{
  g_mutex_init (&self->mutex);
  self->step = TESSERA_ENROLLMENT_STEP_NEW;
}

TesseraEnrollment *
tessera_enrollment_new (TesseraKeyStore *store,
                        const char      *bare_jid,
                        const char      *name,
                        TesseraKeyType   key_type)
{
  g_return_val_if_fail (TESSERA_IS_KEY_STORE (store), NULL);
  g_return_val_if_fail (bare_jid != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_object_new (TESSERA_TYPE_ENROLLMENT,
                       "key-store", store,
                       "bare-jid", bare_jid,
                       "name", name,
                       "key-type", (int) key_type,
                       NULL);
}

void
tessera_enrollment_set_user_passphrase (TesseraEnrollment *self,
                                        const char        *passphrase)
{
  g_return_if_fail (TESSERA_IS_ENROLLMENT (self));
  g_return_if_fail (!self->started);

  tessera_secret_free (self->user_passphrase);
  self->user_passphrase = g_strdup (passphrase);
}

void
tessera_enrollment_set_other_device (TesseraEnrollment   *self,
                                     const char          *output_path,
                                     TesseraExportFormat  format,
                                     const char          *export_passphrase,
                                     gboolean             force)
{
  g_return_if_fail (TESSERA_IS_ENROLLMENT (self));
  g_return_if_fail (!self->started);
  g_return_if_fail (output_path != NULL && g_path_is_absolute (output_path));
  g_return_if_fail (export_passphrase != NULL || format == TESSERA_EXPORT_FORMAT_PEM);
  g_return_if_fail (export_passphrase == NULL || *export_passphrase != '\0');

  g_free (self->output_path);
  self->output_path = g_strdup (output_path);
  self->output_format = format;
  self->output_encrypt = export_passphrase != NULL;
  self->output_force = force;
  tessera_secret_free (self->export_passphrase);
  self->export_passphrase = g_strdup (export_passphrase);
}

gboolean
tessera_enrollment_is_other_device (TesseraEnrollment *self)
{
  g_return_val_if_fail (TESSERA_IS_ENROLLMENT (self), FALSE);

  return self->output_path != NULL;
}

void
_tessera_enrollment_set_server (TesseraEnrollment             *self,
                                const TesseraEnrollmentServer *server)
{
  g_return_if_fail (TESSERA_IS_ENROLLMENT (self));
  g_return_if_fail (!self->started);

  g_set_object (&self->link, server->link);
  g_set_object (&self->claims, server->claims);
  g_set_object (&self->reconciler, server->reconciler);
  self->timeout = server->timeout;
  tessera_secret_free (self->key_passphrase);
  self->key_passphrase = g_strdup (server->key_passphrase);
  self->notes_func = server->notes_func;
  self->notes_data = server->notes_data;
}

const char *
tessera_enrollment_get_bare_jid (TesseraEnrollment *self)
{
  g_return_val_if_fail (TESSERA_IS_ENROLLMENT (self), NULL);

  return self->bare_jid;
}

char *
tessera_enrollment_dup_name (TesseraEnrollment *self)
{
  char *name;

  g_return_val_if_fail (TESSERA_IS_ENROLLMENT (self), NULL);

  g_mutex_lock (&self->mutex);
  name = g_strdup (self->name);
  g_mutex_unlock (&self->mutex);

  return name;
}

TesseraKeyType
tessera_enrollment_get_key_type (TesseraEnrollment *self)
{
  g_return_val_if_fail (TESSERA_IS_ENROLLMENT (self), TESSERA_KEY_TYPE_ECDSA_P256);

  return self->key_type;
}

TesseraEnrollmentStep
tessera_enrollment_get_step (TesseraEnrollment *self)
{
  TesseraEnrollmentStep step;

  g_return_val_if_fail (TESSERA_IS_ENROLLMENT (self), TESSERA_ENROLLMENT_STEP_NEW);

  g_mutex_lock (&self->mutex);
  step = self->step;
  g_mutex_unlock (&self->mutex);

  return step;
}

TesseraKeyRecord *
tessera_enrollment_dup_record (TesseraEnrollment *self)
{
  TesseraKeyRecord *record;

  g_return_val_if_fail (TESSERA_IS_ENROLLMENT (self), NULL);

  g_mutex_lock (&self->mutex);
  record = self->record != NULL ? g_object_ref (self->record) : NULL;
  g_mutex_unlock (&self->mutex);

  return record;
}

/* ---- changes seen from the caller's thread ----------------------------- */

typedef struct
{
  TesseraEnrollment     *self;
  GParamSpec            *pspec;
  gboolean               has_step;
  TesseraEnrollmentStep  step;   /* with has_step: the step this notify shows */
} Notify;

/* A step is stored here, in the caller's context, just before its notify:
 * a watcher of "step" then sees every step, in order, even when the worker
 * has moved on already (reading the field when the notify arrives would
 * skip the steps in between). */
static gboolean
notify_in_context (gpointer data)
{
  Notify *notify = data;

  if (notify->has_step)
    {
      g_mutex_lock (&notify->self->mutex);
      notify->self->step = notify->step;
      g_mutex_unlock (&notify->self->mutex);
    }
  g_object_notify_by_pspec (G_OBJECT (notify->self), notify->pspec);
  return G_SOURCE_REMOVE;
}

static void
notify_free (gpointer data)
{
  Notify *notify = data;

  g_object_unref (notify->self);
  g_free (notify);
}

static void
post_notify (TesseraOperation *op,
             Notify           *notify)
{
  g_main_context_invoke_full (op->context, G_PRIORITY_DEFAULT, notify_in_context, notify, notify_free);
}

/* Worker thread: the property changed; tell it where the caller lives. */
static void
notify_later (TesseraEnrollment *self,
              TesseraOperation  *op,
              guint              prop_id)
{
  Notify *notify = g_new0 (Notify, 1);

  notify->self = g_object_ref (self);
  notify->pspec = properties[prop_id];
  post_notify (op, notify);
}

static void
set_step (TesseraEnrollment     *self,
          TesseraOperation      *op,
          TesseraEnrollmentStep  step)
{
  Notify *notify = g_new0 (Notify, 1);

  notify->self = g_object_ref (self);
  notify->pspec = properties[PROP_STEP];
  notify->has_step = TRUE;
  notify->step = step;
  post_notify (op, notify);
}

static void
set_record (TesseraEnrollment *self,
            TesseraOperation  *op,
            TesseraKeyRecord  *record)
{
  g_mutex_lock (&self->mutex);
  g_set_object (&self->record, record);
  g_mutex_unlock (&self->mutex);
  notify_later (self, op, PROP_RECORD);
}

static void
set_name (TesseraEnrollment *self,
          TesseraOperation  *op,
          const char        *name)
{
  g_mutex_lock (&self->mutex);
  g_free (self->name);
  self->name = g_strdup (name);
  g_mutex_unlock (&self->mutex);
  notify_later (self, op, PROP_NAME);
}

/* ---- the steps --------------------------------------------------------- */

static char *
check_name (TesseraEnrollment  *self,
            TesseraOperation   *op,
            GError            **error)
{
  g_autofree char *name = tessera_enrollment_dup_name (self);
  char *checked = tessera_enrollment_check_name (name, error);

  if (checked != NULL && !g_str_equal (checked, name))
    set_name (self, op, checked);

  return checked;
}

/* One device, one certificate: a second one for this device is refused,
 * so that "this device" is never a guess, when the key is made and again
 * when a pending key (made before this device had its certificate) is
 * uploaded. Another device's key is not this device's. */
static gboolean
check_device_free (TesseraKeyStore  *store,
                   const char       *bare_jid,
                   GError          **error)
{
  g_autoptr(TesseraKeyRecord) device = tessera_key_store_get_device_record (store, NULL);

  if (device == NULL)
    return TRUE;

  /* Translators: the first %s is an XMPP address, the second a device name */
  g_set_error (error, TESSERA_STORE_ERROR, TESSERA_STORE_ERROR_DEVICE_ENROLLED,
               _("This device already holds a valid certificate for %s (“%s”), and a device has one "
                 "certificate: renew that one instead, or make the new certificate for another device"),
               bare_jid, tessera_key_record_get_name (device));
  return FALSE;
}

static gboolean
check_one_per_device (TesseraEnrollment  *self,
                      GError            **error)
{
  return self->output_path != NULL || check_device_free (self->store, self->bare_jid, error);
}

static TesseraKeyRecord *
save_key (TesseraEnrollment    *self,
          TesseraOperation     *op,
          TesseraKey           *key,
          const char           *name,
          TesseraCertProtocol   protocol,
          GError              **error)
{
  const char *protocol_name = tessera_cert_protocol_to_string (protocol);
  TesseraKeyRecord *record;

  set_step (self, op, TESSERA_ENROLLMENT_STEP_SAVING);
  if (self->output_path != NULL)
    record = tessera_key_store_save_other_device_key (self->store, key, name, protocol_name, self->user_passphrase,
                                                      self->output_path,
                                                      tessera_other_device_format_to_string (self->output_format,
                                                                                             self->output_encrypt),
                                                      error);
  else
    record = tessera_key_store_save_key (self->store, key, name, protocol_name, self->user_passphrase, error);
  if (record == NULL)
    return NULL;
  set_record (self, op, record);
  tessera_test_crash_point ("enroll:key-saved");
  g_debug ("%s: key %s (%s) saved for \"%s\" (%s)", op->what, tessera_key_record_get_id (record),
           tessera_key_type_to_string (self->key_type), name, protocol_name);

  return record;
}

/* A key without its request is of no use: the local part leaves no
 * orphan behind. */
static TesseraKeyRecord *
save_request (TesseraEnrollment  *self,
              TesseraOperation   *op,
              TesseraKeyRecord   *record,
              TesseraKey         *key,
              GError            **error)
{
  const char *id = tessera_key_record_get_id (record);
  g_autoptr(GBytes) csr = NULL;
  TesseraKeyRecord *pending;

  csr = tessera_key_create_csr (key, self->bare_jid, error);
  pending = csr != NULL ? tessera_key_store_save_request (self->store, id, csr, error) : NULL;
  if (pending == NULL)
    {
      tessera_key_store_delete (self->store, id, NULL);
      return NULL;
    }
  /* Cancelled while saving: the caller is gone and nobody would ever
   * upload or delete this key, so delete it now. */
  if (g_cancellable_set_error_if_cancelled (op->cancellable, error))
    {
      tessera_key_store_delete (self->store, id, NULL);
      g_object_unref (pending);
      return NULL;
    }
  set_record (self, op, pending);

  return pending;
}

static TesseraKeyRecord *
prepare (TesseraEnrollment    *self,
         TesseraOperation     *op,
         TesseraCertProtocol   protocol,
         GError              **error)
{
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autofree char *name = NULL;
  g_autoptr(TesseraAccountLock) lock = NULL;

  set_step (self, op, TESSERA_ENROLLMENT_STEP_CHECKING);
  if (g_cancellable_set_error_if_cancelled (op->cancellable, error))
    return NULL;
  /* It writes a key: the account's lock (not through run_async(), so
   * that a wait that fails ends in step FAILED too). */
  lock = tessera_operation_lock_account (op, self->store, error);
  if (lock == NULL)
    return NULL;
  name = check_name (self, op, error);
  if (name == NULL || !check_one_per_device (self, error))
    return NULL;

  set_step (self, op, TESSERA_ENROLLMENT_STEP_GENERATING);
  key = tessera_key_generate (self->key_type, op->cancellable, error);
  if (key == NULL)
    return NULL;

  record = save_key (self, op, key, name, protocol, error);
  if (record == NULL)
    return NULL;

  return save_request (self, op, record, key, error);
}

static gpointer
prepare_thread (gpointer           source,
                TesseraOperation  *op,
                gpointer           data,
                GError           **error)
{
  TesseraEnrollment *self = source;
  TesseraKeyRecord *record;

  record = prepare (self, op, GPOINTER_TO_INT (data), error);
  set_step (self, op, record != NULL ? TESSERA_ENROLLMENT_STEP_SAVED : TESSERA_ENROLLMENT_STEP_FAILED);

  return record;
}

void
tessera_enrollment_prepare_async (TesseraEnrollment   *self,
                                  TesseraCertProtocol  protocol,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (TESSERA_IS_ENROLLMENT (self));
  g_return_if_fail (tessera_cert_protocol_to_string (protocol) != NULL);
  g_return_if_fail (!self->started);
  g_return_if_fail (self->output_path == NULL);

  self->started = TRUE;
  tessera_operation_run_async (self, "prepare", tessera_enrollment_prepare_async, PREPARE_TIMEOUT_SECONDS,
                               NULL, prepare_thread, GINT_TO_POINTER (protocol), NULL, g_object_unref,
                               NULL, NULL, NULL, cancellable, callback, user_data);
}

TesseraKeyRecord *
tessera_enrollment_prepare_finish (TesseraEnrollment  *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  return tessera_operation_finish (self, result, tessera_enrollment_prepare_async, error);
}

/* ---- with the server --------------------------------------------------- */

/* submit() for a key no other operation of this account works on. */
static TesseraKeyRecord *
submit_claimed (TesseraXmppLink      *link,
                TesseraKeyClaims     *claims,
                TesseraOperation     *op,
                TesseraKeyStore      *store,
                TesseraKeyRecord     *record,
                TesseraKey           *key,
                TesseraCertProtocol   protocol,
                GError              **error)
{
  g_autofree char *id = g_strdup (tessera_key_record_get_id (record));
  TesseraKeyRecord *result;

  if (!tessera_key_claims_claim (claims, id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                   _("Sending the request failed: the request of key %s is being sent already"), id);
      return NULL;
    }
  result = tessera_cert_exchange_submit (link, op, store, record, key, protocol, error);
  tessera_key_claims_release (claims, id);

  return result;
}

/* Kept in the keyring while the key is here, so that a run after a crash
 * can write the file the user asked for (tessera-other-device.h). Without
 * a keyring such a run keeps the key here instead. */
static void
keep_export_passphrase (TesseraEnrollment *self,
                        TesseraKeyRecord  *record)
{
  g_autoptr(GError) error = NULL;

  if (self->export_passphrase == NULL || !tessera_secret_is_available ())
    return;
  if (!tessera_secret_store_export_passphrase (self->bare_jid, tessera_key_record_get_id (record),
                                               self->export_passphrase, &error))
    g_debug ("The passphrase of the file for another device is not kept: %s", error->message);
}

/* After the certificate: the file, then the key is erased here. A file
 * that cannot be written leaves the key kept here, and says so. */
static gboolean
deliver (TesseraEnrollment  *self,
         TesseraOperation   *op,
         TesseraKeyRecord   *certified,
         GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *note = NULL;

  if (tessera_other_device_deliver (self->store, certified, self->user_passphrase != NULL ? self->user_passphrase
                                                                                     : op->key_passphrase,
                                    self->export_passphrase, self->output_force, &local_error))
    return TRUE;

  note = tessera_other_device_give_up (self->store, certified, local_error);
  g_set_error_literal (error, local_error->domain, local_error->code, note);
  return FALSE;
}

/* A key for another device that will never be certified is of no use
 * here; one whose request may have reached the server waits for the next
 * run to finish it (tessera-reconciler.c). */
static void
discard_unsent (TesseraEnrollment *self,
                TesseraKeyRecord  *record)
{
  const char *id = tessera_key_record_get_id (record);
  g_auto(GStrv) journal = tessera_key_store_read_journal (self->store, id, NULL);
  g_autoptr(TesseraKeyRecord) fresh = tessera_key_store_lookup (self->store, id, NULL);
  g_autoptr(GError) error = NULL;

  if (journal == NULL || fresh == NULL || tessera_key_record_get_certificate (fresh) != NULL ||
      tessera_journal_request_in_flight ((const char * const *) journal))
    return;
  if (!tessera_other_device_discard (self->store, fresh, &error))
    g_warning ("Could not erase the unused key %s for another device: %s", id, error->message);
}

/* run() for another device's key: claimed from before it is saved until
 * it is erased, so that no reconciliation of this process takes it for
 * a crash's leftover. */
static TesseraKeyRecord *
run_other_device (TesseraEnrollment    *self,
                  TesseraOperation     *op,
                  TesseraKey           *key,
                  const char           *name,
                  TesseraCertProtocol   protocol,
                  GError              **error)
{
  g_autofree char *id = tessera_key_store_id_for_key (key);
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKeyRecord) certified = NULL;

  if (id == NULL || !tessera_key_claims_claim (self->claims, id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                   _("Sending the request failed: the new key is in use by another operation"));
      return NULL;
    }

  record = save_key (self, op, key, name, protocol, error);
  if (record != NULL)
    {
      keep_export_passphrase (self, record);
      tessera_test_crash_point ("other-device:key-saved");
      set_step (self, op, TESSERA_ENROLLMENT_STEP_UPLOADING);
      certified = tessera_cert_exchange_submit (self->link, op, self->store, record, key, protocol, error);
      if (certified == NULL)
        discard_unsent (self, record);
    }
  if (certified != NULL)
    {
      set_record (self, op, certified);
      if (!deliver (self, op, certified, error))
        g_clear_object (&certified);
    }
  tessera_key_claims_release (self->claims, id);

  return g_steal_pointer (&certified);
}

static TesseraKeyRecord *
run (TesseraEnrollment  *self,
     TesseraOperation   *op,
     GError            **error)
{
  g_autoptr(TesseraKey) key = NULL;
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKeyRecord) certified = NULL;
  g_autofree char *name = NULL;
  g_autoptr(TesseraAccountLock) lock = NULL;
  TesseraFeatures features;
  TesseraCertProtocol protocol;

  /* Cancelled before it started: not even a connection is opened. */
  set_step (self, op, TESSERA_ENROLLMENT_STEP_CHECKING);
  if (!tessera_operation_check (op, error))
    return NULL;
  /* Shared with the session's own hold when it runs this (enroll_async). */
  lock = tessera_operation_lock_account (op, self->store, error);
  if (lock == NULL)
    return NULL;

  /* The check after the reconciliation: a certificate it finishes is
   * this device's. */
  name = check_name (self, op, error);
  if (name == NULL || !tessera_reconciler_run_first (self->reconciler, op, TRUE, error) ||
      !check_one_per_device (self, error) ||
      !tessera_xmpp_link_get_features (self->link, op, &features, error))
    return NULL;

  /* Nothing is generated or stored for a server that cannot take it. */
  protocol = tessera_cert_exchange_choose (self->link, op, features, &name, error);
  if (protocol == TESSERA_CERT_PROTOCOL_NONE)
    return NULL;

  set_step (self, op, TESSERA_ENROLLMENT_STEP_GENERATING);
  key = tessera_key_generate (self->key_type, op->cancellable, error);
  if (key == NULL || !tessera_operation_check (op, error))
    return NULL;

  if (self->output_path != NULL)
    return run_other_device (self, op, key, name, protocol, error);

  /* The key is on disk, durably, before anything about it is sent. */
  record = save_key (self, op, key, name, protocol, error);
  if (record == NULL)
    return NULL;

  set_step (self, op, TESSERA_ENROLLMENT_STEP_UPLOADING);
  certified = submit_claimed (self->link, self->claims, op, self->store, record, key, protocol, error);
  if (certified != NULL)
    set_record (self, op, certified);

  return g_steal_pointer (&certified);
}

TesseraKeyRecord *
_tessera_enrollment_run (TesseraEnrollment  *self,
                         TesseraOperation   *op,
                         GError            **error)
{
  TesseraKeyRecord *record;

  g_return_val_if_fail (TESSERA_IS_ENROLLMENT (self), NULL);

  if (self->link == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Enrolling failed: this enrollment was not made by a session, so it cannot reach the server"));
      return NULL;
    }

  record = run (self, op, error);
  set_step (self, op, record != NULL ? TESSERA_ENROLLMENT_STEP_CERTIFIED : TESSERA_ENROLLMENT_STEP_FAILED);

  return record;
}

static gpointer
run_thread (gpointer           source,
            TesseraOperation  *op,
            gpointer           data,
            GError           **error)
{
  return _tessera_enrollment_run (source, op, error);
}

void
tessera_enrollment_run_async (TesseraEnrollment   *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (TESSERA_IS_ENROLLMENT (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  tessera_operation_run_async (self, "enroll", tessera_enrollment_run_async, self->timeout,
                               NULL, run_thread, NULL, NULL, g_object_unref,
                               self->notes_func, self->notes_data, self->key_passphrase,
                               cancellable, callback, user_data);
}

TesseraKeyRecord *
tessera_enrollment_run_finish (TesseraEnrollment  *self,
                               GAsyncResult       *result,
                               GError            **error)
{
  return tessera_operation_finish (self, result, tessera_enrollment_run_async, error);
}

/* ---- sending a saved request again ------------------------------------ */

static TesseraEnrollmentServer
server_of (TesseraEnrollment *self,
           TesseraOperation  *op)
{
  TesseraEnrollmentServer server = {
    self->link, self->claims, self->reconciler, self->timeout,
    op->key_passphrase, self->notes_func, self->notes_data,
  };

  return server;
}

static gpointer
upload_thread (gpointer           source,
               TesseraOperation  *op,
               gpointer           data,
               GError           **error)
{
  TesseraEnrollment *self = source;
  TesseraEnrollmentServer server = server_of (self, op);
  TesseraKeyRecord *record = data;
  TesseraKeyRecord *certified;

  set_step (self, op, TESSERA_ENROLLMENT_STEP_UPLOADING);
  certified = _tessera_enrollment_upload_key (&server, self->store, op, tessera_key_record_get_id (record), error);
  if (certified != NULL)
    set_record (self, op, certified);
  set_step (self, op, certified != NULL ? TESSERA_ENROLLMENT_STEP_CERTIFIED : TESSERA_ENROLLMENT_STEP_FAILED);

  return certified;
}

void
tessera_enrollment_upload_async (TesseraEnrollment   *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(TesseraKeyRecord) record = NULL;
  TesseraEnrollmentStep step;

  g_return_if_fail (TESSERA_IS_ENROLLMENT (self));

  step = tessera_enrollment_get_step (self);
  record = tessera_enrollment_dup_record (self);
  g_return_if_fail (step == TESSERA_ENROLLMENT_STEP_SAVED || step == TESSERA_ENROLLMENT_STEP_FAILED);
  g_return_if_fail (record != NULL);

  if (self->link == NULL)
    {
      g_task_report_new_error (self, callback, user_data, tessera_enrollment_upload_async,
                               G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Sending the request failed: this enrollment was not made by a session, so it cannot reach the server"));
      return;
    }

  /* The key was saved with the user's passphrase, if there is one. It
   * writes the certificate: the account's lock. */
  tessera_operation_run_async (self, "upload", tessera_enrollment_upload_async, self->timeout,
                               self->store, upload_thread, g_steal_pointer (&record), g_object_unref,
                               g_object_unref, self->notes_func, self->notes_data,
                               self->user_passphrase != NULL ? self->user_passphrase : self->key_passphrase,
                               cancellable, callback, user_data);
}

TesseraKeyRecord *
tessera_enrollment_upload_finish (TesseraEnrollment  *self,
                                  GAsyncResult       *result,
                                  GError            **error)
{
  return tessera_operation_finish (self, result, tessera_enrollment_upload_async, error);
}

TesseraKeyRecord *
_tessera_enrollment_upload_key (const TesseraEnrollmentServer  *server,
                                TesseraKeyStore                *store,
                                TesseraOperation               *op,
                                const char                     *key_id,
                                GError                        **error)
{
  g_autoptr(TesseraKeyRecord) record = NULL;
  g_autoptr(TesseraKey) key = NULL;
  TesseraFeatures features;

  /* Cancelled before it started: not even a connection is opened. */
  if (!tessera_operation_check (op, error))
    return NULL;

  record = tessera_key_store_lookup (store, key_id, error);
  if (record == NULL)
    return NULL;
  if (tessera_key_record_get_certificate (record) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("Sending the request failed: key %s already has a certificate"), key_id);
      return NULL;
    }
  /* Checked under the account's lock, after the reconciliation: the
   * pending key stays, to be uploaded once this device's certificate is
   * revoked. */
  if (!tessera_key_record_is_other_device (record) &&
      !check_device_free (store, tessera_account_get_jid (tessera_xmpp_link_get_account (server->link)), error))
    return NULL;

  key = tessera_key_store_load_key (store, key_id, op->key_passphrase, error);
  if (key == NULL || !tessera_xmpp_link_get_features (server->link, op, &features, error))
    return NULL;

  return submit_claimed (server->link, server->claims, op, store, record, key,
                         tessera_cert_protocol_for_features (features), error);
}
